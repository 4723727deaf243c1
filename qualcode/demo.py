"""``qualcode demo``: the whole pipeline on the bundled Finnish demo study.

Copies ``corpora/asiakaskokemus`` and its codebook into a new folder, then runs
ingest → code → review sheet → reports, printing what it wrote and where.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from .errors import QualcodeError

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_CORPUS = REPO_ROOT / "corpora" / "asiakaskokemus"
DEMO_CODEBOOK = REPO_ROOT / "codebooks" / "asiakaskokemus_fi.yaml"


@dataclass
class DemoResult:
    folder: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)


def new_folder(base: Path, name: str = "qualcode-demo") -> Path:
    """``base/name``, or ``name-2``, ``name-3`` … when it already exists."""
    candidate, n = base / name, 2
    while candidate.exists():
        candidate, n = base / f"{name}-{n}", n + 1
    return candidate


def copy_demo_study(folder: Path) -> Path:
    if not DEMO_CORPUS.is_dir() or not DEMO_CODEBOOK.is_file():
        raise QualcodeError("the demo study is not installed with this copy of qualcode; install "
                            "from a source checkout with 'pip install -e .'")
    if folder.exists() and any(folder.iterdir()):
        raise QualcodeError("the folder is not empty; give a new folder name for the demo", path=str(folder))
    shutil.copytree(DEMO_CORPUS, folder, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".qualcode", "__pycache__"))
    (folder / "codebooks").mkdir(exist_ok=True)
    shutil.copy2(DEMO_CODEBOOK, folder / "codebooks" / DEMO_CODEBOOK.name)
    return folder


def run_demo(folder: Optional[Path] = None, echo: Callable[[str], None] = print,
             progress: bool = True) -> DemoResult:
    """Run the demo study end to end in ``folder`` (default: a new folder here)."""
    from .project import Project

    folder = (Path(folder) if folder is not None else new_folder(Path.cwd())).resolve()
    copy_demo_study(folder)
    result = DemoResult(folder.resolve())
    echo(f"Demo study copied to {result.folder}")
    with Project(folder) as project:
        report = project.ingest([folder / "transcripts"], progress=progress)
        files = report.files
        echo(f"1. ingest: {int((files['status'] != 'skipped').sum())} files, "
             f"{int(files['segments'].sum())} segments, {int(files['words'].sum())} words, "
             f"{report.informants} informants")
        for w in report.warnings:
            echo(f"   note: {w}")
        summary = project.code(progress=progress)
        echo(f"2. code: {int(summary['segments'].sum())} suggestions for "
             f"{int((summary['segments'] > 0).sum())} of {len(summary)} codes")
        sheet = project.coding.review_export(folder / "tarkistus.xlsx")
        result.outputs["review sheet"] = sheet
        echo(f"3. review sheet for the researcher: {sheet}")
        gold = folder / "gold" / "gold_coding.csv"
        if gold.is_file():
            n = project.coding.apply_gold(gold)
            scores = project.coding.evaluate(gold).set_index("code_id").loc["__micro__"]
            themes = project.coding.evaluate(gold, level="theme").set_index("code_id").loc["__micro__"]
            gold_units = project.coding.gold_segments(gold)
            agree = project.agreement.table(["auto", project.config.coder], units=gold_units)
            overall = agree.iloc[-1]
            echo(f"4. the researcher's review of {len(gold_units)} segments ({n} decisions, gold/): "
                 f"automatic coding precision {scores['precision']:.2f}, recall {scores['recall']:.2f}, "
                 f"micro-F1 {scores['f1']:.2f} (themes {themes['f1']:.2f}); Cohen's kappa auto vs researcher "
                 f"{overall['cohen_kappa']:.2f}")
        outputs = {
            # the reports count the researcher's review (gold/), not the unreviewed suggestions
            "workshop workbook": project.report(folder / "raportti.xlsx", progress=progress),
            "thesis appendices": project.report(folder / "liitteet.docx", figures_dir=folder / "kuviot",
                                                progress=progress),
            "quick look": project.report(folder / "raportti.html", progress=progress),
            "REFI-QDA project": project.exchange.export_qdpx(folder / "asiakaskokemus.qdpx"),
            "transcript view": project.view(folder / "view"),
        }
        result.outputs.update(outputs)
        result.outputs["figures"] = folder / "kuviot"
        echo("5. reports and exchange files:")
        for name, path in result.outputs.items():
            if name != "review sheet":
                echo(f"   {name:<20} {path}")
        trail = project.audit()
        echo(f"6. audit trail: {len(trail)} steps ('qualcode audit' shows them)")
    echo("Done. Open the files above; 'qualcode --project "
         f"{result.folder} status' shows what is in the project.")
    return result
