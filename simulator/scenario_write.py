"""The scenario file of a command: what ``orgsim run`` or ``orgsim compare`` ran, as a
scenario that ``orgsim sweep`` runs into a results folder (report, resume, robustness,
diff, export).

The file holds the command's arms (``compare``'s ``--arms``; ``run``'s one strategy in
``[params]``), replications, root seed, horizon and organisation size, every ``--set`` and
``--mechanism``, whether it kept a row per person (``--people``: ``[record] people =
true``), and its org chart's files (absolute paths), under a header comment naming
the command. It is written with ``tomli_w``, so any value ``--set`` takes (numbers, booleans,
text, lists of tables) reads back as given; a ``null`` is written ``"none"``, as TOML has no
null and a scenario spells it so.

The sweep's runs are the command's, bit for bit: the command seeds replication ``r`` as a
sweep seeds replication ``r`` of its one design point, :func:`simulator.seeds.run_seed`
``(seed, 0, r)`` (:func:`~simulator.seeds.replication_seeds`,
:meth:`simulator.plan.Plan.seed`), and the header comment says so. On an org chart the
settings it replaces (:func:`simulator.scenario_chart.chart_settings`) are left out, as a
scenario refuses them (the commands refuse them too).

Examples
--------
>>> from simulator.params import Params
>>> text = command_scenario(
...     "orgsim compare --reps 2 --set culture.openness=0.8 --out results/cmp",
...     "results/cmp",
...     Params().with_updates({"culture.openness": 0.8}),
...     {"culture.openness": 0.8},
...     seed=1,
...     replications=2,
...     arms=["model", "delegate"],
... )
>>> import tomllib
>>> data = tomllib.loads(text)
>>> data["scenario"]["name"], data["params"]["culture"], list(data["arms"])
('cmp-sweep', {'openness': 0.8}, ['model', 'delegate'])
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w

from simulator.params import Params, set_path
from simulator.scenario import NAME_MAX
from simulator.scenario_chart import chart_settings

SUFFIX = "-sweep"
"""Added to the output folder's name to name the scenario: its sweep's default folder,
``results/<name>``, is then not the command's own ``results/<folder>``."""


def command_scenario(
    command: str,
    out: str | Path,
    params: Params,
    updates: Mapping[str, Any],
    *,
    seed: int,
    replications: int,
    arms: Sequence[str] = (),
    org_csv: str | None = None,
    ties_csv: str | None = None,
    people: bool = False,
    made: str = "",
) -> str:
    """The text of a scenario file that sweeps what ``command`` ran.

    Parameters
    ----------
    command : str
        The command line, as its record (``run.json``, ``compare.json``) names it.
    out : str or Path
        The command's output folder, where the file is written; its name names the scenario.
    params : Params
        The parameters the command ran (before ``compare`` set each arm's strategy).
    updates : Mapping[str, Any]
        The settings the command made over the defaults, by dotted path (its options and
        every ``--set``), as given.
    seed, replications : int
        The command's root seed and ``--reps``.
    arms : sequence of str
        ``compare``'s strategies, the baseline first; empty for ``run``.
    org_csv, ties_csv : str, optional
        The org chart's files, as given (written absolute).
    people : bool
        The command kept a row per person and run (``--people``): the sweep keeps them
        too (``[record] people = true``).
    made : str
        A line on what wrote the file (version, time), for the header comment.

    Returns
    -------
    str
        TOML text: a header comment, then the scenario.
    """
    chart = org_csv is not None
    gone = chart_settings(ties=ties_csv is not None) if chart else ()
    left_out = [key for key in updates if key in gone]
    fixed: dict[str, Any] = {}
    if not chart:  # (an org chart's people are the organisation)
        fixed["org.size"] = params.org.size
    if not arms:  # (run's one strategy, even the default: the file says what ran)
        fixed["leaders.strategy"] = params.leaders.strategy
    fixed |= {k: v for k, v in updates.items() if k not in ("steps", *left_out)}
    header: dict[str, Any] = {
        "name": scenario_name(out),
        "question": _question(command, arms, params),
        "seed": seed,
        "replications": replications,
        "steps": params.steps,
    }
    for key, path in (("org_csv", org_csv), ("ties_csv", ties_csv)):
        if path is not None:
            header[key] = str(Path(path).expanduser().absolute())
    data: dict[str, Any] = {"scenario": header}
    if people:
        data["record"] = {"people": True}
    data["params"] = {}
    for key, value in fixed.items():
        set_path(data["params"], key, _toml_value(value))
    if arms:
        data["arms"] = {arm: {"leaders": {"strategy": arm}} for arm in arms}
    return _comment(command, out, header["name"], made, left_out) + tomli_w.dumps(data)


def scenario_name(out: str | Path) -> str:
    """The scenario's name: the output folder's, with :data:`SUFFIX` (a valid name:
    no ``/``, ``\\`` or ``:``, no leading dot, no spaces at either end).

    >>> scenario_name("results/cmp"), scenario_name("./.hidden: a/"), scenario_name("/")
    ('cmp-sweep', 'hidden- a-sweep', 'orgsim-sweep')
    """
    folder = Path(out).expanduser().absolute().name
    for c in "/\\:":
        folder = folder.replace(c, "-")
    folder = folder.strip().lstrip(".").strip() or "orgsim"
    return folder[: NAME_MAX - len(SUFFIX)].rstrip() + SUFFIX


def _toml_value(value: Any) -> Any:
    """``value`` as a scenario file holds it: ``None`` (JSON ``null``) as ``"none"``."""
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        return [_toml_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _toml_value(v) for k, v in value.items()}
    return value


def _question(command: str, arms: Sequence[str], params: Params) -> str:
    if arms:
        return f"How do the leader strategies {', '.join(arms)} compare, as `{command}` ran them?"
    strategy = params.leaders.strategy
    return (
        f"How far does active use spread with leaders.strategy = {strategy}, as `{command}` ran it?"
    )


def _comment(command: str, out: str | Path, name: str, made: str, left_out: list[str]) -> str:
    """The header comment: the command, what the file is, and that its sweep gives the
    command's runs."""
    here = shlex.quote(str(Path(out) / "scenario.toml"))  # (to paste into a shell)
    lines = [
        f"Made by: {command}",
        *([made] if made else []),
        "",
        "What the command ran, as a scenario: the same arms, parameters, replications and root",
        "seed. `orgsim sweep` makes of it a results folder (resumable; orgsim report,",
        "robustness, diff, export):",
        "",
        f"    orgsim validate {here}",
        f"    orgsim sweep {here}    # -> results/{name} (or --out)",
        "",
        "Its runs are the command's runs, bit for bit: the command seeds replication r as a",
        "sweep seeds replication r of its one design point, run_seed(seed, 0, r) of",
        "simulator.seeds (Plan.seed(0, r)), every arm alike.",
    ]
    if left_out:
        lines += [
            "",
            f"Left out, as they do not apply on an org chart: {', '.join(left_out)}.",
        ]
    return "".join(f"# {_printable(line)}".rstrip() + "\n" for line in lines) + "\n"


def _printable(text: str) -> str:
    """``text`` with control characters escaped (a comment is one line of printable text)."""
    return "".join(c if c.isprintable() or c == "\t" else ascii(c)[1:-1] for c in text)


__all__ = ["SUFFIX", "command_scenario", "scenario_name"]
