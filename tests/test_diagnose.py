"""The hint machinery (autograder/diagnose.py) on small hand-made functions: a mistake is named only on
evidence, generic diagnoses come from the numbers, diffs show the digits that matter, and a correct
submission costs no extra call."""
import types

import numpy as np
import pytest

from autograder import diagnose, framework
from autograder.framework import Fail, Mistake, case, check_close, compare


def _module(**functions):
    return types.SimpleNamespace(**functions)


def _variance(mean, var, p):          # the contract: Var(a m / (1 - p))
    return var / (1 - p) + mean ** 2 * p / (1 - p)


MODELS = [
    Mistake("material", lambda mean, var, p: var * p / (1 - p), "HINT material: var*p/(1-p)"),
    Mistake("fixed activation", lambda mean, var, p: mean ** 2 * p / (1 - p), "HINT fixed: mean^2 p/(1-p)"),
]


def _grade(student, mean=0.0, var=1.0, p=0.5):
    """One case comparing the student with the reference at (mean, var, p), through the framework."""
    framework._collecting, collected = [], None
    try:
        @case("dropout_variance: one input", points=1)
        def _(sub, ref):
            compare(sub, ref, "dropout_variance", mean, var, p, rtol=1e-12, mistakes=MODELS)
        collected = framework._collecting
    finally:
        framework._collecting = None
    sub = framework.InProcessSubmission(_module(dropout_variance=student))
    return framework.run_cases(collected, sub, _module(dropout_variance=_variance))[0]


def test_a_degenerate_input_alone_names_no_mistake():
    # at mean = 0, p = 0.5 the student's var + mean^2 p/(1-p) equals var*p/(1-p): one input proves nothing
    result = _grade(lambda mean, var, p: var + mean ** 2 * p / (1 - p))
    assert result.status == "failed"
    assert not diagnose.is_named(result.hint) and "HINT" not in (result.hint or "")


def test_a_mistake_that_follows_its_model_on_discriminating_inputs_is_named():
    result = _grade(lambda mean, var, p: var * p / (1 - p))
    assert result.hint == "HINT material: var*p/(1-p)" and diagnose.is_named(result.hint)


def test_a_mistake_is_named_even_when_another_model_coincides_on_the_failing_input():
    # mean = 0 and p = 0 make both models 0; perturbed inputs tell them apart
    result = _grade(lambda mean, var, p: mean ** 2 * p / (1 - p), mean=0.0, var=1.3, p=0.0)
    assert result.hint == "HINT fixed: mean^2 p/(1-p)"


@pytest.mark.parametrize("student, words", [
    (lambda mean, var, p: -_variance(mean, var, p), "sign is flipped"),
    (lambda mean, var, p: 2 * _variance(mean, var, p), "times 2"),
    (lambda mean, var, p: (1 - p) * _variance(mean, var, p), "times (1 - p)"),
    (lambda mean, var, p: _variance(mean, var, p) + 0.5, "plus 0.5"),
    (lambda mean, var, p: var / (1 - p), "does not change when mean changes"),
])
def test_generic_diagnoses_name_what_the_numbers_show(student, words):
    result = _grade(student, mean=1.5, var=0.7, p=0.3)
    assert diagnose.is_generic(result.hint) and words in result.hint, result.hint


def test_nothing_fits_no_hint_but_the_digits_that_matter():
    result = _grade(lambda mean, var, p: _variance(mean, var, p) * (1 + 3e-11) + np.sin(mean) * 1e-11,
                    mean=1.5, var=0.7, p=0.3)
    assert result.status == "failed" and result.hint is None
    got, expected = result.output.split("got ")[1].split(", expected ")
    assert got != expected.split(",")[0], result.output


def test_significant_digits_tell_the_two_numbers_apart():
    assert diagnose.significant(0.5 + 1e-14, 0.5) != diagnose.significant(0.5, 0.5 + 1e-14)
    assert diagnose.significant(0.5, 0.25) == "0.5"
    with pytest.raises(Fail) as failure:
        check_close(0.5 + 1e-13, 0.5, rtol=1e-15)
    assert "got 0.5," not in failure.value.message and "expected 0.5," in failure.value.message


def test_a_correct_submission_makes_no_extra_call(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("the hint machinery ran for a correct submission")
    monkeypatch.setattr(diagnose, "explain", forbidden)
    assert _grade(_variance, mean=1.5, var=0.7, p=0.3).status == "passed"
