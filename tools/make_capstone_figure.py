"""Render the picture that opens the 08_capstone notebook, from the reference (the output is committed).

    python tools/make_capstone_figure.py     # writes source/08_capstone/generalization_gap.png
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = ROOT / "source" / "08_capstone" / "generalization_gap.png"


def main() -> None:
    import matplotlib
    matplotlib.use("Agg")
    from autograder.course import ASSIGNMENTS, load_reference
    from course_plots.capstone import fig_generalization_gap

    fig = fig_generalization_gap(load_reference(ASSIGNMENTS["08_capstone"]))
    # no timestamp or version in the file: the same figure gives the same bytes
    fig.savefig(TARGET, dpi=100, metadata={"Software": None})
    print(f"wrote {TARGET.relative_to(ROOT)}: {fig.numbers}")


if __name__ == "__main__":
    main()
