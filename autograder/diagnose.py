"""Why a result is wrong (trusted side, run only for a failed check).

Two kinds of hint, in this order:

1. A named mistake, only as a conclusion from evidence. A known mistake (a `Mistake` model
   of the function) is named when its model matches the student's result on the failing
   input AND on at least two more inputs chosen so that the function's candidate mistakes
   and the reference all disagree there, and no other candidate matches. The framework
   builds those inputs itself from the failing call (`discriminating_inputs`): each float
   and float array is perturbed (signs, exact zeros, masks and one-hot rows kept; numbers
   in (0, 1) stay there), and a perturbation is kept when it separates the candidates.
   One degenerate input (p = 0.5, mean = 0, a tiny array) where two mistakes coincide is
   never enough. Without that evidence: no guess.
2. Otherwise, what the numbers themselves show (`observe`), checked on the same inputs:
   NaN/inf (and where), divergence of an iterative method (and what sets its step), an
   iteration count off by one, a constant factor (named: 2, 1/2, -1, N, 1/N, N/(N-1)...),
   a wrong power, a transpose or another shape, float32 precision, a constant shift.
   When nothing fits, no hint: the failure message already shows the difference with the
   digits that matter (`significant`).

Suites declare what generic diagnostics cannot guess: `declare(function, iterations=...,
step=...)` names the iteration-count argument and the quantity that sets the step.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np

from . import protocol

MAX_TRIES = 12          # perturbations tried per failed check (each costs one reference call + the models)
EVIDENCE_INPUTS = 2     # discriminating inputs a named mistake must match, besides the failing one
MAX_EVIDENCE = 5        # inputs the student is called on, at most (one message)


# ============================================================================ what suites declare
@dataclass(frozen=True)
class Iterative:
    iterations: str | None = None     # the argument that counts iterations (steps, n_iter)
    step: str | None = None           # in the student's words: what sets the step size
    start: str | None = None          # a one-step update's starting point (w): its change is diagnosed too

_ITERATIVE: dict[str, Iterative] = {}


def declare(function: str, *, iterations: str | None = None, step: str | None = None,
            start: str | None = None) -> None:
    """Tell the diagnostics that `function` iterates: `iterations` is the name of its iteration-count
    argument (compared with the reference at count - 1 and count + 1), `step` says what sets its
    step size (named when its result diverges), `start` names the argument a one-step update starts
    from (the update, result - start, is then checked for a factor too)."""
    _ITERATIVE[function] = Iterative(iterations, step, start)


# ============================================================================ test knob
_ignored: list[Callable[[Any], bool]] = []


@contextlib.contextmanager
def ignoring(predicate: Callable[[Any], bool]) -> Iterator[None]:
    """Within the block, every Mistake for which predicate(mistake) is true is left out (tests only:
    the leave-one-out measure removes a mistake's own model to see what the others then say)."""
    _ignored.append(predicate)
    try:
        yield
    finally:
        _ignored.remove(predicate)


def usable(mistake) -> bool:
    return not any(p(mistake) for p in _ignored)


# ============================================================================ what a failed check saw
@dataclass
class Mismatch:
    """A failed check_close: the student's value (coerced, and as the case passed it), the expected
    value, the tolerance, and the mistakes the case offered (with the arguments their models take)."""
    got: np.ndarray
    raw: Any
    expected: np.ndarray
    rtol: float
    atol: float
    mistakes: list = field(default_factory=list)
    args: tuple | None = None
    kwargs: dict | None = None
    replay: Callable | None = None    # replay(target, *args, **kwargs): the checked value, from the models' arguments


@dataclass
class Call:
    """One call the case made to the student's code, as recorded by the framework."""
    function: str
    args: tuple
    kwargs: dict
    value: Any


# ============================================================================ numbers
def _floats(value) -> np.ndarray | None:
    if type(value) is np.ndarray and value.dtype == np.float64:    # the common case, without the errstate
        return value
    try:
        with np.errstate(all="ignore"):
            return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _shaped(a: np.ndarray | None, like: np.ndarray) -> np.ndarray | None:
    if a is None:
        return None
    if a.shape == like.shape:
        return a
    if like.ndim == 0 and a.size == 1:
        return a.reshape(())
    return None


def _comparable(a, b) -> tuple[np.ndarray, np.ndarray] | None:
    """a and b as float arrays of b's shape, or None when they cannot be compared."""
    a, b = _floats(a), _floats(b)
    if a is None or b is None:
        return None
    a = _shaped(a, b)
    return None if a is None else (a, b)


def close(a, b, rtol: float, atol: float) -> bool:
    """a and b equal within the tolerance (same shape; NaN equals NaN, inf equals inf)."""
    pair = _comparable(a, b)
    if pair is None:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.isclose(*pair, rtol=rtol, atol=atol, equal_nan=True)))


def match_tolerance(rtol: float, atol: float, scale: float) -> tuple[float, float]:
    """How close a student's value must be to a model's to match it: the check's own tolerance, but
    never tighter than a few roundings (a student's formula and the model's round differently)."""
    return max(10 * rtol, 1e-13), max(10 * atol, 1e-14 * scale)


def _mismatch_tolerance(mismatch: "Mismatch") -> tuple[float, float]:
    """match_tolerance of a failed check, at the scale of its expected value's finite entries."""
    scale = float(np.max(np.abs(mismatch.expected[np.isfinite(mismatch.expected)]), initial=1.0))
    return match_tolerance(mismatch.rtol, mismatch.atol, scale)


def distinct(a, b, rtol: float, atol: float) -> bool:
    """a and b clearly differ: by more than 100 times the tolerance of a match (rtol, atol)."""
    pair = _comparable(a, b)
    if pair is None:
        return True
    a, b = pair
    with np.errstate(all="ignore"):
        # np.isclose's rule (equal_nan=True), written out: isclose costs ~10x more on these small arrays
        same = (np.abs(a - b) <= 100 * atol + min(100 * rtol, 1e-2) * np.abs(b)) | (a == b) | (np.isnan(a) & np.isnan(b))
        return not bool(same.all())


def significant(x: float, other: float) -> str:
    """x with enough significant digits to tell it from `other` (at least 6, at most 17)."""
    x, other = float(x), float(other)
    if not math.isfinite(x):
        return str(x)
    for digits in range(6, 18):
        text = format(x, f".{digits}g")
        if not math.isfinite(other) or text != format(other, f".{digits}g"):
            return text
    return repr(x)


# ============================================================================ finding the call
def _pick(value, path):
    for key in path:
        value = value[key]
    return value


def _parts(value, depth=0):
    """(path, item) for the value and the items of the tuples, lists and dicts in it (two levels)."""
    yield (), value
    if depth >= 2:
        return
    if isinstance(value, (tuple, list)):
        items = enumerate(value)
    elif isinstance(value, dict):
        items = value.items()
    else:
        return
    for key, item in items:
        for path, sub in _parts(item, depth + 1):
            yield (key,) + path, sub


