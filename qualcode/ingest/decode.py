"""Bytes → clean text: encoding detection, NFC, line endings, hyphenation repair.

>>> decode_bytes("viestint\u00e4".encode("cp1252"), "a.txt")[0]
'viestintä'
>>> normalise_text("laske-\\nmalla ja\\r\\nsitten")
'laskemalla ja\\nsitten'
"""
from __future__ import annotations

import codecs
import re
import unicodedata

from ..errors import ReadError

# A lowercase letter, a hyphen at the end of a line, and the word going on in lowercase
# on the next line: a word split by a word processor or a PDF, not a real hyphen.
_HYPHEN_BREAK = re.compile(r"(?<=[a-zåäöüõšž])-\n[ \t]*(?=[a-zåäöüõšž])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _looks_utf16(data: bytes) -> str | None:
    """Guess UTF-16 without a BOM from the share of zero bytes at even/odd positions."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


#: At most this many invalid UTF-8 sequences in an otherwise UTF-8 file are replaced (with a
#: warning naming the lines); more, and the file mixes encodings and is refused.
MAX_BAD_UTF8 = 10
#: Encodings Finnish and English transcripts come in when they are not UTF-8 (Windows, ISO,
#: old Macs, DOS), the only ones the detector chooses between.
LEGACY_ENCODINGS = ["cp1252", "iso8859_15", "mac_roman", "cp850"]
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode_bytes(data: bytes, path: str, warnings: list | None = None) -> tuple[str, str]:
    """Decode file bytes to text and say which encoding was used; what the user should know
    (bad bytes replaced, an encoding guessed) is appended to ``warnings``.

    Order: BOMs (UTF-8, UTF-16), BOM-less UTF-16, strict UTF-8; UTF-8 with a few invalid bytes
    stays UTF-8 (they become U+FFFD, and the warning names their lines); a file with no UTF-8
    at all is detected among :data:`LEGACY_ENCODINGS` (charset-normalizer); a file mixing
    UTF-8 and another encoding is refused.  Binary data raises :class:`ReadError`.

    >>> w = []; text, enc = decode_bytes(("hyvä vastaus tuli heti\\n" * 9).encode() + b"ok \\x96 ei", "a.txt", w)
    >>> text[-7:] == 'ok \\ufffd ei', enc
    (True, 'utf-8')
    >>> w[0]
    'a.txt: 1 byte sequence(s) that are not UTF-8 on line(s) 10 were replaced by \\ufffd; check those lines and save the file as UTF-8'
    >>> mac = ("Miten viestintä toimi yhteistyössä? Hätätilanteessa reagointi oli nopeaa.\\n" * 3).encode("mac_roman")
    >>> w = []; decode_bytes(mac, "b.txt", w)[0][:21], w
    ('Miten viestintä toimi', ['b.txt: not UTF-8; read as mac_roman (old Mac); if letters look wrong, save the file as UTF-8'])
    """
    warnings = [] if warnings is None else warnings
    if data.startswith(codecs.BOM_UTF8):
        text, enc = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        text, enc = data.decode("utf-16", errors="replace"), "utf-16"
    elif (guess := _looks_utf16(data)) is not None:
        text, enc = data.decode(guess, errors="replace"), guess
    else:
        if b"\x00" in data[:65536]:
            raise ReadError("this is a binary file, not text; give a transcript in a text, "
                            "Word, OpenDocument, subtitle, spreadsheet or PDF file", path=path)
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = _decode_not_utf8(data, path, warnings)
    _reject_garbage(text, path)
    return text, enc


def _bad_utf8_lines(data: bytes) -> list[int]:
    """1-based line numbers of the invalid UTF-8 sequences in ``data``, one per sequence."""
    lines, pos = [], 0
    while True:
        try:
            data[pos:].decode("utf-8")
            return lines
        except UnicodeDecodeError as exc:
            at = pos + exc.start
            lines.append(data.count(b"\n", 0, at) + 1)
            pos = pos + exc.end
            if len(lines) > 10_000:
                return lines


def _decode_not_utf8(data: bytes, path: str, warnings: list) -> tuple[str, str]:
    bad = _bad_utf8_lines(data)
    good = len(_UTF8_MULTIBYTE.findall(data))
    if good and len(bad) <= MAX_BAD_UTF8:
        shown = ", ".join(str(n) for n in sorted(set(bad)))
        warnings.append(f"{path}: {len(bad)} byte sequence(s) that are not UTF-8 on line(s) {shown} "
                        "were replaced by \ufffd; check those lines and save the file as UTF-8")
        return data.decode("utf-8", errors="replace"), "utf-8"
    if good:
        lines = sorted(set(bad))
        shown = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
        raise ReadError(f"the file mixes UTF-8 with another encoding ({len(lines)} lines are not UTF-8: "
                        f"{shown}); open it in an editor and save it again as UTF-8", path=path)
    text, enc = _detect_legacy(data)
    warnings.append(f"{path}: not UTF-8; read as {enc} ({_ENCODING_NAMES.get(enc, enc)}); if letters "
                    "look wrong, save the file as UTF-8")
    return text, enc


_ENCODING_NAMES = {"cp1252": "Windows Western", "iso8859_15": "ISO Latin-9", "mac_roman": "old Mac",
                   "cp850": "DOS Western"}


#: Non-ASCII characters Finnish, Swedish and English transcripts are made of.
_EXPECTED = set("äöåÄÖÅéÉüÜ€–—“”’‘…«»°§½")   # not š, ž: rare, and old-Mac ä, ö look like them


def _detect_legacy(data: bytes) -> tuple[str, str]:
    """The legacy encoding whose non-ASCII characters are the letters and punctuation a
    Finnish transcript holds (in the order of :data:`LEGACY_ENCODINGS` when several are);
    charset-normalizer decides when none is clearly right (a short text fools it alone)."""
    scored = []
    for enc in LEGACY_ENCODINGS:
        text = data.decode(enc, errors="replace")
        foreign = [ch for ch in text if ord(ch) > 127]
        share = sum(ch in _EXPECTED for ch in foreign) / max(1, len(foreign))
        scored.append((share, -LEGACY_ENCODINGS.index(enc), enc, text))
    share, _, enc, text = max(scored)
    if share >= 0.9:
        return text, enc
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is not None and best.encoding in LEGACY_ENCODINGS:
        return str(best), best.encoding
    return _decode_cp1252(data), "cp1252"


def _reject_garbage(text: str, path: str) -> None:
    sample = text[:200_000]
    if not sample:
        return
    bad = len(_CONTROL.findall(sample)) + sample.count("\ufffd")
    if bad / len(sample) > 0.01:
        raise ReadError("this file does not contain readable text (it looks like binary data); "
                        "check that it is the transcript you meant", path=path)


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line endings, no BOM, and words split over a line break joined again."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = unicodedata.normalize("NFC", text)
    return _HYPHEN_BREAK.sub("", text)
