"""Progress is shown in a terminal and in a Jupyter notebook, and nowhere else."""
import shutil
import sys
from pathlib import Path

import pytest

from qualcode.progress import display_kind, progress_counter, progress_iter, progress_note

ROOT = Path(__file__).resolve().parents[1]


def test_no_progress_without_a_terminal_or_notebook(capsys):
    assert display_kind() is None          # pytest captures stderr: no terminal
    assert list(progress_iter(range(3), "Laskee")) == [0, 1, 2]
    with progress_counter("Laskee", 3) as advance:
        advance(3)
    with progress_note("Rakennetaan"):
        pass
    assert capsys.readouterr().err == ""


def test_terminal_gets_a_bar(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert display_kind() == "terminal"
    with progress_note("Rakennetaan taulukkoa"):
        pass
    assert "Rakennetaan taulukkoa" in capsys.readouterr().err
    assert list(progress_iter(range(3), "Laskee", enabled=False)) == [0, 1, 2]   # --quiet


def test_a_notebook_sees_progress_while_coding(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    folder = tmp_path / "study"
    (folder / "transcripts").mkdir(parents=True)
    shutil.copy(ROOT / "corpora" / "asiakaskokemus" / "transcripts" / "H2.txt", folder / "transcripts")
    code = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from qualcode.project import Project
project = Project.init({str(folder)!r})
project.ingest([{str(folder / 'transcripts')!r}])
summary = project.code({str(ROOT / 'codebooks' / 'asiakaskokemus_fi.yaml')!r}, progress=True)
print("suggestions", int(summary["segments"].sum()))
"""
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(book, timeout=300, kernel_name="python3").execute()
    outputs = book.cells[0].outputs
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    stdout = "".join(o.get("text", "") for o in outputs if o.get("name") == "stdout")
    assert "Tokenisoidaan ja perusmuotoistetaan" in stderr and "Koodataan" in stderr
    assert "suggestions" in stdout


def _coded_study(tmp_path):
    from qualcode.project import Project

    folder = tmp_path / "study"
    project = Project.init(folder)
    shutil.copy(ROOT / "corpora" / "asiakaskokemus" / "transcripts" / "H2.txt", folder / "transcripts")
    project.ingest([folder / "transcripts"])
    project.code(ROOT / "codebooks" / "asiakaskokemus_fi.yaml")
    return project


@pytest.mark.filterwarnings("ignore::qualcode.errors.ReportWarning")
def test_a_report_shows_its_steps_unless_told_not_to(monkeypatch, tmp_path, capsys):
    from qualcode import progress

    project = _coded_study(tmp_path)
    capsys.readouterr()
    monkeypatch.setattr(progress, "display_kind", lambda: "notebook")   # tqdm's bar, on stderr
    project.report(tmp_path / "r.md", include_suggested=True, progress=True)
    shown = capsys.readouterr().err
    assert "Kirjoitetaan raporttia" in shown and "2/2" in shown
    project.report(tmp_path / "r2.md", include_suggested=True, progress=False)
    assert "Kirjoitetaan" not in capsys.readouterr().err
    project.close()


def test_quiet_turns_the_bars_off_in_the_cli(monkeypatch, tmp_path):
    from qualcode import cli as cli_module

    seen = []
    monkeypatch.setattr(cli_module.Context, "project", lambda self: seen.append(self.progress) or _Stub())
    from conftest import run_cli

    run_cli(["--quiet", "report", "-o", tmp_path / "r.md"])
    run_cli(["report", "-o", tmp_path / "r.md"])
    assert seen == [False, True]


class _Stub:
    """A project whose report records nothing: the CLI test needs only its progress flag."""

    def report(self, output, **kw):
        return Path(output)
