"""orgsim: an organisational social-diffusion simulator.

Leaders and employees sit on an org-chart network; whether leaders post on social media
themselves (modeling) or hand it off (delegation) drives how active use spreads by social
learning. See docs/ODD.md for the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.model import OrgModel
    from simulator.orgchart import Org, build_org
    from simulator.params import Params

__version__ = "0.1.0"
__all__ = ["Org", "OrgModel", "Params", "build_org"]


def __getattr__(name: str) -> Any:
    """``OrgModel``, ``Org`` and ``build_org`` are imported on first use: the engine alone
    (:mod:`simulator.engine`) runs without importing Mesa, and a command that needs no
    organisation (``orgsim --help``, a sweep's parent process) without numba."""
    if name == "Params":  # (on first use too: Ctrl-C as orgsim starts is caught by the CLI)
        from simulator.params import Params

        return Params
    if name == "OrgModel":
        from simulator.model import OrgModel

        return OrgModel
    if name in ("Org", "build_org"):
        from simulator import orgchart

        return getattr(orgchart, name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
