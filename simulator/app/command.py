"""``orgsim app``: the command that starts the workshop page (registered in ``simulator.cli``)."""

from __future__ import annotations

import click

from simulator.app.server import LOCAL, ROOM


@click.command()
@click.option(
    "--host",
    default=LOCAL,
    show_default=True,
    help="Address to listen on (this machine only, by default).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--room",
    is_flag=True,
    help=f"Listen on the room's network (all interfaces, {ROOM}) so that participants' "
    "devices can open the page; prints the addresses to share.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a browser.")
def app(host: str, port: int, room: bool, open_browser: bool) -> None:
    """Start the workshop app: modeling vs delegation side by side, in the browser.

    Works offline: the page's front-end files come from the installed packages.
    """
    if room and host != LOCAL:
        raise click.UsageError("give --room or --host, not both")
    from simulator.app.server import serve

    serve(ROOM if room else host, port, open_browser=open_browser)
