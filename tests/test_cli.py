"""The command line: outputs, pairing, reproducibility and one-line errors."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pydantic
import pytest
from builders import printed_in_a_fresh_process

from simulator.cli import main
from simulator.errors import format_validation_error
from simulator.mechanisms import social_learning
from simulator.paramdoc import markdown_table
from simulator.params import Params

SMALL = ["--size", "150", "--steps", "12"]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_run_writes_tables_figure_and_record(tmp_path: Path, capsys) -> None:
    out = tmp_path / "first"
    code, stdout, _ = run_cli(
        ["run", "--strategy", "model", *SMALL, "--seed", "1", "--out", str(out)], capsys
    )
    assert code == 0
    assert "Posters at week 12" in stdout
    series = pd.read_csv(out / "series.csv")
    assert list(series["step"]) == list(range(13))
    assert (series[["non_user", "listener", "poster"]].sum(axis=1).round(12) == 1).all()
    levels = pd.read_csv(out / "levels.csv")
    assert levels.groupby("step")["people"].sum().eq(150).all()
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert outcomes["poster"].iloc[0] == pytest.approx(series["poster"].iloc[-1])
    record = json.loads((out / "run.json").read_text())
    assert record["seed"] == 1 and record["params"]["org"]["size"] == 150
    assert Params.model_validate(record["params"]).leaders.strategy == "model"
    png = (out / "adoption.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_compare_pairs_by_replication(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cmp"
    code, stdout, _ = run_cli(
        ["compare", "--arms", "model,delegate,listen", "--reps", "3", *SMALL, "--out", str(out)],
        capsys,
    )
    assert code == 0 and "poster" in stdout
    outcomes = pd.read_csv(out / "outcomes.csv")
    paired = pd.read_csv(out / "paired.csv")
    assert set(paired["arm"]) == {"delegate", "listen"}
    wide = outcomes.pivot(index="replication", columns="arm", values="poster")
    for arm in ("delegate", "listen"):
        row = paired[(paired["arm"] == arm) & (paired["metric"] == "poster")].iloc[0]
        diff = wide[arm] - wide["model"]
        assert row["mean_diff"] == pytest.approx(diff.mean())
        assert row["n"] == 3
        assert row["ci_low"] <= row["mean_diff"] <= row["ci_high"]
    # every arm ran on the same organisations: same size by level, same initial state
    series = pd.read_csv(out / "series.csv")
    start = series[series["step"] == 0].set_index(["arm", "replication"])["listener"]
    assert start.unstack("arm").nunique(axis=1).eq(1).all()
    assert (out / "compare.png").stat().st_size > 10_000


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path, capsys) -> None:
    paths = []
    for name, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert main(["run", *SMALL, "--seed", seed, "--quiet", "--out", str(tmp_path / name)]) == 0
        paths.append((tmp_path / name / "series.csv").read_bytes())
    assert paths[0] == paths[1]
    assert paths[0] != paths[2]


def test_imported_org_chart(tmp_path: Path, capsys) -> None:
    chart = tmp_path / "org.csv"
    rows = ["id,manager_id,unit", "ceo,,Top", *(f"e{i},ceo,Sales" for i in range(9))]
    chart.write_text("\n".join(rows) + "\n")
    out = tmp_path / "imported"
    assert main(["run", "--org-csv", str(chart), "--steps", "5", "--out", str(out)]) == 0
    levels = pd.read_csv(out / "levels.csv")
    assert levels[levels["step"] == 0]["people"].tolist() == [1, 9]
    record = json.loads((out / "run.json").read_text())
    assert record["params"]["org"]["size"] == 10  # the table's people, not the default
    # which table: its contents' digest, not only its path (an edited file is told apart)
    assert record["org_csv_sha256"] == hashlib.sha256(chart.read_bytes()).hexdigest()
    assert "ties_csv_sha256" not in record


BAD_INPUTS = [
    (["run", "--size", "1"], "org.size = 1: must be between 2 and"),
    (["run", "--set", "culture.openess=0.5"], "did you mean 'culture.openness'"),
    (["run", "--set", "culture.openness=2"], "culture.openness = 2: must be between 0 and 1"),
    (["run", "--strategy", "bogus"], "'bogus' is not one of"),
    (["compare", "--arms", "model"], "needs at least two different strategies"),
    (["run", "--seed", "-3"], "-3 is not in the range"),
    (["run", "--org-csv", "missing.csv"], "missing.csv"),
    (["run", "--set", 'leaders.rules=[{"who": "role=chief"}]'], "role must be one of"),
    (["run", "--set", "mechanism.phi=0.3"], "belongs to mechanism threshold"),
    (["run", "--set", "steps"], "expected KEY=VALUE"),
    (["run", "--set", "leaders.rules=[{who:all}]"], "not valid JSON (Expecting property name"),
    (["run", "--ties-csv", __file__], "--ties-csv needs --org-csv"),
    (["run", "--org-csv", __file__, "--size", "50"], "do not apply with --org-csv"),
    (["compare", "--set", "leaders.strategy=listen"], "choose the strategies with --arms"),
    (
        ["run", "--mechanism", "threshold", "--set", "mechanism[bass].p=0.1"],
        "--mechanism threshold conflicts with --set for mechanism bass",
    ),
    (["run", "--set", "mechanism[bass].name=si"], "choose the mechanism with --mechanism"),
    (["run", "--size", "5", "--set", "org.size=3"], "--size 5 conflicts with --set org.size=3"),
    (["run", "--steps", "4", "--set", "steps=8"], "--steps 4 conflicts with --set steps=8"),
    (
        [
            "run",
            "--set",
            "delegation.comms_team_size=5000",
            "--set",
            "delegation.mode=comms_team",
            "--strategy",
            "delegate",
            "--size",
            "50",
        ],
        "comms_team_size = 5000 exceeds",
    ),
    (
        ["run", "--set", 'leaders.rules=[{"who": "unit=unit 2", "strategy": "listen"}]'],
        "no unit 'unit 2'; did you mean 'Unit 2'?",
    ),
    (
        ["run", "--set", "leaders.strategy=delegat"],
        "leaders.strategy = 'delegat': must be one of 'model', 'delegate', 'listen', 'restrict'"
        " or 'none'; did you mean 'delegate'? (Leader strategy)",
    ),
    (
        ["run", "--set", 'leaders.rules=[{"who": "all", "strategy": "modle"}]'],
        "leaders.rules[0].strategy = 'modle': must be one of 'model', 'delegate', 'listen',"
        " 'restrict' or 'none'; did you mean 'model'?",
    ),
    (["run", "--set", "leaders.strategy=zzz"], "'restrict' or 'none' (Leader strategy)"),
    (["compare", "--arms", "model,delegat"], "restrict, none; did you mean 'delegate'?"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUTS, ids=lambda x: str(x)[:40])
def test_bad_input_gives_one_line_and_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys
) -> None:
    code, _, err = run_cli([*args, "--out", str(tmp_path / "out")], capsys)
    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("orgsim: error: "), err
    assert message in lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", [["run", "--reps", "3"], ["compare", "--reps", "3"]])
def test_the_simulators_warnings_read_as_one_line_once(
    tmp_path: Path, capsys, command: list[str]
) -> None:
    """compare printed a rule's warning once per arm and replication, run once per run."""
    rule = 'leaders.rules=[{"who": "level=9", "strategy": "listen"}]'
    args = [*command, *SMALL, "--set", rule, "--out", str(tmp_path)]
    code, _, err = run_cli(args, capsys)
    lines = [x for x in err.splitlines() if "warning:" in x]
    assert code == 0 and len(lines) == 1, err
    assert lines[0].startswith("orgsim: warning: leaders.rules[0] (who = 'level=9') picks no")


