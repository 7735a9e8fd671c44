"""The command line: ``orgsim run``, ``compare``, ``params``; ``validate``, ``sweep``, ``merge``
(of a sweep's shards), ``report``, ``diff``; ``sensitivity``, ``robustness``, ``discover``,
``export`` (of a results folder); ``app`` (the workshop page); ``warm`` (compile the kernels
ahead of the first run).

Every user error (a bad option, a parameter out of range, an unknown key, a bad org chart,
a missing file) is reported as ``orgsim: error: ...``, one line per problem, with exit
code 2 and no traceback; Ctrl-C at any point, as ``orgsim`` starts too, as
``orgsim: error: interrupted`` with exit code 130. All parameters are validated before
anything runs.

Examples
--------
.. code-block:: console

    $ orgsim run --strategy model --size 500 --steps 52 --seed 1 --out results/first
    $ orgsim compare --arms model,delegate --reps 20 --set culture.openness=0.3 --out results/cmp
    $ orgsim params --markdown

Here are the group, its error handling and the small commands (``params``, ``warm``); the
others live in a module each (``run`` and ``compare``: :mod:`simulator.cli_run`) and are
registered on the group by ``_register``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any


@contextlib.contextmanager
def _starting() -> Iterator[None]:
    """Ctrl-C while the ``orgsim`` command starts (importing takes about half a second):
    ``orgsim: error: interrupted`` and exit code 130, as later on, not a traceback; in a
    program that imports this module, the KeyboardInterrupt as it is."""
    try:
        yield
    except KeyboardInterrupt:
        if __name__ != "__main__" and not os.path.basename(sys.argv[0]).startswith("orgsim"):
            raise
        sys.stderr.write("\norgsim: error: interrupted\n")  # (as click says it: after ^C)
        raise SystemExit(130) from None


with _starting():
    import time
    import warnings

    import click

    from simulator import __version__
    from simulator.cli_choice import Choice
    from simulator.cli_run_output import align
    from simulator.errors import SweepInterruptedError, describe, is_user_error
    from simulator.warm import PATHS, where
    from simulator.warm import warm as compile_paths


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``orgsim`` on ``argv`` (default: the process arguments); return the exit code
    (130 after Ctrl-C, at any point)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # (click turns one within a command into Abort: see _main)
        click.echo(err=True)  # (as click does, after the terminal's ^C)
        return _fail(["interrupted"], code=130)


def _main(argv: Sequence[str] | None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    _SHOWN.clear()
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            rv = orgsim.main(args, prog_name="orgsim", standalone_mode=False, obj={"argv": args})
    except click.exceptions.NoArgsIsHelpError as err:
        click.echo(err.ctx.get_help())
        return 0
    except click.UsageError as err:
        hint = f" (see '{err.ctx.command_path} --help')" if err.ctx is not None else ""
        return _fail([err.format_message() + hint])
    except click.ClickException as err:
        return _fail([err.format_message()])
    except SweepInterruptedError as err:
        return _fail([str(err)], code=err.code)
    except click.exceptions.Abort:
        resume = "; run the same command again to resume" if args[:1] == ["sweep"] else ""
        return _fail([f"interrupted{resume}"], code=130)
    except Exception as err:
        if is_user_error(err):
            return _fail(describe(err))
        raise
    return rv if isinstance(rv, int) else 0


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
_show_python_warning = warnings.showwarning
_SHOWN: set[str] = set()  # the simulator's warnings shown in this command


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """The simulator's own warnings as one line ``orgsim: warning: ...``, each once in a
    command (``compare`` raised one per arm and replication); others as Python shows them."""
    if issubclass(category, UserWarning) and os.path.abspath(filename).startswith(_PACKAGE):
        text = " ".join(str(message).split())
        if text not in _SHOWN:
            _SHOWN.add(text)
            click.echo(f"orgsim: warning: {text}", err=True)
    else:
        _show_python_warning(message, category, filename, lineno, file, line)


def _fail(lines: Sequence[str], code: int = 2) -> int:
    for line in lines:
        click.echo(f"orgsim: error: {' '.join(line.split())}", err=True)
    return code


@click.group(
    name="orgsim",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="orgsim")
def orgsim() -> None:
    """Organisational social-diffusion simulator: do leaders who post themselves (modeling)
    spread active social-media use further than leaders who delegate it?"""


# -- params ----------------------------------------------------------------------------------
@orgsim.command()
@click.option("--markdown", is_flag=True, help="Print the Markdown table of docs/ODD.md.")
def params(markdown: bool) -> None:
    """List every parameter: dotted path, default, allowed values, unit and label."""
    from simulator.paramdoc import markdown_table, parameter_rows

    if markdown:
        click.echo(markdown_table())
        return
    header = ("parameter", "default", "allowed", "unit", "label")
    rows = [(r.path, r.default, r.allowed, r.unit, r.label) for r in parameter_rows()]
    click.echo(align([header, *rows]))


# -- warm ------------------------------------------------------------------------------------
class _PathOption(click.Option):
    """``--path``, whose help names what each kernel path is for, with the engine's sizes:
    made when the help is shown, so that importing the command line does not import the
    engine."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = (
            "A kernel path to compile (repeat for several; default: all): "
            + "; ".join(f"{p.name}: {p.what}" for p in PATHS.values())
            + "."
        )
        return super().get_help_record(ctx)


@orgsim.command()
@click.option("--path", "paths", cls=_PathOption, multiple=True, type=Choice(list(PATHS)))
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to compile on (default: one per core; 1: in this process).",
)
def warm(paths: tuple[str, ...], jobs: int | None) -> None:
    """Compile the simulation kernels for this machine now, instead of at the first run.

    numba compiles them the first time a process needs them (about half a minute for a
    single run) and caches them; run this after installing, before a workshop or a notebook
    session, or once per processor model on a cluster (with NUMBA_CACHE_DIR on a shared
    folder). When they are cached already, it takes a second or two.
    """
    click.echo(f"orgsim warm: compiling or loading the kernels, cached in {where()}")
    start = time.perf_counter()
    compile_paths(
        paths or None,
        jobs,
        lambda name, seconds: click.echo(f"  {name:<7}{seconds:6.1f} s  {PATHS[name].what}"),
    )
    click.echo(f"orgsim warm: done in {time.perf_counter() - start:.1f} s")


def _register() -> None:
    from simulator.app.command import app
    from simulator.cli_discover import discover
    from simulator.cli_export import export
    from simulator.cli_robustness import robustness
    from simulator.cli_run import compare, run
    from simulator.cli_sensitivity import sensitivity
    from simulator.cli_sweep import diff, merge, report, sweep, validate

    commands = (
        run,
        compare,
        validate,
        sweep,
        merge,
        report,
        diff,
        sensitivity,
        robustness,
        discover,
        export,
        app,
    )
    for command in commands:
        orgsim.add_command(command)


with _starting():
    _register()

if __name__ == "__main__":
    sys.exit(main())
