"""Deterministic demo partner submissions, written as partners' software really writes them.

The demo's shape (scheme, partners, rates, the faulty and the revised file) is data in
``sources/demo/*.yaml``; this module only turns it into CSV files in ``inbox/<partner>/``.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from orchestration import territories
from orchestration.settings import SOURCES_DIR

DEMO_SPEC = SOURCES_DIR / "demo" / "landes-2016-2018.yaml"
_NBSP = "\u00a0"


@dataclass(frozen=True)
class Dialect:
    """How one partner's software writes CSV."""

    delimiter: str = ";"
    encoding: str = "utf-8-sig"
    decimal_comma: bool = True
    thousands_space: bool = False
    header_style: str = "plain"  # plain: code_commune; spaced: "Code commune"; upper


DIALECTS = {
    # A CAF statistician's Excel export: ; + UTF-8 with BOM, decimal commas, spaced headers.
    "caf": Dialect(header_style="spaced", thousands_space=True),
    # A Conseil départemental's older tool: Windows-1252 with accents in headers.
    "pmi": Dialect(encoding="cp1252", header_style="accented"),
    # The Éducation nationale: comma-separated UTF-8, upper-case headers.
    "school": Dialect(delimiter=",", encoding="utf-8", decimal_comma=False, header_style="upper"),
    # Others: tab-separated text.
    "other": Dialect(delimiter="\t", encoding="utf-8", header_style="plain"),
}
_ACCENTED = {
    "periode": "Période",
    "code_commune": "Code commune",
    "type_structure": "Type structure",
}


def _header(name: str, style: str) -> str:
    if style == "upper":
        return name.upper()
    if style == "spaced":
        return name.replace("_", " ").capitalize()
    if style == "accented":
        return _ACCENTED.get(name, name.replace("_", " ").capitalize())
    return name


def _number(value: float, dialect: Dialect, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}" if dialect.thousands_space else f"{value:.{decimals}f}"
    text = text.replace(",", _NBSP)
    return text.replace(".", ",") if dialect.decimal_comma else text


def render_csv(columns: list[str], rows: list[list[str]], dialect: Dialect) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    writer.writerow([_header(c, dialect.header_style) for c in columns])
    writer.writerows(rows)
    return buffer.getvalue().encode(dialect.encoding)


@dataclass
class DemoFile:
    partner: str
    name: str
    data: bytes


