"""Whether a folder's runs were made by different versions is decided once
(:func:`simulator.results_provenance.differing_versions`) for a resume, ``orgsim merge`` and
the report's banner and Provenance footer; a version an attempt did not record is unknown,
not different, and an attempt that made no run is left out."""

from __future__ import annotations

import json
import shutil
import tomllib
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import paired_scenario

from simulator.report import write_report
from simulator.scenario import Plan, parse_scenario
from simulator.shard import versions_differ
from simulator.sweep import sweep

TEXT = paired_scenario("v", seed=3, replications=2, steps=4, size=30)


def plan() -> Plan:
    return parse_scenario(tomllib.loads(TEXT))[1]


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished sweep of one attempt."""
    out = tmp_path_factory.mktemp("whole") / "r"
    sweep(plan(), out, workers=1)
    return out


def with_attempts(
    whole: Path, tmp_path: Path, edit: Callable[[dict[str, Any]], list[dict[str, Any]]]
) -> Path:
    """A copy of ``whole`` whose attempts are ``edit(its attempt)``."""
    out = tmp_path / "copy"
    shutil.copytree(whole, out, ignore=shutil.ignore_patterns("report", "export"))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["attempts"] = [
        {**a, "attempt": i} for i, a in enumerate(edit(manifest["attempts"][0]))
    ]
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


def said(out: Path) -> tuple[str | None, str]:
    """What ``orgsim merge`` warns of ``out`` and its report's page."""
    return versions_differ(out), write_report(out).read_text(encoding="utf-8")


def before_per_attempt_versions(first: dict[str, Any]) -> list[dict[str, Any]]:
    old = {k: v for k, v in first.items() if k != "versions"}
    return [old, first]


def before_the_code_digest(first: dict[str, Any]) -> list[dict[str, Any]]:
    old = {**first, "versions": {k: v for k, v in first["versions"].items() if k != "orgsim code"}}
    return [old, first]


def made_no_run(first: dict[str, Any]) -> list[dict[str, Any]]:
    other = {"orgsim code": "0123456789ab", "numpy": "1.26.4", "python": "3.11.2"}
    empty = {**first, "versions": {**first["versions"], **other}, "runs_done": 0}
    return [first, empty]


def other_python_and_pyarrow(first: dict[str, Any]) -> list[dict[str, Any]]:
    other = {"python": "3.11.2", "pyarrow": "17.0.0"}  # (they do not change the numbers)
    return [first, {**first, "versions": {**first["versions"], **other}}]


@pytest.mark.parametrize(
    "edit",
    [before_per_attempt_versions, before_the_code_digest, made_no_run, other_python_and_pyarrow],
)
def test_an_older_folders_attempts_are_not_said_to_differ(
    whole: Path, tmp_path: Path, edit: Callable[[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    """The report's banner said "numpy 2.5.5, None; mesa 3.5.1, None" of attempts recorded
    before per-attempt versions, and "orgsim code 0.1.0 at <rev>, 0917c82a81de" of one
    recorded before the code digest, where a resume saw the same code; its footer compared
    python and pyarrow too, and attempts that made no run."""
    warning, page = said(with_attempts(whole, tmp_path, edit))
    revision = json.loads((whole / "manifest.json").read_text())["code_revision"]
    assert warning is None
    assert "different versions" not in page and "<b>Versions:</b>" in page
    # each attempt's line as it is where all agree: no versions of its own
    assert f"0 failed, code {revision}; attempt 1:" in page
    assert f"0 failed, code {revision}</div>" in page


def test_attempts_of_other_code_and_numpy_are_said_to_differ(whole: Path, tmp_path: Path) -> None:
    def other(first: dict[str, Any]) -> list[dict[str, Any]]:
        made = {**first["versions"], "orgsim code": "0123456789ab", "numpy": "1.26.4"}
        return [first, {**first, "versions": made}]

    out = with_attempts(whole, tmp_path, other)
    warning, page = said(out)
    mine = json.loads((whole / "manifest.json").read_text())["attempts"][0]["versions"]
    codes, numpy = sorted([mine["orgsim code"], "0123456789ab"]), sorted([mine["numpy"], "1.26.4"])
    expected = (
        f"{out}: its runs were made by different versions (orgsim code {', '.join(codes)};"
        f" numpy {', '.join(numpy)}): the runs of one may differ"
    )
    assert warning is not None and warning.startswith(expected)
    assert expected in page and "<b>Versions (of the first attempt):</b>" in page
    assert f", orgsim code {mine['orgsim code']}, numpy {mine['numpy']}; attempt 1:" in page
    assert page.count(", orgsim code 0123456789ab, numpy 1.26.4</div>") == 1  # (attempt 1's)


def test_a_resume_warns_as_the_report_decides(
    whole: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A resume compared code only: runs resumed with another numpy were taken without a
    word; a folder of attempts recorded before per-attempt versions resumes quietly."""
    import simulator.results_provenance as provenance

    def resumed(out: Path) -> None:
        next(out.glob("outcomes/arm=model/part-*.parquet")).unlink()  # runs left to do
        assert sweep(plan(), out, workers=1).done > 0

    old = with_attempts(whole, tmp_path, lambda first: before_per_attempt_versions(first)[:1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        resumed(old)
    mine = provenance.versions()
    monkeypatch.setattr(provenance, "versions", lambda: {**mine, "numpy": "1.26.4"})
    with pytest.warns(
        UserWarning,
        match=rf"earlier runs were made by orgsim [^;]*, numpy {mine['numpy']}; this is orgsim"
        r" [^;]*, numpy 1\.26\.4\.",
    ):
        resumed(old)
