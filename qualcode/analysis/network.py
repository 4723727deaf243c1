"""Code co-occurrence networks (networkx) and the informant–code bipartite graph.

Two codes co-occur in a *unit* — a segment (``unit="segment"``) or a whole source
document (``unit="source"``) — when both are applied in it.  Edge ``weight`` is the
number of units with both codes; ``jaccard`` is that number divided by the number of
units with either.  Node ``frequency`` is the number of units with the code.

>>> import pandas as pd
>>> c = pd.DataFrame({"segment_id": [1, 1, 2], "code_id": ["a", "b", "a"],
...                   "status": "accepted", "source": "x.txt"})
>>> g = cooccurrence_graph(c)
>>> g.edges["a", "b"]["weight"], g.edges["a", "b"]["jaccard"], g.nodes["a"]["frequency"]
(1, 0.5, 2)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Optional

import pandas as pd

from ..errors import QualcodeError
from ..fileutil import is_missing
from ..model import Codebook
from .themes import (code_name, code_order, informant_universe, natural_key,
                     prepare_codings, roll_up)

if TYPE_CHECKING:      # networkx is imported where a graph is built: reports without one skip it
    import networkx as nx

EDGE_COLUMNS = ["source", "target", "weight", "jaccard"]


@dataclass
class Cooccurrence:
    """A co-occurrence network as plain data (what a report draws without loading networkx):
    ``nodes`` maps each node id, in code order, to its ``name``, ``theme`` and ``frequency``;
    ``edges`` are ``(a, b, weight, jaccard)`` with ``a`` before ``b`` in node order, in node
    order.  :meth:`graph` is the same network as a networkx graph."""

    unit: str
    level: str
    nodes: dict = field(default_factory=dict)
    edges: list = field(default_factory=list)

    def graph(self) -> nx.Graph:
        import networkx as nx

        graph = nx.Graph(unit=self.unit, level=self.level)
        for n, attrs in self.nodes.items():
            graph.add_node(n, **attrs)
        for a, b, w, j in self.edges:
            graph.add_edge(a, b, weight=w, jaccard=j)
        return graph


def cooccurrence(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                 unit: str = "segment", level: str = "code", min_weight: int = 1,
                 segments: Optional[pd.DataFrame] = None, include_suggested: bool = False,
                 include_unused: bool = False) -> Cooccurrence:
    """The co-occurrence network of :func:`cooccurrence_graph` as plain data.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 1], "code_id": ["a", "b"], "status": "manual"})
    >>> net = cooccurrence(c)
    >>> list(net.nodes), net.edges
    (['a', 'b'], [('a', 'b', 1, 1.0)])
    """
    if unit not in ("segment", "source"):
        raise QualcodeError(f"unknown unit {unit!r}; use 'segment' or 'source'")
    cods = prepare_codings(codings, segments, include_suggested)
    cods["node"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    key = "segment_id" if unit == "segment" else "source"
    cods = cods[~cods[key].map(is_missing).astype(bool)]
    units: dict[object, set] = {}
    for u, n in zip(cods[key], cods["node"]):
        units.setdefault(u, set()).add(n)
    freq: dict[str, int] = {}
    for nodes in units.values():
        for n in nodes:
            freq[n] = freq.get(n, 0) + 1
    net = Cooccurrence(unit, level)
    for n in code_order(codebook, freq.keys(), level, include_unused):
        net.nodes[n] = {"name": code_name(codebook, n),
                        "theme": roll_up(codebook, n, "theme") if codebook is not None else n,
                        "frequency": freq.get(n, 0)}
    pairs: dict[tuple[str, str], int] = {}
    order = {n: i for i, n in enumerate(net.nodes)}
    for nodes in units.values():
        for a, b in combinations(sorted(nodes, key=order.get), 2):
            pairs[(a, b)] = pairs.get((a, b), 0) + 1
    for (a, b) in sorted(pairs, key=lambda p: (order[p[0]], order[p[1]])):
        w = pairs[(a, b)]
        if w >= min_weight:
            net.edges.append((a, b, w, w / (freq[a] + freq[b] - w)))
    return net


def cooccurrence_graph(codings: Optional[pd.DataFrame], codebook: Optional[Codebook] = None, *,
                       unit: str = "segment", level: str = "code", min_weight: int = 1,
                       segments: Optional[pd.DataFrame] = None, include_suggested: bool = False,
                       include_unused: bool = False) -> nx.Graph:
    """Co-occurrence graph of codes (or themes, ``level="theme"``) per segment or per
    source.  Nodes carry ``name``, ``theme`` and ``frequency``; edges ``weight`` (count)
    and ``jaccard``.  Edges below ``min_weight`` are dropped; codes never used are
    nodes only with ``include_unused``.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["a", "b"], "status": "manual",
    ...                   "source": ["x", "x"]})
    >>> cooccurrence_graph(c).number_of_edges(), cooccurrence_graph(c, unit="source").number_of_edges()
    (0, 1)
    """
    return cooccurrence(codings, codebook, unit=unit, level=level, min_weight=min_weight, segments=segments,
                        include_suggested=include_suggested, include_unused=include_unused).graph()


def edge_frame(graph: nx.Graph) -> pd.DataFrame:
    """The edges as a DataFrame (``source``, ``target``, ``weight``, ``jaccard``), the
    heaviest first, ties in node order.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 1], "code_id": ["b", "a"], "status": "accepted"})
    >>> edge_frame(cooccurrence_graph(c)).values.tolist()
    [['a', 'b', 1, 1.0]]
    """
    order = {n: i for i, n in enumerate(graph.nodes)}
    rows = []
    for a, b, d in graph.edges(data=True):
        if order[a] > order[b]:
            a, b = b, a
        rows.append({"source": a, "target": b, "weight": d.get("weight", 1),
                     "jaccard": d.get("jaccard", float("nan")), "_k": (order[a], order[b])})
    rows.sort(key=lambda r: (-r["weight"], r["_k"]))
    out = pd.DataFrame(rows, columns=EDGE_COLUMNS + ["_k"]).drop(columns="_k")
    return out.astype({"weight": "int64", "jaccard": "float64"})


def bipartite_graph(codings: Optional[pd.DataFrame], informants: Optional[pd.DataFrame] = None,
                    codebook: Optional[Codebook] = None, *, level: str = "code",
                    segments: Optional[pd.DataFrame] = None,
                    include_suggested: bool = False) -> nx.Graph:
    """Informant–code bipartite graph.  Node ids are ``informant:H1`` and ``code:a``;
    nodes carry ``kind`` (informant/code), ``bipartite`` (0/1) and ``label``; code nodes
    also ``name``, ``theme``.  Edge ``weight`` = segments of the informant with the code.
    Every informant of the universe is a node, coded or not.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"segment_id": [1, 2], "code_id": ["a", "a"], "status": "accepted",
    ...                   "speaker": ["H1", "H1"]})
    >>> g = bipartite_graph(c, pd.DataFrame({"code": ["H1", "H2"]}))
    >>> g.edges["informant:H1", "code:a"]["weight"], g.degree["informant:H2"]
    (2, 0)
    """
    cods = prepare_codings(codings, segments, include_suggested)
    cods["node"] = [roll_up(codebook, c, level) for c in cods["code_id"]]
    universe = informant_universe(informants, segments, cods)
    import networkx as nx

    graph = nx.Graph()
    for i in universe:
        graph.add_node(f"informant:{i}", kind="informant", bipartite=0, label=i)
    sub = cods[cods["speaker"].isin(universe)]
    for n in code_order(codebook, sub["node"], level, include_unused=False):
        graph.add_node(f"code:{n}", kind="code", bipartite=1, label=n, name=code_name(codebook, n),
                       theme=roll_up(codebook, n, "theme") if codebook is not None else n)
    if len(sub):
        counts = sub.groupby(["speaker", "node"])["segment_id"].nunique()
        for (spk, n) in sorted(counts.index, key=lambda p: (natural_key(p[0]), natural_key(p[1]))):
            graph.add_edge(f"informant:{spk}", f"code:{n}", weight=int(counts[(spk, n)]))
    return graph


def write_graphml(graph: nx.Graph, path) -> None:
    """Write ``graph`` as GraphML (Gephi, Cytoscape); ``None`` attributes become empty
    strings and lists become comma-separated text, since GraphML cannot hold them.

    >>> import tempfile, os, networkx as nx
    >>> g = nx.Graph(); g.add_node("a", theme=None); g.add_edge("a", "b", weight=2)
    >>> p = os.path.join(tempfile.mkdtemp(), "g.graphml"); write_graphml(g, p)
    >>> sorted(nx.read_graphml(p).nodes)
    ['a', 'b']
    """
    def clean(d: dict) -> dict:
        out = {}
        for k, v in d.items():
            if v is None:
                v = ""
            elif isinstance(v, (list, tuple, set)):
                v = ", ".join(map(str, v))
            elif hasattr(v, "item"):
                v = v.item()
            out[k] = v
        return out

    import networkx as nx

    g = nx.Graph() if not graph.is_directed() else nx.DiGraph()
    g.graph.update(clean(dict(graph.graph)))
    for n, d in graph.nodes(data=True):
        g.add_node(str(n), **clean(d))
    for a, b, d in graph.edges(data=True):
        g.add_edge(str(a), str(b), **clean(d))
    nx.write_graphml(g, str(path))
