"""YAML that remembers line numbers, so errors in user files can name the line.

>>> data = parse_yaml("codes:\\n  - id: a\\n  - id: b\\n", "koodit.yaml")
>>> data.key_lines["codes"], line_of(data["codes"], 1), line_of(data["codes"][1], "id")
(1, 3, 3)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import yaml

from .errors import QualcodeError


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line = 0
    key_lines: dict


class LineList(list):
    """A list that remembers its own line and the line of each item (1-based)."""

    line = 0
    item_lines: list


# libyaml's parser when PyYAML was built with it (much faster); the constructor stays ours
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    _qc_path = ""
    _qc_error = QualcodeError

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (list, dict)):
                raise self._qc_error("a key must be plain text", path=self._qc_path, line=line)
            if key in out.key_lines:
                raise self._qc_error(f"the key '{key}' appears twice in the same entry; keep one",
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


def parse_yaml(text: str, path: str, error: type = QualcodeError) -> Any:
    """Parse YAML text into :class:`LineDict` / :class:`LineList` values; syntax errors raise
    ``error`` (a :class:`QualcodeError` subclass) with the file and line."""
    loader = _Loader(text)
    loader._qc_path = path
    loader._qc_error = error
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise error(f"YAML syntax error ({problem}); fix the YAML syntax there",
                    path=path, line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise error(f"this YAML file cannot be read ({exc}); fix it", path=path) from None
    finally:
        loader.dispose()


def read_yaml(path: Path, error: type = QualcodeError) -> Any:
    """Read and parse a YAML file (UTF-8, with or without BOM)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8",
                    path=str(path)) from None
    return parse_yaml(text, str(path), error)


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
