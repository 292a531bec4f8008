"""Run the public tests on your own work: python -m autograder check [ASSIGNMENT or PATH] [-f FUNCTION]

    python -m autograder check 01                 # assignments/01_penalties/penalties.py
    python -m autograder check 01_penalties -f l2_gradient
    python -m autograder check path/to/penalties.py
    python -m autograder check                    # the assignment module in the current folder
    python -m autograder check 01 --show-output   # also show what your code prints
    python -m autograder check 01 --exit-zero     # exit status 0 even when a test fails

Prints a score per function, what failed with hints, and the total. Your code runs in a
separate process with a time limit, exactly as when it is graded: on Linux in the grader's
sandbox, on macOS and Windows in the portable runner (a spawned process, the same tests
and the same scores). The exit status is 0 when every public test passes, 1 when one
fails (so a CI job or GitHub Classroom can use it), 2 on bad input. From a notebook cell:

    from autograder.cmd_check import run_check
    run_check("01_penalties", functions=["l2_gradient"])
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from .course import ASSIGNMENTS, REPO_ROOT, Assignment, find_assignment
from .errors import UsageError
from .results import Status

EXIT_FAILED = 1   # a public test failed


class CheckError(UsageError, ValueError):
    """The command line did not name a module we can check."""


def locate(target: str | None, path: str | Path | None = None) -> tuple[Assignment, Path]:
    """Resolve (assignment, module file) from an assignment id/number or a path to a folder or file."""
    if path is not None:
        assignment = find_assignment(target) if target else None
        return _from_path(Path(path), assignment)
    if target is None:
        return _from_path(Path.cwd(), None)
    candidate = Path(target).expanduser()
    if candidate.exists():
        return _from_path(candidate, None)
    if candidate.suffix == ".py" or len(candidate.parts) > 1:
        raise CheckError(f"{target} does not exist")
    try:
        assignment = find_assignment(target)
    except ValueError as exc:
        raise CheckError(f"{exc}; or give the path to your module file") from None
    for base in (Path.cwd() / "assignments", REPO_ROOT / "assignments", Path.cwd()):
        module = base / assignment.id / assignment.filename
        if module.is_file():
            return assignment, module
    module = Path.cwd() / assignment.filename
    if module.is_file():
        return assignment, module
    raise CheckError(f"cannot find {assignment.filename} for {assignment.id} "
                     f"(looked in assignments/{assignment.id}/ and the current folder)")


def _from_path(path: Path, assignment: Assignment | None) -> tuple[Assignment, Path]:
    if path.is_file():
        if assignment is None:
            try:
                assignment = find_assignment(path.stem)
            except ValueError:
                raise CheckError(f"{path.name} is not the module of any assignment "
                                 f"({', '.join(a.filename for a in ASSIGNMENTS.values())})") from None
        return assignment, path
    if not path.is_dir():
        raise CheckError(f"{path} does not exist")
    if assignment is None:
        try:
            assignment = find_assignment(path.resolve().name)
        except ValueError:
            found = [a for a in ASSIGNMENTS.values() if _module_in(path, a) is not None]
            if len(found) != 1:
                what = "no assignment module" if not found else "several assignment modules"
                raise CheckError(f"{path} has {what}; name the assignment, e.g. `check 01_penalties`") from None
            assignment = found[0]
    module = _module_in(path, assignment)
    if module is None:
        raise CheckError(f"{path} has no {assignment.filename}")
    return assignment, module


def _module_in(folder: Path, assignment: Assignment) -> Path | None:
    """The file `grade` would take as the assignment's module in `folder` (see autograder.discovery)."""
    from .discovery import choose, walk

    best, _ = choose(walk(folder).files, assignment.filename, (".py",))
    return folder.joinpath(*(os.fsdecode(p) for p in best.parts)) if best is not None else None


