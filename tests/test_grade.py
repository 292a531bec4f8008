"""The batch grader, `check` and the pytest plugin, end to end (real subprocesses, real kills).

Uses 01_penalties (always present); every other assignment that appears later is
ignored by these tests, except that discovery must not trip over it.
"""
from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autograder import framework
from autograder.course import ASSIGNMENTS, REPO_ROOT
from autograder.store import GRADEBOOK_COLUMNS

PEN = ASSIGNMENTS["01_penalties"]
REF = (PEN.solution_dir() / PEN.filename).read_text()
STUB = (PEN.release_dir() / PEN.filename).read_text()
ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def autograder(*args, timeout=300, cwd=REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def put(root: Path, student: str, source: str | None, assignment: str = PEN.id, **extra_files) -> Path:
    folder = root / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    if source is not None:
        (folder / PEN.filename).write_text(source)
    for name, text in extra_files.items():
        (folder / name.replace("__", ".")).write_text(text)
    return folder


def gradebook(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == GRADEBOOK_COLUMNS
        return list(reader)


def store_rows(out: Path) -> dict[tuple[str, str], tuple]:
    with sqlite3.connect(out / "grades.sqlite") as db:
        return {(r[0], r[1]): r for r in db.execute("SELECT * FROM grades")}


def validate_gradescope(data: dict) -> None:
    """Gradescope's results.json schema (the parts we produce), checked strictly."""
    assert isinstance(data["score"], float) and isinstance(data["max_score"], float)
    assert isinstance(data["output"], str) and isinstance(data["tests"], list) and data["tests"]
    assert data.get("visibility", "visible") in ("visible", "hidden", "after_due_date", "after_published")
    for t in data["tests"]:
        assert set(t) <= {"name", "score", "max_score", "status", "output", "visibility", "extra_data", "tags",
                          "number", "name_format", "output_format"}
        assert isinstance(t["name"], str) and t["name"]
        assert isinstance(t["score"], float) and isinstance(t["max_score"], float)
        assert 0.0 <= t["score"] <= t["max_score"]
        assert t["status"] in ("passed", "failed")
        assert (t["status"] == "passed") == (t["score"] == t["max_score"]) or t["max_score"] == 0
        assert isinstance(t["output"], str)
        assert t["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        extra = t["extra_data"]
        assert set(extra) == {"function", "hint", "outcome"}
        assert extra["outcome"] in ("passed", "failed", "error", "not_implemented", "timeout", "crashed",
                                    "import_error")
    assert abs(sum(t["score"] for t in data["tests"]) - data["score"]) < 1e-9
    assert abs(sum(t["max_score"] for t in data["tests"]) - data["max_score"]) < 1e-9


def results(out: Path, student: str, assignment: str = PEN.id) -> dict:
    data = json.loads((out / student / assignment / "results.json").read_text())
    validate_gradescope(data)
    return data


def code_tests(data: dict) -> list[dict]:
    return [t for t in data["tests"] if t["extra_data"]["function"] != "quiz"]


# ============================================================================ a small hostile class
@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    sub, out = root / "submitted", root / "out"
    marker = root / "conftest-was-loaded"
    put(sub, "alice", REF)
    put(sub, "bob", STUB)
    put(sub, "carol", None, notes__txt="I forgot the module")
    put(sub, "dave", REF.replace("return lam * w\n", "return 2 * lam * w\n", 1))
    put(sub, "dave", None, assignment="99_not_an_assignment", readme__txt="?")
    put(sub, "hal", REF + "\n\ndef l2_penalty(w, lam):\n    while True:\n        pass\n")
    put(sub, "exiter", "import os\nos._exit(7)\n" + REF)
    put(sub, "syntax", REF + "\ndef broken(:\n")
    put(sub, "killer", "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n"
                       "    pass\n" + REF)
    put(sub, "forger", REF + textwrap.dedent(f"""
        import json, os
        for path in ("results.json", "../results.json", {str(out / 'gradebook.csv')!r},
                     {str(out / 'forger' / PEN.id / 'results.json')!r}, {str(out / 'alice' / PEN.id / 'results.json')!r}):
            try:
                os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
                with open(path, "w") as f:
                    f.write(json.dumps({{"score": 1000, "tests": []}}))
            except OSError:
                pass
    """), results__json='{"score": 1000, "max_score": 1, "tests": []}',
        gradebook__csv="student,assignment,score\nforger,01_penalties,1000\n",
        conftest__py=f"open({str(marker)!r}, 'w').write('loaded')\n")
    proc = autograder("grade", sub, "--out", out, "--workers", 2, "--timeout", 1, "--no-progress")
    return sub, out, proc, marker


def test_batch_completes_with_exit_code_0_and_a_summary(graded_class):
    _, _, proc, _ = graded_class
    assert proc.returncode == 0, proc.stderr
    assert "By status:" in proc.stdout and "01_penalties" in proc.stdout and "mean" in proc.stdout


def test_one_gradebook_row_per_student_and_assignment(graded_class):
    _, out, _, _ = graded_class
    rows = gradebook(out)
    pairs = [(r["student"], r["assignment"]) for r in rows]
    expected = {(s, PEN.id) for s in ("alice", "bob", "carol", "dave", "hal", "exiter", "syntax", "killer",
                                      "forger")} | {("dave", "99_not_an_assignment")}
    assert sorted(pairs) == sorted(expected)
    assert len(store_rows(out)) == len(expected)


def test_statuses_and_scores(graded_class):
    _, out, _, _ = graded_class
    rows = {(r["student"], r["assignment"]): r for r in gradebook(out)}
    status = {k[0] if k[1] == PEN.id else k[1]: r["status"] for k, r in rows.items()}
    assert status == {"alice": "graded", "bob": "graded", "carol": "missing_module", "dave": "graded",
                      "99_not_an_assignment": "unknown_assignment", "hal": "graded", "exiter": "import_error",
                      "syntax": "import_error", "killer": "graded", "forger": "graded"}
    assert "exited with code 7" in rows[("exiter", PEN.id)]["message"]
    assert "SyntaxError" in rows[("syntax", PEN.id)]["message"]
    assert "penalties.py" in rows[("carol", PEN.id)]["message"]
    for who in ("alice", "killer", "forger"):    # hostile but correct code earns the code points
        assert all(t["status"] == "passed" for t in code_tests(results(out, who))), who
    assert all(t["extra_data"]["outcome"] == "not_implemented" for t in code_tests(results(out, "bob")))
    for who in ("exiter", "syntax", "carol"):
        assert all(t["extra_data"]["outcome"] == "import_error" and t["score"] == 0
                   for t in code_tests(results(out, who)))


def test_only_the_looping_function_loses(graded_class):
    _, out, _, _ = graded_class
    lost = [t for t in code_tests(results(out, "hal")) if t["status"] != "passed"]
    assert lost and {t["extra_data"]["function"] for t in lost} == {"l2_penalty"}
    assert {t["extra_data"]["outcome"] for t in lost} == {"timeout"}


def test_a_classic_mistake_loses_on_its_function_with_a_hint(graded_class):
    _, out, _, _ = graded_class
    lost = [t for t in code_tests(results(out, "dave")) if t["status"] != "passed"]
    assert {t["extra_data"]["function"] for t in lost} == {"l2_gradient"}
    assert any(t["extra_data"]["hint"] for t in lost)


def test_forged_files_have_no_effect(graded_class):
    _, out, _, marker = graded_class
    data = results(out, "forger")
    rows = {(r["student"], r["assignment"]): r for r in gradebook(out)}
    assert float(rows[("forger", PEN.id)]["score"]) == data["score"] <= data["max_score"]
    assert data["score"] == results(out, "alice")["score"]
    allowed = {"gradebook.csv", "grades.sqlite", "grades.sqlite-wal", "grades.sqlite-shm", "alice", "bob",
               "carol", "dave", "hal", "exiter", "syntax", "killer", "forger"}
    assert {p.name for p in out.iterdir()} <= allowed
    assert sorted(p.name for p in (out / "forger" / PEN.id).iterdir()) == ["feedback.md", "results.json"]
    assert not marker.exists(), "the submission's conftest.py was loaded"


def test_feedback_is_readable(graded_class):
    _, out, _, _ = graded_class
    bob = (out / "bob" / PEN.id / "feedback.md").read_text()
    assert "not implemented yet" in bob and "Traceback" not in bob and "NotImplementedError" not in bob
    dave = (out / "dave" / PEN.id / "feedback.md").read_text()
    assert "| `l2_gradient` |" in dave and "Hint:" in dave
    hal = (out / "hal" / PEN.id / "feedback.md").read_text()
    assert "did not finish within 1 s" in hal
    exiter = (out / "exiter" / PEN.id / "feedback.md").read_text()
    assert "import_error" in exiter and "exited with code 7" in exiter


def test_unchanged_rerun_grades_nothing(graded_class):
    sub, out, _, _ = graded_class
    before = store_rows(out)
    proc = autograder("grade", sub, "--out", out, "--workers", 2, "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "grading 0 with" in proc.stderr
    assert store_rows(out) == before


# ============================================================================ resume after a real kill
def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in found:
                found.add(c)
                todo.append(c)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("workers", [1, 2])
def test_killed_batch_resumes_and_grades_only_what_is_missing(tmp_path, workers):
    sub, out = tmp_path / "submitted", tmp_path / "out"
    slow = "import time\ntime.sleep(0.25)\n"            # every submission takes a little while
    students = [f"s{i:02d}" for i in range(16)]
    for i, s in enumerate(students):
        put(sub, s, slow + (STUB if i % 4 == 3 else REF))
    total = len(students)
    scratch = tmp_path / "tmp"    # TMPDIR of both runs: the killed batch's scratch must not stay there
    scratch.mkdir()
    env = {**ENV, "TMPDIR": str(scratch)}
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(sub), "--out", str(out),
                             "--workers", str(workers), "--no-progress"], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "grades.sqlite").exists():
            try:
                done = len(store_rows(out))
            except sqlite3.Error:
                done = 0
            if done >= 3:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the batch finished before it could be killed"
    family = _descendants(proc.pid)
    assert family, "the grader should have helper processes (zygote, workers)"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.05)
    assert not [p for p in family if _alive(p)], "processes of the killed batch survived"

    before = store_rows(out)
    assert 0 < len(before) < total
    assert not (out / "gradebook.csv").exists()
    assert list(scratch.iterdir()), "the killed batch left its scratch folder (the next run removes it)"
    proc2 = subprocess.run([sys.executable, "-m", "autograder", "grade", str(sub), "--out", str(out),
                            "--workers", str(workers), "--no-progress"], cwd=REPO_ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert proc2.returncode == 0, proc2.stderr
    assert list(scratch.iterdir()) == []
    assert f"{len(before)} already graded and unchanged; grading {total - len(before)} with" in proc2.stderr
    after = store_rows(out)
    assert len(after) == total
    assert all(after[k] == row for k, row in before.items()), "finished rows must not be graded again"
    rows = gradebook(out)
    assert sorted((r["student"], r["assignment"]) for r in rows) == sorted((s, PEN.id) for s in students)
    for s in students:
        results(out, s)


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _zygote_pids() -> set[int]:
    pids = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()   # (zygotes of this checkout only)
                if b"zygote_main" in cmdline and str(REPO_ROOT).encode() in cmdline and _alive(int(entry)):
                    pids.add(int(entry))
            except OSError:
                continue
    return pids


def test_batch_zygotes_end_with_the_batch(tmp_path):
    """The zygotes the main process starts for its graders (one each) are gone when the batch ends."""
    sub, out = tmp_path / "submitted", tmp_path / "out"
    for s in ("alice", "bob", "carol"):
        put(sub, s, REF)
    before = _zygote_pids()
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(sub), "--out", str(out),
                             "--workers", "2", "--no-progress"], cwd=REPO_ROOT, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    started: set[int] = set()
    while proc.poll() is None:
        # the zygotes are the batch's own children (their workers, forked from them, share the command line)
        started |= {p for p in _zygote_pids() if _parent(p) == proc.pid}
        time.sleep(0.02)
    assert proc.returncode == 0, proc.stderr.read()
    assert len(started) == 2, started              # one per grader, started by the batch
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (_zygote_pids() - before):
        time.sleep(0.05)
    assert not (_zygote_pids() - before), "zygotes of the batch survived it"


def test_self_check_passes_for_every_reference_and_names_a_failing_case(capsys, monkeypatch):
    """Before grading, each assignment's reference is graded in process: a broken suite or reference is
    named on stderr (here simulated), and the real references pass every code case."""
    from autograder import cmd_grade, grading

    for a in ASSIGNMENTS.values():
        assert grading.self_check(a) == [], a.id
    broken = framework.CaseResult("l2_penalty: w = [1, 2], lam = 3", "l2_penalty", 0.0, 1.0, "failed",
                                  "result differs at index (0,): got 1, expected 2")
    monkeypatch.setattr(grading, "self_check", lambda a: [broken] if a is PEN else [])
    cmd_grade._prepare([PEN, ASSIGNMENTS["02_proximal"]])
    err = capsys.readouterr().err
    assert err.count("warning:") == 1
    assert "01_penalties: the reference solution fails 'l2_penalty: w = [1, 2], lam = 3' (failed: result " \
           "differs at index (0,): got 1, expected 2)" in err


def test_batch_graders_share_out_the_self_check(tmp_path, capfd, monkeypatch):
    """With several graders, each reference is checked exactly once, by one of the forked graders, and
    a failing case is still named on stderr."""
    import argparse

    from autograder import cmd_grade, grading

    sub, out, log = tmp_path / "submitted", tmp_path / "out", tmp_path / "checked.txt"
    prox = ASSIGNMENTS["02_proximal"]
    for a in (PEN, prox):
        folder = put(sub, "alice", None, a.id)
        (folder / a.filename).write_text((a.solution_dir() / a.filename).read_text())
    broken = framework.CaseResult("l2_penalty: w = [1, 2], lam = 3", "l2_penalty", 0.0, 1.0, "failed",
                                  "result differs")

    def fake_self_check(a):
        with open(log, "a") as f:       # (called in the forked graders: a file is what comes back)
            f.write(f"{os.getpid()} {a.id}\n")
        return [broken] if a.id == PEN.id else []

    monkeypatch.setattr(grading, "self_check", fake_self_check)
    args = argparse.Namespace(submitted=str(sub), out=str(out), workers=2, regrade=[], timeout=None, memory=None,
                              no_progress=True, no_pin=False)
    assert cmd_grade.main(args) == 0
    checked = [line.split() for line in log.read_text().splitlines()]
    assert sorted(a for _, a in checked) == [PEN.id, prox.id]
    assert all(int(pid) != os.getpid() for pid, _ in checked)
    err = capfd.readouterr().err
    assert err.count("warning:") == 1 and "01_penalties: the reference solution fails 'l2_penalty" in err
    assert {r["assignment"]: r["status"] for r in gradebook(out)} == {PEN.id: "graded", prox.id: "graded"}


def test_regrade_one_student(tmp_path):
    sub, out = tmp_path / "submitted", tmp_path / "out"
    for s in ("alice", "bob", "carol"):
        put(sub, s, REF)
    assert autograder("grade", sub, "--out", out, "--workers", 1, "--no-progress").returncode == 0
    before = store_rows(out)
    time.sleep(1.1)  # graded_at has a resolution of one second
    proc = autograder("grade", sub, "--out", out, "--workers", 1, "--regrade", "bob", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "grading 1 with" in proc.stderr
    after = store_rows(out)
    assert after[("alice", PEN.id)] == before[("alice", PEN.id)]
    assert after[("carol", PEN.id)] == before[("carol", PEN.id)]
    assert after[("bob", PEN.id)] != before[("bob", PEN.id)]
    # a changed submission is graded again without any flag
    (sub / "carol" / PEN.id / PEN.filename).write_text(STUB)
    proc = autograder("grade", sub, "--out", out, "--workers", 1, "--no-progress")
    assert "grading 1 with" in proc.stderr
    assert {r["student"]: float(r["score"]) for r in gradebook(out)}["carol"] == 0


@pytest.mark.parametrize("case, message", [
    ("missing", "does not exist"),
    ("inside", "must not be inside SUBMITTED"),
    ("regrade", "no student 'zoe'"),
    ("workers", "--workers must be at least 1"),
])
def test_cli_input_is_validated(tmp_path, case, message):
    sub = tmp_path / "submitted"
    put(sub, "alice", REF)
    args = {"missing": [tmp_path / "nope", "--out", tmp_path / "out"],
            "inside": [sub, "--out", sub / "out"],
            "regrade": [sub, "--out", tmp_path / "out", "--regrade", "zoe"],
            "workers": [sub, "--out", tmp_path / "out", "--workers", 0]}[case]
    proc = autograder("grade", *args)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_symlinked_module_is_refused(tmp_path):
    sub, out = tmp_path / "submitted", tmp_path / "out"
    folder = put(sub, "mallory", None)
    (folder / PEN.filename).symlink_to(PEN.solution_dir() / PEN.filename)
    assert autograder("grade", sub, "--out", out, "--workers", 1, "--no-progress").returncode == 0
    [row] = gradebook(out)
    assert row["status"] == "unreadable" and "symbolic link" in row["message"] and float(row["score"]) == 0


# ============================================================================ check
def public_max() -> float:
    return sum(c.points for c in framework.load_cases(PEN.suite, hidden=False))


def test_check_on_the_reference(tmp_path):
    folder = put(tmp_path, "me", REF)
    proc = autograder("check", folder)
    assert proc.returncode == 0, proc.stderr
    assert f"Total: {public_max():g}/{public_max():g} points" in proc.stdout
    assert "l2_gradient" in proc.stdout


def test_check_on_the_stub_says_not_implemented_without_traceback():
    proc = autograder("check", "01")
    assert proc.returncode == 1, proc.stderr   # public tests failed: status 1
    assert "not implemented yet" in proc.stdout and f"Total: 0/{public_max():g}" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr and "NotImplementedError" not in proc.stdout


def test_check_shows_hints_and_one_function_from_python(tmp_path, capsys):
    from autograder.cmd_check import run_check

    folder = put(tmp_path, "me", REF.replace("return lam * w\n", "return 2 * lam * w\n", 1))
    points = run_check(PEN.id, path=folder, functions=["l2_gradient"])
    text = capsys.readouterr().out
    assert points == 0 and "hint:" in text and "l1_penalty" not in text


def test_check_says_a_syntax_error_once(tmp_path, capsys):
    from autograder.cmd_check import run_check

    folder = put(tmp_path, "me", REF + "\ndef broken(:\n")
    assert run_check(PEN.id, path=folder) == 0
    text = capsys.readouterr().out
    assert text.count("SyntaxError") == 1 and text.count("import error") == len({c.function for c in framework.load_cases(PEN.suite, hidden=False)}), text


def test_check_errors_are_clear(tmp_path):
    proc = autograder("check", "99_nothing")
    assert proc.returncode == 2 and "unknown assignment" in proc.stderr and "Traceback" not in proc.stderr
    proc = autograder("check", cwd=tmp_path)
    assert proc.returncode == 2 and "no assignment module" in proc.stderr


# ============================================================================ pytest plugin
def test_pytest_plugin_node_ids_are_case_names(tmp_path):
    folder = put(tmp_path, "me", REF)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "autograder.pytest_plugin", "--submission",
                           str(folder), str(PEN.suites_dir()), "--collect-only", "-q",
                           "-p", "no:cacheprovider"], cwd=REPO_ROOT, env=ENV, capture_output=True, text=True)
    ids = [line.split("::", 1)[1] for line in proc.stdout.splitlines() if "::" in line]
    assert sorted(ids) == sorted(c.name for c in framework.load_cases(PEN.suite, hidden=True))


