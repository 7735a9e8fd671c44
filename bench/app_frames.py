"""Frame time of the workshop app: one play tick, server side, for a 1,500-person org.

A frame is what the page's play loop does each week: step both paired arms
(:class:`simulator.app.paired.PairedRun`), recolour and encode both org views
(:class:`simulator.app.orgview.OrgView`: cached layout, the marks stamped over a still
image), and move and encode the curves and the level bars (:class:`simulator.app.charts.Live`,
built once per run: only what moves is drawn again). Printed per part: median and
90th percentile over the weeks of a run, after one warm-up run (numba kernels loaded, first
figures drawn). The browser's own work (decoding four PNGs of 30-120 kB) is not included. Also
timed once: building the paired run (week 0), the PNG slide export and the GIF export.

Usage: ``python bench/app_frames.py [--people 1500] [--weeks 52] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from simulator.app import charts, page
from simulator.app.paired import PairedRun
from simulator.params import Params


def clock(f: Callable[[], object]) -> float:
    start = time.perf_counter()
    f()
    return (time.perf_counter() - start) * 1000


def frames(people: int, weeks: int, seed: int) -> dict[str, list[float]]:
    """Per-part times (ms) of every frame of one run."""
    params = Params().with_updates({"org.size": people, "steps": weeks})
    run = PairedRun.start(params, seed=seed)
    views = page.org_views(run)
    parts: dict[str, list[float]] = {"step": [], "org views": [], "charts": [], "frame": []}

    def draw_views() -> None:
        page.org_pngs(run, views)

    live = charts.Live(run)

    def draw_charts() -> None:
        live.png(run)

    for _ in range(weeks):
        times = [clock(lambda: run.step()), clock(draw_views), clock(draw_charts)]
        for name, ms in zip(parts, [*times, sum(times)], strict=True):
            parts[name].append(ms)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1500)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    frames(200, 3, args.seed)  # warm-up: kernels, fonts, first figures
    params = Params().with_updates({"org.size": args.people, "steps": args.weeks})
    build = clock(lambda: PairedRun.start(params, seed=args.seed))
    parts = frames(args.people, args.weeks, args.seed)
    print(f"Workshop app frames: {args.people:,} people, two paired arms, {args.weeks} weeks")
    print(f"{'part':<12} {'median ms':>10} {'p90 ms':>8}")
    for name, values in parts.items():
        v = np.asarray(values)
        print(f"{name:<12} {np.median(v):>10.1f} {np.percentile(v, 90):>8.1f}")
    frame = float(np.median(parts["frame"]))
    print(f"=> about {1000 / frame:.0f} frames (weeks) per second at most, server side")

    run = PairedRun.start(params, seed=args.seed).step(args.weeks)
    print(f"build paired run (week 0): {build:.0f} ms")
    print(f"PNG slide export: {clock(lambda: charts.slide_png(run)):.0f} ms")
    every = charts.gif_every(args.weeks)
    print(f"GIF export ({args.weeks // every + 1} frames): ", end="", flush=True)
    print(f"{clock(lambda: charts.animation(run, every=every)):.0f} ms")


if __name__ == "__main__":
    main()
