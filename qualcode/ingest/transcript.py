"""Plain-text lines → speaker turns → segments (paragraphs) with code-point offsets.

>>> from qualcode.ingest.readers import Line
>>> parsed = parse_lines([Line("Haastattelija: Miten meni?"), Line("H1: Hyvin meni.")], "h1.txt")
>>> [(t.speaker, t.is_interviewer) for t in parsed.turns]
[('Haastattelija', True), ('H1', False)]
>>> seg = parsed.segments[1]; parsed.text[seg.start:seg.end]
'Hyvin meni.'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Optional

from ..errors import QualcodeError, warn_text
from ..model import Segment, Turn
from .readers import Line

#: Labels that mark the interviewer (case-insensitive); extend with ``interviewer_labels``.
DEFAULT_INTERVIEWER_LABELS = frozenset({
    "haastattelija", "haastattelijat", "interviewer", "moderator", "moderaattori",
    "fasilitaattori", "facilitator", "i", "h", "q", "tutkija", "researcher",
})
_ROLE_WORDS = ("Haastattelija|Haastateltava|Haastattelijat|Interviewer|Interviewee|Respondent|"
               "Moderator|Moderaattori|Fasilitaattori|Facilitator|Tutkija|Researcher|"
               "Vastaaja|Osallistuja|Participant|Speaker|Puhuja")
_CODE = r"[A-ZÅÄÖ]{1,4}\d{1,3}"
_SINGLE = r"[IRHQA]"
_ROLE_NUMBERED = r"[A-ZÅÄÖ][a-zåäö]{2,30}\s\d{1,2}"
_TIMESTAMP = r"(?P<ts>[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?)\s*"
_THEME_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*)?(?:\*\*)?((?:TEEMA|Teema|TEEMA-ALUE|Teema-alue|THEME|Theme)\b[\s\d.:–-].*?)(?:\*\*)?\s*$")
_MD_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*?)\s*#*\s*$")


def build_label_regex(extra_codes: Iterable[str] = (), pattern: Optional[str] = None) -> re.Pattern:
    """The speaker-label regex: optional timestamp, optional ``**``, the label, a colon.

    ``extra_codes`` are informant codes from the informant list (any spelling);
    ``pattern`` is a user-supplied regex for the label itself (e.g. ``Asiakas [A-Z]``).
    """
    alts = [re.escape(c) for c in sorted(set(extra_codes), key=len, reverse=True) if c]
    if pattern:
        alts.insert(0, f"(?:{pattern})")
    alts += [_CODE, rf"(?:{_ROLE_WORDS})(?:\s\d{{1,2}})?", _ROLE_NUMBERED, _SINGLE]
    label = "|".join(alts)
    return re.compile(
        rf"^\s*(?:{_TIMESTAMP})?(?:\*\*)?(?P<label>{label})(?:\*\*)?\s*:(?:\*\*)?(?:\s+|$)")


@dataclass
class ParsedTranscript:
    """A transcript split into speaker turns and segments, with its plain text and warnings."""
    text: str
    turns: list[Turn] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    labelled: bool = True

    @property
    def speakers(self) -> list[str]:
        """Speakers other than the interviewer, in order of first turn."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker and not t.is_interviewer:
                seen.setdefault(t.speaker)
        return list(seen)


def _heading_text(line: Line) -> tuple[int, Optional[str]]:
    """(level, theme) of a heading line; level 0 when the line is body text."""
    m = _THEME_HEADING.match(line.text)
    if m:
        return 2, m.group(1).strip()
    if line.heading:
        return line.heading, (line.text.strip() if line.heading >= 2 else None)
    md = _MD_HEADING.match(line.text)
    if md:
        level = len(md.group(1))
        return level, (md.group(2) if level >= 2 else None)
    return 0, None


def parse_lines(lines: list[Line], path: str, *, label_regex: Optional[re.Pattern] = None,
                interviewer_labels: Iterable[str] = DEFAULT_INTERVIEWER_LABELS,
                default_speaker: Optional[str] = None) -> ParsedTranscript:
    """Split lines into turns and paragraph segments.

    A line starting with a speaker label opens a turn; following unlabelled lines are new
    paragraphs of the same turn.  Headings set the theme area of what follows and are not
    segments.  Text before the first label, or a file with no label at all, belongs to
    ``default_speaker`` (e.g. the informant named by the file) or to an unknown speaker.
    """
    rx = label_regex or build_label_regex()
    interviewer = {s.lower() for s in interviewer_labels}
    text = "\n".join(line.text for line in lines)
    out = ParsedTranscript(text=text)
    theme: Optional[str] = None
    cur: Optional[Turn] = None
    pos = 0
    labelled_any = False
    prev_seg_text = None
    for line in lines:
        line_start, line_text = pos, line.text
        pos += len(line_text) + 1
        if not line_text.strip():
            continue
        level, heading_theme = _heading_text(line)
        if level:
            if heading_theme:
                theme = heading_theme
            continue
        m = rx.match(line_text)
        body_start = 0
        if m:
            labelled_any = True
            speaker = m.group("label").strip()
            cur = Turn(None, len(out.turns), line_start, line_start + len(line_text), speaker,
                       speaker.lower() in interviewer, theme, _clean_ts(m.group("ts")), line.src_line)
            out.turns.append(cur)
            body_start = m.end()
        elif cur is None or (cur.speaker == default_speaker and cur.theme != theme):
            # unlabelled text: a new turn only where none is open or a new theme area starts
            cur = Turn(None, len(out.turns), line_start, line_start + len(line_text), default_speaker,
                       False, theme, None, line.src_line)
            out.turns.append(cur)
        cur.end = line_start + len(line_text)
        seg = _segment(line_text, line_start, body_start, cur, theme, line.src_line, len(out.segments))
        if seg is None:
            continue
        if prev_seg_text is not None and seg.text == prev_seg_text and len(seg.text) >= 20:
            out.warnings.append(warn_text(path, line.src_line,
                                          "this paragraph repeats the one just before it (pasted twice?); "
                                          "remove one copy if it is a mistake"))
        prev_seg_text = seg.text
        out.segments.append(seg)
    out.labelled = labelled_any
    if not out.segments:
        raise QualcodeError("no text was found outside headings; check that this is a transcript",
                            path=path)
    if not labelled_any:
        who = f"informant {default_speaker}" if default_speaker else "one unknown speaker"
        out.warnings.append(warn_text(path, None,
                                      f"no speaker labels found, so the whole file is one turn by {who}; "
                                      "add labels like 'H1:' at the start of turns or give --speaker-pattern"))
    return out


def _clean_ts(ts: Optional[str]) -> Optional[str]:
    return ts.strip("[]() ") if ts else None


def _segment(line_text: str, line_start: int, body_start: int, turn: Turn, theme, src_line: int,
             index: int) -> Optional[Segment]:
    body = line_text[body_start:]
    lead = len(body) - len(body.lstrip())
    # Drop list bullets and quote marks before the paragraph; offsets stay exact.
    bullet = re.match(r"(?:[-*•]\s+|>\s*)", body[lead:])
    if bullet:
        lead += bullet.end()
    content = body[lead:].rstrip()
    if not content:
        return None
    start = line_start + body_start + lead
    end = start + len(content)
    return Segment(None, None, turn.index, index, start, end, content, turn.speaker,
                   turn.is_interviewer, theme, src_line)
