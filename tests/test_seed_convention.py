"""One seed convention: ``orgsim run`` and ``orgsim compare`` run, for replication ``r`` of
their ``--seed``, the run a sweep of their ``scenario.toml`` runs (design point 0,
replication ``r``: :func:`simulator.seeds.run_seed`), and the workshop's pair at seed ``S``
is replication 0 of ``orgsim compare --seed S``. So the same root seed gives the same runs,
bit for bit, on the command line, in a sweep and in the app. The quick commands also refuse,
on an org chart, the settings the chart replaces, as a scenario does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.app.paired import PairedRun
from simulator.cli import main
from simulator.orgimport import Chart
from simulator.params import Params
from simulator.results import load
from simulator.scenario import load_scenario
from simulator.scenario_chart import chart_settings
from simulator.seeds import child, replication_seeds, run_seed

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "notebooks" / "data" / "acme_org.csv"
ACME_TIES = ROOT / "notebooks" / "data" / "acme_ties.csv"
KEYS = ["arm", "replication"]


def _command_outcomes(out: Path) -> pd.DataFrame:
    """The command's outcomes.csv (pandas writes a float's shortest repr and reads it back
    exactly)."""
    return pd.read_csv(out / "outcomes.csv")


def _sweep(scenario: Path, out: Path) -> pd.DataFrame:
    args = ["sweep", str(scenario), "--out", str(out), "--workers", "1", "--no-report"]
    assert main([*args, "--quiet"]) == 0
    return load(out).outcomes


def _same_runs(command: pd.DataFrame, swept: pd.DataFrame, arms: list[str]) -> None:
    """Every outcome the command wrote equals the sweep's, run by run, bit for bit."""
    if "arm" not in command:  # (run: one arm, the sweep's "base")
        command = command.assign(arm=arms[0])
    shared = [c for c in command.columns if c in swept.columns and c not in KEYS]
    assert {"poster", "reach", "t10", "t50"} <= set(shared)
    a = command.sort_values(KEYS).reset_index(drop=True)
    b = swept.assign(arm=swept["arm"].astype(str)).sort_values(KEYS).reset_index(drop=True)
    assert len(a) == len(b) and list(a["arm"]) == list(b["arm"])
    assert list(a["replication"]) == list(b["replication"])
    for column in shared:
        left, right = a[column].to_numpy(dtype=float), b[column].to_numpy(dtype=float)
        assert np.array_equal(left, right, equal_nan=True), column
    assert a["reach"].nunique() > 1  # (the runs differ from one another: not a trivial match)


@pytest.mark.parametrize(
    "chart",
    [[], ["--org-csv", str(ACME)], ["--org-csv", str(ACME), "--ties-csv", str(ACME_TIES)]],
    ids=["generated", "org_csv", "org_and_ties_csv"],
)
def test_compare_equals_the_sweep_of_its_scenario(tmp_path: Path, chart: list[str]) -> None:
    size = [] if chart else ["--size", "120"]
    args = ["compare", "--arms", "model,delegate", *size, "--steps", "8", "--reps", "3"]
    out = tmp_path / "cmp"
    assert main([*args, *chart, "--seed", "11", "--quiet", "--out", str(out)]) == 0
    scenario = out / "scenario.toml"
    assert "bit for bit" in scenario.read_text(encoding="utf-8")
    swept = _sweep(scenario, tmp_path / "swept")
    _same_runs(_command_outcomes(out), swept, ["model", "delegate"])


def test_run_equals_the_sweep_of_its_scenario(tmp_path: Path) -> None:
    out = tmp_path / "one"
    args = ["run", "--strategy", "delegate", "--size", "120", "--steps", "8", "--reps", "2"]
    assert main([*args, "--set", "culture.openness=0.8", "--quiet", "--out", str(out)]) == 0
    swept = _sweep(out / "scenario.toml", tmp_path / "swept")
    _same_runs(_command_outcomes(out), swept, ["base"])


