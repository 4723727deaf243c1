"""The view inside Jupyter: a source's transcript with its codings marked (as spaCy's displaCy
shows spans), and a list of codings with each quote marked in its passage.  Both are objects
whose ``_repr_html_`` a notebook shows; ``.html`` is the markup itself."""
from __future__ import annotations

from typing import Iterable, Optional, Union

import pandas as pd
from markupsafe import Markup, escape

from ..errors import QualcodeError
from ..labels import label
from ..model import Codebook
from .colours import UNKNOWN
from .frames import STATUSES, ViewFrames
from .marks import Mark, mark_text
from .pages import Styling, asset, environment, render_fragment

#: Characters of context a coding list shows on each side of a quote.
CONTEXT = 80
#: Rows a coding list shows at most.
MAX_ROWS = 200


class Highlighted:
    """HTML that a notebook shows as it is."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {len(self.html)} characters of HTML>"


def _as_list(value: Union[None, str, Iterable[str]]) -> Optional[list[str]]:
    if value is None:
        return None
    return [value] if isinstance(value, str) else [str(v) for v in value]


def select_codings(codings: pd.DataFrame, codebook: Codebook, codes=None, status=None) -> pd.DataFrame:
    """The codings of ``codes`` (ids; a theme stands for itself and every code below it) with
    a status in ``status`` (one or several of suggested, accepted, manual, rejected)."""
    out = codings
    wanted = _as_list(codes)
    if wanted is not None:
        unknown = [c for c in wanted if c not in codebook and c not in set(codings["code_id"].astype(str))]
        if unknown:
            raise QualcodeError(f"no code '{unknown[0]}' in the codebook; see project.codebook()")
        ids = set(wanted) | {c.id for c in codebook if set(codebook.ancestors(c.id)) & set(wanted)}
        out = out[out["code_id"].astype(str).isin(ids)]
    statuses = _as_list(status)
    if statuses is not None:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise QualcodeError(f"unknown status '{bad[0]}'; use " + ", ".join(STATUSES))
        out = out[out["status"].astype(str).isin(statuses)]
    return out


def show_source(frames: ViewFrames, source_id: int, lang: str = "fi", codes=None, status=None) -> Highlighted:
    """One source's transcript with the chosen codings marked (all of them by default)."""
    mine = frames.codings[frames.codings["source_id"] == int(source_id)]
    chosen = select_codings(mine, frames.codebook, codes, status)
    html = render_fragment(frames, int(source_id), lang, codings=chosen,
                           filtered=codes is not None or status is not None)
    return Highlighted(html)


def show_codings(codings: pd.DataFrame, segments: pd.DataFrame, codebook: Codebook,
                 lang: str = "fi") -> Highlighted:
    """A table of codings, each quote marked in its passage (``CONTEXT`` characters either side)."""
    frames = ViewFrames(segments=segments, codings=codings, codebook=codebook)
    styling = Styling(frames)
    starts = dict(zip(segments["segment_id"].astype(int), segments["start"].astype(int)))
    texts = dict(zip(segments["segment_id"].astype(int), segments["text"].astype(str)))
    rows = []
    for row in codings.head(MAX_ROWS).itertuples(index=False):
        rows.append(_coding_row(row, starts, texts, codebook, styling, lang))
    head = "".join(f"<th>{escape(label(k, lang))}</th>" for k in
                   ("view.source", "view.speaker", "view.code", "view.status", "view.context"))
    note = ""
    if len(codings) > MAX_ROWS:
        note = f'<p class="note">{escape(label("view.first_rows", lang, shown=MAX_ROWS, total=len(codings)))}</p>'
    scope = "qcv-list"
    html = environment().from_string(
        '<div class="qcv" id="{{ scope }}"><style>{{ css }}\n{{ colours }}</style>{{ note }}'
        '<table class="codings"><thead><tr>{{ head }}</tr></thead><tbody>{{ rows }}</tbody></table></div>'
    ).render(scope=scope, css=asset("view.css"), colours=styling.css(f"#{scope}"), note=Markup(note),
             head=Markup(head), rows=Markup("".join(rows)))
    return Highlighted(html)


def _coding_row(row, starts, texts, codebook: Codebook, styling: Styling, lang: str) -> str:
    seg_id = int(row.segment_id)
    code = codebook.get(str(row.code_id))
    colour = styling.colours.get(str(row.code_id), UNKNOWN)
    name = code.name if code and code.name else str(row.code_id)
    mark = Mark(int(row.coding_id), str(row.code_id), str(row.status), 0, 0, f"{name} — "
                f"{label('view.status.' + str(row.status), lang)} ({row.coder})")
    if seg_id in texts:
        text, off = texts[seg_id], starts[seg_id]
        s, e = int(row.start) - off, int(row.end) - off
        a, b = max(0, s - CONTEXT), min(len(text), e + CONTEXT)
        snippet = text[a:b]
        mark = Mark(mark.coding_id, mark.code_id, mark.status, s - a, e - a, mark.tip)
        passage = ("…" if a else "") + mark_text(snippet, [mark], styling.classes) + ("…" if b < len(text) else "")
    else:
        quote = str(getattr(row, "quote", "") or "")
        passage = mark_text(quote, [Mark(mark.coding_id, mark.code_id, mark.status, 0, len(quote), mark.tip)],
                            styling.classes)
    cells = [escape(str(row.source)), escape(str(getattr(row, "speaker", "") or "")),
             Markup(f'<span class="sw" style="--c:{colour}"></span> ') + escape(name),
             escape(label("view.status." + str(row.status), lang)), passage]
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells[:-1]) + f'<td class="kwic">{cells[-1]}</td></tr>'