@pytest.mark.parametrize("who, code", [("reference", 0), ("mistake", 1)])
def test_pytest_plugin_grades_a_submission(tmp_path, who, code):
    source = REF if who == "reference" else REF.replace("return lam * w\n", "return 2 * lam * w\n", 1)
    folder = put(tmp_path, "me", source)
    conftest_marker = tmp_path / "conftest-loaded"
    (folder / "conftest.py").write_text(f"open({str(conftest_marker)!r}, 'w').write('x')\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "autograder.pytest_plugin", "--submission",
                           str(folder), str(PEN.suites_dir()), "-q", "-p", "no:cacheprovider"],
                          cwd=REPO_ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert proc.returncode == code, proc.stdout[-2000:]
    if code:
        assert "l2_gradient" in proc.stdout and "Hint:" in proc.stdout
    assert not conftest_marker.exists()


def test_regrade_fingerprint_covers_every_file_a_grade_depends_on():
    """Editing a shared hint (common.py) or a quiz key's points must make `grade` re-grade."""
    from autograder.cmd_grade import grading_code_files
    from autograder.course import find_assignment

    names = [p.name for p in grading_code_files(find_assignment("03_dropout"))]
    for needed in ("public.py", "hidden.py", "common.py", "dropout.py", "quiz.yaml"):
        assert needed in names, f"{needed} is not part of the regrade fingerprint"
