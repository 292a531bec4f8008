"""The declarative cases of autograder/cases.py: what the engine promises a suite.

Each test writes a small suite file, loads it as the grader does (framework.load_suite) and grades
submissions in this process; a counting submission shows how the calls travel.
"""
import textwrap
import types

import numpy as np
import pytest

from autograder import cases, framework

# The toy function: scale(x, k) = k * x. Its reference, and submissions right and wrong.


def _module(name, **functions):
    module = types.ModuleType(name)
    for key, fn in functions.items():
        setattr(module, key, fn)
    return module


def _right(x, k=2.0):
    return np.asarray(x, dtype=float) * k


def _in_place(x, k=2.0):
    x *= k           # modifies the caller's array
    return x


def _off_by_one(x, k=2.0):
    return np.asarray(x, dtype=float) * (k + 1)


def _nan(x, k=2.0):
    return np.full(np.shape(x), np.nan)


def _raises_value_error(x, k=2.0):
    if k < 0:
        raise ValueError("k must be >= 0")
    return np.asarray(x, dtype=float) * k


REFERENCE = _module("reference_scale", scale=_raises_value_error)

SUITE = '''
import numpy as np
from autograder.cases import Tol, entry, fixed_case, reference_case
from autograder.framework import Mistake, call_args

BUILT = []   # one item per run of the builder


def _inputs():
    BUILT.append(1)
    rng = np.random.default_rng(0)
    return [(rng.normal(size=(3, 4)), 0.5), (rng.normal(size=5),), call_args(rng.normal(size=2), k=3.0)]


EXACT = Tol(1e-12, why="one multiplication: a correct answer is exact up to the last bit")
MISTAKES = {"scale": [Mistake("k + 1", lambda x, k=2.0: np.asarray(x) * (k + 1), "you multiplied by k + 1")]}

reference_case("scale: random inputs", "scale", _inputs, tol=EXACT, points=2, pure=True,
               mistakes=MISTAKES["scale"])
fixed_case("scale: [1, 2] times 3", "scale", [(([1.0, 2.0], 3.0), [3.0, 6.0])], tol=EXACT,
           what="scale([1, 2], 3)")
reference_case("scale: a negative k raises", "scale",
               lambda: [(np.ones(2), 1.0), entry((np.ones(2), -1.0), raises=ValueError)], tol=EXACT)
'''


class Counting(framework.InProcessSubmission):
    """An in-process submission that counts the messages a case sends: one per call_each, one per lone call."""

    def __init__(self, module):
        super().__init__(module)
        self.messages = []

    def call_each(self, function, calls, then, *, inputs=False):
        calls = list(calls)
        self.messages.append(len(calls))
        self._batched = True
        try:
            return super().call_each(function, calls, then, inputs=inputs)
        finally:
            self._batched = False

    def call_with_inputs(self, function, *args, **kwargs):
        if not getattr(self, "_batched", False):
            self.messages.append(1)
        return super().call_with_inputs(function, *args, **kwargs)


@pytest.fixture()
def suite(tmp_path):
    path = tmp_path / "toy" / "hidden.py"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(SUITE))
    loaded = framework.load_suite(path, framework.HIDDEN)
    module = next(v for k, v in __import__("sys").modules.items() if k == "_suite_toy_hidden")
    return loaded, module


def _grade(loaded, function_impl):
    sub = Counting(_module("student", scale=function_impl))
    return framework.run_cases(loaded, sub, REFERENCE), sub


def test_a_right_submission_passes_every_case(suite):
    loaded, _ = suite
    results, _ = _grade(loaded, _raises_value_error)
    assert [(r.name, r.status) for r in results] == [(c.name, "passed") for c in loaded]
    assert [c.points for c in loaded] == [2.0, 1.0, 1.0]
    assert [c.function for c in loaded] == ["scale"] * 3
    assert loaded[0].wants_reference and not loaded[1].wants_reference


