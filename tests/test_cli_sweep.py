"""orgsim validate / sweep / report from the command line, and sweeps from notebook-like code."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from simulator.cli import main
from simulator.results import load

SCENARIO = """\
# Question: command-line smoke test
[scenario]
name = "cli"
seed = 3
replications = 2
steps = 6

[params]
org.size = 60

[arms.model]
leaders.strategy = "model"

[arms.delegate]
leaders.strategy = "delegate"
"""


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "cli.toml"
    path.write_text(SCENARIO)
    return path


def test_validate_prints_the_run_count(scenario_file: Path, capsys) -> None:
    assert main(["validate", str(scenario_file), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "1 design point(s) x 2 arm(s) x 2 replication(s) = 4 runs" in out


def test_validate_says_an_arms_warning_once_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The time estimate ran the first run again and said it a second time, unplaced."""
    path = tmp_path / "late.toml"
    path.write_text(SCENARIO.replace('leaders.strategy = "model"', "leaders.start = 30"))
    assert main(["validate", str(path), "--workers", "1"]) == 0
    said = [line for line in capsys.readouterr().err.splitlines() if "horizon" in line]
    assert said == [
        "orgsim: warning: arms.model.leaders.start = 30 is not before the horizon (steps = 6):"
        " the leaders it applies to never model within the run (a strategy acts in weeks"
        " start+1 to stop)"
    ]


