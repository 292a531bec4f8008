"""framework.case(call_timeout=...): one case gets its own time limit per student call, in a real sandbox,
and the submission's default limit comes back for the cases after it (even when the case fails)."""
import time

from autograder import framework
from autograder.sandbox import SandboxedSubmission

SLOW = '''
import time

def slow(seconds):
    time.sleep(seconds)
    return seconds
'''


def _cases(body_seconds):
    framework._collecting = []
    try:
        @framework.case("slow: given its own 3 s budget", call_timeout=3.0)
        def _(sub):
            framework.expect(sub.slow(body_seconds) == body_seconds, "wrong value")

        @framework.case("slow: the default budget again")
        def _(sub):
            sub.slow(body_seconds)
        return framework._collecting
    finally:
        framework._collecting = None


def test_case_budget_applies_to_its_case_only(tmp_path):
    path = tmp_path / "student.py"
    path.write_text(SLOW)
    # 1.2 s of sleep: over the 0.5 s default, well under the case's 3 s (margins of > 0.7 s for scheduling)
    with SandboxedSubmission(path, call_timeout=0.5, import_timeout=3.0) as sub:
        start = time.monotonic()
        results = framework.run_cases(_cases(1.2), sub)
        elapsed = time.monotonic() - start
        assert sub.call_timeout == 0.5
    assert [r.status for r in results] == ["passed", "timeout"], [r.output for r in results]
    assert "0.5 s" in results[1].output
    assert elapsed < 1.2 + 0.5 + 2.0   # the second case was stopped at its 0.5 s, not run for 3 s


def test_case_budget_also_stops_a_call_that_exceeds_it(tmp_path):
    path = tmp_path / "student.py"
    path.write_text(SLOW)
    with SandboxedSubmission(path, call_timeout=0.5, import_timeout=3.0) as sub:
        results = framework.run_cases(_cases(4.0)[:1], sub)
        assert sub.call_timeout == 0.5
    assert results[0].status == "timeout" and "3 s" in results[0].output
