"""Scenario names, arm names and axis values listed once: the JSON Schema agrees with the code.

Each case is checked both ways: against the generated schema with jsonschema's draft 2020-12
validator (the Python ``re`` engine, as the code's own rules are written), and by the code
(:func:`simulator.scenario.load_scenario` on the file, or
:func:`simulator.scenario.parse_scenario` on its data).
"""

from __future__ import annotations

import copy
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from simulator.scenario import NAME_MAX, ScenarioError, load_scenario, parse_scenario
from simulator.schema import scenario_schema

SCHEMA = scenario_schema()
VALIDATOR = Draft202012Validator(SCHEMA)


def schema_errors(data: Any) -> set[str]:
    """The keywords (``not``, ``maxLength``, ...) of the schema's errors for ``data``."""
    return {str(error.validator) for error in VALIDATOR.iter_errors(data)}


def code_accepts(data: Any) -> bool:
    try:
        parse_scenario(data, source="case.toml")
    except ScenarioError:
        return False
    return True


BASE: dict[str, Any] = {
    "scenario": {"name": "v", "seed": 1, "replications": 1, "steps": 2},
    "axes": [{"param": "culture.openness", "values": [0.2, 0.8]}],
}


def with_name(name: str) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["scenario"]["name"] = name
    return data


def with_arm(name: str) -> dict[str, Any]:
    return {**copy.deepcopy(BASE), "arms": {name: {"leaders": {"strategy": "model"}}}}


def with_values(param: str, values: list[Any]) -> dict[str, Any]:
    return {**copy.deepcopy(BASE), "axes": [{"param": param, "values": values}]}


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


def test_base_case_is_valid_for_both() -> None:
    assert code_accepts(BASE)
    assert schema_errors(BASE) == set()


# -- the reported files, and a valid counterpart of each ---------------------------------------

HEADER = """\
[scenario]
name = {name}
seed = 1
replications = 1
steps = 2
"""
OK = HEADER.format(name='"ok"')
LONG_ARM = "a" * (NAME_MAX + 1)

# (file text, accepted, the schema keyword that refuses it)
FILES: dict[str, tuple[str, bool, str | None]] = {
    "name with a slash": (HEADER.format(name='"a/b"'), False, "not"),
    "name with a backslash": (HEADER.format(name=r'"a\\b"'), False, "not"),
    "name with a colon": (HEADER.format(name='"c:x"'), False, "not"),
    "hidden name": (HEADER.format(name='".hidden"'), False, "not"),
    "name with a space at the end": (HEADER.format(name='"a "'), False, "not"),
    "name with a tab in front": (HEADER.format(name='"\\ta"'), False, "not"),
    "name ending in a line break": (HEADER.format(name='"a\\n"'), False, "not"),
    "name with dots and spaces inside": (HEADER.format(name='"v1.2 final."'), True, None),
    "name of 100 characters": (HEADER.format(name=f'"{"n" * NAME_MAX}"'), True, None),
    "name of 101 characters": (HEADER.format(name=f'"{"n" * (NAME_MAX + 1)}"'), False, "maxLength"),
    "arm named __": (OK + "\n[arms.__]\n", False, "not"),
    "arm named -": (OK + "\n[arms.-]\n", False, "not"),
    'arm named ""': (OK + '\n[arms.""]\n', False, "not"),
    "arm named a b": (OK + '\n[arms."a b"]\n', False, "not"),
    "arm named _a_": (OK + "\n[arms._a_]\n", True, None),
    "arm named 1": (OK + "\n[arms.1]\n", True, None),
    "arm of 101 characters": (OK + f"\n[arms.{LONG_ARM}]\n", False, "maxLength"),
    "arm of 100 characters": (OK + f"\n[arms.{LONG_ARM[1:]}]\n", True, None),
    "value listed twice": (
        OK + '\n[[axes]]\nparam = "culture.openness"\nvalues = [0.2, 0.2]\n',
        False,
        "uniqueItems",
    ),
    "value listed twice, spelled differently": (
        OK + '\n[[axes]]\nparam = "culture.openness"\nvalues = [0.2, 0.20, 2e-1]\n',
        False,
        "uniqueItems",
    ),
    "choice listed twice": (
        OK + '\n[[axes]]\nparam = "culture.policy"\nvalues = ["open", "neutral", "open"]\n',
        False,
        "uniqueItems",
    ),
    "values listed once": (
        OK + '\n[[axes]]\nparam = "culture.openness"\nvalues = [0.2, 0.25]\n',
        True,
        None,
    ),
    "choices listed once": (
        OK + '\n[[axes]]\nparam = "culture.policy"\nvalues = ["open", "neutral"]\n',
        True,
        None,
    ),
}


