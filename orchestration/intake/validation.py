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
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa

from models import CONTRACTS
from models.common import PER_PERIOD_DAY, columns_of, normalise_header
from orchestration.calendar import parse_date, parse_period
from orchestration.intake.action_reports import ActionReference, check_action_reports
from orchestration.intake.reading import (
    DistinctCells,
    UnreadableFile,
    read_table,
    short_lived_arrays,
)
from orchestration.intake.receipt import MAX_LISTED_ISSUES, Issue, Receipt

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# Headers that reveal personal data, in French or English. We take aggregates only, so such a
# file is refused whole.
_PERSONAL = re.compile(
    r"(^|_)(nom|noms|prenom|prenoms|nir|nss|secu|securite_sociale|naissance|date_de_naissance|"
    r"ddn|adresse|telephone|tel|portable|mail|email|e_mail|courriel|matricule|allocataire|"
    r"numero_allocataire|"
    r"name|names|firstname|lastname|surname|forename|given_name|family_name|birth|birthdate|"
    r"birthday|dob|address|phone|mobile|cellphone|ssn|social_security|insurance_number|"
    r"beneficiary_id|claimant)(_|$)"
)
# ...unless the name, address or contact is that of a place or body ("nom de la structure",
# "structure name"), not of a person ("nom du directeur de la structure" stays personal).
_PLACES = r"(structure|commune|epci|action|territoire|territory|equipement|gestionnaire|"
_PLACES += r"etablissement|facility|provider|establishment|municipality|site)s?"
_NOT_PERSONAL = re.compile(
    r"(^|_)(nom|noms|adresse|mail|email|e_mail|courriel|telephone|tel)_(de_la_|de_l_|du_|de_|des_|d_)?"
    + _PLACES
    + r"(_|$)|(^|_)"
    + _PLACES
    + r"_(name|address|email|e_mail|phone)(_|$)|(^|_)(name|address|email|phone)_of_(the_)?"
    + _PLACES
    + r"(_|$)"
)
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
# What a number may look like once spaces are removed: ASCII digits, one decimal mark, no
# exponent ("1E+18") and no "inf" or "nan", which pandas would read.
_NUMBER_TEXT = r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$"
# "1.234" in a whole-number column: a thousands dot (1234) or a decimal point (1,234)?
_AMBIGUOUS_WHOLE = r"^[+-]?[0-9]{1,3}\.[0-9]{3}$"
# A dash alone ("-", "--", en or em dash) is how many spreadsheets show "nothing".
_DASHES = r"^[-\u2013\u2014]{1,3}$"
# After leading dashes and a space, what a formula needs (a call, a reference, an operator).
_FORMULA_SIGNS = re.compile(r"[()!|=+&^*/@$]")
# Longest cell a contract column accepts (codes and yes/no are short; so are numbers).
MAX_CELL_CHARS = 255
# A receipt keeps at most this many errors; beyond, they are only counted (the receipt lists
# MAX_LISTED_ISSUES of them), so a file where every row is wrong costs little.
_KEPT_ERRORS = 5 * MAX_LISTED_ISSUES
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
    "less_than_or_equal_to": "Valeur invraisemblable.",
}
_CHECK_RULES = {
    "greater_than_or_equal_to": "non_negative",
    "whole_number": "whole_number",
    "not_nullable": "required_value",
    "str_matches": "format",
    "isin": "allowed_values",
    "multiple_fields_uniqueness": "duplicate_key",
    "less_than_or_equal_to": "implausible_value",
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
            table = read_table(data, known=header_counter(kind))
        except UnreadableFile as exc:
            receipt.errors.append(exc.issue)
            return Validated(receipt, None)
        receipt.rows = table.rows
        receipt.warnings.extend(table.notes)
        validated = _validate_table(table, kind, reference, receipt)
    _keep_first_errors(receipt)
    return validated


def header_counter(*kinds: str):
    """How many cells of a line are column names of one of ``kinds`` (to find the header
    line below title rows); every kind when none is named."""
    names = set()
    for kind in kinds or CONTRACTS:
        for name, meta in columns_of(CONTRACTS[kind]).items():
            names |= {normalise_header(name), normalise_header(meta["fr"])}
    return lambda cells: sum(normalise_header(c) in names for c in cells)


def _keep_first_errors(receipt: Receipt) -> None:
    """At most ``_KEPT_ERRORS`` errors (already in line order); the others are counted."""
    if len(receipt.errors) > _KEPT_ERRORS:
        receipt.errors_not_listed += len(receipt.errors) - _KEPT_ERRORS
        del receipt.errors[_KEPT_ERRORS:]


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
        self.allowed = None  # the codes an ``isin`` check of the contract accepts
        self.renamed = False  # whether distinct texts were rewritten (Unicode, case)

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
        room = max(_KEPT_ERRORS - len(receipt.errors), 0)
        if len(rows) > room:  # rows come in line order: the first ones are listed
            receipt.errors_not_listed += len(rows) - room
            rows = rows[:room]
            fresh = np.zeros_like(fresh)
            fresh[np.unique(self.codes.take(rows))] = True
        shown = {
            code: _short(_show(self.values[code]) if typed else self.raw[code])
            for code in np.flatnonzero(fresh).tolist()
        }
        receipt.errors.extend(
            Issue(rule=rule, line=line, column=self.fr, value=shown[code], message=message)
            for line, code in zip(
                self.lines.take(rows).tolist(), self.codes.take(rows).tolist(), strict=True
            )
        )

    def warn(self, mask, receipt, rule: str, message: str, shown=None) -> None:
        """A warning for every cell whose value is in ``mask`` (the text as written, or
        ``shown(code)``), at most ``_KEPT_ERRORS`` of them listed."""
        rows = self.rows_where(np.asarray(mask, dtype=bool) & ~self.bad)
        receipt.warnings_not_listed += max(len(rows) - _KEPT_ERRORS, 0)
        rows = rows[:_KEPT_ERRORS]
        receipt.warnings.extend(
            Issue(
                rule=rule,
                line=line,
                column=self.fr,
                value=_short(shown(code) if shown else self.raw[code]),
                message=message,
            )
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
    _check_unnamed(table, mapping, receipt)
    if receipt.errors:  # cells shifted by decimal commas: reading on would only guess
        return Validated(receipt, None)

    lines = table.lines.to_numpy()
    allowed = {
        name: check.statistics["allowed_values"]
        for name, column_schema in contract.to_schema().columns.items()
        for check in column_schema.checks
        if check.name == "isin"
    }
    cells = dict(zip(mapping, table.distinct_many(list(mapping.values())), strict=True))
    columns: dict[str, _Column] = {}
    for name, meta in spec.items():
        if name not in cells:
            columns[name] = _Column.absent(name, meta, lines)
            continue
        column = _Column(name, meta, cells[name], lines)
        column.allowed = allowed.get(name)
        _screen_text(column, receipt)
        _flag_formulas(column, receipt)
        _read_cells(column, receipt)
        columns[name] = column

    frame = pd.DataFrame(
        {name: column.row_values() for name, column in columns.items()}, copy=False
    )
    _run_contract(contract, frame, columns, spec, receipt)
    _check_references(columns, kind, reference, receipt)
    _check_daily_bounds(columns, receipt)
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
    """Map contract columns to file positions; refuse personal data, a column given twice
    (under one name or under its French and English names) and the wrong kind."""
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
        elif key in wanted:
            first = header[mapping[wanted[key]]]
            receipt.errors.append(
                Issue(
                    rule="duplicate_column",
                    line=1,
                    column=title,
                    message=f"La colonne « {spec[wanted[key]]['fr']} » figure deux fois "
                    f"(« {first} » et « {title} ») : on ne peut pas savoir laquelle lire. "
                    "Gardez-en une seule.",
                )
            )
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
    missing = [name for name in spec if spec[name]["required"] and name not in mapping]
    hint = _looks_like(header, kind) if missing else None
    for name in missing:
        message = f"Colonne obligatoire absente : {spec[name]['fr']}."
        if hint:
            message += f" Ce fichier ressemble à un fichier de type « {hint} » : vérifiez le type."
        receipt.errors.append(
            Issue(rule="missing_columns", line=1, column=spec[name]["fr"], message=message)
        )
    return mapping


def _check_unnamed(table, mapping, receipt) -> None:
    """Cells under no header: in a comma-separated file, the sign of unquoted decimal commas
    (refused: the numbers' meaning would be guessed); elsewhere, ignored with a warning."""
    used = set(mapping.values())
    unnamed = [p for p, t in enumerate(table.header) if not normalise_header(t) and p not in used]
    if not unnamed:
        return
    lines = table.lines.to_numpy()
    for position, cells in zip(unnamed, table.distinct_many(unnamed), strict=True):
        filled = np.flatnonzero(cells.values.take(cells.codes) != "")
        if not filled.size:
            continue
        if table.delimiter != ",":
            receipt.warnings.append(
                Issue(
                    rule="unnamed_column",
                    line=1,
                    column=f"colonne {position + 1}",
                    message="Colonne sans nom d'en-tête mais avec des valeurs : elle est ignorée.",
                )
            )
            continue
        for row in filled[:_KEPT_ERRORS].tolist():
            receipt.errors.append(
                Issue(
                    rule="ambiguous_decimal_comma",
                    line=int(lines[row]),
                    column=f"colonne {position + 1}",
                    value=_short(cells.values[cells.codes[row]]),
                    message="La ligne a plus de cellules que l'en-tête : dans un fichier séparé "
                    "par des virgules, une virgule décimale coupe le nombre en deux. Mettez les "
                    "nombres décimaux entre guillemets, écrivez-les avec un point, ou "
                    "enregistrez le fichier avec le point-virgule comme séparateur.",
                )
            )
        receipt.errors_not_listed += max(len(filled) - _KEPT_ERRORS, 0)


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


_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _screen_text(column: _Column, receipt) -> None:
    """Cells too long for any code or number, digits of other scripts, and (in text columns)
    texts that only differ by their Unicode form, made one (NFC) with a warning."""
    long = column.sizes > MAX_CELL_CHARS
    if long.any() and not column.meta.get("max_chars"):  # else the contract's own check judges
        long &= np.array([len(v) > MAX_CELL_CHARS for v in column.raw], dtype=bool)
        column.report(
            long,
            receipt,
            "cell_too_long",
            f"La cellule est trop longue : au plus {MAX_CELL_CHARS} caractères sont acceptés "
            "dans cette colonne.",
            typed=False,
        )
    wide = np.flatnonzero(column.sizes != np.array([len(v) for v in column.raw]))
    if not wide.size:
        return
    digits = np.zeros(len(column.raw), dtype=bool)
    digits[[i for i in wide.tolist() if _OTHER_DIGIT.search(column.raw[i])]] = True
    column.report(
        digits,
        receipt,
        "non_ascii_digits",
        "La cellule contient des chiffres d'une autre écriture (arabe, pleine chasse…) : "
        "écrivez-les avec les chiffres 0 à 9.",
        typed=False,
    )
    if column.meta["kind"] != "text":
        return
    changed = np.zeros(len(column.raw), dtype=bool)
    raw = column.raw.copy()
    for i in wide.tolist():
        if not unicodedata.is_normalized("NFC", raw[i]):
            raw[i], changed[i] = unicodedata.normalize("NFC", raw[i]), True
    if changed.any():
        column.warn(
            changed,
            receipt,
            "unicode_normalised",
            "Accents écrits en caractères décomposés (forme Unicode NFD, fréquente sur Mac) : "
            "la valeur a été lue sous sa forme usuelle (NFC).",
        )
        column.raw, column.values, column.renamed = raw, raw, True


def _flag_formulas(column: _Column, receipt) -> None:
    starts = np.isin(column.heads, _FORMULA_BYTES)
    if not starts.any():
        return
    candidates = pd.Series(column.raw[starts])
    numeric = candidates.str.replace(_SPACES, "", regex=True).str.match(_NUMBER)
    # A dash alone is an empty cell, and dashes then a space start a remark ("-- fermé"):
    # neither is a formula unless a formula sign follows.
    remark = candidates.str.match(_DASHES) | (
        candidates.str.match(r"^-+\s") & ~candidates.str.contains(_FORMULA_SIGNS)
    )
    flagged = np.zeros(len(column.raw), dtype=bool)
    flagged[np.flatnonzero(starts)[~(numeric | remark).to_numpy(dtype=bool)]] = True
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
        dashes = np.zeros(len(raw), dtype=bool)
        dashes[short] = few.str.match(_DASHES).to_numpy(dtype=bool)
        if dashes.any():
            empty |= dashes
            if not column.meta["required"]:  # a required cell left empty is an error anyway
                column.warn(
                    dashes,
                    receipt,
                    "dash_as_empty",
                    "Tiret lu comme une cellule vide (aucune valeur).",
                )
    if kind in {"count", "decimal"}:
        _read_numbers(column, raw, empty, receipt)
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
        out[lowered.isin(_YES) & ~empty] = "oui"
        out[lowered.isin(_NO - {""}) & ~empty] = "non"
        other = ~lowered.isin(_YES | _NO) & ~empty  # "NA", "n/a"… are empty, as elsewhere
        out[other] = raw[other]  # left for the contract's oui/non check to report
        column.values = out.to_numpy(dtype=object)
        return
    if name in {"commune_code", "territory_code"}:
        padded = raw.str.fullmatch(r"[0-9]{4}").to_numpy(dtype=bool)
        column.warn(
            padded,
            receipt,
            "commune_code_padded",
            "Code commune à 4 chiffres complété par un zéro initial (sans doute supprimé par "
            "le tableur).",
        )
        raw = raw.where(~padded, "0" + raw)
        column.one_to_one = not padded.any() and empty.sum() <= 1
    else:
        column.one_to_one = empty.sum() <= 1
    if column.allowed is not None:
        raw = _match_codes(column, raw, empty, receipt)
    column.one_to_one &= not column.renamed
    column.values = (
        raw.where(~empty, None).to_numpy(dtype=object) if empty.any() else raw.to_numpy()
    )


def _read_numbers(column: _Column, raw: pd.Series, empty: np.ndarray, receipt) -> None:
    cleaned = raw.str.replace(_SPACES, "", regex=True)
    if column.meta["kind"] == "count":
        ambiguous = cleaned.str.match(_AMBIGUOUS_WHOLE).to_numpy(dtype=bool) & ~empty
        column.report(
            ambiguous,
            receipt,
            "ambiguous_number",
            "Nombre ambigu : le point sépare-t-il les milliers ou les décimales ? Un effectif "
            "s'écrit sans séparateur de milliers (1234) ; une décimale s'écrit avec une "
            "virgule (1,234), mais un effectif est un nombre entier.",
            typed=False,
        )
    wellformed = cleaned.str.match(_NUMBER_TEXT).to_numpy(dtype=bool) & ~column.bad
    values = pd.to_numeric(
        cleaned.str.replace(",", ".").where(wellformed & ~empty), errors="coerce"
    ).astype("float64")  # a value already refused reads as nothing: no rule judges it again
    column.report(
        ~np.isfinite(values.to_numpy()) & ~empty,
        receipt,
        "number_format",
        "Un nombre est attendu (chiffres uniquement, virgule décimale acceptée ; ni notation "
        "scientifique comme 1E+18, ni « infini »).",
        typed=False,
    )
    column.values = values.to_numpy()


def _match_codes(column: _Column, raw: pd.Series, empty: np.ndarray, receipt) -> pd.Series:
    """Codes written in another case (``familles``) read as the one code they can only be."""
    allowed = list(column.allowed)
    by_lower: dict[str, list[str]] = {}
    for code in allowed:
        by_lower.setdefault(str(code).lower(), []).append(code)
    odd = ~raw.isin(allowed).to_numpy(dtype=bool) & ~empty & ~column.bad
    if not odd.any():
        return raw
    fixed = raw.copy()
    changed = np.zeros(len(raw), dtype=bool)
    for i in np.flatnonzero(odd).tolist():
        found = by_lower.get(raw.iat[i].lower(), [])
        if len(found) == 1:
            fixed.iat[i], changed[i] = found[0], True
    if changed.any():
        column.warn(
            changed,
            receipt,
            "code_case_normalised",
            "Code écrit en minuscules (ou casse mélangée) : lu comme le code de la liste.",
            shown=lambda code: f"{raw.iat[code]} → {fixed.iat[code]}",
        )
        column.renamed = True
    return fixed


def _run_contract(contract, frame, columns, spec, receipt) -> None:
    """Run the whole pandera contract: columns on distinct values, the rest on the table."""
    schema = contract.to_schema()
    if schema.parsers or schema.coerce or schema.index is not None or schema.dtype is not None:
        raise NotImplementedError(
            f"{contract.__name__}: intake runs pandera column by column and does not apply "
            "parsers, coercion, index or table-wide dtypes; extend _run_contract first."
        )
    key = list(schema.unique or [])
    table_cases = []
    for check in schema.checks:
        # A "within_total:<part>:<total>" check reads those two columns only; pandera
        # looks for all-empty rows over whatever table it is given, so it gets just them.
        used = check.name.split(":")[1:] if check.name.startswith("within_total:") else None
        if used:
            table_cases.append(_within_total_failures(check, frame[used]))
        else:
            table_check = pa.DataFrameSchema(checks=[check], name=schema.name)
            table_cases.append(_failures(table_check, frame))
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
    if key:
        # Issues are reported in pandera's order: doubles, table-wide checks, columns.
        _report_duplicates(_duplicate_rows(schema, key, columns), columns, spec, key, receipt)
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


def _within_total_failures(check: pa.Check, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The rows a « dont » check fails on, in the shape of pandera's failure cases.

    The check is pandera's own (rows left empty pass, as in validation), but called alone:
    validation then reshapes every failure into a case row by row, minutes for 300,000 rows.
    """
    failed = ~check(frame).check_output.to_numpy(dtype=bool)
    if not failed.any():
        return None
    rows = frame.index[failed]
    return pd.DataFrame({"check": check.name, "index": rows, "column": None, "failure_case": None})


def _duplicate_rows(schema: pa.DataFrameSchema, key: list[str], columns) -> np.ndarray:
    """Rows whose key another row holds too, as the contract's ``unique`` and
    ``report_duplicates`` say.

    pandera finds them with pandas' ``duplicated`` but then turns every double into a failure
    case, one Python object each: a file of 300,000 doubled rows took minutes. The same pandas
    call, with the same ``keep`` that pandera derives from ``report_duplicates``, answers alone.
    """
    keep = {"exclude_first": "first", "exclude_last": "last", "all": False}
    keys = pd.DataFrame({name: columns[name].key_codes() for name in key})
    return np.flatnonzero(keys.duplicated(keep=keep[schema.report_duplicates]).to_numpy())


def _report_duplicates(rows: np.ndarray, columns, spec, key, receipt) -> None:
    """One error per double, through a key cell holding a value not already reported; past
    the receipt's cap (the first doubles in line order are listed) the others are counted."""
    if not len(rows):
        return
    fresh = np.zeros(len(rows), dtype=bool)
    for name in key:
        column = columns[name]
        codes = column.codes[rows]
        shown = np.array([_show(v) is not None for v in column.values], dtype=bool)[codes]
        reported = column.bad[codes] | np.isin(rows, list(column.bad_rows))
        fresh |= shown & ~reported
    rows = rows[fresh]
    receipt.errors_not_listed += max(len(rows) - _KEPT_ERRORS, 0)
    key_cols = ", ".join(spec[c]["fr"] for c in key)
    for row in rows[:_KEPT_ERRORS].tolist():
        values = [_show(columns[c].values[columns[c].codes[row]]) for c in key]
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
        if base == "less_than_or_equal_to" and column.meta.get("at_most") is not None:
            message = (
                f"Valeur invraisemblable : au plus {_number(column.meta['at_most'])} "
                f"{column.meta['at_most_why']}. Vérifiez la saisie (unité, zéros en trop)."
            )
        rule, message = column.meta.get("failures", {}).get(base, (None, message))
        mask = np.zeros(len(column.values), dtype=bool)
        mask[group["index"].astype(np.int64).to_numpy()] = True
        column.report(mask, receipt, rule or _CHECK_RULES.get(base, base), message)


def _check_references(columns, kind, reference, receipt) -> None:
    """Checks against the territory reference, the schemes and the calendar."""

    def flag(name, mask, rule, message):
        columns[name].report(mask, receipt, rule, message)

    def unknown(name, known):
        # Set lookups, cell by cell: ``Series.isin`` would copy the reference (the 35,000
        # communes of a national deployment) into an array for every file, a quarter of
        # intake's time at that scale.
        return np.array(
            [isinstance(v, str) and v not in known for v in columns[name].values], dtype=bool
        )

    period = columns["period"]
    periods = [parse_period(v) if isinstance(v, str) else None for v in period.values]
    flag(
        "period",
        [isinstance(v, str) and p is None for v, p in zip(period.values, periods, strict=True)],
        "period_out_of_range",
        "Période impossible : l'année doit être une vraie année du calendrier, de 0001 "
        "à 9999 (ex. 2017).",
    )
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
        flag(
            "territory_code",
            unknown("territory_code", reference.commune_codes)
            & unknown("territory_code", reference.epci_codes or frozenset()),
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


def _check_daily_bounds(columns, receipt) -> None:
    """Plausible bounds per day (``at_most_per`` in the contract): the bound times the days of
    the row's period, or times the row's count of days when the contract names one."""
    bounded = [c for c in columns.values() if c.meta.get("at_most_per")]
    if not bounded:
        return
    period = columns["period"]
    parsed = [parse_period(v) if isinstance(v, str) else None for v in period.values]
    lengths = np.array([p.days if p else np.nan for p in parsed], dtype="float64")
    period_days = np.where(period.bad, np.nan, lengths).take(period.codes)
    for column in bounded:
        per = column.meta["at_most_per"]
        days = period_days
        if per != PER_PERIOD_DAY:
            counted = columns[per]
            given = np.where(counted.bad, np.nan, counted.values.astype("float64"))
            given = given.take(counted.codes)
            days = np.where(np.isnan(given), period_days, given)
        values = np.where(column.bad, np.nan, column.values.astype("float64")).take(column.codes)
        limit = column.meta["at_most"] * days
        over = np.flatnonzero(values > limit)  # NaN (empty, unread) compares False
        over = [r for r in over.tolist() if r not in column.bad_rows]
        receipt.errors_not_listed += max(len(over) - _KEPT_ERRORS, 0)
        for row in over[:_KEPT_ERRORS]:
            column.bad_rows.add(row)
            receipt.errors.append(
                Issue(
                    rule="implausible_value",
                    line=int(column.lines[row]),
                    column=column.fr,
                    value=_show(float(values[row])),
                    message=f"Valeur invraisemblable : au plus {_number(column.meta['at_most'])} "
                    f"{column.meta['at_most_why']}, soit {_number(limit[row])} pour "
                    f"{_number(days[row])} jours. Vérifiez la saisie (unité, zéros en trop).",
                )
            )
    receipt.errors.sort(key=lambda i: (i.line or 0, i.column or ""))


def _number(value: float) -> str:
    """A bound as a partner reads it: 240 000, not 240000.0."""
    return f"{value:,.0f}".replace(",", "\u202f") if float(value).is_integer() else f"{value:g}"


def _short(text: str | None) -> str | None:
    """A cell as a receipt shows it: a 100,000-character cell is cut, not copied whole."""
    if text is None or len(text) <= 80:
        return text
    return f"{text[:60]}… ({len(text)} caractères)"


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
