"""One class, honest students and hostile submissions graded together, for real (`grade` in a
subprocess, --workers 1 and 2): the honest students get exactly the grade they get alone, every
hostile one gets a grade or a clear status of its own, the gradebook is written, and nothing is
left behind (scratch files, processes).

Hostile inputs: a nested-bracket answer sheet that segfaults libyaml; non-UTF-8 bytes in file,
folder and student names; a 1,500-deep tree; symbolic links to /etc/passwd, to another student's
module, to the parent folder; a module that is only a link; FIFOs (one named quiz_answers.yaml);
a device file (as root); a hard link to another student's module; a 5,000-digit integer and a
400-digit one returned by student code; a terminal escape in an error message; a module one folder
deeper and one renamed by a browser; a grader process killed by a real SIGSEGV mid-batch.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import quiz as Q
from tests.test_discovery import deep_tree
from autograder.course import REPO_ROOT
from autograder.discovery import remove_tree
from tests.test_grade import ENV, PEN, REF, STUB, gradebook, put

KEY = Q.load_quiz(Q.quiz_key_path(PEN))


def sheet(student: str, wrong: int = 0) -> str:
    """The graded questions' answer sheet of `student` (per-student questions answered for their own
    numbers), every answer right except the first `wrong` ones (answered, but wrong)."""
    secret, _ = Q.read_secret()
    lines = []
    for i, q in enumerate(KEY.graded):
        answer = q.raw_answer
        text = ", ".join(answer) if isinstance(answer, list) else str(answer)
        if q.variant:
            text = Q._show_canonical(q.key_for(q.params_for(Q.variant_token(secret, student))))
        if i < wrong:
            text = "d" if q.type == "single" and text != "d" else "a" if q.type != "numeric" else "123"
        lines.append(f"{q.id}: {text}")
    return "\n".join(lines) + "\n"


MISTAKE = REF.replace("return lam * w\n", "return 2 * lam * w\n", 1)
assert MISTAKE != REF
HONEST = {"alice": (REF, sheet("alice")), "bob": (MISTAKE, sheet("bob", wrong=2)), "carol": (STUB, None)}
BIG_INT = REF.replace("def l1_penalty(w, lam):", "def l1_penalty(w, lam):\n    return 10 ** 5000\n\n"
                                                  "def _unused(w, lam):", 1)
ESCAPE = REF.replace("def l2_penalty(w, lam):", "def l2_penalty(w, lam):\n    raise ValueError('\\x1b[2J\\x1b[31mred')\n\n"
                                                "def _unused2(w, lam):", 1)
NESTED_SHEET = b"q1: " + b"[" * (60 * 1024) + b"\n"
WEIRD_STUDENT = b"st\xffud\xe9nt"


def put_honest(root: Path, student: str) -> Path:
    module, answers = HONEST[student]
    extra = {"quiz_answers__yaml": answers} if answers is not None else {}
    return put(root, student, module, **extra)


def build_hostile_class(root: Path) -> Path:
    sub = root / "submitted"
    for student in HONEST:
        put_honest(sub, student)
    alice_module = sub / "alice" / PEN.id / PEN.filename
    (put(sub, "nested", REF) / "quiz_answers.yaml").write_bytes(NESTED_SHEET)
    bad = put(sub, "badnames", REF, quiz_answers__yaml=sheet("badnames"))
    for name in (b"caf\xe9.py", b"\xff\xfe/notes \x80.txt", b"\x1b[31m.txt"):
        path = os.path.join(os.fsencode(bad), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(b"x = 1\n")
    weird = os.path.join(os.fsencode(sub), WEIRD_STUDENT, PEN.id.encode())
    os.makedirs(weird)
    with open(os.path.join(weird, PEN.filename.encode()), "w") as f:
        f.write(REF)
    deep_tree(put(sub, "deep", REF), 1500)
    links = put(sub, "links", REF)
    (links / "passwd.py").symlink_to("/etc/passwd")
    (links / "penalties (1).py").symlink_to(alice_module)
    (links / "up").symlink_to("..")
    (put(sub, "linkonly", None) / PEN.filename).symlink_to(alice_module)
    fifo = put(sub, "fifo", REF)
    os.mkfifo(fifo / "quiz_answers.yaml")
    os.mkfifo(fifo / "pipe.py")
    if os.geteuid() == 0:
        os.mknod(fifo / "zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    os.link(alice_module, put(sub, "hardlink", None) / PEN.filename)
    put(sub, "bigint", BIG_INT)
    put(sub, "escape", ESCAPE)
    put(sub, "browser", None, **{"penalties (1)__py": REF})   # put() turns "__" into "."
    (put(sub, "deeper", None) / "work").mkdir()
    (sub / "deeper" / PEN.id / "work" / PEN.filename).write_text(REF)
    put(sub, "crash", REF)
    return sub


def run_grade(sub: Path, out: Path, workers: int, tmp: Path, **env) -> tuple:
    tmp.mkdir()
    marker = f"i13a-{os.getpid()}-{time.monotonic_ns()}"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(sub), "--out", str(out),
                           "--workers", str(workers), "--no-progress", "--timeout", "2"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
                          env={**ENV, "TMPDIR": str(tmp), "HOSTILE_TEST_MARKER": marker, **env})
    return proc, marker


def processes_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (graders, zygotes and workers of our run)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            continue
    return found


def code_score(data: dict) -> float:
    return sum(t["score"] for t in data["tests"] if t["extra_data"]["function"] != "quiz")


def load(out: Path, student: str) -> dict:
    return json.loads(open(os.path.join(os.fsencode(out), os.fsencode(student), PEN.id.encode(), b"results.json"),
                           "rb").read())


def comparable(data: dict) -> list:
    return [(t["name"], t["score"], t["max_score"], t["status"], t["output"]) for t in data["tests"]]


@pytest.fixture(scope="module")
def alone(tmp_path_factory):
    """Each honest student graded in a class of their own."""
    graded = {}
    for student in HONEST:
        root = tmp_path_factory.mktemp(f"alone-{student}")
        put_honest(root / "submitted", student)
        proc, _ = run_grade(root / "submitted", root / "out", 1, root / "tmp")
        assert proc.returncode == 0, proc.stderr
        [row] = gradebook(root / "out")
        graded[student] = (row, load(root / "out", student))
    return graded


@pytest.fixture(scope="module", params=[1, 2], ids=["workers1", "workers2"])
def hostile(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"hostile-{request.param}")
    try:
        sub = build_hostile_class(root)
        out, tmp = root / "out", root / "tmp"
        proc, marker = run_grade(sub, out, request.param, tmp, AUTOGRADER_TEST_KILL_GRADER=f"crash/{PEN.id}")
        rows = {r["student"]: r for r in gradebook(out)}
        yield proc, out, tmp, marker, rows
    finally:
        remove_tree(root)   # the 1,500-deep tree is beyond what pytest's own cleanup can remove


def test_the_batch_finishes_with_a_gradebook_row_for_everyone(hostile):
    proc, out, _, _, rows = hostile
    assert proc.returncode == 1, proc.stderr   # 1: one grader_error (the killed grader), no crash
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    expected = set(HONEST) | {"nested", "badnames", "st\\xffud\\xe9nt", "deep", "links", "linkonly", "fifo",
                              "hardlink", "bigint", "escape", "browser", "deeper", "crash"}
    assert set(rows) == expected


def test_honest_students_get_exactly_their_grade_alone(hostile, alone):
    _, out, _, _, rows = hostile
    for student, (row_alone, data_alone) in alone.items():
        row = rows[student]
        for column in ("score", "max_score", "status", "message"):
            assert row[column] == row_alone[column], (student, column)
        assert comparable(load(out, student)) == comparable(data_alone), student


def test_a_grader_killed_by_a_signal_costs_only_its_submission(hostile):
    _, _, _, _, rows = hostile
    crash = rows["crash"]
    assert crash["status"] == "grader_error" and "killed by SIGSEGV" in crash["message"]
    assert all(r["status"] != "grader_error" for s, r in rows.items() if s != "crash")


def test_hostile_submissions_are_graded_for_what_they_are(hostile, alone):
    _, out, _, _, rows = hostile
    full_code = code_score(alone["alice"][1])
    for student in ("nested", "badnames", "st\\xffud\\xe9nt", "deep", "links", "fifo", "hardlink", "browser",
                    "deeper"):
        assert rows[student]["status"] == "graded", (student, rows[student])
        assert code_score(load(out, student)) == full_code, student
    quiz = [t for t in load(out, "badnames")["tests"] if t["extra_data"]["function"] == "quiz"]
    assert quiz and all(t["status"] == "passed" for t in quiz)
    nested_quiz = [t for t in load(out, "nested")["tests"] if t["extra_data"]["function"] == "quiz"]
    assert nested_quiz and all("nests lists or mappings too deeply" in t["output"] for t in nested_quiz)
    assert rows["linkonly"]["status"] == "unreadable" and "symbolic link" in rows["linkonly"]["message"]
    assert float(rows["linkonly"]["score"]) == 0
    assert rows["linkonly"]["max_score"] == rows["alice"]["max_score"]   # its quiz is still graded


def test_what_discovery_did_is_said_in_the_feedback(hostile):
    _, out, _, _, _ = hostile

    def feedback(student):
        return (out / student / PEN.id / "feedback.md").read_text()

    assert "Graded penalties (1).py as penalties.py." in feedback("browser")
    assert "Graded work/penalties.py as penalties.py." in feedback("deeper")
    links = feedback("links")
    assert "passwd.py (a symbolic link" in links and "penalties (1).py (a symbolic link" in links
    assert "root:" not in links     # /etc/passwd was never read
    fifo = feedback("fifo")
    assert "quiz_answers.yaml (a named pipe)" in fifo and "pipe.py (a named pipe)" in fifo
    assert "levels deep were not looked into" in feedback("deep")
    assert "\\x1b[31m.txt" in feedback("badnames") or "\x1b" not in feedback("badnames")
    assert "levels deep" in load(out, "deep")["output"]          # and in results.json


def test_huge_numbers_and_escapes_are_reported_in_plain_words(hostile):
    _, out, _, _, _ = hostile
    big = [t for t in load(out, "bigint")["tests"] if t["extra_data"]["function"] == "l1_penalty"]
    assert big and all(t["status"] == "failed" for t in big)
    for t in big:
        assert "integer of about 5,001 digits" in t["output"], t["output"]
        assert "4300" not in t["output"] and "set_int_max_str_digits" not in t["output"]
    escape = (out / "escape" / PEN.id / "feedback.md").read_text()
    assert "\x1b" not in escape and "\\x1b[31mred" in escape
    assert all("\x1b" not in t["output"] for t in load(out, "escape")["tests"])


def test_nothing_is_left_behind(hostile):
    _, _, tmp, marker, _ = hostile
    deadline = time.monotonic() + 10
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)   # zygotes end when they see their grader's socket close
    assert processes_with(marker) == []
    assert list(tmp.iterdir()) == []


def test_an_oom_killed_grader_costs_only_its_submission_with_one_worker(tmp_path, alone):
    """SIGKILL is what the OOM killer sends; with --workers 1 the main process used to die with it."""
    sub = tmp_path / "submitted"
    for student in HONEST:
        put_honest(sub, student)
    put(sub, "hog", REF)
    proc, marker = run_grade(sub, tmp_path / "out", 1, tmp_path / "tmp", AUTOGRADER_TEST_KILL_GRADER=f"hog/{PEN.id}:9")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    rows = {r["student"]: r for r in gradebook(tmp_path / "out")}
    assert rows["hog"]["status"] == "grader_error" and "SIGKILL" in rows["hog"]["message"]
    for student, (row_alone, data_alone) in alone.items():
        assert {k: rows[student][k] for k in ("score", "max_score", "status")} == \
            {k: row_alone[k] for k in ("score", "max_score", "status")}
        assert comparable(load(tmp_path / "out", student)) == comparable(data_alone)
    assert list((tmp_path / "tmp").iterdir()) == []


def _layout(root: Path, kind: str) -> Path:
    sub = root / "submitted"
    if kind == "one level too high":
        put_honest(sub / "fall-2026", "alice")
    elif kind == "one level too deep":
        put_honest(sub, "alice")
        return sub / "alice"
    elif kind == "empty":
        sub.mkdir(parents=True)
    elif kind == "only files":
        sub.mkdir(parents=True)
        (sub / "penalties.py").write_text(REF)
    elif kind == "modules in student folders":
        (sub / "alice").mkdir(parents=True)
        (sub / "alice" / "penalties.py").write_text(REF)
    elif kind == "unknown assignments":
        put(sub, "alice", REF, assignment="homework1")
    return sub


@pytest.mark.parametrize("kind, words", [
    ("one level too high", ["one level too high", "fall-2026/alice/01_penalties", "pass"]),
    ("one level too deep", ["one level too deep", "01_penalties"]),
    ("empty", ["holds no student folders"]),
    ("only files", ["holds no student folders"]),
    ("modules in student folders", ["no assignment folder", "alice"]),
    ("unknown assignments", ["no assignment folder", "alice/homework1/"]),
])
def test_a_wrong_layout_is_named_in_one_line_and_exits_non_zero(tmp_path, kind, words):
    sub = _layout(tmp_path, kind)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(sub), "--out", str(out), "--no-progress"],
                          cwd=REPO_ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("grade: error: "), proc.stderr
    for w in words:
        assert w in lines[0], lines[0]
    assert "expected" in lines[0] and "<student>/<assignment>/" in lines[0]
    assert not out.exists()   # nothing written for a batch that did not start


def test_check_finds_the_module_as_grade_does(tmp_path):
    folder = tmp_path / "01_penalties"
    (folder / "work").mkdir(parents=True)
    (folder / "work" / "penalties (1).py").write_text(REF)
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(folder)], cwd=REPO_ROOT, env=ENV,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "work/penalties (1).py" in proc.stdout and "Total: " in proc.stdout
    total = proc.stdout.split("Total: ")[1].split(" ")[0]
    got, full = total.split("/")
    assert got == full   # the reference, found one folder deeper under a browser's name
