"""A command-line choice that names the value most likely meant when it is misspelt.

``orgsim run --strategy delegat`` got click's "'delegat' is not one of 'model', ...";
it now adds "did you mean 'delegate'?", as a scenario file's misspelt choice does
(:func:`simulator.errors.did_you_mean`). Imports only click at start-up: ``orgsim --help``
stays quick.

>>> import click
>>> @click.command()
... @click.option("--arm", type=Choice(["model", "delegate"]))
... def show(arm: str) -> None:
...     pass
>>> show.main(["--arm", "delegat"], standalone_mode=False)
Traceback (most recent call last):
...
click.exceptions.BadParameter: 'delegat' is not one of 'model', 'delegate'; did you mean 'delegate'?
"""

from __future__ import annotations

from typing import Any

import click


class Choice(click.Choice):
    """:class:`click.Choice` whose refusal names the choice most likely meant."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter as err:
            from simulator.errors import did_you_mean

            near = did_you_mean(str(value), [str(c) for c in self.choices])
            if near is None:
                raise
            said = err.message.rstrip(".")
            raise click.BadParameter(f"{said}; did you mean {near!r}?", ctx, param) from None


__all__ = ["Choice"]
