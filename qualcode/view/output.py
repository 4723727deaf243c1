"""Writing the view's folder all or nothing: every page is rendered first, written into a new
folder beside the target, and only then put in the old one's place — never a half-written
view, and no page left over from a source that is gone."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Union

from ..errors import QualcodeError
from ..labels import check_language
from .frames import ViewFrames
from .pages import render_pages

#: The mark of a folder qualcode wrote (in its index.html): only such a folder is replaced.
GENERATOR = '<meta name="generator" content="qualcode view">'


def write_view(frames: ViewFrames, folder: Union[str, Path], lang: str = "fi") -> Path:
    """Write the view into ``folder`` (``index.html`` and ``sources/*.html``) and return the
    path of its ``index.html``.  A folder that holds anything but an earlier view is refused."""
    lang = check_language(lang)
    folder = Path(folder)
    _check_target(folder)
    pages = render_pages(frames, lang)
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for rel, html in pages.items():
            path = fresh / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
        os.chmod(fresh, 0o755)
        _replace(fresh, folder)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return folder / "index.html"


def _check_target(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise QualcodeError("a file with this name exists; give a folder for the view", path=str(folder))
    if not folder.is_dir() or not any(folder.iterdir()):
        return
    index = folder / "index.html"
    try:
        ours = GENERATOR in index.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        ours = False
    if not ours:
        raise QualcodeError("this folder holds other files than a qualcode view; give an empty or new folder",
                            path=str(folder))


def _replace(fresh: Path, folder: Path) -> None:
    """Put ``fresh`` where ``folder`` is; the old view is removed only once the new one is in place."""
    if not folder.exists():
        os.replace(fresh, folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}-old-", dir=folder.parent))
    os.rmdir(old)
    os.replace(folder, old)
    try:
        os.replace(fresh, folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
