"""``sdsf init``: a starter folder for a deployment's own configuration (``SDSF_SOURCES``).

The folder holds one scheme of a département, its partners, a copy of the shipped measures and
a French LISEZMOI.md, all with French comments saying what to edit. The files are the templates
beside this module with the département's code, name and years filled in; the measures are the
shipped ``measures.yaml`` under a French header, so the starter never holds a second copy of them
in the code. Everything written loads and checks as is (a test runs the pipeline on it).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from orchestration.schemes.codes import DEPARTEMENT_RE, bad_departement
from orchestration.settings import SOURCES_DIR, Deployment

TEMPLATES = Path(__file__).resolve().parent
SCHEME_YEARS = 6  # schemes are now signed for six years


class StarterError(ValueError):
    """The starter folder cannot be written; the message is in French."""


def departement_name(code: str) -> str:
    """The département's name in the COG package (``departements.json``)."""
    from orchestration import territories

    path = territories.ensure_territory_package() / "departements.json"
    names = {d["code"]: d["nom"] for d in json.loads(path.read_text(encoding="utf-8"))}
    if code not in names:
        raise StarterError(f"département inconnu du code officiel géographique : {code!r}")
    return names[code]


def write_starter(folder: Path, departement: str, start_year: int | None = None) -> Deployment:
    """Write the starter configuration into ``folder`` (new or empty) and return it.

    Raises StarterError when ``folder`` holds anything, or the département or year is wrong:
    nothing is ever overwritten.
    """
    folder = Path(folder).resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StarterError(
            f"{folder} n'est pas un dossier vide : sdsf init n'écrase rien. Choisissez un "
            "dossier nouveau ou vide."
        )
    if not DEPARTEMENT_RE.match(departement):
        raise StarterError(f"--departement : {bad_departement(departement)}")
    start = date.today().year if start_year is None else start_year
    if not 1990 <= start <= 2100:
        raise StarterError(f"--start-year : {start} n'est pas une année plausible")
    end = start + SCHEME_YEARS - 1
    scheme_id = f"sdsf-{departement.lower()}-{start}-{end}"
    values = {
        "DEP": departement,
        "NOM": departement_name(departement),
        "ID": scheme_id,
        "START": str(start),
        "END": str(end),
        "MIDDLE": str(start + SCHEME_YEARS // 2 - 1),
        "BASELINE": str(start - 1),
        "FOLDER": str(folder),
    }
    target = Deployment(folder)
    texts = {
        target.partners: _filled("partners.yaml", values),
        target.schemes / f"{scheme_id}.yaml": _filled("scheme.yaml", values),
        target.measures: (TEMPLATES / "measures_header.yaml").read_text(encoding="utf-8")
        + Deployment(SOURCES_DIR).measures.read_text(encoding="utf-8"),
        folder / "LISEZMOI.md": _filled("LISEZMOI.md", values),
    }
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def _filled(template: str, values: dict[str, str]) -> str:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text
