"""Files and folders → parsed sources, ready for the store (no store access here).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "H1.txt").write_text("H1: Hei.\\n")
>>> [p.name for p in collect_files([d])]
['H1.txt']
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from ..errors import QualcodeError, ReadError, warn_text
from ..model import Informant, Segment, Source, Turn, count_words
from .decode import normalise_text
from .informants import coerce_attribute
from .readers import SUPPORTED_SUFFIXES, read_document
from .transcript import DEFAULT_INTERVIEWER_LABELS, build_label_regex, parse_lines

_TEXT_COLUMNS = ("text", "teksti", "vastaus", "answer", "response", "kommentti", "comment")
_ID_COLUMNS = ("code", "koodi", "id", "respondent", "vastaaja", "tunnus")


@dataclass
class ParsedFile:
    """One file read and parsed: its source, turns and segments, warnings, and for a survey
    its respondents."""
    path: Path
    source: Source
    turns: list[Turn]
    segments: list[Segment]
    warnings: list[str] = field(default_factory=list)
    respondents: list[Informant] = field(default_factory=list)   # survey rows as informants


#: What to do with the files a folder may hold that qualcode does not read.
_UNSUPPORTED_ADVICE = {
    **dict.fromkeys((".doc", ".rtf", ".wpd", ".pages"), "save it as .docx in your word processor"),
    ".xls": "save it as .xlsx", ".ods": "save it as .xlsx", ".odp": "copy its text into a .docx",
    **dict.fromkeys((".mp3", ".wav", ".m4a", ".ogg", ".flac", ".aac", ".wma", ".opus", ".amr",
                     ".mp4", ".mov", ".avi", ".mkv", ".webm", ".wmv"),
                    "transcribe the recording first; qualcode reads transcripts"),
}


def unsupported_note(path: Path) -> str:
    """The warning for a file in a folder that ingest does not read: which file, what to do.

    >>> unsupported_note(Path("t/H3.doc"))
    't/H3.doc: not read (.doc); save it as .docx in your word processor'
    """
    suffix = path.suffix.lower()
    advice = _UNSUPPORTED_ADVICE.get(suffix, "convert it to .docx or .txt, or move it out of the folder")
    return f"{path}: not read ({suffix or 'no extension'}); {advice}"


def collect_files(paths: Iterable[Path], skipped: Optional[list[str]] = None) -> list[Path]:
    """Expand folders (recursively, skipping hidden entries) into supported files; a note for
    each other file in a folder (:func:`unsupported_note`) goes to ``skipped``.

    A missing path, a named file of an unsupported type, or a folder with no readable file
    raises :class:`QualcodeError`."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise QualcodeError("this file or folder does not exist; check the path", path=str(path))
        if path.is_dir():
            visible = sorted(p for p in path.rglob("*") if p.is_file()
                             and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts))
            found = [p for p in visible if p.suffix.lower() in SUPPORTED_SUFFIXES]
            if skipped is not None:
                skipped.extend(unsupported_note(p) for p in visible if p.suffix.lower() not in SUPPORTED_SUFFIXES)
            if not found:
                raise QualcodeError("this folder has no files qualcode can read ("
                                    + ", ".join(sorted(SUPPORTED_SUFFIXES)) + ")", path=str(path))
            out.extend(found)
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise ReadError(f"qualcode cannot read '{path.suffix or 'no extension'}' files; use one of "
                            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}", path=str(path))
        else:
            out.append(path)
    unique: dict[Path, None] = {}
    for p in out:
        unique.setdefault(p.resolve())
    return list(unique)


def file_hash(data: bytes) -> str:
    """sha256 of the file bytes (hex): the same content is never ingested twice."""
    return hashlib.sha256(data).hexdigest()


def guess_kind(path: Path) -> str:
    """The source kind the file name suggests: survey, group_interview, workshop or interview."""
    stem = path.stem.lower()
    if path.suffix.lower() in (".csv", ".xlsx"):
        return "survey"
    if re.search(r"ryhm|group|focus", stem):
        return "group_interview"
    if re.search(r"työpaja|tyopaja|workshop|palaveri|meeting", stem):
        return "workshop"
    return "interview"


