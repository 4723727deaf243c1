"""Render the demo study's workbook and a figure to PNG for the README (needs LibreOffice and
poppler-utils: ``apt-get install libreoffice-calc-nogui poppler-utils``).

Usage: ``python docs/render_screenshots.py DEMO_FOLDER`` (a folder made by ``qualcode demo``).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent / "images"


def render_pages(xlsx: Path, pages: dict[str, int], out: Path) -> list[Path]:
    """PDF pages of ``xlsx`` as PNG files named by ``pages`` (name → 1-based page)."""
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(xlsx)],
                       check=True, capture_output=True, timeout=300)
        pdf = Path(tmp) / (xlsx.stem + ".pdf")
        for name, page in pages.items():
            stem = Path(tmp) / name
            subprocess.run(["pdftoppm", "-png", "-r", "90", "-f", str(page), "-l", str(page), "-singlefile",
                            str(pdf), str(stem)], check=True, timeout=120)
            img = Image.open(f"{stem}.png")
            box = img.convert("L").point(lambda v: 0 if v > 250 else 255).getbbox()   # trim white margins
            if box:
                img = img.crop((max(0, box[0] - 20), max(0, box[1] - 20),
                                min(img.width, box[2] + 20), min(img.height, box[3] + 20)))
            target = out / f"{name}.png"
            img.save(target)
            written.append(target)
    return written


def page_of(xlsx: Path, caption: str) -> int:
    """The PDF page on which a table caption appears."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(xlsx)],
                       check=True, capture_output=True, timeout=300)
        text = subprocess.run(["pdftotext", str(Path(tmp) / (xlsx.stem + ".pdf")), "-"],
                              capture_output=True, text=True, check=True).stdout
    for n, page in enumerate(text.split("\f"), start=1):
        if caption in page:
            return n
    raise SystemExit(f"caption {caption!r} not found")


def main() -> None:
    demo = Path(sys.argv[1])
    xlsx = demo / "raportti.xlsx"
    HERE.mkdir(exist_ok=True)
    pages = {"workbook_haastattelut": page_of(xlsx, "Haastattelut."), "workbook_swot": page_of(xlsx, "SWOT-analyysi.")}
    for p in render_pages(xlsx, pages, HERE):
        print("wrote", p)
    fig = next((demo / "kuviot").glob("*swot*.png"))
    shutil.copy(fig, HERE / "figure_swot.png")
    print("wrote", HERE / "figure_swot.png")


if __name__ == "__main__":
    main()
