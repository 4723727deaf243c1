"""Figures (matplotlib's object API: a ``Figure`` saved by ``savefig``): the SWOT grid, code frequencies by group and the
code co-occurrence network, saved as PNG and SVG.

Figures are numbered ``Kuvio N.`` / ``Figure N.`` in the order they are made; the
caption is written into each file's metadata title (and below the figure in the Word
report).  Empty figures (no SWOT codes, no coded groups, no co-occurrences) are left
out rather than drawn empty.

No pyplot: the figures are never registered with it and the process's backend is never
changed, so a notebook's own ``plt.show()`` still works after a report (and pyplot's import
is not paid for).
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from ..analysis.study import Analyses, StudyFrames
from ..fileutil import atomic_output
from ..labels import label

PathLike = Union[str, Path]

#: Above this many codes the network is drawn between themes instead.
MAX_NETWORK_NODES = 15
QUADRANT_COLOURS = {"S": "#E2EFDA", "W": "#FCE4D6", "O": "#DDEBF7", "T": "#FFF2CC"}


def _figure(figsize: tuple[float, float]):
    """A new figure of its own (not one of pyplot's), drawn by savefig's own canvas."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


@dataclass
class FigureSpec:
    """A figure ready to save: ``key`` (swot, frequencies, network), the caption
    title (without the number) and the matplotlib figure."""

    key: str
    title: str
    figure: Any

    def caption(self, number: int, lang: str) -> str:
        return label("caption.figure", lang, n=number, title=self.title)


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def swot_figure(result: Any, lang: str = "fi"):
    """The 2×2 SWOT grid as a figure: strengths | weaknesses over opportunities |
    threats, each box the quadrant title and its codes with segment counts."""
    fig = _figure((10, 7))
    axes = fig.subplots(2, 2)
    items = result.items
    for ax, q in zip(axes.flat, ("S", "W", "O", "T")):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(QUADRANT_COLOURS[q])
        ax.set_title(label(f"analysis.swot.{q}", lang), fontsize=13, fontweight="bold")
        rows = items[items["quadrant"] == q]
        lines = [_wrap(f"• {r['name']} ({r['segments']})", 48) for _, r in rows.iterrows()]
        ax.text(0.03, 0.95, "\n".join(lines), va="top", ha="left", fontsize=10, transform=ax.transAxes)
    # a fixed layout (room for the quadrant titles above each box): no measuring draw
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.955, wspace=0.03, hspace=0.1)
    return fig


def frequency_figure(matrix: Any, lang: str = "fi", codebook: Any = None, by: str = "role"):
    """Horizontal stacked bars: coded segments per code, stacked by informant group."""
    import numpy as np

    mat = matrix.loc[:, matrix.sum(axis=0) > 0]
    codes = list(mat.columns)[::-1]
    names = []
    for c in codes:
        code = codebook.get(c) if codebook is not None else None
        names.append(_wrap((code.name or code.id) if code is not None else c, 30))
    fig = _figure((9, max(3, 0.5 * len(codes) + 1.5)))
    ax = fig.subplots()
    left = np.zeros(len(codes))
    colours = _distinct_colours(len(mat.index))
    for i, group in enumerate(mat.index):
        vals = np.array([mat.loc[group, c] for c in codes], dtype=float)
        ax.barh(names, vals, left=left, label=str(group), color=colours[i])
        left += vals
    ax.set_xlabel(label("report.segments", lang))
    title = label("report.interviews.title", lang).rstrip(":") if by == "role" else by
    ax.legend(title=title, fontsize=8, loc="lower right")
    ax.xaxis.get_major_locator().set_params(integer=True)
    width, height = fig.get_size_inches()
    longest = max((len(line) for n in names for line in n.split("\n")), default=1)
    # the left margin from the longest code name (DejaVu Sans at 10 pt: under 0.58 em a
    # character) and fixed room for the axis label below: no measuring draw
    fig.subplots_adjust(left=min(0.6, (longest * 0.58 * 10 / 72 + 0.2) / width), right=0.97,
                        top=1 - 0.2 / height, bottom=0.6 / height)
    return fig


def _distinct_colours(n: int) -> list:
    """``n`` colours no two alike: tab10 up to 10 groups, tab20 up to 20, else evenly spaced
    hues (with alternating lightness so neighbours differ)."""
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    import colorsys

    return [colorsys.hls_to_rgb(i / n, 0.40 if i % 2 else 0.65, 0.65) for i in range(n)]


