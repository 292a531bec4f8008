"""Grade one submission, and turn results into reports (Gradescope JSON, Markdown feedback).

Stable API (used by the batch grader, the Gradescope bundle, the class report and the
student bundle):

    grade_submission(assignment, submission_dir, *, hidden=True, functions=None,
                     sandbox_options=None) -> list[CaseResult]
    gradescope_results(results, *, output="") -> dict        # Gradescope results.json
    results_json(report) -> str                              # ... as the file's text
    feedback_markdown(student, assignment, results) -> str   # readable feedback (templates/feedback.md.j2)
    by_function(results) -> dict[function, FunctionResult]   # (autograder.results)
    submission_status(assignment, submission_dir, results) -> (status, message)
    self_check(assignment) -> list[CaseResult]             # reference vs. suites, warms caches

Code cases come from `framework.load_cases` (public, plus hidden when `hidden`), run
against a `sandbox.SandboxedSubmission` of `<submission_dir>/<module>.py` with the
reference from `course.load_reference` (only when hidden cases are graded). If
`autograder.quiz` provides `grade_quiz_answers(assignment, submission_dir)`, its
results are appended. Loaded cases and references are cached per process.
"""
from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Sequence

from . import framework
from .course import Assignment, load_reference
from .results import CaseResult, FunctionResult, Status, by_function, totals

_cases_cache: dict[tuple[str, bool], list] = {}


def reference_for(assignment: Assignment) -> framework.CachedReference:
    """The reference solution of an assignment, loaded once per process, results memoized."""
    return framework.cached_reference(load_reference(assignment))


def cases_for(assignment: Assignment, hidden: bool) -> list:
    key = (assignment.suite, hidden)
    if key not in _cases_cache:
        _cases_cache[key] = framework.load_cases(assignment.suite, hidden=hidden)
    return _cases_cache[key]


def self_check(assignment: Assignment) -> list[CaseResult]:
    """Grade the reference solution on every code case, in this (trusted) process; returns the cases
    it does not pass (none, unless the suites or the reference are broken).

    The batch grader runs it before grading, each grading process on its share of the assignments
    while its sandbox zygote boots: besides the check, it loads the suites, the reference and the
    quiz key, and fills the per-process caches (fixed inputs and the reference's results on them).
    InProcessSubmission is used here on the reference only, never on student code.
    """
    cases = cases_for(assignment, True)
    results = framework.run_cases(cases, framework.InProcessSubmission(load_reference(assignment)),
                                  reference_for(assignment))
    try:
        from . import quiz
        path = quiz.quiz_key_path(assignment)
        if path is not None:
            quiz._load_key_cached(path)
    except Exception:  # noqa: BLE001 - a quiz problem is reported per submission, as usual
        pass
    return [r for r in results if r.status != Status.PASSED]


def _quiz_grader():
    try:
        module = importlib.import_module("autograder.quiz")
    except ModuleNotFoundError as exc:
        if exc.name in ("autograder.quiz",):
            return None
        raise
    return getattr(module, "grade_quiz_answers", None)


def grade_submission(assignment: Assignment, submission_dir: Path, *, hidden: bool = True,
                     functions: Sequence[str] | None = None, sandbox_options: dict | None = None,
                     quiz: bool = True, student: str | None = None, runner: str = "sandbox") -> list[CaseResult]:
    """Run the assignment's cases on `<submission_dir>/<module>.py` in a sandbox.

    `functions` restricts the code cases to those functions (quiz results are then
    left out). `sandbox_options` are passed to SandboxedSubmission (call_timeout,
    memory_mb, ...). `runner`: "sandbox" (batch grading: the strict sandbox, always), or
    "auto"/"portable" for a student's own check (autograder/portable.py). A missing module gives every code case the status
    "import_error" with a message saying so; never raises for student problems.
    `student` picks the variant of per-student quiz questions (default: the submission
    folder's parent, nbgrader's <student>/<assignment>/ layout).
    """
    from .portable import submission_class

    submission_dir = Path(submission_dir)
    cases = cases_for(assignment, hidden)
    if functions:
        cases = [c for c in cases if c.function in set(functions)]
    module_path = submission_dir / assignment.filename
    if not module_path.is_file():
        message = f"your submission has no {assignment.filename} (expected it in {submission_dir.name}/)"
        results = [CaseResult(c.name, c.function, 0.0, c.points, Status.IMPORT_ERROR, message, None, c.visibility)
                   for c in cases]
    else:
        ref = reference_for(assignment) if any(c.wants_reference for c in cases) else None
        with submission_class(runner)(module_path, module_name=assignment.module, **(sandbox_options or {})) as sub:
            results = framework.run_cases(cases, sub, ref)
    if quiz and not functions:
        results += quiz_results(assignment, submission_dir, student=student)
    for r in results:   # messages quote what student code returned, raised or printed
        r.output = printable(r.output)
        r.hint = printable(r.hint) if r.hint else r.hint
    return results


