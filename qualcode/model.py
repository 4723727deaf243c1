"""The core data model: plain dataclasses shared by every pipeline stage.

Offsets (``start``/``end``) are Unicode code-point offsets into the owning
source's plain text (``Source.text``), end-exclusive, so that
``source.text[seg.start:seg.end] == seg.text`` always holds.  This is the
REFI-QDA convention for plain-text selections.

>>> source_text = "Hi, hello there"
>>> seg = Segment(id=1, source_id=1, turn_index=0, index=0, start=4, end=9, text="hello")
>>> source_text[seg.start:seg.end] == seg.text
True
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Optional

#: Allowed values of :attr:`Coding.status`.
CODING_STATUSES = ("suggested", "accepted", "rejected", "manual")
#: Statuses that a human decided; automatic coding never changes these.
HUMAN_STATUSES = ("accepted", "rejected", "manual")
#: Allowed valences of codes and codings.
VALENCES = ("positive", "negative", "neutral", "mixed", "development_idea")
#: SWOT quadrants.
SWOT_FIELDS = ("S", "W", "O", "T")
#: Statuses an analysis counts by default (``suggested`` only when asked; ``rejected`` never).
COUNTED_STATUSES = ("accepted", "manual")
#: Name of the automatic coder.
AUTO_CODER = "auto"
#: Name of the ranked suggester (``project.coding.suggest``).
SEMANTIC_CODER = "semantic"
#: Coders that are programs: their rows are suggestions, never a human decision.
MACHINE_CODERS = (AUTO_CODER, SEMANTIC_CODER)
#: Name of the coder whose decisions record a consensus meeting (they win in analyses).
CONSENSUS_CODER = "consensus"
#: The status a review decision (accept / reject / add) records.
DECISION_STATUS = {"accept": "accepted", "reject": "rejected", "add": "manual"}


def counted_statuses(include_suggested: bool = False) -> tuple[str, ...]:
    """The statuses an analysis counts.

    >>> counted_statuses(), counted_statuses(include_suggested=True)
    (('accepted', 'manual'), ('accepted', 'manual', 'suggested'))
    """
    return COUNTED_STATUSES + (("suggested",) if include_suggested else ())


def now_iso() -> str:
    """Current UTC time as an ISO-8601 string with seconds (stored in the audit trail)."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class Informant:
    """A person (or a role in a group interview) whose speech is coded."""

    code: str
    role: str = ""
    organisation: str = ""
    date: Optional[_dt.date] = None
    mode: str = ""
    duration_min: Optional[float] = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Source:
    """One ingested file version: its plain text and where it came from."""

    id: Optional[int]
    name: str                      # file name relative to the project (or as given)
    text: str                      # plain text; all offsets point into this
    format: str                    # txt, md, docx, odt, vtt, srt, csv, xlsx, pdf
    content_hash: str              # sha256 of the file bytes
    version: int = 1
    kind: str = "interview"        # interview, group_interview, workshop, survey, document
    encoding: str = ""
    imported_at: str = ""
    active: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)
    words: int = 0                 # words in the segments (speaker labels and headings not counted)


@dataclass
class Turn:
    """A stretch of one speaker's talk inside a source."""

    source_id: Optional[int]
    index: int
    start: int
    end: int
    speaker: Optional[str] = None  # informant code / label; None when unknown
    is_interviewer: bool = False
    theme: Optional[str] = None    # theme-area heading the turn falls under
    timestamp: Optional[str] = None
    line: int = 0                  # 1-based line in the source file where the turn starts


@dataclass
class Segment:
    """The unit of coding: a paragraph inside a turn."""

    id: Optional[int]
    source_id: Optional[int]
    turn_index: int
    index: int                     # position of the segment in the source
    start: int
    end: int
    text: str
    speaker: Optional[str] = None
    is_interviewer: bool = False
    theme: Optional[str] = None
    line: int = 0


@dataclass
class Code:
    """One entry of a codebook: a theme, a code or a subcode (by its parent)."""

    id: str
    name: str = ""
    parent: Optional[str] = None
    description: str = ""
    origin: str = "data"           # data | theory
    keywords: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    compound: bool = False
    valence: Optional[str] = None
    swot: Optional[str] = None
    examples: list[str] = field(default_factory=list)
    color: Optional[str] = None
    line: int = 0                  # line in the codebook file, for error messages


@dataclass
class Coding:
    """A code applied to (part of) a segment, by a coder, with a status."""

    code_id: str
    segment_id: int
    start: int
    end: int
    status: str = "suggested"
    coder: str = AUTO_CODER
    rule: Optional[str] = None     # e.g. "keyword:viestintä", "phrase:pitää ajan tasalla", "pattern:0"
    created_at: str = ""
    valence: Optional[str] = None
    note: str = ""
    id: Optional[int] = None
    source_id: Optional[int] = None
    #: whom the remark concerns (a person or role), for training needs; None: the speaker's role
    target: Optional[str] = None
    #: the coding's own SWOT quadrant (S/W/O/T); None: the code's
    swot: Optional[str] = None


@dataclass
class Memo:
    """A researcher's note attached to the project, a source, a segment or a code."""

    text: str
    target_type: str = "project"   # project | source | segment | code
    target_id: Optional[str] = None
    coder: str = ""
    created_at: str = ""
    id: Optional[int] = None


@dataclass
class AuditEvent:
    """One entry of the analysis log (Analyysiloki)."""

    action: str
    target: str = ""
    reason: str = ""
    coder: str = ""
    time: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    id: Optional[int] = None


def count_words(text: str) -> int:
    """Number of words (runs of letters/digits) in ``text``."""
    return len(re.findall(r"\w+", text))


@dataclass
class Codebook:
    """An ordered collection of codes with a hierarchy (themes → codes → subcodes).

    >>> cb = Codebook(codes=[Code("teema"), Code("a", parent="teema")])
    >>> [c.id for c in cb.children("teema")], cb.root_of("a")
    (['a'], 'teema')
    """

    codes: list[Code] = field(default_factory=list)
    language: str = "fi"
    name: str = ""
    path: Optional[str] = None

    def __post_init__(self) -> None:
        self._index = {c.id: c for c in self.codes}

    def __iter__(self):
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code_id: object) -> bool:
        return code_id in self._index

    def get(self, code_id: str) -> Optional[Code]:
        return self._index.get(code_id)

    def __getitem__(self, code_id: str) -> Code:
        return self._index[code_id]

    def children(self, code_id: Optional[str]) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    def ancestors(self, code_id: str) -> list[str]:
        """Ids from the code's parent up to the root (nearest first)."""
        out, seen = [], {code_id}
        cur = self._index.get(code_id)
        while cur is not None and cur.parent and cur.parent not in seen:
            out.append(cur.parent)
            seen.add(cur.parent)
            cur = self._index.get(cur.parent)
        return out

    def root_of(self, code_id: str) -> str:
        anc = self.ancestors(code_id)
        return anc[-1] if anc else code_id

    def depth(self, code_id: str) -> int:
        return len(self.ancestors(code_id))
