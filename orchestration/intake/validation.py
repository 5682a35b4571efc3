"""Validate a partner file against its pandera contract and say, in French, what is wrong.

The route: bytes -> columns of text cells (reading.py) -> headers matched to the contract ->
cells read as numbers, periods, yes/no -> the pandera contract (types, ranges, enumerations,
"dont" within total, unique key) -> checks against the references (territories, scheme actions,
dates). Every problem becomes an ``Issue`` carrying the spreadsheet line, the French column, the
value and the rule; nothing is raised at the partner.

A file can hold a million rows but a column rarely holds more than a few hundred distinct
values, so every per-cell rule, and every element-wise check of the contract, runs once per
distinct value (``_Column``); rows are only touched to build the table and to list the issues
of the cells that fail. pandera runs the contract in three parts that together make up all of
it: each column's schema on that column's distinct values, the dataframe-wide checks on the
whole typed table, and the unique key on per-value codes (equal codes if and only if equal
values).
"""

from __future__ import annotations

import copy
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from models import CONTRACTS
from models.common import columns_of, normalise_header
from orchestration.calendar import parse_date, parse_period
from orchestration.intake.action_reports import ActionReference, check_action_reports
from orchestration.intake.reading import (
    DistinctCells,
    UnreadableFile,
    read_table,
    short_lived_arrays,
)
from orchestration.intake.receipt import Issue, Receipt

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Headers that reveal personal data. We take aggregates only, so such a file is refused whole.
_PERSONAL = re.compile(
    r"(^|_)(nom|noms|prenom|prenoms|nir|nss|secu|securite_sociale|naissance|date_de_naissance|"
    r"ddn|adresse|telephone|tel|portable|mail|email|e_mail|courriel|matricule|allocataire|"
    r"numero_allocataire)(_|$)"
)
# ...unless the name, address or contact is that of a place or body ("nom de la structure"),
# not of a person ("nom du directeur de la structure" stays personal).
_NOT_PERSONAL = re.compile(
    r"(^|_)(nom|noms|adresse|mail|email|e_mail|courriel|telephone|tel)_(de_la_|de_l_|du_|de_|des_|d_)?"
    r"(structure|commune|epci|action|territoire|equipement|gestionnaire|etablissement)s?(_|$)"
)
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_FORMULA_START = ("=", "+", "-", "@")
_FORMULA_BYTES = np.array([ord(c) for c in _FORMULA_START], dtype=np.uint8)
_SPACES = r"[\s\u00a0\u202f]"
_EMPTY_WORDS = {"nan", "null", "na", "n/a"}
_EMPTY_MAX_BYTES = max(len(w) for w in _EMPTY_WORDS)  # longer values cannot be "empty"
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
# Column checks whose verdict on a cell depends on that cell alone, so judging each distinct
# value once judges every row. ``whole_number`` is the contracts' own (models/common.py).
_ELEMENT_WISE = {
    "equal_to",
    "not_equal_to",
    "greater_than",
    "greater_than_or_equal_to",
    "less_than",
    "less_than_or_equal_to",
    "in_range",
    "isin",
    "notin",
    "str_matches",
    "str_contains",
    "str_startswith",
    "str_endswith",
    "str_length",
    "whole_number",
}
# The order pandera runs a column's checks in; the first failure is the one reported.
_CORE_CHECK_ORDER = {"not_nullable": 0, "field_uniqueness": 1, "dtype": 2}


@dataclass
class ReferenceData:
    """What a file is checked against beyond its own contents. ``None`` skips that check."""

    commune_codes: frozenset[str] | None = None
    epci_codes: frozenset[str] | None = None
    action_codes: frozenset[str] | None = None
    known_structures: frozenset[str] | None = None
    # Action reports: each action's scheme, who may report on it and its milestones.
    actions: dict[str, ActionReference] | None = None
    partner: str | None = None  # who sends the file, when known (action reports name who may)
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
    with short_lived_arrays():
        try:
            table = read_table(data)
        except UnreadableFile as exc:
            receipt.errors.append(exc.issue)
            return Validated(receipt, None)
        receipt.rows = table.rows
        return _validate_table(table, kind, reference, receipt)


