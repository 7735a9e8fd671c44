"""Sweeps split into shards (``orgsim sweep --shard k/N``) and merged (``orgsim merge``): the
merged folder holds the same runs, bit for bit, as one sweep of the whole scenario."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from builders import paired_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.cli import main
from simulator.results import compare, load
from simulator.scenario import parse_scenario
from simulator.shard import Shard, ShardError, merge
from simulator.sweep import sweep

TEXT = paired_scenario("sh", seed=5, replications=3, steps=6, size=40)


def _plan(points: int, replications: int, orgs: int | None) -> Any:
    header: dict[str, Any] = {"name": "p", "seed": 1, "replications": replications, "steps": 2}
    if orgs is not None:
        header["orgs"] = orgs
    _, plan = parse_scenario(
        {
            "scenario": header,
            "params": {"org": {"size": 20}},
            "arms": {
                "a": {"leaders": {"strategy": "model"}},
                "b": {"leaders": {"strategy": "delegate"}},
            },
            "axes": [
                {"param": "culture.openness", "values": [0.1 + 0.8 * i / 7 for i in range(points)]}
            ],
        }
    )
    return plan


@settings(max_examples=60, deadline=None)
@given(
    points=st.integers(1, 5),
    replications=st.integers(1, 7),
    orgs=st.one_of(st.none(), st.integers(1, 3)),
    count=st.integers(1, 8),
)
def test_shards_split_the_runs_into_whole_pairs_and_whole_organisations(
    points: int, replications: int, orgs: int | None, count: int
) -> None:
    plan = _plan(points, replications, orgs)
    shards = [Shard(k, count) for k in range(1, count + 1)]
    taken = [[s.key for s in shard.runs(plan)] for shard in shards]
    every = [s.key for s in plan.runs()]
    assert sorted(k for keys in taken for k in keys) == sorted(every)  # all, none twice
    assert [shard.run_count(plan) for shard in shards] == [len(keys) for keys in taken]
    for shard, keys in zip(shards, taken, strict=True):
        held = {(p, plan.org_of(r)) for p, _, r in keys}
        assert all(shard.takes(p, o, points) for p, o in held)
        # every arm of a pair, and every replication on one organisation, in the same shard
        assert len(keys) == len(plan.arms) * sum(
            plan.org_of(r) == o for p, o in held for r in range(replications)
        )
    # the parts (point, organisation) dealt round: the shards' counts at most one apart, so
    # that every shard up to the number of parts has some (shard 7/8 of 4 points x 2
    # organisations had none: it was refused, "give at most 8 shards")
    parts = [{(p, plan.org_of(r)) for p, _, r in keys} for keys in taken]
    assert max(map(len, parts)) - min(map(len, parts)) <= 1
    organisations = len({plan.org_of(r) for r in range(replications)})
    assert all(parts) == (count <= points * organisations)
    if organisations >= count:  # each point's parts spread over the shards, within one
        for point in range(points):
            mine = [sum(p == point for p, _ in held) for held in parts]
            assert max(mine) - min(mine) <= 1, (point, mine)


def test_a_runs_shard_does_not_change_with_more_replications() -> None:
    few, more = _plan(2, 3, None), _plan(2, 9, None)
    shard = Shard(2, 4)
    before = {s.key for s in shard.runs(few)}
    assert before and before == {s.key for s in shard.runs(more) if s.replication < 3}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("3", "give k/N"),
        ("0/4", "from 1 to the second"),
        ("5/4", "from 1 to the second"),
        ("a/b", "give k/N"),
    ],
)
def test_a_bad_shard_says_what_is_allowed(text: str, said: str) -> None:
    with pytest.raises(ShardError, match=said):
        Shard.parse(text)


def test_shards_merged_hold_the_runs_of_one_sweep_bit_for_bit(tmp_path: Path) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(TEXT)
    whole, merged = tmp_path / "whole", tmp_path / "merged"
    assert main(["sweep", str(scenario), "--out", str(whole), "--no-report", "--quiet"]) == 0
    shards = [tmp_path / f"shard{k}" for k in (1, 2, 3)]
    for k, out in enumerate(shards, start=1):
        args = ["sweep", str(scenario), "--shard", f"{k}/3", "--out", str(out), "--quiet"]
        assert main([*args, "--no-report", "--workers", "1"]) == 0
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["shard"] == f"{k}/3" and manifest["complete"]
        assert manifest["runs_planned"] == len(load(out).outcomes) > 0
    partial = merge(shards[:2], merged)
    assert (partial.finished, partial.planned, partial.shards_missing) == (
        sum(len(load(s).outcomes) for s in shards[:2]),
        12,
        ["3/3"],
    )
    assert not compare(whole, merged).identical
    again = merge(shards, merged)  # the first two merged before: only the third is copied
    assert (again.skipped, again.complete, again.shards_missing) == (2, True, [])
    assert compare(whole, merged).identical
    manifest = json.loads((merged / "manifest.json").read_text())
    assert "shard" not in manifest and manifest["complete"] and manifest["runs_planned"] == 12
    assert len(manifest["attempts"]) == 3
    # it resumes as one sweep's folder: nothing left to run
    assert main(["sweep", str(scenario), "--out", str(merged), "--no-report", "--quiet"]) == 0
    assert compare(whole, merged).identical


def test_a_shard_resumed_after_a_merge_adds_only_its_new_attempt(tmp_path: Path) -> None:
    _, plan = parse_scenario(
        {
            "scenario": {"name": "r", "seed": 2, "replications": 4, "steps": 4},
            "params": {"org": {"size": 30}},
            "arms": {
                "model": {"leaders": {"strategy": "model"}},
                "delegate": {"leaders": {"strategy": "delegate"}},
            },
        }
    )
    shard, out, merged = Shard(1, 2), tmp_path / "s1", tmp_path / "m"

    def stop_after_one(done: int, total: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(plan, out, workers=1, pairs_per_task=1, progress=stop_after_one, shard=shard)
    stopped = merge([out], merged)
    assert (stopped.finished, stopped.unfinished) == (2, [("1/2", 2, 4, out)])
    sweep(plan, out, workers=1, pairs_per_task=1, shard=shard)  # resumed: a second attempt
    sweep(plan, tmp_path / "s2", workers=1, shard=Shard(2, 2))
    done = merge([out, tmp_path / "s2"], merged)
    assert (done.finished, done.complete, done.unfinished) == (8, True, [])
    whole = tmp_path / "whole"
    sweep(plan, whole, workers=1)
    assert compare(whole, merged).identical
    attempts = json.loads((merged / "manifest.json").read_text())["attempts"]
    assert [a["attempt"] for a in attempts] == [0, 1, 2]
    assert [a.get("shard") for a in attempts] == ["1/2", "1/2", "2/2"]


def test_a_folder_of_other_runs_is_refused(tmp_path: Path, capsys: Any) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(TEXT)
    one = tmp_path / "one"
    args = ["sweep", str(scenario), "--no-report", "--quiet", "--workers", "1"]
    assert main([*args, "--shard", "1/2", "--out", str(one)]) == 0
    for more, said in [
        ([], f"{one} holds shard 1/2 of this scenario's runs, not the whole sweep: run with"),
        (["--shard", "2/2"], "not shard 2/2: run with --shard 1/2 to resume it"),
    ]:
        assert main([*args, *more, "--out", str(one)]) == 2
        assert said in capsys.readouterr().err
    other = tmp_path / "o.toml"
    other.write_text(TEXT.replace("seed = 5", "seed = 6"))
    assert main(["sweep", str(other), "--out", str(tmp_path / "o"), "--no-report", "--quiet"]) == 0
    merged = str(tmp_path / "m")
    assert main(["merge", str(one), str(tmp_path / "o"), "--out", merged]) == 2
    err = capsys.readouterr().err
    assert "holds another scenario's runs than" in err and "scenario.seed: 5 -> 6" in err
    assert main(["merge", str(tmp_path / "nothing"), "--out", merged]) == 2
    assert "nothing: no such folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["merge", str(tmp_path / "empty"), "--out", merged]) == 2
    assert "empty: no manifest.json; not a results folder" in capsys.readouterr().err
    # a shard's folder is not a merged folder: merging into it mixed the two
    assert main(["merge", str(tmp_path / "o"), "--out", str(one)]) == 2
    assert f"{one} holds shard 1/2 of a sweep: merge into a folder" in capsys.readouterr().err


def _small(replications: int) -> Any:
    return parse_scenario(
        {
            "scenario": {"name": "g", "seed": 4, "replications": replications, "steps": 4},
            "params": {"org": {"size": 30}},
            "arms": {
                "model": {"leaders": {"strategy": "model"}},
                "delegate": {"leaders": {"strategy": "delegate"}},
            },
            "axes": [{"param": "culture.openness", "values": [0.2, 0.8]}],
        }
    )[1]


def test_shards_given_more_replications_merge_into_the_folder_merged_before(
    tmp_path: Path,
) -> None:
    """The merge refused a merged folder the shards' new replications ("they differ in
    scenario.replications"), though a sweep's folder takes them."""
    few, more, merged = _small(2), _small(3), tmp_path / "m"
    shards = [tmp_path / f"s{k}" for k in (1, 2)]
    for k, out in enumerate(shards, start=1):
        sweep(few, out, workers=1, shard=Shard(k, 2))
    assert merge(shards, merged).complete
    sweep(more, shards[0], workers=1, shard=Shard(1, 2))  # one shard resumed with more
    partial = merge(shards, merged)
    assert (partial.planned, partial.complete) == (12, False)
    sweep(more, shards[1], workers=1, shard=Shard(2, 2))
    assert merge(shards, merged).complete
    sweep(more, tmp_path / "whole", workers=1)
    assert compare(tmp_path / "whole", merged).identical


