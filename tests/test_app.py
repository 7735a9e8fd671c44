"""The workshop app without a browser: pairing, layout, controls, presets, guesses, the CLI."""

from __future__ import annotations

import io
import itertools
import math
import os
import socket
import subprocess
import sys
import threading
import time
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simulator.app import address, charts, controls, orgfile, page, presets
from simulator.app.blit import Blit, full_draw
from simulator.app.orgfile import fixed_paths, read_chart
from simulator.app.orgview import STAGE_RGBA, OrgView, hierarchy_layout, preorder
from simulator.app.paired import PairedRun, fingerprint
from simulator.app.predict import Guess, GuessError, made, percent, verdict
from simulator.app.server import asset_dir, check_ready
from simulator.app.session import Session, Setup
from simulator.app.table import LEAD, csv_name, run_csv, run_table
from simulator.cli import main
from simulator.model import OrgModel
from simulator.orgchart import build_org
from simulator.paramdoc import bounds
from simulator.params import STRATEGIES, OrgParams, Params, field_info
from simulator.plots import arm_colours
from simulator.scenario import flatten
from simulator.seeds import run_seed

ROOT = Path(__file__).resolve().parents[1]
SMALL = Params().with_updates({"org.size": 150, "steps": 6})


# -- pairing ---------------------------------------------------------------------------------
def test_arms_are_paired_and_equal_the_single_runs() -> None:
    """At seed 5 each arm is the single run from ``run_seed(5, 0, 0)``: replication 0 of
    ``orgsim compare --seed 5`` (tests/test_seed_convention.py), not the run of ``rng=5``."""
    run = PairedRun.start(SMALL, seed=5).step(6)
    assert run.paired and run.done and run.week == 6
    for k, arm in enumerate(run.arms):
        params = SMALL.with_updates({"leaders.strategy": arm})
        alone = OrgModel(params, rng=run_seed(5, 0, 0), agents=False).run()
        assert fingerprint(alone.org) == run.fingerprints[k]
        assert np.array_equal(alone.state.stage[0], run.current(k).stage)
        series = alone.series()["poster"].to_numpy()
        assert np.allclose(series, run.poster_curves()[k])


def test_the_same_strategy_in_both_arms_is_told_apart_by_side() -> None:
    """Both arms 'model' shared one colour, one legend entry and one guess label."""
    run = PairedRun.start(SMALL, seed=5, arms=("model", "model")).step(2)
    assert run.arms == ("model (left)", "model (right)")
    colours = arm_colours(run.arms)
    assert len(set(colours.values())) == 2
    assert np.array_equal(run.current(0).stage, run.current(1).stage)  # the same run twice
    # the right one a darker shade of the strategy's colour, not another strategy's
    assert (colours["model (left)"], colours["model (right)"]) == ("#009E73", "#00573F")
    texts = [label.get_text() for label in charts.Curves(run).labels]  # name over share
    assert [" ".join(t.split("\n")[:-1]) for t in texts] == list(run.arms)
    legend = charts.Levels(run).figure.axes[0].get_legend()
    assert [t.get_text().replace("\n", " ") for t in legend.get_texts()] == list(run.arms)


def _linear(colour: str) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


SEEN_BY = {  # linear-RGB matrices of colour vision (Machado, Oliveira & Fernandes 2009)
    "normal": np.eye(3),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    ),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
         [-0.003882, -0.048116, 1.051998]]
    ),
}  # fmt: skip


