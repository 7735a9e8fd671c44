"""Figures: what they claim about the runs drawn."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection

from simulator import OrgModel, Params
from simulator.plots import (
    ARM_PALETTE,
    DIFFERENCE_COLOUR,
    STAGE_COLOURS,
    STAGE_LABELS,
    STRATEGY_COLOURS,
    adoption_curves,
    arm_colours,
    compare_figure,
    org_chart,
    poster_difference,
    run_figure,
)

PARAMS = Params().with_updates({"org.size": 80, "steps": 6})


def runs(arm: str = "model") -> list[pd.DataFrame]:
    params = PARAMS.with_updates({"leaders.strategy": arm})
    return [OrgModel(params, rng=seed, agents=False).run().series() for seed in range(3)]


def test_runs_stacked_without_numbers_are_refused_not_drawn_as_one() -> None:
    """Each run's series says replication 0: stacked, they were drawn as "one run"."""
    stacked = pd.concat(runs())
    with pytest.raises(ValueError, match=r"week 0 of replication 0 appears more than once"):
        adoption_curves(stacked)
    with pytest.raises(ValueError, match="appears more than once"):
        poster_difference(stacked, stacked)
    numbered = pd.concat(s.assign(replication=i) for i, s in enumerate(runs()))
    legend = adoption_curves(numbered).axes[0].get_legend()
    assert legend.get_title().get_text() == "median of 3 runs, band 10-90 %"
    paired = poster_difference(
        numbered, pd.concat(s.assign(replication=i) for i, s in enumerate(runs("delegate")))
    )
    assert len(paired) == 3 * 7  # 3 pairs x weeks 0-6


def test_bands_stop_where_the_metric_does() -> None:
    """A t interval over two runs of a share reached -17 % and 156 %; it is drawn to 0-100 %."""
    from simulator.sweep_plots import outcome_vs_parameter

    summary = pd.DataFrame(
        {
            "point": [0, 1],
            "culture.openness": [0.3, 0.7],
            "arm": ["model", "model"],
            "metric": ["poster", "poster"],
            "n": [2, 2],
            "mean": [0.14, 0.9],
            "ci_low": [-0.17, 0.5],
            "ci_high": [0.46, 1.56],
        }
    )
    ax = outcome_vs_parameter(summary, "culture.openness", "poster").axes[0]
    (band,) = ax.collections
    y = band.get_paths()[0].vertices[:, 1]
    assert y.min() == 0.0 and y.max() == 1.0


def chain_levels(depth: int) -> pd.DataFrame:
    """Per-level rows of one run over 3 weeks: one person a level, level k posting from k."""
    rows = [
        {"step": t, "replication": 0, "level": k, "people": 1, "poster": float(t >= k)}
        for t in range(3)
        for k in range(depth)
    ]
    return pd.DataFrame(rows)


def test_a_deep_hierarchy_gets_a_colour_scale_not_a_legend_entry_per_level() -> None:
    """A 500-level chain took 13 s to lay out a 500-entry legend over the lines."""
    from simulator.plots import MAX_LEVEL_LEGEND, level_panel

    shallow = level_panel(chain_levels(MAX_LEVEL_LEGEND))
    assert len(shallow.axes[0].get_legend().get_texts()) == MAX_LEVEL_LEGEND
    deep = level_panel(chain_levels(40))
    assert deep.axes[0].get_legend() is None and len(deep.axes) == 2  # the colour scale
    assert deep.axes[1].get_ylabel() == "Level (0 = top)"
    assert deep.axes[0].get_ylim()[1] > 1  # a level all posting is drawn inside the frame


