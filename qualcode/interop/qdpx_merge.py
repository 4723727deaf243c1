"""Merging an :class:`~.qdpx_import.ImportPlan` into a project that already holds some of it.

The plan has already reused the project's sources of the same name and text (see
:func:`~.qdpx_import.import_qdpx`); this module decides, before anything is written, what of
the file is new.  The rules (also in docs/exchange.md):

* a coding the project already has on a reused source — same segment, offsets, code,
  status, coder, rule, valence, note and time — is not added again; an automatic suggestion
  is matched by offsets, code and coder only (the project's own suggestion stands);
* a human decision (accepted, rejected, manual) of the file on a segment, code and coder for
  which the project holds a different decision is a conflict;
* a memo the project already has (same target, text, coder and time) is not added again;
* the codebook is not written when every code of the file is in the project's codebook with
  the same fields; a code of qualcode's data note with the same id and other fields is a
  conflict (a foreign file's codes are written beside the project's codebook, as always).

A conflict is refused with one sentence naming the file and what differs, unless the import
asked for new versions (``new_version``): then the import is the plain one of a foreign file —
no source is reused and the file's codebook is written beside the project's.

>>> from qualcode.model import Code, Codebook
>>> held = Codebook(codes=[Code("nopeus", keywords=["nopea"])])
>>> codebook_differences(Codebook(codes=[Code("nopeus", keywords=["nopea", "ripeä"])]), held)
([('nopeus', ['keywords'])], [])
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

from ..errors import QualcodeError
from ..model import HUMAN_STATUSES, Codebook
from .qdpx_data import code_fields


@dataclass
class ProjectHolding:
    """What the project holds that an import may repeat.

    ``codings``: ``(source id, segment id, start, end, code id, status, coder, rule, valence,
    note, created at)`` on active sources; ``memos``: ``(target type, target id, text, coder,
    created at)`` with source memos targeted by source name; ``codebook``: the project's
    codebook (None when it has none) and ``codebook_label`` its file, for messages.
    """

    codings: list = field(default_factory=list)
    memos: list = field(default_factory=list)
    codebook: Optional[Codebook] = None
    codebook_label: str = "the project's codebook"


def merge_plan(plan, holding: ProjectHolding, *, new_version: bool = False) -> None:
    """Drop from ``plan`` what the project already holds and decide whether its codebook is
    written (``plan.write_codebook``); raise :class:`QualcodeError` on a conflict."""
    label = str(plan.path)
    plan.write_codebook = _codebook_written(plan, holding, new_version, label)
    repeated = _merge_codings(plan, holding.codings, label)
    repeated += _merge_memos(plan, holding.memos)
    plan.already_there = repeated
    if repeated:
        plan.warnings.append(f"{label}: {repeated} codings and notes of the file were already in the project "
                             "and were not added again")


def codebook_differences(theirs: Codebook, ours: Codebook) -> tuple[list, list]:
    """``([(code id, [fields that differ])], [ids of codes only in theirs])``."""
    mine = {c.id: code_fields(c) for c in ours.codes}
    differ, new = [], []
    for code in theirs.codes:
        fields = code_fields(code)
        if code.id not in mine:
            new.append(code.id)
        elif fields != mine[code.id]:
            differ.append((code.id, [k for k, v in fields.items() if mine[code.id].get(k) != v]))
    return differ, new


def _codebook_written(plan, holding: ProjectHolding, new_version: bool, label: str) -> bool:
    if not plan.codebook.codes:
        return False
    if holding.codebook is None or new_version:
        return True
    differ, new = codebook_differences(plan.codebook, holding.codebook)
    if differ and plan.carried and not new_version:
        code_id, fields = differ[0]
        more = f" (and {len(differ) - 1} other codes)" if len(differ) > 1 else ""
        raise QualcodeError(f"code '{code_id}' has other {', '.join(fields)} in the file than in "
                            f"{holding.codebook_label}{more}; nothing was imported — import the file as a new "
                            "version to write its codebook beside the project's", path=label)
    return bool(differ or new)


def _merge_codings(plan, held: list, label: str) -> int:
    reused = {pos: s for pos, s in enumerate(plan.sources) if s.reused}
    if not reused:
        return 0
    exact = Counter(tuple(row) for row in held)
    suggestions = Counter((r[0], r[2], r[3], r[4], r[6]) for r in held if r[5] == "suggested")
    decisions: dict[tuple, list] = {}
    for r in held:
        if r[5] in HUMAN_STATUSES:
            decisions.setdefault((r[0], r[1], r[4], r[6]), []).append(tuple(r))
    segment_id = {pos: {g.index: g.id for g in s.segments} for pos, s in reused.items()}
    kept, repeated = [], 0
    for pos, idx, c in plan.codings:
        if pos not in reused:
            kept.append((pos, idx, c))
            continue
        sid, gid = reused[pos].source.id, segment_id[pos][idx]
        row = (sid, gid, c.start, c.end, c.code_id, c.status, c.coder, c.rule, c.valence, c.note or "", c.created_at)
        short = (sid, c.start, c.end, c.code_id, c.coder)
        if c.status == "suggested" and suggestions[short] > 0:
            suggestions[short] -= 1
            repeated += 1
        elif c.status != "suggested" and exact[row] > 0:
            exact[row] -= 1
            repeated += 1
        elif c.status in HUMAN_STATUSES and decisions.get((sid, gid, c.code_id, c.coder)):
            raise QualcodeError(_decision_conflict(reused[pos].source.name, row, decisions[(sid, gid, c.code_id,
                                                                                            c.coder)][0]), path=label)
        else:
            kept.append((pos, idx, c))
    plan.codings = kept
    return repeated


_CODING_FIELDS = ("source", "segment", "start", "end", "code", "status", "coder", "rule", "valence", "note",
                  "time")


def _decision_conflict(source: str, theirs: tuple, ours: tuple) -> str:
    name, a, b = next((n, a, b) for n, a, b in zip(_CODING_FIELDS, ours, theirs) if a != b)
    return (f"the project already has a decision of {theirs[6]} on code '{theirs[4]}' in source '{source}' "
            f"({ours[2]}-{ours[3]}) with another {name} ('{a}' in the project, '{b}' in the file); nothing was "
            "imported — import the file as a new version of its sources to keep both")


def _merge_memos(plan, held: list) -> int:
    have = Counter((t, str(i) if i is not None else None, text, coder or "", created)
                   for t, i, text, coder, created in held)
    segment_id = {pos: {g.index: g.id for g in s.segments} for pos, s in enumerate(plan.sources) if s.reused}
    kept, repeated = [], 0
    for memo, where in plan.memos:
        target = memo.target_id
        if where is not None:
            if where[0] not in segment_id:
                kept.append((memo, where))
                continue
            target = str(segment_id[where[0]][where[1]])
        key = (memo.target_type, target, memo.text, memo.coder or "", memo.created_at)
        if have[key] > 0:
            have[key] -= 1
            repeated += 1
        else:
            kept.append((memo, where))
    plan.memos = kept
    return repeated
