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


def same_code(attempt: dict[str, Any], mine: dict[str, Any]) -> bool:
    """Whether an attempt ran this code: the same source digest, or (recorded without one)
    the same orgsim version and code revision."""
    theirs = attempt.get("versions", {})
    if theirs.get("orgsim code"):
        return bool(theirs["orgsim code"] == mine["versions"]["orgsim code"])
    return (theirs.get("orgsim"), attempt.get("code_revision")) == (
        mine["versions"]["orgsim"],
        mine["code_revision"],
    )


def made_by(attempt: dict[str, Any]) -> str:
    """``orgsim 0.1.0 at <revision> (code <digest>)``, as far as the attempt recorded it."""
    made = attempt.get("versions", {})
    code = f" (code {made['orgsim code']})" if made.get("orgsim code") else ""
    return (
        f"orgsim {made.get('orgsim')} at {attempt.get('code_revision') or 'an unknown revision'}"
        f"{code}"
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
