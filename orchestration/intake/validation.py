"""Validate a partner file against its pandera contract and say, in French, what is wrong.

The route: bytes -> text cells (reading.py) -> headers matched to the contract -> cells read as
numbers, periods, yes/no -> the pandera contract (types, ranges, enumerations, "dont" within
total, unique key) -> checks against the references (territories, scheme actions, dates). Every
problem becomes an ``Issue`` carrying the spreadsheet line, the French column, the value and
the rule; nothing is raised at the partner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from models import CONTRACTS
from models.common import columns_of, normalise_header
from orchestration.intake.periods import parse_period
from orchestration.intake.reading import UnreadableFile, read_table
from orchestration.intake.receipt import Issue, Receipt

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Headers that reveal personal data. We take aggregates only, so such a file is refused whole.
_PERSONAL = re.compile(
    r"(^|_)(nom|noms|prenom|prenoms|nir|nss|secu|securite_sociale|naissance|date_de_naissance|"
    r"ddn|adresse|telephone|tel|portable|mail|email|e_mail|courriel)(_|$)"
)
_NOT_PERSONAL = re.compile(r"structure|commune|epci|action|territoire|equipement|gestionnaire")
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_FORMULA_START = ("=", "+", "-", "@")
_YES = {"oui", "o", "yes", "y", "1", "vrai", "true", "x"}
_NO = {"non", "n", "no", "0", "faux", "false", ""}

_CHECK_MESSAGES = {
    "greater_than_or_equal_to": "La valeur doit être positive ou nulle.",
    "whole_number": "Un nombre entier est attendu (pas de décimales pour un effectif).",
    "not_nullable": "Cette cellule est obligatoire et elle est vide.",
    "str_matches": "Le format n'est pas celui attendu.",
    "isin": "Cette valeur n'est pas dans la liste des valeurs possibles.",
    "multiple_fields_uniqueness": "Ligne en double : la même clé apparaît plusieurs fois.",
}
_CHECK_RULES = {
    "greater_than_or_equal_to": "non_negative",
    "whole_number": "whole_number",
    "not_nullable": "required_value",
    "str_matches": "format",
    "isin": "allowed_values",
    "multiple_fields_uniqueness": "duplicate_key",
}


@dataclass
class ReferenceData:
    """What a file is checked against beyond its own contents. ``None`` skips that check."""

    commune_codes: frozenset[str] | None = None
    epci_codes: frozenset[str] | None = None
    action_codes: frozenset[str] | None = None
    known_structures: frozenset[str] | None = None
    years: tuple[int, int] | None = None  # inclusive range of years the schemes cover
    today: date = field(default_factory=date.today)
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass
class Validated:
    """A receipt and, when accepted, the rows ready to load (English columns, typed)."""

    receipt: Receipt
    frame: pd.DataFrame | None


def validate_bytes(
    data: bytes,
    kind: str,
    *,
    reference: ReferenceData | None = None,
    file_name: str | None = None,
) -> Validated:
    """Validate the content of one file of ``kind``; never raises for bad content."""
    reference = reference or ReferenceData()
    receipt = Receipt(kind=kind, file_name=file_name)
    if len(data) > reference.max_bytes:
        receipt.errors.append(
            Issue(
                rule="file_too_large",
                message=f"Le fichier pèse {len(data) / 1e6:.1f} Mo, au-delà de la limite de "
                f"{reference.max_bytes / 1e6:.1f} Mo. Découpez-le par période.",
            )
        )
        return Validated(receipt, None)
    try:
        table = read_table(data)
    except UnreadableFile as exc:
        receipt.errors.append(exc.issue)
        return Validated(receipt, None)
    receipt.rows = len(table.cells)
    return _validate_table(table, kind, reference, receipt)


def _validate_table(table, kind, reference, receipt) -> Validated:
    contract = CONTRACTS[kind]
    spec = columns_of(contract)
    mapping = _match_headers(table.header, kind, spec, receipt)
    if receipt.errors:
        return Validated(receipt, None)

    lines = table.lines.to_numpy()
    frame = pd.DataFrame(index=table.cells.index)
    bad_cells: set[tuple[int, str]] = set()
    for name, meta in spec.items():
        fr = meta["fr"]
        position = mapping.get(name)
        if position is None:
            frame[name] = np.nan if meta["kind"] in {"count", "decimal"} else None
            continue
        raw = table.cells[position].astype(str).str.strip()
        _flag_formulas(raw, fr, lines, receipt, bad_cells, name)
        frame[name] = _read_cells(raw, meta, fr, lines, receipt, bad_cells, name)

    _run_contract(contract, frame, spec, lines, receipt, bad_cells)
    _check_references(frame, kind, spec, lines, reference, receipt, bad_cells)
    if receipt.errors:
        return Validated(receipt, None)

    frame.insert(0, "line", lines)
    periods = frame["period"].map(parse_period)
    frame["period"] = [p.code for p in periods]
    frame["period_type"] = [p.period_type for p in periods]
    frame["period_year"] = [p.year for p in periods]
    frame["period_start"] = [p.start for p in periods]
    frame["period_end"] = [p.end for p in periods]
    receipt.periods = sorted(set(frame["period"]))
    return Validated(receipt, frame)


def _match_headers(header, kind, spec, receipt) -> dict[str, int]:
    """Map contract columns to file positions; refuse personal data and the wrong kind."""
    wanted = {}
    for name, meta in spec.items():
        wanted[normalise_header(meta["fr"])] = name
        wanted[normalise_header(name)] = name
    mapping: dict[str, int] = {}
    for position, title in enumerate(header):
        key = normalise_header(title)
        if not key:
            continue
        if key in wanted and wanted[key] not in mapping:
            mapping[wanted[key]] = position
        elif _PERSONAL.search(key) and not _NOT_PERSONAL.search(key):
            receipt.errors.append(
                Issue(
                    rule="personal_data",
                    line=1,
                    column=title,
                    message="Cette colonne semble contenir des données personnelles (nom, "
                    "numéro de sécurité sociale, date de naissance, coordonnées…). Seuls des "
                    "chiffres agrégés sont acceptés : supprimez cette colonne et renvoyez le "
                    "fichier.",
                )
            )
        else:
            receipt.warnings.append(
                Issue(
                    rule="unknown_column",
                    line=1,
                    column=title,
                    message="Colonne inconnue pour ce type de fichier : elle est ignorée.",
                )
            )
    missing = [spec[name]["fr"] for name in spec if spec[name]["required"] and name not in mapping]
    if missing:
        hint = _looks_like(header, kind)
        message = "Colonne(s) obligatoire(s) absente(s) : " + ", ".join(missing) + "."
        if hint:
            message += f" Ce fichier ressemble à un fichier de type « {hint} » : vérifiez le type."
        receipt.errors.append(Issue(rule="missing_columns", line=1, message=message))
    return mapping


def _looks_like(header, kind) -> str | None:
    keys = {normalise_header(h) for h in header}
    best, best_score = None, 0.0
    for other, contract in CONTRACTS.items():
        if other == kind:
            continue
        required = [
            normalise_header(m["fr"]) for m in columns_of(contract).values() if m["required"]
        ]
        score = sum(k in keys for k in required) / len(required)
        if score > best_score:
            best, best_score = other, score
    return best if best_score == 1.0 else None


def _flag_formulas(raw, fr, lines, receipt, bad_cells, name) -> None:
    starts = raw.str[:1].isin(_FORMULA_START)
    if not starts.any():
        return
    numeric = raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.match(_NUMBER)
    for idx in raw.index[starts & ~numeric]:
        bad_cells.add((idx, name))
        receipt.errors.append(
            Issue(
                rule="formula_injection",
                line=int(lines[idx]),
                column=fr,
                value=raw[idx],
                message="La cellule commence par =, +, - ou @ sans être un nombre : elle pourrait "
                "être interprétée comme une formule. Saisissez la valeur elle-même.",
            )
        )


def _read_cells(raw, meta, fr, lines, receipt, bad_cells, name) -> pd.Series:
    """Read text cells as the contract column's kind, recording cells that cannot be read."""
    kind = meta["kind"]
    empty = raw.eq("") | raw.str.lower().isin({"nan", "null", "na", "n/a"})
    if kind in {"count", "decimal"}:
        cleaned = raw.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace(",", ".")
        values = pd.to_numeric(cleaned.where(~empty), errors="coerce")
        unreadable = values.isna() & ~empty
        for idx in raw.index[unreadable]:
            if (idx, name) in bad_cells:
                continue
            bad_cells.add((idx, name))
            receipt.errors.append(
                Issue(
                    rule="number_format",
                    line=int(lines[idx]),
                    column=fr,
                    value=raw[idx],
                    message="Un nombre est attendu (chiffres uniquement, virgule décimale "
                    "acceptée).",
                )
            )
        return values.astype("float64")
    if kind == "yes_no":
        lowered = raw.str.lower()
        out = pd.Series(None, index=raw.index, dtype=object)
        out[lowered.isin(_YES)] = "oui"
        out[lowered.isin(_NO - {""})] = "non"
        other = ~lowered.isin(_YES | _NO)
        out[other] = raw[other]  # left for the contract's oui/non check to report
        return out
    if name == "commune_code":
        padded = raw.str.fullmatch(r"\d{4}")
        for idx in raw.index[padded]:
            receipt.warnings.append(
                Issue(
                    rule="commune_code_padded",
                    line=int(lines[idx]),
                    column=fr,
                    value=raw[idx],
                    message=f"Code commune à 4 chiffres complété en « 0{raw[idx]} » (le zéro "
                    "initial a sans doute été supprimé par le tableur).",
                )
            )
        raw = raw.where(~padded, "0" + raw)
    if name == "territory_code":
        raw = raw.where(~raw.str.fullmatch(r"\d{4}"), "0" + raw)
    return raw.where(~empty, None).astype(object)


