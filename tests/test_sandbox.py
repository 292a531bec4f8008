"""The sandbox against hostile and broken submissions (real worker processes, real kills).

Each test writes a small throwaway module, runs it through SandboxedSubmission (or a
framework case on top of it) and checks the outcome the student sees, and that the
grading side is unaffected. Root-only properties (uid drop, chroot, other students'
files) need root: they fail loudly without it, unless AUTOGRADER_TESTS_ALLOW_NONROOT=1
is set, in which case they are reported as skipped with the reason.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import framework, sandbox
from autograder.course import REPO_ROOT
from autograder.framework import BadReturn, StudentRaised, StudentTimeout
from autograder.sandbox import SandboxedSubmission

IS_ROOT = os.geteuid() == 0
FAST = dict(call_timeout=1.0, import_timeout=1.5)


@pytest.fixture
def require_root():
    if not IS_ROOT:
        if os.environ.get("AUTOGRADER_TESTS_ALLOW_NONROOT") == "1":
            pytest.skip("NOT CHECKED: needs root (uid drop, chroot); run the tests as root")
        pytest.fail("this sandbox property (uid drop / chroot) can only be checked as root; run the tests as "
                    "root, or set AUTOGRADER_TESTS_ALLOW_NONROOT=1 to report it as skipped")


@pytest.fixture
def make(tmp_path):
    """make(source, name="student") -> an open SandboxedSubmission of that module."""
    opened = []

    def _make(source: str, name: str = "student", folder: Path | None = None, **options):
        folder = folder or tmp_path / f"sub{len(opened)}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        sub = SandboxedSubmission(path, **{**FAST, **options})
        opened.append(sub)
        return sub

    yield _make
    for sub in opened:
        sub.close()


def processes(uid: int | None = None, pgid: int | None = None) -> list[int]:
    """Live (non-zombie) pids owned by `uid` or in process group `pgid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, pgrp = fields[0], int(fields[2])
        if state == "Z":
            continue
        real_uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        if (uid is not None and real_uid == uid) or (pgid is not None and pgrp == pgid):
            found.append(int(entry))
    return found


def wait_gone(uid=None, pgid=None, timeout=3.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = processes(uid, pgid)
        if not left:
            return []
        time.sleep(0.05)
    return processes(uid, pgid)


def run(sub, fn, *args, points=1.0, body=None):
    """Run a one-call framework case on `sub`; returns the CaseResult."""
    def default_body(s):
        got = s.call(fn, *args)
        framework.check_close(got, 1.0, rtol=0, what=f"{fn}()")
    c = framework.Case(f"{fn}: test", fn, points, body or default_body)
    return framework.run_case(c, sub)


GOOD = textwrap.dedent("""
    import numpy as np

    def one():
        return 1.0

    def scale(w, lam):
        return lam * np.asarray(w, dtype=float)
""")


# ============================================================================ normal operation
def test_calls_return_plain_data_and_inputs(make):
    sub = make(GOOD + "\ndef inplace(w):\n    w *= 2\n    return w.sum()\n")
    assert sub.call("one") == 1.0
    got = sub.call("scale", np.array([1.0, -2.0]), 0.5)
    assert isinstance(got, np.ndarray) and got.tolist() == [0.5, -1.0]
    value, args, _ = sub.call_with_inputs("inplace", np.array([1.0, 2.0]))
    assert value == 6.0 and args[0].tolist() == [2.0, 4.0]   # the worker's view of the modified input
    assert sub.has_function("scale") and not sub.has_function("nope")


def test_not_implemented_is_one_line(make):
    sub = make("def f(x):\n    '''doc'''\n    raise NotImplementedError()\n")
    r = run(sub, "f", 1)
    assert r.status == "not_implemented" and r.output == "f() is not implemented yet"
    assert "Traceback" not in r.output


def test_student_exception_keeps_only_the_students_frames(make):
    sub = make("def helper(x):\n    return 1 / x\n\ndef f(x):\n    return helper(x)\n")
    with pytest.raises(StudentRaised) as info:
        sub.call("f", 0)
    assert "ZeroDivisionError" in info.value.message
    assert "helper" in info.value.detail and "return 1 / x" in info.value.detail
    assert "worker.py" not in info.value.detail and "autograder" not in info.value.detail


# ============================================================================ time
def test_infinite_loop_in_one_function_only_that_function_loses(make):
    sub = make(GOOD + "\ndef spin():\n    while True:\n        pass\n")
    pid_before = None
    assert sub.call("one") == 1.0
    pid_before = sub.worker_pid
    start = time.monotonic()
    r = run(sub, "spin")
    assert r.status == "timeout" and "did not finish within 1 s" in r.output
    assert time.monotonic() - start < 5
    assert not processes(pgid=pid_before) or not wait_gone(pgid=pid_before)
    assert sub.call("one") == 1.0                      # a fresh worker serves the other functions
    assert sub.worker_pid != pid_before
    start = time.monotonic()
    with pytest.raises(StudentTimeout, match="not run again"):
        sub.call("spin")                                # not run again: no second wait
    assert time.monotonic() - start < 0.5


def test_sleep_in_function_times_out(make):
    sub = make(GOOD + "\nimport time\n\ndef nap():\n    time.sleep(60)\n")
    assert run(sub, "nap").status == "timeout"
    assert sub.call("one") == 1.0


@pytest.mark.parametrize("top", ["while True:\n    pass", "import time\ntime.sleep(60)"])
def test_slow_import_fails_every_call_with_a_clear_message(make, top):
    sub = make(GOOD + "\n" + top + "\n")
    for fn in ("one", "scale"):
        r = run(sub, fn, 1.0, 1.0)
        assert r.status == "import_error"
        assert "took longer than 1.5 s" in r.output and "top level" in r.output


# ============================================================================ exits and crashes
def test_sys_exit_at_import(make):
    sub = make(GOOD + "\nimport sys\nsys.exit(3)\n")
    r = run(sub, "one")
    assert r.status == "import_error" and "sys.exit(3)" in r.output


def test_os_exit_at_import(make):
    sub = make(GOOD + "\nimport os\nos._exit(4)\n")
    r = run(sub, "one")
    assert r.status == "import_error" and "exited with code 4" in r.output


def test_os_exit_in_function_only_that_function_loses(make):
    sub = make(GOOD + "\nimport os\n\ndef die():\n    os._exit(5)\n")
    r = run(sub, "die")
    assert r.status == "crashed" and "exited with code 5" in r.output
    assert sub.call("one") == 1.0


def test_sys_exit_in_function_is_an_error_not_an_exit(make):
    sub = make(GOOD + "\nimport sys\n\ndef quit_():\n    sys.exit(0)\n")
    r = run(sub, "quit_")
    assert r.status == "error" and "sys.exit(0)" in r.output
    assert sub.call("one") == 1.0


def test_segfault_in_function(make):
    sub = make(GOOD + "\nimport ctypes\n\ndef crash():\n    ctypes.string_at(0)\n")
    r = run(sub, "crash")
    assert r.status == "crashed" and "SIGSEGV" in r.output
    assert sub.call("one") == 1.0


def test_killing_everything_it_can_kills_only_itself(make, require_root):
    # Guarded twice: kill(-1) by a process that kept root would kill the whole machine, so the
    # hostile code refuses to run unless the uid was dropped (the test then fails instead).
    sub = make(GOOD + textwrap.dedent("""
        import os, signal

        def kill_all():
            if os.getuid() == 0 or os.geteuid() == 0:
                return -1.0
            os.kill(-1, signal.SIGKILL)
            return 1.0
    """))
    assert sub.call("one") == 1.0 and sub.uid
    pid = sub.worker_pid
    r = run(sub, "kill_all")   # refused by the seccomp filter or, without it, killing nothing but itself
    assert r.status == "passed" or "Operation not permitted" in r.output, r
    assert sub.worker_pid == pid and sub.call("one") == 1.0
    assert sandbox.get_zygote().alive()


# ============================================================================ memory, processes, output
@pytest.mark.parametrize("bomb", [
    "bytearray(4 << 30)",
    "np.ones((1 << 31,))",
    "[bytes(1 << 20) for _ in range(100000)]",
])
def test_memory_bomb_is_a_memory_error(make, bomb):
    sub = make(GOOD + f"\n\ndef bomb():\n    x = {bomb}\n    return 1.0\n", memory_mb=256)
    r = run(sub, "bomb")
    assert r.status in ("error", "crashed"), r
    assert "MemoryError" in r.output or "memory" in r.output
    pid = sub.worker_pid
    assert sub.call("one") == 1.0
    if r.status == "error":   # out of memory once: a fresh worker for the rest, the bomb is not run again
        assert sub.worker_pid != pid and sub.events == ["bomb: out of memory"]
        start = time.monotonic()
        again = run(sub, "bomb")
        assert again.status == "error" and "not run again: an earlier call ran out of memory (the worker's " \
            "limit is 256 MB)" in again.output
        assert time.monotonic() - start < 0.05 and sub.call("one") == 1.0


def test_memory_bomb_at_import(make):
    sub = make(GOOD + "\nhoard = [bytes(1 << 20) for _ in range(100000)]\n", memory_mb=256)
    r = run(sub, "one")
    assert r.status == "import_error" and "MemoryError" in r.output


def test_no_forks_no_threads_and_nothing_left_behind(make, require_root):
    sub = make(GOOD + textwrap.dedent("""
        import os, subprocess, threading

        def fork():
            return float(os.fork())

        def spawn():
            subprocess.Popen(["sleep", "1000"])
            return 1.0

        def thread():
            threading.Thread(target=lambda: None).start()
            return 1.0

        def fork_bomb():
            # bounded (50 children at most), so a broken limit fails the test instead of the machine
            import time
            for _ in range(50):
                try:
                    if os.fork() == 0:
                        time.sleep(1000)
                        os._exit(0)
                except OSError:
                    pass
            while True:
                pass
    """))
    assert sub.call("one") == 1.0
    uid, pid = sub.uid, sub.worker_pid
    for fn in ("fork", "spawn", "thread"):
        r = run(sub, fn)
        assert r.status == "error", r
        assert any(word in r.output for word in ("Resource temporarily unavailable", "can't start new thread",
                                                   "BlockingIOError", "No such file", "Operation not permitted"))
    assert run(sub, "fork_bomb").status == "timeout"
    sub.close()
    assert wait_gone(uid=uid) == [], "processes of the sandbox uid survived"
    assert wait_gone(pgid=pid) == [], "processes of the worker's process group survived"


def test_rlimits_inside_the_worker(make):
    sub = make("import resource\n\ndef limits():\n    return [list(resource.getrlimit(getattr(resource, n))) "
               "for n in ('RLIMIT_NPROC', 'RLIMIT_CORE', 'RLIMIT_AS', 'RLIMIT_FSIZE')]\n")
    nproc, core, address_space, fsize = sub.call("limits")
    assert nproc == [0, 0] and core == [0, 0]
    assert 0 < address_space[0] < 1 << 40 and 0 < fsize[0] <= 16 << 20


def test_megabytes_of_output(make):
    sub = make(GOOD + textwrap.dedent("""
        import os, sys
        print("x" * (5 << 20))

        def chatty():
            for _ in range(20000):
                print("y" * 500)
            os.write(1, b"z" * (4 << 20))
            sys.stderr.write("w" * (1 << 20))
            return 1.0

        def chatty_fail():
            print("about to fail")
            raise ValueError("nope")
    """))
    assert sub.call("chatty") == 1.0
    assert len(sub.import_printed) < 3000 and sub.import_printed.startswith("xxx")
    with pytest.raises(StudentRaised) as info:
        sub.call("chatty_fail")
    assert "about to fail" in info.value.detail


def test_huge_return_is_refused(make):
    sub = make(GOOD + "\n\ndef big():\n    return np.zeros(1 << 20)\n", max_reply_bytes=1 << 20)
    with pytest.raises(BadReturn, match="larger than"):
        sub.call("big")
    assert sub.call("one") == 1.0


# ============================================================================ bad values
def test_syntax_error(make):
    sub = make("def f(x)\n    return x\n")
    r = run(sub, "f", 1)
    assert r.status == "import_error" and "SyntaxError" in r.output and "line 1" in r.output


def test_missing_function(make):
    sub = make(GOOD)
    r = run(sub, "l2_gradient", 1)
    assert r.status == "error" and "no function l2_gradient()" in r.output
    assert not sub.has_function("l2_gradient")


@pytest.mark.parametrize("ret, message", [
    ("None", "is None"),
    ("float('nan')", "NaN"),
    ("np.ones(3)", "shape"),
    ("'1.0'", "string"),
    ("{'a': 1.0}", "dict"),
    ("[1.0, 'a']", "cannot be read"),
])
def test_bad_return_values_fail_with_a_message(make, ret, message):
    sub = make(GOOD + f"\n\ndef bad():\n    return {ret}\n")
    r = run(sub, "bad")
    assert r.status == "failed" and message in r.output, r


def test_objects_that_claim_equality_cannot_cross(make):
    sub = make(GOOD + textwrap.dedent("""
        class Liar(float):
            def __eq__(self, other):
                return True
            __ne__ = lambda self, other: False

        class Always:
            def __eq__(self, other):
                return True
            def __array__(self, *a, **k):
                return np.array(1.0)

        def always():
            return Always()

        def object_array():
            return np.array([Always()], dtype=object)

        def liar():
            return Liar(7.0)
    """))
    for fn in ("always", "object_array"):
        r = run(sub, fn)
        assert r.status == "failed" and "cannot be graded" in r.output, r
    # a float subclass crosses as a plain float: its __eq__ stays behind
    got = sub.call("liar")
    assert type(got) is float and got == 7.0
    assert run(sub, "liar").status == "failed"


def forging_module(payload: bytes) -> str:
    """A module whose forge() writes one framed message (the payload) on every socket it can find,
    then returns 1.0 as usual."""
    return GOOD + textwrap.dedent(f"""
        import os, stat, struct

        def forge(x=0):
            payload = {payload!r}
            for fd in range(3, 64):
                try:
                    if stat.S_ISSOCK(os.fstat(fd).st_mode):
                        os.write(fd, struct.pack("!I", len(payload)) + payload)
                except OSError:
                    pass
            return 1.0
    """)


def test_garbage_on_the_socket_is_a_bad_return(make):
    sub = make(forging_module(b"garbage"))
    with pytest.raises(BadReturn):
        sub.call("forge")
    assert sub.call("one") == 1.0


@pytest.mark.parametrize("forged, inputs", [
    ('["ok", 1.0, 2.0]', False),                                          # neither form of a value reply
    ('["ok", 1.0, {"__tuple__": []}, {"__dict__": []}]', False),          # arguments nobody asked for
    ('["ok", 1.0]', True),                                                # the arguments asked for are missing
    ('["ok", 1.0, [], {"__dict__": []}]', True),                          # arguments that are not a tuple
    ('[["ok"], 1.0]', False),                                             # a tag that is not the string "ok"
    ('["yes", 1.0]', False),
    ('[]', False),
])
def test_forged_value_replies_are_bad_returns(make, forged, inputs):
    """A well-formed message that is not a value reply of the expected shape is refused, and the
    next call gets a fresh worker."""
    sub = make(forging_module(forged.encode()))
    pid = sub.call("one") and sub.worker_pid
    with pytest.raises(BadReturn, match="not plain data"):
        sub.call_with_inputs("forge", 0) if inputs else sub.call("forge")
    assert sub.call("one") == 1.0 and sub.worker_pid != pid


def test_monkeypatched_numpy_does_not_reach_the_grader(make):
    sub = make(textwrap.dedent("""
        import numpy as np
        np.allclose = lambda *a, **k: True
        np.isclose = lambda a, b, **k: np.ones(np.shape(a), dtype=bool)
        np.asarray = lambda *a, **k: np.array([2.0])
        np.testing.assert_allclose = lambda *a, **k: None

        def one():
            return 3.0
    """))
    assert sub.call("one") == 3.0
    r = run(sub, "one")
    assert r.status == "failed" and "got 3, expected 1" in r.output
    assert not np.allclose(1.0, 3.0) and np.asarray([1.0]).tolist() == [1.0]


# ============================================================================ isolation (root)
def test_runs_as_an_unprivileged_uid_in_a_chroot(make, require_root):
    sub = make("import os\n\ndef who():\n    return [os.getuid(), os.geteuid(), os.getgid(), os.getcwd(), "
               "sorted(os.listdir('/')), list(os.getgroups())]\n")
    uid, euid, gid, cwd, listing, groups = sub.call("who")
    assert uid == euid == sub.uid and uid >= sandbox.UID_BASE and gid == uid
    assert cwd == "/" and listing == ["student.py"] and groups == []


def test_no_network(make, require_root):
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    sub = make(textwrap.dedent("""
        import socket

        def reach(port):
            out = []
            for host in ("127.0.0.1", "1.1.1.1"):
                try:
                    socket.create_connection((host, port), timeout=0.5).close()
                    out.append(host)
                except OSError:
                    pass
            return out
    """))
    try:
        assert sub.call("reach", port) == []
    finally:
        server.close()


def test_concurrent_submissions_get_different_uids(make, require_root):
    a, b = make(GOOD), make(GOOD)
    a.call("one"), b.call("one")
    assert a.uid != b.uid


def test_cannot_read_solutions_suites_or_other_students(make, tmp_path, require_root):
    other = make(GOOD, folder=tmp_path / "bob" / "01_penalties")
    other.call("one")
    targets = [REPO_ROOT / "solutions", REPO_ROOT / "course", REPO_ROOT / "source",
               tmp_path / "bob" / "01_penalties" / "student.py", Path(other._scratch) / "student.py",
               Path("/etc/passwd")]
    sub = make(textwrap.dedent("""
        import os

        def peek(paths):
            seen = []
            for p in paths:
                try:
                    if os.path.isdir(p):
                        seen.append([p, os.listdir(p)])
                    else:
                        with open(p) as f:
                            seen.append([p, f.read(100)])
                except OSError:
                    pass
            return seen
    """))
    assert sub.call("peek", [str(t) for t in targets]) == []


def test_cannot_import_the_reference_or_the_grader(make, require_root):
    sub = make(textwrap.dedent(f"""
        import sys, gc

        def try_imports():
            ok = []
            for stmt in ["import autograder.course", "import autograder.framework",
                         "from autograder.suites.penalties import hidden", "import solutions",
                         "import penalties",
                         "import importlib.util as u; s = u.spec_from_file_location('r', {str(REPO_ROOT / 'solutions' / '01_penalties' / 'penalties.py')!r}); m = u.module_from_spec(s); s.loader.exec_module(m)"]:
                try:
                    exec(stmt, {{}})
                    ok.append(stmt)
                except BaseException:
                    pass
            return ok

        def loaded():
            names = sorted(n for n in sys.modules if n.startswith(("autograder", "_reference", "_suite", "solutions")))
            objs = sorted({{type(o).__name__ for o in gc.get_objects()
                           if getattr(o, "__name__", "").startswith(("_reference", "_suite"))}})
            return [names, objs]
    """))
    assert sub.call("try_imports") == []
    names, objs = sub.call("loaded")
    assert names == ["autograder", "autograder.protocol", "autograder.worker"] and objs == []


def test_cannot_delete_or_overwrite_other_students_files(make, tmp_path, require_root):
    victim = tmp_path / "submitted" / "bob" / "01_penalties"
    victim.mkdir(parents=True)
    (victim / "penalties.py").write_text("X = 1\n")
    out = tmp_path / "out"
    (out / "bob" / "01_penalties").mkdir(parents=True)
    (out / "gradebook.csv").write_text("student,assignment,score\nbob,01_penalties,1\n")
    (out / "bob" / "01_penalties" / "results.json").write_text('{"score": 1}')
    before = {p: p.read_bytes() for p in (victim / "penalties.py", out / "gradebook.csv",
                                          out / "bob" / "01_penalties" / "results.json")}
    sub = make(textwrap.dedent("""
        import os, shutil

        def vandalize(paths):
            done = []
            for p in paths:
                for action in (lambda: shutil.rmtree(os.path.dirname(p)), lambda: os.remove(p),
                               lambda: open(p, "w").write('{"score": 100}')):
                    try:
                        action()
                        done.append(p)
                    except OSError:
                        pass
            open("results.json", "w").write('{"score": 100}')      # in its own scratch copy only
            return done
    """))
    assert sub.call("vandalize", [str(p) for p in before]) == []
    assert {p: p.read_bytes() for p in before} == before


def test_parent_process_cannot_be_killed(make, require_root):
    sub = make(GOOD + "\nimport os, signal\n\ndef parricide():\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                      "    return 1.0\n")
    zygote = sandbox.get_zygote()
    r = run(sub, "parricide")
    assert r.status == "error" and "PermissionError" in r.output
    assert zygote.alive() and sub.call("one") == 1.0


def test_dead_zygote_is_restarted(make):
    sub = make(GOOD)
    assert sub.call("one") == 1.0
    zygote = sandbox.get_zygote()
    os.kill(zygote.proc.pid, signal.SIGKILL)
    zygote.proc.wait()
    assert make(GOOD).call("one") == 1.0
    assert sandbox.get_zygote() is not zygote


# ============================================================================ only the module, never in place
def test_other_files_of_the_submission_are_never_loaded(make, tmp_path):
    folder = tmp_path / "alice"
    folder.mkdir()
    marker = tmp_path / "marker"
    for name in ("conftest.py", "helper.py", "sitecustomize.py", "usercustomize.py", "numpy.py"):
        (folder / name).write_text(f"open({str(marker)!r}, 'a').write({name!r})\nVALUE = 2.0\n")
    sub = make(GOOD + "\n\ndef use_helper():\n    import helper\n    return helper.VALUE\n", folder=folder)
    assert sub.call("one") == 1.0
    assert run(sub, "use_helper").status == "error"
    assert not marker.exists()


def test_runs_on_a_scratch_copy_never_in_place(make, tmp_path):
    folder = tmp_path / "alice"
    sub = make(GOOD + textwrap.dedent("""
        import os

        def scribble():
            open(__file__, "w").write("broken(")
            open("results.json", "w").write("{}")
            return 1.0
    """), folder=folder)
    original = (folder / "student.py").read_text()
    assert sub.call("scribble") == 1.0
    assert (folder / "student.py").read_text() == original
    assert sorted(p.name for p in folder.iterdir()) == ["student.py"]


def test_missing_or_symlinked_module_is_an_import_error(tmp_path):
    with SandboxedSubmission(tmp_path / "student.py", **FAST) as sub:
        r = run(sub, "one")
    assert r.status == "import_error" and "could not read student.py" in r.output
    link = tmp_path / "penalties.py"
    link.symlink_to(REPO_ROOT / "solutions" / "01_penalties" / "penalties.py")
    with SandboxedSubmission(link, **FAST) as sub:
        r = run(sub, "l1_penalty")
    assert r.status == "import_error" and "symbolic link" in r.output


def test_grader_process_killed_leaves_no_worker_behind(tmp_path, require_root):
    """SIGKILL the trusted process mid-call: its zygote and the spinning worker go too."""
    (tmp_path / "student.py").write_text("def spin():\n    while True:\n        pass\n")
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from autograder.sandbox import SandboxedSubmission
        sub = SandboxedSubmission({str(tmp_path / 'student.py')!r}, call_timeout=600)
        sub.functions()
        print(sub.uid, sub.worker_pid, flush=True)
        sub.call("spin")
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    uid, pid = map(int, proc.stdout.readline().split())
    time.sleep(0.3)
    assert processes(uid=uid), "the worker should be running"
    proc.kill()
    proc.wait()
    assert wait_gone(uid=uid, timeout=5) == []
    assert wait_gone(pgid=pid, timeout=5) == []


# ============================================================================ batches
def test_call_many_matches_one_by_one(make):
    from autograder.framework import call_args
    from autograder.protocol import Rng

    sub = make(GOOD + "\n\ndef draw(n, rng, scale=1.0):\n    return scale * rng.random(n)\n")
    calls = [(np.arange(3.0), lam) for lam in (0.5, 1.0, 2.0)] * 100
    assert [v.tolist() for v in sub.call_many("scale", calls)] == [sub.call("scale", *c).tolist() for c in calls]
    draws = sub.call_many("draw", [call_args(2, Rng(s), scale=2.0) for s in range(50)])
    assert [d.tolist() for d in draws] == [sub.call("draw", 2, Rng(s), scale=2.0).tolist() for s in range(50)]
    assert sub.call_many("scale", []) == []


def test_call_many_stops_at_the_first_failure_and_keeps_time_limits(make):
    sub = make(GOOD + textwrap.dedent("""
        def picky(x):
            if x == 3:
                raise ValueError("three")
            if x == 5:
                while True:
                    pass
            return float(x)
    """))
    with pytest.raises(StudentRaised, match="three"):
        sub.call_many("picky", [(i,) for i in range(10)])
    assert sub.call_many("picky", [(0,), (1,)]) == [0.0, 1.0]   # the worker is in step after a failure
    start = time.monotonic()
    with pytest.raises(StudentTimeout):
        sub.call_many("picky", [(4,), (5,), (6,)])
    assert time.monotonic() - start < 5
    assert sub.call("one") == 1.0


def test_call_many_in_process_default():
    import types

    module = types.ModuleType("m")
    exec(GOOD, module.__dict__)
    sub = framework.InProcessSubmission(module)
    assert [v.tolist() for v in sub.call_many("scale", [([1.0], 2.0), ([2.0], 0.5)])] == [[2.0], [1.0]]


def test_call_each_checks_in_order_like_one_by_one(make):
    """call_each: `then` sees each result in call order; a call that fails raises after the earlier checks."""
    from autograder.framework import Fail

    sub = make(GOOD + textwrap.dedent("""
        def picky(x):
            if x == 3:
                raise ValueError("three")
            return float(x)
    """))
    seen = []
    assert sub.call_each("picky", [(i,) for i in range(3)], lambda v: seen.append(v) or 2 * v) == [0.0, 2.0, 4.0]
    seen.clear()
    with pytest.raises(StudentRaised, match="three"):
        sub.call_each("picky", [(i,) for i in range(6)], seen.append)
    assert seen == [0.0, 1.0, 2.0]                      # checked before the failing call raised
    with_inputs = sub.call_each("scale", [(np.arange(2.0), 3.0)], lambda r: r, inputs=True)
    assert with_inputs[0][0].tolist() == [0.0, 3.0] and with_inputs[0][1][0].tolist() == [0.0, 1.0]

    def fail_on_two(v):
        if v == 2.0:
            raise Fail("two is wrong")
        return v

    # a check fails on call 2 while call 3 would raise: the check's Fail wins, as one by one
    with pytest.raises(Fail, match="two is wrong"):
        sub.call_each("picky", [(i,) for i in range(6)], fail_on_two)
    assert sub.call("picky", 4) == 4.0 and sub.events == []


def test_call_each_does_not_charge_calls_after_a_failed_check(make):
    """Calls the sequential loop would never have made (after a failed check) cost nothing: no timeout
    counted, no event, and the function keeps working."""
    from autograder.framework import Fail

    sub = make(GOOD + textwrap.dedent("""
        def slow_after(x):
            if x >= 2:
                while True:
                    pass
            return float(x)
    """))

    def fail_on_one(v):
        if v == 1.0:
            raise Fail("one is wrong")

    # fast calls after the failed check: their replies are read and dropped, the worker is kept
    pid = sub.call("one") and sub.worker_pid
    with pytest.raises(Fail, match="one is wrong"):
        sub.call_each("slow_after", [(0,), (1,), (0,), (1,), (0,)], fail_on_one)
    assert sub.worker_pid == pid and sub.call("slow_after", 0) == 0.0
    with pytest.raises(Fail, match="one is wrong"):    # a later call that raises ends the batch early
        sub.call_each("slow_after", [(0,), (1,), (0,), ("x",), (0,)], fail_on_one)
    assert sub.worker_pid == pid and sub.call("slow_after", 0) == 0.0
    start = time.monotonic()
    with pytest.raises(Fail, match="one is wrong"):
        sub.call_each("slow_after", [(0,), (1,), (2,), (3,)], fail_on_one)
    assert time.monotonic() - start < 0.5               # did not wait for the spinning call 2
    assert sub.worker_pid != pid                        # that worker was ended instead
    assert sub.events == [] and sub.call("slow_after", 0) == 0.0
    with pytest.raises(StudentTimeout):                 # a call that is really made still has its limit
        sub.call_each("slow_after", [(0,), (2,)], lambda v: v)
    assert sub.events == ["slow_after: timeout"]


def test_call_each_in_process_default():
    import types

    from autograder.framework import Fail

    module = types.ModuleType("m")
    exec(GOOD, module.__dict__)
    sub = framework.InProcessSubmission(module)
    seen = []

    def check(v):
        seen.append(v.tolist())
        if len(seen) == 2:
            raise Fail("second")

    with pytest.raises(Fail, match="second"):
        sub.call_each("scale", [([1.0], 2.0), ([2.0], 0.5), ([3.0], 1.0)], check)
    assert seen == [[2.0], [1.0]]


CHAIN = GOOD + textwrap.dedent("""
    import numpy as np

    SEEN = []

    def step(w, g, state, lr=0.1):
        # keeps the live state object: `state is the previous call's state` must hold in a chain
        SEEN.append(id(state))
        state["step"] = state["step"] + 1
        return w - lr * np.asarray(g), state

    def same_state_objects():
        return len(SEEN), len(set(SEEN))

    def not_a_tuple(w, g, state):
        return 3.0

    def short(w, g, state):
        return (w,)

    def grows(w, g, state, lr=0.1):
        if state["step"] >= 2:
            while True:
                pass
        state["step"] += 1
        return w + 1.0, state
