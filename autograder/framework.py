"""How grading suites are written and run (trusted side).

A suite is a Python file (course/<id>/suites/public.py or hidden.py) with
test cases declared by the `case` decorator:

    @case("l2_gradient: worked example, lam = 0.5", points=1)
    def _(sub):                      # public cases get only the submission
        got = sub.l2_gradient(np.array([1.0, -2.0]), 0.5)
        check_close(got, [0.5, -1.0], rtol=1e-12, mistakes=[
            Mistake("factor 2", [1.0, -2.0], "your gradient is twice ...")])

    @case("l2_gradient: random shapes agree with the reference", points=2)
    def _(sub, ref):                 # hidden cases also get the reference module
        for w in ...:
            compare(sub, ref, "l2_gradient", w, 0.3, rtol=1e-12, mistakes=MISTAKES)

`sub` is a Submission: calling `sub.fn(...)` runs the student's function elsewhere
(a sandboxed worker) and returns decoded plain data. Every comparison happens here,
on values coerced by `as_float_array`. A case passes when its body returns, and
fails with a message (and maybe a hint) when it raises `Fail`.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import inspect
import struct
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable as _Fn, Iterable, Sequence

import numpy as np

from . import diagnose, protocol


# ============================================================================ outcomes of student calls
class StudentProblem(Exception):
    """Student code did not produce a value; subclasses say why. Raised by Submission calls."""
    status = "failed"

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail  # e.g. the student's traceback, already trimmed


class NotImplementedYet(StudentProblem):
    status = "not_implemented"


class StudentRaised(StudentProblem):
    status = "error"


class StudentTimeout(StudentProblem):
    status = "timeout"


class StudentCrashed(StudentProblem):
    status = "crashed"


class StudentImportFailed(StudentProblem):
    status = "import_error"


class BadReturn(StudentProblem):
    status = "failed"


class Submission:
    """Interface: `call(function, *args, **kwargs)` runs one student function.

    Implementations: autograder.sandbox.SandboxedSubmission (grading) and
    InProcessSubmission below (tests of the suites themselves, never for grading).
    `call_with_inputs` also returns the arguments as they were after the call,
    so a suite can assert that inputs were not modified in place.
    """

    def call(self, function: str, *args, **kwargs) -> Any:
        return self.call_with_inputs(function, *args, **kwargs)[0]

    def call_with_inputs(self, function: str, *args, **kwargs) -> tuple[Any, tuple, dict]:
        raise NotImplementedError

    def has_function(self, function: str) -> bool:
        raise NotImplementedError

    def call_many(self, function: str, calls) -> list:
        """`function` called once per entry of `calls`; returns the values in order.

        Each entry is an args tuple, or `call_args(*args, **kwargs)` when there are keywords.
        The sandbox sends them in one message (no round trip per call: use it for Monte
        Carlo loops); errors are those of calling one by one (the first failure raises).
        """
        return [self.call(function, *args, **kwargs) for args, kwargs in map(as_call, calls)]

    def call_each(self, function: str, calls, then: _Fn, *, inputs: bool = False) -> list:
        """[then(result) for each call], exactly as if each call were made and checked in turn.

        `calls` are entries as for call_many; `result` is the call's value, or with inputs=True
        the (value, args_after, kwargs_after) of call_with_inputs. The first call that fails
        raises, and so does the first `then` that raises (a Fail, say): the later calls are
        not made, or (sandbox) their results are thrown away. The sandbox sends all the
        calls in one message, so a loop of many small calls costs one round trip.
        """
        out = []
        for args, kwargs in map(as_call, calls):
            result = self.call_with_inputs(function, *args, **kwargs) if inputs else \
                self.call(function, *args, **kwargs)
            out.append(then(result))
        return out

    def call_chain(self, function: str, calls, feed, then: _Fn, *, keep=()) -> list:
        """Chained calls, each taking some arguments from the value the call before it returned.

        `calls` are entries as for call_many; for every call after the first, and each
        (index, position) in `feed`, the argument at `position` (an int: positional, a str:
        keyword) is replaced by item `index` of the previous call's value, the object the
        student's function returned (a tuple or list), not a copy that crossed back. This is
        an optimizer's loop: `w, state = step(w, g_k, state)` with feed [(0, 0), (1, 2)].
        `then` checks each value in turn as for call_each (first failure raises, later calls
        are not made). With `keep` (item indices), `then` gets only those items of the values of
        all calls but the last, None elsewhere (protocol.kept_items): the rest stays in the
        worker, which saves encoding it. The sandbox runs the whole chain in the worker: one
        round trip.
        """
        feed, keep = protocol.check_feed(feed), protocol.check_keep(keep)
        calls = list(map(as_call, calls))
        out, previous = [], None
        for k, (args, kwargs) in enumerate(calls):
            if k:
                args, kwargs = _fed(function, args, kwargs, feed, previous)
            value = self.call(function, *args, **kwargs)
            out.append(then(protocol.kept_items(value, keep) if k < len(calls) - 1 else value))
            previous = value
        return out

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)


@dataclass(frozen=True)
class _CallArgs:
    args: tuple
    kwargs: dict


def call_args(*args, **kwargs) -> _CallArgs:
    """One entry of Submission.call_many with keyword arguments: call_args(x, p, Rng(1), training=False)."""
    return _CallArgs(args, kwargs)


def _fed(function: str, args, kwargs, feed, previous) -> tuple[tuple, dict]:
    try:
        return protocol.feed_previous(args, kwargs, feed, previous)
    except protocol.ChainError as exc:
        raise BadReturn(f"{function}() {exc}") from None


def as_call(entry) -> tuple[tuple, dict]:
    if isinstance(entry, _CallArgs):
        return entry.args, dict(entry.kwargs)
    if isinstance(entry, tuple):
        return entry, {}
    raise TypeError("call_many entries are argument tuples or call_args(...)")


class InProcessSubmission(Submission):
    """Runs a module in this process, with the same encode/decode round trip as the sandbox.

    Only for the repository's own tests of suites and references: it gives the
    student code full access to this process, so grading never uses it.
    """

    def __init__(self, module):
        self.module = module

    def has_function(self, function: str) -> bool:
        return callable(getattr(self.module, function, None))

    def call_with_inputs(self, function, *args, **kwargs):
        return self._call_live(function, args, kwargs)[1]

    def call_chain(self, function: str, calls, feed, then: _Fn, *, keep=()) -> list:
        # as the sandbox's worker does: the live value returned by one call feeds the next
        feed, keep = protocol.check_feed(feed), protocol.check_keep(keep)
        calls = list(map(as_call, calls))
        out, previous = [], None
        for k, (args, kwargs) in enumerate(calls):
            args = protocol.materialize(protocol.loads(protocol.dumps(args), trusted=True))
            kwargs = protocol.materialize(protocol.loads(protocol.dumps(kwargs), trusted=True))
            if k:
                args, kwargs = _fed(function, args, kwargs, feed, previous)
            previous, result = self._call_live(function, args, kwargs, crossed=True,
                                               keep=keep if k < len(calls) - 1 else None)
            out.append(then(result[0]))
        return out

    def _call_live(self, function, args, kwargs, crossed: bool = False, keep=None):
        """(the value as returned, (value, args_after, kwargs_after) as they cross the boundary)."""
        fn = getattr(self.module, function, None)
        if not callable(fn):
            raise StudentRaised(f"your module has no function {function}()")
        if crossed:   # the arguments already crossed (and were materialized) once
            call_args, call_kwargs = tuple(args), dict(kwargs)
        else:
            call_args = protocol.materialize(protocol.loads(protocol.dumps(args), trusted=True))
            call_kwargs = protocol.materialize(protocol.loads(protocol.dumps(kwargs), trusted=True))
        try:
            value = fn(*call_args, **call_kwargs)
        except NotImplementedError:
            raise NotImplementedYet(f"{function}() is not implemented yet") from None
        except Exception as exc:  # noqa: BLE001 - reported to the student
            raise StudentRaised(f"{function}() raised {type(exc).__name__}: {exc}",
                                traceback.format_exc(limit=-3)) from None
        try:
            sent = protocol.kept_items(value, keep) if keep else value
            wire = protocol.dumps((sent, protocol.strip_live_objects(call_args), protocol.strip_live_objects(call_kwargs)))
        except protocol.ProtocolError as exc:
            raise BadReturn(f"{function}() returned a value that cannot be graded: {exc}") from None
        return value, protocol.loads(wire)


# ============================================================================ declaring cases
@dataclass
class Case:
    name: str                 # "<function>: <what it checks>", stable across reports
    function: str             # the student function this case scores
    points: float
    body: _Fn
    visibility: str = "visible"  # "visible" (public) or "after_published" (hidden)
    pure_calls: str | None = None  # the suite's PURE_CALLS: every call must leave its array inputs unchanged
    suite: str = ""              # the suite folder: whose known mistakes (hidden.py's MISTAKES) explain a failure
    call_timeout: float | None = None  # seconds per student call in this case; None: the sandbox's default

    @functools.cached_property
    def wants_reference(self) -> bool:  # cached: inspect.signature costs ~20 us, asked per case per submission
        return len(inspect.signature(self.body).parameters) >= 2


_collecting: list[Case] | None = None


def case(name: str, points: float = 1.0, call_timeout: float | None = None):
    """Declare a test case. The function it scores is the part of `name` before ':'.

    `call_timeout` (seconds) replaces the sandbox's time limit per student call during this case only,
    for the few cases whose calls do real work (a whole training run); state the budget next to it."""
    if ":" not in name:
        raise ValueError(f"case name {name!r} must look like '<function>: <what it checks>'")
    function = name.split(":", 1)[0].strip()

    def register(body):
        if _collecting is None:
            raise RuntimeError("cases can only be declared while a suite is being loaded")
        _collecting.append(Case(name=name, function=function, points=float(points), body=body,
                                call_timeout=call_timeout))
        return body

    return register


def load_suite(path: Path, visibility: str) -> list[Case]:
    """Import a suite file and return its cases in declaration order."""
    from .course import import_path, suite_module

    global _collecting
    suite = suite_module(path)
    previous, _collecting = _collecting, []
    try:
        module = import_path(Path(path), f"_suite_{suite}_{Path(path).stem}")
        cases = _collecting
    finally:
        _collecting = previous
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"{path}: duplicate case names {sorted(duplicates)}")
    for c in cases:
        c.visibility = visibility
        c.pure_calls = getattr(module, "PURE_CALLS", None)
        c.suite = suite
    known = getattr(module, "MISTAKES", None)
    if isinstance(known, dict):   # the function's mistake models, for explaining any failed check of it
        _known_mistakes.setdefault(suite, {}).update(known)
    return cases


# suite folder -> function -> [Mistake with a model], as the hidden suites define them in MISTAKES
_known_mistakes: dict[str, dict[str, list]] = {}


# ============================================================================ checks
class Fail(AssertionError):
    """A failed check: `message` says what is wrong, `hint` what mistake it looks like.

    A failed check_close leaves the hint to the framework: `mismatch` keeps what it saw, and once
    the case is over, diagnose.explain names a mistake only on evidence or says what the numbers show.
    """

    def __init__(self, message: str, hint: str | None = None, mismatch: "diagnose.Mismatch | None" = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.mismatch = mismatch


@dataclass
class Mistake:
    """A known wrong answer: `value` is what that mistake would return here.

    `value` may be a number/array, or a callable taking the call's arguments
    (a mistake model, used with `compare`). `hint` speaks to the student.
    """
    name: str
    value: Any
    hint: str


def expect(condition: bool, message: str, hint: str | None = None) -> None:
    if not condition:
        raise Fail(message, hint)


def as_float_array(value: Any, what: str = "result") -> np.ndarray:
    """Coerce a returned value to a float64 array, or Fail saying why it cannot be."""
    if value is None:
        raise Fail(f"{what} is None: did you forget to `return` it?")
    if isinstance(value, str):
        raise Fail(f"{what} is a string ({value[:40]!r}), expected numbers")
    if isinstance(value, dict):
        raise Fail(f"{what} is a dict, expected numbers")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise Fail(f"{what} holds an integer too large for a float (beyond about 1.8e308)") from None
    except (TypeError, ValueError) as exc:
        raise Fail(f"{what} cannot be read as an array of numbers ({exc})") from None
    return arr


def identical(got: Any, expected: Any) -> bool:
    """Exactly the expected value (same types, array dtypes, shapes and bits): then it is within any
    tolerance, so a suite may pass it without check_close, the cheap common case. Anything else
    (including a merely close value) returns False and goes through check_close."""
    kind = type(expected)
    if type(got) is not kind:
        return False
    if kind is np.ndarray:
        return (got.dtype == expected.dtype and got.shape == expected.shape
                and got.tobytes() == expected.tobytes())
    if kind is float or kind is int:
        return got == expected
    if kind is tuple:
        return len(got) == len(expected) and all(identical(g, e) for g, e in zip(got, expected))
    return False


def read_only(value: Any) -> Any:
    """`value` with every array in it (through tuples, lists and dicts) made read-only, for inputs and
    reference values built once per process and shared by every submission: the protocol only reads
    them, and a stray write in a suite raises instead of corrupting them."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (tuple, list)):
        for v in value:
            read_only(v)
    elif isinstance(value, dict):
        for v in value.values():
            read_only(v)
    return value


