"""What autograder/cases.py adds for the suites whose inputs come from the reference, whose answers are
checked only once every call is made, or whose calls form a chain (an optimizer's steps)."""
import types

import numpy as np
import pytest

from autograder import cases, framework
from autograder.framework import Fail, call_args

EXACT = cases.Tol(0, why="one multiplication or addition of small binary fractions: exact")


def _module(name, **functions):
    module = types.ModuleType(name)
    for key, fn in functions.items():
        setattr(module, key, fn)
    return module


class Counting(framework.InProcessSubmission):
    """Counts the messages: one per call_each or call_chain, and the calls that went back (values made)."""

    def __init__(self, module):
        super().__init__(module)
        self.messages, self.made = [], 0

    def call_each(self, function, calls, then, *, inputs=False):
        calls = list(calls)
        self.messages.append(len(calls))
        return super().call_each(function, calls, then, inputs=inputs)

    def call_chain(self, function, calls, feed, then, *, keep=()):
        calls = list(calls)
        self.messages.append(len(calls))
        return super().call_chain(function, calls, feed, then, keep=keep)

    def _call_live(self, function, args, kwargs, crossed=False, keep=None):
        self.made += 1
        return super()._call_live(function, args, kwargs, crossed=crossed, keep=keep)


def _double(x):
    return np.asarray(x, dtype=float) * 2.0


# ============================================================================ inputs built from the reference
def test_a_builder_of_one_parameter_gets_the_reference_once_per_reference_module():
    built = []

    def from_reference(ref):         # the reference's answer becomes the next input
        built.append(ref.__name__)
        first = np.array([1.0, 2.0])
        return [(first,), (ref.double(first),)]

    calls = cases.reference_calls("double", from_reference, tol=EXACT)
    ref = _module("ref_a", double=_double)
    sub = framework.InProcessSubmission(_module("s", double=_double))
    for wrapped in (ref, framework.CachedReference(ref), ref):
        assert [v.tolist() for v in calls.check(sub, wrapped)] == [[2.0, 4.0], [4.0, 8.0]]
    assert built == ["ref_a"]                                  # once, whether or not the cache wraps it
    other = _module("ref_b", double=lambda x: np.asarray(x, dtype=float) * 3.0)
    with pytest.raises(Fail, match="differs"):                  # the student's doubling is not ref_b's tripling
        calls.check(sub, other)
    assert built == ["ref_a", "ref_b"]
    (args, _, _), _ = calls.entries(ref)
    assert not args[0].flags.writeable


def test_a_zero_argument_builder_is_still_built_once_per_process():
    built = []
    calls = cases.reference_calls("double", lambda: built.append(1) or [(np.ones(2),)], tol=EXACT)
    sub = framework.InProcessSubmission(_module("s", double=_double))
    for name in ("r1", "r2"):
        calls.check(sub, _module(name, double=_double))
    assert built == [1]


# ============================================================================ every call before any check
def _early_wrong(x):
    return _double(x) + (1.0 if float(np.sum(x)) == 1.0 else 0.0)


def test_all_first_makes_every_call_before_the_first_failure_and_fails_as_checking_in_turn_would():
    inputs = lambda: [(np.array([1.0]),), (np.array([2.0]),), (np.array([3.0]),)]   # noqa: E731
    ref = _module("r", double=_double)
    in_turn, first = cases.reference_calls("double", inputs, tol=EXACT), cases.reference_calls("double", inputs, tol=EXACT)
    wrong = Counting(_module("s", double=_early_wrong))
    with pytest.raises(Fail) as stopped:
        in_turn.check(wrong, ref)
    assert wrong.made == 1                                      # checked in turn: the batch ends at the wrong value
    wrong = Counting(_module("s", double=_early_wrong))
    with pytest.raises(Fail) as after_all:
        first.check(wrong, ref, all_first=True)
    assert wrong.made == 3 and wrong.messages == [3]            # every call made, in one message
    assert after_all.value.message == stopped.value.message     # the same failure: the first wrong value
    right = Counting(_module("s", double=_double))
    assert [v.tolist() for v in first.check(right, ref, all_first=True)] == [[2.0], [4.0], [6.0]]


