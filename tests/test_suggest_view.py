"""Ranked suggestions in the transcript view and the review server: each chip of a ranked
suggestion shows its score, best first (real store, real pages read back, a served page)."""

import pytest

from qualcode.facade.suggesting import suggest
from qualcode.project import Project
from qualcode.server import ReviewApp, running
from test_suggest import coded_english_demo
from test_view import dom
from test_view_server import Client

C1 = "transcripts/C1.txt"


@pytest.fixture(scope="module")
def suggested(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cv") / "study"
    with coded_english_demo(folder) as p:
        ranked = suggest(p, "bm25")
    return folder, ranked


def _chips_with_scores(html: str) -> dict[str, list[tuple[str, float]]]:
    """segment paragraph id → [(code, score)] of its chips that show a score, in page order."""
    out = {}
    for row in dom(html).select("div", cls="segrow"):
        seg = row.select("p", cls="seg")[0].attrs["id"]
        scored = [(chip.attrs["data-code"], float(chip.select("span", cls="sc")[0].text()))
                  for chip in row.select("li", cls="chip") if chip.select("span", cls="sc")]
        if scored:
            out[seg] = scored
    return out


def _expected(ranked, source_segments):
    mine = ranked[ranked["segment_id"].isin(source_segments)]
    return {f"s{seg}": [(c, round(s, 2)) for c, s in zip(g["code_id"], g["score"])]
            for seg, g in mine.sort_values("score", ascending=False, kind="stable").groupby("segment_id")}


def test_the_view_shows_each_ranked_suggestion_with_its_score_best_first(suggested, tmp_path):
    folder, ranked = suggested
    with Project(folder) as p:
        index = p.view(tmp_path / "view", lang="en")
        segs = p.segments()
    page = next((index.parent / "sources").glob("C1-txt-*"))   # not C10
    shown = _chips_with_scores(page.read_text(encoding="utf-8"))
    c1 = segs[segs["source"] == C1]["segment_id"]
    assert shown and shown == _expected(ranked, set(c1))
    assert all([s for _, s in chips] == sorted((s for _, s in chips), reverse=True) for chips in shown.values())


def test_the_review_server_shows_the_scores_too(suggested):
    folder, ranked = suggested
    app = ReviewApp(folder, coder="liisa")
    with running(app) as url:
        client = Client(url)
        client.login()
        _, index = client.request("GET", "/index.html")
        link = next(a.attrs["href"] for a in dom(index).select("a", attr="href") if "C1-txt-" in a.attrs["href"])
        response, html = client.request("GET", "/" + link.lstrip("/"))
    assert response.status == 200
    shown = _chips_with_scores(html)
    assert shown and all(chips for chips in shown.values())
    with Project(folder) as p:
        segs = p.segments()
    assert shown == _expected(ranked, set(segs[segs["source"] == C1]["segment_id"]))