def find_call(calls: list[Call], raw, got: np.ndarray) -> tuple[Call, tuple] | None:
    """The recorded call whose value (or a part of it) is what the case checked: the same object,
    else the same numbers. Latest call first."""
    for c in reversed(calls):
        for path, item in _parts(c.value):
            if item is raw:
                return c, path
    for c in reversed(calls):
        for path, item in _parts(c.value):
            a = _floats(item) if not isinstance(item, (dict, str)) else None
            if a is not None and a.dtype != object and a.shape == got.shape \
                    and np.array_equal(a, got, equal_nan=True):
                return c, path
    return None


def _fed_by_student(call: Call, calls: list[Call]) -> bool:
    """Some argument of the call is (part of) what an earlier call of the student returned (an optimizer's
    state passed on): the models' inputs are then the student's own numbers, no ground to name a mistake."""
    produced = {id(item) for c in calls if c is not call for _, item in _parts(c.value)
                if not isinstance(item, (int, float, str, bool, type(None)))}
    return any(id(item) in produced for _, item in _parts(tuple(call.args) + tuple(call.kwargs.values())))


def same_arguments(a, b) -> bool:
    """Two argument tuples (or dicts) with the same values."""
    try:
        return framework_key(a) == framework_key(b)
    except Exception:  # noqa: BLE001 - not comparable: not the same
        return False


def framework_key(value) -> bytes:
    from .framework import cache_key
    return cache_key(_plain(value))


def _plain(value):
    """Values as the wire would carry them (lists of numbers and arrays alike), for comparing arguments."""
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value, dtype=np.float64) if value.dtype.kind in "biuf" else value
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


# ============================================================================ perturbed inputs
def _perturb(value, rng: np.random.Generator, bold: bool):
    """A nearby input of the same kind: same shapes, signs, exact zeros, integers, markers; masks and
    probability rows unchanged; numbers in (0, 1) stay in (0, 1). `bold` also moves a float 0."""
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, (str, int, np.integer)):
        return value
    if isinstance(value, (float, np.floating)):
        return _perturb_number(float(value), rng, bold)
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f" or value.size == 0:
            return value
        if _is_mask_or_distribution(value):
            return value
        with np.errstate(all="ignore"):
            moved = value * rng.uniform(0.5, 1.5, size=value.shape)
        if bold and value.ndim >= 1 and value.size > 1:
            # a nonzero mean breaks the symmetric inputs where two formulas agree (mean 0)
            moved = moved + np.where(value != 0, rng.normal(scale=0.5) * (np.std(value) + 1e-3), 0.0)
        return moved.astype(value.dtype)
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_perturb(v, rng, bold) for v in value)
    if isinstance(value, list):
        if value and all(isinstance(v, (float, int)) and not isinstance(v, bool) for v in value) \
                and any(isinstance(v, float) for v in value):
            return [float(v) for v in _perturb(np.asarray(value, dtype=np.float64), rng, bold)]
        return [_perturb(v, rng, bold) for v in value]
    if isinstance(value, dict):
        return {k: _perturb(v, rng, bold) for k, v in value.items()}
    return value          # markers (Rng, Callable) and anything else: as they are


def _perturb_number(x: float, rng: np.random.Generator, bold: bool) -> float:
    if not math.isfinite(x):
        return x
    if x == 0.0:
        return float(rng.uniform(0.2, 1.0)) if bold else 0.0
    if 0.0 < x < 1.0:     # a probability, a rate: move it on the logit scale, it stays inside (0, 1)
        logit = math.log(x / (1.0 - x)) + rng.normal(scale=0.6)
        return float(1.0 / (1.0 + math.exp(-logit)))
    return float(x * rng.uniform(0.6, 1.5))


def _is_mask_or_distribution(a: np.ndarray) -> bool:
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(a)):
            return False
        if np.all((a == 0) | (a == 1)):
            return True
        return a.ndim >= 1 and bool(np.all(a >= 0)) and bool(np.allclose(a.sum(axis=-1), 1.0, atol=1e-9))


def perturbations(function: str, args: tuple, kwargs: dict) -> Iterator[tuple[tuple, dict, bool]]:
    """(args, kwargs, bold) of nearby inputs of function(*args, **kwargs), seeded by the function's name
    (reproducible), gentle (zeros kept: where edge mistakes show) and bold (zeros and means moved: no
    degenerate point where two formulas agree by accident) in turn."""
    seed = int.from_bytes(hashlib.sha256(function.encode()).digest()[:4], "little")
    rng = np.random.default_rng(seed)
    for k in range(MAX_TRIES):
        bold = k % 2 == 1
        yield _perturb(tuple(args), rng, bold), _perturb(dict(kwargs), rng, bold), bold


# ============================================================================ the evidence
@dataclass
class Evidence:
    """Inputs, the reference's and the student's values there (student None where the call failed)."""
    args: list = field(default_factory=list)
    kwargs: list = field(default_factory=list)
    reference: list = field(default_factory=list)
    student: list = field(default_factory=list)
    separates: list = field(default_factory=list)   # per input: the hints of the candidates it tells apart
    asked: list = field(default_factory=list)       # per input: the student must still be called there
    bold: list = field(default_factory=list)        # per input: a bold perturbation (zeros and means moved)

    def add(self, args, kwargs, reference, separates: set, *, asked: bool, bold: bool, student=None) -> None:
        """One more input (student None: not known yet, or the call failed)."""
        self.args.append(args)
        self.kwargs.append(kwargs)
        self.reference.append(reference)
        self.separates.append(separates)
        self.asked.append(asked)
        self.bold.append(bold)
        self.student.append(student)


def _value(fn, args, kwargs, path):
    try:
        with np.errstate(all="ignore"):
            out = _pick(fn(*protocol.materialize(args), **protocol.materialize(kwargs)), path)
        return None if out is None else _floats(out)   # None: the model says it does not apply here
    except Exception:  # noqa: BLE001 - a model that does not apply here
        return None


def _at_path(model, path):
    if not path:
        return model
    return lambda *a, **k: _pick(model(*a, **k), path)


