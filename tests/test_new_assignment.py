"""docs/ADD_AN_ASSIGNMENT.md, done for real: a toy assignment made from templates/assignment/ by
tools/new_assignment.py in a copy of the course, then the commands an instructor runs, as subprocesses.

The copy holds the engine, the tools, the repository's test machinery and ONE real assignment
(01_penalties), so the toy is discovered next to a real one. Then: the notebook and the answer sheet
are built, `release` writes a stub that raises NotImplementedError and keeps the solution out of
assignments/, `grade` gives the reference full marks and costs a wrong submission the function's
points with feedback naming its mistake, and tests/test_suites.py picks the toy up with its catalogue.
"""
import ast
import csv
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import REPO_ROOT

# a title YAML and Python must quote (a colon, an apostrophe, braces, a non-ASCII letter)
TOY, MODULE, TITLE = "09_toy", "toy", "A toy: one step of L2's {weight} décay"
REAL = "01_penalties"
# what an instructor adds for a new assignment: the template's files, then the generated ones
TEMPLATE_FILES = sorted(p.relative_to(REPO_ROOT / "templates" / "assignment").as_posix()
                        for p in (REPO_ROOT / "templates" / "assignment").rglob("*.j2"))
GENERATED = [f"source/{TOY}/{TOY}.ipynb", f"source/{TOY}/quiz_answers.yaml"]
# the course as a subprocess sees it: the copy only, never this checkout
ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_COURSE_ROOT")}


def run(root: Path, *args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], cwd=root, env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"{proc.args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def copy_course(root: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache")
    for folder in ("autograder", "course_plots", "tools", "templates", "tests"):
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=ignore)
    for folder in (f"course/{REAL}", f"source/{REAL}"):
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=ignore)
    for file in ("pytest.ini", "nbgrader_config.py"):
        shutil.copy(REPO_ROOT / file, root / file)
    (root / "assignments").mkdir()     # what marks a folder as a course (course._is_course_folder)
    return root


def listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course copy after the tool and the regeneration commands: (root, the files they added)."""
    root = copy_course(tmp_path_factory.mktemp("course"))
    before = listing(root)
    ok(run(root, "tools/new_assignment.py", TOY, MODULE, TITLE))
    ok(run(root, "tools/build_notebooks.py", TOY[:2]))
    ok(run(root, "-m", "autograder.quiz", "sheets"))
    added = sorted(listing(root) - before)
    ok(run(root, "-m", "autograder", "release", TOY[:2]))
    return root, added


# ============================================================================ the tool
@pytest.mark.parametrize("args, problem", [
    ((f"{REAL[:2]}_other", "other", "T"), f"the number {REAL[:2]} is taken by {REAL}"),
    (("09_other", "penalties", "T"), f"the module 'penalties' is taken by {REAL}"),
    (("9_other", "other", "T"), "bad id '9_other'"),
    (("09_Other", "other", "T"), "bad id '09_Other'"),
    (("09_other", "Other", "T"), "bad module 'Other'"),
    (("09_other", "class", "T"), "bad module 'class'"),
    (("09_other", "random", "T"), "bad module 'random'"),
    (("09_other", "other", 'say "hi"'), "bad title"),
    (("09_other", "other", "two\nlines"), "bad title"),
])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, problem):
    root = tmp_path
    for folder in ("autograder", "tools", "templates"):
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "course" / REAL, root / "course" / REAL)
    (root / "assignments").mkdir()
    before = listing(root)
    proc = run(root, "tools/new_assignment.py", *args)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and problem in proc.stderr, proc.stderr
    assert listing(root) == before


def test_the_tool_writes_the_template_files_and_the_commands_the_generated_ones(course):
    _, added = course
    expected = sorted([f.removesuffix(".j2").replace("__id__", TOY).replace("__module__", MODULE)
                       for f in TEMPLATE_FILES] + GENERATED)
    assert added == expected
    # the count docs/ADD_AN_ASSIGNMENT.md gives: 9 files written by the tool, 2 by the commands
    assert (len(TEMPLATE_FILES), len(GENERATED)) == (9, 2)


def test_the_toy_is_discovered_next_to_the_real_assignment(course):
    root, _ = course
    proc = ok(run(root, "-c", "from autograder.course import ASSIGNMENTS as A; print(repr([(a.id, a.title) for a "
                              "in A.values()]))"))
    ids_and_titles = ast.literal_eval(proc.stdout)
    assert [i for i, _ in ids_and_titles] == [REAL, TOY] and ids_and_titles[1][1] == TITLE


# ============================================================================ release
def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_release_ships_a_stub_and_keeps_the_solution_and_the_keys_out(course):
    root, _ = course
    stub_path = root / "assignments" / TOY / f"{MODULE}.py"
    stub = _import(stub_path, "_toy_stub")
    with pytest.raises(NotImplementedError):
        stub.decay_weights([1.0, 2.0], 0.5, 0.1)
    with pytest.raises(ValueError):           # the scaffolding outside the solution region stays
        stub.decay_weights([1.0], -1.0, 0.1)
    released = "\n".join((root / "assignments" / TOY / f).read_text() for f in os.listdir(root / "assignments" / TOY))
    assert "(1.0 - lr * lam) * w" not in released and "SOLUTION" not in released
    assert "0.95" not in (root / "assignments" / TOY / "quiz.yaml").read_text(), "the graded key stays home"
    assert sorted(os.listdir(root / "assignments" / TOY)) == sorted([f"{MODULE}.py", f"{TOY}.ipynb", "quiz.yaml",
                                                                     "quiz_answers.yaml"])
    solution = _import(root / "solutions" / TOY / f"{MODULE}.py", "_toy_solution")
    assert solution.decay_weights([1.0, -2.0], 0.5, 0.1).tolist() == [0.95, -1.9]


def test_check_passes_the_reference_and_fails_the_stub(course):
    root, _ = course
    proc = ok(run(root, "-m", "autograder", "check", f"solutions/{TOY}/{MODULE}.py"))
    assert "decay_weights  2/2  ok" in proc.stdout, proc.stdout
    proc = run(root, "-m", "autograder", "check", TOY[:2])      # the release's stub, found by number
    assert proc.returncode == 1 and "decay_weights  0/2" in proc.stdout, proc.stdout + proc.stderr


# ============================================================================ grade
def _submit(root: Path, student: str, module_text: str) -> None:
    folder = root / "submitted" / student / TOY
    folder.mkdir(parents=True)
    (folder / f"{MODULE}.py").write_text(module_text)
    sheet = (root / "assignments" / TOY / "quiz_answers.yaml").read_text()
    assert "\nq1:" in sheet
    (folder / "quiz_answers.yaml").write_text(sheet.replace("\nq1:", "\nq1: 0.95"))


def test_grade_gives_the_reference_full_marks_and_names_the_mistake_of_a_wrong_one(course):
    root, _ = course
    reference = (root / "solutions" / TOY / f"{MODULE}.py").read_text()
    wrong = reference.replace("return (1.0 - lr * lam) * w", "return w - 2 * lr * lam * w")
    assert wrong != reference
    _submit(root, "alice", reference)
    _submit(root, "bob", wrong)
    ok(run(root, "-m", "autograder", "grade", "submitted", "--out", "out", "--workers", "1", "--no-progress",
           "--allow-weak-isolation"))
    with open(root / "out" / "gradebook.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    # public 2 + hidden 3 points for decay_weights, 2 for the quiz question
    assert [(rows[s]["assignment"], float(rows[s]["score"]), float(rows[s]["max_score"])) for s in ("alice", "bob")] \
        == [(TOY, 7.0, 7.0), (TOY, 2.0, 7.0)], rows
    feedback = (root / "out" / "bob" / TOY / "feedback.md").read_text()
    assert "| `decay_weights` | 0 / 5 |" in feedback, feedback
    assert "shrink twice as fast" in feedback, feedback


# ============================================================================ the repository's own tests
def test_the_suite_tests_pick_the_toy_up(course):
    """tests/test_suites.py over the toy (its catalogue included) and the toy's own course/09_toy/tests/.

    The course's size rule for a catalogue (at least 7 mistakes and 5 correct variants,
    test_catalogue_covers_every_function) is for a finished assignment: the template holds one of each."""
    root, _ = course
    proc = run(root, "-m", "pytest", "tests/test_suites.py", f"course/{TOY}/tests", "-rA", "-p", "no:cacheprovider",
               "-k", TOY, "--deselect",
               f"tests/test_suites.py::test_catalogue_covers_every_function[{TOY}]")
    ok(proc)
    for test in ["test_every_function_is_graded_public_and_hidden", "test_reference_scores_full_marks",
                 "test_release_stub_scores_zero_not_implemented",
                 "test_release_stub_keeps_signatures_docstrings_and_scaffolding"]:
        assert f"PASSED tests/test_suites.py::{test}[{TOY}]" in proc.stdout, proc.stdout[-3000:]
    assert f"PASSED tests/test_suites.py::test_mistake_loses_points_on_its_function_only_with_hint[{TOY}-" \
           "decay_weights_factor_2]" in proc.stdout
    assert f"PASSED tests/test_suites.py::test_correct_variant_scores_full_marks[{TOY}-" \
           "decay_weights_subtract_gradient]" in proc.stdout
    assert f"PASSED course/{TOY}/tests/test_reference.py::test_one_step_multiplies_by_one_minus_lr_lam" in proc.stdout
