"""The portable runner (autograder/portable.py) grades exactly as the strict sandbox does.

Forced on Linux, it grades every entry of the mistake catalogue (MISTAKES and CORRECT of
course/*/mistakes.py) and every hostile module below; each case must get the sandbox's status,
score, hint and first output line. The processes it starts are really killed on a timeout.
"""
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from autograder import framework, grading, portable
from autograder.course import ASSIGNMENTS
from autograder.portable import PortableSubmission
from autograder.sandbox import SandboxedSubmission
from tests.catalogue import catalogue as catalogue_of, variant_source

PENALTIES = ASSIGNMENTS["01_penalties"]


def _seen(results):
    return [(r.name, r.status, r.score, r.hint, r.output.split("\n")[0]) for r in results]


def _grade(cls, path, assignment, cases, ref, **options):
    with cls(path, module_name=assignment.module, **options) as sub:
        return framework.run_cases(cases, sub, ref)


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS.values()), ids=lambda a: a.id)
def test_whole_catalogue_scores_the_same_as_in_the_sandbox(assignment, tmp_path):
    catalogue = catalogue_of(assignment)
    cases = grading.cases_for(assignment, True)
    ref = grading.reference_for(assignment)
    variants = list(catalogue.MISTAKES) + list(catalogue.CORRECT)
    differences = []
    for variant in variants:
        path = tmp_path / assignment.filename
        path.write_text(variant_source(assignment, variant.code))
        sandboxed = _seen(_grade(SandboxedSubmission, path, assignment, cases, ref))
        portable_ = _seen(_grade(PortableSubmission, path, assignment, cases, ref))
        differences += [f"{variant.name}: sandbox {s[1:3]} vs portable {p[1:3]} on {s[0]}"
                        for s, p in zip(sandboxed, portable_) if s != p]
        assert len(sandboxed) == len(portable_) == len(cases)
    assert len(variants) >= 30
    assert differences == []


HOSTILE = {
    "syntax_error": "def l2_gradient(w, lam)\n    return lam * w\n",
    "raises_at_import": "raise RuntimeError('boom at import')\n",
    "exits_at_import": "import sys\nsys.exit(3)\n",
    "loops_at_import": "while True:\n    pass\n",
    "prints_a_lot_at_import": "print('x' * 100000)\n",
    "loops_in_one_function": "def l2_gradient(w, lam):\n    while True:\n        pass\n",
    "exits_the_process": "import os\ndef l2_gradient(w, lam):\n    os._exit(7)\n",
    "returns_an_object": "def l2_gradient(w, lam):\n    return object()\n",
    "returns_a_huge_array": "import numpy as np\ndef l2_gradient(w, lam):\n    return np.zeros(9_000_000)\n",
    "raises_with_print": "def l2_gradient(w, lam):\n    print('debugging', lam)\n    raise ValueError('no')\n",
    "memory_bomb": "def l2_gradient(w, lam):\n    return bytearray(4 << 30)\n",
    "writes_to_fd_1": "import os\ndef l2_gradient(w, lam):\n    os.write(1, b'garbage on the protocol?')\n    return lam * w\n",
}


@pytest.mark.parametrize("name", list(HOSTILE), ids=str)
def test_hostile_modules_score_the_same_as_in_the_sandbox(name, tmp_path):
    """Each hostile module is the reference with the code above appended (later definitions win)."""
    cases = grading.cases_for(PENALTIES, True)
    ref = grading.reference_for(PENALTIES)
    path = tmp_path / PENALTIES.filename
    source = (PENALTIES.solution_dir() / PENALTIES.filename).read_text()
    path.write_text(source + "\n" + HOSTILE[name])
    # short limits for the modules that loop (they hit them); the sandbox's own for the others, so that
    # a loaded machine cannot turn a slow but finite call into a timeout on one side only
    options = {"call_timeout": 0.5, "import_timeout": 1.5} if name.startswith("loops") else {}
    sandboxed = _seen(_grade(SandboxedSubmission, path, PENALTIES, cases, ref, **options))
    portable_ = _seen(_grade(PortableSubmission, path, PENALTIES, cases, ref, **options))
    assert portable_ == sandboxed
    assert any(s[1] != "passed" for s in sandboxed) or name in ("prints_a_lot_at_import", "writes_to_fd_1")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_timeout_kills_the_process_and_a_fresh_one_serves_the_next_call(tmp_path):
    path = tmp_path / "penalties.py"
    path.write_text("import numpy as np\n"
                    "def slow(x):\n    while True:\n        pass\n"
                    "def fast(x):\n    return np.asarray(x) * 2\n")
    with PortableSubmission(path, call_timeout=0.3) as sub:
        sub.functions()   # starts the worker
        first = sub.worker_pid
        started = time.monotonic()
        with pytest.raises(framework.StudentTimeout):
            sub.call("slow", 1.0)
        assert time.monotonic() - started < 2.0
        deadline = time.monotonic() + 5
        while _alive(first) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _alive(first)
        assert sub.call("fast", [1.0, 2.0]).tolist() == [2.0, 4.0]
        assert sub.worker_pid not in (None, first)
        with pytest.raises(framework.StudentTimeout, match="not run again"):
            sub.call("slow", 1.0)


def test_show_output_copies_what_the_module_prints_to_stderr(tmp_path):
    path = tmp_path / "penalties.py"
    path.write_text("print('hello from import')\ndef f(x):\n    print('inside f', x)\n    return x\n")
    code = textwrap.dedent(f"""
        from autograder.portable import PortableSubmission
        with PortableSubmission({str(path)!r}, show_output=True) as sub:
            assert sub.call("f", 3) == 3
        with PortableSubmission({str(path)!r}) as sub:
            assert sub.call("f", 4) == 4
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=portable.PACKAGE_PARENT)
    assert done.returncode == 0, done.stderr
    assert "hello from import" in done.stderr and "inside f 3" in done.stderr
    assert "inside f 4" not in done.stderr + done.stdout


def test_auto_picks_the_sandbox_on_linux_and_the_environment_can_force_the_portable_runner(monkeypatch):
    monkeypatch.delenv("AUTOGRADER_RUNNER", raising=False)
    assert portable.strict_sandbox_missing() is None
    assert portable.submission_class("auto") is SandboxedSubmission
    monkeypatch.setenv("AUTOGRADER_RUNNER", "portable")
    assert portable.submission_class("auto") is PortableSubmission
    assert portable.submission_class("sandbox") is SandboxedSubmission   # batch grading ignores it
    monkeypatch.setenv("AUTOGRADER_RUNNER", "chroot")
    with pytest.raises(ValueError, match="unknown runner"):
        portable.resolve_runner("auto")


def test_grade_submission_uses_the_runner_it_is_given(tmp_path, monkeypatch):
    made = []
    for cls in (SandboxedSubmission, PortableSubmission):
        original = cls.__init__

        def spy(self, *args, _original=original, _cls=cls, **kwargs):
            made.append(_cls.__name__)
            _original(self, *args, **kwargs)
        monkeypatch.setattr(cls, "__init__", spy)
    folder = PENALTIES.solution_dir()
    for runner in ("sandbox", "portable"):
        results = grading.grade_submission(PENALTIES, folder, hidden=False, quiz=False, runner=runner)
        assert results and all(r.status == "passed" for r in results)
    assert made == ["SandboxedSubmission", "PortableSubmission"]