@given(
    st.lists(
        st.sampled_from(["model", "delegate", "listen", "restrict", "none", "ceo", "nobody"]),
        unique=True,
        min_size=1,
    ).flatmap(st.permutations)
)
def test_an_arm_named_after_a_strategy_wears_its_colour_in_any_order(arms: list[str]) -> None:
    """Colours went by position: a scenario listing [arms.delegate] first drew delegation
    in modeling's green and modeling in delegation's purple."""
    colours = arm_colours(arms)
    assert list(colours) == arms and len(set(colours.values())) == len(arms)
    for arm in arms:
        if arm in STRATEGY_COLOURS:
            assert colours[arm] == STRATEGY_COLOURS[arm]
    assert STRATEGY_COLOURS["model"] == "#009E73" and STRATEGY_COLOURS["delegate"] == "#CC79A7"
    others = set(STRATEGY_COLOURS.values()) - {colours[a] for a in arms if a in STRATEGY_COLOURS}
    assert "none" not in arms or colours["none"] not in others  # no strategy wears another's


def test_other_arms_take_the_free_colours_in_order() -> None:
    assert arm_colours(["nobody", "ceo"]) == {"nobody": ARM_PALETTE[0], "ceo": ARM_PALETTE[1]}
    assert arm_colours(["ceo", "model"]) == {"ceo": ARM_PALETTE[1], "model": ARM_PALETTE[0]}
    # the same strategy in both arms: a darker shade of it on the right (the next free
    # colour, delegation's purple, read as delegation)
    page = arm_colours(["model (left)", "model (right)"])
    assert page == {"model (left)": ARM_PALETTE[0], "model (right)": "#00573F"}
    assert arm_colours(["x (left)", "x (right)"]) == {  # (no strategy: free colours)
        "x (left)": ARM_PALETTE[0],
        "x (right)": ARM_PALETTE[1],
    }


def test_arms_wear_no_stage_colour_up_to_four_arms() -> None:
    """On the workshop page an arm in the listeners' blue read as the listeners."""
    colours = set(arm_colours(["model", "delegate", "listen", "none"]).values())
    assert len(colours) == 4
    assert colours.isdisjoint({*STAGE_COLOURS.values(), DIFFERENCE_COLOUR})


def test_the_figures_name_what_they_take_when_given_something_else() -> None:
    """Natural mistakes gave errors from inside the figures: 'OrgModel' object has no
    attribute 'manager'; a boolean index of the wrong size; a stacked-runs message for
    swapped tables; 'list indices must be integers' for a list of series."""
    model = OrgModel(Params().with_updates({"org.size": 40, "steps": 4}), rng=2).run()
    stages = [p.stage for p in model.people]
    drawn = org_chart(model)  # the model: its organisation, coloured by this week's stages
    counts = sorted(c.get_label() for c in drawn.axes[0].collections if c.get_label()[0] != "_")
    expected = sorted(
        f"{STAGE_LABELS[s]} ({stages.count(s)})" for s in ("non_user", "listener", "poster")
    )
    assert counts == expected
    with pytest.raises(ValueError, match=r"stage has 1 entries for 40 people"):
        org_chart(model.org, stage=["poster"])
    with pytest.raises(ValueError, match=r"stage 'posting': each must be one of"):
        org_chart(model.org, stage=["posting"] * 40)
    with pytest.raises(ValueError, match=r"levels is the table of model\.levels\(\)"):
        run_figure(model.levels(), model.series(), "swapped")
    with pytest.raises(TypeError, match=r"by name, e\.g\. \{'model': s1.*got a list"):
        compare_figure([model.series(), model.series()])  # type: ignore[arg-type]


def test_a_small_difference_gets_ticks_that_tell_it_apart() -> None:
    """Differences under a point had every tick of the difference panel read '0%'."""
    a, b = (
        pd.concat([r.assign(replication=k) for k, r in enumerate(runs(arm))], ignore_index=True)
        for arm in ("listen", "restrict")
    )
    fig = compare_figure({"listen": a, "restrict": b})
    ax = fig.axes[-1]
    ax.set_ylim(-0.004, 0.006)
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(set(ticks)) == len(ticks) > 2, ticks


