"""python -m autograder figures --out DIR: render every course figure (PNG) and animation (GIF).

The instructor's figure set is computed with the reference solutions (solutions/<id>/, loaded
with autograder.course.load_reference). `--path DIR` computes with the modules found in
DIR/<id>/<module>.py instead (e.g. `--path assignments` after working on the stubs: the
figures then show your own work). Plotting lives in the `course_plots` package at the
repository root; nothing here is imported by grading.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .course import ASSIGNMENTS, REPO_ROOT, import_path, load_reference

# The figures come from the manifests (course/<id>/assignment.yaml): `figures` maps each file
# (<stem>.png or <stem>.gif) to the course_plots function that draws it from the assignment's module,
# and `preview` names the figure that opens the notebook, shipped as an image (source/<id>/figures/,
# copied into the release) so that the phenomenon is seen before any code is written; the notebook
# redraws it from the student's module later. Written by `python -m autograder figures --previews`.
PREVIEW_DPI = 72
DPI = 100       # PNG pixels = figure inches * DPI
GIF_DPI = 72
GIF_FPS = 6


def figures() -> list[tuple[str, str, str]]:
    """(file name, assignment id, function of course_plots) of every figure, assignment by assignment."""
    return [(file, a.id, _plot_function(a, target)) for a in ASSIGNMENTS.values() for file, target in a.figures.items()]


def _plot_function(a, target: str) -> str:
    package, _, name = target.rpartition(".")
    if package != "course_plots" or not name.isidentifier():
        raise ValueError(f"course/{a.id}/assignment.yaml: figure function {target!r} is not course_plots.<name>")
    return name


def previews() -> dict[str, str]:
    """{assignment id: file name of the figure that opens its notebook}."""
    return {a.id: a.preview for a in ASSIGNMENTS.values() if a.preview}


def expected_files() -> list[str]:
    return [file for file, _, _ in figures()]


def preview_path(assignment_id: str, root: Path = REPO_ROOT, folder: str = "source") -> Path:
    """Where the opening figure of an assignment lives (the notebook links figures/<file>)."""
    return root / folder / assignment_id / "figures" / previews()[assignment_id]


def preview_function(assignment_id: str) -> str:
    a = ASSIGNMENTS[assignment_id]
    return _plot_function(a, a.figures[a.preview])


def write_previews(only: list[str] | None = None, log=print) -> list[Path]:
    """Render each notebook's opening figure from the reference solution into source/<id>/figures/."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sys.path.insert(0, str(REPO_ROOT))
    import course_plots

    written = []
    for aid in previews():
        if only and aid not in only:
            continue
        target = preview_path(aid)
        target.parent.mkdir(parents=True, exist_ok=True)
        fig = getattr(course_plots, preview_function(aid))(load_reference(ASSIGNMENTS[aid]))
        # no timestamp or software name in the PNG: the file changes only when the picture does
        fig.savefig(target, dpi=PREVIEW_DPI, metadata={"Software": None})
        plt.close(fig)
        written.append(target)
        log(f"  {target.relative_to(REPO_ROOT)}")
    return written


def _module_for(assignment_id: str, path: Path | None):
    a = ASSIGNMENTS[assignment_id]
    if path is None:
        return load_reference(a)
    file = Path(path) / a.id / a.filename
    if not file.exists():
        raise FileNotFoundError(f"{file} not found")
    return import_path(file, f"_figures_{a.module}")


def render(out: Path, path: Path | None = None, only: list[str] | None = None, log=print) -> tuple[list[Path], list[str]]:
    """Write the figures into `out`; return (files written, problems)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import PillowWriter

    sys.path.insert(0, str(REPO_ROOT))
    import course_plots

    out.mkdir(parents=True, exist_ok=True)
    written, problems = [], []
    for file, aid, fn in figures():
        if only and aid not in only:
            continue
        target = out / file
        start = time.perf_counter()
        try:
            module = _module_for(aid, path)
            obj = getattr(course_plots, fn)(module)
            if target.suffix == ".gif":
                obj.save(target, writer=PillowWriter(fps=GIF_FPS), dpi=GIF_DPI)
                plt.close(obj._fig)
            else:
                obj.savefig(target, dpi=DPI)
                plt.close(obj)
        except NotImplementedError:
            problems.append(f"{target.name}: {aid} is not implemented yet")
            plt.close("all")
            continue
        except Exception as exc:  # report every failing figure, not just the first
            problems.append(f"{target.name}: {type(exc).__name__}: {exc}")
            plt.close("all")
            continue
        written.append(target)
        log(f"  {target.name:<36} {time.perf_counter() - start:5.1f} s")
    return written, problems


def add_parser(sub) -> None:
    p = sub.add_parser("figures", help="render every course figure (PNG) and animation (GIF) into a folder")
    p.add_argument("--out", default="figures", help="output folder (default: ./figures)")
    p.add_argument("--path", default=None,
                   help="compute with the modules in PATH/<id>/ (default: the reference solutions)")
    p.add_argument("--previews", action="store_true",
                   help="write each notebook's opening figure (reference solution) into source/<id>/figures/; "
                        "then run `python -m autograder release` to copy them into the release")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="only these assignments")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    from .course import find_assignment

    only = [find_assignment(a).id for a in args.assignments] or None
    if args.previews:
        written = write_previews(only)
        print(f"wrote {len(written)} opening figures")
        return 0
    out = Path(args.out)
    written, problems = render(out, Path(args.path) if args.path else None, only)
    print(f"wrote {len(written)} files to {out}/")
    if problems:
        print("could not render:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    return 0