class _Column:
    """One contract column of a file: its distinct values, read once, and each row's code.

    ``raw`` holds the stripped texts, ``values`` what they read as (the typed table's cells),
    ``bad`` the values already reported, so that a cell gets one error at most.
    """

    def __init__(self, name: str, meta: dict, cells: DistinctCells, lines: np.ndarray):
        self.name, self.meta, self.fr = name, meta, meta["fr"]
        self.codes = cells.codes
        self.raw = cells.values
        self.sizes, self.heads = cells.sizes, cells.heads
        self.values: np.ndarray = cells.values
        self.bad = np.zeros(len(cells.values), dtype=bool)
        self.bad_rows: set[int] = set()  # cells reported by a row-level (dataframe) check
        self.lines = lines
        self.one_to_one = False  # whether distinct texts still read as distinct values

    @classmethod
    def absent(cls, name: str, meta: dict, lines: np.ndarray) -> _Column:
        """An optional column the file does not have: empty in every row."""
        missing = np.nan if meta["kind"] in {"count", "decimal"} else None
        cells = DistinctCells(
            codes=np.zeros(len(lines), dtype=np.int64),
            values=np.array([""], dtype=object),
            sizes=np.zeros(1, dtype=np.int64),
            heads=np.zeros(1, dtype=np.uint8),
        )
        column = cls(name, meta, cells, lines)
        column.values = np.array([missing], dtype=float if missing is not None else object)
        column.one_to_one = True
        return column

    def rows_where(self, mask: np.ndarray) -> np.ndarray:
        """Rows whose value is flagged in ``mask`` (one flag per distinct value), in order."""
        if not mask.any():
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(mask.take(self.codes))

    def report(self, mask, receipt, rule: str, message: str, *, typed: bool = True) -> None:
        """An error for every cell whose value is in ``mask`` and not reported yet.

        The error shows the value as read (``typed``) or the text as written.
        """
        mask = np.asarray(mask, dtype=bool)
        fresh = mask & ~self.bad
        self.bad |= mask
        rows = self.rows_where(fresh)
        if self.bad_rows:
            rows = rows[[r not in self.bad_rows for r in rows.tolist()]]
        shown = {
            code: _show(self.values[code]) if typed else self.raw[code]
            for code in np.flatnonzero(fresh).tolist()
        }
        receipt.errors.extend(
            Issue(rule=rule, line=line, column=self.fr, value=shown[code], message=message)
            for line, code in zip(
                self.lines.take(rows).tolist(), self.codes.take(rows).tolist(), strict=True
            )
        )

    def row_values(self) -> np.ndarray:
        return self.values.take(self.codes)

    def key_codes(self) -> np.ndarray:
        """Per row, a code equal for two rows exactly when their values are equal.

        Periods compare by what they mean: 2017-03 and 03/2017 are the same key.
        """
        values = self.values
        if self.meta["kind"] == "period":
            canonical = [parse_period(v) if isinstance(v, str) else None for v in values]
            values = np.array(
                [p.code if p else v for p, v in zip(canonical, values, strict=True)], dtype=object
            )
        elif self.one_to_one:
            return self.codes
        codes, _ = pd.factorize(pd.Series(values), use_na_sentinel=False)
        return codes.take(self.codes)

    def expand(self) -> None:
        """Treat every row as its own value (for checks that look at more than one cell)."""
        for attr in ("raw", "values", "bad", "sizes", "heads"):
            setattr(self, attr, getattr(self, attr).take(self.codes))
        self.codes = np.arange(len(self.codes))


def _validate_table(table, kind, reference, receipt) -> Validated:
    contract = CONTRACTS[kind]
    spec = columns_of(contract)
    mapping = _match_headers(table.header, kind, spec, receipt)
    if receipt.errors:
        return Validated(receipt, None)

    lines = table.lines.to_numpy()
    cells = dict(zip(mapping, table.distinct_many(list(mapping.values())), strict=True))
    columns: dict[str, _Column] = {}
    for name, meta in spec.items():
        if name not in cells:
            columns[name] = _Column.absent(name, meta, lines)
            continue
        column = _Column(name, meta, cells[name], lines)
        _flag_formulas(column, receipt)
        _read_cells(column, receipt)
        columns[name] = column

    frame = pd.DataFrame(
        {name: column.row_values() for name, column in columns.items()}, copy=False
    )
    _run_contract(contract, frame, columns, spec, receipt)
    _check_references(columns, kind, reference, receipt)
    if kind == "attendance" and not receipt.errors:
        _warn_implausible_hours(columns, receipt)
    if receipt.errors:
        return Validated(receipt, None)

    frame.insert(0, "line", lines)
    period = columns["period"]
    periods = [parse_period(v) for v in period.values]
    for out, attr, dtype in (
        ("period", "code", object),
        ("period_type", "period_type", object),
        ("period_year", "year", np.int64),
        ("period_start", "start", object),
        ("period_end", "end", object),
    ):
        frame[out] = np.array([getattr(p, attr) for p in periods], dtype=dtype).take(period.codes)
    receipt.periods = sorted({p.code for p in periods})
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


