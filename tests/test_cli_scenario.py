"""``orgsim run`` and ``compare`` write ``scenario.toml``: what they ran, as a scenario file
that validates, plans the same parameters, arms, replications and seed, and sweeps; and
``orgsim report`` on their output folder says how to sweep it."""

from __future__ import annotations

import json
import shlex
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator.cli import main
from simulator.engine import Engine
from simulator.params import Params
from simulator.results import load
from simulator.scenario import load_scenario
from simulator.seeds import replication_seeds

SMALL = ["--size", "80", "--steps", "6", "--reps", "2", "--quiet"]
RULES = [{"who": "levels=1-2", "strategy": "model", "rate": 0.5, "stop": None}]
SETS = {  # a --set of every JSON kind: number, whole number, boolean, text, null, list of tables
    "culture.openness": "0.8",
    "org.units": "3",
    "delegation.followed": "false",
    "delegation.mode": "comms_team",
    "leaders.stop": "null",
    "leaders.rules": json.dumps(RULES),
}


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "cmp"
    sets = [arg for key, raw in SETS.items() for arg in ("--set", f"{key}={raw}")]
    args = ["compare", "--arms", "model,delegate,listen", *SMALL, "--seed", "7", *sets]
    assert main([*args, "--out", str(out)]) == 0
    return out


def test_compare_scenario_plans_the_runs_it_made(compared: Path, capsys) -> None:
    scenario_file = compared / "scenario.toml"
    assert main(["validate", str(scenario_file)]) == 0
    assert f"{scenario_file}: valid" in capsys.readouterr().out
    scenario, plan = load_scenario(scenario_file)
    record = json.loads((compared / "compare.json").read_text())
    ran = Params.model_validate(record["params"])
    assert list(plan.arms) == ["model", "delegate", "listen"]  # (the baseline first)
    assert len(plan.points) == 1 and plan.replications == 2
    assert scenario.scenario.seed == 7 and scenario.scenario.steps == 6
    for arm in plan.arms:
        assert plan.params[(0, arm)] == ran.with_updates({"leaders.strategy": arm})
    text = scenario_file.read_text(encoding="utf-8")
    assert text.startswith(f"# Made by: {record['command']}\n")
    assert scenario.scenario.name == "cmp-sweep"


def test_every_kind_of_set_value_reads_back_as_given(compared: Path) -> None:
    data = tomllib.loads((compared / "scenario.toml").read_text(encoding="utf-8"))
    params = data["params"]
    assert params["culture"]["openness"] == 0.8
    assert params["org"] == {"size": 80, "units": 3}
    assert params["delegation"] == {"followed": False, "mode": "comms_team"}
    assert params["leaders"]["stop"] == "none"  # (TOML has no null; a scenario says "none")
    assert params["leaders"]["rules"] == [{**RULES[0], "stop": "none"}]
    assert data["arms"] == {
        a: {"leaders": {"strategy": a}} for a in ("model", "delegate", "listen")
    }


def test_report_on_the_output_folder_says_how_to_sweep_it(compared: Path, capsys) -> None:
    assert main(["report", str(compared)]) == 2
    err = capsys.readouterr().err
    assert f"{compared} holds the output of `orgsim compare`, not a results folder" in err
    assert f"`orgsim sweep {compared / 'scenario.toml'}` sweeps what it ran" in err
    assert "results/cmp-sweep" in err


def test_report_on_an_older_output_folder_says_to_run_the_command_again(
    compared: Path, tmp_path: Path, capsys
) -> None:
    older = tmp_path / "older"  # (made before the commands wrote scenario.toml)
    older.mkdir()
    (older / "run.json").write_text((compared / "compare.json").read_text())
    assert main(["report", str(older)]) == 2
    err = capsys.readouterr().err
    assert f"{older} holds the output of `orgsim run`" in err
    assert f"run its command again (the `command` in {older / 'run.json'})" in err


def test_report_on_a_folder_holding_a_scenario_file(tmp_path: Path, capsys) -> None:
    """A scenario file in a folder without a manifest: its sweep is named (the path quoted
    to paste); one without a scenario name is an ordinary folder (it raised IndexError)."""
    held = tmp_path / "my study"
    held.mkdir()
    (held / "scenario.toml").write_text('[scenario]\nname = "mine"\n')
    assert main(["report", str(held)]) == 2
    err = capsys.readouterr().err
    assert f"{held} holds a scenario file, scenario.toml, not a results folder" in err
    assert f"`orgsim sweep '{held / 'scenario.toml'}'` sweeps it into one, results/mine" in err
    (held / "scenario.toml").write_text("a = 1\n")
    assert main(["report", str(held)]) == 2
    err = capsys.readouterr().err
    assert "no manifest.json; not a results folder" in err and "Traceback" not in err


