"""The Word report's figures drawn in a process of their own, on the second core.

A docx report starts the figure process first thing; it loads matplotlib while the report's process loads pandas, reads the project and computes the analyses.  The
report sends each figure's plain data (see :mod:`qualcode.report.figures`) as soon as it
exists, builds its tables, and puts the PNGs into their places when they are done.  Both
processes draw with the same code (:func:`qualcode.report.drawing.render`), so the PNGs are
the same bytes; :class:`InlineDrawer` draws in this process instead.

The process is a fresh interpreter (``sys.executable -m qualcode.report.figure_worker``, never
a fork: :mod:`qualcode.workers`), so it works the same from a terminal, in Jupyter and on
Windows.  One JSON frame per figure goes in on its standard input; one frame per figure comes
back on its standard output, ``{"id": …, "ok": true}`` or the error it met.  An error comes back as an exception in the
report's process; nothing of the report is written then.
"""
from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any, Optional

from ..workers import WorkerProcess, can_start, cores as _cores, error_reply, exception_of, serve

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
        self._checked = 0
        self._worker = WorkerProcess(__name__, name="figure")
        self._proc = self._worker._proc

    def __enter__(self) -> "FigureWorker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def submit(self, data: dict, path: Path, caption: str, fmt: str = "png") -> None:
        """Send one figure to draw into ``path`` (``fmt``: png or svg) with ``caption`` as its title."""
        job = {"id": self._worker.sent + 1, "data": data, "path": str(path), "caption": caption, "fmt": fmt}
        self._worker.send(json.dumps(job, ensure_ascii=True).encode("ascii"))

    def finish(self) -> None:
        """Wait until the process has drawn every figure sent so far; raise the first error."""
        self._worker.wait(self._worker.sent, self.timeout)
        for job in range(self._checked + 1, self._worker.sent + 1):
            if self._worker.received() < job:
                message = self._worker.missing(f"drawing figure {job}", "its figures", self.timeout)
                self.close()
                raise FigureProcessError(message)
            self._checked = job
            ok, data = self._worker.reply(job - 1)
            reply = json.loads(data)      # not ok: the process could not even load matplotlib
            for message in reply.get("warnings", ()):
                warnings.warn(message, UserWarning, stacklevel=2)
            if not ok or not reply.get("ok"):
                raise exception_of(reply, lambda error: FigureProcessError(f"figure {job} could not be drawn: {error}"))

    def close(self) -> None:
        """End the process (at once when it still has figures to draw), and let go of its
        pipes and files."""
        self._worker.close()


def start_drawer(in_process: bool = False):
    """The figure process (a :class:`FigureWorker`), or an :class:`InlineDrawer` when asked
    for, when there is no second core to draw on (the process would only add its start), or
    when no process can be started (no interpreter to start, e.g. in a frozen app)."""
    if not can_start(in_process, _cores):
        return InlineDrawer()
    try:
        return FigureWorker()
    except OSError:
        return InlineDrawer()


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
            reply.update(ok=False, **error_reply(exc))
    reply["warnings"] = [str(w.message) for w in caught]
    return reply


def _load() -> None:
    import matplotlib.figure  # noqa: F401  (loaded while the report reads the project)


def main(stdin: Optional[Any] = None, stdout: Optional[Any] = None) -> None:
    """Draw the figures that come in on ``stdin``, one JSON frame each, and answer each on
    ``stdout``; return at the end of the input."""
    serve(lambda job: json.dumps(_draw_one(json.loads(job))).encode("utf-8"), _load, stdin, stdout)


if __name__ == "__main__":
    main()
    # every PNG is written and every reply flushed: end here, without the interpreter's
    # clean-up of matplotlib and numpy (a fifth of a second the report would wait for)
    sys.stderr.flush()
    os._exit(0)