def test_one_function_seeds_the_commands_and_the_sweeps(tmp_path: Path) -> None:
    """``replication_seeds`` is point 0's replications; ``Plan.seed`` is ``run_seed``."""
    out = tmp_path / "cmp"
    assert (
        main(
            [
                "compare",
                "--size",
                "60",
                "--steps",
                "2",
                "--reps",
                "3",
                "--seed",
                "4",
                "--quiet",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    _, plan = load_scenario(out / "scenario.toml")
    for r, seed in enumerate(replication_seeds(4, 3)):
        expected = child(child(np.random.SeedSequence(4), 0), r)
        for s in (seed, plan.seed(0, r), run_seed(4, 0, r)):
            assert (s.entropy, s.spawn_key) == (expected.entropy, expected.spawn_key)
            assert np.array_equal(s.generate_state(4), expected.generate_state(4))


@pytest.mark.parametrize("org_csv", [None, ACME], ids=["generated", "org_csv"])
def test_the_apps_pair_is_replication_0_of_compare(tmp_path: Path, org_csv: Path | None) -> None:
    """The workshop's pair at seed S, stepped to the horizon, has the outcomes of
    replication 0 of ``orgsim compare --seed S --reps 1`` with the same arms and settings."""
    arms = ("listen", "model")
    params = Params().with_updates({"steps": 7, "culture.openness": 0.7})
    args = ["compare", "--arms", ",".join(arms), "--steps", "7", "--reps", "1", "--seed", "9"]
    args += ["--set", "culture.openness=0.7"]
    if org_csv is None:
        params = params.with_updates({"org.size": 150})
        args += ["--size", "150"]
        chart = None
    else:
        args += ["--org-csv", str(org_csv)]
        chart = Chart.read(org_csv)
    out = tmp_path / "cmp"
    assert main([*args, "--quiet", "--out", str(out)]) == 0
    command = _command_outcomes(out).set_index("arm")
    run = PairedRun.start(params, seed=9, arms=arms, chart=chart).step(7)
    assert run.done and run.seed == 9
    for k, arm in enumerate(arms):
        mine = run.models[k].outcomes().iloc[0]
        theirs = command.loc[arm]
        shared = [c for c in mine.index if c in theirs.index and c != "replication"]
        assert {"poster", "reach", "t10"} <= set(shared)
        for column in shared:
            assert np.array_equal(
                np.float64(mine[column]), np.float64(theirs[column]), equal_nan=True
            ), (arm, column)
    # and it is not the run of the root itself (the library's meaning of rng=9)
    from simulator.model import OrgModel

    alone = OrgModel(
        params.with_updates({"leaders.strategy": arms[0]}), rng=9, agents=False, chart=chart
    ).run()
    assert not np.array_equal(alone.state.stage[0], run.current(0).stage)


SHAPE_BAD = [
    (["--size", "50"], "--size 50: "),
    (["--set", "org.size=50"], "--set org.size=50: "),
    (["--set", "org.span=4"], "--set org.span=4: "),
    (["--set", "org.span_jitter=2"], "--set org.span_jitter=2: "),
    (["--set", "org.units=3"], "--set org.units=3: "),
    (["--set", 'org={"span": 4}'], "--set org.span=4: "),  # (a table given whole)
]
SHAPE_WHY = (
    "org.size, org.span, org.span_jitter and org.units do not apply with --org-csv, as the org"
    " chart sets the organisation; remove it"
)


@pytest.mark.parametrize("command", ["run", "compare"])
@pytest.mark.parametrize(("extra", "message"), SHAPE_BAD)
def test_chart_shape_settings_are_refused_with_org_csv(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "o"
    code = main([command, "--org-csv", str(ACME), *extra, "--steps", "2", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and f"orgsim: error: {message}{SHAPE_WHY}" in err
    assert "Traceback" not in err and not out.exists()  # (nothing ran)


def test_ties_settings_are_refused_with_ties_csv_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = ["--org-csv", str(ACME)]
    lateral = ["--set", "org.lateral_within=0.2", "--steps", "2", "--quiet"]
    code = main(
        ["run", *chart, "--ties-csv", str(ACME_TIES), *lateral, "--out", str(tmp_path / "a")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert (
        "--set org.lateral_within=0.2: org.lateral_within and org.lateral_across do not apply"
        " with --ties-csv, as the ties table sets the informal ties; remove it"
    ) in err
    # without a ties table, the informal ties are drawn: their parameters apply
    assert main(["run", *chart, *lateral, "--out", str(tmp_path / "b")]) == 0
    text = (tmp_path / "b" / "scenario.toml").read_text(encoding="utf-8")
    assert "lateral_within = 0.2" in text


def test_the_commands_refuse_what_a_scenario_refuses() -> None:
    """One list: the commands', the scenario file's and scenario_write's (what they leave
    out) are :func:`chart_settings`."""
    from simulator.scenario_write import command_scenario

    for ties in (False, True):
        updates = {path: 3 for path in chart_settings(ties)}
        text = command_scenario(
            "orgsim run",
            "o",
            Params(),
            updates,
            seed=1,
            replications=1,
            org_csv=str(ACME),
            ties_csv=str(ACME_TIES) if ties else None,
        )
        left_out = text.split("Left out, as they do not apply on an org chart: ")[1]
        assert left_out.split(".\n")[0] == ", ".join(chart_settings(ties))
