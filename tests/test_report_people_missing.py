"""The report's "Who adopts, and when" section of a folder that keeps its people
(``[record] people = true``) but whose runs have no people rows (their files deleted): the
section is there, one line saying so and why, instead of missing as for a folder that never
kept people; the resume it suggests brings the rows back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import paired_scenario

from simulator.cli import main
from simulator.report import write_report
from simulator.report_people import gather
from simulator.results import load

HEAD = "<h2>Who adopts, and when</h2>"


def swept(tmp_path: Path, people: bool) -> Path:
    """A small paired sweep (2 points x 2 arms x 2 replications) run by ``orgsim sweep``."""
    text = paired_scenario("kept", seed=3, replications=2, steps=6, size=40)
    if people:
        text = text.replace("[params]", "[record]\npeople = true\n\n[params]")
    scenario = tmp_path / "sc.toml"
    scenario.write_text(text, encoding="utf-8")
    out = tmp_path / "r"
    args = ["sweep", str(scenario), "--out", str(out), "--workers", "1", "--quiet"]
    assert main([*args, "--no-report"]) == 0
    return out


def test_no_people_rows_is_said_in_the_section_and_a_resume_brings_them_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = swept(tmp_path, people=True)
    assert not load(out).people.empty
    shutil.rmtree(out / "people")  # (deleted: every finished run has lost its people rows)

    text = write_report(out).read_text(encoding="utf-8")
    section = text[text.index(HEAD) : text.index("<h2>Summary")]
    assert section == (
        f"{HEAD}<p>No run has people rows: the 8 finished runs lost their people files (see"
        " Runs).</p>\n"
    )
    # the Runs banner says which files and how to run them again, once
    said = "Not complete: 8 of the 8 finished runs lost their people file (people/arm="
    assert said in text and text.count(f"orgsim sweep &lt;scenario file&gt; --out {out}&#x27;") == 1
    report = out / "report"
    assert not (report / "people_summary.csv").exists() and not (report / "who_adopts.png").exists()
    who = gather(load(out))
    assert who is not None and who.table.empty and len(who.notes) == 1

    # What the note suggests: the sweep run again runs again the runs without people rows.
    args = ["sweep", str(tmp_path / "sc.toml"), "--out", str(out), "--workers", "1", "--quiet"]
    capsys.readouterr()
    assert main([*args, "--no-report"]) == 0
    said = capsys.readouterr()
    assert "8 finished run(s) lost their series, levels or people file" in said.err
    assert "8 runs done, 0 failed, 0 already done" in said.out
    results = load(out)
    assert len(results.people) == 8 * 40
    text = write_report(out).read_text(encoding="utf-8")
    assert "No run has people rows" not in text and "Share posting at the horizon, by role" in text


def test_a_folder_that_never_kept_people_has_no_section(tmp_path: Path) -> None:
    out = swept(tmp_path, people=False)
    assert gather(load(out)) is None
    assert "Who adopts" not in write_report(out).read_text(encoding="utf-8")
