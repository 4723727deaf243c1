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

import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Union

import pandas as pd

from .config import CONFIG_NAME, STORE_DIR, STORE_NAME, ProjectConfig, find_project_root, load_config
from .errors import ProjectError, QualcodeError, ReadError
from .ingest.informants import INFORMANT_FILE_STEMS, is_informant_file, read_informants
from .ingest.pipeline import ParsedFile, collect_files, file_hash, parse_file
from .model import AUTO_CODER, HUMAN_STATUSES, AuditEvent, Codebook, Coding, Informant, Memo, now_iso
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
        (self.root / STORE_DIR).mkdir(exist_ok=True)
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

    # -- codebook and automatic coding -------------------------------------------
    def codebook_path(self, codebook: Optional[PathLike] = None) -> Path:
        """The codebook file to use: the one given, ``codebook`` in qualcode.toml, or the only
        codebook in ``codebooks/``."""
        if codebook is not None:
            path = Path(codebook)
            if not path.is_absolute() and not path.exists():
                path = self.root / path
            if not path.is_file():
                raise QualcodeError("the codebook file does not exist; check the path", path=str(codebook))
            return path
        if self.config.codebook:
            return self.codebook_path(self.root / self.config.codebook)
        found = sorted(p for p in (self.root / "codebooks").glob("*")
                       if p.suffix.lower() in (".yaml", ".yml", ".xlsx") and not p.name.startswith((".", "~$")))
        if len(found) == 1:
            return found[0]
        if not found:
            raise QualcodeError("no codebook found; put a .yaml or .xlsx codebook in codebooks/ or "
                                "give --codebook FILE")
        raise QualcodeError("several codebooks in codebooks/ (" + ", ".join(p.name for p in found)
                            + "); choose one with --codebook FILE or set codebook in qualcode.toml")

    def codebook(self, codebook: Union[None, PathLike, "Codebook"] = None) -> "Codebook":
        """Load a codebook (a path, the project's default, or the last one used for coding)."""
        from .codebook import codebook_from_dict, load_codebook
        from .model import Codebook

        if isinstance(codebook, Codebook):
            return codebook
        if codebook is None:
            try:
                return load_codebook(self.codebook_path())
            except QualcodeError:
                stored = self.store.codebook_content()
                if stored is None:
                    raise
                import json
                return codebook_from_dict(json.loads(stored), path="<store>")
        return load_codebook(self.codebook_path(codebook))

    def annotator(self, language: Optional[str] = None):
        from .nlp import Annotator

        key = (language or self.language, self.config.lemmatizer)
        cache = self.__dict__.setdefault("_annotators", {})
        if key not in cache:
            cache[key] = Annotator(key[0], lemmatizer=key[1])
        return cache[key]

    def _annotations(self, segs: pd.DataFrame, annotator, progress: bool):
        """Annotations of the segments, in order, as one :class:`PackedAnnotations`.  Each
        source version is annotated once per NLP backend (all its segments) and kept in the
        store; later runs only unpack it (a few numpy calls per source)."""
        from .nlp.packing import PackedAnnotations, TypeTable, pack, unpack_packed

        backend = annotator.backend
        source_ids = sorted({int(s) for s in segs["source_id"]})
        blobs = self.store.source_annotations(source_ids, backend)
        types = TypeTable(self.store.word_types(backend))
        parts: list = []
        part_ids: list[list[int]] = []
        missing = [sid for sid in source_ids if sid not in blobs]
        if missing:
            new_blobs = []
            for sid in progress_iter(missing, "Tokenising and lemmatising", enabled=progress):
                seg_list = self.store.segments_of(sid)
                anns = annotator.annotate_many([s.text for s in seg_list])
                new_blobs.append((sid, pack([s.id for s in seg_list], anns, types)))
                parts.append(PackedAnnotations.from_annotations(anns))
                part_ids.append([s.id for s in seg_list])
            with self.store.transaction():
                self.store.add_word_types(types.new_rows(), backend)
                self.store.save_source_annotations(new_blobs, backend)
        if blobs:
            gids = types.gid_array(annotator.lexicon)
            for blob in blobs.values():
                ids, packed = unpack_packed(blob, gids, annotator.lexicon)
                parts.append(packed)
                part_ids.append(ids)
        everything = PackedAnnotations.concat(parts)
        row_of = {seg_id: row for row, seg_id in enumerate(i for ids in part_ids for i in ids)}
        return everything.select([row_of[int(i)] for i in segs["segment_id"]])

    def code(self, codebook: Union[None, PathLike, "Codebook"] = None, *, include_interviewer: bool = False,
             progress: bool = False) -> pd.DataFrame:
        """Suggest codings by the codebook's rules (status ``suggested``, coder ``auto``).

        Re-running with a changed codebook replaces the automatic suggestions that changed
        and never touches a coding a human made, accepted or rejected.  Returns one row per
        code: how many segments and informants it was suggested for.

        >>> # project.code("codebooks/asiakaskokemus_fi.yaml")
        """
        import json

        from .codebook import codebook_hash

        cb = self.codebook(codebook)
        digest = codebook_hash(cb)
        annotator = self.annotator(cb.language or self.language)
        # Incremental: a code's suggestions depend only on its own rules, the NLP backend and
        # the text.  Codes whose rules did not change since the last run are matched only on
        # sources that are new since then; their other suggestions stay as they are.
        salt = f"{annotator.backend}|{include_interviewer}|{cb.language}"
        hashes = {c.id: _rule_hash(c, salt) for c in cb}
        state = json.loads(self.store.get_meta("coding_state") or "{}")
        old_hashes = state.get("codes", {}) if state.get("salt") == salt else {}
        segs = pd.DataFrame(self.store.segment_rows(include_interviewer),
                            columns=["segment_id", "source_id", "start"])
        coded_sources = set(state.get("sources", [])) if old_hashes else set()
        all_sources = {int(x) for x in segs["source_id"]}
        new_sources = all_sources - coded_sources
        changed = [c for c in cb if old_hashes.get(c.id) != hashes[c.id]]
        unchanged = [c for c in cb if old_hashes.get(c.id) == hashes[c.id]]
        runs = [(changed, segs)]
        if unchanged and new_sources:
            runs.append((unchanged, segs[segs["source_id"].isin(new_sources)]))
        wanted: dict[tuple[int, str], tuple] = {}
        rule_counts: dict[str, int] = {}
        scope_segments: dict[str, set] = {}
        # Matching makes many small objects and no reference cycles: the cyclic garbage
        # collector would only rescan the big heap again and again.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._run_matchers(runs, annotator, cb, include_interviewer, progress, wanted, rule_counts,
                               scope_segments)
        finally:
            if gc_was_enabled:
                gc.enable()
        sql = ('SELECT k.id, k.segment_id, k.code_id, k.start, k."end", k.rule FROM codings k'
               " JOIN sources s ON s.id=k.source_id WHERE s.active=1 AND k.status='suggested' AND k.coder=?")
        params: list = [AUTO_CODER]
        if old_hashes:   # only the codes this run touched, and codes no longer in the codebook
            touched = list(scope_segments)
            current = list(hashes)
            sql += (f" AND (k.code_id IN ({','.join('?' * len(touched))})"
                    f" OR k.code_id NOT IN ({','.join('?' * len(current))}))")
            params += touched + current
        existing = self.store.conn.execute(sql, params).fetchall()
        keep, drop = set(), []
        for cid, seg_id, code_id, start, end, rule in existing:
            if old_hashes and code_id in hashes and seg_id not in scope_segments.get(code_id, ()):
                continue  # outside this run's scope: unchanged rules on an already coded source
            want = wanted.get((seg_id, code_id))
            if want is not None and want[1:] == (start, end, rule) and (seg_id, code_id) not in keep:
                keep.add((seg_id, code_id))
            else:
                drop.append(cid)
        new = [Coding(code_id, seg_id, w[1], w[2], "suggested", AUTO_CODER, w[3], source_id=w[0])
               for (seg_id, code_id), w in wanted.items() if (seg_id, code_id) not in keep]
        with self.store.transaction():
            self.store.save_codebook(digest, cb.name, cb.language, json.dumps(_codebook_dict(cb), ensure_ascii=False))
            self.store.delete_codings(drop)
            self.store.add_codings(new)
            self.store.set_meta("coding_state", json.dumps(
                {"salt": salt, "codes": hashes, "sources": sorted(all_sources)}))
            self._log("code", cb.name or (cb.path or "codebook"), coder=AUTO_CODER,
                      details={"codebook_hash": digest[:12], "segments": len(segs),
                               "codes_rematched": len(changed), "new_sources": len(new_sources),
                               "added": len(new), "removed": len(drop),
                               "rule_counts": dict(sorted(rule_counts.items()))})
        return self._coding_summary(cb)

    def _run_matchers(self, runs, annotator, cb, include_interviewer, progress, wanted, rule_counts,
                      scope_segments) -> None:
        from .coding.matcher import RuleMatcher
        from .model import Codebook as _Codebook

        for codes, part in runs:
            if not codes or part.empty:
                continue
            anns = self._annotations(part, annotator, progress)
            matcher = RuleMatcher(_Codebook(codes=codes, language=cb.language, name=cb.name), annotator)
            seg_ids, src_ids, seg_starts = (part[c].tolist() for c in ("segment_id", "source_id", "start"))
            # texts are read only when a pattern has to run on them (token rules need none)
            texts = _LazyTexts(self.store, seg_ids, src_ids)
            for code in codes:
                scope_segments.setdefault(code.id, set()).update(seg_ids)
            extra, cached_rules = self._pattern_matches(matcher, texts, seg_ids, src_ids, include_interviewer)
            chunk = 5000
            for lo in progress_iter(range(0, len(texts), chunk), "Coding", enabled=progress):
                results = matcher.match_many(texts[lo:lo + chunk], anns[lo:lo + chunk],
                                             skip_patterns=cached_rules, extra=extra[lo:lo + chunk])
                for i, matches in enumerate(results, start=lo):
                    for m in matches:
                        rule_counts[m.rule] = rule_counts.get(m.rule, 0) + 1
                        key = (seg_ids[i], m.code_id)
                        if key not in wanted:  # one suggestion per code and segment: its first match
                            wanted[key] = (src_ids[i], seg_starts[i] + m.start, seg_starts[i] + m.end, m.rule)

    def _pattern_matches(self, matcher, texts: list[str], seg_ids: list[int], src_ids: list[int],
                         include_interviewer: bool) -> tuple[list[list], set]:
        """Matches of the matcher's regular expressions, per text.  A pattern's hits on a
        source version never change, so they are kept in the store and reused by every later
        run that has the same pattern, whichever code it belongs to."""
        import numpy as np

        from .coding.matcher import Match

        rules = list(dict.fromkeys(matcher.pattern_rules()))
        extra: list[list] = [[] for _ in range(len(texts))]
        if not rules:
            return extra, set()
        codes_of: dict[str, list[str]] = {}
        for code_id, rule, _, _ in matcher._patterns:
            codes_of.setdefault(rule, []).append(code_id)
        scope = "all" if include_interviewer else "informants"
        key = {rule: f"{scope}|{rule}" for rule in rules}
        sources = sorted(set(src_ids))
        cached = self.store.pattern_hits(list(key.values()), sources)
        row_of = {seg: i for i, seg in enumerate(seg_ids)}
        to_save = []
        scans: dict[frozenset, tuple] = {}   # the texts of one set of sources, prepared once
        for rule in rules:
            missing = frozenset(sid for sid in sources if (key[rule], sid) not in cached)
            if missing:
                if missing not in scans:
                    idx = [i for i, sid in enumerate(src_ids) if sid in missing]
                    sub = texts.subset(idx)
                    scans[missing] = (idx, sub, matcher.prepare_texts(sub))
                idx, sub, scan = scans[missing]
                found: dict[int, list] = {sid: [] for sid in missing}
                for j, a, b in matcher.pattern_spans(rule, sub, scan):
                    found[src_ids[idx[j]]].append((seg_ids[idx[j]], a, b))
                for sid, triples in found.items():
                    data = np.asarray(triples, dtype="<i8").reshape(-1, 3).tobytes()
                    cached[(key[rule], sid)] = data
                    to_save.append((key[rule], sid, data))
            for sid in sources:
                triples = np.frombuffer(cached[(key[rule], sid)], dtype="<i8").reshape(-1, 3).tolist()
                for seg, a, b in triples:
                    i = row_of.get(seg)
                    if i is not None:
                        extra[i].extend(Match(code_id, a, b, rule) for code_id in codes_of[rule])
        if to_save:
            self.store.save_pattern_hits(to_save)
        return extra, set(rules)

    def _coding_summary(self, cb) -> pd.DataFrame:
        """Per code: segments and informants with an automatic suggestion (active sources)."""
        rows = self.store.conn.execute(
            "SELECT k.code_id, COUNT(DISTINCT k.segment_id), COUNT(DISTINCT g.speaker) FROM codings k"
            " JOIN segments g ON g.id=k.segment_id JOIN sources s ON s.id=k.source_id"
            " WHERE s.active=1 AND k.status='suggested' AND k.coder=? GROUP BY k.code_id", (AUTO_CODER,)).fetchall()
        counts = {code: (n_seg, n_inf) for code, n_seg, n_inf in rows}
        return pd.DataFrame([{"code_id": c.id, "name": c.name, "segments": counts.get(c.id, (0, 0))[0],
                              "informants": counts.get(c.id, (0, 0))[1]} for c in cb],
                            columns=["code_id", "name", "segments", "informants"])

    # -- human decisions ------------------------------------------------------------
    def _segment_row(self, segment_id: int):
        row = self.store.conn.execute(
            'SELECT g.id, g.source_id, g.start, g."end" FROM segments g JOIN sources s ON s.id=g.source_id'
            " WHERE g.id=? AND s.active=1", (int(segment_id),)).fetchone()
        if row is None:
            raise QualcodeError(f"there is no segment {segment_id} in the project; see project.segments()")
        return row

    def _decide(self, segment_id: int, code_id: str, status: str, coder: Optional[str],
                start: Optional[int] = None, end: Optional[int] = None, valence: Optional[str] = None,
                note: str = "", log: bool = True) -> None:
        seg_id, source_id, seg_start, seg_end = self._segment_row(segment_id)
        coder = coder or self.config.coder
        if coder == AUTO_CODER:
            raise QualcodeError("the coder name 'auto' is reserved for automatic suggestions; use your own name")
        sugg = self.store.conn.execute(
            "SELECT rule FROM codings WHERE segment_id=? AND code_id=? AND coder=?"
            " AND status='suggested' ORDER BY id LIMIT 1", (seg_id, code_id, AUTO_CODER)).fetchone()
        rule = sugg[0] if sugg else None   # remember which rule the decision was about
        if start is None:
            # a human decides on the segment (the review unit), so the coding spans it whole
            start, end = seg_start, seg_end
        else:
            if not (seg_start <= start < end <= seg_end):
                raise QualcodeError(f"offsets {start}-{end} are outside segment {segment_id} "
                                    f"({seg_start}-{seg_end})")
        with self.store.transaction() as c:
            # one decision per coder, segment and code: the newest replaces the older one
            c.execute("DELETE FROM codings WHERE segment_id=? AND code_id=? AND coder=?", (seg_id, code_id, coder))
            self.store.add_codings([Coding(code_id, seg_id, int(start), int(end), status, coder, rule,
                                           valence=valence, note=note, source_id=source_id)])
            if log:
                self._log(status if status != "manual" else "add", f"segment {seg_id} / {code_id}", coder=coder)

    def accept(self, segment_id: int, code_id: str, coder: Optional[str] = None, **kw) -> None:
        """Accept a code on a segment (the suggestion's span, or the whole segment)."""
        self._decide(segment_id, code_id, "accepted", coder, **kw)

    def reject(self, segment_id: int, code_id: str, coder: Optional[str] = None, **kw) -> None:
        """Reject a suggested code on a segment; automatic coding will not bring it back."""
        self._decide(segment_id, code_id, "rejected", coder, **kw)

    def add(self, segment_id: int, code_id: str, coder: Optional[str] = None, start: Optional[int] = None,
            end: Optional[int] = None, valence: Optional[str] = None, note: str = "") -> None:
        """Code a segment (or the span ``start``–``end`` inside it) by hand."""
        if code_id not in self.codebook():
            raise QualcodeError(f"unknown code '{code_id}'; add it to the codebook first")
        self._decide(segment_id, code_id, "manual", coder, start=start, end=end, valence=valence, note=note)

    # -- review sheet round trip --------------------------------------------------
    def review_export(self, path: PathLike, coder: Optional[str] = None, lang: Optional[str] = None,
                      include_interviewer: bool = False) -> Path:
        """Write an Excel review sheet: one row per segment with its suggested codes and
        columns to accept, reject and add codes (dropdowns of code ids)."""
        from .coding.review import write_review_sheet

        coder = coder or self.config.coder
        segs = self.segments()
        if not include_interviewer:
            segs = segs[~segs["is_interviewer"]]
        if segs.empty:
            raise QualcodeError("there are no segments to review; ingest transcripts first")
        out = write_review_sheet(Path(path), segs, self.codings(), self.codebook(), lang=lang or self.language,
                                 coder=coder)
        self._log("review export", Path(path).name, coder=coder, details={"segments": len(segs)})
        return out

    def review_import(self, path: PathLike, coder: Optional[str] = None) -> pd.DataFrame:
        """Apply the decisions of a filled-in review sheet, all or nothing.

        Unknown codes, edited texts or unknown segments are reported row by row in one error
        and nothing is applied.  Returns the decisions applied."""
        from .coding.review import read_review_sheet

        coder = coder or self.config.coder
        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the review sheet does not exist; check the path", path=str(path))
        decisions = read_review_sheet(path, self.segments(), self.codebook())
        status = {"accept": "accepted", "reject": "rejected", "add": "manual"}
        counts = {"accept": 0, "reject": 0, "add": 0}
        with self.store.transaction():
            for row in decisions.itertuples(index=False):
                if row.decision == "note":   # a note without a decision: keep it as a memo
                    self.store.add_memo(Memo(text=row.note, target_type="segment",
                                             target_id=str(int(row.segment_id)), coder=coder))
                    continue
                self._decide(int(row.segment_id), row.code_id, status[row.decision], coder,
                             note=row.note or "", log=False)
                counts[row.decision] += 1
            self._log("review import", path.name, coder=coder, details=counts)
        return decisions

    def resolved_codings(self, include_suggested: bool = False, coders: Optional[list[str]] = None) -> pd.DataFrame:
        """One coding per segment and code, as the analyses should count it.

        A human decision beats the automatic suggestion (a rejected suggestion disappears);
        among humans a ``consensus`` decision wins, then the project's coder, then the newest.
        Suggestions without any human decision are kept only with ``include_suggested``.
        """
        df = self.codings()
        if coders is not None:
            df = df[df["coder"].isin(list(coders) + [AUTO_CODER])]
        if df.empty:
            return df
        priority = df["coder"].map(lambda c: 0 if c == "consensus" else 1 if c == self.config.coder
                                   else 3 if c == AUTO_CODER else 2)
        df = df.assign(_p=priority).sort_values(["segment_id", "code_id", "_p", "created_at"],
                                                ascending=[True, True, True, False])
        best = df.drop_duplicates(["segment_id", "code_id"], keep="first")
        keep = best["status"].isin(["accepted", "manual"] + (["suggested"] if include_suggested else []))
        out = best[keep].drop(columns="_p").sort_values(["source", "start", "code_id"]).reset_index(drop=True)
        # Analyses and reports quote at segment level: the whole paragraph, also for an
        # automatic suggestion that marks only the matched words (its span stays in start/end).
        return out.assign(quote=out["segment_text"])

    # -- intercoder agreement and consensus ----------------------------------------
    def _agreement_inputs(self, coders: Optional[list[str]], reviewed_only: bool):
        """Codings and segments for agreement: the automatic coder's suggestions count as its
        codes when ``auto`` is compared; coverage is every coded segment, or with
        ``reviewed_only`` only the segments each coder decided something on."""
        segs = self.segments()
        segs = segs[~segs["is_interviewer"]]
        codings = self.codings()
        if coders and AUTO_CODER in coders:
            auto = codings["coder"] == AUTO_CODER
            codings = codings.assign(status=codings["status"].where(~auto, "accepted"))
        coverage = None
        if reviewed_only:
            coverage = codings[["segment_id", "coder"]].drop_duplicates()
        return codings, segs, coverage

    def agreement(self, coders: Optional[list[str]] = None, reviewed_only: bool = False,
                  units: Optional[list[int]] = None) -> pd.DataFrame:
        """Agreement between coders per code and overall, at segment level: percent agreement,
        Cohen's kappa (two coders) and Krippendorff's alpha (nominal), with the number of units.

        Compare two researchers (``["liisa", "matti"]``) or a researcher with the automatic
        coder (``["auto", "liisa"]``)."""
        from .analysis.agreement import agreement_table

        codings, segs, coverage = self._agreement_inputs(coders, reviewed_only)
        if units is not None:   # only these segments (e.g. the ones a second coder reviewed)
            wanted = {int(u) for u in units}
            segs = segs[segs["segment_id"].isin(wanted)]
            codings = codings[codings["segment_id"].isin(wanted)]
        return agreement_table(codings, segs, coders=coders, coverage=coverage)

    def disagreements(self, coders: Optional[list[str]] = None, reviewed_only: bool = False) -> pd.DataFrame:
        """The (segment, code) pairs the coders disagree on."""
        from .analysis.agreement import disagreements

        codings, segs, coverage = self._agreement_inputs(coders, reviewed_only)
        return disagreements(codings, segs, coders=coders, coverage=coverage)

    def write_disagreements(self, path: PathLike, coders: Optional[list[str]] = None,
                            reviewed_only: bool = False, lang: Optional[str] = None) -> Path:
        """Write the disagreement list as an xlsx sheet for a consensus meeting."""
        from .analysis.agreement import write_disagreements_xlsx

        out = write_disagreements_xlsx(self.disagreements(coders, reviewed_only), Path(path),
                                       lang=lang or self.language)
        self._log("disagreements export", Path(path).name, details={"coders": coders or "all"})
        return out

    def consensus_import(self, path: PathLike, reason: str = "") -> pd.DataFrame:
        """Record the agreed codings of a filled-in consensus sheet as coder ``consensus``
        (agreed = accepted, not agreed = rejected), all rows or none."""
        from .analysis.agreement import read_consensus_xlsx

        decisions = read_consensus_xlsx(Path(path))
        codes = self.codebook()
        unknown = sorted(set(decisions["code_id"]) - {c.id for c in codes})
        if unknown:
            raise QualcodeError(f"the consensus sheet has codes that are not in the codebook ({', '.join(unknown)}); "
                                "correct them in the sheet", path=str(path))
        with self.store.transaction():
            for row in decisions.itertuples(index=False):
                self._decide(int(row.segment_id), row.code_id, "accepted" if row.agreed else "rejected",
                             "consensus", log=False)
                self._log("consensus", f"segment {int(row.segment_id)} / {row.code_id}", coder="consensus",
                          reason=reason or ("agreed" if row.agreed else "not agreed"))
        return decisions

    # -- analyses (thin wrappers over qualcode.analysis with this project's frames) --
    def _analysis_inputs(self, include_suggested: bool):
        cods = self.resolved_codings(include_suggested=include_suggested)
        return cods, self.segments(), self.informants(), self.codebook()

    def themes(self, level: str = "code", include_suggested: bool = False) -> pd.DataFrame:
        """Code (or theme) frequencies: segments, informants, sources, share of informants."""
        from .analysis import themes

        cods, segs, infs, cb = self._analysis_inputs(include_suggested)
        return themes.code_frequencies(cods, segs, infs, cb, level=level, include_suggested=include_suggested)

    def informant_matrix(self, value: str = "count", level: str = "code",
                         include_suggested: bool = False) -> pd.DataFrame:
        """Informant × code matrix (count, presence or share)."""
        from .analysis import themes

        cods, segs, infs, cb = self._analysis_inputs(include_suggested)
        return themes.informant_code_matrix(cods, segs, infs, cb, value=value, level=level,
                                            include_suggested=include_suggested)

    def group_matrix(self, by: str = "segment", value: str = "count", include_suggested: bool = False) -> pd.DataFrame:
        """Group × code matrix by an informant attribute (role, segment, lifecycle …)."""
        from .analysis import themes

        cods, segs, infs, cb = self._analysis_inputs(include_suggested)
        return themes.group_code_matrix(cods, infs, by=by, codebook=cb, value=value, lang=self.language,
                                        include_suggested=include_suggested)

    def reduction(self, reductions: Optional[dict] = None, include_suggested: bool = False) -> pd.DataFrame:
        """Reduction table: original expression → reduced expression → sub/upper/main category."""
        from .analysis.reduction import reduction_table

        cods, _, _, cb = self._analysis_inputs(include_suggested)
        return reduction_table(cods, cb, reductions=reductions, lang=self.language, language=self.language,
                               include_suggested=include_suggested)

    def types(self, rules: Union[None, PathLike, dict] = None, k: Optional[int] = None,
              include_suggested: bool = False):
        """Typology: types defined by ``rules`` (a dict or a YAML file), or found by clustering
        informants on their code profiles when no rules are given."""
        from .analysis.typology import cluster_types, rule_types

        cods, segs, infs, cb = self._analysis_inputs(include_suggested)
        if rules is None:
            return cluster_types(cods, infs, cb, k=k, lang=self.language, include_suggested=include_suggested)
        spec = rules if isinstance(rules, dict) else self._read_yaml(rules)
        return rule_types(cods, infs, spec, cb, lang=self.language, include_suggested=include_suggested)

    def experiences(self, level: str = "theme", include_suggested: bool = False) -> pd.DataFrame:
        """Positive and negative experiences: theme × valence counts of segments."""
        from .analysis.valence import valence_table

        cods, _, _, cb = self._analysis_inputs(include_suggested)
        return valence_table(cods, cb, level=level, include_suggested=include_suggested)

    def training_needs(self, by: str = "role", include_suggested: bool = False) -> pd.DataFrame:
        """Negative experiences per target role → development and training needs."""
        from .analysis.valence import training_needs

        cods, _, infs, cb = self._analysis_inputs(include_suggested)
        return training_needs(cods, infs, cb, by=by, lang=self.language, include_suggested=include_suggested)

    def swot(self, include_suggested: bool = False):
        """SWOT (nelikenttä) from the codes' S/W/O/T attributes, with evidence quotes."""
        from .analysis.swot import swot

        cods, _, infs, cb = self._analysis_inputs(include_suggested)
        return swot(cods, cb, informants=infs, lang=self.language, include_suggested=include_suggested)

    def trends(self, level: str = "theme", comments: Optional[dict] = None,
               include_suggested: bool = False) -> pd.DataFrame:
        """Trends with comments (TRENDI | KOMMENTTI) and how widely each is shared."""
        from .analysis.trends import trends

        cods, _, infs, cb = self._analysis_inputs(include_suggested)
        return trends(cods, cb, informants=infs, level=level, comments=comments,
                      include_suggested=include_suggested)

    def network(self, unit: str = "segment", level: str = "code", include_suggested: bool = False):
        """Co-occurrence network of codes (networkx graph; edges carry count and Jaccard)."""
        from .analysis.network import cooccurrence_graph

        cods, _, _, cb = self._analysis_inputs(include_suggested)
        return cooccurrence_graph(cods, cb, unit=unit, level=level, include_suggested=include_suggested)

    def scores(self, column: str = "score", scale: Optional[str] = None):
        """Recommendation scores of the informants: distribution, mean, median (NPS on 0–10)."""
        from .analysis.scores import score_summary

        return score_summary(self.informants(), column, scale=scale, lang=self.language)

    def quote_checks(self, include_suggested: bool = False) -> dict[str, pd.DataFrame]:
        """Near-duplicate quotes across informants and quotes with no informant code."""
        from .analysis.quotes import near_duplicate_quotes, unattributed_quotes

        cods, _, infs, _ = self._analysis_inputs(include_suggested)
        return {"near_duplicates": near_duplicate_quotes(cods, include_suggested=include_suggested),
                "unattributed": unattributed_quotes(cods, infs, include_suggested=include_suggested)}

    def _read_yaml(self, path: PathLike):
        import yaml

        path = Path(path)
        if not path.is_absolute() and not path.exists():
            path = self.root / path
        if not path.is_file():
            raise QualcodeError("the file does not exist; check the path", path=str(path))
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise QualcodeError(f"this YAML file cannot be read ({getattr(exc, 'problem', exc)}); fix it",
                                path=str(path), line=mark.line + 1 if mark else None) from None

    # -- evaluation against a gold coding ----------------------------------------------
    def evaluate(self, gold: PathLike, level: str = "code") -> pd.DataFrame:
        """Precision, recall and F1 of the automatic suggestions against a researcher's gold
        coding (per code and micro-averaged, at segment level).  ``level="theme"`` compares
        themes: every code counts as its root theme, so a suggestion of the right theme but
        a neighbouring code is right."""
        from .coding.evaluate import attach_segments, read_gold, score_sets

        if level not in ("code", "theme"):
            raise QualcodeError("level must be 'code' or 'theme'")
        frame = attach_segments(read_gold(gold), self.segments(), path=str(gold))
        cb = self.codebook()
        lift = (lambda c: cb.root_of(c) if c in cb else c) if level == "theme" else (lambda c: c)
        codings = self.codings()
        auto = codings[codings["coder"] == AUTO_CODER]
        predicted: dict[int, set] = {}
        for seg, code in zip(auto["segment_id"], auto["code_id"]):
            predicted.setdefault(int(seg), set()).add(lift(code))
        gold_sets = {int(s): {lift(x) for x in c} for s, c in zip(frame["segment_id"], frame["code_set"])}
        return score_sets(gold_sets, predicted)

    def apply_gold(self, gold: PathLike, coder: Optional[str] = None) -> int:
        """Record a gold coding as one researcher's review: the gold codes are accepted or
        added, other suggestions on those segments rejected.  Returns the decisions made."""
        from .coding.evaluate import attach_segments, read_gold

        coder = coder or self.config.coder
        frame = attach_segments(read_gold(gold), self.segments(), path=str(gold))
        known = {c.id for c in self.codebook()}
        unknown = sorted(set().union(*frame["code_set"]) - known) if len(frame) else []
        if unknown:
            raise QualcodeError(f"the gold coding uses codes not in the codebook: {', '.join(unknown)}",
                                path=str(gold))
        codings = self.codings()
        auto = codings[codings["coder"] == AUTO_CODER]
        suggested: dict[int, set] = {}
        for seg, code in zip(auto["segment_id"], auto["code_id"]):
            suggested.setdefault(int(seg), set()).add(code)
        n = 0
        with self.store.transaction():
            for seg, codes in zip(frame["segment_id"], frame["code_set"]):
                seg = int(seg)
                for code in sorted(codes):
                    self._decide(seg, code, "accepted" if code in suggested.get(seg, ()) else "manual",
                                 coder, log=False)
                    n += 1
                for code in sorted(suggested.get(seg, set()) - codes):
                    self._decide(seg, code, "rejected", coder, log=False)
                    n += 1
            self._log("review import", Path(gold).name, coder=coder,
                      details={"decisions": n, "segments": len(frame)})
        return n

    # -- constructs: segmentation, care models, KAM plans, timeline ------------------
    def constructs(self, link: bool = True, include_suggested: bool = False, lang: Optional[str] = None):
        """The construct files of the project (asiakkaat.csv, segmentointi.yaml,
        hoitomallit.yaml) checked against the codebook; with ``link`` every care action is
        linked to the coded data that motivated it (segments, informants, quotes)."""
        from .construct import load_constructs

        try:
            codebook = self.codebook()
        except QualcodeError:
            codebook = None
        c = load_constructs(self.root, codebook=codebook, lang=lang or self.language)
        if link and c.care_models and codebook is not None:
            c.link(self, include_suggested=include_suggested)
        return c

    def segmentation(self):
        """Customer segmentation: ``.to_frame()``, ``.counts()``, ``.summary()`` ('KAM 8 / Muut 80')."""
        seg = self.constructs(link=False).segmentation
        if seg is None:
            raise QualcodeError("no segmentation; add segmentointi.yaml and asiakkaat.csv to the project folder")
        return seg

    def care_evidence(self, include_suggested: bool = False) -> pd.DataFrame:
        """For each care model action: supporting segments, informants and quotes."""
        c = self.constructs(link=True, include_suggested=include_suggested)
        return c.evidence if c.evidence is not None else pd.DataFrame()

    # -- pseudonymisation -----------------------------------------------------------------
    def pseudonym_key(self, key=None):
        """The pseudonymisation key: ``key`` (a path, a {name: pseudonym} mapping or a
        PseudonymKey) or ``key_file`` from qualcode.toml.  A key file inside the project folder
        is refused: it must never travel with the data."""
        from .pseudonym import PseudonymKey, check_key_location, load_key

        if key is None or key is True:
            if not self.config.key_file:
                raise QualcodeError("no pseudonymisation key: set key_file in qualcode.toml to a file outside "
                                    "the project (e.g. in your home folder), or give --key FILE")
            key = self.config.key_file
        if isinstance(key, (str, Path)):
            path = Path(key).expanduser()
            if not path.is_absolute():
                path = self.root / path
            check_key_location(path, self.root)
            if not path.is_file():
                raise QualcodeError("the key file does not exist; check key_file in qualcode.toml", path=str(path))
            return load_key(path)
        return PseudonymKey.coerce(key)

    def pseudonymise(self, key=None) -> pd.DataFrame:
        """Replace the key's names (in every inflected form), e-mails, phone numbers, identity
        codes, IBANs and URLs in the stored texts, in one transaction.  Segments, turns and
        every coding are moved with the text, so they point at the same words afterwards.
        The original files in transcripts/ are not touched.  Returns replacements per source."""
        from .model import count_words
        from .pseudonym import pseudonymise_text, pseudonymise_value, remap_span

        k = self.pseudonym_key(key)
        lang = self.language
        rows = []
        sources = self.store.conn.execute("SELECT id, name, text FROM sources").fetchall()
        with self.store.transaction() as c:
            for sid, name, text in sources:
                pseudo = pseudonymise_text(text, k, lang=lang)
                if not pseudo.replacements:
                    continue
                new = pseudo.text
                segs = c.execute('SELECT id, start, "end" FROM segments WHERE source_id=?', (sid,)).fetchall()
                moved = [(*remap_span(a, b, pseudo), seg_id) for seg_id, a, b in segs]
                c.executemany('UPDATE segments SET start=?, "end"=?, text=? WHERE id=?',
                              [(a, b, new[a:b], seg_id) for a, b, seg_id in moved])
                c.executemany('UPDATE turns SET start=?, "end"=? WHERE source_id=? AND idx=?',
                              [(*remap_span(a, b, pseudo), sid, idx) for idx, a, b in
                               c.execute('SELECT idx, start, "end" FROM turns WHERE source_id=?', (sid,)).fetchall()])
                c.executemany('UPDATE codings SET start=?, "end"=? WHERE id=?',
                              [(*remap_span(a, b, pseudo), cid) for cid, a, b in
                               c.execute('SELECT id, start, "end" FROM codings WHERE source_id=?', (sid,)).fetchall()])
                c.execute("UPDATE sources SET text=?, words=? WHERE id=?",
                          (new, sum(count_words(new[a:b]) for a, b, _ in moved), sid))
                # derived caches of the old text
                c.execute("DELETE FROM source_annotations WHERE source_id=?", (sid,))
                c.execute("DELETE FROM pattern_hits WHERE source_id=?", (sid,))
                rows.append({"source": name, "replacements": len(pseudo.replacements)})
            for code, role, org, attrs in c.execute(
                    "SELECT code, role, organisation, attributes FROM informants").fetchall():
                import json
                values = {k2: pseudonymise_value(v, k, lang) for k2, v in json.loads(attrs).items()}
                c.execute("UPDATE informants SET role=?, organisation=?, attributes=? WHERE code=?",
                          (pseudonymise_value(role, k, lang), pseudonymise_value(org, k, lang),
                           json.dumps(values, ensure_ascii=False, default=str), code))
            for memo_id, text in c.execute("SELECT id, text FROM memos").fetchall():
                c.execute("UPDATE memos SET text=? WHERE id=?", (pseudonymise_text(text, k, lang=lang).text, memo_id))
            c.execute("DELETE FROM meta WHERE key='coding_state'")   # re-match everything next time
            self._log("pseudonymise", f"{len(rows)} sources",
                      details={"replacements": int(sum(r["replacements"] for r in rows))})
        return pd.DataFrame(rows, columns=["source", "replacements"])

    def check_anonymity(self, paths=None, key=None) -> pd.DataFrame:
        """Every name from the key and every e-mail, phone number, identity code, IBAN and URL
        found in the given files (xlsx, docx, qdpx, md, txt, csv, html) and in the store."""
        from .pseudonym import check_anonymity, scan_text

        k = self.pseudonym_key(key)
        hits = check_anonymity([Path(p) for p in (paths or [])], k) if paths else None
        rows = []
        for name, text in self.store.conn.execute("SELECT name, text FROM sources WHERE active=1"):
            for hit in scan_text(text, k).itertuples():
                line = text.count("\n", 0, hit.start) + 1
                rows.append({"file": f"store:{name}", "location": f"line {line}", "found": hit.found,
                             "kind": hit.kind})
        store_hits = pd.DataFrame(rows, columns=["file", "location", "found", "kind"])
        frames = [f for f in (hits, store_hits) if f is not None and len(f)]
        return pd.concat(frames, ignore_index=True) if frames else store_hits

    # -- reports ----------------------------------------------------------------------
    def report(self, path: Optional[PathLike] = None, fmt: Optional[str] = None, lang: Optional[str] = None,
               include_suggested: bool = False, show_codes: bool = True, figures_dir: Optional[PathLike] = None,
               codebook=None, pseudonymise=None) -> Path:
        """Write the report: the workshop workbook (xlsx), thesis appendices (docx) or a quick
        look (md/html), by ``fmt`` or the file suffix; optionally the figures (PNG and SVG)."""
        from .report import ReportInputs
        from .report.api import write_report

        inputs = ReportInputs.from_project(self, lang=lang, include_suggested=include_suggested,
                                           codebook=codebook)
        if pseudonymise is None:
            pseudonymise = self.config.pseudonymise
        if pseudonymise:
            self._pseudonymise_inputs(inputs, pseudonymise)
        out = write_report(inputs, Path(path) if path else None, fmt=fmt, lang=inputs.language,
                           show_codes=show_codes)
        files = 1
        if figures_dir is not None:
            from .report.figures import write_figures

            Path(figures_dir).mkdir(parents=True, exist_ok=True)
            files += len(write_figures(inputs, Path(figures_dir), inputs.language))
        self._log("report", Path(out).name, details={"lang": inputs.language, "files": files,
                                                     "suggested": include_suggested,
                                                     "pseudonymised": bool(pseudonymise)})
        return Path(out)

    def _pseudonymise_inputs(self, inputs, key) -> None:
        """Replace names and identifying details in everything a report shows."""
        from .pseudonym import pseudonymise_frame, pseudonymise_frames

        k = self.pseudonym_key(key)
        texts = {int(s): self.store.source_text(int(s)) for s in inputs.segments["source_id"].unique()}
        inputs.segments, inputs.codings = pseudonymise_frames(inputs.segments, inputs.codings, k,
                                                              lang=self.language, source_texts=texts)
        inputs.informants = pseudonymise_frame(inputs.informants, k)
        inputs.sources = pseudonymise_frame(inputs.sources, k)
        inputs.audit = pseudonymise_frame(inputs.audit, k)
        inputs.title = pseudonymise_frame(pd.DataFrame({"t": [inputs.title]}), k)["t"].iloc[0]

    # -- exchange (REFI-QDA) -------------------------------------------------------------
    def _exchange_data(self, codebook=None):
        """Everything a REFI-QDA export needs from this project (the codebook given, the
        project's, or none when it has none)."""
        from .interop.qdpx_export import ExchangeData

        try:
            cb = self.codebook(codebook)
        except QualcodeError:
            if codebook is not None:
                raise
            cb = Codebook(codes=[], language=self.language)
        store = self.store
        return ExchangeData(title=self.config.title, coder=self.config.coder, created_at=store.first_logged_at(),
                            codes=list(cb.codes), sources=store.exchange_sources(),
                            informants=store.exchange_informants(), segments=store.segments_frame(),
                            codings=store.codings_frame(), memos=store.memos_frame(),
                            guids=store.exchange_guids(), extras=store.exchange_extras())

    def export_qdpx(self, path: PathLike, *, include_suggested: bool = False, pseudonymise=None,
                    warn=None, codebook=None) -> Path:
        """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder
        (``codebook``: the codebook whose codes to export, default the project's)."""
        from .interop.qdpx_export import export_qdpx
        from .pseudonym.rewriter import TextRewriter

        if pseudonymise is None:
            pseudonymise = self.config.pseudonymise
        key = self.pseudonym_key(pseudonymise) if pseudonymise else None
        out = export_qdpx(self._exchange_data(codebook), path, include_suggested=include_suggested,
                          pseudonymiser=TextRewriter(key) if key else None, warn=warn)
        self._log("export qdpx", Path(path).name,
                  details={"suggested": include_suggested, "pseudonymised": bool(key)})
        return out

    def import_qdpx(self, path: PathLike):
        """Read a REFI-QDA project: sources, codes, codings, cases and notes, all or nothing.
        The codebook file appears in ``codebooks/`` only after the store committed."""
        from .interop.qdpx_import import StagedCodebook, import_qdpx

        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the file does not exist; check the path", path=str(path))
        plan = import_qdpx(path, language=self.language, speaker_pattern=self.config.speaker_pattern,
                           interviewer_labels=self.config.interviewer_labels,
                           source_versions=self.store.source_versions())
        report = plan.report()
        counts = {k: getattr(report, k) for k in ("sources", "codes", "codings", "informants", "memos")}
        with StagedCodebook(plan.codebook, self.root / "codebooks") as staged:
            self.store.add_exchange_import(
                sources=[(s.source, s.turns, s.segments) for s in plan.sources], codings=plan.codings,
                informants=plan.informants, memos=plan.memos, codebook=plan.codebook_record(),
                guids=plan.guids, extras=plan.extras,
                event=AuditEvent(action="import qdpx", target=path.name, coder=self.config.coder,
                                 details={**counts, "codebook": staged.path.name if staged.path else None}))
        report.codebook_path = staged.path
        report.warnings += staged.warnings
        return report

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

    def memos(self) -> pd.DataFrame:
        """Researcher's memos (notes on the project, sources, segments or codes)."""
        return self.store.memos_frame()

    def add_memo(self, text: str, target_type: str = "project", target_id: Optional[str] = None,
                 coder: Optional[str] = None) -> int:
        """Write a memo; it is kept in the store and listed in the audit trail."""
        if target_type not in ("project", "source", "segment", "code"):
            raise QualcodeError("a memo is attached to a project, source, segment or code")
        with self.store.transaction():
            memo_id = self.store.add_memo(Memo(text=text, target_type=target_type,
                                               target_id=None if target_id is None else str(target_id),
                                               coder=coder or self.config.coder))
            self._log("memo", f"{target_type} {target_id or ''}".strip(), coder=coder or "",
                      reason=text[:200])
        return memo_id

    def audit(self) -> pd.DataFrame:
        """The analysis log (Analyysiloki): every step, in order."""
        return self.store.audit_frame()

    def audit_table(self, lang: Optional[str] = None) -> pd.DataFrame:
        """The audit trail with labelled columns (Aika, Toimija, Toiminto, Kohde, Perustelu, Tiedot)."""
        from .labels import label

        lang = lang or self.language
        trail = self.audit()
        cols = ["time", "coder", "action", "target", "reason", "details"]
        return trail[cols].rename(columns={c: label(f"audit.{c}", lang) for c in cols})

    def write_audit(self, path: PathLike, lang: Optional[str] = None) -> Path:
        """Export the audit trail to .xlsx or .csv (written to a temp file, then moved into place)."""
        from .fileutil import atomic_output
        from .labels import label

        path = Path(path)
        table = self.audit_table(lang)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            raise QualcodeError("the audit trail can be written as .xlsx or .csv; change the file name",
                                path=str(path))
        with atomic_output(path) as tmp:
            if path.suffix.lower() == ".csv":
                table.to_csv(tmp, index=False)
            else:
                table.to_excel(tmp, index=False, sheet_name=label("sheet.audit", lang or self.language))
        return path

    def status(self) -> pd.DataFrame:
        """Counts of sources, words, informants, segments and codings, as a one-column table."""
        counts = self.store.counts()
        return pd.DataFrame({"count": counts}).rename_axis("item")


