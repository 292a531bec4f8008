"""nbgrader's documented instructor workflow, unmodified, on a copy of this course: the totals it
exports equal `python -m autograder grade` to the point, and re-running its commands loses nothing.

One real round trip in a temporary course directory with a real exchange folder:
db student add -> generate_assignment (the release is committed: it must still register) ->
release_assignment -> fetch_assignment (each student, in a home folder of their own; the fetched
notebook is executed there, as on a JupyterHub) -> submit -> collect -> autograde ->
generate_feedback -> export; then autograde --force and generate_assignment again.

Students (from the example class): amara (reference, every quiz answer right), ben (one classic slip
and one wrong quiz answer), femi (the untouched stub and the blank answer sheet).
"""
from __future__ import annotations

import csv
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.course import REPO_ROOT, find_assignment
from autograder.nbgrader_plugin import TEST_CELL_PREFIX, function_points

ASSIGNMENT = find_assignment("01")
AID = ASSIGNMENT.id
STUDENTS = {"amara_okafor": "correct", "ben_lindqvist": "partly wrong", "femi_adeyemi": "stub"}
COURSE_FILES = ["nbgrader_config.py", "autograder", "course", "course_plots", "source", "assignments", "solutions"]


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "NBGRADER"))}
    env["HOME"] = str(home)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # alembic, jupyter
    env["PYTHONPATH"] = str(home.parent / "course")   # the course's helpers, as a hub image would pip-install
    env["AUTOGRADER_QUIZ_SECRET_FILE"] = str(REPO_ROOT / "tools" / "quiz-secret.demo")   # the instructor's secret
    return env


def nbgrader(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    exchange = home.parent / "exchange"
    course_flag = [] if "--course" in args else ["--CourseDirectory.course_id=regularization"]
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}", *course_flag],
                          cwd=cwd, env=_env(home), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader")
    course, exchange = root / "course", root / "exchange"
    course.mkdir()
    exchange.mkdir()
    exchange.chmod(0o777)
    for name in COURSE_FILES:
        src = REPO_ROOT / name
        (shutil.copytree(src, course / name, ignore=shutil.ignore_patterns("__pycache__"))
         if src.is_dir() else shutil.copy(src, course / name))
    instructor = root / "instructor-home"
    instructor.mkdir()
    release_before = {p.relative_to(course): p.read_bytes() for p in (course / "assignments" / AID).rglob("*")
                      if p.is_file()}

    for student in STUDENTS:
        nbgrader(course, "db", "student", "add", student, home=instructor)
    nbgrader(course, "generate_assignment", AID, home=instructor)
    nbgrader(course, "release_assignment", AID, home=instructor)

    executed = {}
    for student in STUDENTS:
        home = root / f"home-{student}"
        home.mkdir()
        nbgrader(home, "fetch_assignment", AID, "--course", "regularization", home=home)
        fetched = home / AID
        example = REPO_ROOT / "examples" / "submitted" / student / AID
        for name in (ASSIGNMENT.filename, "quiz_answers.yaml"):
            if (example / name).exists():
                shutil.copy(example / name, fetched / name)
        if student == "amara_okafor":   # a student on a hub runs every cell of the fetched notebook
            nb = nbformat.read(fetched / f"{AID}.ipynb", as_version=4)
            old = os.environ.copy()
            os.environ.update(_env(home))
            try:
                NotebookClient(nb, timeout=300, kernel_name="python3",
                               resources={"metadata": {"path": str(fetched)}}).execute()
            finally:
                os.environ.clear()
                os.environ.update(old)
            executed[student] = nb
        nbgrader(home, "submit", AID, "--course", "regularization", f"--student={student}", home=home)

    nbgrader(course, "collect", AID, home=instructor)
    autograde = nbgrader(course, "autograde", AID, home=instructor)
    nbgrader(course, "generate_feedback", AID, home=instructor)
    nbgrader(course, "export", home=instructor)
    grade_out = root / "grade-out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out",
                           str(grade_out), "--workers", "1", "--no-progress"],
                          cwd=course, env=_env(instructor), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return {"root": root, "course": course, "instructor": instructor, "executed": executed,
            "release_before": release_before, "grade_out": grade_out, "autograde_log": autograde.stderr}


