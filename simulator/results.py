"""The results folder of a sweep: a Parquet dataset and a manifest, written atomically.

Layout::

    results/<name>/
      manifest.json                               the scenario as run, its digest, versions,
                                                  code revision, root seed, attempts, counts
      outcomes/arm=<arm>/part-<attempt>-<task>.parquet   one row per finished run
      failed/arm=<arm>/part-<attempt>-<task>.parquet     one row per failed run (its error)
      series/arm=<arm>/part-<attempt>-<task>.parquet     per-step series
      levels/arm=<arm>/part-<attempt>-<task>.parquet     per-step shares by level
      people/arm=<arm>/part-<attempt>-<task>.parquet     a row per person ([record] people)

Every file of a table has the same columns and types (the swept axes' types from the whole
design), so that any Parquet reader (``pandas.read_parquet(folder / "outcomes")``,
``pyarrow.dataset``) reads each table whole. (Folders written before failed rows had a
table of their own kept them in ``outcomes/`` as ``failed-*`` files; :func:`load` reads
both.)

Every file is written under a temporary dot-name and renamed into place, so a sweep killed
at any moment leaves only complete files (readers skip dot-files). A task's outcomes are
written last: a run counts as finished only once its outcome row exists, and a resumed sweep
reruns anything else. Rows carry ``attempt``; :func:`load` keeps, per run, the finished
attempt (or the latest failed one) and only the series rows (and levels and people rows) of
that attempt. Two folders are compared run by run by :mod:`simulator.folder_diff`.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import json
import math
import os
import platform
import subprocess
import warnings
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.errors import SimulatorError, is_whole

try:
    import fcntl
except ImportError:  # (Windows: no lock)
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from simulator.folder_diff import VARYING as VARYING
    from simulator.folder_diff import FolderDiff as FolderDiff
    from simulator.folder_diff import compare as compare
    from simulator.scenario import Plan
    from simulator.shard import Shard
    from simulator.sweep import RunResult

KEY = ["point", "arm", "replication"]
TABLES = ("series", "levels", "people", "failed", "outcomes")
"""A results folder's tables, in the order a task writes its files (outcomes last: a run
counts as finished once its outcome row is there); :func:`simulator.shard.merge` copies
them in this order too."""


class ResultsError(SimulatorError):
    """A results folder that cannot be used (another scenario's, or not a results folder)."""


class FolderBusyError(ResultsError):
    """A results folder another sweep (or merge) is writing to (:func:`writing`)."""


LOCK = ".sweep.lock"
"""The file a sweep holds locked in its folder while it writes there."""


@contextlib.contextmanager
def writing(out: str | Path) -> Iterator[None]:
    """Hold ``out`` for one sweep at a time (an advisory lock on its ``.sweep.lock``, let go
    when the sweep ends or its process dies): a second sweep into the same folder is refused,
    not interleaved with the first (both numbered their attempt 0 and overwrote each other's
    files). The lock file names the holder. Once held, the temporary files of a sweep killed
    mid-write are removed."""
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    with open(path / LOCK, "a+", encoding="utf-8") as f:
        if fcntl is not None:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.seek(0)
                holder = f.read().strip() or "another process"
                raise FolderBusyError(
                    f"{path}: another sweep is writing to this folder ({holder}); wait for it"
                    " to end (then run again to resume), or choose another folder"
                ) from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()} on {platform.node()}, since {_now()}\n")
        f.flush()
        for torn in path.glob("**/.*.tmp"):  # left by a sweep killed mid-write: no one's now
            torn.unlink(missing_ok=True)
        try:
            yield
        finally:
            f.seek(0)
            f.truncate()
            if fcntl is not None:
                fcntl.flock(f, fcntl.LOCK_UN)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def atomic_write(path: Path, write: Any) -> None:
    """Call ``write(tmp_path)`` then rename the file into ``path`` (same folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data: Any) -> None:
    """Atomically write ``data`` as indented JSON."""
    atomic_write(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, default=str) + "\n"))


def versions() -> dict[str, str]:
    """Versions of the packages that determine results."""
    import mesa
    import numpy
    import scipy

    import simulator

    return {
        "orgsim": simulator.__version__,
        "orgsim code": code_digest(),
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pandas": pd.__version__,
        "pyarrow": pa.__version__,
        "python": platform.python_version(),
    }


def code_digest() -> str:
    """SHA-256 (first 12 digits) of orgsim's source files, by path inside the package: the
    code itself, where the version string stays the same from one commit to the next and a
    worker or an installed copy has no git revision."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _same_code(attempt: dict[str, Any], mine: dict[str, Any]) -> bool:
    """Whether an attempt ran this code: the same source digest, or (recorded without one)
    the same orgsim version and code revision."""
    theirs = attempt.get("versions", {})
    if theirs.get("orgsim code"):
        return bool(theirs["orgsim code"] == mine["versions"]["orgsim code"])
    return (theirs.get("orgsim"), attempt.get("code_revision")) == (
        mine["versions"]["orgsim"],
        mine["code_revision"],
    )


