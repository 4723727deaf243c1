"""Reading transcripts and informant lists into a project's store (``project.ingest``).

Every file is read and checked before one transaction writes anything, so one bad file
leaves the store as it was.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Union

from ..errors import QualcodeError, ReadError
from ..ingest.informants import INFORMANT_FILE_STEMS, is_informant_file, read_informants
from ..ingest.pipeline import ParsedFile, collect_files, file_hash, parse_file
from ..model import Informant, now_iso
from ..progress import progress_iter

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd

PathLike = Union[str, Path]
REPORT_COLUMNS = ["file", "status", "version", "turns", "segments", "words", "note"]


@dataclass
class IngestReport:
    """What one ingest did: a row per file, and the warnings met on the way."""

    files: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    informants: int = 0

    def __getattr__(self, name):  # behave like the files frame in notebooks
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.files, name)

    def __len__(self) -> int:
        return len(self.files)

    def _repr_html_(self) -> str:
        return self.files._repr_html_()


def informant_files(project, files: list[Path], informants: Optional[PathLike]) -> list[Path]:
    """The informant lists among ``files``, the one given, and the project's own
    (``informants.xlsx`` / ``.csv`` … in the project folder)."""
    found = [p for p in files if is_informant_file(p)]
    if informants is not None:
        given = Path(informants)
        if not given.is_file():
            raise QualcodeError("the informant list does not exist; check the path", path=str(given))
        found.append(given.resolve())
    for stem in INFORMANT_FILE_STEMS:
        for suffix in (".xlsx", ".csv"):
            candidate = (project.root / f"{stem}{suffix}").resolve()
            if candidate.is_file() and candidate not in found:
                found.append(candidate)
    return found


def _read_transcripts(project, transcripts: list[Path], known_codes: set, kind, speaker_pattern,
                      progress: bool) -> tuple[list[ParsedFile], list[dict], list[str]]:
    """Parse every new or changed transcript; unchanged ones become 'skipped' rows."""
    config, store = project.config, project.store
    max_bytes = int(config.max_file_mb * 1024 * 1024)
    parsed: list[ParsedFile] = []
    rows, warnings = [], []
    batch_hashes: dict[str, str] = {}
    for path in progress_iter(transcripts, "Reading transcripts", enabled=progress):
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"the file is {size / 1048576:.0f} MB, more than the {config.max_file_mb:g} MB "
                            "limit; split it into smaller files or raise max_file_mb in qualcode.toml",
                            path=str(path))
        data = path.read_bytes()
        digest = file_hash(data)
        name = project._name_for(path)
        stored = store.source_by_hash(digest)
        if stored is not None or digest in batch_hashes:
            same_as = stored[1] if stored else batch_hashes[digest]
            note = "unchanged" if same_as == name else f"same content as {same_as}"
            rows.append({"file": name, "status": "skipped", "version": stored[2] if stored else 1,
                         "turns": 0, "segments": 0, "words": 0, "note": note})
            continue
        batch_hashes[digest] = name
        pf = parse_file(path, data, name, informant_codes=known_codes,
                        interviewer_labels=config.interviewer_labels,
                        speaker_pattern=speaker_pattern or config.speaker_pattern, kind=kind)
        latest = store.latest_source(name)
        pf.source.version = latest[1] + 1 if latest else 1
        parsed.append(pf)
        warnings.extend(pf.warnings)
        rows.append({"file": name, "status": "new version" if latest else "new",
                     "version": pf.source.version, "turns": len(pf.turns), "segments": len(pf.segments),
                     "words": pf.source.words, "note": ""})
    return parsed, rows, warnings


def _store_source(project, pf: ParsedFile, known_codes: set, warnings: list[str]) -> None:
    """Write one parsed file (inside the caller's transaction); human codings of the previous
    version move to identical paragraphs of the new one."""
    store = project.store
    respondents = [r for r in pf.respondents if r.code not in known_codes]
    if respondents:
        store.upsert_informants(respondents)
    latest = store.latest_source(pf.source.name)
    pf.source.imported_at = now_iso()
    sid = store.add_source(pf.source, pf.turns, pf.segments)
    carried = 0
    if latest is not None:
        carried, stranded = store.carry_human_codings(latest[0], sid)
        if stranded:
            warnings.append(f"{pf.source.name}: {stranded} human codings stay with version {latest[1]} "
                            "because their paragraphs changed; see project.codings(all_versions=True)")
    project._log("ingest", pf.source.name,
                 details={"version": pf.source.version, "hash": pf.source.content_hash[:12],
                          "segments": len(pf.segments), "words": pf.source.words, "carried_codings": carried})


def ingest(project, paths: Iterable[PathLike], informants: Optional[PathLike] = None, kind: Optional[str] = None,
           speaker_pattern: Optional[str] = None, progress: bool = False) -> IngestReport:
    """Read transcripts (files or folders) and the informant list into the project's store.
    See :meth:`qualcode.project.Project.ingest`."""
    skipped: list[str] = []
    files = collect_files([Path(p) for p in paths], skipped)
    inf_files = informant_files(project, files, informants)
    transcripts = [p for p in files if p not in inf_files]
    people: dict[str, Informant] = {}
    for p in inf_files:
        for inf in read_informants(p):
            people[inf.code] = inf
    known_codes = project.store.informant_codes() | set(people)
    parsed, rows, warnings = _read_transcripts(project, transcripts, known_codes, kind, speaker_pattern, progress)
    warnings = skipped + warnings
    with project.store.transaction():
        if people:
            project.store.upsert_informants(list(people.values()))
            project._log("informants", ", ".join(project._name_for(p) for p in inf_files),
                         details={"count": len(people)})
        for pf in parsed:
            _store_source(project, pf, known_codes, warnings)
    import pandas as pd

    return IngestReport(pd.DataFrame(rows, columns=REPORT_COLUMNS), warnings, len(people))
