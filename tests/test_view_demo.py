"""The transcript view of the demo study (ingested, coded, and reviewed by the researcher, so
every status is there): each highlight holds its coding's quote, the index counts, the
pseudonymised view, the notebook output, and the filters and search run in a real browser."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from urllib.parse import quote

import pytest

from conftest import reviewed_demo
from qualcode.errors import QualcodeError
from qualcode.facade.view import show, view_frames, write_view
from qualcode.view.frames import STATUSES, code_status_counts, status_counts

from test_view import dom, parse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    project = reviewed_demo(tmp_path_factory.mktemp("view") / "tutkimus")
    yield project
    project.close()


@pytest.fixture(scope="module")
def view(demo):
    return write_view(demo)


def source_pages(index):
    return sorted((index.parent / "sources").glob("*.html"))


def test_every_highlight_holds_exactly_its_codings_quote(demo, view):
    codings = demo.codings()
    assert set(codings["status"]) == set(STATUSES)
    assert view == demo.root / "view" / "index.html"
    seen: dict[int, str] = {}
    paragraphs = []
    for page in source_pages(view):
        got = parse(page.read_text(encoding="utf-8"))
        assert not set(got.quotes) & set(seen)             # each coding on one page only
        seen.update(got.quotes)
        paragraphs += got.paragraphs
    assert len(seen) == len(codings)
    for row in codings.itertuples():
        assert seen[row.coding_id] == row.quote, (row.coding_id, row.code_id, row.status)
    segments = demo.segments().sort_values(["source_id", "start"])
    assert sorted(paragraphs) == sorted(segments["text"])


def test_the_index_lists_every_source_with_its_codings_by_status(demo, view):
    root = dom(view.read_text(encoding="utf-8"))
    rows = root.select("tr", attr="data-counts")
    sources = demo.sources()
    codings = demo.codings()
    assert [r.select("a")[0].text() for r in rows] == sources["source"].tolist()
    for row, sid in zip(rows, sources["source_id"]):
        mine = codings[codings["source_id"] == sid]
        cells = {c.attrs["data-status"]: int(c.text()) for c in row.select("td", attr="data-status")}
        assert cells == status_counts(mine)
        assert json.loads(row.attrs["data-counts"]) == code_status_counts(mine)
        href = row.select("a")[0].attrs["href"]
        assert (view.parent / href).is_file()
    first = rows[0].text()
    assert "H1" in first and "Toimitusjohtaja" in first and "3.3.2025" in first


def test_the_view_is_logged_and_its_language_can_be_chosen(demo, tmp_path):
    index = write_view(demo, tmp_path / "en", lang="en")
    assert "Codings of the whole paragraph" in source_pages(index)[0].read_text(encoding="utf-8")
    trail = demo.audit()
    last = trail[trail["action"] == "view"].iloc[-1]
    assert last["target"] == str(tmp_path / "en")          # outside the project: the full path
    assert json.loads(last["details"]) == {"lang": "en", "sources": 15, "codings": len(demo.codings()),
                                           "pseudonymised": False}


def test_the_pseudonymised_view_has_no_name_from_the_key_and_marks_still_fit(demo, tmp_path):
    key = {"Datasilta Oy": "Yritys X", "Datasilta": "Yritys X"}
    index = write_view(demo, tmp_path / "pseudo", pseudonymise=key)
    frames = view_frames(demo, key)
    quotes = dict(zip(frames.codings["coding_id"], frames.codings["quote"]))
    assert any("Yritys X" in q for q in quotes.values())
    pages = [index] + source_pages(index)
    for page in pages:
        got = parse(page.read_text(encoding="utf-8"))
        assert all(quotes[k] == text for k, text in got.quotes.items())
    # the same check as for a pseudonymised report: no name from the key in any page
    def found_in_files(files):
        hits = demo.privacy.check_anonymity(files, key)
        return hits[~hits["file"].str.startswith("store:")]

    assert found_in_files(pages).empty
    assert len(found_in_files(source_pages(demo.root / "view" / "index.html"))) > 20
    assert "Pseudonymisoitu näkymä" in index.read_text(encoding="utf-8")


def test_show_in_a_notebook_filters_by_code_and_status(demo):
    out = show(demo, "H1.docx", codes="viestinta", status="suggested")
    html = out._repr_html_()
    got = parse(html)
    codings = demo.codings().set_index("coding_id")
    cb = demo.codebook()
    assert got.quotes
    for k, text in got.quotes.items():
        row = codings.loc[k]
        assert row["status"] == "suggested" and cb.root_of(row["code_id"]) == "viestinta"
        assert text == row["quote"]
    everything = parse(show(demo, 1).html)
    assert len(everything.quotes) == int((codings["source_id"] == 1).sum())
    listing = show(demo, demo.codings().head(7))
    assert len(dom(listing.html).select("tr")) == 8
    with pytest.raises(QualcodeError, match="no source called 'H99.txt'"):
        show(demo, "H99.txt")
    with pytest.raises(QualcodeError, match="this frame has no"):
        show(demo, demo.segments())


def browse(page, fragment: str, tmp_path):
    """The page as Chromium leaves it after its script ran with ``fragment``; and any error
    the page's script reported on the console."""
    url = page.as_uri() + ("#" + fragment if fragment else "")
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
                           "--v=0", f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=180)
    errors = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert done.returncode == 0 and "</html>" in done.stdout, done.stderr[-2000:]
    return dom(done.stdout), errors