def within(value: Any, target: Any, tol: float) -> bool:
    """|value - target| <= tol everywhere, with every value finite: NaN and infinity never meet a
    tolerance (a hand-written `abs(x - target) > tol` lets NaN through, since NaN > tol is False)."""
    with np.errstate(all="ignore"):
        v = np.asarray(value, dtype=np.float64)
        return bool(np.all(np.isfinite(v)) and np.all(np.abs(v - np.asarray(target, dtype=np.float64)) <= tol))


def check_within(value: Any, target: Any, tol: float, message: str, hint: str | None = None) -> None:
    """Fail with `message` (and `hint`) unless within(value, target, tol); a non-finite value fails
    with its own message, whatever the hint (a NaN statistic is not a close miss)."""
    v = as_float_array(value, "statistic")
    if not np.all(np.isfinite(v)):
        raise Fail(f"{message} (the value is NaN or infinite)")
    if not within(v, target, tol):
        raise Fail(message, hint)


def _close(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float, *, finite: bool = True) -> bool:
    """Within tolerance; with `finite` (a grade), a NaN or infinite value never is. Matching a
    wrong answer for its hint (finite=False) may compare NaN with NaN."""
    if got.shape != expected.shape:
        return False
    if finite and not bool(np.all(np.isfinite(got))):
        return False
    # Fast path, the common case: every |got - expected| <= atol + rtol*|expected| with a finite
    # expected value. np.isclose's result is then all True too (its first term is exactly this),
    # so only the other cases (infinities, NaN, a mismatch) pay for the full np.isclose.
    with np.errstate(all="ignore"):
        if bool(np.all(np.abs(got - expected) <= atol + rtol * np.abs(expected))) \
                and bool(np.all(np.isfinite(expected))):
            return True
    return bool(np.all(np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)))


