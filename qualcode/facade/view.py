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
    from .suggesting import with_scores

    codings = with_scores(project.codings())      # ranked suggestions show their score
    turns = project.segments(unit="turn")
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
                           sources=frames.sources, audit=pd.DataFrame(), title=frames.title,
                           codebook=frames.codebook)
    project.privacy.pseudonymise_frames(held, key)
    frames.codebook = held.codebook                  # the code names the view shows
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


# -- review in context (the local review app, ``qualcode serve``) -----------------------------
#: What the review app can do to a coding.
REVIEW_ACTIONS = ("accept", "reject", "add", "remove", "valence", "target", "memo", "undo")


class ReviewJournal:
    """The review app's decisions, made through the same calls as the CLI and the review sheet
    (``project.coding.accept/reject/add/memo``: the same rows, the same audit entries), each in
    its own transaction, with the state before each one kept so that the last can be undone.

    Every method takes the project to act on: the app opens the project for each request, so a
    CLI command writing meanwhile is seen, and waits for it (SQLite's lock), never overwritten.
    """

    def __init__(self, coder: str):
        from ..model import AUTO_CODER

        if not coder or coder == AUTO_CODER:
            raise QualcodeError("the coder name 'auto' is reserved for automatic suggestions; give your own name")
        self.coder = coder
        self._undo: list[dict] = []

    def _coding(self, project, coding_id: int) -> dict:
        rows = project.codings()
        hit = rows[rows["coding_id"] == int(coding_id)]
        if hit.empty:
            raise QualcodeError(f"there is no coding {coding_id} any more; reload the page")
        return hit.iloc[0].to_dict()

    def _state(self, project, segment_id: int, code_id: str, action: str) -> dict:
        """This coder's decision on the segment and code as it is before ``action`` (kept for
        undo once the action has succeeded)."""
        rows = project.codings()
        mine = rows[(rows["segment_id"] == segment_id) & (rows["code_id"] == code_id) & (rows["coder"] == self.coder)]
        before = mine.iloc[0].to_dict() if len(mine) else None
        return {"segment_id": int(segment_id), "code_id": code_id, "action": action, "before": before}

    def decide(self, project, action: str, coding_id: int) -> str:
        """Accept or reject the coding ``coding_id`` (a suggestion, or any coding in view) on its span."""
        row = self._coding(project, coding_id)
        seg, code = int(row["segment_id"]), str(row["code_id"])
        state = self._state(project, seg, code, action)
        verb = project.coding.accept if action == "accept" else project.coding.reject
        verb(seg, code, coder=self.coder, start=int(row["start"]), end=int(row["end"]))
        self._undo.append(state)
        return f"{action} {code}"

    def add(self, project, segment_id: int, code_id: str, start: int, end: int, text: str) -> str:
        """Code the words ``start``–``end`` (code points into the segment's text, which must read
        ``text``: the page and the store agree) with ``code_id`` by hand."""
        seg_id, _, seg_start, seg_end = project.coding.segment(int(segment_id))
        seg_text = project.segments().set_index("segment_id").loc[seg_id, "text"]
        start, end = int(start), int(end)
        if not (0 <= start < end <= seg_end - seg_start) or seg_text[start:end] != text:
            raise QualcodeError("the selected words are not in this paragraph any more; reload the page")
        state = self._state(project, seg_id, code_id, "add")
        project.coding.add(seg_id, code_id, coder=self.coder, start=seg_start + start, end=seg_start + end)
        self._undo.append(state)
        return f"add {code_id}"

    def remove(self, project, coding_id: int) -> str:
        """Remove one of this coder's own codings or decisions (a suggestion it decided on is open again)."""
        row = self._coding(project, coding_id)
        if row["coder"] != self.coder:
            raise QualcodeError(f"coding {coding_id} is {row['coder']}'s, not yours ({self.coder}); "
                                "you can remove only your own codings")
        state = self._state(project, int(row["segment_id"]), str(row["code_id"]), "remove")
        with project.store.transaction():
            project.store.delete_codings([int(coding_id)])
            project._log("remove", f"segment {int(row['segment_id'])} / {row['code_id']}", coder=self.coder,
                         details={"status": row["status"]})
        self._undo.append(state)
        return f"remove {row['code_id']}"

    def valence(self, project, coding_id: int, valence: Optional[str]) -> str:
        """Set the valence of a coding: this coder's decision on it is kept (a suggestion is accepted)."""
        return self._value(project, coding_id, "valence", valence=valence)

    def target(self, project, coding_id: int, target: Optional[str]) -> str:
        """Set whom a coding concerns (a person or role; empty: the speaker's own role counts)."""
        return self._value(project, coding_id, "target", target=target)

    def _value(self, project, coding_id: int, action: str, **value) -> str:
        row = self._coding(project, coding_id)
        seg, code = int(row["segment_id"]), str(row["code_id"])
        state = self._state(project, seg, code, action)
        project.coding.set_value(int(coding_id), coder=self.coder, **value)
        self._undo.append(state)
        return f"{action} {code}"

    def memo(self, project, segment_id: int, text: str) -> str:
        """A memo on a segment (kept in the store and the audit trail; not undone)."""
        if not str(text).strip():
            raise QualcodeError("the memo is empty; write something first")
        project.coding.memo(str(text), "segment", int(segment_id), coder=self.coder)
        return "memo"

    def undo(self, project) -> str:
        """Put back this coder's decision as it was before the last action of this app."""
        from ..model import Coding

        if not self._undo:
            raise QualcodeError("there is nothing to undo")
        last = self._undo[-1]
        rows = project.codings()
        now = rows[(rows["segment_id"] == last["segment_id"]) & (rows["code_id"] == last["code_id"])
                   & (rows["coder"] == self.coder)]
        before = last["before"]
        with project.store.transaction():
            project.store.delete_codings([int(i) for i in now["coding_id"]])
            if before is not None:
                project.store.replace_decision(Coding(
                    str(before["code_id"]), int(before["segment_id"]), int(before["start"]), int(before["end"]),
                    str(before["status"]), self.coder, _or_none(before["rule"]), str(before["created_at"]),
                    _or_none(before["valence"]), str(before.get("note") or ""), source_id=int(before["source_id"]),
                    target=_or_none(before.get("target")), swot=_or_none(before.get("swot"))))
            project._log("undo", f"segment {last['segment_id']} / {last['code_id']}", coder=self.coder,
                         details={"undid": last["action"], "restored": before["status"] if before else None})
        self._undo.pop()
        return f"undo {last['action']}"


def _or_none(value):
    return None if value is None or (isinstance(value, float) and value != value) or value is pd.NA else value
