"""The ``qualcode`` command's first step: hand the command to a running daemon (see
:mod:`qualcode.daemon`), or run it in this process.  Until it knows which, it imports only
the standard library, so a command the daemon runs costs little more than a process start.

``python -m qualcode.launch --daemon SOCKET IDLE`` is the daemon itself (``qualcode daemon
start`` starts it so).
"""
from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    """The ``qualcode`` console script."""
    argv = sys.argv[1:]
    if [a for a in argv if not a.startswith("-")][:1] != ["daemon"]:
        from .daemon import run_in_daemon

        code = run_in_daemon(argv)
        if code is not None:
            raise SystemExit(code)
    from .cli import main as command_line

    try:
        command_line(prog_name="qualcode")
    finally:
        # what the command leaves is frozen, not collected: the interpreter's exit then
        # need not free spaCy's and pandas' objects one by one (0.6-0.9 s after a first code
        # of 1M words)
        import gc

        gc.freeze()


def run_command(argv: list[str]) -> None:
    """One command in the daemon's forked copy, as the console script runs it."""
    from .cli import main as command_line

    command_line(args=argv, prog_name="qualcode")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--daemon"]:
        from .daemon import serve

        serve(Path(sys.argv[2]), float(sys.argv[3]), run_command)
    else:
        main()