def _same_shape(got: np.ndarray, expected: np.ndarray) -> np.ndarray | None:
    """Scalars may come back as 0-d or size-1 arrays; anything else must match exactly."""
    if got.shape == expected.shape:
        return got
    if expected.ndim == 0 and got.size == 1:
        return got.reshape(())
    return None


def check_close(got: Any, expected: Any, *, rtol: float, atol: float = 0.0, what: str = "result",
                mistakes: Iterable[Mistake] = (), args: Sequence = (), kwargs: dict | None = None,
                replay: _Fn | None = None) -> None:
    """Fail unless `got` equals `expected` within |got - expected| <= atol + rtol*|expected|.

    `replay(target, *args, **kwargs)`, for a value that is not one call's result (a backward through the
    student's own forward): recomputes it from the models' arguments, with target.call(function, ...) the
    student's code or the reference, so the framework can try the models on other inputs too.

    On a mismatch the hint is left to the framework (diagnose.explain, once the case is over): a
    Mistake is named only when its model follows the student's results on inputs that tell the
    function's mistakes apart; otherwise what the numbers show (a factor, a sign, NaN...), if anything.
    """
    exp = as_float_array(expected, "expected value")
    g = as_float_array(got, what)
    shaped = _same_shape(g, exp)
    mismatch = diagnose.Mismatch(g, got, exp, rtol, atol, list(mistakes or ()),
                                 None if args is None else tuple(args), dict(kwargs or {}), replay)
    if shaped is None:
        raise Fail(f"{what} has shape {g.shape}, expected {exp.shape}", None, mismatch)
    g = mismatch.got = shaped
    if _close(g, exp, rtol, atol):
        return
    if not np.all(np.isfinite(g)) and np.all(np.isfinite(exp)):
        raise Fail(f"{what} contains NaN or infinity where the answer is finite", None, mismatch)
    with np.errstate(all="ignore"):
        err = np.abs(g - exp)
        err = np.where(np.isnan(err), np.inf, err)
    i = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    where = f" at index {tuple(int(k) for k in i)}" if err.ndim else ""
    raise Fail(f"{what} differs{where}: got {_fmt(g[i], exp[i])}, expected {_fmt(exp[i], g[i])}, "
               f"a difference of {float(err[i]):.3g} (tolerance atol={atol:g}, rtol={rtol:g})", None, mismatch)


