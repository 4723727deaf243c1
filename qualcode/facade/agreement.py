"""``project.agreement``: intercoder agreement, the disagreement sheet and the consensus
meeting's decisions."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from ..errors import QualcodeError
from ..model import AUTO_CODER, CONSENSUS_CODER, DECISION_STATUS
from . import Namespace

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd

PathLike = Union[str, Path]


def agreement_inputs(codings: pd.DataFrame, segments: pd.DataFrame, coders: Optional[list[str]],
                     reviewed_only: bool = False):
    """Codings and segments for agreement: the automatic coder's suggestions count as its
    codes when ``auto`` is compared; coverage is every coded segment, or with
    ``reviewed_only`` only the segments each coder decided something on."""
    segs = segments[~segments["is_interviewer"]]
    if coders and AUTO_CODER in coders:
        auto = codings["coder"] == AUTO_CODER
        codings = codings.assign(status=codings["status"].where(~auto, DECISION_STATUS["accept"]))
    coverage = codings[["segment_id", "coder"]].drop_duplicates() if reviewed_only else None
    return codings, segs, coverage


def agreement_of(codings: pd.DataFrame, segments: pd.DataFrame, coders: Optional[list[str]] = None,
                 reviewed_only: bool = False, units: Optional[list[int]] = None,
                 pooled_only: bool = False) -> pd.DataFrame:
    """The agreement table (see :meth:`ProjectAgreement.table`) of frames already read; with
    ``units`` only those segments (e.g. the ones a second coder reviewed); with ``pooled_only``
    only its pooled row."""
    from ..analysis.agreement import agreement_table

    codings, segs, coverage = agreement_inputs(codings, segments, coders, reviewed_only)
    if units is not None:
        wanted = {int(u) for u in units}
        segs = segs[segs["segment_id"].isin(wanted)]
        codings = codings[codings["segment_id"].isin(wanted)]
    return agreement_table(codings, segs, coders=coders, coverage=coverage, pooled_only=pooled_only)


class ProjectAgreement(Namespace):
    """Agreement between coders at segment level, and the consensus that settles it."""

    _attr = "agreement"
    _call_target = "table"     # project.agreement(...) of the first release

    def _inputs(self, coders: Optional[list[str]], reviewed_only: bool):
        return agreement_inputs(self._project.codings(), self._project.segments(), coders, reviewed_only)

    def table(self, coders: Optional[list[str]] = None, reviewed_only: bool = False,
              units: Optional[list[int]] = None, lang: Optional[str] = None) -> pd.DataFrame:
        """Agreement between coders per code and overall, at segment level: percent agreement,
        Cohen's kappa (two coders) and Krippendorff's alpha (nominal), with the number of units.
        Compare two researchers (``["liisa", "matti"]``) or a researcher with the automatic
        coder (``["auto", "liisa"]``).  With ``lang`` the columns carry the labels a report
        shows."""
        from ..analysis.agreement import label_agreement_table

        table = agreement_of(self._project.codings(), self._project.segments(), coders, reviewed_only, units)
        return label_agreement_table(table, lang) if lang else table

    def disagreements(self, coders: Optional[list[str]] = None, reviewed_only: bool = False) -> pd.DataFrame:
        """The (segment, code) pairs the coders disagree on."""
        from ..analysis.agreement import disagreements

        codings, segs, coverage = self._inputs(coders, reviewed_only)
        return disagreements(codings, segs, coders=coders, coverage=coverage)

    def write_disagreements(self, path: PathLike, coders: Optional[list[str]] = None,
                            reviewed_only: bool = False, lang: Optional[str] = None) -> Path:
        """Write the disagreement list as an xlsx sheet for a consensus meeting."""
        from ..analysis.agreement import write_disagreements_xlsx

        out = write_disagreements_xlsx(self.disagreements(coders, reviewed_only), Path(path),
                                       lang=lang or self._config.language)
        self._project._log("disagreements export", Path(path).name, details={"coders": coders or "all"})
        return out

    def consensus_import(self, path: PathLike, reason: str = "") -> pd.DataFrame:
        """Record the agreed codings of a filled-in consensus sheet as coder ``consensus``
        (agreed = accepted, not agreed = rejected), all rows or none."""
        from ..analysis.agreement import read_consensus_xlsx

        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the consensus sheet does not exist; check the path", path=str(path))
        decisions = read_consensus_xlsx(path)
        unknown = sorted(set(decisions["code_id"]) - {c.id for c in self._project.codebook()})
        if unknown:
            raise QualcodeError(f"the consensus sheet has codes that are not in the codebook ({', '.join(unknown)}); "
                                "correct them in the sheet", path=str(path))
        with self._store.transaction():
            # all decisions in one pass (linear in the rows), then one audit event per row
            self._project.coding._decide_many(
                [(int(row.segment_id), row.code_id, DECISION_STATUS["accept" if row.agreed else "reject"], "",
                  None, None)        # a consensus decision carries no valence or target of its own
                 for row in decisions.itertuples(index=False)], CONSENSUS_CODER)
            for row in decisions.itertuples(index=False):
                self._project._log("consensus", f"segment {int(row.segment_id)} / {row.code_id}",
                                   coder=CONSENSUS_CODER, reason=reason or ("agreed" if row.agreed else "not agreed"))
        return decisions
