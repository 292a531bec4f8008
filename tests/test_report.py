"""The class report: numbers, mistakes and embedded figures, on a small hand-made graded folder.

(tests/test_example_class.py renders it on the real grader's output for the example class.)
"""
import base64
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import cmd_report
from autograder.results import CaseResult, Status, SubmissionResult
from autograder.store import Store

ROOT = Path(__file__).resolve().parent.parent
HINT_ABS = "negative weights must add to the penalty too"
HINT_ZERO = "the contract picks 0 at w == 0"


def _test(name, passed, hint=None, outcome=None, visibility="visible", points=1.0) -> CaseResult:
    return CaseResult(name, name.split(":")[0], points if passed else 0.0, points,
                      outcome or ("passed" if passed else "failed"), "" if passed else (hint or "wrong"),
                      None if passed else hint, visibility)


def _store(out: Path, rows: list[SubmissionResult]) -> None:
    """What `grade` leaves in OUT: the store is the record the report and the exports read."""
    store = Store(out / "grades.sqlite")
    for row in rows:
        store.put(row)
    store.close()


# student -> list of (test name, passed, hint, outcome)
CLASS = {
    "ana": [("l1_penalty: example", True), ("l1_penalty: random", True),
            ("l1_subgradient: zeros", True), ("l2_penalty: example", True)],
    "ben": [("l1_penalty: example", False, HINT_ABS), ("l1_penalty: random", False, HINT_ABS),
            ("l1_subgradient: zeros", True), ("l2_penalty: example", True)],
    "cat": [("l1_penalty: example", False, HINT_ABS), ("l1_penalty: random", True),
            ("l1_subgradient: zeros", False, HINT_ZERO), ("l2_penalty: example", True)],
    "dan": [("l1_penalty: example", False, None, "not_implemented"),
            ("l1_penalty: random", False, None, "not_implemented"),
            ("l1_subgradient: zeros", False, None, "not_implemented"),
            ("l2_penalty: example", False, None, "not_implemented")],
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("graded")
    rows = []
    for student, tests in CLASS.items():
        results = [_test(t[0], t[1], *(t[2:] if len(t) > 2 else ()),
                         visibility="after_published" if "random" in t[0] else "visible") for t in tests]
        rows.append(SubmissionResult(student, "01_penalties", sum(r.score for r in results), len(results),
                                     Status.NOT_IMPLEMENTED if student == "dan" else Status.GRADED, cases=results))
    _store(out, rows)
    proc = subprocess.run([sys.executable, "-m", "autograder", "report", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_summary_numbers(graded):
    summary = json.loads((graded / "report" / "summary.json").read_text())
    a = summary["assignments"]["01_penalties"]
    assert a["n"] == 4
    assert a["full_marks"] == 1
    assert a["mean"] == pytest.approx((4 + 2 + 2 + 0) / 16)
    fn = a["functions"]["l1_penalty"]
    assert (fn["full"], fn["total"]) == (1, 4)
    assert fn["point_rate"] == pytest.approx(3 / 8)
    assert a["functions"]["l2_penalty"]["full"] == 3
    test = a["tests"]["l1_penalty: example"]
    assert (test["passed"], test["total"]) == (1, 4)
    assert test["outcomes"] == {"failed": 2, "not_implemented": 1}
    assert test["visibility"] == "visible"
    assert a["tests"]["l1_penalty: random"]["visibility"] == "after_published"
    # hints: counted once per student, most frequent first, with who made the mistake
    assert [(h["hint"], h["count"], h["students"]) for h in a["hints"]] == [
        (HINT_ABS, 2, ["ben", "cat"]), (HINT_ZERO, 1, ["cat"])]
    assert a["statuses"] == {"graded": 3, "not_implemented": 1}


def test_html_embeds_png_figures(graded):
    from PIL import Image

    page = (graded / "report" / "index.html").read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == 3  # overview, histogram, pass rate per function
    for data in images:
        img = Image.open(io.BytesIO(base64.b64decode(data)))
        assert img.format == "PNG"
        assert img.width > 300 and img.height > 150
        # not a blank canvas: a drawn figure has many colours
        assert len(img.convert("RGB").getcolors(1 << 20)) > 20
    assert "src=\"figures/" not in page  # self-contained


def test_html_and_markdown_show_mistakes_and_rates(graded):
    page = (graded / "report" / "index.html").read_text()
    md = (graded / "report" / "report.md").read_text()
    for text in (page, md):
        assert HINT_ABS in text and HINT_ZERO in text
        assert "ben, cat" in text
        assert "1/4 (25%)" in text      # l1_penalty: full marks
        assert "3/4 (75%)" in text      # l2_penalty
        assert "not_implemented: 1" in text
    for name in re.findall(r"\]\((figures/[^)]+)\)", md):
        assert (graded / "report" / name).is_file(), name


def test_missing_results_is_a_clear_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "report", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "no grading results" in proc.stderr


def test_load_grades_reads_the_store_alone(tmp_path):
    """No gradebook.csv, no results.json: the store is the record."""
    cases = [_test("l2_penalty: x", True), _test("l1_penalty: y", False, HINT_ABS)]
    _store(tmp_path, [SubmissionResult("zoe", "01_penalties", 1.0, 2.0, Status.GRADED, cases=cases)])
    [g] = cmd_report.load_grades(tmp_path)
    assert (g.student, g.assignment, g.score, g.max_score) == ("zoe", "01_penalties", 1.0, 2.0)
    assert g.cases[1].hint == HINT_ABS and not g.cases[1].passed
    assert list(tmp_path.iterdir()) == [tmp_path / "grades.sqlite"]   # reading wrote nothing


# ============================================================================ grade export
def test_export_wide_csv(graded):
    proc = subprocess.run([sys.executable, "-m", "autograder.cmd_export", str(graded), "--format", "csv",
                           "--max-row"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader((graded / "grades.csv").open()))
    assert rows[0] == ["student", "01_penalties", "total", "max_total"]
    assert rows[1] == ["(max)", "4", "4", "4"]
    assert ["ben", "2", "2", "4"] in rows and ["dan", "0", "0", "4"] in rows


def _register(db, cells: dict[str, float]):
    """What `nbgrader generate_assignment 01_penalties` registers: the assignment, its notebook and the
    notebook's autograded test cells (here with the fixture's points)."""
    from nbgrader.api import Gradebook

    from autograder.nbgrader_plugin import grade_cell_id

    with Gradebook(f"sqlite:///{db}", "regularization") as gb:
        gb.update_or_create_assignment("01_penalties")
        gb.update_or_create_notebook("01_penalties", "01_penalties")
        for fn, points in cells.items():
            gb.update_or_create_grade_cell(grade_cell_id(fn), "01_penalties", "01_penalties", max_score=points,
                                           cell_type="code")


def _export(graded, db):
    return subprocess.run([sys.executable, "-m", "autograder.cmd_export", str(graded), "--format", "nbgrader",
                           "--db", str(db)], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _cells(graded) -> dict[str, float]:
    """Each function's points in the fixture's grading (what the notebook's test cells carry)."""
    [ana] = [g for g in cmd_report.load_grades(graded) if g.student == "ana"]
    return {fn: f.max_score for fn, f in ana.functions().items()}


def test_export_to_nbgrader_gradebook(graded, tmp_path):
    from nbgrader.api import Gradebook

    db = tmp_path / "gradebook.db"
    _register(db, _cells(graded))
    for _ in range(2):  # re-running updates in place
        proc = _export(graded, db)
        assert proc.returncode == 0, proc.stderr
        assert "SAWarning" not in proc.stderr
    with Gradebook(f"sqlite:///{db}", "regularization") as gb:
        assert sorted(s.id for s in gb.students) == ["ana", "ben", "cat", "dan"]
        assignment = gb.find_assignment("01_penalties")
        assert assignment.max_score == 4
        assert [n.name for n in assignment.notebooks] == ["01_penalties"]   # no notebook added
        assert gb.find_submission("01_penalties", "ana").score == 4
        assert gb.find_submission("01_penalties", "ben").score == 2
        assert gb.find_grade("test-l1_penalty", "01_penalties", "01_penalties", "cat").score == 1
        assert gb.find_grade("test-l1_penalty", "01_penalties", "01_penalties", "cat").max_score == 2
        assert gb.find_submission("01_penalties", "dan").score == 0


def test_export_refuses_cells_whose_points_disagree_with_the_grading(graded, tmp_path):
    db = tmp_path / "gradebook.db"
    _register(db, {**_cells(graded), "l1_penalty": 5})
    proc = _export(graded, db)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "test cell for l1_penalty does not match the grading (5 points, grading gives 2)" in proc.stderr
