"""``qualcode.toml``: the project's settings.

>>> cfg = ProjectConfig(title="Pilotti")
>>> "title = \\"Pilotti\\"" in cfg.to_toml()
True
"""
from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Optional

from .errors import ProjectError
from .labels import check_language

CONFIG_NAME = "qualcode.toml"
STORE_DIR = ".qualcode"
STORE_NAME = "project.db"


@dataclass
class ProjectConfig:
    """The settings in ``qualcode.toml`` (every field has a default)."""
    title: str = ""
    language: str = "fi"                 # fi | en: default label language and NLP language
    analysis_mode: str = "theory-guided"  # data-driven | theory-guided | theory-driven
    coder: str = "researcher"            # default coder name for human decisions
    coders: list[str] = field(default_factory=list)
    lemmatizer: str = "auto"             # NLP backend (see qualcode.nlp): auto = voikko when installed
    interviewer_labels: list[str] = field(default_factory=list)
    speaker_pattern: str = ""            # extra regex for speaker labels
    max_file_mb: float = 50.0            # larger files are refused (split them)
    codebook: str = ""                   # default codebook path, relative to the project
    key_file: str = ""                   # pseudonymisation key, kept outside the project
    pseudonymise: bool = False           # pseudonymise every report and export by default

    def to_toml(self) -> str:
        """The settings as the text of a ``qualcode.toml`` file."""
        lines = []
        for k, v in asdict(self).items():
            if isinstance(v, str):
                lines.append(f'{k} = "{_escape(v)}"')
            elif isinstance(v, bool):
                lines.append(f"{k} = {'true' if v else 'false'}")
            elif isinstance(v, (int, float)):
                lines.append(f"{k} = {v}")
            elif isinstance(v, list):
                lines.append(f"{k} = [{', '.join(chr(34) + _escape(str(x)) + chr(34) for x in v)}]")
        return "\n".join(lines) + "\n"


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def load_config(path: Path) -> ProjectConfig:
    """Read ``qualcode.toml``; invalid TOML, an unknown setting or a language other than
    fi/en raises :class:`ProjectError` naming the file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"qualcode.toml is not valid TOML ({exc}); fix the line it names",
                           path=str(path)) from None
    known = {f.name for f in fields(ProjectConfig)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ProjectError(f"unknown setting '{unknown[0]}' in qualcode.toml; known settings are "
                           f"{', '.join(sorted(known))}", path=str(path))
    for key, value in data.items():
        _check_type(key, value, path)
    check_language(data.get("language"), error=ProjectError, path=str(path))
    return ProjectConfig(**data)


#: What each kind of setting must be, as (check, how to say it to the user).
_KINDS = {
    str: (lambda v: isinstance(v, str), 'text in quotes, e.g. key = "value"'),
    bool: (lambda v: isinstance(v, bool), "true or false"),
    float: (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number, e.g. 50"),
    list: (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
           'a list of texts, e.g. ["a", "b"]'),
}


def _check_type(key: str, value, path: Path) -> None:
    """Refuse a setting of the wrong type with the key, the value and the type expected.

    >>> _check_type("max_file_mb", "50", Path("qualcode.toml"))
    Traceback (most recent call last):
    qualcode.errors.ProjectError: qualcode.toml: max_file_mb = '50' in qualcode.toml must be a number, e.g. 50
    """
    default = next(f for f in fields(ProjectConfig) if f.name == key)
    kind = {"str": str, "bool": bool, "float": float}.get(str(default.type), list)
    ok, expected = _KINDS[kind]
    if not ok(value):
        raise ProjectError(f"{key} = {value!r} in qualcode.toml must be {expected}", path=str(path))
    if kind is float and value <= 0:
        raise ProjectError(f"{key} = {value!r} in qualcode.toml must be a positive number", path=str(path))


def find_project_root(start: Optional[Path] = None) -> Optional[Path]:
    """The nearest folder at or above ``start`` that holds a ``qualcode.toml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None
