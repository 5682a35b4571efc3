"""Turn the bytes of a partner's file into columns of text cells, whatever its CSV dialect.

Partners' files come out of Excel and of their own software: `;`, `,` or tab delimiters, UTF-8
with or without BOM or Windows-1252, blank trailing lines and columns. Everything here is about
reading them faithfully and saying clearly when a file is not a CSV at all.

A file may hold a million rows, so cells are not turned into Python strings one by one. Each
column is handed over as its distinct values (stripped as ``str.strip`` does) plus one code per
row, and validation works on the distinct values. Python's csv module (excel dialect) defines
what the cells are. Files it would read exactly as a plain split on delimiters and line ends
(no delimiter or line break inside quotes, no lone carriage return) are split with numpy on
their UTF-8 bytes; any other file goes through the csv module itself.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orchestration.intake import guards
from orchestration.intake.guards import UnreadableFile
from orchestration.intake.receipt import Issue

DELIMITERS = (";", "\t", ",")
DELIMITER_NAMES = {";": "point-virgule", "\t": "tabulation", ",": "virgule"}

# Signatures of files that are not text: spreadsheets and other binaries uploaded as .csv.
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "un classeur Excel (.xlsx) ou une archive ZIP",
    b"\xd0\xcf\x11\xe0": "un classeur Excel ancien format (.xls)",
    b"%PDF": "un document PDF",
}

# What str.strip() removes. Every such character is below U+3001 (a test checks it).
SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_NL, _CR, _QUOTE = 0x0A, 0x0D, 0x22


def _byte_table(values) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(values)] = True
    return table


_ASCII_SPACE = _byte_table(ord(c) for c in SPACES if ord(c) < 0x80)
# Printable ASCII other than space: a cell starting with one of these is not blank.
_VISIBLE = _byte_table(range(0x21, 0x7F))
# First byte of the UTF-8 form of each non-ASCII space, by length of that form: a cell whose
# first or last character may be one of them is stripped by Python rather than byte-wise.
_WIDE_SPACE_LEADS = {
    size: _byte_table(c.encode()[0] for c in SPACES if len(c.encode()) == size)
    for size in {len(c.encode()) for c in SPACES if ord(c) >= 0x80}
}
_ANY_WIDE_LEAD = np.logical_or.reduce(list(_WIDE_SPACE_LEADS.values()))
# Cheap first test of a cell's first and last byte: does it need stripping at all?
_EDGE_FIRST = _ASCII_SPACE | _ANY_WIDE_LEAD
_EDGE_LAST = _ASCII_SPACE | (np.arange(256) >= 0x80)
# Masks keeping the first k bytes of a little-endian 8-byte word, k = 0..8.
_WORD_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
# Columns with at most this many distinct values are decoded value by value.
_SMALL = 256


@dataclass(frozen=True)
class DistinctCells:
    """One column's cells as distinct values, with the code of the value each row holds."""

    codes: np.ndarray  # int64, one per row: position in ``values``
    values: np.ndarray  # object: each distinct cell text, stripped as str.strip() does
    sizes: np.ndarray  # int64: length in UTF-8 bytes of each value
    heads: np.ndarray  # uint8: first UTF-8 byte of each value (0 for an empty value)

    def texts(self) -> np.ndarray:
        """The text of every row's cell."""
        return self.values.take(self.codes)


@dataclass
class RawTable:
    """Text cells of a file by column, with the line each row has in the partner's spreadsheet."""

    header: list[str]
    lines: pd.Series  # spreadsheet line number of each row (header is line 1)
    encoding: str
    delimiter: str
    notes: list[Issue] = field(default_factory=list)
    source: object = field(default=None, repr=False)  # reads columns: distinct(positions)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> int:
        return len(self.lines)

    def distinct(self, position: int) -> DistinctCells:
        """The cells of the column at ``position`` (0-based), stripped, as distinct values."""
        return self.distinct_many([position])[0]

    def distinct_many(self, positions: list[int]) -> list[DistinctCells]:
        """``distinct`` for several columns; reading them together is faster."""
        todo = [p for p in dict.fromkeys(positions) if p not in self._cache]
        if todo:
            self._cache.update(zip(todo, self.source.distinct(todo), strict=True))
        return [self._cache[p] for p in positions]


