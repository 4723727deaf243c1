"""``project.exchange``: REFI-QDA projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA and QualCoder.

The project reads what an export needs into :class:`~qualcode.interop.qdpx_export.ExchangeData`
through store methods; an import is read into an
:class:`~qualcode.interop.qdpx_import.ImportPlan` first and applied in one transaction.
"""
from __future__ import annotations

from pathlib import Path
from typing import Union

from ..errors import QualcodeError
from ..model import AuditEvent, Codebook
from . import Namespace

PathLike = Union[str, Path]
IMPORT_COUNTS = ("sources", "codes", "codings", "informants", "memos")


class ProjectExchange(Namespace):
    """Export and import of REFI-QDA projects."""

    _attr = "exchange"

    def data(self, codebook=None):
        """Everything a REFI-QDA export needs from this project (the codebook given, the
        project's, or none when it has none)."""
        from ..interop.qdpx_export import ExchangeData

        try:
            cb = self._project.codebook(codebook)
        except QualcodeError:
            if codebook is not None:
                raise
            cb = Codebook(codes=[], language=self._config.language)
        store = self._store
        return ExchangeData(title=self._config.title, coder=self._config.coder, created_at=store.first_logged_at(),
                            codes=list(cb.codes), sources=store.exchange_sources(),
                            informants=store.exchange_informants(), segments=store.segments_frame(),
                            codings=store.codings_frame(), memos=store.memos_frame(),
                            guids=store.exchange_guids(), extras=store.exchange_extras(),
                            codebook_name=cb.name or "", language=cb.language or self._config.language)

    def export_qdpx(self, path: PathLike, *, include_suggested: bool = False, pseudonymise=None,
                    warn=None, codebook=None) -> Path:
        """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder
        (``codebook``: the codebook whose codes to export, default the project's)."""
        from ..interop.qdpx_export import export_qdpx
        from ..pseudonym.rewriter import TextRewriter

        key = self._project.privacy.key_for_output(pseudonymise)
        out = export_qdpx(self.data(codebook), path, include_suggested=include_suggested,
                          pseudonymiser=TextRewriter(key) if key else None, warn=warn)
        self._project._log("export qdpx", Path(path).name,
                           details={"suggested": include_suggested, "pseudonymised": bool(key)})
        return out

    def import_qdpx(self, path: PathLike, *, new_version: bool = False):
        """Read a REFI-QDA project: sources, codes, codings, cases and notes, all or nothing.

        Into a project that already holds the file's sources (same name, same text) the import
        merges: nothing the project has is added twice, and a conflict — a source of the same
        name with another text, a code of qualcode's with other rules, a different decision by
        the same coder — is refused unless ``new_version``, which makes each source of an
        existing name its next version and writes the file's codebook beside the project's.
        The codebook file appears in ``codebooks/`` only after the store committed."""
        from ..interop.qdpx_import import StagedCodebook, import_qdpx
        from ..interop.qdpx_merge import merge_plan

        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the file does not exist; check the path", path=str(path))
        config, store = self._config, self._store
        plan = import_qdpx(path, language=config.language, speaker_pattern=config.speaker_pattern,
                           interviewer_labels=config.interviewer_labels, source_versions=store.source_versions(),
                           existing=self._existing_sources(), new_version=new_version)
        merge_plan(plan, self._holding(), new_version=new_version)
        report = plan.report()
        counts = {k: getattr(report, k) for k in IMPORT_COUNTS}
        written = plan.codebook if plan.write_codebook else Codebook(codes=[])
        with StagedCodebook(written, self._project.root / "codebooks") as staged:
            store.add_exchange_import(
                sources=[(s.source, s.turns, s.segments) for s in plan.sources], codings=plan.codings,
                informants=plan.informants, memos=plan.memos, codebook=plan.codebook_record(),
                guids=plan.guids, extras=plan.extras,
                event=AuditEvent(action="import qdpx", target=path.name, coder=config.coder,
                                 details={**counts, "merged_sources": report.merged_sources,
                                          "new_version": new_version,
                                          "codebook": staged.path.name if staged.path else None}))
        report.codebook_path = staged.path
        report.warnings += staged.warnings
        return report

    def _existing_sources(self) -> dict:
        from ..interop.qdpx_import import ExistingSource

        store = self._store
        return {name: ExistingSource(sid, version, text, store.segments_of(sid))
                for name, (sid, version, text) in store.active_source_versions().items()}

    def _holding(self):
        from ..interop.qdpx_merge import ProjectHolding

        try:
            codebook = self._project.codebook()
        except QualcodeError:
            codebook = None
        label = codebook.path if codebook is not None and codebook.path else "the project's codebook"
        return ProjectHolding(self._store.exchange_codings(), self._store.exchange_memos(), codebook, str(label))