def _fmt(x, other) -> str:
    """x with the significant digits that tell it from `other` (never "got 0.5, expected 0.5")."""
    return diagnose.significant(x, other)


def compare(sub: Submission, ref, function: str, *args, rtol: float, atol: float = 0.0,
            mistakes: Iterable[Mistake] = (), part: int | None = None, what: str | None = None,
            **kwargs) -> Any:
    """Call `function` on the student and on the reference with the same arguments and compare.

    `part` picks one element of a tuple result (e.g. 0 for dropout's output).
    Mistake values that are callables are evaluated on the same arguments (with
    markers such as Rng rebuilt fresh), and `part` is applied to them too.
    Returns the student's value.
    """
    got = sub.call(function, *args, **kwargs)
    return _compare_result(got, ref, function, args, kwargs, rtol, atol, mistakes, part, what)


def compare_many(sub: Submission, ref, function: str, calls, *, rtol: float, atol: float = 0.0,
                 mistakes: Iterable[Mistake] = (), part: int | None = None, what=None) -> list:
    """`compare(sub, ref, function, *args, **kwargs, ...)` for each entry of `calls`, in order.

    Entries are as for Submission.call_many (argument tuples or call_args(...)); `what` is one
    label, or a list with one label per call. Same checks, same order, same first failure as
    the loop of compare calls, but the student's calls travel in one message (call_each).
    Returns the student's values.
    """
    calls = [as_call(c) for c in calls]
    labels = list(what) if isinstance(what, (list, tuple)) else [what] * len(calls)
    mistakes = list(mistakes)
    position = iter(range(len(calls)))

    def check(got):
        i = next(position)
        args, kwargs = calls[i]
        return _compare_result(got, ref, function, args, kwargs, rtol, atol, mistakes, part, labels[i])

    return sub.call_each(function, [_CallArgs(a, k) for a, k in calls], check)