def test_sweep_then_resume_then_report(scenario_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "res"
    args = ["sweep", str(scenario_file), "--out", str(out), "--workers", "1", "--quiet"]
    assert main([*args, "--no-report"]) == 0
    assert "4 runs done, 0 failed" in capsys.readouterr().out
    assert main(args) == 0  # resume: nothing to do, then the report
    printed = capsys.readouterr().out
    assert "0 runs done, 0 failed, 4 already done" in printed
    assert (out / "report" / "report.html").exists()
    assert main(["report", str(out), "--out", str(tmp_path / "again")]) == 0
    assert (tmp_path / "again" / "report.html").exists()
    assert len(load(out).outcomes) == 4


def test_a_bad_scenario_gives_one_line_per_problem(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        SCENARIO.replace("replications = 2", "replications = 0").replace(
            "org.size = 60", "org.sise = 60"
        )
    )
    assert main(["sweep", str(bad), "--out", str(tmp_path / "x")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1  # the header is checked first; params only once it is valid
    assert lines[0].startswith("orgsim: error: ") and "scenario.replications = 0" in lines[0]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_an_arm_whose_runs_cannot_be_set_up_is_refused_before_any_run(
    command: str, tmp_path: Path, capsys
) -> None:
    """Valid values, but no run of the arm can start: the comms team is larger than its
    pool. validate said "valid" and the sweep ran every run to a failure."""
    bad = tmp_path / "comms.toml"
    comms = '[arms.delegate]\nleaders.strategy = "delegate"\ndelegation.mode = "comms_team"\n'
    bad.write_text(
        SCENARIO.replace(
            '[arms.delegate]\nleaders.strategy = "delegate"\n',
            comms + "delegation.comms_team_size = 55\n",
        )
    )
    out = tmp_path / "res"
    assert (
        main([command, str(bad), "--workers", "1", *(["--out", str(out)] * (command == "sweep"))])
        == 2
    )
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"orgsim: error: {bad}: arm delegate: its runs fail: ")
    assert "comms_team_size = 55 exceeds the" in line
    assert not out.exists()


def test_another_scenarios_folder_is_refused(scenario_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "res"
    assert (
        main(
            [
                "sweep",
                str(scenario_file),
                "--out",
                str(out),
                "--workers",
                "1",
                "--quiet",
                "--no-report",
            ]
        )
        == 0
    )
    other = tmp_path / "other.toml"
    other.write_text(SCENARIO.replace("seed = 3", "seed = 4"))
    assert main(["sweep", str(other), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "holds results of another scenario" in err and "Traceback" not in err


def test_sweep_with_worker_processes_from_unguarded_code(
    scenario_file: Path, tmp_path: Path
) -> None:
    """As in a notebook cell: no ``if __name__ == "__main__"`` guard, spawned workers."""
    code = textwrap.dedent(f"""
        from simulator.scenario import load_scenario
        from simulator.sweep import sweep
        plan = load_scenario({str(scenario_file)!r})[1]
        print(sweep(plan, {str(tmp_path / "nb")!r}, workers=2).done)
    """)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "4"


def swept(scenario_file: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    """A finished sweep's folder, and the arguments that sweep it again."""
    out = tmp_path / "res"
    args = [str(scenario_file), "--out", str(out), "--workers", "1", "--quiet", "--no-report"]
    assert main(["sweep", *args]) == 0
    return out, args


@pytest.mark.parametrize("damage", [b'{"digest": ', b"[1, 2]", b"\xff\xfe"])
def test_a_damaged_manifest_is_named_not_a_traceback(
    damage: bytes, scenario_file: Path, tmp_path: Path, capsys
) -> None:
    out, args = swept(scenario_file, tmp_path)
    (out / "manifest.json").write_bytes(damage)
    capsys.readouterr()
    for command in (["sweep", *args], ["report", str(out)]):
        assert main(command) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert line.startswith(f"orgsim: error: {out / 'manifest.json'}: not ")
        assert "restore the file, or run into a new folder" in line


def test_validate_times_a_long_horizon_on_its_first_weeks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """It ran the first run twice in full: a 1,000,000-week horizon never came back."""
    import simulator.sweep

    timed: list[int] = []
    real = simulator.sweep.run

    def recording(spec):  # type: ignore[no-untyped-def]
        timed.append(spec.params.steps)
        return real(spec)

    monkeypatch.setattr(simulator.sweep, "run", recording)
    path = tmp_path / "long.toml"
    path.write_text(SCENARIO.replace("steps = 6", "steps = 1000000"))
    assert main(["validate", str(path), "--workers", "1"]) == 0
    assert timed == [52, 52]
    assert "a run: about" in capsys.readouterr().out


@pytest.mark.parametrize("table", ["outcomes", "series"])
def test_a_damaged_part_file_is_named_and_its_runs_can_be_run_again(
    table: str, scenario_file: Path, tmp_path: Path, capsys
) -> None:
    out, args = swept(scenario_file, tmp_path)
    before = load(out).outcomes.drop(columns=["seconds", "attempt"])
    part = sorted((out / table).glob("arm=*/part-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:100])  # a copy cut short
    capsys.readouterr()
    assert main(["report", str(out)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"orgsim: error: {part}: not a readable Parquet file (")
    outcomes = out / "outcomes" / part.parent.name / part.name  # its runs' outcomes
    if table != "outcomes":  # (its runs count as finished until their outcomes go too)
        assert f"move it and {outcomes} out of the folder" in line
        outcomes.rename(tmp_path / "outcomes.parquet")
    part.rename(tmp_path / part.name)  # as the message says: move it out, sweep again
    assert main(["sweep", *args]) == 0
    again = load(out).outcomes.drop(columns=["seconds", "attempt"])
    assert len(load(out).series) == 4 * 7  # every run's weeks 0-6 back
    key = ["point", "arm", "replication"]
    pd.testing.assert_frame_equal(
        again.sort_values(key).reset_index(drop=True),
        before.sort_values(key).reset_index(drop=True),
    )


def test_a_set_up_that_fails_at_a_later_design_point_is_refused_before_any_run(
    tmp_path: Path, capsys
) -> None:
    """With org.units = [6, 3], 'unit=Unit 5' exists at point 0 only: validate said "valid"
    and the sweep failed half its runs."""
    bad = tmp_path / "units.toml"
    rules = '[params]\norg.size = 60\nleaders.rules = [{ who = "unit=Unit 5", strategy = "model" }]'
    bad.write_text(
        SCENARIO.replace("[params]\norg.size = 60", rules)
        + '[[axes]]\nparam = "org.units"\nvalues = [6, 3]\n'
    )
    assert main(["validate", str(bad), "--workers", "1"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert (
        len(lines) == 1 and "arm model at design point 1 (org.units = 3): its runs fail" in lines[0]
    )
    assert "no unit 'Unit 5'" in lines[0]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_warning_from_the_runs_is_one_line_once(tmp_path: Path, workers: str) -> None:
    """A strategy rule that picks no leader: workers printed Python's two-line warning each
    (and a cluster's workers into their logs, out of sight); the sweep shows it once."""
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO + '\n[[params.leaders.rules]]\nwho = "level=9"\nstrategy = "listen"\n')
    out = str(tmp_path / "out")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "simulator.cli",
            "sweep",
            str(path),
            "--no-report",
            "--out",
            out,
            "--workers",
            workers,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if "warning:" in line.lower()]
    assert len(warned) == 1, done.stderr
    assert warned[0].startswith("orgsim: warning: leaders.rules[0] (who = 'level=9') picks no")


def test_diff_says_identical_or_names_the_runs_and_columns_that_differ(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    a, b = tmp_path / "a", tmp_path / "b"
    common = ["sweep", str(scenario_file), "--no-report", "--quiet", "--out"]
    assert main([*common, str(a), "--workers", "1"]) == 0
    assert main([*common, str(b), "--workers", "2"]) == 0
    capsys.readouterr()
    assert main(["diff", str(a), str(b)]) == 0
    assert capsys.readouterr().out.startswith("identical: 4 runs;")

    part = sorted((b / "outcomes" / "arm=model").glob("*.parquet"))[0]
    table = pq.read_table(part).to_pandas()
    was = float(table.loc[0, "poster"])
    table.loc[0, "poster"] = was + 1e-12  # a little off, in one run
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), part)
    first = (int(table.loc[0, "point"]), int(table.loc[0, "replication"]))
    assert main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    run = f"point {first[0]} model replication {first[1]}"
    assert f"outcomes: 1 run(s) differ ({run}: poster ({was!r} vs" in out, out

    for part in (b / "series" / "arm=delegate").glob("*.parquet"):
        part.unlink()  # the delegate arm's series lost
    assert main(["diff", str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "series: 2 run(s) differ (point 0 delegate replication 0: rows;" in out
    assert "4 runs in both, 1 of them equal" in out  # (one outcome, two series differ)
    assert main(["diff", str(a), str(tmp_path / "nowhere")]) == 2
    assert "nowhere: no such folder" in capsys.readouterr().err

    other = tmp_path / "other.toml"
    other.write_text(scenario_file.read_text().replace("seed = 3", "seed = 4"))
    c = tmp_path / "c"
    assert (
        main(["sweep", str(other), "--no-report", "--quiet", "--out", str(c), "--workers", "1"])
        == 0
    )
    capsys.readouterr()
    assert main(["diff", str(a), str(c)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{a} and {c} hold different scenarios")
    assert "outcomes: 4 run(s) differ" in out, out


def test_an_interrupted_sweep_says_that_running_it_again_resumes(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """... and how many runs it saved (Ctrl-C after the first task of 2 pairs)."""
    import simulator.sweep

    real = simulator.sweep.sweep

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        def stop(done: int, total: int) -> None:
            if done:
                raise KeyboardInterrupt

        return real(*args, **{**kwargs, "workers": 1, "pairs_per_task": 1, "progress": stop})

    monkeypatch.setattr(simulator.sweep, "sweep", interrupted)
    out = tmp_path / "o"
    assert main(["sweep", str(scenario_file), "--out", str(out)]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"orgsim: error: interrupted: 2 of 4 runs are saved in {out}; run the same command"
        " again to resume"
    )
    assert len(load(out).outcomes) == 2


def test_a_ctrl_c_raised_in_a_gc_callback_stops_the_sweep_without_a_traceback(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Python drops an exception raised in a garbage-collector callback (Dask's), with
    "Exception ignored in: ... _gc_callback ... KeyboardInterrupt" and its traceback: the
    sweep ran on to its end and exited 0, and once that was mended the traceback still came
    before the sweep's line (fresh-clone CI runs). The next finished task stops it, quietly."""
    import gc
    import signal
    import sys

    import simulator.sweep

    real = simulator.sweep.sweep
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)  # (Python's own, in effect)

    def in_gc(phase: str, info: dict[str, int]) -> None:
        gc.callbacks.remove(in_gc)
        signal.raise_signal(signal.SIGINT)

    def swallowed(*args: Any, **kwargs: Any) -> Any:
        shown = kwargs["progress"]

        def progress(done: int, total: int) -> None:
            if done == 2:
                gc.callbacks.append(in_gc)
                gc.collect()
            shown(done, total)

        return real(*args, **{**kwargs, "workers": 1, "pairs_per_task": 1, "progress": progress})

    monkeypatch.setattr(simulator.sweep, "sweep", swallowed)
    out = tmp_path / "o"
    assert main(["sweep", str(scenario_file), "--out", str(out), "--quiet"]) == 130
    assert unraisable == []
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"orgsim: error: interrupted: 2 of 4 runs are saved in {out}; run the same command"
        " again to resume"
    )


def test_ctrl_c_before_any_run_is_saved_says_so(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """Ctrl-C while the sweep started said "0 of 4 runs are saved in o", a folder not made."""
    import simulator.sweep

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(simulator.sweep, "sweep", interrupted)
    out = tmp_path / "o"
    assert main(["sweep", str(scenario_file), "--out", str(out)]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "orgsim: error: interrupted before any run was saved; run the same command again"
    )


def test_ctrl_c_while_the_report_is_written_says_the_runs_are_all_saved(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    import simulator.report

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(simulator.report, "write_report", interrupted)
    out = tmp_path / "o"
    assert main(["sweep", str(scenario_file), "--out", str(out), "--workers", "1"]) == 130
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"orgsim: error: interrupted while writing the report: 4 of 4 runs are saved in {out};"
        f" 'orgsim report {out}' writes the report"
    )


def test_a_folder_stopped_before_its_first_run_finished_diffs_and_reports(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C before any run finished leaves a manifest and no table: diff printed a
    KeyError traceback (exit 1, 'they differ'), and report an internal 'pass by=' message."""
    from simulator.results import ResultsFolder
    from simulator.scenario import load_scenario

    plan = load_scenario(scenario_file)[1]
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        ResultsFolder.open(out, plan).begin(plan.run_count, executor="this process")
    assert list(load(a).outcomes.columns[:3]) == ["point", "arm", "replication"]
    assert main(["diff", str(a), str(b)]) == 0
    assert capsys.readouterr().out.strip() == "identical: neither folder has a finished run yet"
    assert main(["report", str(a)]) == 0
    assert "No run has finished yet" in (a / "report" / "report.html").read_text()


def _alive_in_group(group: int) -> list[str]:
    """Processes of process group ``group`` that are still running (not zombies)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # (gone meanwhile)
            continue
        fields = text.rsplit(")", 1)[1].split()  # (the command name may hold spaces)
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(text.split(")", 1)[0] + ")")
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize(
    ("signum", "executor"),
    [(15, []), (2, ["--executor", "dask"])],  # (SIGTERM; SIGINT on a local Dask cluster)
)
def test_sigterm_ends_a_sweep_as_ctrl_c_does(
    tmp_path: Path, signum: int, executor: list[str]
) -> None:
    """SIGTERM, what Slurm sends at a time limit, killed the sweep with no word but a
    'resource_tracker: leaked semaphore' warning. Ctrl-C on a local Dask cluster printed a
    page of the workers' KeyboardInterrupt tracebacks before the sweep's line, then Dask's
    warnings of the cancelled tasks."""
    import os
    import time

    path = tmp_path / "long.toml"
    path.write_text(
        SCENARIO.replace("replications = 2", "replications = 1500")
        .replace("steps = 6", "steps = 52")
        .replace("org.size = 60", "org.size = 1000")
    )
    out = tmp_path / "o"
    cmd = [sys.executable, "-m", "simulator.cli", "sweep", str(path), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--no-report", *executor],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 300
    while not list(out.glob("outcomes/arm=*/part-*.parquet")) and proc.poll() is None:
        assert time.monotonic() < deadline, "no run saved in 5 minutes"
        time.sleep(0.05)
    os.killpg(proc.pid, signum)  # (the group: the sweep and its workers, as Slurm, a terminal)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 128 + signum, err
    saved = len(load(out).outcomes)
    assert 0 < saved < 3000
    assert err.strip().splitlines()[-1] == (
        f"orgsim: error: interrupted: {saved:,} of 3,000 runs are saved in {out}; run the same"
        " command again to resume"
    )
    assert "leaked" not in err and "KeyboardInterrupt" not in err
    if not executor:  # (a Dask cluster closing may log a worker's lost heartbeat, with its trace)
        assert "Traceback" not in err
    else:  # Dask warned of each task in flight cancelled, and of killing its workers
        assert "CancelledError" not in err and "killing" not in err, err
    while _alive_in_group(proc.pid):  # the workers end with the sweep
        assert time.monotonic() < deadline, _alive_in_group(proc.pid)
        time.sleep(0.1)


def test_one_worker_is_said_to_run_in_this_process(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--workers 1 said 'on 1 worker(s) (processes)': it runs in the sweep's own process."""
    out = tmp_path / "o"
    assert main(["sweep", str(scenario_file), "--out", str(out), "--workers", "1"]) == 0
    header = capsys.readouterr().err.splitlines()[0]
    assert header == f"cli: 4 runs; 4 to go in this process -> {out}"


@pytest.mark.parametrize("kind", ["sobol", "morris"])
@pytest.mark.parametrize("axis", ['values = ["model", "delegate"]', ""])
def test_a_sampled_design_over_a_category_says_where_categories_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, axis: str
) -> None:
    """It advised 'give bounds = [low, high]' for leaders.strategy, which has none."""
    path = tmp_path / "s.toml"
    path.write_text(
        SCENARIO.split("[arms.model]")[0]
        + f'[[axes]]\nparam = "leaders.strategy"\n{axis}\n\n[design]\nkind = "{kind}"\n'
    )
    assert main(["validate", str(path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()  # one line, not two at odds
    assert line == (
        f"orgsim: error: {path}: axes[0] (leaders.strategy): design.kind = '{kind}' draws"
        " numbers within bounds, and this parameter is not a number: give each of its values"
        " an arm ([arms.<name>]), or sweep its values = [...] with design.kind = 'grid', 'lhs'"
        " or 'montecarlo'"
    )


@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_a_set_up_that_fails_in_a_later_replication_is_refused_before_any_run(
    command: str, tmp_path: Path, capsys
) -> None:
    """A generated organisation differs by replication: with seed 1, replication 0's 14
    people leave 8 for the comms team and replication 1's do not. Only replication 0 was
    checked: validate said "valid" and the sweep failed a run."""
    bad = tmp_path / "team.toml"
    bad.write_text(
        '[scenario]\nname = "team"\nseed = 1\nreplications = 4\nsteps = 4\n'
        "[params]\norg.size = 14\n"
        '[arms.delegate]\nleaders.strategy = "delegate"\ndelegation.mode = "comms_team"\n'
        "delegation.comms_team_size = 8\n"
    )
    out = tmp_path / "res"
    args = [command, str(bad), "--workers", "1", *(["--out", str(out)] * (command == "sweep"))]
    assert main(args) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"orgsim: error: {bad}: arm delegate: its replication 1 fails: ")
    assert "comms_team_size = 8 exceeds the 7 people" in line
    assert not out.exists()


def test_validate_warns_of_a_leader_with_no_delegate_in_a_later_replication(
    tmp_path: Path, capsys
) -> None:
    """Replications 2-4 of these 60-person organisations have a delegating leader with no
    one below to appoint, replication 0 not: validate was silent, the sweep warned."""
    scenario = tmp_path / "levels.toml"
    scenario.write_text(
        '[scenario]\nname = "levels"\nseed = 3\nreplications = 6\nsteps = 4\n'
        "[params]\norg.size = 60\nleaders.levels = 3\n"
        '[arms.delegate]\nleaders.strategy = "delegate"\n'
    )
    assert main(["validate", str(scenario), "--workers", "1"]) == 0
    said = capsys.readouterr()
    assert "valid" in said.out
    assert "no one below them to appoint as their delegate" in said.err


@pytest.mark.parametrize("workers", ["1", "2"])
def test_the_first_failing_replication_is_named_whatever_the_workers(
    workers: str, tmp_path: Path, capsys
) -> None:
    """With seed 8, replications 0 and 1 both leave too few people for the comms team. Two
    workers split the checks, and the message named replication 1 (its text sorted first)."""
    bad = tmp_path / "team.toml"
    bad.write_text(
        '[scenario]\nname = "team"\nseed = 8\nreplications = 4\nsteps = 4\n'
        "[params]\norg.size = 14\n"
        '[arms.delegate]\nleaders.strategy = "delegate"\ndelegation.mode = "comms_team"\n'
        "delegation.comms_team_size = 8\n"
    )
    assert main(["sweep", str(bad), "--workers", workers, "--out", str(tmp_path / "o")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"orgsim: error: {bad}: arm delegate: its runs fail: "), line


@pytest.mark.parametrize(
    "command", ["report", "export", "sensitivity", "robustness", "discover", "merge"]
)
def test_a_scenario_file_given_for_its_results_folder_names_the_folder(
    scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """click said "Directory 'cli.toml' is a file" of a scenario file given where its
    results folder belongs."""
    assert main([command, str(scenario_file)]) == 2
    err = capsys.readouterr().err
    assert f"{scenario_file} is a scenario file; give its results folder: `orgsim sweep" in err
    assert "writes results/cli (or its --out)" in err
    other = tmp_path / "notes.txt"
    other.write_text("x")
    assert main(["diff", str(other), str(tmp_path)]) == 2
    assert f"{other} is a file, not a results folder" in capsys.readouterr().err
