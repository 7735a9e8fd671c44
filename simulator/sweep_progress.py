"""A sweep in words: its progress as it goes (:class:`Progress`), what it did
(:class:`SweepSummary`), and durations (:func:`duration`). :mod:`simulator.sweep` re-exports
every name here.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class SweepSummary:
    """Counts of a sweep call: runs planned, already finished before it, done and failed in
    it, and tasks resubmitted after their worker was lost."""

    planned: int
    skipped: int
    done: int
    failed: int
    seconds: float
    resubmitted: int = 0
    executor: str = ""

    def __str__(self) -> str:
        """What the sweep did, in words (its repr has every field).

        >>> print(SweepSummary(planned=150, skipped=30, done=119, failed=1, seconds=2.302))
        119 runs done, 1 failed, 30 already done, in 2 s
        """
        lost = (
            f" ({self.resubmitted} task(s) resubmitted after a lost worker)"
            if self.resubmitted
            else ""
        )
        return (
            f"{self.done:,} runs done, {self.failed:,} failed, {self.skipped:,} already done,"
            f" in {duration(self.seconds)}{lost}"
        )


class Progress:
    """Runs done, rate and ETA: a bar on a terminal, plain lines (every ~10 %) elsewhere.

    The clock starts at the first call (``done`` 0, as the runs start), so that the rate and
    the ETA are those of the runs, as :class:`SweepSummary`'s time is, without the time taken
    before them to start the workers and check the set-ups.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progress("demo", stream=out)
    >>> bar(0, 4); bar(4, 4)
    >>> print(out.getvalue().splitlines()[0])
    demo: 0/4 runs (0 %), 0.0 runs/s, ETA ?
    """

    def __init__(self, label: str, skipped: int = 0, stream: Any = None) -> None:
        self.label = label
        self.skipped = skipped
        self.stream = stream or sys.stderr
        self.bar: Any = None
        self.start: float | None = None  # (at the first call)
        self.last_line = -1

    def __call__(self, done: int, total: int) -> None:
        if total == 0:
            return
        if self.start is None:
            self.start = time.perf_counter()
        if self.stream.isatty():
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="run", desc=self.label, file=self.stream)
            self.bar.n = done
            self.bar.refresh()
            if done >= total:
                self.bar.close()
            return
        decile = (10 * done) // max(total, 1)
        if decile == self.last_line and done < total:
            return
        self.last_line = decile
        elapsed = time.perf_counter() - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else float("nan")
        skipped = f", {self.skipped} already done" if self.skipped else ""
        print(
            f"{self.label}: {done}/{total} runs ({100 * done / max(total, 1):.0f} %)"
            f"{skipped}, {rate:.1f} runs/s, ETA {duration(eta)}",
            file=self.stream,
            flush=True,
        )


def duration(seconds: float) -> str:
    """A duration in words: ``under a second``, ``42 s``, ``12 min``, ``3.5 h`` (``?``: unknown)."""
    if not np.isfinite(seconds):
        return "?"
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
