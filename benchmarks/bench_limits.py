"""The data-safety limits with figures: each command in a fresh process, fixed costs included.

    python benchmarks/bench_limits.py              # at the limits
    python benchmarks/bench_limits.py --scale 0.2  # a fifth of each size (a quick look)

Prints one row per case: the input's size on disk (and unpacked, for archives), the exit code
(0 accepted, 2 refused with a sentence), the wall time from process start to exit and the
peak memory (max RSS) of the process:

1. ``ingest`` of a plain text of short lines (49 MB: the size that once hung qualcode; there
   is no size limit for plain text);
2. ``ingest`` of a .docx just under the office-file limit (200 MB unpacked, within 100 times
   its size: a short transcript with a large picture), and one just over it (refused before
   parsing);
3. ``import qdpx`` of an archive just under the archive limit (500 MB unpacked: a 49 MB
   source and a large picture), and one just over it;
4. ``codebook check`` and ``code`` of a codebook at the keyword limit (``--codes`` codes of
   1,000 keywords each, default 100) on the demo's three-file project;
5. the pattern time budget: ``code`` with a pattern that passes the static check but backtracks
   exponentially (``(a|aa)+c``) over 10 MB of text — refused when the budget (2 s + 1 s per
   MB) runs out; the row shows the budget and how long the refused command took in all
   (reading and tokenising the 10 MB included).
"""
from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEMO = ROOT / "corpora" / "asiakaskokemus"
MB = 1024 * 1024

from qualcode.coding.matcher import pattern_budget  # noqa: E402
from qualcode.codebook import MAX_TERMS_PER_LIST  # noqa: E402
from qualcode.safearchive import MAX_OFFICE_BYTES, MAX_OFFICE_RATIO, MAX_TOTAL_BYTES  # noqa: E402


