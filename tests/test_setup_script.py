"""Tests of the `dev` script's usage text and Python finder (fast: no venv is created).

The finder is exercised through `./dev which-python` in a scratch environment whose only
"Pythons" are tiny shell scripts that print a version, so no real interpreter is run.
"""

import glob
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "dev"
BASH = shutil.which("bash") or "/bin/bash"


def fake_python(path: Path, version: str | None) -> Path:
    """A stand-in interpreter: prints `version` whatever it is asked, or fails like a shim."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = f"echo {version}" if version else "echo 'pyenv: command not found' >&2; exit 127"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def run_dev(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, str(DEV), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def scratch(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """An environment with no Python >= 3.12 visible: (env, bin dir on PATH, PYENV_ROOT)."""
    fakebin = tmp_path / "bin"
    pyenv_root = tmp_path / "pyenv"
    (pyenv_root / "versions").mkdir(parents=True)
    home = tmp_path / "home"
    home.mkdir()
    fake_python(fakebin / "python3", "3.11.9")
    fake_python(fakebin / "python3.12", None)  # like the pyenv shim when 3.12 is not global
    env = {
        "PATH": f"{fakebin}:/usr/bin:/bin",
        "HOME": str(home),
        "PYENV_ROOT": str(pyenv_root),
        "LANG": "C.UTF-8",
    }
    return env, fakebin, pyenv_root


def system_has_new_python() -> bool:
    """The finder always looks at these fixed paths, which a test cannot hide."""
    paths = glob.glob("/usr/bin/python3.1[2-9]") + glob.glob("/usr/local/bin/python3.1[2-9]")
    return any(os.access(p, os.X_OK) for p in paths)


def test_unknown_command_prints_usage_and_exits_2() -> None:
    result = run_dev("nonsense")
    assert result.returncode == 2
    assert "Usage: ./dev" in result.stderr
    for command in ("setup", "test", "main", "which-python"):
        assert command in result.stderr


def test_help_exits_0() -> None:
    result = run_dev("help")
    assert result.returncode == 0
    assert "Usage: ./dev" in result.stdout


@pytest.mark.skipif(system_has_new_python(), reason="a system Python >= 3.12 is always visible")
def test_no_python_312_gives_helpful_error(scratch: tuple[dict[str, str], Path, Path]) -> None:
    env, fakebin, _ = scratch
    result = run_dev("which-python", env=env)
    assert result.returncode == 1
    assert result.stdout == ""
    err = result.stderr
    assert "no Python >= 3.12 found" in err
    assert "pyenv install 3.12" in err
    assert "ORGSIM_PYTHON" in err
    assert f"{fakebin}/python3 (3.11.9)" in err  # says what it found and rejected
    assert f"{fakebin}/python3.12 (does not run)" in err


def test_prefers_pyenv_312_over_313_and_ignores_failing_shim(
    scratch: tuple[dict[str, str], Path, Path],
) -> None:
    env, fakebin, pyenv_root = scratch
    fake_python(fakebin / "python3.13", "3.13.0")
    fake_python(pyenv_root / "versions" / "3.11.7" / "bin" / "python3", "3.11.7")
    wanted = fake_python(pyenv_root / "versions" / "3.12.1" / "bin" / "python3", "3.12.1")
    result = run_dev("which-python", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(wanted)


def test_orgsim_python_override(scratch: tuple[dict[str, str], Path, Path], tmp_path: Path) -> None:
    env, _, _ = scratch
    good = fake_python(tmp_path / "mine" / "python", "3.13.2")
    result = run_dev("which-python", env={**env, "ORGSIM_PYTHON": str(good)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(good)

    old = fake_python(tmp_path / "old" / "python", "3.11.4")
    result = run_dev("which-python", env={**env, "ORGSIM_PYTHON": str(old)})
    assert result.returncode == 1
    assert "ORGSIM_PYTHON" in result.stderr
    assert "3.11.4" in result.stderr