def generate_demo(spec_path: Path = DEMO_SPEC, cog: dict | None = None) -> list[DemoFile]:
    """All demo files, in the order partners send them. Same spec, same bytes."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    cog = cog or territories.load_cog(territories.ensure_territory_package())
    rng = random.Random(spec["seed"])
    communes = cog["communes"]
    communes = communes[
        (communes["departement_code"] == spec["departement"])
        & (communes["commune_type"] == "commune")
        & communes["population"].notna()
    ].sort_values("commune_code")
    years = spec["years"]
    files = []
    structures = _childcare_structures(communes, spec, rng)
    files += _placements_files(structures, communes, spec, rng)
    files += _attendance_files(structures, spec, rng)
    files += _beneficiary_files(communes, spec, rng)
    faulty = spec.get("faulty_file")
    if faulty:
        files = [_spoil(f, rng) if _is(f, faulty, years) else f for f in files]
    return files


def _is(file: DemoFile, which: dict, years) -> bool:
    return file.partner == which["partner"] and str(which["year"]) in file.name


def write_demo_inbox(home: Path, spec_path: Path = DEMO_SPEC) -> list[Path]:
    """Put the demo files in ``inbox/<partner>/`` (files already received are deduplicated)."""
    written = []
    for demo in generate_demo(spec_path):
        path = home / "inbox" / demo.partner / demo.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(demo.data)
        written.append(path)
    return written


def _childcare_structures(communes: pd.DataFrame, spec: dict, rng: random.Random) -> list[dict]:
    """Collective structures (EAJE, micro-crèches, relais, leisure centres) opened over time."""
    first_year = spec["years"][0]
    out = []
    for row in communes.itertuples():
        pop = int(row.population)
        under3 = pop * territories.AGE_BAND_SHARES["enfants_moins_3_ans"]
        if pop >= 2500:
            out.append(_structure("EAJE_COLLECTIF", row, rng.randint(30, 80), first_year))
            if pop >= 15000:
                out.append(_structure("EAJE_FAMILIAL", row, rng.randint(15, 40), first_year, 2))
        elif pop >= 1200 and rng.random() < 0.5:
            out.append(_structure("MICRO_CRECHE", row, 10, first_year))
        if pop >= 1000:
            places = max(12, round(pop * territories.AGE_BAND_SHARES["enfants_6_11_ans"] * 0.15))
            out.append(_structure("ALSH", row, places, first_year))
        if under3 >= 1 and pop >= 4000:
            out.append(_structure("RPE", row, 0, first_year))
    # Each later year, micro-crèches open in the communes with the fewest places per child.
    candidates = [r for r in communes.itertuples() if 800 <= int(r.population) < 2500]
    candidates.sort(key=lambda r: (-int(r.population), r.commune_code))
    per_year = spec["childcare"]["yearly_new_micro_creches"]
    for i, year in enumerate(spec["years"][1:]):
        for row in candidates[i * per_year : (i + 1) * per_year]:
            out.append(_structure("MICRO_CRECHE", row, 10, year, 9))
    return out


def _structure(kind: str, commune, places: int, opened: int, number: int = 1) -> dict:
    prefix = {"EAJE_COLLECTIF": "EAJE", "EAJE_FAMILIAL": "CRF", "MICRO_CRECHE": "MC"}
    code = f"{prefix.get(kind, kind)}-{commune.commune_code}-{number:02d}"
    return {
        "code": code,
        "type": kind,
        "commune": commune.commune_code,
        "places": places,
        "opened": opened,
    }


PLACEMENT_COLUMNS = [
    "periode",
    "code_structure",
    "type_structure",
    "code_commune",
    "places",
    "enfants_accueillis",
    "dont_enfants_handicap",
    "dont_familles_modestes",
    "horaires_atypiques",
]


def _placements_files(structures, communes, spec, rng) -> list[DemoFile]:
    roles = spec["childcare"]
    low, high = roles["childminder_rate"]
    am_rate = {c: rng.uniform(low, high) for c in communes["commune_code"]}
    revised = spec.get("revised_file")
    files = []
    for year in spec["years"]:
        growth = 1 + 0.02 * (year - spec["years"][0])
        caf_rows = []
        for s in structures:
            if s["opened"] > year:
                continue
            places = (
                s["places"] if s["type"] in {"MICRO_CRECHE", "RPE"} else round(s["places"] * growth)
            )
            enrolled = 0 if s["type"] == "RPE" else round(places * rng.uniform(1.1, 1.5))
            caf_rows.append(
                [
                    str(year),
                    s["code"],
                    s["type"],
                    s["commune"],
                    str(places),
                    str(enrolled),
                    str(round(enrolled * rng.uniform(0.0, 0.04))),
                    str(round(enrolled * rng.uniform(0.08, 0.3))),
                    "oui" if rng.random() < 0.12 else "non",
                ]
            )
        dialect = DIALECTS["caf"]
        name = f"places_{year}.csv"
        files.append(DemoFile(roles["caf"], name, render_csv(PLACEMENT_COLUMNS, caf_rows, dialect)))
        if revised and revised["partner"] == roles["caf"] and revised["year"] == year:
            # The corrected version: a forgotten crèche is added at the first commune.
            fixed = [
                *caf_rows,
                [
                    str(year),
                    "EAJE-RECTIF-01",
                    "EAJE_COLLECTIF",
                    caf_rows[0][3],
                    "24",
                    "30",
                    "0",
                    "6",
                    "non",
                ],
            ]
            files.append(
                DemoFile(
                    roles["caf"],
                    f"places_{year}_rectificatif.csv",
                    render_csv(PLACEMENT_COLUMNS, fixed, dialect),
                )
            )

        pmi_rows, school_rows = [], []
        for c in communes.itertuples():
            pop = int(c.population)
            under3 = pop * territories.AGE_BAND_SHARES["enfants_moins_3_ans"]
            two = pop * territories.AGE_BAND_SHARES["enfants_2_ans"]
            am_places = round(under3 * am_rate[c.commune_code] * growth)
            if am_places > 0:
                pmi_rows.append(
                    [
                        str(year),
                        f"AM-{c.commune_code}",
                        "ASSISTANT_MATERNEL",
                        c.commune_code,
                        str(am_places),
                        str(round(am_places * 1.2)),
                        "",
                        "",
                        "non",
                    ]
                )
            scolarises = round(two * rng.uniform(0.09, 0.24) * growth)
            if pop >= 800 and scolarises > 0:
                school_rows.append(
                    [
                        str(year),
                        f"ECOLE-{c.commune_code}",
                        "PRESCOLARISATION",
                        c.commune_code,
                        str(scolarises),
                        str(scolarises),
                        "",
                        "",
                        "",
                    ]
                )
        files.append(
            DemoFile(
                roles["pmi"],
                f"assistants_maternels_{year}.csv",
                render_csv(PLACEMENT_COLUMNS, pmi_rows, DIALECTS["pmi"]),
            )
        )
        files.append(
            DemoFile(
                roles["school"],
                f"scolarisation_2ans_{year}.csv",
                render_csv(PLACEMENT_COLUMNS, school_rows, DIALECTS["school"]),
            )
        )
    return files


ATTENDANCE_COLUMNS = [
    "periode",
    "code_structure",
    "heures_theoriques",
    "heures_realisees",
    "heures_facturees",
    "jours_ouverture",
]


def _attendance_files(structures, spec, rng) -> list[DemoFile]:
    caf = spec["childcare"]["caf"]
    dialect = DIALECTS["caf"]
    files = []
    eaje = {"EAJE_COLLECTIF", "EAJE_FAMILIAL", "MICRO_CRECHE"}
    for year in spec["years"]:
        growth = 1 + 0.02 * (year - spec["years"][0])
        for quarter in range(1, 5):
            rows = []
            for s in structures:
                if s["type"] not in eaje or s["opened"] > year:
                    continue
                places = s["places"] if s["type"] == "MICRO_CRECHE" else round(s["places"] * growth)
                days = rng.randint(58, 64)
                theoretical = places * 11 * days
                attended = theoretical * rng.uniform(0.62, 0.82)
                billed = attended * rng.uniform(1.02, 1.14)
                rows.append(
                    [
                        f"{year}-T{quarter}",
                        s["code"],
                        _number(theoretical, dialect),
                        _number(attended, dialect, 1),
                        _number(billed, dialect, 1),
                        str(days),
                    ]
                )
            files.append(
                DemoFile(
                    caf,
                    f"heures_{year}_T{quarter}.csv",
                    render_csv(ATTENDANCE_COLUMNS, rows, dialect),
                )
            )
    return files


BENEFICIARY_COLUMNS = [
    "periode",
    "code_action",
    "code_territoire",
    "public",
    "nombre",
    "dont_familles_modestes",
]


def _beneficiary_files(communes, spec, rng) -> list[DemoFile]:
    children = communes.groupby("epci_siren")["population"].sum() * (
        territories.AGE_BAND_SHARES["enfants_moins_3_ans"]
        + territories.AGE_BAND_SHARES["enfants_3_5_ans"]
        + territories.AGE_BAND_SHARES["enfants_6_11_ans"]
        + territories.AGE_BAND_SHARES["jeunes_12_17_ans"]
    )
    files = []
    for partner, lines in spec["beneficiaries"].items():
        dialect = DIALECTS["caf"] if partner == spec["childcare"]["caf"] else DIALECTS["other"]
        for year in spec["years"]:
            rows = []
            for action, public, (low, high) in lines:
                for epci, kids in sorted(children.items()):
                    count = round(kids / 1000 * rng.uniform(low, high))
                    rows.append(
                        [
                            str(year),
                            action,
                            epci,
                            public,
                            str(count),
                            str(round(count * rng.uniform(0.2, 0.45))),
                        ]
                    )
            files.append(
                DemoFile(
                    partner,
                    f"beneficiaires_{year}.csv",
                    render_csv(BENEFICIARY_COLUMNS, rows, dialect),
                )
            )
    return files


def _spoil(file: DemoFile, rng: random.Random) -> DemoFile:
    """The partner's mistake: on the third data line, the "dont" exceeds the total."""
    text = file.data.decode("utf-8-sig")
    lines = text.split("\r\n")
    cells = lines[3].split("\t")
    cells[-1] = str(int(cells[-2]) + 7)
    lines[3] = "\t".join(cells)
    return DemoFile(file.partner, file.name, "\r\n".join(lines).encode("utf-8"))
