"""Series an evaluator brings in a CSV file, read for ``sdsf grade``.

Columns ``serie;annee_reference;valeur_reference;annee_observee;valeur_observee;annee_cible;
cible;sens;limite``, one series a line. The file is read by the intake's reader (the same CSV
dialects as partners' files: ``;``, ``,`` or tab, UTF-8 or Windows-1252); every bad cell is
reported in French with its line and column, and nothing is graded until the file is clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestration.grading import Grade, grade

COLUMNS = (
    "serie",
    "annee_reference",
    "valeur_reference",
    "annee_observee",
    "valeur_observee",
    "annee_cible",
    "cible",
    "sens",
    "limite",
)
OPTIONAL = {"annee_cible", "cible", "limite"}
# The `sens` column's words and the direction codes (sources/vocabulary.yaml, directions).
DIRECTIONS = {"hausse": "up", "baisse": "down"}
_NUMBER = re.compile(r"^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$")
_YEAR = re.compile(r"^[0-9]{4}$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


class GradingInputError(ValueError):
    """The file cannot be graded; ``problems`` are French messages naming line and column."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Series:
    name: str
    base_year: int
    base_value: float
    year: int
    value: float
    target_year: int | None
    target: float | None
    direction: str
    limit: float | None

    def graded(self) -> Grade:
        return grade(
            self.base_year,
            self.base_value,
            self.year,
            self.value,
            direction=self.direction,
            target_year=self.target_year,
            target=self.target,
            limit=self.limit,
        )


def read_series(data: bytes) -> list[Series]:
    """Every series of the file; raises :class:`GradingInputError` listing every bad cell."""
    from orchestration.intake.guards import UnreadableFile
    from orchestration.intake.reading import read_table

    try:
        table = read_table(data, known=lambda cells: sum(c.strip() in COLUMNS for c in cells))
    except UnreadableFile as exc:
        raise GradingInputError([exc.issue.message]) from exc
    header = [h.strip().lower() for h in table.header]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise GradingInputError(
            [
                f"Colonne(s) manquante(s) dans l'en-tête : {', '.join(missing)} (attendu : "
                f"{';'.join(COLUMNS)})."
            ]
        )
    cells = {c: table.distinct(header.index(c)).texts() for c in COLUMNS}
    problems: list[str] = []
    series: list[Series] = []
    for i, line in enumerate(table.lines.tolist()):
        row = {c: str(cells[c][i]) for c in COLUMNS}
        parsed = _parse_row(row, int(line), problems)
        if parsed is not None:
            series.append(parsed)
    if problems:
        raise GradingInputError(problems)
    return series


def _parse_row(row: dict[str, str], line: int, problems: list[str]) -> Series | None:
    before = len(problems)

    def where(column: str) -> str:
        return f"Ligne {line}, colonne « {column} »"

    def year(column: str) -> int | None:
        text = row[column]
        if not text:
            if column not in OPTIONAL:
                problems.append(f"{where(column)} : une année est obligatoire.")
            return None
        if not _YEAR.match(text):
            problems.append(f"{where(column)} : « {text} » n'est pas une année (4 chiffres).")
            return None
        return int(text)

    def number(column: str) -> float | None:
        text = _SPACES.sub("", row[column])
        if not text:
            if column not in OPTIONAL:
                problems.append(f"{where(column)} : une valeur est obligatoire.")
            return None
        if not _NUMBER.match(text):
            problems.append(
                f"{where(column)} : « {row[column]} » n'est pas un nombre (virgule décimale "
                "acceptée)."
            )
            return None
        return float(text.replace(",", "."))

    name = row["serie"]
    if not name:
        problems.append(f"{where('serie')} : le nom de la série est obligatoire.")
    base_year, base_value = year("annee_reference"), number("valeur_reference")
    observed_year, value = year("annee_observee"), number("valeur_observee")
    target_year, target, limit = year("annee_cible"), number("cible"), number("limite")
    direction = DIRECTIONS.get(row["sens"].lower())
    if direction is None:
        problems.append(f"{where('sens')} : « {row['sens']} » — attendu « hausse » ou « baisse ».")
    if target is not None and target_year is None and not problems[before:]:
        problems.append(f"{where('annee_cible')} : une cible demande son année.")
    if base_year is not None and observed_year is not None and observed_year < base_year:
        problems.append(
            f"{where('annee_observee')} : {observed_year} est avant l'année de référence "
            f"{base_year}."
        )
    if len(problems) > before:
        return None
    return Series(
        name, base_year, base_value, observed_year, value, target_year, target, direction, limit
    )
