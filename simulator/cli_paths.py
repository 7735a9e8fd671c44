"""Command-line arguments that name a results folder (``orgsim report``, ``diff``, ``merge``,
``sensitivity``, ``robustness``, ``discover``, ``export``).

A scenario file given where its results folder belongs got click's "Directory
'scenarios/zappos.toml' is a file"; it now says which folder the scenario's sweep wrote. The
output folder of ``orgsim run`` or ``compare`` (tables, ``run.json`` or ``compare.json``, and
the ``scenario.toml`` of what it ran) got "no manifest.json; not a results folder"; it now says
how to sweep that scenario into one.
Imports only click and the standard library: ``orgsim --help`` stays quick.
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path
from typing import Any

import click


def sweep_folder(name: str) -> Path:
    """The results folder ``orgsim sweep`` makes when no ``--out`` is given:
    ``results/<name>`` (``name``: the scenario's name, with ``-reduced`` and a shard's
    ``-shard-K-of-N`` when the sweep adds them).

    >>> sweep_folder("zappos").as_posix()
    'results/zappos'
    """
    return Path("results") / name


class ResultsDir(click.Path):
    """A results folder (an ``orgsim sweep`` ``--out``), not a file."""

    def __init__(self) -> None:
        super().__init__(file_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(value)
        if path.is_file():
            self.fail(_not_a_folder(path), param, ctx)
        if path.is_dir() and not (path / "manifest.json").exists():
            made_by = _command_output(path)
            if made_by is not None:
                self.fail(made_by, param, ctx)
        return super().convert(value, param, ctx)


def _not_a_folder(path: Path) -> str:
    """What to say of a file given as a results folder."""
    name = _scenario_name(path)
    if name is None:
        return f"{path} is a file, not a results folder (the --out of `orgsim sweep`)"
    folder = sweep_folder(name)
    there = f" ({folder} is there)" if (folder / "manifest.json").exists() else ""
    return (
        f"{path} is a scenario file; give its results folder: `orgsim sweep {path}` writes"
        f" {folder} (or its --out){there}"
    )


COMMAND_RECORDS = {"compare.json": "orgsim compare", "run.json": "orgsim run"}
"""The record each command writes in its output folder, beside its ``scenario.toml``."""


def _command_output(path: Path) -> str | None:
    """What to say of the output folder of ``orgsim run`` or ``compare`` (or of a folder
    holding a scenario file, ``scenario.toml``) given as a results folder; None if ``path``
    is neither."""
    scenario = path / "scenario.toml"
    record = next((path / n for n in COMMAND_RECORDS if (path / n).is_file()), None)
    name = _scenario_name(scenario) if scenario.is_file() else None
    if record is None and name is None:
        return None
    made_by = None if record is None else COMMAND_RECORDS[record.name]
    what = f"the output of `{made_by}`" if made_by else "a scenario file, scenario.toml"
    said = f"{path} holds {what}, not a results folder (no manifest.json)"
    if name is None:
        return (
            f"{said}; run its command again (the `command` in {record}) to have it write"
            f" scenario.toml, what it ran as a scenario, then `orgsim sweep` that"
        )
    folder = sweep_folder(name)
    there = f" ({folder} is there)" if (folder / "manifest.json").exists() else ""
    ran = "what it ran" if made_by else "it"
    return (
        f"{said}: `orgsim sweep {shlex.quote(str(scenario))}` sweeps {ran} into one,"
        f" {folder} (or its --out){there}; give that folder"
    )


def _scenario_name(path: Path) -> str | None:
    """The scenario's name if ``path`` is a scenario file (TOML with ``[scenario] name``)."""
    if path.suffix.lower() != ".toml":
        return None
    try:
        with path.open("rb") as handle:
            name = tomllib.load(handle).get("scenario", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return None
    return name if isinstance(name, str) else None


__all__ = ["ResultsDir", "sweep_folder"]
