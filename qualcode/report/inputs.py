"""What a report is made of: :class:`ReportInputs` (the project's frames, codebook and
audit trail, plus the interview frames found in the project folder) and the YAML
interview frames (:class:`InterviewFrame`).

A report never queries the store itself: :meth:`ReportInputs.from_project` reads
everything once through the public :class:`~qualcode.project.Project` methods
(duck-typed, so tests and notebooks can pass any object with the same methods), and
the writers are pure functions of the inputs.

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

import pandas as pd

from ..errors import QualcodeError

from .finnish import as_date

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


@dataclass
class ReportInputs:
    """Everything a report shows.  Frames follow docs/architecture.md; ``codings`` are
    the resolved codings (one per segment and code).  Build it with
    :meth:`from_project`, or directly from frames in a notebook."""

    title: str = ""
    language: str = "fi"
    segments: pd.DataFrame = field(default_factory=pd.DataFrame)
    codings: pd.DataFrame = field(default_factory=pd.DataFrame)
    informants: pd.DataFrame = field(default_factory=pd.DataFrame)
    codebook: Any = None
    audit: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    frames: list[InterviewFrame] = field(default_factory=list)
    include_suggested: bool = False
    types_spec: Optional[dict] = None
    trend_comments: dict[str, str] = field(default_factory=dict)
    group_by: str = "role"
    root: Optional[Path] = None
    data_language: Optional[str] = None   # the project's own language (frames are written in it)
    constructs: Any = None                # qualcode.construct.Constructs when the project has them

    @property
    def frame_language(self) -> str:
        return self.data_language or self.language

    @classmethod
    def from_project(cls, project: Any, lang: Optional[str] = None, include_suggested: bool = False,
                     codebook: Any = None) -> "ReportInputs":
        """Read a project's frames once.  ``lang`` defaults to the project's language.
        The codebook is the one given, else the project's (``None`` when it has none)."""
        config = getattr(project, "config", None)
        language = lang or getattr(config, "language", None) or "fi"
        if language not in ("fi", "en"):
            raise QualcodeError(f"language must be fi or en, not '{language}'")
        if codebook is None:
            try:
                codebook = project.codebook()
            except QualcodeError:
                codebook = None
        elif not hasattr(codebook, "codes"):
            codebook = project.codebook(codebook)
        root = Path(project.root) if getattr(project, "root", None) is not None else None
        frames = find_frames(root) if root is not None else []
        types_spec = None
        if root is not None:
            for name in TYPE_FILES:
                p = root / name
                if p.is_file():
                    import yaml

                    try:
                        types_spec = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
                    except yaml.YAMLError:
                        raise QualcodeError("the type rules file is not valid YAML", path=str(p)) from None
                    break
        constructs = None
        if hasattr(project, "constructs"):
            constructs = project.constructs(include_suggested=include_suggested, lang=language)
            if constructs is not None and constructs.is_empty():
                constructs = None
        return cls(
            constructs=constructs,
            title=getattr(config, "title", "") or (root.name if root else ""),
            language=language,
            segments=project.segments(),
            codings=project.resolved_codings(include_suggested=include_suggested),
            informants=project.informants(),
            codebook=codebook,
            audit=project.audit(),
            sources=project.sources(),
            frames=frames,
            include_suggested=include_suggested,
            types_spec=types_spec,
            root=root,
            data_language=getattr(config, "language", None),
        )

    @property
    def individual_frames(self) -> list[InterviewFrame]:
        return [f for f in self.frames if not f.is_group]

    @property
    def group_frames(self) -> list[InterviewFrame]:
        return [f for f in self.frames if f.is_group]