def test_bad_org_chart_names_file_and_row(tmp_path: Path, capsys) -> None:
    chart = tmp_path / "loop.csv"
    chart.write_text("id,manager_id\nceo,\na,b\nb,a\n")
    code, _, err = run_cli(["run", "--org-csv", str(chart), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "loop.csv" in err and "row 3" in err and "loops" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "series.csv").exists()  # nothing ran


def test_a_real_process_exits_2_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", "--size", "1", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("orgsim: error: org.size = 1")
    assert "Traceback" not in result.stderr


INTERRUPTED_ON_IMPORT = """\
import sys


class Interrupt:  # Ctrl-C as the module {name} is imported
    def find_spec(self, name, path=None, target=None):
        if name == {name!r}:
            raise KeyboardInterrupt
        return None


sys.meta_path.insert(0, Interrupt())
"""


@pytest.mark.parametrize(
    "module",
    [
        "simulator.warm",  # the command line's own imports
        "simulator.cli_sweep",  # its commands', registered as it starts
        "simulator.sweep",  # a command's, as it runs (click's Abort)
    ],
)
def test_ctrl_c_as_orgsim_starts_is_one_line_and_exit_130(module: str, tmp_path: Path) -> None:
    """Ctrl-C in the first half second (the imports) printed a Python traceback."""
    script = tmp_path / "orgsim"  # (named as the console script, which reads as this)
    script.write_text(
        INTERRUPTED_ON_IMPORT.format(name=module)
        + "from simulator.cli import main\n\nsys.exit(main())\n"
    )
    scenario = Path(__file__).parent.parent / "scenarios" / "culture_openness.toml"
    result = subprocess.run(
        [sys.executable, str(script), "validate", str(scenario)],
        capture_output=True,
        text=True,
        check=False,
    )
    # (a line of its own, after the ^C a terminal shows, as click starts it in a command)
    assert (result.returncode, result.stderr) == (130, "\norgsim: error: interrupted\n")


def test_ctrl_c_as_another_program_imports_the_command_line_is_left_to_it() -> None:
    code = INTERRUPTED_ON_IMPORT.format(name="simulator.warm") + (
        "try:\n    import simulator.cli\nexcept KeyboardInterrupt:\n    print('its own')\n"
    )
    assert printed_in_a_fresh_process(code) == ["its", "own"]


def test_the_command_line_starts_without_the_engine() -> None:
    """``orgsim --help`` and a sweep's parent process need neither the engine (numba's
    kernels and draws, scipy's sparse matrices) nor pandas or scipy.stats: importing the
    command line loads none of them (each command imports what it uses; a scenario's seeds
    are :mod:`simulator.seeds`, numpy only), and its help lists every command and the
    kernel paths' sizes."""
    code = (
        "import sys\n"
        "import simulator.cli\n"
        "heavy = ('simulator.engine', 'simulator.mechanisms', 'numba', 'scipy.sparse',"
        " 'scipy.stats', 'pandas', 'pyarrow', 'mesa')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    assert printed_in_a_fresh_process(code) == ["[]"]
    assert main(["--help"]) == 0
    warm_help = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "warm", "--help"], capture_output=True, text=True
    )
    threaded = f"under {social_learning.THREADED_FROM:,} people"
    assert threaded in " ".join(warm_help.stdout.split())


