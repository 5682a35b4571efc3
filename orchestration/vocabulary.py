"""Every code list of the project and its French labels, read from ``sources/vocabulary.yaml``.

This is the one place code lists come from: contracts take their accepted values here, loaders
check codes against it, receipts, the portal and the exports label codes with it, and
:func:`vocabulary_table` hands it to the warehouse (``raw.vocabulary``), where dbt joins labels
and tests codes. Logic compares codes; only what a person reads uses :func:`label`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration import yaml_loading
from orchestration.settings import SOURCES_DIR

VOCABULARY_PATH = SOURCES_DIR / "vocabulary.yaml"
TABLE_COLUMNS = {
    "vocabulary": "VARCHAR",
    "code": "VARCHAR",
    "label": "VARCHAR",
    "definition": "VARCHAR",
    "position": "INTEGER",
}


class VocabularyError(ValueError):
    """The vocabulary file breaks its own rules (a duplicate code, a missing label...)."""


@dataclass(frozen=True)
class Entry:
    """One code of a list, its French label and the attributes a rule may need."""

    code: str
    label: str
    definition: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


def _parse(data: Any, path: Path) -> dict[str, tuple[Entry, ...]]:
    if not isinstance(data, dict) or not data:
        raise VocabularyError(f"{path}: expected a mapping of code lists")
    lists: dict[str, tuple[Entry, ...]] = {}
    for name, items in data.items():
        if not isinstance(items, list) or not items:
            raise VocabularyError(f"{path}: {name}: expected a non-empty list of codes")
        entries, seen = [], set()
        for i, item in enumerate(items):
            where = f"{path}: {name}[{i}]"
            if not isinstance(item, dict):
                raise VocabularyError(f"{where}: expected {{code, label}}")
            code, label = item.get("code"), item.get("label")
            if not isinstance(code, str) or not code.strip():
                raise VocabularyError(f"{where}: code must be non-empty text")
            if not isinstance(label, str) or not label.strip():
                raise VocabularyError(f"{where}: label must be non-empty text")
            if code in seen:
                raise VocabularyError(f"{where}: duplicate code {code!r}")
            seen.add(code)
            definition = item.get("definition")
            if definition is not None and (not isinstance(definition, str) or not definition):
                raise VocabularyError(f"{where}: definition must be non-empty text")
            extra = {k: v for k, v in item.items() if k not in ("code", "label", "definition")}
            entries.append(Entry(code, label, definition, extra))
        lists[str(name)] = tuple(entries)
    return lists


@cache
def load(path: Path = VOCABULARY_PATH) -> dict[str, tuple[Entry, ...]]:
    """Every list of the vocabulary file, checked, by name."""
    return _parse(yaml_loading.safe_load(Path(path).read_text(encoding="utf-8")), Path(path))


def entries(name: str) -> tuple[Entry, ...]:
    try:
        return load()[name]
    except KeyError:
        raise KeyError(f"no code list {name!r} in {VOCABULARY_PATH.name}") from None


def codes(name: str) -> tuple[str, ...]:
    """The codes of a list, in display order."""
    return tuple(entry.code for entry in entries(name))


def labels(name: str) -> dict[str, str]:
    """Code -> French label of a list, in display order."""
    return {entry.code: entry.label for entry in entries(name)}


def label(name: str, code: str | None, default: str | None = None) -> str:
    """The French label of a code; ``default`` (else the code itself) when the list lacks it."""
    found = labels(name).get(code) if code is not None else None
    if found is not None:
        return found
    return default if default is not None else str(code)


def attribute(name: str, code: str, key: str) -> Any:
    """An attribute of one code (e.g. ``attribute("granularities", "quarter", "months")``)."""
    for entry in entries(name):
        if entry.code == code:
            return entry.attributes[key]
    raise KeyError(f"{code!r} is not a code of {name}")


def vocabulary_table() -> pd.DataFrame:
    """The whole vocabulary as rows (vocabulary, code, label, definition, position)."""
    rows = [
        (name, entry.code, entry.label, entry.definition, position)
        for name, items in load().items()
        for position, entry in enumerate(items, start=1)
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(TABLE_COLUMNS))
    return frame.astype(
        {
            "vocabulary": "string",
            "code": "string",
            "label": "string",
            "definition": "string",
            "position": "Int32",
        }
    )