def _flag_formulas(column: _Column, receipt) -> None:
    starts = np.isin(column.heads, _FORMULA_BYTES)
    if not starts.any():
        return
    candidates = pd.Series(column.raw[starts])
    numeric = candidates.str.replace(_SPACES, "", regex=True).str.match(_NUMBER)
    flagged = np.zeros(len(column.raw), dtype=bool)
    flagged[np.flatnonzero(starts)[~numeric.to_numpy(dtype=bool)]] = True
    column.report(
        flagged,
        receipt,
        "formula_injection",
        "La cellule commence par =, +, - ou @ sans être un nombre : elle pourrait "
        "être interprétée comme une formule. Saisissez la valeur elle-même.",
        typed=False,
    )


def _read_cells(column: _Column, receipt) -> None:
    """Read the distinct texts as the contract column's kind, reporting those that cannot be."""
    kind, name = column.meta["kind"], column.name
    raw = pd.Series(column.raw, dtype=object)
    empty = np.zeros(len(raw), dtype=bool)
    short = column.sizes <= _EMPTY_MAX_BYTES
    if short.any():
        few = raw[short]
        empty[short] = (few.eq("") | few.str.lower().isin(_EMPTY_WORDS)).to_numpy(dtype=bool)
    if kind in {"count", "decimal"}:
        cleaned = raw.str.replace(_SPACES, "", regex=True).str.replace(",", ".")
        values = pd.to_numeric(cleaned.where(~empty), errors="coerce").astype("float64")
        column.report(
            values.isna().to_numpy() & ~empty,
            receipt,
            "number_format",
            "Un nombre est attendu (chiffres uniquement, virgule décimale acceptée).",
            typed=False,
        )
        column.values = values.to_numpy()
        return
    if kind == "date":
        days = [None if e else parse_date(v) for v, e in zip(column.raw, empty, strict=True)]
        unread = np.array([d is None for d in days]) & ~empty
        column.report(
            unread,
            receipt,
            "date_format",
            "Une date est attendue : JJ/MM/AAAA ou AAAA-MM-JJ (ex. 15/06/2019).",
            typed=False,
        )
        column.values = np.array(
            [
                d.isoformat() if d else (None if e else v)
                for d, v, e in zip(days, column.raw, empty, strict=True)
            ],
            dtype=object,
        )
        return
    if kind == "yes_no":
        lowered = raw.str.lower()
        out = pd.Series(None, index=raw.index, dtype=object)
        out[lowered.isin(_YES)] = "oui"
        out[lowered.isin(_NO - {""})] = "non"
        other = ~lowered.isin(_YES | _NO) & ~empty  # "NA", "n/a"… are empty, as elsewhere
        out[other] = raw[other]  # left for the contract's oui/non check to report
        column.values = out.to_numpy(dtype=object)
        return
    if name in {"commune_code", "territory_code"}:
        padded = raw.str.fullmatch(r"\d{4}").to_numpy(dtype=bool)
        for row in column.rows_where(padded).tolist():
            text = column.raw[column.codes[row]]
            receipt.warnings.append(
                Issue(
                    rule="commune_code_padded",
                    line=int(column.lines[row]),
                    column=column.fr,
                    value=text,
                    message=f"Code commune à 4 chiffres complété en « 0{text} » (le zéro "
                    "initial a sans doute été supprimé par le tableur).",
                )
            )
        raw = raw.where(~padded, "0" + raw)
        column.one_to_one = not padded.any() and empty.sum() <= 1
    else:
        column.one_to_one = empty.sum() <= 1
    column.values = (
        raw.where(~empty, None).to_numpy(dtype=object) if empty.any() else raw.to_numpy()
    )


