"""What a file's bytes must be before they are split into cells: one known encoding, no NUL
byte, lines and widths a spreadsheet export can have. Also the two lines spreadsheets put above
a header (Excel's ``sep=;`` and a title row), which are set aside with a warning.

Every refusal raises ``UnreadableFile`` with a French issue naming the line; every check here
is a scan of the bytes in C (``bytes.find``, ``re``, numpy), so a hostile file costs little.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from orchestration.intake.receipt import Issue

# A row of a contract holds about ten short cells; these bounds leave room for comments and
# extra columns while refusing, before any splitting, files no spreadsheet export looks like.
MAX_LINE_BYTES = 64 * 1024
MAX_COLUMNS = 500
# The header is looked for among this many first non-blank lines (titles sit above it).
HEADER_SEARCH_LINES = 10

_UTF8_SAVE = (
    "Dans votre tableur, utilisez « Enregistrer sous » et choisissez « CSV UTF-8 (délimité "
    "par des points-virgules) »."
)
# A multi-byte UTF-8 sequence: in a file that is not valid UTF-8, the sign of a second encoding.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_SEP_LINE = re.compile(rb'^[ \t]*"?sep=([;,\t|])"?[ \t]*(\r\n|\n|\r|$)', re.IGNORECASE)
_LINE = re.compile(rb"([^\r\n]*)(\r\n|\n|\r|$)")


class UnreadableFile(Exception):
    """The file cannot be read as a CSV table; ``issue`` says why, in French."""

    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue


def line_of(data: bytes, offset: int) -> int:
    """The spreadsheet line (1-based) holding byte ``offset``."""
    ends = data.count(b"\n", 0, offset) or data.count(b"\r", 0, offset)
    return ends + 1


def _refuse(rule: str, message: str, line: int | None = None) -> UnreadableFile:
    return UnreadableFile(Issue(rule=rule, message=message, line=line))


def looks_like_utf16(head: bytes) -> bool:
    """UTF-16 text of Latin characters has a zero byte in every other position, and only there."""
    if len(head) < 16:
        return False
    odd, even = head[1::2].count(0), head[0::2].count(0)
    return max(odd, even) * 5 > len(head) * 2 and min(odd, even) * 20 < len(head)


def screen_nul_bytes(data: bytes) -> None:
    """UTF-16 without its mark, or a stray NUL byte in a text file: refused with the line."""
    at = data.find(b"\x00")
    if at < 0:
        return
    if looks_like_utf16(data[:4096]):
        raise _refuse(
            "utf16_without_bom",
            "Le fichier semble encodé en UTF-16 (« Texte Unicode ») sans marque d'encodage : il "
            "ne peut pas être lu sûrement. " + _UTF8_SAVE,
        )
    raise _refuse(
        "nul_byte",
        "Le fichier contient un caractère nul (octet 0), invisible dans un tableur mais "
        "signe d'un fichier abîmé ou concaténé. Réexportez le fichier depuis votre logiciel.",
        line_of(data, at),
    )


def to_utf8(data: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes and the encoding it was in; refuses what cannot be decoded
    exactly (no character is ever replaced)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise _refuse(
                "invalid_encoding",
                "Le fichier est marqué UTF-16 (« Texte Unicode ») mais son contenu n'est pas "
                "de l'UTF-16 valide. " + _UTF8_SAVE,
            ) from None
        data = text.encode("utf-8")
        screen_nul_bytes(data)
        return data, "utf-16"
    screen_nul_bytes(data)
    if data.startswith(b"\xef\xbb\xbf"):
        body = data[3:]
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(
                "invalid_encoding",
                "Le fichier est marqué UTF-8 (BOM) mais contient des caractères qui ne sont pas "
                "de l'UTF-8 valide. " + _UTF8_SAVE,
                line_of(data, exc.start + 3),
            ) from None
        return body, "utf-8-sig"
    if data.isascii():
        return data, "utf-8"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as exc:
        invalid = exc.start
    if _UTF8_SEQUENCE.search(data):
        raise _refuse(
            "mixed_encoding",
            "Le fichier mélange deux encodages (UTF-8 et Windows-1252) : les accents de "
            "certaines lignes seraient mal lus. Ouvrez-le dans votre tableur, vérifiez les "
            "accents, puis " + _UTF8_SAVE[len("Dans votre tableur, ") :],
            line_of(data, invalid),
        )
    try:
        return data.decode("cp1252").encode("utf-8"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _refuse(
            "invalid_encoding",
            "Le fichier contient des octets qui ne sont des caractères ni en UTF-8 ni en "
            "Windows-1252. " + _UTF8_SAVE,
            line_of(data, exc.start),
        ) from None


def screen_line_lengths(utf8: bytes) -> None:
    """Refuse, before splitting, a line longer than any spreadsheet row (found in one scan)."""
    if len(utf8) <= MAX_LINE_BYTES:
        return
    raw = np.frombuffer(utf8, dtype=np.uint8)
    ends = np.flatnonzero((raw == 0x0A) | (raw == 0x0D))
    bounds = np.concatenate(([-1], ends, [len(utf8)]))
    gaps = np.diff(bounds) - 1
    longest = int(np.argmax(gaps))
    if gaps[longest] > MAX_LINE_BYTES:
        raise _refuse(
            "line_too_long",
            f"Une ligne du fichier dépasse {MAX_LINE_BYTES // 1024} Ko : ce n'est pas une ligne "
            "de tableau (fichier abîmé, ou sans retours à la ligne). Réexportez le fichier au "
            "format CSV.",
            line_of(utf8, int(bounds[longest]) + 1),
        )


def refuse_wide(width: int, line: int) -> None:
    """Refuse a row of more cells than any contract file needs."""
    if width > MAX_COLUMNS:
        raise _refuse(
            "too_many_columns",
            f"La ligne compte {width} colonnes, au-delà de la limite de {MAX_COLUMNS} : ce "
            "n'est pas un fichier de ce type (ou le séparateur est mal choisi).",
            line,
        )


def _cells(line: bytes, delimiter: str | None, sniff: Callable[[str], str]) -> list[str]:
    text = line.decode("utf-8")
    return [c.strip().strip('"').strip() for c in text.split(delimiter or sniff(text))]


def set_aside_preamble(
    utf8: bytes, sniff: Callable[[str], str], known: Callable[[list[str]], int] | None
) -> tuple[bytes, str | None, list[Issue]]:
    """Blank Excel's ``sep=`` line and title rows above the header, keeping line numbers.

    Returns the bytes, the delimiter ``sep=`` names (if any) and a warning per line set aside.
    ``known(cells)`` counts a line's cells that are column names of the contract: the header is
    the first of the first lines with two or more of them (or the first line, if none has).
    """
    notes, delimiter = [], None
    found = _SEP_LINE.match(utf8)
    if found:
        delimiter = found[1].decode()
        notes.append(
            Issue(
                rule="separator_line",
                value=found[0].decode().strip(),
                message="Première ligne « sep= » ajoutée par Excel : elle indique le séparateur "
                "et a été ignorée (comme Excel, les lignes sont comptées sans elle).",
            )
        )
        utf8 = utf8[found.end() :]
    if known is None:
        return utf8, delimiter, notes
    lines = []
    for match in _LINE.finditer(utf8):
        if len(lines) >= HEADER_SEARCH_LINES or match.start() == len(utf8):
            break
        if match[1].strip():
            lines.append(match)
    rank = next(
        (i for i, line in enumerate(lines) if known(_cells(line[1], delimiter, sniff)) >= 2), 0
    )
    if rank == 0:
        return utf8, delimiter, notes
    for title in lines[:rank]:
        notes.append(
            Issue(
                rule="title_row",
                line=line_of(utf8, title.start()),
                value=title[1].decode("utf-8").strip()[:80],
                message="Ligne de titre au-dessus de l'en-tête : elle a été ignorée.",
            )
        )
    cut = lines[rank].start()
    kept_ends = b"".join(m[2] for m in _LINE.finditer(utf8[:cut]) if m[2])
    return kept_ends + utf8[cut:], delimiter, notes