def test_a_figure_given_the_wrong_table_names_the_table_it_draws() -> None:
    from simulator.plots import adoption_curves, level_panel

    model = OrgModel(Params().with_updates({"org.size": 60, "steps": 2}), rng=1).run()
    with pytest.raises(TypeError, match=r"adoption_curves draws the table of model.series\(\)"):
        adoption_curves(model.outcomes())  # (it lacks 'step')
    with pytest.raises(TypeError, match=r"model.series\(\).*; got a list"):
        adoption_curves([model.series()])
    with pytest.raises(TypeError, match=r"level_panel .* \(it lacks 'level', 'people'\)"):
        level_panel(model.series())
    with pytest.raises(TypeError, match=r"adoption_curves .* \(a row per level: model.levels"):
        adoption_curves(model.levels())  # (it said: several runs stacked)


def test_a_log_axis_is_labelled_with_the_swept_values_in_plain_numbers() -> None:
    """A log axis over 2, 4, 8 read '2x10^0 3x10^0 ...' in the report."""
    from simulator.sweep_plots import outcome_vs_parameter

    axis = "responses.leader_criticism_multiplier"
    summary = pd.DataFrame(
        {
            axis: [2.0, 4.0, 8.0],
            "arm": ["model"] * 3,
            "metric": ["poster"] * 3,
            "n": [3, 3, 3],
            "mean": [0.4, 0.3, 0.2],
            "ci_low": [0.35, 0.25, 0.15],
            "ci_high": [0.45, 0.35, 0.25],
        }
    )
    ax = outcome_vs_parameter(summary, axis, "poster", log=True).axes[0]
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "4", "8"]
    assert not any(t.get_text() for t in ax.get_xticklabels(minor=True))
    # forty values over four decades: the decades labelled, not every minor tick
    many = pd.concat([summary.iloc[[0]]] * 40, ignore_index=True)
    many[axis] = np.geomspace(0.01, 100, 40)
    ax = outcome_vs_parameter(many, axis, "poster", log=True).axes[0]
    ax.figure.canvas.draw()
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert set(shown) <= {"0.001", "0.01", "0.1", "1", "10", "100", "1000"}, shown
    assert not any(t.get_text() for t in ax.get_xticklabels(minor=True))


def test_a_true_false_axis_is_two_categories_not_a_number_scale() -> None:
    """delegation.followed = [true, false] was drawn on a 0.0-1.0 scale, a line joining them."""
    from simulator.sweep_plots import outcome_vs_parameter

    axis = "delegation.followed"
    summary = pd.DataFrame(
        {
            "point": [0, 0, 1, 1],
            axis: [True, True, False, False],
            "arm": ["model", "delegate"] * 2,
            "metric": "poster",
            "n": 3,
            "mean": [0.4, 0.2, 0.38, 0.05],
            "ci_low": [0.3, 0.1, 0.3, 0.02],
            "ci_high": [0.5, 0.3, 0.46, 0.08],
        }
    )
    ax = outcome_vs_parameter(summary, axis, "poster", arms=["model", "delegate"]).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["True", "False"]  # design order
    joined = [ln for ln in ax.lines if len(ln.get_xdata()) > 1 and ln.get_linestyle() != "None"]
    assert not joined  # markers with intervals: no line from one category to the other
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]  # nor a band
    # the same as a text axis: the categories at 0 and 1, half a slot of room either side
    assert list(ax.get_xticks()) == [0, 1] and ax.get_xlim() == (-0.5, 1.5)


