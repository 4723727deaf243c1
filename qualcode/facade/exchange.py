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
                            guids=store.exchange_guids(), extras=store.exchange_extras())

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

    def import_qdpx(self, path: PathLike):
        """Read a REFI-QDA project: sources, codes, codings, cases and notes, all or nothing.
        The codebook file appears in ``codebooks/`` only after the store committed."""
        from ..interop.qdpx_import import StagedCodebook, import_qdpx

        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the file does not exist; check the path", path=str(path))
        config = self._config
        plan = import_qdpx(path, language=config.language, speaker_pattern=config.speaker_pattern,
                           interviewer_labels=config.interviewer_labels,
                           source_versions=self._store.source_versions())
        report = plan.report()
        counts = {k: getattr(report, k) for k in IMPORT_COUNTS}
        with StagedCodebook(plan.codebook, self._project.root / "codebooks") as staged:
            self._store.add_exchange_import(
                sources=[(s.source, s.turns, s.segments) for s in plan.sources], codings=plan.codings,
                informants=plan.informants, memos=plan.memos, codebook=plan.codebook_record(),
                guids=plan.guids, extras=plan.extras,
                event=AuditEvent(action="import qdpx", target=path.name, coder=config.coder,
                                 details={**counts, "codebook": staged.path.name if staged.path else None}))
        report.codebook_path = staged.path
        report.warnings += staged.warnings
        return report
