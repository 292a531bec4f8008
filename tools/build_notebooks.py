"""Write the nbgrader source notebooks source/<id>/<id>.ipynb from readable Python.

    python tools/build_notebooks.py            # write all notebooks
    python tools/build_notebooks.py 03         # only some
    python tools/build_notebooks.py --check    # fail if a committed notebook differs

The prose lives in course/<id>/notebook.py (one per assignment, a function build(b) calling the
helpers below, with the shared pieces of tools/notebooks/); the committed source/<id>/<id>.ipynb is what counts, and
`python -m autograder release` turns it into assignments/ and solutions/.

Cell kinds and their nbgrader metadata (schema 3):
  md(text)            read-only markdown          locked
  code(src)           read-only code              locked
  setup()             the first code cell: paths, autoreload, one-line NotImplementedError
  check(fn, ...)      one autograded test cell per function (grade id test-<fn>, the function's
                      points in the suites): the student sees the public checks, same report as
                      `python -m autograder check`; `nbgrader autograde` writes the full grade
                      there (autograder/nbgrader_plugin.py). Functions a notebook does not check
                      get their test cell in a closing section, so every graded function has one.
  question(text) + answer(id, points, model)
                      the question is read-only; the answer is a manually graded markdown cell
                      (solution + grade): the release shows "YOUR ANSWER HERE", the solutions
                      notebook the model answer
  exercise(id, src) + tests(id, points, src)
                      an autograded code exercise: ### BEGIN/END SOLUTION in the exercise,
                      ### BEGIN/END HIDDEN TESTS in the tests (stripped from the release)
  scratch(src)        an editable, ungraded code cell for the student's own experiments
  quiz()              how to take the quiz, and the autograded test cell of the quiz (test-quiz)
Cell ids are derived from the grade ids, so the output is byte-stable.
"""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from autograder.course import ASSIGNMENTS  # noqa: E402
from autograder.nbgrader_plugin import function_points, quiz_points, grade_cell_id  # noqa: E402

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "codemirror_mode": {"name": "ipython", "version": 3},
                 "file_extension": ".py", "mimetype": "text/x-python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3", "version": "3.11"}


