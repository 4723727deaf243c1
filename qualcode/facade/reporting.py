"""``project.report(...)``: one read of the project, one set of analyses, one file (and the
figures), pseudonymised when asked."""
from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional, Union

from ..errors import ReportWarning
from .frames import link_constructs, study_frames

PathLike = Union[str, Path]


def write_report(project, path: Optional[PathLike] = None, fmt: Optional[str] = None, lang: Optional[str] = None,
                 include_suggested: bool = False, show_codes: bool = True, figures_dir: Optional[PathLike] = None,
                 codebook=None, pseudonymise=None, template: Optional[PathLike] = None,
                 progress: bool = False) -> Path:
    """See :meth:`qualcode.project.Project.report`."""
    from ..labels import label
    from ..progress import progress_counter

    drawer = _figure_drawer(path, fmt, figures_dir)
    steps = 2 + (figures_dir is not None)   # read the project, write the file, the figures
    try:
        with progress_counter(label("progress.report", project.config.language), steps, enabled=progress) as advance:
            out, frames, analyses, key = _write_report_file(project, path, fmt, lang, include_suggested, show_codes,
                                                            codebook, pseudonymise, template, advance, drawer)
            files = 1
            if figures_dir is not None:
                from ..report.figures import write_figures

                Path(figures_dir).mkdir(parents=True, exist_ok=True)
                files += len(write_figures(analyses, Path(figures_dir), frames.language, drawer=drawer))
                advance(1)
    finally:
        if drawer is not None:
            drawer.close()
    basis = frames.coding_basis
    project._log("report", Path(out).name, details={"lang": frames.language, "files": files,
                                                    "suggested": include_suggested,
                                                    "pseudonymised": key is not None,
                                                    "reviewed": basis.reviewed, "suggestions": basis.suggestions})
    return Path(out)


def _figure_drawer(path, fmt, figures_dir):
    """For a Word report or one with its figures in a folder, the figure process, started
    before the project is read so that it loads matplotlib while this process loads pandas;
    else None (nothing to draw)."""
    from ..report.api import report_format

    if report_format(path, fmt) != "docx" and figures_dir is None:
        return None
    from ..report.figure_worker import start_drawer

    return start_drawer()


def _write_report_file(project, path, fmt, lang, include_suggested, show_codes, codebook, pseudonymise, template,
                       advance, drawer=None):
    """The report file itself (two steps of ``advance``: the project read, the file written);
    returns (path, frames, analyses, pseudonymisation key)."""
    from ..analysis.study import Analyses
    from ..report.api import write_report as write_file

    key = project.privacy.key_for_output(pseudonymise)
    frames = study_frames(project, lang=lang, include_suggested=include_suggested, codebook=codebook,
                          link_constructs=key is None)
    if key is not None:   # the care actions' quotes come from the pseudonymised codings
        project.privacy.pseudonymise_frames(frames, key)
        frames.constructs.facts.pseudonymise_reports = True     # the reliability section says so
        link_constructs(frames.constructs, frames)
    analyses = Analyses(frames)          # shared by the report and its figures
    advance(1)
    out = write_file(analyses, Path(path) if path else None, fmt=fmt, lang=frames.language, show_codes=show_codes,
                     template=template, drawer=drawer)
    advance(1)
    basis = frames.coding_basis
    if basis.warning(frames.language):    # the document says so too; this tells whoever runs it
        warnings.warn(ReportWarning(f"{Path(out).name}: {basis.warning(frames.language)}"), stacklevel=4)
    return out, frames, analyses, key
