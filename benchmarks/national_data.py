"""Generated deployments for the national-scale benchmark: N départements × Y years.

For each département of the real COG (the geography package shipped in sources/territories),
:func:`write_deployment` writes into a folder laid out as ``$SDSF_SOURCES`` reads it
(:class:`orchestration.settings.Deployment`): one scheme per département derived from a shipped
scheme (its axes, actions, milestones, indicators and targets, re-coded and spread over the
years asked), the département's partners, the shipped measures and a children's population file.
:func:`partner_files` then writes every file those partners owe, in their software's dialects, with
the demo's generators (:func:`orchestration.demo.generate_files`) fed with one département spec
per département derived from a demo spec. Everything is seeded: same arguments, same bytes.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import yaml

from orchestration import territories
from orchestration.demo import DEMO_DIR, DemoFile, generate_files
from orchestration.schemes import load_deployment
from orchestration.settings import SOURCES_DIR, Deployment

TEMPLATE_SCHEME = SOURCES_DIR / "schemes" / "landes-2016-2018.yaml"
TEMPLATE_SPEC = DEMO_DIR / "40-landes.yaml"
TEMPLATE_DEP, TEMPLATE_PREFIX = "40", "LAN"
START = 2016
# The template's partners, their generated codes (département code appended) and dialects.
ROLES = {
    "ETAT40": ("ETAT", "etat", "state", "Préfecture ({name})"),
    "CD40": ("CD", "conseil_departemental", "pmi", "Conseil départemental ({name})"),
    "CAF40": ("CAF", "caf", "caf", "Caisse d'allocations familiales ({name})"),
    "DSDEN40": ("DSDEN", "education_nationale", "school", "DSDEN ({name})"),
    "MSA_SUD_AQUITAINE": ("MSA", "msa", "other", "MSA ({name})"),
    "UDAF40": ("UDAF", "udaf", "other", "UDAF ({name})"),
    "ASSO_PARENTS40": ("ASSO_PARENTS", "association", "other", "Association de parents ({name})"),
}


def departements(scale: str) -> list[str]:
    """The départements of a scale: ``1`` the Landes, ``10`` the Landes and the next nine
    in code order, ``all`` every département of metropolitan France and overseas."""
    path = territories.ensure_territory_package() / "departements.json"
    codes = sorted(d["code"] for d in json.loads(path.read_text(encoding="utf-8"))
                   if d["zone"] in ("metro", "drom"))  # fmt: skip
    if scale == "all":
        return codes
    ordered = codes[codes.index(TEMPLATE_DEP) :] + codes[: codes.index(TEMPLATE_DEP)]
    return ordered[: int(scale)]


def _names() -> dict[str, str]:
    path = territories.ensure_territory_package() / "departements.json"
    return {d["code"]: d["nom"] for d in json.loads(path.read_text(encoding="utf-8"))}


def _partner(role: str, dep: str) -> str:
    return f"{ROLES[role][0]}{dep}"


def _recode(text: str, dep: str) -> str:
    """Template codes (actions, milestones, partners) for département ``dep``."""
    text = re.sub(rf"\b{TEMPLATE_PREFIX}-", f"D{dep}-", text)
    for role in ROLES:
        text = re.sub(rf"\b{role}\b", _partner(role, dep), text)
    return text


def _year(year: int, template: tuple[int, int], years: int) -> int:
    """A year of the template's period, at the same place in a period of ``years`` years."""
    first, last = template
    return START + round((year - first) * (years - 1) / max(1, last - first))


def _month(due: str, template: tuple[int, int], years: int) -> str:
    """A milestone's due month, at the same place in the new period."""
    year, month = int(due[:4]), int(due[5:7])
    elapsed = (year - template[0]) * 12 + month - 1
    shifted = elapsed * years // (template[1] - template[0] + 1)
    return f"{START + shifted // 12}-{shifted % 12 + 1:02d}"


def scheme_for(dep: str, name: str, years: int, epci: str) -> dict:
    """The template scheme for département ``dep`` over ``years`` years from START."""
    doc = yaml.safe_load(_recode(TEMPLATE_SCHEME.read_text(encoding="utf-8"), dep))
    doc.pop("x-groups", None)
    period = (doc["period"]["start"], doc["period"]["end"])
    end = START + years - 1
    doc["id"] = f"sdsf-{dep.lower()}-{START}-{end}"
    doc["title"] = f"Schéma départemental des services aux familles ({name}) {START}-{end}"
    doc["departement"] = dep
    doc["period"] = {"start": START, "end": end}
    doc["sources"]["note"] = "Schéma généré pour le banc d'essai national : valeurs illustratives."
    for axis in doc["axes"]:
        for action in axis["actions"]:
            for milestone in action.get("jalons", []):
                milestone["due"] = _month(milestone["due"], period, years)
    for indicator in doc["indicators"]:
        baseline = indicator["baseline"]
        baseline["year"] = START - 1 if baseline["year"] < period[0] else START
        indicator["targets"] = {
            _year(y, period, years): v for y, v in sorted(indicator["targets"].items())
        }
        indicator["targets"] = {y: v for y, v in indicator["targets"].items() if y > START - 1}
        for target in indicator.get("territory_targets", []):
            target.update(territory=epci, year=end)
    doc["priority_territories"]["year"] = START
    return doc


