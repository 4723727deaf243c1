"""The Word report's figure process: the same PNG bytes and the same document as drawing in
this process, and every way it can fail comes back as an error (no report half written)."""
from __future__ import annotations

import zipfile

import pytest

from qualcode.errors import QualcodeError

from test_report_common import inputs, study  # noqa: F401  (fixtures)


def _parts(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()
                if name == "word/document.xml" or name.startswith("word/media/")}



@pytest.fixture(autouse=True)
def as_in_a_fresh_process(monkeypatch):
    """Earlier tests load matplotlib into the test process, where a report would then draw
    its figures itself; these tests are about the figure process a fresh command starts."""
    import qualcode.report.figure_worker as fw

    monkeypatch.setattr(fw, "_matplotlib_loaded", lambda: False)


def test_the_figure_process_draws_the_same_png_bytes_as_this_process(inputs, tmp_path):
    from PIL import Image

    from qualcode.report.figure_worker import FigureWorker, InlineDrawer
    from qualcode.report.figures import figure_specs

    specs = figure_specs(inputs)
    assert [s.key for s in specs] == ["swot", "frequencies", "network"]
    (tmp_path / "here").mkdir()
    (tmp_path / "there").mkdir()
    here = InlineDrawer()
    with FigureWorker() as there:
        for n, spec in enumerate(specs, 1):
            here.submit(spec.data, tmp_path / "here" / f"{n}.png", spec.caption(n, "fi"))
            there.submit(spec.data, tmp_path / "there" / f"{n}.png", spec.caption(n, "fi"))
        there.finish()
    for n, spec in enumerate(specs, 1):
        drawn = (tmp_path / "there" / f"{n}.png").read_bytes()
        assert drawn == (tmp_path / "here" / f"{n}.png").read_bytes(), spec.key
        with Image.open(tmp_path / "there" / f"{n}.png") as im:
            assert im.size[0] > 1000 and im.info["Title"] == spec.caption(n, "fi")


def test_the_word_report_is_the_same_document_either_way(inputs, tmp_path):
    from qualcode.report.docx import write_docx_report
    from qualcode.report.figure_worker import InlineDrawer

    there = _parts(write_docx_report(inputs, tmp_path / "process.docx"))
    here = _parts(write_docx_report(inputs, tmp_path / "inline.docx", drawer=InlineDrawer()))
    assert sorted(there) == ["word/document.xml", "word/media/image1.png", "word/media/image2.png",
                             "word/media/image3.png"]
    assert there == here


def test_a_figure_that_cannot_be_drawn_is_an_error(tmp_path):
    from qualcode.report.figure_worker import FigureProcessError, FigureWorker

    with FigureWorker() as worker:
        worker.submit({"kind": "swot", "titles": ["S"]}, tmp_path / "a.png", "Kuvio 1.")
        with pytest.raises(FigureProcessError, match="figure 1 could not be drawn: KeyError: 'lines'"):
            worker.finish()
    assert not (tmp_path / "a.png").exists()


@pytest.mark.parametrize("where", ["missing/a.png", "folder"])
def test_a_file_that_cannot_be_written_is_the_same_error_as_here(tmp_path, where):
    # the same QualcodeError (a folder to create), the same OSError number (a full disk, a
    # read-only folder: told to the user as such) as when drawn in this process
    from qualcode.report.figure_worker import FigureWorker, InlineDrawer

    (tmp_path / "folder").mkdir()
    data = {"kind": "swot", "titles": ["S", "W", "O", "T"], "lines": [[], [], [], []]}
    with pytest.raises(Exception) as here:
        InlineDrawer().submit(data, tmp_path / where, "Kuvio 1.")
    with FigureWorker() as worker:
        worker.submit(data, tmp_path / where, "Kuvio 1.")
        with pytest.raises(Exception) as there:
            worker.finish()
    assert isinstance(here.value, (OSError, QualcodeError)) and type(there.value) in type(here.value).__mro__
    assert str(there.value) == str(here.value) or there.value.errno == here.value.errno


def test_a_figure_process_that_ends_early_is_an_error(tmp_path):
    from qualcode.report.figure_worker import FigureProcessError, FigureWorker

    with FigureWorker() as worker:
        worker._proc.kill()
        worker._proc.wait()
        worker.submit({"kind": "swot"}, tmp_path / "a.png", "Kuvio 1.")
        with pytest.raises(FigureProcessError, match="ended .* before drawing figure 1"):
            worker.finish()


def test_a_figure_process_that_hangs_is_stopped(tmp_path):
    from qualcode.report.figure_worker import FigureProcessError, FigureWorker

    worker = FigureWorker(timeout=0.01)    # not even matplotlib is loaded by then
    worker.submit({"kind": "swot"}, tmp_path / "a.png", "Kuvio 1.")
    with pytest.raises(FigureProcessError, match="did not finish"):
        worker.finish()
    assert worker._proc.poll() is not None


