"""``qualcode daemon``: a warm process that runs the commands, so that each command pays for
its own work and not again for loading pandas, spaCy, the lemmatiser and the rest.

``qualcode daemon start`` starts it in the background.  It imports once everything a command
may need and waits on a Unix socket in the per-machine cache folder (the folder and the socket
are its user's only).  A command typed then starts as a small process of the standard library
(:mod:`qualcode.launch`) that hands the daemon its arguments, working folder, environment and
terminal: standard input, output and error go over as file descriptors.  The daemon forks,
and the command runs in the copy exactly as in a fresh process of its own: its working folder,
its environment, its own connection to the store, nothing left over from an earlier command
(every command gets a new copy of the warm process, never one a command has run in).  It
writes straight to the user's terminal, Ctrl-C reaches it, and its exit code comes back as
the small process's own.  Commands typed at the same time run side by side, as processes do.

The daemon stops with ``qualcode daemon stop``, after :data:`IDLE_S` seconds without a
command, or when qualcode's own files have changed since it started (an upgrade, an edit):
the next command then says so and runs in its own process.  Only a Unix system can fork and
pass file descriptors; elsewhere ``daemon start`` says so, and commands run as before.
``QUALCODE_DAEMON=off`` makes commands pass a running daemon by.

>>> daemon_exit_code(None), daemon_exit_code(2), daemon_exit_code("no such file")
(0, 2, 1)
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Callable, Optional

from .errors import QualcodeError
from .fileutil import cache_dir

#: Seconds without a command after which the daemon stops by itself.
IDLE_S = 30 * 60
#: Environment variable: ``off`` makes commands run in their own process even when a daemon runs.
DAEMON_ENV = "QUALCODE_DAEMON"
#: How long ``daemon start`` waits for the daemon to be ready (it imports everything first).
START_TIMEOUT_S = 120
# Longest socket path every Unix takes (macOS: 104 bytes with the final NUL).
_MAX_SOCKET_PATH = 100
_PACKAGE = Path(__file__).resolve().parent
_STREAMS = (0, 1, 2)


def supported() -> bool:
    """Whether this system can run the daemon (fork, Unix sockets, passing descriptors)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


def socket_path() -> Path:
    """The daemon's socket: one per Python environment and qualcode installation, so that two
    virtual environments never share a daemon."""
    tag = hashlib.sha256(f"{sys.prefix}|{_PACKAGE}".encode()).hexdigest()[:10]
    return cache_dir() / "daemon" / f"{tag}.sock"     # a folder of its own, its user's only


