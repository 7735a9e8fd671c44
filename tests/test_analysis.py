"""Paired contrasts, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import printed_in_a_fresh_process

from simulator import Params
from simulator.analysis import Z95, contrasts, paired_differences, summarise, t95


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


def two_settings() -> pd.DataFrame:
    """Two arms, two replications, at two settings of ``culture.openness`` (a swept axis)."""
    return pd.DataFrame(
        {
            "point": [0, 0, 0, 0, 1, 1, 1, 1],
            "culture.openness": [0.3] * 4 + [0.7] * 4,
            "arm": ["a", "a", "b", "b"] * 2,
            "replication": [0, 1] * 4,
            "poster": [0.1, 0.2, 0.3, 0.3, 0.5, 0.6, 0.5, 0.9],
        }
    )


def test_pairs_that_are_not_unique_are_refused_with_the_column_that_tells_them_apart() -> None:
    outcomes = two_settings()
    with pytest.raises(ValueError, match=r"arm 'a' has 2 more run\(s\).*on=\('point', 'repl"):
        paired_differences(outcomes, ["a", "b"], ["poster"])
    pooled = paired_differences(outcomes, ["a", "b"], ["poster"], on=("point", "replication"))
    assert pooled["n"].tolist() == [4] and pooled["mean_diff"].iloc[0] == pytest.approx(0.15)
    mine = outcomes.drop(columns=["point", "culture.openness"]).assign(o=[3] * 4 + [7] * 4)
    with pytest.raises(ValueError, match="the parameter that differs"):
        paired_differences(mine, ["a", "b"], ["poster"])


def test_an_arm_or_column_not_in_the_outcomes_is_named() -> None:
    outcomes = two_settings()
    with pytest.raises(ValueError, match=r"arm 'bb' is not in the outcomes.*'a', 'b'"):
        paired_differences(outcomes, ["a", "bb"], ["poster"], on=("point", "replication"))
    # partial results of a sweep: an arm not run yet has no pairs, and says so
    assert contrasts(outcomes, ["a", "bb"], ["poster"])["n"].tolist() == [0, 0]
    with pytest.raises(ValueError, match="no column 'posts'"):
        paired_differences(outcomes, ["a", "b"], ["posts"], on=("point", "replication"))
    with pytest.raises(ValueError, match="no column 'unit'"):
        summarise(outcomes, by=["unit"])


def test_summarise_groups_by_the_columns_a_table_has() -> None:
    """A model's own outcomes have no design point: the arms alone group them."""
    outcomes = two_settings().drop(columns=["point", "culture.openness"])
    table = summarise(outcomes, metrics=["poster"])
    assert table["arm"].tolist() == ["a", "b"]
    assert table["mean"].tolist() == pytest.approx([0.35, 0.5]) and table["n"].tolist() == [4, 4]
    with pytest.raises(ValueError, match="has no arm: pass by="):
        summarise(outcomes.drop(columns=["arm"]), metrics=["poster"])


def test_the_t_quantile_is_scipy_stats_own() -> None:
    """``t95`` gives ``scipy.stats.t.ppf(0.975, df)`` bit for bit (NaN where df <= 0), and
    ``Z95`` the normal's 97.5 % quantile, without importing scipy.stats for them."""
    from scipy import stats

    df = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 9.0, 29.0, 349.0, 1e4, 1e7, np.nan])
    assert np.array_equal(t95(df), stats.t.ppf(0.975, df), equal_nan=True)
    assert t95(2) == pytest.approx(4.302652729911275)  # the table's value
    assert stats.norm.ppf(0.975) == Z95
    series = pd.Series([2.0, 349.0], index=[7, 9])
    assert t95(series).index.tolist() == [7, 9]


