"""The "did you mean ...?" of every user-facing error: :func:`simulator.errors.did_you_mean`."""

from __future__ import annotations

import pydantic
import pytest

from simulator.errors import did_you_mean, format_validation_error
from simulator.params import Params

METRICS = ["poster", "listener", "non_user", "t10", "t50"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("postr", "poster"),  # a typo
        ("POSTER", "poster"),  # a difference of case only
        ("Listner", "listener"),  # both
        ("non-user", "non_user"),
        ("attention", None),  # nothing close
        ("", None),
    ],
)
def test_it_names_the_closest_name_or_none(typed: str, meant: str | None) -> None:
    assert did_you_mean(typed, METRICS) == meant


def test_a_case_difference_comes_before_a_nearer_spelling() -> None:
    assert did_you_mean("POSTER", ["POSTED", "poster"]) == "poster"
    assert did_you_mean("POSTER", ["POSTED", "poster"], casefold=False) == "POSTED"


def test_the_cutoff_decides_how_near_is_near_enough() -> None:
    assert did_you_mean("t1O", METRICS, cutoff=0.6) == "t10"
    assert did_you_mean("t1O", METRICS, cutoff=0.7) is None
    assert did_you_mean("T10", METRICS, cutoff=1.0) == "t10"  # 1: a difference of case only
    assert did_you_mean("POSTR", METRICS, casefold=False) is None


def test_a_parameter_typed_in_capitals_is_suggested() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Params().with_updates({"culture.OPENNESS": 0.5})
    assert format_validation_error(caught.value) == [
        "culture.OPENNESS = 0.5: unknown parameter; did you mean 'culture.openness'?"
    ]
