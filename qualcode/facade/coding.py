"""``project.coding``: human decisions on the automatic suggestions and what counts.

Accept, reject or add a code on a segment, note a memo, review in an Excel sheet, evaluate
the automatic coding against a gold coding and record that gold as a researcher's review.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Union

from ..errors import QualcodeError, as_user_error
from ..model import AUTO_CODER, DECISION_STATUS, MACHINE_CODERS, SWOT_FIELDS, VALENCES, Coding, Memo
from . import Namespace

if TYPE_CHECKING:   # pandas loads on first use: commands that need no table start faster
    import pandas as pd

PathLike = Union[str, Path]
#: What a memo may be attached to.
MEMO_TARGETS = ("project", "source", "segment", "code")


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


#: ``set_value``'s default for a value it leaves as it is (None clears a value).
KEEP: Any = _Keep()


def coding_values(valence: Optional[str] = None, target: Optional[str] = None,
                  swot: Optional[str] = None) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """A coding's own (valence, target, SWOT quadrant) checked and tidied: a target's spaces
    trimmed and "" as None, a quadrant in capitals.

    >>> coding_values("negative", "  kehittäjä B ", "w")
    ('negative', 'kehittäjä B', 'W')
    >>> coding_values("bad")
    Traceback (most recent call last):
    ...
    qualcode.errors.QualcodeError: unknown valence 'bad'; use positive, negative, neutral, mixed, development_idea
    """
    if valence is not None and valence not in VALENCES:
        raise QualcodeError(f"unknown valence '{valence}'; use " + ", ".join(VALENCES))
    target = " ".join(str(target).split()) or None if target is not None else None
    if swot is not None:
        swot = str(swot).strip().upper() or None
        if swot is not None and swot not in SWOT_FIELDS:
            raise QualcodeError(f"unknown SWOT quadrant '{swot}'; use " + ", ".join(SWOT_FIELDS))
    return valence, target, swot


@dataclass
class CodingRun:
    """One run of :meth:`ProjectCoding.watch`: the summary rows (as
    :meth:`ProjectCoding.code_rows` gives them), the suggestions it added and removed and
    its time in seconds; or, when the codebook file could not be used, the ``error`` that
    says why (nothing was coded then)."""

    rows: list[dict] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    seconds: float = 0.0
    error: Optional[str] = None


class ProjectCoding(Namespace):
    """Human decisions (one row per coder, segment and code; the newest replaces the older)."""

    _attr = "coding"

    def code_rows(self, codebook=None, *, include_interviewer: bool = False, progress: bool = False) -> list[dict]:
        """:meth:`Project.code <qualcode.project.Project.code>` with its summary as plain rows
        (``code_id``, ``name``, ``segments``, ``informants``): a re-code that changed a few
        codes then loads neither pandas nor spaCy."""
        from ..coding.engine import CodingEngine

        cb = self._project.codebook(codebook)
        engine = CodingEngine(self._store, self._project._annotator(cb.language or self._config.language))
        with self._store.transaction():   # caches included: nothing is kept unless the run succeeds
            engine.update(cb, include_interviewer=include_interviewer, progress=progress)
        return engine.summary_rows(cb)

    def watch(self, codebook=None, *, include_interviewer: bool = False, interval: float = 0.05,
              progress: bool = False, stop: Optional[Callable[[], bool]] = None) -> Iterator[CodingRun]:
        r"""Code, then code again each time the codebook file's content changes: one
        :class:`CodingRun` per run, the first at once.  The file is looked at every
        ``interval`` seconds until ``stop()`` is true (default: never; Ctrl-C in a terminal).

        One engine codes every run, so the lemmas, the tokenizer and the counts of the codes
        a change did not touch stay in memory: a run after a small edit takes a fraction of a
        fresh ``code``.  A codebook that cannot be read, or a run that stops on something
        the user can fix (a store busy with another command, a pattern too slow for a
        segment), gives a run with its ``error`` (the file and line where there is one), and
        the next save is tried again; each run is written whole or not at all, and human
        decisions are never touched.

        >>> import tempfile, shutil, pathlib
        >>> from qualcode.project import Project
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "p"
        >>> project = Project.init(folder)
        >>> _ = (folder / "transcripts" / "H1.txt").write_text("Haastattelija: Miten laskutus toimii?\nH1: Laskut tulevat ajallaan.\n", encoding="utf-8")
        >>> _ = project.ingest([folder / "transcripts"])
        >>> book = folder / "codebooks" / "koodit.yaml"
        >>> _ = book.write_text("codes:\n  - {id: laskutus, name: Laskutus, keywords: [lasku]}\n", encoding="utf-8")
        >>> runs = project.coding.watch(interval=0.01)
        >>> first = next(runs); first.added, first.error
        (1, None)
        >>> _ = book.write_text("codes:\n  - {id: laskutus, name: Laskutus, keywords: [lasku\n", encoding="utf-8")
        >>> print(next(runs).error.replace(str(book), "koodit.yaml"))
        koodit.yaml:3: YAML syntax error (did not find expected ',' or ']'); fix the YAML syntax there
        >>> _ = book.write_text("codes:\n  - {id: laskutus, name: Laskutus, keywords: [lasku]}\n"
        ...                     "  - {id: aikataulu, name: Aikataulu, keywords: [tulla]}\n", encoding="utf-8")
        >>> run = next(runs); run.added, run.removed, [r["segments"] for r in run.rows]
        (1, 0, [1, 1])
        >>> project.close()
        """
        path = self._project._codebook_path(codebook)
        engine = None
        seen: Optional[bytes] = None
        while True:
            content = _content(path)
            if content != seen:
                seen = content
                started = time.perf_counter()
                try:
                    cb = self._project.codebook(path)
                    engine = self._engine(cb, engine)
                    with self._store.transaction():
                        engine.update(cb, include_interviewer=include_interviewer, progress=progress)
                    rows = engine.summary_rows(cb)
                except Exception as exc:        # the user's to fix (a busy store, a slow pattern): say so, go on
                    error = as_user_error(exc)
                    if error is None:
                        raise
                    yield CodingRun(error=str(error), seconds=time.perf_counter() - started)
                    continue
                yield CodingRun(rows, engine.last_run["added"], engine.last_run["removed"],
                                time.perf_counter() - started)
                progress = False    # later runs are short: no bar flashing by
            if stop is not None and stop():
                return
            time.sleep(interval)

    def _engine(self, cb, engine=None):
        """A coding engine for ``cb``'s language: ``engine`` when it has that language's annotator."""
        from ..coding.engine import CodingEngine

        annotator = self._project._annotator(cb.language or self._config.language)
        if engine is not None and engine.annotator is annotator:
            return engine
        return CodingEngine(self._store, annotator)

    def segment(self, segment_id: int) -> tuple[int, int, int, int]:
        """``(segment_id, source_id, start, end)`` of an active segment; a clear error if none."""
        row = self._store.segment_bounds(segment_id)
        if row is None:
            raise QualcodeError(f"there is no segment {segment_id} in the project; see project.segments()")
        return row

    def _decide(self, segment_id: int, code_id: str, status: str, coder: Optional[str],
                start: Optional[int] = None, end: Optional[int] = None, valence: Optional[str] = None,
                note: str = "", log: bool = True, target: Optional[str] = None,
                swot: Optional[str] = None) -> None:
        seg_id, source_id, seg_start, seg_end = self.segment(segment_id)
        valence, target, swot = coding_values(valence, target, swot)
        coder = coder or self._config.coder
        if coder in MACHINE_CODERS:
            raise QualcodeError(f"the coder name '{coder}' is reserved for automatic suggestions; use your own name")
        rule = self._store.suggestion_rule(seg_id, code_id)   # remember which rule the decision was about
        if start is None:
            # a human decides on the segment (the review unit), so the coding spans it whole
            start, end = seg_start, seg_end
        elif not (seg_start <= start < end <= seg_end):
            raise QualcodeError(f"offsets {start}-{end} are outside segment {segment_id} "
                                f"({seg_start}-{seg_end})")
        with self._store.transaction():
            self._store.replace_decision(Coding(code_id, seg_id, int(start), int(end), status, coder, rule,
                                                valence=valence, note=note, source_id=source_id,
                                                target=target, swot=swot))
            if log:
                self._project._log(status if status != "manual" else "add", f"segment {seg_id} / {code_id}",
                                   coder=coder)

    def _own_decisions(self, coder: str) -> dict[tuple[int, str], int]:
        """(segment id, code id) → coding id of this coder's decisions."""
        mine = self._project.codings()
        mine = mine[mine["coder"] == coder]
        return {(int(s), c): int(i) for s, c, i in zip(mine["segment_id"], mine["code_id"], mine["coding_id"])}

    def _decide_many(self, decisions: list[tuple], coder: str) -> None:
        """:meth:`_decide` (whole segments, no audit event each) for many (segment id, code id,
        status, note[, valence, target]) at once: segment bounds and suggestion rules are read once and the older
        decisions replaced in one pass, so the time grows linearly with the decisions."""
        if coder in MACHINE_CODERS:
            raise QualcodeError(f"the coder name '{coder}' is reserved for automatic suggestions; use your own name")
        bounds = self._store.active_segment_bounds()
        rules = self._store.suggestion_rules()
        codings = []
        for seg_id, code_id, status, note, *values in decisions:   # values: (valence, target), optional
            valence, target, _ = coding_values(*(v or None for v in values))
            found = bounds.get(int(seg_id))
            if found is None:
                raise QualcodeError(f"there is no segment {seg_id} in the project; see project.segments()")
            source_id, start, end = found
            codings.append(Coding(code_id, int(seg_id), start, end, status, coder, rules.get((int(seg_id), code_id)),
                                  valence=valence, note=note or "", source_id=source_id, target=target))
        self._store.replace_decisions(codings)

    def accept(self, segment_id: int, code_id: str, coder: Optional[str] = None, **kw) -> None:
        """Accept a code on a segment (the suggestion's span, or the whole segment).  Keywords:
        ``start``, ``end``, ``note`` and the coding's own ``valence``, ``target`` (whom the
        remark concerns: a person or role) and ``swot`` quadrant, which beat the code's."""
        self._decide(segment_id, code_id, DECISION_STATUS["accept"], coder, **kw)

    def reject(self, segment_id: int, code_id: str, coder: Optional[str] = None, **kw) -> None:
        """Reject a suggested code on a segment; automatic coding will not bring it back."""
        self._decide(segment_id, code_id, DECISION_STATUS["reject"], coder, **kw)

    def add(self, segment_id: int, code_id: str, coder: Optional[str] = None, start: Optional[int] = None,
            end: Optional[int] = None, valence: Optional[str] = None, note: str = "",
            target: Optional[str] = None, swot: Optional[str] = None) -> None:
        """Code a segment (or the span ``start``–``end`` inside it) by hand, with the coding's
        own ``valence``, ``target`` and ``swot`` quadrant when given."""
        if code_id not in self._project.codebook():
            raise QualcodeError(f"unknown code '{code_id}'; add it to the codebook first")
        self._decide(segment_id, code_id, DECISION_STATUS["add"], coder, start=start, end=end, valence=valence,
                     note=note, target=target, swot=swot)

    def set_value(self, coding_id: int, *, valence: Optional[str] = KEEP, target: Optional[str] = KEEP,
                  swot: Optional[str] = KEEP, coder: Optional[str] = None) -> int:
        """Set a coding's own valence, target (whom it concerns) and SWOT quadrant; a value not
        given stays, None clears it (the code's default counts again).  This coder's own
        decision is changed in place; on a suggestion or another coder's coding this coder's
        decision is recorded with the values (a suggestion is accepted, a rejection stays one).
        Returns the id of the coding that holds the values."""
        row = self._store.coding_row(coding_id)
        if row is None:
            raise QualcodeError(f"there is no coding {coding_id} in the project; see project.codings()")
        seg_id, code_id, status, owner, *old = row
        coder = coder or self._config.coder
        new = [o if v is KEEP else v for v, o in zip((valence, target, swot), old)]
        values = dict(zip(("valence", "target", "swot"), coding_values(*new)))
        with self._store.transaction():
            if owner != coder or status not in DECISION_STATUS.values():
                coding_id = self._accept_for_value(int(coding_id), int(seg_id), code_id, coder, values)
            self._store.set_coding_values(int(coding_id), **values)
            self._project._log("value", f"segment {seg_id} / {code_id}", coder=coder,
                               details={k: v for k, v in values.items() if v is not None})
        return int(coding_id)

    def _accept_for_value(self, coding_id: int, seg_id: int, code_id: str, coder: str, values: dict) -> int:
        """This coder accepts a suggestion or another coder's coding on its span, to hold the
        values; returns the id of the new decision."""
        frame = self._project.codings()
        span = frame[frame["coding_id"] == coding_id].iloc[0]
        self._decide(seg_id, code_id, DECISION_STATUS["accept"], coder, start=int(span["start"]),
                     end=int(span["end"]), note=str(span["note"] or ""), log=False, **values)
        frame = self._project.codings()
        mine = frame[(frame["segment_id"] == seg_id) & (frame["code_id"] == code_id) & (frame["coder"] == coder)]
        return int(mine["coding_id"].iloc[0])

    def memo(self, text: str, target_type: str = "project", target_id: Optional[str] = None,
             coder: Optional[str] = None) -> int:
        """Write a memo on the project, a source, a segment or a code; it is kept in the store
        and listed in the audit trail.  Returns its id."""
        if target_type not in MEMO_TARGETS:
            raise QualcodeError("a memo is attached to a project, source, segment or code")
        if target_type == "segment":
            self.segment(int(target_id))
        if target_type == "code" and target_id not in self._project.codebook():
            raise QualcodeError(f"unknown code '{target_id}'; see the codebook")
        with self._store.transaction():
            memo_id = self._store.add_memo(Memo(text=text, target_type=target_type,
                                                target_id=None if target_id is None else str(target_id),
                                                coder=coder or self._config.coder))
            self._project._log("memo", f"{target_type} {target_id or ''}".strip(), coder=coder or "",
                               reason=text[:200])
        return memo_id

    # -- the review sheet ----------------------------------------------------------------
    def review_export(self, path: PathLike, coder: Optional[str] = None, lang: Optional[str] = None,
                      include_interviewer: bool = False, pseudonymise=False) -> Path:
        """Write an Excel review sheet: one row per segment with its suggested codes and
        columns to accept, reject and add codes (dropdowns of code ids).  ``pseudonymise``
        (True, a key or a key file) pseudonymises the codebook's texts in it; the stored
        texts must have been pseudonymised already, since the sheet carries them as stored."""
        from ..coding.review import write_review_sheet

        project = self._project
        coder = coder or self._config.coder
        segs = project.segments()
        if not include_interviewer:
            segs = segs[~segs["is_interviewer"]]
        if segs.empty:
            raise QualcodeError("there are no segments to review; ingest transcripts first")
        from .suggesting import with_scores

        codebook = project.codebook()
        if pseudonymise:      # privacy: only when asked, not by qualcode.toml's default
            codebook = project.privacy.sheet_codebook(codebook, segs, pseudonymise)
        out = write_review_sheet(Path(path), segs, with_scores(project.codings()), codebook,
                                 lang=lang or self._config.language, coder=coder)
        project._log("review export", Path(path).name, coder=coder, details={"segments": len(segs)})
        return out

    def review_import(self, path: PathLike, coder: Optional[str] = None) -> pd.DataFrame:
        """Apply the decisions of a filled-in review sheet, all or nothing.

        Unknown codes, edited texts or unknown segments are reported row by row in one error
        and nothing is applied.  Returns the decisions applied."""
        from ..coding.review import read_review_sheet

        coder = coder or self._config.coder
        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the review sheet does not exist; check the path", path=str(path))
        decisions = read_review_sheet(path, self._project.segments(), self._project.codebook())
        counts = {decision: 0 for decision in (*DECISION_STATUS, "value")}
        decided = []
        own = self._own_decisions(coder) if (decisions["decision"] == "value").any() else {}
        with self._store.transaction():
            for row in decisions.itertuples(index=False):
                if row.decision == "note":   # a note without a decision: keep it as a memo
                    self._store.add_memo(Memo(text=row.note, target_type="segment",
                                              target_id=str(int(row.segment_id)), coder=coder))
                    continue
                key = (int(row.segment_id), row.code_id)
                if row.decision == "value" and key in own:   # new values for a code accepted earlier
                    self.set_value(own[key], coder=coder,
                                   **{k: getattr(row, k) for k in ("valence", "target") if getattr(row, k)})
                elif row.decision == "value":    # a sheet of another coder's: this coder accepts it
                    decided.append((*key, DECISION_STATUS["accept"], row.note, row.valence, row.target))
                else:
                    decided.append((*key, DECISION_STATUS[row.decision], row.note, row.valence, row.target))
                counts[row.decision] += 1
            self._decide_many(decided, coder)
            self._project._log("review import", path.name, coder=coder, details=counts)
        return decisions

    def memos(self) -> pd.DataFrame:
        """The researcher's memos (notes on the project, sources, segments or codes)."""
        return self._store.memos_frame()

    def resolved(self, include_suggested: bool = False, coders: Optional[list[str]] = None) -> pd.DataFrame:
        """One coding per segment and code, as the analyses count it: ``consensus`` first,
        then the project's coder, then any coder, then (with ``include_suggested``) the
        suggestion; a rejection removes the code."""
        from ..coding.resolve import resolve_codings

        return resolve_codings(self._project.codings(), self._config.coder,
                               include_suggested=include_suggested, coders=coders)

    # -- gold codings ------------------------------------------------------------------
    def _auto_sets(self, lift=lambda c: c) -> dict[int, set]:
        codings = self._project.codings()
        auto = codings[codings["coder"] == AUTO_CODER]
        found: dict[int, set] = {}
        for seg, code in zip(auto["segment_id"], auto["code_id"]):
            found.setdefault(int(seg), set()).add(lift(code))
        return found

    def gold_segments(self, gold: PathLike) -> list[int]:
        """The ids of the segments a gold coding covers (csv/xlsx: source, segment_index,
        text, codes)."""
        from ..coding.evaluate import attach_segments, read_gold

        frame = attach_segments(read_gold(gold), self._project.segments(), path=str(gold))
        return [int(s) for s in frame["segment_id"]]

    def suggest(self, backend: str = "bm25", top_k: int = 3, progress: bool = False) -> pd.DataFrame:
        """Ranked suggestions beyond keywords: per segment the ``top_k`` codes whose examples
        and descriptions it resembles (``bm25`` over lemmas, or ``semantic`` with the
        ``semantic`` extra), learning from every accepted, added and rejected coding.  Stored
        as coder ``semantic`` with the evidence as the rule; never touches a human decision."""
        from .suggesting import suggest

        return suggest(self._project, backend=backend, top_k=top_k, progress=progress)

    def evaluate(self, gold: PathLike, level: str = "code", backends=None, simulate: int = 0) -> pd.DataFrame:
        """Precision, recall and F1 of the automatic suggestions against a researcher's gold
        coding (per code and micro-averaged, at segment level).  ``level="theme"`` compares
        themes: every code counts as its root theme, so a suggestion of the right theme but
        a neighbouring code is right.  With ``backends`` (e.g. ``["bm25"]``) the ranked
        suggesters are scored too (hit@1, hit@5, precision and recall), ``simulate=N``
        counting the first N gold-coded sources as reviewed; nothing is written."""
        from ..coding.evaluate import attach_segments, read_gold, score_sets

        if backends:
            from .suggesting import evaluate_suggestions

            return evaluate_suggestions(self._project, gold, tuple(backends), simulate=simulate)

        if level not in ("code", "theme"):
            raise QualcodeError("level must be 'code' or 'theme'")
        frame = attach_segments(read_gold(gold), self._project.segments(), path=str(gold))
        cb = self._project.codebook()
        lift = (lambda c: cb.root_of(c) if c in cb else c) if level == "theme" else (lambda c: c)
        gold_sets = {int(s): {lift(x) for x in c} for s, c in zip(frame["segment_id"], frame["code_set"])}
        return score_sets(gold_sets, self._auto_sets(lift))

    def apply_gold(self, gold: PathLike, coder: Optional[str] = None) -> int:
        """Record a gold coding as one researcher's review: the gold codes are accepted or
        added, other suggestions on those segments rejected.  Returns the decisions made."""
        from ..coding.evaluate import attach_segments, read_gold

        coder = coder or self._config.coder
        frame = attach_segments(read_gold(gold), self._project.segments(), path=str(gold))
        known = {c.id for c in self._project.codebook()}
        unknown = sorted(set().union(*frame["code_set"]) - known) if len(frame) else []
        if unknown:
            raise QualcodeError(f"the gold coding uses codes not in the codebook: {', '.join(unknown)}",
                                path=str(gold))
        suggested = self._auto_sets()
        n = 0
        with self._store.transaction():
            for seg, codes in zip(frame["segment_id"], frame["code_set"]):
                seg = int(seg)
                for code in sorted(codes):
                    status = "accept" if code in suggested.get(seg, ()) else "add"
                    self._decide(seg, code, DECISION_STATUS[status], coder, log=False)
                    n += 1
                for code in sorted(suggested.get(seg, set()) - codes):
                    self._decide(seg, code, DECISION_STATUS["reject"], coder, log=False)
                    n += 1
            self._project._log("review import", Path(gold).name, coder=coder,
                               details={"decisions": n, "segments": len(frame)})
        return n


def _content(path: Path) -> Optional[bytes]:
    """The bytes of a file, or None while it is not there (an editor may save by replacing it)."""
    try:
        return path.read_bytes()
    except OSError:
        return None
