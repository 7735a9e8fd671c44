"""orgsim: an organisational social-diffusion simulator.

Leaders and employees sit on an org-chart network; whether leaders post on social media
themselves (modeling) or hand it off (delegation) drives how active use spreads by social
learning. See docs/ODD.md for the model.
"""

from simulator.model import OrgModel
from simulator.orgchart import Org, build_org
from simulator.params import Params

__version__ = "0.1.0"
__all__ = ["Org", "OrgModel", "Params", "build_org"]
