"""Turn the bytes of a partner's file into a table of text cells, whatever its CSV dialect.

Partners' files come out of Excel and of their own software: `;`, `,` or tab delimiters, UTF-8
with or without BOM or Windows-1252, blank trailing lines and columns. Everything here is about
reading them faithfully and saying clearly when a file is not a CSV at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pandas as pd

from orchestration.intake.receipt import Issue

DELIMITERS = (";", "\t", ",")
DELIMITER_NAMES = {";": "point-virgule", "\t": "tabulation", ",": "virgule"}

# Signatures of files that are not text: spreadsheets and other binaries uploaded as .csv.
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "un classeur Excel (.xlsx) ou une archive ZIP",
    b"\xd0\xcf\x11\xe0": "un classeur Excel ancien format (.xls)",
    b"%PDF": "un document PDF",
}


class UnreadableFile(Exception):
    """The file cannot be read as a CSV table; ``issue`` says why, in French."""

    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue


@dataclass
class RawTable:
    """Text cells of a file, with the line each row has in the partner's spreadsheet."""

    header: list[str]
    cells: pd.DataFrame  # one column per header position, all text
    lines: pd.Series  # spreadsheet line number of each row (header is line 1)
    encoding: str
    delimiter: str
    notes: list[Issue] = field(default_factory=list)


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8 (BOM or not), falling back to Windows-1252."""
    for signature, what in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise UnreadableFile(
                Issue(
                    rule="not_csv",
                    message=f"Le fichier est {what}, pas un fichier CSV. Dans votre tableur, "
                    "utilisez « Enregistrer sous » et choisissez le format CSV (séparateur : "
                    "point-virgule).",
                )
            )
    if b"\x00" in data[:65536]:
        raise UnreadableFile(
            Issue(
                rule="not_csv",
                message="Le fichier contient des données binaires : ce n'est pas un fichier CSV "
                "texte. Exportez-le au format CSV depuis votre logiciel.",
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter is the one the header line uses most (headers hold no decimal commas)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_table(data: bytes) -> RawTable:
    """Parse a CSV file into text cells; raise ``UnreadableFile`` for what is not a table."""
    if not data.strip():
        raise UnreadableFile(
            Issue(rule="empty_file", message="Le fichier est vide : il ne contient aucune ligne.")
        )
    text, encoding = decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))

    # Leading blank lines still count as spreadsheet lines.
    start = 0
    while start < len(records) and not any(c.strip() for c in records[start]):
        start += 1
    header = [h.strip() for h in records[start]]
    header_line = start + 1
    body = []
    lines = []
    for offset, record in enumerate(records[start + 1 :], start=header_line + 1):
        if not any(c.strip() for c in record):
            continue  # blank line (often trailing): nothing to read
        body.append(record)
        lines.append(offset)

    # Drop trailing columns with no header and no value (Excel's stray separators).
    width = max([len(header), *(len(r) for r in body)]) if body else len(header)
    while width and (width > len(header) or not header[width - 1]):
        idx = width - 1
        has_value = any(idx < len(r) and r[idx].strip() for r in body)
        if has_value or (idx < len(header) and header[idx]):
            break
        width -= 1
    header = (header + [""] * width)[:width]
    rows = [(r + [""] * width)[:width] for r in body]
    cells = pd.DataFrame(rows, columns=range(width), dtype=object)
    if not rows:
        raise UnreadableFile(
            Issue(
                rule="header_only",
                message="Le fichier ne contient que la ligne d'en-tête, aucune donnée.",
                line=header_line,
            )
        )
    return RawTable(
        header=header,
        cells=cells,
        lines=pd.Series(lines, dtype="int64"),
        encoding=encoding,
        delimiter=delimiter,
    )
