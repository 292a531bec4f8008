"""The grading suites of 07_normalization_and_more, tested against the reference, the release stub
and a catalogue of wrong and unusual-but-correct implementations (tests/mistakes/normalization.py)."""
import sys

import pytest

from autograder import framework
from autograder.course import import_path, load_reference
from tests.catalogue import hint_check, assignment, grade_in_process, score_by_function, variant_module
from tests.mistakes.normalization import CACHE_ALSO_COSTS, CORRECT, MISTAKES

A = assignment("normalization")
ALL_FUNCTIONS = ["batchnorm_forward", "batchnorm_backward", "layernorm_forward", "layernorm_backward",
                 "mixup", "stochastic_depth", "jacobian_penalty"]
BACKWARD_OF = {"batchnorm_forward": "batchnorm_backward", "layernorm_forward": "layernorm_backward"}


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
    assert sum(c.points for c in everything) == 50
    for c in everything:
        assert c.name.startswith(c.function + ": ")


def test_hidden_mistakes_cover_the_deterministic_functions():
    path = framework.suite_paths(A.suite, hidden=True)[-1]
    framework.load_suite(path, "after_published")          # imports it as _suite_normalization_hidden
    hidden = sys.modules[f"_suite_{path.parent.name}_{path.stem}"]
    assert set(hidden.MISTAKES) == {"batchnorm_forward", "batchnorm_backward", "layernorm_forward",
                                    "layernorm_backward", "jacobian_penalty"}
    assert all(m.hint for ms in hidden.MISTAKES.values() for m in ms)


def test_reference_scores_full_marks():
    results = grade_in_process(A, load_reference(A))
    assert all(r.status == "passed" for r in results), _describe(results)
    assert sum(r.score for r in results) == sum(r.max_score for r in results) == 50


def test_reference_scores_full_marks_on_the_public_suite_alone():
    results = grade_in_process(A, load_reference(A), hidden=False)
    assert results and all(r.status == "passed" for r in results), _describe(results)


def test_release_stub_scores_zero_not_implemented():
    stub = import_path(A.release_dir() / A.filename, "_stub_normalization_suite_test")
    results = grade_in_process(A, stub)
    assert results and all(r.status == "not_implemented" and r.score == 0 for r in results), _describe(results)


def test_catalogue_is_big_enough():
    assert len(MISTAKES) >= 10 and len(CORRECT) >= 6
    assert len({m.name for m in MISTAKES + CORRECT}) == len(MISTAKES) + len(CORRECT)
    assert all(m.hint for m in MISTAKES)
    assert {m.function for m in MISTAKES} == set(ALL_FUNCTIONS)
    names = {m.name: m for m in MISTAKES}
    for name, backward in CACHE_ALSO_COSTS.items():
        assert BACKWARD_OF[names[name].function] == backward


@pytest.mark.parametrize("variant", MISTAKES, ids=lambda v: v.name)
def test_mistake_loses_points_on_its_function_only_with_hint(variant):
    results = grade_in_process(A, variant_module(A, variant.code))
    scores = score_by_function(results)
    got, out_of = scores[variant.function]
    assert got < out_of, f"{variant.name} was not caught"
    # A forward mistake that corrupts the cache also costs the matching backward (documented in
    # tests/mistakes/normalization.py and autograder/suites/normalization/hidden.py); nothing else may lose.
    allowed = {variant.function, CACHE_ALSO_COSTS.get(variant.name)}
    losing = {f for f, (s, m) in scores.items() if s < m}
    assert losing <= allowed, f"{variant.name} also lost points on {losing - allowed}\n{_describe(results)}"
    if variant.name in CACHE_ALSO_COSTS:
        assert CACHE_ALSO_COSTS[variant.name] in losing, f"{variant.name}: expected the backward to lose too"
    hints = [r.hint or "" for r in results if r.function == variant.function and r.status != "passed"]
    problem = hint_check(variant, hints)
    assert problem is None, problem


def test_forward_mistake_confined_to_the_output_does_not_cost_the_backward():
    variant = next(v for v in MISTAKES if v.name == "bn_forward_forgot_affine")
    scores = score_by_function(grade_in_process(A, variant_module(A, variant.code)))
    assert scores["batchnorm_forward"][0] < scores["batchnorm_forward"][1]
    assert scores["batchnorm_backward"][0] == scores["batchnorm_backward"][1]


@pytest.mark.parametrize("variant", CORRECT, ids=lambda v: v.name)
def test_correct_variant_scores_full_marks(variant):
    results = grade_in_process(A, variant_module(A, variant.code))
    assert all(r.status == "passed" for r in results), _describe(results)
