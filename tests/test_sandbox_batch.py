"""Hostile submissions in a real batch (`python -m autograder grade` in a subprocess), in each
environment a grader runs in: as root, with Docker's default capability set (no CAP_SYS_ADMIN) and as
an unprivileged user (see tests/sandbox_envs.py).

Each hostile student submits the reference solution plus an attack in one function, which reports
what it achieved by raising an exception (so it reaches the student's own feedback). In every
environment: the honest students of the batch get exactly the scores they get alone, the grader does
not crash, the attacks that the walls of that environment must stop are stopped, no secret reaches any
report, and nothing is left behind (files, processes, System V IPC objects, mounts).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from autograder import grading
from autograder.course import REPO_ROOT, find_assignment
from tests.sandbox_envs import ENVIRONMENTS, NOBODY, command, require

ASSIGNMENT = find_assignment("01_penalties")
REFERENCE = (ASSIGNMENT.solution_dir() / ASSIGNMENT.filename).read_text()
HONEST = {"honest_reference": REFERENCE,
          "honest_partial": (REPO_ROOT / "examples/submitted/ben_lindqvist/01_penalties/penalties.py").read_text()}
SECRET_PREFIX = "ag-secret-"

# An attack replaces l1_penalty: on its first call it runs `attack()` and raises its report.
ATTACK_FRAME = '''

import json as _json
_done = []
_reference_l1_penalty = l1_penalty


def l1_penalty(w, lam):
    if not _done:
        _done.append(1)
        raise RuntimeError("REPORT " + _json.dumps(attack()) + " END")
    return _reference_l1_penalty(w, lam)
'''

SNOOP = '''
def attack():
    """Look for the grader's secrets: environment, inherited descriptors, other processes."""
    import os, stat
    found = [v for k, v in os.environ.items() if "ag-secret-" in v or "ag-secret-" in k]
    for fd in range(1024):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue   # (its own socket to the grader: reading it would wait forever)
            os.lseek(fd, 0, 0)
        except OSError:
            pass
        try:
            data = os.read(fd, 4096).decode("latin-1")
        except OSError:
            continue
        found += [data] if "ag-secret-" in data else []
    for pid in (os.listdir("/proc") if os.path.isdir("/proc") else []):
        for what in ("environ", "cmdline"):
            try:
                data = open(f"/proc/{pid}/{what}", "rb").read().decode("latin-1")
            except OSError:
                continue
            found += [data[data.find("ag-secret-"):][:60]] if "ag-secret-" in data else []
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    data = open(f"/proc/{pid}/fd/{fd}", "rb").read(4096).decode("latin-1")
                except OSError:
                    continue
                found += [data] if "ag-secret-" in data else []
        except OSError:
            pass
    print(found)
    return {"found": found}
'''

DISK_HOG = '''
def attack():
    """Write as much as it can (64 MB at most: 4 times the quota), then many files, then a deep tree."""
    import os
    report = {"bytes": 0, "files": 0, "depth": 0}
    blob = b"x" * (1 << 20)
    try:
        while report["bytes"] < (64 << 20):
            with open(f"big{report['bytes'] >> 20}", "wb") as f:
                f.write(blob)
            report["bytes"] += len(blob)
    except OSError:
        pass
    try:
        while report["files"] < 3000:
            open(f"small{report['files']}", "wb").close()
            report["files"] += 1
    except OSError:
        pass
    top = os.open(".", os.O_RDONLY)
    try:
        while report["depth"] < 1500:
            os.mkdir("deeper")
            os.chdir("deeper")
            report["depth"] += 1
    except OSError:
        pass
    finally:
        os.fchdir(top)
    return report
'''

ESCAPES = '''
def attack():
    """Every way out that the walls must close: network, host sockets, SysV IPC, memfd, processes."""
    import ctypes, os, socket, threading
    libc = ctypes.CDLL(None, use_errno=True)
    out = {}

    def attempt(name, f):
        try:
            f()
            out[name] = "ok"
        except BaseException as exc:
            out[name] = type(exc).__name__

    def tcp():
        socket.create_connection(("127.0.0.1", PORT), timeout=0.5).close()

    def host_socket():
        s = socket.socket(socket.AF_UNIX)
        s.connect(ABSTRACT)

    def sysv_shm():
        shm = libc.shmget(0, 1100 << 20, 0o1600)   # IPC_PRIVATE, IPC_CREAT | 0600: 1.1 GB
        if shm < 0:
            raise OSError(ctypes.get_errno(), "shmget")
        addr = libc.shmat(shm, None, 0)
        if addr in (-1, 0xFFFFFFFFFFFFFFFF, None):
            raise OSError(ctypes.get_errno(), "shmat")

    def memfd():
        fd = os.memfd_create("hoard")
        os.ftruncate(fd, 960 << 20)
        for _ in range(64):                         # 64 MB really written (kept small on purpose)
            os.write(fd, b"x" * (1 << 20))

    def fork():
        if os.fork() == 0:
            os._exit(0)

    def thread():
        threading.Thread(target=lambda: None).start()

    def user_namespace():
        if libc.unshare(0x10000000) != 0:
            raise OSError(ctypes.get_errno(), "unshare")

    def memory():
        bytearray(2 << 30)

    def parent_memory():   # the zygote that forked it (as the same user, if not root)
        open(f"/proc/{os.getppid()}/mem", "r+b").close()

    def parent_limits():   # lower the limits of the process that forked it (as the same user, if not root)
        import resource
        resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (8, 8))

    for name, f in [("tcp", tcp), ("host_socket", host_socket), ("sysv_shm", sysv_shm), ("memfd", memfd),
                    ("fork", fork), ("thread", thread), ("user_namespace", user_namespace), ("memory", memory),
                    ("parent_limits", parent_limits), ("parent_memory", parent_memory)]:
        attempt(name, f)
    return out