def compare_result(got, ref, function: str, args: tuple, kwargs: dict, *, rtol: float, atol: float = 0.0,
                   mistakes: Iterable[Mistake] = (), part: int | None = None, what: str | None = None) -> Any:
    """The checks of `compare` on a value the student already returned for function(*args, **kwargs)."""
    return _compare_result(got, ref, function, args, kwargs, rtol, atol, list(mistakes), part, what)


def _compare_result(got, ref, function, args, kwargs, rtol, atol, mistakes, part, what):
    expected = getattr(ref, function)(*args, **kwargs) if isinstance(ref, CachedReference) \
        else getattr(ref, function)(*protocol.materialize(args), **protocol.materialize(kwargs))
    label = what or f"{function}(...)" + (f"[{part}]" if part is not None else "")
    if part is not None:
        expected = expected[part]
        got = _pick(got, part, label)
        mistakes = [Mistake(m.name, _part_of(m.value, part), m.hint) for m in mistakes]
    fresh = [Mistake(m.name, _fresh(m.value), m.hint) for m in mistakes]
    check_close(got, expected, rtol=rtol, atol=atol, what=label, mistakes=fresh, args=args, kwargs=kwargs)
    return got


def _fresh(model):
    if not callable(model):
        return model
    return lambda *a, **k: model(*protocol.materialize(a), **protocol.materialize(k))


def _part_of(model, part):
    if not callable(model):
        return model
    return lambda *a, **k: model(*a, **k)[part]


def _pick(value, part, label):
    if not isinstance(value, (tuple, list)) or len(value) <= part:
        raise Fail(f"{label}: expected a tuple with at least {part + 1} elements, got {type(value).__name__}")
    return value[part]


# ============================================================================ behavioural checks
def unchanged(before: Any, after: Any, what: str, hint: str | None = None) -> None:
    """Fail (with `hint`) if an argument came back changed: arrays bit for bit (NaN equal to NaN),
    through dicts, tuples and lists; other values (numbers, Rng markers) are not checked."""
    if isinstance(before, dict):
        expect(isinstance(after, dict) and set(after) == set(before), f"{what} was changed", hint)
        for key in before:
            unchanged(before[key], after[key], f"{what}[{key!r}]", hint)
    elif isinstance(before, (tuple, list)):
        expect(isinstance(after, (tuple, list)) and len(after) == len(before), f"{what} was changed", hint)
        for i, (b, a) in enumerate(zip(before, after)):
            unchanged(b, a, f"{what}[{i}]", hint)
    elif isinstance(before, np.ndarray):
        same = identical(after, before) or np.array_equal(before.astype(np.float64), as_float_array(after, what),
                                                           equal_nan=True)
        expect(same, f"{what} was modified by the call", hint)


def check_pure(sub: Submission, function: str, args: tuple, kwargs: dict, names: Sequence[str],
               value_check: _Fn, hint: str | None = None) -> Any:
    """The call does not modify its inputs, a check that counts only when the call's value is right.

    One call through `call_with_inputs`; `value_check(got)` first checks the value on these very
    inputs (against the reference, or for internal consistency) and raises Fail if it is wrong,
    so a function that returns nothing or garbage never earns a purity point; then each argument
    (named by `names`, positional then keyword) must be unchanged. Returns the value.
    """
    got, args_after, kwargs_after = sub.call_with_inputs(function, *args, **kwargs)
    value_check(got)
    for name, before, after in zip(names, args, args_after):
        unchanged(before, after, f"{function}: the argument {name}", hint)
    for key, before in kwargs.items():
        unchanged(before, kwargs_after[key], f"{function}: the argument {key}", hint)
    return got


class PureCalls(Submission):
    """A submission whose every call must leave its array arguments unchanged, else Fail with `hint`.

    For suites of modules whose contract says that no function modifies its inputs: the suite sets
    PURE_CALLS = "<hint>" and each of its cases runs on PureCalls(sub), so every call of every case
    is also a purity check (a case then passes only when its values are right and its inputs kept).
    The arguments come back with each reply (call_with_inputs): meant for small, public inputs.
    """

    def __init__(self, sub: Submission, hint: str):
        self._sub, self._hint = sub, hint

    def has_function(self, function: str) -> bool:
        return self._sub.has_function(function)

    def call_with_inputs(self, function, *args, **kwargs):
        result = self._sub.call_with_inputs(function, *args, **kwargs)
        self._kept(function, args, kwargs, result)
        return result

    def call_each(self, function: str, calls, then: _Fn, *, inputs: bool = False) -> list:
        calls = [as_call(c) for c in calls]
        position = iter(calls)

        def check(result):
            args, kwargs = next(position)
            self._kept(function, args, kwargs, result)
            return then(result if inputs else result[0])

        return self._sub.call_each(function, [_CallArgs(a, k) for a, k in calls], check, inputs=True)

    def call_chain(self, function: str, calls, feed, then: _Fn, *, keep=()) -> list:
        return self._sub.call_chain(function, calls, feed, then, keep=keep)   # values fed on are the student's own

    def _kept(self, function, args, kwargs, result) -> None:
        _, args_after, kwargs_after = result
        for i, (before, after) in enumerate(zip(args, args_after)):
            unchanged(before, after, f"input argument #{i + 1} of {function}()", self._hint)
        for key, before in kwargs.items():
            unchanged(before, kwargs_after.get(key), f"the argument {key} of {function}()", self._hint)


