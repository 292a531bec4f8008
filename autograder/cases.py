"""Declarative cases: say what to check; the engine does the batching, the caching and the purity checks.

A suite declares most of its cases in one statement each:

    ELEMENT = Tol(1e-12, 1e-12, why="closed forms: correct formulas differ by a few ulps; a mistake by a factor")

    def _random_weights():                     # zero arguments; runs once per process
        rng = np.random.default_rng(7)
        return [(rng.normal(size=shape), 0.5) for shape in [(), (3,), (2, 4)]]

    reference_case("l2_gradient: random weights match the reference", "l2_gradient", _random_weights,
                   tol=ELEMENT, points=3, pure=True, mistakes=MISTAKES["l2_gradient"])

    fixed_case("l2_gradient: w = [1, -2], lam = 0.5", "l2_gradient",
               [(([1.0, -2.0], 0.5), [0.5, -1.0])], tol=ELEMENT)

What the engine does, so that a case never has to:
  - `inputs` (a zero-argument builder) runs once per process; its arrays are made read-only (recursively:
    framework.read_only), so they stay what the reference answered and serve as the "before" of the purity
    check. The reference's answers on them are computed once per process and reference module too.
  - the student's calls of one case travel in one message (Submission.call_each), and are checked in
    order, exactly as a loop of calls and checks would be: the first failure ends the case.
  - each value is compared with check_close (NaN and infinity never pass); a failed comparison leaves its
    hint to diagnose.explain once every case has run, which names a mistake of `mistakes` only on evidence.
  - pure=True (or the hint to give) asks for every argument to come back unchanged; as with
    framework.check_pure, purity counts only once the value on those very inputs is right.

An entry of `inputs` (or of `calls_and_expected`) is an argument tuple, framework.call_args(...) for keyword
arguments, or `entry(call, ...)` to give that one call its own label, tolerance, mistakes or check.
For cases these do not fit (properties, Monte Carlo bounds, chains of calls), write a body with
framework.case; `reference_calls`/`fixed_calls` give such a body the same engine (see CaseCalls.check).
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import framework, protocol
from .framework import Fail, Mistake, StudentProblem, StudentRaised

__all__ = ["Tol", "entry", "reference_case", "fixed_case", "reference_calls", "fixed_calls", "CaseCalls", "once",
           "chain_calls", "ChainCalls"]


# ============================================================================ tolerances
@dataclass(frozen=True)
class Tol:
    """A tolerance |got - expected| <= atol + rtol*|expected|, with the reason it is what it is.

    `why` is required: a tolerance's justification lives with it (what rounding a correct answer may
    show, and how far the smallest mistake is). A Tol unpacks like a dict: check_close(got, x, **tol).
    """
    rtol: float
    atol: float = 0.0
    why: str = field(default="", kw_only=True)

    def __post_init__(self):
        if not self.why or not self.why.strip():
            raise ValueError("Tol(...) needs why=: the reason for this tolerance")
        if not (self.rtol >= 0 and self.atol >= 0):
            raise ValueError(f"Tol(rtol={self.rtol}, atol={self.atol}): tolerances are numbers >= 0")

    def keys(self):
        return ("rtol", "atol")

    def __getitem__(self, key: str) -> float:
        if key not in ("rtol", "atol"):
            raise KeyError(key)
        return getattr(self, key)


# ============================================================================ fixed inputs of a case body
def once(builder: Callable) -> Callable:
    """`builder(*args, **kwargs)` computed at its first call with those arguments in a process, its arrays made
    read-only (framework.read_only), and the same object returned at every later call: the fixed inputs of a
    case body written by hand (a property, a Monte Carlo bound), built once and shared by every submission.
    The arguments must be hashable; a reference module may be one (its answers on fixed inputs)."""
    built: dict = {}

    @functools.wraps(builder)
    def shared(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in built:
            built[key] = framework.read_only(builder(*args, **kwargs))
        return built[key]

    return shared


# ============================================================================ entries
_UNSET = object()


@dataclass(frozen=True)
class Entry:
    """One call of a case with what is particular to it (see `entry`)."""
    call: Any
    expected: Any = _UNSET
    what: str | None = None
    tol: Tol | None = None
    mistakes: Sequence[Mistake] | None = None
    check: Callable[[Any], Any] | None = None
    raises: type | None = None


def entry(call, *, expected=_UNSET, what: str | None = None, tol: Tol | None = None,
          mistakes: Sequence[Mistake] | None = None, check: Callable[[Any], Any] | None = None,
          raises: type | None = None) -> Entry:
    """One call of a case with its own settings, each replacing the case's for this call only:

    `call` an argument tuple or framework.call_args(...); `expected` the hand-worked value (fixed cases;
    a reference case computes it); `what` the label of the value in messages; `tol`; `mistakes`;
    `check(got)` a check of the value made instead of the comparison (it raises Fail; a property such
    as "rows sum to 1" on a call that travels with the others), or `check(got, compare)` a check around
    it, where compare(got) makes the usual comparison (a check of its own first, say); `raises` an exception type the
    contract says this call raises (a reference case checks that the reference does): the student's
    call must raise that type too."""
    return Entry(call, expected, what, tol, mistakes, check, raises)


@dataclass(frozen=True)
class _Raises:
    """The expected outcome of a call on which the reference raised: the student must raise the same type."""
    type_name: str
    message: str


@dataclass(frozen=True)
class _Prepared:
    args: tuple
    kwargs: dict
    expected: Any        # the value to compare with (the part, for part=), a _Raises, or None with `check`
    what: str
    tol: Tol
    mistakes: tuple
    check: Callable[[Any], Any] | None
    check_wraps: bool        # check(got, compare) rather than check(got)


# ============================================================================ the engine
class CaseCalls:
    """The calls of one case and how each is checked; `check(sub, ref)` runs them (see the module docstring).

    Built by reference_calls / fixed_calls (or reference_case / fixed_case, which also register the case).
    The inputs are built at the first check in a process, the reference's answers at the first check with
    each reference module; both are kept for every later submission.
    """

    def __init__(self, function: str, source, *, tol: Tol | None, from_reference: bool, pure: bool | str = False,
                 mistakes: Sequence[Mistake] = (), shape: bool = True, dtype: str | None = None,
                 part: int | None = None, what=None, on_raise: Callable | None = None):
        if tol is not None and not isinstance(tol, Tol):
            raise TypeError(f"{function}: tol must be a Tol(rtol, atol, why=...)")
        if dtype is not None and (not isinstance(dtype, str) or not set(dtype) <= set("biufc")):
            raise ValueError(f"{function}: dtype is a string of NumPy dtype kinds such as 'f' or 'iuf'")
        self.function = function
        self.tol = tol
        self.from_reference = from_reference
        self.pure = pure
        self.mistakes = tuple(mistakes)
        self.shape = shape
        self.dtype = dtype
        self.part = part
        self.what = what
        self.on_raise = on_raise
        self._source = source
        self._entries: dict[int, tuple[Any, list]] = {}   # built once per process (and reference, see entries)
        self._answers: dict[int, tuple[Any, list[_Prepared]]] = {}       # id(reference module) -> (module, ...)

    # ---------------------------------------------------------------- preparation, once per process
    def entries(self, ref=None) -> list[tuple[tuple, dict, Entry]]:
        """(args, kwargs, entry) of every call, built on first use and made read-only. A builder that takes
        one argument gets the reference module (inputs made by the reference, such as its smoothed labels)
        and is run once per reference module."""
        module = _module_of(ref) if self._wants_reference() else None
        hit = self._entries.get(id(module))
        if hit is not None and hit[0] is module:
            return hit[1]
        if callable(self._source):
            source = self._source(module) if module is not None else self._source()
        else:
            source = self._source
        built = []
        for item in source:
            if self.from_reference:
                e = item if isinstance(item, Entry) else Entry(item)
            else:
                e = item if isinstance(item, Entry) else _fixed_pair(self.function, item)
                if e.expected is _UNSET and e.check is None and e.raises is None:
                    raise ValueError(f"{self.function}: a fixed case's call needs its expected value")
            args, kwargs = framework.as_call(e.call)
            framework.read_only(args)
            framework.read_only(kwargs)
            built.append((args, kwargs, e))
        self._entries[id(module)] = (module, built)
        return built

    def _wants_reference(self) -> bool:
        if not callable(self._source):
            return False
        try:
            required = [p for p in inspect.signature(self._source).parameters.values()
                        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            return len(required) == 1
        except (TypeError, ValueError):
            return False

    def prepared(self, ref) -> list[_Prepared]:
        """Every call with its expected value, label, tolerance and mistakes (the reference's answers computed
        on first use with this reference module)."""
        module = _module_of(ref)
        hit = self._answers.get(id(module))
        if hit is not None and hit[0] is module:
            return hit[1]
        if self.from_reference and module is None:
            raise RuntimeError(f"{self.function}: a reference case needs the reference solution")
        prepared = [self._prepare(k, args, kwargs, e, module)
                    for k, (args, kwargs, e) in enumerate(self.entries(module))]
        self._answers[id(module)] = (module, prepared)
        return prepared

    def _prepare(self, k, args, kwargs, e: Entry, module) -> _Prepared:
        what = e.what or self._label(args, kwargs)
        mistakes = tuple(self.mistakes if e.mistakes is None else e.mistakes)
        if e.raises is not None:
            expected = self._reference_raises(module, args, kwargs, e.raises, what)
        elif e.check is not None and not _wraps_comparison(e.check):
            expected = None
        elif e.expected is not _UNSET:
            expected = framework.read_only(e.expected)
        elif not self.from_reference:
            raise ValueError(f"{self.function}: call #{k + 1} ({what}) of a fixed case is compared: give its expected")
        else:
            expected = self._reference_value(module, args, kwargs, what)
        compared = e.check is None or _wraps_comparison(e.check)
        if self.part is not None and not isinstance(expected, _Raises) and compared:
            if self.from_reference and e.expected is _UNSET:
                expected = expected[self.part]
            mistakes = tuple(Mistake(m.name, framework._part_of(m.value, self.part), m.hint) for m in mistakes)
        mistakes = tuple(Mistake(m.name, framework._fresh(m.value), m.hint) if callable(m.value) else m
                         for m in mistakes)
        if compared and not isinstance(expected, _Raises):
            _require_finite(expected, f"{self.function}: the expected value of call #{k + 1} ({what})")
            if (e.tol or self.tol) is None:
                raise TypeError(f"{self.function}: call #{k + 1} ({what}) is compared, so it needs a tol")
        return _Prepared(args, kwargs, expected, what, e.tol or self.tol, mistakes, e.check,
                         e.check is not None and _wraps_comparison(e.check))

    def _reference_value(self, module, args, kwargs, what):
        return framework.read_only(self._call_reference(module, args, kwargs))

    def _call_reference(self, module, args, kwargs):
        return getattr(module, self.function)(*protocol.materialize(args), **protocol.materialize(kwargs))

    def _reference_raises(self, module, args, kwargs, raises: type, what: str) -> _Raises:
        """The expected outcome of a call the contract says raises; a reference case checks the reference."""
        if not (isinstance(raises, type) and issubclass(raises, Exception)):
            raise TypeError(f"{self.function}: entry(raises=...) takes an exception type")
        if self.from_reference:
            try:
                self._call_reference(module, args, kwargs)
            except raises as exc:
                return _Raises(raises.__name__, str(exc) or "as the contract says")
            raise RuntimeError(f"{self.function}: the reference did not raise {raises.__name__} on {what}")
        return _Raises(raises.__name__, "as the contract says")

    def _label(self, args, kwargs) -> str:
        if callable(self.what):
            return self.what(args, kwargs)
        if self.what:
            return self.what
        return f"{self.function}(...)" + (f"[{self.part}]" if self.part is not None else "")

    # ---------------------------------------------------------------- one submission
    def check(self, sub: framework.Submission, ref=None, *, all_first: bool = False) -> list:
        """Make the calls on `sub` and check each value in turn; returns the student's values.

        Raises Fail at the first wrong value (or modified input), StudentProblem when a call gives no
        value (after `on_raise(index, problem)`, which may raise a Fail that explains it instead).
        all_first=True makes every call before checking the first value, so that a failed check has the
        student's answers on all the calls as evidence for its hint (small answers, such as pairs of
        integers, often agree with several mistake models on one call); the outcome is that of checking
        in turn, except that a call that raises fails the case even after a wrong value."""
        prepared = self.prepared(ref)
        values: list = []
        start = 0
        for stop in [k for k, p in enumerate(prepared) if isinstance(p.expected, _Raises)] + [len(prepared)]:
            values += self._batch(sub, prepared, start, stop, all_first)
            if stop < len(prepared):
                self._must_raise(sub, prepared[stop], stop)
                values.append(None)
            start = stop + 1
        return values

    def _batch(self, sub, prepared: list[_Prepared], start: int, stop: int, all_first: bool = False) -> list:
        if start >= stop:
            return []
        position = iter(range(start, stop))
        done = [start]

        def then(result):
            k = next(position)
            got = result if all_first else self._check_one(prepared[k], result)
            done[0] = k + 1
            return got

        calls = [framework.call_args(*p.args, **p.kwargs) for p in prepared[start:stop]]
        try:
            results = sub.call_each(self.function, calls, then, inputs=bool(self.pure))
        except StudentProblem as problem:
            self._raised(done[0], problem)
            raise
        if all_first:
            return [self._check_one(p, result) for p, result in zip(prepared[start:stop], results)]
        return results

    def _raised(self, index: int, problem: StudentProblem) -> None:
        if self.on_raise is not None and not isinstance(problem, framework.NotImplementedYet):
            self.on_raise(index, problem)

    def _must_raise(self, sub, p: _Prepared, index: int) -> None:
        raises = p.expected
        try:
            sub.call(self.function, *p.args, **p.kwargs)
        except StudentRaised as problem:
            if f"raised {raises.type_name}" in problem.message:
                return
            self._raised(index, problem)
            raise Fail(f"{p.what}: expected {raises.type_name} ({raises.message}), but {problem.message}") from None
        raise Fail(f"{p.what} should raise {raises.type_name} ({raises.message}), but it returned a value")

    def _check_one(self, p: _Prepared, result):
        if self.pure:
            got, args_after, kwargs_after = result
        else:
            got = result
        if p.check_wraps:
            p.check(got, lambda value: self._compare(p, value))
        elif p.check is not None:
            p.check(got)
        else:
            self._compare(p, got)
        if self.pure:
            self._unchanged(p, args_after, kwargs_after)
        return got

    def _compare(self, p: _Prepared, got) -> None:
        value = framework._pick(got, self.part, p.what) if self.part is not None else got
        if self.dtype is not None:
            kind = np.asarray(value).dtype.kind if not isinstance(value, (str, dict)) else "O"
            if kind not in self.dtype:
                raise Fail(f"{p.what} has dtype {np.asarray(value).dtype}, expected one of kind {self.dtype!r}")
        if framework.identical(value, p.expected) and _all_finite(value):
            return          # the same bits as the expected value (the usual case): within any tolerance
        if not self.shape:
            value = _reshaped(value, p.expected)
        framework.check_close(value, p.expected, rtol=p.tol.rtol, atol=p.tol.atol, what=p.what,
                              mistakes=p.mistakes, args=p.args, kwargs=p.kwargs)

    def _unchanged(self, p: _Prepared, args_after, kwargs_after) -> None:
        hint = self.pure if isinstance(self.pure, str) else _PURE_HINT
        for i, (before, after) in enumerate(zip(p.args, args_after)):
            if _modified(before, after):
                raise Fail(f"{self.function}() modified its input argument #{i + 1} in place", hint)
        for key, before in p.kwargs.items():
            if _modified(before, kwargs_after.get(key)):
                raise Fail(f"{self.function}() modified its argument {key} in place", hint)


_PURE_HINT = ("your function changed an array it was given (for example with `x *= ...` or `x[...] = ...`); "
              "compute the result in a new array and leave the inputs alone.")


def _wraps_comparison(check) -> bool:
    """True for a check(got, compare) that makes the usual comparison itself (compare(got)), False for check(got)."""
    required = [p for p in inspect.signature(check).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) == 2


def _module_of(ref):
    """The reference module itself (a CachedReference's cache is not needed: answers are kept here)."""
    return ref._module if isinstance(ref, framework.CachedReference) else ref


def _fixed_pair(function: str, item) -> Entry:
    if not (isinstance(item, tuple) and len(item) == 2):
        raise ValueError(f"{function}: a fixed case's entries are (call, expected) pairs or entry(...)")
    call, expected = item
    return Entry(call, expected)


def _modified(before, after) -> bool:
    """An array in `before` (through dicts, tuples and lists) that came back with other values."""
    if isinstance(before, np.ndarray):
        if framework.identical(after, before):
            return False
        try:
            return not np.array_equal(before, np.asarray(after, dtype=np.float64), equal_nan=True)
        except (TypeError, ValueError):
            return True
    if isinstance(before, dict):      # a key added or removed changes the caller's dict too
        return (not isinstance(after, dict) or set(after) != set(before)
                or any(_modified(v, after[k]) for k, v in before.items()))
    if isinstance(before, (tuple, list)):
        return (not isinstance(after, (tuple, list)) or len(after) != len(before)
                or any(_modified(b, a) for b, a in zip(before, after)))
    return False


def _all_finite(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "biu" or bool(np.all(np.isfinite(value)))
    if isinstance(value, float):
        return np.isfinite(value)
    if isinstance(value, tuple):
        return all(_all_finite(v) for v in value)
    return True


def _require_finite(expected, what: str) -> None:
    """A NaN or infinite expected value can never be met (NaN never passes): a suite error, said at once."""
    try:
        arr = np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return           # not numbers: check_close says what is wrong with the student's value
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} is NaN or infinite: no answer can pass (NaN never passes)")


def _reshaped(value, expected):
    try:
        arr = np.asarray(value, dtype=np.float64)
        target = np.shape(expected)
        return arr.reshape(target) if arr.size == int(np.prod(target)) else value
    except (TypeError, ValueError):
        return value


# ============================================================================ declaring
def reference_calls(function: str, inputs, *, tol: Tol | None = None, pure: bool | str = False,
                    mistakes: Sequence[Mistake] = (), shape: bool = True, dtype: str | None = None, part: int | None = None, what=None,
                    on_raise: Callable | None = None) -> CaseCalls:
    """The calls of a case whose expected values are the reference's on the same inputs (arguments as for
    reference_case); `.check(sub, ref)` runs them, for a case body that does more than this. `tol` may be left
    out when every call has its own tol or check."""
    return CaseCalls(function, inputs, tol=tol, from_reference=True, pure=pure, mistakes=mistakes, shape=shape,
                     dtype=dtype, part=part, what=what, on_raise=on_raise)


def fixed_calls(function: str, calls_and_expected, *, tol: Tol | None = None, pure: bool | str = False,
                mistakes: Sequence[Mistake] = (), shape: bool = True, dtype: str | None = None,
                part: int | None = None, what=None, on_raise: Callable | None = None) -> CaseCalls:
    """The calls of a case with hand-worked expected values (arguments as for fixed_case); `.check(sub)`."""
    return CaseCalls(function, calls_and_expected, tol=tol, from_reference=False, pure=pure, mistakes=mistakes,
                     shape=shape, dtype=dtype, part=part, what=what, on_raise=on_raise)


def reference_case(name: str, function: str, inputs, *, tol: Tol, points: float = 1, pure: bool | str = False,
                   mistakes: Sequence[Mistake] = (), shape: bool = True, dtype: str | None = None,
                   part: int | None = None, what=None, call_timeout: float | None = None,
                   on_raise: Callable | None = None) -> CaseCalls:
    """Register a (hidden) case: `function` called on each call of `inputs()`, each value compared with the
    reference's on the same call.

    inputs    a zero-argument builder returning the calls: argument tuples, framework.call_args(...) (keywords)
              or entry(...); run once per process, its arrays made read-only. A builder of one argument
              gets the reference module, for inputs the reference makes (run once per reference module).
    tol       a Tol (with its why); an entry may have its own.
    pure      True, or the hint to give: every argument must come back unchanged (checked once the value is
              right, so a wrong answer is reported as wrong).
    mistakes  Mistake models (callables of the call's arguments): a wrong value is explained by the one the
              student's results follow (diagnose.explain).
    shape     True: the value has the expected shape exactly (a scalar may come back as a 0-d or size-1
              array); False: any shape with the same number of entries.
    dtype     None, or the NumPy dtype kinds the value may have, such as 'f' or 'iu'.
    part      compare only item `part` of a tuple result (mistake models give the whole tuple too).
    what      the label of the value in messages: a string, or what(args, kwargs) -> str; default
              "<function>(...)".
    on_raise  on_raise(index, problem) when call number `index` (0-based) gives no value: may raise a Fail
              that explains it; otherwise the problem itself fails the case.
    A call given as entry(call, raises=SomeError) must raise that type in the student's code, as it does in
    the reference's; a reference that raises on any other call is an error of the suite.
    """
    calls = reference_calls(function, inputs, tol=tol, pure=pure, mistakes=mistakes, shape=shape, dtype=dtype,
                            part=part, what=what, on_raise=on_raise)

    def body(sub, ref):
        calls.check(sub, ref)

    body.calls = calls
    framework.case(name, points=points, call_timeout=call_timeout)(body)
    return calls


def fixed_case(name: str, function: str, calls_and_expected, *, tol: Tol, points: float = 1,
               pure: bool | str = False, mistakes: Sequence[Mistake] = (), shape: bool = True,
               dtype: str | None = None, part: int | None = None, what=None, call_timeout: float | None = None,
               on_raise: Callable | None = None) -> CaseCalls:
    """Register a case with hand-worked expected values (a public case: it needs no reference).

    calls_and_expected  (call, expected) pairs, or entry(call, expected=..., what=..., mistakes=...), or a
                        zero-argument builder of them; `mistakes` are then values (what each mistake
                        would return on that call), usually given per entry.
    Everything else as for reference_case.
    """
    calls = fixed_calls(function, calls_and_expected, tol=tol, pure=pure, mistakes=mistakes, shape=shape,
                        dtype=dtype, part=part, what=what, on_raise=on_raise)

    def body(sub):
        calls.check(sub)

    body.calls = calls
    framework.case(name, points=points, call_timeout=call_timeout)(body)
    return calls


# ============================================================================ chains of calls
class ChainCalls:
    """A chain of calls of one function, each taking some arguments from the value the call before it returned
    (an optimizer's loop `w, state = step(w, g_k, state)`): the student's chain runs in one message
    (Submission.call_chain), the reference's once per process and reference module.

    Built by chain_calls; `run(sub, then)` runs the student's chain, `reference(ref)` gives the reference's.
    """

    def __init__(self, function: str, inputs, *, feed, keep=()):
        self.function = function
        self.feed = protocol.check_feed(feed)
        self.keep = protocol.check_keep(keep)
        self._source = inputs
        self._calls: list | None = None                         # built once per process
        self._answers: dict[int, tuple[Any, list]] = {}        # id(reference module) -> (module, values)

    def calls(self) -> list[tuple[tuple, dict]]:
        """(args, kwargs) of every call of the chain, built on first use and made read-only."""
        if self._calls is None:
            source = self._source() if callable(self._source) else self._source
            self._calls = [framework.read_only(framework.as_call(item)) for item in source]
            if not self._calls:
                raise ValueError(f"{self.function}: a chain needs at least one call")
        return self._calls

    def run(self, sub: framework.Submission, then: Callable, *, first=None) -> list:
        """The student's chain, each value checked by `then` as it comes (Submission.call_chain: the first
        failure ends it); returns what `then` returned. `first` (an argument tuple or call_args) replaces
        the first call's arguments: a chain that goes on from where an earlier one of the student's ended."""
        calls = [framework.call_args(*args, **kwargs) for args, kwargs in self.calls()]
        if first is not None:
            calls[0] = framework.call_args(*framework.as_call(first)[0], **framework.as_call(first)[1])
        return sub.call_chain(self.function, calls, self.feed, then, keep=self.keep)

    def reference(self, ref) -> list:
        """The reference's value at every call of the chain (whole, read-only), once per reference module."""
        module = _module_of(ref)
        hit = self._answers.get(id(module))
        if hit is not None and hit[0] is module:
            return hit[1]
        if module is None:
            raise RuntimeError(f"{self.function}: a chain's reference values need the reference solution")
        function, values, previous = getattr(module, self.function), [], None
        for k, (args, kwargs) in enumerate(self.calls()):
            args, kwargs = protocol.materialize(args), protocol.materialize(kwargs)
            if k:
                args, kwargs = protocol.feed_previous(args, kwargs, self.feed, previous)
            previous = function(*args, **kwargs)
            values.append(previous)
        values = framework.read_only(values)
        self._answers[id(module)] = (module, values)
        return values


def chain_calls(function: str, inputs, *, feed, keep=()) -> ChainCalls:
    """The calls of a chain: `function` called on each call of `inputs()` in turn, each after the first taking
    some arguments from the value the call before returned, in the student's code as in the reference's.

    inputs  a zero-argument builder of the calls (argument tuples or framework.call_args(...)): the first one
            complete, the later ones with anything (None) where `feed` puts in items of the previous value;
            run once per process, its arrays made read-only.
    feed    (index, position) pairs: argument `position` (an int: positional, a str: keyword) of every call
            after the first is item `index` of the previous call's value; [(0, 0), (1, 2)] for
            `w, state = step(w, g, state)`.
    keep    item indices: of every value but the last, only these items cross back from the student's code
            (the rest stays in the worker, which saves encoding it).
    """
    return ChainCalls(function, inputs, feed=feed, keep=keep)