@pytest.mark.parametrize("count", [2, 3, 4])
def test_panel_titles_fit_their_panels_and_the_figure(count: int) -> None:
    """Titles of two swept values ran past their panel: '... followed = Tru', off the figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from simulator.sweep_plots import arm_curves

    series = pd.DataFrame(
        [
            {"point": p, "arm": arm, "replication": 0, "step": t, "poster": 0.1 * t}
            for p in range(count)
            for arm in ("model", "delegate")
            for t in range(3)
        ]
    )
    labels = {
        p: f"responses.leader_criticism_multiplier = {p + 0.25}, delegation.followed = False"
        for p in range(count)
    }
    fig = arm_curves(series, arms=["model", "delegate"], point_labels=labels)
    FigureCanvasAgg(fig).draw()
    shown = [ax for ax in fig.axes if ax.get_visible()]
    boxes = [ax.title.get_window_extent() for ax in shown]
    for ax, box in zip(shown, boxes, strict=True):
        assert ax.title.get_text().replace("\n", " ") == labels[shown.index(ax)]  # all of it
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, ax.title.get_text()
        assert fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1, ax.title.get_text()
    for a, b in pairwise(boxes):  # neighbours in a row do not overlap
        assert not a.overlaps(b) or abs(a.y0 - b.y0) > 1, (a, b)


def test_the_band_note_of_a_panel_stays_within_the_panel_and_under_its_title() -> None:
    """The report's panels against each swept parameter (two axes: each panel the mean over
    the other): the note 'mean of design points, band: ... over the other axes', centred on
    a panel narrower than it, ran past the panel to the figure's right edge."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from simulator.sweep_plots import outcome_vs_parameter

    summary = pd.DataFrame(
        [
            {
                "culture.openness": x,
                "culture.policy": policy,
                "point": 2 * i + j,
                "arm": arm,
                "metric": "poster",
                "n": 4,
                "mean": 0.1 + 0.1 * x,
                "ci_low": 0.05,
                "ci_high": 0.2 + 0.1 * x,
            }
            for i, x in enumerate((0.1, 0.5, 0.9))
            for j, policy in enumerate(("open", "restrictive"))
            for arm in ("model", "delegate")
        ]
    )
    fig = Figure(figsize=(10.6, 5.2), layout="constrained")
    panels = fig.subplots(1, 2)
    for ax, axis in zip(panels, ("culture.openness", "culture.policy"), strict=True):
        outcome_vs_parameter(summary, axis, "poster", ax=ax, legend=False)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    for ax in panels:
        (note,) = ax.texts
        assert "over the other axes" in note.get_text()
        box, title = note.get_window_extent(renderer), ax.title.get_window_extent()
        assert ax.bbox.x0 - 1 <= box.x0 and box.x1 <= ax.bbox.x1 + 1, (box, ax.bbox)  # over it
        assert box.y1 <= title.y0 + 1  # under the title, not over it


# -- arm curves by a swept parameter ----------------------------------------------------------
def grouped_series() -> pd.DataFrame:
    """Two arms, two axes on a 3 x 2 grid, two runs a point: each run's share in week t is
    t times its own rate, the rate ``x + policy + arm + run`` in hundredths (``x`` in 1, 2, 3;
    ``policy`` 0 or 0.1; ``b`` 0.2 above ``a``; run 0 or 0.05), so the median over a
    panel's runs is worked by hand."""
    rows = []
    point = 0
    for x in (1, 2, 3):
        for policy in (0.0, 0.1):
            for arm, lift in (("a", 0.0), ("b", 0.2)):
                for rep, extra in ((0, 0.0), (1, 0.05)):
                    rate = (x + policy + lift + extra) / 100
                    rows += [
                        {
                            "point": point,
                            "arm": arm,
                            "replication": rep,
                            "step": t,
                            "poster": rate * t,
                            "x.y": x,
                            "p.q": policy,
                        }
                        for t in range(4)
                    ]
            point += 1
    return pd.DataFrame(rows)


def drawn(ax: Axes) -> dict[str, np.ndarray]:
    """The lines of a panel by arm: their y values."""
    return {str(line.get_label()): np.asarray(line.get_ydata()) for line in ax.lines}