def test_the_builder_runs_once_per_process_and_its_arrays_are_read_only(suite):
    loaded, module = suite
    for _ in range(3):
        _grade(loaded, _raises_value_error)
    assert module.BUILT == [1]
    args, kwargs, _ = loaded[0].body.calls.entries()[0]
    assert not args[0].flags.writeable


def test_the_reference_answers_once_per_process(suite):
    loaded, _ = suite
    asked = []
    counting_reference = _module("reference_counted", scale=lambda x, k=2.0: asked.append(1) or _right(x, k))
    for _ in range(3):
        framework.run_cases(loaded[:1], Counting(_module("student", scale=_right)), counting_reference)
    assert len(asked) == 3          # three calls, answered once


def test_the_calls_of_a_case_are_one_message(suite):
    loaded, _ = suite
    _, sub = _grade(loaded[:1], _right)
    assert sub.messages == [3]


def test_a_modified_input_fails_with_the_purity_message(suite):
    loaded, _ = suite
    results, _ = _grade(loaded[:1], _in_place)
    (result,) = results
    assert result.status == "failed" and result.score == 0
    assert result.output == "scale() modified its input argument #1 in place"
    assert "leave the inputs alone" in result.hint


def test_a_wrong_value_names_the_mistake(suite):
    loaded, _ = suite
    results, _ = _grade(loaded[:1], _off_by_one)
    (result,) = results
    assert result.status == "failed" and "differs" in result.output
    assert result.hint == "you multiplied by k + 1"


def test_purity_counts_only_for_a_right_value(suite):
    # modified in place and wrong: the wrong value is what is reported (and explained)
    loaded, _ = suite

    def wrong_in_place(x, k=2.0):
        x *= k + 1
        return x

    (result,), _ = _grade(loaded[:1], wrong_in_place)
    assert result.status == "failed" and "differs" in result.output and result.hint == "you multiplied by k + 1"


def test_nan_never_passes(suite):
    loaded, _ = suite
    results, _ = _grade(loaded[:2], _nan)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("NaN" in r.output for r in results)


def test_a_nan_expected_value_is_a_suite_error():
    calls = cases.reference_calls("scale", lambda: [(np.ones(2),)], tol=cases.Tol(0, why="exact"))
    with pytest.raises(ValueError, match="NaN never passes"):
        calls.check(framework.InProcessSubmission(_module("s", scale=_right)), _module("r", scale=_nan))


def test_the_fixed_case_uses_its_label_and_keyword_calls_travel(suite):
    loaded, _ = suite
    (result,), _ = _grade(loaded[1:2], _off_by_one)
    assert result.status == "failed" and result.output.startswith("scale([1, 2], 3) differs")


def test_a_call_the_contract_says_raises(suite):
    loaded, _ = suite
    (result,), sub = _grade(loaded[2:3], _right)          # never raises
    assert result.status == "failed" and "should raise ValueError" in result.output
    assert sub.messages == [1, 1]                          # the calls before it in one message, then it alone
    (result,), _ = _grade(loaded[2:3], _raises_value_error)
    assert result.status == "passed"


def test_a_part_of_a_tuple_is_compared_and_labels_come_per_call():
    def pair(x):
        return np.asarray(x) * 2.0, "a note"

    def wrong_pair(x):
        return np.asarray(x) * 3.0, "a note"

    calls = cases.reference_calls("pair", lambda: [(np.ones(2),), cases.entry((np.ones(3),), what="the long one")],
                                  tol=cases.Tol(1e-12, why="exact"), part=0)
    ref = _module("r", pair=pair)
    calls.check(framework.InProcessSubmission(_module("s", pair=pair)), ref)
    with pytest.raises(framework.Fail, match=r"^pair\(\.\.\.\)\[0\] differs"):
        calls.check(framework.InProcessSubmission(_module("s", pair=wrong_pair)), ref)
    with pytest.raises(framework.Fail, match="expected a tuple"):
        calls.check(framework.InProcessSubmission(_module("s", pair=lambda x: np.asarray(x) * 2.0)), ref)