def _run_contract(contract, frame, spec, lines, receipt, bad_cells) -> None:
    try:
        contract.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        check = str(case.check)
        index = case.index
        if index is None or (isinstance(index, float) and np.isnan(index)):
            continue  # schema-level failures are reported from the cells
        index = int(index)
        if check.startswith("within_total:"):
            _, part, total = check.split(":")
            key = (index, check)
            if key in seen:
                continue
            seen.add(key)
            receipt.errors.append(
                Issue(
                    rule="within_total",
                    line=int(lines[index]),
                    column=spec[part]["fr"],
                    value=_show(frame.at[index, part]),
                    message=f"« {spec[part]['fr']} » ({_show(frame.at[index, part])}) dépasse "
                    f"« {spec[total]['fr']} » ({_show(frame.at[index, total])}).",
                )
            )
            continue
        name = str(case.column)
        if (index, name) in bad_cells:
            continue
        base = check.split("(", 1)[0]
        if base == "multiple_fields_uniqueness":
            key = (index, base)
            if key in seen:
                continue
            seen.add(key)
            key_cols = ", ".join(spec[c]["fr"] for c in contract.Config.unique)
            receipt.errors.append(
                Issue(
                    rule="duplicate_key",
                    line=int(lines[index]),
                    column=key_cols,
                    value=" / ".join(_show(frame.at[index, c]) for c in contract.Config.unique),
                    message="Ligne en double : une autre ligne porte la même clé ("
                    + key_cols
                    + ").",
                )
            )
            continue
        message = _CHECK_MESSAGES.get(base, f"Règle non respectée : {check}.")
        rule_text = spec.get(name, {}).get("rule")
        if base in {"isin", "str_matches"} and rule_text:
            message += f" Attendu : {rule_text}."
        bad_cells.add((index, name))
        receipt.errors.append(
            Issue(
                rule=_CHECK_RULES.get(base, base),
                line=int(lines[index]),
                column=spec.get(name, {}).get("fr", name),
                value=_show(case.failure_case),
                message=message,
            )
        )
    receipt.errors.sort(key=lambda i: (i.line or 0, i.column or ""))


