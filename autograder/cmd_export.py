"""Export grades after batch grading: a wide CSV for a learning platform, or nbgrader's gradebook.

    python -m autograder export OUT --format csv [-o grades.csv]
    python -m autograder export OUT --format nbgrader [--db gradebook.db]

OUT is what `python -m autograder grade SUBMITTED --out OUT` wrote (OUT/gradebook.csv and
OUT/<student>/<assignment>/results.json; gradebook.csv is already a long CSV, one row per
submission).

csv       one row per student, one column per assignment (points), then total and
          maximum: the shape spreadsheet and LMS grade imports expect. Default OUT/grades.csv;
          --max-row adds a "(max)" row with each assignment's maximum.
nbgrader  writes the scores into an nbgrader gradebook (sqlite, default ./gradebook.db,
          the file `nbgrader` itself uses at the course root) through nbgrader's
          Gradebook API: every student and assignment is created if missing; each
          assignment gets a notebook named after its module (e.g. "penalties") with one
          autograded grade cell per function (and "quiz"), whose max_score is that
          function's points, and each submission's auto_score is set per function.
          Re-running updates the scores in place. `nbgrader export` or the formgrader
          then see them like any other grade.
"""
from __future__ import annotations

import argparse
import csv
import sys
import warnings
from collections import OrderedDict
from pathlib import Path

from .course import ASSIGNMENTS


def _grades(out: Path):
    from .cmd_report import load_grades

    grades = load_grades(out)
    if not grades:
        raise FileNotFoundError(f"no grading results in {out} (run `python -m autograder grade ... --out {out}`)")
    return grades


def _fmt(x: float) -> str:
    return f"{x:g}"


def export_csv(out: Path, dest: Path | None = None, max_row: bool = False) -> Path:
    """Wide CSV: student, one column per assignment, total, max_total (and a "(max)" row if asked)."""
    grades = _grades(out)
    aids = sorted({g.assignment for g in grades}, key=lambda a: (list(ASSIGNMENTS).index(a)
                                                                  if a in ASSIGNMENTS else 99, a))
    maxima = {a: max(g.max_score for g in grades if g.assignment == a) for a in aids}
    table: dict[str, dict[str, float]] = OrderedDict()
    for g in sorted(grades, key=lambda g: g.student):
        table.setdefault(g.student, {})[g.assignment] = g.score
    dest = Path(dest) if dest else Path(out) / "grades.csv"
    with dest.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student"] + aids + ["total", "max_total"])
        if max_row:
            writer.writerow(["(max)"] + [_fmt(maxima[a]) for a in aids] + [_fmt(sum(maxima.values())),
                                                                           _fmt(sum(maxima.values()))])
        for student, scores in table.items():
            writer.writerow([student] + [_fmt(scores.get(a, 0.0)) for a in aids]
                            + [_fmt(sum(scores.values())), _fmt(sum(maxima.values()))])
    return dest


def _cell_name(function: str) -> str:
    return function


def export_nbgrader(out: Path, db: Path) -> dict:
    """Write every graded submission into the nbgrader gradebook at `db` (created if missing)."""
    from nbgrader.api import Gradebook, Grade, MissingEntry, SubmittedNotebook

    grades = _grades(out)
    # the grade cells of each assignment: every function seen in its results, with its points
    cells: dict[str, OrderedDict] = {}
    for g in grades:
        fns = cells.setdefault(g.assignment, OrderedDict())
        per_fn: dict[str, float] = OrderedDict()
        for t in g.tests:
            per_fn[t.function] = per_fn.get(t.function, 0.0) + t.max_score
        for fn, points in per_fn.items():
            fns[fn] = max(fns.get(fn, 0.0), points)
    counts = {"students": 0, "assignments": 0, "grades": 0}
    db = Path(db).resolve()
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{db}") as gb:
        # nbgrader's add_submission builds its objects before adding them to the session,
        # which SQLAlchemy 2 reports as SAWarning; the rows are written all the same.
        warnings.filterwarnings("ignore", message=".*not in session.*")
        for aid, fns in cells.items():
            notebook = ASSIGNMENTS[aid].module if aid in ASSIGNMENTS else "autograder"
            gb.update_or_create_assignment(aid)
            gb.update_or_create_notebook(notebook, aid)
            for fn, points in fns.items():
                gb.update_or_create_grade_cell(_cell_name(fn), notebook, aid, max_score=points, cell_type="code")
            counts["assignments"] += 1
        students = sorted({g.student for g in grades})
        for s in students:
            gb.update_or_create_student(s)
        counts["students"] = len(students)
        for g in grades:
            notebook = ASSIGNMENTS[g.assignment].module if g.assignment in ASSIGNMENTS else "autograder"
            try:
                submission = gb.find_submission(g.assignment, g.student)
            except MissingEntry:
                submission = gb.add_submission(g.assignment, g.student)
            try:
                nb = gb.find_submission_notebook(notebook, g.assignment, g.student)
            except MissingEntry:  # the submission predates this notebook (e.g. made by nbgrader)
                nb = SubmittedNotebook(notebook=gb.find_notebook(notebook, g.assignment), assignment=submission)
                gb.db.add(nb)
                gb.db.commit()
            have = {grade.cell_id for grade in nb.grades}
            for cell in gb.find_notebook(notebook, g.assignment).grade_cells:
                if cell.id not in have:
                    gb.db.add(Grade(cell_id=cell.id, notebook=nb))
            gb.db.commit()
            per_fn: dict[str, float] = OrderedDict()
            for t in g.tests:
                per_fn[t.function] = per_fn.get(t.function, 0.0) + t.score
            for fn in cells[g.assignment]:
                grade = gb.find_grade(_cell_name(fn), notebook, g.assignment, g.student)
                grade.auto_score = per_fn.get(fn, 0.0)
                grade.needs_manual_grade = False
                counts["grades"] += 1
            gb.db.commit()
    return counts


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export grades: wide CSV, or into nbgrader's gradebook.db")
    p.add_argument("out", type=Path, metavar="OUT", help="the folder written by `python -m autograder grade --out OUT`")
    p.add_argument("--format", choices=["csv", "nbgrader"], default="csv")
    p.add_argument("-o", "--output", type=Path, default=None, help="CSV file to write (default: OUT/grades.csv)")
    p.add_argument("--max-row", action="store_true",
                   help="csv: add a '(max)' row with each assignment's maximum after the header")
    p.add_argument("--db", type=Path, default=Path("gradebook.db"),
                   help="nbgrader gradebook to update (default: ./gradebook.db, nbgrader's own)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    try:
        if args.format == "csv":
            path = export_csv(args.out, args.output, args.max_row)
            print(f"grades written to {path} (one row per student, one column per assignment)")
        else:
            counts = export_nbgrader(args.out, args.db)
            print(f"nbgrader gradebook {args.db}: {counts['students']} students, {counts['assignments']} "
                  f"assignments, {counts['grades']} grades (one per function) updated")
    except FileNotFoundError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # until `export` is listed in autograder/__main__.py's COMMANDS
    parser = argparse.ArgumentParser(prog="python -m autograder.cmd_export")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    sys.exit(main(parser.parse_args(["export"] + sys.argv[1:])))
