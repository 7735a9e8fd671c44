"""Pairing runs of two arms (:func:`simulator.analysis.paired_runs`), which contrasts,
sensitivity's ``arm - baseline`` rows and scenario discovery's contrasts all start from:
checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.analysis import contrasts, paired_runs

RUNS = pd.DataFrame(
    {
        "arm": ["a", "a", "a", "b", "b", "b"],
        "point": [1, 0, 0, 0, 1, 1],
        "replication": [0, 0, 1, 1, 0, 1],
        "poster": [0.5, 0.1, 0.2, 0.6, 0.9, 0.3],
        "t50": [9.0, 7.0, 8.0, 5.0, np.nan, 6.0],
    }
)
"""Arm a ran (1, 0), (0, 0) and (0, 1); arm b (0, 1), (1, 0) and (1, 1): two pairs."""


def test_the_runs_of_a_point_and_replication_in_both_arms_are_paired() -> None:
    base, other = paired_runs(RUNS, "a", "b", ["poster", "t50"])
    assert list(base.index) == [(1, 0), (0, 1)]  # the baseline's order; (0, 0), (1, 1) alone
    assert list(other.index) == list(base.index)
    assert base["poster"].tolist() == [0.5, 0.2] and other["poster"].tolist() == [0.9, 0.6]
    assert base["t50"].tolist() == [9.0, 8.0]
    assert other["t50"].isna().tolist() == [True, False]  # kept: what it means is the caller's
    assert list(other.columns) == ["poster", "t50"]


def test_pairs_follow_their_keys_not_the_rows_order() -> None:
    """The contrasts of a table read in any row order are the same (to rounding)."""
    runs = pd.DataFrame(
        [
            {"point": p, "arm": arm, "replication": r, "poster": 0.1 * p + 0.01 * r + d}
            for p in range(3)
            for arm, d in (("a", 0.0), ("b", 0.05))
            for r in range(4)
        ]
    )
    runs.loc[(runs["arm"] == "b") & (runs["replication"] == 3), "poster"] += 0.2
    shuffled = runs.sample(frac=1.0, random_state=3)
    for pooled in (False, True):
        one, two = (contrasts(t, ["a", "b"], ["poster"], pooled=pooled) for t in (runs, shuffled))
        np.testing.assert_allclose(two["mean_diff"], one["mean_diff"], rtol=1e-12)
        np.testing.assert_allclose(two["ci_low"], one["ci_low"], rtol=1e-12)
    # by hand: 0.05 in each pair, 0.25 in replication 3: mean 0.1 at every point
    assert one["mean_diff"].iloc[0] == pytest.approx(0.1)
    assert one["n"].iloc[0] == 12


def test_a_run_twice_in_one_arm_is_refused_not_paired_many_to_many() -> None:
    table = pd.DataFrame(
        {
            "arm": ["a", "a", "a", "b", "b"],
            "point": 0,
            "replication": [0, 1, 1, 1, 0],
            "poster": [0.2, 0.4, 0.45, 0.5, 0.9],
        }
    )
    with pytest.raises(ValueError, match=r"arm 'a' has more than one run at point, replication"):
        paired_runs(table, "a", "b", ["poster"])
