"""Analysis of run outcomes: paired contrasts between arms.

Pure functions of result tables (pandas in, pandas out); no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

PAIRED_METRICS: tuple[str, ...] = (
    "poster",
    "peak_poster",
    "t10",
    "t50",
    "reach",
    "cross_unit",
    "posts",
    "criticised",
    "pullbacks",
)


def paired_differences(
    outcomes: pd.DataFrame, arms: Sequence[str], metrics: Sequence[str] = PAIRED_METRICS
) -> pd.DataFrame:
    """Paired differences ``arm - first arm`` of per-run outcomes, replication by replication.

    Parameters
    ----------
    outcomes : DataFrame
        Per-run outcomes with columns ``arm`` and ``replication``.
    arms : sequence of str
        The arms; the first is the baseline.
    metrics : sequence of str
        Outcome columns to compare.

    Returns
    -------
    DataFrame
        One row per arm after the first and metric: ``mean_baseline`` and ``mean_arm`` over
        the pairs used, ``mean_diff``, its 95 % confidence interval ``ci_low``/``ci_high``
        (t distribution; NaN with fewer than two pairs), ``n`` pairs used (pairs with a NaN
        dropped) and the standardized paired effect size ``d_z = mean_diff / sd_diff``.
    """
    base = outcomes[outcomes["arm"] == arms[0]].set_index("replication")
    rows = []
    for arm in arms[1:]:
        other = outcomes[outcomes["arm"] == arm].set_index("replication")
        for metric in metrics:
            pair = pd.concat([base[metric], other[metric]], axis=1, join="inner").dropna()
            a, b = (pair.iloc[:, i].to_numpy(dtype=float) for i in (0, 1))
            diff = b - a
            n = len(diff)
            mean = float(diff.mean()) if n else np.nan
            sd = float(diff.std(ddof=1)) if n > 1 else np.nan
            half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n) if n > 1 else np.nan
            rows.append(
                {
                    "arm": arm,
                    "baseline": arms[0],
                    "metric": metric,
                    "mean_baseline": float(a.mean()) if n else np.nan,
                    "mean_arm": float(b.mean()) if n else np.nan,
                    "mean_diff": mean,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                    "n": n,
                    "d_z": mean / sd if n > 1 and sd > 0 else np.nan,
                }
            )
    return pd.DataFrame(rows)
