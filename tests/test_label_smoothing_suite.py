"""The grading suites of 04_label_smoothing, tested against the reference, the release stub and a
catalogue of wrong and unusual-but-correct implementations (tests/mistakes/label_smoothing.py)."""
import pytest

from autograder import framework
from autograder.course import import_path, load_reference
from tests.catalogue import hint_check, assignment, grade_in_process, score_by_function, variant_module
from tests.mistakes.label_smoothing import CORRECT, MISTAKES

A = assignment("label_smoothing")
ALL_FUNCTIONS = ["smooth_labels", "softmax", "cross_entropy", "cross_entropy_grad", "min_cross_entropy"]


def _describe(results):
    return "\n".join(f"  {r.status:16} {r.name}: {r.output[:300]} | hint={r.hint}"
                     for r in results if r.status != "passed")


def test_every_function_is_graded_public_and_hidden():
    public = framework.load_cases(A.suite, hidden=False)
    everything = framework.load_cases(A.suite, hidden=True)
    assert {c.function for c in public} == set(ALL_FUNCTIONS)
    assert {c.function for c in everything} == set(ALL_FUNCTIONS)
    assert all(not c.wants_reference for c in public), "public cases must not need the reference"
    assert all(c.wants_reference for c in everything if c.visibility != "visible")
    total = sum(c.points for c in everything)
    assert 40 <= total <= 60, total


def test_reference_scores_full_marks():
    results = grade_in_process(A, load_reference(A))
    assert all(r.status == "passed" for r in results), _describe(results)
    assert sum(r.score for r in results) == sum(r.max_score for r in results)


def test_reference_scores_full_marks_on_the_public_suite_alone():
    results = grade_in_process(A, load_reference(A), hidden=False)
    assert results and all(r.status == "passed" for r in results), _describe(results)


def test_release_stub_scores_zero_not_implemented():
    stub = import_path(A.release_dir() / A.filename, "_stub_label_smoothing_suite_test")
    results = grade_in_process(A, stub)
    assert results and all(r.status == "not_implemented" and r.score == 0 for r in results), _describe(results)


def test_catalogue_is_big_enough():
    assert len(MISTAKES) >= 8
    assert len({m.name for m in MISTAKES + CORRECT}) == len(MISTAKES) + len(CORRECT)
    assert all(m.hint for m in MISTAKES)
    assert {m.function for m in MISTAKES} == set(ALL_FUNCTIONS)


# wrong student code may overflow on purpose (e.g. exp(1000)): its warnings are expected
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("variant", MISTAKES, ids=lambda v: v.name)
def test_mistake_loses_points_on_its_function_only_with_hint(variant):
    results = grade_in_process(A, variant_module(A, variant.code))
    scores = score_by_function(results)
    got, out_of = scores[variant.function]
    assert got < out_of, f"{variant.name} was not caught"
    others = {f: s for f, s in scores.items() if f != variant.function and s[0] < s[1]}
    assert not others, f"{variant.name} also lost points on {others}\n{_describe(results)}"
    hints = [r.hint or "" for r in results if r.function == variant.function and r.status != "passed"]
    problem = hint_check(variant, hints)
    assert problem is None, problem


@pytest.mark.parametrize("variant", CORRECT, ids=lambda v: v.name)
def test_correct_variant_scores_full_marks(variant):
    results = grade_in_process(A, variant_module(A, variant.code))
    assert all(r.status == "passed" for r in results), _describe(results)