def explain(mismatch: Mismatch, calls: list[Call], sub, ref, known: dict[str, list],
            elsewhere: list[Call] = ()) -> str | None:
    """The hint for a failed check (see the module docstring); None when nothing can be said.

    `calls` are the case's calls; `elsewhere` the calls of every case of the submission, whose recorded
    values are evidence too, at other shapes (perturbations keep the failing input's shapes, and a
    tiny shape (n = 2) can make two mistakes agree whatever the values)."""
    if ref is not None and mismatch.replay is not None and mismatch.args is not None:
        call, path, reference, sub = _replayed(mismatch, sub, ref)
        models = [m for m in mismatch.mistakes if callable(m.value) and usable(m)]
    else:
        found = find_call(calls, mismatch.raw, mismatch.got) if calls else None
        if found is None or ref is None or getattr(ref, found[0].function, None) is None:
            # no call to try elsewhere: a literal is all there is without a reference (a student's own
            # check); with one, one input is no evidence
            literal = _literal_hint(mismatch, [], ()) if ref is None else None
            return Named(literal) if literal else observe(mismatch, None)
        call, path = found
        if _fed_by_student(call, calls):
            return observe(mismatch, None)
        reference = getattr(ref, call.function)
        models = _candidates(mismatch, call, path, known.get(call.function, ()))
    rtol, atol = _mismatch_tolerance(mismatch)
    first = {id(m): _value(m.value, call.args, call.kwargs, ()) for m in models}
    matched = [m for m in models if first[id(m)] is not None and close(mismatch.got, first[id(m)], rtol, atol)]
    evidence, values = _gather(call, path, reference, models, matched, mismatch, rtol, atol, ref)
    _recorded_evidence(call, path, reference, models, matched, evidence, values, elsewhere, rtol, atol)
    _ask_student(sub, call, path, evidence)
    named = _conclude(matched, evidence, values, rtol, atol)
    if named is None and _confined(evidence, rtol, atol):
        named = _literal_hint(mismatch, models, matched)
    if named is not None:
        return Named(named)
    context = _Context(call, path, reference, evidence, _names(mismatch, call, ref))
    context.student = sub
    return observe(mismatch, context)


class _Caller:
    """target.call(function, *args, **kwargs) on the reference module (the interface replay uses)."""

    def __init__(self, ref):
        self._ref = ref

    def call(self, function, *args, **kwargs):
        return getattr(self._ref, function)(*args, **kwargs)


class _ReplayedSubmission:
    """call_many of a replayed value: each entry replayed on the student's code (one call each)."""

    def __init__(self, replay, sub):
        self._replay, self._sub = replay, sub

    def call_many(self, function, calls):
        from .framework import as_call
        return [self._replay(self._sub, *a, **k) for a, k in map(as_call, calls)]


def _replayed(mismatch: Mismatch, sub, ref):
    """A value computed through several student calls, seen as one call of its models' arguments."""
    call = Call("replay", tuple(mismatch.args), dict(mismatch.kwargs or {}), mismatch.raw)
    reference = functools.partial(mismatch.replay, _Caller(ref))
    return call, (), reference, (None if sub is None else _ReplayedSubmission(mismatch.replay, sub))


def _candidates(mismatch: Mismatch, call: Call, path, known) -> list:
    """The case's own models (when they take the call's arguments) and the function's known ones,
    one per hint."""
    own = []
    if mismatch.args is not None and same_arguments(tuple(mismatch.args), tuple(call.args)) \
            and same_arguments(dict(mismatch.kwargs or {}), dict(call.kwargs)):
        own = [m for m in mismatch.mistakes if callable(m.value)]
    from .framework import Mistake
    models, hints = [], set()
    for m in own + [Mistake(k.name, _at_path(k.value, path), k.hint) for k in known if callable(k.value)]:
        if m.hint not in hints and usable(m):
            hints.add(m.hint)
            models.append(m)
    return models


def _gather(call: Call, path, reference, models, matched, mismatch, rtol, atol, ref=None) -> tuple[Evidence, list]:
    """Perturbed inputs where the matched candidates each differ from the reference and from every
    other candidate (EVIDENCE_INPUTS of them for each), else any valid ones (for the diagnostics)."""
    evidence, values = Evidence(), []
    needed = {id(m): EVIDENCE_INPUTS for m in matched}
    finite = bool(np.all(np.isfinite(mismatch.expected)))
    bold_seen = False
    for args, kwargs, bold, r, model_values in _evaluated(call, path, reference, models, ref):
        if r is None or r.dtype == object or (finite and not np.all(np.isfinite(r))):
            continue
        vals = {id(m): v for m, v in zip(models, model_values)}
        useful, separated = False, set()
        for m in matched:
            if _separated(m, vals, r, models, rtol, atol):
                separated.add(m.hint)
                if needed[id(m)] > 0:
                    needed[id(m)] -= 1
                    useful = True
        if useful or len(evidence.args) < EVIDENCE_INPUTS or (bold and not bold_seen):
            bold_seen |= bold
            evidence.add(args, kwargs, r, separated, asked=True, bold=bold)
            values.append(vals)
        if all(n <= 0 for n in needed.values()) and len(evidence.args) >= EVIDENCE_INPUTS and bold_seen:
            break
        if len(evidence.args) >= MAX_EVIDENCE:
            break
    return evidence, values


class _Evaluations:
    """The perturbed inputs of one failing call with the reference's and the models' values there, evaluated
    as they are first needed and kept for the process: every submission is graded on the same inputs, so
    the next one that fails there pays only for its own calls."""

    def __init__(self, call: Call, path, reference, models):
        self._source = perturbations(call.function, call.args, call.kwargs)
        self._path, self._reference, self._models = path, reference, models
        self._done: list = []
        self._owner = None

    def __iter__(self):
        k = 0
        while True:
            if k == len(self._done):
                try:
                    args, kwargs, bold = next(self._source)
                except StopIteration:
                    return
                self._done.append((args, kwargs, bold, _value(self._reference, args, kwargs, self._path),
                                   [_value(m.value, args, kwargs, ()) for m in self._models]))
            yield self._done[k]
            k += 1


_evaluations: dict = {}
MAX_CACHED = 4096      # failing inputs whose evaluations are kept (a suite has a few hundred)


def _evaluated(call: Call, path, reference, models, ref) -> _Evaluations:
    if call.function == "replay":      # a value computed through several calls: not keyed, evaluated each time
        return _Evaluations(call, path, reference, models)
    try:
        key = (id(ref), framework_key((call.function, list(path), call.args, call.kwargs, [m.hint for m in models])))
    except Exception:  # noqa: BLE001 - arguments that cannot be keyed: evaluated each time
        return _Evaluations(call, path, reference, models)
    found = _evaluations.get(key)
    if found is None or found._owner is not ref:
        found = _Evaluations(call, path, reference, models)
        found._owner = ref           # the id of a reference that is gone may be reused: check it is the same
        if len(_evaluations) < MAX_CACHED:
            _evaluations[key] = found
    return found


def _shapes(args: tuple) -> tuple:
    return tuple(np.shape(a) if isinstance(a, (np.ndarray, list)) else None for a in args)


def _separated(m, vals, r, models, rtol, atol) -> bool:
    """Model m's value differs from the reference's r and from every other candidate's (vals, by id)."""
    v = vals[id(m)]
    return v is not None and distinct(v, r, rtol, atol) and all(
        distinct(v, vals[id(o)], rtol, atol) for o in models
        if o is not m and vals[id(o)] is not None and o.hint != m.hint)


