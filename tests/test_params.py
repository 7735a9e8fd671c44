"""The parameter object: bounds, clear errors, and the documentation derived from it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from annotated_types import Ge, Gt, Le, Lt
from pydantic import ValidationError

from simulator.engine import Engine
from simulator.errors import format_validation_error
from simulator.paramdoc import TABLE_END, TABLE_START, markdown_table, parameter_rows
from simulator.params import STRATEGIES, Params, iter_fields

ROOT = Path(__file__).resolve().parent.parent


def updates_for(path: str, value: Any) -> dict[str, Any]:
    """Dotted updates that set ``path`` (``mechanism[name].field`` selects the mechanism)."""
    match = re.fullmatch(r"mechanism\[(\w+)\]\.(\w+)", path)
    if match:
        return {"mechanism.name": match[1], f"mechanism.{match[2]}": value}
    return {path: value}


def out_of_range_cases() -> list[tuple[str, Any]]:
    cases = []
    for path, info in iter_fields():
        for m in info.metadata:
            step = 1 if info.annotation is int else 0.5
            if isinstance(m, Ge):
                cases.append((path, m.ge - step))
            elif isinstance(m, Gt):
                cases.append((path, m.gt))
            elif isinstance(m, Le):
                cases.append((path, m.le + step))
            elif isinstance(m, Lt):
                cases.append((path, m.lt))
    return cases


@pytest.mark.parametrize(("path", "value"), out_of_range_cases())
def test_each_out_of_range_value_is_refused_at_its_path(path: str, value: Any) -> None:
    with pytest.raises(ValidationError) as err:
        Params().with_updates(updates_for(path, value))
    errors = err.value.errors()
    assert len(errors) == 1
    loc = [str(x) for x in errors[0]["loc"]]
    leaf = path.split(".")[-1]
    assert loc[0] == path.split(".")[0].split("[")[0] and loc[-1] == leaf
    assert errors[0]["input"] == value
    (line,) = format_validation_error(err.value)
    shown = re.sub(r"\[\w+\]", "", path)  # mechanism[bass].p is set as mechanism.p
    assert line.startswith(f"{shown} = {value!r}: must be "), line


def test_every_bounded_number_has_both_bounds_or_a_reason() -> None:
    cases = {p for p, _ in out_of_range_cases()}
    for path, info in iter_fields():
        if info.annotation in (int, float) and path not in cases:
            pytest.fail(f"{path} has no bounds")


def test_every_field_has_label_unit_and_doc() -> None:
    for row in parameter_rows():
        assert row.label and row.doc, row.path


def test_wrong_type_and_unknown_key() -> None:
    with pytest.raises(ValidationError, match=r"culture\.openness"):
        Params().with_updates({"culture.openness": "high"})
    with pytest.raises(ValidationError, match="openess"):
        Params().with_updates({"culture.openess": 0.5})
    with pytest.raises(ValidationError, match="must be one of 'model'"):
        Params().with_updates({"leaders.strategy": "shout"})


def test_initial_shares_of_more_than_everyone_are_refused() -> None:
    """0.5 posters and 0.7 listeners besides gave 0.5 and 0.5: the shares were cut without a
    word. Both at their limits together still hold (1 in all)."""
    with pytest.raises(
        ValidationError, match=r"initial_posters \(0\.5\) \+ initial_aware \(0\.7\)"
    ):
        Params().with_updates({"people.initial_posters": 0.5, "people.initial_aware": 0.7})
    both = Params().with_updates({"people.initial_posters": 0.4, "people.initial_aware": 0.6})
    assert both.people.initial_posters + both.people.initial_aware == 1.0


def test_a_bad_update_in_python_reads_as_the_command_lines_lines() -> None:
    """What a notebook shows: the same lines as ``--set``, the closest name for a typo."""
    with pytest.raises(ValidationError) as err:
        Params().with_updates({"culture.opennes": 0.8})
    assert str(err.value) == (
        "culture.opennes = 0.8: unknown parameter; did you mean 'culture.openness'?"
    )
    assert err.value.errors()[0]["type"] == "extra_forbidden"  # pydantic's details stay
    with pytest.raises(ValidationError) as err:
        Params().with_updates({"org.size": 0, "mechanism.phi": 0.2})
    assert str(err.value).splitlines() == [
        "2 problems in the parameters:",
        "- org.size = 0: " + format_validation_error(err.value)[0].split(": ", 1)[1],
        "- mechanism.phi = 0.2: unknown parameter; it belongs to mechanism threshold"
        " (set mechanism.name)",
    ]


@pytest.mark.parametrize(
    ("updates", "line"),
    [
        ({"steps": True}, "steps = true: must be a whole number, not true or false"),
        ({"culture.openness": False}, "culture.openness = false: must be a number, not true"),
        (
            {"leaders.rules": [{"who": "all", "rate": True}]},
            "leaders.rules[0].rate = true: must be a number, not true or false",
        ),
        (
            {"mechanism.name": "threshold", "mechanism.k": True},
            "mechanism.k = true: must be a whole number, not true or false",
        ),
    ],
)
def test_true_or_false_is_not_a_number(updates: dict[str, Any], line: str) -> None:
    """pydantic reads them as 1 and 0: ``--set steps=true`` ran one week."""
    with pytest.raises(ValidationError) as err:
        Params().with_updates(updates)
    assert str(err.value).startswith(line)
    assert Params().with_updates({"delegation.followed": False}).delegation.followed is False


def test_a_mechanisms_parameter_by_the_name_orgsim_params_gives_it() -> None:
    """``orgsim params`` lists mechanism[bass].p; with_updates and scenario files refused it
    ("did you mean 'mechanism'?")."""
    bass = Params().with_updates({"mechanism[bass].p": 0.05, "mechanism[bass].q": 0.2})
    assert (
        bass.mechanism
        == Params()
        .with_updates({"mechanism.name": "bass", "mechanism.p": 0.05, "mechanism.q": 0.2})
        .mechanism
    )
    for two in (
        {"mechanism[bass].p": 0.05, "mechanism[si].beta": 0.2},
        {"mechanism.name": "si", "mechanism[bass].p": 0.05},
        {"mechanism[bass].name": "si"},
    ):
        with pytest.raises(ValueError, match="mechanism"):
            Params().with_updates(two)


def test_naming_the_same_mechanism_again_keeps_its_settings() -> None:
    threshold = Params().with_updates(
        {"mechanism.name": "threshold", "mechanism.phi": 0.3, "mechanism.k": 3}
    )
    again = threshold.with_updates({"mechanism.name": "threshold", "org.size": 500})
    assert again.mechanism == threshold.mechanism and again.org.size == 500
    other = threshold.with_updates({"mechanism.name": "linear_threshold"})
    assert (
        other.mechanism == Params().with_updates({"mechanism.name": "linear_threshold"}).mechanism
    )


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("chief", "is not one of"),
        ("role=chief", "role must be one of"),
        ("level=x", "level must be a whole number"),
        ("levels=1", "levels must look like A-B"),
        ("levels=3-1", "levels A-B must have A <= B, e.g. levels=1-3"),
        ("unit=", "is not one of"),
    ],
)
def test_bad_selectors_are_explained(who: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Params().with_updates({"leaders.rules": [{"who": who, "strategy": "model"}]})


def restricting(who: str) -> Params:
    rules = [{"who": who, "strategy": "restrict"}]
    return Params().with_updates({"org.size": 200, "leaders.rules": rules})


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("unit=unit 1", "has no unit 'unit 1'; did you mean 'Unit 1'?"),
        ("unit=Unit 9", "has no unit 'Unit 9'; its units are 'Top team', 'Unit 1', "),
        ("ids=3,x", "has no id 'x'; its ids are '0', '1', '2', "),
        ("title=CEO", "has no title 'CEO'; it has no titles"),
    ],
)
def test_a_rule_naming_what_the_organisation_lacks_is_refused(who: str, message: str) -> None:
    """A typo in a name left every leader unchanged, silently."""
    with pytest.raises(ValueError, match=re.escape(message)):
        Engine(restricting(who), rng=1)


def test_a_rule_that_picks_no_leader_says_so_and_one_that_does_is_applied() -> None:
    with pytest.warns(UserWarning, match=r"rules\[0\] \(who = 'level=9'\) picks no leader"):
        engine = Engine(restricting("level=9"), rng=1)
    assert not (engine.assignment.strategy == STRATEGIES.index("restrict")).any()
    engine = Engine(restricting("unit=Unit 1"), rng=1)
    org = engine.org
    unit_1 = org.is_leader & (org.unit == org.unit_names.index("Unit 1"))
    restricting_leaders = engine.assignment.strategy == STRATEGIES.index("restrict")
    assert unit_1.any() and (restricting_leaders == unit_1).all()


def test_a_rule_naming_people_without_reports_says_it_leaves_them_out() -> None:
    """'ids=A,B' with B no leader: B was dropped silently (a strategy applies to leaders)."""
    org = Engine(restricting("all"), rng=1).org
    leader = str(org.ids[int(np.flatnonzero(org.is_leader)[-1])])
    others = [str(org.ids[i]) for i in np.flatnonzero(~org.is_leader)[:7]]
    with pytest.warns(UserWarning, match=rf"names {others[0]}, who has no reports") as said:
        engine = Engine(restricting(f"ids={leader},{others[0]}"), rng=1)
    assert len(said) == 1
    restricting_people = engine.assignment.strategy == STRATEGIES.index("restrict")
    assert list(np.flatnonzero(restricting_people)) == [list(map(str, org.ids)).index(leader)]
    with pytest.warns(UserWarning, match=r"who have no reports") as said:
        Engine(restricting(f"ids={leader},{','.join(others)}"), rng=1)
    assert f"{', '.join(others[:5])} and 2 more, who have" in str(said[0].message)


def test_schedule_must_end_after_it_starts() -> None:
    with pytest.raises(ValidationError, match="stop"):
        Params().with_updates({"leaders.start": 5, "leaders.stop": 5})
    with pytest.raises(ValidationError, match="stop"):
        Params().with_updates({"leaders.rules": [{"who": "all", "start": 4, "stop": 2}]})


def test_switching_mechanism_starts_from_its_defaults() -> None:
    p = Params().with_updates({"mechanism.name": "bass", "mechanism.q": 0.5})
    assert p.mechanism.name == "bass" and p.mechanism.q == 0.5
    p2 = p.with_updates({"mechanism.name": "threshold"})
    assert p2.mechanism.name == "threshold" and p2.mechanism.phi == 0.18


def test_odd_parameter_table_matches_the_definitions() -> None:
    text = (ROOT / "docs" / "ODD.md").read_text()
    start, end = text.index(TABLE_START), text.index(TABLE_END) + len(TABLE_END)
    assert text[start:end] == markdown_table(), (
        "docs/ODD.md's parameter table is stale: run `python -m simulator.paramdoc`"
    )


def test_odd_names_every_mechanism_with_a_reference() -> None:
    from simulator.mechanisms import REGISTRY

    text = (ROOT / "docs" / "ODD.md").read_text()
    for name, cls in REGISTRY.items():
        assert f"`{name}`" in text, name
        first_author = cls.reference.split()[0]
        assert first_author in text, (name, first_author)


@pytest.mark.parametrize(
    ("section", "name", "path"),
    [("culture", "openness", "culture.openness"), (None, "steps", "steps")],
)
def test_changing_a_parameter_in_place_says_how_to_make_a_changed_copy(
    section: str | None, name: str, path: str
) -> None:
    """params.culture.openness = 0.9 gave pydantic's 'Instance is frozen' and a link."""
    from simulator.params import FrozenParamsError

    params = Params()
    target = params if section is None else getattr(params, section)
    hint = re.escape(f"params = params.with_updates({{'{path}': 3}})")
    with pytest.raises(FrozenParamsError, match=hint):
        setattr(target, name, 3)
    assert params == Params()
    threshold = Params().with_updates({"mechanism.name": "threshold"})  # a mechanism's own
    with pytest.raises(FrozenParamsError, match=re.escape("with_updates({'mechanism.phi': 0.3})")):
        threshold.mechanism.phi = 0.3  # type: ignore[union-attr]


