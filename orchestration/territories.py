"""Territory reference (INSEE COG) and children's population by commune.

The COG comes from the npm package ``@etalab/decoupage-administratif``, pinned in
``sources/territories/package.json`` and installed with ``npm ci`` into that folder's
``node_modules``. Populations by age are not in the package: a user supplies them as a CSV
(``load_child_population``); otherwise ``estimate_child_population`` gives a labelled demo
estimate. Pure Python + pandas on purpose, so intake code and tests can use it without Dagster.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

from orchestration.settings import SOURCES_DIR

TERRITORIES_DIR = SOURCES_DIR / "territories"
PACKAGE_NAME = "@etalab/decoupage-administratif"
NPM_CI_TIMEOUT_SECONDS = 600

COMMUNE_TYPE_COMMUNE = "commune"
COMMUNE_TYPE_ARRONDISSEMENT = "arrondissement"

# Shares of the total population of France by age band, used ONLY by the demo estimate.
# Approximate figures (estimates, rounded), derived from INSEE's population estimates by single
# year of age at 1 January 2024 (France, about 68.4 M inhabitants; cohorts follow births:
# ~660-740 k a year for the 0-2 year-olds, ~750 k for 3-5, ~800 k for 6-11, ~825 k for 12-17).
# They ignore every local difference in age structure: replace them with real INSEE counts
# through load_child_population() before publishing anything.
AGE_BAND_SHARES: dict[str, float] = {
    "enfants_moins_3_ans": 0.031,  # ages 0, 1, 2
    "enfants_2_ans": 0.011,  # age 2 only (préscolarisation); a subset of the band above
    "enfants_3_5_ans": 0.033,
    "enfants_6_11_ans": 0.070,
    "jeunes_12_17_ans": 0.073,
    "population": 1.0,  # total population, carried along so rates can use one table
}
AGE_BANDS: tuple[str, ...] = tuple(AGE_BAND_SHARES)

ESTIMATE_SOURCE = "estimation démo : population totale × part nationale de la tranche d'âge"
USER_SOURCE_PREFIX = "fourni par l'utilisateur: "

CHILD_POPULATION_COLUMNS: tuple[str, ...] = ("code_commune", "annee", "tranche_age", "enfants")
CHILD_POPULATION_TEMPLATE = ";".join(CHILD_POPULATION_COLUMNS) + "\n"
CHILD_POPULATION_OUTPUT_COLUMNS = ["commune_code", "year", "age_band", "children", "source"]

_COMMUNE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.ASCII)
_SIREN_RE = re.compile(r"^\d{9}$", re.ASCII)
_YEAR_RE = re.compile(r"^\d{4}$", re.ASCII)
_COUNT_RE = re.compile(r"^\d+$", re.ASCII)
_MAX_REPORTED_ERRORS = 20
_OUTPUT_KEY = ["commune_code", "year", "age_band"]


class ChildPopulationFileError(ValueError):
    """A user-supplied children's population CSV is invalid; the message is in French."""

    def __init__(self, path: Path, errors: list[str]):
        self.path = path
        self.errors = errors
        shown = errors[:_MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        lines = [f"Fichier de population des enfants invalide : {path.name}"]
        lines += [f"  - {error}" for error in shown]
        if more:
            lines.append(f"  … et {more} autre(s) erreur(s).")
        super().__init__("\n".join(lines))


def _package_dir() -> Path:
    return TERRITORIES_DIR / "node_modules" / PACKAGE_NAME


def _locked_version() -> str | None:
    lock = TERRITORIES_DIR / "package-lock.json"
    if not lock.exists():
        return None
    packages = json.loads(lock.read_text(encoding="utf-8")).get("packages", {})
    return packages.get(f"node_modules/{PACKAGE_NAME}", {}).get("version")


def _installed_version() -> str | None:
    manifest = _package_dir() / "package.json"
    if not manifest.exists():
        return None
    return json.loads(manifest.read_text(encoding="utf-8")).get("version")


def ensure_territory_package() -> Path:
    """Return the package's ``data`` dir, running ``npm ci`` first if it is missing or stale.

    Raises RuntimeError with npm's output when npm is absent or the install fails.
    """
    data_dir = _package_dir() / "data"
    locked = _locked_version()
    # Reinstall when the lock was bumped but node_modules still holds the previous vintage.
    if (data_dir / "communes.json").exists() and _installed_version() == locked:
        return data_dir

    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            f"npm is required to install {PACKAGE_NAME} into {TERRITORIES_DIR} "
            "(install Node.js 20+, then run `npm ci` there)."
        )
    # --ignore-scripts: the territory data needs no build step, so nothing may run or download.
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
    try:
        result = subprocess.run(
            command,
            cwd=TERRITORIES_DIR,
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(
            f"`npm ci` in {TERRITORIES_DIR} did not finish within {NPM_CI_TIMEOUT_SECONDS} s "
            "(is the npm registry reachable?)."
        ) from exc
    if result.returncode != 0 or not (data_dir / "communes.json").exists():
        output = (result.stderr or result.stdout or "").strip()[-2000:]
        raise RuntimeError(
            f"`npm ci` in {TERRITORIES_DIR} failed (exit code {result.returncode}); "
            f"{PACKAGE_NAME} is not installed.\n{output}"
        )
    return data_dir


def _read_json(data_dir: Path, name: str) -> list[dict]:
    path = data_dir / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: is {PACKAGE_NAME} installed there?")
    return json.loads(path.read_text(encoding="utf-8"))


def _optional_int(value: object) -> int | None:
    return None if value is None else int(value)


def _check_key(frame: pd.DataFrame, column: str, pattern: re.Pattern[str], what: str) -> None:
    # Fails loudly if a future package vintage changes its code formats or record types.
    values = frame[column]
    bad = values[~values.map(lambda v: isinstance(v, str) and bool(pattern.match(v)))]
    if not bad.empty:
        raise ValueError(f"Unexpected {what} in {PACKAGE_NAME}: {list(bad.unique())[:5]}")
    if values.duplicated().any():
        dupes = frame.loc[frame[column].duplicated(), column].unique()[:5]
        raise ValueError(f"Duplicated {what} in {PACKAGE_NAME}: {list(dupes)}")


def load_cog(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """Load the COG as four frames: ``communes``, ``epci``, ``epci_members``, ``departements``.

    ``communes`` holds every current commune (``commune_type == 'commune'``) plus the 45
    arrondissements municipaux of Paris, Lyon and Marseille (``'arrondissement'``, with
    ``parent_commune_code`` and the parent's ``epci_siren``), because partners may report at
    that level. An arrondissement's population is part of its parent's: sum only one level.
    Communes déléguées and associées are left out. ``epci_members`` lists current communes only.
    Codes are strings with their leading zeros; populations are nullable integers.
    """
    data_dir = Path(data_dir) if data_dir is not None else ensure_territory_package()
    raw_communes = _read_json(data_dir, "communes")
    raw_epci = _read_json(data_dir, "epci")
    raw_departements = _read_json(data_dir, "departements")

    epci = pd.DataFrame(
        {
            "epci_siren": [e["code"] for e in raw_epci],
            "name": [e["nom"] for e in raw_epci],
            "epci_type": [e["type"] for e in raw_epci],
            # DGCL's population municipale of the EPCI, as shipped; it may be one INSEE
            # vintage behind the commune populations, so it need not equal their sum.
            "population": pd.array(
                [_optional_int(e.get("populationMunicipale")) for e in raw_epci], dtype="Int64"
            ),
        }
    )
    members = pd.DataFrame(
        [(e["code"], m["code"]) for e in raw_epci for m in e["membres"]],
        columns=["epci_siren", "commune_code"],
    )
    epci_of = dict(zip(members["commune_code"], members["epci_siren"], strict=True))

    rows = []
    for record in raw_communes:
        kind = record["type"]
        if kind == "commune-actuelle":
            commune_type, parent = COMMUNE_TYPE_COMMUNE, None
        elif kind == "arrondissement-municipal":
            commune_type, parent = COMMUNE_TYPE_ARRONDISSEMENT, record["commune"]
        else:
            continue
        rows.append(
            {
                "commune_code": record["code"],
                "name": record["nom"],
                "departement_code": record["departement"],
                "region_code": record["region"],
                # Not record["siren"]: that is the commune's own SIREN, not its EPCI's.
                "epci_siren": epci_of.get(parent or record["code"]),
                "population": _optional_int(record.get("population")),
                "commune_type": commune_type,
                "parent_commune_code": parent,
            }
        )
    communes = pd.DataFrame(rows)
    communes["population"] = communes["population"].astype("Int64")

    departements = pd.DataFrame(
        {
            "departement_code": [d["code"] for d in raw_departements],
            "name": [d["nom"] for d in raw_departements],
            "region_code": [d["region"] for d in raw_departements],
        }
    )

    _check_key(communes, "commune_code", _COMMUNE_CODE_RE, "commune code")
    _check_key(epci, "epci_siren", _SIREN_RE, "EPCI SIREN")
    unknown = set(members["commune_code"]) - set(communes["commune_code"])
    if unknown:
        raise ValueError(f"EPCI members missing from communes: {sorted(unknown)[:5]}")

    return {
        "communes": communes.sort_values("commune_code", ignore_index=True),
        "epci": epci.sort_values("epci_siren", ignore_index=True),
        "epci_members": members.sort_values(["epci_siren", "commune_code"], ignore_index=True),
        "departements": departements.sort_values("departement_code", ignore_index=True),
    }


def load_former_codes(data_dir: Path | str | None = None) -> dict[str, list[str]]:
    """Each current commune merged from others since: its code -> the former communes' codes
    (the COG's ``anciensCodes``). The maps use it to draw a current commune from older contours.
    """
    data_dir = Path(data_dir) if data_dir is not None else ensure_territory_package()
    return {
        record["code"]: list(record["anciensCodes"])
        for record in _read_json(data_dir, "communes")
        if record["type"] == "commune-actuelle" and record.get("anciensCodes")
    }


def _sorted_output(frame: pd.DataFrame) -> pd.DataFrame:
    band_rank = {band: rank for rank, band in enumerate(AGE_BANDS)}
    return frame.sort_values(
        _OUTPUT_KEY,
        key=lambda column: column.map(band_rank) if column.name == "age_band" else column,
        ignore_index=True,
    )


def _round_half_up(values: np.ndarray) -> np.ndarray:
    # Shares such as 0.011 are not exact in binary (50 × 0.011 = 0.5499…), so a tiny epsilon
    # makes products that are mathematically .5 round up, as a person would expect.
    return np.floor(values + 0.5 + 1e-9).astype("int64")


def estimate_child_population(communes: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Demo estimate: each commune's total population × the national share of each age band.

    Returns one row per (commune_code, year, age_band) with whole ``children`` (rounded half
    up) and ``source`` saying it is a demo estimate. The same population serves every year.
    Communes without a known population are left out. Deterministic.
    """
    known = communes.loc[communes["population"].notna(), ["commune_code", "population"]]
    population = known["population"].to_numpy(dtype="float64")
    per_band = [
        pd.DataFrame(
            {
                "commune_code": known["commune_code"].to_numpy(),
                "age_band": band,
                "children": _round_half_up(population * share),
            }
        )
        for band, share in AGE_BAND_SHARES.items()
    ]
    bands = pd.concat(per_band, ignore_index=True)
    year_frame = pd.DataFrame({"year": pd.Series(sorted(set(years)), dtype="int64")})
    estimate = bands.merge(year_frame, how="cross")
    estimate["source"] = ESTIMATE_SOURCE
    return _sorted_output(estimate[CHILD_POPULATION_OUTPUT_COLUMNS])


def _check_row(line: int, row: dict[str, str]) -> list[str]:
    errors = []
    code = row["code_commune"]
    if not _COMMUNE_CODE_RE.match(code):
        hint = ""
        if re.fullmatch(r"\d{4}", code):
            hint = f" (zéro initial supprimé par un tableur ? essayez « 0{code} »)"
        errors.append(
            f"ligne {line}, colonne code_commune : « {code} » n'est pas un code commune INSEE "
            f"à 5 caractères{hint}"
        )
    if not _YEAR_RE.match(row["annee"]):
        errors.append(
            f"ligne {line}, colonne annee : « {row['annee']} » n'est pas une année "
            "(entier à 4 chiffres attendu)"
        )
    if row["tranche_age"] not in AGE_BAND_SHARES:
        errors.append(
            f"ligne {line}, colonne tranche_age : « {row['tranche_age']} » est inconnue "
            f"(valeurs admises : {', '.join(AGE_BANDS)})"
        )
    if not _COUNT_RE.match(row["enfants"]):
        errors.append(
            f"ligne {line}, colonne enfants : « {row['enfants']} » n'est pas un nombre entier "
            "positif ou nul"
        )
    return errors


def load_child_population(path: Path | str) -> pd.DataFrame:
    """Read a user-supplied ``;``-separated CSV of children by commune, year and age band.

    Expected header: ``code_commune;annee;tranche_age;enfants`` (see CHILD_POPULATION_TEMPLATE).
    Returns the same columns as ``estimate_child_population``, with ``source`` naming the file.
    Raises ChildPopulationFileError listing every problem by line and column, in French.
    """
    path = Path(path)
    if not path.exists():
        raise ChildPopulationFileError(path, [f"fichier introuvable : {path}"])
    try:
        raw = pd.read_csv(
            path,
            sep=";",
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            skip_blank_lines=True,
        )
    except UnicodeDecodeError:
        raise ChildPopulationFileError(
            path, ["le fichier doit être encodé en UTF-8 (enregistrer sous « CSV UTF-8 »)"]
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ChildPopulationFileError(path, [f"fichier CSV illisible : {exc}"]) from None

    header = [str(c).strip() for c in raw.columns]
    if header != list(CHILD_POPULATION_COLUMNS):
        raise ChildPopulationFileError(
            path,
            [
                f"ligne 1 : en-tête « {';'.join(header)} » inattendu ; "
                f"attendu « {CHILD_POPULATION_TEMPLATE.strip()} » (séparateur point-virgule)"
            ],
        )
    raw.columns = header
    raw = raw.apply(lambda column: column.str.strip())
    if raw.empty:
        raise ChildPopulationFileError(path, ["aucune ligne de données après l'en-tête"])

    errors: list[str] = []
    first_line_of: dict[tuple[str, str, str], int] = {}
    # Line numbers as a spreadsheet shows them: the header is line 1.
    for line, row in zip(range(2, len(raw) + 2), raw.to_dict("records"), strict=True):
        errors += _check_row(line, row)
        key = (row["code_commune"], row["annee"], row["tranche_age"])
        if key in first_line_of:
            errors.append(
                f"ligne {line} : doublon de la ligne {first_line_of[key]} "
                f"(code_commune {key[0]}, annee {key[1]}, tranche_age {key[2]})"
            )
        else:
            first_line_of[key] = line
    if errors:
        raise ChildPopulationFileError(path, errors)

    loaded = pd.DataFrame(
        {
            "commune_code": raw["code_commune"],
            "year": raw["annee"].astype("int64"),
            "age_band": raw["tranche_age"],
            "children": raw["enfants"].astype("int64"),
            "source": USER_SOURCE_PREFIX + path.name,
        }
    )
    return _sorted_output(loaded)


__all__ = [
    "AGE_BANDS",
    "AGE_BAND_SHARES",
    "CHILD_POPULATION_COLUMNS",
    "CHILD_POPULATION_TEMPLATE",
    "ESTIMATE_SOURCE",
    "TERRITORIES_DIR",
    "ChildPopulationFileError",
    "ensure_territory_package",
    "estimate_child_population",
    "load_child_population",
    "load_cog",
]
