"""The leave-one-out measure of the hints (shared by tests/test_leave_one_out.py and tools/leave_one_out.py).

For each catalogued mistake (course/<id>/mistakes.py), the suites grade it twice in process:
once as they are, once with the mistake's own models and values removed (every Mistake whose hint
contains the variant's phrase), as if it were a new mistake nobody catalogued. The second run's
hints on the mistake's function are then, for the student:

- precise: a hint still names the mistake (another check's own words for it);
- generic: only diagnostics computed from the numbers (diagnose.Observation: a factor, a sign,
  NaN where ..., an iteration too many...);
- contract: only hints a suite attaches to a property check, which restate the contract (the answer
  minimizes ..., a row outside the ball has norm r) and name no mistake;
- silent: no hint, the failure message alone (with the digits that matter);
- misleading: a hint that names some other mistake, one the student did not make (a known mistake
  named by the framework, or a suite's hint that is some catalogued mistake's hint).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from autograder import diagnose
from tests.catalogue import assignment, catalogue_entries, grade_in_process, variant_module

MODULES = ["penalties", "proximal", "dropout", "label_smoothing", "optimizers", "early_stopping",
           "normalization"]
KINDS = ("precise", "generic", "contract", "silent", "misleading")


@dataclass
class Outcome:
    module: str
    variant: str
    function: str
    kind: str
    hints: list


def catalogue(module: str):
    return catalogue_entries(assignment(module))[0]


def own_mistake(variant):
    phrases = [variant.hint.lower()] + [p.lower() for p in getattr(variant, "same_as", ())]
    return lambda mistake: any(p in (mistake.hint or "").lower() for p in phrases)


def mistake_hints(module: str) -> set[str]:
    """Every hint of a Mistake the suites of `module` define (models and literals alike)."""
    from autograder import framework
    a = assignment(module)
    framework.load_cases(a.suite, hidden=True)
    return {m.hint for ms in framework._known_mistakes.get(a.suite, {}).values() for m in ms} | \
        set(_literal_hints(a))


def _literal_hints(a) -> list[str]:
    import ast
    from autograder.framework import suite_paths
    hints = []
    for path in suite_paths(a.suite, hidden=True):
        module = sys.modules[f"_suite_{a.suite}_{path.stem}"]      # loaded by framework.load_cases
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Mistake" and len(node.args) == 3:
                try:
                    hints.append(eval(compile(ast.Expression(node.args[2]), str(path), "eval"), vars(module)))
                except Exception:  # noqa: BLE001 - a hint built at run time: the model registry has it
                    pass
    return hints


def classify(hints, variant, catalogued: set[str]) -> str:
    phrases = [variant.hint.lower()] + [p.lower() for p in getattr(variant, "same_as", ())]
    right = [h for h in hints if any(p in h.lower() for p in phrases)]
    if any((diagnose.is_named(h) or h in catalogued) and h not in right for h in hints):
        return "misleading"           # another mistake named, even next to the right hint
    if right:
        return "precise"
    if any(diagnose.is_generic(h) for h in hints):
        return "generic"
    return "contract" if hints else "silent"


def measure(module: str, variant) -> Outcome:
    a = assignment(module)
    with diagnose.ignoring(own_mistake(variant)):
        results = grade_in_process(a, variant_module(a, variant.code))
    hints = [r.hint for r in results if r.function == variant.function and r.status != "passed" and r.hint]
    return Outcome(module, variant.name, variant.function, classify(hints, variant, _catalogued(module)), hints)


_catalogued_cache: dict[str, set[str]] = {}


def _catalogued(module: str) -> set[str]:
    if module not in _catalogued_cache:
        _catalogued_cache[module] = mistake_hints(module)
    return _catalogued_cache[module]


def measure_all(modules=MODULES) -> list[Outcome]:
    return [measure(m, v) for m in modules for v in catalogue(m)]


def table(outcomes: list[Outcome]) -> str:
    lines = [f"{'assignment':16} {'mistakes':>8} " + " ".join(f"{k:>10}" for k in KINDS) + f" {'precise+generic':>16}"]
    for module in dict.fromkeys(o.module for o in outcomes):
        rows = [o for o in outcomes if o.module == module]
        counts = [sum(o.kind == k for o in rows) for k in KINDS]
        share = (counts[0] + counts[1]) / len(rows)
        lines.append(f"{module:16} {len(rows):>8} " + " ".join(f"{c:>10}" for c in counts) + f" {share:>15.0%}")
    counts = [sum(o.kind == k for o in outcomes) for k in KINDS]
    lines.append(f"{'all':16} {len(outcomes):>8} " + " ".join(f"{c:>10}" for c in counts)
                 + f" {(counts[0] + counts[1]) / max(len(outcomes), 1):>15.0%}")
    return "\n".join(lines)
