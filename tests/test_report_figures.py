"""Figures (PNG + SVG with the caption as metadata title), markdown/html quick looks
and the write_report dispatcher."""
from __future__ import annotations

from pathlib import Path

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


def drawn_box(fig):
    """The box (inches, from the lower left) of everything a figure draws, and the figure's size."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()                      # the limits and text positions as they are saved
    return fig.get_tightbbox(canvas.get_renderer()), fig.get_size_inches()


def assert_inside(fig, slack: float = 0.02):
    """Everything drawn lies in the figure, and no text clipped to its axes (the network's
    node labels) reaches out of them."""
    box, (width, height) = drawn_box(fig)
    assert box.x0 >= -slack and box.y0 >= -slack, box
    assert box.x1 <= width + slack and box.y1 <= height + slack, (box, width, height)
    for ax in fig.axes:
        frame = ax.get_window_extent()
        for text in ax.texts:
            if text.get_clip_on() and text.get_text().strip():
                ext = text.get_window_extent()
                assert (ext.x0 >= frame.x0 - 1 and ext.x1 <= frame.x1 + 1 and ext.y0 >= frame.y0 - 1
                        and ext.y1 <= frame.y1 + 1), text.get_text()


def test_figures_are_laid_out_at_their_size_with_nothing_cut_off(inputs):
    # no "tight" box when saving: the fixed layout itself must keep every label in the figure
    from qualcode.report.figures import figure_specs

    specs = figure_specs(inputs)
    assert [s.key for s in specs] == ["swot", "frequencies", "network"]
    for spec in specs:
        assert_inside(spec.figure)


def test_long_code_names_fit_left_of_the_frequency_bars():
    import pandas as pd

    from qualcode.report.figures import frequency_figure

    names = ["Järjestelmäintegraatioiden käyttöönotto-ongelmat ja WWW-MMM-palvelut",
             "Lyhyt", "Asiakkuudenhallintajärjestelmän tuntemattomuus"]
    matrix = pd.DataFrame([[3, 1, 2], [0, 4, 1]], index=["asiakas", "kumppani"], columns=names)
    fig = frequency_figure(matrix)
    assert_inside(fig)
    box, _ = drawn_box(fig)
    # and the margin is not far wider than the longest name needs
    ax = fig.axes[0]
    label_left = min(t.get_window_extent().x0 for t in ax.get_yticklabels()) / fig.dpi
    assert label_left < 0.6, label_left


def test_saving_a_figure_draws_it_once(inputs, tmp_path, monkeypatch):
    """The figures are not measured by extra draws (tight layout, tight bounding box):
    one draw per file written."""
    from matplotlib.figure import Figure

    from qualcode.report.figures import figure_specs, save_figure

    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: (draws.append(self), real(self, renderer))[1])
    specs = figure_specs(inputs)
    assert draws == []
    for n, spec in enumerate(specs, 1):
        save_figure(spec.figure, tmp_path / f"k{n}.png", spec.caption(n, "fi"))
    assert len(draws) == len(specs) == 3


def _png(fig) -> bytes:
    import io

    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=150, metadata={"Title": "t"}, pil_kwargs={"compress_level": 1})
    return out.getvalue()


def _graphs():
    """Networks with and without edge labels (at most 20 edges have them), an edge given
    twice and in both directions, weights whole and fractional, one node, no edges."""
    import random

    rng = random.Random(3)
    out = []
    for n in (2, 3, 6, 9, 15):
        nodes = [[f"c{i}", f"Koodi {i}\nnimi", rng.randint(1, 40)] for i in range(n)]
        pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
        rng.shuffle(pairs)
        edges = [[f"c{a}", f"c{b}", rng.choice([rng.randint(1, 9), round(rng.random(), 3)])]
                 for a, b in pairs[:min(len(pairs), 4 * n)]]
        out.append({"kind": "network", "nodes": nodes, "edges": edges})
    out.append({"kind": "network", "nodes": [["a", "A", 2], ["b", "B", 1]], "edges": [["a", "b", 1], ["b", "a", 3]]})
    out.append({"kind": "network", "nodes": [["a", "A", 1]], "edges": []})
    return out


def test_network_figure_is_drawn_as_networkx_draws_it(inputs):
    """The network is laid out and drawn without networkx, pixel for pixel as networkx's
    spring_layout and draw_networkx_* draw it."""
    from qualcode.report.drawing import _draw_network_nx, draw_network
    from qualcode.report.figures import figure_specs

    graphs = [s.data for s in figure_specs(inputs) if s.key == "network"] + _graphs()
    assert len(graphs) == 8 and any(len(g["edges"]) > 20 for g in graphs)
    for data in graphs:
        assert _png(draw_network(data)) == _png(_draw_network_nx(data)), data


def test_network_figure_loads_no_networkx(tmp_path):
    import json
    import os
    import subprocess
    import sys

    code = ("import json, sys\nfrom qualcode.report.drawing import render\n"
            "render(json.loads(sys.argv[1]), sys.argv[2], 'Kuvio 1.')\n"
            "print('networkx' in sys.modules, 'matplotlib.pyplot' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, "-c", code, json.dumps(_graphs()[2]), str(tmp_path / "n.png")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "False"]
    assert (tmp_path / "n.png").read_bytes().startswith(b"\x89PNG")
