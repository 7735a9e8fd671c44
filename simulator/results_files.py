"""The files of a results folder: its layout, each file written whole, one writer at a time,
and its manifest read back; and what every command says of a folder not whole (the command
that runs its runs again, the note on a partial folder).

Every file is written under a temporary dot-name and renamed into place
(:func:`atomic_write`), so a sweep killed at any moment leaves only complete files (readers
skip dot-files); a sweep holds its folder (:func:`writing`) so that a second one is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shlex
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import SimulatorError

if TYPE_CHECKING:
    from simulator.results import Results

try:
    import fcntl
except ImportError:  # (Windows: no lock)
    fcntl = None  # type: ignore[assignment]

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
        f.write(f"pid {os.getpid()} on {platform.node()}, since {now_utc()}\n")
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


def rerun_command(path: str | Path, manifest: Mapping[str, Any]) -> str:
    """The command that runs a folder's unfinished or lost runs again, by its manifest: a
    shard's folder (:func:`simulator.shard.of_folder`) is resumed with its ``--shard``.

    >>> print(rerun_command("results/demo", {}))
    orgsim sweep <scenario file> --out results/demo
    >>> print(rerun_command("my results/demo-shard-1-of-2", {"shard": "1/2"}))
    orgsim sweep <scenario file> --out 'my results/demo-shard-1-of-2' --shard 1/2
    """
    from simulator.shard import of_folder  # (shard reads folders: imported when asked)

    shard = of_folder(dict(manifest))
    command = f"orgsim sweep <scenario file> --out {shlex.quote(str(path))}"
    return command if shard is None else f"{command} --shard {shard}"


def finished_only(noun: str, plural: bool = False) -> str:
    """What a partial folder's note says of ``noun`` (what a command shows) after how many
    runs have not run (:func:`partial_note`).

    >>> finished_only("The indices", plural=True)
    'The indices describe the finished runs only; resume the sweep to complete it.'
    """
    describes = "describe" if plural else "describes"
    return f"{noun} {describes} the finished runs only; resume the sweep to complete it."


def partial_note(
    results: Results, noun: str = "Everything below", plural: bool = False
) -> str | None:
    """What every command that analyses a folder says of one some of whose planned runs
    have not run (the report's banner; ``Partial results: ...``), then that ``noun``, what
    it shows, describes the finished runs only (:func:`finished_only`); None when every
    planned run was attempted, or none finished (said otherwise).

    >>> import pandas as pd
    >>> from simulator.results import Results
    >>> outcomes = pd.DataFrame({"status": ["ok", "ok", "failed"]})
    >>> half = Results(Path("r"), {"runs_planned": 6}, outcomes, pd.DataFrame(), pd.DataFrame())
    >>> print(partial_note(half, "The box"))  # doctest: +NORMALIZE_WHITESPACE
    Partial results: 3 of 6 planned runs have not run (the sweep was interrupted or is still
    running). The box describes the finished runs only; resume the sweep to complete it.
    """
    c = results.counts()  # (a Results: :meth:`simulator.results.Results.counts`)
    if c["ok"] == 0 or c["missing"] <= 0:
        return None
    return (
        f"Partial results: {c['missing']:,} of {c['planned']:,} planned runs have not run (the"
        f" sweep was interrupted or is still running). {finished_only(noun, plural)}"
    )


def now_utc() -> str:
    """The time now, UTC, to the second, as the manifest records it."""
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
