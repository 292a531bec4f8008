"""The isolation level is explicit: what each environment can enforce is detected and printed, `grade`
refuses a level that leaves a required guarantee unheld unless told otherwise, and the Gradescope
harness keeps the grader's secrets from student code as `grade` does (see also test_sandbox_batch)."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys

import pytest

from autograder import sandbox
from autograder.course import REPO_ROOT
from tests.sandbox_envs import ENVIRONMENTS, NOBODY, command, require
from tests.test_gradescope import REFERENCE, autograder_root, bundle_zip  # noqa: F401 - fixtures
from tests.zips import extract as extract_zip
from tests.test_sandbox_batch import ATTACK_FRAME, SNOOP, world  # noqa: F401 - fixture

EXPECTED = {   # what each environment must give: the walls on, and the level
    "root": ({"uid", "chroot", "mount_ns", "net_ns", "ipc_ns", "seccomp"}, "full"),
    "docker": ({"uid", "chroot", "seccomp"}, "reduced"),
    "nonroot": ({"seccomp"}, "weak"),
}


def _walls_in(env: str, stash) -> dict:
    code = "import json; from autograder import sandbox; print(json.dumps(sandbox.probe_walls()))"
    proc = subprocess.run(command(env, [sys.executable, "-c", code], stash), cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_gets_the_walls_it_can_have(env, world):
    require(env)
    stash = world / "stash"
    stash.mkdir()
    walls = _walls_in(env, stash)
    must, level = EXPECTED[env]
    assert {w for w, on in walls.items() if on} >= must, walls
    if env != "root":   # without CAP_SYS_ADMIN: no namespace but the user namespace, no mount
        assert not any(walls[w] for w in ("mount_ns", "net_ns", "ipc_ns", "pid_ns")), walls
    if env == "nonroot":
        assert not walls["uid"] and not walls["chroot"]
    assert sandbox.isolation(walls)["level"] == level


def test_weak_isolation_is_refused_unless_allowed(world):
    require("nonroot")
    submitted, out, stash = world / "submitted", world / "out", world / "stash"
    (submitted / "alice" / "01_penalties").mkdir(parents=True)
    (submitted / "alice" / "01_penalties" / "penalties.py").write_text(REFERENCE)
    stash.mkdir()
    out.mkdir()
    os.chown(out, NOBODY, NOBODY)
    argv = [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out / "o"), "--no-progress"]
    proc = subprocess.run(command("nonroot", argv, stash), cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("grade: error:")]
    assert len(errors) == 1 and "files" in errors[0] and "--allow-weak-isolation" in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr and not (out / "o").exists()
    assert "isolation: files     NOT HELD" in proc.stderr
    proc = subprocess.run(command("nonroot", argv + ["--allow-weak-isolation"], stash), cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((out / "o" / "alice" / "01_penalties" / "results.json").read_text())
    assert results["extra_data"]["isolation"]["level"] == "weak"
    assert set(results["extra_data"]["isolation"]["missing"]) == {"files", "disk"}


@pytest.mark.parametrize("env", ["root", "docker"])
def test_gradescope_harness_keeps_secrets_from_student_code(env, bundle_zip, autograder_root, world):  # noqa: F811
    """run_autograder with a token in its environment and an open descriptor on a secret file: the
    student's code looks everywhere, and nothing reaches results.json."""
    require(env)
    secret = "ag-secret-" + secrets.token_hex(12)
    root = autograder_root
    extract_zip(bundle_zip, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "submission" / "penalties.py").write_text(REFERENCE + "\n" + SNOOP + ATTACK_FRAME)
    secret_file = world / "secret.txt"
    secret_file.write_text(secret)
    fd = os.open(secret_file, os.O_RDONLY)
    secret_file.chmod(0o600)
    env_vars = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env_vars.update(AUTOGRADER_ROOT=str(root), PYTHON=sys.executable, GRADESCOPE_TOKEN=secret)
    stash = world / "stash"
    stash.mkdir()
    try:
        proc = subprocess.run(command(env, [str(root / "run_autograder")], stash), cwd=root, env=env_vars,
                              capture_output=True, text=True, timeout=600, pass_fds=[fd])
    finally:
        os.close(fd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (root / "results" / "results.json").read_text()
    assert secret not in text
    data = json.loads(text)
    report = "\n".join(t["output"] for t in data["tests"] if t["name"].startswith("l1_penalty:"))
    assert 'REPORT {"found": []} END' in report, report[:2000]
    assert data["extra_data"]["isolation"]["level"] == EXPECTED[env][1]   # recorded, as `grade` records it
    assert f"isolation level: {EXPECTED[env][1]}" in proc.stdout + proc.stderr   # shown to the instructor


def test_a_students_own_check_works_without_root(world):
    """`check` on a student's machine (no root, no capability): the sandbox runs with what it has."""
    require("nonroot")
    stash = world / "stash"
    stash.mkdir()
    module = world / "penalties.py"
    module.write_text(REFERENCE)
    module.chmod(0o644)
    proc = subprocess.run(command("nonroot", [sys.executable, "-m", "autograder", "check", str(module)], stash),
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    from autograder import grading
    from autograder.course import find_assignment

    points = sum(c.points for c in grading.cases_for(find_assignment("01_penalties"), False))
    assert f"Total: {points:g}/{points:g} points" in proc.stdout, proc.stdout


@pytest.mark.parametrize("flag", ["--timeout", "--memory", "--submission-timeout", "--scratch-mb", "--scratch-files",
                                  "--reply-mb"])
def test_a_limit_that_is_not_positive_is_one_clear_line(flag, world):
    (world / "submitted").mkdir()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(world / "submitted"), "--out",
                           str(world / "out"), flag, "0"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]   # one line naming the flag (argparse's or grade's own check)
    assert flag in last and ("positive number" in last or "greater than 0" in last) and " error: " in last, \
        proc.stderr


def test_instructor_limits_reach_every_worker(world):
    """--scratch-mb / --scratch-files / --reply-mb set what a worker may write and send back."""
    require("root")
    from tests.test_sandbox_batch import DISK_HOG, _attacker, _report

    big_reply = REFERENCE + "\n\nimport numpy as _np\n\ndef l2_gradient(w, lam):\n    return _np.zeros(300_000)\n"
    for student, source in (("hog", _attacker(DISK_HOG)), ("big", big_reply)):
        (world / "submitted" / student / "01_penalties").mkdir(parents=True)
        (world / "submitted" / student / "01_penalties" / "penalties.py").write_text(source)
    out = world / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(world / "submitted"), "--out", str(out),
                           "--no-progress", "--scratch-mb", "2", "--scratch-files", "50", "--reply-mb", "1"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    hog = _report(json.loads((out / "hog" / "01_penalties" / "results.json").read_text()))
    if sandbox.probe_walls()["mount_ns"]:
        assert hog["bytes"] <= 2 << 20 and hog["files"] + hog["depth"] + hog["bytes"] // (1 << 20) < 50, hog
    else:   # (a container without CAP_SYS_ADMIN: the scratch is read-only)
        assert hog == {"bytes": 0, "files": 0, "depth": 0}, hog
    big = json.loads((out / "big" / "01_penalties" / "results.json").read_text())
    outputs = [t["output"] for t in big["tests"] if t["name"].startswith("l2_gradient:")]
    assert outputs and all(t["score"] == 0 for t in big["tests"] if t["name"].startswith("l2_gradient:"))
    assert "larger than 1 MB" in outputs[0], outputs[0]