def network_figure(graph: Any, lang: str = "fi"):
    """The co-occurrence network: node size by frequency, edge width by weight."""
    import networkx as nx

    fig = _figure((9, 7))
    ax = fig.subplots()
    pos = nx.spring_layout(graph, seed=7, weight="weight", k=2.0 / max(1, graph.number_of_nodes()) ** 0.5)
    top_f = max([graph.nodes[n].get("frequency", 1) for n in graph.nodes] or [1]) or 1
    top_w = max([d.get("weight", 1) for _, _, d in graph.edges(data=True)] or [1]) or 1
    sizes = [300 + 1700 * graph.nodes[n].get("frequency", 1) / top_f for n in graph.nodes]
    widths = [0.5 + 6 * d.get("weight", 1) / top_w for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, node_color="#9DC3E6")
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=9,
                            labels={n: _wrap(graph.nodes[n].get("name", n), 20) for n in graph.nodes})
    edge_labels = {(a, b): d.get("weight", 1) for a, b, d in graph.edges(data=True)}
    if graph.number_of_edges() <= 20:
        nx.draw_networkx_edge_labels(graph, pos, edge_labels=edge_labels, ax=ax, font_size=8)
    ax.set_axis_off()
    # the axes fill the figure; the margins keep the labels of outer nodes inside it
    ax.margins(0.12, 0.08)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return fig


def figure_specs(source: Union[StudyFrames, Analyses], lang: Optional[str] = None) -> list[FigureSpec]:
    """The figures with content, in report order: SWOT, frequencies by group, network."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    out = []
    res = analyses.swot(lang)
    if len(res.items):
        out.append(FigureSpec("swot", label("analysis.swot.title", lang) + ".", swot_figure(res, lang)))
    inf = frames.informants
    by = frames.group_by if inf is not None and frames.group_by in getattr(inf, "columns", []) else "role"
    if inf is not None and len(inf) and by in inf.columns:
        mat = analyses.group_matrix(by, include_unused=False, lang=lang)
        if mat.size and mat.values.sum() > 0:
            out.append(FigureSpec("frequencies", label("report.title.frequencies", lang),
                                  frequency_figure(mat, lang, frames.codebook, by)))
    graph = _readable_network(analyses)
    if graph.number_of_edges():
        out.append(FigureSpec("network", label("report.title.network", lang), network_figure(graph, lang)))
    return out


def _readable_network(analyses: Analyses):
    """Codes that occur in one paragraph, else in one interview; between themes when there
    are too many codes to read."""
    graph = None
    for unit in ("segment", "source"):
        for level in ("code", "theme"):
            graph = analyses.network(unit, level)
            if graph.number_of_nodes() <= MAX_NETWORK_NODES:
                break
        if graph.number_of_edges():
            break
    return graph


def save_figure(fig: Any, path: PathLike, caption: str, fmt: Optional[str] = None, dpi: int = 150) -> Path:
    """Save one figure atomically with ``caption`` as its metadata title."""
    target = Path(path)
    fmt = fmt or target.suffix.lstrip(".").lower() or "png"
    meta = {"Title": caption}
    if fmt == "svg":
        meta["Date"] = None
    from matplotlib import rc_context

    # deterministic SVG ids, set for this save only (the process's settings stay as they are)
    with atomic_output(target) as tmp, rc_context({"svg.hashsalt": "qualcode"}):
        # the figures are laid out at their size: no "tight" box, which draws each figure twice;
        # PNG at zlib level 1: a tenth larger than the default level, in half the time
        fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta,
                    **({"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}))
    return target


def write_figures(source: Union[StudyFrames, Analyses], folder: PathLike, lang: Optional[str] = None,
                  formats: tuple[str, ...] = ("png", "svg"), start: int = 1) -> list[Path]:
    """Write every figure of ``source`` (the frames, or their analyses) as ``kuvio1_swot.png`` /
    ``figure1_swot.svg`` … into ``folder``; returns the paths written."""
    analyses = Analyses.of(source)
    lang = lang or analyses.frames.language
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = "kuvio" if lang == "fi" else "figure"
    paths = []
    for n, spec in enumerate(figure_specs(analyses, lang), start):
        for fmt in formats:
            paths.append(save_figure(spec.figure, folder / f"{stem}{n}_{spec.key}.{fmt}",
                                     spec.caption(n, lang), fmt))
    return paths
