"""Work done in a process of its own, on the second core, while this process goes on.

A worker is a fresh interpreter (``sys.executable -P -m <module>``, never a fork, so it works
the same from a terminal, in Jupyter and on Windows) that is started first thing and loads
its heavy library (matplotlib for the Word report's figures, spaCy for the tokenizer) while
this process does its own part.  Requests go in on its standard input and one reply per
request comes back, in order, on its standard output: each a frame of bytes with its length
in front (:func:`write_frame`, :func:`read_frame`), so numpy arrays travel as their raw bytes.
A reply starts with :data:`OK` or :data:`FAILED`; a failed one carries the error as JSON
(:func:`error_reply`), which comes back here as the same kind of exception
(:func:`exception_of`): a :class:`~qualcode.errors.QualcodeError` with the same sentence, an
``OSError`` with its number, else the worker's own internal error.

>>> import io
>>> stream = io.BytesIO()
>>> write_frame(stream, b"abc"); write_frame(stream, b"")
>>> _ = stream.seek(0)
>>> read_frame(stream), read_frame(stream), read_frame(stream)
(b'abc', b'', None)
"""
from __future__ import annotations

import json
import os
import queue
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from .errors import QualcodeError

#: The first byte of a reply: the request was done / it failed (the rest is the error as JSON).
OK, FAILED = b"\x00", b"\x01"
_LENGTH = struct.Struct("<Q")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):       # not on every system (Windows, macOS)
        return os.cpu_count() or 1


def can_start(in_process: bool = False, count_cores: Optional[Callable[[], int]] = None) -> bool:
    """Whether a worker process pays: not when the caller asks for the work to be done in
    this process, when there is no second core (``count_cores()``, default :func:`cores`:
    the process would only add its start), or when there is no interpreter to start (e.g.
    in a frozen app)."""
    return (not in_process and (count_cores or cores)() >= 2 and bool(sys.executable)
            and not getattr(sys, "frozen", False))


def child_env() -> dict:
    """This environment, with the folder this qualcode is imported from first on the
    process's path (so that the worker runs the same code) unless it is a site folder."""
    import site

    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[1])
    sites = {str(Path(p).resolve()) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    if root not in sites:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def write_frame(stream, payload: bytes) -> None:
    """Write one frame (its length, then the bytes) and flush."""
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)
    stream.flush()


def read_frame(stream) -> Optional[bytes]:
    """The next frame of ``stream``; None at its end (or when it ends inside a frame)."""
    head = _read_exactly(stream, _LENGTH.size)
    if head is None:
        return None
    return _read_exactly(stream, _LENGTH.unpack(head)[0])


def _read_exactly(stream, size: int) -> Optional[bytes]:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks) if len(chunks) != 1 else chunks[0]


def error_reply(exc: BaseException) -> dict:
    """An error met in a worker as plain data, for :func:`exception_of` on the other side."""
    reply: dict[str, Any] = {"error": f"{exc.__class__.__name__}: {exc}"}
    if isinstance(exc, QualcodeError):
        reply["user_error"] = str(exc)
    elif isinstance(exc, OSError):
        reply.update(errno=exc.errno, strerror=exc.strerror, filename=exc.filename)
    return reply


def exception_of(reply: dict, internal: Callable[[str], Exception]) -> Exception:
    """The error of a worker as this process raises it: the same :class:`QualcodeError`
    sentence, an ``OSError`` with its number (a full disk, no permission: things a user can
    fix), else ``internal(the error)`` (a bug).

    >>> exception_of({"error": "QualcodeError: no", "user_error": "no"}, RuntimeError)
    QualcodeError('no')
    >>> exception_of({"error": "KeyError: 'x'"}, RuntimeError)
    RuntimeError("KeyError: 'x'")
    """
    if reply.get("user_error") is not None:
        return QualcodeError(reply["user_error"])
    if reply.get("errno") is not None:
        return OSError(reply["errno"], reply.get("strerror") or reply["error"], reply.get("filename"))
    return internal(str(reply.get("error")))


