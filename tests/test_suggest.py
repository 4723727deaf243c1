"""Suggestions by meaning: they learn from decisions and never change one (real store, real
spaCy tokenisation, real transcripts of the English demo)."""
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from qualcode.errors import QualcodeError
from qualcode.facade.suggesting import SEMANTIC_CODER, build_model, evaluate_suggestions, suggest
from qualcode.model import HUMAN_STATUSES
from qualcode.project import Project
from qualcode.suggest import available_backends, get_backend

DEMO = ROOT / "corpora" / "customer-voice"
CODEBOOK = ROOT / "codebooks" / "customer_experience_en.yaml"


def coded_english_demo(folder: Path) -> Project:
    """The English demo copied to ``folder`` with its codebook, ingested and coded (open)."""
    shutil.copytree(DEMO, folder)
    (folder / "codebooks").mkdir()
    shutil.copy2(CODEBOOK, folder / "codebooks" / CODEBOOK.name)
    p = Project(folder)
    p.ingest([folder / "transcripts"], informants=folder / "informants.csv")
    p.code()
    return p


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cv") / "study"
    with coded_english_demo(folder) as p:
        if "semantic" in available_backends():     # embedded once: the copies the tests make read them
            build_model(p, "semantic")
    return folder


def _human(p):
    c = p.codings()
    return c[c["status"].isin(HUMAN_STATUSES)].drop(columns=["segment_text"]).reset_index(drop=True)


def _segment(p, source, index):
    s = p.segments()
    return int(s[(s["source"] == source) & (s["index"] == index)]["segment_id"].iloc[0])


