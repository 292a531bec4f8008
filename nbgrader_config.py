"""nbgrader configuration: nbgrader's course directory mapped onto this repository.

An instructor can run nbgrader's own commands from the repository root, unchanged:

    nbgrader generate_assignment 01_penalties     # source/01_penalties -> assignments/01_penalties
    nbgrader generate_solution 01_penalties       # source/01_penalties -> solutions/01_penalties
    nbgrader autograde / formgrader / generate_feedback ...   (usual nbgrader workflow)

and gets the same files as `python -m autograder release 01_penalties` (the tests compare
them byte for byte).  The release command is still the one that keeps the committed folders
in sync (`python -m autograder release --check`).

Why more than a directory mapping is needed
-------------------------------------------
nbgrader only knows how to clear solutions and hidden tests inside *notebooks*; every other
file of source/<id>/ it copies unchanged.  Two kinds of files there must never be copied
as they are:

* source/<id>/<module>.py   the master module, whose ### BEGIN/END SOLUTION regions hold
                            the reference code;
* source/<id>/quiz.yaml     the quiz with its plain-text answer keys.

So (1) `CourseDirectory.ignore` lists those files *by absolute glob under source/* (nbgrader
joins each ignore pattern to the file's folder, so an absolute pattern only ever matches
files inside source/: student modules in submitted/ and autograded/ are still copied by
collect/autograde as usual), and (2) a `post_convert_hook` writes their processed versions
(stub module and salted-hash quiz for the release, marker-free module and quiz for the
solutions) with the very functions the release command uses.  If the hook fails, nbgrader
only logs it; the raw files have not been copied anyway, so nothing leaks (the release
simply lacks the stub - rerun `python -m autograder release`).
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

# ------------------------------------------------------------------ course directory layout
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "regularization"
c.CourseDirectory.source_directory = "source"          # master copies (instructor)
c.CourseDirectory.release_directory = "assignments"    # what students get
c.CourseDirectory.solution_directory = "solutions"     # reference solutions (instructor only)
# submitted/, autograded/, feedback/ and gradebook.db keep nbgrader's default names.

# ------------------------------------------------------------------ files nbgrader must not copy
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".DS_Store",
    # Absolute globs: only files under source/ can match (see the module docstring). nbgrader
    # spells the source folder of an assignment "source/./<id>" (student id "."), hence both forms.
    *(os.path.join(str(ROOT), "source", *dot, "*", name)
      for dot in ((), (".",))
      for name in ("*.py",         # master modules (solution regions)
                   "quiz.yaml")),  # plain-text quiz keys
]


def _companions(step):
    """post_convert_hook: write the processed module/quiz next to nbgrader's notebook."""
    def hook(assignment, student, notebooks, **kwargs):
        from autograder import nbrelease
        # nbgrader passes the id as typed (it may be a glob such as "*"); the notebooks it
        # has just converted name the assignment actually processed.
        if notebooks:
            assignment = Path(notebooks[0]).parent.name
        nbrelease.write_companions(ROOT, assignment, step)
    return hook


c.GenerateAssignment.post_convert_hook = _companions("release")
c.GenerateSolution.post_convert_hook = _companions("solution")

# ------------------------------------------------------------------ what generate_* does to notebooks
# generate_assignment keeps nbgrader's own preprocessor chain (clear solutions, clear hidden
# tests, lock cells, checksums); autograder.nbrelease applies the same chain.
# generate_solution: nbgrader would also *execute* the notebook and store its outputs; the
# committed solutions/ notebooks are kept output-free so that `release --check` stays byte
# exact on every machine, so execution is dropped here.  tests/test_notebooks.py executes
# every solutions notebook under a real kernel instead.
from nbgrader.preprocessors import ClearMarkScheme, ClearOutput, IncludeHeaderFooter, LockCells  # noqa: E402

c.GenerateSolution.preprocessors = [IncludeHeaderFooter, LockCells, ClearOutput, ClearMarkScheme]

# ------------------------------------------------------------------ execution (autograde, validate)
# One kernel name everywhere (the CI setup installs the `python3` kernelspec) and a per-cell
# limit: no cell of a course notebook needs more than a few seconds with a correct solution;
# 120 s leaves room for slow machines while stopping a runaway student loop.
c.Execute.kernel_name = "python3"
c.Execute.timeout = 120
c.Execute.startup_timeout = 60

# ------------------------------------------------------------------ autograde: the module's grade
# Each notebook has one autograded test cell per graded function (test-<function>) and one for
# the quiz (test-quiz). After nbgrader executed the notebook, GradeWithAutograder grades the
# submission's module in the sandbox (as `python -m autograder grade`) and writes each test cell's
# feedback and score, which nbgrader's SaveAutoGrades then records as partial credit
# (autograder/nbgrader_plugin.py). OverwriteCells adds back any test cell a student deleted.
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute,  # noqa: E402
                                    IgnorePattern, LimitOutput, SaveAutoGrades)
from nbgrader.preprocessors.base import NbGraderPreprocessor  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402

try:
    from autograder.course import ASSIGNMENTS
    from autograder.nbgrader_plugin import GradeWithAutograder, RemoveRubrics
except ImportError as _exc:
    _missing = str(_exc)   # (the name _exc itself is cleared when the except block ends)
    # Fail closed: without the grader, nbgrader would give every test cell that ran without an
    # error full credit. Every other nbgrader command still works.
    ASSIGNMENTS = {}

    class GradeWithAutograder(NbGraderPreprocessor):
        def preprocess(self, nb, resources):
            raise RuntimeError(f"the autograder package cannot be imported ({_missing}); "
                               "run nbgrader from the course root with the course's requirements installed")

    class RemoveRubrics(NbGraderPreprocessor):   # nothing was inserted without the package
        def preprocess(self, nb, resources):
            return nb, resources

c.Autograde.autograde_preprocessors = [Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       GradeWithAutograder, SaveAutoGrades, AssignLatePenalties,
                                       CheckCellMetadata]
c.OverwriteCells.add_missing_cells = True

# formgrader shows the autograded notebook: autograde put each written answer's rubric under it;
# the students' feedback leaves the rubrics out.
from nbgrader.preprocessors import GetGrades  # noqa: E402
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402

c.GenerateFeedback.preprocessors = [RemoveRubrics, GetGrades, CSSHTMLHeaderPreprocessor]

# autograde copies the source folder's non-notebook files over the student's: never over what the
# student wrote (the module and the quiz answer sheet).
c.Autograde.exclude_overwriting = {a.id: [a.filename, "quiz_answers.yaml"] for a in ASSIGNMENTS.values()}

# ------------------------------------------------------------------ generate_assignment on a fresh clone
# The release is committed, so without --force nbgrader would print "Skipping existing assignment"
# and never register the assignment (and its cells) in gradebook.db, which autograde needs.
# Regenerating writes the same bytes (tests/test_release.py), so forcing is harmless.
c.GenerateAssignment.force = True