class WorkerProcess:
    """A worker started now: :meth:`send` a request, :meth:`wait` for the replies so far,
    :meth:`reply` the n-th one, :meth:`close` it whatever state it is in.  ``name`` says
    which process it is in error messages."""

    def __init__(self, module: str, args: tuple = (), *, name: str):
        self.name = name
        self.sent = 0
        self._replies: list[bytes] = []
        self._ended = self._broken = self._closed = False
        self._change = threading.Condition()
        self._stderr = tempfile.TemporaryFile()     # a file, not a pipe: it can never fill up and block
        self._proc = subprocess.Popen(
            [sys.executable, "-P", "-m", module, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, env=child_env(), creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        # the replies are read as they come by a thread (a pipe cannot be waited on with a
        # timeout on Windows, and the worker must never wait for this process to read)
        self._reader = threading.Thread(target=self._read_replies, name=f"qualcode-{name}", daemon=True)
        self._reader.start()

    @property
    def ended(self) -> bool:
        """Whether the process has ended (its output is closed)."""
        return self._ended

    def send(self, payload: bytes) -> None:
        """Send one request (a frame)."""
        self.sent += 1
        if self._broken:
            return
        try:
            write_frame(self._proc.stdin, payload)
        except OSError:            # the process has ended: waiting for its reply says why
            self._broken = True

    def wait(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` replies have come (True), the process has ended or
        ``timeout`` seconds have passed (False)."""
        deadline = time.monotonic() + timeout
        with self._change:
            while not self._ended and len(self._replies) < count:
                if not self._change.wait(max(0.0, deadline - time.monotonic())):
                    break
            return len(self._replies) >= count

    def received(self) -> int:
        """How many replies have come so far."""
        with self._change:
            return len(self._replies)

    def reply(self, n: int) -> tuple[bool, bytes]:
        """(whether it succeeded, its bytes) of the ``n``-th reply (from 0), which has come."""
        data = self._replies[n]
        return data[:1] == OK, data[1:]

    def missing(self, before: str, unfinished: str, timeout: float) -> str:
        """Why a reply did not come: the process ended ``before`` (what it was doing), or
        did not finish ``unfinished`` within ``timeout`` seconds."""
        if self._ended:
            return (f"the {self.name} process ended (exit code {self._proc.returncode}) before {before}: "
                    f"{self._last_error_line()}")
        return f"the {self.name} process did not finish {unfinished} within {timeout:g} s"

    def close(self, kill: bool = False) -> None:
        """End the process (at once when it still has requests to answer, or ``kill``), and
        let go of its pipes and files."""
        if self._closed:
            return
        self._closed = True
        if (kill or self.received() < self.sent) and self._proc.poll() is None:
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
        while True:
            frame = read_frame(self._proc.stdout)
            if frame is None:
                break
            with self._change:
                self._replies.append(frame)
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


def serve(handle: Callable[[bytes], bytes], load: Optional[Callable[[], None]] = None,
          stdin: Optional[Any] = None, stdout: Optional[Any] = None) -> None:
    """The loop of a worker process: answer each request frame of ``stdin`` with
    ``handle(request)`` (or the error it raised) on ``stdout``, in order, and return at the
    end of the input.  The requests are read by a thread from the start, while ``load()``
    imports what the worker needs, so the other process never waits to send them; when
    ``load`` fails, every request is answered with its error."""
    if stdout is None:
        stdout = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())   # nothing a library prints mixes into the replies
        sys.stdout = sys.stderr
    stdin = stdin if stdin is not None else sys.stdin.buffer
    requests: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        while True:
            frame = read_frame(stdin)
            requests.put(frame)
            if frame is None:
                return

    threading.Thread(target=read, name="qualcode-requests", daemon=True).start()
    failed: Optional[bytes] = None
    if load is not None:
        try:
            load()
        except Exception as exc:       # told in the reply to every request
            failed = FAILED + json.dumps(error_reply(exc)).encode("utf-8")
    while (request := requests.get()) is not None:
        if failed is not None:
            reply = failed
        else:
            try:
                reply = OK + handle(request)
            except Exception as exc:       # every error goes back to the other process
                reply = FAILED + json.dumps(error_reply(exc)).encode("utf-8")
        write_frame(stdout, reply)