def _recorded_evidence(call, path, reference, models, matched, evidence, values, elsewhere, rtol, atol,
                       most: int = 3) -> None:
    """Calls of the same function the suites made elsewhere, at other shapes, with the student's recorded
    values: evidence that costs no new call."""
    seen = {_shapes(call.args)}
    for c in elsewhere:
        if most <= 0:
            break
        if c.function != call.function or c is call or _shapes(c.args) in seen:
            continue
        try:
            student = _floats(_pick(c.value, path))
        except Exception:  # noqa: BLE001 - not the same structure: not comparable
            continue
        r = _value(reference, c.args, c.kwargs, path)
        if r is None or student is None or r.dtype == object:
            continue
        seen.add(_shapes(c.args))
        most -= 1
        vals = {id(m): _value(m.value, c.args, c.kwargs, ()) for m in models}
        evidence.add(c.args, c.kwargs, r, {m.hint for m in matched if _separated(m, vals, r, models, rtol, atol)},
                     asked=False, bold=False, student=student)
        values.append(vals)


def _ask_student(sub, call: Call, path, evidence: Evidence) -> None:
    """The student's values on the perturbed inputs, in one message (None where it fails)."""
    from .framework import call_args
    asked = [i for i, a in enumerate(evidence.asked) if a]
    if sub is None or not asked:
        return
    try:
        outs = sub.call_many(call.function, [call_args(*evidence.args[i], **evidence.kwargs[i]) for i in asked])
    except Exception:  # noqa: BLE001 - a student error here only means: no evidence
        return
    for i, out in zip(asked, outs):
        try:
            evidence.student[i] = _floats(_pick(out, path))
        except Exception:  # noqa: BLE001
            evidence.student[i] = None


def _conclude(matched, evidence: Evidence, values, rtol, atol) -> str | None:
    """The one matched candidate that the student also follows on EVIDENCE_INPUTS discriminating
    inputs (and on every other evidence input), or None.

    An edge mistake (ties kept at a threshold, a wrong value at exactly 0...) differs from the reference
    only on inputs like the failing one, never on the perturbed ones: it is named when it is the only
    candidate matching the failing input and the student follows it (that is, the reference) on at
    least EVIDENCE_INPUTS perturbed inputs too, so the error is confined to that edge."""
    status = {}
    for m in matched:
        hits = followed = off_reference = 0
        for i, s in enumerate(evidence.student):
            v = values[i][id(m)]
            if s is None or v is None:       # the student's call failed, or the model does not apply here
                continue
            if not close(s, v, rtol, atol):
                followed = -1
                break
            followed += 1
            hits += m.hint in evidence.separates[i]
            off_reference += distinct(v, evidence.reference[i], rtol, atol)
        if followed < 0:
            status[m.hint] = "refuted"
        elif hits >= EVIDENCE_INPUTS:
            status[m.hint] = "confirmed"
        elif off_reference == 0 and followed >= EVIDENCE_INPUTS:
            status[m.hint] = "edge"
        else:
            status[m.hint] = "unknown"
    confirmed = [h for h, st in status.items() if st == "confirmed"]
    if len(confirmed) == 1:
        return confirmed[0]
    edge = [h for h, st in status.items() if st == "edge"]
    if not confirmed and len(edge) == 1 and all(st in ("edge", "refuted") for st in status.values()):
        return edge[0]
    return None


def _confined(evidence: Evidence, rtol, atol) -> bool:
    """The student's results equal the reference's on every perturbed input (EVIDENCE_INPUTS at least,
    a bold one among them): the error is confined to inputs like the failing one, an edge."""
    known = [(s, r) for s, r in zip(evidence.student, evidence.reference) if s is not None]
    return len(known) >= EVIDENCE_INPUTS and all(close(s, r, rtol, atol) for s, r in known)


def _literal_hint(mismatch: Mismatch, models, matched) -> str | None:
    """A mistake given only as a value (an edge case's literal, or any public case when the student checks
    their own work without the reference): its hint when it is the one value that matches, and no model of
    the function matches there too (an input where two mistakes coincide proves nothing). A literal that
    shares its hint with a model is left to the model's evidence. With a reference, a literal is only
    used for an error confined to an edge (_confined): one input is otherwise no evidence."""
    if matched:
        return None
    modelled = {m.hint for m in models}
    rtol, atol = _mismatch_tolerance(mismatch)
    hints = set()
    for m in mismatch.mistakes:
        if callable(m.value) or not usable(m) or m.hint in modelled:
            continue
        if close(mismatch.got, _floats(m.value), rtol, atol):
            hints.add(m.hint)
    return hints.pop() if len(hints) == 1 else None


# ============================================================================ what the numbers show
class Observation(str):
    """A hint computed from the numbers (not a catalogued mistake): a plain string everywhere else."""


class Named(str):
    """The hint of a known mistake, named by explain (on evidence, or a literal at an edge input)."""


def is_generic(hint) -> bool:
    return isinstance(hint, Observation)


def is_named(hint) -> bool:
    return isinstance(hint, Named)


@dataclass
class _Context:
    call: Call
    path: tuple
    reference: Callable
    evidence: Evidence
    names: list
    inputs: list = field(default_factory=list)     # (args, kwargs) of each pair observe looks at
    student: Any = None                            # call_many on the student's code (for _sensitivity)
    bold: list = field(default_factory=list)       # per pair: from a bold perturbation


def _names(mismatch: Mismatch, call: Call, ref) -> list[str]:
    """The names of the call's arguments (for the diagnostics' words), from the reference's signature."""
    try:
        if call.function == "replay" and mismatch.replay is not None:
            return list(inspect.signature(mismatch.replay).parameters)[1:]
        return list(inspect.signature(getattr(getattr(ref, "_module", ref), call.function)).parameters)
    except (TypeError, ValueError, AttributeError):
        return []


def observe(mismatch: Mismatch, context: _Context | None) -> str | None:
    """A generic diagnosis from the numbers, confirmed on every input where the student's value is
    known (the failing one, and the evidence inputs when there are some)."""
    pairs = [(mismatch.got, mismatch.expected)]
    if context is not None:
        # the perturbed inputs only: a factor such as 1/N changes with the shapes of the calls made elsewhere
        kept = [i for i, (s, asked) in enumerate(zip(context.evidence.student, context.evidence.asked))
                if s is not None and asked]
        pairs += [(context.evidence.student[i], context.evidence.reference[i]) for i in kept]
        context.inputs = [(context.call.args, context.call.kwargs)] + \
            [(context.evidence.args[i], context.evidence.kwargs[i]) for i in kept]
        context.bold = [False] + [context.evidence.bold[i] for i in kept]
    for diagnosis in (_nonfinite, _diverged, _iterations, _shape, _factor, _argument_factor, _update_factor,
                      _power, _transposed, _float32, _shift, _entry_offsets, _sensitivity):
        try:
            text = diagnosis(mismatch, pairs, context)
        except Exception:  # noqa: BLE001 - a diagnosis that does not apply
            text = None
        if text:
            return Observation(text)
    return None