def test_arm_curves_by_a_parameter_draw_a_panel_per_value_with_the_median_of_its_runs() -> None:
    """Pooled over all design points, the median curve mixed x = 1 with x = 3. By x: a panel
    per value, each line the median of exactly that value's runs (both policies pooled)."""
    from simulator.sweep_plots import arm_curves

    series = grouped_series()
    fig = arm_curves(series, arms=["a", "b"], by="x.y")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [f"x.y = {x} (2 points)" for x in (1, 2, 3)]
    t = np.arange(4)
    for ax, x in zip(panels, (1, 2, 3), strict=True):
        lines = drawn(ax)
        # four runs per arm: rates x, x + 0.05, x + 0.1, x + 0.15 (hundredths): median x + 0.075
        assert np.allclose(lines["a"], (x + 0.075) / 100 * t)
        assert np.allclose(lines["b"], (x + 0.275) / 100 * t)
        mine = series[(series["x.y"] == x) & (series["arm"] == "a")]
        assert np.allclose(lines["a"], mine.groupby("step")["poster"].median())
    assert len({ax.get_ylim() for ax in panels}) == 1  # one y scale: the panels compare
    note = fig.legends[0].get_title().get_text().replace("\n", " ")
    assert "4 runs per arm and panel, pooled over the other swept axes" in note
    by_policy = arm_curves(series, arms=["a", "b"], by="p.q")
    titles = [ax.get_title() for ax in by_policy.axes if ax.get_visible()]
    assert titles == ["p.q = 0 (3 points)", "p.q = 0.1 (3 points)"]
    # six runs of a at policy 0: rates 1, 1.05, 2, 2.05, 3, 3.05: median 2.025
    assert np.allclose(drawn(by_policy.axes[0])["a"], 0.02025 * t)


def test_arm_curves_by_a_sampled_parameter_draw_a_panel_per_bin_of_equal_counts() -> None:
    """A sampled design (12 distinct values): four bins of three design points each, titled
    with the range of their values, each line the median of the runs in its bin."""
    from simulator.sweep_plots import arm_curves

    values = np.array([0.05, 0.12, 0.2, 0.31, 0.38, 0.45, 0.52, 0.6, 0.7, 0.81, 0.9, 0.97])
    order = np.random.default_rng(4).permutation(12)  # design points in no order
    series = pd.DataFrame(
        [
            {
                "point": p,
                "arm": "a",
                "replication": 0,
                "step": t,
                "poster": values[k] * t,
                "culture.openness": values[k],
            }
            for p, k in enumerate(order)
            for t in range(3)
        ]
    )
    fig = arm_curves(series, arms=["a"], by="culture.openness")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [
        "culture.openness 0.05–0.20 (3 points)",
        "culture.openness 0.31–0.45 (3 points)",
        "culture.openness 0.52–0.70 (3 points)",
        "culture.openness 0.81–0.97 (3 points)",
    ]
    for ax, middle in zip(panels, values[1::3], strict=True):  # the median of three: the middle
        assert np.allclose(drawn(ax)["a"], middle * np.arange(3))
    note = fig.legends[0].get_title().get_text().replace("\n", " ")
    assert "pooled over the design points in each of 4 bins of culture.openness" in note
    two = arm_curves(series, arms=["a"], by="culture.openness", bins=2)
    assert [ax.get_title() for ax in two.axes if ax.get_visible()] == [
        "culture.openness 0.05–0.45 (6 points)",
        "culture.openness 0.52–0.97 (6 points)",
    ]
    with pytest.raises(ValueError, match=r"no 'org.span' column.*results.with_axes"):
        arm_curves(series, by="org.span")


def test_neighbouring_bins_titles_do_not_read_as_overlapping() -> None:
    """Bins 1.10-3.71 and 3.84-6.24 of a range 1-12 were titled "1–4" and "4–6": the
    decimals grow until neighbouring bins' ends differ."""
    from simulator.sweep_plots import arm_curves

    values = np.array([1.1, 2.0, 3.71, 3.84, 5.0, 6.24, 6.3, 7.5, 8.6, 8.7, 10.0, 12.0])
    series = pd.DataFrame(
        [
            {"point": k, "arm": "a", "replication": 0, "step": t, "poster": 0.01 * t, "m.x": v}
            for k, v in enumerate(values)
            for t in range(2)
        ]
    )
    titles = [ax.get_title() for ax in arm_curves(series, by="m.x").axes if ax.get_visible()]
    assert titles == [
        "m.x 1.1–3.7 (3 points)",
        "m.x 3.8–6.2 (3 points)",
        "m.x 6.3–8.6 (3 points)",
        "m.x 8.7–12.0 (3 points)",
    ]


