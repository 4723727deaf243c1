"""``project.constructs``: segmentation, care models, KAM plans, the timeline and message
templates (asiakkaat.csv, segmentointi.yaml, hoitomallit.yaml in the project folder), each
care action linked to the coded evidence behind it."""
from __future__ import annotations

from typing import Optional

import pandas as pd

from ..errors import QualcodeError
from . import Namespace


class ProjectConstructs(Namespace):
    """The construct files of the project, checked against the codebook."""

    _attr = "constructs"
    _call_target = "load"      # project.constructs(...) of the first release

    def load(self, link: bool = True, include_suggested: bool = False, lang: Optional[str] = None):
        """The construct files checked against the codebook; with ``link`` every care action
        is linked to the coded data that motivated it (segments, informants, quotes)."""
        from ..construct import load_constructs

        project = self._project
        try:
            codebook = project.codebook()
        except QualcodeError:
            codebook = None
        c = load_constructs(project.root, codebook=codebook, lang=lang or self._config.language)
        if link and c.care_models and codebook is not None:
            c.link(codings=project.coding.resolved(include_suggested=include_suggested),
                   segments=project.segments(), codebook=codebook, include_suggested=include_suggested)
        return c

    def segmentation(self):
        """Customer segmentation: ``.to_frame()``, ``.counts()``, ``.summary()`` ('KAM 8 / Muut 80')."""
        seg = self.load(link=False).segmentation
        if seg is None:
            raise QualcodeError("no segmentation; add segmentointi.yaml and asiakkaat.csv to the project folder")
        return seg

    def care_evidence(self, include_suggested: bool = False) -> pd.DataFrame:
        """For each care model action: supporting segments, informants and quotes."""
        c = self.load(link=True, include_suggested=include_suggested)
        return c.evidence if c.evidence is not None else pd.DataFrame()
