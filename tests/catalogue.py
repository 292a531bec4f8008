"""Build variant submissions for the suite tests: the reference with some functions rewritten.

A catalogue entry gives the source of one function as a student might write it
(correct-but-unusual, or a classic mistake). `variant_module` splices it into the
reference module in place of the function of the same name, so every other
function stays correct and a lost point can be pinned on the intended function.
"""
from __future__ import annotations

import ast
import itertools
import sys
import textwrap
import types
from dataclasses import dataclass

from autograder.course import Assignment, ASSIGNMENTS, import_path
from autograder import framework

_counter = itertools.count()


@dataclass(frozen=True)
class Variant:
    name: str          # short id, e.g. "dropout_no_rescale"
    function: str      # the function this variant rewrites (and should lose points on)
    code: str          # source of the replacement function(s)
    hint: str = ""     # for mistakes: a phrase the grader's hint must contain (case-insensitive)
    same_as: tuple = ()  # other phrases that name the same mistake in other checks' own words
    # False: only one hand-picked input shows this mistake (the grader names a mistake only on evidence,
    # so it may stay unnamed); the suite tests then check that no other mistake is named instead
    named: bool = True


def hint_check(variant: Variant, hints: list) -> str | None:
    """None when the hints of the variant's function are right for it, else what is wrong."""
    from autograder import diagnose
    phrases = [variant.hint.lower()] + [p.lower() for p in variant.same_as]
    if any(any(p in (h or "").lower() for p in phrases) for h in hints):
        return None
    if variant.named:
        return f"{variant.name}: no hint contains {variant.hint!r}; got {hints}"
    wrong = [h for h in hints if diagnose.is_named(h)]
    return f"{variant.name}: named another mistake: {wrong}" if wrong else None


def variant_source(assignment: Assignment, code: str) -> str:
    """Reference source with the functions defined in `code` replaced by those definitions."""
    reference = (assignment.solution_dir() / assignment.filename).read_text()
    tree = ast.parse(reference)
    new_defs = {node.name: node for node in ast.parse(textwrap.dedent(code)).body
                if isinstance(node, ast.FunctionDef)}
    extra = [node for node in ast.parse(textwrap.dedent(code)).body if not isinstance(node, ast.FunctionDef)]
    body = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in new_defs:
            body.append(new_defs.pop(node.name))
        else:
            body.append(node)
    if new_defs:
        raise ValueError(f"variant defines functions the module does not have: {sorted(new_defs)}")
    # extra top-level statements (imports, helpers) go after the module's own imports
    tree.body = body + extra
    return ast.unparse(tree)


def variant_module(assignment: Assignment, code: str) -> types.ModuleType:
    module = types.ModuleType(f"_variant_{assignment.module}_{next(_counter)}")
    exec(compile(variant_source(assignment, code), module.__name__, "exec"), module.__dict__)
    return module


def grade_in_process(assignment: Assignment, module, hidden: bool = True) -> list[framework.CaseResult]:
    """Run the suites against a module in this process (suite tests only, not the real grader)."""
    from autograder import grading

    # suites and reference are loaded once per process, as the grader does
    cases = grading.cases_for(assignment, hidden)
    return framework.run_cases(cases, framework.InProcessSubmission(module), grading.reference_for(assignment))


def score_by_function(results) -> dict[str, tuple[float, float]]:
    totals: dict[str, list[float]] = {}
    for r in results:
        t = totals.setdefault(r.function, [0.0, 0.0])
        t[0] += r.score
        t[1] += r.max_score
    return {f: (s, m) for f, (s, m) in totals.items()}


def assignment(module_name: str) -> Assignment:
    return next(a for a in ASSIGNMENTS.values() if a.module == module_name)


def catalogue(assignment: Assignment) -> types.ModuleType:
    """The assignment's catalogue of student implementations, course/<id>/mistakes.py: MISTAKES (wrong
    ones, each losing points on its own function with its hint) and CORRECT (each scoring 100%)."""
    name = f"_catalogue_{assignment.module}"
    return sys.modules.get(name) or import_path(assignment.folder() / "mistakes.py", name)


def catalogue_entries(assignment: Assignment) -> tuple[list[Variant], list[Variant]]:
    """(MISTAKES, CORRECT) of the assignment's catalogue; both empty when it has none yet."""
    if not (assignment.folder() / "mistakes.py").is_file():
        return [], []
    found = catalogue(assignment)
    return list(getattr(found, "MISTAKES", [])), list(getattr(found, "CORRECT", []))
