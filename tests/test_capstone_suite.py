"""The grading suites of 08_capstone, tested against the reference, the release stub and a catalogue
of wrong and unusual-but-correct implementations (tests/mistakes/capstone.py)."""
import pytest

from autograder import framework, grading
from autograder.course import import_path, load_reference
from tests.catalogue import assignment, grade_in_process, hint_check, score_by_function, variant_module
from tests.mistakes.capstone import CORRECT, MISTAKES

A = assignment("capstone")
PASTED = ["dropout_forward", "dropout_backward", "smooth_labels", "softmax", "adamw_step"]
CAPSTONE = ["init_mlp", "mlp_forward", "mlp_backward", "smoothed_cross_entropy", "loss_and_grads",
            "adamw_update", "evaluate", "train"]
ALL_FUNCTIONS = PASTED + CAPSTONE
# The end-to-end cases train the whole pipeline: train() calls the student's loss_and_grads, adamw_update
# and evaluate, so a mistake there (say, a backward pass without the ReLU derivative) may also keep the run
# below its accuracy target. These two cases, and only these, may fail for a mistake in another function;
# every other case of train() checks the loop's contract whatever its building blocks return.
END_TO_END = {"train: on the digits, regularization lifts validation accuracy above the target the plain run misses",
              "train: on the digits, regularization reaches the test accuracy target the plain run misses"}


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
    assert 50 <= total <= 80, total


def test_end_to_end_cases_exist():
    assert END_TO_END <= {c.name for c in framework.load_cases(A.suite, hidden=True)}


def test_only_training_cases_get_a_longer_time_budget():
    budgets = {c.name: c.call_timeout for c in framework.load_cases(A.suite, hidden=True) if c.call_timeout}
    assert budgets and all(name.startswith("train:") for name in budgets), budgets
    assert all(seconds <= 10.0 for seconds in budgets.values())


def test_reference_scores_full_marks():
    results = grade_in_process(A, load_reference(A))
    assert all(r.status == "passed" for r in results), _describe(results)


def test_reference_scores_full_marks_on_the_public_suite_alone():
    results = grade_in_process(A, load_reference(A), hidden=False)
    assert results and all(r.status == "passed" for r in results), _describe(results)


def test_release_stub_scores_zero_not_implemented():
    stub = import_path(A.release_dir() / A.filename, "_stub_capstone_suite_test")
    results = grade_in_process(A, stub)
    assert results and all(r.status == "not_implemented" and r.score == 0 for r in results), _describe(results)


def test_catalogue_is_big_enough():
    assert len(MISTAKES) >= 12 and len(CORRECT) >= 5
    assert len({m.name for m in MISTAKES + CORRECT}) == len(MISTAKES) + len(CORRECT)
    assert all(m.hint for m in MISTAKES)
    assert {m.function for m in MISTAKES} == set(CAPSTONE)


def _grade_without_end_to_end(module):
    """The suites in process, minus the END_TO_END cases (whose result a mistake outside train() may
    change and which this test ignores then anyway: skipping them saves four training runs)."""
    cases = [c for c in grading.cases_for(A, True) if c.name not in END_TO_END]
    return framework.run_cases(cases, framework.InProcessSubmission(module), grading.reference_for(A))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("variant", MISTAKES, ids=lambda v: v.name)
def test_mistake_loses_points_on_its_function_only_with_hint(variant):
    module = variant_module(A, variant.code)
    results = grade_in_process(A, module) if variant.function == "train" else _grade_without_end_to_end(module)
    scores = score_by_function(results)
    got, out_of = scores[variant.function]
    assert got < out_of, f"{variant.name} was not caught"
    others = {f: s for f, s in scores.items() if f != variant.function and s[0] < s[1]}
    assert not others, f"{variant.name} also lost points on {others}\n{_describe(results)}"
    hints = [r.hint for r in results if r.function == variant.function and r.status != "passed"]
    problem = hint_check(variant, hints)
    assert problem is None, f"{problem}\n{_describe(results)}"


@pytest.mark.parametrize("variant", CORRECT, ids=lambda v: v.name)
def test_correct_variant_scores_full_marks(variant):
    results = grade_in_process(A, variant_module(A, variant.code))
    assert all(r.status == "passed" for r in results), _describe(results)
