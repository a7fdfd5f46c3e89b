"""A progress bar for long marking runs: drawn (rich) on standard error when it is a terminal and the class is
large (more than LONG_CLASS students) or the run is slow (past LONG_SECONDS); otherwise nothing is drawn and rich
is not imported (it costs start-up, and a captured or piped stderr is no place for a bar)."""
from __future__ import annotations

import sys
import time
from typing import Callable, Iterable, Iterator, TypeVar

LONG_CLASS = 200
LONG_SECONDS = 2.0

T = TypeVar("T")


def progress_bar(stream=None, clock: Callable[[], float] = time.monotonic
                 ) -> Callable[[Iterable[T]], Iterator[T]] | None:
    """A wrapper for the students as they are marked (the same items out, a bar drawn on `stream`, standard error
    by default), or None when `stream` is not a terminal."""
    stream = sys.stderr if stream is None else stream
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if not terminal:
        return None
    return lambda items: _shown(list(items), stream, clock)


def _shown(items: list, stream, clock) -> Iterator:
    total, started, bar = len(items), clock(), None
    try:
        for done, item in enumerate(items):
            if bar is None and (total > LONG_CLASS or clock() - started > LONG_SECONDS):
                bar = _Bar(stream, total, done)
            yield item
            if bar is not None:
                bar.advance()
    finally:
        if bar is not None:
            bar.stop()


class _Bar:
    def __init__(self, stream, total: int, done: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        # transient: the bar goes once the class is marked, leaving stderr to the summary and messages
        self.progress = Progress(TextColumn("marking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                 console=Console(file=stream), transient=True)
        self.task = self.progress.add_task("marking", total=total, completed=done)
        self.progress.start()

    def advance(self) -> None:
        self.progress.advance(self.task)

    def stop(self) -> None:
        self.progress.stop()