def _argument_names(context: _Context) -> list[str]:
    return context.names


def _named_arguments(args, kwargs, names, *, unnamed: bool = False) -> Iterator[tuple[str, Any]]:
    """(name, value) of a call's arguments: the positional ones the names cover (with `unnamed`, the others
    too, as "argument i"), then the keyword ones."""
    for i, a in enumerate(args):
        if i < len(names):
            yield names[i], a
        elif unnamed:
            yield f"argument {i + 1}", a
    yield from kwargs.items()


def _argument(args, kwargs, names, name):
    """The value a call passed for the argument `name` (None when it passed none)."""
    if name in kwargs:
        return kwargs[name]
    if name in names and names.index(name) < len(args):
        return args[names.index(name)]
    return None


def _named_arrays(context: _Context | None) -> list[tuple[str, np.ndarray]]:
    if context is None:
        return []
    out = []
    for name, a in _named_arguments(context.call.args, context.call.kwargs, _argument_names(context), unnamed=True):
        arr = _floats(a) if isinstance(a, (np.ndarray, list)) else None
        if arr is not None and arr.ndim >= 1 and arr.dtype != object:
            out.append((name, arr))
    return out


def _nonfinite(mismatch, pairs, context) -> str | None:
    g, e = mismatch.got, mismatch.expected
    if g.shape != e.shape:
        return None
    bad = ~np.isfinite(g) & np.isfinite(e)
    if not bad.any():
        return None
    kind = "NaN" if np.isnan(g[bad]).all() else ("infinite" if np.isinf(g[bad]).all() else "NaN or infinite")
    count = f"{int(bad.sum())} of {g.size} entries are" if g.ndim else "your result is"
    where = ""
    for name, arr in _named_arrays(context):
        if arr.shape == g.shape and g.ndim:
            zero = arr == 0
            if zero.any() and np.array_equal(bad, zero):
                where = f", exactly where {name} == 0: a division by zero there (0/0 or x/0)?"
                break
            big = np.abs(arr) > 50
            if big.any() and np.array_equal(bad, big):
                where = f", exactly where |{name}| is large: an exp() or a square that overflows there?"
                break
    it = _ITERATIVE.get(context.call.function) if context else None
    if not where and it and it.step and np.all(~np.isfinite(g)):
        return (f"your result is {kind}: the iteration overflowed, it diverges. Its step is set by "
                f"{it.step}; check how you compute it (a step too large makes each update overshoot).")
    return f"{count} {kind} where the answer is finite{where or '.'}"


def _diverged(mismatch, pairs, context) -> str | None:
    g, e = mismatch.got, mismatch.expected
    if context is None or g.shape != e.shape or not np.all(np.isfinite(g)):
        return None
    it = _ITERATIVE.get(context.call.function)
    if it is None or not it.step:
        return None
    top, answer = float(np.max(np.abs(g), initial=0.0)), float(np.max(np.abs(e), initial=0.0))
    if answer == 0.0 or top <= 5 * answer:     # 5 times the largest entry of the answer: iterates that overshoot
        return None
    return (f"your result reaches {top:.3g} where the answer is at most {answer:.3g}: the iteration overshoots "
            f"(and diverges as it goes on). "
            f"Its step is set by {it.step}; check how you compute it (a step too large makes each update "
            f"overshoot and grow).")


def _iterations(mismatch, pairs, context) -> str | None:
    if context is None:
        return None
    it = _ITERATIVE.get(context.call.function)
    if it is None or not it.iterations:
        return None
    names = _argument_names(context)
    args, kwargs = context.call.args, context.call.kwargs
    count = _argument(args, kwargs, names, it.iterations)
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
        return None
    rtol, atol = match_tolerance(mismatch.rtol, mismatch.atol, 1.0)
    for delta in (-1, 1):
        if count + delta < 0:
            continue
        other = _value(context.reference, *_with_argument(args, kwargs, names, it.iterations, int(count + delta)),
                       context.path)
        if other is not None and close(mismatch.got, other, rtol, atol) and distinct(other, mismatch.expected, rtol, atol):
            more = "one iteration too many" if delta > 0 else "one iteration too few"
            return (f"your result is what {count + delta} iterations give, with {it.iterations} = {count}: "
                    f"{more}. Count the updates your loop makes (range(...) bounds, a first step taken "
                    f"before the loop, or the starting point counted as an iteration).")
    return None


def _sizes(context: _Context | None) -> list[tuple[int, str]]:
    out = []
    if context is not None:     # integer arguments first (num_classes...): a size that happens to equal one
        for i, a in enumerate(context.call.args):       # of them is more likely that argument
            if isinstance(a, (int, np.integer)) and not isinstance(a, bool) and a > 1 and i < len(context.names):
                out.append((int(a), f"{context.names[i]}"))
    for name, arr in _named_arrays(context):
        for axis, n in enumerate(arr.shape):
            if n > 1:
                out.append((n, f"the size of {name} along axis {axis}" if arr.ndim > 1 else f"the length of {name}"))
        if arr.ndim > 1 and arr.size > 1:
            out.append((arr.size, f"the number of entries of {name}"))
    return out


def _name_factor(c: float, context) -> str | None:
    named = {-1.0: "-1: the sign is flipped", 2.0: "2", 0.5: "1/2", 4.0: "4", 0.25: "1/4", -2.0: "-2",
             -0.5: "-1/2", 3.0: "3", 1 / 3: "1/3"}
    for value, text in named.items():
        if abs(c - value) <= 1e-9 * abs(value):
            return text
    for n, what in _sizes(context):
        for value, text in ((n, f"N = {n}, {what}: a missing 1/N (a sum where a mean belongs?)"),
                            (1 / n, f"1/N with N = {n}, {what}: a division by N too many"),
                            (n / (n - 1), f"N/(N - 1) with N = {n}, {what}: dividing by N - 1 where N belongs "
                                          f"(or the reverse)"),
                            ((n - 1) / n, f"(N - 1)/N with N = {n}, {what}: dividing by N where N - 1 belongs "
                                          f"(or the reverse)"),
                            (2 / n, f"2/N with N = {n}, {what}: a 1/N and a 1/2 wrong together?"),
                            (n / 2, f"N/2 with N = {n}, {what}: a 1/N and a 1/2 wrong together?")):
            if abs(c - value) <= 1e-9 * abs(value):
                return text
    return None


