import os
import sys

import pandas as pd
import pytest
import yaml

sys.path.insert(0, os.path.dirname(__file__))
import test_analysis_study as st  # noqa: E402

from qualcode.analysis import cluster_types, rule_types, validate_type_rules  # noqa: E402
from qualcode.errors import QualcodeError  # noqa: E402

SPEC_YAML = """
types:
  - name: Tyytyväinen kumppani
    description: Arvostavat portaalia
    rules:
      codes_any: [portaali, suositus]
      attributes: {score: ">=9"}
  - name: Tiedonpuute
    rules:
      codes_all: [paivitykset]
      codes_none: [viikkoviesti]
      attributes: {role: asiakas}
"""


def rules(**kw):
    return rule_types(st.codings(), st.informants(), yaml.safe_load(SPEC_YAML), st.codebook(), **kw)


def test_rule_types_first_match_wins_and_untyped():
    t = rules()
    assert t.members("Tyytyväinen kumppani") == ["H1", "H3"]   # score 9 and 10, both mention portaali
    assert t.members("Tiedonpuute") == ["H2"]                  # H1 already typed; H4 has viikkoviesti
    assert t.untyped == ["H4"]
    assert t.assignments.values.tolist() == [["H1", "Tyytyväinen kumppani"], ["H2", "Tiedonpuute"],
                                             ["H3", "Tyytyväinen kumppani"], ["H4", None]]


def test_rule_types_match_all():
    t = rules(match="all")
    assert t.members("Tiedonpuute") == ["H1", "H2"]
    assert t.assignments.values.tolist()[:2] == [["H1", "Tyytyväinen kumppani"], ["H1", "Tiedonpuute"]]


def test_codes_rule_covers_descendants():
    spec = {"types": [{"name": "Päivitys", "rules": {"codes_all": ["paivitykset"]}}]}
    t = rule_types(st.codings(), st.informants(), spec, st.codebook())
    assert t.members("Päivitys") == ["H1", "H2", "H4"]        # H4 coded only viikkoviesti (a subcode)


def test_attribute_conditions():
    for cond, expected in [("KAM", ["H1", "H3"]), ("kam", ["H1", "H3"]), (["muu", "x"], ["H2", "H4"])]:
        spec = {"types": [{"name": "T", "rules": {"attributes": {"segment": cond}}}]}
        assert rule_types(st.codings(), st.informants(), spec).members("T") == expected
    for cond, expected in [("<8", ["H2"]), ("!=9", ["H2", "H3", "H4"]), ("==10", ["H3"]), (8, ["H4"])]:
        spec = {"types": [{"name": "T", "rules": {"attributes": {"score": cond}}}]}
        assert rule_types(st.codings(), st.informants(), spec).members("T") == expected


def test_defining_codes_quotes_and_description():
    t = rules().get("Tyytyväinen kumppani")
    d = t.defining_codes
    # members H1, H3 vs others H2, H4: portaali 2/2 - 0/2; kilpailu 1/2 - 0/2;
    # paivitykset and referenssit 1/2 - 1/2 = 0 are not defining
    assert d["code_id"].tolist() == ["portaali", "kilpailu"]
    assert d["difference"].tolist() == [1.0, 0.5]
    assert t.quotes[["code_id", "speaker", "segment_id"]].values.tolist() == [
        ["portaali", "H1", 2], ["kilpailu", "H3", 6], ["portaali", "H3", 5]]
    assert t.text == ("Tyyppiin kuuluu 2 haastateltavaa (H1, H3). Heille tyypillistä on "
                      "Asiakasportaali (2/2) ja Kilpailijat (1/2). Arvostavat portaalia. "
                      "Esimerkki: \u201dAsiakasportaali on kätevä.\u201d (H1)")
    en = rules(lang="en").get("Tiedonpuute").text
    assert en.startswith("The type has one informant (H2). Typical of this informant is ")


def test_comparison_table():
    comp = rules().comparison()
    assert list(comp.index) == ["Tyytyväinen kumppani", "Tiedonpuute"]
    assert comp.loc["Tyytyväinen kumppani", "n"] == 2
    assert comp.loc["Tyytyväinen kumppani", "portaali"] == 1.0
    assert comp.loc["Tiedonpuute", "paivitykset"] == 1.0
    assert comp.loc["Tyytyväinen kumppani", "score (mean)"] == 9.5
    assert comp.loc["Tyytyväinen kumppani", "role=kumppani"] == 0.5
    assert list(comp.columns[1:6]) == ["paivitykset", "viikkoviesti", "portaali", "referenssit", "kilpailu"]
    f = rules().to_frame()
    assert f[["type", "n", "members", "defining_codes"]].values.tolist() == [
        ["Tyytyväinen kumppani", 2, "H1, H3", "portaali, kilpailu"],
        ["Tiedonpuute", 1, "H2", "paivitykset, referenssit"]]
    assert "<table" in rules()._repr_html_()


