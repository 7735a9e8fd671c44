"""People as Mesa agents: views on the state arrays, for inspection and the workshop view.

A :class:`Person` stores only its index; every attribute reads the model's arrays (replication
0), so agents never hold a copy that could drift from the vectorised state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from simulator.params import STRATEGIES
from simulator.state import STAGES

if TYPE_CHECKING:
    from simulator.model import OrgModel


class Person(mesa.Agent):
    """One person in the organisation (a view on column ``index`` of the state)."""

    model: OrgModel

    def __init__(self, model: OrgModel, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.unique_id = index  # (Mesa counts from 1; the state arrays, and ids, from 0)

    def step(self) -> None:
        """Refused: people are stepped together, synchronously, by ``model.step()``."""
        raise TypeError(
            "people are not stepped one by one: model.step() advances everyone one week"
            " together, as the model's phases are synchronous (docs/ODD.md)"
        )

    def remove(self) -> None:
        """Refused: the organisation's network and state are built for all its people."""
        raise TypeError(
            "a person cannot be removed from a model: its network and state are built for"
            " the whole organisation; build a model of an org chart without them"
            " (load_org_csv, or orgsim run --org-csv)"
        )

    def __setattr__(self, name: str, value: object) -> None:
        """Refused for what a person reads from the model (``person.comfort = 0.9``,
        ``model.agents.set("stage", ...)``): Python's own message named no way forward."""
        if isinstance(vars(Person).get(name), property):
            raise AttributeError(
                f"a person's {name} is read from the model's state, not held by the person:"
                " people are views on it and cannot be set. Change the parameters instead"
                " (Params.with_updates), or, for an experiment, the state arrays"
                " (model.state, replication first, then person index)"
            )
        super().__setattr__(name, value)

    # static attributes
    @property
    def person_id(self) -> str:
        """Id in the org chart (the row id of an imported table)."""
        return self.model.org.ids[self.index]

    @property
    def level(self) -> int:
        """Hierarchy level: 0 at the top (an imported chart's grade, if it gave one)."""
        return int(self.model.org.level[self.index])

    @property
    def unit(self) -> str:
        """Name of the unit (department) the person belongs to."""
        return self.model.org.unit_names[self.model.org.unit[self.index]]

    @property
    def title(self) -> str:
        """Job title (an imported chart's ``title`` column; blank in a generated org)."""
        return self.model.org.titles[self.index]

    @property
    def manager(self) -> Person | None:
        """The person this one reports to (None for the top leader)."""
        m = int(self.model.org.manager[self.index])
        return None if m < 0 else self.model.people[m]

    @property
    def reports(self) -> list[Person]:
        """The people who report directly to this one."""
        org = self.model.org
        return [self.model.people[int(i)] for i in (org.manager == self.index).nonzero()[0]]

    @property
    def strategy(self) -> str:
        """The strategy assigned at the start (``model``, ``delegate``, ``listen``,
        ``restrict`` or ``none``); see :attr:`left_role` for a leader who gave it up."""
        return STRATEGIES[int(self.model.assignment.strategy[self.index])]

    @property
    def is_delegate(self) -> bool:
        """Appointed to post for a delegating leader (a delegate or the comms team)."""
        return bool(self.model.assignment.is_delegate[self.index])

    # dynamic state
    @property
    def stage(self) -> str:
        """This week's stage: ``non_user``, ``listener`` or ``poster``."""
        return STAGES[int(self.model.state.stage[0, self.index])]

    @property
    def comfort(self) -> float:
        """Perceived safety and norm of posting, 0-1 (grows by watching others post)."""
        return float(self.model.state.comfort[0, self.index])

    @property
    def efficacy(self) -> float:
        """Know-how, 0-1: explicit and tacit, weighted by ``learning.explicit_weight``."""
        return float(self.model.efficacy()[0, self.index])

    @property
    def threshold(self) -> float:
        """The person's own threshold for deciding to post."""
        return float(self.model.state.threshold[0, self.index])

    @property
    def posts(self) -> int:
        """Posts made so far."""
        return int(self.model.state.posts[0, self.index])

    @property
    def left_role(self) -> bool:
        """A leader or delegate who pulled back after criticism and left the role for good
        (their :attr:`strategy` still names the role they were given)."""
        return bool(self.model.state.left_strategy[0, self.index])

    def __repr__(self) -> str:
        return f"Person({self.person_id!r}, level={self.level}, stage={self.stage!r})"