""")


def _chain_calls(n, **hp):
    from autograder.framework import call_args

    return [call_args(np.zeros(2) if k == 0 else None, np.full(2, k + 1.0), {"step": 0} if k == 0 else None, **hp)
            for k in range(n)]


@pytest.mark.parametrize("where", ["sandbox", "in_process"])
def test_call_chain_feeds_each_value_to_the_next_call(make, where):
    """call_chain: item i of each value becomes argument p of the next call (the live object the student
    returned); `then` checks every value in order; sandbox and in-process agree."""
    import types

    if where == "sandbox":
        sub = make(CHAIN)
    else:
        module = types.ModuleType("m")
        exec(CHAIN, module.__dict__)
        sub = framework.InProcessSubmission(module)
    seen = []
    out = sub.call_chain("step", _chain_calls(4, lr=0.5), [(0, 0), (1, 2)], lambda v: seen.append(v) or v[1]["step"])
    assert out == [1, 2, 3, 4]
    # w: 0 - 0.5 * (1 + 2 + 3 + 4) after four steps, each step's w fed from the one before
    assert [v[0].tolist() for v in seen] == [[-0.5, -0.5], [-1.5, -1.5], [-3.0, -3.0], [-5.0, -5.0]]
    assert tuple(sub.call("same_state_objects")) == (4, 1)   # one state object went round the loop, as in Python
    # keep=[0]: only w crosses back from every call but the last; the state still goes round in the worker
    kept = sub.call_chain("step", _chain_calls(3, lr=0.5), [(0, 0), (1, 2)], lambda v: v, keep=[0])
    assert [v[1] for v in kept[:2]] == [None, None] and kept[2][1] == {"step": 3}
    assert [v[0].tolist() for v in kept] == [[-0.5, -0.5], [-1.5, -1.5], [-3.0, -3.0]]
    with pytest.raises(BadReturn, match=r"not_a_tuple\(\) returned float, not a tuple"):
        sub.call_chain("not_a_tuple", _chain_calls(3), [(0, 0), (1, 2)], lambda v: v)
    with pytest.raises(BadReturn, match=r"short\(\) returned 1 values; the next step needs item 1"):
        sub.call_chain("short", _chain_calls(3), [(0, 0), (1, 2)], lambda v: v)
    with pytest.raises(TypeError, match="pairs"):
        sub.call_chain("step", _chain_calls(2), [(0,)], lambda v: v)


def test_call_chain_time_limit_and_failed_check(make):
    """A chain keeps the per-call time limit; a check that fails ends it without charging later calls."""
    from autograder.framework import Fail

    sub = make(CHAIN)

    def fail_on_second(v):
        if v[1]["step"] == 2:
            raise Fail("second step is wrong")

    start = time.monotonic()
    with pytest.raises(Fail, match="second step"):
        sub.call_chain("grows", _chain_calls(4), [(0, 0), (1, 2)], fail_on_second)   # call 3 would spin
    assert time.monotonic() - start < 0.5 and sub.events == []
    with pytest.raises(StudentTimeout):
        sub.call_chain("grows", _chain_calls(4), [(0, 0), (1, 2)], lambda v: v)
    assert sub.events == ["grows: timeout"] and sub.call("one") == 1.0


def test_without_user_isolation_the_same_limits_and_time_limits_apply(make):
    """The path a student's own machine takes (no root: no chroot, no uid change)."""
    sub = make(GOOD + textwrap.dedent("""
        import os, resource

        def spin():
            while True:
                pass

        def where():
            return [os.getcwd(), sorted(os.listdir(".")), resource.getrlimit(resource.RLIMIT_AS)[0] > 0]
    """), isolate_user=False)
    cwd, listing, limited = sub.call("where")
    assert listing == ["student.py"] and cwd != str(REPO_ROOT) and limited
    assert sub.uid is None
    assert run(sub, "spin").status == "timeout"
    assert sub.call("one") == 1.0


