"""The HTML of the view: an index page, one page per source, and fragments for Jupyter, from
Jinja2 templates (autoescaping on: every text from a transcript, a codebook or a file name is
escaped) with the style sheet and script inlined, so each page works on its own, from a folder,
without a server or a network.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Optional

import jinja2
import pandas as pd
from markupsafe import Markup

from ..labels import LABELS, label
from ..model import VALENCES
from .colours import code_classes, code_colours, colour_css
from .frames import STATUSES, SourceInfo, TreeNode, ViewFrames, code_status_counts, code_tree, source_infos, \
    status_counts, transcript


@functools.lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The template environment (templates shipped as package data)."""
    return jinja2.Environment(loader=jinja2.PackageLoader("qualcode.view", "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


@functools.lru_cache(maxsize=None)
def asset(name: str) -> Markup:
    """A file of the package's ``assets`` folder (the style sheet, the script), inlined as it
    is: ours, not the data's, and free of a closing ``</style>`` or ``</script>``."""
    text = resources.files("qualcode.view").joinpath("assets", name).read_text(encoding="utf-8")
    assert "</" not in text, f"{name} must not close its element"
    return Markup(text)


class Styling:
    """The code classes and colours of one view, shared by all its pages."""

    def __init__(self, frames: ViewFrames):
        ids = [c.id for c in frames.codebook] + sorted(set(frames.codings["code_id"].astype(str))
                                                      - {c.id for c in frames.codebook})
        self.classes = code_classes(ids)
        self.colours = code_colours(frames.codebook)

    def css(self, scope: str = ".qcv") -> Markup:
        """The colour rules: class names and colours made here (#rrggbb), nothing from the data."""
        return Markup(colour_css(self.classes, self.colours, scope))


def _context(lang: str, frames: ViewFrames, styling: Styling) -> dict:
    def node_title(node: TreeNode) -> str:
        return ", ".join(f"{label('view.status.' + s, lang)} {node.counts[s]}" for s in STATUSES)

    def row_text(info: SourceInfo) -> str:
        people = [v for p in info.informants for v in (p.get("code", ""), p.get("role", ""))]
        return " ".join([info.name, info.kind, *people])

    def code_name(code_id: str) -> str:
        code = frames.codebook.get(code_id)
        return code.name if code is not None and code.name else code_id

    return {"lang": lang, "statuses": STATUSES, "L": lambda key, **fmt: label(key, lang, **fmt),
            "has_label": lambda key: key in LABELS, "node_title": node_title, "row_text": row_text,
            "code_name": code_name, "code_css": lambda code_id: styling.classes.get(code_id, "k-none"),
            "title": frames.title or label("view.title", lang), "pseudonymised": frames.pseudonymised}


@dataclass
class Review:
    """What a page served by the review app carries besides the view: the request's script
    nonce, the token a write must send back, the coder, and the codings' owners."""

    csrf: str
    nonce: str
    coder: str


def _scripts(review: Optional[Review]) -> list[Markup]:
    return [asset("view.js")] + ([asset("review.js")] if review else [])


def render_index(frames: ViewFrames, infos: list[SourceInfo], lang: str, styling: Styling,
                 review: Optional[Review] = None) -> str:
    """The index page: every source with its informants and codings by status, the code tree
    with the project's counts (filtering the table), the legend."""
    tree = code_tree(frames.codebook, code_status_counts(frames.codings), styling.classes, lang)
    return environment().get_template("index.html.j2").render(
        **_context(lang, frames, styling), infos=infos, tree=tree, totals=status_counts(frames.codings),
        css=asset("view.css"), scripts=_scripts(None), colour_css=styling.css(), review=review)


def render_source(frames: ViewFrames, infos: list[SourceInfo], i: int, lang: str, styling: Styling,
                  review: Optional[Review] = None) -> str:
    """The page of ``infos[i]``: its transcript with every coding marked, search, filters (and,
    served by the review app, the review panel)."""
    info = infos[i]
    tree = code_tree(frames.codebook, info.code_counts, styling.classes, lang)
    blocks = transcript(frames, info.source_id, styling.classes, lang)
    owners = {}
    if review is not None:
        mine = frames.codings[frames.codings["source_id"] == info.source_id]
        targets = mine["target"] if "target" in mine.columns else [None] * len(mine)
        owners = {int(k): [str(c), str(s), str(o), str(v) if isinstance(v, str) else "",
                           str(t) if isinstance(t, str) else ""]
                  for k, c, s, o, v, t in zip(mine["coding_id"], mine["code_id"], mine["status"], mine["coder"],
                                              mine["valence"], targets)}
    return environment().get_template("source.html.j2").render(
        **_context(lang, frames, styling), info=info, tree=tree, blocks=blocks,
        prev=infos[i - 1] if i > 0 else None, next=infos[i + 1] if i + 1 < len(infos) else None,
        css=asset("view.css"), scripts=_scripts(review), colour_css=styling.css(), review=review,
        owners=owners, codes=[(c.id, c.name or c.id, frames.codebook.depth(c.id)) for c in frames.codebook],
        valences=VALENCES)


def render_pages(frames: ViewFrames, lang: str) -> dict[str, str]:
    """Every page of the view: ``{relative path: HTML}`` (``index.html``, ``sources/…``)."""
    styling = Styling(frames)
    infos = source_infos(frames, lang)
    pages = {"index.html": render_index(frames, infos, lang, styling)}
    for i, info in enumerate(infos):
        pages[f"sources/{info.page}"] = render_source(frames, infos, i, lang, styling)
    return pages


def render_page(frames: ViewFrames, lang: str, path: str, review: Optional[Review] = None) -> Optional[str]:
    """One page of the view by its path (``index.html`` or ``sources/<page>``), for the review
    app; None when there is no such page."""
    styling = Styling(frames)
    infos = source_infos(frames, lang)
    if path == "index.html":
        return render_index(frames, infos, lang, styling, review)
    for i, info in enumerate(infos):
        if path == f"sources/{info.page}":
            return render_source(frames, infos, i, lang, styling, review)
    return None


def render_fragment(frames: ViewFrames, source_id: int, lang: str, codings: Optional[pd.DataFrame] = None,
                    filtered: bool = False) -> str:
    """One source's transcript with its marks as an HTML fragment for a notebook: the style
    inlined and scoped to this fragment, no script (notebooks may not run one)."""
    styling = Styling(frames)
    infos = [i for i in source_infos(frames, lang) if i.source_id == int(source_id)]
    mine = frames.codings[frames.codings["source_id"] == int(source_id)] if codings is None else codings
    blocks = transcript(frames, int(source_id), styling.classes, lang, codings=mine, focusable=True)
    digest = hashlib.sha1(f"{source_id}|{sorted(mine['coding_id'].astype(int))}".encode()).hexdigest()[:10]
    scope = f"qcv-{digest}"
    return environment().get_template("fragment.html.j2").render(
        **_context(lang, frames, styling), info=infos[0], blocks=blocks, shown=len(mine), filtered=filtered,
        scope_id=scope, css=asset("view.css"), colour_css=styling.css(f"#{scope}"))
