"""What the view is made of (:class:`ViewFrames`: the project's frames, never a project) and
the plain structures a page is rendered from: the sources with their informants and coding
counts, a source's transcript as theme headings and speaker turns, and the code tree.

Nothing here reads a store or a file; the project layer hands the frames in.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any, Optional

import pandas as pd
from markupsafe import Markup

from ..labels import label
from ..model import Codebook
from .marks import Mark, mark_text, slot_count

#: The coding statuses in the order the view lists them: what still needs a look first.
STATUSES = ("suggested", "accepted", "manual", "rejected")


@dataclass
class ViewFrames:
    """The inputs of the view, in the frame shapes of ``docs/architecture.md``.

    ``codings`` holds every status (suggested, accepted, manual, rejected); ``turns`` gives
    the timestamps (optional).  Offsets in ``codings`` are code points into the source text,
    as in ``segments`` (whose ``text`` is what the view shows)."""

    segments: pd.DataFrame
    codings: pd.DataFrame
    codebook: Codebook
    sources: Optional[pd.DataFrame] = None
    informants: Optional[pd.DataFrame] = None
    turns: Optional[pd.DataFrame] = None
    title: str = ""
    pseudonymised: bool = False


@dataclass
class Paragraph:
    """A segment as shown: its text with the marks, the line depths they need, and the codings
    of the whole segment (listed beside it)."""

    segment_id: int
    html: Markup
    slots: int
    whole: list[Mark] = field(default_factory=list)


@dataclass
class Turn:
    """A speaker's turn as shown: who, when, and its paragraphs."""

    speaker: str
    is_interviewer: bool
    timestamp: str
    line: int
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass
class Block:
    """A theme heading (``heading`` set, ``turn`` None) or a turn."""

    heading: str = ""
    anchor: str = ""
    turn: Optional[Turn] = None


@dataclass
class SourceInfo:
    """One row of the index: the source, its informants, and its codings counted."""

    source_id: int
    name: str
    page: str                                   # file name of its page
    kind: str = ""
    words: int = 0
    informants: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)            # status -> codings
    code_counts: dict[str, dict[str, int]] = field(default_factory=dict)   # code -> status -> n


@dataclass
class TreeNode:
    """A code in the code tree with its codings counted (its own and those below it)."""

    code_id: str
    name: str
    css: str
    depth: int
    counts: dict[str, int]
    children: list["TreeNode"] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def format_date(value: Any, lang: str) -> str:
    """A date as Finnish readers write it (``3.3.2025``) or in ISO form for English."""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return f"{value.day}.{value.month}.{value.year}" if lang == "fi" else value.strftime("%Y-%m-%d")
    return _text(value)


def page_name(source_id: int, name: str) -> str:
    """The file name of a source's page: its file name in ASCII letters, then its id (unique)."""
    stem = unicodedata.normalize("NFKD", name.rsplit("/", 1)[-1]).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60]
    return f"{stem or 'source'}-{int(source_id)}.html"


def status_counts(codings: pd.DataFrame) -> dict[str, int]:
    counts = codings["status"].value_counts() if len(codings) else {}
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def code_status_counts(codings: pd.DataFrame) -> dict[str, dict[str, int]]:
    """``{code id: {status: n}}``."""
    out: dict[str, dict[str, int]] = {}
    for (code, status), n in codings.groupby(["code_id", "status"]).size().items():
        out.setdefault(str(code), {s: 0 for s in STATUSES})[str(status)] = int(n)
    return out


def source_infos(frames: ViewFrames, lang: str) -> list[SourceInfo]:
    """The index rows, in the order of ``sources`` (else of the segments)."""
    segs = frames.segments
    if frames.sources is not None and len(frames.sources):
        rows = [(int(r.source_id), _text(r.source), _text(getattr(r, "kind", "")), int(getattr(r, "words", 0) or 0))
                for r in frames.sources.itertuples(index=False)]
    else:
        first = segs.drop_duplicates("source_id")
        rows = [(int(i), _text(n), "", 0) for i, n in zip(first["source_id"], first["source"])]
    people = _informant_rows(frames.informants, lang)
    by_source = dict(tuple(frames.codings.groupby("source_id"))) if len(frames.codings) else {}
    speakers = _speakers_by_source(segs)
    out = []
    for sid, name, kind, words in rows:
        cods = by_source.get(sid, frames.codings.iloc[0:0])
        infs = [people.get(sp) or dict.fromkeys(PERSON_KEYS, "") | {"code": sp} for sp in speakers.get(sid, [])]
        out.append(SourceInfo(sid, name, page_name(sid, name), kind, words, infs, status_counts(cods),
                              code_status_counts(cods)))
    return out


def _speakers_by_source(segments: pd.DataFrame) -> dict[int, list[str]]:
    """The informants' speaker labels of each source in order of appearance (no interviewer)."""
    talk = segments[~segments["is_interviewer"].astype(bool)].dropna(subset=["speaker"])
    return {int(sid): list(dict.fromkeys(group["speaker"].astype(str)))
            for sid, group in talk.groupby("source_id", sort=False)}


#: What the view shows of an informant.
PERSON_KEYS = ("code", "role", "date", "mode", "duration")


