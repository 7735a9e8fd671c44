"""Following the people from a later week than the first (``Recorder.follow``): the first
weeks are counted from the week the state is at, read from the record, never from 0."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine import Engine
from simulator.params import Params
from simulator.people import frame
from simulator.state import LISTENER, POSTER

PARAMS = Params().with_updates({"org.size": 150, "steps": 20, "leaders.strategy": "model"})


def seen_from(history: list[np.ndarray], start: int, at: int) -> np.ndarray:
    """The oracle: from each week's stages ``(R, n)`` (week 0 first), the first week from
    ``start`` on at whose end each person was at stage ``at`` or beyond; NaN if never."""
    reached = np.stack(history[start:]) >= at
    return np.where(reached.any(axis=0), start + np.argmax(reached, axis=0), np.nan)


def test_followed_after_five_weeks_the_first_weeks_count_from_week_five() -> None:
    """Stepped five weeks, then followed with the bare call and run to the horizon (the
    weeks at once): those at a stage at week 5 are marked at 5, the others when they get
    there. The week had defaulted to 0: every first week 5 too early, silently."""
    engine = Engine(PARAMS, rng=[5, 6])
    history = [engine.state.stage.copy()]
    for _ in range(5):
        engine.step()
        history.append(engine.state.stage.copy())
    first = engine.recorder.follow(engine.state)
    assert first.week == 5
    for _ in range(15):
        engine.step()
        history.append(engine.state.stage.copy())
    table = frame(engine)
    for name, at in (("first_listener", LISTENER), ("first_poster", POSTER)):
        expected = seen_from(history, 5, at).ravel()
        np.testing.assert_array_equal(table[name].to_numpy(), expected)
    assert table["first_poster"].min() == 5 and table["first_poster"].max() > 5


def test_the_weeks_run_at_once_after_a_late_follow_are_those_stepped() -> None:
    """Followed at week 5 of a run advanced with ``run(5)``: the rest run at once (compiled)
    gives the rows of the same run stepped week by week."""
    at_once, by_hand = Engine(PARAMS, rng=[5, 6]), Engine(PARAMS, rng=[5, 6])
    at_once.run(5)
    for _ in range(5):
        by_hand.step()
    at_once.recorder.follow(at_once.state)
    by_hand.recorder.follow(by_hand.state, by_hand.week)  # (the week given: the same)
    at_once.run()
    for _ in range(15):
        by_hand.step()
    assert frame(at_once).equals(frame(by_hand))


def test_a_week_other_than_the_recorded_one_is_refused() -> None:
    engine = Engine(PARAMS, rng=3)
    engine.run(5)
    with pytest.raises(ValueError, match=r"week=0\): the recorder has recorded up to week 5"):
        engine.recorder.follow(engine.state, 0)
    assert engine.recorder.first_weeks is None  # (nothing followed)
    fresh = Engine(PARAMS, rng=3)
    assert fresh.recorder.follow(fresh.state).week == 0  # (at the start: week 0)