def reference_value(ref, function: str, args: tuple, kwargs: dict | None = None, **checks) -> _Fn:
    """A value_check for check_pure: compare_result against the reference on the same arguments."""
    return lambda got: compare_result(got, ref, function, args, kwargs or {}, **checks)


# ============================================================================ one mistake, one function
def passes_either(first: _Fn, *alternatives: _Fn) -> None:
    """Pass when any of the checks passes: each is a callable of no arguments that raises Fail (or a
    StudentProblem) when it fails. If all fail, the first one's failure is raised.

    For a function graded through another student function (a backward pass fed the cache of the
    student's own forward): `first` is that chain, an alternative feeds the same function an
    equivalent input the suite builds (the reference forward's cache), so a mistake in the forward
    costs the forward only. A function that is not implemented yet fails at once.
    """
    try:
        first()
        return
    except NotImplementedYet:
        raise
    except (Fail, StudentProblem) as failure:
        first_failure = failure
    for alternative in alternatives:
        try:
            alternative()
            return
        except (Fail, StudentProblem):
            continue
    raise first_failure


# ============================================================================ running
class CachedReference:
    """The reference module, each result computed once per grader process.

    The reference is deterministic and every submission is graded on the same
    inputs, so recomputing (say) a converged FISTA optimum for each student is
    wasted work. Calls whose arguments cannot be encoded (a live Generator, a
    lambda) are not cached. Rng/Callable markers are rebuilt fresh for each call.
    Results are deep-copied out, so a suite cannot corrupt the cache, and the cache
    stops growing at MAX_BYTES (later results are computed each time).
    """

    MAX_BYTES = 256 << 20

    def __init__(self, module):
        self._module = module
        self._results: dict[bytes, Any] = {}
        self._bytes = 0

    def __getattr__(self, name: str):
        attr = getattr(self._module, name)
        if name.startswith("_") or not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                key = cache_key((name, args, kwargs))
            except protocol.ProtocolError:
                return attr(*protocol.materialize(args), **protocol.materialize(kwargs))
            if key in self._results:
                return _copy_out(self._results[key])
            value = attr(*protocol.materialize(args), **protocol.materialize(kwargs))
            size = 64 + sum(getattr(v, "nbytes", 64) for v in (value if isinstance(value, tuple) else (value,)))
            if self._bytes + size <= self.MAX_BYTES:
                self._results[key] = copy.deepcopy(value)
                self._bytes += size
            return value

        return call


def _copy_out(value):
    """copy.deepcopy(value), with fast paths for the plain data references return."""
    kind = type(value)
    if kind is np.ndarray and value.dtype.kind in "biuf":
        return value.copy()
    if kind in (float, int, bool, str, type(None)):
        return value
    if kind is tuple:
        return tuple([_copy_out(v) for v in value])
    return copy.deepcopy(value)


_KEY_ATOMS = {type(None): b"N", bool: b"B", int: b"I", str: b"S"}


def cache_key(value) -> bytes:
    """A digest of a call's (name, args, kwargs), equal only for values protocol.dumps encodes alike.

    At least as fine as sha256(protocol.dumps(value)), the key it replaces (types are part of
    the key, floats are keyed by their bits), and built without JSON. Raises
    protocol.ProtocolError where dumps would (and for a few values dumps accepts, such as
    non-native byte orders): such calls are then simply not cached.
    """
    parts: list = []
    _key_parts(value, parts, 0)
    return hashlib.sha256(b"".join(parts)).digest()


_F64 = struct.Struct("<d")
_LEN = struct.Struct("<q")