# ============================================================================ report
def format_report(assignment: Assignment, module: Path, results, seconds: float | None = None) -> str:
    from .grading import by_function, totals

    lines = [f"Checking {module} against the public tests of {assignment.id}", ""]
    functions = by_function(results)
    failed_import = next((r for r in results if r.status == Status.IMPORT_ERROR), None)
    if failed_import is not None:    # the same message for every test: said once, above the table
        first, *rest = (failed_import.output or failed_import.status).strip().splitlines()
        lines += [f"  Your module could not be loaded: {first}", *(f"      {line}" for line in rest[:8]), ""]
    width = max([len(f) for f in functions] + [8])
    for fn, fs in functions.items():
        mark = {Status.PASSED: "ok", Status.NOT_IMPLEMENTED: fs.status.words}.get(fs.status, fs.status.label)
        lines.append(f"  {fn:<{width}}  {fs.score:g}/{fs.max_score:g}  {mark}")
        if fs.status in (Status.PASSED, Status.NOT_IMPLEMENTED, Status.IMPORT_ERROR):
            continue
        for r in results:
            if r.function != fn or r.passed:
                continue
            message = (r.output or r.status).strip()
            first, _, rest = message.partition("\n")
            lines.append(f"      x {r.name.split(':', 1)[-1].strip()}: {first}")
            for extra in rest.splitlines()[:6]:
                lines.append(f"          {extra}")
            if r.hint:
                lines.append(f"        hint: {r.hint}")
    score, max_score = totals(results)
    lines += ["", f"Total: {score:g}/{max_score:g} points on the public tests"
              + (f" ({seconds:.2f} s)" if seconds is not None else ""),
              f"Predicted grade: {score / max_score if max_score else 0:.0%} of the code points. When you are graded,",
              "hidden tests check the same functions on other inputs, and each public test counts only as far",
              "as they confirm it."]
    return "\n".join(lines)


def run_check(assignment: str | None, path=None, functions: list[str] | None = None, *, file=None,
              runner: str = "auto", show_output: bool = False) -> float:
    """Check one assignment (optionally only some functions), print the report, return the points earned."""
    return _check(assignment, path, functions, file=file, runner=runner, show_output=show_output)[0]


def _check(assignment, path, functions, *, file=None, runner: str = "auto", show_output: bool = False):
    """(points earned, every public test passed) of run_check."""
    from . import portable
    from .discovery import read_below
    from .grading import grade_submission, totals

    a, module = locate(assignment, path)
    if show_output:
        runner = "portable"   # its worker can write to this terminal; the sandbox's cannot
    portable.prestart(runner)  # the worker imports NumPy while the suites load
    start = time.perf_counter()
    options = {"show_output": True} if show_output else None
    with tempfile.TemporaryDirectory(prefix="check-") as work:
        # a copy under the module's proper name, as `grade` makes one (a folder named on the command
        # line is searched as `grade` searches it; a file named is taken as it is)
        try:
            data = read_below(module.parent, (os.fsencode(module.name),))
        except OSError as exc:
            raise CheckError(str(exc)) from None
        (Path(work) / a.filename).write_bytes(data)
        if show_output:
            print(f"--- what your code prints (while the public tests of {a.id} run) ---", file=sys.stderr, flush=True)
        results = grade_submission(a, Path(work), hidden=False, functions=functions, quiz=False,
                                   runner=runner, sandbox_options=options)
        if show_output:
            print("--- end of your code's output ---", file=sys.stderr, flush=True)
    if functions and not results:
        raise CheckError(f"no public test for {', '.join(functions)} in {a.id}")
    print(format_report(a, module, results, time.perf_counter() - start), file=file or sys.stdout)
    return totals(results)[0], all(r.passed for r in results)


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="run the public tests on your work and print hints",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("target", nargs="?", metavar="ASSIGNMENT_OR_PATH",
                   help="assignment id or number (01, 01_penalties) or a path to your folder or module")
    p.add_argument("-f", "--function", action="append", dest="functions", metavar="FUNCTION",
                   help="only the tests of this function (repeatable)")
    p.add_argument("--show-output", action="store_true",
                   help="show what your code prints (print() and the like) while the tests run")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit with status 0 even when a test fails (the default is 1)")
    p.add_argument("--runner", choices=["auto", "sandbox", "portable"], default="auto",
                   help="where your code runs: the Linux sandbox, the portable runner, or auto (the sandbox "
                        "where it is available); the environment variable AUTOGRADER_RUNNER sets auto's choice")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    _, passed = _check(args.target, None, args.functions, runner=args.runner, show_output=args.show_output)
    return 0 if passed or args.exit_zero else EXIT_FAILED
