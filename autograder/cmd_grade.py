"""Batch grading: python -m autograder grade SUBMITTED --out OUT [--workers N] [--regrade STUDENT]

SUBMITTED follows nbgrader's layout <student>/<assignment>/<files>. For each
submission this writes OUT/<student>/<assignment>/results.json (Gradescope schema) and
feedback.md, commits a row to OUT/grades.sqlite, and at the end regenerates
OUT/gradebook.csv (student, assignment, score, max_score, status, message) from the store.

Resumable: a row is committed as soon as its submission is graded; a re-run grades only
submissions that have no row yet, whose files changed, or whose grading code (suites,
reference) changed. `--regrade STUDENT` forces one student's submissions again.
"""
from __future__ import annotations

import argparse
import ctypes
import datetime
import hashlib
import os
import signal
import stat
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from . import framework, grading
from .errors import positive_number
from .course import ASSIGNMENTS, REPO_ROOT, Assignment
from .store import Row, Store, gradebook_csv, write_atomic

ENGINE_VERSION = "1"
RESERVED_NAMES = {"gradebook.csv", "grades.sqlite", "grades.sqlite-wal", "grades.sqlite-shm"}
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".DS_Store"}


@dataclass
class Task:
    student: str
    folder: str                 # the assignment folder's name as submitted
    path: Path
    assignment: Assignment | None
    fingerprint: str = ""
    problem: tuple[str, str] | None = None   # (status, message) decided without running anything


# ============================================================================ discovery
def grading_code_files(assignment: Assignment) -> list[Path]:
    """Everything a grade depends on besides the submission: every file of the suite folder
    (public.py, hidden.py, common.py), the reference module and the plain quiz key."""
    suite_dir = Path(framework.__file__).resolve().parent / "suites" / assignment.suite
    suite_files = sorted(p for p in suite_dir.glob("*.py")) if suite_dir.is_dir() else []
    return suite_files + [assignment.solution_dir() / assignment.filename,
                          assignment.solution_dir() / "quiz.yaml"]


def _grading_code_hash(assignment: Assignment, _cache: dict = {}) -> str:  # noqa: B006 - per-process cache
    if assignment.id not in _cache:
        h = hashlib.sha256(ENGINE_VERSION.encode())
        for path in grading_code_files(assignment):
            h.update(str(path.name).encode())
            h.update(path.read_bytes() if path.exists() else b"<missing>")
        _cache[assignment.id] = h.hexdigest()
    return _cache[assignment.id]


