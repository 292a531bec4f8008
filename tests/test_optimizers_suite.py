"""The grading suites of assignment 05 (optimizers) grade what they should.

- the reference scores 100% on public + hidden cases;
- the released stub scores 0, every result `not_implemented`;
- every catalogued mistake loses points on its own function and no other, and one
  of that function's failed results carries a hint with the catalogued phrase;
- every correct-but-unusual variant scores 100%.
"""
from pathlib import Path

import pytest

from autograder import framework
from autograder.course import import_path, load_reference
from tests.catalogue import hint_check, assignment, grade_in_process, score_by_function, variant_module
from tests.mistakes import optimizers as catalogue

A = assignment("optimizers")
FUNCTIONS = ["sgd_l2_step", "sgd_weight_decay_step", "adam_init", "adam_l2_step", "adamw_step"]


def _total(results):
    return sum(r.score for r in results), sum(r.max_score for r in results)


def test_every_function_is_scored_by_public_and_hidden_cases():
    public = framework.load_cases(A.suite, hidden=False)
    everything = framework.load_cases(A.suite, hidden=True)
    assert {c.function for c in public} == set(FUNCTIONS)
    assert {c.function for c in everything} == set(FUNCTIONS)
    assert all(not c.wants_reference for c in public), "public cases must not need the reference"
    hidden = [c for c in everything if c.visibility != "visible"]
    assert hidden and all(c.wants_reference for c in hidden), "hidden cases take (sub, ref)"
    assert 40 <= sum(c.points for c in everything) <= 60


def test_reference_scores_full_marks():
    results = grade_in_process(A, load_reference(A))
    failed = [(r.name, r.output) for r in results if r.status != "passed"]
    assert not failed
    score, total = _total(results)
    assert score == total > 0


def test_release_stub_scores_zero_as_not_implemented():
    stub = import_path(A.release_dir() / A.filename, "_stub_optimizers_suite_test")
    results = grade_in_process(A, stub)
    assert _total(results)[0] == 0
    assert {r.status for r in results} == {"not_implemented"}


def test_catalogue_is_large_enough():
    assert len(catalogue.MISTAKES) >= 8
    assert {v.function for v in catalogue.MISTAKES} == set(FUNCTIONS)
    names = [v.name for v in catalogue.MISTAKES + catalogue.CORRECT]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("variant", catalogue.MISTAKES, ids=lambda v: v.name)
def test_mistake_loses_points_on_its_function_only_and_gets_its_hint(variant):
    results = grade_in_process(A, variant_module(A, variant.code))
    scores = score_by_function(results)
    got, full = scores[variant.function]
    assert got < full, f"{variant.name} was not caught"
    others = {f: s for f, s in scores.items() if f != variant.function and s[0] < s[1]}
    assert not others, f"{variant.name} also lost points on {others}"
    hints = [r.hint or "" for r in results if r.function == variant.function and r.status != "passed"]
    problem = hint_check(variant, hints)
    assert problem is None, problem


@pytest.mark.parametrize("variant", catalogue.CORRECT, ids=lambda v: v.name)
def test_correct_variant_scores_full_marks(variant):
    results = grade_in_process(A, variant_module(A, variant.code))
    failed = [(r.name, r.output) for r in results if r.status != "passed"]
    assert not failed
