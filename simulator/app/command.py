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
@click.option(
    "--org-csv",
    type=click.Path(exists=True, dir_okay=False),
    help="Run the workshop on a real org chart (columns id, manager_id; optional unit, title,"
    " level), as 'orgsim run --org-csv' does; the page's organisation-size controls give way"
    " to it.",
)
@click.option(
    "--ties-csv",
    type=click.Path(exists=True, dir_okay=False),
    help="Informal ties of the imported org chart (columns source, target).",
)
def app(
    host: str,
    port: int,
    room: bool,
    open_browser: bool,
    org_csv: str | None,
    ties_csv: str | None,
) -> None:
    """Start the workshop app: modeling vs delegation side by side, in the browser.

    Works offline: the page's front-end files come from the installed packages. A bad org
    chart is reported (file, row, column, value, what is allowed) before the server starts.
    """
    if room and host != LOCAL:
        raise click.UsageError("give --room or --host, not both")
    if ties_csv and not org_csv:
        raise click.UsageError("--ties-csv needs --org-csv")
    if org_csv:
        from simulator.app.orgfile import chart_line, read_chart

        chart = read_chart(org_csv, ties_csv)  # errors and warnings said here, not in the page
        click.echo(f"orgsim app: {chart_line(chart)}")
    from simulator.app.server import serve

    serve(
        ROOM if room else host, port, open_browser=open_browser, org_csv=org_csv, ties_csv=ties_csv
    )