'''

HUGE_REPLY = '''
def attack():
    return {}


def l2_gradient(w, lam):
    """Forge, on its socket to the grader, a 15 MB reply of 5 million empty lists."""
    import os, stat, struct, time
    payload = b'["ok", [' + b"[]," * 5_000_000 + b"[]]]"
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.write(fd, struct.pack("!I", len(payload)) + payload)
        except OSError:
            pass
    time.sleep(10)   # (no real reply after the forged one)
'''

SLOW = '''
import time as _time


def attack():
    return {}


def _slowly(f):
    def slow(*args, **kwargs):
        _time.sleep(0.3)
        return f(*args, **kwargs)
    return slow


for _name in ("l1_subgradient", "l2_penalty", "l2_gradient", "elastic_net_penalty", "elastic_net_gradient",
              "l1_scalar_minimizer", "l2_scalar_minimizer"):
    globals()[_name] = _slowly(globals()[_name])
'''

SUBMISSION_TIMEOUT = 8.0   # seconds: the slow student's budget in these batches (calls may take 5 s)


def _attacker(attack: str, **constants) -> str:
    head = "".join(f"{k} = {v!r}\n" for k, v in constants.items())
    return REFERENCE + "\n" + head + textwrap.dedent(attack) + ATTACK_FRAME


@pytest.fixture(scope="module")
def alone_scores():
    """Each honest submission graded on its own (in this process, outside any batch)."""
    scores = {}
    with tempfile.TemporaryDirectory() as tmp:
        for student, source in HONEST.items():
            folder = Path(tmp) / student
            folder.mkdir()
            (folder / ASSIGNMENT.filename).write_text(source)
            results = grading.grade_submission(ASSIGNMENT, folder, hidden=True, quiz=False)
            scores[student] = grading.totals(results)
    return scores


@pytest.fixture
def world():
    """A world-traversable folder (the unprivileged grader must reach it), removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="ag-batch-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


def _ipc_objects() -> set[str]:
    """System V shared memory, semaphores and message queues visible here (ipcs), by key and id."""
    out = subprocess.run(["ipcs"], capture_output=True, text=True).stdout
    return {line for line in out.splitlines() if re.match(r"^0x[0-9a-f]+\s+\d+", line)}


def _batch_processes(world: Path) -> list[int]:
    """Live processes left by a batch run in `world`: workers (chrooted in, or working in, a scratch
    folder under it) and zygotes of this checkout not started by this test process. (Other grading
    runs on the machine use the same sandbox uids: the uid alone does not tell ours.)"""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
            where = [os.readlink(f"/proc/{entry}/{link}") for link in ("root", "cwd")]
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        if re.search(r"^State:\s+Z", status, re.M):
            continue
        parent = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
        ours = any(w.startswith(str(world)) for w in where) or (
            b"zygote_main" in cmdline and str(REPO_ROOT).encode() in cmdline and parent != os.getpid())
        if ours:
            found.append(int(entry))
    return found


def _wait_gone(world: Path, timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := _batch_processes(world)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _report(results: dict) -> dict:
    text = "\n".join(t["output"] for t in results["tests"] if t["name"].startswith("l1_penalty:"))
    match = re.search(r"REPORT (.*?) END", text, re.S)
    assert match, text[:2000]
    return json.loads(match.group(1))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_hostile_batch(env, world, alone_scores):
    require(env)
    secret = SECRET_PREFIX + secrets.token_hex(12)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    abstract = "\0ag-host-" + secrets.token_hex(4)
    host = socket.socket(socket.AF_UNIX)
    host.bind(abstract)
    host.listen(4)
    submitted, out, tmp, stash = (world / name for name in ("submitted", "out", "tmp", "stash"))
    attackers = {
        "snoop": _attacker(SNOOP),
        "disk_hog": _attacker(DISK_HOG),
        "escapes": _attacker(ESCAPES, PORT=server.getsockname()[1], ABSTRACT=abstract),
        "huge_reply": _attacker(HUGE_REPLY),
        "slow": _attacker(SLOW),
    }
    for student, source in {**HONEST, **attackers}.items():
        (submitted / student / ASSIGNMENT.id).mkdir(parents=True)
        (submitted / student / ASSIGNMENT.id / ASSIGNMENT.filename).write_text(source)
    for folder in (tmp, stash, out):
        folder.mkdir()
    if env == "nonroot":
        for folder in (tmp, out):
            os.chown(folder, NOBODY, NOBODY)
    secret_file = world / "secret.txt"
    secret_file.write_text(secret)
    secret_fd = os.open(secret_file, os.O_RDONLY)     # an open descriptor the grader inherits
    secret_file.chmod(0o600)
    ipc_before = _ipc_objects()
    argv = [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), "--workers", "2",
            "--no-progress", "--timeout", "5", "--submission-timeout", str(SUBMISSION_TIMEOUT)]
    if env == "nonroot":
        argv.append("--allow-weak-isolation")
    env_vars = {**os.environ, "AG_TOKEN": secret, "TMPDIR": str(tmp)}
    try:
        proc = subprocess.run(command(env, argv, stash), cwd=REPO_ROOT, env=env_vars, capture_output=True,
                              text=True, timeout=600, pass_fds=[secret_fd])
    finally:
        os.close(secret_fd)
        server.close()
        host.close()
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    results = {s: json.loads((out / s / ASSIGNMENT.id / "results.json").read_text())
               for s in {**HONEST, **attackers}}

    # the isolation is printed (one line per wall) and recorded
    level = {"root": "full", "docker": "reduced", "nonroot": "weak"}[env]
    assert f"isolation level: {level}" in proc.stderr, proc.stderr
    assert len(re.findall(r"^isolation: \S+ ?\S* +(on|off) ", proc.stderr, re.M)) == 8, proc.stderr
    assert all(r["extra_data"]["isolation"]["level"] == level for r in results.values())

    # honest students: exactly their scores alone (code cases; the quiz is not submitted)
    for student in HONEST:
        code = [t for t in results[student]["tests"] if not t["name"].startswith("quiz")]
        got = (sum(t["score"] for t in code), sum(t["max_score"] for t in code))
        assert got == alone_scores[student], (student, got, alone_scores[student])

    # secrets: in no report, whatever the environment
    for path in out.rglob("*"):
        if path.is_file():
            assert secret not in path.read_bytes().decode("latin-1"), path
    assert _report(results["snoop"]) == {"found": []}

    # every escape is closed in every environment (seccomp holds without root too)
    escapes = _report(results["escapes"])
    assert set(escapes) == {"tcp", "host_socket", "sysv_shm", "memfd", "fork", "thread", "user_namespace",
                            "memory", "parent_limits", "parent_memory"}
    assert all(outcome != "ok" for outcome in escapes.values()), escapes

    # scratch space: a 16 MB / 1000-file tmpfs as root, read-only without CAP_SYS_ADMIN
    disk = _report(results["disk_hog"])
    if env == "root":
        assert disk["bytes"] <= 16 << 20 and disk["files"] + disk["depth"] + disk["bytes"] // (1 << 20) < 1000, disk
    elif env == "docker":
        assert disk == {"bytes": 0, "files": 0, "depth": 0}, disk
    else:   # no quota is possible without root (a weak level, allowed explicitly): it is cleaned up
        assert disk["depth"] == 1500, disk

    # the huge reply is refused with a clear message, and costs one function
    huge = [t for t in results["huge_reply"]["tests"] if t["name"].startswith("l2_gradient:")]
    assert huge and all(t["score"] == 0 for t in huge)
    assert any("too large or too deeply nested to grade" in t["output"] for t in huge), huge[0]["output"]

    # the slow submission: bounded by its budget, the functions left marked as not graded for time
    db = sqlite3.connect(out / "grades.sqlite")
    (seconds,) = db.execute("SELECT seconds FROM grades WHERE student = 'slow'").fetchone()
    db.close()
    # 2 s of slack: the trusted side's own checks after the budget ended, and a loaded machine
    assert seconds < SUBMISSION_TIMEOUT + 2.0, seconds
    assert "not graded for time" in "\n".join(t["output"] for t in results["slow"]["tests"])

    # nothing left behind: scratch files, processes, IPC objects, mounts
    assert list(tmp.iterdir()) == [], list(tmp.iterdir())
    assert _wait_gone(world) == []
    assert _ipc_objects() == ipc_before
    assert str(world) not in Path("/proc/self/mountinfo").read_text()