class _LazyTexts:
    """The texts of the segments being coded, read from the store on first use."""

    def __init__(self, store, seg_ids: list[int], src_ids: list[int]):
        self.store, self.seg_ids, self.src_ids = store, seg_ids, src_ids
        self._texts: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self.seg_ids)

    def subset(self, idx: list[int]) -> list[str]:
        needed = sorted({self.src_ids[i] for i in idx} - set(self.__dict__.get("_loaded", ())))
        if needed:
            self._texts.update(self.store.segment_texts(needed))
            self.__dict__.setdefault("_loaded", set()).update(needed)
        return [self._texts[self.seg_ids[i]] for i in idx]

    def __getitem__(self, item):
        if isinstance(item, slice):
            return _TextsView(self, range(len(self))[item])
        return self.subset([item])[0]


class _TextsView:
    """A slice of :class:`_LazyTexts`; turned into real texts only if a pattern needs them."""

    def __init__(self, parent: _LazyTexts, rows: range):
        self.parent, self.rows = parent, rows

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.parent.subset(list(self.rows)))

    def __getitem__(self, i):
        return self.parent.subset([self.rows[i]])[0]


def _rule_hash(code, salt: str) -> str:
    """Fingerprint of everything that decides where a code's rules match."""
    import hashlib
    import json

    rules = [code.id, code.keywords, code.phrases, code.patterns, code.exclude, bool(code.compound), salt]
    return hashlib.sha256(json.dumps(rules, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _codebook_dict(cb) -> dict:
    """A codebook as plain data, for the store's snapshot of the codebook used in each run."""
    from dataclasses import asdict

    return {"language": cb.language, "name": cb.name,
            "codes": [{k: v for k, v in asdict(c).items() if k != "line"} for c in cb]}
