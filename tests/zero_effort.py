"""Submissions that do no work, for tests/test_zero_effort.py and tools/score_audit.py.

Each builder returns a module object standing in for a student's module: the release stub,
a table replay of the public suite (every call the public cases make, answered with the
reference's value for exactly those inputs), functions returning None, garbage of the right
shape (zeros, random numbers, the input itself) and NaN. None of them computes anything: a
grader that gives any of them more than a few percent of the code points rewards no work.
"""
from __future__ import annotations

import copy
import types
from typing import Callable

import numpy as np

from autograder import framework, grading
from autograder.course import Assignment, import_path, load_reference


def assignment_functions(a: Assignment) -> list[str]:
    """The student functions of an assignment: the public functions its reference module defines."""
    reference = load_reference(a)
    return [name for name, value in vars(reference).items()
            if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == reference.__name__]


# ============================================================================ keys of calls
def call_key(args: tuple, kwargs: dict) -> bytes:
    """A key of a call's arguments as the student's function receives them (live arrays, Generators,
    callables): arrays by dtype, shape and bytes; a Generator or a function only by its kind, since a
    replay cannot know more about them than that."""
    parts: list = []
    _key(args, parts)
    _key(sorted(kwargs.items()), parts)
    return repr(parts).encode()


def _key(value, parts: list) -> None:
    if isinstance(value, np.ndarray):
        parts.append(("array", value.dtype.str, value.shape, value.tobytes()))
    elif isinstance(value, np.random.Generator):
        parts.append("generator")
    elif isinstance(value, (tuple, list)):
        parts.append(("seq", len(value)))
        for v in value:
            _key(v, parts)
    elif isinstance(value, dict):
        _key(sorted(value.items(), key=lambda kv: str(kv[0])), parts)
    elif callable(value):
        parts.append("callable")
    else:
        parts.append((type(value).__name__, repr(value)))


# ============================================================================ table replay
def record_public_calls(a: Assignment) -> dict[str, dict[bytes, object]]:
    """{function: {call key: reference value}} for every call the public suite makes on a correct module."""
    reference = load_reference(a)
    table: dict[str, dict[bytes, object]] = {}
    recorder = types.ModuleType(f"_recorder_{a.module}")
    for name in assignment_functions(a):
        recorder.__dict__[name] = _recording(getattr(reference, name), table.setdefault(name, {}))
    framework.run_cases(grading.cases_for(a, False), framework.InProcessSubmission(recorder), None)
    return table


def _recording(fn: Callable, calls: dict) -> Callable:
    def recorded(*args, **kwargs):
        key = call_key(args, kwargs)   # before the call: the key of the inputs as they came in
        value = fn(*args, **kwargs)
        calls.setdefault(key, copy.deepcopy(value))
        return value
    return recorded


def table_replay(a: Assignment, on_miss: str) -> types.ModuleType:
    """Answers the public suite's exact inputs from a recorded table; any other call raises
    (on_miss="raise") or returns zeros shaped like its first array argument (on_miss="zeros")."""
    table = record_public_calls(a)
    module = types.ModuleType(f"_replay_{on_miss}_{a.module}")
    for name in assignment_functions(a):
        module.__dict__[name] = _replaying(name, table.get(name, {}), on_miss)
    return module


def _replaying(name: str, calls: dict, on_miss: str) -> Callable:
    def replayed(*args, **kwargs):
        key = call_key(args, kwargs)
        if key in calls:
            return copy.deepcopy(calls[key])
        if on_miss == "raise":
            raise KeyError(f"{name}: input not in the table")
        return np.zeros_like(_first_array(args, kwargs))
    replayed.__name__ = name
    return replayed


# ============================================================================ garbage returns
def _first_array(args, kwargs):
    for value in (*args, *kwargs.values()):
        if isinstance(value, np.ndarray):
            return np.asarray(value, dtype=float)
        if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (str, dict)):
            try:
                return np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                continue
    return np.float64(0.0)


_GARBAGE: dict[str, Callable] = {
    "none": lambda args, kwargs: None,
    "zeros": lambda args, kwargs: np.zeros_like(_first_array(args, kwargs)),
    "ones": lambda args, kwargs: np.ones_like(_first_array(args, kwargs)),
    "random": lambda args, kwargs: np.random.default_rng(0).standard_normal(np.shape(_first_array(args, kwargs))),
    "input_itself": lambda args, kwargs: _first_array(args, kwargs),
    "nan": lambda args, kwargs: np.full_like(_first_array(args, kwargs), np.nan),
    "inf": lambda args, kwargs: np.full_like(_first_array(args, kwargs), np.inf),
}


def garbage_module(a: Assignment, kind: str, tupled: bool = False) -> types.ModuleType:
    """Every function returns the same garbage; with tupled=True a function whose reference returns
    a tuple returns a tuple of that garbage (and an Adam state dict of it), matching the structure."""
    make = _GARBAGE[kind]
    module = types.ModuleType(f"_garbage_{kind}_{a.module}")
    for name in assignment_functions(a):
        module.__dict__[name] = _shaped_garbage(name, make, tupled)
    return module


def _shaped_garbage(name: str, make: Callable, tupled: bool) -> Callable:
    def garbage(*args, **kwargs):
        value = make(args, kwargs)
        if not tupled:
            return value
        state = next((v for v in (*args, *kwargs.values()) if isinstance(v, dict)), None)
        # (not adam_init: a dict of zeros shaped like w is its correct answer, not garbage)
        if state is not None:
            return value, {"step": 1, "m": value, "v": value}
        return (value, value, value) if name == "mixup" else (value, value)
    garbage.__name__ = name
    return garbage


def stub(a: Assignment) -> types.ModuleType:
    return import_path(a.release_dir() / a.filename, f"_zero_effort_stub_{a.module}")


def zero_effort_submissions(a: Assignment) -> dict[str, types.ModuleType]:
    """Every zero-effort submission of an assignment, by name."""
    out = {"release stub": stub(a),
           "table replay, else raise": table_replay(a, "raise"),
           "table replay, else zeros": table_replay(a, "zeros")}
    for kind in _GARBAGE:
        out[f"returns {kind}"] = garbage_module(a, kind)
        if kind != "none":
            out[f"returns {kind} (in the reference's tuple structure)"] = garbage_module(a, kind, tupled=True)
    return out


def code_share(a: Assignment, module) -> float:
    """The share of the assignment's code points a module earns when graded (public + hidden)."""
    results = framework.run_cases(grading.cases_for(a, True), framework.InProcessSubmission(module),
                                  grading.reference_for(a))
    score, max_score = grading.totals(results)
    return score / max_score