def _check_references(frame, kind, spec, lines, reference, receipt, bad_cells) -> None:
    """Checks against the territory reference, the schemes and the calendar."""

    def flag(mask, name, rule, message):
        for idx in frame.index[mask]:
            if (idx, name) in bad_cells:
                continue
            bad_cells.add((idx, name))
            receipt.errors.append(
                Issue(
                    rule=rule,
                    line=int(lines[idx]),
                    column=spec[name]["fr"],
                    value=_show(frame.at[idx, name]),
                    message=message,
                )
            )

    periods = frame["period"].map(lambda v: parse_period(v) if isinstance(v, str) else None)
    future = periods.map(lambda p: p is not None and p.start > reference.today)
    flag(future, "period", "period_in_future", "Cette période n'a pas encore commencé.")
    if reference.years:
        first, last = reference.years
        outside = periods.map(lambda p: p is not None and not first <= p.year <= last)
        flag(
            outside,
            "period",
            "period_outside_scheme",
            f"Période hors du schéma : seules les années {first} à {last} sont suivies.",
        )
    if "commune_code" in frame and reference.commune_codes is not None:
        codes = frame["commune_code"]
        unknown = codes.notna() & ~codes.isin(reference.commune_codes)
        flag(
            unknown,
            "commune_code",
            "unknown_commune",
            "Code commune inconnu du code officiel géographique.",
        )
    if "territory_code" in frame and reference.commune_codes is not None:
        codes = frame["territory_code"]
        known = set(reference.commune_codes) | set(reference.epci_codes or ())
        flag(
            codes.notna() & ~codes.isin(known),
            "territory_code",
            "unknown_territory",
            "Code inconnu : ni une commune (code INSEE) ni un EPCI (SIREN) du référentiel.",
        )
    if "action_code" in frame and reference.action_codes is not None:
        codes = frame["action_code"]
        flag(
            codes.notna() & ~codes.isin(reference.action_codes),
            "action_code",
            "unknown_action",
            "Code action inconnu : ce n'est pas une action des schémas suivis.",
        )
    if kind == "attendance" and reference.known_structures is not None:
        codes = frame["structure_code"]
        flag(
            codes.notna() & ~codes.isin(reference.known_structures),
            "structure_code",
            "unknown_structure",
            "Structure inconnue : elle doit d'abord figurer dans un fichier de places "
            "(placements) envoyé par votre organisme.",
        )
    receipt.errors.sort(key=lambda i: (i.line or 0, i.column or ""))


def _show(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
