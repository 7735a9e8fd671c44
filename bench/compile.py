"""The first run's wait: orgsim compiling its kernels, against the Mesa peer (no compiler).

orgsim's kernels are compiled by numba on first use and cached on disk (``cache=True``), so
the first run after installing (or after the code changed) waits for the compiler, and every
later process loads the machine code from the cache. Each figure here is a fresh Python
process, so nothing is shared in memory; numba's cache is a new empty folder
(``NUMBA_CACHE_DIR``) for the first one:

1. **cold**: import orgsim and make the flagship run (1,000 people, 52 weeks, one run), with
   every kernel it needs compiled on the way; then the same run again in the same process;
2. **warm**: the same in a new process on the now filled cache (the kernels are loaded);
3. **batch**: a batch of 64 replications in a new process on that cache: what a large batch
   compiles besides (it learns across its replications, ``social_learning.ACROSS_FROM``);
4. **mesa**: the same run by the idiomatic Mesa peer (``bench/mesa_social_learning.py``),
   import included;
5. **orgsim warm**: ``orgsim warm`` on another new empty cache (every kernel path, one
   process per core, as ``./dev test`` and ``./dev notebooks`` run it), then the flagship run
   in a new process on that cache: what the first run waits for after it.

It also lists the kernel functions the cold run compiled (numba's compile events), to show
that a single run leaves out the paths it does not take (learning across replications, row by
row, the threaded tally). Times are wall seconds of one core (``ORGSIM_THREADS=1``), but for
``orgsim warm``, which uses every core.

Usage: ``python bench/compile.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TypedDict

BENCH = Path(__file__).resolve().parent

CHILD = r"""
import json, sys, time
start = time.perf_counter()
compiled = []
if sys.argv[1] != "mesa":
    from numba.core import event
    class Names(event.Listener):
        def on_start(self, ev):
            f = ev.data["dispatcher"].py_func
            if f.__module__.startswith("simulator"):
                compiled.append(f.__module__.rsplit(".", 1)[-1] + "." + f.__qualname__)
        def on_end(self, ev):
            pass
    event.register("numba:compile", Names())
import numpy as np
from simulator import Params, build_org
params = Params().with_updates({"org.size": 1000, "steps": 52})
imported = time.perf_counter()
times = []
for _ in range(2):
    t = time.perf_counter()
    org = build_org(params.org, np.random.default_rng(1))
    if sys.argv[1] == "mesa":
        from mesa_social_learning import SocialLearningModel
        model = SocialLearningModel(org, params, rng=1)
        for _ in range(params.steps):
            model.step()
    else:
        from simulator.engine import Engine
        R = int(sys.argv[2])
        Engine(params, rng=list(range(R)) if R > 1 else 1, org=org).run()
    times.append(time.perf_counter() - t)
print(json.dumps({"imported": imported - start, "first": times[0], "again": times[1],
                  "compiled": sorted(set(compiled))}))
"""


class Process(TypedDict):
    """One process's figures (seconds) and the orgsim functions it compiled."""

    imported: float
    first: float
    again: float
    compiled: list[str]


def child(kind: str, replications: int, cache: str) -> Process:
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "ORGSIM_THREADS": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH), str(BENCH.parent)])
    out = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", CHILD, kind, str(replications)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: Process = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def warmed(cache: str) -> float:
    """Wall seconds of ``orgsim warm`` (all paths, all cores) on the cache folder ``cache``."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(BENCH.parent)}
    start = time.perf_counter()
    command = [sys.executable, "-W", "ignore", "-m", "simulator.cli", "warm"]
    subprocess.run(command, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()  # (--help)
    print(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory() as cache:
        cold = child("engine", 1, cache)
        warm = child("engine", 1, cache)
        batch = child("engine", 64, cache)
    mesa = child("mesa", 1, "")
    with tempfile.TemporaryDirectory() as cache:
        warming = warmed(cache)
        after = child("engine", 1, cache)
    print(f"{'process':<26} {'import s':>9} {'first run s':>12} {'same run again s':>17}")
    for name, r in (
        ("cold (empty cache)", cold),
        ("warm (cache filled)", warm),
        ("batch of 64 (same cache)", batch),
        ("mesa peer", mesa),
        ("after orgsim warm", after),
    ):
        print(f"{name:<26} {r['imported']:>9.2f} {r['first']:>12.2f} {r['again']:>17.3f}")
    wait, ready = cold["imported"] + cold["first"], warm["imported"] + warm["first"]
    print(
        f"first result on an empty cache {wait:.1f} s, on a filled one {ready:.1f} s "
        f"(x{wait / ready:.0f}); the Mesa peer's {mesa['imported'] + mesa['first']:.1f} s"
    )
    gain = mesa["again"] - cold["again"]  # what each later run saves against the peer
    print(f"the compile is paid back after {cold['first'] / gain:.0f} runs against the Mesa peer")
    kernels = [name for name in cold["compiled"] if name.startswith(("sl_kernel", "tally"))]
    print(f"kernel functions the single run compiled ({len(kernels)}): {', '.join(kernels)}")
    more = [name for name in batch["compiled"] if name not in cold["compiled"]]
    print(f"compiled besides for the batch of 64: {', '.join(more) or 'nothing'}")
    print(
        f"orgsim warm (every path, {os.cpu_count()} cores) on an empty cache: {warming:.1f} s; "
        f"the first flagship run after it {after['imported'] + after['first']:.1f} s "
        f"({len(after['compiled'])} functions compiled)"
    )


if __name__ == "__main__":
    main()
