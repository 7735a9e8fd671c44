"""Who adopts, and when (:mod:`simulator.adopters`, the report's section of it): shares by
role and level with intervals over runs, first weeks by level and sources of adoption,
worked out by hand on a tiny table, then recomputed from a sweep's people table."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import paired_scenario
from scipy import stats

from simulator import adopters
from simulator.people import NO_REPORTS
from simulator.report import write_report
from simulator.report_people import gather
from simulator.results import load
from simulator.scenario import parse_scenario
from simulator.sweep import sweep

T3 = 3.182446305284263  # t(0.975, 3 df), from a table


def hand_people() -> pd.DataFrame:
    """Arm ``a``: four runs of six people, a top leader (level 0), an executive (level 1)
    and four people without reports (level 2); arm ``b``: the same people, none adopting.

    Posting at the horizon: the top leader in runs 0-2; the executive never (a poster at
    week 3 of run 0 who lapsed); of the four others 2, 2, 3 and 1.
    """
    weeks = {  # first week as a poster of the four without reports, per run
        0: [2, 4, None, None],
        1: [4, 6, None, None],
        2: [2, 6, 8, None],
        3: [10, None, None, None],
    }
    sources = {
        0: ["peer", "leader", None, None],
        1: ["peer", "peer", None, None],
        2: ["peer", "guideline", "spontaneous", None],
        3: ["delegate", None, None, None],
    }
    rows = []
    for r in range(4):
        top = r < 3
        rows.append((r, 0, "top", top, 1.0 if top else None, "assigned" if top else None))
        rows.append(
            (r, 1, "executive", False, 3.0 if r == 0 else None, "leader" if r == 0 else None)
        )
        for week, source in zip(weeks[r], sources[r], strict=True):
            rows.append((r, 2, None, week is not None, week, source))
    a = pd.DataFrame(
        rows, columns=["replication", "level", "role", "posting", "first_poster", "source"]
    )
    a["final_stage"] = np.where(a.pop("posting"), "poster", "listener")
    b = a.assign(final_stage="non_user", first_poster=np.nan, source=None)
    people = pd.concat([a.assign(arm="a"), b.assign(arm="b")], ignore_index=True)
    return people.assign(point=0, first_poster=people["first_poster"].astype(float))


def rows_of(table: pd.DataFrame, arm: str, part: str) -> pd.DataFrame:
    return table[(table["arm"] == arm) & (table["table"] == part)].set_index("group")


def test_shares_by_role_with_intervals_over_runs_by_hand() -> None:
    table = adopters.summary(hand_people(), arms=["a", "b"])
    role = rows_of(table, "a", "role")
    assert list(role.index) == ["top", "executive", "no reports"]  # (no middle, no frontline)
    assert list(role["n"]) == [4, 4, 4] and list(role["people"]) == [1, 1, 4]
    # without reports: 0.5, 0.5, 0.75, 0.25: mean 0.5, sd sqrt(1/24), half T3 sd / 2
    half = T3 * math.sqrt(1 / 24) / 2
    assert role.loc["no reports", "mean"] == pytest.approx(0.5)
    assert role.loc["no reports", "ci_low"] == pytest.approx(0.5 - half)  # 0.1752
    assert role.loc["no reports", "ci_high"] == pytest.approx(0.5 + half)
    # top: 1, 1, 1, 0: mean 0.75, half T3 * 0.5 / 2 = 0.80 reaches past 0 and 1: cut there
    assert role.loc["top", ["mean", "ci_low", "ci_high"]].tolist() == pytest.approx([0.75, 0, 1])
    assert role.loc["executive", ["mean", "ci_low", "ci_high"]].tolist() == [0, 0, 0]
    level = rows_of(table, "a", "level")  # (here each level is one role)
    assert list(level.index) == [0, 1, 2]
    assert level["mean"].tolist() == pytest.approx([0.75, 0, 0.5])
    none = rows_of(table, "b", "role")
    assert none["mean"].tolist() == [0, 0, 0] and none["n"].tolist() == [4, 4, 4]


def test_first_weeks_by_level_among_posters_pooled_over_runs_by_hand() -> None:
    table = adopters.summary(hand_people(), arms=["a", "b"])
    weeks = rows_of(table, "a", "first_week")
    # level 2: 2, 2, 4, 4, 6, 6, 8, 10: median 5; q10 at 0.7 of the way from the 1st
    # to the 2nd (2), q90 at 6.3: 8 + 0.3 * (10 - 8)
    assert weeks.loc[2, ["n", "median", "q10", "q90"]].tolist() == pytest.approx([8, 5, 2, 8.6])
    assert weeks.loc[1, ["n", "median"]].tolist() == [1, 3]  # (the executive who lapsed)
    assert weeks.loc[0, ["n", "median"]].tolist() == [3, 1]
    assert weeks.loc[2, "people"] == pytest.approx(8 / 4)  # posters per run
    assert rows_of(table, "b", "first_week").empty  # (no poster)


def test_sources_as_shares_of_each_runs_adoptions_by_hand() -> None:
    table = adopters.summary(hand_people(), arms=["a", "b"])
    source = rows_of(table, "a", "source")
    assert list(source.index) == [
        "assigned",
        "leader",
        "peer",
        "delegate",
        "guideline",
        "spontaneous",
    ]
    # run 0: assigned, leader, peer, leader; 1: assigned, peer, peer;
    # 2: assigned, peer, guideline, spontaneous; 3: delegate
    expected = {
        "assigned": (1 / 4 + 1 / 3 + 1 / 4 + 0) / 4,
        "leader": (2 / 4) / 4,
        "peer": (1 / 4 + 2 / 3 + 1 / 4) / 4,
        "delegate": 1 / 4,
        "guideline": (1 / 4) / 4,
        "spontaneous": (1 / 4) / 4,
    }
    assert source["mean"].to_dict() == pytest.approx(expected)
    assert source["mean"].sum() == pytest.approx(1.0) and set(source["n"]) == {4}
    assert rows_of(table, "b", "source").empty  # (no run of b had an adoption)


def test_the_arms_come_in_the_order_asked_and_an_arm_alone_gives_its_rows() -> None:
    people = hand_people()
    both = adopters.summary(people, arms=["b", "a"])
    assert list(dict.fromkeys(both["arm"])) == ["b", "a"]
    alone = adopters.summary(people[people["arm"] == "a"])
    pd.testing.assert_frame_equal(alone, both[both["arm"] == "a"].reset_index(drop=True))
    idle = adopters.summary(people[people["arm"] == "b"])  # (no poster, no adoption)
    pd.testing.assert_frame_equal(idle, both[both["arm"] == "b"].reset_index(drop=True))
    assert list(adopters.summary(people.iloc[:0]).columns) == adopters.COLUMNS


# -- the report ------------------------------------------------------------------------------
TEXT = paired_scenario("who", seed=11, replications=3, steps=8, size=40)


def run(tmp: Path, people: bool) -> Path:
    text = TEXT.replace("[params]", "[record]\npeople = true\n\n[params]") if people else TEXT
    out = tmp / ("with" if people else "without")
    sweep(parse_scenario(tomllib.loads(text))[1], out, workers=1)
    return out


@pytest.fixture(scope="module")
def with_people(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = run(tmp_path_factory.mktemp("who"), people=True)
    write_report(folder)
    return folder


def test_a_report_with_people_has_the_section_the_csv_and_the_figure(with_people: Path) -> None:
    report = with_people / "report"
    text = (report / "report.html").read_text(encoding="utf-8")
    assert "<h2>Who adopts, and when</h2>" in text
    assert "pooled over 2 design points" in text
    assert text.count("data:image/png;base64,") == len(list(report.glob("*.png")))
    assert (report / "who_adopts.png").exists()
    written = (report / ".written").read_text(encoding="utf-8").split()
    assert {"people_summary.csv", "who_adopts.png"} <= set(written)
    table = pd.read_csv(report / "people_summary.csv")
    assert list(table.columns) == adopters.COLUMNS
    assert list(dict.fromkeys(table["arm"])) == ["model", "delegate"]
    assert set(table["table"]) == set(adopters.TABLES)


def test_the_sections_numbers_are_those_of_the_people_table(with_people: Path) -> None:
    """Per run the share posting at each level, then the mean and t interval over the runs
    of both design points; each in the CSV and on the page."""
    results = load(with_people)
    people = results.people
    shown = pd.read_csv(with_people / "report" / "people_summary.csv")
    text = (with_people / "report" / "report.html").read_text(encoding="utf-8")
    section = text[text.index("Who adopts, and when") : text.index("<h2>Summary")]
    per_run = (
        people.assign(posting=people["final_stage"] == "poster")
        .groupby(["arm", "point", "replication", "level"])["posting"]
        .mean()
    )
    for (arm, level), shares in per_run.groupby(["arm", "level"]):
        n, mean, sd = len(shares), shares.mean(), shares.std(ddof=1)
        half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
        row = shown[(shown["arm"] == arm) & (shown["table"] == "level")]
        row = row[row["group"].astype(int) == level].iloc[0]
        assert row["n"] == n  # (a level that some organisations lack: fewer runs)
        assert row["mean"] == pytest.approx(mean)
        if n < 2:  # (no interval)
            assert np.isnan(row["ci_low"]) and f"{100 * mean:.1f} % [–, –]" in section
            continue
        assert row["ci_low"] == pytest.approx(max(mean - half, 0.0))
        assert row["ci_high"] == pytest.approx(min(mean + half, 1.0))
        assert f"{100 * mean:.1f} % [{100 * max(mean - half, 0):.1f} %," in section
    assert shown.loc[shown["table"] == "level", "n"].max() == 2 * 3  # (both design points)
    # the same shares as the levels table records at the horizon
    levels = load(with_people).levels
    last = levels[levels["step"] == levels["step"].max()]
    recorded = last.groupby(["arm", "level"])["poster"].mean()
    by_level = shown[shown["table"] == "level"].assign(level=lambda t: t["group"].astype(int))
    assert by_level.set_index(["arm", "level"])["mean"].sort_index().to_numpy() == pytest.approx(
        recorded.sort_index().to_numpy()
    )
    # the first weeks of those who became posters, pooled over the runs
    posters = people[people["first_poster"].notna()]
    for (arm, level), weeks in posters.groupby(["arm", "level"])["first_poster"]:
        row = shown[(shown["arm"] == arm) & (shown["table"] == "first_week")]
        row = row[row["group"].astype(int) == level].iloc[0]
        assert row["n"] == len(weeks) and row["median"] == pytest.approx(weeks.median())
        assert [row["q10"], row["q90"]] == pytest.approx(list(weeks.quantile([0.1, 0.9])))
    # read arm by arm, as from the whole table
    whole = adopters.summary(people, arms=results.arms)
    pd.testing.assert_frame_equal(gather(results).table, whole)  # type: ignore[union-attr]


def test_a_report_without_people_has_no_section(tmp_path: Path) -> None:
    folder = run(tmp_path, people=False)
    text = write_report(folder).read_text(encoding="utf-8")
    assert "Who adopts" not in text
    report = folder / "report"
    assert not (report / "people_summary.csv").exists() and not (report / "who_adopts.png").exists()
    assert "people_summary.csv" not in (report / ".written").read_text(encoding="utf-8")
    assert gather(load(folder)) is None


def test_a_categorical_role_gives_the_same_table() -> None:
    """A notebook user's ``role`` as a category: the people without reports were a new
    category ('Cannot setitem on a Categorical with a new category')."""
    people = hand_people()
    as_category = people.assign(role=people["role"].astype("category"))
    pd.testing.assert_frame_equal(
        adopters.summary(as_category, arms=["a", "b"]), adopters.summary(people, arms=["a", "b"])
    )
    role = rows_of(adopters.posting_shares(as_category, "role"), "a", "role")
    assert list(role.index) == ["top", "executive", "no reports"]


def test_the_people_without_reports_labelled_or_empty_give_the_same_table() -> None:
    """Folders written before the role of the people without reports was labelled
    (``simulator.people.NO_REPORTS``) hold an empty role; both give the same table, and a
    sweep's people table now holds the label."""
    people = hand_people()
    assert people["role"].isna().any()  # (as an old folder)
    labelled = people.fillna({"role": NO_REPORTS})
    pd.testing.assert_frame_equal(
        adopters.summary(labelled, arms=["a", "b"]), adopters.summary(people, arms=["a", "b"])
    )
    assert adopters.NO_REPORTS is NO_REPORTS and adopters.ROLE_ORDER[-1] == NO_REPORTS


