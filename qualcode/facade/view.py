"""``project.view`` and ``project.show``: the transcript view of a project.

The frames are read once through the project's public methods and handed to
:mod:`qualcode.view`, which never sees the project; a pseudonymised view goes through the
same pseudonymisation as a report.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Optional, Union

import pandas as pd

from ..errors import QualcodeError
from ..labels import check_language
from ..model import Codebook

PathLike = Union[str, Path]
#: The view's folder in the project when no other is given.
VIEW_DIR = "view"


def view_frames(project, pseudonymise=None):
    """The project's frames for the view: segments, every coding (all statuses), sources,
    informants, turn timestamps and the codebook — pseudonymised when ``pseudonymise`` (or,
    when it is None, qualcode.toml) says so."""
    from ..view import ViewFrames

    codings = project.codings()
    turns = project.turns()
    frames = ViewFrames(segments=project.segments(), codings=codings, codebook=_codebook(project, codings),
                        sources=project.sources(), informants=project.informants(),
                        turns=turns[["source_id", "turn", "timestamp"]], title=project.config.title)
    key = project.privacy.key_for_output(pseudonymise)
    if key is not None:
        _pseudonymise(project, frames, key)
    return frames


def _codebook(project, codings: pd.DataFrame) -> Codebook:
    """The project's codebook; a project that has none and no codings yet gets an empty one."""
    try:
        return project.codebook()
    except QualcodeError:
        if len(codings):
            raise
        return Codebook()


def _pseudonymise(project, frames, key) -> None:
    """The report's pseudonymisation (texts, offsets, quotes, names, sources, informants,
    title), and the theme headings, which the view shows and a report does not."""
    from ..pseudonym import pseudonymise_frame

    held = SimpleNamespace(segments=frames.segments, codings=frames.codings, informants=frames.informants,
                           sources=frames.sources, audit=pd.DataFrame(), title=frames.title)
    project._pseudonymise_inputs(held, key)
    frames.segments = pseudonymise_frame(held.segments, key, columns=["theme"], lang=project.config.language)
    frames.codings, frames.informants, frames.sources = held.codings, held.informants, held.sources
    frames.title, frames.pseudonymised = held.title, True


def write_view(project, path: Optional[PathLike] = None, lang: Optional[str] = None,
               pseudonymise=None) -> Path:
    """Write the view (``index.html`` and a page per source) into ``path`` (default ``view/``
    in the project) and return the path of its ``index.html``."""
    from ..view import write_view as write

    lang = check_language(lang, default=project.config.language)
    folder = Path(path) if path is not None else project.root / VIEW_DIR
    frames = view_frames(project, pseudonymise)
    index = write(frames, folder, lang)
    project._log("view", project._name_for(folder),
                 details={"lang": lang, "sources": int(frames.segments["source_id"].nunique()),
                          "codings": len(frames.codings), "pseudonymised": frames.pseudonymised})
    return index


def show(project, what: Union[str, int, pd.DataFrame], codes=None, status=None, lang: Optional[str] = None,
         pseudonymise=None):
    """Notebook output: a source (its name, file name or id) with its codings marked, only
    ``codes`` (ids; a theme includes the codes below it) and ``status`` when given; or, for a
    codings frame (e.g. a selection of ``project.codings()``), each quote marked in its passage."""
    from ..view import select_codings, show_codings, show_source

    lang = check_language(lang, default=project.config.language)
    frames = view_frames(project, pseudonymise)
    if isinstance(what, pd.DataFrame):
        missing = {"coding_id", "segment_id", "code_id", "start", "end", "status"} - set(what.columns)
        if missing:
            raise QualcodeError("show a source or a frame of codings (from project.codings()); this frame has no "
                                + ", ".join(sorted(missing)))
        chosen = frames.codings[frames.codings["coding_id"].isin(what["coding_id"])]
        chosen = select_codings(chosen, frames.codebook, codes, status)
        return show_codings(chosen, frames.segments, frames.codebook, lang)
    return show_source(frames, source_id(project, what), lang, codes=codes, status=status)


def source_id(project, name_or_id: Union[str, int]) -> int:
    """The id of the active source called ``name_or_id`` (its path in the project, its file
    name, or its id)."""
    df = project.sources()
    if isinstance(name_or_id, int) and not isinstance(name_or_id, bool):
        hit = df[df["source_id"] == name_or_id]
    else:
        name = str(name_or_id)
        hit = df[(df["source"] == name) | df["source"].str.endswith("/" + name)]
    if hit.empty:
        raise QualcodeError(f"no source called '{name_or_id}'; see project.sources()")
    return int(hit.iloc[0]["source_id"])