@pytest.mark.parametrize(("text", "accepted", "keyword"), FILES.values(), ids=list(FILES))
def test_schema_and_code_agree_on_the_file(
    tmp_path: Path, text: str, accepted: bool, keyword: str | None
) -> None:
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    if accepted:
        load_scenario(path)
        assert schema_errors(tomllib.loads(text)) == set()
    else:
        with pytest.raises(ScenarioError):
            load_scenario(path)
        assert schema_errors(tomllib.loads(text)) == {keyword}


# -- names: every space the code strips, and random strings ------------------------------------

SPACE_LIKE = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
NOT_SPACES = ["\ufeff", "\u200b", "\u180e"]  # \s in ECMA-262 (the first), or look like spaces


@pytest.mark.parametrize(
    "char", SPACE_LIKE + NOT_SPACES, ids=[f"U+{ord(c):04X}" for c in SPACE_LIKE + NOT_SPACES]
)
def test_schema_and_code_agree_on_spaces_around_a_name(char: str) -> None:
    for name in (char + "a", "a" + char, "a" + char + "b", char):
        data = with_name(name)
        assert (schema_errors(data) == set()) is code_accepts(data), repr(name)


TRICKY = "./\\:_- aZ9é\t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\ufeff\u200b\x00"
NAMES = st.one_of(
    st.text(max_size=12),
    st.text(st.sampled_from(TRICKY), max_size=6),
    st.text(st.sampled_from("ab._- "), min_size=NAME_MAX - 2, max_size=NAME_MAX + 2),
)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(NAMES)
def test_schema_accepts_a_scenario_name_iff_the_code_does(name: str) -> None:
    data = with_name(name)
    assert (schema_errors(data) == set()) is code_accepts(data)


@PROPERTY
@given(NAMES)
def test_schema_accepts_an_arm_name_iff_the_code_does(name: str) -> None:
    data = with_arm(name)
    assert (schema_errors(data) == set()) is code_accepts(data)


# -- values listed once -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "values"),
    [("culture.openness", [1, 1.0]), ("culture.openness", [0, 0.0]), ("org.size", [60, 60.0])],
)
def test_schema_and_code_agree_on_a_whole_number_and_its_float(
    param: str, values: list[Any]
) -> None:
    """A whole number and its float make the same runs: the code refuses the repeat, and the
    schema's uniqueItems, which compares numbers by value, does too."""
    data = with_values(param, values)
    assert not code_accepts(data) and "uniqueItems" in schema_errors(data)


POOL = [0, 0.0, 1, 1.0, 0.2, 0.25, 0.5, 0.8, 1.5, True, "open"]


@PROPERTY
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=4))
def test_schema_and_code_agree_on_the_values_of_an_axis(values: list[Any]) -> None:
    data = with_values("culture.openness", values)
    assert code_accepts(data) is (schema_errors(data) == set()), schema_errors(data)


@PROPERTY
@given(st.lists(st.sampled_from(["open", "neutral", "restrictive", "closed"]), max_size=4))
def test_schema_accepts_choices_iff_the_code_does(values: list[str]) -> None:
    data = with_values("culture.policy", values)
    assert (schema_errors(data) == set()) is code_accepts(data)


def test_published_schema_holds_these_rules() -> None:
    path = Path(__file__).resolve().parent.parent / "scenarios" / "scenario.schema.json"
    published = json.loads(path.read_text(encoding="utf-8"))
    assert published == SCHEMA


@pytest.mark.parametrize("stop", ["none", "None", " NONE ", "never", 12])
def test_schema_and_code_agree_on_none_for_a_parameter_that_may_be_none(stop: Any) -> None:
    """TOML has no null: the text "none" is how a file says leaders.stop = None."""
    data = copy.deepcopy(BASE)
    data["params"] = {"leaders": {"stop": stop}}
    assert (not schema_errors(data)) == code_accepts(data) == (stop != "never"), stop
