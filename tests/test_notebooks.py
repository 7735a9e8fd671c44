"""Every student notebook executes top to bottom, and none is committed with outputs.

The notebooks live in `notebooks/` as jupytext percent-format `.py` files (the source of
truth in git); each is read into a notebook and run in a fresh Jupyter kernel, in a scratch
working directory. The last cells of every notebook assert the claims its text makes, so a
change in the model that breaks a claim fails here.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext  # the dev extra installs these: a missing one is an error, not a skip
import nbclient
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("[0-9][0-9]_*.py"))
TIMEOUT = 600  # seconds per cell: generous for a busy CI machine, not a speed check


def this_python_kernel(folder: Path) -> Path:
    """A `python3` kernel spec that runs this interpreter, whatever else is installed."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (orgsim)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    return folder


def test_the_seven_notebooks_are_there() -> None:
    names = [path.stem for path in NOTEBOOKS]
    assert [name[:2] for name in names] == ["01", "02", "03", "04", "05", "06", "07"], names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = jupytext.read(path)
    assert notebook.cells[-1].cell_type == "markdown", "a notebook ends with its exercises"
    assert "Exercises" in notebook.cells[-1].source
    assert any("assert " in cell.source for cell in notebook.cells if cell.cell_type == "code")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws as it would for a student
    monkeypatch.setenv("JUPYTER_PATH", str(this_python_kernel(tmp_path / "jupyter")))
    work = tmp_path / "work"
    work.mkdir()
    if (path.parent / "data").is_dir():  # the tables a notebook reads, beside it as shipped
        shutil.copytree(path.parent / "data", work / "data")
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=TIMEOUT,
        resources={"metadata": {"path": str(work)}},  # files it writes go here
    )
    client.execute()
    images = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert images, f"{path.name} shows no figure"


def test_a_figure_shows_in_a_students_own_notebook_without_the_matplotlib_magic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped notebooks start with ``%matplotlib inline``; a student's own need not."""
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.setenv("JUPYTER_PATH", str(this_python_kernel(tmp_path / "jupyter")))
    run = (
        "from simulator import OrgModel, Params\n"
        "from simulator.plots import adoption_curves\n"
        "params = Params().with_updates({'org.size': 60, 'steps': 2})\n"
        "series = OrgModel(params, rng=1, agents=False).run().series()\n"
        "adoption_curves(series)"
    )
    notebook = jupytext.reads(f"{run}\n\n# %%\ndisplay(adoption_curves(series))", fmt="py:percent")
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=TIMEOUT)
    client.execute(cwd=str(tmp_path))
    shown = [[output.get("data", {}).keys() for output in cell.outputs] for cell in notebook.cells]
    assert all(any("image/png" in keys for keys in cell) for cell in shown), shown


def test_notebooks_use_only_the_public_api() -> None:
    for path in NOTEBOOKS:
        tree = ast.parse(path.read_text(encoding="utf-8"))  # magics are comments in .py
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "simulator":
                    private = [part for part in name.split(".") if part.startswith("_")]
                    assert not private, f"{path.name}:{node.lineno}: private import {name}"


def test_no_notebook_is_committed_with_outputs() -> None:
    """Only the text notebooks are tracked; `.ipynb` files are generated and ignored."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "notebooks"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not [name for name in tracked if name.endswith(".ipynb")]
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "notebooks/01_first_run.ipynb"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, "notebooks/*.ipynb should be ignored by git"


def test_text_notebooks_are_paired_percent_scripts() -> None:
    for path in NOTEBOOKS:
        notebook = jupytext.read(path)
        meta = notebook.metadata["jupytext"]
        assert meta["formats"] == "ipynb,py:percent", path.name
        assert notebook.metadata["kernelspec"]["name"] == "python3", path.name
        # Reading and writing back gives the same cells: saving the paired notebook in
        # JupyterLab does not rewrite the text file (the header may vary with jupytext's version).
        text = path.read_text(encoding="utf-8")
        again = jupytext.writes(notebook, fmt="py:percent")
        assert body(again) == body(text), path.name


def body(text: str) -> str:
    """A text notebook without its YAML header."""
    return text.split("# ---\n", 2)[2] if text.startswith("# ---\n") else text


def test_sync_makes_the_notebooks_jupyterlab_opens(tmp_path: Path) -> None:
    """What `./dev notebooks` runs before JupyterLab: each text file gets its `.ipynb` twin."""
    copies = []
    for path in NOTEBOOKS:
        copies.append(tmp_path / path.name)
        copies[-1].write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    command = [sys.executable, "-m", "jupytext", "--quiet", "--sync", *map(str, copies)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    for copy in copies:
        paired = jupytext.read(copy.with_suffix(".ipynb"))
        assert [c.source for c in paired.cells] == [c.source for c in jupytext.read(copy).cells]


def test_dev_and_readme_say_how_to_open_them() -> None:
    usage = subprocess.run(
        ["bash", str(ROOT / "dev"), "help"], capture_output=True, text=True, timeout=60
    ).stdout
    assert "notebooks" in usage
    assert "./dev notebooks" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "./dev notebooks" in (FOLDER / "README.md").read_text(encoding="utf-8")
