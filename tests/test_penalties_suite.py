"""The grading suites of 01_penalties, tested against the reference, the release stub and a
catalogue of wrong and unusual-but-correct implementations (tests/mistakes/penalties.py)."""
import ast
import inspect

import pytest

from autograder import framework
from autograder.course import import_path, load_reference
from tests.catalogue import hint_check, assignment, grade_in_process, score_by_function, variant_module
from tests.mistakes.penalties import CORRECT, MISTAKES

A = assignment("penalties")
ALL_FUNCTIONS = ["l1_penalty", "l1_subgradient", "l2_penalty", "l2_gradient", "elastic_net_penalty",
                 "elastic_net_gradient", "l1_scalar_minimizer", "l2_scalar_minimizer"]


def _describe(results):
    return "\n".join(f"  {r.status:16} {r.name}: {r.output[:200]} | hint={r.hint}"
                     for r in results if r.status != "passed")


def test_every_function_is_graded_public_and_hidden():
    public = framework.load_cases(A.suite, hidden=False)
    everything = framework.load_cases(A.suite, hidden=True)
    assert {c.function for c in public} == set(ALL_FUNCTIONS)
    assert {c.function for c in everything} == set(ALL_FUNCTIONS)
    assert all(not c.wants_reference for c in public), "public cases must not need the reference"
    total = sum(c.points for c in everything)
    assert 40 <= total <= 60, total


def test_reference_scores_full_marks():
    results = grade_in_process(A, load_reference(A))
    assert all(r.status == "passed" for r in results), _describe(results)


def test_release_stub_scores_zero_not_implemented():
    stub = import_path(A.release_dir() / A.filename, "_stub_penalties_suite_test")
    results = grade_in_process(A, stub)
    assert results and all(r.status == "not_implemented" and r.score == 0 for r in results), _describe(results)


def test_release_stub_keeps_signatures_docstrings_and_scaffolding():
    stub = import_path(A.release_dir() / A.filename, f"_stub_{A.module}_signature_test")
    reference = load_reference(A)
    stub_text = (A.release_dir() / A.filename).read_text()
    assert "BEGIN SOLUTION" not in stub_text and "END SOLUTION" not in stub_text
    for name in ALL_FUNCTIONS:
        s_fn, r_fn = getattr(stub, name), getattr(reference, name)
        assert inspect.signature(s_fn) == inspect.signature(r_fn), name
        assert inspect.getdoc(s_fn) == inspect.getdoc(r_fn) and len(inspect.getdoc(s_fn)) > 200, name
        s_body = ast.parse(inspect.getsource(s_fn)).body[0].body
        r_body = ast.parse(inspect.getsource(r_fn)).body[0].body
        # the stub is the reference's docstring and scaffolding followed by `raise NotImplementedError()`
        assert isinstance(s_body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(s_body[-1]), name
        assert [ast.unparse(n) for n in s_body[:-1]] == [ast.unparse(n) for n in r_body[:len(s_body) - 1]], name
        assert any("_check" in ast.unparse(n) for n in s_body[1:-1]), f"{name}: no input checks kept"


def test_catalogue_is_big_enough():
    assert len(MISTAKES) >= 8
    assert len({m.name for m in MISTAKES + CORRECT}) == len(MISTAKES) + len(CORRECT)
    assert all(m.hint for m in MISTAKES)


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