def code_fingerprint() -> str:
    """What code a daemon runs: the Python environment, qualcode's folder and the size and
    time of every one of its files (modules, templates, schemas).  A command whose
    fingerprint differs from the daemon's runs in its own process, so an upgraded or edited
    qualcode is never served by old code."""
    entries = []
    folders = [str(_PACKAGE)]
    while folders:
        with os.scandir(folders.pop()) as listing:
            for entry in listing:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                else:
                    stat = entry.stat()
                    entries.append(f"{entry.path}|{stat.st_size}|{stat.st_mtime_ns}")
    digest = hashlib.sha256(f"{sys.prefix}|{_PACKAGE}\n".encode())
    digest.update("\n".join(sorted(entries)).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def daemon_exit_code(code) -> int:
    """A process's exit status for ``SystemExit(code)``, as Python gives it."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def wanted() -> bool:
    """Whether commands are to go to a running daemon (unless ``QUALCODE_DAEMON=off``)."""
    return os.environ.get(DAEMON_ENV, "").lower() not in ("off", "0", "no", "false")


# -- the command's side -------------------------------------------------------------------
def run_in_daemon(argv: list[str]) -> Optional[int]:
    """Run the command ``argv`` in the daemon and return its exit code; None when no daemon
    serves this qualcode (then the caller runs the command itself)."""
    if not wanted() or not supported():
        return None
    path = socket_path()
    sock = _connect(path)
    if sock is None:
        return None
    with sock:
        try:
            for fd in _STREAMS:
                os.fstat(fd)        # a closed standard stream cannot be handed over
            request = {"op": "run", "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                       "fingerprint": code_fingerprint()}
            _send(sock, request, _STREAMS)
        except OSError:
            return None
        return _await_exit(sock)


def _connect(path: Path) -> Optional[socket.socket]:
    """A connection to the daemon at ``path``, or None.  A socket file that nobody listens
    on any more (the daemon was killed) is removed, and the user told once."""
    if not path.exists():
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
        return sock
    except ConnectionRefusedError:
        sock.close()
        _remove(path)
        print("qualcode: the daemon is no longer running; commands run on their own again "
              "('qualcode daemon start' starts it).", file=sys.stderr)
    except OSError:
        sock.close()
    return None


def _await_exit(sock: socket.socket) -> Optional[int]:
    """Wait for the command's exit code, passing Ctrl-C (and a hang-up or terminate signal)
    on to the command's process."""
    state: dict = {"pid": None, "pending": []}

    def forward(signum, _frame):
        if state["pid"] is None:
            state["pending"].append(signum)    # before the command has started: sent then
        else:
            _signal(state["pid"], signum)

    before = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        for message in _messages(sock):
            if "pid" in message:
                state["pid"] = message["pid"]
                for signum in state["pending"]:
                    _signal(state["pid"], signum)
            elif message.get("stale"):
                print("qualcode: qualcode's files changed since the daemon started; it has stopped, and "
                      "this command runs on its own ('qualcode daemon start' starts a new one).", file=sys.stderr)
                return None
            elif "exit" in message:
                return int(message["exit"])
    finally:
        # a command that runs here after all gets Ctrl-C as usual
        for signum, handler in before.items():
            signal.signal(signum, handler)
    if state["pid"] is None:    # the daemon went away before it forked: do the command here
        return None
    print("qualcode: the command's process ended without an exit code (it was killed).", file=sys.stderr)
    return 3


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


# -- messages: one JSON object per line; the request carries the standard streams --------
def _send(sock: socket.socket, message: dict, fds=()) -> None:
    data = json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"
    if fds:
        sent = socket.send_fds(sock, [data], list(fds))
        data = data[sent:]
    if data:
        sock.sendall(data)


def _messages(sock: socket.socket):
    with sock.makefile("rb") as lines:
        for line in lines:
            yield json.loads(line)


def _request(conn: socket.socket) -> tuple[Optional[dict], list[int]]:
    """The request on a new connection and the file descriptors that came with it."""
    data, fds = b"", []
    while not data.endswith(b"\n"):
        chunk, got, _flags, _addr = socket.recv_fds(conn, 1 << 16, len(_STREAMS))
        fds.extend(got)
        if not chunk:
            return None, fds
        data += chunk
    return json.loads(data), fds


# -- the daemon's side --------------------------------------------------------------------
def start(idle: float = IDLE_S) -> tuple[dict, bool]:
    """Start the daemon in the background unless one runs; returns its :func:`status` and
    whether it was started now."""
    import subprocess

    if not supported():
        raise QualcodeError("the daemon needs a Unix system (it forks and passes the terminal over a "
                            "Unix socket); here every command runs in its own process")
    path = socket_path()
    if len(os.fsencode(path)) > _MAX_SOCKET_PATH:
        raise QualcodeError(f"the daemon's socket path {path} is too long for this system; set "
                            "QUALCODE_CACHE_DIR to a shorter folder")
    running = status()
    if running is not None:
        return running, False
    path.parent.mkdir(parents=True, exist_ok=True)
    log = path.with_suffix(".log")
    with open(log, "ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "qualcode.launch", "--daemon", str(path), repr(float(idle))],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out, cwd=path.parent,
                                start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise QualcodeError(f"the daemon stopped while starting: {_last_line(log)} (see {log})")
        running = status()
        if running is not None:
            return running, True
        time.sleep(0.05)
    proc.kill()
    raise QualcodeError(f"the daemon did not start within {START_TIMEOUT_S} s (see {log})")


def status(path: Optional[Path] = None) -> Optional[dict]:
    """The running daemon's ``pid``, ``started`` (seconds since the epoch), commands
    ``served`` and commands ``running`` now; None when no daemon runs (at ``path``,
    default :func:`socket_path`)."""
    return _ask({"op": "ping"}, path)


def stop() -> Optional[dict]:
    """Stop the daemon (commands it is running go on to their end); its last status, or
    None when none ran."""
    last = _ask({"op": "stop"})
    if last is not None:
        deadline = time.monotonic() + 10
        while socket_path().exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    return last


def _ask(message: dict, path: Optional[Path] = None) -> Optional[dict]:
    sock = _connect(path or socket_path()) if supported() else None
    if sock is None:
        return None
    with sock:
        _send(sock, message)
        return next(_messages(sock), None)


def serve(path: Path, idle: float, command: Callable[[list[str]], object]) -> None:
    """The daemon itself (``python -m qualcode.launch --daemon SOCKET IDLE``): load
    everything, then fork a copy for each command, which runs ``command(argv)`` (the command
    line), until stopped, idle or out of date."""
    _preload()
    fingerprint = code_fingerprint()
    listener = _listen(path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))     # the socket is removed below
    info = {"pid": os.getpid(), "started": time.time(), "served": 0}
    children: set[int] = set()
    last = time.monotonic()
    try:
        while children or time.monotonic() - last < idle:
            _reap(children)
            try:
                conn, _ = listener.accept()
            except socket.timeout:
                continue
            last = time.monotonic()
            with conn:
                conn.settimeout(5)      # a request is one line: a peer that sends none is dropped
                try:
                    request, fds = _request(conn)
                except (OSError, ValueError):
                    continue
                conn.settimeout(None)
                try:
                    if request is None or not _same_user(conn):
                        continue
                    if not _answer(conn, request, info, fingerprint, (listener, command), fds, children):
                        break
                finally:
                    for fd in fds:
                        os.close(fd)
    finally:
        listener.close()
        _remove(path)


def _answer(conn, request: dict, info: dict, fingerprint: str, fork_with: tuple, fds: list[int],
            children: set[int]) -> bool:
    """Do what a request asks; False when the daemon is to stop."""
    op = request.get("op")
    if op == "ping":
        _send(conn, {**info, "running": len(children)})
        return True
    if op == "stop":
        _send(conn, {**info, "running": len(children)})
        return False
    if op != "run":
        return True
    if request.get("fingerprint") != fingerprint:
        _send(conn, {"stale": True})
        return False
    children.add(_fork_command(*fork_with, conn, request, fds))
    info["served"] += 1
    return True


def _listen(path: Path) -> socket.socket:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    _remove(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)          # the socket is born readable by its user only
    try:
        listener.bind(str(path))
    finally:
        os.umask(old)
    listener.listen(16)
    listener.settimeout(1.0)       # wake up each second to reap commands and check idleness
    return listener


def _same_user(conn: socket.socket) -> bool:
    """Whether the peer runs as the daemon's user (Linux says; elsewhere the socket's
    permissions are what guard it)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1] == os.getuid()


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


def _fork_command(listener: socket.socket, command: Callable, conn: socket.socket, request: dict,
                  fds: list[int]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        listener.close()
        code = _run_command(command, conn, request, fds)
    except BaseException as exc:         # noqa: BLE001 - the copy must end here, whatever happened
        print(f"qualcode daemon: {exc.__class__.__name__}: {exc}", file=sys.stderr)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        try:
            _send(conn, {"exit": code})
        except OSError:
            pass
        os._exit(code)


def _run_command(command: Callable, conn: socket.socket, request: dict, fds: list[int]) -> int:
    """In the forked copy: become the user's command (its streams, folder, environment and
    arguments), run it and return its exit code."""
    for target, fd in zip(_STREAMS, fds):
        os.dup2(fd, target)
    for fd in set(fds) - set(_STREAMS):
        os.close(fd)
    fds.clear()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    time.tzset()
    _reopen_streams(os.environ.get("PYTHONIOENCODING", ""))
    sys.argv = ["qualcode", *request["argv"]]
    _send(conn, {"pid": os.getpid()})
    try:
        command(request["argv"])
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        return daemon_exit_code(exc.code)
    return 0


def _reopen_streams(io_encoding: str) -> None:
    """New ``sys.stdin``/``stdout``/``stderr`` on descriptors 0-2, made as a fresh Python
    makes them: line-buffered on a terminal, stderr always; errors replaced on stderr."""
    encoding, _, errors = io_encoding.partition(":")
    encoding = encoding or sys.__stdout__.encoding or "utf-8"
    sys.stdin = sys.__stdin__ = open(0, "r", encoding=encoding, errors=errors or "strict", closefd=False)
    sys.stdout = sys.__stdout__ = open(1, "w", encoding=encoding, errors=errors or "strict", closefd=False,
                                       buffering=-1, newline="\n")
    sys.stdout.reconfigure(line_buffering=os.isatty(1))
    sys.stderr = sys.__stderr__ = open(2, "w", encoding=encoding, errors="backslashreplace", closefd=False,
                                       newline="\n")
    sys.stderr.reconfigure(line_buffering=True)


def _preload() -> None:
    """Import every module of qualcode and the libraries its commands load on first use,
    and make spaCy's tokenizers once, so that no command pays for them."""
    import gc
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages([str(_PACKAGE)], "qualcode."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    for library in ("matplotlib.figure", "matplotlib.backends.backend_agg", "openpyxl", "docx", "PIL.ImageFont"):
        importlib.import_module(library)
    import spacy

    from .labels import LANGS

    for lang in LANGS:
        spacy.blank(lang)
    # what is loaded now stays: the collector need not look at it again in any copy, and
    # the copies share its memory pages instead of touching them
    gc.collect()
    gc.freeze()


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def _last_line(log: Path) -> str:
    lines = [ln for ln in log.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "it printed nothing"