def test_on_raise_explains_which_call_gave_no_value():
    def fails_on_three(x):
        if np.size(x) == 3:
            raise IndexError("no")
        return np.asarray(x) * 2.0

    seen = []

    def explain(index, problem):
        seen.append(index)
        raise framework.Fail(f"call {index} raised", "explained")

    calls = cases.reference_calls("f", lambda: [(np.ones(2),), (np.ones(3),)], tol=cases.Tol(0, why="exact"),
                                  on_raise=explain)
    with pytest.raises(framework.Fail, match="call 1 raised"):
        calls.check(framework.InProcessSubmission(_module("s", f=fails_on_three)), _module("r", f=_right))
    assert seen == [1]


def test_dtype_and_shape_behaviours():
    ints = cases.reference_calls("f", lambda: [(np.ones(4),)], tol=cases.Tol(0, why="exact"), dtype="f")
    ref = _module("r", f=lambda x: np.asarray(x) * 2.0)
    with pytest.raises(framework.Fail, match="dtype int64"):
        ints.check(framework.InProcessSubmission(_module("s", f=lambda x: np.full(4, 2))), ref)
    flat = cases.reference_calls("f", lambda: [(np.ones((2, 2)),)], tol=cases.Tol(0, why="exact"), shape=False)
    column = _module("s", f=lambda x: (np.asarray(x) * 2.0).reshape(4, 1))
    flat.check(framework.InProcessSubmission(column), ref)
    strict = cases.reference_calls("f", lambda: [(np.ones((2, 2)),)], tol=cases.Tol(0, why="exact"))
    with pytest.raises(framework.Fail, match="shape"):
        strict.check(framework.InProcessSubmission(column), ref)


def test_a_tolerance_says_why():
    with pytest.raises(ValueError, match="why"):
        cases.Tol(1e-12)
    tol = cases.Tol(1e-9, 1e-12, why="sums of 24 terms")
    assert dict(**tol) == {"rtol": 1e-9, "atol": 1e-12}


def test_once_builds_at_first_use_read_only_and_shares_the_result():
    runs = []

    @cases.once
    def problem(seed):
        runs.append(seed)
        return np.random.default_rng(seed).normal(size=3), [np.zeros(2)]

    first = problem(1)
    assert problem(1) is first and runs == [1]
    assert problem(2) is not first and runs == [1, 2]
    assert not first[0].flags.writeable and not first[1][0].flags.writeable


def test_a_builder_of_one_argument_gets_the_reference_once_per_reference_module():
    built = []

    def inputs(reference):
        built.append(reference)
        return [(reference.scale(np.ones(2), 3.0),)]      # an input the reference makes

    calls = cases.reference_calls("scale", inputs, tol=cases.Tol(0, why="exact"))
    sub = framework.InProcessSubmission(_module("s", scale=_right))
    other = _module("other_reference", scale=_right)
    for ref in (REFERENCE, framework.cached_reference(REFERENCE), other, REFERENCE):
        calls.check(sub, ref)
    assert built == [REFERENCE, other]


def test_a_check_of_one_argument_replaces_the_comparison_and_of_two_wraps_it():
    order = []

    def finite_first(got, compare):
        order.append("own check")
        if not np.all(np.isfinite(got)):
            raise framework.Fail("not finite", "a hint of the case's own")
        compare(got)
        order.append("compared")

    calls = cases.reference_calls("scale", lambda: [cases.entry((np.ones(2),), check=finite_first),
                                                    cases.entry((np.ones(3),), check=lambda got: order.append("rows"))],
                                  tol=cases.Tol(0, why="exact"))
    calls.check(framework.InProcessSubmission(_module("s", scale=_right)), REFERENCE)
    assert order == ["own check", "compared", "rows"]
    with pytest.raises(framework.Fail, match="not finite"):
        calls.check(framework.InProcessSubmission(_module("s", scale=_nan)), REFERENCE)
    with pytest.raises(framework.Fail, match="differs"):
        calls.check(framework.InProcessSubmission(_module("s", scale=_off_by_one)), REFERENCE)
