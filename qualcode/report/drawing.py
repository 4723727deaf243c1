"""The report's figures drawn from plain data: what :mod:`qualcode.report.figures` takes from
the analyses (JSON-safe dicts of strings and numbers) becomes a matplotlib ``Figure`` here, in
the report's process or in the figure process (:mod:`qualcode.report.figure_worker`), which
therefore draws byte for byte the same PNG.

Nothing here imports the analyses, pandas or networkx (the network is laid out here, as
networkx lays it out), so the figure process loads only matplotlib.  No pyplot: the figures are never registered with
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
    ``edges`` ``[a, b, weight]`` as wide as their weight, laid out by the spring layout.

    Drawn with matplotlib alone, as networkx's ``spring_layout(seed=7)`` and
    ``draw_networkx_*`` draw it (the same artists, the same PNG bytes): importing networkx
    was a sixth of the figure process, the last step of a Word report.  A graph with a loop
    (a code with itself) is drawn by networkx, which draws loops its own way."""
    if any(a == b for a, b, _ in data["edges"]):
        return _draw_network_nx(data)
    adjacency: dict = {}               # node → neighbour → weight, in networkx's insertion order
    for node, _, _ in data["nodes"]:
        adjacency.setdefault(node, {})
    for a, b, weight in data["edges"]:
        adjacency.setdefault(a, {})[b] = weight
        adjacency.setdefault(b, {})[a] = weight
    nodes = list(adjacency)
    edges, seen = [], set()            # networkx's edge order: by node, then neighbour
    for a, neighbours in adjacency.items():
        edges += [(a, b, w) for b, w in neighbours.items() if b not in seen]
        seen.add(a)
    fig = _figure((9, 7))
    ax = fig.subplots()
    pos = spring_layout(nodes, edges, k=2.0 / max(1, len(nodes)) ** 0.5)
    top_f = max([f for _, _, f in data["nodes"]] or [1]) or 1
    top_w = max([w for _, _, w in data["edges"]] or [1]) or 1
    sizes = [300 + 1700 * f / top_f for _, _, f in data["nodes"]]
    _network_edges(ax, pos, edges, [0.5 + 6 * w / top_w for _, _, w in edges])
    _network_nodes(ax, pos, nodes, sizes)
    for n, text in {n: text for n, text, _ in data["nodes"]}.items():
        x, y = pos[n]
        ax.text(x, y, text, size=9, color="k", family="sans-serif", weight="normal", alpha=None,
                horizontalalignment="center", verticalalignment="center", transform=ax.transData,
                bbox=None, clip_on=True)
    if len(edges) <= 20:
        _network_edge_labels(ax, pos, edges)
    ax.set_axis_off()
    # the axes fill the figure; the margins keep the labels of outer nodes inside it
    ax.margins(0.12, 0.08)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return fig


def _draw_network_nx(data: dict):
    """:func:`draw_network` by networkx itself."""
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
    ax.margins(0.12, 0.08)
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1)
    return fig


def spring_layout(nodes: list, edges: list, k: float, seed: int = 7, iterations: int = 50,
                  threshold: float = 1e-4) -> dict:
    """Node → position (an array of x, y): networkx's ``spring_layout`` (Fruchterman–Reingold
    on the dense weighted adjacency, random start from ``seed``, rescaled into −1…1) step
    for step, so that the positions are the same floats.

    >>> pos = spring_layout(["a", "b", "c"], [("a", "b", 2), ("b", "c", 1)], k=1.0)
    >>> list(pos), round(max(float(abs(v).max()) for v in pos.values()), 6)
    (['a', 'b', 'c'], 1.0)
    """
    import numpy as np

    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: np.zeros(2)}
    index = {n: i for i, n in enumerate(nodes)}
    A = np.full((len(nodes), len(nodes)), fill_value=0.0)
    if edges:
        i = [index[a] for a, _, _ in edges]
        j = [index[b] for _, b, _ in edges]
        weights = [w for _, _, w in edges]
        A[i, j] = weights
        A[j, i] = weights
    nnodes = len(nodes)
    pos = np.asarray(np.random.RandomState(seed).rand(nnodes, 2), dtype=A.dtype)
    t = max(max(pos.T[0]) - min(pos.T[0]), max(pos.T[1]) - min(pos.T[1])) * 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, np.newaxis, :] - pos[np.newaxis, :, :]
        distance = np.linalg.norm(delta, axis=-1)
        np.clip(distance, 0.01, None, out=distance)
        displacement = np.einsum("ijk,ij->ik", delta, (k * k / distance**2 - A * distance / k))
        length = np.linalg.norm(displacement, axis=-1)
        length = np.clip(length, a_min=0.01, a_max=None)
        delta_pos = np.einsum("ij,i->ij", displacement, t / length)
        pos += delta_pos
        t -= dt
        if (np.linalg.norm(delta_pos) / nnodes) < threshold:
            break
    pos -= pos.mean(axis=0)            # networkx's rescale_layout, then its centre (0, 0) added
    lim = np.abs(pos).max()
    if lim > 0:
        pos *= 1 / lim
    pos = pos + np.zeros(2)
    return dict(zip(nodes, pos))


