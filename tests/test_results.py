"""The result model (autograder/results.py): one status enum, results that survive the store, a
damaged store named in one line, and the class report's HTML escaping whatever a student wrote."""
import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import cmd_report, grading
from autograder.results import CaseResult, Status, SubmissionResult, UnknownStatus, by_function
from autograder.store import Store, StoreError, read_results

ROOT = Path(__file__).resolve().parent.parent
AID = "01_penalties"
SCRIPT = "<script>alert('owned')</script>"


def _cases(hint: str = "multiply by lam, not 2 * lam") -> list[CaseResult]:
    return [CaseResult("l2_gradient: example", "l2_gradient", 0.0, 2.0, Status.FAILED, "differs at (0,)\nmore",
                       hint, "visible"),
            CaseResult("l2_gradient: random", "l2_gradient", 3.0, 3.0, Status.PASSED, "", None, "after_published"),
            CaseResult("l1_penalty: example", "l1_penalty", 0.0, 1.0, Status.NOT_IMPLEMENTED,
                       "l1_penalty() is not implemented yet"),
            CaseResult("quiz q1: bias", "quiz", 0.5, 1.0, Status.TIMEOUT, "too slow", None, "after_published")]


def _stored(out: Path, rows: list[SubmissionResult]) -> None:
    store = Store(out / "grades.sqlite")
    for row in rows:
        store.put(row)
    store.close()


