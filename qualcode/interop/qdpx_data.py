"""qualcode's own fields in a ``.qdpx``: one machine-readable Note the standard has no place for.

QDA-XML carries codes (name, parent, description, colour) and codings (a code on a
selection by a user), but not a code's id and rules, nor a coding's status, rule, valence or
note-free metadata, nor rejected decisions and open suggestions.  qualcode writes them into a
single project ``Note`` named :data:`DATA_NOTE_NAME` whose ``PlainTextContent`` is a JSON
object (``format`` :data:`DATA_FORMAT`, ``version`` :data:`DATA_VERSION`)::

    {"format": "qualcode-refi-data", "version": 1,
     "codebook": {"name": …, "language": …, "codes": [{"guid": …, "id": …, "keywords": […], …}]},
     "unlisted_codes": {<guid>: <code id>, …},
     "codings": [{"source": <TextSource guid>, "start": 16, "end": 21, "code": <code id>,
                  "status": "rejected", "coder": …, "rule": …, "valence": …, "note": …,
                  "created_at": …, "element": false, "target": …, "swot": …}, …]}

``target`` (whom the remark concerns) and ``swot`` (the coding's own quadrant) are written
only when set, so a note without them reads as before.

``element`` says whether the coding is also written as a standard ``Coding`` (accepted and
manual ones, and suggestions when asked): other programs see those and ignore the Note; on
import qualcode matches them to their entries by source, offsets, code and coder.  The
file stays valid against the REFI-QDA schema — a Note is an ordinary element.

>>> from qualcode.model import Code
>>> text = data_note_text("koodit", "fi", [Code("nopeus", keywords=["nopea"])], {"nopeus": "c0de"},
...                       [{"source": "5a11", "start": 0, "end": 5, "code": "nopeus", "status": "rejected",
...                         "coder": "tutkija", "rule": None, "valence": None, "note": "",
...                         "created_at": "2024-03-02T10:00:00+00:00", "element": False}])
>>> data = read_data_note(text, "p.qdpx")
>>> data.codebook["nopeus"].keywords, data.code_ids, [(c.code_id, c.status) for c in data.codings]
(['nopea'], {'c0de': 'nopeus'}, [('nopeus', 'rejected')])
>>> read_data_note('{"format": "qualcode-refi-data", "version": 1, "codings": 3}', "p.qdpx")
Traceback (most recent call last):
...
qualcode.errors.QualcodeError: p.qdpx: the qualcode data note is damaged (its codebook is missing or not a mapping); export the project again
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Optional

from ..codebook import codebook_from_dict
from ..errors import QualcodeError
from ..model import CODING_STATUSES, SWOT_FIELDS, VALENCES, Code, Codebook

#: the name of the Note that carries qualcode's own fields
DATA_NOTE_NAME = "qualcode data"
DATA_FORMAT = "qualcode-refi-data"
DATA_VERSION = 1
#: the keys of a coding entry, in the order they are documented
CODING_KEYS = ("source", "start", "end", "code", "status", "coder", "rule", "valence", "note", "created_at",
               "element")
#: keys a coding entry has only when set: the coding's own target and SWOT quadrant
OPTIONAL_CODING_KEYS = ("target", "swot")


@dataclass(frozen=True)
class CarriedCoding:
    """One coding entry of the data note, checked."""

    source_guid: str
    start: int
    end: int
    code_id: str
    status: str
    coder: str
    rule: Optional[str]
    valence: Optional[str]
    note: str
    created_at: str
    element: bool
    target: Optional[str] = None
    swot: Optional[str] = None

    def key(self) -> tuple:
        """What a standard ``Coding`` element of this entry shows: source, offsets, code, coder."""
        return self.source_guid, self.start, self.end, self.code_id, self.coder


@dataclass
class CarriedData:
    """The data note read back: the codebook with its ids, code GUID → id (the codebook's
    codes and the unlisted ones codings use beyond it), the codings."""

    codebook: Codebook
    code_ids: dict
    codings: list


def code_fields(code: Code) -> dict:
    """A code's fields as the codebook file has them (everything but its line)."""
    return {k: v for k, v in asdict(code).items() if k != "line"}