def _key_parts(value, parts: list, depth: int) -> None:
    if depth > protocol.MAX_DEPTH:
        raise protocol.ProtocolError("value is nested too deeply")
    kind = type(value)
    tag = _KEY_ATOMS.get(kind)
    if tag is not None:
        text = str(value).encode("utf-8", "surrogatepass")
        parts += [tag, _LEN.pack(len(text)), text]
    elif kind is float:
        parts += [b"F", _F64.pack(value)]
    elif kind is tuple or kind is list:
        parts += [b"T" if kind is tuple else b"L", _LEN.pack(len(value))]
        for v in value:
            _key_parts(v, parts, depth + 1)
    elif kind is dict:
        parts += [b"D", _LEN.pack(len(value))]
        for k, v in value.items():
            if type(k) is not str:
                raise protocol.ProtocolError("dict key is not a plain string")
            _key_parts(k, parts, depth + 1)
            _key_parts(v, parts, depth + 1)
    elif kind is np.ndarray:
        name = protocol._DTYPE_NAMES.get(value.dtype)
        if name is None:
            raise protocol.ProtocolError(f"unsupported array dtype {value.dtype.name}")
        data = np.ascontiguousarray(value).tobytes()
        header = f"{name}{value.shape}".encode()
        parts += [b"A", _LEN.pack(len(header)), header, _LEN.pack(len(data)), data]
    elif kind is protocol.Rng:
        parts += [b"R"]
        _key_parts(int(value.seed), parts, depth + 1)
    elif kind is protocol.Callable:
        parts += [b"C"]
        _key_parts(value.name, parts, depth + 1)
        _key_parts(list(value.params), parts, depth + 1)
    else:
        # numpy scalars, subclasses...: whatever protocol.dumps makes of them, tagged with the type
        encoded = protocol.dumps(value)
        name = f"{kind.__module__}.{kind.__qualname__}".encode()
        parts += [b"X", _LEN.pack(len(name)), name, _LEN.pack(len(encoded)), encoded]


_reference_caches: dict[int, CachedReference] = {}


def cached_reference(module):
    """The process-wide CachedReference of a reference module (None stays None)."""
    if module is None or isinstance(module, CachedReference):
        return module
    if id(module) not in _reference_caches:
        _reference_caches[id(module)] = CachedReference(module)
    return _reference_caches[id(module)]


@dataclass
class CaseResult:
    name: str
    function: str
    score: float
    max_score: float
    status: str          # passed | failed | error | not_implemented | timeout | crashed | import_error
    output: str = ""
    hint: str | None = None
    visibility: str = "visible"

    def points_confirmed(self, share: float) -> float:
        """This passed case's points times `share`, rounded to 1/100 of a point (reports print %g)."""
        return round(self.max_score * share, 2)

    def to_dict(self) -> dict:
        return dict(vars(self))   # the fields are plain values: dataclasses.asdict's deep copy is not needed


def run_case(c: Case, sub: Submission, ref=None) -> CaseResult:
    """Run one case; everything that can go wrong becomes a result, never an exception."""
    result, unexplained = _run_case(c, sub, ref)
    if unexplained is not None:
        _explain(result, *unexplained, sub, ref)
    return result


def _run_case(c: Case, sub: Submission, ref=None, log: list | None = None):
    """(the case's result, what its hint needs if a failed check left it to the framework, else None)."""
    def result(status, output="", hint=None, score=0.0):
        return CaseResult(c.name, c.function, score, c.points, status, output, hint, c.visibility)

    inner = sub                                   # the sandbox: it reads call_timeout at each call
    default_timeout = getattr(inner, "call_timeout", None)
    if c.pure_calls:
        sub = PureCalls(sub, c.pure_calls)
    recorder = _Recorder(sub, log)
    try:
        if c.call_timeout is not None and default_timeout is not None:
            inner.call_timeout = c.call_timeout
        if c.wants_reference:
            if ref is None:
                raise RuntimeError(f"case {c.name!r} needs the reference solution, which is not available")
            c.body(recorder, ref)
        else:
            c.body(recorder)
    except Fail as f:
        mismatch = _mismatch_of(f)
        failed = result("failed", f.message, f.hint)
        return failed, (None if mismatch is None else (c, mismatch, recorder.calls, f.hint))
    except NotImplementedYet:
        return result("not_implemented", f"{c.function}() is not implemented yet"), None
    except StudentProblem as p:
        return result(p.status, p.message + (f"\n{p.detail}" if p.detail else "")), None
    except Exception as exc:  # noqa: BLE001
        # The case body itself choked on what the student returned (or is buggy):
        # the student loses this case, and the message says it was not a clean check.
        return result("failed", f"could not check the result: {type(exc).__name__}: {exc}"), None
    finally:
        if default_timeout is not None:
            inner.call_timeout = default_timeout
    return result("passed", score=c.points), None


def run_cases(cases: Sequence[Case], sub: Submission, ref=None) -> list[CaseResult]:
    """Run the cases in order; the hints of failed checks are worked out after the last case, so the
    extra calls they may make (diagnose.explain) can never change a score (a time limit they hit
    comes after every case was graded)."""
    ref = cached_reference(ref)
    everything: list = []        # every call of every case: evidence at other shapes, for free
    ran = [_run_case(c, sub, ref, everything) for c in cases]
    for result, unexplained in ran:
        if unexplained is not None:
            _explain(result, *unexplained, sub, ref, everything)
    return confirm_public_points([result for result, _ in ran])


def _mismatch_of(f: Fail) -> "diagnose.Mismatch | None":
    """The mismatch behind a Fail: its own, or that of a failed check_close a suite caught and
    re-raised with a message or hint of its own (`raise Fail(...) from None` keeps it as __context__)."""
    seen = 0
    exc: BaseException | None = f
    while exc is not None and seen < 8:
        if isinstance(exc, Fail) and exc.mismatch is not None:
            return exc.mismatch
        exc, seen = exc.__context__, seen + 1
    return None


