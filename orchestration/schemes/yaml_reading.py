"""Reading the YAML definitions so that every problem can be told with its file and line.

A problem is an :class:`Issue`, printed ``<file>:<line>: <path in the document>: <what is
wrong>``; loaders collect the issues of a file before raising one :class:`SchemeError`.
Duplicate keys are refused (PyYAML silently keeps the last one), and top-level keys starting
with ``x-`` are dropped: they hold YAML anchors shared by several formulas (as in
docker-compose extension fields).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from orchestration.yaml_loading import SAFE_LOADER

# Where a value sits in a document: keys and list indexes from the top.
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One problem in one file: where it is and what is wrong."""

    file: Path
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class SchemeError(Exception):
    """Raised when a scheme, measures or partners file is invalid; lists every problem found."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = list(issues)
        if len(self.issues) == 1:
            text = str(self.issues[0])
        else:
            text = f"{len(self.issues)} problems found:\n" + "\n".join(
                f"  - {issue}" for issue in self.issues
            )
        super().__init__(text)


class _StrictLoader(SAFE_LOADER):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {key!r} (first at line {first})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


@dataclass
class Document:
    """A parsed YAML file with its node tree, so problems can be located by line."""

    file: Path
    data: Any
    root: yaml.Node | None

    def issue(self, loc: Loc, message: str) -> Issue:
        path, line = _locate(self.data, self.root, loc)
        return Issue(self.file, path, line, message)


def read_yaml(path: Path) -> tuple[Document | None, list[Issue]]:
    """The file as a :class:`Document`, or None and the reason it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Issue(path, "", None, "file not found")]
    except UnicodeDecodeError:
        return None, [Issue(path, "", None, "not UTF-8 text")]
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        where = f" at line {line}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        hint = ""
        if "duplicate key" not in problem:
            hint = " (check the indentation and the quotes on this line and the one before)"
        return None, [Issue(path, "", line, f"YAML syntax error{where}: {problem}{hint}")]
    finally:
        loader.dispose()
    if data is None:
        return None, [Issue(path, "", None, "the file is empty")]
    if not isinstance(data, dict):
        return None, [Issue(path, "", 1, "expected a mapping of fields at the top level")]
    data = {key: value for key, value in data.items() if not str(key).startswith("x-")}
    return Document(path, data, root), []


def _child_node(node: yaml.Node | None, key: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return value_node
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        return node.value[key]
    return None


def _locate(data: Any, root: yaml.Node | None, loc: Loc) -> tuple[str, int | None]:
    """Turn a location (keys and indexes) into a readable path and the line it points to."""
    path = ""
    value, node = data, root
    line = root.start_mark.line + 1 if root is not None else None
    for segment in loc:
        if segment == "[key]":
            continue
        if isinstance(value, list) and isinstance(segment, int):
            path += f"[{segment}]"
            value = value[segment] if 0 <= segment < len(value) else None
        elif isinstance(segment, int) and not (
            isinstance(value, dict) and any(str(k) == str(segment) for k in value)
        ):
            # a single term the models wrapped into a list: the document has no index here
            continue
        else:
            path += f".{segment}" if path else str(segment)
            if isinstance(value, dict):
                key = next((k for k in value if str(k) == str(segment)), None)
                value = value[key] if key is not None else None
            else:
                value = None
        node = _child_node(node, segment)
        if node is not None:
            line = node.start_mark.line + 1
    return path, line


def _plain_message(error: dict[str, Any]) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling)"
    if kind == "string_type":
        hint = "; put codes in quotes" if isinstance(given, int | float) else ""
        return f"expected text, got {given!r}{hint}"
    if isinstance(given, dict | list) or given is None:
        return error["msg"]
    return f"{error['msg']}, got {given!r}"


def parse(document: Document, model: type[BaseModel]) -> tuple[Any, list[Issue]]:
    """The document as ``model``, or None and one located issue per field pydantic refused."""
    try:
        return model.model_validate(document.data), []
    except ValidationError as exc:
        return None, [
            document.issue(tuple(err["loc"]), _plain_message(err)) for err in exc.errors()
        ]


def read_model(path: Path, model: type[BaseModel]) -> tuple[Document, Any]:
    """Read and parse one file as ``model``; raise :class:`SchemeError` if either fails."""
    document, issues = read_yaml(path)
    if document is None:
        raise SchemeError(issues)
    parsed, issues = parse(document, model)
    if parsed is None:
        raise SchemeError(issues)
    return document, parsed


def duplicates(items: Iterable[tuple[Loc, str]], what: str, document: Document) -> list[Issue]:
    """An issue at each repetition of a code already seen among ``items``."""
    seen: set[str] = set()
    issues = []
    for loc, code in items:
        if code in seen:
            issues.append(document.issue(loc, f"duplicate {what} {code!r}"))
        seen.add(code)
    return issues
