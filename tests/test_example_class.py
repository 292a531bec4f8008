"""The bundled example class: in sync with its generator, and grading it finds what was planted.

examples/ is made by tools/make_example_class.py from solutions/, assignments/ and the
mistake catalogues; examples/manifest.json says what each student's submission holds.
Grading the class with the real batch grader and rendering the class report must show,
for every planted mistake, lost points on its function and its hint next to the
student's name, and nothing planted where nothing was.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import ASSIGNMENTS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MANIFEST = EXAMPLES / "manifest.json"


def _manifest() -> dict:
    assert MANIFEST.is_file(), "examples/ is missing: run `python tools/make_example_class.py`"
    return json.loads(MANIFEST.read_text())


def test_examples_are_in_sync_with_the_generator():
    proc = subprocess.run([sys.executable, "tools/make_example_class.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_released_assignment_is_in_the_class():
    manifest = _manifest()
    catalogued = [a.id for a in ASSIGNMENTS.values()
                  if (a.folder() / "mistakes.py").exists()
                  and (a.solution_dir() / a.filename).exists()]
    assert len(catalogued) >= 1
    assert sorted(manifest["assignments"]) == sorted(catalogued)
    for aid, entry in manifest["assignments"].items():
        a = ASSIGNMENTS[aid]
        assert len(entry) >= 6
        kinds = {e["kind"] for e in entry.values()}
        assert {"reference", "mistakes", "stub"} <= kinds
        assert kinds & {"syntax_error", "missing_function"}
        for student in entry:
            folder = EXAMPLES / "submitted" / student / aid
            assert (folder / a.filename).is_file()
            assert (folder / "timestamp.txt").is_file()  # nbgrader's submitted layout


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("example-class")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(EXAMPLES / "submitted"),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: some submissions had problems
    assert (out / "gradebook.csv").is_file(), proc.stdout + proc.stderr
    proc = subprocess.run([sys.executable, "-m", "autograder", "report", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = json.loads((out / "report" / "summary.json").read_text())
    page = (out / "report" / "index.html").read_text()
    return out, summary, page


def _fn_score(info, out, student, aid, function):
    data = json.loads((out / student / aid / "results.json").read_text())
    tests = [t for t in data["tests"] if t["extra_data"]["function"] == function]
    return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests), tests


def test_report_shows_every_planted_mistake(graded):
    out, summary, page = graded
    manifest = _manifest()
    import html
    for aid, entry in manifest["assignments"].items():
        info = summary["assignments"][aid]
        for student, e in entry.items():
            for m in e["mistakes"]:
                got, top, _ = _fn_score(info, out, student, aid, m["function"])
                assert got < top, f"{student} {aid}: planted {m['name']} lost no points"
                found = [h for h in info["hints"] if h["function"] == m["function"] and student in h["students"]
                         and any(m["hint"].lower() in w.lower() for w in h["wordings"])]
                assert found, f"{student} {aid}: hint for {m['name']} ({m['hint']!r}) not in the report"
                assert html.escape(found[0]["hint"]) in page


def test_students_without_mistakes_get_no_code_hint(graded):
    out, summary, _ = graded
    manifest = _manifest()
    for aid, entry in manifest["assignments"].items():
        info = summary["assignments"][aid]
        for student, e in entry.items():
            if e["kind"] not in ("reference", "correct_variants"):
                continue
            data = json.loads((out / student / aid / "results.json").read_text())
            code = [t for t in data["tests"] if t["extra_data"]["function"] != "quiz"]
            failed = [t["name"] for t in code if t["status"] != "passed"]
            assert not failed, f"{student} {aid} ({e['module']}): {failed}"
            assert not [h for h in info["hints"] if student in h["students"] and not h["function"].startswith("quiz")]


def test_stub_broken_and_quiz_profiles(graded):
    out, summary, _ = graded
    manifest = _manifest()
    for aid, entry in manifest["assignments"].items():
        scores = summary["assignments"][aid]["scores"]
        for student, e in entry.items():
            data = json.loads((out / student / aid / "results.json").read_text())
            code = [t for t in data["tests"] if t["extra_data"]["function"] != "quiz"]
            quiz = [t for t in data["tests"] if t["extra_data"]["function"] == "quiz"]
            if e["kind"] == "stub":
                assert sum(t["score"] for t in code) == 0
                assert any(t["extra_data"]["outcome"] == "not_implemented" for t in code)
            if e["kind"] == "syntax_error":
                assert scores[student][2] == "import_error"
                assert "SyntaxError" in code[0]["output"]
            if e["kind"] == "missing_function":
                broken = {t["extra_data"]["function"] for t in code if t["status"] != "passed"}
                assert len(broken) == 1, broken
            if not quiz:
                continue
            right = sum(t["status"] == "passed" for t in quiz)
            if e["quiz"].startswith("all right"):
                assert right == len(quiz), f"{student} {aid}"
            elif e["quiz"].startswith("malformed"):
                assert right == 0 and "not valid YAML" in quiz[0]["output"]
            elif e["quiz"] in ("blank answer sheet", "no answer sheet submitted"):
                assert right == 0
            elif "wrong" in e["quiz"]:
                assert 0 < right < len(quiz), f"{student} {aid}: {e['quiz']}"


def test_report_links_each_score_to_its_feedback(graded):
    import re

    out, summary, page = graded
    links = re.findall(r"href='([^']+feedback\.md)'", page)
    n = sum(len(a["scores"]) for a in summary["assignments"].values())
    assert len(links) == n
    for link in links:
        assert (out / "report" / link).resolve().is_file(), link
