"""Crash points for the kill tests: with ``QUALCODE_FAULT_AT=<name>:<n>`` in the environment
the process kills itself (SIGKILL, as a power cut would) the n-th time it reaches the point
``name``, so a test can check that the store is then exactly as before or as after the
command.  The points: ``before-commit`` and ``after-commit`` (every transaction), and
``mid-write`` (inside the long writes: pseudonymising, importing a REFI-QDA project)."""
from __future__ import annotations

import os
import signal

FAULT_ENV = "QUALCODE_FAULT_AT"
_counts: dict[str, int] = {}


def fault_point(name: str) -> None:
    """Kill this process here when the environment asks for it (see the module's text)."""
    spec = os.environ.get(FAULT_ENV)
    if not spec or not spec.startswith(name + ":"):
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] == int(spec.rsplit(":", 1)[1]):
        os.kill(os.getpid(), signal.SIGKILL)
