"""Writing a results folder: :class:`ResultsFolder` opens (or creates) a sweep's folder for
its plan, records each attempt in the manifest, and writes each task's tables, outcomes last
(a run counts as finished only once its outcome row exists; a resumed sweep reruns anything
else).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from simulator import results_provenance as provenance
from simulator.results_differences import more_replications, same_runs, scenario_differences
from simulator.results_files import (
    KEY,
    TABLES,
    ResultsError,
    atomic_write,
    now_utc,
    read_manifest,
    write_json,
)
from simulator.results_rows import axis_types, tables_of
from simulator.results_tables import kept_tables, lost_runs, read_table, word_list

if TYPE_CHECKING:
    from simulator.scenario import Plan
    from simulator.shard import Shard
    from simulator.sweep_runs import RunResult


@dataclass
class ResultsFolder:
    """A results folder being written by a sweep."""

    path: Path
    manifest: dict[str, Any]
    plan: Plan
    shard: Shard | None = None

    @property
    def planned(self) -> int:
        """The runs this folder is to hold: the plan's, or its shard's."""
        from simulator.shard import planned

        return planned(self.plan, self.shard)

    @classmethod
    def open(cls, out: str | Path, plan: Plan, shard: Shard | None = None) -> ResultsFolder:
        """Open (or create) ``out`` for ``plan`` (or one ``shard`` of it: :mod:`simulator.shard`);
        refuse another scenario's folder, or another shard's."""
        path = Path(out)
        manifest_path = path / "manifest.json"
        digest = plan.digest()
        from simulator.shard import planned as runs_planned

        planned = runs_planned(plan, shard)
        if manifest_path.exists():
            manifest = read_manifest(manifest_path)
            _same_shard(path, manifest, shard)
            if not same_runs(manifest, plan) and not more_replications(manifest, plan):
                from simulator.scenario import WORDING

                differ = scenario_differences(  # (not the wording, which is taken)
                    manifest.get("resolved", {}),
                    plan.resolved(),
                    leave={f"scenario.{key}" for key in WORDING},
                )
                raise ResultsError(
                    f"{path} holds results of another scenario "
                    f"({manifest.get('name', '?')!r}, digest {str(manifest.get('digest'))[:12]}); "
                    f"this one ({plan.scenario.scenario.name!r}, digest {digest[:12]}) differs"
                    f"{' in ' + '; '.join(differ) if differ else ''}. Choose another output"
                    " folder, or remove that one (only more replications can be added to a"
                    " folder)"
                )
            if manifest.get("arms") != list(plan.arms):  # (the digest sorts them)
                raise ResultsError(
                    f"{path} holds this scenario with its arms in another order"
                    f" ({', '.join(manifest.get('arms', []))}; now {', '.join(plan.arms)}):"
                    " the first arm is the baseline of every contrast; put them back in"
                    " that order, or choose another output folder"
                )
            manifest.update(  # the wording may have changed; written with the attempt
                digest=digest,
                replications=plan.replications,  # (replications may have been added)
                runs_planned=planned,
                question=plan.scenario.scenario.question,
                scenario=plan.scenario.model_dump(mode="json"),
                resolved=plan.resolved(),
            )
            return cls(path, manifest, plan, shard)
        if path.exists() and any(p for p in path.iterdir() if not p.name.startswith(".")):
            raise ResultsError(
                f"{path} is not empty and holds no manifest.json: not a results "
                "folder of this tool; choose an empty or new folder"
            )
        path.mkdir(parents=True, exist_ok=True)
        manifest = {
            "name": plan.scenario.scenario.name,
            "question": plan.scenario.scenario.question,
            "digest": digest,
            "root_seed": plan.scenario.scenario.seed,
            **({} if shard is None else {"shard": str(shard)}),
            "runs_planned": planned,
            "arms": list(plan.arms),
            "axes": plan.axis_names,
            "design_points": len(plan.points),
            "replications": plan.replications,
            "scenario": plan.scenario.model_dump(mode="json"),
            "resolved": plan.resolved(),
            "versions": provenance.versions(),
            "code_revision": provenance.code_revision(),
            "created_utc": now_utc(),
            "attempts": [],
        }
        write_json(manifest_path, manifest)
        return cls(path, manifest, plan, shard)

    @functools.cached_property
    def axis_types(self) -> dict[str, pa.DataType]:
        """The axes' column types (:func:`axis_types`), worked out once for every task."""
        return axis_types(self.plan)

    def finished_keys(self) -> set[tuple[int, str, int]]:
        """Runs with an outcome row of status ``ok`` whose series (and levels, and people)
        were kept.

        A task's tables are written as files of one name, outcomes last; a run whose last
        finished attempt's outcomes file has lost its series, levels or people file (deleted,
        or moved out as damaged) has lost those rows (:func:`lost_runs`, as
        :func:`simulator.results.load` counts them): it is run again, with a warning naming
        the files."""
        frame = read_table(self.path, "outcomes", columns=[*KEY, "attempt", "status"])
        if frame.empty:
            return set()
        ok = frame[frame["status"] == "ok"]
        tables = self._kept_tables()
        lost = lost_runs(self.path, tables, ok, self.manifest)
        if lost.runs:
            files = ", ".join(f"{p.parent.name}/{p.name}" for p in lost.parts[:3])
            warnings.warn(
                f"{self.path}: {len(lost.runs):,} finished run(s) lost their"
                f" {word_list(tables, 'or')} file"
                f" ({files}{' ...' if len(lost.parts) > 3 else ''}); they are run again",
                UserWarning,
                stacklevel=2,
            )
        runs = set(zip(ok["point"], ok["arm"], ok["replication"], strict=True))
        return runs - set(lost.runs)

    def _kept_tables(self) -> list[str]:
        """The tables beside the outcomes that every finished run has rows in."""
        return kept_tables(self.plan.scenario.record.model_dump())

    def begin(self, todo: int, executor: str = "") -> int:
        """Record the start of an attempt (and where it runs); return its number. Warns when
        earlier attempts ran other code or package versions
        (:func:`~simulator.results_provenance.differing_versions`, as ``orgsim merge`` and the
        report decide): the scenario's digest covers the scenario, not the model, so their
        runs and this one's may differ."""
        attempt = len(self.manifest["attempts"])
        made_by, revision = provenance.versions(), provenance.code_revision()
        mine = {"versions": made_by, "code_revision": revision}
        differ = [(a, provenance.differing_versions([a, mine])) for a in self.manifest["attempts"]]
        packages = sorted({k for _, d in differ for k in d if k != "orgsim code"})
        other = {provenance.made_by(a, [k for k in packages if k in d]) for a, d in differ if d}
        if todo and other:
            warnings.warn(
                f"{self.path}: its earlier runs were made by {'; '.join(sorted(other))}; this"
                f" is {provenance.made_by(mine, packages)}. If the model changed in between, the"
                " resumed runs differ from the earlier ones: use a new folder to keep one version",
                UserWarning,
                stacklevel=2,
            )
        self.manifest["attempts"].append(
            {
                "attempt": attempt,
                "started_utc": now_utc(),
                "runs_todo": todo,
                "executor": executor,
                "versions": made_by,
                "code_revision": revision,
            }
        )
        write_json(self.path / "manifest.json", self.manifest)
        return attempt

    def finish(self, attempt: int, done: int, failed: int, resubmitted: int = 0) -> None:
        """Record the end of an attempt (runs done, failed; tasks resubmitted after their
        worker was lost) and the folder's totals."""
        entry = self.manifest["attempts"][attempt]
        entry.update(
            {
                "finished_utc": now_utc(),
                "runs_done": done,
                "runs_failed": failed,
                "tasks_resubmitted": resubmitted,
            }
        )
        frame = read_table(self.path, "outcomes", columns=[*KEY, "status"])
        ok = frame[frame["status"] == "ok"].drop_duplicates(KEY) if not frame.empty else frame
        self.manifest["runs_finished"] = len(ok)
        self.manifest["complete"] = len(ok) == self.planned
        write_json(self.path / "manifest.json", self.manifest)

    def write(self, task: int, attempt: int, results: Sequence[RunResult]) -> None:
        """Write one task's results: series, levels and people first, outcomes last."""
        name = f"part-{attempt:03d}-{task:06d}.parquet"
        by_table = tables_of(results, self.plan, attempt, self.axis_types)
        for table in TABLES:  # outcomes last: these runs count as finished
            arms, whole = by_table[table]
            for arm in sorted(set(arms)):  # converted once, split by arm in Arrow
                target = self.path / table / f"arm={arm}" / name
                data = whole.filter(pa.array(arms == arm))
                atomic_write(target, lambda tmp, data=data: pq.write_table(data, tmp))


def _same_shard(path: Path, manifest: dict[str, Any], shard: Shard | None) -> None:
    """Refuse to go on in a folder with another part of the runs than ``shard``'s."""
    from simulator.shard import of_folder

    held = of_folder(manifest)
    if held == shard:
        return
    if held is None:
        raise ResultsError(
            f"{path} holds a whole sweep's runs{' (merged)' if 'merged' in manifest else ''},"
            f" not shard {shard}'s: drop --shard to resume it, or choose another folder"
        )
    raise ResultsError(
        f"{path} holds shard {held} of this scenario's runs, not"
        f" {'the whole sweep' if shard is None else f'shard {shard}'}: run with --shard {held}"
        " to resume it, `orgsim merge` it with the other shards, or choose another folder"
    )
