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

    # static attributes
    @property
    def person_id(self) -> str:
        """Id in the org chart (the row id of an imported table)."""
        return self.model.org.ids[self.index]

    @property
    def level(self) -> int:
        return int(self.model.org.level[self.index])

    @property
    def unit(self) -> str:
        return self.model.org.unit_names[self.model.org.unit[self.index]]

    @property
    def title(self) -> str:
        return self.model.org.titles[self.index]

    @property
    def manager(self) -> Person | None:
        m = int(self.model.org.manager[self.index])
        return None if m < 0 else self.model.people[m]

    @property
    def reports(self) -> list[Person]:
        org = self.model.org
        return [self.model.people[int(i)] for i in (org.manager == self.index).nonzero()[0]]

    @property
    def strategy(self) -> str:
        return STRATEGIES[int(self.model.assignment.strategy[self.index])]

    @property
    def is_delegate(self) -> bool:
        return bool(self.model.assignment.is_delegate[self.index])

    # dynamic state
    @property
    def stage(self) -> str:
        return STAGES[int(self.model.state.stage[0, self.index])]

    @property
    def comfort(self) -> float:
        return float(self.model.state.comfort[0, self.index])

    @property
    def efficacy(self) -> float:
        return float(self.model.efficacy()[0, self.index])

    @property
    def threshold(self) -> float:
        return float(self.model.state.threshold[0, self.index])

    @property
    def posts(self) -> int:
        return int(self.model.state.posts[0, self.index])

    def __repr__(self) -> str:
        return f"Person({self.person_id!r}, level={self.level}, stage={self.stage!r})"
