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
from typing import Callable, Iterable, Iterator, Optional, TypeVar

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
def progress_counter(description: str, total: int, enabled: bool = True) -> Iterator[Callable[[int], None]]:
    """A progress bar advanced by hand: yields ``advance(n)``, for work done in batches.

    >>> with progress_counter("Tokenising", total=3) as advance:
    ...     advance(2); advance(1)
    """
    kind = display_kind() if enabled else None
    if kind is None:
        yield lambda n: None
    elif kind == "notebook":
        from tqdm import tqdm

        with tqdm(desc=description, total=total, file=sys.stderr, leave=False) as bar:
            yield bar.update
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda n: bar.advance(task, n)


@contextmanager
def progress_note(message: str, enabled: bool = True) -> Iterator[None]:
    """Say ``message`` (on stderr, when progress is shown) before a one-off piece of work."""
    # A plain line: on a terminal a live progress bar (rich redirects stderr) keeps it above.
    if (display_kind() if enabled else None) is not None:
        print(message, file=sys.stderr, flush=True)
    yield


def _len(items) -> int | None:
    try:
        return len(items)
    except TypeError:
        return None
