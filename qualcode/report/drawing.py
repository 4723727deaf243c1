"""The report's figures drawn from plain data: what :mod:`qualcode.report.figures` takes from
the analyses (JSON-safe dicts of strings and numbers) becomes a matplotlib ``Figure`` here, in
the report's process or in the figure process (:mod:`qualcode.report.figure_worker`), which
therefore draws byte for byte the same PNG.

Nothing here imports the analyses or pandas, so the figure process loads only matplotlib
(and networkx for the network's layout).  No pyplot: the figures are never registered with
it and the process's backend is never changed, so a notebook's own ``plt.show()`` still works
after a report (and pyplot's import is not paid for).

>>> data = {"kind": "swot", "titles": ["S", "W", "O", "T"], "lines": [["• a (2)"], [], [], []]}
>>> fig = draw(data)
>>> [ax.get_title() for ax in fig.axes]
['S', 'W', 'O', 'T']
"""
from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Callable, Optional, Union

from ..fileutil import atomic_output

PathLike = Union[str, Path]

QUADRANT_COLOURS = {"S": "#E2EFDA", "W": "#FCE4D6", "O": "#DDEBF7", "T": "#FFF2CC"}
#: The DPI of every saved figure.
DPI = 150


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters (as the figures label)."""
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


def _figure(figsize: tuple[float, float]):
    """A new figure of its own (not one of pyplot's), drawn by savefig's own canvas."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize)


def draw_swot(data: dict):
    """The 2×2 SWOT grid: ``titles`` (S, W, O, T) over boxes of ``lines`` (one list a quadrant)."""
    fig = _figure((10, 7))
    axes = fig.subplots(2, 2)
    for ax, q, title, lines in zip(axes.flat, ("S", "W", "O", "T"), data["titles"], data["lines"]):
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(QUADRANT_COLOURS[q])
        ax.set_title(title, fontsize=13, fontweight="bold")
        ax.text(0.03, 0.95, "\n".join(lines), va="top", ha="left", fontsize=10, transform=ax.transAxes)
    # a fixed layout (room for the quadrant titles above each box): no measuring draw
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.955, wspace=0.03, hspace=0.1)
    return fig


def draw_frequencies(data: dict):
    """Horizontal stacked bars: ``names`` (bottom to top) with one row of ``values`` per group
    of ``groups``, an ``xlabel`` and the legend's ``legend`` title."""
    import numpy as np

    names = data["names"]
    fig = _figure((9, max(3, 0.5 * len(names) + 1.5)))
    ax = fig.subplots()
    left = np.zeros(len(names))
    colours = distinct_colours(len(data["groups"]))
    for i, (group, row) in enumerate(zip(data["groups"], data["values"])):
        vals = np.array(row, dtype=float)
        ax.barh(names, vals, left=left, label=group, color=colours[i])
        left += vals
    ax.set_xlabel(data["xlabel"])
    ax.legend(title=data["legend"], fontsize=8, loc="lower right")
    ax.xaxis.get_major_locator().set_params(integer=True)
    width, height = fig.get_size_inches()
    longest = max((len(line) for n in names for line in n.split("\n")), default=1)
    # the left margin from the longest code name (DejaVu Sans at 10 pt: under 0.58 em a
    # character) and fixed room for the axis label below: no measuring draw
    fig.subplots_adjust(left=min(0.6, (longest * 0.58 * 10 / 72 + 0.2) / width), right=0.97,
                        top=1 - 0.2 / height, bottom=0.6 / height)
    return fig


def distinct_colours(n: int) -> list:
    """``n`` colours no two alike: tab10 up to 10 groups, tab20 up to 20, else evenly spaced
    hues (with alternating lightness so neighbours differ)."""
    from matplotlib import colormaps

    if n <= 10:
        return [colormaps["tab10"](i) for i in range(n)]
    if n <= 20:
        return [colormaps["tab20"](i) for i in range(n)]
    import colorsys

    return [colorsys.hls_to_rgb(i / n, 0.40 if i % 2 else 0.65, 0.65) for i in range(n)]


def draw_network(data: dict):
    """The co-occurrence network: ``nodes`` ``[id, label, frequency]`` sized by frequency,
    ``edges`` ``[a, b, weight]`` as wide as their weight (networkx lays it out and draws it)."""
    import networkx as nx

    graph = nx.Graph()
    for node, _, frequency in data["nodes"]:
        graph.add_node(node, frequency=frequency)
    for a, b, weight in data["edges"]:
        graph.add_edge(a, b, weight=weight)
    fig = _figure((9, 7))
    ax = fig.subplots()
    pos = nx.spring_layout(graph, seed=7, weight="weight", k=2.0 / max(1, graph.number_of_nodes()) ** 0.5)
    top_f = max([f for _, _, f in data["nodes"]] or [1]) or 1
    top_w = max([w for _, _, w in data["edges"]] or [1]) or 1
    sizes = [300 + 1700 * f / top_f for _, _, f in data["nodes"]]
    widths = [0.5 + 6 * d["weight"] / top_w for _, _, d in graph.edges(data=True)]
    nx.draw_networkx_edges(graph, pos, ax=ax, width=widths, edge_color="#999999")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=sizes, node_color="#9DC3E6")
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=9, labels={n: text for n, text, _ in data["nodes"]})
    if graph.number_of_edges() <= 20:
        edge_labels = {(a, b): d["weight"] for a, b, d in graph.edges(data=True)}
        nx.draw_networkx_edge_labels(graph, pos, edge_labels=edge_labels, ax=ax, font_size=8)
    ax.set_axis_off()
    # the axes fill the figure; the margins keep the labels of outer nodes inside it
    ax.margins(0.12, 0.08)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return fig


DRAWERS: dict[str, Callable[[dict], Any]] = {"swot": draw_swot, "frequencies": draw_frequencies,
                                             "network": draw_network}


def draw(data: dict):
    """The matplotlib ``Figure`` of one figure's ``data`` (its ``kind`` says which)."""
    return DRAWERS[data["kind"]](data)


def save_figure(fig: Any, path: PathLike, caption: str, fmt: Optional[str] = None, dpi: int = DPI) -> Path:
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


def render(data: dict, path: PathLike, caption: str, fmt: Optional[str] = None) -> Path:
    """Draw ``data`` and save it to ``path`` (one figure, one file): what either process does
    with a figure of the report."""
    return save_figure(draw(data), path, caption, fmt)
