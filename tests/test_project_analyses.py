"""The analyses through the Project API, on a small hand-built project with hand-worked answers."""
import pytest

CODEBOOK = """\
language: fi
codes:
  - {id: viestinta, name: Viestintä, parent: null}
  - {id: puute, name: Tilannetiedon puute, parent: viestinta, valence: negative, swot: W}
  - {id: toimiva, name: Toimiva viestintä, parent: viestinta, valence: positive, swot: S}
  - {id: hinta, name: Hinta, parent: null, valence: negative, swot: T}
"""


@pytest.fixture
def study(project):
    (project.root / "codebooks" / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    (project.root / "informants.csv").write_text(
        "code,role,segment,score\nH1,Controller,KAM,8\nH2,Talousjohtaja,muu,4\nH3,Controller,KAM,10\n")
    t = project.root / "transcripts"
    (t / "H1.txt").write_text("H1: Päivityksiä ei tullut.\nH1: Hinta nousi.\n", encoding="utf-8")
    (t / "H2.txt").write_text("H2: Kukaan ei kertonut mitään, ja hinta on kova.\n", encoding="utf-8")
    (t / "H3.txt").write_text("H3: Viestintä toimii hienosti.\n", encoding="utf-8")
    project.ingest([t])
    seg = {row.text: int(row.segment_id) for row in project.segments().itertuples()}
    project.coding.add(seg["Päivityksiä ei tullut."], "puute")
    project.coding.add(seg["Hinta nousi."], "hinta")
    project.coding.add(seg["Kukaan ei kertonut mitään, ja hinta on kova."], "puute")
    project.coding.add(seg["Kukaan ei kertonut mitään, ja hinta on kova."], "hinta")
    project.coding.add(seg["Viestintä toimii hienosti."], "toimiva")
    return project


def test_themes_and_matrices(study):
    freq = study.analyse.themes().set_index("code_id")
    assert freq.loc["puute", "segments"] == 2 and freq.loc["puute", "informants"] == 2
    assert freq.loc["hinta", "segments"] == 2 and freq.loc["toimiva", "informants"] == 1
    themes = study.analyse.themes(level="theme").set_index("code_id")
    assert themes.loc["viestinta", "informants"] == 3
    m = study.analyse.informant_matrix(value="presence")
    assert m.loc["H2", "hinta"] == 1 and m.loc["H3", "hinta"] == 0
    g = study.analyse.group_matrix(by="segment")
    assert g.loc["KAM", "puute"] == 1 and g.loc["muu", "puute"] == 1


def test_swot_trends_network_scores(study):
    frame = study.analyse.swot().to_frame()
    cells = {(r.quadrant, r.code_id): r.segments for r in frame.itertuples()}
    assert cells == {("S", "toimiva"): 1, ("W", "puute"): 2, ("T", "hinta"): 2}
    tr = study.analyse.trends(level="code").set_index("code_id")
    assert tr.loc["puute", "shared"] == "2/3" and tr.loc["toimiva", "shared"] == "1/3"
    g = study.analyse.network()
    assert g["puute"]["hinta"]["weight"] == 1          # together in H2's one segment
    assert g["puute"]["hinta"]["jaccard"] == pytest.approx(1 / 3)   # 1 shared of 3 segments
    stats = study.analyse.scores().stats().set_index("statistic")["value"]
    assert stats["n"] == 3 and stats["median"] == 8


def test_empty_project_gives_empty_results(project):
    (project.root / "codebooks" / "cb.yaml").write_text(CODEBOOK, encoding="utf-8")
    freq = project.analyse.themes()
    assert list(freq["code_id"]) == ["viestinta", "puute", "toimiva", "hinta"]  # unused codes listed …
    assert (freq["segments"] == 0).all()                                         # … with zero counts
    assert project.analyse.swot().to_frame().empty
    assert project.analyse.trends().empty and "shared" in project.analyse.trends().columns
