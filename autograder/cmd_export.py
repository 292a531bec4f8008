"""Export grades after batch grading: a wide CSV for a learning platform, or nbgrader's gradebook.

    python -m autograder export OUT --format csv [-o grades.csv]
    python -m autograder export OUT --format nbgrader [--db gradebook.db]

OUT is what `python -m autograder grade SUBMITTED --out OUT` wrote; the grades are read from its
record, OUT/grades.sqlite (autograder/store.py, through autograder/results.py). OUT/gradebook.csv
is already a long CSV, one row per submission.

csv       one row per student, one column per assignment (points), then total and
          maximum: the shape spreadsheet and LMS grade imports expect. Default OUT/grades.csv;
          --max-row adds a "(max)" row with each assignment's maximum.
nbgrader  writes the scores into an nbgrader gradebook (sqlite, default ./gradebook.db,
          the file `nbgrader` itself uses at the course root) through nbgrader's
          Gradebook API, into the assignment notebook's own autograded test cells
          (`test-<function>` and `test-quiz`, see autograder/nbgrader_plugin.py): exactly the
          grades `nbgrader autograde` would record, so the two paths agree and every nbgrader
          command keeps working afterwards (no cell or notebook is added to the gradebook).
          The assignment must be registered first (`nbgrader generate_assignment <id>`);
          students and submissions are created if missing. Re-running updates in place.
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


class ExportError(ValueError):
    """The gradebook cannot take these grades (said in one line)."""


def export_nbgrader(out: Path, db: Path, course_id: str = "regularization") -> dict:
    """Write every graded submission's per-function scores into the notebook's test cells."""
    from nbgrader.api import Gradebook, MissingEntry

    from .nbgrader_plugin import grade_cell_id

    grades = _grades(out)
    counts = {"students": 0, "assignments": 0, "grades": 0}
    db = Path(db).resolve()
    if not db.is_file():
        raise ExportError(f"no nbgrader gradebook at {db}: run `nbgrader generate_assignment <id>` at the course "
                          "root first (it creates gradebook.db and registers the notebooks and their cells)")
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{db}", course_id) as gb:
        # nbgrader's add_submission builds its objects before adding them to the session,
        # which SQLAlchemy 2 reports as SAWarning; the rows are written all the same.
        warnings.filterwarnings("ignore", message=".*not in session.*")
        cells: dict[str, dict[str, object]] = {}
        for aid in sorted({g.assignment for g in grades}):
            try:
                notebook = gb.find_notebook(aid, aid)
            except MissingEntry:
                raise ExportError(f"assignment {aid} is not registered in {db.name}: run "
                                  f"`nbgrader generate_assignment {aid}` at the course root first") from None
            cells[aid] = {c.name: c for c in notebook.grade_cells}
            counts["assignments"] += 1
        for g in grades:
            for fn, top in ((f.function, f.max_score) for f in g.functions().values()):
                cell = cells[g.assignment].get(grade_cell_id(fn))
                if cell is None or abs(float(cell.max_score) - top) > 1e-9:
                    have = "no such cell" if cell is None else f"{float(cell.max_score):g} points"
                    raise ExportError(f"{g.assignment}: the notebook's test cell for {fn} does not match the "
                                      f"grading ({have}, grading gives {top:g}): rebuild the notebooks "
                                      "(python tools/build_notebooks.py), release, and run "
                                      f"`nbgrader generate_assignment {g.assignment}` again")
        for student in sorted({g.student for g in grades}):
            gb.update_or_create_student(student)
            counts["students"] += 1
        for g in grades:
            try:
                gb.find_submission(g.assignment, g.student)
            except MissingEntry:
                gb.add_submission(g.assignment, g.student)
            for fn, score in ((f.function, f.score) for f in g.functions().values()):
                grade = gb.find_grade(grade_cell_id(fn), g.assignment, g.assignment, g.student)
                grade.auto_score = score
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
    p.add_argument("--course-id", default="regularization",
                   help="nbgrader course id (default: regularization, as in nbgrader_config.py)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    try:
        if args.format == "csv":
            path = export_csv(args.out, args.output, args.max_row)
            print(f"grades written to {path} (one row per student, one column per assignment)")
        else:
            counts = export_nbgrader(args.out, args.db, args.course_id)
            print(f"nbgrader gradebook {args.db}: {counts['students']} students, {counts['assignments']} "
                  f"assignments, {counts['grades']} grades (one per test cell) updated")
    except (FileNotFoundError, ExportError) as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # until `export` is listed in autograder/__main__.py's COMMANDS
    parser = argparse.ArgumentParser(prog="python -m autograder.cmd_export")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    sys.exit(main(parser.parse_args(["export"] + sys.argv[1:])))
