"""Reading part of the people table (:meth:`simulator.results.Results.read_people`): some
columns of some runs, the rows of the attempt each run kept, without reading the rest."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pandas as pd
import pytest
from builders import paired_scenario

from simulator.results import ResultsError, load
from simulator.scenario import parse_scenario
from simulator.sweep import sweep

PEOPLE = 30
TEXT = paired_scenario("part", seed=5, replications=2, steps=6, size=PEOPLE).replace(
    "[params]", "[record]\npeople = true\n\n[params]"
)
LEAD = ["point", "replication", "attempt", "person", "arm"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 points x 2 arms x 2 replications, a task per pair of runs; the run of one task
    runs again (attempt 1) after its outcomes file is lost, its people file of attempt 0 left."""
    plan = parse_scenario(tomllib.loads(TEXT))[1]
    out = tmp_path_factory.mktemp("people") / "r"
    sweep(plan, out, workers=1, pairs_per_task=1)
    next(out.glob("outcomes/arm=model/part-*.parquet")).unlink()
    assert sweep(plan, out, workers=1, pairs_per_task=1).done == 1
    return out


def test_some_runs_and_columns_are_those_rows_of_the_whole_table(folder: Path) -> None:
    results = load(folder)
    assert (results.people["attempt"] == 1).sum() == PEOPLE  # (the run run again)
    part = results.read_people(["level", "first_poster"], point=1, arm="delegate")
    assert list(part.columns) == [*LEAD[:4], "level", "first_poster", "arm"]
    assert len(part) == 2 * PEOPLE  # its two replications
    assert set(part["point"]) == {1} and set(part["arm"]) == {"delegate"}
    assert list(part["person"]) == [*range(PEOPLE)] * 2
    whole = results.people
    mine = whole[(whole["point"] == 1) & (whole["arm"] == "delegate")]
    pd.testing.assert_frame_equal(part, mine[list(part.columns)].reset_index(drop=True))


def test_a_run_read_again_gives_the_rows_of_its_kept_attempt_once(folder: Path) -> None:
    results = load(folder)
    again = results.outcomes[results.outcomes["attempt"] == 1]
    point, replication = int(again["point"].iloc[0]), int(again["replication"].iloc[0])
    part = results.read_people(point=point, arm="model", replication=replication)
    assert list(part["person"]) == list(range(PEOPLE)) and set(part["attempt"]) == {1}
    whole = results.people
    mine = whole[
        (whole["point"] == point)
        & (whole["arm"] == "model")
        & (whole["replication"] == replication)
    ]
    pd.testing.assert_frame_equal(part, mine.reset_index(drop=True))


def test_lists_of_values_and_no_filter(folder: Path) -> None:
    results = load(folder)
    part = results.read_people(["final_stage"], replication=[1], arm=["model", "delegate"])
    assert len(part) == 2 * 2 * PEOPLE and set(part["replication"]) == {1}
    pd.testing.assert_frame_equal(results.read_people(), results.people)
    assert results.read_people(arm=[]).empty


def test_another_arms_files_are_not_read(folder: Path, tmp_path: Path) -> None:
    """A damaged file of the arm ``model``: the whole table cannot be read, the other arm's
    rows still can, its files alone being opened."""
    import shutil

    copy = tmp_path / "r"
    shutil.copytree(folder, copy)
    next(copy.glob("people/arm=model/part-*.parquet")).write_bytes(b"not parquet")
    results = load(copy)
    assert len(results.read_people(["level"], arm="delegate")) == 2 * 2 * PEOPLE
    with pytest.raises(ResultsError, match="not a readable Parquet file"):
        results.read_people(["level"])


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ({"columns": ["levle"]}, r"column 'levle' is not a column .*did you mean 'level'\?"),
        ({"arm": "listen"}, r"arm = 'listen' is not in this folder \(its arms: 'model', 'del"),
        ({"point": 2}, r"point = 2 is not in this folder \(its points: 0 to 1\)"),
        ({"replication": [0, 1.5]}, r"replication = 1\.5 is not in this folder \(.*0 to 1\)"),
        ({"point": True}, r"point = True is not in this folder"),
    ],
)
def test_what_is_not_in_the_folder_is_named(folder: Path, asked: dict, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        load(folder).read_people(**asked)


def test_without_people_a_part_has_no_rows_but_its_columns(tmp_path: Path) -> None:
    plan = parse_scenario(tomllib.loads(TEXT.replace("people = true", "people = false")))[1]
    sweep(plan, tmp_path / "r", workers=1)
    part = load(tmp_path / "r").read_people(["level"], point=0)
    assert part.empty and list(part.columns) == [*LEAD[:4], "level", "arm"]


def test_one_column_by_its_name_is_that_column(folder: Path) -> None:
    """``read_people("level")`` read the letters: "column 'l' is not a column"."""
    results = load(folder)
    one = results.read_people("level", arm="model")
    pd.testing.assert_frame_equal(one, results.read_people(["level"], arm="model"))
    assert list(one.columns) == [*LEAD[:4], "level", "arm"]


def test_the_columns_named_in_an_error_are_each_named_once(folder: Path) -> None:
    from simulator.people import COLUMNS

    with pytest.raises(ValueError, match=r"its columns: ") as error:
        load(folder).read_people(["levle"])
    named = str(error.value).split("its columns: ")[1].rstrip(")").split(", ")
    assert sorted(named) == sorted({*LEAD, *COLUMNS})  # (person: in both, once)
    assert named.count("person") == 1
