"""The byte splitter reads every file exactly as Python's csv module does, only faster.

``read_table`` splits most files with numpy on their bytes and hands the rest to the csv module
(the reference reading). These tests read the same files both ways and compare header, lines
and every cell, over generated files full of the dialect quirks partners send.
"""

from __future__ import annotations

import random
import sys

import numpy as np
import pytest

from orchestration.intake import reading
from orchestration.intake.reading import UnreadableFile, read_table

CELLS = [
    "2017",
    "S1",
    "EAJE_COLLECTIF",
    "40192",
    "24",
    "",
    " 12 ",
    "\u00a0x\u00a0",
    "\u2003",
    "Crèche Été",
    "é",
    "€",
    "nan",
    "=1+1",
    "a b",
    "x" * 9,
    "y" * 17,
    "z" * 30,
    "12,5",
    "\t",
]


def _file(rng: random.Random) -> bytes:
    delimiter = rng.choice([";", ",", "\t"])
    width = rng.randint(1, 6)
    rows = [[rng.choice(["periode", "code", "Libellé", ""]) for _ in range(width)]]
    for _ in range(rng.randint(0, 30)):
        row = [rng.choice(CELLS).replace(delimiter, "") for _ in range(width)]
        shape = rng.random()
        if shape < 0.1:
            row = row[: rng.randint(0, width)]
        elif shape < 0.2:
            row += [rng.choice(CELLS).replace(delimiter, "") for _ in range(rng.randint(1, 3))]
        rows.append(row)
    if rng.random() < 0.3:
        rows.insert(rng.randint(0, len(rows)), [])
    quoted = rng.random()

    def cell(text: str) -> str:
        if quoted < 0.2 or (quoted < 0.3 and rng.random() < 0.5):
            return f'"{text}"'
        if quoted < 0.35 and rng.random() < 0.1:
            return f'"{text}{delimiter}x"'  # a delimiter inside quotes: csv module's business
        return text

    line_end = rng.choice(["\n", "\r\n", "\r\n", "\r"])
    text = line_end.join(delimiter.join(cell(c) for c in r) for r in rows)
    text += rng.choice(["", line_end, line_end * 3])
    encoding = rng.choice(["utf-8", "utf-8-sig", "cp1252"])
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _read(data: bytes, *, bytewise: bool, monkeypatch):
    with monkeypatch.context() as patch:
        if not bytewise:
            patch.setattr(reading._ByteSplit, "read", classmethod(lambda cls, utf8, d: None))
        try:
            table = read_table(data)
        except UnreadableFile as exc:
            return exc.issue.rule
        cells = [table.distinct(j).texts().tolist() for j in range(len(table.header))]
        return table.header, table.lines.tolist(), cells


@pytest.mark.parametrize("seed", range(8))
def test_byte_splitter_reads_what_the_csv_module_reads(seed, monkeypatch):
    rng = random.Random(seed)
    for _ in range(60):
        data = _file(rng)
        assert _read(data, bytewise=True, monkeypatch=monkeypatch) == _read(
            data, bytewise=False, monkeypatch=monkeypatch
        ), data


def test_every_space_python_strips_is_known():
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert spaces == reading.SPACES


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200])
def test_words_are_read_exactly_up_to_the_end_of_the_file(size):
    rng = np.random.default_rng(size)
    data = bytes(rng.integers(1, 256, size, dtype=np.uint8))
    buffer = reading._Buffer(data)
    start = np.array([a for a in range(size) for _ in range(3)], dtype=np.int64)
    lengths = np.array([min(k, size - a) for a in range(size) for k in (0, 5, 12)], dtype=np.int64)
    words = buffer.words_at(start, lengths).tolist()
    expected = [
        int.from_bytes(data[a : a + min(k, 8)].ljust(8, b"\0"), "little")
        for a, k in zip(start.tolist(), lengths.tolist(), strict=True)
    ]
    assert words == expected


def test_long_cells_are_told_apart_even_when_their_keys_collide(monkeypatch):
    group_exact = reading._group_exact
    codes = [f"STRUCTURE-{i % 7:03d}-{'X' * (i % 5)}" for i in range(60_000)]
    text = "code;n\n" + "".join(f"{c};{i % 3}\n" for i, c in enumerate(codes))
    expected = read_table(text.encode()).distinct(0).texts().tolist()
    # A fold that forgets all but the last word makes different cells share keys.
    monkeypatch.setattr(reading, "_MIX", np.uint64(0))
    exact = []
    monkeypatch.setattr(reading, "_group_exact", lambda *a: exact.append(1) or group_exact(*a))
    assert read_table(text.encode()).distinct(0).texts().tolist() == expected == codes
    assert exact, "the collision went unnoticed"
