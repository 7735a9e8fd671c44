"""Reading a big sweep back: ``simulator.results.load`` and ``orgsim report``, against pandas.

A sweep of thousands of runs writes thousands of Parquet files per table (a file per task and
arm), and its ``levels`` table holds a row per run, week and level: 5.3 million rows for
20,000 flagship runs. This script makes such a sweep once (the flagship scenario with
``--replications`` per point and arm, 2 workers, no report), then times, each in a fresh
process (best of ``--repeat``; peak resident memory of the same process):

- ``pandas.read_parquet``: the three tables read as a user would by hand
  (``pd.read_parquet(folder / table)``, the ``arm=`` folders as a column), without keeping
  one attempt per run or sorting the rows: the reference for the reading alone;
- ``results.load``: the same tables as orgsim reads them (each run's kept attempt, rows
  sorted by run, week and level);
- ``orgsim report``: load (the shares by level of each run's last week only, which its
  figure draws), the summary and contrast tables, four figures and the HTML page.

Usage: ``python bench/results.py [--replications 5000] [--repeat 2] [--keep FOLDER]``.
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

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "modeling_vs_delegation.toml"

PANDAS = """
import pandas as pd, sys
for table in ("outcomes", "series", "levels"):
    pd.read_parquet(f"{sys.argv[1]}/{table}")
"""
LOAD = """
import sys
from simulator.results import load
load(sys.argv[1])
"""
PEAK = """
import atexit, json, resource, time
start = time.perf_counter()
atexit.register(lambda: print(json.dumps([time.perf_counter() - start,
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024])))
"""


def timed(code: str | None, *args: str) -> tuple[float, float]:
    """Wall seconds of a fresh process running ``code`` (or ``orgsim args``) from its start,
    imports included, and its peak resident memory in MB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    if code is None:
        code = "import sys\nfrom simulator.cli import main\nsys.argv[0] = 'orgsim'\nmain()"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK + code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    _, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=5000, help="per point and arm")
    parser.add_argument("--repeat", type=int, default=2, help="fresh processes per figure")
    parser.add_argument("--keep", type=Path, help="make (or reuse) the sweep in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch) / "sweep"
        scenario = Path(scratch) / "big.toml"
        text = FLAGSHIP.read_text().replace(
            "replications = 350", f"replications = {args.replications}"
        )
        scenario.write_text(text)
        start = time.perf_counter()
        sweep = [sys.executable, "-m", "simulator.cli", "sweep", str(scenario), "--out"]
        subprocess.run(
            [*sweep, str(folder), "--workers", "2", "--no-report", "--quiet"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
        )
        made = time.perf_counter() - start
        runs = 4 * args.replications
        files = sum(1 for _ in (folder / "levels").rglob("*.parquet"))
        figures = {
            "pandas.read_parquet": (PANDAS, str(folder)),
            "results.load": (LOAD, str(folder)),
            "orgsim report": (None, "report", str(folder), "--out", f"{scratch}/report"),
        }
        best = {name: min(timed(*how) for _ in range(args.repeat)) for name, how in figures.items()}
    print(f"{runs:,} flagship runs ({files:,} files a table), swept in {made:.0f} s")
    print(f"fresh processes, imports included, best of {args.repeat}: wall s, peak MB")
    for name, (wall, peak) in best.items():
        print(f"  {name:<22} {wall:6.2f} s  {peak:7,.0f} MB")


if __name__ == "__main__":
    main()
