"""Command-line arguments that name a results folder (``orgsim report``, ``diff``, ``merge``,
``sensitivity``, ``robustness``, ``discover``, ``export``).

A scenario file given where its results folder belongs got click's "Directory
'scenarios/zappos.toml' is a file"; it now says which folder the scenario's sweep wrote.
Imports only click and the standard library: ``orgsim --help`` stays quick.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import click


class ResultsDir(click.Path):
    """A results folder (an ``orgsim sweep`` ``--out``), not a file."""

    def __init__(self) -> None:
        super().__init__(file_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(value)
        if path.is_file():
            self.fail(_not_a_folder(path), param, ctx)
        return super().convert(value, param, ctx)


def _not_a_folder(path: Path) -> str:
    """What to say of a file given as a results folder."""
    name = _scenario_name(path)
    if name is None:
        return f"{path} is a file, not a results folder (the --out of `orgsim sweep`)"
    folder = Path("results") / name
    there = f" ({folder} is there)" if (folder / "manifest.json").exists() else ""
    return (
        f"{path} is a scenario file; give its results folder: `orgsim sweep {path}` writes"
        f" {folder} (or its --out){there}"
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


__all__ = ["ResultsDir"]