def _informative(pairs) -> int:
    """Entries that can show a factor or a power: nonzero, and not all small integers (epoch indices, counts:
    a ratio of two small integers is a coincidence more often than a cause)."""
    if all(np.all(np.isfinite(e)) and np.all(e == np.round(e)) and np.all(np.abs(e) <= 100) for _, e in pairs):
        return 0
    return sum(int(np.count_nonzero(e)) for _, e in pairs)


def _entry_ratios(g, e) -> np.ndarray | None:
    """got/expected on the entries where the expected value is not ~0 (where it is, got must be ~0 too),
    flat; None when the pair cannot show a factor (another shape, a non-finite value)."""
    g = _shaped(g, e)
    if g is None or not np.all(np.isfinite(g)) or not np.all(np.isfinite(e)):
        return None
    scale = float(np.max(np.abs(e), initial=0.0))
    big = np.abs(e) > 1e-9 * scale
    if np.any(np.abs(g[~big]) > 1e-9 * max(scale, 1e-300)):
        return None
    with np.errstate(all="ignore"):
        return (g[big] / e[big]).reshape(-1)


def _factor(mismatch, pairs, context) -> str | None:
    ratios = []
    for g, e in pairs:
        r = _entry_ratios(g, e)
        if r is None:
            return None
        ratios.append(r)
    r = np.concatenate(ratios) if ratios else np.zeros(0)
    if r.size < 2 or _informative(pairs) < 2:   # one number alone always has "a factor"
        return None
    c = float(np.median(r))
    if not np.allclose(r, c, rtol=1e-4 * abs(c - 1), atol=0) or abs(c - 1) < 1e-6 or c == 0:
        return None
    name = _name_factor(c, context)
    if name is None:
        return (f"your result is {c:.6g} times the expected one, on every entry and input tried: a constant "
                f"factor is wrong (a coefficient, a 1/2, a 1/N or a step size?).")
    return f"your result is the expected one times {name}, on every entry and input tried."


def _power(mismatch, pairs, context) -> str | None:
    if _informative(pairs) < 2:
        return None
    for how, f, text in (
            ("square", lambda e: e * e,
             "your result is the square of the expected one, on every entry and input tried: a square "
             "where none belongs (or a square root left out)."),
            ("sqrt", lambda e: np.sqrt(e),
             "your result is the square root of the expected one, on every entry and input tried: a "
             "square root where none belongs (or a square left out)."),
            ("reciprocal", lambda e: 1.0 / e,
             "your result is 1 over the expected one, on every entry and input tried: a fraction "
             "upside down.")):
        ok = True
        for g, e in pairs:
            g = _shaped(g, e)
            with np.errstate(all="ignore"):
                if how == "sqrt" and np.any(e < 0):
                    ok = False
                    break
                if g is None or not np.all(np.isfinite(g)):
                    ok = False
                    break
                t = f(e)
                informative = np.isfinite(t) & (np.abs(np.abs(e) - 1) > 1e-6) & (e != 0)
                if not np.any(informative) or not np.allclose(g[informative], t[informative], rtol=1e-9, atol=0) \
                        or not np.allclose(g[~informative & np.isfinite(t)], t[~informative & np.isfinite(t)],
                                           rtol=1e-9, atol=1e-12):
                    ok = False
                    break
        if ok:
            return text
    return None


def _shape(mismatch, pairs, context) -> str | None:
    g, e = mismatch.got, mismatch.expected
    if g.shape == e.shape or (e.ndim == 0 and g.size == 1):
        return None
    if g.size == e.size and g.ndim == 2 and g.shape == e.shape[::-1]:
        if np.allclose(g, e.T, rtol=1e-9, atol=1e-12 * float(np.max(np.abs(e), initial=1.0)), equal_nan=True):
            return (f"your result is the transpose of the expected one (shape {g.shape} instead of {e.shape}): "
                    f"rows and columns are swapped (an axis or a matrix product the wrong way round?).")
    if g.size == e.size:
        return (f"your result has the right numbers of entries but shape {g.shape} instead of {e.shape}: "
                f"check the order of the axes (a reshape or a transpose?).")
    if g.ndim == e.ndim + 1 and any(g.shape[:k] + g.shape[k + 1:] == e.shape for k in range(g.ndim)):
        return (f"your result has an extra axis (shape {g.shape} instead of {e.shape}): a sum or a mean over "
                f"one axis is missing, or keepdims kept an axis of length 1.")
    if e.ndim == g.ndim + 1 and any(e.shape[:k] + e.shape[k + 1:] == g.shape for k in range(e.ndim)):
        return (f"your result is missing an axis (shape {g.shape} instead of {e.shape}): something was summed or "
                f"averaged over an axis the answer keeps.")
    if g.ndim == e.ndim and g.ndim >= 1:
        diff = [k for k in range(g.ndim) if g.shape[k] != e.shape[k]]
        if len(diff) == 1 and abs(g.shape[diff[0]] - e.shape[diff[0]]) == 1:
            k = diff[0]
            return (f"your result has {g.shape[k]} entries along axis {k} where {e.shape[k]} are expected: an "
                    f"off-by-one (a range's end, or the starting point left out or counted twice?).")
    return None


def _transposed(mismatch, pairs, context) -> str | None:
    g, e = mismatch.got, mismatch.expected
    if g.ndim != 2 or g.shape != e.shape or g.shape[0] != g.shape[1] or np.allclose(e, e.T):
        return None
    ok = all(_shaped(s, r) is not None and s.ndim == 2 and s.shape == r.T.shape
             and np.allclose(s, r.T, rtol=1e-9, atol=1e-12 * float(np.max(np.abs(r), initial=1.0)))
             for s, r in pairs)
    if ok:
        return ("your result is the transpose of the expected one: rows and columns are swapped (an axis or "
                "a matrix product the wrong way round?).")
    return None


def _float32(mismatch, pairs, context) -> str | None:
    g, e = mismatch.got, mismatch.expected
    if g.shape != e.shape or not np.all(np.isfinite(g)) or g.size == 0:
        return None
    with np.errstate(all="ignore"):
        single = np.array_equal(g.astype(np.float32).astype(np.float64), g)
        rel = np.abs(g - e) <= 1e-6 * np.abs(e) + 1e-30
    if single and bool(np.all(rel)):
        return ("your result has only float32 precision (about 7 significant digits): somewhere the values "
                "went through float32 (a dtype=np.float32 array, an .astype(np.float32)); compute in float64.")
    return None


def _expected_scale(pairs) -> float:
    """The largest expected entry over the pairs (a tiny positive number when all are 0)."""
    return max(float(np.max(np.abs(np.concatenate([e.reshape(-1) for _, e in pairs])), initial=0.0)), 1e-300)


