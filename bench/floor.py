"""The memory-traffic floor of one engine step: the bytes a step must move / memory bandwidth.

A step of ``social_learning`` must at least read every state array of shape ``(R, n)`` once and
write back the ones that change, and read the network it sums over: the CSR patterns
(``indptr``, ``indices``) and one-byte weight codes of the attention weights on neighbours and
on followed accounts and of the endorsement weights of one's own leaders, and the pattern of
the accounts observed without attention (awareness; empty unless a weight is 0). The bytes are
taken from the model's own objects (``nbytes``), so they follow the engine's dtypes and batch
size; the bandwidth is measured here on one core (numpy is single threaded for these
operations, as the engine's step is). Time below ``bytes / bandwidth`` is impossible for a step
that streams its data from memory; the ratio engine / floor says how far the engine is from
that bound. (A floor, not a target: it leaves out the per-step strategy arrays, the draws and
the record, and for small organisations the data fit in cache.)

Usage: ``python bench/floor.py [--people 1000000] [--replications 1] [--gib 1]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, fields

import numpy as np

from simulator import Params, build_org
from simulator.engine import Engine

STATIC_TRAITS = ("threshold", "risk_aversion", "innovator")
"""State fields a step only reads (individual traits drawn at the start)."""


@dataclass(frozen=True)
class Bandwidth:
    """Measured single-core memory bandwidth, in bytes per second."""

    copy: float  # np.copyto: bytes read + bytes written per second
    read: float  # a large sum: bytes read per second
    nbytes: int  # size of the array used

    @property
    def best(self) -> float:
        """The larger of the two: the floor uses the most favourable bandwidth."""
        return max(self.copy, self.read)


def measure_bandwidth(nbytes: int = 1 << 30, repeats: int = 5) -> Bandwidth:
    """Time ``np.copyto`` and ``ndarray.sum`` on an array of ``nbytes`` (best of ``repeats``)."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # first touch: page faults outside the timing
    copy = read = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(dst, src)
        copy = min(copy, time.perf_counter() - start)
        start = time.perf_counter()
        src.sum()
        read = min(read, time.perf_counter() - start)
    return Bandwidth(copy=2 * src.nbytes / copy, read=src.nbytes / read, nbytes=src.nbytes)


def step_bytes(model: Engine) -> dict[str, int]:
    """Bytes one step of ``model`` must move, by part (see the module docstring).

    ``state_read``: every :class:`simulator.state.State` array once; ``state_write``: the
    arrays a step may change (all but the static traits); ``csr``: the attention (neighbours
    and follows), unattended observation and endorsement matrices, as the kernel reads them.
    """
    state = model.state
    arrays = {f.name: getattr(state, f.name) for f in fields(state) if f.name != "extra"}
    arrays.update({f"extra.{k}": v for k, v in state.extra.items()})
    read = sum(int(a.nbytes) for a in arrays.values())
    write = sum(int(a.nbytes) for k, a in arrays.items() if k not in STATIC_TRAITS)
    ctx = model.context
    att = ctx.attention
    coded = {  # what the kernel reads: patterns and one-byte weight codes
        "attention.neighbours": att.neighbour_weights.nbytes,
        "attention.follows": att.follow_weights.nbytes,
        "unattended": sum(int(a.nbytes) for a in ctx.unattended()),
        "endorse": ctx.endorse_weights.nbytes,
    }
    csr = {name: int(b) for name, b in coded.items()}
    out = {"state_read": read, "state_write": write, **{f"csr.{k}": v for k, v in csr.items()}}
    out["csr"] = sum(csr.values())
    out["total"] = read + write + out["csr"]
    return out


def floor_seconds(model: Engine, bandwidth: float) -> float:
    """Least time of one step of ``model`` at ``bandwidth`` bytes per second."""
    return step_bytes(model)["total"] / bandwidth


def floor_us_per_agent_step(model: Engine, bandwidth: float) -> float:
    """The floor in microseconds per agent-step (per person and replication)."""
    return floor_seconds(model, bandwidth) / model.state.stage.size * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--gib", type=float, default=1.0, help="array size for the bandwidth")
    args = parser.parse_args()
    bw = measure_bandwidth(int(args.gib * (1 << 30)))
    print(
        f"memory bandwidth (one core): copy {bw.copy / 1e9:.1f} GB/s (read + write), "
        f"sum {bw.read / 1e9:.1f} GB/s (read); floor uses {bw.best / 1e9:.1f} GB/s"
    )
    params = Params().with_updates({"org.size": args.people, "mechanism.name": "social_learning"})
    org = build_org(params.org, np.random.default_rng(1))
    R = args.replications
    model = Engine(params, rng=list(range(R)) if R > 1 else 1, org=org)
    parts = step_bytes(model)
    for name, value in parts.items():
        print(f"  {name:<26} {value / 1e6:>10.1f} MB")
    seconds = floor_seconds(model, bw.best)
    print(
        f"floor: {seconds * 1e3:.2f} ms per step of {R} x {args.people:,} people = "
        f"{floor_us_per_agent_step(model, bw.best):.4f} µs per agent-step"
    )


if __name__ == "__main__":
    main()
