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
                    carried, stranded = self.store.carry_human_codings(latest[0], sid)
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

    def code(self, codebook: Union[None, PathLike, "Codebook"] = None, *, include_interviewer: bool = False,
             progress: bool = False) -> pd.DataFrame:
        """Suggest codings by the codebook's rules (status ``suggested``, coder ``auto``).

        Re-running with a changed codebook replaces the automatic suggestions that changed
        and never touches a coding a human made, accepted or rejected.  Returns one row per
        code: how many segments and informants it was suggested for."""
        from .coding.engine import CodingEngine

        cb = self.codebook(codebook)
        engine = CodingEngine(self.store, self.annotator(cb.language or self.language))
        return engine.code(cb, include_interviewer=include_interviewer, progress=progress)

    # -- human decisions ------------------------------------------------------------
    def _segment_row(self, segment_id: int):
        row = self.store.segment_bounds(segment_id)
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
        rule = self.store.suggestion_rule(seg_id, code_id)   # remember which rule the decision was about
        if start is None:
            # a human decides on the segment (the review unit), so the coding spans it whole
            start, end = seg_start, seg_end
        else:
            if not (seg_start <= start < end <= seg_end):
                raise QualcodeError(f"offsets {start}-{end} are outside segment {segment_id} "
                                    f"({seg_start}-{seg_end})")
        with self.store.transaction():
            # one decision per coder, segment and code: the newest replaces the older one
            self.store.replace_decision(Coding(code_id, seg_id, int(start), int(end), status, coder, rule,
                                               valence=valence, note=note, source_id=source_id))
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
        from .coding.resolve import resolve_codings

        return resolve_codings(self.codings(), self.config.coder, include_suggested=include_suggested,
                               coders=coders)

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
        from .coding.engine import forget_coding_state
        from .pseudonym import pseudonymise_text, pseudonymise_value, remap_span

        k = self.pseudonym_key(key)
        lang = self.language

        def rewrite_text(text: str):
            pseudo = pseudonymise_text(text, k, lang=lang)
            if not pseudo.replacements:
                return None
            return pseudo.text, lambda a, b: remap_span(a, b, pseudo), len(pseudo.replacements)

        with self.store.transaction():
            rewritten = self.store.rewrite_texts(rewrite_text, lambda v: pseudonymise_value(v, k, lang))
            forget_coding_state(self.store)   # re-match everything next time
            rows = [{"source": name, "replacements": result[2]} for name, result in rewritten]
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
        for name, text in self.store.active_source_texts():
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
    def export_qdpx(self, path: PathLike, *, include_suggested: bool = False, pseudonymise=None,
                    warn=None) -> Path:
        """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
        from .interop.refi import export_qdpx

        if pseudonymise is None:
            pseudonymise = self.config.pseudonymise
        key = self.pseudonym_key(pseudonymise) if pseudonymise else None
        out = export_qdpx(self, path, include_suggested=include_suggested, pseudonymise=key, warn=warn)
        self._log("export qdpx", Path(path).name,
                  details={"suggested": include_suggested, "pseudonymised": bool(key)})
        return out

    def import_qdpx(self, path: PathLike):
        """Read a REFI-QDA project: sources, codes, codings, cases and notes, all or nothing."""
        from .interop.refi import import_qdpx

        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the file does not exist; check the path", path=str(path))
        return import_qdpx(path, self)

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
