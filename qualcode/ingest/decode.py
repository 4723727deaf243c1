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


def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """Decode file bytes to text and say which encoding was used.

    Order: BOMs (UTF-8, UTF-16), BOM-less UTF-16, strict UTF-8, then cp1252 (the Windows
    encoding of Finnish text) with latin-1 for the five bytes cp1252 leaves undefined.
    Binary data raises :class:`ReadError`.
    """
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
            text = _decode_cp1252(data)
            enc = "cp1252"
    _reject_garbage(text, path)
    return text, enc


def _decode_cp1252(data: bytes) -> str:
    # cp1252 leaves 0x81, 0x8D, 0x8F, 0x90, 0x9D undefined; latin-1 maps them to C1 controls.
    return data.decode("cp1252", errors="replace") if not any(
        b in data for b in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")) else data.decode("latin-1")


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