def _shift(mismatch, pairs, context) -> str | None:
    shifts = []
    for g, e in pairs:
        g = _shaped(g, e)
        if g is None or not np.all(np.isfinite(g)) or not np.all(np.isfinite(e)):
            return None
        shifts.append((g - e).reshape(-1))
    d = np.concatenate(shifts)
    if d.size < 2 or len(pairs) + (mismatch.got.size - 1) < 2:
        return None
    c = float(np.median(d))
    scale = _expected_scale(pairs)
    if c == 0 or not np.allclose(d, c, rtol=1e-7, atol=1e-12 * scale):
        return None
    return (f"your result is the expected one plus {c:.6g}, on every entry and input tried: a constant term is "
            f"wrong (an added or missing constant, or a sum started from the wrong value?).")


# ---------------------------------------------------------------------------- factors that follow an argument
def _pair_ratios(pairs) -> list[float] | None:
    """Per pair, the one ratio got/expected shared by all its entries (None if there is none)."""
    out = []
    for g, e in pairs:
        r = _entry_ratios(g, e)
        if r is None or r.size == 0:
            return None
        c = float(np.median(r))
        if not np.allclose(r, c, rtol=1e-7, atol=0):
            return None
        out.append(c)
    return out


_EXPRESSIONS = [
    ("{a}", lambda a: a), ("1/{a}", lambda a: 1 / a), ("{a}^2", lambda a: a * a), ("1/{a}^2", lambda a: 1 / (a * a)),
    ("2*{a}", lambda a: 2 * a), ("{a}/2", lambda a: a / 2), ("sqrt({a})", math.sqrt), ("1/sqrt({a})", lambda a: a ** -0.5),
    ("(1 - {a})", lambda a: 1 - a), ("1/(1 - {a})", lambda a: 1 / (1 - a)), ("(1 - {a})^2", lambda a: (1 - a) ** 2),
    ("1/(1 - {a})^2", lambda a: (1 - a) ** -2), ("{a}/(1 - {a})", lambda a: a / (1 - a)),
    ("(1 - {a})/{a}", lambda a: (1 - a) / a), ("(1 + {a})", lambda a: 1 + a), ("1/(1 + {a})", lambda a: 1 / (1 + a)),
]


def _expression_value(f, value: float) -> float | None:
    """f(value) for one of _EXPRESSIONS, None where it is undefined (1/0, sqrt of a negative)."""
    try:
        with np.errstate(all="ignore"):
            return f(value)
    except (ZeroDivisionError, ValueError, OverflowError):
        return None


def _scalars(args, kwargs, names) -> dict[str, float]:
    return {name: float(a) for name, a in _named_arguments(args, kwargs, names)
            if isinstance(a, (float, np.floating)) and not isinstance(a, bool)}


def _explain_ratios(ratios, context, what: str) -> str | None:
    """A ratio that follows one scalar argument across the inputs (lam, p, lr...), named."""
    if context is None or len(ratios) < 2 or len(context.inputs) != len(ratios):
        return None
    per_input = [_scalars(a, k, context.names) for a, k in context.inputs]
    for name in per_input[0]:
        values = [s.get(name) for s in per_input]
        if any(v is None for v in values) or len({round(v, 12) for v in values}) < 2:
            continue     # the argument never changed: a constant factor would fit as well
        for text, f in _EXPRESSIONS:
            target = [_expression_value(f, v) for v in values]
            if None in target:
                continue
            # the factor must stand out from 1 (a tiny eps would otherwise "explain" any near-1 ratio) and be
            # matched far more closely than its distance to 1
            if all(math.isfinite(t) and abs(t - 1) > 1e-6 and abs(c - t) <= 1e-4 * abs(t - 1)
                   for c, t in zip(ratios, target)):
                expr = text.format(a=name)
                return (f"{what} is the expected one times {expr}, on every input tried ({name} = "
                        f"{significant(values[0], values[0] * 2)} here): look at where {name} enters your formula "
                        f"(a factor {expr} too many, or its inverse left out).")
    return None


def _argument_factor(mismatch, pairs, context) -> str | None:
    if _informative(pairs) < 1:
        return None
    ratios = _pair_ratios(pairs)
    return None if ratios is None else _explain_ratios(ratios, context, "your result")


def _distinct_answers(pairs) -> bool:
    """The inputs tried have different answers (else agreeing on all of them proves little)."""
    return len({e.tobytes() for _, e in pairs}) >= 2


def _update_factor(mismatch, pairs, context) -> str | None:
    """For a one-step update (declared start, w): the change from w, compared with the expected change."""
    if context is None or context.path not in ((), (0,)):
        return None
    it = _ITERATIVE.get(context.call.function)
    if it is None or not it.start or it.start not in context.names:
        return None
    moves = []
    for (g, e), (args, kwargs) in zip(pairs, context.inputs):
        w = _floats(_argument(args, kwargs, context.names, it.start))
        if w is None or w.shape != e.shape:
            return None
        moves.append((g - w, e - w))
    ratios = _pair_ratios(moves)
    if ratios is None:
        return None
    named = _explain_ratios(ratios, context, f"your update (the change from {it.start})")
    if named:
        return named
    c = float(np.median(ratios))
    if len(ratios) >= 2 and abs(c - 1) > 1e-6 and np.allclose(ratios, c, rtol=1e-4 * abs(c - 1)):
        name = _name_factor(c, context)
        return (f"your update (the change from {it.start}) is {name or f'{c:.6g}'} times the expected one, on every "
                f"input tried: the direction is right, its size is not (a learning rate, a bias correction, "
                f"a factor of the decay?).")
    return None


def _entry_offsets(mismatch, pairs, context) -> str | None:
    """A short result (an epoch pair...) where some entries are right and others are off by the same amount
    on every input tried."""
    if len(pairs) < 2 or mismatch.expected.size > 4 or mismatch.expected.size < 2 or not _distinct_answers(pairs):
        return None
    diffs = []
    for g, e in pairs:
        g = _shaped(g, e)
        if g is None or not np.all(np.isfinite(g)):
            return None
        diffs.append((g - e).reshape(-1))
    d = np.array(diffs)
    scale = _expected_scale(pairs)
    off = np.abs(d[0]) > 1e-6 * scale          # offsets that are more than rounding
    if not off.any() or not np.allclose(d, d[0], rtol=0, atol=1e-9 * scale) \
            or np.any(np.abs(d[0][~off]) > 1e-12 * scale):
        return None
    parts = [f"entry {k} is {'+' if x > 0 else ''}{significant(x, 2 * x)}" for k, x in enumerate(d[0]) if off[k]]
    right = [str(k) for k in range(d.shape[1]) if not off[k]]
    return (f"on every input tried, {', '.join(parts)} away from the expected value"
            + (f", while entry {', '.join(right)} is right" if right else "") + ": a constant offset in that "
            f"part of your computation (an off-by-one, or an index counted from 1?).")