def _nbgrader_scores(course: Path) -> dict[str, dict[str, float]]:
    """Per student, the auto score of each autograded test cell of the assignment's notebook."""
    from nbgrader.api import Gradebook

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "regularization") as gb:
        for student in STUDENTS:
            nb = gb.find_submission_notebook(AID, AID, student)
            scores[student] = {g.name[len(TEST_CELL_PREFIX):]: g.auto_score for g in nb.grades
                               if g.name.startswith(TEST_CELL_PREFIX)}
    return scores


def _grade_scores(out: Path) -> dict[str, dict[str, float]]:
    scores = {}
    for student in STUDENTS:
        tests = json.loads((out / student / AID / "results.json").read_text())["tests"]
        per_fn: dict[str, float] = {}
        for t in tests:
            per_fn[t["extra_data"]["function"]] = per_fn.get(t["extra_data"]["function"], 0.0) + t["score"]
        scores[student] = per_fn
    return scores


def test_every_graded_function_and_the_quiz_have_a_test_cell():
    nb = nbformat.read(REPO_ROOT / "source" / AID / f"{AID}.ipynb", as_version=4)
    cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(TEST_CELL_PREFIX)}
    expected = {f"{TEST_CELL_PREFIX}{fn}": pts for fn, pts in function_points(ASSIGNMENT).items()}
    assert {k: v for k, v in cells.items() if k != "test-quiz"} == expected
    assert cells["test-quiz"] > 0


def test_autograde_gives_the_same_per_function_scores_as_grade(workflow):
    nb_scores, gr_scores = _nbgrader_scores(workflow["course"]), _grade_scores(workflow["grade_out"])
    for student, kind in STUDENTS.items():
        assert set(nb_scores[student]) == set(gr_scores[student]), student
        for fn, score in gr_scores[student].items():
            assert nb_scores[student][fn] == pytest.approx(score, abs=1e-9), (student, kind, fn)
    assert sum(nb_scores["amara_okafor"].values()) > sum(nb_scores["ben_lindqvist"].values()) \
        > sum(nb_scores["femi_adeyemi"].values())
    assert sum(nb_scores["femi_adeyemi"].values()) == 0
    nb = nbformat.read(REPO_ROOT / "source" / AID / f"{AID}.ipynb", as_version=4)
    quiz_points = next(c.metadata["nbgrader"]["points"] for c in nb.cells
                       if c.metadata.get("nbgrader", {}).get("grade_id") == f"{TEST_CELL_PREFIX}quiz")
    assert nb_scores["amara_okafor"]["quiz"] == quiz_points > 0   # every answer right, per-student ones too
    assert 0 < nb_scores["ben_lindqvist"]["quiz"] < quiz_points


def test_nbgrader_export_totals_match_grade_plus_the_notebooks_own_cells(workflow):
    rows = {r["student_id"]: r for r in csv.DictReader(open(workflow["course"] / "grades.csv"))
            if r["assignment"] == AID}
    grade_totals = {s: sum(v.values()) for s, v in _grade_scores(workflow["grade_out"]).items()}
    nb = nbformat.read(REPO_ROOT / "source" / AID / f"{AID}.ipynb", as_version=4)
    # cells nbgrader grades on its own: autograded notebook exercises (if any); the written answers
    # are graded by hand and still 0 here
    own = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
           and not c.metadata["nbgrader"]["grade_id"].startswith(TEST_CELL_PREFIX)
           and c.cell_type == "code"]
    assert not own, "01 has no autograded notebook exercise; adjust this test if one is added"
    for student in STUDENTS:
        assert float(rows[student]["score"]) == pytest.approx(grade_totals[student], abs=1e-9), student