def _network_edges(ax, pos: dict, edges: list, widths: list) -> None:
    """The edges as one line collection behind the nodes (networkx's ``draw_networkx_edges``
    for a graph without loops)."""
    import numpy as np
    from matplotlib.collections import LineCollection

    if not edges:
        return
    edge_pos = np.asarray([(pos[a], pos[b]) for a, b, _ in edges])
    minx, maxx = np.amin(np.ravel(edge_pos[:, :, 0])), np.amax(np.ravel(edge_pos[:, :, 0]))
    miny, maxy = np.amin(np.ravel(edge_pos[:, :, 1])), np.amax(np.ravel(edge_pos[:, :, 1]))
    w, h = maxx - minx, maxy - miny
    lines = LineCollection(edge_pos, colors="#999999", linewidths=widths, antialiaseds=(1,),
                           linestyle="solid", alpha=None)
    lines.set_cmap(None)
    lines.set_clim(None, None)
    lines.set_zorder(1)
    lines.set_label(None)
    ax.add_collection(lines)
    padx, pady = 0.05 * w, 0.05 * h
    ax.update_datalim(((minx - padx, miny - pady), (maxx + padx, maxy + pady)))
    ax.autoscale_view()
    _hide_ticks(ax)


def _network_nodes(ax, pos: dict, nodes: list, sizes: list) -> None:
    """The nodes as circles (networkx's ``draw_networkx_nodes``)."""
    import numpy as np

    if not nodes:
        return
    xy = np.asarray([pos[v] for v in nodes])
    collection = ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c="#9DC3E6", marker="o", cmap=None, vmin=None,
                            vmax=None, alpha=None, linewidths=None, edgecolors=None, label=None)
    _hide_ticks(ax)
    collection.set_zorder(2)


def _hide_ticks(ax) -> None:
    ax.tick_params(axis="both", which="both", bottom=False, left=False, labelbottom=False, labelleft=False)


def _network_edge_labels(ax, pos: dict, edges: list) -> None:
    """Each edge's weight halfway along it, turned along it, on a white box (networkx's
    ``draw_networkx_edge_labels``: the half-way point of the edge shortened by a default
    node's radius at both ends, recomputed when drawn)."""
    import numpy as np
    from matplotlib.patches import ConnectionStyle
    from matplotlib.text import Text

    if not edges:
        return
    connection = ConnectionStyle("arc3")
    shrink = np.sqrt(300) / 2          # networkx measures from a node of its default size

    class EdgeLabel(Text):
        def __init__(self, ends, text):
            self.ends = ends
            x, y, angle = self._place()
            super().__init__(x, y, text, rotation=angle, size=8, color="k", family="sans-serif",
                             weight="normal", alpha=None, horizontalalignment="center",
                             verticalalignment="center", transform=ax.transData,
                             bbox={"boxstyle": "round", "ec": (1.0, 1.0, 1.0), "fc": (1.0, 1.0, 1.0)},
                             zorder=1, clip_on=True)
            ax.add_artist(self)

        def _place(self):
            posA, posB = ax.transData.transform(self.ends)
            path = connection(posA, posB, patchA=None, patchB=None, shrinkA=shrink * 1.0, shrinkB=shrink * 1.0)
            t = tt = 0.5
            (x1, y1), (cx, cy), (x2, y2) = path.vertices
            x = tt**2 * x1 + 2 * t * tt * cx + t**2 * x2
            y = tt**2 * y1 + 2 * t * tt * cy + t**2 * y2
            change_x = 2 * tt * (cx - x1) + 2 * t * (x2 - cx)
            change_y = 2 * tt * (cy - y1) + 2 * t * (y2 - cy)
            angle = np.arctan2(change_y, change_x) / (2 * np.pi) * 360
            if angle > 90:             # the right way up
                angle -= 180
            elif angle < -90:
                angle += 180
            x, y = ax.transData.inverted().transform((x, y))
            return x, y, angle

        def draw(self, renderer):
            x, y, angle = self._place()
            self.set_position((x, y))
            self.set_rotation(angle)
            super().draw(renderer)

    edge_pos = np.asarray([(pos[a], pos[b]) for a, b, _ in edges])
    for (start, end), (_, _, weight) in zip(edge_pos, edges):
        EdgeLabel(((start[0], start[1]), (end[0], end[1])), str(weight))
    _hide_ticks(ax)


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
