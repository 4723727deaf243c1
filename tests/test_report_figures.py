"""Figures (PNG + SVG with the caption as metadata title), markdown/html quick looks
and the write_report dispatcher."""
from __future__ import annotations

import pytest

from test_report_common import HYPER, inputs, study  # noqa: F401  (fixtures)


def test_write_figures_png_and_svg(inputs, tmp_path):
    from PIL import Image

    from qualcode.report import write_figures

    paths = write_figures(inputs, tmp_path / "kuviot")
    names = [p.name for p in paths]
    assert names == ["kuvio1_swot.png", "kuvio1_swot.svg", "kuvio2_frequencies.png", "kuvio2_frequencies.svg",
                     "kuvio3_network.png", "kuvio3_network.svg"]
    png = Image.open(paths[0])
    assert png.format == "PNG" and png.size[0] > 300
    assert png.info.get("Title") == "Kuvio 1. SWOT-analyysi."
    svg = paths[1].read_text(encoding="utf-8")
    assert "<title>Kuvio 1. SWOT-analyysi.</title>" in svg
    assert "Vahvuudet" in svg and "Heikkoudet" in svg and "Uhat" in svg
    assert "<title>Kuvio 2. Koodien esiintyminen ryhmittäin.</title>" in paths[3].read_text(encoding="utf-8")
    # nothing temporary is left behind
    assert not [p for p in (tmp_path / "kuviot").iterdir() if p.name.startswith(".")]


def test_figures_english(inputs, tmp_path):
    from qualcode.report import write_figures

    paths = write_figures(inputs, tmp_path, lang="en", formats=("svg",))
    assert [p.name for p in paths] == ["figure1_swot.svg", "figure2_frequencies.svg", "figure3_network.svg"]
    svg = paths[0].read_text(encoding="utf-8")
    assert "<title>Figure 1. SWOT analysis.</title>" in svg and "Strengths" in svg


def test_no_swot_codes_no_swot_figure(inputs):
    from qualcode.report.figures import figure_specs

    inputs.codings = inputs.codings[inputs.codings["code_id"] == "viestinta"]
    keys = [s.key for s in figure_specs(inputs)]
    assert "swot" not in keys and "frequencies" in keys


def test_markdown_report(inputs, tmp_path):
    from qualcode.report import write_markdown_report

    text = write_markdown_report(inputs, tmp_path / "r.md").read_text(encoding="utf-8")
    assert "**Taulukko 1. Haastattelut.**" in text
    assert "| PVM: | Haastattelun tapa: | Kesto: | Titteli: | Koodi: |" in text
    assert "| 12.5.2021 | Haastattelu | 36min | Toimitusjohtaja | H1 |" in text
    assert "| TRENDI | KOMMENTTI | Haastateltavia |" in text
    assert "## Liite 1. Haastattelurunko" in text
    assert "4. Asteikolla 1–10, kuinka todennäköisesti suosittelisit palvelua? (1–10)" in text
    assert "| 2 | projektipäällikköä |" in text and "| 1 | asiakkuuspäällikkö |" in text
    assert "**TEEMA 1** Asiakkuudenhoidon nykytila" in text
    en = write_markdown_report(inputs, tmp_path / "e.md", lang="en").read_text(encoding="utf-8")
    assert "**Table 1. Interviews.**" in en and "| TREND | COMMENT | Informants |" in en
    assert "## Appendix 1. Interview guide" in en


def test_html_report_escapes(inputs, tmp_path):
    from qualcode.report import write_html_report

    text = write_html_report(inputs, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<caption>Taulukko 1. Haastattelut.</caption>" in text
    assert "<th>PVM:</th>" in text and "<td>36min</td>" in text
    assert "=HYPERLINK(&quot;http://example.org&quot;" in text
    assert HYPER not in text          # quotes are escaped
    assert "<h2>Liite 2. Ryhmäteemahaastattelun runko</h2>" in text
    assert "<td>projektipäällikköä</td>" in text


@pytest.mark.parametrize("name,fmt,magic", [("r.xlsx", None, b"PK"), ("r.docx", None, b"PK"),
                                            ("r.md", None, b"# Pilotti"), ("x.out", "html", b"<!DOCTYPE")])
def test_write_report_dispatch(inputs, tmp_path, name, fmt, magic):
    from qualcode.report import write_report

    out = write_report(inputs, tmp_path / name, fmt=fmt)
    assert out.read_bytes().startswith(magic)


def test_write_report_errors(inputs, tmp_path):
    from qualcode.errors import QualcodeError
    from qualcode.report import write_report

    with pytest.raises(QualcodeError, match="unknown report format"):
        write_report(inputs, tmp_path / "r.pdf", fmt="pdf")
    with pytest.raises(QualcodeError, match="fi or en"):
        write_report(inputs, tmp_path / "r.xlsx", lang="sv")
    out = write_report(inputs, None, fmt="md")
    assert out == inputs.root / "raportti.md" and out.is_file()


def test_figures_leave_the_matplotlib_backend_and_settings_alone(inputs, tmp_path):
    """A notebook's own backend (here svg, not the Agg the figures are drawn with) and its
    rcParams are the same after a report with figures."""
    import matplotlib

    from qualcode.report import write_figures, write_report

    previous = matplotlib.get_backend()
    matplotlib.use("svg", force=True)
    try:
        salt = matplotlib.rcParams["svg.hashsalt"]
        assert write_figures(inputs, tmp_path / "kuviot", formats=("png",))
        out = write_report(inputs, tmp_path / "r.docx")
        assert out.read_bytes().startswith(b"PK")
        assert matplotlib.get_backend() == "svg"
        assert matplotlib.rcParams["svg.hashsalt"] == salt
    finally:
        matplotlib.use(previous, force=True)


def test_svg_figures_are_deterministic(inputs, tmp_path):
    from qualcode.report import write_figures

    first = write_figures(inputs, tmp_path / "a", formats=("svg",))
    again = write_figures(inputs, tmp_path / "b", formats=("svg",))
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
