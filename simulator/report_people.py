"""The report's "Who adopts, and when" section, for a folder that keeps its people
(``[record] people = true``; no section otherwise): how deep into the hierarchy posting
went (the share posting at the horizon by role and by level), when each level first
posted, and through whom people first adopted, per arm (:mod:`simulator.adopters`), as a
figure (:func:`simulator.adopters_plots.who_adopts`), HTML tables and
``people_summary.csv``. Every arm of the scenario has its column (``–`` where it has no
numbers), and a note says of each arm some of whose finished runs lost their people file
how many, pointing to the report's Runs section, which says which and how to run them again
(:func:`gather`). Where no run has people rows, the section is one line saying so, and why
(:func:`none_note`), not absent as for a folder that never kept them.

:func:`gather` reads the people table arm by arm, only the columns it needs, so that a
large folder's (a million rows and more) is never held whole; :func:`write` writes the
table and the figure; :func:`people_section` is the HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simulator import adopters
from simulator.adopters_plots import who_adopts
from simulator.analysis import ok_runs
from simulator.report_data import Figured, ReportData
from simulator.report_figures import render
from simulator.report_html import escape, number, section_figures
from simulator.results import Results

CSV = "people_summary.csv"
"""The section's numbers, in the report folder (:data:`simulator.adopters.COLUMNS`)."""
FIGURE = "who_adopts"
"""The section's figure (``who_adopts.png``)."""


@dataclass
class WhoAdopts:
    """What the section shows: the table of :func:`simulator.adopters.summary` for every
    arm, the scenario's arms, the design points pooled, the notes on the runs left out
    (:func:`runs_note`; where no run has people rows, the table has none and the note is
    :func:`none_note`)."""

    table: pd.DataFrame
    arms: list[str]
    points: int
    notes: list[str] = field(default_factory=list)


def gather(results: Results) -> WhoAdopts | None:
    """The section's table, read from ``results`` arm by arm (the columns
    :data:`simulator.adopters.NEEDED` only), with a note per arm some of whose finished
    runs lost their people file (:attr:`simulator.results.Results.lost`; :func:`runs_note`);
    None if the folder does not keep people (``[record] people``,
    :attr:`~simulator.results.Results.kept_tables`). If it does but no run has people rows, no
    table, and one note saying why (:func:`none_note`)."""
    if "people" not in results.kept_tables:
        return None
    parts, points, notes = [], set(), []
    outcomes = results.outcomes  # (a run's row: finished or failed)
    finished, ended = ok_runs(outcomes)["arm"].value_counts(), outcomes["arm"].value_counts()
    lost = pd.Series([arm for _, arm, _ in results.lost.of("people")], dtype=object)
    lost_of = lost.value_counts()
    for arm in results.arms:
        people = results.read_people(list(adopters.NEEDED), arm=arm)
        if not people.empty:
            parts.append(adopters.summary(people))
            points |= set(people["point"].unique())
        note = runs_note(
            arm, int(lost_of.get(arm, 0)), int(finished.get(arm, 0)), int(ended.get(arm, 0))
        )
        notes += [note] if note else []
        del people  # (one arm's rows at a time)
    if not parts:
        note = none_note(int(finished.sum()), len(outcomes), len(lost))
        return WhoAdopts(pd.DataFrame(columns=adopters.COLUMNS), results.arms, 0, [note])
    table = pd.concat(parts, ignore_index=True)
    return WhoAdopts(table, results.arms, len(points), notes)


SEE_RUNS = "see Runs"
"""Where the report says which runs lost their people file, and how to run them again (its
``Not complete`` banner: :meth:`simulator.results_tables.Lost.said`): the notes point there."""


def runs_note(arm: str, lost: int, finished: int, ended: int) -> str | None:
    """What the section says of ``arm``, ``lost`` of whose ``finished`` runs (``ended``:
    finished or failed) lost their people file: None when none did and it has some.

    >>> runs_note("model", 0, 4, 6) is None  # (its failed runs: said under Runs)
    True
    >>> print(runs_note("delegate", 1, 4, 4))
    delegate: its numbers are of 3 of its 4 finished runs (1 lost its people file: see Runs).
    >>> print(runs_note("comms", 0, 0, 4))
    comms: no finished run (4 failed, listed under Runs): no numbers (–).
    """
    if finished == 0:
        why = f"{ended:,} failed, listed under Runs" if ended else "none run yet"
        return f"{arm}: no finished run ({why}): no numbers (–)."
    if lost == 0:
        return None
    its = "its people file" if lost == 1 else "their people files"
    if lost >= finished:
        runs = f"its {finished:,} finished runs" if finished > 1 else "its finished run"
        return f"{arm}: no numbers (–): {runs} lost {its} ({SEE_RUNS})."
    return (
        f"{arm}: its numbers are of {finished - lost:,} of its {finished:,} finished runs"
        f" ({lost:,} lost {its}: {SEE_RUNS})."
    )


def none_note(finished: int, ended: int, lost: int) -> str:
    """What the section says of a folder that keeps people when none of its runs has
    people rows: ``finished`` runs finished, ``ended`` finished or failed, ``lost`` of them
    lost their people file.

    >>> print(none_note(8, 8, 8))
    No run has people rows: the 8 finished runs lost their people files (see Runs).
    >>> print(none_note(0, 4, 0))
    No run has people rows: none has finished (4 failed, listed under Runs).
    """
    if finished == 0:
        why = f"{ended:,} failed, listed under Runs" if ended else "none run yet"
        return f"No run has people rows: none has finished ({why})."
    if lost < finished:  # (not every one by a file gone: rows missing otherwise)
        return (
            f"No run has people rows, though the scenario keeps them and {finished:,} runs"
            f" finished{f' ({lost:,} lost their people files: {SEE_RUNS})' if lost else ''}."
        )
    runs = "run lost its people file" if finished == 1 else "runs lost their people files"
    return f"No run has people rows: the {finished:,} finished {runs} ({SEE_RUNS})."


