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
    assert sum(c.points for c in everything) == 51   # 50, and the public case of survival_prob = 1 and independent samples
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
    assert sum(r.score for r in results) == sum(r.max_score for r in results) == 51


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
    # One mistake, one function: a forward mistake that corrupts the cache costs the forward only (the
    # backward is also tried on the reference forward's cache, autograder/suites/normalization/hidden.py)
    losing = {f for f, (s, m) in scores.items() if s < m}
    assert losing == {variant.function}, f"{variant.name} also lost points on {losing}\n{_describe(results)}"
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


# A backward that reads a cache layout of its own (keys only the student's forward writes), as a student may
# write it: the reference forward's cache does not fit it, so it is graded through the student's own forward.
_OWN_LAYOUT = {
    "batchnorm": ("""
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=2)
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof={ddof})
    xh = (x - mu) / np.sqrt(var + eps)
    return gamma * xh + beta, {{"xh": xh, "istd": 1 / np.sqrt(var + eps), "g": gamma}}
""", 0),
    "layernorm": ("""
def layernorm_forward(x, gamma, beta, eps=1e-5):
    x, gamma, beta, eps = _norm_inputs(x, gamma, beta, eps, min_rows=1)
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True, ddof={ddof})
    xh = (x - mu) / np.sqrt(var + eps)
    return gamma * xh + beta, {{"xh": xh, "istd": 1 / np.sqrt(var + eps), "g": gamma}}
""", 1),
}
_OWN_LAYOUT_BACKWARD = """
def {kind}_backward(dout, cache):
    dout = _as_array(dout, "dout")
    _check_matrix(dout, "dout")
    xh, istd, g = cache["xh"], cache["istd"], cache["g"]
    axis = {axis}
    dxh = dout * g
    dx = (dxh - dxh.mean(axis=axis, keepdims=True) - xh * (dxh * xh).mean(axis=axis, keepdims=True)) * istd
    return dx, (dout * xh).sum(axis=0), dout.sum(axis=0)
"""


@pytest.mark.parametrize("kind", ["batchnorm", "layernorm"])
def test_backward_with_a_cache_of_its_own_is_graded_through_the_students_forward(kind):
    forward, axis = _OWN_LAYOUT[kind]
    backward = _OWN_LAYOUT_BACKWARD.format(kind=kind, axis=axis)
    right = score_by_function(grade_in_process(A, variant_module(A, forward.format(ddof=0) + backward)))
    assert right[f"{kind}_forward"][0] == right[f"{kind}_forward"][1]
    assert right[f"{kind}_backward"][0] == right[f"{kind}_backward"][1]
    # the same backward after a forward with the unbiased variance: the backward fails, and says why
    results = grade_in_process(A, variant_module(A, forward.format(ddof=1) + backward))
    failed = [r for r in results if r.function == f"{kind}_backward" and r.status != "passed"]
    assert failed, _describe(results)
    assert all("fix the forward first" in (r.hint or "") for r in failed), _describe(results)