def _lch(colour: str, seen_by: str = "normal") -> tuple[float, float, float]:
    """CIE L*C*h (D65) of a ``#RRGGBB`` colour as seen with ``seen_by`` vision."""
    rgb = np.clip(SEEN_BY[seen_by] @ _linear(colour), 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = xyz @ rgb / (xyz @ np.ones(3))
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    a, b = 500 * (f[0] - f[1]), 200 * (f[1] - f[2])
    return 116 * f[1] - 16, math.hypot(a, b), math.degrees(math.atan2(b, a)) % 360


def _contrast(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two colours."""
    lum = sorted(
        float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(c)) for c in (colour, background)
    )
    return (lum[1] + 0.05) / (lum[0] + 0.05)


def _apart(one: str, other: str, seen_by: str = "normal") -> float:
    """Euclidean distance in CIELAB (CIE76) of two colours as seen with ``seen_by`` vision."""
    (l1, c1, h1), (l2, c2, h2) = _lch(one, seen_by), _lch(other, seen_by)
    dh = math.radians(h1 - h2)
    return math.sqrt((l1 - l2) ** 2 + c1**2 + c2**2 - 2 * c1 * c2 * math.cos(dh))


def test_strategy_colours_stand_apart_from_the_stage_colours_on_white() -> None:
    """Listening (orange) and restricting (sky blue) were pale on the white page (contrast
    2.3:1) and, from the back of the room, read as the org view's posters (vermillion) and
    listeners (blue): every arm the page can show, a second shade of the same strategy on the
    right included, is readable on white (3:1, the least for large text and graphics) and
    differs from each stage colour in hue (30 degrees), lightness (25) or chroma (30), from
    the grey of the non-users by its colour (chroma 20) or lightness, and, with red-green colour
    blindness too, from the stage colours and the other strategies' colours."""
    from simulator.plots import STAGE_COLOURS

    shown: dict[str, str] = {}
    for left in STRATEGIES:
        for right in STRATEGIES:
            arms = PairedRun.start(SMALL, arms=(left, right)).arms if left == right else None
            shown.update(arm_colours(arms or (left, right)))
    assert {*STRATEGIES} <= shown.keys() and len(set(shown.values())) == 2 * len(STRATEGIES)
    for arm, colour in shown.items():
        assert _contrast(colour) >= 3.0, (arm, colour, _contrast(colour))
        lightness, chroma, hue = _lch(colour)
        for stage, stage_colour in STAGE_COLOURS.items():
            sl, sc, sh = _lch(stage_colour)
            if sc < 5:  # grey
                assert chroma >= 20 or abs(lightness - sl) >= 25, (arm, colour, stage)
            else:
                turned = abs((hue - sh + 180) % 360 - 180)
                assert turned >= 30 or abs(lightness - sl) >= 25 or abs(chroma - sc) >= 30, (
                    arm, colour, stage, turned, lightness - sl, chroma - sc
                )  # fmt: skip
            for seen_by in ("deuteranopia", "protanopia"):
                assert _apart(colour, stage_colour, seen_by) >= 9, (arm, stage, seen_by)
    for one, other in itertools.combinations(STRATEGIES, 2):
        for seen_by in SEEN_BY:
            assert _apart(shown[one], shown[other], seen_by) >= 12, (one, other, seen_by)


def test_snapshots_record_posts_and_criticism_of_the_week() -> None:
    params = SMALL.with_updates({"responses.criticism_rate": 0.5, "steps": 4})
    run = PairedRun.start(params, seed=2).step(4)
    model = run.models[0]
    posted = sum(int(s.posted.sum()) for s in run.history[0])
    criticised = sum(int(s.criticised.sum()) for s in run.history[0])
    assert posted > 0 and criticised > 0
    # at most once a week per person: the weekly marks never exceed the counters
    assert posted <= int(model.state.posts[0].sum())
    assert criticised <= int(model.state.criticised[0].sum())
    assert not run.history[0][0].posted.any()  # week 0: nothing happened yet


def test_no_steps_beyond_the_horizon() -> None:
    run = PairedRun.start(SMALL, seed=1).step(100)
    assert run.week == SMALL.steps


def test_another_seed_gives_another_org() -> None:
    a, b = PairedRun.start(SMALL, seed=1), PairedRun.start(SMALL, seed=2)
    assert a.fingerprints[0] != b.fingerprints[0]


# -- the org view ----------------------------------------------------------------------------
def test_layout_rows_are_levels_and_units_are_contiguous() -> None:
    org = build_org(OrgParams(size=1500), np.random.default_rng(3))
    layout = hierarchy_layout(org)
    for level in range(org.levels):  # a level's rows lie above the next level's
        if level + 1 < org.levels:
            assert layout.y[org.level == level].min() > layout.y[org.level == level + 1].max()
    # within a row, left to right, each unit is one block
    for y in np.unique(layout.y):
        row = np.flatnonzero(layout.y == y)
        units = org.unit[row[np.argsort(layout.x[row])]]
        changes = np.flatnonzero(np.diff(units)) + 1
        assert len(set(units)) == len(changes) + 1
    assert np.all((layout.x > 0) & (layout.x < 1))
    assert sorted(preorder(org)) == list(range(org.n))


def test_org_view_recolours_by_stage() -> None:
    run = PairedRun.start(SMALL, seed=1).step(3)
    marks = run.marks()
    view = OrgView(run.org, marks["leader"], marks["strategy0"], marks["delegate0"])
    before = view.png()
    snap = run.current(0)
    view.update(np.full_like(snap.stage, 2), snap.posted, snap.criticised)
    assert view.png() != before
    assert marks["strategy0"].any() and marks["delegate1"].any()


def pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def test_org_view_marks_each_person_in_their_stage_colour() -> None:
    run = PairedRun.start(SMALL, seed=1)
    marks = run.marks()
    view = OrgView(run.org, marks["leader"], marks["strategy0"], marks["delegate0"])
    n = run.org.n
    stage = np.arange(n) % 3  # every stage in every kind of mark
    posted = np.arange(n) % 5 == 0
    view.update(stage, posted, np.zeros(n, dtype=bool))
    image = pixels(view.png())
    height = image.shape[0]
    centres = view.ax.transData.transform(np.column_stack([view.layout.x, view.layout.y]))
    columns, rows = centres[:, 0].astype(int), (height - centres[:, 1]).astype(int)
    seen = image[rows, columns, :3]
    want = np.round(STAGE_RGBA[stage, :3] * 255)
    want[posted] = 255  # a white dot in the middle: posted this week
    assert np.array_equal(seen, want)


@pytest.mark.parametrize("people", [43, 150, 1500])
@pytest.mark.parametrize("inches", [(7.2, 3.8), (6.0, 2.2), (7.2, 4.5)])
def test_no_mark_of_the_org_view_is_cut_at_its_edges(people: int, inches: tuple) -> None:
    """A cross of criticism on the bottom row was cut in half: drawn without clipping, a
    view where everyone is marked (posted, criticised) must look the same as drawn."""
    params = Params().with_updates({"org.size": people, "org.span": 6, "org.units": 6})
    run = PairedRun.start(params, seed=1)
    marks = run.marks()
    view = OrgView(run.org, marks["leader"], marks["strategy1"], marks["delegate1"], size=inches)
    everyone = np.ones(people, dtype=bool)
    view.update(np.arange(people) % 3, everyone, everyone)
    drawn = full_draw(view.figure)
    for artist in view.ax.collections:
        artist.set_clip_on(False)
    assert np.array_equal(full_draw(view.figure), drawn)
    assert marks["delegate1"].any() and marks["strategy1"].any()  # every kind of mark


@pytest.mark.parametrize("size", [1500, 20_000])  # the workshop's usual and the page's largest
def test_outlines_do_not_hide_the_stage_colours(size: int) -> None:
    """Everyone a poster, no one criticised: black comes only from the leaders' outlines, which
    must leave their colours to be seen. (At 20,000 people a fixed outline on a leader's
    square of 1.6 points made the leaders' band black: 21 % of the image against 7 % in the
    posters' colour.)"""
    run = PairedRun.start(Params().with_updates({"org.size": size}), seed=1)
    view = page.org_views(run)[0]
    nobody = np.zeros(size, dtype=bool)
    view.update(np.full(size, 2), nobody, nobody)
    image = pixels(view.png())[..., :3].astype(int)
    outline = (image.max(axis=2) < 80).mean()
    poster = (np.abs(image - np.round(STAGE_RGBA[2, :3] * 255)).sum(axis=2) < 60).mean()
    assert poster > 3 * outline, (poster, outline)
    if size <= 3000:  # the room's range: leaders still stand out by their outlines
        assert outline > 0


def test_org_view_frames_equal_full_draws() -> None:
    run = PairedRun.start(SMALL.with_updates({"responses.criticism_rate": 0.5}), seed=2).step(6)
    marks = run.marks()
    view = OrgView(run.org, marks["leader"], marks["strategy1"], marks["delegate1"])
    assert view.frames is not None
    for week in (6, 1, 3):  # the still image is drawn once, the marks of each week over it
        snap = run.history[1][week]
        view.update(snap.stage, snap.posted, snap.criticised)
        assert np.array_equal(pixels(view.png()), full_draw(view.figure))
    assert snap.criticised.any()


def test_live_charts_equal_charts_drawn_afresh() -> None:
    params = Setup.from_preset("open_culture").params().with_updates({"org.size": 150})
    run = PairedRun.start(params.with_updates({"steps": 30}), seed=1)
    guess = (0.3, None)
    live = charts.Live(run, guess)
    tops = set()
    while not run.done:
        run.step()
        curves, levels = live.png(run)
        assert np.array_equal(pixels(curves), full_draw(charts.curves(run, guess=guess)))
        assert np.array_equal(pixels(levels), full_draw(charts.levels(run)))
        tops.add(live.curves.top)
    assert len(tops) > 1  # the upper limit moved: the still image was drawn again


@pytest.mark.parametrize("window_height", [600, 720, 768, 900, 1080])
def test_the_charts_titles_stay_inside_the_charts(window_height: int) -> None:
    """At 720 pixels high a chart is 396 wide, and 'Share posting · week 52' ran 6 pixels
    past its right edge (its last digit cut)."""
    run = PairedRun.start(SMALL.with_updates({"steps": 52}), seed=1).step(52)
    size = charts.fitted(window_height)
    for chart in (charts.Curves(run, size=size), charts.Levels(run, size=size)):
        chart.figure.canvas.draw()
        title = chart.title
        box = title.get_window_extent()
        assert title.get_text().endswith(("week 52", "by level"))
        assert box.x0 >= 0 and box.x1 <= chart.figure.bbox.width, (title.get_text(), box)
    from matplotlib.figure import Figure  # on axes of one's own: the title over the axes

    mine = Figure(figsize=(6, 3), layout="constrained").add_subplot()
    assert charts.Curves(run, ax=mine).title.get_position()[0] == 0


@pytest.mark.parametrize("window_height", [720, 1080])
def test_the_charts_titles_clear_the_top_tick_label(window_height: int) -> None:
    """'Share posting by level' sat on its '100%' tick label, and a bar at 100 % touched it
    (the title 8 pixels above the axes, the label reaching 9 above them)."""
    run = PairedRun.start(SMALL.with_updates({"steps": 52}), seed=1).step(52)
    size = charts.fitted(window_height)
    for chart in (charts.Curves(run, size=size), charts.Levels(run, size=size)):
        chart.figure.canvas.draw()
        renderer = chart.figure.canvas.get_renderer()  # type: ignore[attr-defined]
        ax = chart.figure.axes[0]
        high = ax.get_ylim()[1]
        shown = [t for t in ax.get_yticklabels() if t.get_position()[1] <= high + 1e-9]
        top = max(shown, key=lambda t: t.get_position()[1])  # (the levels': 100 %, the top)
        label, title = top.get_window_extent(renderer), chart.title.get_window_extent(renderer)
        assert title.y0 >= label.y1 + 4, (chart.title.get_text(), title, label)
        assert title.y0 >= ax.bbox.y1 + 12  # a bar at the top keeps its distance
        assert title.y1 <= chart.figure.bbox.height  # and the title stays in the chart


def test_the_title_names_the_arms_shown() -> None:
    """The page's title read 'modeling vs delegation' whatever the arms (model vs none under
    the zappos preset)."""
    session = Session()
    session.apply(Setup.from_preset("zappos"))
    assert page.title(session.run.arms) == "orgsim workshop: model vs none"
    session.apply(session.setup.with_arm(1, "model"))
    assert page.title(session.run.arms) == "orgsim workshop: model (left) vs model (right)"


def test_the_speed_label_promises_no_more_than_the_page_plays() -> None:
    """'Speed: 19.5 weeks/s' while the page showed 7-10; and 'Speed: 1 weeks/s'."""
    from simulator.app.panels import speed_text

    assert speed_text(19.5) == "Speed: up to 19.5 weeks/s"
    assert speed_text(1.0) == "Speed: up to 1 week/s"
    assert speed_text(0.5) == "Speed: up to 0.5 weeks/s"


def test_the_legend_shows_managers_and_strategy_leaders_as_the_views_draw_them() -> None:
    """Every manager is a square in the views (about 280 of 1,000 people), but the legend
    said 'Leader'; the leaders acting the strategy, larger and thick outlined, were not in it."""
    from simulator.app.orgview import PEOPLE, legend_entries

    handles, labels = legend_entries()
    manager, leader = (handles[labels.index(name)] for name in ("Manager", "Strategy leader"))
    assert "Leader" not in labels
    assert manager.get_marker() == leader.get_marker() == PEOPLE[1][0] == PEOPLE[2][0] == "s"
    assert leader.get_markersize() > manager.get_markersize()  # as PEOPLE draws them
    assert leader.get_markeredgewidth() >= 2 * manager.get_markeredgewidth()
    org = build_org(OrgParams(size=1000), np.random.default_rng(1))
    assert 200 < int(np.asarray(org.is_leader).sum()) < 400  # the managers: many squares


class Ends:
    """A run whose curves end at the shares a test gives (all the curves' chart reads)."""

    def __init__(self, ends: tuple[float, float], arms: tuple[str, str]) -> None:
        self.arms, self.horizon, self.week = arms, 20, 20
        self.data = np.linspace(0, 1, 21)[None, :] * np.array(ends)[:, None]

    def poster_curves(self) -> np.ndarray:
        return self.data


@pytest.mark.parametrize("window_height", [720, 768, 1080])
@pytest.mark.parametrize("ends", [(0.52, 0.50), (0.52, 0.05), (0.0, 0.01), (0.3, 0.31)])
@pytest.mark.parametrize("arms", [("model", "delegate"), ("model (left)", "model (right)")])
def test_the_curves_end_labels_stay_under_the_title(
    window_height: int, ends: tuple[float, float], arms: tuple[str, str]
) -> None:
    """An arm's label (its name and share, right of its curve's end) was centred on the
    curve's end, up to the axes' top: half of it stood level with the chart's title."""
    from typing import cast

    run = cast(PairedRun, Ends(ends, arms))
    chart = charts.Curves(run, size=charts.fitted(window_height, column_width=600))
    chart.figure.canvas.draw()
    renderer = chart.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    axes, title = chart.ax.bbox, chart.title.get_window_extent(renderer)
    boxes = sorted(
        (label.get_window_extent(renderer) for label in chart.labels), key=lambda b: b.y0
    )
    assert boxes[0].y1 <= boxes[1].y0 + 1  # apart
    fit = boxes[0].height + boxes[1].height <= axes.height
    for box in boxes:
        assert box.y1 <= axes.y1 + 1 and box.y1 < title.y0, (box, axes, title)
        assert box.y0 >= axes.y0 - 1 or not fit, (box, axes)


def test_slides_moved_to_a_week_equal_slides_drawn_for_it() -> None:
    run = PairedRun.start(SMALL, seed=3).step(6)
    slide = charts.Slide(run, 0, dpi=40)
    frames = Blit(slide.figure, slide.moving)
    for week in (0, 4, 2, 6):
        slide.update(week)
        fresh = charts.Slide(run, week, dpi=40).figure
        assert np.array_equal(frames.pixels(key=slide.curves.top), full_draw(fresh))
        share = run.history[1][week].poster_share  # the titles are the week's, too
        assert slide.views[1].title.get_text() == f"{run.arms[1]} · {percent(share)} posting"


def test_exports_are_png_and_animated_gif() -> None:
    run = PairedRun.start(SMALL, seed=1).step(3)
    assert charts.slide_png(run, guess=(0.3, 0.1))[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    gif = Image.open(io.BytesIO(charts.animation(run)))
    assert gif.format == "GIF" and gif.n_frames == 4
    # the room's guess is marked on the animation as on the slide (it was left out)
    guessed = Image.open(io.BytesIO(charts.animation(run, guess=(0.3, 0.1))))
    frames = [np.array(im.convert("RGB")) for im in (gif, guessed)]
    assert frames[0].shape == frames[1].shape and not np.array_equal(*frames)


# -- the play loop ---------------------------------------------------------------------------
def test_play_loop_waits_for_a_week_rendered_by_another_thread_then_leaves_a_gap() -> None:
    """A week rendered by another thread (a render loop started by a click): the next week is
    stepped only once that one is shown, and not at once, so that thread's render loop ends
    and the page is sent (at the top speed it once never ended until the run did)."""
    shown = page.Shown()
    events: list[tuple[str, int, float]] = []
    renders: list[threading.Thread] = []
    weeks = iter(range(1, 5))

    def step() -> bool:
        week = next(weeks)
        events.append(("step", week, time.perf_counter()))
        return week == 4

    def changed() -> int:
        week = events[-1][1]

        def render() -> None:
            time.sleep(0.03)
            events.append(("shown", week, time.perf_counter()))
            shown.set(week)

        renders.append(threading.Thread(target=render))
        renders[-1].start()
        return week

    assert page.play_loop(step, changed, shown, threading.Event(), lambda: True, lambda: 0.0)
    for thread in renders:
        thread.join()
    order = [(kind, week) for kind, week, _ in events]
    assert order == [(k, w) for w in range(1, 5) for k in ("step", "shown")]
    gaps = [events[i + 1][2] - events[i][2] for i in range(1, 7, 2)]  # shown, then next step
    assert min(gaps) >= page.HANDOVER_GAP


def test_play_loop_stops_when_paused_before_it_steps() -> None:
    shown, steps = page.Shown(), []

    def step() -> bool | None:
        steps.append(len(steps))
        return None if len(steps) == 2 else len(steps) >= 3  # None: paused before stepping

    def changed() -> int:
        shown.set(len(steps))  # rendered in the loop's own thread
        return len(steps)

    assert not page.play_loop(step, changed, shown, threading.Event(), lambda: True, lambda: 0.0)
    assert steps == [0, 1]


# -- controls from the parameter definitions -------------------------------------------------
@pytest.mark.parametrize("path", controls.WORKSHOP)
def test_controls_come_from_the_fields(path: str) -> None:
    spec = controls.control(path)
    info = field_info(path)
    extra = info.json_schema_extra
    assert spec.label == extra["label"] and spec.unit == extra["unit"]
    assert spec.doc == info.description
    if spec.kind in ("int", "float"):
        lo, _, hi, _ = bounds(info)
        assert spec.low is not None and spec.high is not None
        assert lo is not None and lo <= spec.low < spec.high and (hi is None or spec.high <= hi)
        if path not in controls.ROOM_RANGE:
            assert (spec.low, spec.high) == (lo, hi)
        assert spec.low <= spec.default <= spec.high


def vuetify_shows(value: float, low: float, high: float, step: float) -> float:
    """The value Vuetify 2's slider shows, and sends back, for ``value`` (its ``internalValue``
    setter and ``roundValue``, as in ipyvuetify's bundle): clamped into the range, rounded to
    ``low % step + k * step`` and to the step's decimals as JavaScript writes the step."""
    v = min(max(value, low), high)
    if not step > 0:
        return v
    places = 0 if step < 1e-6 else max(0, -int(Decimal(repr(step)).normalize().as_tuple().exponent))
    offset = math.fmod(low, step)
    rounded = math.floor((v - offset) / step + 0.5) * step + offset
    return float(f"{min(rounded, high):.{places}f}")


NUMERIC = [p for p in controls.WORKSHOP if controls.control(p).kind in ("int", "float")]


@settings(max_examples=300)
@given(data=st.data(), path=st.sampled_from(NUMERIC))
def test_a_slider_keeps_every_value_the_page_takes(data: st.DataObject, path: str) -> None:
    """Typed values beyond a slider's range or off its step: the slider must not change them
    (the page applies what a slider sends back; a typed org.size = 10000 became 3,000)."""
    spec = controls.control(path)
    lo, _, hi, _ = bounds(field_info(path))
    assert lo is not None
    hi = min(hi if hi is not None else 1e9, controls.PAGE_LIMITS.get(path, 1e9))
    if spec.kind == "int":
        value: float = data.draw(st.integers(int(lo), int(hi)))
    else:
        places = data.draw(st.integers(0, 9))
        value = float(data.draw(st.decimals(lo, hi, places=places)))
    try:
        value = controls.current(controls.check({path: value}), path)
    except controls.SettingError:
        assume(False)
    low, high, step = spec.slider(value)
    assert vuetify_shows(value, low, high, step) == value
    if spec.low <= value <= spec.high:  # in the room's range: the room's slider
        assert (low, high) == (spec.low, spec.high)


def test_typed_settings_are_checked_by_the_parameter_model() -> None:
    assert controls.parse_setting("culture.openness = 0.7") == ("culture.openness", 0.7)
    assert controls.parse_setting("culture.policy = open") == ("culture.policy", "open")
    # a number typed in quotes is that number (its page limit compared the text: TypeError,
    # no message, and the last error stayed on the page)
    assert controls.parse_setting('org.size = "500"') == ("org.size", 500)
    for bad, words in [
        ("culture.openness = 7", "between 0 and 1"),
        ("culture.openess = 0.5", "did you mean 'culture.openness'"),
        ("org.size = 1000000", "at most 20,000"),
        ('org.size = "50000"', "at most 20,000"),
        ("nonsense", "path = value"),
        ("   ", "^Type a setting as path = value"),
        ("leaders.rules = [{who: all}]", r"not valid JSON .*names in double quotes"),
        ("leaders.strategy = delegate", "each arm's: choose it under Left arm and Right arm"),
    ]:
        with pytest.raises(controls.SettingError, match=words):
            controls.parse_setting(bad)


# -- presets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("preset", presets.PRESETS, ids=lambda p: p.name)
def test_presets_are_valid_and_follow_their_scenario(preset: presets.Preset) -> None:
    params = Params().with_updates(dict(preset.updates))
    data = tomllib.loads((ROOT / "scenarios" / preset.scenario).read_text())
    fixed = flatten(data.get("params", {}))
    for path, value in fixed.items():  # the scenario's fixed parameters hold in the preset
        assert controls.current(params, path) == value, path
    for path, value in preset.updates.items():  # the preset's own: fixed, or on an axis
        axes = {a["param"]: a.get("values", []) for a in data.get("axes", [])}
        assert fixed.get(path) == value or path in axes, path
    arms = {flatten(a).get("leaders.strategy") for a in data.get("arms", {}).values()}
    assert set(preset.arms) <= arms | {"model", "delegate"}


@pytest.mark.parametrize("name", ["zapos", "ZAPPOS", "Zappos "])
def test_unknown_preset_suggests_the_closest(name: str) -> None:
    """?preset=ZAPPOS in the address got no suggestion (case-sensitive matching)."""
    with pytest.raises(presets.PresetError, match="did you mean 'zappos'"):
        presets.preset(name)


# -- predict, then run, and the session ------------------------------------------------------
def test_guess_against_the_result() -> None:
    g = Guess.parse("model", "30 %", "delegate", "10", preset="p", week=0)
    assert verdict(g, (0.3, 0.2)).endswith("(10 points too low).")
    with pytest.raises(GuessError, match="percentage"):
        Guess.parse("model", "lots", "delegate", "10", preset="p", week=0)
    # a guess with a fraction is shown as typed, not rounded ("20 %" for 20.5)
    g = Guess.parse("model", "20.5", "delegate", "9.75 %", preset="p", week=0)
    assert verdict(g, (0.4137, 0.0975)) == (
        "model: guessed 20.5 %, got 41 % (20.5 points too low)."
        " delegate: guessed 9.75 %, got 10 % (0.25 points too low)."
    )
    # a decimal comma, as typed in much of Europe; one point is one point
    g = Guess.parse("model", "35,5", "delegate", "21 %", preset="p", week=0)
    assert g.shares == (0.355, 0.21)
    assert verdict(g, (0.3, 0.2)).endswith("delegate: guessed 21 %, got 20 % (1 point too high).")
    with pytest.raises(GuessError, match="percentage"):
        Guess.parse("model", "1,000,5", "delegate", "10", preset="p", week=0)
    assert made(Guess.parse("model", "-0", "delegate", "10", preset="p", week=0)).startswith(
        "model 0 %"  # (not "-0 %")
    )


def test_session_keeps_running_after_bad_input() -> None:
    session = Session(Setup(updates=(("org.size", 120), ("steps", 5))))
    session.run.step(2)
    before = session.run
    assert "between 0 and 1" in session.apply(session.setup.with_update("culture.openness", 3))
    assert session.run is before and session.run.week == 2
    assert session.apply(session.setup.with_arm(1, "listen")) == ""
    assert session.run.arms == ("model", "listen") and session.run.week == 0
    session.guess(["40", "20"])
    assert session.verdict() == ""  # not at the horizon yet
    session.run.step(5)
    assert session.verdict().startswith("model: guessed 40 %")
    # the guess belongs to the setting: another seed keeps it, another setting does not
    assert session.apply(Setup(**{**session.setup.__dict__, "seed": 9})) == ""
    assert session.open_guess() is not None
    assert session.apply(session.setup.with_update("culture.openness", 0.9)) == ""
    assert session.open_guess() is None


# -- serving and the command line ------------------------------------------------------------
def test_front_end_files_are_installed() -> None:
    """solara-assets puts Solara's front end where the app serves it from (no CDN)."""
    files = list(asset_dir().glob("*"))
    names = {p.name for p in files}
    assert {"@widgetti", "requirejs@2.3.6", "font-awesome@4.5.0"} <= names, names


def test_solara_settings_are_set_before_solara_reads_them() -> None:
    """Telemetry off, a closed tab culled after 30 s, no badge: importing Solara reads these
    settings once, so they hold only if set before that (a fresh process, as ``orgsim app``)."""
    script = (
        "from simulator.app.server import check_ready\n"
        "check_ready('127.0.0.1', 0)\n"
        "import solara.server.settings as s\n"
        "print(s.telemetry.mixpanel_enable, s.kernel.cull_timeout, s.theme.show_banner)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOLARA_")}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "30s", "False"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["app", "--port", "0"], "0 is not in the range 1<=x<=65535"),
        (["app", "--port", "http"], "'http' is not a valid integer"),
        (["app", "--room", "--host", "10.0.0.1"], "give --room or --host, not both"),
    ],
)
def test_bad_app_options_are_one_line_errors(capsys, args: list[str], words: str) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("orgsim: error:") and words in err[0]