def test_a_whole_number_axis_is_ticked_at_its_swept_values() -> None:
    """leaders.levels swept over 1-4 was ticked at 1.5, 2.5 and 3.5 as well."""
    from simulator.sweep_plots import outcome_vs_parameter

    for values in ([1, 2, 3, 4], [1.0, 2.0, 3.0, 4.0]):  # (a float column of whole numbers)
        summary = pd.DataFrame(
            {
                "point": range(4),
                "leaders.levels": values,
                "arm": "model",
                "metric": "poster",
                "n": 3,
                "mean": [0.1, 0.2, 0.3, 0.4],
                "ci_low": [0.05, 0.15, 0.25, 0.35],
                "ci_high": [0.15, 0.25, 0.35, 0.45],
            }
        )
        ax = outcome_vs_parameter(summary, "leaders.levels", "poster").axes[0]
        ax.figure.canvas.draw()
        assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    "arms",
    [
        ["model", "delegate", "listen", "restrict", "none"],
        ["model", "delegate", "listen", "restrict", "none", "ceo", "c_suite", "champions"],
        ["leaders_first_then_everyone_else", "no_example_at_all", "middle", "ceo_loud"],
    ],
)
def test_the_arms_legend_lies_within_the_figure(arms: list[str]) -> None:
    """Five arms in one row under one panel: 'model' cut on the left, 'none' off the right
    edge (its swatch alone showed), the note cut at both ends."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from simulator.plots import arm_legend
    from simulator.sweep_plots import arm_curves, sensitivity_bars

    series = pd.DataFrame(
        [
            {"point": p, "arm": arm, "replication": r, "step": t, "poster": 0.01 * t * (k + 1)}
            for p in range(8)  # pooled: one panel, the narrowest figure
            for k, arm in enumerate(arms)
            for r in range(2)
            for t in range(3)
        ]
    )
    table = pd.DataFrame(
        [
            {
                "method": "morris",
                "arm": arm,
                "metric": "poster",
                "parameter": name,
                "mu_star": 0.1,
                "mu_star_conf": 0.02,
            }
            for arm in arms
            for name in ("culture.openness", "org.span")
        ]
    )
    shared = Figure(figsize=(6.0, 4.0), layout="constrained")
    shared.subplots()
    arm_legend(shared, arms, "line: median, band: 10-90 % of the runs of each panel")
    for fig in (arm_curves(series, arms=arms), sensitivity_bars(table, arms=arms), shared):
        FigureCanvasAgg(fig).draw()
        (legend,) = fig.legends
        texts = [legend.get_title(), *legend.get_texts()]
        assert sorted(t.get_text() for t in legend.get_texts()) == sorted(arms)  # all named
        for text in texts:
            box = text.get_window_extent()
            assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, text.get_text()
            assert fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1, text.get_text()
        # in scenario order along the rows (a row's names: within a few pixels of height)
        boxes = {t.get_text(): t.get_window_extent() for t in legend.get_texts()}
        read = sorted(arms, key=lambda a: (-round(boxes[a].y0 / 8), boxes[a].x0))
        assert read == arms


# -- a scenario's own outcomes and its listed order --------------------------------------------
OWN_SHARE = {"poster_w4": {"label": "Share posting, week 4", "unit": "share", "kind": "share"}}
"""The measure of ``[outcomes] poster_w4 = { series = "poster", at = 4 }`` as a results
folder's ``outcomes.attrs["measures"]`` carries it."""


