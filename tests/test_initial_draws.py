"""The initial posters, listeners and innovators are drawn person by person, as documented."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.params import PeopleParams
from simulator.state import LISTENER, POSTER, init_state

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"
DRAWN = ("initial_posters", "initial_aware", "innovators")


def test_initial_stages_vary_around_their_probability_as_the_docs_say() -> None:
    """0.05 of 1,000 people gave 38 initial posters where the docs promised a share: each
    person is drawn apart, so the count is binomial (mean 50, 37 to 64 in 19 runs of 20)."""
    p = PeopleParams(initial_posters=0.05, initial_aware=0.1, innovators=0.02)
    rngs = [np.random.default_rng(seed) for seed in range(200)]
    state = init_state(1000, p, rngs)
    posters = (state.stage == POSTER).sum(axis=1)
    listeners = (state.stage == LISTENER).sum(axis=1)
    innovators = state.innovator.sum(axis=1)
    for counts, share in ((posters, 0.05), (listeners, 0.1), (innovators, 0.02)):
        assert len(set(counts.tolist())) > 5  # not a fixed number of people
        assert abs(counts.mean() - 1000 * share) < 3 * np.sqrt(1000 * share / 200)
    within = ((posters >= 37) & (posters <= 64)).mean()
    assert 0.9 <= within <= 1.0  # (the documented 19 runs of 20, loosely)
    for name in DRAWN:
        doc = PeopleParams.model_fields[name].description or ""
        assert doc.startswith("Chance that a person") and "drawn for each person apart" in doc
    odd = ODD.read_text()
    assert "Share of people who start as" not in odd
    assert "starts as a poster with probability\n`people.initial_posters`" in odd