# Control characters (terminal escapes, carriage returns, NUL), bidirectional overrides, invisible
# characters and lone surrogates (which cannot even be written as UTF-8): shown as escapes instead.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                          "\ufeff\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` safe to print in a terminal, a Markdown file or JSON: newlines and tabs stay, every other
    control or invisible character becomes its escape (\\x1b, \\u202e, ...)."""
    if not text or text.isprintable() and "\n" not in text:
        return text or ""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def quiz_results(assignment: Assignment, submission_dir: Path, student: str | None = None) -> list[CaseResult]:
    """The quiz's cases: a visible one about the answer sheet's format, then one per graded question
    (after_published). Per-question results without the CaseResult wrapping, e.g. for nbgrader's
    gradebook: `autograder.quiz.quiz_question_results(assignment, submission_dir, student=...)`."""
    grader = _quiz_grader()
    if grader is None:
        return []
    try:
        return list(grader(assignment, Path(submission_dir), student=student))
    except Exception as exc:  # noqa: BLE001 - a grader bug must not lose the code score
        return [CaseResult("quiz: answers", "quiz", 0.0, 0.0, Status.ERROR,
                           f"the quiz could not be graded ({type(exc).__name__}: {exc}); "
                           "this is not your fault, tell the instructor")]


def submission_status(assignment: Assignment, submission_dir: Path,
                      results: Sequence[CaseResult]) -> tuple[Status, str]:
    """The gradebook row status and a one-line message for a graded submission."""
    if not (Path(submission_dir) / assignment.filename).is_file():
        return Status.MISSING_MODULE, f"no {assignment.filename} in the submission"
    code = [r for r in results if r.function != "quiz"]
    if code and all(r.status == Status.IMPORT_ERROR for r in code):
        return Status.IMPORT_ERROR, code[0].output.splitlines()[0] if code[0].output else "import failed"
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return Status.GRADED, ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))


# ============================================================================ summaries
def _fmt(x: float) -> str:
    return f"{x:g}"


def _case_output(r: CaseResult) -> str:
    text = r.output or ""
    if r.hint:
        text += ("\n" if text else "") + f"Hint: {r.hint}"
    return text


# ============================================================================ Gradescope
def gradescope_results(results: Sequence[CaseResult], *, output: str = "") -> dict:
    """Gradescope's results.json: score, max_score, output, tests[].

    Each test: name, score, max_score, status ("passed"/"failed"), output (message and
    hint), visibility ("visible" for public cases, "after_published" for hidden ones),
    extra_data {function, hint, outcome} where outcome is our detailed status
    (passed, failed, error, not_implemented, timeout, crashed, import_error).
    """
    score, max_score = totals(results)
    tests = []
    for r in results:
        tests.append({
            "name": r.name,
            "score": float(r.score),
            "max_score": float(r.max_score),
            "status": Status.PASSED if r.passed else Status.FAILED,
            "output": _case_output(r),
            "visibility": r.visibility if r.visibility in _VISIBILITIES else "visible",
            "extra_data": {"function": r.function, "hint": r.hint, "outcome": r.status},
        })
    summary = output or visible_summary(results)
    return {"score": float(score), "max_score": float(max_score), "output": summary,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


# What students see before the instructor publishes: Gradescope shows the top-level output at once,
# and a test only when its visibility allows (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
SHOWN_BEFORE_PUBLICATION = {"visible"}


def visible_summary(results: Sequence[CaseResult]) -> str:
    """Per-function totals of the tests students may see now (the top-level output is always shown,
    so hidden and after_published results must not be counted in it)."""
    shown = [r for r in results if r.visibility in SHOWN_BEFORE_PUBLICATION or r.visibility not in _VISIBILITIES]
    lines = [f"{fs.function}: {_fmt(fs.score)}/{_fmt(fs.max_score)} ({fs.status.label})"
             for fs in by_function(shown).values()]
    if len(shown) < len(results):
        lines.append("These totals count the tests shown now; the other tests, and your total score, "
                     "are shown when your instructor publishes the grades.")
    return "\n".join(lines)


_VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def results_json(report: dict) -> str:
    """A Gradescope results dict as JSON text: the summary keys, then one test per line.

    As readable as json.dumps(indent=...) for a person opening the file, and written by the C
    encoder (json's indent option falls back to the pure-Python one, ~10x slower per class).
    """
    head = {k: v for k, v in report.items() if k != "tests"}
    lines = [json.dumps(head)[:-1] + ', "tests": [']
    lines.append(",\n".join("  " + json.dumps(t) for t in report.get("tests", [])))
    lines.append("]}")
    return "\n".join(lines) + "\n"


# ============================================================================ Markdown feedback
def feedback_markdown(student: str, assignment: Assignment | str, results: Sequence[CaseResult], *,
                      status: Status | None = None, message: str = "", notes: Sequence[str] = ()) -> str:
    """Readable feedback (templates/feedback.md.j2): total, a per-function table, then each failed test
    with its message and hint. `status` and `message` say why a submission was not simply graded;
    `notes` are what was done with the submitted folder (a renamed module, a skipped link).

    A function that is not implemented gets one line ("not implemented yet"), never a traceback.
    """
    from .rendering import render

    title = f"{assignment.id} ({assignment.title})" if isinstance(assignment, Assignment) else str(assignment)
    score, max_score = totals(results)
    functions = by_function(results)
    code = [r for r in results if r.function != "quiz"]
    failed_import = next((r for r in results if r.status == Status.IMPORT_ERROR), None)
    whole_module = failed_import is not None and all(r.status == Status.IMPORT_ERROR for r in code)
    problems = [r for r in results if not r.passed]
    return render("feedback.md.j2", student=student, title=title, notes=list(notes),
                  status=None if status in (None, Status.GRADED) else status, message=message,
                  score=_fmt(score), max_score=_fmt(max_score),
                  import_failure=failed_import.output.strip()[:2000] if whole_module else None,
                  functions=[{"function": fs.function, "score": _fmt(fs.score), "max_score": _fmt(fs.max_score),
                              "words": fs.status.words} for fs in functions.values()],
                  problems=bool(problems), sections=_fix_sections(functions, problems))


def _fix_sections(functions: dict[str, FunctionResult], problems: list[CaseResult]) -> list[dict]:
    """The "What to fix" part of the feedback, function by function: one line for a function not written
    yet, nothing more for a module that did not import (said once above), else each failed test."""
    sections = []
    for fn, fs in functions.items():
        failed = [r for r in problems if r.function == fn]
        if not failed or fs.status == Status.IMPORT_ERROR:
            continue
        if fs.status == Status.NOT_IMPLEMENTED:
            sections.append({"function": fn, "not_implemented": True})
            continue
        sections.append({"function": fn, "not_implemented": False, "entries": _fix_entries(failed)})
    return sections


def _fix_entries(failed: list[CaseResult]) -> list[dict]:
    entries = []
    last_hint = None   # "the same as above" only ever points at the hint right above
    for r in failed:
        if r.status == Status.NOT_IMPLEMENTED:
            entries.append({"name": r.name, "not_implemented": True})
            continue
        first, _, rest = (r.output or r.status).strip().partition("\n")
        hint = "the same as above." if r.hint and r.hint == last_hint else r.hint
        entries.append({"name": r.name, "not_implemented": False, "label": r.status.label, "first": first,
                        "detail": rest.strip().splitlines()[:12], "hint": hint})
        last_hint = r.hint
    return entries