class Builder:
    """Collects the cells of one notebook."""

    def __init__(self, assignment_id: str):
        self.a = ASSIGNMENTS[assignment_id]
        self.cells = []
        self.ids = set()
        self.counter = 0
        self.points = function_points(self.a)   # graded functions and their points (the suites)
        self.tested: list[str] = []

    # ------------------------------------------------------------------ low level
    def _meta(self, grade_id, *, grade=False, solution=False, locked=False, task=False, points=None):
        meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
                "solution": solution, "task": task}
        if points is not None:
            meta["points"] = points
        return {"nbgrader": meta}

    def _id(self, grade_id=None):
        if grade_id is None:
            self.counter += 1
            grade_id = f"cell-{self.counter:03d}"
        if grade_id in self.ids:
            raise ValueError(f"{self.a.id}: duplicate grade id {grade_id}")
        self.ids.add(grade_id)
        return grade_id

    def _add(self, cell, grade_id):
        cell.id = grade_id
        self.cells.append(cell)
        return cell

    # ------------------------------------------------------------------ cell kinds
    def md(self, text, grade_id=None):
        gid = self._id(grade_id)
        return self._add(nbformat.v4.new_markdown_cell(text.strip("\n"), metadata=self._meta(gid, locked=True)), gid)

    def code(self, src, grade_id=None):
        gid = self._id(grade_id)
        return self._add(nbformat.v4.new_code_cell(src.strip("\n"), metadata=self._meta(gid, locked=True)), gid)

    def scratch(self, src="", grade_id=None):
        """Editable code cell without nbgrader metadata (the student's playground)."""
        gid = self._id(grade_id)
        return self._add(nbformat.v4.new_code_cell(src.strip("\n")), gid)

    def setup(self):
        m = self.a.module
        return self.code(f'''
# Setup: run this cell first (Shift+Enter). It makes your module `{m}.py` (in this folder)
# and the course tools importable, reloads your module whenever you save it, and turns a
# NotImplementedError from a function you have not written yet into one short message.
%load_ext autoreload
%autoreload 2
%matplotlib inline
import sys
from pathlib import Path

HERE = Path.cwd()
ROOT = next((p for p in (HERE, *HERE.parents) if (p / "autograder" / "__init__.py").is_file()),
            HERE.parents[1])
for _p in (str(ROOT), str(HERE)):  # this folder first: your {m}.py wins
    if _p in sys.path:
        sys.path.remove(_p)
    sys.path.insert(0, _p)

import numpy as np
import matplotlib.pyplot as plt
import course_plots as cp
from course_plots import run_check

cp.notebook_setup()
np.set_printoptions(precision=4, suppress=True)

import {m}  # your module
print("using", Path({m}.__file__).relative_to(ROOT) if ROOT in Path({m}.__file__).parents else {m}.__file__)
''', grade_id="setup")

    def check(self, *functions):
        """One autograded test cell per function: its public checks now, its full grade in autograde."""
        for fn in functions:
            if fn not in self.points:
                raise ValueError(f"{self.a.id}: no graded function {fn!r} (the suites grade {list(self.points)})")
            self.tested.append(fn)
            points = self.points[fn]
            self.tests(grade_cell_id(fn), points, f'''
# Tests of {fn} ({points:g} points). Here: its public checks, as `python -m autograder check {self.a.id[:2]}`.
# When you are graded, all of its tests (hidden ones too) run on the {self.a.filename} you submit.
run_check("{self.a.id}", ".", ["{fn}"]);''')

    def untested(self):
        """Test cells of the graded functions that no check() of the notebook covered."""
        missing = [fn for fn in self.points if fn not in self.tested]
        if not missing:
            return
        self.md(f"""
## The other graded functions

The functions below are graded too; run each cell to see its public checks.""", grade_id="other-tests-intro")
        self.check(*missing)

    def question(self, text, grade_id=None):
        return self.md(text, grade_id)

    def answer(self, grade_id, points, model):
        gid = self._id(grade_id)
        cell = nbformat.v4.new_markdown_cell(model.strip("\n"),
                                             metadata=self._meta(gid, grade=True, solution=True, points=points))
        return self._add(cell, gid)

    def exercise(self, grade_id, src):
        gid = self._id(grade_id)
        cell = nbformat.v4.new_code_cell(src.strip("\n"), metadata=self._meta(gid, solution=True))
        return self._add(cell, gid)

    def tests(self, grade_id, points, src):
        gid = self._id(grade_id)
        cell = nbformat.v4.new_code_cell(src.strip("\n"),
                                         metadata=self._meta(gid, grade=True, locked=True, points=points))
        return self._add(cell, gid)

    def quiz(self):
        self.untested()   # every graded function has its test cell before the quiz
        aid = self.a.id
        self.md(f'''
## Quiz

The quiz has graded questions, which count in your grade, and practice questions, which do
not. Take the graded ones here (set `TAKE_QUIZ = True` and run the cell: each question is
asked in an input box) or in a terminal with `python -m autograder quiz {aid}`. Your answers
are saved in `quiz_answers.yaml` in this folder, which you submit; they are checked when your
submission is graded, and the explanations come back with your grade. Some questions have
personal numbers: put the variant token your instructor gave you in `VARIANT`. The practice
questions (`PRACTICE = True`) are checked and explained right after each answer.''', grade_id="quiz-intro")
        self.code(f'''
from autograder.quiz import take_quiz

TAKE_QUIZ = False
PRACTICE = False
VARIANT = None   # your variant token, e.g. "v-0123456789abcdef"
if TAKE_QUIZ:
    take_quiz("{aid}", variant=VARIANT)
if PRACTICE:
    take_quiz("{aid}", practice=True)''', grade_id="quiz")
        points = quiz_points(self.a)
        return self.tests(grade_cell_id("quiz"), points, f'''
# The quiz ({points:g} points): your quiz_answers.yaml in this folder is graded here when you are graded.
print("quiz answers: quiz_answers.yaml")''')

    # ------------------------------------------------------------------ output
    def notebook(self):
        self.untested()
        nb = nbformat.v4.new_notebook()
        nb.metadata = {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO}
        nb.cells = self.cells
        nbformat.validate(nb)
        return nb


def notebook_builder(assignment):
    """course/<id>/notebook.py, imported inside the `notebooks` package (tools/notebooks/) so that its
    `from .common import intro` reaches the shared helpers."""
    path = assignment.folder() / "notebook.py"
    name = f"notebooks.{assignment.module}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def build(assignment_id: str) -> str:
    b = Builder(assignment_id)
    module = notebook_builder(ASSIGNMENTS[assignment_id])
    module.build(b)
    return nbformat.writes(b.notebook(), version=4) + "\n"


def target(assignment_id: str) -> Path:
    return ROOT / "source" / assignment_id / f"{assignment_id}.ipynb"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("assignments", nargs="*")
    p.add_argument("--check", action="store_true")
    args = p.parse_args(argv)
    ids = [a for a in ASSIGNMENTS if not args.assignments or any(a.startswith(x) for x in args.assignments)]
    stale = []
    for aid in ids:
        if not (ASSIGNMENTS[aid].folder() / "notebook.py").exists():
            continue
        text = build(aid)
        path = target(aid)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print("wrote", path.relative_to(ROOT))
    if stale:
        print("out of date (run python tools/build_notebooks.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
