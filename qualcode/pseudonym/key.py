"""The pseudonymisation key: real names and their pseudonyms, kept outside the project.

A key file is an ``.xlsx`` workbook (sheet ``Avain`` or ``Key``; the first sheet when
neither exists) or a ``.csv`` file with the columns ``real``, ``pseudonym``, ``kind`` and an
optional ``aliases`` (other spellings separated by ``;``).  Finnish headers are accepted too:
``oikea nimi``/``nimi``, ``pseudonyymi``, ``laji``/``tyyppi``, ``muut muodot``.
``kind`` is one of ``person``, ``organisation``, ``place``, ``other`` (Finnish ``henkilö``,
``organisaatio``/``yritys``, ``paikka``, ``muu``); empty means ``other``.

>>> key = PseudonymKey.from_mapping({"Matti Virtanen": "H1", "Datasilta Oy": "Yritys X"})
>>> key.as_mapping()["Datasilta Oy"]
'Yritys X'
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Mapping, Optional, Union

from ..errors import QualcodeError
from ..fileutil import atomic_output
from ..sheets import write_text_cell

PathLike = Union[str, Path]
KINDS = ("person", "organisation", "place", "other")
SHEET_NAMES = ("Avain", "Key")

_KIND_ALIASES = {
    "person": "person", "henkilö": "person", "henkilo": "person", "people": "person", "per": "person",
    "organisation": "organisation", "organization": "organisation", "org": "organisation",
    "organisaatio": "organisation", "yritys": "organisation", "company": "organisation",
    "place": "place", "paikka": "place", "location": "place", "loc": "place", "paikkakunta": "place",
    "other": "other", "muu": "other", "": "other",
}
_HEADERS = {
    "real": "real", "real name": "real", "name": "real", "nimi": "real", "oikea nimi": "real",
    "alkuperäinen": "real", "original": "real",
    "pseudonym": "pseudonym", "pseudonyymi": "pseudonym", "pseudonyme": "pseudonym", "koodi": "pseudonym",
    "code": "pseudonym", "replacement": "pseudonym", "korvaava": "pseudonym",
    "kind": "kind", "type": "kind", "laji": "kind", "tyyppi": "kind",
    "aliases": "aliases", "alias": "aliases", "muut muodot": "aliases", "muodot": "aliases",
    "variants": "aliases",
}


@dataclass
class KeyEntry:
    """One row of the key: a real name, its pseudonym, its kind and other spellings."""
    real: str
    pseudonym: str
    kind: str = "other"
    aliases: list[str] = field(default_factory=list)
    line: Optional[int] = None          # the row in the key file, for messages

    def names(self) -> list[str]:
        """The real name and its aliases."""
        return [self.real] + [a for a in self.aliases if a and a != self.real]


@dataclass
class PseudonymKey:
    """The rows of a key file (validated when made), and the file it came from."""
    entries: list[KeyEntry] = field(default_factory=list)
    path: Optional[str] = None

    def __post_init__(self) -> None:
        self._matcher = None
        self.validate()

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(self.entries)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str], kind: str = "other") -> "PseudonymKey":
        """A key from ``{real name: pseudonym}`` (the form ``export_qdpx(pseudonymise=…)`` takes)."""
        return cls([KeyEntry(str(k).strip(), str(v).strip(), _kind(kind)) for k, v in mapping.items()
                    if str(k).strip()])

    @classmethod
    def coerce(cls, key) -> "PseudonymKey":
        """Accept a PseudonymKey, a mapping, a key-file path or None (an empty key)."""
        if key is None:
            return cls([])
        if isinstance(key, PseudonymKey):
            return key
        if isinstance(key, (str, Path)):
            return load_key(key)
        if isinstance(key, Mapping):
            return cls.from_mapping(key)
        raise QualcodeError("the key must be a key file, a PseudonymKey or a {name: pseudonym} mapping")

    def as_mapping(self) -> dict[str, str]:
        """``{real name or alias: pseudonym}``."""
        return {name: e.pseudonym for e in self.entries for name in e.names()}

    def validate(self) -> None:
        """Raise :class:`QualcodeError` for a row without name or pseudonym, an unknown kind,
        a name with two pseudonyms, or a pseudonym that contains a real name."""
        where = self.path
        seen: dict[str, str] = {}
        for n, e in enumerate(self.entries, start=2):
            if not e.real or not e.pseudonym:
                raise QualcodeError("every row of the key needs a real name and a pseudonym", path=where, line=n)
            if e.kind not in KINDS:
                raise QualcodeError(f"unknown kind {e.kind!r}; use one of {', '.join(KINDS)}", path=where, line=n)
            for name in e.names():
                if name in seen and seen[name] != e.pseudonym:
                    raise QualcodeError(f"the name {name!r} has two pseudonyms ({seen[name]!r} and "
                                        f"{e.pseudonym!r}); keep one row per name", path=where, line=n)
                seen[name] = e.pseudonym
        parts = {part: e for e in self.entries for part in _name_parts(e)}
        for n, e in enumerate(self.entries, start=2):
            for part, owner in parts.items():
                if _contains_word(e.pseudonym.casefold(), part):
                    raise QualcodeError(f"the pseudonym {e.pseudonym!r} contains {part_label(part, owner)}; choose a "
                                        "pseudonym that does not reveal the name", path=where, line=e.line or n)

    def to_frame(self):
        """The rows as a frame (real, pseudonym, kind, aliases): this shows real names."""
        import pandas as pd

        return pd.DataFrame([{"real": e.real, "pseudonym": e.pseudonym, "kind": e.kind,
                              "aliases": "; ".join(e.aliases)} for e in self.entries],
                            columns=["real", "pseudonym", "kind", "aliases"])

    def _repr_html_(self) -> str:   # never shows real names in a notebook by accident
        return (f"<p>PseudonymKey: {len(self.entries)} names"
                f"{' from ' + self.path if self.path else ''} (use <code>.to_frame()</code> to see them)</p>")

    def __repr__(self) -> str:
        return f"PseudonymKey({len(self.entries)} names{', ' + self.path if self.path else ''})"


#: words of a name that reveal nothing by themselves (company forms)
_GENERIC_PARTS = {"oy", "oyj", "ab", "ky", "ry", "tmi", "ay", "ltd", "inc", "gmbh", "co", "and", "ja"}


def _name_parts(entry: KeyEntry) -> set[str]:
    """The real name, its aliases and each of their words of three letters or more (case
    folded), company forms left out: a pseudonym holding any of them reveals the name."""
    parts = set()
    for name in entry.names():
        parts.add(name.casefold())
        parts.update(w for w in re.findall(r"[^\W\d_]+", name.casefold()) if len(w) >= 3 and w not in _GENERIC_PARTS)
    return parts


def part_label(part: str, entry: KeyEntry) -> str:
    """How a message names the revealing part: the whole name, or a part of it."""
    if part in {n.casefold() for n in entry.names()}:
        return f"the real name {entry.real!r}"
    return f"{part.capitalize()!r}, a part of the real name {entry.real!r}"


def _contains_word(text: str, word: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text) is not None


def _kind(value) -> str:
    text = "" if value is None else str(value).strip().lower()
    return _KIND_ALIASES.get(text, text)


def _rows_to_entries(rows: list[list], path: str) -> list[KeyEntry]:
    rows = [[("" if c is None else str(c)).strip() for c in r] for r in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return []
    header = [_HEADERS.get(c.lower()) for c in rows[0]]
    if "real" in header and "pseudonym" in header:
        cols = {name: header.index(name) for name in ("real", "pseudonym", "kind", "aliases") if name in header}
        body = list(enumerate(rows[1:], start=2))
    else:
        cols = {"real": 0, "pseudonym": 1, "kind": 2, "aliases": 3}
        body = list(enumerate(rows, start=1))
    entries = []
    for line, r in body:
        get = lambda k: r[cols[k]] if k in cols and cols[k] < len(r) else ""  # noqa: E731
        real, pseudo = " ".join(get("real").split()), get("pseudonym")
        if not real and not pseudo:
            continue
        if not real or not pseudo:
            raise QualcodeError("every row of the key needs a real name and a pseudonym", path=path, line=line)
        kind = _kind(get("kind"))
        if kind not in KINDS:
            raise QualcodeError(f"unknown kind {get('kind')!r}; use one of {', '.join(KINDS)}", path=path, line=line)
        aliases = [" ".join(a.split()) for a in get("aliases").split(";") if a.strip()]
        entries.append(KeyEntry(real, pseudo, kind, aliases, line=line))
    return entries


def load_key(path: PathLike) -> PseudonymKey:
    """Read a key file (.xlsx or .csv/.tsv/.txt)."""
    p = Path(path)
    label = str(path)
    if not p.is_file():
        raise QualcodeError("the pseudonymisation key does not exist; check the path (key_file in "
                            "qualcode.toml)", path=label)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds
            raise QualcodeError(f"the key is not a readable Excel workbook ({exc})", path=label) from None
        try:
            name = next((s for s in wb.sheetnames if s.strip().lower() in {n.lower() for n in SHEET_NAMES}), wb.sheetnames[0])
            rows = [list(r) for r in wb[name].iter_rows(values_only=True)]
        finally:
            wb.close()
    elif suffix in (".csv", ".tsv", ".txt"):
        raw = p.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        first = text.splitlines()[0] if text.strip() else ""
        delim = "\t" if "\t" in first else (";" if first.count(";") > first.count(",") else ",")
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    else:
        raise QualcodeError("a key file must be .xlsx or .csv", path=label)
    key = PseudonymKey(_rows_to_entries(rows, label), path=label)
    return key


def save_key(key: PseudonymKey, path: PathLike) -> Path:
    """Write the key as .xlsx (sheet ``Avain``) or .csv, atomically."""
    key = PseudonymKey.coerce(key)
    p = Path(path)
    header = ["real", "pseudonym", "kind", "aliases"]
    rows = [[e.real, e.pseudonym, e.kind, "; ".join(e.aliases)] for e in key.entries]
    suffix = p.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = SHEET_NAMES[0]
        for r, values in enumerate([header] + rows, start=1):
            for c, v in enumerate(values, start=1):
                write_text_cell(ws.cell(row=r, column=c), v)
        with atomic_output(p) as tmp:
            wb.save(tmp)
    elif suffix == ".csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        with atomic_output(p) as tmp:
            tmp.write_text(buf.getvalue(), encoding="utf-8")
    else:
        raise QualcodeError("a key file must be .xlsx or .csv", path=str(p))
    return p


def check_key_location(key_path: PathLike, project_root: Optional[PathLike]) -> Path:
    """Refuse a key that sits inside the project folder (it would travel with the data).

    Returns the resolved key path.
    """
    key = Path(os.path.expanduser(str(key_path))).resolve()
    if project_root is None:
        return key
    root = Path(project_root).resolve()
    if key == root or root in key.parents:
        raise QualcodeError("the pseudonymisation key is inside the project folder; keep the key outside the "
                            "project, e.g. in your home folder, and point key_file in qualcode.toml to it",
                            path=str(key_path))
    return key
