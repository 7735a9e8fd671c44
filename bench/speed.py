"""Time one org-chart SI rule in orgsim and its peers, side by side, and print ratios.

The same generated organisation (tree, team and informal ties; no follow layer) runs the
same rule, repeated-exposure SI (adopt with 1 - (1 - beta)^m, m adopted neighbours, synchronous),
for the same number of steps in:

- orgsim (vectorised arrays, CSR; ``mechanism.name = "si"``, no Mesa agents created);
- idiomatic Mesa 3.5 (one agent object per person, two ``AgentSet.do`` passes per step so the
  update is synchronous, as orgsim's is);
- NDlib's ``SIModel`` (if ``ndlib`` is installed: ``pip install -e '.[bench]'``).

For scale, it also times orgsim's flagship ``social_learning`` step on the same organisation
(no peer has it).

Usage: ``python bench/speed.py [--sizes 1000 10000 100000] [--steps 20]``.
Prints microseconds per agent-step and each peer's time relative to orgsim.
"""

from __future__ import annotations

import argparse
import time

import mesa
import numpy as np

from simulator import OrgModel, Params, build_org
from simulator.attention import observation
from simulator.params import OrgParams

BETA = 0.05
SEED_SHARE = 0.01


class Person(mesa.Agent):
    """Idiomatic Mesa agent for the SI rule."""

    def __init__(self, model: mesa.Model, infected: bool) -> None:
        super().__init__(model)
        self.infected = infected
        self.next_infected = infected
        self.neighbours: list[Person] = []

    def sense(self) -> None:
        if self.infected:
            return
        m = sum(1 for other in self.neighbours if other.infected)
        self.next_infected = self.random.random() < 1 - (1 - BETA) ** m

    def update(self) -> None:
        self.infected = self.next_infected


class MesaSI(mesa.Model):
    def __init__(self, neighbours: list[np.ndarray], infected: np.ndarray, seed: int) -> None:
        super().__init__(rng=seed)
        people = [Person(self, bool(x)) for x in infected]
        for person, idx in zip(people, neighbours, strict=True):
            person.neighbours = [people[j] for j in idx]

    def step(self) -> None:
        self.agents.do("sense")
        self.agents.do("update")


def time_orgsim(org, params: Params, steps: int) -> tuple[float, float]:
    model = OrgModel(params, rng=1, org=org, agents=False)
    start = time.perf_counter()
    model.run(steps)
    return time.perf_counter() - start, model.poster_share()


def time_mesa(org, infected: np.ndarray, steps: int) -> tuple[float, float]:
    obs = observation(org)
    neighbours = [obs.indices[obs.indptr[i] : obs.indptr[i + 1]] for i in range(org.n)]
    model = MesaSI(neighbours, infected, seed=1)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    share = float(np.mean([a.infected for a in model.agents]))
    return time.perf_counter() - start, share


def time_ndlib(org, infected: np.ndarray, steps: int) -> tuple[float, float] | None:
    try:
        import ndlib.models.epidemics as ep
        from ndlib.models.ModelConfig import Configuration
    except ImportError:
        return None
    import networkx as nx

    graph = nx.from_scipy_sparse_array(observation(org))
    model = ep.SIModel(graph, seed=1)
    config = Configuration()
    config.add_model_parameter("beta", BETA)
    config.add_model_initial_configuration("Infected", np.flatnonzero(infected).tolist())
    model.set_initial_status(config)
    start = time.perf_counter()
    result = model.iteration_bunch(steps + 1, progress_bar=False)
    elapsed = time.perf_counter() - start
    infected_count = result[-1]["node_count"][1]
    return elapsed, infected_count / org.n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    print(
        f"SI rule, beta={BETA}, {args.steps} steps; microseconds per agent-step "
        "(lower is better) and time relative to orgsim"
    )
    print(f"{'people':>9} {'tool':>8} {'us/agent-step':>14} {'x orgsim':>9} {'final share':>12}")
    for size in args.sizes:
        org = build_org(OrgParams(size=size, follow_levels=0), np.random.default_rng(size))
        params = Params().with_updates(
            {
                "mechanism.name": "si",
                "mechanism.beta": BETA,
                "leaders.strategy": "none",
                "people.initial_posters": SEED_SHARE,
                "people.initial_aware": 0.0,
                "org.follow_levels": 0,
            }
        )
        probe = OrgModel(params, rng=1, org=org, agents=False)
        infected = probe.state.stage[0] == 2
        rows = {
            "orgsim": time_orgsim(org, params, args.steps),
            "mesa": time_mesa(org, infected, args.steps),
        }
        nd = time_ndlib(org, infected, args.steps)
        if nd is not None:
            rows["ndlib"] = nd
        flagship = Params().with_updates({"org.follow_levels": 0})
        rows["orgsim-SL"] = time_orgsim(org, flagship, args.steps)
        base = rows["orgsim"][0]
        for tool, (seconds, share) in rows.items():
            per = seconds / (size * args.steps) * 1e6
            print(f"{size:>9} {tool:>8} {per:>14.3f} {seconds / base:>9.1f} {share:>12.3f}")


if __name__ == "__main__":
    main()