def test_a_sweeps_people_table_labels_those_without_reports(with_people: Path) -> None:
    people = load(with_people).people
    assert people["role"].notna().all()
    assert (people.loc[people["reports"] == 0, "role"] == NO_REPORTS).all()
    assert (people.loc[people["reports"] > 0, "role"] != NO_REPORTS).all()


# -- runs without people rows, arms without finished runs -------------------------------------
BROKEN = (  # (valid, but every run fails: the comms team is larger than the organisation)
    '\n[arms.comms]\nleaders.strategy = "delegate"\ndelegation.mode = "comms_team"\n'
    "delegation.comms_team_size = 500\n"
)


@pytest.fixture(scope="module")
def three_arms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Arms model and delegate, 2 points x 2 replications, a people file per run; arm comms
    whose 4 runs all fail."""
    text = paired_scenario("gaps", seed=4, replications=2, steps=6, size=40, extra=BROKEN)
    text = text.replace("[params]", "[record]\npeople = true\n\n[params]")
    out = tmp_path_factory.mktemp("gaps") / "r"
    sweep(parse_scenario(tomllib.loads(text))[1], out, workers=1, pairs_per_task=1)
    return out


def section(folder: Path, tmp: Path, drop: int) -> tuple[str, list[str]]:
    """The section's HTML and its arms' columns, of a copy of ``folder`` without ``drop`` of
    the delegate arm's people files."""
    import shutil

    copy = shutil.copytree(folder, tmp / "copy")
    for part in sorted(copy.glob("people/arm=delegate/part-*.parquet"))[:drop]:
        part.unlink()
    text = write_report(copy).read_text(encoding="utf-8")
    html = text[text.index("<h2>Who adopts, and when") : text.index("<h2>Summary")]
    head = html[html.index("<h3>Share posting at the horizon, by role") :]
    head = head[head.index("<tr>") : head.index("</tr>")]
    return html, [h.split("</th>")[0] for h in head.split("<th>")[3:]]


