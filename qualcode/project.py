"""The notebook API: a :class:`Project` wires the pipeline stages to the store.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "study"
>>> project = Project.init(folder, title="Pilotti")
>>> _ = (folder / "transcripts" / "H1.txt").write_text("Haastattelija: Mitä kuuluu?\\nH1: Hyvää kuuluu.\\n")
>>> report = project.ingest([folder / "transcripts"])
>>> report.loc[0, "status"], project.segments()["text"].tolist()
('new', ['Mitä kuuluu?', 'Hyvää kuuluu.'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Union

import pandas as pd

from .config import CONFIG_NAME, STORE_DIR, STORE_NAME, ProjectConfig, find_project_root, load_config
from .errors import ProjectError, QualcodeError, ReadError
from .ingest.informants import INFORMANT_FILE_STEMS, is_informant_file, read_informants
from .ingest.pipeline import ParsedFile, collect_files, file_hash, parse_file
from .model import HUMAN_STATUSES, AuditEvent, Coding, Informant, now_iso
from .progress import progress_iter
from .store import SQLiteStore

PathLike = Union[str, Path]


@dataclass
class IngestReport:
    """What one ingest did: a row per file, and the warnings met on the way."""

    files: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    informants: int = 0

    def __getattr__(self, name):  # behave like the files frame in notebooks
        return getattr(self.files, name)

    def __len__(self) -> int:
        return len(self.files)

    def _repr_html_(self) -> str:
        return self.files._repr_html_()


class Project:
    """A qualcode project folder: ``qualcode.toml``, transcripts, codebooks and the store."""

    def __init__(self, root: PathLike):
        self.root = Path(root).resolve()
        cfg = self.root / CONFIG_NAME
        if not self.root.is_dir():
            raise ProjectError("the project folder does not exist; create it with 'qualcode init DIR'",
                               path=str(root))
        if not cfg.is_file():
            raise ProjectError("this folder is not a qualcode project (no qualcode.toml); run "
                               "'qualcode init' there or give --project", path=str(root))
        self.config = load_config(cfg)
        self.store = SQLiteStore(self.root / STORE_DIR / STORE_NAME, create=True)

    # -- opening ------------------------------------------------------------------
    @classmethod
    def init(cls, folder: PathLike, title: str = "", language: str = "fi", coder: str = "researcher") -> "Project":
        """Make a project folder with ``qualcode.toml``, ``transcripts/``, ``codebooks/`` and an
        empty store.  An existing project is opened, never overwritten."""
        folder = Path(folder)
        if language not in ("fi", "en"):
            raise ProjectError(f"language must be fi or en, not '{language}'")
        if (folder / CONFIG_NAME).exists():
            return cls(folder)
        if folder.exists() and not folder.is_dir():
            raise ProjectError("a file with this name exists; choose another folder name", path=str(folder))
        for sub in ("transcripts", "codebooks", STORE_DIR):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        cfg = ProjectConfig(title=title or folder.name, language=language, coder=coder)
        (folder / CONFIG_NAME).write_text(cfg.to_toml(), encoding="utf-8")
        project = cls(folder)
        project._log("init", str(folder.name), details={"language": language})
        return project

    @classmethod
    def open(cls, folder: Optional[PathLike] = None) -> "Project":
        """Open the project at ``folder``, or the one containing the working directory."""
        if folder is not None:
            return cls(folder)
        root = find_project_root()
        if root is None:
            raise ProjectError("no qualcode project here (no qualcode.toml in this folder or above); "
                               "cd into a project or give --project DIR")
        return cls(root)

    def close(self) -> None:
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<Project {self.config.title!r} at {self.root}>"

    @property
    def language(self) -> str:
        return self.config.language

    def _log(self, action: str, target: str = "", reason: str = "", coder: str = "", **kw) -> None:
        self.store.log(AuditEvent(action=action, target=target, reason=reason,
                                  coder=coder or self.config.coder, details=kw.get("details", {})))

    def _name_for(self, path: Path) -> str:
        path = path.resolve()
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # -- ingest -------------------------------------------------------------------
    def ingest(self, paths: Iterable[PathLike], informants: Optional[PathLike] = None,
               kind: Optional[str] = None, speaker_pattern: Optional[str] = None,
               progress: bool = False) -> IngestReport:
        """Read transcripts (files or folders) and the informant list into the store.

        Idempotent: a file whose content is already stored is skipped; a changed file
        becomes a new version, and human codings on unchanged paragraphs move with it.
        All files are read and checked before anything is written: one bad file leaves
        the store as it was.
        """
        paths = [Path(p) for p in paths]
        files = collect_files(paths)
        inf_files = [p for p in files if is_informant_file(p)]
        if informants is not None:
            ip = Path(informants)
            if not ip.is_file():
                raise QualcodeError("the informant list does not exist; check the path", path=str(ip))
            inf_files.append(ip.resolve())
        for stem in INFORMANT_FILE_STEMS:   # the project's own informant list, if any
            for suffix in (".xlsx", ".csv"):
                candidate = (self.root / f"{stem}{suffix}").resolve()
                if candidate.is_file() and candidate not in inf_files:
                    inf_files.append(candidate)
        transcripts = [p for p in files if p not in inf_files]
        people: dict[str, Informant] = {}
        for p in inf_files:
            for inf in read_informants(p):
                people[inf.code] = inf
        known_codes = self.store.informant_codes() | set(people)
        max_bytes = int(self.config.max_file_mb * 1024 * 1024)
        parsed: list[ParsedFile] = []
        rows, warnings = [], []
        batch_hashes: dict[str, str] = {}
        for path in progress_iter(transcripts, "Reading transcripts", enabled=progress):
            size = path.stat().st_size
            if size > max_bytes:
                raise ReadError(f"the file is {size / 1048576:.0f} MB, more than the {self.config.max_file_mb:g} MB "
                                "limit; split it into smaller files or raise max_file_mb in qualcode.toml",
                                path=str(path))
            data = path.read_bytes()
            digest = file_hash(data)
            name = self._name_for(path)
            stored = self.store.source_by_hash(digest)
            if stored is not None or digest in batch_hashes:
                same_as = stored[1] if stored else batch_hashes[digest]
                note = "unchanged" if same_as == name else f"same content as {same_as}"
                rows.append({"file": name, "status": "skipped", "version": stored[2] if stored else 1,
                             "turns": 0, "segments": 0, "words": 0, "note": note})
                continue
            batch_hashes[digest] = name
            pf = parse_file(path, data, name, informant_codes=known_codes,
                            interviewer_labels=self.config.interviewer_labels,
                            speaker_pattern=speaker_pattern or self.config.speaker_pattern, kind=kind)
            latest = self.store.latest_source(name)
            pf.source.version = latest[1] + 1 if latest else 1
            parsed.append(pf)
            warnings.extend(pf.warnings)
            rows.append({"file": name, "status": "new version" if latest else "new",
                         "version": pf.source.version, "turns": len(pf.turns), "segments": len(pf.segments),
                         "words": pf.source.words, "note": ""})
        with self.store.transaction():
            if people:
                self.store.upsert_informants(list(people.values()))
                self._log("informants", ", ".join(self._name_for(p) for p in inf_files),
                          details={"count": len(people)})
            for pf in parsed:
                respondents = [r for r in pf.respondents if r.code not in known_codes]
                if respondents:
                    self.store.upsert_informants(respondents)
                latest = self.store.latest_source(pf.source.name)
                pf.source.imported_at = now_iso()
                sid = self.store.add_source(pf.source, pf.turns, pf.segments)
                carried, stranded = (0, 0)
                if latest is not None:
                    carried, stranded = self._carry_human_codings(latest[0], sid)
                    if stranded:
                        warnings.append(f"{pf.source.name}: {stranded} human codings stay with version "
                                        f"{latest[1]} because their paragraphs changed; see "
                                        "project.codings(all_versions=True)")
                self._log("ingest", pf.source.name,
                          details={"version": pf.source.version, "hash": pf.source.content_hash[:12],
                                   "segments": len(pf.segments), "words": pf.source.words,
                                   "carried_codings": carried})
        frame = pd.DataFrame(rows, columns=["file", "status", "version", "turns", "segments", "words", "note"])
        return IngestReport(frame, warnings, len(people))

    def _carry_human_codings(self, old_source_id: int, new_source_id: int) -> tuple[int, int]:
        """Move human codings of an old source version onto identical paragraphs of the new one."""
        old = {s.id: s for s in self.store.segments_of(old_source_id)}
        new_by_text: dict[str, list] = {}
        for s in self.store.segments_of(new_source_id):
            new_by_text.setdefault(s.text, []).append(s)
        rows = self.store.conn.execute(
            f'SELECT id, segment_id, code_id, start, "end", status, coder, rule, created_at, valence, note'
            f" FROM codings WHERE source_id=? AND status IN ({','.join('?' * len(HUMAN_STATUSES))})",
            (old_source_id, *HUMAN_STATUSES)).fetchall()
        moved, stranded = [], 0
        for cid, seg_id, code, start, end, status, coder, rule, created, valence, note in rows:
            seg = old.get(seg_id)
            targets = new_by_text.get(seg.text) if seg else None
            if not targets:
                stranded += 1
                continue
            target = min(targets, key=lambda s: abs(s.index - seg.index))
            shift = target.start - seg.start
            moved.append(Coding(code, target.id, start + shift, end + shift, status, coder, rule,
                                created, valence, note or "", source_id=new_source_id))
        if moved:
            self.store.add_codings(moved)
        return len(moved), stranded

    # -- frames -------------------------------------------------------------------
    def sources(self) -> pd.DataFrame:
        """One row per active source version: name, version, format, kind, words …"""
        return self.store.sources_frame()

    def source_text(self, name_or_id: Union[str, int]) -> str:
        """The plain text of a source (all offsets point into it)."""
        if isinstance(name_or_id, int):
            return self.store.source_text(name_or_id)
        df = self.sources()
        hit = df[(df["source"] == name_or_id) | df["source"].str.endswith("/" + str(name_or_id))]
        if hit.empty:
            raise QualcodeError(f"no source called '{name_or_id}'; see project.sources()")
        return self.store.source_text(int(hit.iloc[0]["source_id"]))

    def turns(self) -> pd.DataFrame:
        return self.store.turns_frame()

    def segments(self) -> pd.DataFrame:
        """One row per segment (paragraph in a turn) with offsets into its source's text."""
        return self.store.segments_frame()

    def informants(self) -> pd.DataFrame:
        return self.store.informants_frame()

    def codings(self, all_versions: bool = False) -> pd.DataFrame:
        """One row per coding (suggested, accepted, rejected or manual)."""
        return self.store.codings_frame(active_only=not all_versions)

    def audit(self) -> pd.DataFrame:
        """The analysis log (Analyysiloki): every step, in order."""
        return self.store.audit_frame()

    def status(self) -> pd.DataFrame:
        """Counts of sources, words, informants, segments and codings, as a one-column table."""
        counts = self.store.counts()
        return pd.DataFrame({"count": counts}).rename_axis("item")
