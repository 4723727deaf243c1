"""Progress for long work: a rich bar on a terminal, a tqdm bar in a Jupyter notebook, and
nothing when stderr is neither (CI logs, pipes) or when the caller turns it off.

>>> list(progress_iter([1, 2, 3], "Counting"))   # stderr is no terminal under doctest
[1, 2, 3]
>>> with progress_note("Building a table"):
...     pass
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")


def display_kind() -> Optional[str]:
    """``"terminal"`` when stderr is a terminal, ``"notebook"`` inside a Jupyter kernel,
    else None (no progress is shown)."""
    if sys.stderr.isatty():
        return "terminal"
    shell = sys.modules.get("IPython")
    if shell is not None and "ipykernel" in sys.modules:
        ip = getattr(shell, "get_ipython", lambda: None)()
        if ip is not None and type(ip).__name__ == "ZMQInteractiveShell":
            return "notebook"
    return None


def progress_iter(items: Iterable[T], description: str, total: int | None = None,
                  enabled: bool = True) -> Iterator[T]:
    """Yield ``items`` while showing a progress bar (see :func:`display_kind`)."""
    kind = display_kind() if enabled else None
    if kind is None:
        yield from items
        return
    total = total if total is not None else _len(items)
    if kind == "notebook":
        # tqdm's plain bar: it needs no widget library, and a notebook redraws its line
        from tqdm import tqdm

        with tqdm(items, desc=description, total=total, file=sys.stderr, leave=False) as bar:
            yield from bar
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)


@contextmanager
def progress_note(message: str, enabled: bool = True) -> Iterator[None]:
    """Show ``message`` while a one-off piece of work runs (a spinner on a terminal, a line
    in a notebook)."""
    kind = display_kind() if enabled else None
    if kind == "terminal":
        from rich.console import Console

        with Console(stderr=True).status(message):
            yield
        return
    if kind == "notebook":
        print(message, file=sys.stderr, flush=True)
    yield


def _len(items) -> int | None:
    try:
        return len(items)
    except TypeError:
        return None