def _explain(result: CaseResult, c: Case, mismatch, calls, suite_hint, sub, ref, elsewhere=None) -> None:
    """The hint of a failed check: a mistake named on evidence first, then the case's own hint (a
    suite that caught the failure may add one), then what the numbers show."""
    try:
        named = diagnose.explain(mismatch, calls, sub, ref, _known_mistakes.get(c.suite, {}),
                                 calls if elsewhere is None else elsewhere)
    except Exception:  # noqa: BLE001 - a hint is a courtesy: it never costs a grade
        named = None
    if suite_hint and (named is None or diagnose.is_generic(named)):
        result.hint = suite_hint
    else:
        result.hint = named


class _Recorder(Submission):
    """The case's view of the submission: the same calls, remembered (function, arguments, value) so
    that a failed check can be traced back to the call that produced the value it checked."""

    def __init__(self, inner: Submission, log: list | None = None):
        self._inner = inner
        self.calls: list[diagnose.Call] = []
        self._log = log

    def _record(self, call: "diagnose.Call") -> None:
        self.calls.append(call)
        if self._log is not None:
            self._log.append(call)

    def has_function(self, function: str) -> bool:
        return self._inner.has_function(function)

    def call(self, function: str, *args, **kwargs):
        value = self._inner.call(function, *args, **kwargs)
        self._record(diagnose.Call(function, args, kwargs, value))
        return value

    def call_with_inputs(self, function: str, *args, **kwargs):
        out = self._inner.call_with_inputs(function, *args, **kwargs)
        self._record(diagnose.Call(function, args, kwargs, out[0]))
        return out

    def call_many(self, function: str, calls) -> list:
        calls = [as_call(c) for c in calls]
        values = self._inner.call_many(function, [_CallArgs(a, k) for a, k in calls])
        for (a, k), v in zip(calls, values):
            self._record(diagnose.Call(function, a, k, v))
        return values

    def call_each(self, function: str, calls, then: _Fn, *, inputs: bool = False) -> list:
        calls = [as_call(c) for c in calls]
        position = iter(calls)

        def recorded(result):
            args, kwargs = next(position)
            self._record(diagnose.Call(function, args, kwargs, result[0] if inputs else result))
            return then(result)

        return self._inner.call_each(function, [_CallArgs(a, k) for a, k in calls], recorded, inputs=inputs)

    def call_chain(self, function: str, calls, feed, then: _Fn, *, keep=()) -> list:
        # the arguments of a chained call are the previous call's live value: nothing to replay
        return self._inner.call_chain(function, calls, feed, then, keep=keep)


# ============================================================================ scoring rule
PUBLIC, HIDDEN = "visible", "after_published"


def confirm_public_points(results: list[CaseResult]) -> list[CaseResult]:
    """Public cases are worth points only as far as the hidden cases confirm them.

    The public cases' inputs and expected values are shipped, so passing them proves nothing by
    itself (a table of the answers passes them). When hidden cases are graded, each passed public
    case of a function earns its points times the share of that function's hidden points earned:
    all of them when every hidden case passes, none when none does. A run without hidden cases
    (the student's local check) is left as it is: there the public score is the prediction.
    Every function of a suite has hidden cases (tests/test_scoring_rules.py); one without any
    would keep its public points unconfirmed.
    """
    hidden: dict[str, list[float]] = {}
    for r in results:
        if r.visibility == HIDDEN:
            earned = hidden.setdefault(r.function, [0.0, 0.0])
            earned[0] += r.score
            earned[1] += r.max_score
    if not hidden:
        return results
    for r in results:
        if r.visibility != PUBLIC or r.score == 0:
            continue
        score, max_score = hidden.get(r.function, (1.0, 1.0))
        share = score / max_score if max_score else 1.0
        if share < 1.0:
            r.score = r.points_confirmed(share)
            r.output = (f"passed, but counts {share:.0%} of its points: the hidden tests of "
                        f"{r.function}() earned {share:.0%} of theirs, and a public test counts only "
                        f"as far as they confirm it" + (f"\n{r.output}" if r.output else ""))
    return results


def suite_paths(module: str, *, hidden: bool, root: Path | None = None) -> list[Path]:
    """The suite files of an assignment (course/<id>/suites/): public.py, plus hidden.py when asked and present."""
    from .course import by_module

    assignment = by_module(module)
    if assignment is None:
        return []
    base = assignment.suites_dir(root)
    paths = [base / "public.py"]
    if hidden and (base / "hidden.py").exists():
        paths.append(base / "hidden.py")
    return [p for p in paths if p.exists()]


def load_cases(module: str, *, hidden: bool) -> list[Case]:
    cases: list[Case] = []
    for path in suite_paths(module, hidden=hidden):
        cases += load_suite(path, "visible" if path.stem == "public" else "after_published")
    return cases