def test_the_cli_reports_a_failed_figure_in_one_line_and_writes_nothing(study, cli, monkeypatch):
    from qualcode.report.figure_worker import FigureWorker

    real = FigureWorker.submit
    monkeypatch.setattr(FigureWorker, "submit", lambda self, data, path, caption:
                        real(self, {**data, "kind": "pie"}, path, caption))
    code, output = cli(["report", "-o", "r.docx"], cwd=study.root)
    assert code == 3, output
    assert "Internal error: FigureProcessError: figure 1 could not be drawn: KeyError: 'pie'" in output
    assert "Traceback" not in output
    assert not (study.root / "r.docx").exists()


def test_the_report_starts_the_figure_process_before_it_reads_the_project(study, monkeypatch, tmp_path):
    # the process is started first, so that it loads matplotlib while this one reads the
    # project, and it is stopped when the report is done
    import qualcode.report.figure_worker as fw

    started, order = [], []
    real_init, real_close = fw.FigureWorker.__init__, fw.FigureWorker.close

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append(self)

    monkeypatch.setattr(fw.FigureWorker, "__init__", init)
    monkeypatch.setattr(fw.FigureWorker, "close", lambda self: (order.append("close"), real_close(self))[1])
    import qualcode.facade.reporting as reporting

    real_frames = reporting.study_frames
    monkeypatch.setattr(reporting, "study_frames",
                        lambda *a, **k: (order.append(("read", len(started))), real_frames(*a, **k))[1])
    out = study.report(tmp_path / "r.docx")
    assert out.is_file() and order == [("read", 1), "close"]
    assert started[0]._proc.poll() == 0
    study.report(tmp_path / "r.xlsx")              # a workbook has no figures: no process
    assert len(started) == 1


@pytest.mark.parametrize("report", ["r.xlsx", "r.docx"])
def test_the_figures_folder_of_a_report_is_drawn_by_the_figure_process_the_same(study, tmp_path, report):
    # PNG and SVG, the same bytes as drawing them here; the process is started for a
    # workbook too when the figures go into a folder
    import qualcode.report.figure_worker as fw
    from qualcode.report import write_figures

    started, real_submit = [], fw.FigureWorker.submit

    def submit(self, data, path, caption, fmt="png"):
        started.append(path)
        real_submit(self, data, path, caption, fmt)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fw.FigureWorker, "submit", submit)
        study.report(tmp_path / report, figures_dir=tmp_path / "there")
    here = write_figures(study.analyse.frames(report=True), tmp_path / "here")
    assert [p.name for p in here] == ["kuvio1_swot.png", "kuvio1_swot.svg", "kuvio2_frequencies.png",
                                      "kuvio2_frequencies.svg", "kuvio3_network.png", "kuvio3_network.svg"]
    assert {p.name for p in started} >= {p.name for p in here}
    for p in here:
        assert (tmp_path / "there" / p.name).read_bytes() == p.read_bytes(), p.name


def test_the_figure_process_passes_on_its_warnings(tmp_path):
    # e.g. a glyph the font lacks: the same warnings as drawing here
    import warnings

    from qualcode.report.figure_worker import FigureWorker, InlineDrawer

    data = {"kind": "swot", "titles": ["S", "W", "O", "T"], "lines": [["• 你好 (2)"], [], [], []]}
    seen = []
    for drawer in (InlineDrawer(), FigureWorker()):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            drawer.submit(data, tmp_path / "a.png", "Kuvio 1.")
            drawer.finish()
            drawer.close()
        seen.append(sorted({str(w.message) for w in caught}))
    assert seen[0] == seen[1] and any("missing from font" in m for m in seen[0])


def test_with_one_core_matplotlib_loaded_or_when_asked_the_figures_are_drawn_here(monkeypatch):
    import qualcode.report.figure_worker as fw

    assert isinstance(fw.start_drawer(in_process=True), fw.InlineDrawer)
    monkeypatch.setattr(fw, "_cores", lambda: 1)
    assert isinstance(fw.start_drawer(), fw.InlineDrawer)
    monkeypatch.setattr(fw, "_cores", lambda: 2)
    monkeypatch.setattr(fw, "_matplotlib_loaded", lambda: True)    # e.g. a copy of the daemon
    assert isinstance(fw.start_drawer(), fw.InlineDrawer)
    monkeypatch.setattr(fw, "_matplotlib_loaded", lambda: False)
    drawer = fw.start_drawer()
    try:
        assert isinstance(drawer, fw.FigureWorker)
    finally:
        drawer.close()
