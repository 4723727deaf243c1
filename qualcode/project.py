"""The notebook API: a :class:`Project` is a facade over a project folder.

It opens the folder, holds its config and store, gives the frames and the pipeline verbs
(``ingest``, ``code``, ``report``) and one namespace per stage (``coding``, ``analyse``,
``agreement``, ``privacy``, ``exchange``, ``constructs``; see :mod:`qualcode.facade`).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp()) / "study"
>>> project = Project.init(folder, title="Pilotti")
>>> _ = (folder / "transcripts" / "H1.txt").write_text("Haastattelija: Mitä kuuluu?\\nH1: Hyvää kuuluu.\\n")
>>> report = project.ingest([folder / "transcripts"])
>>> report.loc[0, "status"], project.segments()["text"].tolist()
('new', ['Mitä kuuluu?', 'Hyvää kuuluu.'])
>>> project.close()
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional, Union

from .config import CONFIG_NAME, STORE_DIR, STORE_NAME, ProjectConfig, find_project_root, load_config
from .errors import ProjectError, QualcodeError
from .facade.agreement import ProjectAgreement
from .facade.analyse import ProjectAnalyses
from .facade.coding import ProjectCoding
from .facade.constructs import ProjectConstructs
from .facade.exchange import ProjectExchange
from .facade.files import convert_codebook, read_codebook_file, write_frame  # noqa: F401  (for the CLI)
from .facade.privacy import ProjectPrivacy
from .facade.reporting import write_report
from .labels import check_language
from .model import AuditEvent, Codebook
from .store import SQLiteStore

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd

    from .facade.ingesting import IngestReport

PathLike = Union[str, Path]

#: The flat names of the first release and where they live now.  They keep working for one
#: release, each with a DeprecationWarning naming the new place.
DEPRECATED = {
    "accept": "coding.accept", "reject": "coding.reject", "add": "coding.add", "add_memo": "coding.memo",
    "review_export": "coding.review_export", "review_import": "coding.review_import",
    "resolved_codings": "coding.resolved", "evaluate": "coding.evaluate", "apply_gold": "coding.apply_gold",
    "themes": "analyse.themes", "informant_matrix": "analyse.informant_matrix",
    "group_matrix": "analyse.group_matrix", "reduction": "analyse.reduction", "types": "analyse.types",
    "experiences": "analyse.experiences", "training_needs": "analyse.training_needs", "swot": "analyse.swot",
    "trends": "analyse.trends", "network": "analyse.network", "scores": "analyse.scores",
    "quote_checks": "analyse.quote_checks",
    "disagreements": "agreement.disagreements", "write_disagreements": "agreement.write_disagreements",
    "consensus_import": "agreement.consensus_import",
    "pseudonym_key": "privacy.key", "pseudonymise": "privacy.pseudonymise",
    "check_anonymity": "privacy.check_anonymity",
    "export_qdpx": "exchange.export_qdpx", "import_qdpx": "exchange.import_qdpx",
    "segmentation": "constructs.segmentation", "care_evidence": "constructs.care_evidence",
    "audit_table": "audit", "write_audit": "write_audit", "language": "config.language",
    "codebook_path": "_codebook_path", "annotator": "_annotator",
    "memos": "coding.memos", "turns": "segments(unit='turn')",
}


def lemmatizer_in_use(config) -> tuple[str, str]:
    """(backend, why) of the lemmatiser a project with ``config`` uses: why is ``set`` when
    qualcode.toml names it, else the reason the automatic choice made it."""
    from .nlp import lemmatizer_choice

    return lemmatizer_choice(config.lemmatizer, config.language)


class Project:
    """A qualcode project folder: ``qualcode.toml``, transcripts, codebooks and the store.

    Old flat names (``project.swot()``, ``project.accept(...)`` …) still work for one release
    and warn; :data:`DEPRECATED` says where each went.
    """

    def __init__(self, root: PathLike):
        self.root = Path(root).resolve()
        cfg = self.root / CONFIG_NAME
        if not self.root.is_dir():
            raise ProjectError("the project folder does not exist; make a project there first", path=str(root))
        if not cfg.is_file():
            raise ProjectError("this folder is not a qualcode project (no qualcode.toml); make a project "
                               "there first or open the folder that has one", path=str(root))
        self.config = load_config(cfg)
        (self.root / STORE_DIR).mkdir(exist_ok=True)
        self.store = SQLiteStore(self.root / STORE_DIR / STORE_NAME, create=True)
        self.coding = ProjectCoding(self)
        self.analyse = ProjectAnalyses(self)
        self.agreement = ProjectAgreement(self)
        self.privacy = ProjectPrivacy(self)
        self.constructs = ProjectConstructs(self)
        self.exchange = ProjectExchange(self)

    # -- opening ------------------------------------------------------------------
    @classmethod
    def init(cls, folder: PathLike, title: str = "", language: str = "fi", coder: str = "researcher") -> "Project":
        """Make a project folder with ``qualcode.toml``, ``transcripts/``, ``codebooks/`` and an
        empty store.  An existing project is opened, never overwritten."""
        folder = Path(folder)
        check_language(language)
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
                               "work inside a project folder or name one")
        return cls(root)

    def close(self) -> None:
        """Close the store (the project object cannot be used afterwards)."""
        self.store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<Project {self.config.title!r} at {self.root}>"

    def __getattr__(self, name: str):
        # Only called when normal lookup fails: the deprecated flat names.
        target = DEPRECATED.get(name)
        if target is None or name.startswith("__"):
            raise AttributeError(f"'Project' object has no attribute '{name}'")
        warnings.warn(f"project.{name} is deprecated; use project.{target}", DeprecationWarning, stacklevel=2)
        if name == "write_audit":
            return lambda path, lang=None: self.audit(lang=lang or self.config.language, path=path)
        if name == "turns":
            return lambda: self.segments(unit="turn")
        obj = self
        for part in target.split("."):
            obj = getattr(obj, part)
        return obj

    def _log(self, action: str, target: str = "", reason: str = "", coder: str = "", **kw) -> None:
        self.store.log(AuditEvent(action=action, target=target, reason=reason,
                                  coder=coder or self.config.coder, details=kw.get("details", {})))

    def _name_for(self, path: Path) -> str:
        path = path.resolve()
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # -- the pipeline verbs ----------------------------------------------------------
    def ingest(self, paths: Iterable[PathLike], informants: Optional[PathLike] = None,
               kind: Optional[str] = None, speaker_pattern: Optional[str] = None,
               progress: bool = False) -> IngestReport:
        """Read transcripts (files or folders) and the informant list into the store.

        Idempotent: a file whose content is already stored is skipped; a changed file
        becomes a new version, and human codings on unchanged paragraphs move with it.
        All files are read and checked before anything is written: one bad file leaves
        the store as it was.
        """
        from .facade.ingesting import ingest

        return ingest(self, paths, informants=informants, kind=kind, speaker_pattern=speaker_pattern,
                      progress=progress)

    def _codebook_path(self, codebook: Optional[PathLike] = None) -> Path:
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
            return self._codebook_path(self.root / self.config.codebook)
        found = sorted(p for p in (self.root / "codebooks").glob("*")
                       if p.suffix.lower() in (".yaml", ".yml", ".xlsx") and not p.name.startswith((".", "~$")))
        if len(found) == 1:
            return found[0]
        if not found:
            raise QualcodeError("no codebook found; put a .yaml or .xlsx codebook in codebooks/ or name "
                                "the codebook file")
        raise QualcodeError("several codebooks in codebooks/ (" + ", ".join(p.name for p in found)
                            + "); name the one to use, or set codebook in qualcode.toml")

    def codebook(self, codebook: Union[None, PathLike, Codebook] = None) -> Codebook:
        """Load a codebook: the path given, else the project's (``codebook`` in qualcode.toml or
        the only one in codebooks/), else — when the project has no codebook file — the one the
        last coding used."""
        from .codebook import codebook_from_dict, load_codebook

        if isinstance(codebook, Codebook):
            return codebook
        if codebook is not None:
            return load_codebook(self._codebook_path(codebook))
        try:
            path = self._codebook_path()
        except QualcodeError:      # no codebook file at all: the one the last coding used
            stored = self.store.codebook_content()
            if stored is None:
                raise
            return codebook_from_dict(json.loads(stored), path="<store>")
        return load_codebook(path)     # a broken file is an error, never replaced by a copy

    def _annotator(self, language: Optional[str] = None):
        """The tokeniser and lemmatiser for ``language`` (kept for the project's lifetime).
        Word types whose lemmas the store keeps are never lemmatised again, and spaCy and
        the lemmatiser's dictionary load only when something new needs them."""
        from .nlp import Annotator

        key = (language or self.config.language, self.config.lemmatizer)
        cache = self.__dict__.setdefault("_annotators", {})
        if key not in cache:
            cache[key] = Annotator(key[0], lemmatizer=key[1], word_types=self.store)
        return cache[key]

    def code(self, codebook: Union[None, PathLike, Codebook] = None, *, include_interviewer: bool = False,
             progress: bool = False) -> pd.DataFrame:
        """Suggest codings by the codebook's rules (status ``suggested``, coder ``auto``).

        Re-running with a changed codebook replaces the automatic suggestions that changed
        and never touches a coding a human made, accepted or rejected.  Returns one row per
        code: how many segments and informants it was suggested for."""
        import pandas as pd

        from .coding.engine import SUMMARY_COLUMNS

        rows = self.coding.code_rows(codebook, include_interviewer=include_interviewer, progress=progress)
        return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))

    def report(self, path: Optional[PathLike] = None, fmt: Optional[str] = None, lang: Optional[str] = None,
               include_suggested: bool = False, show_codes: bool = True, figures_dir: Optional[PathLike] = None,
               codebook=None, pseudonymise=None, template: Optional[PathLike] = None,
               progress: bool = False) -> Path:
        """Write the report: the workshop workbook (xlsx), thesis appendices (docx) or a quick
        look (md/html), by ``fmt`` or the file suffix; optionally the figures (PNG and SVG).
        The project is read once and every table comes from one set of analyses; they count
        the reviewed codings (and the suggestions with ``include_suggested``), as the first
        page or sheet states.  ``template`` (a .docx/.dotx) gives a docx report its page size,
        margins and styles (default A4).  ``pseudonymise`` (True, a key or a key file; default
        ``pseudonymise`` in qualcode.toml) replaces names and identifying details in
        everything the report shows.  ``progress`` shows its steps (on a terminal or in a notebook)."""
        return write_report(self, path, fmt=fmt, lang=lang, include_suggested=include_suggested,
                            show_codes=show_codes, figures_dir=figures_dir, codebook=codebook, progress=progress,
                            pseudonymise=pseudonymise, template=template)

    # -- the transcript view ------------------------------------------------------------
    def view(self, path: Optional[PathLike] = None, lang: Optional[str] = None, pseudonymise=None) -> Path:
        """Write the transcript view: ``index.html`` and one page per source with every coding
        marked, code tree, filters and search; opens from the folder (default ``view/``), no
        server needed.  Returns the path of ``index.html``."""
        from .facade.view import write_view

        return write_view(self, path, lang=lang, pseudonymise=pseudonymise)

    def show(self, source, codes=None, status=None, lang: Optional[str] = None, pseudonymise=None):
        """Notebook output: ``source`` (name, file name or id) with its codings marked, only
        ``codes`` (a theme includes its codes) and ``status`` when given; or, for a frame of
        codings, each quote marked in its passage."""
        from .facade.view import show

        return show(self, source, codes=codes, status=status, lang=lang, pseudonymise=pseudonymise)

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

    def segments(self, unit: str = "segment") -> pd.DataFrame:
        """One row per segment (a paragraph in a turn, the unit of coding) with offsets into
        its source's text; ``unit="turn"``: one row per speaker turn (speaker, timestamp,
        offsets)."""
        if unit == "turn":
            return self.store.turns_frame()
        if unit != "segment":
            raise QualcodeError(f"unit must be 'segment' or 'turn', not '{unit}'")
        return self.store.segments_frame()

    def informants(self) -> pd.DataFrame:
        """One row per informant: code, role, organisation, date, mode, duration, attributes."""
        return self.store.informants_frame()

    def codings(self, all_versions: bool = False) -> pd.DataFrame:
        """One row per coding (suggested, accepted, rejected or manual)."""
        return self.store.codings_frame(active_only=not all_versions)

    def audit(self, lang: Optional[str] = None, path: Optional[PathLike] = None):
        """The analysis log (Analyysiloki): every step, in order.  With ``lang`` the columns
        carry their labels (Aika, Toimija, Toiminto, Kohde, Perustelu, Tiedot); with ``path``
        the labelled trail is written to .xlsx or .csv (to a temporary file, then moved into
        place) and the path is returned."""
        from .labels import label

        trail = self.store.audit_frame()
        if lang is None and path is None:
            return trail
        lang = check_language(lang, default=self.config.language)
        cols = ["time", "coder", "action", "target", "reason", "details"]
        table = trail[cols].rename(columns={c: label(f"audit.{c}", lang) for c in cols})
        if path is None:
            return table
        return write_frame(table, path, sheet=label("sheet.audit", lang))

    def status(self) -> pd.DataFrame:
        """Counts of sources, words, informants, segments and codings, as a one-column table."""
        import pandas as pd

        counts = self.store.counts()
        return pd.DataFrame({"count": counts}).rename_axis("item")


