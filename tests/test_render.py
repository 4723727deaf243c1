"""A report renders to PNG pages with LibreOffice (skipped where LibreOffice is not installed)."""
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                                reason="LibreOffice (soffice) and poppler-utils (pdftoppm) not installed")


def test_workbook_and_appendices_render_to_png(project, tmp_path):
    (project.root / "codebooks" / "cb.yaml").write_text(
        "language: fi\ncodes:\n  - {id: hinta, name: Hinta, keywords: [hinta], valence: negative, swot: W}\n",
        encoding="utf-8")
    (project.root / "informants.csv").write_text("code,role,date,mode,duration_min\nH1,Controller,3.8.2021,Teams,36\n")
    (project.root / "transcripts" / "H1.txt").write_text("H1: Hinta nousi yllättäen.\n", encoding="utf-8")
    project.ingest([project.root / "transcripts"])
    project.code()
    xlsx = project.report(tmp_path / "raportti.xlsx", include_suggested=True)
    docx = project.report(tmp_path / "liitteet.docx", include_suggested=True)
    for path in (xlsx, docx):
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                       check=True, capture_output=True, timeout=300)
        pdf = tmp_path / (path.stem + ".pdf")
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / path.stem)],
                       check=True, timeout=120)
        pngs = list(tmp_path.glob(f"{path.stem}*.png"))
        assert pngs and pngs[0].stat().st_size > 1000
        if path.suffix == ".xlsx":
            assert "Taulukko 1. Haastattelut." in text and "3.8.2021" in text and "36min" in text
        else:
            assert "Taulukko 1. Haastattelut." in text
