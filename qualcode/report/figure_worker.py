"""The Word report's figures drawn in a process of their own, on the second core.

A docx report starts the figure process first thing; it loads matplotlib while the report's process loads pandas, reads the project and computes the analyses.  The
report sends each figure's plain data (see :mod:`qualcode.report.figures`) as soon as it
exists, builds its tables, and puts the PNGs into their places when they are done.  Both
processes draw with the same code (:func:`qualcode.report.drawing.render`), so the PNGs are
the same bytes; :class:`InlineDrawer` draws in this process instead.

The process is a fresh interpreter (``sys.executable -m qualcode.report.figure_worker``, never
a fork), so it works the same from a terminal, in Jupyter and on Windows.  One JSON line per
figure goes in on its standard input; one line per figure comes back on its standard output,
``{"id": …, "ok": true}`` or the error it met.  An error comes back as an exception in the
report's process; nothing of the report is written then.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Optional

from ..errors import QualcodeError

#: How long the report waits for its figures at most (seconds).
TIMEOUT_S = 300


class FigureProcessError(RuntimeError):
    """The figure process failed: a figure could not be drawn, or the process ended or hung
    before it had drawn them all (a bug, not something in the user's input)."""


class InlineDrawer:
    """Draws each figure in this process as it is submitted."""

    def submit(self, data: dict, path: Path, caption: str, fmt: str = "png") -> None:
        from .drawing import render

        render(data, path, caption, fmt)

    def finish(self) -> None:
        """Every submitted figure is drawn (here: already when it was submitted)."""

    def close(self) -> None:
        """Nothing to stop."""


class FigureWorker:
    """The figure process: :meth:`submit` sends a figure to draw, :meth:`finish` waits until
    every figure sent so far is written (or raises what went wrong; more may be sent after
    it), :meth:`close` stops the process whatever state it is in.  Use it as a context manager."""

    def __init__(self, timeout: float = TIMEOUT_S):
        self.timeout = timeout
        self._sent = self._checked = 0
        self._replies: dict[int, dict] = {}
        self._ended = self._broken = self._closed = False
        self._change = threading.Condition()
        self._stderr = tempfile.TemporaryFile()     # a file, not a pipe: it can never fill up and block
        self._proc = subprocess.Popen(
            [sys.executable, "-P", "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, env=_child_env(), creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        # the replies are read as they come by a thread (a pipe cannot be waited on with a
        # timeout on Windows)
        self._reader = threading.Thread(target=self._read_replies, name="qualcode-figures", daemon=True)
        self._reader.start()

    def __enter__(self) -> "FigureWorker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def submit(self, data: dict, path: Path, caption: str, fmt: str = "png") -> None:
        """Send one figure to draw into ``path`` (``fmt``: png or svg) with ``caption`` as its title."""
        self._sent += 1
        if self._broken:
            return
        job = {"id": self._sent, "data": data, "path": str(path), "caption": caption, "fmt": fmt}
        try:
            self._proc.stdin.write(json.dumps(job, ensure_ascii=True).encode("ascii") + b"\n")
            self._proc.stdin.flush()
        except OSError:            # the process has ended: finish() says why
            self._broken = True

    def finish(self) -> None:
        """Wait until the process has drawn every figure sent so far; raise the first error."""
        deadline = time.monotonic() + self.timeout
        with self._change:
            while not self._ended and any(j not in self._replies for j in range(self._checked + 1, self._sent + 1)):
                if not self._change.wait(max(0.0, deadline - time.monotonic())):
                    break
        for job in range(self._checked + 1, self._sent + 1):
            reply = self._replies.get(job)
            if reply is None:
                if self._ended:
                    message = (f"the figure process ended (exit code {self._proc.returncode}) before drawing "
                               f"figure {job}: {self._last_error_line()}")
                else:
                    message = f"the figure process did not finish its figures within {self.timeout:g} s"
                self.close()
                raise FigureProcessError(message)
            self._checked = job
            for message in reply.get("warnings", ()):
                warnings.warn(message, UserWarning, stacklevel=2)
            if not reply.get("ok"):
                raise _as_exception(reply, job)

    def close(self) -> None:
        """End the process (at once when it still has figures to draw), and let go of its
        pipes and files."""
        if self._closed:
            return
        self._closed = True
        if len(self._replies) < self._sent and self._proc.poll() is None:
            self._proc.kill()
        try:
            self._proc.stdin.close()        # the end of its input: it ends
        except OSError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._reader.join(timeout=10)
        self._proc.stdout.close()
        self._stderr.close()

    def _read_replies(self) -> None:
        for line in self._proc.stdout:
            reply = _reply(line)
            if reply is not None:
                with self._change:
                    self._replies[reply["id"]] = reply
                    self._change.notify_all()
        try:
            self._proc.wait(timeout=10)     # its exit code, for the error that says it ended
        except subprocess.TimeoutExpired:
            pass
        with self._change:
            self._ended = True
            self._change.notify_all()

    def _last_error_line(self) -> str:
        self._stderr.seek(0)
        lines = [ln.strip() for ln in self._stderr.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return lines[-1] if lines else "no message"


def start_drawer(in_process: bool = False):
    """The figure process (a :class:`FigureWorker`), or an :class:`InlineDrawer` when asked
    for, when there is no second core to draw on or matplotlib is loaded in this process
    already (as in the daemon's copies): a process would only add its start; or when no
    process can be started (no interpreter to start, e.g. in a frozen app)."""
    if (in_process or _cores() < 2 or _matplotlib_loaded() or not sys.executable
            or getattr(sys, "frozen", False)):
        return InlineDrawer()
    try:
        return FigureWorker()
    except OSError:
        return InlineDrawer()


def _matplotlib_loaded() -> bool:
    """Whether this process has matplotlib's drawing part loaded already."""
    return "matplotlib.backends.backend_agg" in sys.modules


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):       # not on every system (Windows, macOS)
        return os.cpu_count() or 1


def _child_env() -> dict:
    """This environment, with the folder this qualcode is imported from first on the
    process's path (so that it draws with the same code) unless it is a site folder."""
    import site

    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    sites = {str(Path(p).resolve()) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if root not in sites:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _reply(line: bytes) -> Optional[dict]:
    """One reply of the process, or None for a line that is not one."""
    try:
        reply = json.loads(line.decode("utf-8", "replace"))
    except ValueError:
        return None
    return reply if isinstance(reply, dict) and "id" in reply else None


def _as_exception(reply: dict, job: int) -> Exception:
    """The error of one figure as this process raises it: the same :class:`QualcodeError`
    message, an ``OSError`` with its number (a full disk, no permission: things a user can
    fix), else a :class:`FigureProcessError`."""
    if reply.get("user_error") is not None:
        return QualcodeError(reply["user_error"])
    if reply.get("errno") is not None:
        return OSError(reply["errno"], reply.get("strerror") or reply["error"], reply.get("filename"))
    return FigureProcessError(f"figure {job} could not be drawn: {reply.get('error')}")


# --------------------------------------------------------------------------- the process itself

def _draw_one(job: dict) -> dict:
    from .drawing import render

    reply: dict[str, Any] = {"id": job.get("id")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            render(job["data"], job["path"], job["caption"], job.get("fmt", "png"))
            reply["ok"] = True
        except Exception as exc:       # every error goes back to the report's process
            reply.update(ok=False, error=f"{exc.__class__.__name__}: {exc}")
            if isinstance(exc, QualcodeError):
                reply["user_error"] = str(exc)
            elif isinstance(exc, OSError):
                reply.update(errno=exc.errno, strerror=exc.strerror, filename=exc.filename)
    reply["warnings"] = [str(w.message) for w in caught]
    return reply


def main(stdin: Optional[Any] = None, stdout: Optional[Any] = None) -> None:
    """Draw the figures that come in on ``stdin``, one JSON line each, and answer each on
    ``stdout``; return at the end of the input."""
    replies = stdout or os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    sys.stdout = sys.stderr        # nothing a library prints can mix into the replies
    import matplotlib.figure  # noqa: F401  (loaded while the report reads the project)

    for line in stdin or sys.stdin:
        if line.strip():
            replies.write(json.dumps(_draw_one(json.loads(line))) + "\n")
            replies.flush()


if __name__ == "__main__":
    main()
    # every PNG is written and every reply flushed: end here, without the interpreter's
    # clean-up of matplotlib and numpy (a fifth of a second the report would wait for)
    sys.stderr.flush()
    os._exit(0)
