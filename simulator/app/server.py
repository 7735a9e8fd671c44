"""Serve the workshop page: Solara in production mode, offline, on 127.0.0.1 by default.

The page's front-end files come from the installed ``solara-assets`` package (Solara's
asset proxy serves them from the environment's ``share/solara/cdn``), not from a CDN, so the
page renders in a room with no internet. Telemetry is off. ``orgsim app`` calls :func:`serve`.
"""

from __future__ import annotations

import os
import socket
import sys
import warnings
from pathlib import Path

from simulator.errors import SimulatorError

APP = "simulator.app.page"
LOCAL = "127.0.0.1"
ROOM = "0.0.0.0"  # every interface: the room's network

ENVIRONMENT = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_CHECK_VERSION": "False",
    "SOLARA_ASSETS_PROXY": "True",  # serve share/solara/cdn (solara-assets) under /_solara/cdn
    "SOLARA_THEME_VARIANT": "light",
    "SOLARA_THEME_SHOW_BANNER": "False",  # "This website runs on Solara" sat over the charts
    # a closed tab's session (and its play loop) ends 30 s after it disconnects, not in 24 h
    "SOLARA_KERNEL_CULL_TIMEOUT": "30s",
}


class AppError(SimulatorError):
    """The app cannot start (a port in use, missing packages); one line for the user."""


def asset_dir() -> Path:
    """Where Solara's asset proxy looks for front-end files (filled by ``solara-assets``)."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def check_ready(host: str, port: int) -> None:
    """Raise :class:`AppError` when the app cannot start: packages missing, port taken.

    Sets Solara's settings (:data:`ENVIRONMENT`, where not set already) first: importing
    Solara reads them once, so a setting made after that import is ignored."""
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    try:
        import solara  # noqa: F401
    except ImportError:
        raise AppError(
            "the workshop app needs Solara: pip install -e '.[app]' (solara, solara-assets)"
        ) from None
    if not asset_dir().is_dir():
        raise AppError(
            f"Solara's front-end files are missing ({asset_dir()}): pip install -e '.[app]' "
            "(solara-assets), or the page stays blank without internet"
        )
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as err:
            raise AppError(f"cannot listen on {host}:{port}: {err.strerror}") from None


def room_addresses() -> list[str]:
    """This machine's addresses on the room's network (best effort, no traffic sent)."""
    found: list[str] = []
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            address = str(info[4][0])
            if not address.startswith("127.") and address not in found:
                found.append(address)
    except OSError:
        pass
    return found


def serve(
    host: str = LOCAL,
    port: int = 8765,
    *,
    open_browser: bool = False,
    org_csv: str | None = None,
    ties_csv: str | None = None,
) -> None:
    """Run the page until interrupted (blocking); on the org chart ``org_csv`` (with the
    informal ties ``ties_csv``) if given, read and checked already
    (:func:`simulator.app.orgfile.read_chart`), handed to the page through the environment
    (:func:`simulator.app.orgfile.to_environment`), as Solara hands it the app's name."""
    check_ready(host, port)  # sets the environment before Solara is first imported
    from simulator.app.orgfile import to_environment

    to_environment(org_csv, ties_csv)
    from solara.__main__ import run

    # Solara warns on a page opened by address (127.0.0.1, the room's) over plain http that
    # its session cookie falls back to SameSite=Lax: right for this app (never embedded in
    # another site's frame), and a screenful of text in the trainer's terminal
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)

    from simulator.warm import warm

    print(
        "orgsim app: loading the simulator (the first start after installing compiles it "
        "for this machine: about half a minute)",
        flush=True,
    )
    warm(["single"], jobs=1)  # the kernels, before the first visitor's page waits for them
    shown = "localhost" if host == LOCAL else host
    print(f"orgsim app: open http://{shown}:{port}/ (Ctrl-C to stop)", flush=True)
    if host == ROOM:
        for address in room_addresses():
            print(f"orgsim app: in the room: http://{address}:{port}/", flush=True)
    args = [APP, "--host", host, "--port", str(port), "--production"]
    args += ["--open" if open_browser else "--no-open", "--log-level", "warning"]
    run.main(args, prog_name="orgsim app", standalone_mode=False)
