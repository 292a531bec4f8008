"""Where grading time goes: per case, the grader's CPU and the sandboxed worker's CPU.

    python tools/profile_cases.py 02                       # the reference solution of 02_proximal
    python tools/profile_cases.py 03 --submission DIR      # a submission folder instead
    python tools/profile_cases.py all --repeat 20 --top 8

Grades the submission in the real sandbox (as the batch grader does, hidden cases and quiz
included), once to warm up (reference cache, suites), then `--repeat` more times, and prints
per case the mean wall time, the grading process's CPU time and the worker's CPU time (read
from the worker's process CPU clock, so other load on the machine does not inflate it), then
per assignment the totals, the warm-up cost and the worker start-up share.
A maintainer's tool: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import cmd_grade, framework, grading, sandbox  # noqa: E402
from autograder.course import ASSIGNMENTS, find_assignment  # noqa: E402


def _process_cpu(pid: int | None) -> float:
    """CPU seconds of another process, from its CPU-time clock (Linux: clock id ((~pid) << 3) | 2)."""
    if pid is None:
        return 0.0
    try:
        return time.clock_gettime(((~pid) << 3) | 2)
    except OSError:
        return 0.0


class WorkerClock:
    """Total CPU time of every worker a submission used, including those already ended."""

    def __init__(self):
        self.ended = 0.0
        original = sandbox.SandboxedSubmission._kill_worker

        def kill_worker(sub, *args, **kwargs):
            self.ended += _process_cpu(sub.worker_pid)   # read before the process is gone
            return original(sub, *args, **kwargs)

        sandbox.SandboxedSubmission._kill_worker = kill_worker
        original_enter = sandbox.SandboxedSubmission.__enter__

        def enter(sub):
            self.current = sub
            return original_enter(sub)

        sandbox.SandboxedSubmission.__enter__ = enter
        self.current = None

    def now(self) -> float:
        live = _process_cpu(self.current.worker_pid) if self.current is not None else 0.0
        return self.ended + live


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("assignment", help="assignment id, number or module name, or 'all'")
    p.add_argument("--submission", type=Path, help="a submission folder (default: the reference solution)")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--top", type=int, default=12, help="cases to list per assignment (slowest first)")
    p.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    args = p.parse_args(argv)
    if not args.no_pin:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})   # as a batch grader slot runs
    cmd_grade._keep_freed_memory()
    sandbox.prestart()
    assignments = list(ASSIGNMENTS.values()) if args.assignment == "all" else [find_assignment(args.assignment)]
    clock = WorkerClock()
    per_case: dict[str, list[float]] = {}
    original_run_case = framework.run_case

    def timed_run_case(c, sub, ref=None):
        w0, c0, k0 = time.perf_counter(), time.process_time(), clock.now()
        result = original_run_case(c, sub, ref)
        t = per_case.setdefault(c.name, [0.0, 0.0, 0.0])
        t[0] += time.perf_counter() - w0
        t[1] += time.process_time() - c0
        t[2] += clock.now() - k0
        return result

    framework.run_case = timed_run_case
    tmp = Path(tempfile.mkdtemp(prefix="profile-cases-"))
    grand = [0.0, 0.0, 0.0]
    try:
        for a in assignments:
            folder = args.submission or tmp / a.id
            if args.submission is None:
                folder.mkdir(parents=True)
                shutil.copyfile(a.solution_dir() / a.filename, folder / a.filename)
                answers = a.release_dir() / "quiz_answers.yaml"
                if answers.exists():
                    shutil.copyfile(answers, folder / "quiz_answers.yaml")
            w0, c0, k0 = time.perf_counter(), time.process_time(), clock.now()
            grading.grade_submission(a, folder)
            warm = (time.perf_counter() - w0, time.process_time() - c0, clock.now() - k0)
            per_case.clear()
            w0, c0, k0 = time.perf_counter(), time.process_time(), clock.now()
            for _ in range(args.repeat):
                results = grading.grade_submission(a, folder)
            n = args.repeat
            total = ((time.perf_counter() - w0) / n, (time.process_time() - c0) / n, (clock.now() - k0) / n)
            for i in range(3):
                grand[i] += total[i]
            score, max_score = grading.totals(results)
            print(f"== {a.id}: {total[0] * 1e3:.1f} ms wall per submission (grader CPU {total[1] * 1e3:.1f} ms, "
                  f"worker CPU {total[2] * 1e3:.1f} ms); first one {warm[0] * 1e3:.0f} ms (grader CPU "
                  f"{warm[1] * 1e3:.0f} ms); score {score:g}/{max_score:g}")
            cases = sorted(per_case.items(), key=lambda kv: -(kv[1][1] + kv[1][2]))
            print(f"   {'wall':>7} {'grader':>7} {'worker':>7}  case (ms per submission, slowest first)")
            for name, (w, c, k) in cases[:args.top]:
                print(f"   {w / n * 1e3:7.2f} {c / n * 1e3:7.2f} {k / n * 1e3:7.2f}  {name}")
            rest = cases[args.top:]
            if rest:
                print(f"   {sum(v[0] for _, v in rest) / n * 1e3:7.2f} {sum(v[1] for _, v in rest) / n * 1e3:7.2f} "
                      f"{sum(v[2] for _, v in rest) / n * 1e3:7.2f}  ({len(rest)} more cases)")
        if len(assignments) > 1:
            k = len(assignments)
            print(f"== mean over {k} assignments: {grand[0] / k * 1e3:.1f} ms wall, grader CPU "
                  f"{grand[1] / k * 1e3:.1f} ms, worker CPU {grand[2] / k * 1e3:.1f} ms per submission")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