def test_params_table_matches_the_docs(capsys) -> None:
    code, out, _ = run_cli(["params", "--markdown"], capsys)
    assert code == 0 and out.strip() == markdown_table()
    code, out, _ = run_cli(["params"], capsys)
    assert "culture.openness" in out and "Openness and trust" in out


@pytest.mark.parametrize(
    ("updates", "expected"),
    [
        ({"culture.openness": 1.5}, "culture.openness = 1.5: must be between 0 and 1"),
        ({"people.risk_aversion_mean": 1.0}, "must be greater than 0 and less than 1"),
        ({"culture.policy": "closed"}, "must be one of 'restrictive', 'neutral' or 'open'"),
        ({"org.size": "many"}, "org.size = 'many': must be a whole number"),
        ({"org.sise": 10}, "unknown parameter; did you mean 'org.size'?"),
        ({"mechanism.name": "voter"}, "unknown mechanism; must be one of social_learning"),
        (
            {"mechanism.name": "bass", "mechanism.q": -1},
            "mechanism.q = -1: must be between 0 and 1",
        ),
        ({"leaders.start": 5, "leaders.stop": 3}, "stop (3) must be after start (5)"),
    ],
)
def test_validation_errors_read_well(updates: dict, expected: str) -> None:
    with pytest.raises(pydantic.ValidationError) as err:
        Params().with_updates(updates)
    lines = format_validation_error(err.value, source="test")
    assert len(lines) == 1
    assert lines[0].startswith("test: ") and expected in lines[0], lines[0]