def _informant_rows(informants: Optional[pd.DataFrame], lang: str) -> dict[str, dict[str, str]]:
    if informants is None or not len(informants):
        return {}
    out = {}
    for row in informants.to_dict("records"):
        code = _text(row.get("code"))
        duration = row.get("duration_min")
        out[code] = {"code": code, "role": _text(row.get("role")), "date": format_date(row.get("date"), lang),
                     "mode": _text(row.get("mode")),
                     "duration": label("view.minutes", lang, n=f"{duration:g}")
                     if isinstance(duration, (int, float)) and not math.isnan(duration) else ""}
    return out


def code_tree(codebook: Codebook, counts: dict[str, dict[str, int]], css: dict[str, str],
              lang: str) -> list[TreeNode]:
    """The codebook as a tree with each code's codings counted by status (its own plus those of
    the codes below it); codes that were coded but are not in the codebook come last."""
    def node(code, depth: int, seen: frozenset) -> TreeNode:
        kids = [node(c, depth + 1, seen | {code.id}) for c in codebook.children(code.id) if c.id not in seen]
        own = counts.get(code.id, {})
        total = {s: own.get(s, 0) + sum(k.counts[s] for k in kids) for s in STATUSES}
        return TreeNode(code.id, code.name or code.id, css.get(code.id, "k-none"), depth, total, kids)

    roots = [node(c, 0, frozenset()) for c in codebook if not c.parent or c.parent not in codebook]
    unknown = sorted(c for c in counts if c not in codebook)
    if unknown:
        kids = [TreeNode(c, c, css.get(c, "k-none"), 1, {s: counts[c].get(s, 0) for s in STATUSES}) for c in unknown]
        roots.append(TreeNode("", label("view.not_in_codebook", lang), "k-none", 0,
                              {s: sum(k.counts[s] for k in kids) for s in STATUSES}, kids))
    return roots


def coding_tip(row: Any, codebook: Codebook, lang: str) -> str:
    """The tooltip line of one coding: code, status and coder, the rule that fired, valence."""
    code = codebook.get(str(row.code_id))
    parts = [f"{code.name if code and code.name else row.code_id} — {label('view.status.' + str(row.status), lang)}"
             f" ({_text(row.coder)})"]
    rule = _text(getattr(row, "rule", None))
    if rule:
        parts.append(f"{label('view.rule', lang)}: {rule}")
    valence = _text(getattr(row, "valence", None))
    if valence:
        parts.append(f"{label('view.valence', lang)}: {valence}")
    note = _text(getattr(row, "note", None))
    if note:
        parts.append(note)
    return " · ".join(parts)


def transcript(frames: ViewFrames, source_id: int, css: dict[str, str], lang: str,
               codings: Optional[pd.DataFrame] = None, focusable: bool = True) -> list[Block]:
    """A source's segments as theme headings and turns, every coding marked in its paragraph.
    ``codings`` (default: all of the source's) chooses which codings are drawn."""
    segs = frames.segments[frames.segments["source_id"] == source_id].sort_values(["start", "index"])
    if codings is None:
        codings = frames.codings[frames.codings["source_id"] == source_id]
    marks = _marks_by_segment(codings, segs, frames.codebook, lang)
    stamps = _timestamps(frames.turns, source_id)
    blocks: list[Block] = []
    theme, current = None, None
    for seg in segs.itertuples(index=False):
        seg_theme = _text(seg.theme)
        if seg_theme and seg_theme != theme:
            blocks.append(Block(heading=seg_theme, anchor=f"t{len(blocks)}"))
            current = None
        theme = seg_theme or theme
        if current is None or current[0] != int(seg.turn):
            turn = Turn(_text(seg.speaker), bool(seg.is_interviewer), stamps.get(int(seg.turn), ""), int(seg.line))
            current = (int(seg.turn), turn)
            blocks.append(Block(turn=turn))
        text = _text(seg.text)
        seg_marks = [replace(m, whole=m.start <= 0 and m.end >= len(text))
                     for m in marks.get(int(seg.segment_id), [])]
        current[1].paragraphs.append(Paragraph(int(seg.segment_id), mark_text(text, seg_marks, css, focusable),
                                               slot_count(seg_marks), _by_score([m for m in seg_marks if m.whole])))
    return blocks


def _marks_by_segment(codings: pd.DataFrame, segs: pd.DataFrame, codebook: Codebook,
                      lang: str) -> dict[int, list[Mark]]:
    starts = dict(zip(segs["segment_id"].astype(int), segs["start"].astype(int)))
    out: dict[int, list[Mark]] = {}
    for row in codings.itertuples(index=False):
        seg_id = int(row.segment_id)
        if seg_id not in starts:
            continue
        off = starts[seg_id]
        out.setdefault(seg_id, []).append(Mark(int(row.coding_id), str(row.code_id), str(row.status),
                                               int(row.start) - off, int(row.end) - off,
                                               coding_tip(row, codebook, lang), score=_score(row)))
    return out


def _score(row: Any) -> Optional[float]:
    """A ranked suggestion's score (the ``score`` column the project layer adds), else None."""
    score = getattr(row, "score", None)
    return float(score) if isinstance(score, (int, float)) and not math.isnan(score) else None


def _by_score(marks: list[Mark]) -> list[Mark]:
    """Whole-segment marks with the ranked suggestions first, best score first (stable)."""
    return sorted(marks, key=lambda m: -m.score if m.score is not None else math.inf)


def _timestamps(turns: Optional[pd.DataFrame], source_id: int) -> dict[int, str]:
    if turns is None or not len(turns) or "timestamp" not in turns.columns:
        return {}
    mine = turns[turns["source_id"] == source_id]
    return {int(t): _text(s) for t, s in zip(mine["turn"], mine["timestamp"]) if _text(s)}
