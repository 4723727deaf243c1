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


from ..errors import ConstructError, QualcodeError  # noqa: F401  (ConstructError re-exported)
from ..fileutil import is_missing  # noqa: F401  (used by the construct modules)
from ..yamlutil import line_of  # noqa: F401  (re-exported for the construct modules)
from ..yamlutil import parse_yaml as _parse_yaml
from ..yamlutil import read_yaml as _read_yaml




def parse_yaml(text: str, path: str) -> Any:
    """Parse YAML text into :class:`LineDict` / :class:`LineList` values."""
    return _parse_yaml(text, path, ConstructError)


def read_yaml(path: Path) -> Any:
    """Read and parse a YAML file (UTF-8, with or without BOM)."""
    return _read_yaml(path, ConstructError)


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

    def records(self, data: Any, key: str, file_what: str, item_what: str,
                item_keys: Iterable[str]) -> list[tuple[str, dict]]:
        """The entries of a project file made of one list under ``key`` (e.g. ``events:``):
        ``(what, entry)`` per entry, ``what`` naming it in errors ("event 2"); a file that is
        not such a list, lists nothing, or has unknown keys is refused at its line."""
        data = self.mapping(data, file_what)
        self.check_keys(data, (key,), file_what)
        items = self.sequence(data.get(key), f"'{key}'", data, key)
        if not items:
            raise self.fail(f"{file_what} lists no {key}; add them under '{key}:'", data, key)
        out = []
        for i, item in enumerate(items):
            what = f"{item_what} {i + 1}"
            item = self.mapping(item, what, items, i)
            self.check_keys(item, item_keys, what)
            out.append((what, item))
        return out

    def date(self, entry: dict, what: str):
        """The entry's required ``date`` as a ``datetime.date``."""
        from ..fileutil import as_date

        date = as_date(entry.get("date"))
        if date is None:
            raise self.fail(f"{what} has no readable 'date'; write it as 2025-05-21 or 21.5.2025", entry,
                            "date" if "date" in entry else None)
        return date

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


def as_text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