def test_a_merge_stopped_midway_is_merged_again(tmp_path: Path, monkeypatch: Any) -> None:
    """A merge stopped midway (a job's time limit) left files and no manifest: the folder
    was refused ("not a results folder of this tool") by the merge run again and by report."""
    import simulator.shard

    plan, merged = _small(2), tmp_path / "m"
    shards = [tmp_path / f"s{k}" for k in (1, 2)]
    for k, out in enumerate(shards, start=1):
        sweep(plan, out, workers=1, pairs_per_task=1, shard=Shard(k, 2))
    real, calls = simulator.shard._copy, []

    def stopped(source: Path, out: Path, attempts: dict[int, int]) -> int:
        calls.append(source)
        if len(calls) == 2:
            real(source, out, attempts)  # (the second source's files copied, then the stop)
            raise KeyboardInterrupt
        return real(source, out, attempts)

    monkeypatch.setattr(simulator.shard, "_copy", stopped)
    with pytest.raises(KeyboardInterrupt):
        merge(shards, merged)
    manifest = json.loads((merged / "manifest.json").read_text())
    assert (manifest["runs_planned"], manifest["runs_finished"]) == (8, 4)  # the first's listed
    assert len(manifest["attempts"]) == 1
    monkeypatch.setattr(simulator.shard, "_copy", real)
    assert merge(shards, merged).complete
    sweep(plan, tmp_path / "whole", workers=1)
    assert compare(tmp_path / "whole", merged).identical
    assert len(json.loads((merged / "manifest.json").read_text())["attempts"]) == 2


