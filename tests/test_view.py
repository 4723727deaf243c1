"""The transcript view on hand-built frames and a small project: marks at exact code-point
offsets (overlaps, whole paragraphs, characters outside the BMP), everything escaped, the
folder written all or nothing, the notebook output."""
from __future__ import annotations

import doctest
import importlib
from html.parser import HTMLParser

import pandas as pd
import pytest

from qualcode.errors import QualcodeError
from qualcode.model import Code, Codebook
from qualcode.view import ViewFrames, select_codings, show_codings, show_source, write_view
from qualcode.view.marks import Mark, mark_text, pieces


class ViewParser(HTMLParser):
    """Reads a view page back: the text inside every coding's spans, the chips beside the
    paragraphs, every element, and the text of the transcript paragraphs."""

    VOID = {"meta", "input", "br", "img", "link", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.quotes: dict[int, str] = {}
        self.slots: dict[int, set] = {}
        self.chips: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self.paragraphs: list[str] = []
        self.tips: list[str] = []
        self.pieces: list[list] = []          # [attrs, text] of every coding's span, in order

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        classes = attrs.get("class", "").split()
        if "chip" in classes:
            self.chips.append(attrs)
        if "p" in classes and "m" in classes:
            self.tips.append(attrs.get("data-tip", ""))
        if "data-k" in attrs:
            attrs["_piece"] = len(self.pieces)
            self.pieces.append([attrs, ""])
            k = int(attrs["data-k"])
            self.quotes.setdefault(k, "")
            self.slots.setdefault(k, set()).add(next(c for c in classes if c[0] == "d" and c[1:].isdigit()))
        if "seg" in classes:
            self.paragraphs.append("")
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        inside = [a for _, a in self.stack]
        for attrs in inside:
            if "data-k" in attrs:
                self.quotes[int(attrs["data-k"])] += data
                self.pieces[attrs["_piece"]][1] += data
        if any("seg" in a.get("class", "").split() for a in inside):
            self.paragraphs[-1] += data


class Node:
    """An element of a page read back with :class:`DomBuilder`."""

    def __init__(self, tag: str, attrs: dict, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> set:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def select(self, tag: str = "", cls: str = "", attr: str = "") -> list:
        return [n for n in self.iter() if (not tag or n.tag == tag) and (not cls or cls in n.classes)
                and (not attr or attr in n.attrs)]


class DomBuilder(HTMLParser):
    """The element tree of a page (html.parser, as a browser would nest these pages)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in ViewParser.VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(html: str) -> Node:
    builder = DomBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def parse(html: str) -> ViewParser:
    parser = ViewParser()
    parser.feed(html)
    parser.close()
    return parser


def frames_for(text: str, spans, codebook=None, speaker="H1", seg_start=0):
    """One source with one segment holding ``text`` and codings ``(id, code, status, start, end)``
    with offsets into the segment."""
    segments = pd.DataFrame({"segment_id": [1], "source_id": [1], "source": ["transcripts/H1.txt"], "turn": [0],
                             "index": [0], "speaker": [speaker], "is_interviewer": [False], "theme": ["TEEMA 1"],
                             "start": [seg_start], "end": [seg_start + len(text)], "text": [text], "line": [2]})
    codings = pd.DataFrame(
        [{"coding_id": k, "segment_id": 1, "source_id": 1, "source": "transcripts/H1.txt", "code_id": code,
          "start": seg_start + s, "end": seg_start + e, "status": status, "coder": "auto" if status == "suggested"
          else "tutkija", "rule": f"keyword:{text[s:e]}" if status == "suggested" else None, "valence": None,
          "note": "", "speaker": speaker, "quote": text[s:e], "segment_text": text} for k, code, status, s, e in spans],
        columns=["coding_id", "segment_id", "source_id", "source", "code_id", "start", "end", "status", "coder",
                 "rule", "valence", "note", "speaker", "quote", "segment_text"])
    cb = codebook or Codebook([Code("t", name="Teema"), Code("a", name="Aa", parent="t"),
                               Code("b", name="Bee", parent="t"), Code("c", name="Cee")])
    return ViewFrames(segments=segments, codings=codings, codebook=cb)


@pytest.mark.parametrize("module", ["qualcode.view", "qualcode.view.marks", "qualcode.view.colours"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_pieces_are_cut_at_every_boundary_and_keep_their_codings():
    marks = [Mark(1, "a", "accepted", 0, 10), Mark(2, "b", "suggested", 4, 6), Mark(3, "c", "manual", 8, 14)]
    got = [(p.start, p.end, sorted(m.coding_id for m in p.marks)) for p in pieces("x" * 16, marks)]
    assert got == [(0, 4, [1]), (4, 6, [1, 2]), (6, 8, [1]), (8, 10, [1, 3]), (10, 14, [3]), (14, 16, [])]


def test_overlapping_codings_each_keep_one_line_depth_and_their_exact_text():
    text = "Tuki vastasi nopeasti mutta laskutus oli sekaisin"
    spans = [(1, "a", "accepted", 0, 21), (2, "b", "suggested", 5, 36), (3, "c", "rejected", 28, 49),
             (4, "a", "suggested", 13, 21)]
    page = parse(mark_text(text, [Mark(k, c, st, s, e, f"tip {k}") for k, c, st, s, e in spans],
                           {"a": "k0", "b": "k1", "c": "k2"}))
    assert page.quotes == {k: text[s:e] for k, _, _, s, e in spans}
    assert all(len(depths) == 1 for depths in page.slots.values())       # one line per coding, unbroken
    assert page.slots[1] != page.slots[2] and page.slots[2] != page.slots[3] and page.slots[2] != page.slots[4]
    # the piece under codings 1, 2 and 4 lists all three in its tooltip
    assert any(all(f"tip {k}" in tip for k in (1, 2, 4)) for tip in page.tips)


def test_offsets_are_code_points_even_outside_the_basic_plane():
    text = "𝓗ei 😀😀 tuki 🇫🇮 toimii"             # each emoji is two UTF-16 units, one code point
    s = text.index("tuki")
    frames = frames_for(text, [(1, "a", "accepted", s, s + 4), (2, "b", "manual", text.index("🇫🇮"), len(text))],
                        seg_start=7)
    page = parse(show_source(frames, 1, "fi").html)
    assert page.quotes == {1: "tuki", 2: "🇫🇮 toimii"}
    assert page.paragraphs == [text]


def test_whole_paragraph_codings_are_listed_beside_it_and_rejections_struck_only_when_all_are():
    text = "Hinta on kohtuullinen."
    frames = frames_for(text, [(1, "a", "manual", 0, len(text)), (2, "b", "rejected", 0, 5),
                               (3, "c", "rejected", 9, 21), (4, "b", "accepted", 9, 12)])
    page = parse(show_source(frames, 1, "en").html)
    assert [(c["data-code"], "s-manual" in c["class"]) for c in page.chips] == [("a", True)]
    assert page.quotes == {1: text, 2: "Hinta", 3: "kohtuullinen", 4: "koh"}
    struck_text = [text for attrs, text in page.pieces if "x" in attrs["class"].split()]
    # "Hinta" is struck (only a rejection drawn under it); "koh" is not (also accepted), "tuullinen" is
    assert struck_text == ["Hinta", "tuullinen"]


def test_transcript_markup_in_the_text_codebook_and_names_is_shown_as_text():
    text = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    cb = Codebook([Code("a", name="<b>Koodi</b>"), Code("b", name="B")])
    frames = frames_for(text, [(1, "a", "suggested", 8, 18), (2, "b", "accepted", 31, len(text))], codebook=cb,
                        speaker="<i>H1</i>")
    for html in (show_source(frames, 1, "fi").html,
                 show_codings(frames.codings, frames.segments, frames.codebook, "en").html):
        page = parse(html)
        assert {t for t, _ in page.tags} <= {"div", "style", "p", "b", "span", "details", "summary", "dl", "dt", "dd",
                                             "h2", "h3", "section", "table", "thead", "tbody", "tr", "th", "td", "ul", "li"}
        assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
        assert page.quotes[1] == 'alert("x")'
        assert page.quotes[2] == text[31:]
    assert parse(show_source(frames, 1, "fi").html).paragraphs == [text]


def test_script_in_a_transcript_stays_text_in_the_written_pages(project, tmp_path):
    (project.root / "codebooks" / "cb.yaml").write_text(
        'language: fi\ncodes:\n  - {id: s, name: "<script>alert(2)</script>", keywords: [script]}\n', encoding="utf-8")
    (project.root / "transcripts" / "H1.txt").write_text(
        "Haastattelija: Mitä kirjoitit?\nH1: Kirjoitin <script>alert(1)</script> lomakkeeseen.\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    project.code()
    from qualcode.facade.view import write_view as project_view

    index = project_view(project, tmp_path / "näkymä")
    pages = [index] + sorted((index.parent / "sources").glob("*.html"))
    assert len(pages) == 2
    for path in pages:
        page = parse(path.read_text(encoding="utf-8"))
        scripts = [a for t, a in page.tags if t == "script"]
        assert len(scripts) == 1                     # the view's own script, nothing from the data
    page = parse(pages[1].read_text(encoding="utf-8"))
    assert "Kirjoitin <script>alert(1)</script> lomakkeeseen." in page.paragraphs
    assert list(page.quotes.values()) == ["script"]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in pages[1].read_text(encoding="utf-8")   # the code's name


def test_every_status_and_all_codes_selected_for_the_notebook():
    text = "Viestintä toimii ja tuki on nopea."
    frames = frames_for(text, [(1, "a", "suggested", 0, 9), (2, "b", "accepted", 20, 24), (3, "c", "manual", 28, 33)])
    assert set(select_codings(frames.codings, frames.codebook, codes="t")["coding_id"]) == {1, 2}
    assert set(select_codings(frames.codings, frames.codebook, status=["manual", "accepted"])["coding_id"]) == {2, 3}
    assert set(parse(show_source(frames, 1, "fi", codes=["a", "c"]).html).quotes) == {1, 3}
    with pytest.raises(QualcodeError, match="no code 'zz'"):
        select_codings(frames.codings, frames.codebook, codes="zz")
    with pytest.raises(QualcodeError, match="unknown status 'hyväksytty'"):
        select_codings(frames.codings, frames.codebook, status="hyväksytty")
    listing = show_codings(frames.codings, frames.segments, frames.codebook, "fi")
    assert listing._repr_html_() == listing.html
    assert parse(listing.html).quotes == {1: "Viestintä", 2: "tuki", 3: "nopea"}


def test_the_folder_is_replaced_whole_and_a_foreign_folder_is_refused(tmp_path):
    frames = frames_for("Hyvä palvelu.", [(1, "a", "accepted", 5, 12)])
    out = tmp_path / "view"
    index = write_view(frames, out, "en")
    assert index == out / "index.html" and (out / "sources" / "H1-txt-1.html").is_file()
    stale = out / "sources" / "gone-9.html"
    stale.write_text("old", encoding="utf-8")
    write_view(frames, out, "fi")
    assert not stale.exists() and (out / "sources" / "H1-txt-1.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["view"]      # no temporary folders left
    mine = tmp_path / "omat"
    mine.mkdir()
    (mine / "muistiinpanot.txt").write_text("tärkeä", encoding="utf-8")
    with pytest.raises(QualcodeError, match="other files than a qualcode view"):
        write_view(frames, mine, "fi")
    assert [p.name for p in mine.iterdir()] == ["muistiinpanot.txt"]
    with pytest.raises(QualcodeError, match="language must be fi or en"):
        write_view(frames, tmp_path / "x", "sv")


def test_the_style_and_script_are_inlined_as_they_are(tmp_path):
    from qualcode.view.pages import asset

    index = write_view(frames_for("Hyvä palvelu.", [(1, "a", "accepted", 5, 12)]), tmp_path / "v", "fi")
    for page in (index, index.parent / "sources" / "H1-txt-1.html"):
        root = dom(page.read_text(encoding="utf-8"))
        assert root.select("script")[0].text().strip() == str(asset("view.js")).strip()
        assert str(asset("view.css")).strip() in root.select("style")[0].text()
