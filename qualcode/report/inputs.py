"""The project files that steer the analyses and reports, besides the construct files
(:func:`qualcode.construct.load_constructs`): the YAML interview frames
(:class:`InterviewFrame`, :func:`find_frames`) and the typology rules (``tyypit.yaml``,
:func:`read_type_rules`).  A report never reads files or queries the store itself: the
project reads everything once into a :class:`~qualcode.analysis.study.StudyFrames`, and the
writers are pure functions of it.

Interview frame files (``haastattelurunko.yaml``, ``ryhmahaastattelun_runko.yaml``,
any ``*runko*.yaml`` or ``interview_frame*.yaml``/``interview_guide*.yaml`` in the
project root)::

    title: Haastattelurunko
    kind: individual                # individual | group
    intro: "…"
    unit: "…"                       # group frames: the unit or organisation
    date: 2025-05-07                # group frames
    participants:                   # group frames: count and role (partitive: optional)
      - {count: 2, role: projektipäällikkö}
    themes:
      - title: "…"
        questions: ["…", {text: "…", scale: "1-10"}]
    closing:
      - {text: "…", scale: "1-10"}
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from ..errors import QualcodeError
from ..yamlutil import read_yaml

from ..fileutil import as_date

PathLike = Union[str, Path]

#: File names (globs) read as interview frames from the project root, in this order.
FRAME_GLOBS = ("haastattelurunko.yaml", "haastattelurunko.yml", "ryhmahaastattelun_runko.yaml",
               "ryhmahaastattelun_runko.yml", "*runko*.yaml", "*runko*.yml", "interview_frame*.yaml",
               "interview_frame*.yml", "interview_guide*.yaml", "interview_guide*.yml")
#: Optional typology rules file (see qualcode.analysis.typology) read from the project root.
TYPE_FILES = ("tyypit.yaml", "tyypit.yml", "types.yaml", "types.yml")

_FRAME_KEYS = {"title", "kind", "intro", "unit", "date", "participants", "themes", "closing",
               "questions", "language"}


@dataclass
class Question:
    """One question of a frame; ``scale`` (e.g. ``"1-10"``) is shown after the text."""

    text: str
    scale: Optional[str] = None

    @property
    def scale_text(self) -> str:
        """The scale with an en dash: ``"1–10"``; empty without a scale."""
        return str(self.scale).replace("-", "–").replace(" ", "") if self.scale else ""


@dataclass
class FrameTheme:
    title: str
    questions: list[Question] = field(default_factory=list)


@dataclass
class Participant:
    """A row of a group frame's participant table: ``count`` people in ``role``.
    ``partitive`` overrides the generated Finnish form; ``plural`` is the English
    plural."""

    count: int
    role: str
    partitive: Optional[str] = None
    plural: Optional[str] = None


@dataclass
class InterviewFrame:
    """An interview frame (haastattelurunko): an individual guide or a group theme
    interview frame."""

    title: str = ""
    kind: str = "individual"          # individual | group
    intro: str = ""
    unit: str = ""
    date: Optional[dt.date] = None
    participants: list[Participant] = field(default_factory=list)
    themes: list[FrameTheme] = field(default_factory=list)
    closing: list[Question] = field(default_factory=list)
    path: Optional[str] = None
    language: Optional[str] = None    # the language the frame is written in (default: the project's)

    def display_title(self, lang: str, default_language: str = "fi") -> str:
        """The frame's own title when the report is in the frame's language, else the
        standard label (``Haastattelurunko`` / ``Interview guide`` …)."""
        from ..labels import label

        key = "report.frame.group" if self.is_group else "report.frame.individual"
        if self.title and lang == (self.language or default_language):
            return self.title
        return label(key, lang)

    @property
    def is_group(self) -> bool:
        return self.kind == "group"

    def questions(self) -> list[Question]:
        """Every question in order: the themes' questions, then the closing ones."""
        return [q for t in self.themes for q in t.questions] + list(self.closing)


