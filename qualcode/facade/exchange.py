"""``project.exchange``: REFI-QDA projects (.qdpx) for NVivo, ATLAS.ti, MAXQDA and QualCoder."""
from __future__ import annotations

from pathlib import Path
from typing import Union

from ..errors import QualcodeError
from . import Namespace

PathLike = Union[str, Path]


class ProjectExchange(Namespace):
    """Export and import of REFI-QDA projects."""

    _attr = "exchange"

    def export_qdpx(self, path: PathLike, *, include_suggested: bool = False, pseudonymise=None,
                    warn=None) -> Path:
        """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
        from ..interop.refi import export_qdpx

        key = self._project.privacy.key_for_output(pseudonymise)
        out = export_qdpx(self._project, path, include_suggested=include_suggested, pseudonymise=key, warn=warn)
        self._project._log("export qdpx", Path(path).name,
                           details={"suggested": include_suggested, "pseudonymised": bool(key)})
        return out

    def import_qdpx(self, path: PathLike):
        """Read a REFI-QDA project: sources, codes, codings, cases and notes, all or nothing."""
        from ..interop.refi import import_qdpx

        path = Path(path)
        if not path.is_file():
            raise QualcodeError("the file does not exist; check the path", path=str(path))
        return import_qdpx(path, self._project)
