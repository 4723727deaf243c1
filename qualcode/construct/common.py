"""Shared pieces of the construct files: the error class, a YAML loader that keeps line
numbers (so every error names the file and the line), and small value helpers.

>>> data = parse_yaml("a: 1\\nb:\\n  - x\\n  - y\\n", "demo.yaml")
>>> data.key_lines["b"], data["b"].item_lines
(2, [3, 4])
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Optional

import yaml

from ..errors import QualcodeError


class ConstructError(QualcodeError):
    """A segmentation, care model, timeline or template file is invalid (one sentence with
    the file, the line and what to do)."""


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line = 0
    key_lines: dict


class LineList(list):
    """A list that remembers its own line and the line of each item (1-based)."""

    line = 0
    item_lines: list


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (list, dict)):
                raise ConstructError("a key must be plain text", path=self._qc_path, line=line)
            key = str(key) if not isinstance(key, str) else key
            if key in out.key_lines:
                raise ConstructError(f"the key '{key}' appears twice in the same entry; keep one",
                                     path=self._qc_path, line=line)
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = line
        return out

    def construct_sequence(self, node, deep=False):  # noqa: D401 - PyYAML hook
        out = LineList(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)


def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text into :class:`LineDict` / :class:`LineList` values."""
    loader = _Loader(text)
    loader._qc_path = path
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConstructError(f"YAML syntax error ({problem}); fix the YAML syntax there",
                             path=path, line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise ConstructError(f"this YAML file cannot be read ({exc}); fix it", path=path) from None
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file (UTF-8, with or without BOM)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConstructError("the file is not UTF-8 text; save it as UTF-8", path=str(path)) from None
    return parse_yaml(text, str(path))


def line_of(container: Any, key: Any = None) -> Optional[int]:
    """The line of ``key`` (a mapping key or a list index) in ``container``, else the
    container's own line, else None."""
    if key is not None:
        if isinstance(container, LineDict) and key in container.key_lines:
            return container.key_lines[key]
        if isinstance(container, LineList) and isinstance(key, int) and key < len(container.item_lines):
            return container.item_lines[key]
    line = getattr(container, "line", 0)
    return line or None


class Where:
    """The file an error is reported against, with a helper to raise at a line."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, message: str, container: Any = None, key: Any = None,
             line: Optional[int] = None) -> ConstructError:
        if line is None and container is not None:
            line = line_of(container, key)
        return ConstructError(message, path=self.path, line=line)

    def mapping(self, value: Any, what: str, container: Any = None, key: Any = None) -> dict:
        if not isinstance(value, dict):
            raise self.fail(f"{what} must be a mapping of keys and values, not {_show(value)}",
                            container, key)
        return value

    def sequence(self, value: Any, what: str, container: Any = None, key: Any = None,
                 allow_scalar: bool = False) -> list:
        if value is None:
            return []
        if allow_scalar and not isinstance(value, (list, dict)):
            return [value]
        if not isinstance(value, list):
            raise self.fail(f"{what} must be a list (one '- ' item a line), not {_show(value)}",
                            container, key)
        return value

    def check_keys(self, entry: dict, allowed: Iterable[str], what: str) -> None:
        allowed = list(allowed)
        for key in entry:
            if key not in allowed:
                raise self.fail(f"unknown key '{key}' in {what}; allowed keys are {', '.join(allowed)}",
                                entry, key)

    def text(self, entry: dict, key: str, what: str, required: bool = False, default: str = "") -> str:
        value = entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(f"{what} has no '{key}'; give it one", entry, key if key in entry else None)
            return default
        if isinstance(value, (list, dict)):
            raise self.fail(f"'{key}' of {what} must be text, not {_show(value)}", entry, key)
        return str(value).strip()

    def texts(self, entry: dict, key: str, what: str) -> list[str]:
        value = entry.get(key)
        items = self.sequence(value, f"'{key}' of {what}", entry, key, allow_scalar=True)
        out = []
        for i, item in enumerate(items):
            if isinstance(item, (list, dict)):
                raise self.fail(f"item {i + 1} of '{key}' in {what} must be text, not {_show(item)}",
                                items, i)
            if item is not None and str(item).strip():
                out.append(str(item).strip())
        return out


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_SPACE = re.compile(r"\s+")


def norm(text: Any) -> str:
    """Case- and space-insensitive form of a name, for matching."""
    return _SPACE.sub(" ", str(text)).strip().casefold()


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
