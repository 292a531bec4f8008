"""The figure command renders every course figure from the reference solutions.

`python -m autograder figures --out DIR` (a real subprocess, Agg backend) must write every
PNG and GIF the manifests list (course/<id>/assignment.yaml, `figures`), non-empty, readable, with the size the
figure was drawn at (inches x DPI) and, for animations, several frames. Takes about 30 s.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograder import cmd_figures
from autograder.course import ASSIGNMENTS, REPO_ROOT

PIL = pytest.importorskip("PIL.Image")
pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    proc = subprocess.run([sys.executable, "-m", "autograder", "figures", "--out", str(out)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout


def test_every_figure_is_written(rendered):
    out, stdout = rendered
    expected = cmd_figures.expected_files()
    assert len(expected) == len(set(expected)), "two figures share a file name"
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)
    assert f"wrote {len(expected)} files" in stdout


def test_every_assignment_has_figures():
    assert {aid for _, aid, _ in cmd_figures.figures()} == set(ASSIGNMENTS)


@pytest.mark.parametrize("file", cmd_figures.expected_files())
def test_figure_file(rendered, file):
    out, _ = rendered
    path = out / file
    kind = path.suffix[1:]
    assert path.stat().st_size > 5_000, f"{path.name} is suspiciously small"
    with PIL.open(path) as im:
        im.load()
        w, h = im.size
        assert im.format == kind.upper()
        # sizes: figures are 7-13 in wide and 4-7 in high; PNG at 100 dpi, GIF at 72 dpi
        dpi = cmd_figures.DPI if kind == "png" else cmd_figures.GIF_DPI
        assert 7 * dpi - 2 <= w <= 13 * dpi + 2 and 4 * dpi - 2 <= h <= 7 * dpi + 2, (w, h)
        if kind == "gif":
            assert im.n_frames >= 8, f"{path.name}: only {im.n_frames} frames"
        else:
            # not a blank canvas: a real plot has many distinct colours
            assert len(im.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50


def test_figures_of_unfinished_work_are_reported(tmp_path):
    """With the student stubs (--path assignments) every figure is reported as not implemented."""
    written, problems = cmd_figures.render(tmp_path / "out", path=REPO_ROOT / "assignments",
                                           only=[next(iter(ASSIGNMENTS))], log=lambda *a: None)
    assert written == []
    assert problems and all("not implemented yet" in p for p in problems)


# ============================================================================ opening figures
nbformat = pytest.importorskip("nbformat")


@pytest.mark.parametrize("aid", sorted(cmd_figures.previews()))
def test_opening_figure_is_shipped_and_redrawn(aid):
    """Each notebook opens with a PNG of its key figure (rendered from the reference, copied into the
    release and the solutions unchanged) and later redraws the same figure from the student's module."""
    src = cmd_figures.preview_path(aid)
    assert src.is_file(), f"{src} missing: run `python -m autograder figures --previews`"
    for folder in ("assignments", "solutions"):
        copy = cmd_figures.preview_path(aid, folder=folder)
        assert copy.is_file() and copy.read_bytes() == src.read_bytes(), f"{copy} is not the released copy"
    with PIL.open(src) as im:
        im.load()
        w, h = im.size
        dpi = cmd_figures.PREVIEW_DPI
        assert im.format == "PNG" and 7 * dpi - 2 <= w <= 13 * dpi + 2 and 4 * dpi - 2 <= h <= 7 * dpi + 2, (w, h)
        assert len(im.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50
    nb = nbformat.read(REPO_ROOT / "source" / aid / f"{aid}.ipynb", as_version=4)
    intro = nb.cells[0]
    assert intro.cell_type == "markdown" and f"(figures/{src.name})" in intro.source, "the intro shows the figure"
    fn = cmd_figures.preview_function(aid)
    module = ASSIGNMENTS[aid].module
    assert any(c.cell_type == "code" and f"cp.{fn}({module}" in c.source for c in nb.cells), \
        f"no cell redraws {fn} from the student's {module}"
