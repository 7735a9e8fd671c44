"""Two results folders (:mod:`simulator.results`) compared run by run: which runs one
holds and the other not, and which runs' rows differ, bit for bit (``orgsim diff``).
Two sweeps of the same scenario give the same rows whatever the workers or the executor,
but for the columns in :data:`VARYING`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from simulator.results import KEY, load, scenario_differences

VARYING = ("attempt", "seconds")
"""Columns that differ between two sweeps of the same runs (which attempt ran a run, and how
long it took): left out when folders are compared."""


@dataclass
class FolderDiff:
    """Two results folders compared run by run (:func:`compare`)."""

    same_scenario: bool
    only_a: list[tuple[int, str, int]]
    only_b: list[tuple[int, str, int]]
    differing: dict[str, list[tuple[tuple[int, str, int], str]]]  # table -> (run, what)
    runs: int  # runs in both
    scenarios: list[str] = field(default_factory=list)  # where they differ
    people: bool = False  # whether a people table was compared (rows in either)

    @property
    def identical(self) -> bool:
        return (
            self.same_scenario
            and not self.only_a
            and not self.only_b
            and not any(self.differing.values())
        )

    def lines(self, a: str = "A", b: str = "B", shown: int = 5) -> list[str]:
        """The comparison in words: one line when identical."""
        if self.identical and not self.runs:
            return ["identical: neither folder has a finished run yet"]
        if self.identical:
            *tables, last = ["outcomes", "series", "levels", *(["people"] * self.people)]
            return [
                f"identical: {self.runs:,} runs; {', '.join(tables)} and {last} equal bit for bit"
                f" (leaving out {', '.join(VARYING)})"
            ]
        where = f": {'; '.join(self.scenarios)}" if self.scenarios else " (digests)"
        out = [] if self.same_scenario else [f"{a} and {b} hold different scenarios{where}"]
        for name, only in ((a, self.only_a), (b, self.only_b)):
            if only:
                listed = ", ".join(_run(k) for k in only[:shown])
                more = f" and {len(only) - shown:,} more" if len(only) > shown else ""
                out.append(f"{len(only):,} run(s) only in {name}: {listed}{more}")
        for table, found in self.differing.items():
            if found:
                runs = len({k for k, _ in found})
                listed = "; ".join(f"{_run(k)}: {column}" for k, column in found[:shown])
                more = " ..." if len(found) > shown else ""
                out.append(f"{table}: {runs:,} run(s) differ ({listed}{more})")
        unequal = len({k for found in self.differing.values() for k, _ in found})
        out.append(f"{self.runs:,} runs in both, {self.runs - unequal:,} of them equal")
        return out


def _run(key: tuple[int, str, int]) -> str:
    return f"point {key[0]} {key[1]} replication {key[2]}"


def compare(a: str | Path, b: str | Path) -> FolderDiff:
    """Two results folders run by run: which runs one has and the other not, and which
    tables' rows differ (exactly: same seed, same results, bit for bit, whatever the
    workers or the executor), leaving out :data:`VARYING`. A run's first differing column
    is named, with both values."""
    left, right = load(a), load(b)
    same = left.manifest.get("digest") == right.manifest.get("digest")
    keys = [set(map(tuple, t.outcomes[KEY].itertuples(index=False))) for t in (left, right)]
    both = keys[0] & keys[1]
    differing: dict[str, list[tuple[tuple[int, str, int], str]]] = {}
    runs = None if keys[0] == keys[1] else pd.DataFrame(sorted(both), columns=KEY)
    for table, within in (
        ("outcomes", []),
        ("series", ["step"]),
        ("levels", ["step", "level"]),
        ("people", ["person"]),
    ):
        x, y = (_comparable(getattr(t, table), runs, within) for t in (left, right))
        differing[table] = _differing(x, y, within)
    scenarios = (
        []
        if same
        else scenario_differences(*(t.manifest.get("resolved", {}) for t in (left, right)))
    )
    return FolderDiff(
        same,
        sorted(keys[0] - keys[1]),
        sorted(keys[1] - keys[0]),
        differing,
        len(both),
        scenarios,
        people=not (left.people.empty and right.people.empty),
    )


def _comparable(frame: pd.DataFrame, runs: pd.DataFrame | None, within: list[str]) -> pd.DataFrame:
    """The rows of ``runs`` (all: None), by run (and step, level), without :data:`VARYING`."""
    if frame.empty:
        return frame
    kept = frame.drop(columns=[c for c in VARYING if c in frame])
    if runs is not None:
        kept = kept.merge(runs.astype(kept[KEY].dtypes.to_dict()), on=KEY)
    return kept.sort_values([*KEY, *within]).reset_index(drop=True)


def _differing(
    x: pd.DataFrame, y: pd.DataFrame, within: list[str]
) -> list[tuple[tuple[int, str, int], str]]:
    """(run, its first differing column with the step and level where it differs and both
    values) of each run whose rows differ between x and y."""
    if x.equals(y):
        return []
    index = [*KEY, *within]
    apart = sorted(set(x.columns) ^ set(y.columns))
    if apart:  # (another record setting: every run differs)
        runs = pd.concat([x[KEY], y[KEY]]).drop_duplicates().itertuples(index=False)
        return [(tuple(run), f"columns {', '.join(apart)} in one only") for run in runs]
    joined = x.merge(y, on=index, how="outer", suffixes=("", " (b)"), indicator=True)
    found: dict[tuple[int, str, int], str] = {}
    lonely = joined["_merge"] != "both"
    for row in joined.loc[lonely, KEY].itertuples(index=False):
        found.setdefault(tuple(row), "rows" if within else "row")
    columns = [c for c in x.columns if c not in index]  # the seed last: it differs with it
    for column in sorted(columns, key=lambda c: c == "seed"):
        p, q = joined[column], joined[f"{column} (b)"]
        differ = ~((p == q) | (p.isna() & q.isna())) & ~lonely
        rows = joined.loc[differ, [*KEY, *within]]
        for row, one, other in zip(rows.itertuples(index=False), p[differ], q[differ], strict=True):
            where = "".join(f" {name} {getattr(row, name)}" for name in within)
            found.setdefault(tuple(row)[:3], f"{column}{where} ({one!r} vs {other!r})")
    return sorted(found.items())