def test_a_taken_port_is_a_one_line_error(capsys) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(Exception, match="cannot listen on"):
            check_ready("127.0.0.1", port)
        assert main(["app", "--port", str(port)]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


# -- the address ------------------------------------------------------------------------------
@st.composite
def setups(draw: st.DrawFn) -> tuple[Setup, tuple[float, float] | None, int]:
    """A setup the page can reach (a preset, arms, controls' values, a seed), a guess and
    the week it was made at."""
    setup = Setup.from_preset(draw(st.sampled_from(presets.names())), draw(st.integers(0, 99)))
    for k in (0, 1):
        setup = setup.with_arm(k, draw(st.sampled_from(list(STRATEGIES))))
    for spec in draw(st.lists(st.sampled_from(controls.controls()), max_size=4)):
        if spec.kind == "choice":
            value: Any = draw(st.sampled_from(spec.choices))
        elif spec.kind == "bool":
            value = draw(st.booleans())
        elif spec.kind == "int":
            value = draw(st.integers(int(spec.low), int(spec.high)))
        else:
            value = draw(st.floats(spec.low, spec.high))
        setup = setup.with_update(spec.path, value)
    shares = st.integers(0, 10_000).map(lambda n: n / 10_000)
    guess = draw(st.none() | st.tuples(shares, shares))
    return setup, guess, draw(st.integers(0, 60))


@settings(max_examples=200, deadline=None)
@given(setups())
def test_the_address_brings_back_the_setup_and_guess(case: tuple[Setup, Any]) -> None:
    setup, guess, week = case
    back = address.from_query(address.to_query(setup, guess, week))
    assert back.message == ""
    assert back.setup == setup
    assert back.setup.updates == setup.updates  # also the order: later updates win
    if guess is None:
        assert back.guess is None
    else:
        assert back.guess is not None
        parsed = Guess.parse("a", back.guess[0], "b", back.guess[1], preset="", week=0)
        assert parsed.shares == guess and back.week == week


def test_a_bad_part_of_the_address_is_named_and_the_rest_used() -> None:
    back = address.from_query("preset=zappos&seed=x&set=org.size%3D500&guess=35")
    seed, guess = back.message.split("; ")  # each bad part is named
    assert seed == "seed 'x': must be a whole number from 0 to 9,223,372,036,854,775,807"
    assert guess.startswith("guess=35: give two percentages")
    for seed in ("²", "-1", "1e3", str(2**63)):  # "²".isdigit(), and int("²") raised
        assert address.from_query(f"seed={seed}").message.startswith(f"seed {seed!r}: must be")
    assert back.setup.preset == "zappos" and dict(back.setup.updates)["org.size"] == 500
    assert back.guess is None
    assert "give two percentages" in address.from_query("guess=35").message
    assert "must be between 0 and 1" in address.from_query("set=culture.openness%3D3").message
    session = Session()
    assert "unknown preset" in address.arrive(session, "preset=nope")
    assert session.setup == Setup()  # the session is kept as it was


def test_a_guess_replaces_the_last_until_the_run_is_over() -> None:
    session = Session(Setup(updates=(("org.size", 120), ("steps", 2))))
    session.guess(["40", "20"])
    session.guess(["30", "25"])
    assert [g.shares for _, g in session.guesses] == [(0.3, 0.25)]
    with pytest.raises(GuessError, match="not a"):
        session.guess(["not a number", "20"])
    assert session.open_guess().shares == (0.3, 0.25)  # a bad one keeps the last
    session.forget_guess()
    assert session.open_guess() is None
    session.guess(["30", "25"])
    # a slider moved and moved back: the setup it left, and the guess made for it
    first = session.setup
    assert session.apply(first.with_update("culture.openness", 0.51)) == ""
    assert session.open_guess() is None
    assert session.apply(session.setup.with_update("culture.openness", 0.5)) == ""
    assert session.setup == first and session.open_guess() is not None
    session.run.step(2)
    with pytest.raises(GuessError, match="the run is over"):
        session.guess(["50", "50"])
    assert session.verdict().startswith("model: guessed 30 %")


# -- Export CSV -------------------------------------------------------------------------------
def test_the_csv_export_is_the_runs_recorded_series() -> None:
    run = PairedRun.start(SMALL, seed=3).step(4)
    settings = ["culture.openness", "org.follow_prob"]  # a typed one beyond the controls
    table = pd.read_csv(io.BytesIO(run_csv(run, "zappos", settings)))
    assert len(table) == 2 * (4 + 1)  # weeks 0 to 4, per arm
    assert list(table.columns[:7]) == [*LEAD, "step", "non_user", "listener", "poster"]
    assert table["arm"].tolist() == ["model"] * 5 + ["delegate"] * 5
    assert set(table["preset"]) == {"zappos"} and set(table["seed"]) == {3}
    assert set(table["org.size"]) == {150} and set(table["steps"]) == {6}
    assert "org.follow_prob" in table.columns and "leaders.strategy" not in table.columns
    for k, arm in enumerate(run.arms):
        rows = table[table["arm"] == arm]
        assert rows["step"].tolist() == [0, 1, 2, 3, 4]
        for week, snap in enumerate(run.history[k]):  # the page's own record of the weeks
            counts = np.bincount(snap.stage, minlength=3) / 150
            row = rows.iloc[week]
            assert row[["non_user", "listener", "poster"]].tolist() == pytest.approx(counts)
            # who posted, and who drew criticism, this week: the week's counts
            assert row["posts"] >= snap.posted.sum() and (row["posts"] > 0) == snap.posted.any()
            assert row["criticised"] == snap.criticised.sum()
        recorded = run.models[k].series().drop(columns="replication")  # every figure kept
        assert np.allclose(rows[recorded.columns].to_numpy(), recorded.to_numpy())
    # the weeks the page showed when it offered the file, also once the run moved on
    assert len(run_table(run, week=2)) == 2 * 3
    assert csv_name(run, "zappos") == "orgsim-zappos-to-week4.csv"


def test_the_csv_export_is_offered_beside_png_and_gif() -> None:
    import ipyvuetify as v
    import solara

    from simulator.app.panels import Exports

    session = Session(Setup(updates=(("org.size", 120), ("steps", 3))))
    session.run.step(2)
    _, rc = solara.render(Exports(session, 0, threading.Lock()), handle_error=False)
    labels = [b.children[-1] for b in rc.find(v.Btn).widgets]
    assert labels == ["Export PNG", "Export GIF", "Export CSV"]


# -- the trainer's org chart (orgsim app --org-csv) -------------------------------------------
ACME = (ROOT / "notebooks/data/acme_org.csv", ROOT / "notebooks/data/acme_ties.csv")


def test_the_workshop_runs_on_the_trainers_org_chart() -> None:
    chart = read_chart(*ACME)
    session = Session(chart=chart)
    run = session.run
    assert run.org.n == 253 and run.params.org.size == 253 and run.paired
    assert run.org.ids == chart.table.ids  # person i is the table's row i
    pairs = {tuple(sorted(p)) for p in run.org.lateral.tolist()}
    assert pairs == {tuple(sorted(p)) for p in chart.lateral.tolist()}  # the file's ties only
    # a preset sets its other parameters; its 1,500 people give way to the chart's 253
    assert session.apply(Setup.from_preset("zappos")) == ""
    assert session.run.org.n == 253 and session.run.params.leaders.rate == 4.0
    # the room's settings that do not apply are refused, naming the file
    for path, value, file in (
        ("org.size", 500, "acme_org.csv"),
        ("org.lateral_across", 2.0, "acme_ties.csv"),
    ):
        said = session.apply(session.setup.with_update(path, value))
        assert said.startswith(f"{path} = {value!r} does not apply with an org chart")
        assert said.endswith(f"({file})") and session.run.params.leaders.rate == 4.0
    assert fixed_paths(read_chart(ACME[0])) == (
        "org.size",
        "org.span",
        "org.span_jitter",
        "org.units",
    )
    # the org view draws the chart: every person, each level of the table below the last
    y = page.org_views(run)[0].layout.y
    assert len(y) == 253 and run.org.levels == 5
    for level in range(4):
        assert y[run.org.level == level].min() > y[run.org.level == level + 1].max()
    table = run_table(session.run.step(2), "zappos")
    assert set(table["org_csv"]) == {"acme_org.csv"} and set(table["ties_csv"]) == {"acme_ties.csv"}
    assert "org.span" not in table.columns and set(table["org.size"]) == {253}


def test_a_link_with_a_setting_the_chart_replaces_uses_the_rest() -> None:
    session = Session(chart=read_chart(ACME[0]))
    said = address.arrive(session, "preset=zappos&set=org.size%3D500&set=culture.openness%3D0.7")
    assert said.startswith("org.size = 500 does not apply with an org chart")
    assert session.setup.preset == "zappos" and session.run.params.culture.openness == 0.7
    assert session.run.org.n == 253


def test_the_page_opens_on_the_chart_orgsim_app_was_given(monkeypatch) -> None:
    import ipyvuetify as v
    import solara

    monkeypatch.setenv(orgfile.ORG_CSV, str(ACME[0]))
    monkeypatch.setenv(orgfile.TIES_CSV, str(ACME[1]))
    orgfile._read_once.cache_clear()
    try:
        _, rc = solara.render(page.Layout(children=[page.Page()]), handle_error=False)
        texts = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets]
        sliders = [w.label for w in rc.find(v.Slider).widgets]
    finally:
        orgfile._read_once.cache_clear()
    line = "org chart: acme_org.csv (253 people), informal ties: acme_ties.csv (317 ties)"
    assert line in texts
    shapes = [controls.control(p).label for p in orgfile.fixed_paths(read_chart(*ACME))]
    assert not any(s.startswith(label) for s in sliders for label in shapes), sliders
    assert any(s.startswith(controls.control("culture.openness").label) for s in sliders)
    monkeypatch.setenv(orgfile.ORG_CSV, str(ROOT / "nowhere.csv"))  # set by hand, wrong
    chart, said = orgfile.opened_chart()
    orgfile._read_once.cache_clear()
    assert chart is None and "nowhere.csv: file not found" in said


