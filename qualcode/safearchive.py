"""Safe reading of exchange archives and XML: no path traversal, no unbounded expansion,
no DTDs or entities.

Archives are never extracted to disk: members are read into memory, one at a time, after
their names, their number and their declared sizes were checked, and the bytes actually
read are counted against the same limits.

>>> check_member_name("sources/A.txt")
'sources/A.txt'
>>> check_member_name("../evil.txt", "x.qdpx")
Traceback (most recent call last):
...
qualcode.errors.QualcodeError: x.qdpx: the archive member '../evil.txt' points outside the archive (path traversal); qualcode refuses to read this archive
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Optional

from .errors import QualcodeError

#: Default cap on the total uncompressed size of an archive's members.
MAX_TOTAL_BYTES = 500 * 1024 * 1024
#: Default cap on the number of members of an archive.
MAX_MEMBERS = 10_000

_DRIVE = re.compile(r"^[A-Za-z]:")


def _mb(n: int) -> str:
    return f"{n / 1048576:,.0f} MB"


def check_member_name(name: str, path: Optional[str] = None) -> str:
    """Return ``name`` if it is a safe relative member name, else raise QualcodeError."""
    bad = (not name or "\\" in name or "\x00" in name or name.startswith("/")
           or _DRIVE.match(name) is not None or ".." in name.split("/"))
    if bad:
        raise QualcodeError(f"the archive member {name!r} points outside the archive (path traversal); "
                            "qualcode refuses to read this archive", path=path)
    return name


class SafeArchive:
    """A zip archive whose members were checked before anything is read.

    ``max_bytes`` caps the sum of the members' declared uncompressed sizes and also the
    bytes actually read; ``max_members`` caps the number of members.
    """

    def __init__(self, path, *, max_bytes: int = MAX_TOTAL_BYTES, max_members: int = MAX_MEMBERS):
        self.path = Path(path)
        self.label = str(path)
        self.max_bytes = int(max_bytes)
        self._read_total = 0
        if not self.path.is_file():
            raise QualcodeError("the archive does not exist; check the path", path=self.label)
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise QualcodeError(f"this is not a readable zip archive ({exc}); export it again from "
                                "the program that wrote it", path=self.label) from None
        try:
            if len(infos) > max_members:
                raise QualcodeError(f"the archive has {len(infos):,} members, more than the limit of "
                                    f"{max_members:,}; qualcode refuses it for safety", path=self.label)
            total = 0
            self._members: dict[str, zipfile.ZipInfo] = {}
            for info in infos:
                check_member_name(info.filename, self.label)
                if info.flag_bits & 0x1:
                    raise QualcodeError(f"the archive member {info.filename!r} is encrypted; export the "
                                        "project again without a password", path=self.label)
                total += max(0, int(info.file_size))
                if total > self.max_bytes:
                    raise QualcodeError(f"the archive would unpack to more than {_mb(self.max_bytes)} (member "
                                        f"{info.filename!r} declares {_mb(info.file_size)}); qualcode refuses "
                                        "it for safety", path=self.label)
                if not info.is_dir():
                    self._members[info.filename] = info
        except BaseException:
            self._zip.close()
            raise

    def close(self) -> None:
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def names(self) -> list[str]:
        return list(self._members)

    def find(self, name: str) -> Optional[str]:
        """The member called ``name`` (exact, else case-insensitive), or None."""
        if name in self._members:
            return name
        low = name.lower()
        for member in self._members:
            if member.lower() == low:
                return member
        return None

    def size(self, name: str) -> int:
        return int(self._members[name].file_size)

    def read(self, name: str) -> bytes:
        """The member's bytes, counted against the archive's byte budget while reading."""
        info = self._members[name]
        chunks, got = [], 0
        try:
            with self._zip.open(info) as fh:
                while True:
                    chunk = fh.read(1 << 16)
                    if not chunk:
                        break
                    got += len(chunk)
                    self._read_total += len(chunk)
                    if got > info.file_size or self._read_total > self.max_bytes:
                        raise QualcodeError(f"the archive member {name!r} unpacks to more than it declares "
                                            f"or beyond the {_mb(self.max_bytes)} limit; qualcode refuses it "
                                            "for safety", path=self.label)
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise QualcodeError(f"the archive member {name!r} is damaged ({exc}); export the project "
                                "again", path=self.label) from None
        return b"".join(chunks)


def parse_xml(data: bytes, label: str):
    """Parse XML bytes with DTDs, entities and external references refused.

    Returns an ``xml.etree.ElementTree.Element``.
    """
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden):
        if b"<!ENTITY" in data or isinstance(data, str) and "<!ENTITY" in data:
            raise QualcodeError("the file contains an XML entity declaration; qualcode refuses it for "
                                "safety", path=label) from None
        raise QualcodeError("the file contains a DTD (<!DOCTYPE …>) declaration; qualcode refuses it for "
                            "safety", path=label) from None
    except ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise QualcodeError(f"this is not well-formed XML ({exc}); export it again from the program "
                            "that wrote it", path=label, line=line) from None


#: Office files (docx, odt, xlsx) a transcript, informant list, codebook or review sheet comes
#: in: at most this much unpacked, and — past a few MB — at most this many times their size
#: (real documents unpack 3–15 times; a zip bomb thousands of times).
MAX_OFFICE_BYTES = 200 * 1024 * 1024
MAX_OFFICE_RATIO = 100
_RATIO_FREE_BYTES = 20 * 1024 * 1024


def check_office_zip(zf: zipfile.ZipFile, packed_bytes: int, label: str) -> None:
    """Refuse an office file whose members declare more than :data:`MAX_OFFICE_BYTES`, or
    more than :data:`MAX_OFFICE_RATIO` times the file's size, before any of it is parsed (zipfile
    stops a member at its declared size, so the declaration is what it can unpack to)."""
    total = sum(max(0, int(info.file_size)) for info in zf.infolist())
    if len(zf.infolist()) > MAX_MEMBERS:
        raise QualcodeError(f"the file has {len(zf.infolist()):,} parts, more than {MAX_MEMBERS:,}; "
                            "qualcode refuses it for safety — save it again from your word processor",
                            path=label)
    too_big = total > MAX_OFFICE_BYTES
    inflates = total > _RATIO_FREE_BYTES and total > MAX_OFFICE_RATIO * max(1, packed_bytes)
    if too_big or inflates:
        raise QualcodeError(f"the file would unpack to {_mb(total)} from {_mb(packed_bytes)} (limits: "
                            f"{_mb(MAX_OFFICE_BYTES)}, {MAX_OFFICE_RATIO} times the file size); qualcode "
                            "refuses it for safety — split the document or save it again", path=label)


def check_office_file(path, label: Optional[str] = None) -> None:
    """:func:`check_office_zip` for a file on disk; a file that is no zip is left to its reader."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            check_office_zip(zf, path.stat().st_size, label or str(path))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
