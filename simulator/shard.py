"""Sweeps split over separate jobs (``orgsim sweep --shard k/N``) and merged again
(``orgsim merge``): a batch scheduler's job array, or several machines without a Dask cluster.

A shard takes a fixed share of a scenario's runs: every arm of one design point and one
organisation (a pair, or with ``[scenario] orgs`` the replications that share an
organisation) goes to the same shard, so that each shard's folder holds whole pairs, and a
point's replications are dealt round the shards, so that the shards take about as long
whatever the points cost. Which shard a run is in does not depend on the number of
replications: a shard folder can take more replications as a whole sweep's can.

Each shard's folder is an ordinary results folder (resumed by running the same command
again; its manifest says which shard it holds). :func:`merge` copies shards' runs into one
folder, which then reads, reports and resumes as if one sweep had made it; the runs are the
same bit for bit (same seeds), whatever the shards.

Examples
--------
>>> s = Shard.parse("2/3")
>>> str(s), [s.takes(point, org) for point in range(2) for org in range(3)]
('2/3', [False, True, False, True, False, False])
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import SimulatorError

if TYPE_CHECKING:
    from simulator.plan import Plan, RunSpec

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
_PART = re.compile(r"part-(\d+)-(\d+)\.parquet")
TABLES = ("series", "levels", "people", "failed", "outcomes")
"""A results folder's tables, in the order a task writes them (outcomes last: a run counts
as finished once its outcome row is there)."""


class ShardError(SimulatorError):
    """A shard that cannot be run or folders that cannot be merged."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as job arrays number their tasks)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ShardError(
                f"shard {self.index}/{self.count}: the first number must be from 1 to the"
                f" second (shards 1/{max(self.count, 1)} to {max(self.count, 1)}/"
                f"{max(self.count, 1)})"
            )

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"k/N"``: shard k of N."""
        match = _SPEC.fullmatch(text)
        if match is None:
            raise ShardError(
                f"shard {text!r}: give k/N, shard k of N, such as 3/8 (in a Slurm job array:"
                " --shard $SLURM_ARRAY_TASK_ID/8 with --array=1-8)"
            )
        return cls(int(match[1]), int(match[2]))

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def takes(self, point: int, org: int) -> bool:
        """Whether the runs of design point ``point`` on organisation ``org`` (the
        replication whose seed builds it: :meth:`Plan.org_of`) are this shard's."""
        return (point + org) % self.count == self.index - 1

    def runs(self, plan: Plan) -> Iterator[RunSpec]:
        """This shard's runs, in the plan's order."""
        return (s for s in plan.runs() if self.takes(s.point, s.org))

    def run_count(self, plan: Plan) -> int:
        """How many runs this shard holds."""
        pairs = sum(
            self.takes(point, plan.org_of(rep))
            for point in range(len(plan.points))
            for rep in range(plan.replications)
        )
        return pairs * len(plan.arms)


def of_folder(manifest: dict[str, Any]) -> Shard | None:
    """The shard a results folder's manifest holds (None: a whole sweep's folder)."""
    text = manifest.get("shard")
    return None if text is None else Shard.parse(text)


@dataclass
class Merged:
    """What :func:`merge` did: runs copied, and the merged folder's finished and planned runs."""

    out: Path
    sources: int
    skipped: int  # sources (or their attempts) merged before
    files: int
    finished: int
    planned: int
    shards_missing: list[str]

    @property
    def complete(self) -> bool:
        return self.finished == self.planned


