"""Sweeps split over separate jobs (``orgsim sweep --shard k/N``) and merged again
(``orgsim merge``): a batch scheduler's job array, or several machines without a Dask cluster.

A shard takes a fixed share of a scenario's runs: every arm of one design point and one
organisation (a pair, or with ``[scenario] orgs`` the replications that share an
organisation) goes to the same shard, so that each shard's folder holds whole pairs, and
these parts are dealt round the shards (:meth:`Shard.takes`), so that the shards hold as
many parts (within one) and each point's spread over them, and take about as long whatever
the points cost. Which shard a run is in does not depend on the number of replications: a
shard folder can take more replications as a whole sweep's can.

Each shard's folder is an ordinary results folder (resumed by running the same command
again; its manifest says which shard it holds). :func:`merge` copies shards' runs into one
folder, which then reads, reports and resumes as if one sweep had made it; the runs are the
same bit for bit (same seeds), whatever the shards.

Examples
--------
>>> s = Shard.parse("2/3")
>>> str(s), [(point, org) for org in range(3) for point in range(2) if s.takes(point, org, 2)]
('2/3', [(1, 0), (0, 2)])
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import SimulatorError

if TYPE_CHECKING:
    import pandas as pd

    from simulator.plan import Plan, RunSpec

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")
_PART = re.compile(r"part-(\d+)-(\d+)\.parquet")
SUFFIX = "-shard-{index}-of-{count}"
"""What a shard's folder adds to its sweep's folder name (:attr:`Shard.suffix`)."""
_FOLDER = re.compile("(.+)" + SUFFIX.format(index=r"\d+", count=r"\d+"))


class ShardError(SimulatorError):
    """A shard that cannot be run or folders that cannot be merged."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as job arrays number their tasks)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ShardError(
                f"shard {self.index}/{self.count}: N, the number of shards, is 1 or more"
            )
        if not 1 <= self.index <= self.count:
            raise ShardError(
                f"shard {self.index}/{self.count}: the first number must be from 1 to the"
                f" second (shards 1/{self.count} to {self.count}/{self.count})"
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

    @property
    def suffix(self) -> str:
        """What ``orgsim sweep --shard`` adds to the sweep's folder name (``-shard-K-of-N``;
        :func:`default_merged` takes it off).

        >>> Shard(2, 8).suffix
        '-shard-2-of-8'
        """
        return SUFFIX.format(index=self.index, count=self.count)

    def takes(self, point: int, org: int, points: int) -> bool:
        """Whether the runs of design point ``point`` (of ``points``) on organisation ``org``
        (the replication whose seed builds it: :meth:`Plan.org_of`) are this shard's.

        The parts (point, organisation) are numbered organisation by organisation and dealt
        round the shards, one place further on after each whole number of rounds that is also
        a whole number of organisations (``lcm(points, N)`` parts): the shards' parts differ
        by one at most (so every shard up to the number of parts has some), a point's parts
        are spread over the shards as evenly (within one, given as many organisations as
        shards), and a part's shard does not depend on how many organisations there are."""
        part = org * points + point
        return (part + part // math.lcm(points, self.count)) % self.count == self.index - 1

    def runs(self, plan: Plan) -> Iterator[RunSpec]:
        """This shard's runs, in the plan's order."""
        points = len(plan.points)
        return (s for s in plan.runs() if self.takes(s.point, s.org, points))

    def check(self, plan: Plan) -> None:
        """Refuse a shard that holds no run of ``plan`` (more shards than the parts its runs
        split into: design points x organisations), before anything is written: a job
        array's task would end at once, with nothing said."""
        if self.run_count(plan) > 0:
            return
        orgs = len({plan.org_of(rep) for rep in range(plan.replications)})
        parts = len(plan.points) * orgs
        raise ShardError(
            f"shard {self}: holds no run: this scenario's runs split into {parts:,} part(s)"
            f" ({len(plan.points):,} design point(s) x {orgs:,} organisation(s): a shard takes"
            f" every arm and replication on one organisation at one point); give at most"
            f" {parts:,} shards"
        )

    def run_count(self, plan: Plan) -> int:
        """How many runs this shard holds (counted once for a plan's points and
        organisations: a sweep asks several times)."""
        orgs = tuple(plan.org_of(rep) for rep in range(plan.replications))
        return _pairs(self, len(plan.points), orgs) * len(plan.arms)


@functools.lru_cache(maxsize=16)
def _pairs(shard: Shard, points: int, orgs: tuple[int, ...]) -> int:
    """How many of the pairs (design point, replication on organisation ``orgs[rep]``)
    ``shard`` takes."""
    return sum(shard.takes(point, org, points) for point in range(points) for org in orgs)


def planned(plan: Plan, shard: Shard | None) -> int:
    """The runs a folder of ``plan`` is to hold: all of them, or ``shard``'s."""
    return plan.run_count if shard is None else shard.run_count(plan)


def default_merged(folders: Sequence[Path]) -> Path:
    """Where ``orgsim merge`` puts shards by default: beside the first, named as it is without
    ``-shard-K-of-N`` (as ``orgsim sweep --shard`` names them, after the sweep's own folder,
    ``-reduced`` included); for other names ``results/<scenario name>``."""
    from simulator.cli_paths import sweep_folder
    from simulator.results import read_manifest

    first = folders[0]
    match = _FOLDER.fullmatch(first.name)
    if match is not None:
        return first.parent / match[1]
    manifest = first / "manifest.json"
    name = read_manifest(manifest).get("name", "merged") if manifest.exists() else "merged"
    return sweep_folder(str(name))


def of_folder(manifest: dict[str, Any]) -> Shard | None:
    """The shard a results folder's manifest holds (None: a whole sweep's folder)."""
    text = manifest.get("shard")
    return None if text is None else Shard.parse(text)


@dataclass
class Merged:
    """What :func:`merge` did: sources merged, left as they were (nothing new since their
    last merge) and busy (a sweep writing there: not merged), files copied, and the merged
    folder's finished and planned runs; the shards not merged yet (none once the folder is
    complete) and those merged unfinished."""

    out: Path
    sources: int
    skipped: int
    files: int
    finished: int
    planned: int
    shards_missing: list[str]
    busy: list[Path] = field(default_factory=list)
    unfinished: list[tuple[str, int, int, Path]] = field(default_factory=list)
    """Shards merged before their sweep finished: (shard, finished, planned, folder)."""

    @property
    def complete(self) -> bool:
        return self.finished == self.planned


def merge(folders: Sequence[str | Path], out: str | Path) -> Merged:
    """Copy the runs of results ``folders`` (shards of one scenario, or any folders of the
    same scenario) into ``out``, a new folder or one merged into before.

    Each source's attempts become attempts of ``out`` (renumbered after those there), so a
    run made twice is kept once, as a resumed sweep keeps it: its last attempt. A source
    merged before adds only the attempts it has made since. Sources may hold more
    replications than ``out`` or one another (a scenario given more replications, its
    shards resumed one by one): ``out`` then plans the most. A source a sweep is still
    writing to is left for a later merge (:attr:`Merged.busy`). ``out`` gets its manifest
    before any file, and each source's attempts once its files are copied: a merge stopped
    midway is merged again by running it again.
    """
    from simulator.results import FolderBusyError, ResultsError, read_manifest, writing

    out = Path(out)
    if not folders:
        raise ShardError("merge: name the folders to merge (the shards' --out folders)")
    sources = [Path(f) for f in folders]
    for source in sources:
        if source.resolve() == out.resolve():
            raise ShardError(f"{source}: the merged folder cannot also be a source")
        if not source.is_dir():
            raise ShardError(f"{source}: no such folder")
        if not (source / "manifest.json").exists():
            raise ShardError(
                f"{source}: no manifest.json; not a results folder (an `orgsim sweep` --out)"
            )
    manifests = [read_manifest(source / "manifest.json") for source in sources]
    for source, manifest in zip(sources[1:], manifests[1:], strict=True):
        _same_scenario(sources[0], manifests[0], source, manifest)
    if (out / "manifest.json").exists():
        held_there = read_manifest(out / "manifest.json")
        if held_there.get("shard"):
            raise ShardError(
                f"{out} holds shard {held_there['shard']} of a sweep: merge into a folder of"
                " the whole sweep (a new one, or one merged into before), not into a shard's"
            )
        _same_scenario(sources[0], manifests[0], out, held_there)
    elif out.exists() and any(p for p in out.iterdir() if not p.name.startswith(".")):
        raise ResultsError(
            f"{out} is not empty and holds no manifest.json: not a results folder of this"
            " tool; choose an empty or new folder"
        )
    widest = max(manifests, key=lambda m: int(m.get("replications", 0)))
    busy: list[Path] = []
    with contextlib.ExitStack() as held:
        held.enter_context(writing(out))
        free = []
        for source, manifest in zip(sources, manifests, strict=True):
            try:
                held.enter_context(writing(source))
            except FolderBusyError:
                busy.append(source)
                continue
            free.append((source, manifest))
        target = _target(out, widest)
        _drop_unlisted(out, len(target["attempts"]))  # (a merge stopped midway)
        finished = _finished(out)  # (read once: each source's copied runs are added)
        _save(out, target, finished)
        merged = target.setdefault("merged", [])
        files = skipped = 0
        # each shard's finished runs, counted from its files (its manifest's count is written
        # when its sweep ends: missing or old where the sweep was killed at a time limit),
        # from those copied where they are all of its files
        ran: dict[Path, int] = {}
        for source, manifest in free:
            ident = {"created_utc": manifest.get("created_utc"), "shard": manifest.get("shard")}
            if ident["shard"] is None:  # (a whole sweep's folder: where it is, too)
                ident["folder"] = str(source.resolve())
            before = next((m for m in merged if m["from"] == ident), None)
            done = before["attempts"] if before else 0
            attempts = manifest.get("attempts", [])
            if done >= len(attempts):
                skipped += 1
                if ident["shard"]:
                    ran[source] = len(_finished(source))
                continue
            offset = len(target["attempts"]) - done
            copied = {a: offset + a for a in range(done, len(attempts))}
            files += _copy(source, out, copied)
            shard = {"shard": manifest["shard"]} if manifest.get("shard") else {}
            target["attempts"] += [
                {**attempt, "attempt": offset + a, "merged_from": str(source), **shard}
                for a, attempt in enumerate(attempts[done:], start=done)
            ]
            # an attempt not recorded as finished (killed, or its sweep writing where the lock
            # is not honoured: some cluster file systems) is copied again by the next merge
            count = len(attempts) - (not attempts[-1].get("finished_utc"))
            if before:
                before["attempts"] = count
            else:
                merged.append({"from": ident, "folder": str(source), "attempts": count})
            new = _finished(out, copied.values())
            if ident["shard"]:
                ran[source] = len(new) if done == 0 else len(_finished(source))
            finished = _union(finished, new)
            _save(out, target, finished)  # (this source's files are all there)
    shards: set[str] = {m["from"]["shard"] for m in merged if m["from"].get("shard")}
    counts = {Shard.parse(s).count for s in shards}
    complete = target["runs_finished"] == target["runs_planned"]
    missing = (
        [f"{k}/{n}" for n in sorted(counts) for k in range(1, n + 1) if f"{k}/{n}" not in shards]
        if len(counts) == 1 and not complete  # (a whole sweep's folder may have filled it)
        else []
    )
    unfinished = [
        (m["shard"], ran[source], int(m["runs_planned"]), source)
        for source, m in free
        if source in ran and ran[source] < int(m["runs_planned"])
    ]
    return Merged(
        out,
        len(free),
        skipped,
        files,
        target["runs_finished"],
        target["runs_planned"],
        missing,
        busy,
        unfinished,
    )


def _same_scenario(a: Path, ma: dict[str, Any], b: Path, mb: dict[str, Any]) -> None:
    from simulator.results_differences import runs_of, scenario_differences

    same = ma.get("digest") == mb.get("digest") or runs_of(ma.get("resolved", {})) == runs_of(
        mb.get("resolved", {})
    )
    if same and ma.get("arms") == mb.get("arms"):
        return
    differ = scenario_differences(ma.get("resolved", {}), mb.get("resolved", {}))
    raise ShardError(
        f"{b} ({mb.get('name', '?')!r}, digest {str(mb.get('digest'))[:12]}) holds another"
        f" scenario's runs than {a} ({ma.get('name', '?')!r}, digest"
        f" {str(ma.get('digest'))[:12]})"
        f"{': they differ in ' + '; '.join(differ) if differ else ''}"
        f"{'' if ma.get('arms') == mb.get('arms') else ' (arms in another order)'};"
        " only folders of one scenario can be merged (more replications are taken)"
    )


def _target(out: Path, widest: dict[str, Any]) -> dict[str, Any]:
    """The merged folder's manifest: its own, or a whole sweep's made from a source's, planning
    the replications of the source with the most (``widest``) where they are more."""
    from simulator.results import read_manifest

    if (out / "manifest.json").exists():
        manifest = read_manifest(out / "manifest.json")
    else:
        manifest = {k: v for k, v in widest.items() if k not in ("shard", "attempts", "merged")}
        manifest["attempts"] = []
    if int(widest["replications"]) > int(manifest["replications"]):
        for key in ("digest", "replications", "scenario", "resolved"):
            manifest[key] = widest[key]
    manifest["runs_planned"] = (
        int(manifest["design_points"]) * len(manifest["arms"]) * int(manifest["replications"])
    )
    return manifest


def _save(out: Path, manifest: dict[str, Any], finished: pd.DataFrame) -> None:
    """Write the merged folder's manifest with its ``finished`` runs (:func:`_finished`)
    counted."""
    from simulator.results import write_json

    manifest["runs_finished"] = len(finished)
    manifest["complete"] = manifest["runs_finished"] == manifest["runs_planned"]
    write_json(out / "manifest.json", manifest)


def _drop_unlisted(out: Path, attempts: int) -> None:
    """Remove the files of attempts the manifest does not list (numbered ``attempts`` or
    more): copied by a merge stopped before it listed them; they are copied again."""
    from simulator.results import TABLES

    for table in TABLES:
        for part in (out / table).glob("arm=*/part-*.parquet"):
            match = _PART.fullmatch(part.name)
            if match is not None and int(match[1]) >= attempts:
                part.unlink()


def _copy(source: Path, out: Path, attempts: dict[int, int]) -> int:
    """Copy ``source``'s files of the ``attempts`` given (old number: new) into ``out``,
    each table's in the order a sweep writes them, the attempt column renumbered."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from simulator.results import TABLES, atomic_write

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


def _finished(folder: Path, attempts: Iterable[int] | None = None) -> pd.DataFrame:
    """The keys (``point``, ``arm``, ``replication``) of the runs finished in ``folder``, each
    once: of all its files, or of the files of ``attempts``."""
    from simulator.results import KEY, read_table

    patterns = ["*"] if attempts is None else [f"part-{a:03d}-*" for a in attempts]
    frames = [read_table(folder, "outcomes", columns=[*KEY, "status"], pattern=p) for p in patterns]
    return _union(*(f.loc[f["status"] == "ok", KEY] for f in frames))


def _union(*keys: pd.DataFrame) -> pd.DataFrame:
    """The runs (keys) in any of ``keys``, each once."""
    import pandas as pd

    from simulator.results import KEY

    parts = [k for k in keys if not k.empty]
    return pd.concat(parts).drop_duplicates() if parts else pd.DataFrame(columns=KEY)


def versions_differ(out: Path) -> str | None:
    """A warning when the merged folder's runs were made by different code or package
    versions (shards run on machines with other versions): None if all by the same, as far
    as recorded (:func:`simulator.results_provenance.differing_versions` decides). The git
    revision alone does not tell code apart: the same code installed elsewhere has none."""
    from simulator.results import read_manifest
    from simulator.results_provenance import versions_differ as differ

    return differ(out, read_manifest(out / "manifest.json").get("attempts", []))


def warn_if_versions_differ(out: Path) -> None:
    """:func:`versions_differ` as a warning."""
    said = versions_differ(out)
    if said:
        warnings.warn(said, UserWarning, stacklevel=2)