def partners_for(dep: str, name: str) -> list[dict]:
    template = {p["code"]: p for p in yaml.safe_load(
        (SOURCES_DIR / "partners.yaml").read_text(encoding="utf-8"))["partners"]}  # fmt: skip
    out = []
    for role, (_prefix, kind, _dialect, label) in ROLES.items():
        submissions = copy.deepcopy(template[role].get("submissions", []))
        out.append({"code": _partner(role, dep), "name": label.format(name=name), "type": kind,
                    "departements": [dep], "submissions": submissions})  # fmt: skip
    return out


def spec_for(dep: str, index: int, years: int) -> dict:
    """The demo spec of the template département, for ``dep``: its childcare rules, the
    people its actions reach, a receipts story without exceptions and a quiet action story."""
    template = yaml.safe_load(TEMPLATE_SPEC.read_text(encoding="utf-8"))
    spec = {"departement": dep, "seed": 10_000 + index}
    spec["partners"] = {_partner(r, dep): ROLES[r][2] for r in ROLES}
    if index % 2:  # every other CAF's tool writes months the French way
        spec["partners"][_partner("CAF40", dep)] = "caf_bi"
    childcare = copy.deepcopy(template["childcare"])
    childcare["declared_by"] = {_partner(k, dep): v for k, v in childcare["declared_by"].items()}
    childcare["openings"] = [
        {"type": "RPE", "where": "uncovered_epci", "year": START + 1, "count": 2},
        {"type": "LAEP", "where": "uncovered_epci", "year": START + 1, "count": 1},
    ]
    childcare.pop("anomalies", None)  # the demo's planted figures name the Landes' structures
    spec["childcare"] = childcare
    spec["beneficiaries"] = {
        _partner(k, dep): [
            {**line, "action": _recode(line["action"], dep)}
            for line in lines
            if "territory" not in line and line["action"].startswith(TEMPLATE_PREFIX)
        ]
        for k, lines in template["beneficiaries"].items()
        if k in ROLES
    }
    scheme_id = f"sdsf-{dep.lower()}-{START}-{START + years - 1}"
    spec["action_reports"] = {
        scheme_id: {"realised": {f"D{dep}-4.1": min(START + 1, START + years - 1)}}
    }
    return spec


def write_deployment(folder: Path, deps: list[str], years: int) -> Deployment:
    """Write the deployment folder of ``deps`` over ``years`` years; return it."""
    folder = Path(folder)
    target = Deployment(folder)
    target.schemes.mkdir(parents=True, exist_ok=True)
    names = _names()
    cog = territories.load_cog(territories.ensure_territory_package())
    communes = cog["communes"]
    partners = []
    for dep in deps:
        mine = communes[(communes["departement_code"] == dep)
                        & (communes["commune_type"] == "commune")]  # fmt: skip
        epci = sorted(mine["epci_siren"].dropna())[0]
        scheme = scheme_for(dep, names[dep], years, epci)
        (target.schemes / f"{scheme['id']}.yaml").write_text(
            yaml.safe_dump(scheme, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        partners += partners_for(dep, names[dep])
    target.partners.write_text(
        yaml.safe_dump({"partners": partners}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    target.measures.write_text(Deployment(SOURCES_DIR).measures.read_text(encoding="utf-8"),
                               encoding="utf-8")  # fmt: skip
    chosen = communes[communes["departement_code"].isin(deps)
                      & (communes["commune_type"] == "commune")
                      & communes["population"].notna()]  # fmt: skip
    population = territories.estimate_child_population(
        chosen, list(range(START - 1, START + years))
    )
    with target.population.open("w", encoding="utf-8", newline="") as out:
        out.write("code_commune;annee;tranche_age;enfants\n")
        for row in population.itertuples(index=False):
            out.write(f"{row.commune_code};{row.year};{row.age_band};{row.children}\n")
    return target


def partner_files(folder: Path, deps: list[str], years: int) -> list[DemoFile]:
    """Every file the partners of the deployment at ``folder`` owe, as they send them."""
    _measures, partners, schemes = load_deployment(Deployment(Path(folder)))
    specs = [spec_for(dep, i, years) for i, dep in enumerate(deps)]
    return generate_files(specs, partners, schemes)