def data_note_text(codebook_name: str, language: str, codes: list, code_guid: dict, codings: list,
                   unlisted: Optional[dict] = None) -> str:
    """The JSON text of the data note; ``codings`` are dicts with :data:`CODING_KEYS`, in
    the order to write them (deterministic: the same project gives the same text);
    ``unlisted`` are ``{guid: code id}`` of the codes codings use beyond the codebook."""
    block = {"format": DATA_FORMAT, "version": DATA_VERSION,
             "codebook": {"name": codebook_name or "", "language": language or "fi",
                          "codes": [{"guid": code_guid[c.id], **code_fields(c)} for c in codes]},
             "unlisted_codes": dict(unlisted or {}),
             "codings": [{**{k: c[k] for k in CODING_KEYS},
                          **{k: c[k] for k in OPTIONAL_CODING_KEYS if c.get(k) is not None}} for c in codings]}
    return json.dumps(block, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_data_note(text: str, label: str) -> CarriedData:
    """Read and check the data note's text; a damaged note is refused (naming ``label``)."""
    try:
        block = json.loads(text)
    except ValueError as exc:
        raise _damaged(label, f"it is not JSON: {exc}") from None
    if not isinstance(block, dict) or block.get("format") != DATA_FORMAT:
        raise _damaged(label, f"its format is not {DATA_FORMAT}")
    if block.get("version") != DATA_VERSION:
        raise QualcodeError(f"the qualcode data note has version {block.get('version')!r}, which this qualcode "
                            f"does not read (it reads version {DATA_VERSION}); update qualcode", path=label)
    cb = block.get("codebook")
    if not isinstance(cb, dict) or not isinstance(cb.get("codes"), list):
        raise _damaged(label, "its codebook is missing or not a mapping")
    code_ids, entries = {}, []
    for entry in cb["codes"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("guid"), str):
            raise _damaged(label, "a code has no guid")
        entry = dict(entry)
        code_ids[entry.pop("guid").strip("{}").lower()] = entry.get("id")
        entries.append(entry)
    codebook = codebook_from_dict({"language": cb.get("language") or "fi", "name": cb.get("name") or "",
                                   "codes": entries}, path=f"{label} (qualcode data note)")
    raw, unlisted = block.get("codings"), block.get("unlisted_codes", {})
    if not isinstance(raw, list):
        raise _damaged(label, "its codings are missing")
    if not isinstance(unlisted, dict) or not all(isinstance(v, str) and v for v in unlisted.values()):
        raise _damaged(label, "its unlisted codes are not a mapping of GUIDs to code ids")
    code_ids.update({g.strip("{}").lower(): cid for g, cid in unlisted.items()})
    known = {c.id for c in codebook.codes} | set(unlisted.values())
    return CarriedData(codebook, code_ids, [_coding(item, n, known, label) for n, item in enumerate(raw, 1)])


def _coding(item: Any, n: int, known: set, label: str) -> CarriedCoding:
    if not isinstance(item, dict) or not set(CODING_KEYS) <= set(item) <= set(CODING_KEYS + OPTIONAL_CODING_KEYS):
        raise _damaged(label, f"coding {n} does not have the keys {', '.join(CODING_KEYS)}")
    target, swot = item.get("target"), item.get("swot")
    start, end = item["start"], item["end"]
    checks = [
        (isinstance(start, int) and isinstance(end, int) and 0 <= start < end, "its offsets"),
        (item["code"] in known, f"its code {item['code']!r}, which the codebook lacks"),
        (item["status"] in CODING_STATUSES, f"its status {item['status']!r}"),
        (isinstance(item["coder"], str) and item["coder"].strip() != "", "its coder"),
        (item["valence"] is None or item["valence"] in VALENCES, f"its valence {item['valence']!r}"),
        (item["rule"] is None or isinstance(item["rule"], str), "its rule"),
        (target is None or (isinstance(target, str) and target.strip() != ""), "its target"),
        (swot is None or swot in SWOT_FIELDS, f"its SWOT quadrant {swot!r}"),
        (isinstance(item["note"], str) and isinstance(item["created_at"], str), "its note or time"),
        (isinstance(item["source"], str) and isinstance(item["element"], bool), "its source or element flag"),
    ]
    for ok, what in checks:
        if not ok:
            raise _damaged(label, f"coding {n} has a bad value in {what}")
    return CarriedCoding(item["source"].strip("{}").lower(), start, end, item["code"], item["status"],
                         item["coder"], item["rule"], item["valence"], item["note"], item["created_at"],
                         item["element"], target, swot)


def _damaged(label: str, what: str) -> QualcodeError:
    return QualcodeError(f"the qualcode data note is damaged ({what}); export the project again", path=label)
