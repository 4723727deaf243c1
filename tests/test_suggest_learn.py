"""How the code model learns from decisions: a code's vector learns what its examples add to
their interview, a code seen once leans little on them, the ridge score learns what a code is not, keyword
hits count by how often they were right, codebook examples are evidence unless quoted from the
segments being scored, and everything fitted comes from the reviewed sources only."""
import numpy as np
import pandas as pd

from qualcode.codebook import codebook_from_dict
from qualcode.facade.suggesting import _code_texts, quoted_in
from qualcode.suggest import CodeModel, Decisions
from qualcode.suggest.learn import FIT_MIN


def _clusters(seed=0, per=12):
    """Unit vectors in three tight clusters (4 dimensions): 3 × ``per`` segments, two sources
    alternating within each cluster."""
    rng = np.random.default_rng(seed)
    centres = np.eye(4, dtype=np.float32)[:3]
    vectors = np.vstack([c + 0.15 * rng.standard_normal((per, 4)) for c in centres]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = list(range(100, 100 + len(vectors)))
    return vectors, ids, {s: i % 2 for i, s in enumerate(ids)}


def test_the_ridge_score_learns_what_a_code_is_not():
    vectors, ids, _ = _clusters()
    # the code's description points between clusters 0 and 1; the researcher coded cluster 0
    # only and reviewed cluster 1 without it
    code = np.array([[1, 1, 0, 0]], dtype=np.float32) / np.sqrt(2)
    reviewed = set(ids[:6]) | set(ids[12:18])
    model = CodeModel(vectors, ids, code, ["a"], Decisions({"a": set(ids[:6])}, {}, reviewed))
    ridge = model._ridge(model.decisions, 0)[:, 0, :]
    unseen_yes, unseen_no = ridge[6:12].mean(axis=0), ridge[18:24].mean(axis=0)
    assert (unseen_yes > unseen_no + 0.3).all()             # every regularisation tried
    # nothing reviewed: no ridge score at all
    assert not CodeModel(vectors, ids, code, ["a"])._ridge(Decisions(), 0).any()


def test_a_code_vector_learns_what_its_examples_add_to_their_interview():
    # every reviewed answer shares its interview's direction (axis 0); the code's examples
    # add axis 1, the others axis 2
    shared = np.array([[3, 1, 0, 0]] * 4 + [[3, 0, 1, 0]] * 4 + [[0, 0, 0, 1]], dtype=np.float32)
    vectors = shared / np.linalg.norm(shared, axis=1, keepdims=True)
    ids = list(range(9))
    description = np.array([[0, 0.2, 0, 1]], dtype=np.float32)
    description /= np.linalg.norm(description)
    model = CodeModel(vectors, ids, description, ["a"], Decisions({"a": set(ids[:4])}, {}, set(ids[:8])))
    vector = model.prototypes()[0]
    assert abs(vector[0]) < 1e-6                  # the interview's own direction is not the code's
    assert vector[1] > 0.4 and vector[2] < -0.4   # what its examples have and the others lack
    # with only its examples reviewed there is nothing to tell apart: the examples' mean counts
    alone = CodeModel(vectors, ids, description, ["a"], Decisions({"a": set(ids[:4])}, {}, set(ids[:4])))
    assert alone.prototypes()[0][0] > 0.5


def test_a_code_seen_once_leans_little_on_its_nearest_example_and_ridge_score():
    vectors, ids, _ = _clusters()
    codes = np.eye(4, dtype=np.float32)[:2]
    decisions = Decisions({"a": {ids[0]}, "b": set(ids[12:20])}, {}, {ids[0]} | set(ids[12:20]))
    model = CodeModel(vectors, ids, codes, ["a", "b"], decisions)
    trust = model._evidence(decisions, (len(ids), 2))
    assert np.allclose(trust[0], [1 / 5, 8 / 12])           # n / (n + THRESHOLD_PRIOR)
    assert not model._evidence(Decisions(), (len(ids), 2)).any()
    # so the ridge score moves a code seen once less than a code seen eight times
    parts = model._parts(decisions)
    plain, ridged = model._combined(parts, 0.0), model._combined(parts, 0.0, ridge=1.0)
    moved = np.abs(ridged - plain).mean(axis=0)
    assert moved[0] < moved[1]


def test_keyword_hits_count_by_how_often_they_were_right():
    vectors, ids, _ = _clusters()
    codes = np.eye(4, dtype=np.float32)[:2]
    hits = {s: {"a", "b"} for s in ids[:12]}                  # both codes' keywords hit cluster 0
    reviewed = set(ids[:8])
    decisions = Decisions({"a": set(ids[:8])}, {"b": set(ids[:8])}, reviewed)   # a right, b rejected
    model = CodeModel(vectors, ids, codes, ["a", "b"], decisions, keywords=hits)
    trusted = model._trusted_hits(decisions)
    unseen = model.row[ids[10]]
    assert trusted[unseen, 0] > 1.0 > trusted[unseen, 1] > 0.0   # shrunk toward all codes' precision
    assert (model._trusted_hits(Decisions()) == model.keyword_hits).all()   # nothing reviewed: as found


def test_the_fit_tells_codes_apart_on_the_segments_nobody_reviewed():
    vectors, ids, groups = _clusters(per=14)
    codes = np.eye(4, dtype=np.float32)[:3]
    reviewed = set(ids[:10]) | set(ids[14:24]) | set(ids[28:38])
    assert len(reviewed) >= FIT_MIN
    positives = {c: {s for s in reviewed if (s - 100) // 14 == j} for j, c in enumerate("abc")}
    model = CodeModel(vectors, ids, codes, list("abc"), Decisions(positives, {}, reviewed), groups=groups)
    predicted = model.rank().predicted(3)
    assert model.fitted is not None and model.fitted["f1"] > 0.9      # held out per source
    unreviewed = [i for i, s in enumerate(ids) if s not in reviewed]
    assert all(predicted[ids[i]] == {"abc"[i // 14]} for i in unreviewed)


def test_codebook_examples_are_part_of_a_code_unless_quoted_from_a_scored_segment():
    cb = codebook_from_dict({"language": "en", "codes": [
        {"id": "price", "name": "Price", "description": "What it costs.",
         "examples": ["we're paying more for fewer stores", "the tiers jump too far"]}]})
    ids, texts = _code_texts(cb)
    assert ids == ["price"] and "fewer stores" in texts[0] and "tiers jump" in texts[0]
    scored = "Um, so the renewal quote has an increase: we're paying more for fewer stores, honestly."
    _, hidden = _code_texts(cb, hidden=(scored,))
    assert "fewer stores" not in hidden[0] and "tiers jump" in hidden[0]
    assert not quoted_in("we pay more", [set()]) and not quoted_in("", [{"we"}])


def test_evaluate_hides_the_english_codebook_quotes_of_scored_segments(tmp_path):
    """The English codebook quotes its examples from the demo's transcripts; scoring a source
    with its own quotes in the code texts would score the quote, not the model."""
    from test_suggest import DEMO, coded_english_demo

    with coded_english_demo(tmp_path / "study") as p:
        gold = pd.read_csv(DEMO / "gold" / "gold_coding.csv", keep_default_na=False)
        cb = p.codebook()
        quotes = [e for code in cb for e in code.examples]
        _, all_texts = _code_texts(cb)
        _, hidden = _code_texts(cb, hidden=tuple(gold["text"]))
        kept = [e for e in quotes if any(e in t for t in hidden)]
        assert quotes and all(any(e in t for t in all_texts) for e in quotes)
        assert len(kept) < len(quotes) / 4


def test_simulation_never_reads_the_codes_of_the_scored_sources(tmp_path, monkeypatch):
    """What is predicted on the scored sources is the same whatever their gold codes say."""
    from qualcode.facade.suggesting import evaluate_suggestions
    from qualcode.suggest.learn import Ranking
    from test_suggest import DEMO, coded_english_demo

    seen = []
    real = Ranking.predicted
    monkeypatch.setattr(Ranking, "predicted", lambda self, top_k=3: seen.append(real(self, top_k)) or seen[-1])
    gold = pd.read_csv(DEMO / "gold" / "gold_coding.csv", keep_default_na=False, dtype=str)
    scored = ~gold["source"].isin(list(dict.fromkeys(gold["source"]))[:2])
    changed = gold.assign(codes=gold["codes"].where(~scored, gold["codes"].sample(frac=1, random_state=1).values))
    changed.to_csv(tmp_path / "changed.csv", index=False)
    with coded_english_demo(tmp_path / "study") as p:
        first = evaluate_suggestions(p, DEMO / "gold" / "gold_coding.csv", ("bm25",), simulate=2)
        second = evaluate_suggestions(p, tmp_path / "changed.csv", ("bm25",), simulate=2)
    assert seen[0] == seen[1] and len(seen[0]) > 50
    assert first.loc[1, "f1"] != second.loc[1, "f1"]         # the scores did change


def test_what_suggest_stores_is_what_evaluate_scores():
    # the best code of a segment counts from TOP_THRESHOLD even when its own threshold runs
    # higher; the stored rows follow the same rule as the predictions evaluate scores
    from qualcode.suggest.learn import TOP_THRESHOLD, Ranking

    scores = np.array([[TOP_THRESHOLD + 0.1, 0.2, -np.inf],     # best under its own bar, above the top bar
                       [0.5, 3.0, 2.6],                          # two above their bars
                       [0.1, 0.0, 0.2]])                         # nothing
    r = Ranking([10, 11, 12], ["a", "b", "c"], scores, thresholds=np.array([2.0, 2.5, 2.5]),
                nearest=np.full((3, 3), -1), similarity=np.zeros((3, 3)))
    assert r.predicted() == {10: {"a"}, 11: {"b", "c"}, 12: set()}
    stored = {}
    for row in r.rows():
        stored.setdefault(row["segment_id"], set()).add(row["code_id"])
    assert stored == {s: codes for s, codes in r.predicted().items() if codes}
    assert [(row["segment_id"], row["rank"]) for row in r.rows()] == [(10, 1), (11, 1), (11, 2)]