def _question(item: Any, where: str) -> Question:
    if isinstance(item, str):
        return Question(item.strip())
    if isinstance(item, dict) and "text" in item:
        unknown = set(item) - {"text", "scale"}
        if unknown:
            raise QualcodeError(f"unknown key '{sorted(unknown)[0]}' in a question of {where}; "
                                "a question has text and an optional scale")
        scale = item.get("scale")
        return Question(str(item["text"]).strip(), str(scale).strip() if scale not in (None, "") else None)
    raise QualcodeError(f"a question in {where} must be text or {{text: …, scale: …}}")


def frame_from_dict(data: Any, path: str = "<dict>") -> InterviewFrame:
    """Build an :class:`InterviewFrame` from parsed YAML; errors name the file."""
    if not isinstance(data, dict):
        raise QualcodeError("an interview frame must be a YAML mapping with title and themes", path=path)
    unknown = set(data) - _FRAME_KEYS
    if unknown:
        raise QualcodeError(f"unknown key '{sorted(unknown)[0]}' in the interview frame; known keys are "
                            + ", ".join(sorted(_FRAME_KEYS)), path=path)
    kind = str(data.get("kind") or ("group" if data.get("participants") else "individual")).strip()
    if kind not in ("individual", "group"):
        raise QualcodeError(f"kind must be individual or group, not '{kind}'", path=path)
    themes = []
    for i, t in enumerate(data.get("themes") or [], 1):
        if isinstance(t, str):
            themes.append(FrameTheme(t.strip()))
            continue
        if not isinstance(t, dict):
            raise QualcodeError(f"theme {i} must have a title and questions", path=path)
        themes.append(FrameTheme(str(t.get("title") or "").strip(),
                                 [_question(q, f"theme {i}") for q in (t.get("questions") or [])]))
    if data.get("questions"):      # a plain numbered list without themes
        themes.insert(0, FrameTheme("", [_question(q, "questions") for q in data["questions"]]))
    participants = []
    for i, p in enumerate(data.get("participants") or [], 1):
        if not isinstance(p, dict) or "role" not in p:
            raise QualcodeError(f"participant {i} must be {{count: N, role: …}}", path=path)
        try:
            count = int(p.get("count", 1))
        except (TypeError, ValueError):
            raise QualcodeError(f"participant {i}: count must be a whole number", path=path) from None
        participants.append(Participant(count, str(p["role"]).strip(), p.get("partitive"), p.get("plural")))
    date = data.get("date")
    parsed_date = as_date(date) if date not in (None, "") else None
    if date not in (None, "") and parsed_date is None:
        raise QualcodeError(f"the date '{date}' is not a date; write it as yyyy-mm-dd or d.m.yyyy", path=path)
    return InterviewFrame(
        title=str(data.get("title") or "").strip(), kind=kind, intro=str(data.get("intro") or "").strip(),
        unit=str(data.get("unit") or "").strip(), date=parsed_date, participants=participants,
        themes=themes, closing=[_question(q, "closing") for q in (data.get("closing") or [])], path=path,
        language=str(data["language"]).strip() if data.get("language") else None)


def load_frame(path: PathLike) -> InterviewFrame:
    """Read one interview frame YAML file."""
    import yaml

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise QualcodeError(f"the interview frame is not valid YAML{where}; fix the line it names",
                            path=str(p)) from None
    return frame_from_dict(data, str(p))


def find_frames(root: PathLike) -> list[InterviewFrame]:
    """The interview frames in a project folder: individual frames first, then group
    frames, each group in file-name order."""
    root = Path(root)
    seen: list[Path] = []
    for pattern in FRAME_GLOBS:
        for p in sorted(root.glob(pattern)):
            if p.is_file() and p not in seen and not p.name.startswith((".", "~$")):
                seen.append(p)
    frames = [load_frame(p) for p in seen]
    return sorted(frames, key=lambda f: f.is_group)


def find_type_rules(root: PathLike) -> Optional[Path]:
    """The typology rules file of a project folder (``tyypit.yaml``, see :data:`TYPE_FILES`), if any."""
    for name in TYPE_FILES:
        p = Path(root) / name
        if p.is_file():
            return p
    return None


def read_type_rules(root: PathLike) -> Any:
    """The parsed typology rules of a project folder (see :mod:`qualcode.analysis.typology`);
    None without a rules file.  A YAML error names the file and the line."""
    path = find_type_rules(root)
    return read_yaml(path) if path is not None else None