def test_suggestions_never_change_a_human_decision(demo, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(demo, folder)
    with Project(folder) as p:
        first = suggest(p, "bm25")
        seg, code = int(first["segment_id"].iloc[0]), first["code_id"].iloc[0]
        p.coding.reject(seg, code)
        other = _segment(p, "transcripts/C4.md", 25)
        p.coding.add(other, "billing_errors")
        p.coding.accept(_segment(p, "transcripts/C1.txt", 6), "onboarding_smooth")
        before = _human(p)
        again = suggest(p, "bm25")
        suggest(p, "bm25")
        after = _human(p)
        assert after.equals(before)
        pairs = set(zip(again["segment_id"], again["code_id"]))
        assert (seg, code) not in pairs                       # a rejection is not suggested again
        assert (other, "billing_errors") not in pairs         # nor what is already coded
        stored = p.codings()
        stored = stored[stored["coder"] == SEMANTIC_CODER]
        assert set(stored["status"]) == {"suggested"} and len(stored) == len(again)   # replaced, not piled up
        assert stored["rule"].str.startswith("bm25 score").all()


@pytest.mark.parametrize("backend", ["bm25", "semantic"])
def test_an_added_coding_teaches_its_code(demo, tmp_path, backend):
    if backend not in available_backends():
        pytest.skip("the semantic extra is not installed")
    folder = tmp_path / "copy"
    shutil.copytree(demo, folder)
    with Project(folder) as p:
        target = _segment(p, "transcripts/C7.txt", 23)      # "it's a lot for us", in the customer's own words
        quote = (p.segments().set_index("segment_id").loc[target, "text"],)   # in case the codebook quotes it

        def price(model):
            r = model.rank()
            row, col = r.segment_ids.index(target), r.code_ids.index("price_concern")
            order = list(np.argsort(-r.scores[row]))
            return order.index(col), r.similarity[row, col], r.nearest[row, col]
        rank_before, sim_before, nearest_before = price(build_model(p, backend, hidden=quote)[0])
        p.coding.add(_segment(p, "transcripts/C2.txt", 28), "price_concern")   # price tiers, a big step
        p.coding.add(_segment(p, "transcripts/C3.docx", 30), "price_concern")  # add-ons too pricey
        model = build_model(p, backend, hidden=quote)[0]
        assert sum(map(len, model.decisions.positives.values())) == 2
        rank_after, sim_after, nearest_after = price(model)
        assert sim_after > sim_before and nearest_before == -1 and nearest_after > 0
        if backend == "semantic":       # with bm25 every pricing segment rises alike, its rank does not move up
            assert rank_after < rank_before


def test_bm25_ranks_better_than_keywords_on_the_english_gold(demo):
    with Project(demo) as p:
        table = evaluate_suggestions(p, DEMO / "gold" / "gold_coding.csv", ("bm25",)).set_index("method")
    assert table.loc["bm25", "hit@1"] > table.loc["keywords", "hit@1"]
    assert table.loc["bm25", "hit@5"] > table.loc["keywords", "hit@5"]


def test_simulation_scores_only_the_sources_not_reviewed(demo):
    with Project(demo) as p:
        table = evaluate_suggestions(p, DEMO / "gold" / "gold_coding.csv", ("bm25",), simulate=2)
        assert set(table["reviewed_sources"]) == {2}
        gold = pd.read_csv(DEMO / "gold" / "gold_coding.csv")
        sources = list(dict.fromkeys(gold["source"]))               # every source of the gold has a coded segment
        assert table["segments"].iloc[0] == (~gold["source"].isin(sources[:2])).sum()   # C1 and C2 are not scored
        with pytest.raises(QualcodeError, match="simulate fewer"):
            evaluate_suggestions(p, DEMO / "gold" / "gold_coding.csv", ("bm25",), simulate=len(sources))


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(QualcodeError, match="unknown suggestion backend 'nope'"):
        get_backend("nope", "en")


@pytest.mark.skipif("semantic" not in available_backends(), reason="the semantic extra is not installed")
def test_semantic_vectors_are_computed_once(demo, tmp_path, monkeypatch):
    folder = tmp_path / "copy"
    shutil.copytree(demo, folder)
    with Project(folder) as p:
        backend = get_backend("semantic", "en")
        assert p.store.vector_count(backend.version) == len(p.segments())   # embedded by the fixture, once

        def refuse(*a, **k):
            raise AssertionError("cached vectors were computed again")
        monkeypatch.setattr(type(backend), "segment_vectors", refuse)
        monkeypatch.setattr(type(backend), "code_vectors", refuse)     # the code texts are cached too
        p.coding.add(_segment(p, "transcripts/C4.md", 25), "billing_errors")
        p.code()                                               # a re-code keeps the vectors too
        assert len(suggest(p, "semantic"))


def test_suggest_and_ranked_evaluation_through_the_cli(demo, tmp_path, cli):
    folder = tmp_path / "cli"
    shutil.copytree(demo, folder)
    code, out = cli(["--project", folder, "suggest", "--top-k", "2"])
    assert code == 0 and "ranked suggestions by bm25" in out, out
    with Project(folder) as p:
        ranked = p.codings().query("coder == 'semantic'")
        assert len(ranked) and set(ranked["status"]) == {"suggested"}
        assert ranked["rule"].str.startswith("bm25 score").all()
    gold = ROOT / "corpora" / "customer-voice" / "gold" / "gold_coding.csv"
    code, out = cli(["--project", folder, "evaluate", gold, "--backend", "bm25", "--simulate", "2"])
    assert code == 0 and "hit" in out, out
    code, out = cli(["--project", folder, "suggest", "--backend", "nonsense"])
    assert code == 2 and "nonsense" in out


def test_keyword_hits_add_to_the_meaning_score(demo):
    with Project(demo) as p:
        model = build_model(p, "bm25")[0]
        auto = p.codings().query("coder == 'auto'")
        seg, code = int(auto["segment_id"].iloc[0]), auto["code_id"].iloc[0]
        assert model.keyword_hits[model.row[seg], model.code_ids.index(code)] == 1.0
        with_hits = model.rank().scores[model.row[seg], model.code_ids.index(code)]
        model.keyword_hits[:] = 0
        without = model.rank().scores[model.row[seg], model.code_ids.index(code)]
        assert with_hits > without


@pytest.mark.skipif("semantic" not in available_backends(), reason="the semantic extra is not installed")
def test_both_backends_together_beat_the_keyword_coder(demo):
    with Project(demo) as p:
        table = evaluate_suggestions(p, DEMO / "gold" / "gold_coding.csv", ("bm25+semantic",),
                                     simulate=1).set_index("method")
    assert table.loc["bm25+semantic", "hit@1"] > table.loc["keywords", "hit@1"]
    assert table.loc["bm25+semantic", "f1"] > table.loc["keywords", "f1"]


def test_a_combination_of_backends_is_checked():
    from qualcode.facade.suggesting import backend_names
    with pytest.raises(QualcodeError, match="joined by"):
        backend_names("bm25+bm25")


def test_review_sheet_shows_ranked_suggestions_by_score_and_imports_them(demo, tmp_path):
    import openpyxl
    folder = tmp_path / "copy"
    shutil.copytree(demo, folder)
    with Project(folder) as p:
        ranked = suggest(p, "bm25")
        sheet = p.coding.review_export(tmp_path / "review.xlsx", lang="en")
        wb = openpyxl.load_workbook(sheet)
        ws = wb["Review"]
        head = [c.value for c in ws[1]]
        col = {h: i for i, h in enumerate(head)}
        assert head[-1] == "Scores"
        best = ranked.sort_values("score", ascending=False).iloc[0]
        only = ranked.groupby("segment_id").filter(lambda g: len(g) >= 2)
        rows = {r[col["Segment"]].value: r for r in ws.iter_rows(min_row=2)}
        seg = int(only["segment_id"].iloc[0])
        mine = only[only["segment_id"] == seg].sort_values("score", ascending=False)
        lines = rows[seg][col["Scores"]].value.split("\n")
        scored = [ln for ln in lines if not ln.endswith("(keyword)")]
        assert [ln.split()[0] for ln in scored] == list(mine["code_id"])      # best score first
        assert [float(ln.split()[1]) for ln in scored] == [round(x, 2) for x in mine["score"]]
        assert rows[seg][col["Suggested codes"]].value.split(", ")[:len(mine)] == list(mine["code_id"])
        # a ranked suggestion is accepted like any other
        seg, code = int(best["segment_id"]), best["code_id"]
        rows[seg][col["Accept"]].value = code
        wb.save(sheet)
        p.coding.review_import(sheet)
        c = p.codings()
        assert ((c["segment_id"] == seg) & (c["code_id"] == code) & (c["status"] == "accepted")).any()


def test_a_single_decision_does_not_open_the_floodgates(demo, tmp_path):
    from qualcode.suggest.learn import DEFAULT_THRESHOLD
    folder = tmp_path / "copy"
    shutil.copytree(demo, folder)
    with Project(folder) as p:
        before = suggest(p, "bm25")
        p.coding.add(_segment(p, "transcripts/C2.txt", 28), "price_concern")
        after = suggest(p, "bm25")
        assert set(after["threshold"]) == {DEFAULT_THRESHOLD}        # too few reviewed to fit one
        assert len(after) <= len(before) + 3
