"""Which code made a results folder's runs: the package versions, the digest of orgsim's own
source and its git revision, recorded with every attempt (and checked on a cluster's workers,
:func:`simulator.cluster.worker_versions`), so that a resume by other code is told apart.

Callers reach these functions through this module (``results_provenance.versions()``), so
that a test stands in other code by patching them here (``simulator.results`` only re-exports
them: a patch there is not seen).
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
"""orgsim's source folder (``simulator/``): what :func:`code_digest` reads."""


def versions() -> dict[str, str]:
    """Versions of the packages that determine results."""
    import mesa
    import numpy
    import pandas
    import pyarrow
    import scipy

    import simulator

    return {
        "orgsim": simulator.__version__,
        "orgsim code": code_digest(),
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "python": platform.python_version(),
    }


def code_digest() -> str:
    """SHA-256 (first 12 digits) of orgsim's source files, by path inside the package: the
    code itself, where the version string stays the same from one commit to the next and a
    worker or an installed copy has no git revision."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def same_code(attempt: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two attempts (or an attempt and this process's ``{"versions": ...,
    "code_revision": ...}``) ran the same code: the same source digest, or (either recorded
    without one) the same orgsim version and code revision, a value not recorded being
    unknown, not different (an installed copy has no revision).

    >>> old = {"versions": {"orgsim": "0.1.0"}, "code_revision": "abc"}
    >>> new = {**old, "versions": {"orgsim": "0.1.0", "orgsim code": "0917c82a81de"}}
    >>> same_code(old, new), same_code(old, {**new, "code_revision": "def"})
    (True, False)
    """
    theirs, ours = attempt.get("versions") or {}, other.get("versions") or {}
    if theirs.get("orgsim code") and ours.get("orgsim code"):
        return bool(theirs["orgsim code"] == ours["orgsim code"])
    pairs = [
        (theirs.get("orgsim"), ours.get("orgsim")),
        (attempt.get("code_revision"), other.get("code_revision")),
    ]
    return all(a is None or b is None or a == b for a, b in pairs)


def differing_versions(attempts: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """What differs among the versions that made ``attempts``' runs: ``"orgsim code"`` (by
    :func:`same_code`; each code by its digest, or ``<version> at <revision>`` where recorded
    without one) and the packages whose versions change results
    (:data:`simulator.cluster.RESULT_VERSIONS`), each with its values, sorted; empty if
    nothing differs. Attempts that made no run are left out, and a version an attempt did not
    record is unknown, not different (attempts recorded before per-attempt versions were).

    This decides for every caller: a resume (:meth:`ResultsFolder.begin`), ``orgsim merge``
    and the report's banner and Provenance footer.

    >>> a = {"versions": {"orgsim code": "0917c82a81de", "numpy": "2.5.5"}, "runs_done": 4}
    >>> differing_versions([a, {"versions": {}, "code_revision": "abc"}])
    {}
    >>> b = {**a, "versions": {"orgsim code": "d14ba2ab22b1", "numpy": "1.26.4"}}
    >>> differing_versions([a, b])
    {'orgsim code': ['0917c82a81de', 'd14ba2ab22b1'], 'numpy': ['1.26.4', '2.5.5']}
    >>> differing_versions([a, {"versions": {"numpy": "1.26.4"}, "runs_done": 0}])
    {}
    """
    from simulator.cluster import RESULT_VERSIONS

    made = [a for a in attempts if a.get("runs_done", 1) or a.get("runs_failed", 0)]
    codes: list[dict[str, Any]] = []  # (one attempt of each code)
    for attempt in made:
        if not any(same_code(attempt, code) for code in codes):
            codes.append(attempt)
    found = {"orgsim code": sorted({_code(a) for a in codes})} if len(codes) > 1 else {}
    for key in RESULT_VERSIONS:
        values = {str(v) for a in made if (v := (a.get("versions") or {}).get(key)) is not None}
        if key not in ("orgsim", "orgsim code") and len(values) > 1:
            found[key] = sorted(values)
    return found


def versions_differ(folder: Path, attempts: Iterable[dict[str, Any]]) -> str | None:
    """A warning when ``folder``'s ``attempts`` were made by different code or package
    versions (:func:`differing_versions`); None if by the same, as far as recorded."""
    differ = differing_versions(attempts)
    if not differ:
        return None
    said = "; ".join(f"{key} {', '.join(values)}" for key, values in differ.items())
    return (
        f"{folder}: its runs were made by different versions ({said}): the runs of one may"
        " differ from what the other would have made; sweep again in one folder with one"
        " version to be sure"
    )


def _code(attempt: dict[str, Any]) -> str:
    """An attempt's code: its source digest, or ``<version> at <revision>``."""
    made = attempt.get("versions") or {}
    revision = attempt.get("code_revision") or "an unknown revision"
    return str(made.get("orgsim code") or f"{made.get('orgsim')} at {revision}")


def made_by(attempt: dict[str, Any], packages: Iterable[str] = ()) -> str:
    """``orgsim 0.1.0 at <revision> (code <digest>)``, as far as the attempt recorded it, then
    the versions of ``packages`` (``, numpy 2.5.5``)."""
    made = attempt.get("versions") or {}
    code = f" (code {made['orgsim code']})" if made.get("orgsim code") else ""
    others = "".join(f", {k} {made.get(k) or 'not recorded'}" for k in packages)
    return (
        f"orgsim {made.get('orgsim')} at {attempt.get('code_revision') or 'an unknown revision'}"
        f"{code}{others}"
    )


def code_revision() -> str | None:
    """The git commit of the simulator's source (``+dirty`` if modified), if it is a checkout."""
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PACKAGE,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."],
            cwd=PACKAGE,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("+dirty" if dirty.strip() else "")
