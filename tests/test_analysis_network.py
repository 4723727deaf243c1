import os
import sys

import networkx as nx
import pytest

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import bipartite_graph, cooccurrence_graph, edge_frame, write_graphml  # noqa: E402
from qualcode.errors import QualcodeError  # noqa: E402


def test_segment_level_cooccurrence():
    g = cooccurrence_graph(st.codings(), st.codebook())
    # only segment 5 carries two codes: portaali + referenssit
    assert list(g.edges) == [("portaali", "referenssit")]
    e = g.edges["portaali", "referenssit"]
    assert e["weight"] == 1 and e["jaccard"] == pytest.approx(1 / 3)     # 1 / (2 + 2 - 1)
    assert g.nodes["paivitykset"] == {"name": "Tilannepäivitykset", "theme": "viestinta", "frequency": 3}
    assert list(g.nodes) == ["paivitykset", "viikkoviesti", "portaali", "referenssit", "kilpailu"]
    assert "kaytto" in cooccurrence_graph(st.codings(), st.codebook(), include_unused=True)


def test_source_level_cooccurrence():
    g = cooccurrence_graph(st.codings(), st.codebook(), unit="source")
    # a.txt {paivitykset, portaali, referenssit}; b.txt {paivitykset, portaali, referenssit, kilpailu,
    # viikkoviesti} -> 10 distinct pairs; the three pairs of a.txt occur in both sources
    assert g.number_of_edges() == 10
    assert g.edges["paivitykset", "portaali"]["weight"] == 2
    assert g.edges["paivitykset", "portaali"]["jaccard"] == 1.0
    assert g.edges["paivitykset", "kilpailu"]["jaccard"] == 0.5          # 1 / (2 + 1 - 1)
    assert g.edges["kilpailu", "viikkoviesti"]["jaccard"] == 1.0
    assert g.nodes["kilpailu"]["frequency"] == 1
    ef = edge_frame(g)
    assert ef.iloc[:3][["source", "target", "weight"]].values.tolist() == [
        ["paivitykset", "portaali", 2], ["paivitykset", "referenssit", 2], ["portaali", "referenssit", 2]]
    assert len(edge_frame(cooccurrence_graph(st.codings(), st.codebook(), unit="source", min_weight=2))) == 3


def test_theme_level_network():
    g = cooccurrence_graph(st.codings(), st.codebook(), level="theme")
    assert g.edges["viestinta", "suositus"]["weight"] == 1
    assert g.edges["viestinta", "suositus"]["jaccard"] == pytest.approx(1 / 7)   # 1 / (6 + 2 - 1)


def test_bipartite_graph():
    g = bipartite_graph(st.codings(), st.informants(), st.codebook())
    assert g.number_of_nodes() == 9 and g.number_of_edges() == 8
    assert g.nodes["informant:H1"]["kind"] == "informant" and g.nodes["code:portaali"]["bipartite"] == 1
    assert sorted(g.neighbors("informant:H3")) == ["code:kilpailu", "code:portaali", "code:referenssit"]
    assert g.edges["informant:H1", "code:paivitykset"]["weight"] == 1


def test_write_graphml_roundtrip(tmp_path):
    g = cooccurrence_graph(st.codings(), st.codebook(), unit="source")
    g.nodes["kilpailu"]["theme"] = None
    path = tmp_path / "net.graphml"
    write_graphml(g, path)
    back = nx.read_graphml(path)
    assert back.number_of_edges() == 10
    assert back.edges["paivitykset", "portaali"]["weight"] == 2
    assert back.nodes["paivitykset"]["name"] == "Tilannepäivitykset"
    write_graphml(bipartite_graph(st.codings(), st.informants()), tmp_path / "bi.graphml")
    assert nx.read_graphml(tmp_path / "bi.graphml").number_of_nodes() == 9


def test_empty_inputs_and_errors(tmp_path):
    g = cooccurrence_graph(st.empty_codings(), st.codebook())
    assert g.number_of_nodes() == 0
    assert edge_frame(g).empty and list(edge_frame(g).columns) == ["source", "target", "weight", "jaccard"]
    b = bipartite_graph(st.empty_codings(), st.informants())
    assert b.number_of_nodes() == 4 and b.number_of_edges() == 0
    write_graphml(g, tmp_path / "empty.graphml")
    with pytest.raises(QualcodeError):
        cooccurrence_graph(st.codings(), unit="turn")
