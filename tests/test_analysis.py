"""Paired contrasts, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulator.analysis import paired_differences


def test_paired_difference_by_hand() -> None:
    outcomes = pd.DataFrame(
        {
            "arm": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2, 0, 1, 2],
            "poster": [0.1, 0.2, 0.3, 0.2, 0.4, 0.3],  # differences 0.1, 0.2, 0.0
            "t10": [5.0, np.nan, 7.0, 6.0, 8.0, 9.0],  # pair 1 dropped: differences 1, 2
        }
    )
    table = paired_differences(outcomes, ["a", "b"], metrics=["poster", "t10"])
    poster = table[table["metric"] == "poster"].iloc[0]
    assert poster["mean_diff"] == pytest.approx(0.1)
    sd = 0.1  # sample sd of (0.1, 0.2, 0.0)
    half = 4.302652729911275 * sd / np.sqrt(3)  # t(0.975, 2)
    assert poster["ci_low"] == pytest.approx(0.1 - half)
    assert poster["ci_high"] == pytest.approx(0.1 + half)
    assert poster["d_z"] == pytest.approx(1.0)
    assert poster["n"] == 3
    t10 = table[table["metric"] == "t10"].iloc[0]
    assert t10["n"] == 2 and t10["mean_diff"] == pytest.approx(1.5)
    assert t10["mean_baseline"] == pytest.approx(6.0) and t10["mean_arm"] == pytest.approx(7.5)


def test_a_single_pair_has_no_interval() -> None:
    outcomes = pd.DataFrame({"arm": ["a", "b"], "replication": [0, 0], "poster": [0.1, 0.3]})
    row = paired_differences(outcomes, ["a", "b"], metrics=["poster"]).iloc[0]
    assert row["mean_diff"] == pytest.approx(0.2)
    assert np.isnan(row["ci_low"]) and np.isnan(row["d_z"])
