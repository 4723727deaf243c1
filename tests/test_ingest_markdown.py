"""A .md transcript is read as Markdown: no markup in the stored text or the segments, links
keep their words, headings (and bold-only lines) become theme areas, and every offset and line
number points at the right words."""
from conftest import run_cli
from qualcode.project import Project

MARKDOWN = """\
# Haastattelu H3

Haastattelu tehtiin etänä.

## TEEMA 1 Viestintä

**Haastattelija:** Miten _viestintä_ on toiminut?

**H3:** Viikkoviesti tulee [asiakasportaalin](https://portaali.example.fi) kautta, ja se on **tosi** hyvä.
Toisinaan `raportti` myöhästyy.

- Ensimmäinen huomio listalla
1. Numeroitu huomio

> Lainaus asiakkaan sähköpostista.

**Laskutus**

**H3:** Laskut tulivat \\*aina\\* ajallaan.

| Asia | Arvio |
|------|-------|
| Hinta | hyvä |
"""


def test_markdown_transcript_is_stored_without_markup(project, cli):
    path = project.root / "transcripts" / "H3.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    code, out = cli(["--project", project.root, "ingest", path])
    assert code == 0, out
    text = project.source_text("transcripts/H3.md")
    for markup in ("**", "](", "https://", "`", "# ", "- Ensimmäinen", "1. Numeroitu", "> Lainaus", "|---"):
        assert markup not in text, markup
    segments = project.segments()
    for row in segments.itertuples():          # offsets into the stored text are exact
        assert text[row.start:row.end] == row.text
    by_text = {r.text: r for r in segments.itertuples()}
    portal = by_text["Viikkoviesti tulee asiakasportaalin kautta, ja se on tosi hyvä."]
    assert portal.speaker == "H3" and portal.theme == "TEEMA 1 Viestintä" and portal.line == 9
    assert by_text["Toisinaan raportti myöhästyy."].line == 10
    assert by_text["Miten viestintä on toiminut?"].speaker == "Haastattelija"
    for plain in ("Ensimmäinen huomio listalla", "Numeroitu huomio", "Lainaus asiakkaan sähköpostista."):
        assert by_text[plain].theme == "TEEMA 1 Viestintä"
    late = by_text["Laskut tulivat *aina* ajallaan."]       # an escaped star is text
    assert late.theme == "Laskutus" and late.line == 19
    assert "Laskutus" not in by_text and "Haastattelu H3" not in by_text    # headings are no segments
    assert by_text["Hinta | hyvä"].line == 23


def test_markdown_codes_match_words_without_markup(project):
    (project.root / "codebooks" / "cb.yaml").write_text(
        "language: fi\ncodes:\n  - {id: portaali, name: Portaali, keywords: [asiakasportaali]}\n", encoding="utf-8")
    (project.root / "transcripts" / "H4.md").write_text(
        "**H4:** Käytän **[asiakasportaalia](https://x.fi)** päivittäin.\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    project.code()
    codings = project.codings()
    assert codings["quote"].tolist() == ["asiakasportaalia"]
    with Project(project.root) as again:
        assert again.source_text("transcripts/H4.md") == "H4: Käytän asiakasportaalia päivittäin."


def test_an_empty_markdown_file_is_refused(project):
    path = project.root / "transcripts" / "tyhja.md"
    path.write_text("# Otsikko\n\n---\n", encoding="utf-8")
    code, out = run_cli(["--project", project.root, "ingest", path])
    assert code == 2 and "tyhja.md" in out and "Traceback" not in out