def _made_by(attempt: dict[str, Any]) -> str:
    """``orgsim 0.1.0 at <revision> (code <digest>)``, as far as the attempt recorded it."""
    made = attempt.get("versions", {})
    code = f" (code {made['orgsim code']})" if made.get("orgsim code") else ""
    return (
        f"orgsim {made.get('orgsim')} at {attempt.get('code_revision') or 'an unknown revision'}"
        f"{code}"
    )


def code_revision() -> str | None:
    """The git commit of the simulator's source (``+dirty`` if modified), if it is a checkout."""
    here = Path(__file__).resolve().parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."],
            cwd=here,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("+dirty" if dirty.strip() else "")


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
            if not _same_runs(manifest, plan) and not _more_replications(manifest, plan):
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
            "versions": versions(),
            "code_revision": code_revision(),
            "created_utc": _now(),
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

        A task's tables are written as files of one name, outcomes last; an outcomes file
        whose series, levels or people file is gone (deleted, or moved out as damaged) holds
        runs whose tables are lost: they are run again, with a warning naming the files."""
        frame = read_table(self.path, "outcomes", columns=[*KEY, "status"])
        if frame.empty:
            return set()
        ok = frame[frame["status"] == "ok"]
        counts = collections.Counter(zip(ok["point"], ok["arm"], ok["replication"], strict=True))
        lost: collections.Counter[tuple[int, str, int]] = collections.Counter()
        bare = self._bare_parts()
        for part in bare:
            rows = pq.read_table(part, columns=["point", "replication"]).to_pydict()
            arm = part.parent.name.removeprefix("arm=")
            lost.update(
                (p, arm, r) for p, r in zip(rows["point"], rows["replication"], strict=True)
            )
        again = [key for key in lost if counts[key] <= lost[key]]  # (not run again since)
        if again:
            files = ", ".join(f"{p.parent.name}/{p.name}" for p in bare[:3])
            *some, last = self._kept_tables()
            tables = f"{', '.join(some)} or {last}" if some else last
            warnings.warn(
                f"{self.path}: {len(again):,} finished run(s) lost their {tables} file ({files}"
                f"{' ...' if len(bare) > 3 else ''}); they are run again",
                UserWarning,
                stacklevel=2,
            )
        return {key for key, n in counts.items() if n > lost[key]}

    def _kept_tables(self) -> list[str]:
        """The tables beside the outcomes that every finished run has rows in."""
        record = self.plan.scenario.record
        return [
            "series",
            *(["levels"] if record.levels else []),
            *(["people"] if record.people else []),
        ]

    def _bare_parts(self) -> list[Path]:
        """Outcome files (of finished runs) without their series, levels or people file."""
        tables = self._kept_tables()
        bare = []
        for part in sorted((self.path / "outcomes").glob("arm=*/part-*.parquet")):
            relative = part.relative_to(self.path / "outcomes")
            if any(not (self.path / table / relative).exists() for table in tables):
                bare.append(part)
        return bare

    def begin(self, todo: int, executor: str = "") -> int:
        """Record the start of an attempt (and where it runs); return its number. Warns when
        earlier attempts ran other code (by the digest of orgsim's source, or for attempts
        recorded without one, another orgsim version or code revision): the scenario's digest
        covers the scenario, not the model, so their runs and this one's may differ."""
        attempt = len(self.manifest["attempts"])
        made_by, revision = versions(), code_revision()
        mine = {"versions": made_by, "code_revision": revision}
        other = {
            _made_by(a)
            for a in self.manifest["attempts"]
            if a.get("runs_done", 1) and not _same_code(a, mine)
        }
        if todo and other:
            warnings.warn(
                f"{self.path}: its earlier runs were made by {'; '.join(sorted(other))}; this"
                f" is {_made_by(mine)}. If the model changed in between, the resumed runs"
                " differ from the earlier ones: use a new folder to keep one version",
                UserWarning,
                stacklevel=2,
            )
        self.manifest["attempts"].append(
            {
                "attempt": attempt,
                "started_utc": _now(),
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
                "finished_utc": _now(),
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


def _same_runs(manifest: dict[str, Any], plan: Plan) -> bool:
    """Whether a folder's manifest plans the same runs as ``plan`` (its scenario may differ
    in wording only, :data:`~simulator.plan.WORDING`), as this orgsim plans them."""
    if manifest.get("digest") in plan.digests():
        return True
    theirs = _their_plan(manifest, plan)
    if theirs is None:
        return False
    return manifest["digest"] in theirs.digests() and theirs.digest() == plan.digest()


def _more_replications(manifest: dict[str, Any], plan: Plan) -> bool:
    """Whether ``plan`` is the folder's scenario with more replications: a replication's
    seeds do not depend on how many there are, so the runs in the folder are runs of
    ``plan`` too, and the new replications are the runs left to do."""
    from simulator.scenario import WORDING

    theirs = _their_plan(manifest, plan)
    if theirs is None or not _same_runs(manifest, theirs):
        return False
    if theirs.replications >= plan.replications:
        return False  # (a folder of another orgsim's plans, or not more of them)

    def without_count(resolved: dict[str, Any]) -> dict[str, Any]:  # (and the wording)
        header = {
            k: v for k, v in resolved["scenario"].items() if k not in {*WORDING, "replications"}
        }
        return {**resolved, "scenario": header}

    return without_count(theirs.resolved()) == without_count(plan.resolved())


def scenario_differences(
    a: Mapping[str, Any], b: Mapping[str, Any], shown: int = 3, leave: Set[str] = frozenset()
) -> list[str]:
    """Where two resolved scenarios (:meth:`~simulator.plan.Plan.resolved`, as manifests
    keep them) differ, as ``key: a -> b``, the first ``shown`` of them (not the paths in
    ``leave``). Each key is named as a scenario file writes it (:func:`_as_written`): the
    fixed parameters ``params.org.size``, not the plan's ``base.org.size``.

    >>> a = {"scenario": {"steps": 52}, "base": {"org.size": 150, "steps": 52}}
    >>> b = {"scenario": {"steps": 40}, "base": {"org.size": 160, "steps": 40}}
    >>> scenario_differences(a, b)
    ['scenario.steps: 52 -> 40', 'params.org.size: 150 -> 160']
    """
    found: list[str] = []

    def walk(x: Any, y: Any, path: str) -> None:
        if isinstance(x, Mapping) and isinstance(y, Mapping):
            for key in sorted(set(x) | set(y), key=str):
                walk(x.get(key, "(none)"), y.get(key, "(none)"), f"{path}.{key}".lstrip("."))
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y, strict=True)):
                walk(u, v, f"{path}[{i}]")
        elif path in leave:
            return
        elif isinstance(x, list) and isinstance(y, list):
            found.append(f"{_as_written(path, a, b)}: {len(x)} entries -> {len(y)}")
        elif x != y:
            found.append(f"{_as_written(path, a, b)}: {_brief(x)} -> {_brief(y)}")

    walk(json.loads(json.dumps(a, default=str)), json.loads(json.dumps(b, default=str)), "")
    found = list(dict.fromkeys(found))  # (the header's steps are the plan's too: said once)
    # the header first: a new seed changes every sampled point, whose lines would hide it
    found.sort(key=lambda line: not line.startswith("scenario."))
    return found[:shown] + ([f"{len(found) - shown} more"] if len(found) > shown else [])