def test_a_scenarios_own_share_is_drawn_in_percent_as_poster_is() -> None:
    """Given its measure, ``poster_w4`` is a share: a percentage axis, cells of 40%, a
    difference in percentage points, its own label; without it, a plain number."""
    from matplotlib.ticker import PercentFormatter

    from simulator.sweep_plots import forest_plot, heatmap, outcome_vs_parameter

    summary = pd.DataFrame(
        {
            "point": [0, 1, 2, 3],
            "x.a": [0.1, 0.1, 0.9, 0.9],
            "x.b": [1, 2, 1, 2],
            "arm": "model",
            "metric": "poster_w4",
            "n": 3,
            "mean": [0.4, 0.5, 0.6, 0.7],
            "ci_low": [0.3, 0.4, 0.5, 0.6],
            "ci_high": [0.5, 0.6, 0.7, 0.8],
        }
    )
    ax = outcome_vs_parameter(summary, "x.a", "poster_w4", measures=OWN_SHARE).axes[0]
    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    assert ax.get_ylabel() == "Share posting, week 4"
    plain = outcome_vs_parameter(summary, "x.a", "poster_w4").axes[0]
    assert not isinstance(plain.yaxis.get_major_formatter(), PercentFormatter)
    shown = heatmap(summary, "x.a", "x.b", "poster_w4", measures=OWN_SHARE).axes[0]
    assert sorted(t.get_text() for t in shown.texts) == ["40%", "50%", "60%", "70%"]
    plain_cells = heatmap(summary, "x.a", "x.b", "poster_w4").axes[0]
    assert sorted(t.get_text() for t in plain_cells.texts) == ["0.4", "0.5", "0.6", "0.7"]
    contrasts = summary.assign(baseline="none", mean_diff=summary["mean"] - 0.5)
    contrasts = contrasts.drop(columns="mean").assign(ci_low=-0.2, ci_high=0.3)
    forest = forest_plot(contrasts, "poster_w4", measures=OWN_SHARE).axes[0]
    assert forest.get_xlabel() == ("Paired difference in share posting, week 4 (percentage points)")
    xs = np.concatenate([line.get_xdata() for line in forest.lines])
    assert xs.min() == pytest.approx(-20.0) and xs.max() == pytest.approx(30.0)  # (the CI)


POLICIES = ["open", "neutral", "restrictive"]


@pytest.fixture(scope="module")
def policy_sweep(tmp_path_factory: pytest.TempPathFactory) -> object:
    """A tiny Latin hypercube over listed values: 8 points of ``culture.policy`` (listed
    open, neutral, restrictive) and ``delegation.followed`` (true, false), drawn (seed 2)
    so that each first appears in another order: neutral, restrictive, open; false, true."""
    from simulator.results import load
    from simulator.scenario import parse_scenario
    from simulator.sweep import sweep

    data = {
        "scenario": {"name": "policy", "seed": 2, "replications": 1, "steps": 3},
        "params": {"org": {"size": 30}},
        "axes": [
            {"param": "culture.policy", "values": POLICIES},
            {"param": "delegation.followed", "values": [True, False]},
        ],
        "design": {"kind": "lhs", "samples": 8},
    }
    out = tmp_path_factory.mktemp("policy") / "res"
    sweep(parse_scenario(data, source="policy.toml")[1], out, workers=1)
    return load(out)


