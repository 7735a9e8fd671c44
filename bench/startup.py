"""The waits around the runs: starting ``orgsim``, a small sweep end to end, its report.

Each figure is the wall time of a fresh process (best of ``--repeat``), as a user meets it:

- ``import simulator.cli``: what every ``orgsim`` command pays before it starts (the engine,
  numba, pandas and scipy.stats are imported only by the commands that use them);
- ``orgsim --help``;
- ``import simulator.report``: what ``orgsim report`` and a notebook's analysis pay first;
- ``orgsim sweep`` of a 240-run scenario (``scenarios/attitude_scale.toml``, 2 workers,
  ``--no-report``, into a new folder): the command, its workers' start, the runs, the
  results written;
- ``orgsim report`` of that folder: the tables, four figures and the HTML page.

The kernels are compiled (or loaded from numba's cache) by a first, untimed sweep.

Usage: ``python bench/startup.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "attitude_scale.toml"


def seconds(command: list[str]) -> float:
    """Wall seconds of ``command`` run by a new process from the repository's root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per figure")
    args = parser.parse_args()
    python, cli = [sys.executable], [sys.executable, "-m", "simulator.cli"]
    with tempfile.TemporaryDirectory() as scratch:
        sweep = [*cli, "sweep", str(SCENARIO), "--workers", "2", "--no-report", "--quiet"]
        seconds([*sweep, "--out", f"{scratch}/warm-up"])  # kernels compiled or loaded
        figures = {
            "import simulator.cli": [*python, "-c", "import simulator.cli"],
            "orgsim --help": [*cli, "--help"],
            "import simulator.report": [*python, "-c", "import simulator.report"],
        }
        best = {name: min(seconds(c) for _ in range(args.repeat)) for name, c in figures.items()}
        sweeps = [seconds([*sweep, "--out", f"{scratch}/r{k}"]) for k in range(args.repeat)]
        best["orgsim sweep (240 runs)"] = min(sweeps)
        report = [*cli, "report", f"{scratch}/r0"]
        best["orgsim report (240 runs)"] = min(seconds(report) for _ in range(args.repeat))
    print(f"orgsim's waits around the runs (wall s, best of {args.repeat} fresh processes)")
    for name, value in best.items():
        print(f"  {name:<26} {value:6.2f}")


if __name__ == "__main__":
    main()