def write(who: WhoAdopts | None, out: Path) -> list[str]:
    """Write ``people_summary.csv`` into ``out`` (nothing for None, or without numbers);
    the names of the files written."""
    if who is None or who.table.empty:
        return []
    who.table.to_csv(out / CSV, index=False)
    return [CSV]


def figures(who: WhoAdopts | None) -> list[Figured]:
    """The section's figure, rendered as the report renders its others (none for None);
    the page shows it in the section (:data:`simulator.report_html.SECTION_FIGURES`)."""
    if who is None or who.table.empty:
        return []
    fig = who_adopts(who.table, arms=who.arms, points=who.points)
    where = f", the runs of {who.points} design points pooled" if who.points > 1 else ""
    caption = (
        f"Who adopts, and when, per arm{where}: the share posting at the horizon by role "
        "and by level (mean over runs, 95 % CI), the first week as a poster by level "
        "(median, 10-90 % of the posters) and the main source of first adoptions (mean "
        "share of a run's adoptions, 95 % CI)."
    )
    return [render(FIGURE, fig, caption)]


ABOUT = (
    "<h2>Who adopts, and when</h2><p>From the people table (<code>[record] people = true"
    "</code>): how deep into the hierarchy posting went, when each level first posted, and "
    "through whom people first adopted. A share is taken within each run, then averaged "
    "over the runs{pooled} with a 95 % interval (Student's t; none below two runs); a run "
    "with no one in a group (a role or level its organisation lacks, no adoption at all) "
    "is left out of that group. First weeks: week 0 is the initial state; median and "
    "10-90 % over every poster of the arm's runs, those who lapsed since too. Sources: the "
    "main source of each person's first adoption (docs/ODD.md 7.7) as shares of the "
    "run's adoptions. All the numbers are in <code>people_summary.csv</code>.</p>"
)


def people_section(data: ReportData) -> str:
    """The section as HTML: ``""`` for a folder without people (``data.people`` None), its
    heading and note alone where no run has people rows."""
    who = data.people
    if who is None:
        return ""
    if who.table.empty:
        return f"<h2>Who adopts, and when</h2><p>{escape(' '.join(who.notes))}</p>"
    table, arms = who.table, who.arms  # (every arm: "–" where one has no numbers)
    pooled = f", pooled over {who.points} design points," if who.points > 1 else ""
    parts = [ABOUT.format(pooled=pooled)]
    if who.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in who.notes) + "</ul>")
    parts.append(section_figures(data, "people"))
    shares = _share_cell
    parts += [
        _table(table, "role", "Share posting at the horizon, by role", "Role", arms, shares),
        _table(table, "level", "Share posting at the horizon, by level", "Level", arms, shares),
        _table(
            table,
            "first_week",
            "First week as a poster, by level: median (10-90 %), posters of all runs",
            "Level",
            arms,
            _week_cell,
            people=None,
        ),
        _table(
            table,
            "source",
            "Main source of first adoption, share of a run's adoptions",
            "Source",
            arms,
            shares,
            people=None,
        ),
    ]
    return "".join(parts)


def _table(
    table: pd.DataFrame,
    part: str,
    title: str,
    group: str,
    arms: list[str],
    cell: Callable[[Mapping[Any, Any]], str],
    people: str | None = "People per run",
) -> str:
    """One part of the table: a row per group, the people per run (the size of a role or a
    level, the same in every arm unless the arms change the organisation; none where it
    is an outcome of the arm: ``people`` None) and a cell per arm."""
    rows = table[table["table"] == part]
    heads = [group, *([people] if people else []), *arms]
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    lines = [f"<h3>{escape(title)}</h3><table><tr>{head}</tr>"]
    for name in adopters.group_order(part, rows["group"]):
        by_arm = rows[rows["group"] == name]
        found = {r["arm"]: r for r in by_arm.to_dict("records")}
        low, high = _count(by_arm["people"].min()), _count(by_arm["people"].max())
        count = low if low == high else f"{low} to {high}"  # (the arms' organisations differ)
        size = f'<td class="n">{count}</td>' if people else ""
        cells = "".join(f'<td class="n">{cell(found[a]) if a in found else "–"}</td>' for a in arms)
        lines.append(f"<tr><td>{escape(name)}</td>{size}{cells}</tr>")
    lines.append("</table>")
    return "".join(lines)


def _share_cell(row: Mapping[Any, Any]) -> str:
    """A share with its interval, as the summary table has them."""
    low, high = number(row["ci_low"], "poster"), number(row["ci_high"], "poster")
    return f"{number(row['mean'], 'poster')} [{low}, {high}]"


def _week_cell(row: Mapping[Any, Any]) -> str:
    """A median week with its 10-90 % and the posters it is of.

    >>> _week_cell({"median": 3.0, "q10": 3.0, "q90": 3.0, "n": 1})
    '3 (3 to 3), 1 poster'
    >>> _week_cell({"median": 4.5, "q10": 2.0, "q90": 8.6, "n": 1200})
    '4.5 (2 to 8.6), 1,200 posters'
    """
    median, q10, q90 = (number(row[k], "first_poster") for k in ("median", "q10", "q90"))
    n = int(row["n"])
    return f"{median} ({q10} to {q90}), {n:,} poster{'' if n == 1 else 's'}"


def _count(value: float) -> str:
    """People per run: whole numbers and large means to the unit, small means to 3
    significant digits."""
    whole = float(value).is_integer() or abs(value) >= 100
    return f"{value:,.0f}" if whole else f"{value:.3g}"
