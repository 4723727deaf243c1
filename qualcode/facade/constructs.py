"""``project.constructs``: segmentation, care models, KAM plans, the timeline and message
templates (asiakkaat.csv, segmentointi.yaml, hoitomallit.yaml in the project folder), each
care action linked to the coded evidence behind it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..errors import QualcodeError
from . import Namespace

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd


class ProjectConstructs(Namespace):
    """The construct files of the project, checked against the codebook."""

    _attr = "constructs"
    _call_target = "load"      # project.constructs(...) of the first release

    def load(self, link: bool = True, include_suggested: bool = False, lang: Optional[str] = None):
        """The construct files checked against the codebook; with ``link`` every care action
        is linked to the coded data that motivated it (segments, informants, quotes)."""
        from .frames import codebook_frames, constructs_of, study_frames

        # only linking needs the coded data; checking the files needs the codebook alone
        frames = (study_frames(self._project, lang=lang, include_suggested=include_suggested, report=False,
                               codebook_required=False) if link else codebook_frames(self._project, lang))
        return constructs_of(self._project, frames, link=link, keep_empty=True)

    def segmentation(self):
        """Customer segmentation: ``.to_frame()``, ``.counts()``, ``.summary()`` ('KAM 8 / Muut 80')."""
        seg = self.load(link=False).segmentation
        if seg is None:
            raise QualcodeError("no segmentation; add segmentointi.yaml and asiakkaat.csv to the project folder")
        return seg

    def care_evidence(self, include_suggested: bool = False) -> pd.DataFrame:
        """For each care model action: supporting segments, informants and quotes."""
        import pandas as pd

        c = self.load(link=True, include_suggested=include_suggested)
        return c.evidence if c.evidence is not None else pd.DataFrame()
