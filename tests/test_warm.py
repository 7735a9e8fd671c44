"""``orgsim warm``: each kernel path's tiny model takes that path, and the command reports it."""

from __future__ import annotations

import numba
import pytest
from builders import ACROSS_AT

from simulator import warm
from simulator.cli import main
from simulator.mechanisms import sl_kernel, social_learning


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kernel entry points called, in order: ``step`` (one replication at a time),
    ``step-across`` (a batch learning across replications), ``step_split`` (threaded)."""
    seen: list[str] = []
    step, split = sl_kernel.step, sl_kernel.step_split

    def stepped(*args: object) -> object:
        seen.append("step-across" if args[ACROSS_AT] else "step")
        return step(*args)

    def threaded(*args: object) -> object:
        seen.append("step_split")
        return split(*args)

    monkeypatch.setattr(sl_kernel, "step", stepped)
    monkeypatch.setattr(sl_kernel, "step_split", threaded)
    return seen


@pytest.mark.parametrize(
    ("path", "entry"),
    [("single", "step"), ("batch", "step-across"), ("large", "step_split")],
)
def test_each_path_runs_the_kernel_it_names(
    path: str, entry: str, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if path == "large":
        if numba.config.NUMBA_NUM_THREADS < 2:
            pytest.skip("one core: a large organisation runs on one thread")
        monkeypatch.setattr(social_learning, "_threads", 2)
    assert warm.warm([path], jobs=1).keys() == {path}
    assert calls and set(calls) == {entry}


def test_all_paths_in_parallel_processes_report_each_path_once() -> None:
    reported: list[str] = []
    seconds = warm.warm(jobs=2, report=lambda name, s: reported.append(name))
    assert sorted(reported) == sorted(warm.PATHS) == sorted(seconds)
    assert all(s > 0 for s in seconds.values())


def test_an_unknown_path_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"\['nope'\].*single"):
        warm.warm(["nope"])


def test_the_command_names_each_path_and_where_the_cache_is(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))  # only read for the message here
    assert main(["warm", "--path", "single", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert f"NUMBA_CACHE_DIR ({tmp_path})" in out
    assert "  single " in out and "batch" not in out and "done in" in out


def test_a_bad_path_option_names_the_value_and_the_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["warm", "--path", "huge"]) == 2
    err = capsys.readouterr().err
    assert "--path" in err and "'huge'" in err and "single" in err and "large" in err