CHART_KEYS = {
    "org_chart": "scenario.org_csv",
    "org_chart.people": "scenario.org_csv (its people)",
    "org_chart.sha256": "scenario.org_csv (its contents)",
    "org_chart.ties_sha256": "scenario.ties_csv (its contents)",
}
"""The org chart a plan read, by the keys of the scenario file that name its files."""


def _as_written(path: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    """A path of a resolved scenario (:meth:`~simulator.plan.Plan.resolved`) as the
    scenario file writes it: the plan's fixed parameters ``base.*`` are ``[params]`` (its
    horizon ``base.steps`` is ``[scenario] steps`` when the header sets it, and the size of
    an org chart's organisation its people), ``design`` is ``design.kind`` and the chart
    read, ``org_chart.*``, is the file named by ``scenario.org_csv`` (or ``ties_csv``)."""
    if path in CHART_KEYS:
        return CHART_KEYS[path]
    if path == "design":
        return "design.kind"
    if not path.startswith("base."):
        return path
    key = path.removeprefix("base.")
    if key == "org.size" and any("org_chart" in r for r in (a, b)):
        return CHART_KEYS["org_chart.people"]
    if key == "steps":
        header = [r.get("scenario", {}).get("steps") is not None for r in (a, b)]
        if all(header):
            return "scenario.steps"
        if any(header):  # (one from the header, the other from [params] or the default)
            return "steps"
    return f"params.{key}"


def _brief(value: Any) -> str:
    """A value of a scenario in a message: strings quoted, long values cut, a key the
    scenario leaves out (None) as ``(none)``."""
    if value is None or value == "(none)":
        text = "(none)"
    else:
        text = repr(value) if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def read_manifest(path: Path) -> dict[str, Any]:
    """A results folder's ``manifest.json``; :class:`ResultsError` naming the file and what
    is wrong if it is not the mapping a sweep writes (it is written atomically, so a damaged
    one was edited, or copied in part)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        where = (
            f" (line {err.lineno}, column {err.colno})"
            if isinstance(err, json.JSONDecodeError)
            else ""
        )
        raise ResultsError(
            f"{path}: not readable JSON{where}: {type(err).__name__}; the folder's record of"
            " its scenario is damaged: restore the file, or run into a new folder"
        ) from None
    if not isinstance(manifest, dict) or "digest" not in manifest:
        raise ResultsError(
            f"{path}: not a sweep's manifest (no digest); restore the file, or run into a new"
            " folder"
        )
    return manifest


def tables_of(
    results: Sequence[RunResult],
    plan: Plan,
    attempt: int,
    axes: dict[str, pa.DataType],
) -> dict[str, tuple[np.ndarray, pa.Table]]:
    """Outcome rows of finished and of failed runs (with axis values and status), series,
    levels and people rows of ``results``: each table as the arm of every row and the Arrow
    table of the other columns; ``axes``: the axes' column types (:func:`axis_types`)."""
    from simulator.people import arrow_types

    rows: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for r in results:
        point = plan.axis_values(r.point, r.arm)
        rows[r.ok].append(
            {
                "point": r.point,
                "arm": r.arm,
                "replication": r.replication,
                "attempt": attempt,
                **{k: _cell(point.get(k)) for k in axes},  # (None: not set at this point)
                "seed": plan.scenario.scenario.seed,
                "status": "ok" if r.ok else "failed",
                "error": r.error or "",
                "seconds": r.seconds,
                **r.outcomes,
            }
        )
    return {
        "outcomes": _table(pd.DataFrame(rows[True]), axes),
        "failed": _table(pd.DataFrame(rows[False]), axes),
        "series": _keyed([(r, r.series_columns) for r in results], attempt),
        "levels": _keyed([(r, r.level_columns) for r in results], attempt),
        "people": _keyed([(r, r.people_columns) for r in results], attempt, arrow_types()),
    }


def _cell(value: Any) -> Any:
    """An axis value as an outcomes cell: a list or table (such as ``leaders.rules``) as its
    JSON text, so that runs group by it and Parquet stores it as one column."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return value


def axis_order(manifest: Mapping[str, Any]) -> dict[str, list[object]]:
    """Each swept parameter's values in the order the scenario lists them, as the outcomes
    table holds them (a list or table as its JSON text): a results folder's manifest's
    ``scenario`` -> ``axes[i].values``; a parameter swept within bounds (or a manifest
    without its scenario) by the order of the design points (``resolved`` -> ``points``).
    What the figures' ``order=`` takes.

    >>> axis_order({"scenario": {"axes": [{"param": "culture.policy",
    ...     "values": ["open", "neutral", "restrictive"]}]}})
    {'culture.policy': ['open', 'neutral', 'restrictive']}
    """
    out: dict[str, list[object]] = {}
    for axis in (manifest.get("scenario") or {}).get("axes") or []:
        if axis.get("values"):
            out[str(axis["param"])] = [_cell(v) for v in axis["values"]]
    seen: dict[str, dict[object, None]] = {}
    for point in (manifest.get("resolved") or {}).get("points") or []:
        for key, value in point.items():
            if key not in out:
                seen.setdefault(key, {})[_cell(value)] = None
    return {**out, **{key: list(values) for key, values in seen.items()}}


_NO_ROWS = (np.zeros(0, dtype=object), pa.table({}))
"""A table without rows, as :func:`tables_of` gives it: no arms, no columns."""


def axis_types(plan: Plan) -> dict[str, pa.DataType]:
    """The Arrow type of each swept axis's column, from its values over the whole design
    and every arm (a task's own rows would give ``0`` an int64 column in one file and
    ``0.5`` a double in another): text if any value is text (or a list, as JSON), else a
    double if any is a float, else bool or int64 (None: no value)."""
    found: dict[str, set[type]] = {k: set() for k in plan.axis_names}
    overriding = [arm for arm, own in plan.overrides.items() if own]
    for i, point in enumerate(plan.points):
        values = [point] + [plan.axis_values(i, arm) for arm in overriding]
        for key, value in (item for v in values for item in v.items()):
            if value is not None:
                found[key].add(type(value))
    types = {}
    for key, kinds in found.items():
        if kinds - {bool, int, float}:
            types[key] = pa.string()
        elif float in kinds:
            types[key] = pa.float64()
        elif kinds == {bool}:
            types[key] = pa.bool_()
        else:
            types[key] = pa.int64()
    return types


def _table(frame: pd.DataFrame, axes: dict[str, pa.DataType]) -> tuple[np.ndarray, pa.Table]:
    """The arm of each row of ``frame`` and its other columns in Arrow, the axes' columns
    of the types in ``axes``."""
    if frame.empty:
        return _NO_ROWS
    others = [c for c in frame.columns if c != "arm"]  # (selected: no copy of the frame)
    table = pa.Table.from_pandas(frame, columns=others, preserve_index=False, nthreads=1)
    for key, kind in axes.items():
        i = table.schema.get_field_index(key)
        column = table.column(i)
        if column.type == kind:
            continue
        if kind == pa.string():  # (a number among text values: as text)
            column = pa.array([None if v is None else str(v) for v in column.to_pylist()])
        table = table.set_column(i, key, column.cast(kind))
    return frame["arm"].to_numpy(), table


def _keyed(
    parts: list[tuple[RunResult, dict[str, np.ndarray] | None]],
    attempt: int,
    types: Mapping[str, pa.DataType] | None = None,
) -> tuple[np.ndarray, pa.Table]:
    """The runs' per-step (or per-person) columns stacked into one table, led by their key
    columns (arms apart), made in Arrow from the arrays: NaN is null, as from a DataFrame;
    the columns in ``types`` of those types (text even when every value is None)."""
    kept = [(r, columns) for r, columns in parts if columns is not None]
    if not kept:
        return _NO_ROWS
    lengths = [len(next(iter(columns.values()))) for _, columns in kept]
    data = {
        "point": np.repeat([r.point for r, _ in kept], lengths),
        "replication": np.repeat([r.replication for r, _ in kept], lengths),
        "attempt": np.full(sum(lengths), attempt),
    }
    for name in kept[0][1]:
        data[name] = np.concatenate([columns[name] for _, columns in kept])
    arms = np.repeat(np.array([r.arm for r, _ in kept], dtype=object), lengths)
    kinds = types or {}
    return arms, pa.table(
        {k: pa.array(v, type=kinds.get(k), from_pandas=True) for k, v in data.items()}
    )


def read_table(
    path: str | Path, table: str, columns: Sequence[str] | None = None, pattern: str = "*"
) -> pd.DataFrame:
    """Complete files of ``table`` matching ``pattern`` (arm from the folder name), concatenated.

    Outcome rows of finished runs are in ``outcomes``, of failed runs in ``failed`` (in
    ``outcomes/*/failed-*`` files in folders written before). Files with the same columns
    and types, one after the other, are joined in Arrow and converted to pandas together (a
    frame per file costs more than its rows in a big sweep); files that differ (in folders
    written before the axes had one type: whole numbers in one task, fractions in another)
    are joined by pandas, as each file alone would convert.
    """
    parts = [_frame(data) for data, _, _ in _read(path, table, columns, pattern)]
    if not parts:
        return pd.DataFrame(columns=list(columns or []))
    return pd.concat(parts, ignore_index=True)


def _read(
    path: str | Path, table: str, columns: Sequence[str] | None, pattern: str, last: bool = False
) -> Iterator[tuple[pa.Table, np.ndarray, np.ndarray]]:
    """The files of :func:`read_table` as Arrow tables, one per run of files with one schema,
    each with its ``arm`` column last; with each row's arm as its place among the table's
    arms, and those arms sorted by name. The files' own tables are let go as each is
    yielded. ``last``: only the rows of each run's last step (:func:`_last_steps`)."""
    root = Path(path) / table
    if not root.exists():
        return
    asked = None if columns is None else [c for c in columns if c != "arm"]
    runs: list[tuple[list[pa.Table], list[str]]] = []  # files in a row with one schema
    for arm_dir in sorted(root.glob("arm=*")):
        arm = arm_dir.name.removeprefix("arm=")
        for file in sorted(arm_dir.glob(f"{pattern}.parquet")):
            if file.name.startswith("."):
                continue
            try:
                with pq.ParquetFile(file) as parquet:  # (one open for the schema and data)
                    names = parquet.schema_arrow.names
                    data = parquet.read(
                        columns=None if asked is None else [c for c in asked if c in names]
                    )
            except (pa.ArrowException, OSError) as err:
                raise ResultsError(f"{file}: {_damaged(file, err)}") from None
            if last:
                data = _last_steps(data)
            if runs and runs[-1][0][0].schema.equals(data.schema):
                runs[-1][0].append(data)
                runs[-1][1].append(arm)
            else:
                runs.append(([data], [arm]))
    while runs:
        tables, arms = runs.pop(0)
        names, codes = np.unique(arms, return_inverse=True)
        rows = np.repeat(codes.astype(np.int32), [t.num_rows for t in tables])
        arm_column = pa.DictionaryArray.from_arrays(pa.array(rows), pa.array(names))
        data = pa.concat_tables(tables)
        del tables
        if data.num_columns == 0:  # (none of the columns asked for: the rows, without values)
            data = pa.table({"arm": arm_column.cast(pa.string())})
        else:
            data = data.append_column("arm", arm_column.cast(pa.string()))
        yield data, rows, names


def _damaged(file: Path, err: Exception) -> str:
    """What is wrong with an unreadable part file, and what to do."""
    problem = f"not a readable Parquet file ({' '.join(str(err).split())[:120]}); the sweep"
    problem += " writes every file whole, so it was damaged after (a copy cut short?):"
    if file.parent.parent.name in ("outcomes", "failed"):
        return f"{problem} restore it, or move it out of the folder and rerun 'orgsim sweep'"
    # a run counts as finished by its outcomes row: those must go too for it to run again
    outcomes = file.parent.parent.parent / "outcomes" / file.parent.name / file.name
    return (
        f"{problem} restore it, or move it and {outcomes} out of the folder and rerun"
        " 'orgsim sweep' to run its runs again"
    )


def _last_steps(data: pa.Table) -> pa.Table:
    """The rows of ``data`` (a file's) at the last step of their run and attempt."""
    if data.num_rows == 0:
        return data
    step = data.column("step").to_numpy()
    parts = [data.column(c).to_numpy() for c in ("point", "replication", "attempt")]
    key = _whole_numbers(parts, [int(part.max()) + 1 for part in parts])  # (a few dozen runs)
    _, run = np.unique(key, return_inverse=True)
    last = np.full(run.max() + 1, np.iinfo(np.int64).min)
    np.maximum.at(last, run, step)
    return data.filter(pa.array(step == last[run]))


def _whole_numbers(parts: Sequence[Any], sizes: Sequence[int]) -> np.ndarray:
    """One whole number per row for the columns ``parts``, each below its ``sizes``, that
    sorts as the columns do, first to last (mixed radix; the caller keeps it below 2**63)."""
    out = np.zeros(len(parts[0]), dtype=np.int64)
    for part, size in zip(parts, sizes, strict=True):
        out = out * size + np.asarray(part, dtype=np.int64)
    return out


def _frame(data: pa.Table) -> pd.DataFrame:
    """``data`` in pandas, its Arrow memory given back (mimalloc keeps what is freed)."""
    frame = data.to_pandas(split_blocks=True)
    del data
    pa.default_memory_pool().release_unused()
    return frame


@dataclass
class Results:
    """A results folder read back: one row per run, deduplicated across attempts."""

    path: Path
    manifest: dict[str, Any]
    outcomes: pd.DataFrame
    series: pd.DataFrame
    levels: pd.DataFrame

    @functools.cached_property
    def people(self) -> pd.DataFrame:
        """A row per run and person (``[record] people = true``; no rows otherwise), of the
        attempt each run kept, as the series: read from the folder when first asked for
        (a big sweep's is its largest table). Columns: :data:`simulator.people.COLUMNS`."""
        return _of_table(self.path, "people", self.outcomes, ["person"])

    @property
    def arms(self) -> list[str]:
        return list(self.manifest["arms"])

    @property
    def axes(self) -> list[str]:
        return list(self.manifest["axes"])

    @property
    def points(self) -> list[dict[str, Any]]:
        """Each design point's swept values, by point number (``{}`` without axes)."""
        return list(self.manifest.get("resolved", {}).get("points", []))

    @property
    def point_labels(self) -> dict[int, str]:
        """Each design point in words (``culture.openness = 0.3``): panel titles, e.g.
        ``arm_curves(results.series, point_labels=results.point_labels)``."""
        return {i: point_label(p) for i, p in enumerate(self.points)}

    def with_axes(self, table: pd.DataFrame) -> pd.DataFrame:
        """``table`` (the series, the levels, or any with ``point``, ``arm`` and
        ``replication``) with each run's swept values as its outcomes row holds them (an
        arm that sets a swept parameter itself: its own value), e.g. the weekly poster
        share by openness: ``results.with_axes(results.series)``."""
        axes = [a for a in self.axes if a in self.outcomes and a not in table]
        missing = [k for k in KEY if k not in table]
        if missing:
            raise ValueError(
                f"with_axes joins a table to its runs by {', '.join(KEY)}; this one has no"
                f" {', '.join(missing)}"
            )
        runs = self.outcomes[[*KEY, *axes]].astype(table[KEY].dtypes.to_dict())
        return table.merge(runs, on=KEY, how="left", validate="many_to_one")


def point_label(point: dict[str, Any]) -> str:
    """``a.b = 1, c.d = x`` for a design point (``all runs`` without axes)."""
    return ", ".join(f"{k} = {short_value(v)}" for k, v in point.items()) or "all runs"


def short_value(value: Any) -> str:
    """A value as tables and titles show it: floats to 4 significant digits."""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def load(path: str | Path, levels: Literal["all", "last"] = "all") -> Results:
    """Read a results folder; per run keep the finished attempt (else the latest failed one).

    ``levels="last"`` keeps only each run's last recorded week of the shares by level (what
    the report draws): a big sweep's levels table, a row per run, week and level, is then
    read file by file without being held whole.
    """
    if levels not in ("all", "last"):
        raise ValueError(f"levels = {levels!r}: must be 'all' or 'last'")
    path = Path(path)
    manifest_path = path / "manifest.json"
    if not path.exists():
        raise ResultsError(f"{path}: no such folder")
    if not manifest_path.exists():
        raise ResultsError(f"{path}: no manifest.json; not a results folder (run 'orgsim sweep')")
    manifest = read_manifest(manifest_path)
    finished = read_table(path, "outcomes", pattern="part-*")
    failed_parts = [  # (and where folders written before kept them)
        read_table(path, "failed"),
        read_table(path, "outcomes", pattern="failed-*"),
    ]
    failed = pd.concat([f for f in failed_parts if not f.empty] or failed_parts[:1])
    if not finished.empty:
        finished = finished.sort_values([*KEY, "attempt"]).drop_duplicates(KEY, keep="last")
    if not failed.empty:
        done = finished.set_index(KEY).index if not finished.empty else pd.Index([])
        failed = failed[~failed.set_index(KEY).index.isin(done)]
        failed = failed.sort_values([*KEY, "attempt"]).drop_duplicates(KEY, keep="last")
    outcomes = (
        pd.concat([f for f in (finished, failed) if not f.empty], ignore_index=True)
        if not (finished.empty and failed.empty)
        else finished
    )
    if not outcomes.empty:
        outcomes = outcomes.sort_values(KEY).reset_index(drop=True)
        if "deepest_level" in outcomes:  # folders written before a4e3677 said -1 for none
            level = outcomes["deepest_level"].astype("float64")
            outcomes["deepest_level"] = level.where(level >= 0)
    elif outcomes.columns.empty:  # no run finished yet: no rows, but the key columns
        outcomes = pd.DataFrame(columns=[*KEY, "attempt", "status"])
    outcomes.attrs["arms"] = list(manifest["arms"])  # (the order summarise shows them in)
    resolved = manifest.get("resolved", {})
    axes = set().union(*resolved.get("points", []))
    outcomes.attrs["overrides"] = {  # the arms that set a swept parameter themselves
        arm: sorted(axes & set(updates))
        for arm, updates in resolved.get("arms", {}).items()
        if axes & set(updates)
    }
    from simulator.analysis import horizons

    outcomes.attrs["steps"] = horizons(resolved)  # (weeks to a milestone: at most these)
    if manifest.get("scenario", {}).get("outcomes"):  # (labels, units, kinds of [outcomes])
        from simulator.custom_outcomes import of_manifest

        outcomes.attrs["measures"] = of_manifest(manifest)
    tables = {
        name: _of_table(path, name, outcomes, within, last=name == "levels" and levels == "last")
        for name, within in (("series", ["step"]), ("levels", ["step", "level"]))
    }
    if not tables["levels"].empty:  # (deepest_level: at most the deepest level recorded)
        outcomes.attrs["levels"] = int(tables["levels"]["level"].max()) + 1
    return Results(path, manifest, outcomes, tables["series"], tables["levels"])


def _of_table(
    path: Path, name: str, runs: pd.DataFrame, within: list[str], last: bool = False
) -> pd.DataFrame:
    """The rows of table ``name`` (``series``, ``levels``, ``people``) of the runs and
    attempts in ``runs``, by run and ``within``; no rows, but the key columns, when none
    were recorded (``[record] levels = false``) or none yet."""
    parts = list(_read(path, name, None, "*", last=last))
    if len(parts) == 1 and parts[0][0].num_rows > 0 and not runs.empty:
        return _frame(_taken(*parts.pop(), runs, within))
    frames = [_frame(data) for data, _, _ in parts]
    nothing = pd.DataFrame(columns=["point", "replication", "attempt", *within, "arm"])
    frame = pd.concat(frames, ignore_index=True) if frames else nothing
    if not runs.empty and not frame.empty:
        frame = _of_runs(frame, runs, within)
    return frame


def _taken(
    data: pa.Table, codes: np.ndarray, arms: np.ndarray, runs: pd.DataFrame, within: list[str]
) -> pa.Table:
    """:func:`_of_runs` on Arrow data as :func:`_read` gives it, before pandas: only the rows
    kept are converted, in their order."""
    columns = {c: data.column(c).to_numpy() for c in ("point", "replication", "attempt", *within)}
    kept = _kept_rows(columns, codes, pd.Index(arms), runs, within)
    del columns
    pa.default_memory_pool().release_unused()
    return data.take(kept)


def _of_runs(frame: pd.DataFrame, runs: pd.DataFrame, within: list[str]) -> pd.DataFrame:
    """The rows of ``frame`` whose run (``KEY``) and attempt are a row of ``runs``, sorted by
    run, then by ``within``: what an inner merge on ``[*KEY, "attempt"]`` and a sort give."""
    codes, arms = pd.factorize(frame["arm"], sort=True)
    columns = {c: frame[c].to_numpy() for c in ("point", "replication", "attempt", *within)}
    return frame.take(_kept_rows(columns, codes, arms, runs, within)).reset_index(drop=True)


def _kept_rows(
    columns: dict[str, np.ndarray],
    codes: np.ndarray,
    arms: pd.Index,
    runs: pd.DataFrame,
    within: list[str],
) -> np.ndarray:
    """Positions of the rows (``columns``; ``codes``: each row's arm as its place in ``arms``,
    sorted names) whose run and attempt are a row of ``runs``, in the order of the run and
    then ``within``: an inner merge and a sort made on whole numbers, one per row (arms by
    their places, which sort as their names do), in a fraction of the merge's time and
    memory. A run's rows come in order, one run after another, so the stable sort has
    little to do."""
    run_arms = arms.get_indexer(pd.Index(runs["arm"]))  # -1: an arm without rows here

    def top(column: str) -> int:
        return 1 + max(int(columns[column].max()), int(runs[column].max()))

    sizes = [top("point"), len(arms), top("replication"), top("attempt")]
    steps = [1 + int(columns[c].max()) for c in within]
    if math.prod(sizes) >= 2**63 or math.prod(sizes[:3] + steps) >= 2**63:
        raise ResultsError(f"too many runs to sort their rows: {sizes} (points, arms, ...)")

    mine = run_arms >= 0
    own = runs[mine]
    wanted = _whole_numbers(
        [own["point"], run_arms[mine], own["replication"], own["attempt"]], sizes
    )
    run = _whole_numbers([columns["point"], codes, columns["replication"]], sizes[:3])
    rows = np.flatnonzero(np.isin(run * sizes[3] + columns["attempt"], wanted))
    place = _whole_numbers([run[rows], *(columns[c][rows] for c in within)], [1, *steps])
    return rows[np.argsort(place, kind="stable")]


def _their_plan(manifest: dict[str, Any], plan: Plan) -> Plan | None:
    """A folder's scenario as this orgsim plans it (None if it cannot), its org chart read
    where ``plan`` has it now (a study folder moved with its chart)."""
    files = None if plan.chart is None else plan.chart.files()
    try:
        return _manifest_plan(manifest, files)
    except (KeyError, TypeError, ValueError, SimulatorError):
        return None


def _manifest_plan(manifest: dict[str, Any], files: dict[str, str] | None = None) -> Plan:
    """The plan of a folder's manifest; with ``files`` (``org_csv``, ``ties_csv``), its org
    chart read from there instead of where the manifest says it was."""
    from simulator.scenario import parse_scenario

    data = manifest["scenario"]
    if files:
        data = {**data, "scenario": {**data["scenario"], **files}}
    return parse_scenario(data, source="manifest.json")[1]


def rebuild(
    results: Results,
    point: int,
    arm: str,
    replication: int,
    *,
    org_csv: str | Path | None = None,
    ties_csv: str | Path | None = None,
) -> Any:
    """The :class:`~simulator.plan.RunSpec` of one run, rebuilt from the manifest alone.

    ``simulator.sweep.run(rebuild(...))`` reproduces that run bit for bit. Runs on an org
    chart read it from where the manifest says it was, or from ``org_csv`` (and
    ``ties_csv``) where it has moved; it must hold what it held then.
    """
    given = {
        k: str(Path(v).resolve()) for k, v in (("org_csv", org_csv), ("ties_csv", ties_csv)) if v
    }
    try:
        plan = _manifest_plan(results.manifest, given)
    except SimulatorError as err:
        hint = "" if given else " (moved? rebuild(..., org_csv='where/it/is.csv'))"
        raise ResultsError(f"{results.path}: {err}{hint}") from None
    if results.manifest["digest"] not in plan.digests():
        then = results.manifest.get("resolved", {}).get("org_chart")
        if then is not None and plan.chart is not None and then != plan.chart.describe():
            raise ResultsError(
                f"{results.path}: its runs were on an org chart that has changed since"
                f" ({plan.chart.path}: SHA-256 {then.get('sha256')} then,"
                f" {plan.chart.sha256} now): give the chart they ran on"
            )
        raise ResultsError(
            f"{results.path}: the manifest's scenario no longer plans the same "
            "runs with this version of orgsim"
        )
    wrong = []
    if not (is_whole(point) and 0 <= point < len(plan.points)):
        wrong.append(f"point {point!r} (the design has points 0 to {len(plan.points) - 1})")
    if arm not in plan.arms:
        wrong.append(f"arm {arm!r} (its arms are {', '.join(map(repr, plan.arms))})")
    if not (is_whole(replication) and 0 <= replication < plan.replications):
        wrong.append(
            f"replication {replication!r} (it ran replications 0 to {plan.replications - 1})"
        )
    if wrong:
        raise ResultsError(f"{results.path}: no such run planned: {'; '.join(wrong)}")
    return plan.spec(int(point), arm, int(replication))


_FOLDER_DIFF = ("VARYING", "FolderDiff", "compare", "_run", "_comparable", "_differing")
"""Names of :mod:`simulator.folder_diff`, which compares two folders, that were this
module's: still importable from here (``from simulator.results import compare``)."""

if not TYPE_CHECKING:  # (mypy takes the imports at the top instead, and has no catch-all)

    def __getattr__(name: str) -> Any:
        """:data:`_FOLDER_DIFF`, imported on first use: :mod:`simulator.folder_diff` reads
        folders with :func:`load`, so it imports this module, not the other way round."""
        if name in _FOLDER_DIFF:
            from simulator import folder_diff

            return getattr(folder_diff, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