def parse_file(path: Path, data: bytes, name: str, *, informant_codes: set[str],
               interviewer_labels: Iterable[str] = (), speaker_pattern: str = "",
               kind: Optional[str] = None) -> ParsedFile:
    """Read and parse one file. Raises :class:`QualcodeError` for unusable input."""
    doc = read_document(path, data)
    source = Source(id=None, name=name, text="", format=doc.format, content_hash=file_hash(data),
                    kind=kind or guess_kind(path), encoding=doc.encoding)
    if doc.rows is not None:
        return _parse_survey(path, doc.rows, source)
    try:
        label_rx = build_label_regex(informant_codes, speaker_pattern or None)
    except Exception as exc:  # re.error from a user pattern
        raise QualcodeError(f"the speaker pattern '{speaker_pattern}' is not a valid regular "
                            f"expression ({exc}); fix speaker_pattern", path="qualcode.toml") from None
    default_speaker = path.stem if path.stem in informant_codes else None
    parsed = parse_lines(doc.lines, name, label_regex=label_rx,
                         interviewer_labels=set(DEFAULT_INTERVIEWER_LABELS) | {s.lower() for s in interviewer_labels},
                         default_speaker=default_speaker)
    source.text = parsed.text
    warnings = doc.warnings + parsed.warnings
    if not parsed.labelled and source.kind in ("workshop", "document"):
        # notes and documents have no speakers by nature: nothing to warn about
        warnings = [w for w in warnings if "no speaker labels found" not in w]
    if informant_codes:
        seen: set[str] = set()
        for turn in parsed.turns:
            if turn.speaker and not turn.is_interviewer and turn.speaker not in informant_codes \
                    and turn.speaker not in seen:
                seen.add(turn.speaker)
                warnings.append(warn_text(name, turn.line,
                                          f"speaker '{turn.speaker}' is not in the informant list; "
                                          "add it there or correct the label"))
    source.words = sum(count_words(s.text) for s in parsed.segments)
    return ParsedFile(path, source, parsed.turns, parsed.segments, warnings)


def _pick_column(header: list[str], names: tuple[str, ...]) -> Optional[str]:
    lower = {h.lower(): h for h in header}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _parse_survey(path: Path, rows: list[dict], source: Source) -> ParsedFile:
    """Open survey answers: one text column; every other column becomes a respondent attribute."""
    if not rows:
        raise ReadError("the spreadsheet has a header but no answers", path=str(path))
    header = [h for h in rows[0] if h != "__line__"]
    text_col = _pick_column(header, _TEXT_COLUMNS)
    if text_col is None:  # the column with the longest answers on average
        def mean_len(col):
            vals = [len(str(r.get(col) or "")) for r in rows if isinstance(r.get(col), str)]
            return sum(vals) / len(vals) if vals else 0
        text_col = max(header, key=mean_len)
        if mean_len(text_col) == 0:
            raise ReadError("no column of text answers was found; name the answer column 'text' "
                            "or 'vastaus'", path=str(path))
    id_col = _pick_column([h for h in header if h != text_col], _ID_COLUMNS)
    pieces, turns, segments, respondents = [], [], [], []
    pos = 0
    for n, row in enumerate(rows, start=1):
        answer = row.get(text_col)
        if answer is None or not str(answer).strip():
            continue
        answer = normalise_text(str(answer)).strip()
        code = str(row[id_col]).strip() if id_col and row.get(id_col) is not None else f"{path.stem}-{n}"
        if pieces:
            pos += 2  # the blank line between answers
        turn = Turn(None, len(turns), pos, pos + len(answer), code, False, None, None, row["__line__"])
        turns.append(turn)
        offset = 0
        for para in answer.split("\n"):
            if para.strip():
                lead = len(para) - len(para.lstrip())
                text = para.strip()
                start = pos + offset + lead
                segments.append(Segment(None, None, turn.index, len(segments), start, start + len(text),
                                        text, code, False, None, row["__line__"]))
            offset += len(para) + 1
        pieces.append(answer)
        pos += len(answer)
        attrs = {k: coerce_attribute(v) for k, v in row.items()
                 if k not in (text_col, id_col, "__line__") and v is not None}
        respondents.append(Informant(code=code, attributes=attrs))
    if not segments:
        raise ReadError(f"the answer column '{text_col}' is empty", path=str(path))
    source.text = "\n\n".join(pieces)
    source.words = sum(count_words(s.text) for s in segments)
    return ParsedFile(path, source, turns, segments, [], respondents)
