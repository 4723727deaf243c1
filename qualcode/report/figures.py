"""Figures: the SWOT grid, code frequencies by group and the code co-occurrence network,
saved as PNG and SVG.  Here each figure's data is taken from the analyses, as plain
JSON-safe data (:class:`FigureSpec`); :mod:`qualcode.report.drawing` draws it (matplotlib's
object API: a ``Figure`` saved by ``savefig``), in this process or in the figure process.

Figures are numbered ``Kuvio N.`` / ``Figure N.`` in the order they are made; the
caption is written into each file's metadata title (and below the figure in the Word
report).  Empty figures (no SWOT codes, no coded groups, no co-occurrences) are left
out rather than drawn empty.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Optional, Union

from ..analysis.network import Cooccurrence
from ..analysis.study import Analyses, StudyFrames
from ..labels import label
from .drawing import draw, save_figure, wrap  # noqa: F401  (save_figure: its home is drawing)

PathLike = Union[str, Path]

#: Above this many codes the network is drawn between themes instead.
MAX_NETWORK_NODES = 15


@dataclass
class FigureSpec:
    """A figure ready to draw: ``key`` (swot, frequencies, network), the caption title
    (without the number) and ``data``, the plain (JSON-safe) data it is drawn from — in this
    process (:attr:`figure`) or in the figure process."""

    key: str
    title: str
    data: dict

    def caption(self, number: int, lang: str) -> str:
        return label("caption.figure", lang, n=number, title=self.title)

    @cached_property
    def figure(self):
        """The matplotlib figure, drawn here on first use."""
        return draw(self.data)


def swot_data(result: Any, lang: str = "fi") -> dict:
    """The SWOT grid's data: the quadrant titles and, per quadrant, its codes with segment
    counts (wrapped to the box)."""
    items = result.items
    lines = [[wrap(f"• {r['name']} ({r['segments']})", 48) for r in items[items["quadrant"] == q].to_dict("records")]
             for q in ("S", "W", "O", "T")]
    return {"kind": "swot", "titles": [label(f"analysis.swot.{q}", lang) for q in ("S", "W", "O", "T")],
            "lines": lines}


def frequency_data(matrix: Any, lang: str = "fi", codebook: Any = None, by: str = "role") -> dict:
    """The frequency bars' data: the used codes' names (bottom to top) and the coded segments
    of each informant group."""
    mat = matrix.loc[:, matrix.sum(axis=0) > 0]
    codes = list(mat.columns)[::-1]
    names = []
    for c in codes:
        code = codebook.get(c) if codebook is not None else None
        names.append(wrap((code.name or code.id) if code is not None else c, 30))
    title = label("report.interviews.title", lang).rstrip(":") if by == "role" else by
    return {"kind": "frequencies", "names": names, "groups": [str(g) for g in mat.index],
            "values": [[float(mat.loc[g, c]) for c in codes] for g in mat.index],
            "xlabel": label("report.segments", lang), "legend": str(title)}


def network_data(network: Any) -> dict:
    """The network's data from a :class:`~qualcode.analysis.network.Cooccurrence` or a networkx
    graph: nodes ``[id, label, frequency]`` and edges ``[a, b, weight]``, in the graph's order."""
    if isinstance(network, Cooccurrence):
        nodes = [(n, attrs) for n, attrs in network.nodes.items()]
        edges = [(a, b, w) for a, b, w, _ in network.edges]
    else:
        nodes = list(network.nodes(data=True))
        edges = [(a, b, d.get("weight", 1)) for a, b, d in network.edges(data=True)]
    return {"kind": "network",
            "nodes": [[str(n), wrap(d.get("name", n), 20), _number(d.get("frequency", 1))] for n, d in nodes],
            "edges": [[str(a), str(b), _number(w)] for a, b, w in edges]}


def _number(value: Any):
    """A count or weight as a plain Python number (numpy's are not JSON)."""
    return value.item() if hasattr(value, "item") else value


def swot_figure(result: Any, lang: str = "fi"):
    """The 2×2 SWOT grid as a figure: strengths | weaknesses over opportunities |
    threats, each box the quadrant title and its codes with segment counts."""
    return draw(swot_data(result, lang))


def frequency_figure(matrix: Any, lang: str = "fi", codebook: Any = None, by: str = "role"):
    """Horizontal stacked bars: coded segments per code, stacked by informant group."""
    return draw(frequency_data(matrix, lang, codebook, by))


def network_figure(graph: Any, lang: str = "fi"):
    """The co-occurrence network: node size by frequency, edge width by weight."""
    return draw(network_data(graph))


def figure_specs(source: Union[StudyFrames, Analyses], lang: Optional[str] = None) -> list[FigureSpec]:
    """The figures with content, in report order: SWOT, frequencies by group, network."""
    analyses = Analyses.of(source)
    frames = analyses.frames
    lang = lang or frames.language
    out = []
    res = analyses.swot(lang)
    if len(res.items):
        out.append(FigureSpec("swot", label("analysis.swot.title", lang) + ".", swot_data(res, lang)))
    inf = frames.informants
    by = frames.group_by if inf is not None and frames.group_by in getattr(inf, "columns", []) else "role"
    if inf is not None and len(inf) and by in inf.columns:
        mat = analyses.group_matrix(by, include_unused=False, lang=lang)
        if mat.size and mat.values.sum() > 0:
            out.append(FigureSpec("frequencies", label("report.title.frequencies", lang),
                                  frequency_data(mat, lang, frames.codebook, by)))
    network = _readable_network(analyses)
    if network.edges:
        out.append(FigureSpec("network", label("report.title.network", lang), network_data(network)))
    return out


def _readable_network(analyses: Analyses):
    """Codes that occur in one paragraph, else in one interview; between themes when there
    are too many codes to read."""
    network = None
    for unit in ("segment", "source"):
        for level in ("code", "theme"):
            network = analyses.cooccurrence(unit, level)
            if len(network.nodes) <= MAX_NETWORK_NODES:
                break
        if network.edges:
            break
    return network


def write_figures(source: Union[StudyFrames, Analyses], folder: PathLike, lang: Optional[str] = None,
                  formats: tuple[str, ...] = ("png", "svg"), start: int = 1, drawer: Any = None) -> list[Path]:
    """Write every figure of ``source`` (the frames, or their analyses) as ``kuvio1_swot.png`` /
    ``figure1_swot.svg`` … into ``folder``; returns the paths written.  ``drawer`` (a
    :class:`~qualcode.report.figure_worker.FigureWorker`) draws them in the figure process;
    by default they are drawn here."""
    analyses = Analyses.of(source)
    lang = lang or analyses.frames.language
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = "kuvio" if lang == "fi" else "figure"
    paths = []
    for n, spec in enumerate(figure_specs(analyses, lang), start):
        for fmt in formats:
            path, caption = folder / f"{stem}{n}_{spec.key}.{fmt}", spec.caption(n, lang)
            if drawer is None:
                save_figure(spec.figure, path, caption, fmt)
            else:
                drawer.submit(spec.data, path, caption, fmt)
            paths.append(path)
    if drawer is not None:
        drawer.finish()
    return paths