def _run_contract(contract, frame, columns, spec, receipt) -> None:
    """Run the whole pandera contract: columns on distinct values, the rest on the table."""
    schema = contract.to_schema()
    if schema.parsers or schema.coerce or schema.index is not None or schema.dtype is not None:
        raise NotImplementedError(
            f"{contract.__name__}: intake runs pandera column by column and does not apply "
            "parsers, coercion, index or table-wide dtypes; extend _run_contract first."
        )
    key = list(schema.unique or [])
    # The key's uniqueness (hashing, in C) runs beside the column checks (in Python); issues
    # are then reported in pandera's order: doubles, table-wide checks, columns.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sdsf-key") as pool:
        doubles = None
        if key:
            keys = pd.DataFrame({name: columns[name].key_codes() for name in key})
            unique_only = pa.DataFrameSchema(
                unique=schema.unique, report_duplicates=schema.report_duplicates, name=schema.name
            )
            doubles = pool.submit(_failures, unique_only, keys)
        table_cases = []
        for check in schema.checks:
            # A "within_total:<part>:<total>" check reads those two columns only; pandera
            # looks for all-empty rows over whatever table it is given, so it gets just them.
            used = check.name.split(":")[1:] if check.name.startswith("within_total:") else None
            table_check = pa.DataFrameSchema(checks=[check], name=schema.name)
            table_cases.append(_failures(table_check, frame[used] if used else frame))
        column_cases = []
        for name, column_schema in schema.columns.items():
            column = columns[name]
            if (
                column_schema.unique
                or column_schema.parsers
                or not all(c.element_wise or c.name in _ELEMENT_WISE for c in column_schema.checks)
            ):
                column.expand()
            distinct = pd.DataFrame({name: column.values})
            one_column = pa.DataFrameSchema(
                {name: _known_text(column_schema, column.values)}, name=schema.name
            )
            column_cases.append((column, _failures(one_column, distinct)))
        if doubles is not None:
            _report_duplicates(doubles.result(), columns, spec, key, receipt)
    for cases in table_cases:
        _report_table_checks(cases, frame, columns, spec, receipt)
    for column, cases in column_cases:
        _report_column_checks(cases, column, receipt)
    receipt.errors.sort(key=lambda i: (i.line or 0, i.column or ""))


def _known_text(column_schema: pa.Column, values: np.ndarray) -> pa.Column:
    """The column's schema, without its ``str`` dtype check when every value is text already.

    pandera checks a ``str`` dtype on an object column by calling ``isinstance`` on each value,
    in Python: a million distinct identifiers take most of a second. numpy's own scan (in C)
    answers the same question; when it says every value is a ``str`` (or missing), the dtype
    check cannot fail and is left out. Any other value keeps pandera's check, and its report.
    """
    if column_schema.dtype is None or str(column_schema.dtype) != "str":
        return column_schema
    if pd.api.types.infer_dtype(values, skipna=True) not in {"string", "empty"}:
        return column_schema
    lighter = copy.copy(column_schema)
    lighter.dtype = None
    return lighter


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    try:
        schema.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        # Schema-level failures (no row) are reported from the cells.
        return cases[cases["index"].notna()]
    return None


def _report_duplicates(cases, columns, spec, key, receipt) -> None:
    if cases is None or cases.empty:
        return
    key_cols = ", ".join(spec[c]["fr"] for c in key)
    for row in sorted(set(cases["index"].astype(np.int64).tolist())):
        values = [_show(columns[c].values[columns[c].codes[row]]) for c in key]
        # A double is reported through a key cell that holds a value not already reported.
        if not any(
            value is not None and not _reported(columns[c], row)
            for c, value in zip(key, values, strict=True)
        ):
            continue
        receipt.errors.append(
            Issue(
                rule="duplicate_key",
                line=int(columns[key[0]].lines[row]),
                column=key_cols,
                value=" / ".join(v or "" for v in values),
                message="Ligne en double : une autre ligne porte la même clé (" + key_cols + ").",
            )
        )


def _reported(column: _Column, row: int) -> bool:
    return bool(column.bad[column.codes[row]]) or row in column.bad_rows


def _report_table_checks(cases, frame, columns, spec, receipt) -> None:
    if cases is None or cases.empty:
        return
    lines = next(iter(columns.values())).lines
    seen: set[tuple[int, str]] = set()
    for check, row, name, failure in zip(
        cases["check"].astype(str).tolist(),
        cases["index"].astype(np.int64).tolist(),
        cases["column"].astype(str).tolist(),
        cases["failure_case"].tolist(),
        strict=True,
    ):
        if check.startswith("within_total:"):
            if (row, check) in seen:
                continue
            seen.add((row, check))
            _, part, total = check.split(":")
            shown_part, shown_total = _show(frame.at[row, part]), _show(frame.at[row, total])
            receipt.errors.append(
                Issue(
                    rule="within_total",
                    line=int(lines[row]),
                    column=spec[part]["fr"],
                    value=shown_part,
                    message=f"« {spec[part]['fr']} » ({shown_part}) dépasse "
                    f"« {spec[total]['fr']} » ({shown_total}).",
                )
            )
            continue
        # Any other table-wide check: reported on the cells it names, once per cell.
        column = columns.get(name)
        if column is None or _reported(column, row):
            continue
        column.bad_rows.add(row)
        base = check.split("(", 1)[0]
        receipt.errors.append(
            Issue(
                rule=_CHECK_RULES.get(base, base),
                line=int(lines[row]),
                column=column.fr,
                value=_show(failure),
                message=_CHECK_MESSAGES.get(base, f"Règle non respectée : {check}."),
            )
        )