def test_reading_results_and_plotting_them_leave_scipy_stats_out() -> None:
    """The report, the analysis and the sweep's plots import without ``scipy.stats`` (about
    half a second); SALib loads it only for a sensitivity design."""
    code = (
        "import sys\n"
        "import simulator.report, simulator.analysis, simulator.sweep_plots\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    assert printed_in_a_fresh_process(code) == ["False"]


def test_one_name_alone_is_one_column_not_its_letters() -> None:
    """paired_differences(outcomes, arms, "poster") said: no column 'p', 'o', 's', 't', ..."""
    outcomes = two_settings()
    keys = {"on": ("point", "replication")}
    one = paired_differences(outcomes, ["a", "b"], "poster", on=("point", "replication"))
    assert one.equals(paired_differences(outcomes, ["a", "b"], ["poster"], **keys))
    assert summarise(outcomes, by="arm", metrics="poster").equals(
        summarise(outcomes, by=["arm"], metrics=["poster"])
    )
    assert contrasts(outcomes, ["a", "b"], "poster").equals(
        contrasts(outcomes, ["a", "b"], ["poster"])
    )
    with pytest.raises(ValueError, match=r"two arms are in the outcomes: pass two or more"):
        paired_differences(outcomes, "a", "poster", on="replication")


def test_a_run_read_twice_from_the_files_is_refused_with_what_to_keep() -> None:
    """Read straight from the Parquet files, a run retried on resume has a row per attempt:
    summarise counted it twice and contrasts failed with pandas' reindex error."""
    outcomes = two_settings().assign(attempt=0, status="ok")
    again = pd.concat([outcomes, outcomes.iloc[[2]].assign(attempt=1)], ignore_index=True)
    last = "keep each run's last attempt, as simulator.results.load does"
    for call in (
        lambda: summarise(again, metrics=["poster"]),
        lambda: contrasts(again, ["a", "b"], ["poster"]),
        lambda: paired_differences(again, ["a", "b"], "poster", on=["point", "replication"]),
    ):
        with pytest.raises(
            ValueError, match=rf"1 run\(s\) more than once .*attempts 0, 1\): {last}"
        ):
            call()
    assert summarise(outcomes, metrics=["poster"])["n"].tolist() == [2, 2, 2, 2]
    # two folders' runs put together, told apart by a column of the user's: taken
    both = pd.concat([outcomes.assign(folder="x"), outcomes.assign(folder="y")])
    by = ["folder", "arm"]
    assert summarise(both, by=by, metrics=["poster"])["n"].tolist() == [4, 4, 4, 4]


def deepest_by_hand(levels: pd.DataFrame) -> list[float]:
    """Each replication's deepest level with at least 10 % posters in the last week, NaN if
    none, read off the per-level table."""
    last = levels[levels["step"] == levels["step"].max()]
    return [
        float(reps.loc[reps["poster"] >= 0.1, "level"].max())
        for _, reps in last.groupby("replication")
    ]


def test_deepest_level_is_missing_when_no_level_reached_ten_percent_and_not_averaged() -> None:
    from simulator.model import OrgModel
    from simulator.params import Params

    runs = []
    for strategy, steps in (("none", 1), ("model", 30)):
        params = Params().with_updates(
            {"org.size": 200, "steps": steps, "leaders.strategy": strategy}
        )
        model = OrgModel(params, rng=[1, 2], agents=False).run()
        got = model.outcomes()["deepest_level"].tolist()
        np.testing.assert_array_equal(got, deepest_by_hand(model.levels()))
        runs.append(model.outcomes().assign(arm=strategy))
    outcomes = pd.concat(runs, ignore_index=True)
    assert outcomes.loc[outcomes["arm"] == "none", "deepest_level"].isna().all()
    reached = outcomes.loc[outcomes["arm"] == "model", "deepest_level"]
    assert reached.notna().all() and (reached >= 1).all()
    table = summarise(outcomes, by=["arm"], metrics=["deepest_level"]).set_index("arm")
    assert table.loc["none", "n"] == 0 and np.isnan(table.loc["none", "mean"])
    assert table.loc["model", "n"] == 2 and table.loc["model", "mean"] == reached.mean()


def test_arms_listed_twice_a_table_of_arms_and_a_misspelt_outcome_are_named() -> None:
    outcomes = pd.DataFrame(
        {
            "arm": ["model"] * 3 + ["delegate"] * 3,
            "replication": [0, 1, 2] * 2,
            "poster": [0.3, 0.4, 0.5, 0.1, 0.2, 0.2],
        }
    )
    with pytest.raises(ValueError, match=r"arm 'model' is listed more than once"):
        paired_differences(outcomes, ["model", "model", "delegate"], ["poster"])
    with pytest.raises(ValueError, match=r"'delegate', 'model' is listed more than once"):
        paired_differences(outcomes, outcomes["arm"], ["poster"])  # the column, not the arms
    with pytest.raises(TypeError, match=r"a list of names.*not a DataFrame"):
        paired_differences(outcomes, outcomes, ["poster"])
    with pytest.raises(ValueError, match=r"no column 'point': .* use paired_differences"):
        contrasts(outcomes, ["model", "delegate"], ["poster"])
    sweep = outcomes.assign(point=0)
    for misspelt in (
        lambda: summarise(sweep, metrics=["posters"]),
        lambda: contrasts(sweep, ["model", "delegate"], ["posters"]),
    ):
        with pytest.raises(ValueError, match=r"no outcome 'posters' \(did you mean 'poster'\?\)"):
            misspelt()
    # an outcome this table lacks (not run, or a partial folder) is still left out
    assert summarise(sweep, metrics=["poster", "t10"])["metric"].unique().tolist() == ["poster"]


def test_the_outcome_names_are_those_a_run_gives() -> None:
    from simulator.analysis import OUTCOMES
    from simulator.model import OrgModel
    from simulator.params import Params

    model = OrgModel(Params().with_updates({"org.size": 50, "steps": 2}), rng=1, agents=False)
    columns = model.run().outcomes().columns.tolist()
    assert columns == ["replication", *OUTCOMES]


def milestone_runs() -> pd.DataFrame:
    """Two arms, two replications: weeks to 50 % posting 20 and 50 (arm a), 10 and 12 (b),
    final shares posting 0.9 and 0.1 (a), 0.3 and 0.05 (b)."""
    return pd.DataFrame(
        {
            "point": [0, 0, 0, 0],
            "arm": ["a", "a", "b", "b"],
            "replication": [0, 1, 0, 1],
            "t50": [20.0, 50.0, 10.0, 12.0],
            "poster": [0.9, 0.1, 0.3, 0.05],
            "deepest_level": [2.0, 3.0, 3.0, 3.0],
            "posts": [400.0, 10.0, 20.0, 410.0],
        }
    )


def test_milestone_and_level_intervals_stop_at_the_horizon_and_the_deepest_level() -> None:
    """A sweep of 52 weeks reported t10 with n = 2 and ci_high = 126.94: weeks to a
    milestone cannot be more than the horizon, nor a level deeper than the organisation."""
    runs = milestone_runs()
    runs.attrs.update(steps=52, levels=4)  # (a folder's horizon and number of levels)
    table = summarise(runs, by=["arm"], metrics=["t50", "deepest_level", "posts"])
    row = table.set_index(["arm", "metric"])
    # arm a, t50: mean 35, sd 21.21, t(0.975, 1) = 12.706: 35 -/+ 190.6, cut to 0..52
    assert row.loc[("a", "t50"), "mean"] == pytest.approx(35.0)
    assert (row.loc[("a", "t50"), "ci_low"], row.loc[("a", "t50"), "ci_high"]) == (0.0, 52.0)
    # arm b, t50: 11 -/+ 12.706: cut at 0 only
    assert row.loc[("b", "t50"), "ci_high"] == pytest.approx(11.0 + 12.706204736)
    assert row.loc[("a", "deepest_level"), "ci_high"] == 3.0  # 2.5 + 6.35, cut at level 3
    assert row.loc[("a", "posts"), "ci_high"] > 2000  # (a count: no bound above)
    # horizons by arm, as a scenario whose arms set steps has them
    runs.attrs["steps"] = {"a": 30, "b": 52}
    row = summarise(runs, by=["arm"], metrics=["t50"]).set_index("arm")
    assert row.loc["a", "ci_high"] == 30.0
    # a swept horizon is a column of the outcomes; pooled, the group's longest horizon
    swept = milestone_runs().assign(steps=[40, 60, 40, 60])  # (t50 = 50 in a 60-week run)
    row = summarise(swept, by=["arm"], metrics=["t50"]).set_index("arm")
    assert row.loc["a", "ci_high"] == 60.0
    # no horizon known (a table built by hand): cut at 0 only, as before
    assert summarise(milestone_runs(), by=["arm"], metrics=["t50"])["ci_high"].iloc[0] > 200


def test_paired_differences_stop_at_what_a_difference_can_be() -> None:
    """The LHS report showed "Share posting -19.6 pp [-103.1 pp, +63.9 pp]": a difference of
    two shares is within -1 and 1, of two milestones within minus and plus the horizon."""
    runs = milestone_runs()
    runs.attrs["steps"] = 52
    table = paired_differences(runs, ["a", "b"], ["poster", "t50", "posts"]).set_index("metric")
    # poster: differences -0.6 and -0.05, mean -0.325, sd 0.389, half 12.706 x 0.275 = 3.49
    assert table.loc["poster", "mean_diff"] == pytest.approx(-0.325)
    assert (table.loc["poster", "ci_low"], table.loc["poster", "ci_high"]) == (-1.0, 1.0)
    # t50: differences -10 and -38, mean -24, half 12.706 x 14 = 177.9: cut to -52..52
    assert (table.loc["t50", "ci_low"], table.loc["t50", "ci_high"]) == (-52.0, 52.0)
    # posts (a count, no upper bound): differences -380 and 400, 10 -/+ 12.706 x 390
    assert table.loc["posts", "ci_low"] == pytest.approx(10 - 12.706204736 * 390)
    assert table.loc["posts", "ci_high"] == pytest.approx(10 + 12.706204736 * 390)
    # horizons by arm: baseline a's 30 weeks below, arm b's 52 above
    runs.attrs["steps"] = {"a": 30, "b": 52}
    t50 = paired_differences(runs, ["a", "b"], ["t50"]).iloc[0]
    assert (t50["ci_low"], t50["ci_high"]) == (-30.0, 52.0)
    # per design point and pooled, as the report's tables and forest plot draw them
    runs.attrs["steps"] = 52
    for table in (
        contrasts(runs, ["a", "b"], ["poster", "t50"]),
        contrasts(runs, ["a", "b"], ["poster", "t50"], pooled=True),
    ):
        bounds = table.set_index("metric")[["ci_low", "ci_high"]]
        assert bounds.loc["poster"].tolist() == [-1.0, 1.0]
        assert bounds.loc["t50"].tolist() == [-52.0, 52.0]


def test_every_interval_holds_its_mean_and_stays_within_the_outcomes_bounds() -> None:
    """Property over random small tables: the cut interval still holds the mean."""
    rng = np.random.default_rng(5)
    for _ in range(30):
        n = int(rng.integers(2, 5))
        runs = pd.DataFrame(
            {
                "point": 0,
                "arm": np.repeat(["a", "b"], n),
                "replication": np.tile(np.arange(n), 2),
                "poster": rng.random(2 * n),
                "t10": rng.integers(0, 21, 2 * n).astype(float),
            }
        )
        runs.attrs["steps"] = 20
        summary = summarise(runs, metrics=["poster", "t10"])
        assert (summary["ci_low"] <= summary["mean"]).all()
        assert (summary["mean"] <= summary["ci_high"]).all()
        assert (summary["ci_low"] >= 0).all()
        most = summary["metric"].map({"poster": 1.0, "t10": 20.0})
        assert (summary["ci_high"] <= most).all()
        paired = contrasts(runs, ["a", "b"], ["poster", "t10"])
        assert (paired["ci_low"] <= paired["mean_diff"]).all()
        assert (paired["mean_diff"] <= paired["ci_high"]).all()
        most = paired["metric"].map({"poster": 1.0, "t10": 20.0})
        assert (paired["ci_low"] >= -most).all() and (paired["ci_high"] <= most).all()


def test_the_horizon_of_each_arm_is_read_from_a_resolved_scenario() -> None:
    from simulator.analysis import horizons

    resolved = {
        "base": {"org.size": 150, "steps": 40},
        "arms": {"model": {"leaders.strategy": "model"}, "short": {"steps": 12}},
    }
    assert horizons(resolved) == {"model": 40, "short": 12}
    assert horizons({"base": {}, "arms": {"base": {}}}) == {"base": Params().steps}
