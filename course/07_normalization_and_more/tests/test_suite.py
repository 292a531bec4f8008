"""What is particular to 07_normalization_and_more's suites (the rest: tests/test_suites.py): the points,
the hidden mistake models, and one mistake, one function between a forward and its backward."""
import sys

import pytest

from autograder import framework
from autograder.course import ASSIGNMENTS
from tests.catalogue import catalogue, grade_in_process, score_by_function, variant_module

A = ASSIGNMENTS["07_normalization_and_more"]
CATALOGUE = catalogue(A)
BACKWARD_OF = {"batchnorm_forward": "batchnorm_backward", "layernorm_forward": "layernorm_backward"}


def _describe(results):
    return "\n".join(f"  {r.status:16} {r.name}: {r.output[:300]} | hint={r.hint}"
                     for r in results if r.status != "passed")


def test_points():
    # 50, and the public case of survival_prob = 1 and independent samples
    assert sum(c.points for c in framework.load_cases(A.suite, hidden=True)) == 51


def test_hidden_mistakes_cover_the_deterministic_functions():
    path = framework.suite_paths(A.suite, hidden=True)[-1]
    framework.load_suite(path, "after_published")          # imports it as _suite_normalization_hidden
    hidden = sys.modules[f"_suite_{A.module}_{path.stem}"]
    assert set(hidden.MISTAKES) == {"batchnorm_forward", "batchnorm_backward", "layernorm_forward",
                                    "layernorm_backward", "jacobian_penalty"}
    assert all(m.hint for ms in hidden.MISTAKES.values() for m in ms)


def test_cache_mistakes_name_the_backward_they_cost():
    names = {m.name: m for m in CATALOGUE.MISTAKES}
    for name, backward in CATALOGUE.CACHE_ALSO_COSTS.items():
        assert BACKWARD_OF[names[name].function] == backward


def test_forward_mistake_confined_to_the_output_does_not_cost_the_backward():
    variant = next(v for v in CATALOGUE.MISTAKES if v.name == "bn_forward_forgot_affine")
    scores = score_by_function(grade_in_process(A, variant_module(A, variant.code)))
    assert scores["batchnorm_forward"][0] < scores["batchnorm_forward"][1]
    assert scores["batchnorm_backward"][0] == scores["batchnorm_backward"][1]


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
