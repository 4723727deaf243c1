"""A segment's text with its codings marked, as escaped HTML.

Offsets are code points (Python ``str`` indices), so the marks are placed here in Python and
never in the browser, where JavaScript counts UTF-16 units and a character outside the Basic
Multilingual Plane would shift every later mark by one.

The text is cut at every start and end of a coding; each piece carries one nested ``<span
class="m">`` per coding that covers it, outermost first.  Each coding keeps one *slot* (its line
depth under the text) for its whole length, so overlapping codings are drawn as stacked lines
that each run unbroken from the coding's start to its end, and every piece lists its codings in
a tooltip.  A coding over the whole segment (a decision on the paragraph, as the review sheet
makes them) is still a span around the text, but it is drawn beside the paragraph, not under it.

>>> marks = [Mark(1, "a", "accepted", 0, 5, "A: accepted"), Mark(2, "b", "suggested", 3, 9, "B")]
>>> [(p.start, p.end, [m.coding_id for m in p.marks]) for p in pieces("Hyvä <palvelu>", marks)]
[(0, 3, [1]), (3, 5, [1, 2]), (5, 9, [2]), (9, 14, [])]
>>> print(mark_text("ok <b>", [Mark(7, "a", "rejected", 3, 6, "A")], {"a": "k0"}))
ok <span class="m k0 s-rejected d0 p x" data-k="7" data-code="a" data-tip="A" tabindex="0">&lt;b&gt;</span>
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Optional, Sequence

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Mark:
    """One coding inside a segment: ``start``/``end`` are code points into the segment's text."""

    coding_id: int
    code_id: str
    status: str
    start: int
    end: int
    tip: str = ""          # the tooltip line: code, status, coder, rule
    slot: int = 0
    whole: bool = False    # over the whole segment: shown beside it, not under its words
    score: Optional[float] = None   # a ranked suggestion's score (``qualcode suggest``)


@dataclass(frozen=True)
class Piece:
    """A stretch of text with the same codings over all of it."""

    start: int
    end: int
    marks: tuple[Mark, ...]


def assign_slots(marks: Sequence[Mark]) -> list[Mark]:
    """The marks with a slot each: the lowest line depth not taken by an overlapping mark
    (first by start, longer first), so that overlapping marks never share a line."""
    ordered = sorted(marks, key=lambda m: (m.start, -m.end, m.coding_id))
    slot_ends: list[int] = []
    out = []
    for m in ordered:
        if m.whole:
            out.append(replace(m, slot=0))
            continue
        slot = next((i for i, end in enumerate(slot_ends) if end <= m.start), len(slot_ends))
        if slot == len(slot_ends):
            slot_ends.append(m.end)
        else:
            slot_ends[slot] = m.end
        out.append(replace(m, slot=slot))
    return out


def pieces(text: str, marks: Sequence[Mark]) -> list[Piece]:
    """``text`` cut at every mark boundary (marks clipped to the text; empty ones dropped)."""
    n = len(text)
    clipped = [m for m in (_clip(m, n) for m in marks) if m.start < m.end]
    cuts = sorted({0, n, *(m.start for m in clipped), *(m.end for m in clipped)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = tuple(sorted((m for m in clipped if m.start <= a and m.end >= b),
                                key=lambda m: (not m.whole, m.slot, m.coding_id)))
        out.append(Piece(a, b, covering))
    return out


def _clip(m: Mark, n: int) -> Mark:
    return replace(m, start=max(0, m.start), end=min(n, m.end))


def mark_text(text: str, marks: Sequence[Mark], code_class: Mapping[str, str],
              focusable: bool = True) -> Markup:
    """The escaped HTML of ``text`` with ``marks`` (slots assigned here) as nested spans.

    The outermost span drawn under the words (a whole-segment mark is not: it is listed
    beside the segment) is the one that can take focus (``tabindex``) and holds the tooltip of
    every coding over the piece (``data-tip``, shown on hover and focus); when all the codings
    drawn under a piece are rejected it is also struck through (class ``x``)."""
    marks = assign_slots(marks)
    out = []
    for piece in pieces(text, marks):
        inner = escape(text[piece.start:piece.end])
        drawn = [m for m in piece.marks if not m.whole]
        for m in reversed(piece.marks):
            classes = f"m {code_class.get(m.code_id, 'k-none')} s-{m.status} d{min(m.slot, 9)}"
            attrs = f' data-k="{m.coding_id}" data-code="{escape(m.code_id)}"'
            if m.whole:
                classes += " w"
            elif m is drawn[0]:
                classes += " p" + (" x" if all(x.status == "rejected" for x in drawn) else "")
                tip = "\n".join(x.tip for x in drawn + [x for x in piece.marks if x.whole])
                attrs += f' data-tip="{escape(tip)}"' + (' tabindex="0"' if focusable else "")
            inner = Markup(f'<span class="{classes}"{attrs}>') + inner + Markup("</span>")
        out.append(inner)
    return Markup("").join(out)


def slot_count(marks: Sequence[Mark]) -> int:
    """How many line depths the marks drawn under a segment's words need (0 without any)."""
    return 1 + max((m.slot for m in assign_slots(marks) if not m.whole), default=-1)
