"""``project.analyse``: the analyses of a method over the project's reviewed codings.

Each call reads the project once into :class:`~qualcode.analysis.study.StudyFrames` and asks
:class:`~qualcode.analysis.study.Analyses` — the same wiring every report uses, so
``project.analyse.types()`` and the workbook's Tyypit sheet agree.  ``include_suggested=True``
counts the automatic suggestions nobody decided on too.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from ..errors import QualcodeError
from . import Namespace

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd

PathLike = Union[str, Path]


class ProjectAnalyses(Namespace):
    """Themes, matrices, reduction, typology, experiences, SWOT, trends, network, scores."""

    _attr = "analyse"

    def frames(self, include_suggested: bool = False, lang: Optional[str] = None, report: bool = False):
        """The project's frames for analyses (``report=True``: everything a report shows),
        to pass to :class:`~qualcode.analysis.study.Analyses` or the report writers."""
        from .frames import study_frames

        return study_frames(self._project, lang=lang, include_suggested=include_suggested, report=report)

    def _analyses(self, include_suggested: bool = False):
        from ..analysis.study import Analyses

        return Analyses(self.frames(include_suggested))

    def themes(self, level: str = "code", include_suggested: bool = False) -> pd.DataFrame:
        """Code (or theme) frequencies: segments, informants, sources, share of informants."""
        return self._analyses(include_suggested).themes(level)

    def informant_matrix(self, value: str = "count", level: str = "code",
                         include_suggested: bool = False) -> pd.DataFrame:
        """Informant × code matrix (count, presence or share)."""
        return self._analyses(include_suggested).informant_matrix(value, level)

    def group_matrix(self, by: str = "segment", value: str = "count", include_suggested: bool = False) -> pd.DataFrame:
        """Group × code matrix by an informant attribute (role, segment, lifecycle …)."""
        return self._analyses(include_suggested).group_matrix(by, value)

    def reduction(self, reductions: Optional[dict] = None, include_suggested: bool = False) -> pd.DataFrame:
        """Reduction table: original expression → reduced expression → sub/upper/main category."""
        return self._analyses(include_suggested).reduction(reductions)

    def types(self, rules: Union[None, PathLike, dict] = None, k: Optional[int] = None,
              include_suggested: bool = False):
        """Typology: types defined by ``rules`` (a dict or a YAML file), else by the project's
        tyypit.yaml (as in the report), else found by clustering informants on their code
        profiles (``k`` clusters: clustering even when tyypit.yaml exists)."""
        spec = rules if rules is None or isinstance(rules, dict) else self._read_yaml(rules)
        return self._analyses(include_suggested).types(spec, k=k)

    def experiences(self, level: str = "theme", include_suggested: bool = False) -> pd.DataFrame:
        """Positive and negative experiences: theme × valence counts of segments."""
        return self._analyses(include_suggested).experiences(level)

    def training_needs(self, by: str = "role", include_suggested: bool = False) -> pd.DataFrame:
        """Negative experiences per target role → development and training needs."""
        return self._analyses(include_suggested).training_needs(by)

    def swot(self, include_suggested: bool = False):
        """SWOT (nelikenttä) from the codes' S/W/O/T attributes, with evidence quotes."""
        return self._analyses(include_suggested).swot()

    def trends(self, level: str = "theme", comments: Optional[dict] = None,
               include_suggested: bool = False) -> pd.DataFrame:
        """Trends with comments (TRENDI | KOMMENTTI) and how widely each is shared."""
        return self._analyses(include_suggested).trends(level, comments)

    def network(self, unit: str = "segment", level: str = "code", include_suggested: bool = False):
        """Co-occurrence network of codes (networkx graph; edges carry count and Jaccard)."""
        return self._analyses(include_suggested).network(unit, level)

    def scores(self, column: str = "score", scale: Optional[str] = None):
        """Recommendation scores of the informants: distribution, mean, median (NPS on 0–10)."""
        from ..analysis.study import Analyses, StudyFrames

        frames = StudyFrames(language=self._config.language, informants=self._project.informants())
        return Analyses(frames).scores(column, scale)

    def quote_checks(self, include_suggested: bool = False) -> dict[str, pd.DataFrame]:
        """Near-duplicate quotes across informants and quotes with no informant code."""
        return self._analyses(include_suggested).quote_checks()

    def _read_yaml(self, path: PathLike):
        from ..yamlutil import read_yaml

        path = Path(path)
        if not path.is_absolute() and not path.exists():
            path = self._project.root / path
        if not path.is_file():
            raise QualcodeError("the file does not exist; check the path", path=str(path))
        return read_yaml(path)