@pytest.mark.parametrize("spec, message", [
    ({"types": [{"name": "A", "rules": {"codes_al": ["x"]}}]}, "type 'A': unknown rule 'codes_al'"),
    ({"types": [{"name": "A", "rules": {"codes_any": ["nope"]}}]}, "type 'A', rule codes_any: code 'nope'"),
    ({"types": [{"name": "A", "rules": {"attributes": {"ika": 3}}}]}, "type 'A', rule attributes.ika"),
    ({"types": [{"name": "A", "rules": {"attributes": {"score": ">= kahdeksan"}}}]}, "comparison"),
    ({"types": [{"name": "A"}, {"name": "A"}]}, "defined twice"),
    ({"types": [{"rules": {}}]}, "type number 1 has no name"),
    ({"types": [{"name": "A", "extra": 1}]}, "unknown key 'extra'"),
    ({"types": [], "match": "some"}, "match must be"),
    ({"tyypit": []}, "unknown key 'tyypit'"),
])
def test_validation_errors_name_type_and_rule(spec, message):
    with pytest.raises(QualcodeError, match=message.replace("(", r"\(")):
        validate_type_rules(spec, st.codebook(), st.informants())


def test_cluster_types_by_hand():
    # profiles: H1 {paivitykset, portaali}, H2 {paivitykset, referenssit},
    # H3 {portaali, referenssit, kilpailu}, H4 {viikkoviesti}
    # Jaccard distances H1-H2 2/3, H1-H3 3/4, H2-H3 3/4, H4-anyone 1 -> average linkage
    t = cluster_types(st.codings(), st.informants(), st.codebook())
    assert t.names() == ["Tyyppi 1", "Tyyppi 2"]
    assert t.members("Tyyppi 1") == ["H1", "H2", "H3"] and t.members("Tyyppi 2") == ["H4"]
    # silhouette k=2: H1, H2: (1 - 17/24) = 7/24; H3: 1/4; H4 (singleton): 0 -> mean 5/24
    assert t.silhouette == pytest.approx(5 / 24)
    assert t.get("Tyyppi 1").defining_codes["code_id"].tolist() == ["paivitykset", "portaali", "referenssit"]
    assert t.get("Tyyppi 2").text.startswith("Tyyppiin kuuluu yksi haastateltava (H4). "
                                             "Hänelle tyypillistä on Viikkoviesti (1/1).")
    t3 = cluster_types(st.codings(), st.informants(), st.codebook(), k=3)
    assert [t3.members(n) for n in t3.names()] == [["H1", "H2"], ["H3"], ["H4"]]
    # deterministic
    assert cluster_types(st.codings(), st.informants(), st.codebook()).to_frame().equals(t.to_frame())


def test_cluster_types_untyped_without_codings_and_theme_level():
    inf = pd.concat([st.informants(), pd.DataFrame({"code": ["H5"]})], ignore_index=True)
    t = cluster_types(st.codings(), inf, st.codebook(), level="theme", k=2)
    assert t.untyped == ["H5"]
    # theme profiles: H1 {viestinta}, H2 {viestinta, suositus}, H3 {viestinta, suositus, kilpailu},
    # H4 {viestinta}; H1 and H4 identical
    assert sorted(sum((t.members(n) for n in t.names()), [])) == ["H1", "H2", "H3", "H4"]
    assert any(set(t.members(n)) >= {"H1", "H4"} for n in t.names())


def test_empty_and_single_informant():
    empty = cluster_types(st.empty_codings(), st.informants())
    assert empty.types == [] and empty.untyped == ["H1", "H2", "H3", "H4"]
    assert empty.to_frame().empty and list(empty.to_frame().columns)[0] == "type"
    one = cluster_types(st.codings(), st.informants().iloc[[0]])
    assert one.names() == ["Tyyppi 1"] and one.members("Tyyppi 1") == ["H1"] and one.silhouette is None
    r = rule_types(st.empty_codings(), pd.DataFrame(columns=["code", "score"]),
                   yaml.safe_load(SPEC_YAML))
    assert r.assignments.empty and r.members("Tiedonpuute") == []
    assert r.get("Tiedonpuute").text == "Tyyppiin ei kuulu yhtään haastateltavaa."
    with pytest.raises(QualcodeError):
        cluster_types(st.codings(), k=0)
