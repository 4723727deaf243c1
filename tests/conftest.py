import getpass
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# The per-machine NLP cache (lemma tables) of the tests lives in the temporary folder, never
# in the user's cache; it is kept between runs (its entries are named by package versions).
os.environ["QUALCODE_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"qualcode-test-cache-{getpass.getuser()}")


def reviewed_demo(folder: Path):
    """The demo study copied to ``folder``, ingested, coded and reviewed (its gold applied): an
    open Project."""
    from qualcode.demo import copy_demo_study
    from qualcode.project import Project

    project = Project(copy_demo_study(folder))
    project.ingest([project.root / "transcripts"])
    project.code()
    project.coding.apply_gold(project.root / "gold" / "gold_coding.csv")
    return project


def coded_study(project, codebook: str, transcripts: dict[str, str], informants: str | None = None,
                codebook_name: str = "koodit.yaml"):
    """``project`` with ``codebook`` (YAML text) in codebooks/, the ``transcripts`` (file name →
    text) in transcripts/ and, if given, an informant list (CSV text), ingested and coded."""
    (project.root / "codebooks" / codebook_name).write_text(codebook, encoding="utf-8")
    for name, text in transcripts.items():
        (project.root / "transcripts" / name).write_text(text, encoding="utf-8")
    listing = None
    if informants is not None:
        listing = project.root / "informantit.csv"
        listing.write_text(informants, encoding="utf-8")
    project.ingest([project.root / "transcripts"], informants=listing)
    project.code()
    return project


@pytest.fixture
def project(tmp_path):
    from qualcode.project import Project

    p = Project.init(tmp_path / "study", title="Testi")
    yield p
    p.close()


def soffice_pdf(path, outdir):
    """LibreOffice's PDF of ``path`` (a docx or xlsx) in ``outdir``.  Each test process prints
    with a LibreOffice profile of its own: two processes sharing one (tests run in parallel)
    would make one of them fail."""
    import subprocess

    profile = Path(tempfile.gettempdir()) / f"qualcode-test-libreoffice-{os.getpid()}"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=600)
    return Path(outdir) / (Path(path).stem + ".pdf")


def run_cli(args, cwd=None):
    """Run the CLI in-process with click's runner; returns (exit_code, output)."""
    from click.testing import CliRunner

    from qualcode.cli import main

    runner = CliRunner()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


@pytest.fixture
def cli():
    return run_cli