BAD_ORG = "id,manager_id\nceo,\na,ceo\nb,boss\n"


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"org": BAD_ORG}, "org.csv, row 4, column manager_id: unknown manager 'boss'"),
        ({"org": "id,boss\nceo,\n"}, "org.csv"),
        ({"org": "id,manager_id\nceo,\na,ceo\n", "ties": "source,target\na,zed\n"}, "'zed'"),
        ({"ties": "source,target\n"}, "--ties-csv needs --org-csv"),
    ],
)
def test_a_bad_org_chart_stops_the_app_before_the_server(
    capsys, monkeypatch, tmp_path: Path, files: dict[str, str], words: str
) -> None:
    """The app's error is the one 'orgsim compare --org-csv' gives for the same files."""
    started = []
    monkeypatch.setattr("simulator.app.server.serve", lambda *a, **k: started.append(k))
    given = []
    for name, text in files.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text)
        given += [f"--{name}-csv", str(path)]
    assert main(["app", "--port", "8799", *given]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("orgsim: error:") and words in err[0], err
    assert started == []
    assert main(["compare", *given, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip().replace("compare", "app") == err[0]


def test_the_app_hands_a_good_org_chart_to_the_page(capsys, monkeypatch) -> None:
    started = []
    monkeypatch.setattr("simulator.app.server.serve", lambda *a, **k: started.append(k))
    assert main(["app", "--org-csv", str(ACME[0]), "--ties-csv", str(ACME[1])]) == 0
    assert "orgsim app: org chart: acme_org.csv (253 people)" in capsys.readouterr().out
    assert started[0]["org_csv"] == str(ACME[0]) and started[0]["ties_csv"] == str(ACME[1])
    monkeypatch.delenv(orgfile.ORG_CSV, raising=False)
    monkeypatch.delenv(orgfile.TIES_CSV, raising=False)
    orgfile.to_environment(str(ACME[0]))  # (as serve does, as absolute paths)
    assert os.environ[orgfile.ORG_CSV] == str(ACME[0].resolve())
    assert orgfile.TIES_CSV not in os.environ


def test_a_chart_with_a_grade_nobody_holds_is_drawn(capsys, monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text("id,manager_id,level\nceo,,0\na,ceo,2\nb,ceo,2\n")  # nobody at level 1
    started = []
    monkeypatch.setattr("simulator.app.server.serve", lambda *a, **k: started.append(k))
    assert main(["app", "--org-csv", str(path)]) == 0 and started  # said, and started
    assert "orgsim: warning: " in capsys.readouterr().err
    with pytest.warns(UserWarning, match="nobody is at level 1"):
        run = Session(chart=read_chart(path)).run.step(2)
    assert sorted(set(hierarchy_layout(run.org).y)) == [1.0, 3.0]  # two rows: no empty one
    shares = run.current(0).level_posters
    assert np.isnan(shares[1]) and not np.isnan(shares[[0, 2]]).any()
    assert charts.slide_png(run)[:4] == b"\x89PNG"


def test_a_chart_larger_than_the_page_takes_is_refused(capsys, monkeypatch) -> None:
    monkeypatch.setattr("simulator.app.server.serve", lambda *a, **k: pytest.fail("started"))
    monkeypatch.setitem(controls.PAGE_LIMITS, "org.size", 100)
    assert main(["app", "--org-csv", str(ACME[0])]) == 2
    err = capsys.readouterr().err
    assert "acme_org.csv: 253 people: the workshop page takes at most 100" in err
