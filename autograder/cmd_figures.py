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

# (file stem, assignment id, function name in course_plots, kind)
FIGURES = [
    ("01_penalties_and_gradients", "01_penalties", "fig_penalties", "png"),
    ("01_scalar_minimizers", "01_penalties", "fig_scalar_minimizers", "png"),
    ("02_threshold_maps", "02_proximal", "fig_threshold_maps", "png"),
    ("02_l1_vs_ols", "02_proximal", "fig_lasso_vs_ols", "png"),
    ("02_l2_vs_ols", "02_proximal", "fig_ridge_vs_ols", "png"),
    ("02_ista_vs_fista", "02_proximal", "fig_ista_vs_fista", "png"),
    ("02_l1_path", "02_proximal", "anim_lasso_path", "gif"),
    ("02_l2_path", "02_proximal", "anim_ridge_path", "gif"),
    ("03_dropout_masks", "03_dropout", "fig_dropout_masks", "png"),
    ("03_dropout_variance", "03_dropout", "fig_dropout_variance", "png"),
    ("03_dropout", "03_dropout", "anim_dropout", "gif"),
    ("04_label_smoothing_targets", "04_label_smoothing", "fig_label_smoothing_targets", "png"),
    ("04_label_smoothing_gradient", "04_label_smoothing", "fig_label_smoothing_gradient", "png"),
    ("04_label_smoothing", "04_label_smoothing", "anim_label_smoothing", "gif"),
    ("05_adam_l2_vs_adamw", "05_optimizers", "fig_adam_l2_vs_adamw", "png"),
    ("05_sgd_weight_decay", "05_optimizers", "fig_sgd_weight_decay", "png"),
    ("06_spectral_filters", "06_early_stopping", "fig_spectral_filters", "png"),
    ("06_early_stopping_curve", "06_early_stopping", "fig_early_stopping_curve", "png"),
    ("07_batchnorm_vs_layernorm", "07_normalization_and_more", "fig_batchnorm_vs_layernorm", "png"),
    ("07_mixup", "07_normalization_and_more", "fig_mixup", "png"),
    ("07_batchnorm_vs_layernorm", "07_normalization_and_more", "anim_batchnorm_vs_layernorm", "gif"),
    # regularization on held-out data (course_plots/generalization.py)
    ("01_heldout_error_vs_lambda", "01_penalties", "fig_penalty_heldout", "png"),
    ("01_l1_l2_geometry", "01_penalties", "fig_l1_l2_geometry", "png"),
    ("02_lasso_ridge_heldout", "02_proximal", "fig_lasso_ridge_heldout", "png"),
    ("02_max_norm_sgd", "02_proximal", "fig_max_norm_sgd", "png"),
    ("03_dropout_heldout", "03_dropout", "fig_dropout_heldout", "png"),
    ("04_label_smoothing_calibration", "04_label_smoothing", "fig_label_smoothing_calibration", "png"),
    ("07_batchnorm_inference", "07_normalization_and_more", "fig_batchnorm_inference", "png"),
    ("07_augmentation", "07_normalization_and_more", "fig_augmentation", "png"),
    ("08_generalization_gap", "08_capstone", "fig_generalization_gap", "png"),
    ("08_regularizer_sweep", "08_capstone", "fig_regularizer_sweep", "png"),
]
# The figure that opens each notebook, shipped as an image (source/<id>/figures/<stem>.png, copied
# into the release) so that the phenomenon is seen before any code is written; the notebook
# redraws it from the student's module later. Written by `python -m autograder figures --previews`.
PREVIEWS = {
    "01_penalties": "01_heldout_error_vs_lambda",
    "02_proximal": "02_lasso_ridge_heldout",
    "03_dropout": "03_dropout_heldout",
    "04_label_smoothing": "04_label_smoothing_calibration",
    "05_optimizers": "05_adam_l2_vs_adamw",
    "06_early_stopping": "06_early_stopping_curve",
    "07_normalization_and_more": "07_batchnorm_inference",
}
PREVIEW_DPI = 72
DPI = 100       # PNG pixels = figure inches * DPI
GIF_DPI = 72
GIF_FPS = 6


def expected_files() -> list[str]:
    return [f"{stem}.{kind}" for stem, _, _, kind in FIGURES]


def preview_path(assignment_id: str, root: Path = REPO_ROOT, folder: str = "source") -> Path:
    """Where the opening figure of an assignment lives (the notebook links figures/<stem>.png)."""
    return root / folder / assignment_id / "figures" / f"{PREVIEWS[assignment_id]}.png"


def preview_function(assignment_id: str) -> str:
    return next(fn for stem, aid, fn, kind in FIGURES if stem == PREVIEWS[assignment_id] and kind == "png")


def write_previews(only: list[str] | None = None, log=print) -> list[Path]:
    """Render each notebook's opening figure from the reference solution into source/<id>/figures/."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sys.path.insert(0, str(REPO_ROOT))
    import course_plots

    written = []
    for aid in PREVIEWS:
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
    for stem, aid, fn, kind in FIGURES:
        if only and aid not in only:
            continue
        target = out / f"{stem}.{kind}"
        start = time.perf_counter()
        try:
            module = _module_for(aid, path)
            obj = getattr(course_plots, fn)(module)
            if kind == "gif":
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