def _run(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


# ============================================================================ the status enum
def test_a_status_is_written_as_its_word_everywhere():
    """JSON, CSV, f-strings and comparisons see the same words as before the enum."""
    status = Status.NOT_IMPLEMENTED
    assert status == "not_implemented" and f"{status}" == "not_implemented" and str(status) == "not_implemented"
    assert json.dumps({"status": status, status: 1}) == '{"status": "not_implemented", "not_implemented": 1}'
    buf = io.StringIO()
    csv.writer(buf).writerow([status])
    assert buf.getvalue().strip() == "not_implemented"
    assert status.label == "not implemented"


def test_every_status_says_what_it_means():
    for status in Status:
        assert status.words and status.meaning and status.words != status.meaning or status == Status.GRADED


def test_an_unknown_status_is_one_clear_error():
    with pytest.raises(UnknownStatus, match=r"^alice/01: unknown status 'bogus' \(known: passed, failed"):
        Status.parse("bogus", "alice/01")
    with pytest.raises(ValueError):
        CaseResult("x: y", "x", 0.0, 1.0, "bogus")   # the model holds members only


def test_function_status_sums_up_its_cases():
    def statuses(*words):
        return by_function([CaseResult(f"f: {i}", "f", 0.0, 1.0, w) for i, w in enumerate(words)])["f"].status

    assert statuses("passed", "passed") is Status.PASSED
    assert statuses("passed", "failed") is Status.PARTIAL
    assert statuses("failed", "timeout", "error") is Status.TIMEOUT
    assert statuses("not_implemented") is Status.NOT_IMPLEMENTED
    assert statuses("import_error") is Status.IMPORT_ERROR
    assert statuses("failed", "failed") is Status.FAILED


# ============================================================================ round trips
def test_case_and_submission_round_trip_through_dicts():
    row = SubmissionResult("ada", AID, 3.5, 7.0, Status.GRADED, "1 failed", "abc", _cases(), 1.25, "2026-01-01")
    again = SubmissionResult.from_dict(json.loads(json.dumps(row.to_dict())))
    assert again == row
    assert all(type(c.status) is Status for c in again.cases)


def test_store_to_model_to_report_round_trip(tmp_path):
    rows = [SubmissionResult("ada", AID, 3.5, 7.0, Status.GRADED, "1 failed", "fp", _cases(), 0.5, "now"),
            SubmissionResult("bo", AID, 0.0, 7.0, Status.IMPORT_ERROR, "SyntaxError",
                             cases=[CaseResult("l2_gradient: example", "l2_gradient", 0.0, 2.0, Status.IMPORT_ERROR,
                                               "SyntaxError")])]
    _stored(tmp_path, rows)
    assert read_results(tmp_path) == rows               # the store gives back exactly the model it was given
    index = cmd_report.write_report(tmp_path)
    summary = json.loads((index.parent / "summary.json").read_text())
    a = summary["assignments"][AID]
    assert a["statuses"] == {"graded": 1, "import_error": 1}
    assert a["scores"] == {"ada": [3.5, 7.0, "graded"], "bo": [0.0, 7.0, "import_error"]}
    assert a["tests"]["l1_penalty: example"]["outcomes"] == {"not_implemented": 1}
    assert a["tests"]["quiz q1: bias"]["visibility"] == "after_published"
    assert [h["students"] for h in a["hints"]] == [["ada"]]
    page, md = index.read_text(), (index.parent / "report.md").read_text()
    for text in (page, md):
        assert "multiply by lam, not 2 * lam" in text and "3.5/7" in text and "import_error" in text


def test_export_reads_the_store(tmp_path):
    _stored(tmp_path, [SubmissionResult("ada", AID, 3.5, 7.0, Status.GRADED, cases=_cases())])
    proc = _run("export", tmp_path, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "grades.csv").read_text().splitlines() == ["student,01_penalties,total,max_total",
                                                                  "ada,3.5,3.5,7"]


# ============================================================================ a damaged store
def _damage(out: Path, sql: str) -> None:
    _stored(out, [SubmissionResult("ada", AID, 3.5, 7.0, Status.GRADED, cases=_cases())])
    with sqlite3.connect(out / "grades.sqlite") as db:
        db.execute(sql)
    db.close()


@pytest.mark.parametrize("what, sql, expected", [
    ("submission status", "UPDATE grades SET status = 'bogus'", "ada/01_penalties: unknown status 'bogus'"),
    ("case status", "UPDATE grades SET results = replace(results, '\"timeout\"', '\"hung\"')",
     "ada/01_penalties: unknown status 'hung'"),
    ("case results", "UPDATE grades SET results = '[{\"name\": 1'",
     "ada/01_penalties: its case results cannot be read"),
    ("score", "UPDATE grades SET score = 'lots'", "ada/01_penalties: could not convert string to float"),
    ("table", "DROP TABLE grades", "not a grades store written by `grade`"),
])
@pytest.mark.parametrize("command", [["report"], ["export", "--format", "csv"]])
def test_a_damaged_store_is_one_clear_line(tmp_path, what, sql, expected, command):
    _damage(tmp_path, sql)
    with pytest.raises(StoreError, match="^" + str(tmp_path / "grades.sqlite")):
        read_results(tmp_path)
    proc = _run(command[0], tmp_path, *command[1:])
    assert proc.returncode == 2, (what, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert expected in proc.stderr, proc.stderr


def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path):
    (tmp_path / "grades.sqlite").write_bytes(b"this is a gradebook, honest\n" * 10)
    proc = _run("report", tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "grades.sqlite" in proc.stderr, proc.stderr


def test_reading_a_missing_store_creates_nothing(tmp_path):
    proc = _run("report", tmp_path)
    assert proc.returncode == 1 and "no grading results" in proc.stderr
    assert list(tmp_path.iterdir()) == []


# ============================================================================ escaping
def test_the_html_report_escapes_what_a_student_wrote(tmp_path):
    """A hint quoting student output, a test name and a student folder name holding markup are shown as
    text in the HTML page, never run; the Markdown report keeps each table row on one line."""
    student = f"eve{SCRIPT}"
    cases = [CaseResult(f"l2_gradient: {SCRIPT}", "l2_gradient", 0.0, 1.0, Status.FAILED, SCRIPT,
                        f"your output was {SCRIPT} | and\nmore", "visible")]
    _stored(tmp_path, [SubmissionResult(student, AID, 0.0, 1.0, Status.GRADED, cases=cases)])
    page = cmd_report.write_report(tmp_path).read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;" in page
    assert page.count("&lt;script&gt;") >= 3     # in the hint, the test's name and the student's name
    md = (tmp_path / "report" / "report.md").read_text()
    row = next(line for line in md.splitlines() if line.startswith("| 1 | `l2_gradient` |"))
    assert "your output was" in row and "\\| and more" in row


def test_feedback_says_status_notes_and_each_problem_once():
    text = grading.feedback_markdown("ada", AID, _cases(), status=Status.MISSING_MODULE,
                                     message="no penalties.py", notes=["took penalties (1).py"])
    head = text.split("**Total", 1)[0]
    assert head == (f"# Feedback for ada: {AID}\n\n- took penalties (1).py\n\n"
                    "**Status: missing_module** - no penalties.py\n\n")
    assert "| `l2_gradient` | 3 / 5 | some tests failed |" in text
    assert "| `quiz` | 0.5 / 1 | too slow (time limit) |" in text
    assert "- `l1_penalty`: not implemented yet." in text
    assert "- **l2_gradient: example** (failed): differs at (0,)\n\n  ```\n  more\n  ```\n" in text
    assert text.endswith("- **quiz q1: bias** (timeout): too slow\n")
    graded = grading.feedback_markdown("ada", AID, _cases()[1:2], status=Status.GRADED)
    assert "Status" not in graded and graded.endswith("Every test passed. Well done.\n")