def _report_column_checks(cases, column: _Column, receipt) -> None:
    if cases is None or cases.empty:
        return
    order = [
        _CORE_CHECK_ORDER.get(str(check).split("(", 1)[0], 3 + (0 if pd.isna(n) else int(n)))
        for check, n in zip(cases["check"].tolist(), cases["check_number"].tolist(), strict=True)
    ]
    cases = cases.assign(_order=order).sort_values(["_order"], kind="stable")
    first = cases.drop_duplicates("index")  # a value is reported for its first failure only
    rule_text = column.meta.get("rule")
    for check, group in first.groupby("check", sort=False):
        base = str(check).split("(", 1)[0]
        message = _CHECK_MESSAGES.get(base, f"Règle non respectée : {check}.")
        if base in {"isin", "str_matches"} and rule_text:
            message += f" Attendu : {rule_text}."
        rule, message = column.meta.get("failures", {}).get(base, (None, message))
        mask = np.zeros(len(column.values), dtype=bool)
        mask[group["index"].astype(np.int64).to_numpy()] = True
        column.report(mask, receipt, rule or _CHECK_RULES.get(base, base), message)


def _check_references(columns, kind, reference, receipt) -> None:
    """Checks against the territory reference, the schemes and the calendar."""

    def flag(name, mask, rule, message):
        columns[name].report(mask, receipt, rule, message)

    def unknown(name, known):
        values = pd.Series(columns[name].values, dtype=object)
        return (values.notna() & ~values.isin(known)).to_numpy()

    period = columns["period"]
    periods = [parse_period(v) if isinstance(v, str) else None for v in period.values]
    future = [p is not None and p.start > reference.today for p in periods]
    flag("period", future, "period_in_future", "Cette période n'a pas encore commencé.")
    if reference.years:
        first, last = reference.years
        flag(
            "period",
            [p is not None and not first <= p.year <= last for p in periods],
            "period_outside_scheme",
            f"Période hors du schéma : seules les années {first} à {last} sont suivies.",
        )
    if "commune_code" in columns and reference.commune_codes is not None:
        flag(
            "commune_code",
            unknown("commune_code", reference.commune_codes),
            "unknown_commune",
            "Code commune inconnu du code officiel géographique.",
        )
    if "territory_code" in columns and reference.commune_codes is not None:
        known = set(reference.commune_codes) | set(reference.epci_codes or ())
        flag(
            "territory_code",
            unknown("territory_code", known),
            "unknown_territory",
            "Code inconnu : ni une commune (code INSEE) ni un EPCI (SIREN) du référentiel.",
        )
    if "action_code" in columns and reference.action_codes is not None:
        flag(
            "action_code",
            unknown("action_code", reference.action_codes),
            "unknown_action",
            "Code action inconnu : ce n'est pas une action des schémas suivis.",
        )
    if kind == "attendance" and reference.known_structures is not None:
        flag(
            "structure_code",
            unknown("structure_code", reference.known_structures),
            "unknown_structure",
            "Structure inconnue : elle doit d'abord figurer dans un fichier de places "
            "(placements) envoyé par votre organisme.",
        )
    if kind == "action_reports":
        check_action_reports(columns, reference, receipt)
    receipt.errors.sort(key=lambda i: (i.line or 0, i.column or ""))


# Billing above this share of attended hours is implausible (CNAF's top funding band is 120 %).
MAX_BILLED_SHARE = 1.2


def _warn_implausible_hours(columns, receipt) -> None:
    """Warnings, not errors: hours that are possible but most likely a mistake."""
    theoretical = columns["theoretical_hours"].row_values().astype("float64")
    attended = columns["attended_hours"].row_values().astype("float64")
    billed = columns["billed_hours"].row_values().astype("float64")
    lines = columns["attended_hours"].lines
    checks = (
        (
            billed > MAX_BILLED_SHARE * attended,
            "billed_hours",
            billed,
            "billing_above_120_percent",
            "Heures facturées supérieures à 120 % des heures réalisées : vérifiez les deux "
            "valeurs.",
        ),
        (
            attended > theoretical,
            "attended_hours",
            attended,
            "attended_above_capacity",
            "Heures réalisées supérieures à la capacité théorique : vérifiez les deux valeurs.",
        ),
    )
    for mask, name, values, rule, message in checks:
        for row in np.flatnonzero(mask).tolist():
            receipt.warnings.append(
                Issue(
                    rule=rule,
                    line=int(lines[row]),
                    column=columns[name].fr,
                    value=_show(float(values[row])),
                    message=message,
                )
            )


def _show(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
