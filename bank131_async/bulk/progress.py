"""Progress of a run: the :class:`Progress` snapshots the runner reports, and two reporters.

>>> runner = BulkRunner(bank, journal, batch_id="b1", on_progress=print)     # doctest: +SKIP

:func:`reporter` picks a ``rich`` progress bar when the output is a terminal and ``rich`` is
installed (``pip install 'bank131-async[bulk]'``), and otherwise a plain line every few
seconds (logs, CI). Both are context managers whose ``update`` is an ``on_progress`` callback.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from types import TracebackType
from typing import IO, Any, Protocol

from attrs import frozen

from .results import Outcome

__all__ = ["PlainProgress", "Progress", "ProgressReporter", "reporter"]


@frozen(kw_only=True)
class Progress:
    """Where the batch stands. ``done`` counts final items, those of earlier runs included;
    ``counts`` splits ``done`` (and this run's ``unknown``) by outcome."""

    batch_id: str
    phase: str  # "loading", "paying", "finished"
    total: int
    done: int
    in_flight: int
    counts: Mapping[str, int]
    elapsed: float
    #: Items this run finished, and how fast.
    processed: int

    @property
    def rate(self) -> float:
        """Items this run finished per second."""
        return self.processed / self.elapsed if self.elapsed > 0 else 0.0

    def describe(self) -> str:
        """One line for humans: the phase, counts by outcome, the pace."""
        if self.phase == "loading":
            return f"loading batch {self.batch_id}"
        parts = [f"{o}: {self.counts.get(o, 0)}" for o in Outcome if self.counts.get(o, 0)]
        return (
            f"{self.phase} {self.done}/{self.total}, {self.in_flight} in flight, "
            f"{self.rate:.1f}/s" + (f" ({', '.join(parts)})" if parts else "")
        )


class ProgressReporter(Protocol):
    def __enter__(self) -> ProgressReporter: ...

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def update(self, progress: Progress) -> None: ...


class PlainProgress:
    """One line to ``stream`` at most every ``every`` seconds, and one at the end."""

    def __init__(self, stream: IO[str] | None = None, every: float = 5.0) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._every = every
        self._last = -math.inf
        self._latest: Progress | None = None

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._latest is not None:
            self._write(self._latest)

    def update(self, progress: Progress) -> None:
        """Take the latest progress; print it if ``every`` seconds have passed since the last line."""
        self._latest = progress
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            self._write(progress)

    def _write(self, progress: Progress) -> None:
        print(progress.describe(), file=self._stream, flush=True)


class _RichProgress:
    """A ``rich`` bar: done/total, payouts/s, outcomes so far."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self._bar = Bar(
            TextColumn("[bold]{task.fields[phase]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[outcomes]}"),
            console=Console(file=stream),
            transient=False,
        )
        self._task: Any = None

    def __enter__(self) -> _RichProgress:
        self._bar.__enter__()
        self._task = self._bar.add_task("bulk", total=None, phase="loading", rate="", outcomes="")
        return self

    def __exit__(self, *exc: Any) -> None:
        self._bar.__exit__(*exc)

    def update(self, progress: Progress) -> None:
        outcomes = " ".join(
            f"{o}={progress.counts.get(o, 0)}" for o in Outcome if progress.counts.get(o, 0)
        )
        self._bar.update(
            self._task,
            total=progress.total or None,
            completed=progress.done,
            phase=progress.phase,
            rate=f"{progress.rate:.0f}/s",
            outcomes=outcomes,
        )


def reporter(stream: IO[str] | None = None) -> AbstractContextManager[Any]:
    """A ``rich`` bar on a terminal (if ``rich`` is installed), else :class:`PlainProgress`."""
    out = stream if stream is not None else sys.stderr
    if out.isatty():
        try:
            return _RichProgress(out)
        except ImportError:
            pass
    return PlainProgress(out)
