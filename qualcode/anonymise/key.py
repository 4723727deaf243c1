"""The pseudonymisation key: real names of people, organisations and places → codes.

The key is the one file that links the data to real people, so it lives outside the project
folder (see :func:`check_key_location`).  It is an ``.xlsx`` workbook (sheet ``Avain`` or
``Key``) or a ``.csv`` file with the columns ``real``, ``pseudonym`` and ``kind``
(person, organisation, place or other; Finnish headers and kinds are read too).

>>> key = PseudonymKey.from_dict({"Virtanen": "H1", "Datasilta Oy": "Yritys X"})
>>> [(e.real, e.pseudonym, e.kind) for e in key]
[('Virtanen', 'H1', 'person'), ('Datasilta Oy', 'Yritys X', 'person')]
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Mapping, Optional, Union

import pandas as pd

from ..errors import QualcodeError
from ..labels import label

PathLike = Union[str, Path]

KINDS = ("person", "organisation", "place", "other")
_KIND_ALIASES = {
    "person": "person", "henkilö": "person", "henkilo": "person", "ihminen": "person", "nimi": "person",
    "organisation": "organisation", "organization": "organisation", "org": "organisation",
    "organisaatio": "organisation", "yritys": "organisation", "company": "organisation",
    "place": "place", "paikka": "place", "location": "place", "paikkakunta": "place",
    "other": "other", "muu": "other", "": "person",
}
_COLUMNS = {
    "real": ("real", "real name", "name", "oikea", "oikea nimi", "nimi", "tunniste", "alkuperäinen"),
    "pseudonym": ("pseudonym", "pseudonyymi", "koodi", "code", "korvaava", "replacement"),
    "kind": ("kind", "type", "laji", "tyyppi"),
}
KEY_SHEETS = ("Avain", "Key")


@dataclass(frozen=True)
class KeyEntry:
    """One row of the key: a real name (one or more words), its pseudonym and its kind."""

    real: str
    pseudonym: str
    kind: str = "person"
    line: int = 0


@dataclass
class PseudonymKey:
    """An ordered list of :class:`KeyEntry`; ``path`` says where it was read from."""

    entries: list[KeyEntry] = field(default_factory=list)
    path: Optional[str] = None

    def __post_init__(self) -> None:
        self._matcher = None
        self._validate()

    def _validate(self) -> None:
        seen: dict[str, KeyEntry] = {}
        for e in self.entries:
            if e.kind not in KINDS:
                raise QualcodeError(f"unknown kind '{e.kind}' for '{e.real}' in the key; use one of "
                                    f"{', '.join(KINDS)}", path=self.path, line=e.line or None)
            low = " ".join(e.real.split()).casefold()
            if not low or not e.pseudonym.strip():
                raise QualcodeError("every row of the key needs a real name and a pseudonym",
                                    path=self.path, line=e.line or None)
            if low in seen and seen[low].pseudonym != e.pseudonym:
                raise QualcodeError(f"'{e.real}' has two pseudonyms in the key ('{seen[low].pseudonym}' "
                                    f"and '{e.pseudonym}'); keep one", path=self.path, line=e.line or None)
            seen[low] = e

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def add(self, real: str, pseudonym: str, kind: str = "person") -> "PseudonymKey":
        """Add one entry (and rebuild the matcher on next use)."""
        self.entries.append(KeyEntry(" ".join(real.split()), pseudonym.strip(), _kind(kind)))
        self._validate()
        self._matcher = None
        return self

    def as_dict(self) -> dict[str, str]:
        """``{real: pseudonym}``, the form :func:`qualcode.interop.refi.export_qdpx` takes."""
        return {e.real: e.pseudonym for e in self.entries}

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([(e.real, e.pseudonym, e.kind) for e in self.entries],
                            columns=["real", "pseudonym", "kind"])

    def matcher(self):
        """The compiled name matcher (built once, cached)."""
        if self._matcher is None:
            from .replace import NameMatcher

            self._matcher = NameMatcher(self.entries)
        return self._matcher

    @classmethod
    def from_dict(cls, mapping: Mapping[str, str], kind: str = "person") -> "PseudonymKey":
        return cls([KeyEntry(" ".join(str(k).split()), str(v).strip(), _kind(kind))
                    for k, v in mapping.items() if str(k).strip()])

    @classmethod
    def from_frame(cls, df: pd.DataFrame, path: Optional[str] = None) -> "PseudonymKey":
        return cls(_entries(_rows_from_frame(df), path), path=path)

    @classmethod
    def coerce(cls, key) -> "PseudonymKey":
        """A key from a :class:`PseudonymKey`, a ``{real: pseudonym}`` mapping, a path or None."""
        if key is None:
            return cls([])
        if isinstance(key, PseudonymKey):
            return key
        if isinstance(key, (str, Path)):
            return load_key(key)
        if isinstance(key, Mapping):
            return cls.from_dict(key)
        if isinstance(key, pd.DataFrame):
            return cls.from_frame(key)
        raise TypeError("key must be a PseudonymKey, a {real: pseudonym} dict, a path or None")


def _kind(value: object, path: Optional[str] = None, line: int = 0) -> str:
    text = "" if value is None else str(value).strip().casefold()
    if text in _KIND_ALIASES:
        return _KIND_ALIASES[text]
    raise QualcodeError(f"unknown kind '{value}' in the key; use one of {', '.join(KINDS)}",
                        path=path, line=line or None)


def _header_map(header: list[str]) -> Optional[dict[str, int]]:
    cells = [str(h or "").strip().casefold() for h in header]
    found: dict[str, int] = {}
    for col, names in _COLUMNS.items():
        for i, c in enumerate(cells):
            if c in names and i not in found.values():
                found[col] = i
                break
    return found if "real" in found and "pseudonym" in found else None


def _rows_from_frame(df: pd.DataFrame) -> list[tuple[int, list]]:
    rows = [(1, [str(c) for c in df.columns])]
    for n, row in enumerate(df.itertuples(index=False), start=2):
        rows.append((n, ["" if pd.isna(v) else v for v in row]))
    return rows


def _entries(rows: list[tuple[int, list]], path: Optional[str]) -> list[KeyEntry]:
    rows = [(n, r) for n, r in rows if any(str(c or "").strip() for c in r)]
    if not rows:
        return []
    cols = _header_map(list(rows[0][1]))
    if cols is None:
        cols = {"real": 0, "pseudonym": 1, "kind": 2}
    else:
        rows = rows[1:]
    out: list[KeyEntry] = []
    for n, row in rows:
        cells = list(row) + [""] * 3

        def get(c: str) -> str:
            i = cols.get(c)
            v = cells[i] if i is not None and i < len(cells) else ""
            return "" if v is None else " ".join(str(v).split())

        real, pseudo = get("real"), get("pseudonym")
        if not real and not pseudo:
            continue
        if not real or not pseudo:
            raise QualcodeError("every row of the key needs a real name and a pseudonym",
                                path=path, line=n)
        out.append(KeyEntry(real, pseudo, _kind(get("kind"), path, n), n))
    return out


def load_key(path: PathLike) -> PseudonymKey:
    """Read a key from ``.xlsx`` (sheet ``Avain``/``Key``, else the first sheet) or ``.csv``/``.tsv``."""
    path = Path(path)
    label_ = str(path)
    if not path.is_file():
        raise QualcodeError("the pseudonymisation key does not exist; check the path or key_file in "
                            "qualcode.toml", path=label_)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the user's file
            raise QualcodeError(f"the key is not a readable Excel workbook ({exc})", path=label_) from None
        try:
            names = {n.casefold(): n for n in wb.sheetnames}
            sheet = next((names[s.casefold()] for s in KEY_SHEETS if s.casefold() in names), wb.sheetnames[0])
            rows = [(n, list(r)) for n, r in enumerate(wb[sheet].iter_rows(values_only=True), start=1)]
        finally:
            wb.close()
    elif suffix in (".csv", ".tsv", ".txt"):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        first = text.splitlines()[0] if text.strip() else ""
        delim = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
        rows = [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text), delimiter=delim), start=1)]
    else:
        raise QualcodeError("a key must be an .xlsx or .csv file", path=label_)
    return PseudonymKey(_entries(rows, label_), path=label_)


def save_key(key: PseudonymKey, path: PathLike, lang: str = "fi") -> Path:
    """Write the key as ``.xlsx`` (sheet ``Avain``/``Key``) or ``.csv``; names stay text cells."""
    from ..fileutil import atomic_output, write_text_cell

    path = Path(path)
    key = PseudonymKey.coerce(key)
    rows = [("real", "pseudonym", "kind")] + [(e.real, e.pseudonym, e.kind) for e in key]
    suffix = path.suffix.lower()
    with atomic_output(path) as tmp:
        if suffix == ".xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.title = label("anonymity.key_sheet", lang)
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row, start=1):
                    write_text_cell(ws.cell(row=r, column=c), value)
            ws.column_dimensions["A"].width = 30
            ws.column_dimensions["B"].width = 16
            ws.column_dimensions["C"].width = 14
            wb.save(tmp)
        elif suffix == ".csv":
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            tmp.write_text(buf.getvalue(), encoding="utf-8")
        else:
            raise QualcodeError("a key must be saved as .xlsx or .csv", path=str(path))
    return path


def check_key_location(key_path: PathLike, project_root: PathLike) -> Path:
    """The key's resolved path; a :class:`QualcodeError` when it lies inside the project folder
    (a project folder gets copied, zipped and shared; the key must not travel with it)."""
    key = Path(key_path).expanduser().resolve()
    root = Path(project_root).expanduser().resolve()
    if key == root or root in key.parents:
        raise QualcodeError("the pseudonymisation key is inside the project folder, where it would be "
                            "copied and shared with the data; move it outside (for example to your home "
                            "folder) and set key_file in qualcode.toml to its path", path=str(key_path))
    return key


def find_key(project_root: PathLike, key_file: str = "", explicit: Optional[PathLike] = None) -> Path:
    """The key to use: ``explicit`` (a ``--key`` option) or the ``key_file`` setting (relative
    to the project folder), checked to exist and to lie outside the project folder."""
    root = Path(project_root)
    chosen = explicit if explicit else key_file
    if not chosen:
        raise QualcodeError("no pseudonymisation key is set; give one with --key FILE or set key_file "
                            "in qualcode.toml to a key kept outside the project folder")
    path = Path(chosen).expanduser()
    if not path.is_absolute() and not explicit:
        path = root / path
    path = check_key_location(path, root)
    if not path.is_file():
        raise QualcodeError("the pseudonymisation key does not exist; check the path or key_file in "
                            "qualcode.toml", path=str(chosen))
    return path


def entries_from_rows(rows: Iterable[Iterable[object]]) -> list[KeyEntry]:
    """Entries from plain rows (real, pseudonym[, kind]); a header row is recognised."""
    return _entries([(n, list(r)) for n, r in enumerate(rows, start=1)], None)