def test_run_scenario_sweeps_into_the_commands_runs(tmp_path: Path, capsys) -> None:
    """The sweep's replication r is the command's parameters run from ``Plan.seed(0, r)``, bit
    for bit, and so is the command's (``replication_seeds(seed, reps)[r]``, point 0's
    replications): the sweep gives the command's runs, as the file's header says."""
    out = tmp_path / "one"
    args = ["run", "--strategy", "delegate", *SMALL, "--set", "culture.openness=0.8"]
    assert main([*args, "--out", str(out)]) == 0
    scenario_file = out / "scenario.toml"
    assert "Its runs are the command's runs, bit for bit" in scenario_file.read_text(
        encoding="utf-8"
    )
    _, plan = load_scenario(scenario_file)
    ran = Params.model_validate(json.loads((out / "run.json").read_text())["params"])
    assert list(plan.arms) == ["base"] and plan.params[(0, "base")] == ran
    swept = tmp_path / "swept"
    sweep = ["sweep", str(scenario_file), "--out", str(swept), "--workers", "1", "--no-report"]
    assert main([*sweep, "--quiet"]) == 0
    by_sweep = load(swept).outcomes.sort_values("replication")["reach"].to_numpy()
    by_command = pd.read_csv(out / "outcomes.csv")["reach"].to_numpy()
    rebuilt = [Engine(ran, rng=plan.seed(0, r)).run().outcomes()["reach"].iloc[0] for r in (0, 1)]
    assert list(by_sweep) == rebuilt
    seeds = replication_seeds(1, 2)
    assert all(
        np.array_equal(plan.seed(0, r).generate_state(4), seeds[r].generate_state(4))
        for r in (0, 1)
    )
    assert np.array_equal(by_sweep, by_command)


def test_closing_line_says_how_to_sweep(tmp_path: Path, capsys) -> None:
    out = tmp_path / "first"
    args = ["run", "--size", "80", "--steps", "4", "--out", str(out)]
    assert main(args) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert f"orgsim sweep {out / 'scenario.toml'} (-> results/first-sweep;" in last


def test_a_folder_name_to_quote_and_escape(tmp_path: Path) -> None:
    out = tmp_path / "odd 'name'\nhere, é"  # (the comment's command line escapes the newline)
    assert main(["run", "--size", "80", "--steps", "4", "--quiet", "--out", str(out)]) == 0
    text = (out / "scenario.toml").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith("--out " + shlex.quote(str(out)).replace("\n", "\\n"))
    scenario, _ = load_scenario(out / "scenario.toml")
    assert scenario.scenario.name == "odd 'name'\nhere, é-sweep"


def test_the_header_commands_paste_into_a_shell(tmp_path: Path) -> None:
    """An output folder with a space: the header's `orgsim sweep` names its file quoted."""
    out = tmp_path / "my runs"
    assert main(["run", "--size", "80", "--steps", "4", "--quiet", "--out", str(out)]) == 0
    text = (out / "scenario.toml").read_text(encoding="utf-8")
    quoted = shlex.quote(str(out / "scenario.toml"))
    assert f"#     orgsim validate {quoted}\n" in text
    assert f"#     orgsim sweep {quoted}    # -> results/my runs-sweep (or --out)\n" in text


def test_people_scenario_keeps_the_people_table(tmp_path: Path, capsys) -> None:
    """``--people``: the scenario file says ``[record] people = true``, so its sweep keeps a
    row per person and run as the command did; without it, it says nothing of it."""
    out = tmp_path / "who"
    args = ["run", "--size", "80", "--steps", "4", "--reps", "2", "--quiet", "--people"]
    assert main([*args, "--out", str(out)]) == 0
    scenario_file = out / "scenario.toml"
    assert "\n[record]\npeople = true\n" in scenario_file.read_text(encoding="utf-8")
    assert main(["validate", str(scenario_file)]) == 0
    scenario, _ = load_scenario(scenario_file)
    assert scenario.record.people is True
    swept = tmp_path / "swept"
    sweep = ["sweep", str(scenario_file), "--out", str(swept), "--workers", "1", "--no-report"]
    assert main([*sweep, "--quiet"]) == 0
    assert len(load(swept).people) == 2 * 80
    plain = tmp_path / "plain"
    assert main([*args[:-1], "--out", str(plain)]) == 0
    assert "[record]" not in (plain / "scenario.toml").read_text(encoding="utf-8")
    assert load_scenario(plain / "scenario.toml")[0].record.people is False