@contextmanager
def short_lived_arrays() -> Iterator[None]:
    """Within this block numpy does not ask the kernel for huge pages.

    numpy advises transparent huge pages for arrays of 4 MB and more. Where the kernel then
    compacts memory on the spot (THP defrag "madvise", as on the machine this was measured on),
    each fault stalls; reading a million-row file spent about as long in the kernel as in
    Python. The arrays here live for a fraction of a second, so plain pages are the better
    deal. The setting is process-wide and restored on exit. (Keeping freed arrays in glibc's
    heap with mallopt was tried as well: it was slower.)
    """
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # another numpy layout: keep its default
        yield
        return
    previous = _set_madvise_hugepage(False)
    try:
        yield
    finally:
        _set_madvise_hugepage(previous)


def _refuse_binaries(data: bytes) -> None:
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
    head = data[:65536]
    # Many zero bytes: a binary file (UTF-16 and a stray NUL are told apart by guards).
    binary = head.count(b"\x00") * 100 > len(head) and not guards.looks_like_utf16(head)
    if binary and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(
            Issue(
                rule="not_csv",
                message="Le fichier contient des données binaires : ce n'est pas un fichier "
                "CSV texte. Exportez-le au format CSV depuis votre logiciel.",
            )
        )


def sniff_delimiter(header_line: str) -> str:
    """The delimiter is the one the header line uses most (headers hold no decimal commas)."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def read_table(data: bytes, known: Callable[[list[str]], int] | None = None) -> RawTable:
    """Parse a CSV file into columns of text cells; raise ``UnreadableFile`` if not a table.

    ``known(cells)`` counts the cells of a line that are column names the file should have:
    with it, title rows above the header are set aside (see ``guards.set_aside_preamble``).
    """
    if not data or data.isspace():
        raise UnreadableFile(
            Issue(rule="empty_file", message="Le fichier est vide : il ne contient aucune ligne.")
        )
    _refuse_binaries(data)
    utf8, encoding = guards.to_utf8(data)
    guards.screen_line_lengths(utf8)
    utf8, delimiter, notes = guards.set_aside_preamble(utf8, sniff_delimiter, known)
    start = re.match(rb"[\r\n]*", utf8).end()
    end = re.compile(rb"[\r\n]").search(utf8, start)
    header_line = utf8[start : end.start() if end else None].decode("utf-8")
    delimiter = delimiter or sniff_delimiter(header_line)
    guards.refuse_wide(header_line.count(delimiter) + 1, guards.line_of(utf8, start))
    table = _ByteSplit.read(utf8, delimiter)
    if table is None:
        table = _read_with_csv(utf8.decode("utf-8"), delimiter)
    header, source, lines = table
    return RawTable(
        header=header,
        lines=pd.Series(lines, dtype="int64"),
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
        source=source,
    )


def _no_data() -> UnreadableFile:
    # A file of blank lines and bare delimiters holds nothing, like an empty one.
    return UnreadableFile(
        Issue(rule="empty_file", message="Le fichier est vide : il ne contient aucune ligne.")
    )


def _header_only(line: int) -> UnreadableFile:
    return UnreadableFile(
        Issue(
            rule="header_only",
            message="Le fichier ne contient que la ligne d'en-tête, aucune donnée.",
            line=line,
        )
    )


def _trimmed_width(header: list[str], widest: int, has_value) -> int:
    """Width once trailing columns with no header and no value (stray separators) are dropped."""
    width = max(len(header), widest)
    while width and (width > len(header) or not header[width - 1]):
        idx = width - 1
        if has_value(idx) or (idx < len(header) and header[idx]):
            break
        width -= 1
    return width


# --- the csv module: the reference reading, used for files the byte splitter does not take ---


class _Records:
    """Rows already read as Python strings by the csv module."""

    def __init__(self, rows: list[list[str]]):
        self.rows = rows

    def distinct(self, positions: list[int]) -> list[DistinctCells]:
        return [self._column(j) for j in positions]

    def _column(self, j: int) -> DistinctCells:
        cells = np.array([r[j].strip() if j < len(r) else "" for r in self.rows], dtype=object)
        codes, values = pd.factorize(cells)
        encoded = [v.encode("utf-8") for v in values]
        return DistinctCells(
            codes=codes.astype(np.int64),
            values=np.asarray(values, dtype=object),
            sizes=np.array([len(e) for e in encoded], dtype=np.int64),
            heads=np.array([e[0] if e else 0 for e in encoded], dtype=np.uint8),
        )


def _read_with_csv(text: str, delimiter: str):
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    for number, record in enumerate(records, start=1):
        guards.refuse_wide(len(record), number)
    # Leading blank lines still count as spreadsheet lines.
    start = 0
    while start < len(records) and not any(c.strip() for c in records[start]):
        start += 1
    if start == len(records):
        raise _no_data()
    header = [h.strip() for h in records[start]]
    body, lines = [], []
    for offset, record in enumerate(records[start + 1 :], start=start + 2):
        if not any(c.strip() for c in record):
            continue  # blank line (often trailing): nothing to read
        body.append(record)
        lines.append(offset)
    width = _trimmed_width(
        header,
        max((len(r) for r in body), default=0),
        lambda idx: any(idx < len(r) and r[idx].strip() for r in body),
    )
    if not body:
        raise _header_only(start + 1)
    header = (header + [""] * width)[:width]
    return header, _Records(body), np.array(lines, dtype=np.int64)


# --- the byte splitter ---

# Files are scanned in slices of this many bytes, so that temporary masks stay small.
_SCAN = 1 << 22
# Distinct values are decoded this many at a time.
_DECODE = 1 << 16
# Files with fewer rows read their columns one after the other.
_THREADED_ROWS = 50_000


class _Buffer:
    """The file's UTF-8 bytes, read as bytes or as 8-byte words from any offset, without a copy.

    Reads beyond the end give zero bytes; callers only look at bytes inside a cell.
    """

    def __init__(self, utf8: bytes):
        self.data, self.size = utf8, len(utf8)
        self.bytes = np.frombuffer(utf8, dtype=np.uint8)
        # One little-endian word starting at every byte offset whose 8 bytes are in the file:
        # overlapping, unaligned views of the same memory (x86 and ARM64 read those natively).
        source = utf8 if self.size >= 8 else utf8 + bytes(8)  # a tiny file: pad it whole
        self.last_word = len(source) - 8
        self.words = np.ndarray(
            shape=(self.last_word + 1,), dtype="<u8", buffer=source, strides=(1,)
        )

    def at(self, offsets: np.ndarray) -> np.ndarray:
        return self.bytes.take(offsets, mode="clip")

    def words_at(self, start: np.ndarray, size: np.ndarray, scratch=None) -> np.ndarray:
        """The first (up to) 8 bytes at each offset as a little-endian word, zero past ``size``.

        ``scratch(name, length, dtype)`` may lend the arrays to work in.
        """
        n = len(start)
        scratch = scratch or _fresh
        near = None
        if n and int(start.max()) > self.last_word:  # words that would run past the end
            near = np.flatnonzero(start > self.last_word)
            tail = start.take(near)
            start = start.copy()
            start[near] = 0
        # Fancy indexing reads a strided view in place (``take`` would copy it whole first).
        low = self.words[start]
        if near is not None:
            low[near] = [int.from_bytes(self.data[at : at + 8], "little") for at in tail.tolist()]
        mask = np.take(
            _WORD_MASKS,
            np.minimum(size, 8, out=scratch("index", n, np.int64)),
            out=scratch("mask", n, np.uint64),
        )
        low &= mask
        return low


def _fresh(name: str, length: int, dtype) -> np.ndarray:
    return np.empty(length, dtype=dtype)


class _ByteSplit:
    """A file split on delimiters and line ends, cells located by byte offsets.

    ``ends[k]`` is the offset of the delimiter or line feed closing cell ``k``; row ``r`` (line
    ``r + 1``) holds cells ``first[r]`` to ``last[r]``.
    """

    def __init__(self, buffer: _Buffer, delimiter: str):
        self.buffer = buffer
        self.delimiter = ord(delimiter)
        n = buffer.size
        offset_type = np.int32 if n < 2**31 - 64 else np.int64
        ends, closing = [], []
        is_end, is_delimiter = np.empty(_SCAN, dtype=bool), np.empty(_SCAN, dtype=bool)
        # Carriage returns, and those that end a line (CRLF); any other ends a record too.
        returns = [0, 0] if b"\r" in buffer.data else None
        for low in range(0, n, _SCAN):
            part = buffer.bytes[low : low + _SCAN]
            found, other = is_end[: len(part)], is_delimiter[: len(part)]
            np.equal(part, _NL, out=found)
            np.equal(part, self.delimiter, out=other)
            found |= other
            at = np.flatnonzero(found)
            closes = part[at] == _NL
            closing.append(closes)
            at += low
            ends.append(at.astype(offset_type))
            if returns is not None:
                returns[0] += int(np.count_nonzero(np.equal(part, _CR, out=other)))
                line_ends = at[closes]
                returns[1] += int(np.count_nonzero(buffer.at(line_ends - 1) == _CR))
        if n and buffer.data[-1:] != b"\n":  # last line without a line end
            ends.append(np.array([n], dtype=offset_type))
            closing.append(np.array([True]))
        self.ends = np.concatenate(ends) if ends else np.empty(0, dtype=offset_type)
        self.last = np.flatnonzero(np.concatenate(closing)) if closing else np.empty(0, np.intp)
        self.first = np.empty_like(self.last)
        self.first[:1] = 0
        self.first[1:] = self.last[:-1] + 1
        self.counts = self.last - self.first + 1
        self.lone_returns = returns is not None and returns[0] != returns[1]
        self.quoted = False
        self.body: np.ndarray | None = None
        self.block = None  # the body's cell starts and ends as (rows x cells) views, if regular
        self._scratch: dict[tuple[int, str], np.ndarray] = {}

    def scratch(self, name: str, length: int, dtype) -> np.ndarray:
        """A work array reused from column to column (one set per thread): fresh memory is slow
        to come by."""
        key = (threading.get_ident(), name)
        kept = self._scratch.get(key)
        if kept is None or len(kept) < length or kept.dtype != dtype:
            kept = self._scratch[key] = np.empty(length, dtype=dtype)
        return kept[:length]

    @classmethod
    def read(cls, utf8: bytes, delimiter: str):
        """Header, column sources and lines, or None when only the csv module reads it right."""
        if sys.byteorder != "little" or b"\x00" in utf8:
            return None
        split = cls(_Buffer(utf8), delimiter)
        if split.counts.size:
            widest = int(np.argmax(split.counts))
            guards.refuse_wide(int(split.counts[widest]), widest + 1)
        if split.lone_returns:
            return None  # a carriage return alone ends a record for the csv module
        if b'"' in utf8 and not split._quotes_only_wrap_cells(utf8.count(b'"')):
            return None
        return split._table()

    def _quotes_only_wrap_cells(self, quotes: int) -> bool:
        """True when every quote opens or closes a whole cell: then no cell holds a separator."""
        start = np.empty(len(self.ends), dtype=np.int64)
        start[:1] = 0
        start[1:] = self.ends[:-1]
        start[1:] += 1
        end = self._without_return(self.ends.astype(np.int64), start, self.last)
        self.quoted = True
        return 2 * int(np.count_nonzero(self._wrapped(start, end))) == quotes

    def _without_return(self, end, start, closing):
        """Drop the carriage return of CRLF from the cells (``closing``) that end a row."""
        at = end.take(closing)
        end[closing] = at - ((at > start.take(closing)) & (self.buffer.at(at - 1) == _CR))
        return end

    def _wrapped(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Cells that open and close with a quote."""
        wrapped = (end - start >= 2) & (self.buffer.at(start) == _QUOTE)
        return wrapped & (self.buffer.at(end - 1) == _QUOTE)

    def bounds(self, rows: np.ndarray, j: int):
        """Byte range of cell ``j`` of each row, quotes removed; empty where a row is shorter."""
        counts = self.counts.take(rows)
        cells = self.first.take(rows) + j
        present = None if counts.min() > j else counts > j
        if present is not None:
            cells[~present] = 0
        start = self.ends.take(cells - 1).astype(np.int64)
        start += 1
        if j == 0:
            start[cells == 0] = 0
        end = self.ends.take(cells).astype(np.int64)
        closing = np.flatnonzero(counts == j + 1)
        if closing.size:
            end = self._without_return(end, start, closing)
        if present is not None:
            start[~present] = 0
            end[~present] = 0
        return self._unquote(start, end)

    def _unquote(self, start: np.ndarray, end: np.ndarray):
        if self.quoted:
            wrapped = self._wrapped(start, end)
            start += wrapped
            end -= wrapped
        return start, end

    def _set_body(self, body: np.ndarray) -> None:
        """Remember the body rows; when they are adjacent and alike, view their cells as a grid."""
        self.body = body
        counts = self.counts.take(body)
        if not body.size or (counts != counts[0]).any() or body[-1] - body[0] + 1 != len(body):
            return
        low, high = self.first[body[0]], self.last[body[-1]] + 1  # the header comes before
        self.block = (
            self.ends[low - 1 : high - 1].reshape(len(body), -1),
            self.ends[low:high].reshape(len(body), -1),
        )

    def _strip(self, start: np.ndarray, end: np.ndarray):
        """Remove ASCII spaces at both ends, in place; flag cells that may hold wider ones."""
        edgy = _EDGE_FIRST.take(self.buffer.at(start))
        edgy |= _EDGE_LAST.take(self.buffer.at(end - 1))
        edgy &= end > start
        todo = np.flatnonzero(edgy)
        wide = np.zeros(len(start), dtype=bool)
        if not todo.size:
            return start, end, wide
        at = self.buffer.at
        first, last = start.take(todo), end.take(todo)
        while (more := np.flatnonzero((last > first) & _ASCII_SPACE.take(at(first)))).size:
            first[more] += 1
        while (more := np.flatnonzero((last > first) & _ASCII_SPACE.take(at(last - 1)))).size:
            last[more] -= 1
        size = last - first
        maybe = (size > 0) & _ANY_WIDE_LEAD.take(at(first))
        for width, leads in _WIDE_SPACE_LEADS.items():
            maybe |= (size >= width) & leads.take(at(last - width))
        start[todo], end[todo], wide[todo] = first, last, maybe
        return start, end, wide

    def texts(self, start: np.ndarray, end: np.ndarray) -> list[str]:
        """The decoded text of byte ranges (which never hold a line feed)."""
        data = self.buffer.data
        if len(start) <= _SMALL:
            pairs = zip(start.tolist(), end.tolist(), strict=True)
            return [data[a:b].decode("utf-8") for a, b in pairs]
        texts: list[str] = []
        for low in range(0, len(start), _DECODE):
            first = start[low : low + _DECODE]
            size = end[low : low + _DECODE] - first
            step = size + 1  # each text, then a line feed
            out = np.cumsum(step) - step
            source = np.repeat(first - out, step)
            source += np.arange(len(source))
            joined = self.buffer.at(source)
            joined[out + size] = _NL
            texts.extend(joined.tobytes().decode("utf-8").split("\n")[:-1])
        return texts

    def has_text(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Whether each byte range holds something other than spaces."""
        start, end, wide = self._strip(start.copy(), end.copy())
        found = (end > start) & ~wide
        for i in np.flatnonzero(wide).tolist():
            found[i] = bool(self.buffer.data[start[i] : end[i]].decode("utf-8").strip())
        return found

    def _table(self):
        # A line whose first byte is a visible character other than a delimiter or a quote has
        # text; the others are looked at cell by cell.
        line_start = self.ends.take(self.first - 1).astype(np.int64)
        line_start += 1
        line_start[:1] = 0
        head = self.buffer.at(line_start)
        text_rows = _VISIBLE.take(head) & (head != self.delimiter) & (head != _QUOTE)
        pending = np.flatnonzero(~text_rows)
        j = 0
        while pending.size:
            found = self.has_text(*self.bounds(pending, j))
            text_rows[pending[found]] = True
            pending = pending[~found]
            pending = pending[self.counts.take(pending) > j + 1]
            j += 1
        kept = np.flatnonzero(text_rows)
        if not kept.size:
            raise _no_data()
        at = int(kept[0])
        cells = np.arange(self.first[at], self.last[at] + 1)
        start = self.ends.take(cells - 1).astype(np.int64) + 1
        start[cells == 0] = 0
        end = self.ends.take(cells).astype(np.int64)
        end = self._without_return(end, start, np.array([len(cells) - 1]))
        header = [t.strip() for t in self.texts(*self._unquote(start, end))]
        body = kept[1:]
        self._set_body(body)
        width = _trimmed_width(
            header,
            int(self.counts.take(body).max()) if body.size else 0,
            lambda idx: bool(self.has_text(*self._cells(None, idx)).any()),
        )
        if not body.size:
            raise _header_only(at + 1)
        header = (header + [""] * width)[:width]
        return header, self, body.astype(np.int64) + 1

    def distinct(self, positions: list[int]) -> list[DistinctCells]:
        """Distinct stripped values of the body's cells in each column of ``positions``.

        Columns are independent and numpy lets go of the GIL in its loops, so two threads read
        two columns at once.
        """

        def one(j: int) -> DistinctCells:
            return _stripped(self._distinct(j, *self._cells(None, j, self.scratch)))

        try:
            if len(positions) < 2 or len(self.body) < _THREADED_ROWS:
                return [one(j) for j in positions]
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sdsf-read") as pool:
                return list(pool.map(one, positions))
        finally:
            self._scratch.clear()

    def _cells(self, index: np.ndarray | None, j: int, scratch=None):
        """Byte range of cell ``j`` of the body rows at ``index`` (positions in the body; None:
        all of them), quotes removed; empty where a row is shorter."""
        if self.block is None:
            return self.bounds(self.body if index is None else self.body.take(index), j)
        before, after = self.block
        count = len(after) if index is None else len(index)
        if j >= after.shape[1]:  # beyond every row's last cell
            return np.zeros(count, dtype=np.int64), np.zeros(count, dtype=np.int64)
        scratch = scratch or _fresh
        start, end = scratch("start", count, np.int64), scratch("end", count, np.int64)
        if index is None:
            np.add(before[:, j], 1, out=start)
            end[:] = after[:, j]
        else:
            np.add(before[:, j].take(index), 1, out=start)
            end[:] = after[:, j].take(index)
        if j == after.shape[1] - 1:
            end -= (end > start) & (self.buffer.at(end - 1) == _CR)
        return self._unquote(start, end)

    def _distinct(self, j: int, start: np.ndarray, end: np.ndarray):
        """Group equal cells of column ``j`` (byte ranges), comparing them 8 bytes at a time.

        Returns the codes, and for each distinct cell its text, size, first and last byte. The
        file holds no zero byte, so padding a cell with zeros cannot make two cells look alike.
        """
        sizes = np.subtract(end, start, out=self.scratch("sizes", len(start), np.int64))
        first = self.buffer.words_at(start, sizes, self.scratch)
        longer = np.flatnonzero(sizes > 8)
        key, extra = _fold(self.buffer, first, start, sizes, longer)
        if _all_distinct(key):  # a code per row (an identifier column): nothing to group
            codes = reps = np.arange(len(key))
        elif not longer.size:  # every value fits in its first word: decode the words themselves
            codes, uniques = pd.factorize(first)
            grid = uniques.astype("<u8").view(np.uint8).reshape(-1, 8)
            counts = np.count_nonzero(grid, axis=1)
            texts = [w.rstrip(b"\x00").decode("utf-8") for w in uniques.astype("<u8").view("S8")]
            tails = grid[np.arange(len(grid)), np.maximum(counts - 1, 0)]
            return codes, texts, counts.astype(np.int64), grid[:, 0].copy(), tails
        else:
            codes = _verified(key, first, sizes, extra)
            if codes is None:
                codes = _group_exact(self.buffer, first, start, sizes, longer)
            reps = np.empty(int(codes.max()) + 1, dtype=np.int64)
            reps[codes] = np.arange(len(codes))
        rep_start, rep_end = self._cells(reps, j)
        texts = self.texts(rep_start, rep_end)
        counts = rep_end - rep_start
        heads = np.where(counts > 0, self.buffer.at(rep_start), 0).astype(np.uint8)
        tails = np.where(counts > 0, self.buffer.at(rep_end - 1), 0).astype(np.uint8)
        return codes, texts, counts, heads, tails


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it loses nothing


def _fold(buffer: _Buffer, first, start, sizes, longer):
    """One 64-bit key per cell: its first word, with the further words of longer cells folded in.

    Equal cells get equal keys; different cells almost never do, and ``_verified`` makes sure.
    Returns the keys and, per further word, the cells that have one and that word.
    """
    if not longer.size:
        return first, []
    key = first.copy()
    extra = []
    rows, at, left, offset = longer, start.take(longer), sizes.take(longer), 8
    while rows.size:
        words = buffer.words_at(at + offset, left - offset)
        extra.append((rows, words))
        folded = key.take(rows)
        folded *= _MIX
        folded ^= words
        key[rows] = folded
        offset += 8
        more = left > offset
        rows, at, left = rows[more], at[more], left[more]
    return key, extra


def _all_distinct(key: np.ndarray) -> bool:
    """Whether no two keys are equal (then no two cells are), tried only when a sample says so."""
    sample = key[:: max(1, len(key) // 1024)]
    if len(np.unique(sample)) < len(sample):
        return False
    ordered = np.sort(key)
    return not (ordered[1:] == ordered[:-1]).any()


def _verified(key, first, sizes, extra) -> np.ndarray | None:
    """Dense codes of the keys, or None if two different cells share a key (a collision).

    Every cell is compared, word by word, with the first cell of its group.
    """
    codes, uniques = pd.factorize(key)
    group_first = np.empty(len(uniques), dtype=np.int64)
    group_first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)
    mate = group_first.take(codes)
    if not ((sizes.take(mate) == sizes).all() and (first.take(mate) == first).all()):
        return None
    whole = np.empty(len(first), dtype=np.uint64)
    for rows, words in extra:  # equal sizes: a cell's mate has as many words as it has
        whole[rows] = words
        if not (whole.take(mate.take(rows)) == words).all():
            return None
    return codes


def _group_exact(buffer: _Buffer, first, start, sizes, longer) -> np.ndarray:
    """Dense codes grouping cells by all their bytes, pairing codes word after word."""
    codes, uniques = pd.factorize(first)
    start, sizes = start.take(longer), sizes.take(longer)
    count, offset = len(uniques), 8
    while longer.size:
        word_codes, word_uniques = pd.factorize(buffer.words_at(start + offset, sizes - offset))
        pairs, pair_uniques = pd.factorize(codes.take(longer) * len(word_uniques) + word_codes)
        codes[longer] = count + pairs  # fresh codes: these cells differ from shorter ones
        count += len(pair_uniques)
        offset += 8
        more = sizes > offset
        longer, start, sizes = longer[more], start[more], sizes[more]
    used = np.zeros(count, dtype=bool)
    used[codes] = True
    return (np.cumsum(used) - 1).take(codes)


def _stripped(found) -> DistinctCells:
    """Distinct texts stripped as ``str.strip`` does; texts that become equal are merged."""
    codes, texts, sizes, heads, tails = found
    values = np.array(texts, dtype=object)
    edgy = np.flatnonzero((sizes > 0) & (_EDGE_FIRST.take(heads) | _EDGE_LAST.take(tails)))
    if edgy.size:
        encoded = []
        for i in edgy.tolist():
            values[i] = values[i].strip()
            encoded.append(values[i].encode("utf-8"))
        sizes[edgy] = [len(e) for e in encoded]
        heads[edgy] = [e[0] if e else 0 for e in encoded]
        merged, uniques = pd.factorize(values)
        if len(uniques) < len(values):
            codes = merged.take(codes)
            sizes, heads = (
                _regroup(sizes, merged, len(uniques)),
                _regroup(heads, merged, len(uniques)),
            )
            values = np.asarray(uniques, dtype=object)
    return DistinctCells(codes, values, sizes, heads)


def _regroup(per_value: np.ndarray, merged: np.ndarray, count: int) -> np.ndarray:
    out = np.empty(count, dtype=per_value.dtype)
    out[merged] = per_value
    return out