# ---------------------------------------------------------------------------- how the result responds to each argument
def _sensitivity(mismatch, pairs, context) -> str | None:
    """Move one number argument at a time (lam, lr, p...) and compare how the student's result and the
    reference's change: a result that ignores an argument, or whose term in that argument is c times the
    expected one (the term of lam2 with a factor 2, a decay not multiplied by lr...), names the argument.
    Checked on the failing input and on a perturbed one, which must agree. Costs one more message to the
    student, only here (a failed check nothing else explained)."""
    if context is None or context.student is None or mismatch.got.shape != mismatch.expected.shape:
        return None
    # the failing input, and a bold perturbation of it (a degenerate input, mean = 0, hides a term)
    second = next((i for i in range(1, len(pairs)) if i < len(context.bold) and context.bold[i]), 1)
    bases = [(context.inputs[i][0], context.inputs[i][1], *pairs[i]) for i in (0, second)
             if i < len(pairs) and i < len(context.inputs) and pairs[i][0].shape == pairs[i][1].shape
             and np.all(np.isfinite(pairs[i][0])) and np.all(np.isfinite(pairs[i][1]))]
    if not bases or bases[0][2] is not mismatch.got:
        return None
    moves = []
    for b, (args, kwargs, got, expected) in enumerate(bases):
        for name, value in list(_scalars(args, kwargs, context.names).items()) + _float_arrays(args, kwargs, context.names):
            if isinstance(value, np.ndarray):
                # an array (gamma, b...): each entry scaled by its own factor in [0.7, 1.3] (signs and zeros
                # kept: a uniform scale or a moved zero changes nothing in a scale-free or sign-only formula)
                moved_value = value * (1.0 + 0.3 * np.sin(1.0 + np.arange(value.size))).reshape(value.shape)
            else:
                moved_value = value + (0.25 * abs(value) if value else 0.1)
                if 0.0 < value < 1.0 and moved_value >= 1.0:
                    moved_value = (value + 1.0) / 2      # a probability stays below 1
            moved_args, moved_kwargs = _with_argument(args, kwargs, context.names, name, moved_value)
            r = _value(context.reference, moved_args, moved_kwargs, context.path)
            if r is not None and r.shape == expected.shape and np.all(np.isfinite(r)):
                moves.append((b, name, value, moved_value, moved_args, moved_kwargs, r))
    if not moves:
        return None
    from .framework import call_args
    try:
        outs = context.student.call_many(context.call.function,
                                         [call_args(*m[4], **m[5]) for m in moves])
    except Exception:  # noqa: BLE001 - the student's code failed on a moved argument: nothing to say
        return None
    found: dict[str, list] = {}
    for (b, name, value, moved_value, _, _, r), out in zip(moves, outs):
        args, kwargs = bases[b][0], bases[b][1]
        try:
            s = _shaped(_floats(_pick(out, context.path)), r)
        except Exception:  # noqa: BLE001
            s = None
        _, _, got, expected = bases[b]
        ok = s is not None and np.all(np.isfinite(s))
        answer = _response(value, moved_value, got, expected, s, r) if ok else None
        if answer is not None and answer[0] == "factor":     # named per input: 1/lr is 10 here, 4 there
            c = answer[1]
            answer = ("factor", "-1" if abs(c + 1) <= 1e-9 else
                      (_name_factor(c, context) or _name_by_arguments(c, args, kwargs, context.names)))
        found.setdefault(name, []).append(answer)
    for name, answers in found.items():
        if len(answers) < len(bases) or any(a is None or a[1] is None and a[0] == "factor" for a in answers) \
                or len(set(answers)) != 1:
            continue
        kind, size = answers[0]
        if kind == "ignores":
            return (f"your result does not change when {name} changes, on every input tried, but the answer does: "
                    f"check how {name} enters your computation (is it used at all, or multiplied by 0 somewhere?).")
        if size == "-1":
            return (f"the term of your result in {name} has the opposite sign of the expected one, on every input "
                    f"tried (the rest is right): a sign slipped in that term.")
        return (f"the term of your result in {name} is the expected one times {size}, on every input tried "
                f"(the rest is right): that term has a wrong factor.")
    return None


def _float_arrays(args, kwargs, names) -> list[tuple[str, np.ndarray]]:
    """The named float array arguments, masks and probability rows left out (moving them breaks them)."""
    return [(name, a) for name, a in _named_arguments(args, kwargs, names)
            if type(a) is np.ndarray and a.dtype.kind == "f" and a.size and not _is_mask_or_distribution(a)]


def _with_argument(args, kwargs, names, name, value):
    args, kwargs = list(args), dict(kwargs)
    if name in kwargs:
        kwargs[name] = value
    else:
        args[names.index(name)] = value
    return tuple(args), kwargs


def _response(value, moved_value, got, expected, moved_got, moved_expected):
    """("ignores", None), ("factor", c) or None: how the student's result follows one moved argument. A factor
    c on the term in the argument is kept only when it accounts for the whole error, as it does for a term
    linear in the argument (a + name*b computed as a + c*name*b: got - expected = (c - 1)*name*b)."""
    d_student, d_reference = moved_got - got, moved_expected - expected
    scale = float(np.max(np.abs(d_reference), initial=0.0))
    if scale <= 1e-9 * max(float(np.max(np.abs(expected), initial=0.0)), 1e-300):
        return None                  # the answer does not depend on this argument here
    big = np.abs(d_reference) > 1e-6 * scale
    if np.any(np.abs(d_student[~big]) > 1e-6 * scale):
        return None
    if np.all(np.abs(d_student) <= 1e-9 * scale):
        return ("ignores", None)
    if isinstance(value, np.ndarray):
        return None                  # a factor on an array argument's term: not modelled
    with np.errstate(all="ignore"):
        r = (d_student[big] / d_reference[big]).reshape(-1)
    c = float(np.median(r))
    if abs(c - 1) < 1e-4 or not np.allclose(r, c, rtol=1e-6 * max(abs(c - 1), 1e-3) + 1e-9):
        return None
    error_scale = max(float(np.max(np.abs(expected), initial=0.0)), scale)
    explained = (c - 1) * (value / (moved_value - value)) * d_reference
    if value == 0 or not np.allclose(got - expected, explained, rtol=1e-6, atol=1e-9 * error_scale):
        return None                  # the argument's term is not the whole story
    return ("factor", c)


def _name_by_arguments(c: float, args, kwargs, names) -> str | None:
    """c as an expression of one number argument (1/lr, (1 - p)...), without its value: the same text on
    every input where the same expression fits."""
    for name, value in _scalars(args, kwargs, names).items():
        for text, f in _EXPRESSIONS:
            t = _expression_value(f, value)
            if t is not None and math.isfinite(t) and abs(t - 1) > 1e-6 and abs(c - t) <= 1e-6 * abs(t):
                return text.format(a=name)
    return None
