"""The scoring rules of autograder/framework.py, each tested on purpose-built cases and modules:
public points confirmed by hidden ones, no tolerance met by NaN or infinity, purity that counts only
with right values, suite-wide pure calls, and one mistake costing one function (passes_either)."""
import importlib.util
import types
from pathlib import Path

import numpy as np
import pytest

from autograder import framework
from autograder.course import audited
from autograder.framework import (CaseResult, Fail, InProcessSubmission, NotImplementedYet, check_close,
                                  check_pure, check_within, confirm_public_points, passes_either, within)

REPO = Path(__file__).resolve().parent.parent


# ============================================================================ NaN and infinity
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_values_never_meet_a_tolerance(bad):
    assert not within(bad, 1.0, 1e300)
    assert not within([1.0, bad], [1.0, 1.0], 1e300)
    with pytest.raises(Fail, match="NaN or infinite"):
        check_within(bad, 0.0, 1e300, "statistic off")
    with pytest.raises(Fail):
        check_close(bad, bad, rtol=1.0, atol=1.0)       # not even when the expected value is the same
    with pytest.raises(Fail):
        check_close([bad, 1.0], [bad, 1.0], rtol=1.0)


def test_finite_values_within_tolerance_pass_and_outside_fail():
    assert within(1.0 + 1e-13, 1.0, 1e-12)
    assert not within(1.0 + 1e-11, 1.0, 1e-12)
    check_within(3.0, 3.1, 0.2, "statistic off")
    with pytest.raises(Fail, match="statistic off"):
        check_within(3.0, 3.5, 0.2, "statistic off")


def test_a_nan_mistake_model_still_gets_its_hint():
    from autograder import diagnose

    with pytest.raises(Fail) as failure:
        check_close([1.0, float("nan")], [1.0, 0.0], rtol=1e-12,
                    mistakes=[framework.Mistake("w / |w|", [1.0, float("nan")], "0/0 at zero")])
    # hints are worked out after grading (framework.run_cases); without a reference, as in a
    # student's own check, the literal is the evidence
    assert diagnose.explain(failure.value.mismatch, [], None, None, {}) == "0/0 at zero"


# ============================================================================ public points confirmed by hidden ones
def _result(function, visibility, passed, points):
    return CaseResult(f"{function}: {visibility} {points}", function, points if passed else 0.0, points,
                      "passed" if passed else "failed", "", None, visibility)


def test_public_points_count_as_far_as_the_hidden_cases_of_the_function_confirm_them():
    results = confirm_public_points([
        _result("f", "visible", True, 2.0), _result("f", "after_published", True, 1.0),
        _result("f", "after_published", False, 3.0),
        _result("g", "visible", True, 4.0), _result("g", "after_published", True, 2.0),
        _result("h", "visible", True, 1.0), _result("h", "after_published", False, 2.0)])
    scores = {(r.function, r.visibility): r.score for r in results}
    assert scores[("f", "visible")] == 0.5        # 2 points x 1/4 of f's hidden points
    assert scores[("g", "visible")] == 4.0        # every hidden case of g passed
    assert scores[("h", "visible")] == 0.0        # a replayed public answer, no hidden confirmation
    assert "counts 25% of its points" in results[0].output
    assert [r.status for r in results].count("passed") == 5   # statuses are left as they were


def test_every_function_with_public_cases_has_hidden_cases_to_confirm_them():
    from autograder import grading
    from autograder.course import ASSIGNMENTS
    checked = 0
    for a in ASSIGNMENTS.values():
        if not framework.suite_paths(a.suite, hidden=False):
            continue
        public = {c.function for c in grading.cases_for(a, False)}
        hidden = {c.function for c in grading.cases_for(a, True) if c.visibility == "after_published"}
        assert public <= hidden, f"{a.id}: public cases of {sorted(public - hidden)} have no hidden case to confirm them"
        checked += 1
    assert checked >= 7


def test_a_public_run_alone_keeps_its_points_as_the_prediction():
    results = confirm_public_points([_result("f", "visible", True, 2.0), _result("f", "visible", False, 1.0)])
    assert [r.score for r in results] == [2.0, 0.0]


# ============================================================================ purity counts only with right values
def _module(source: str) -> types.ModuleType:
    module = types.ModuleType("_scoring_rules_student")
    exec("import numpy as np\n" + source, module.__dict__)
    return module


PURE_DOUBLE = "def double(w):\n    return 2 * np.asarray(w)\n"
IN_PLACE_DOUBLE = "def double(w):\n    w *= 2\n    return w\n"
NOTHING = "def double(w):\n    return None\n"


def _double_right(got):
    check_close(got, [2.0, 4.0], rtol=0)


def test_check_pure_passes_a_pure_right_function_only():
    check_pure(InProcessSubmission(_module(PURE_DOUBLE)), "double", (np.array([1.0, 2.0]),), {}, ["w"], _double_right)
    with pytest.raises(Fail, match="modified"):
        check_pure(InProcessSubmission(_module(IN_PLACE_DOUBLE)), "double", (np.array([1.0, 2.0]),), {}, ["w"],
                   _double_right)
    with pytest.raises(Fail, match="None"):   # leaves its input alone, but does nothing: no purity point
        check_pure(InProcessSubmission(_module(NOTHING)), "double", (np.array([1.0, 2.0]),), {}, ["w"],
                   _double_right)


def test_pure_calls_checks_every_call_of_a_suite_that_asks_for_it():
    hint = "leave the inputs alone"
    pure = framework.PureCalls(InProcessSubmission(_module(PURE_DOUBLE)), hint)
    assert list(pure.call("double", np.array([1.0, 2.0]))) == [2.0, 4.0]
    assert len(pure.call_each("double", [(np.array([1.0]),), (np.array([3.0]),)], lambda v: v)) == 2
    in_place = framework.PureCalls(InProcessSubmission(_module(IN_PLACE_DOUBLE)), hint)
    for call in (lambda s: s.call("double", np.array([1.0, 2.0])),
                 lambda s: s.call_each("double", [(np.array([1.0]),)], lambda v: v)):
        with pytest.raises(Fail) as failure:
            call(in_place)
        assert failure.value.hint == hint


# ============================================================================ one mistake, one function
def _fails(message="wrong"):
    def check():
        raise Fail(message)
    return check


def test_passes_either_passes_when_any_check_passes_and_reports_the_first_failure():
    passes_either(_fails(), lambda: None)
    passes_either(lambda: None, _fails())
    with pytest.raises(Fail, match="first"):
        passes_either(_fails("first"), _fails("second"))


def test_passes_either_does_not_try_alternatives_of_a_function_not_implemented():
    tried = []

    def not_yet():
        raise NotImplementedYet("f() is not implemented yet")

    with pytest.raises(NotImplementedYet):
        passes_either(not_yet, lambda: tried.append(1))
    assert not tried


# ============================================================================ the public check predicts the grade
def _score_audit():
    spec = importlib.util.spec_from_file_location("score_audit", REPO / "tools" / "score_audit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("module", [a.module for a in audited()])
def test_under_10_percent_of_the_catalogued_mistakes_pass_the_public_check_but_lose_points(module):
    from tests.catalogue import assignment
    misses, catalogued = _score_audit().public_misses(assignment(module))
    assert catalogued >= 20
    assert len(misses) / catalogued < 0.10, f"{module}: the public check misses {misses} of {catalogued}"
