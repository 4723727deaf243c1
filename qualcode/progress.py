"""Progress bars for long work: rich on a terminal, silent otherwise (CI logs, notebooks)."""
from __future__ import annotations

import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def progress_iter(items: Iterable[T], description: str, total: int | None = None,
                  enabled: bool = True) -> Iterator[T]:
    """Yield ``items`` while showing a progress bar on stderr when it is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task(description, total=total if total is not None else _len(items))
        for item in items:
            yield item
            bar.advance(task)


def _len(items) -> int | None:
    try:
        return len(items)
    except TypeError:
        return None