def test_an_arm_whose_runs_all_failed_keeps_its_column_and_is_said(
    three_arms: Path, tmp_path: Path
) -> None:
    html, arms = section(three_arms, tmp_path, drop=0)
    assert arms == ["model", "delegate", "comms"]  # (comms was dropped)
    assert "comms: no finished run (4 failed, listed under Runs): no numbers (–)." in html
    assert "model:" not in html and "delegate:" not in html  # (all their runs have people)
    level = html[html.index("by level</h3>") : html.index("<h3>First week")]
    assert level.count('<td class="n">–</td>') == level.count("<tr>") - 1  # comms: – each


def test_runs_without_people_rows_are_said_with_their_number(
    three_arms: Path, tmp_path: Path
) -> None:
    html, arms = section(three_arms, tmp_path, drop=1)
    assert (
        "delegate: its numbers are of 3 of its 4 finished runs (1 lost its people file: see"
        " Runs)." in html
    )
    assert arms == ["model", "delegate", "comms"]
    shown = pd.read_csv(tmp_path / "copy" / "report" / "people_summary.csv")
    role = shown[shown["table"] == "role"].groupby("arm")["n"].max()
    assert role.to_dict() == {"model": 4, "delegate": 3}  # (the runs each share is of)


def test_an_arm_without_people_files_keeps_its_column_and_is_said(
    three_arms: Path, tmp_path: Path
) -> None:
    html, arms = section(three_arms, tmp_path, drop=4)
    assert arms == ["model", "delegate", "comms"]  # (delegate was dropped without a word)
    assert (
        "delegate: no numbers (–): its 4 finished runs lost their people files (see Runs)." in html
    )