def _files_hash(folder: Path) -> str:
    """Hash of every file of a submission folder (names and bytes); symlinks are refused."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_PARTS)
        for name in sorted(files):
            if name in IGNORED_PARTS:
                continue
            path = Path(root) / name
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                raise PermissionError(f"{path.relative_to(folder)} is a symbolic link; submit real files")
            if not stat.S_ISREG(st.st_mode):
                continue
            h.update(str(path.relative_to(folder)).encode() + b"\0")
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            h.update(b"\0")
    return h.hexdigest()


def discover(submitted: Path) -> list[Task]:
    tasks: list[Task] = []
    for student_dir in sorted(submitted.iterdir()):
        if student_dir.name.startswith(".") or not student_dir.is_dir() or student_dir.is_symlink():
            continue
        try:
            folders = sorted(p for p in student_dir.iterdir() if not p.name.startswith("."))
        except OSError as exc:
            tasks.append(Task(student_dir.name, "?", student_dir, None,
                              problem=("unreadable", f"cannot list the student's folder: {exc.strerror}")))
            continue
        for folder in folders:
            if not folder.is_dir() and not folder.is_symlink():
                continue  # stray files next to assignment folders are not submissions
            assignment = ASSIGNMENTS.get(folder.name)
            task = Task(student_dir.name, folder.name, folder, assignment)
            if student_dir.name in RESERVED_NAMES:
                task.problem = ("unreadable", f"student folder name {student_dir.name!r} is reserved by the grader")
            elif folder.is_symlink():
                task.problem = ("unreadable", "the assignment folder is a symbolic link; submit real files")
            elif assignment is None:
                task.problem = ("unknown_assignment", f"{folder.name!r} is not an assignment of this course "
                                                      f"(known: {', '.join(ASSIGNMENTS)})")
            try:
                code = _grading_code_hash(assignment) if assignment else "none"
                task.fingerprint = hashlib.sha256(f"{code}:{_files_hash(folder)}".encode()).hexdigest() \
                    if not folder.is_symlink() else "symlink"
            except OSError as exc:
                task.problem = task.problem or ("unreadable", f"cannot read the submission: {exc.strerror or exc}")
                task.fingerprint = f"unreadable:{exc}"
            if task.problem is None and assignment is not None:
                module = folder / assignment.filename
                if module.is_symlink():
                    task.problem = ("unreadable", f"{assignment.filename} is a symbolic link; submit a real file")
            tasks.append(task)
    return tasks


# ============================================================================ grading one submission
_options: dict = {}


def _pin_to_cpu(slot: int) -> int | None:
    """Pin this process (and so its zygote and workers) to one CPU, `slot` modulo the CPUs we may use.

    A grader and its worker take turns (call, answer, call...): on one CPU a turn is a
    local context switch, across CPUs a wake-up of an idle core, which measured about
    1.6x slower per call here. One grader per CPU keeps the cores busy.
    """
    try:
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpus[slot % len(cpus)]})
        return cpus[slot % len(cpus)]
    except (AttributeError, OSError):
        return None


def _keep_freed_memory() -> None:
    """Let this (trusted) grader process reuse freed memory instead of returning it to the system.

    Replies of megabytes (Monte Carlo arrays) are received, checked and freed for every submission;
    with glibc's defaults each one is a fresh mmap whose pages fault in again (measured: ~5,000 page
    faults and ~10 ms of system time per dropout submission). Large blocks from the heap, and a heap
    that is not trimmed, make that a reuse. Only the grader: student workers keep the defaults.
    """
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)    # M_MMAP_THRESHOLD: blocks below 32 MB (its maximum) from the heap
        libc.mallopt(-1, 512 << 20)   # M_TRIM_THRESHOLD: keep up to 512 MB of freed heap for reuse
    except Exception:  # noqa: BLE001 - not glibc: the defaults stay
        pass


def _init_grader(options: dict, slots=None, zygotes=()) -> None:
    """Initializer of a grader process: die with the parent; pin to a CPU; take the zygote the main
    process started for this slot (or start one)."""
    global _options
    _options = options
    _keep_freed_memory()
    slot, cpu = None, None
    if slots is not None:
        with slots.get_lock():
            slot = slots.value
            slots.value += 1
        if options.get("pin_slots"):
            cpu = _pin_to_cpu(slot)
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001
        pass
    if os.getppid() != options.get("parent_pid", os.getppid()):
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the main process
    from multiprocessing import util

    from . import sandbox
    util.Finalize(None, sandbox._shutdown, exitpriority=10)  # pool workers skip atexit: clean up here
    if zygotes and slot is not None and slot < len(zygotes):
        sandbox.adopt_zygote(list(zygotes), slot, cpu)
    else:
        sandbox.prestart()
    if slot is not None and options.get("self_check"):
        # this grader's share of the references' self-check (see _run), while its zygote boots
        _prepare([ASSIGNMENTS[a] for a in options["self_check"][slot::options["graders"]]])


def _output_dir(out: Path, task: Task) -> Path:
    return out / task.student / task.folder


def grade_task(task: Task, options: dict | None = None) -> Row:
    """Grade one submission (in a grader process), write its reports, return its row."""
    options = options or _options
    out = Path(options["out"])
    start = time.perf_counter()
    results: list[framework.CaseResult] = []
    if task.problem is not None:
        status, message = task.problem
        if task.assignment is not None:
            results = [framework.CaseResult(c.name, c.function, 0.0, c.points, "import_error", message, None,
                                            c.visibility) for c in grading.cases_for(task.assignment, True)]
    else:
        try:
            results = grading.grade_submission(task.assignment, task.path, hidden=True,
                                               sandbox_options=options.get("sandbox") or {})
            status, message = grading.submission_status(task.assignment, task.path, results)
        except Exception as exc:  # noqa: BLE001 - a grader bug: say so, keep the batch going
            status = "grader_error"
            message = f"{type(exc).__name__}: {exc}"
            results = [framework.CaseResult("grader: error", "grader", 0.0, 0.0, "error",
                                            message + "\n" + traceback.format_exc(limit=-3))]
    score, max_score = grading.totals(results)
    folder = _output_dir(out, task)
    report = grading.gradescope_results(results, output=message if status != "graded" else "")
    write_atomic(folder / "results.json", grading.results_json(report))
    label = task.assignment if task.assignment is not None else task.folder
    feedback = grading.feedback_markdown(task.student, label, results)
    if status not in ("graded",):
        feedback = feedback.replace("\n\n", f"\n\n**Status: {status}** - {message}\n\n", 1)
    write_atomic(folder / "feedback.md", feedback)
    return Row(task.student, task.assignment.id if task.assignment else task.folder, score, max_score, status,
               message, task.fingerprint, [r.to_dict() for r in results], time.perf_counter() - start,
               datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))


# ============================================================================ the command
def add_parser(sub) -> None:
    p = sub.add_parser("grade", help="batch-grade a folder of submissions (nbgrader layout)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submitted", metavar="SUBMITTED", help="folder with <student>/<assignment>/<files>")
    p.add_argument("--out", required=True, metavar="OUT", help="output folder (gradebook, reports, store)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="submissions graded in parallel (default: number of CPUs)")
    p.add_argument("--regrade", action="append", default=[], metavar="STUDENT",
                   help="grade this student's submissions again even if unchanged (repeatable)")
    p.add_argument("--timeout", type=positive_number, default=None, metavar="SECONDS",
                   help="time limit of one call of student code (default: 2 s)")
    p.add_argument("--memory", type=positive_number, default=None, metavar="MB",
                   help="memory a worker may allocate beyond NumPy's own (default: 512 MB)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-pin", action="store_true",
                   help="do not pin each grader process (and its sandbox) to its own CPU")
    p.set_defaults(run=main)


def _fail(message: str) -> int:
    print(f"grade: error: {message}", file=sys.stderr)
    return 2


def main(args: argparse.Namespace) -> int:
    from .portable import require_strict_sandbox

    require_strict_sandbox("grade")   # batch grades come from the strict sandbox only (never the portable runner)
    submitted = Path(args.submitted).expanduser()
    out = Path(args.out).expanduser()
    if not submitted.exists():
        return _fail(f"SUBMITTED folder {submitted} does not exist")
    if not submitted.is_dir():
        return _fail(f"SUBMITTED {submitted} is not a folder")
    sub_r, out_r = submitted.resolve(), out.resolve()
    if out_r == sub_r or sub_r in out_r.parents:
        return _fail(f"OUT ({out}) must not be inside SUBMITTED ({submitted})")
    if out_r in sub_r.parents:
        return _fail(f"SUBMITTED ({submitted}) must not be inside OUT ({out})")
    if out_r == REPO_ROOT.resolve() or out_r in REPO_ROOT.resolve().parents:
        return _fail(f"OUT ({out}) must not be the repository or one of its parents")
    if args.workers < 1:
        return _fail("--workers must be at least 1")
    if out.exists() and not out.is_dir():
        return _fail(f"OUT {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    tasks = discover(submitted)
    students = {t.student for t in tasks}
    unknown_regrade = [s for s in args.regrade if s not in students]
    if unknown_regrade:
        return _fail(f"--regrade: no student {', '.join(map(repr, unknown_regrade))} in {submitted}")
    store = Store(out / "grades.sqlite")
    known = store.fingerprints()
    todo = []
    for t in tasks:
        key = (t.student, t.assignment.id if t.assignment else t.folder)
        folder = _output_dir(out, t)
        if (t.student not in args.regrade and known.get(key) == t.fingerprint
                and (folder / "results.json").exists() and (folder / "feedback.md").exists()):
            continue
        todo.append(t)
    sandbox_options = {}
    if args.timeout:
        sandbox_options["call_timeout"] = args.timeout
    if args.memory:
        sandbox_options["memory_mb"] = args.memory
    options = {"out": str(out), "sandbox": sandbox_options, "parent_pid": os.getpid(), "pin": not args.no_pin}
    print(f"{len(tasks)} submissions found in {submitted}; {len(tasks) - len(todo)} already graded and unchanged; "
          f"grading {len(todo)} with {min(args.workers, max(1, len(todo)))} worker(s)", file=sys.stderr)

    interrupted = False
    try:
        _run(todo, options, args.workers, store, progress=not args.no_progress)
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted: finished submissions are saved; run the same command again to continue",
              file=sys.stderr)
    rows = {(r.student, r.assignment): r for r in store.rows(results=False)}
    present = [rows[k] for k in dict.fromkeys((t.student, t.assignment.id if t.assignment else t.folder)
                                              for t in tasks) if k in rows]
    write_atomic(out / "gradebook.csv", gradebook_csv(present))
    store.close()
    _summary(present, len(todo), time.perf_counter() - started, out)
    if interrupted:
        return 130
    return 1 if any(r.status == "grader_error" for r in present) else 0


class _NoProgressBar:
    """What _run uses of tqdm, doing nothing."""

    def __init__(self, *args, **kwargs):
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _run(todo: list[Task], options: dict, workers: int, store: Store, progress: bool) -> None:
    try:
        from tqdm import tqdm
    except ImportError:   # an optional extra (pip install .[instructor]): grading works without the bar
        tqdm = _NoProgressBar

    from . import sandbox

    if not todo:
        return
    bar = None
    workers = min(workers, len(todo))
    assignments = list(dict.fromkeys(t.assignment for t in todo if t.assignment is not None and t.problem is None))
    if workers == 1:
        _init_inline(options)
        _prepare(assignments)
        bar = tqdm(total=len(todo), unit="sub", disable=None if progress else True, dynamic_ncols=True)
        for task in todo:
            store.put(grade_task(task, options))
            bar.update(1)
        bar.close()
        return
    # The graders' zygotes boot (a Python with NumPy each) while the graders, forked at once, share
    # out the references' self-check: each checks every n-th assignment (and so loads its grading code
    # and caches); the rest it loads when its first submission needs them. Measured: ~0.1 s sooner
    # than this process checking them all before forking, with one CPU mostly idle meanwhile.
    zygotes = sandbox.start_zygotes(workers)
    options = {**options, "self_check": [a.id for a in assignments], "graders": workers}
    try:
        _run_pool(todo, options, workers, store, zygotes, lambda: tqdm(
            total=len(todo), unit="sub", disable=None if progress else True, dynamic_ncols=True))
    finally:
        sandbox.reap_zygotes(zygotes)


def _prepare(assignments: list[Assignment]) -> None:
    """Check each assignment's reference against its suites, and load what grading it needs, before
    grading (see grading.self_check); a reference that fails a case is reported on stderr."""
    for assignment in assignments:
        try:
            failed = grading.self_check(assignment)
        except Exception as exc:  # noqa: BLE001 - the graders will report it per submission
            print(f"warning: {assignment.id}: the reference solution could not be checked before grading "
                  f"({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        for r in failed:
            print(f"warning: {assignment.id}: the reference solution fails {r.name!r} ({r.status}: "
                  f"{(r.output or '').splitlines()[0] if r.output else ''}); the suites or the reference "
                  "are wrong, and so may be the grades of this assignment", file=sys.stderr)


def _run_pool(todo: list[Task], options: dict, workers: int, store: Store, zygotes: list, make_bar) -> None:
    from . import sandbox

    bar = None
    attempts: dict[int, int] = {}
    pending = list(range(len(todo)))
    while pending:
        context = get_context("fork")
        pin = options.get("pin", True) and workers <= len(os.sched_getaffinity(0))
        slots = context.Value("i", 0)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_grader,
                                 initargs=({**options, "pin_slots": pin}, slots, tuple(zygotes))) as pool:
            futures = {pool.submit(grade_task, todo[i]): i for i in pending}
            options = {**options, "self_check": []}   # a pool started after a grader died: checked already
            if zygotes:
                # the graders are forked (all at once, with the first task): each holds its zygote now
                sandbox.release_zygotes(zygotes)
                zygotes = []   # a pool started after a grader died starts zygotes of its own
            if bar is None:
                bar = make_bar()
            pending = []
            try:
                for fut in as_completed(futures):
                    i = futures[fut]
                    try:
                        row = fut.result()
                    except BrokenProcessPool:
                        attempts[i] = attempts.get(i, 0) + 1
                        if attempts[i] >= 2:
                            store.put(_grader_error_row(todo[i], "a grader process died twice on this submission"))
                            bar.update(1)
                        else:
                            pending.append(i)
                        continue
                    except Exception as exc:  # noqa: BLE001
                        row = _grader_error_row(todo[i], f"{type(exc).__name__}: {exc}")
                    store.put(row)
                    bar.update(1)
            except KeyboardInterrupt:
                pool.shutdown(wait=False, cancel_futures=True)
                for p in list(getattr(pool, "_processes", {}).values()):
                    p.kill()
                raise
    if bar is not None:
        bar.close()


def _init_inline(options: dict) -> None:
    global _options
    _options = options
    _keep_freed_memory()
    from . import sandbox
    sandbox.prestart()


def _grader_error_row(task: Task, message: str) -> Row:
    return Row(task.student, task.assignment.id if task.assignment else task.folder, 0.0, 0.0, "grader_error",
               message, "", [], 0.0, datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))


def _summary(rows: list[Row], graded_now: int, seconds: float, out: Path) -> None:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    print(f"\nGraded {graded_now} submission(s) in {seconds:.1f} s"
          + (f" ({graded_now / seconds:.1f}/s)" if graded_now and seconds > 0 else "")
          + f"; gradebook: {out / 'gradebook.csv'} ({len(rows)} rows)")
    print("By status: " + ", ".join(f"{s} {n}" for s, n in sorted(counts.items())))
    per: dict[str, list[Row]] = {}
    for r in rows:
        per.setdefault(r.assignment, []).append(r)
    for assignment, rs in sorted(per.items()):
        scored = [r for r in rs if r.max_score > 0]
        mean = sum(r.score / r.max_score for r in scored) / len(scored) * 100 if scored else 0.0
        print(f"  {assignment:28s} {len(rs):4d} submission(s)  mean {mean:5.1f}%")
    problems = [r for r in rows if r.status != "graded"]
    for r in problems[:20]:
        print(f"  ! {r.student}/{r.assignment}: {r.status}: {r.message}")
    if len(problems) > 20:
        print(f"  ! ... and {len(problems) - 20} more (see gradebook.csv)")