def merge(folders: Sequence[str | Path], out: str | Path) -> Merged:
    """Copy the runs of results ``folders`` (shards of one scenario, or any folders of the
    same scenario) into ``out``, a new folder or one merged into before.

    Each source's attempts become attempts of ``out`` (renumbered after those there), so a
    run made twice is kept once, as a resumed sweep keeps it: its last attempt. A source
    merged before adds only the attempts it has made since. Every folder is held as a sweep
    holds it (:func:`~simulator.results.writing`): a shard still being written is refused.
    """
    from simulator.results import ResultsError, read_manifest, write_json, writing

    out = Path(out)
    if not folders:
        raise ShardError("merge: name the folders to merge (the shards' --out folders)")
    sources = [Path(f) for f in folders]
    for source in sources:
        if source.resolve() == out.resolve():
            raise ShardError(f"{source}: the merged folder cannot also be a source")
        if not (source / "manifest.json").exists():
            raise ShardError(
                f"{source}: no manifest.json; not a results folder (an `orgsim sweep` --out)"
            )
    manifests = [read_manifest(source / "manifest.json") for source in sources]
    first = manifests[0]
    for source, manifest in zip(sources[1:], manifests[1:], strict=True):
        _same_scenario(sources[0], first, source, manifest)
    if (out / "manifest.json").exists():
        _same_scenario(sources[0], first, out, read_manifest(out / "manifest.json"))
    elif out.exists() and any(p for p in out.iterdir() if not p.name.startswith(".")):
        raise ResultsError(
            f"{out} is not empty and holds no manifest.json: not a results folder of this"
            " tool; choose an empty or new folder"
        )
    with contextlib.ExitStack() as held:
        held.enter_context(writing(out))
        for source in sources:
            held.enter_context(writing(source))
        target = _target(out, first)
        merged = target.setdefault("merged", [])
        files = skipped = 0
        for source, manifest in zip(sources, manifests, strict=True):
            ident = {"created_utc": manifest.get("created_utc"), "shard": manifest.get("shard")}
            if ident["shard"] is None:  # (a whole sweep's folder: where it is, too)
                ident["folder"] = str(source.resolve())
            before = next((m for m in merged if m["from"] == ident), None)
            done = before["attempts"] if before else 0
            attempts = manifest.get("attempts", [])
            if done >= len(attempts):
                skipped += 1
                continue
            offset = len(target["attempts"])
            for a, attempt in enumerate(attempts[done:], start=done):
                shard = manifest.get("shard")
                target["attempts"].append(
                    {**attempt, "attempt": offset + a - done, "merged_from": str(source)}
                    | ({"shard": shard} if shard else {})
                )
            files += _copy(source, out, {a: offset + a - done for a in range(done, len(attempts))})
            if before:
                before["attempts"] = len(attempts)
            else:
                merged.append({"from": ident, "folder": str(source), "attempts": len(attempts)})
        finished = _finished(out)
        target["runs_finished"] = finished
        target["complete"] = finished == target["runs_planned"]
        write_json(out / "manifest.json", target)
    shards: set[str] = {m["from"]["shard"] for m in merged if m["from"].get("shard")}
    counts = {Shard.parse(s).count for s in shards}
    missing = (
        [f"{k}/{n}" for n in sorted(counts) for k in range(1, n + 1) if f"{k}/{n}" not in shards]
        if len(counts) == 1
        else []
    )
    return Merged(out, len(sources), skipped, files, finished, target["runs_planned"], missing)


def _same_scenario(a: Path, ma: dict[str, Any], b: Path, mb: dict[str, Any]) -> None:
    from simulator.results import scenario_differences

    if ma.get("digest") == mb.get("digest") and ma.get("arms") == mb.get("arms"):
        return
    differ = scenario_differences(ma.get("resolved", {}), mb.get("resolved", {}))
    raise ShardError(
        f"{b} ({mb.get('name', '?')!r}, digest {str(mb.get('digest'))[:12]}) holds another"
        f" scenario's runs than {a} ({ma.get('name', '?')!r}, digest"
        f" {str(ma.get('digest'))[:12]})"
        f"{': they differ in ' + '; '.join(differ) if differ else ''}"
        f"{'' if ma.get('arms') == mb.get('arms') else ' (arms in another order)'};"
        " only folders of one scenario can be merged"
    )


def _target(out: Path, first: dict[str, Any]) -> dict[str, Any]:
    """The merged folder's manifest: its own, or a whole sweep's made from a source's."""
    from simulator.results import read_manifest

    if (out / "manifest.json").exists():
        return read_manifest(out / "manifest.json")
    manifest = {k: v for k, v in first.items() if k not in ("shard", "attempts", "merged")}
    manifest["runs_planned"] = (
        int(first["design_points"]) * len(first["arms"]) * int(first["replications"])
    )
    manifest["attempts"] = []
    return manifest


def _copy(source: Path, out: Path, attempts: dict[int, int]) -> int:
    """Copy ``source``'s files of the ``attempts`` given (old number: new) into ``out``,
    each table's in the order a sweep writes them, the attempt column renumbered."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from simulator.results import atomic_write

    copied = 0
    for table in TABLES:
        for part in sorted((source / table).glob("arm=*/part-*.parquet")):
            match = _PART.fullmatch(part.name)
            if match is None or int(match[1]) not in attempts:
                continue
            new = attempts[int(match[1])]
            data = pq.read_table(part)
            if "attempt" in data.column_names:
                column = data.schema.get_field_index("attempt")
                data = data.set_column(
                    column,
                    data.schema.field(column),
                    pa.array([new] * data.num_rows, type=data.schema.field(column).type),
                )
            target = out / table / part.parent.name / f"part-{new:03d}-{match[2]}.parquet"
            atomic_write(target, lambda tmp, data=data: pq.write_table(data, tmp))
            copied += 1
    return copied


def _finished(out: Path) -> int:
    from simulator.results import KEY, read_table

    frame = read_table(out, "outcomes", columns=[*KEY, "status"])
    if frame.empty:
        return 0
    return len(frame[frame["status"] == "ok"].drop_duplicates(KEY))


def versions_differ(out: Path) -> str | None:
    """A warning when the merged folder's attempts were made by different code (shards run
    on machines with other versions): None if all by the same."""
    from simulator.results import _made_by, read_manifest

    made = {_made_by(a) for a in read_manifest(out / "manifest.json").get("attempts", [])}
    if len(made) < 2:
        return None
    return (
        f"{out}: its runs were made by different code ({'; '.join(sorted(made))}): if the"
        " model changed in between, the shards' runs differ from one another"
    )


def warn_if_versions_differ(out: Path) -> None:
    said = versions_differ(out)
    if said:
        warnings.warn(said, UserWarning, stacklevel=2)