def test_none_is_taken_where_a_parameter_may_be_none() -> None:
    """orgsim params lists leaders.stop as '... or none', but 'none' was refused ('must be
    a whole number'), and a TOML file, which has no null, could not say it at all."""
    stopped = Params().with_updates({"leaders.stop": 10})
    for text in ("none", "None", " NONE "):
        assert stopped.with_updates({"leaders.stop": text}).leaders.stop is None
    rule = {"who": "role=top", "strategy": "model", "stop": "none"}
    assert Params().with_updates({"leaders.rules": [rule]}).leaders.rules[0].stop is None
    with pytest.raises(
        ValidationError, match=r"leaders\.stop = 'never': must be a whole number, or \"none\""
    ):
        Params().with_updates({"leaders.stop": "never"})
    with pytest.raises(ValidationError, match=r"org\.size = 'none': must be a whole number \("):
        Params().with_updates({"org.size": "none"})


@pytest.mark.parametrize(
    ("updates", "got"),
    [
        ([("culture.openness", 0.8)], "a list"),
        (None, "None"),
        ("culture.openness=0.8", "a str"),
        (Engine(Params().with_updates({"org.size": 20})), "an Engine"),
    ],
)
def test_with_updates_of_anything_but_a_mapping_says_what_it_takes(updates: Any, got: str) -> None:
    with pytest.raises(TypeError, match=rf"takes a dict of dotted paths and values.*; got {got}$"):
        Params().with_updates(updates)
