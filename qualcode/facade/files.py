"""Files the project layer reads or writes for the command line and notebooks that belong
to no single stage: a codebook file of any format, a table as .xlsx or .csv."""
from __future__ import annotations

from pathlib import Path
from typing import Union

import pandas as pd

from ..errors import QualcodeError

PathLike = Union[str, Path]
CODEBOOK_SUFFIXES = (".yaml", ".yml", ".xlsx", ".qdc")


def read_codebook_file(path: PathLike):
    """A codebook from .yaml, .xlsx (sheet Koodikirja) or REFI-QDA .qdc, checked: keys, ids,
    parents, cycles and regular expressions."""
    from ..codebook import load_codebook
    from ..interop.refi import import_qdc

    p = Path(path)
    if not p.is_file():
        raise QualcodeError("the codebook file does not exist; check the path", path=str(path))
    return import_qdc(p) if p.suffix.lower() == ".qdc" else load_codebook(p)


def convert_codebook(source: PathLike, target: PathLike, lang: str = "fi"):
    """Convert a codebook between .yaml, .xlsx and .qdc (by the suffixes); returns
    ``(path written, codebook)``."""
    from ..codebook import save_codebook
    from ..interop.refi import export_qdc

    cb = read_codebook_file(source)
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix == ".qdc":
        return export_qdc(cb, target), cb
    if suffix in CODEBOOK_SUFFIXES:
        return save_codebook(cb, target, lang=lang), cb
    raise QualcodeError("write the codebook as .yaml, .xlsx or .qdc", path=str(target))


def write_frame(frame: pd.DataFrame, path: PathLike, sheet: str = "Sheet1") -> Path:
    """Write a table to .xlsx or .csv (a temporary file, then moved into place)."""
    from ..fileutil import atomic_output

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise QualcodeError("write tables as .xlsx or .csv; change the file name", path=str(path))
    with atomic_output(path) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_excel(tmp, index=False, sheet_name=sheet)
    return path