def test_a_shard_a_sweep_is_writing_to_is_left_for_a_later_merge(tmp_path: Path) -> None:
    """One running shard made the whole merge fail with the sweep's own words."""
    from simulator.results import writing

    plan, merged = _small(2), tmp_path / "m"
    shards = [tmp_path / f"s{k}" for k in (1, 2)]
    for k, out in enumerate(shards, start=1):
        sweep(plan, out, workers=1, shard=Shard(k, 2))
    with writing(shards[1]):  # (as its sweep holds it)
        done = merge(shards, merged)
    assert (done.busy, done.finished, done.shards_missing) == ([shards[1]], 4, ["2/2"])
    assert merge(shards, merged).complete


def test_the_default_merged_folder_is_the_shards_own_name(tmp_path: Path) -> None:
    from simulator.shard import default_merged

    folders = [tmp_path / "g-reduced-shard-1-of-2", tmp_path / "g-reduced-shard-2-of-2"]
    assert default_merged(folders) == tmp_path / "g-reduced"


def test_a_shard_with_no_run_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: Any
) -> None:
    scenario = tmp_path / "s.toml"
    scenario.write_text(TEXT)  # 2 points x 3 replications: 6 parts
    out = tmp_path / "o"
    args = ["sweep", str(scenario), "--shard", "7/7", "--out", str(out), "--quiet"]
    for k in range(1, 7):  # (6 parts, 6 shards: each has one)
        assert Shard(k, 6).run_count(parse_scenario(tomllib.loads(TEXT))[1]) == 2  # (2 arms)
    assert main(args) == 2
    assert capsys.readouterr().err.strip() == (
        f"orgsim: error: {scenario}: shard 7/7: holds no run: this scenario's runs split into"
        " 6 part(s) (2 design point(s) x 3 organisation(s): a shard takes every arm and"
        " replication on one organisation at one point); give at most 6 shards"
    )
    assert not out.exists()