def test_autograder_export_writes_the_same_cells_and_adds_no_notebook(workflow):
    from nbgrader.api import Gradebook

    course = workflow["course"]
    before = _nbgrader_scores(course)
    proc = subprocess.run([sys.executable, "-m", "autograder", "export", str(workflow["grade_out"]), "--format",
                           "nbgrader", "--db", str(course / "gradebook.db")],
                          cwd=course, env=_env(workflow["instructor"]), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert _nbgrader_scores(course) == before
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "regularization") as gb:
        assert [nb.name for nb in gb.find_assignment(AID).notebooks] == [AID]


def test_export_into_a_gradebook_without_the_assignment_says_what_to_run(workflow, tmp_path):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}", "regularization"):
        pass
    proc = subprocess.run([sys.executable, "-m", "autograder", "export", str(workflow["grade_out"]), "--format",
                           "nbgrader", "--db", str(tmp_path / "gradebook.db")],
                          cwd=tmp_path, env=_env(workflow["instructor"]), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert f"nbgrader generate_assignment {AID}" in proc.stderr and "Traceback" not in proc.stderr


def test_student_files_are_not_overwritten_by_autograde(workflow):
    course = workflow["course"]
    for student in STUDENTS:
        for name in (ASSIGNMENT.filename, "quiz_answers.yaml"):
            submitted = course / "submitted" / student / AID / name
            autograded = course / "autograded" / student / AID / name
            assert filecmp.cmp(submitted, autograded, shallow=False), (student, name)


def test_feedback_has_per_function_hints_and_no_hidden_case_names(workflow):
    from autograder import grading

    html = next((workflow["course"] / "feedback" / "ben_lindqvist" / AID).glob("*.html")).read_text()
    assert "l2_gradient" in html and "Hint:" in html
    hidden = [c.name for c in grading.cases_for(ASSIGNMENT, True) if c.visibility != "visible"]
    leaked = [name for name in hidden if name.replace("<", "&lt;") in html]
    assert not leaked, leaked


def test_graders_see_each_rubric_under_the_answer_and_students_never_do(workflow):
    from autograder.nbgrader_plugin import RUBRIC_MARK

    course = workflow["course"]
    graded = nbformat.read(course / "autograded" / "ben_lindqvist" / AID / f"{AID}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / AID / f"{AID}.ipynb", as_version=4)
    answers = [c.metadata["nbgrader"]["grade_id"] for c in source.cells if c.cell_type == "markdown"
               and c.metadata.get("nbgrader", {}).get("solution") and RUBRIC_MARK in c.source]
    assert answers, "the source notebook has no rubric"
    for i, cell in enumerate(graded.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in answers:
            assert RUBRIC_MARK in graded.cells[i + 1].source, cell.metadata["nbgrader"]["grade_id"]
            assert RUBRIC_MARK not in cell.source   # the student's own answer is left as written
    html = next((course / "feedback" / "ben_lindqvist" / AID).glob("*.html")).read_text()
    assert "Rubric for graders" not in html
    released = (course / "assignments" / AID / f"{AID}.ipynb").read_text()
    assert "Rubric for graders" not in released


def test_a_fetched_notebook_runs_every_cell_on_a_hub(workflow):
    nb = workflow["executed"]["amara_okafor"]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert not errors, errors[:1]
    assert sum(1 for c in nb.cells if c.cell_type == "code" and c.get("execution_count")) >= 10


def test_rerunning_nbgrader_commands_loses_nothing(workflow):
    course, home = workflow["course"], workflow["instructor"]
    before = _nbgrader_scores(course)
    nbgrader(course, "autograde", AID, "--force", home=home)
    assert _nbgrader_scores(course) == before
    nbgrader(course, "generate_assignment", AID, "--force", home=home)
    after = {p.relative_to(course): p.read_bytes() for p in (course / "assignments" / AID).rglob("*")
             if p.is_file()}
    assert after == workflow["release_before"]   # same files, same bytes: nothing deleted or changed
    assert _nbgrader_scores(course) == before
    nbgrader(course, "export", home=home)
    assert (course / "grades.csv").read_text().count(AID) == len(STUDENTS)