def test_text_and_true_false_values_are_drawn_in_the_order_the_scenario_lists_them(
    policy_sweep: object,
) -> None:
    from simulator.analysis import summarise
    from simulator.results import Results, axis_order
    from simulator.sweep_plots import arm_curves, heatmap, outcome_vs_parameter

    assert isinstance(policy_sweep, Results)
    summary = summarise(policy_sweep.outcomes)
    order = axis_order(policy_sweep.manifest)
    assert order == {"culture.policy": POLICIES, "delegation.followed": [True, False]}
    policy, followed = "culture.policy", "delegation.followed"
    first = list(pd.unique(summary[policy]))
    assert first == ["neutral", "restrictive", "open"]  # (what was drawn before)
    assert list(pd.unique(summary[followed])) == [False, True]
    ax = outcome_vs_parameter(summary, policy, "poster", order=order).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == POLICIES
    # each marker over its own value: the mean of that value's design points
    rows = summary[summary["metric"] == "poster"]
    markers = ax.containers[0].lines[0]  # (the errorbar's data line)
    at = dict(zip(np.round(markers.get_xdata()).astype(int), markers.get_ydata(), strict=True))
    want = rows.groupby(policy)["mean"].mean()
    assert sorted(at) == [0, 1, 2]
    assert np.allclose([at[k] for k in range(3)], [want[p] for p in POLICIES])
    unordered = outcome_vs_parameter(summary, policy, "poster").axes[0]
    assert [t.get_text() for t in unordered.get_xticklabels()] == first  # (no order given)
    ax = outcome_vs_parameter(summary, followed, "poster", order=order).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["True", "False"]
    grid = heatmap(summary, policy, followed, "poster", order=order).axes[0]
    assert [t.get_text() for t in grid.get_xticklabels()] == POLICIES
    assert [t.get_text() for t in grid.get_yticklabels()] == ["True", "False"]
    weekly = policy_sweep.with_axes(policy_sweep.series)
    fig = arm_curves(weekly, "poster", by=policy, order=order)
    titles = [a.get_title() for a in fig.axes if a.get_visible()]
    assert [t.split(" (")[0] for t in titles] == [f"{policy} = {p}" for p in POLICIES]


def test_the_report_draws_a_sampled_category_in_the_listed_order(
    policy_sweep: object, tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report passes the scenario's order to the figures: the categories of its
    figures against each parameter, and of its curves by parameter, read as listed."""
    import shutil
    from pathlib import Path

    from simulator import sweep_plots
    from simulator.report import write_report
    from simulator.results import Results

    assert isinstance(policy_sweep, Results)
    seen: dict[str, list[list[str]]] = {"vs": [], "curves": []}
    vs, curves = sweep_plots.outcome_vs_parameter, sweep_plots.arm_curves

    def vs_seen(summary: pd.DataFrame, axis: str, metric: str, **kw: object) -> object:
        fig = vs(summary, axis, metric, **kw)  # type: ignore[arg-type]
        if axis == "culture.policy":
            seen["vs"].append([t.get_text() for t in kw["ax"].get_xticklabels()])  # type: ignore[union-attr]
        return fig

    def curves_seen(series: pd.DataFrame, metric: str = "poster", **kw: object) -> object:
        fig = curves(series, metric, **kw)  # type: ignore[arg-type]
        if kw.get("by") == "culture.policy":
            seen["curves"].append([a.get_title() for a in fig.axes if a.get_visible()])
        return fig

    monkeypatch.setattr(sweep_plots, "outcome_vs_parameter", vs_seen)
    monkeypatch.setattr(sweep_plots, "arm_curves", curves_seen)
    folder = Path(tmp_path) / "res"  # (a copy: the report writes into the folder)
    shutil.copytree(policy_sweep.path, folder)
    write_report(folder)
    assert seen["vs"] == [POLICIES]
    for titles in seen["curves"]:
        assert [t.split(" (")[0] for t in titles] == [f"culture.policy = {p}" for p in POLICIES]


def test_a_category_whose_point_means_are_equal_is_drawn() -> None:
    """Three design points of 0.1 posting at one value: their mean, rounded, lay 1e-17
    above their 90th percentile, and matplotlib refused the negative error bar (the report
    of a Latin hypercube over listed values failed)."""
    from simulator.sweep_plots import outcome_vs_parameter

    summary = pd.DataFrame(
        {
            "point": range(6),
            "culture.policy": ["open", "neutral"] * 3,
            "arm": "model",
            "metric": "poster",
            "n": 1,
            "mean": [0.1, 0.7] * 3,
            "ci_low": np.nan,
            "ci_high": np.nan,
        }
    )
    ax = outcome_vs_parameter(summary, "culture.policy", "poster").axes[0]
    markers = ax.containers[0].lines[0]  # (the errorbar's data line)
    at = dict(zip(np.round(markers.get_xdata()).astype(int), markers.get_ydata(), strict=True))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["open", "neutral"]
    assert np.allclose([at[0], at[1]], [0.1, 0.7])