def test_shards_made_with_other_package_versions_are_said_to_differ(tmp_path: Path) -> None:
    """The warning compared git revisions (an installed copy has none: same code, warned) and
    not the packages that change numbers (numpy: not warned)."""
    from simulator.shard import versions_differ

    plan, merged = _small(2), tmp_path / "m"
    shards = [tmp_path / f"s{k}" for k in (1, 2)]
    for k, out in enumerate(shards, start=1):
        sweep(plan, out, workers=1, shard=Shard(k, 2))
    manifest = json.loads((shards[1] / "manifest.json").read_text())
    manifest["attempts"][0]["code_revision"] = None  # (an installed copy: same code)
    (shards[1] / "manifest.json").write_text(json.dumps(manifest))
    merge(shards, merged)
    assert versions_differ(merged) is None
    manifest["attempts"][0]["versions"]["numpy"] = "1.26.4"
    (shards[1] / "manifest.json").write_text(json.dumps(manifest))
    merge(shards, tmp_path / "m2")
    said = versions_differ(tmp_path / "m2")
    assert said is not None and "numpy 1.26.4, " in said and "orgsim code" not in said


def test_a_shards_report_says_it_is_of_a_share_of_the_runs(tmp_path: Path) -> None:
    """A complete shard's report read "Complete: every planned run finished", holding half
    of each point's replications, with no word of the shard."""
    from simulator.report import write_report

    out = tmp_path / "s1"
    sweep(_small(2), out, workers=1, shard=Shard(1, 2))
    page = write_report(out).read_text()
    assert "Shard 1/2: this folder holds a share of the scenario's runs" in page


def test_an_attempt_not_recorded_as_finished_is_merged_again(tmp_path: Path) -> None:
    """An attempt killed mid-write (or written where the folder lock is not honoured) was
    marked merged with whatever files it had then, and never copied again."""
    plan, merged = _small(2), tmp_path / "m"
    shards = [tmp_path / f"s{k}" for k in (1, 2)]
    for k, out in enumerate(shards, start=1):
        sweep(plan, out, workers=1, shard=Shard(k, 2))
    manifest = json.loads((shards[1] / "manifest.json").read_text())
    del manifest["attempts"][-1]["finished_utc"]  # (as a sweep killed by SIGKILL leaves it)
    (shards[1] / "manifest.json").write_text(json.dumps(manifest))
    assert merge(shards, merged).complete
    again = merge(shards, merged)
    assert (again.skipped, again.files > 0) == (1, True)  # shard 1 done; shard 2 copied again
    sweep(plan, tmp_path / "whole", workers=1)
    assert compare(tmp_path / "whole", merged).identical


def test_a_folder_made_complete_by_a_whole_sweep_lists_no_shard_as_missing(
    tmp_path: Path, capsys: Any
) -> None:
    """A shard merged with a whole sweep's folder of more replications said "(complete)",
    then "shards not merged yet: 2/2"; a shard merged before its sweep ended was not said."""
    shard, whole, merged = tmp_path / "s1", tmp_path / "whole", tmp_path / "m"
    sweep(_small(2), shard, workers=1, shard=Shard(1, 2))
    sweep(_small(3), whole, workers=1)
    done = merge([shard, whole], merged)
    assert (done.complete, done.shards_missing) == (True, [])
    assert main(["merge", str(shard), str(whole), "--out", str(tmp_path / "m2")]) == 0
    said = capsys.readouterr().out
    assert "(complete)" in said and "not merged yet" not in said


def test_a_shard_killed_at_a_time_limit_is_said_to_have_finished_its_runs(
    tmp_path: Path, capsys: Any
) -> None:
    """A shard killed at its job's time limit was said to have finished "0 of its 8 runs":
    its manifest's count, written when a sweep ends, was read, not its files."""
    plan, out, merged = _small(4), tmp_path / "s1", tmp_path / "m"  # (shard 1/2: 8 runs)

    def stop_after_one(done: int, total: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(plan, out, workers=1, pairs_per_task=1, progress=stop_after_one, shard=Shard(1, 2))
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("runs_finished", "complete"):  # (as a hard kill leaves it)
        manifest.pop(key, None)
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert merge([out], merged).unfinished == [("1/2", 2, 8, out)]  # (counted as copied)
    assert main(["merge", str(out), "--out", str(merged)]) == 0  # (nothing new: read there)
    said = capsys.readouterr().out
    assert "(1 with nothing new since their last merge)" in said
    assert "shard 1/2 has finished 2 of its 8 runs: resume it (orgsim sweep SCENARIO" in said