def test_all_first_still_reports_a_call_that_raises_through_on_raise():
    def raises_on_two(x):
        if float(np.sum(x)) == 2.0:
            raise ValueError("no")
        return _double(x)

    seen = []

    def explain(index, problem):
        seen.append(index)

    calls = cases.reference_calls("double", lambda: [(np.array([1.0]),), (np.array([2.0]),)], tol=EXACT,
                                  on_raise=explain)
    with pytest.raises(framework.StudentRaised):
        calls.check(framework.InProcessSubmission(_module("s", double=raises_on_two)), _module("r", double=_double),
                    all_first=True)
    assert seen == [1]


# ============================================================================ chains of calls
def _step(w, g, state):
    """A toy optimizer step: w - g, and a state counting the steps (a new dict, as a pure step does)."""
    return np.asarray(w, dtype=float) - np.asarray(g, dtype=float), {"step": state["step"] + 1}


def _step_in_place_count(w, g, state):
    state["step"] += 1           # the caller's dict, changed: a chain that feeds it on still counts
    return np.asarray(w, dtype=float) - np.asarray(g, dtype=float), state


def _steps():
    grads = [np.array([1.0, 0.5]), np.array([0.25, 0.25]), np.array([-1.0, 0.0])]
    return [call_args(np.array([2.0, 2.0]) if k == 0 else None, g, {"step": 0} if k == 0 else None)
            for k, g in enumerate(grads)]


def test_a_chain_runs_in_one_message_and_feeds_the_students_own_values():
    chain = cases.chain_calls("step", _steps, feed=[(0, 0), (1, 2)], keep=[0])
    sub = Counting(_module("s", step=_step))
    values = chain.run(sub, lambda value: value)
    assert sub.messages == [3]
    assert [v[0].tolist() for v in values] == [[1.0, 1.5], [0.75, 1.25], [1.75, 1.25]]
    assert values[0][1] is None and values[-1][1] == {"step": 3}    # keep=[0]: the state crosses back only at the end
    (args, kwargs) = chain.calls()[0]
    assert not args[0].flags.writeable


def test_the_reference_chain_is_computed_once_per_reference_module():
    asked = []

    def counted(w, g, state):
        asked.append(1)
        return _step(w, g, state)

    chain = cases.chain_calls("step", _steps, feed=[(0, 0), (1, 2)])
    ref = _module("r", step=counted)
    for wrapped in (ref, framework.CachedReference(ref)):
        values = chain.reference(wrapped)
    assert len(asked) == 3
    assert [v[0].tolist() for v in values] == [[1.0, 1.5], [0.75, 1.25], [1.75, 1.25]]
    assert values[-1][1] == {"step": 3} and not values[-1][0].flags.writeable


def test_a_chain_stops_at_the_first_failed_check_and_can_start_where_another_ended():
    chain = cases.chain_calls("step", _steps, feed=[(0, 0), (1, 2)])
    sub = Counting(_module("s", step=_step_in_place_count))

    def only_first(value):
        if value[1]["step"] > 1:
            raise Fail("a second step")
        return value

    with pytest.raises(Fail, match="a second step"):
        chain.run(sub, only_first)
    assert sub.made == 2
    values = chain.run(framework.InProcessSubmission(_module("s", step=_step)), lambda v: v,
                       first=call_args(np.array([0.0, 0.0]), np.array([1.0, 1.0]), {"step": 41}))
    assert values[0][0].tolist() == [-1.0, -1.0] and values[-1][1] == {"step": 44}


def test_a_builder_whose_only_parameters_have_defaults_takes_no_reference():
    calls = cases.reference_calls("double", lambda shape=(2,): [(np.ones(shape),)], tol=EXACT)
    values = calls.check(framework.InProcessSubmission(_module("s", double=_double)), _module("r", double=_double))
    assert values[0].tolist() == [2.0, 2.0]


def test_a_key_added_to_a_dict_argument_in_place_is_a_modification():
    def adds_a_key(w, state):
        state["t"] = 1              # the caller's dict gains a key: not pure, as framework.check_pure says
        return _double(w)

    calls = cases.reference_calls("f", lambda: [(np.ones(2), {"m": np.zeros(2)})], tol=EXACT, pure=True)
    ref = _module("r", f=lambda w, state: _double(w))
    calls.check(framework.InProcessSubmission(_module("s", f=lambda w, state: _double(w))), ref)
    with pytest.raises(Fail, match="modified its input argument #2 in place"):
        calls.check(framework.InProcessSubmission(_module("s", f=adds_a_key)), ref)