def run(args: list, cwd: Path) -> tuple[int, float, float, str]:
    """(exit code, wall seconds, peak RSS MB, last output line) of one fresh qualcode process.

    Linux carries a process's peak RSS over fork and exec, so a child's figure is at least
    this process's own peak: this process never holds a large input in memory."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "qualcode.cli", *map(str, args)], cwd=cwd, env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        lines = [ln for ln in out.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    return os.waitstatus_to_exitcode(status), wall, usage.ru_maxrss / 1024, (lines[-1] if lines else "")


def new_project(folder: Path) -> Path:
    code, *_ , said = run(["init", folder, "--title", "Rajat"], folder.parent)
    if code != 0:
        raise SystemExit(f"init failed: {said}")
    return folder


def short_lines_text(path: Path, size: int) -> Path:
    line = "H1: Tämä on lyhyt rivi, jossa asiakas kertoo palvelusta.\n"
    lines = size // len(line.encode("utf-8"))
    with open(path, "w", encoding="utf-8") as f:
        f.write("Haastattelija: Kerro palvelusta.\n")
        for done in range(0, lines, 10_000):       # in pieces: this process stays small (see run())
            f.write(line * min(10_000, lines - done))
    return path


def padded_zip(src: Path, dest: Path, member: str, unpacked: int, ratio: float) -> Path:
    """``src`` (a docx or qdpx) with one more member of ``unpacked`` bytes that packs to about
    ``unpacked / ratio``: random bytes (which do not pack) followed by zeros (which do)."""
    random_part = int(unpacked / ratio)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        with zout.open(member, "w", force_zip64=True) as f:
            f.write(random.Random(1).randbytes(random_part))
            left = unpacked - random_part
            while left > 0:
                f.write(bytes(min(left, 8 * MB)))
                left -= 8 * MB
    return dest


def small_docx(path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("Haastattelija: Miten käyttöönotto sujui?")
    doc.add_paragraph("H1: Käyttöönotto sujui hyvin, ja perehdytys oli selkeä.")
    doc.save(path)
    return path


def unpacked_size(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist())


def keyword_codebook(path: Path, codes: int) -> Path:
    words = [f"sana{n}" for n in range(codes * MAX_TERMS_PER_LIST)]
    out = io.StringIO()
    out.write("language: fi\ncodes:\n")
    for c in range(codes):
        block = words[c * MAX_TERMS_PER_LIST:(c + 1) * MAX_TERMS_PER_LIST]
        block[0] = ["palvelu", "asiakas", "käyttöönotto", "laskutus", "viestintä"][c % 5]
        out.write(f"  - id: koodi{c}\n    name: Koodi {c}\n    keywords: [{', '.join(block)}]\n")
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


class Table:
    def __init__(self):
        self.rows = []

    def add(self, case: str, size: str, result) -> None:
        code, wall, rss, said = result
        self.rows.append((case, size, code, wall, rss))
        print(f"  {case:<46} {size:>22}  exit {code}  {wall:7.1f} s  peak {rss:6.0f} MB", flush=True)
        if code not in (0, 2) or (code == 2 and "refus" not in said and "budget" not in said and "limit" not in said
                                  and "more than" not in said):
            print(f"      {said[:160]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of each size (default: at the limits)")
    ap.add_argument("--codes", type=int, default=100,
                    help="codes of 1,000 keywords each in the keyword case (default 100)")
    args = ap.parse_args()
    s = args.scale
    work = Path(tempfile.mkdtemp(prefix="qualcode-limits-"))
    table = Table()
    print(f"qualcode limits (scale {s:g}); office files at most {MAX_OFFICE_BYTES // MB} MB unpacked and "
          f"{MAX_OFFICE_RATIO}x their size; archives at most {MAX_TOTAL_BYTES // MB} MB unpacked")
    try:
        warm_up(work)
        text_project(work, s, table)
        docx_limit(work, s, table)
        qdpx_limit(work, s, table)
        keyword_limit(work, args.codes, table)
        pattern_limit(work, s, table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def warm_up(work: Path) -> None:
    """Build the per-machine lemma table once, before anything is timed (its one-time cost is
    printed on its own line)."""
    p = new_project(work / "lammitys")
    shutil.copy(DEMO / "transcripts" / "H2.txt", p / "transcripts" / "H2.txt")
    run(["ingest", p / "transcripts"], p)
    (p / "codebooks" / "k.yaml").write_text("language: fi\ncodes:\n  - {id: a, name: A, keywords: [palvelu]}\n",
                                            encoding="utf-8")
    code, wall, _, said = run(["code"], p)
    print(f"  warm-up (first code on this machine)  {wall:.1f} s", flush=True)


def text_project(work: Path, s: float, table: Table) -> None:
    p = new_project(work / "teksti")
    big = short_lines_text(p / "transcripts" / "iso.txt", int(49 * MB * s))
    table.add("ingest: plain text, short lines", f"{big.stat().st_size / MB:.0f} MB", run(["ingest", big], p))


def docx_limit(work: Path, s: float, table: Table) -> None:
    p = new_project(work / "docx")
    base = small_docx(work / "pieni.docx")
    limit = int(MAX_OFFICE_BYTES * s)
    under = padded_zip(base, p / "transcripts" / "alle.docx", "word/media/image1.png", limit - 2 * MB,
                       MAX_OFFICE_RATIO * 0.8)
    table.add("ingest: docx under the unpack limit", _zip_size(under), run(["ingest", under], p))
    over = padded_zip(base, work / "yli.docx", "word/media/image1.png", MAX_OFFICE_BYTES + 2 * MB,
                      MAX_OFFICE_RATIO * 0.8)
    table.add("ingest: docx over the unpack limit (refused)", _zip_size(over), run(["ingest", over], p))


def qdpx_limit(work: Path, s: float, table: Table) -> None:
    src = new_project(work / "lahde")
    short_lines_text(src / "transcripts" / "iso.txt", int(49 * MB * s))
    run(["ingest", src / "transcripts"], src)
    exported = work / "vienti.qdpx"
    table.add("export qdpx: a 49 MB source", f"{(src / 'transcripts' / 'iso.txt').stat().st_size / MB:.0f} MB text",
              run(["export", "qdpx", exported], src))
    room = int(MAX_TOTAL_BYTES * s) - unpacked_size(exported) - 2 * MB
    under = padded_zip(exported, work / "alle.qdpx", "sources/kuva.png", room, 50)
    table.add("import qdpx: under the archive limit", _zip_size(under),
              run(["import", "qdpx", under], new_project(work / "tuonti")))
    over = padded_zip(exported, work / "yli.qdpx", "sources/kuva.png", MAX_TOTAL_BYTES, 50)
    table.add("import qdpx: over the archive limit (refused)", _zip_size(over),
              run(["import", "qdpx", over], new_project(work / "tuonti2")))


def keyword_limit(work: Path, codes: int, table: Table) -> None:
    p = new_project(work / "koodit")
    for name in ("H2.txt", "H5.txt", "H6.txt"):
        shutil.copy(DEMO / "transcripts" / name, p / "transcripts" / name)
    run(["ingest", p / "transcripts"], p)
    cb = keyword_codebook(p / "codebooks" / "koodit.yaml", codes)
    size = f"{codes} x {MAX_TERMS_PER_LIST} keywords"
    table.add("codebook check: codes at the keyword limit", size, run(["codebook", "check", cb], p))
    table.add("code: codes at the keyword limit", size, run(["code"], p))


def pattern_limit(work: Path, s: float, table: Table) -> None:
    p = new_project(work / "kuvio")
    chars = int(10_000_000 * s)
    unit = "H1: " + "a" * 40 + "\n"
    with open(p / "transcripts" / "a.txt", "w", encoding="utf-8") as f:
        for done in range(0, chars // len(unit), 10_000):
            f.write(unit * min(10_000, chars // len(unit) - done))
    run(["ingest", p / "transcripts"], p)
    (p / "codebooks" / "kuvio.yaml").write_text(
        "language: fi\ncodes:\n  - id: kuvio\n    name: Kuvio\n    patterns: ['(a|aa)+c']\n", encoding="utf-8")
    result = run(["code"], p)
    table.add(f"code: a backtracking pattern (budget {pattern_budget(chars):.0f} s)",
              f"{chars / 1e6:.0f} M characters", result)


def _zip_size(path: Path) -> str:
    return f"{path.stat().st_size / MB:.1f} MB ({unpacked_size(path) / MB:.0f} MB unpacked)"


if __name__ == "__main__":
    main()
