"""Given-data sensitivity indices: the first-order index of each swept parameter from any
design's points as they are (a Latin hypercube, Monte Carlo draws, a grid, listed points), by
RBD-FAST (SALib),
with the index that a parameter with no effect gets from the same outcomes.

Sobol and Morris indices need SALib's own samples; these do not. RBD-FAST orders the points
by one parameter along a search curve (up over the even ranks, back down over the odd ones)
and reads the share of the outcome's variance in the first ``M`` harmonics of that sequence:
the part of the variance that follows the parameter alone, its first-order index S1, as in
Sobol's S1 (Tarantola, Gatelli & Mara 2006; Plischke 2010). SALib subtracts the share that
the rest of the variance (other parameters, replication noise) puts into those harmonics by
chance, ``2M / N`` of it (Tissot & Prieur 2012), so a parameter with no effect gets S1 near
0 on average, but spread around it: :func:`given_rows` measures that spread from dummy
parameters and gives the parameters of an outcome the floor their S1 must clear, set so that
all of them together, not each, are read as an effect by chance in 5 % of designs.

Pure functions; :func:`simulator.sensitivity.sensitivity` calls them per arm and outcome.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

MIN_POINTS = 16
"""Distinct design points RBD-FAST needs: with ``M = 2`` harmonics, the ``2M / N`` of the
variance that chance puts into them is at most a quarter, and the S1 of a parameter with no
effect stays below about 0.4 (at 16 points), 0.14 (40) or 0.06 (100) in 95 % of designs."""
FLOOR_QUANTILE = 0.95
"""The quantile of the largest S1 of ``D`` dummy parameters that a parameter's S1 must exceed
(``D`` the parameters analysed together, :func:`dummy_floor`)."""


def harmonics(points: int) -> int:
    """The harmonics ``M`` RBD-FAST reads for a design of ``points`` points: 2, up to 4 from
    128 points on (``N // 32``).

    A monotone response puts about 99 % of its variance along the search curve into the
    first harmonic, a U-shaped one into the second, a threshold in mid-range 81 % into the
    first two; more harmonics catch more of a jagged response but let in more chance
    variance (``2M / N`` of the rest, which the bias correction removes on average but not
    from the spread): with 40 points, S1 of a parameter with no effect spreads by about 0.08
    with 2 harmonics and 0.12 with 4. SALib's default, 10, is meant for thousands of points.

    >>> [harmonics(n) for n in (16, 95, 96, 128, 10_000)]
    [2, 2, 3, 4, 4]
    """
    return max(2, min(4, points // 32))


def design_matrix(manifest: dict[str, Any]) -> tuple[list[str], np.ndarray, list[str]]:
    """The swept parameters that vary between design points, and the points' values of them
    (one row per design point, in design-point order), with notes on what was left out.

    A listed point (``points`` design) that leaves a parameter out runs at the base value
    (``[params]``, else the default). A category (text, such as a policy's name, or None
    among numbers) is coded 0, 1, ... in the order its axis lists its values (a grid, a
    Latin hypercube or Monte Carlo draws over ``values``), else in order of first appearance
    (listed points); true/false are 0/1. RBD-FAST reads only the order of the points, so the
    test of a category against the floor of :func:`given_rows` is as valid as a number's (a
    category with no effect orders the points at random, as a dummy does), but its S1
    understates its first-order index: a step between levels puts part of its variance
    above the ``M`` harmonics read (a two-level effect shows about 81 % of its share with
    two harmonics, 90 % with four), and with three levels or more the share shown depends
    on the listed order: an effect that grows along it shows about 94 % (four levels), one
    of the second of four levels alone about 35 % with two harmonics and 70 % with four. A
    parameter with one value at every point is left out.
    """
    from simulator.params import Params

    resolved = manifest.get("resolved", {})
    points: list[dict[str, Any]] = list(resolved.get("points", []))
    listed = {
        str(a.get("param")): [_level(v) for v in a["values"]]
        for a in manifest.get("scenario", {}).get("axes", [])
        if isinstance(a, dict) and a.get("values") is not None
    }
    names = [str(n) for n in manifest.get("axes", [])] or list(
        dict.fromkeys(k for p in points for k in p)
    )
    base: Params | None = None
    columns: list[np.ndarray] = []
    kept: list[str] = []
    notes: list[str] = []
    for name in names:
        if any(name not in p for p in points):
            if base is None:
                base = Params().with_updates(resolved.get("base", {}))
            try:
                default = functools.reduce(getattr, name.split("."), base)
            except AttributeError:  # (not an attribute path: points without it are one level)
                default = None
            raw = [p.get(name, default) for p in points]
        else:
            raw = [p[name] for p in points]
        values = pd.Series(raw, dtype=object)
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.notna().all():
            column = numeric.to_numpy(dtype=float)
        else:  # a category, or None among numbers ("none"): coded in the listed order
            level = [_level(v) for v in raw]
            codes = {c: i for i, c in enumerate(dict.fromkeys([*listed.get(name, []), *level]))}
            column = np.array([codes[c] for c in level], dtype=float)
            notes.append(
                f"{name}: a category, coded 0, 1, ... in the order "
                + ("its axis lists" if name in listed else "the design points first give")
                + " its values; its S1 understates its effect (steps between levels are read"
                " with few harmonics)"
            )
        if np.ptp(column) == 0:
            notes.append(f"{name} left out: the same value at every design point")
            continue
        kept.append(name)
        columns.append(column)
    X = np.column_stack(columns) if columns else np.empty((len(points), 0))
    return kept, X, notes


def _level(value: Any) -> Any:
    """An axis value as the level of a category it is, compared by value, not as text (a
    point's None, read as text, was no listed value, nor was ``"none"`` None): ``"none"``
    (TOML's null) as None, a number written as text as the number (as the scenario records
    it), a list or table (``leaders.rules``) as its JSON text.

    >>> [_level(v) for v in ["none", None, " None", "10", 10, "open", [1, 2]]]
    [None, None, None, 10.0, 10, 'open', '[1, 2]']
    """
    if isinstance(value, str):
        if value.strip().lower() == "none":
            return None
        try:
            number = float(value)
        except ValueError:
            return value
        return number if np.isfinite(number) else value
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, sort_keys=True)
    return value


def given_rows(
    names: Sequence[str], X: np.ndarray, Y: np.ndarray, resamples: int, seed: int
) -> list[dict[str, Any]]:
    """First-order indices of the outcomes ``Y`` at the design points ``X`` by RBD-FAST
    (:func:`SALib.analyze.rbd_fast.analyze`), and the floor each must clear.

    The points are put in a random order first (seeded by ``seed``), so that points that
    share a parameter's value (a grid, a category) fall on the search curve in random order,
    as the dummies' points do, not in the order of the other axes: in a 2 x 32 grid the
    second axis's effect, in order within each level of the first, gave the first an S1 of
    0.13, above the floor of 0.09 it had then (one dummy's, not two's), and none (0.01) in
    random order.

    Parameters
    ----------
    names : sequence of str
        The parameters, one per column of ``X``.
    X : ndarray, shape (N, D)
        The design points.
    Y : ndarray, shape (N,)
        The outcome at each point (the mean of its replications).
    resamples : int
        Bootstrap resamples for ``S1_conf``, and draws of ``D`` dummy parameters for
        ``S1_noise``.
    seed : int
        Seeds the order of the points, the bootstrap and the dummies.

    Returns
    -------
    list of dict
        One per parameter: ``parameter``, ``S1`` (bias-corrected), ``S1_conf`` (SALib's
        95 % half-width from bootstrap resamples of half the points: about twice what the
        spread of an estimate from all of them gives) and ``S1_noise``, the same for all:
        the floor of :func:`dummy_floor`, the 95th percentile of the largest S1 of ``D``
        dummy parameters (``D`` = ``len(names)``). ``S1 <= S1_noise`` is a one-sided
        permutation test of each parameter that holds the family-wise error rate over the
        ``D`` parameters at 5 %: parameters with no effect at all clear the floor, any of
        them, in at most 5 % of designs (the max-statistic of Westfall & Young 1993,
        Resampling-Based Multiple Testing, 2.6; conservative when some parameters have an
        effect). A floor of each parameter's own 95th percentile was a 5 % test per row, so
        that with four parameters that do nothing one cleared it in 19 % of designs.

    Examples
    --------
    >>> u = np.random.default_rng(1).random((200, 2))
    >>> rows = given_rows(["a", "b"], u, 4 * u[:, 0] + u[:, 1] ** 2, 100, seed=1)
    >>> [(r["parameter"], round(r["S1"], 1), r["S1"] > r["S1_noise"]) for r in rows]
    [('a', 0.9, True), ('b', 0.1, True)]
    """
    from SALib.analyze import rbd_fast

    n = len(Y)
    M = harmonics(n)
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    X, Y = np.asarray(X, dtype=float)[order], np.asarray(Y, dtype=float)[order]
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    si = rbd_fast.analyze(problem, X, Y, M=M, num_resamples=resamples, seed=rng)
    floor = dummy_floor(Y, len(names), resamples, rng)
    return [
        {
            "parameter": name,
            "S1": float(si["S1"][i]),
            "S1_conf": float(si["S1_conf"][i]),
            "S1_noise": floor,
        }
        for i, name in enumerate(names)
    ]


def dummy_floor(Y: np.ndarray, parameters: int, resamples: int, rng: np.random.Generator) -> float:
    """The S1 that ``parameters`` parameters with no effect all stay at or below in
    :data:`FLOOR_QUANTILE` (95 %) of designs, on the outcomes ``Y``: each of ``resamples``
    draws takes ``parameters`` dummy parameters, random orderings of ``Y`` (``rng``'s
    permutations, one after the other), and keeps the largest of their bias-corrected S1
    (as :func:`SALib.analyze.rbd_fast.compute_first_order` and ``unskew_S1`` compute it, for
    all dummies at once); the floor is the 95th percentile of those maxima.

    A parameter's S1 is the same function of its ordering of the points, and a parameter with
    no effect orders them at random, as a dummy does, so its S1 has the dummies'
    distribution: several with no effect stay at or below the floor together in 95 % of
    designs. With one parameter this is the 95th percentile of the dummies' S1 itself.

    >>> y = np.random.default_rng(0).normal(size=40)
    >>> one, four = (dummy_floor(y, d, 400, np.random.default_rng(1)) for d in (1, 4))
    >>> bool(0 < one < four < 0.5)
    True
    """
    from SALib.analyze import rbd_fast
    from scipy.signal import periodogram

    n = len(Y)
    M = harmonics(n)
    Y = np.asarray(Y, dtype=float)
    dummies = np.stack([Y[rng.permutation(n)] for _ in range(resamples * parameters)])
    _, power = periodogram(dummies, axis=-1)  # (SALib's compute_first_order, row by row)
    s1 = rbd_fast.unskew_S1(power[:, 1 : M + 1].sum(axis=1) / power[:, 1:].sum(axis=1), M, n)
    largest = np.asarray(s1).reshape(resamples, parameters).max(axis=1)
    return float(np.quantile(largest, FLOOR_QUANTILE))
