"""The grading suites of every assignment, tested against the reference, the release stub and the
assignment's catalogue of wrong and unusual-but-correct implementations (course/<id>/mistakes.py).

A catalogue may also say what is particular to its assignment:
- UNCATALOGUED: functions whose mistakes are catalogued elsewhere (08_capstone's functions pasted
  from earlier assignments), so this catalogue need not cover them;
- END_TO_END: cases that run the whole pipeline through several student functions, so a mistake in
  another function may fail them too; a mistake is graded without them unless it is in their function.
Tests about one assignment's own content live in course/<id>/tests/.
"""
import ast
import inspect

import pytest

from autograder import framework, grading
from autograder.course import ASSIGNMENTS, import_path, load_reference
from tests.catalogue import catalogue, grade_in_process, hint_check, score_by_function, variant_module

ALL = list(ASSIGNMENTS.values())


def _describe(results):
    return "\n".join(f"  {r.status:16} {r.name}: {r.output[:300]} | hint={r.hint}"
                     for r in results if r.status != "passed")


def _each(name):
    """One test per (assignment, catalogue entry) of MISTAKES or CORRECT."""
    return [pytest.param(a, v, id=f"{a.id}-{v.name}") for a in ALL for v in getattr(catalogue(a), name)]


by_assignment = pytest.mark.parametrize("a", ALL, ids=lambda a: a.id)


@by_assignment
def test_every_function_is_graded_public_and_hidden(a):
    public = framework.load_cases(a.suite, hidden=False)
    everything = framework.load_cases(a.suite, hidden=True)
    assert {c.function for c in public} == set(a.functions)
    assert {c.function for c in everything} == set(a.functions)
    assert all(not c.wants_reference for c in public), "public cases must not need the reference"
    # hidden cases may compare with the reference or with worked values (fixed_case): either is fine there
    assert any(c.visibility != "visible" for c in everything), "no hidden cases"
    assert all(c.name.startswith(c.function + ": ") for c in everything), "a case is named '<function>: ...'"
    assert sum(c.points for c in everything) > 0


@by_assignment
def test_reference_scores_full_marks(a):
    results = grade_in_process(a, load_reference(a))
    assert all(r.status == "passed" for r in results), _describe(results)
    assert sum(r.score for r in results) == sum(r.max_score for r in results) > 0


@by_assignment
def test_reference_scores_full_marks_on_the_public_suite_alone(a):
    results = grade_in_process(a, load_reference(a), hidden=False)
    assert results and all(r.status == "passed" for r in results), _describe(results)


@by_assignment
def test_release_stub_scores_zero_not_implemented(a):
    stub = import_path(a.release_dir() / a.filename, f"_stub_{a.module}_suite_test")
    results = grade_in_process(a, stub)
    assert results and all(r.status == "not_implemented" and r.score == 0 for r in results), _describe(results)


@by_assignment
def test_release_stub_keeps_signatures_docstrings_and_scaffolding(a):
    stub = import_path(a.release_dir() / a.filename, f"_stub_{a.module}_signature_test")
    reference = load_reference(a)
    stub_text = (a.release_dir() / a.filename).read_text()
    assert "BEGIN SOLUTION" not in stub_text and "END SOLUTION" not in stub_text
    for name in a.functions:
        s_fn, r_fn = getattr(stub, name), getattr(reference, name)
        assert inspect.signature(s_fn) == inspect.signature(r_fn), name
        # the docstring states the contract (not a one-liner) and the stub keeps it word for word
        assert inspect.getdoc(s_fn) == inspect.getdoc(r_fn) and len(inspect.getdoc(s_fn)) > 100, name
        s_body = ast.parse(inspect.getsource(s_fn)).body[0].body
        r_body = ast.parse(inspect.getsource(r_fn)).body[0].body
        # the stub is the reference's docstring and scaffolding followed by `raise NotImplementedError()`
        assert isinstance(s_body[-1], ast.Raise) and "NotImplementedError" in ast.unparse(s_body[-1]), name
        assert [ast.unparse(n) for n in s_body[:-1]] == [ast.unparse(n) for n in r_body[:len(s_body) - 1]], name


@by_assignment
def test_catalogue_covers_every_function(a):
    cat = catalogue(a)
    assert len(cat.MISTAKES) >= 7 and len(cat.CORRECT) >= 5
    assert len({m.name for m in cat.MISTAKES + cat.CORRECT}) == len(cat.MISTAKES) + len(cat.CORRECT)
    assert all(m.hint for m in cat.MISTAKES)
    assert {m.function for m in cat.MISTAKES} == set(a.functions) - set(getattr(cat, "UNCATALOGUED", ()))
    assert {v.function for v in cat.MISTAKES + cat.CORRECT} <= set(a.functions)
    assert set(getattr(cat, "END_TO_END", ())) <= {c.name for c in framework.load_cases(a.suite, hidden=True)}


def _grade_mistake(a, variant):
    """The suites in process; the END_TO_END cases only for a mistake in their own function (another
    function's mistake may fail them too, and skipping them saves whole training runs)."""
    module = variant_module(a, variant.code)
    end_to_end = set(getattr(catalogue(a), "END_TO_END", ()))
    cases = [c for c in grading.cases_for(a, True) if c.name not in end_to_end or c.function == variant.function]
    return framework.run_cases(cases, framework.InProcessSubmission(module), grading.reference_for(a))


# wrong student code may overflow or diverge on purpose (e.g. exp(1000)): its warnings are expected
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("a, variant", _each("MISTAKES"))
def test_mistake_loses_points_on_its_function_only_with_hint(a, variant):
    results = _grade_mistake(a, variant)
    scores = score_by_function(results)
    got, out_of = scores[variant.function]
    assert got < out_of, f"{variant.name} was not caught"
    others = {f: s for f, s in scores.items() if f != variant.function and s[0] < s[1]}
    assert not others, f"{variant.name} also lost points on {others}\n{_describe(results)}"
    hints = [r.hint or "" for r in results if r.function == variant.function and r.status != "passed"]
    problem = hint_check(variant, hints)
    assert problem is None, f"{problem}\n{_describe(results)}"


@pytest.mark.parametrize("a, variant", _each("CORRECT"))
def test_correct_variant_scores_full_marks(a, variant):
    results = grade_in_process(a, variant_module(a, variant.code))
    assert all(r.status == "passed" for r in results), _describe(results)