def test_an_adopted_zygote_that_died_is_replaced(tmp_path):
    """A grader's zygote started by the batch's main process (adopt_zygote) is not the grader's child:
    when it dies, the grader notices from its socket and starts a zygote of its own."""
    zygotes = sandbox.start_zygotes(1)
    pid = os.fork()
    if pid == 0:   # the grader
        code = 1
        try:
            sandbox.adopt_zygote(zygotes, 0)
            path = tmp_path / "m.py"
            path.write_text(GOOD)
            with SandboxedSubmission(path, **FAST) as sub:
                assert sub.call("one") == 1.0
            adopted = sandbox.get_zygote()
            os.kill(adopted.proc.pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while adopted.alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not adopted.alive()
            with SandboxedSubmission(path, **FAST) as sub:
                assert sub.call("one") == 1.0
            assert sandbox.get_zygote() is not adopted and not sandbox.get_zygote().adopted
            code = 0
        finally:
            sandbox._shutdown()
            os._exit(code)
    sandbox.release_zygotes(zygotes)
    _, status = os.waitpid(pid, 0)
    sandbox.reap_zygotes(zygotes)
    assert os.waitstatus_to_exitcode(status) == 0


# ============================================================================ per-submission budget, scratch, cleanup
def test_slow_but_correct_code_is_bounded_by_the_submission_budget(make):
    """Each call under its own limit, but all together over the submission's budget: the calls left
    are not run and say so; the submission costs about its budget, not calls x limit."""
    sub = make(GOOD + "\nimport time\n\ndef slow(x):\n    time.sleep(0.25)\n    return x\n",
               call_timeout=1.0, submission_timeout=1.5)
    start = time.monotonic()
    outcomes = []
    for i in range(40):   # 40 x 0.25 s = 10 s of honest work without a budget
        try:
            outcomes.append(sub.call("slow", float(i)))
        except StudentTimeout as exc:
            outcomes.append(str(exc))
    elapsed = time.monotonic() - start
    assert elapsed < 1.5 + 1.0, elapsed   # the budget, plus 1 s for the worker's start on a loaded machine
    values = [o for o in outcomes if isinstance(o, float)]
    assert values == [float(i) for i in range(len(values))] and 1 <= len(values) < 7
    assert all("not graded for time" in o and "1.5 s" in o for o in outcomes[len(values):])
    with pytest.raises(StudentTimeout, match="not graded for time"):
        sub.call("one")   # every function after the budget


def test_deep_tree_in_scratch_is_cleaned_up_without_root(make):
    """Without root (no tmpfs) the worker writes in its scratch folder: a 1,500-deep tree (deeper than
    shutil.rmtree's recursion and PATH_MAX) and an unreadable folder are still removed."""
    sub = make(GOOD + textwrap.dedent("""
        import os

        def dig():
            top = os.open(".", os.O_RDONLY)
            os.mkdir("locked")
            open("locked/f", "w").close()
            os.chmod("locked", 0)
            for _ in range(1500):
                os.mkdir("d" * 40)
                os.chdir("d" * 40)
            os.fchdir(top)
            return os.getcwd()
    """), isolate_user=False)
    scratch = sub.call("dig")
    assert os.path.isdir(os.path.join(scratch, "locked"))
    sub.close()
    assert not os.path.lexists(scratch)


def test_remove_tree_handles_what_rmtree_cannot(tmp_path):
    from autograder.worker import remove_tree

    top = tmp_path / "t"
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        os.mkdir(top)
        path = str(top)
        os.chdir(top)
        for _ in range(1500):
            os.mkdir("x" * 50)
            os.chdir("x" * 50)
    finally:
        os.fchdir(fd)
        os.close(fd)
    try:
        import shutil
        if sys.version_info < (3, 13):   # from 3.13 on shutil.rmtree no longer recurses: only older ones fail here
            with pytest.raises((RecursionError, OSError)):
                shutil.rmtree(path)
        remove_tree(path)
        assert not os.path.lexists(path)
    finally:
        subprocess.run(["rm", "-rf", path])   # (what is left would defeat pytest's own cleanup)


def test_scratch_tmpfs_is_bounded_in_bytes_and_files(make, require_root):
    sub = make(GOOD + textwrap.dedent("""
        import os

        def fill():
            wrote = files = 0
            try:
                while wrote < (64 << 20):
                    with open(f"big{files}", "wb") as f:
                        f.write(b"x" * (1 << 20))
                    wrote += 1 << 20
                    files += 1
            except OSError:
                pass
            try:
                while files < 5000:
                    open(f"small{files}", "wb").close()
                    files += 1
            except OSError as exc:
                return [wrote, files, exc.strerror]
            return [wrote, files, ""]
    """), scratch_mb=4, scratch_files=100)
    walls = sandbox.get_zygote().walls
    wrote, files, error = sub.call("fill")
    if walls["mount_ns"]:
        assert wrote <= 4 << 20 and files < 100 and error == "No space left on device"
    else:   # no tmpfs possible (no CAP_SYS_ADMIN): the scratch is read-only
        assert wrote == 0 and files == 0 and error == "Permission denied"


def test_seccomp_cannot_be_sidestepped_through_another_syscall_abi(make):
    """socket() through the x32 ABI (syscall number | 0x40000000) is not in the filter's table of
    x86-64 numbers: libseccomp's filter kills the worker instead (SIGSYS); only that function loses."""
    import platform

    if platform.machine() != "x86_64":
        pytest.skip("NOT CHECKED: the x32 ABI exists on x86-64 only")
    assert sandbox.get_zygote().walls["seccomp"], "no seccomp filter on this Linux machine (libseccomp2 missing?)"
    sub = make(GOOD + textwrap.dedent("""
        import ctypes

        def x32_socket():
            return float(ctypes.CDLL(None).syscall(0x40000000 | 41, 1, 1, 0))
    """))
    r = run(sub, "x32_socket")
    assert r.status == "crashed" and "SIGSYS" in r.output, r
    assert sub.call("one") == 1.0
