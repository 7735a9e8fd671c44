"""What a sweep prints as it goes (simulator.sweep_progress)."""

from __future__ import annotations

import io

import pytest

import simulator.sweep_progress as sweep_progress
from simulator.sweep_progress import Progress


def test_the_rate_counts_from_the_first_call_not_from_before_the_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers started and set-ups checked (100 s here) before the runs do not slow the
    rate or stretch the ETA: 4 runs in the 2 s after the first call are 2 runs/s, and the
    4 left take 2 s more."""
    now = [0.0]
    monkeypatch.setattr(sweep_progress.time, "perf_counter", lambda: now[0])
    out = io.StringIO()
    bar = Progress("demo", stream=out)  # made before the workers start
    now[0] = 100.0
    bar(0, 8)  # the runs start
    now[0] = 102.0
    bar(4, 8)
    assert out.getvalue().splitlines()[-1] == "demo: 4/8 runs (50 %), 2.0 runs/s, ETA 2 s"