@needs_browser
def test_browser_filters_marks_by_code_and_status(demo, view, tmp_path):
    page = next(p for p in source_pages(view) if p.name.startswith("H3-"))
    root, errors = browse(page, "codes=viestintakanavat,tilannetiedon_puute&status=suggested,manual", tmp_path)
    assert errors == []
    marks = root.select("span", attr="data-k")
    assert marks
    for m in marks:
        status = next(c[2:] for c in m.classes if c.startswith("s-"))
        shown = m.attrs["data-code"] in ("viestintakanavat", "tilannetiedon_puute") and status in ("suggested", "manual")
        assert ("off" not in m.classes) == shown
    assert any("off" not in m.classes for m in marks) and any("off" in m.classes for m in marks)


@needs_browser
def test_browser_search_finds_the_paragraphs_and_hides_the_other_turns(demo, view, tmp_path):
    page = next(p for p in source_pages(view) if p.name.startswith("H3-"))
    root, errors = browse(page, "q=" + quote("PALAVERI"), tmp_path)
    assert errors == []
    segs = demo.segments()
    expected = sorted(segs[(segs["source"] == "transcripts/H3.vtt")
                           & segs["text"].str.contains("palaveri", case=False)]["segment_id"])
    hits = sorted(int(p.attrs["id"][1:]) for p in root.select("p", cls="hit"))
    assert hits == expected and len(hits) > 1
    assert root.select(attr="id") and next(n for n in root.iter() if n.attrs.get("id") == "qcv-hits").text() \
        == f"{len(hits)} kappaletta osuu"
    for turn in root.select("section", cls="turn"):
        assert ("hidden" in turn.classes) == (not turn.select("p", cls="hit"))


@needs_browser
def test_browser_shows_only_coded_turns_on_request(demo, view, tmp_path):
    page = next(p for p in source_pages(view) if p.name.startswith("H1-"))
    root, errors = browse(page, "coded=1&status=accepted", tmp_path)
    assert errors == []
    turns = root.select("section", cls="turn")
    shown = [t for t in turns if "hidden" not in t.classes]
    assert 0 < len(shown) < len(turns)
    for turn in turns:
        visible = [m for m in turn.select("span", attr="data-k") if "off" not in m.classes]
        assert ("hidden" in turn.classes) == (not visible)
        assert all("s-accepted" in m.classes for m in visible)


@needs_browser
def test_browser_index_counts_follow_the_code_filter(demo, view, tmp_path):
    root, errors = browse(view, "codes=asiakasportaali", tmp_path)
    assert errors == []
    codings = demo.codings()
    portal = codings[codings["code_id"] == "asiakasportaali"]
    for row, sid in zip(root.select("tr", attr="data-counts"), demo.sources()["source_id"]):
        mine = portal[portal["source_id"] == sid]
        cells = {c.attrs["data-status"]: int(c.text()) for c in row.select("td", attr="data-status")}
        assert cells == status_counts(mine)
        assert ("hidden" in row.classes) == mine.empty
        link = row.select("a")[0].attrs["href"]
        assert re.fullmatch(r"sources/[\w-]+\.html#codes=asiakasportaali", link), link