def test_several_errors_one_line_each(capsys, tmp_path: Path) -> None:
    code, _, err = run_cli(
        ["run", "--set", "culture.openness=3", "--set", "org.span=0", "--out", str(tmp_path)],
        capsys,
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 2
    assert all(line.startswith("orgsim: error: ") for line in lines)


def test_an_output_folder_under_a_file_names_the_file(tmp_path: Path, capsys) -> None:
    """--out afile/sub said only 'afile/sub: not a directory'."""
    blocking = tmp_path / "afile"
    blocking.write_text("")
    assert main(["run", "--size", "30", "--steps", "2", "--out", str(blocking / "sub")]) == 2
    said = capsys.readouterr().err.strip()
    assert (
        said == f"orgsim: error: {blocking / 'sub'}: cannot be a folder: {blocking} is a file;"
        " give another path"
    )


PEOPLE_SMALL = ["--size", "80", "--steps", "4", "--reps", "2", "--quiet"]


@pytest.fixture(scope="module")
def with_people(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``run`` and ``compare`` on the same settings, with ``--people`` and without."""
    root = tmp_path_factory.mktemp("people")
    outs = {}
    for command in ("run", "compare"):
        for flag in ("--people", None):
            out = root / f"{command}{flag or ''}"
            args = [command, *PEOPLE_SMALL, *([flag] if flag else []), "--out", str(out)]
            assert main(args) == 0
            outs[command + (flag or "")] = out
    return outs


@pytest.mark.parametrize("command", ["run", "compare"])
def test_people_csv_has_a_row_per_person_and_run(
    command: str, with_people: dict[str, Path]
) -> None:
    from simulator.people import COLUMNS

    out = with_people[f"{command}--people"]
    people = pd.read_csv(out / "people.csv", keep_default_na=False, na_values=[""])
    key = ["arm", "replication"] if command == "compare" else ["replication"]
    assert list(people.columns) == [*key, *COLUMNS]
    runs = people.groupby(key)["person"]
    assert len(runs) == (4 if command == "compare" else 2)  # (2 arms x 2 replications)
    assert all(sorted(persons) == list(range(80)) for _, persons in runs)
    if command == "compare":
        assert list(people["arm"].unique()) == ["model", "delegate"]  # (the baseline first)
    assert not (with_people[command] / "people.csv").exists()
    record = json.loads((out / f"{command}.json").read_text())
    assert record["record"] == {"people": True}
    assert json.loads((with_people[command] / f"{command}.json").read_text())["record"] == {
        "people": False
    }


@pytest.mark.parametrize("command", ["run", "compare"])
def test_people_first_weeks_agree_with_the_series(
    command: str, with_people: dict[str, Path]
) -> None:
    """Week by week, as many people have a first week as a poster by then as there are
    posters (at least; some lapse), and at the horizon the posters are those at the final
    stage poster, each of whom has a first week."""
    out = with_people[f"{command}--people"]
    people = pd.read_csv(out / "people.csv", keep_default_na=False, na_values=[""])
    series = pd.read_csv(out / "series.csv")
    key = ["arm", "replication"] if command == "compare" else ["replication"]
    runs = zip(people.groupby(key), series.groupby(key), strict=True)
    for (run, rows), (same_run, weeks) in runs:
        assert run == same_run
        weeks = weeks.set_index("step")
        for week, share in weeks["poster"].items():
            assert (rows["first_poster"] <= week).sum() >= round(share * 80)
        finals = rows[rows["final_stage"] == "poster"]
        assert len(finals) == round(weeks["poster"].iloc[-1] * 80)
        assert finals["first_poster"].notna().all()  # (every poster became one at a week)
        lapsed = rows[rows["first_poster"].notna() & (rows["final_stage"] != "poster")]
        assert (rows["first_poster"] <= 4).sum() == len(finals) + len(lapsed)
        assert (rows["first_listener"].fillna(99) <= rows["first_poster"].fillna(99)).all()
    assert people["first_poster"].gt(0).any()  # (some became posters in the runs)


@pytest.mark.parametrize("command", ["run", "compare"])
def test_people_leaves_the_other_tables_as_they_were(
    command: str, with_people: dict[str, Path]
) -> None:
    tables = ["series", "levels", "outcomes", *(["paired"] if command == "compare" else [])]
    for name in tables:
        with_flag = (with_people[f"{command}--people"] / f"{name}.csv").read_bytes()
        assert with_flag == (with_people[command] / f"{name}.csv").read_bytes(), name


def test_the_closing_line_lists_people_csv(tmp_path: Path, capsys) -> None:
    out = tmp_path / "first"
    code, stdout, _ = run_cli(["run", "--size", "80", "--steps", "4", "--out", str(out)], capsys)
    assert code == 0 and "people.csv" not in stdout
    code, stdout, _ = run_cli(
        ["run", "--size", "80", "--steps", "4", "--people", "--out", str(out)], capsys
    )
    assert code == 0
    assert f"Results in {out} (series.csv, levels.csv, outcomes.csv, people.csv, run.json" in stdout


TINY = ["--size", "40", "--steps", "3", "--quiet"]


@pytest.mark.parametrize(("first", "then"), [("compare", "run"), ("run", "compare")])
def test_the_other_commands_output_is_refused(
    first: str, then: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """run --out a compare's folder wrote its files next to paired.csv and compare.png, which
    described other runs."""
    assert main([first, *TINY, "--out", str(tmp_path)]) == 0
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, _, err = run_cli([then, *TINY, "--seed", "2", "--out", str(tmp_path)], capsys)
    theirs = {"compare": "paired.csv, compare.json, compare.png", "run": "run.json, adoption.png"}
    assert code == 2
    assert err == (
        f"orgsim: error: --out {tmp_path} holds the output of orgsim {first}"
        f" ({theirs[first]}): give another --out, or remove those files\n"
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_sweeps_results_folder_is_refused(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manifest.json").write_text("{}")
    code, _, err = run_cli([command, *TINY, "--out", str(tmp_path)], capsys)
    assert code == 2
    assert err == (
        f"orgsim: error: --out {tmp_path} holds a sweep's results (manifest.json): give another"
        " --out\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_command_again_leaves_only_its_files(command: str, tmp_path: Path) -> None:
    """An earlier --people run's people.csv stayed next to tables without people; a file of
    the user's own stays."""
    from simulator.cli_run_output import WRITES

    (tmp_path / "notes.txt").write_text("mine")
    assert main([command, *TINY, "--people", "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {*WRITES[command], "notes.txt"}
    assert main([command, *TINY, "--out", str(tmp_path)]) == 0
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {*WRITES[command], "notes.txt"} - {"people.csv"}


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_people_csv_the_command_did_not_write_stays(command: str, tmp_path: Path) -> None:
    """A people.csv of the user's own (an HR export) was deleted by a run without --people."""
    (tmp_path / "people.csv").write_text("name,email\n")
    assert main([command, *TINY, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "people.csv").read_text() == "name,email\n"


@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_input_under_a_name_the_command_writes_is_refused(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An org chart saved as --out/people.csv was overwritten (with --people) or deleted."""
    chart = tmp_path / "people.csv"
    text = "id,manager_id,unit\nceo,,Top\n" + "".join(f"e{i},ceo,Sales\n" for i in range(9))
    chart.write_text(text)
    args = [command, "--steps", "3", "--reps", "1", "--quiet", "--org-csv", str(chart)]
    for people in (["--people"], []):
        code, _, err = run_cli([*args, *people, "--out", str(tmp_path)], capsys)
        assert code == 2
        assert err.startswith(f"orgsim: error: {chart} is in --out {tmp_path} under a name")
        assert chart.read_text() == text and len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["run", "--strategy", "delegat"], "did you mean 'delegate'?"),
        (["run", "--mechanism", "treshold"], "did you mean 'threshold'?"),
        (["sweep", "x.toml", "--executor", "dask_"], "did you mean 'dask'?"),
    ],
)
def test_a_misspelt_choice_on_the_command_line_names_the_one_meant(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(args, capsys)
    assert code == 2 and said in err and "Traceback" not in err
