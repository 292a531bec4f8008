"""Batch grading: python -m autograder grade SUBMITTED --out OUT [--workers N] [--regrade STUDENT]

SUBMITTED follows nbgrader's layout <student>/<assignment>/<files>. For each
submission this writes OUT/<student>/<assignment>/results.json (Gradescope schema) and
feedback.md, commits a row to OUT/grades.sqlite, and at the end regenerates
OUT/gradebook.csv (student, assignment, score, max_score, status, message) from the store.

Resumable: a row is committed as soon as its submission is graded; a re-run grades only
submissions that have no row yet, whose files changed, or whose grading code (suites,
reference) changed. `--regrade STUDENT` forces one student's submissions again.

At start it prints what the sandbox can enforce here, one line per wall, and the isolation
level; it refuses a weak level (no root: no chroot or uid switch) unless given
--allow-weak-isolation, and each results.json records the level (extra_data.isolation).
Limits: --timeout (per call), --submission-timeout, --memory, --scratch-mb, --scratch-files,
--reply-mb (see README, "How grading stays safe").
"""
from __future__ import annotations

import argparse
import collections
import ctypes
import datetime
import hashlib
import os
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from . import discovery, framework, grading
from .errors import positive_number
from .course import ASSIGNMENTS, REPO_ROOT, Assignment
from .store import Row, Store, gradebook_csv, write_atomic

ENGINE_VERSION = "1"
RESERVED_NAMES = {"gradebook.csv", "grades.sqlite", "grades.sqlite-wal", "grades.sqlite-shm"}


@dataclass
class Task:
    student: str
    folder: str                 # the assignment folder's name as submitted
    path: Path
    assignment: Assignment | None
    fingerprint: str = ""
    problem: tuple[str, str] | None = None   # (status, message) decided without running anything
    notes: list[str] = field(default_factory=list)   # what discovery did (for the feedback)
    missing: tuple[str, str] | None = None   # (status, why) when no module can be graded (the quiz still is)
    source: Path | None = None  # the submitted folder itself (path is the copies graders read)


# ============================================================================ discovery
def grading_code_files(assignment: Assignment) -> list[Path]:
    """Everything a grade depends on besides the submission: every file of the suite folder
    (public.py, hidden.py, common.py), the reference module and the plain quiz key."""
    suite_dir = assignment.suites_dir()
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


def _display(name: str) -> str:
    """A folder name as the gradebook shows it (any bytes the disk holds, escaped where not UTF-8)."""
    return discovery.show_name(os.fsencode(name))


def _subfolders(folder: Path) -> tuple[list[Path], list[Path]]:
    """(real folders, symbolic links) directly in `folder`, hidden ones left out, sorted."""
    dirs, links = [], []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: os.fsencode(e.name)):
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                links.append(Path(entry.path))
            elif entry.is_dir(follow_symlinks=False):
                dirs.append(Path(entry.path))
    return dirs, links


def discover(submitted: Path, scratch: Path) -> list[Task]:
    """One Task per <student>/<assignment>/ folder of SUBMITTED; the files to grade are found
    (discovery.find_submission) and copied under `scratch`, and graders read only those copies."""
    tasks: list[Task] = []
    student_dirs, _ = _subfolders(submitted)
    for student_dir in student_dirs:
        student = _display(student_dir.name)
        try:
            folders, links = _subfolders(student_dir)
        except OSError as exc:
            tasks.append(Task(student, "?", student_dir, None,
                              problem=("unreadable", f"cannot list the student's folder: {exc.strerror}")))
            continue
        for folder in links:
            tasks.append(Task(student, _display(folder.name), folder, ASSIGNMENTS.get(folder.name),
                              fingerprint="symlink",
                              problem=("unreadable", "the assignment folder is a symbolic link; submit real files")))
        for folder in folders:
            tasks.append(_task(student, folder, scratch / str(len(tasks))))
    for t in tasks:
        if t.student in RESERVED_NAMES:
            t.problem = ("unreadable", f"student folder name {t.student!r} is reserved by the grader")
    return sorted(tasks, key=lambda t: (t.student, t.folder))


def _task(student: str, folder: Path, copies: Path) -> Task:
    assignment = ASSIGNMENTS.get(folder.name)
    task = Task(student, _display(folder.name), folder, assignment, source=folder)
    if assignment is None:
        task.problem = ("unknown_assignment", f"{task.folder!r} is not an assignment of this course "
                                              f"(known: {', '.join(ASSIGNMENTS)})")
        task.fingerprint = "unknown"
        return task
    copies.mkdir(parents=True)
    found = discovery.find_submission(folder, assignment.filename, copies)
    task.path, task.notes = copies, found.notes
    task.missing = found.problem
    task.fingerprint = hashlib.sha256(f"{_grading_code_hash(assignment)}:{found.fingerprint}".encode()).hexdigest()
    return task


LAYOUT = "SUBMITTED/<student>/<assignment>/<module>.py, e.g. alice/01_penalties/penalties.py"


def layout_problem(submitted: Path, tasks: list[Task]) -> str | None:
    """One line naming what SUBMITTED holds and what was expected, when no folder in it is an
    assignment of this course at the <student>/<assignment>/ level; None when the layout is right."""
    if any(t.assignment is not None for t in tasks):
        return None
    students, _ = _subfolders(submitted)
    if not students:
        return f"{submitted} holds no student folders; expected {LAYOUT}"
    names = [s.name for s in students]
    known = [n for n in names if n in ASSIGNMENTS]
    if known:
        return (f"{submitted} holds assignment folders ({', '.join(known[:3])}): it looks like one student's "
                f"folder, one level too deep; pass the folder that holds one folder per student (expected {LAYOUT})")
    for student in students:
        try:
            inner, _ = _subfolders(student)
            deeper = [f"{student.name}/{i.name}/{a.name}" for i in inner for a in _subfolders(i)[0]
                      if a.name in ASSIGNMENTS]
        except OSError:
            continue
        if deeper:
            return (f"{submitted} is one level too high: found {_display(deeper[0])}/; pass "
                    f"{submitted / student.name} instead (expected {LAYOUT})")
    sample = ", ".join(f"{t.student}/{t.folder}/" for t in tasks[:3]) or ", ".join(_display(n) + "/" for n in names[:3])
    return (f"no assignment folder of this course in {submitted} (found {sample}); expected {LAYOUT}, "
            f"the assignment being one of {', '.join(ASSIGNMENTS)}")


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
    if options.get("scratch"):
        # this grader's temporary files (its sandbox's scratch too) go inside the batch's scratch
        # folder, which the main process removes at the end even if this process is killed
        tempfile.tempdir = tempfile.mkdtemp(prefix=f"grader-{os.getpid()}-", dir=options["scratch"])
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
    elif task.missing is not None:
        status, message = task.missing
        results = [framework.CaseResult(c.name, c.function, 0.0, c.points, "import_error", message, None,
                                        c.visibility) for c in grading.cases_for(task.assignment, True)]
        results += grading.quiz_results(task.assignment, task.path, student=task.student)
        for r in results:
            r.output = grading.printable(r.output)
    else:
        try:
            results = grading.grade_submission(task.assignment, task.path, hidden=True, student=task.student,
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
    if options.get("isolation"):
        report["extra_data"] = {"isolation": options["isolation"]}   # the level this batch ran at
    if task.notes:
        report["output"] = "\n".join(task.notes + ([report["output"]] if report["output"] else []))
    write_atomic(folder / "results.json", grading.results_json(report))
    label = task.assignment if task.assignment is not None else task.folder
    feedback = grading.feedback_markdown(task.student, label, results)
    if status not in ("graded",):
        feedback = feedback.replace("\n\n", f"\n\n**Status: {status}** - {message}\n\n", 1)
    if task.notes:
        feedback = feedback.replace("\n\n", "\n\n" + "".join(f"- {n}\n" for n in task.notes) + "\n", 1)
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
    p.add_argument("--submission-timeout", type=float, default=None, metavar="SECONDS",
                   help="wall-clock budget of one submission, all its calls together; the functions left "
                        "when it is used up are not graded for time (default: 60 s)")
    p.add_argument("--scratch-mb", type=float, default=None, metavar="MB",
                   help="size of a worker's scratch tmpfs, where one can be mounted (default: 16 MB)")
    p.add_argument("--scratch-files", type=int, default=None, metavar="N",
                   help="files and folders a worker's scratch tmpfs may hold (default: 1000)")
    p.add_argument("--reply-mb", type=float, default=None, metavar="MB",
                   help="largest value one call may send back (default: 64 MB)")
    p.add_argument("--allow-weak-isolation", action="store_true",
                   help="grade even where no wall keeps student code from the network, shared memory "
                        "or other files (not a grading server); the results record it")
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
    limits = {name: getattr(args, name, None) for name in ("submission_timeout", "scratch_mb", "scratch_files",
                                                           "reply_mb")}
    for name, value in {"timeout": args.timeout, "memory": args.memory, **limits}.items():
        if value is not None and not value > 0:
            return _fail(f"--{name.replace('_', '-')} must be a positive number")
    started = time.perf_counter()
    _remove_stale_scratch()
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
    try:
        return _grade(args, submitted, out, scratch, started, limits)
    finally:
        discovery.remove_tree(scratch)


SCRATCH_PREFIX = "autograder-batch-"


def _remove_stale_scratch() -> None:
    """Remove the scratch folders of batches that were killed (SIGKILL skips every cleanup): ours
    (same user), named after a process that no longer exists."""
    base = Path(tempfile.gettempdir())
    try:
        candidates = [p for p in base.iterdir() if p.name.startswith(SCRATCH_PREFIX)]
    except OSError:
        return
    for path in candidates:
        pid = path.name[len(SCRATCH_PREFIX):].split("-")[0]
        try:
            if not pid.isdigit() or path.lstat().st_uid != os.geteuid() or _process_exists(int(pid)):
                continue
            discovery.remove_tree(path)
        except OSError:
            continue   # another batch is removing it, or it is not ours to remove


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _grade(args: argparse.Namespace, submitted: Path, out: Path, scratch: Path, started: float,
           limits: dict) -> int:
    try:
        tasks = discover(submitted, scratch / "copies")
    except OSError as exc:
        return _fail(f"cannot read {submitted}: {exc.strerror or exc}")
    problem = layout_problem(submitted, tasks)
    if problem is not None:
        return _fail(problem)
    isolation = _isolation_or_refuse(getattr(args, "allow_weak_isolation", False))   # after the cheap checks
    if isolation is None:
        return 2
    out.mkdir(parents=True, exist_ok=True)
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
    sandbox_options.update({name: value for name, value in limits.items() if value and name != "reply_mb"})
    if limits["reply_mb"]:
        sandbox_options["max_reply_bytes"] = int(limits["reply_mb"] * (1 << 20))
    if isolation["level"] != "weak":
        from .sandbox import REQUIRED
        sandbox_options["require"] = REQUIRED   # a grader whose walls turn out weaker fails loudly
    options = {"out": str(out), "sandbox": sandbox_options, "parent_pid": os.getpid(), "pin": not args.no_pin,
               "isolation": isolation, "scratch": str(scratch)}
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


def _isolation_or_refuse(allow_weak: bool) -> dict | None:
    """Print what the sandbox can enforce here (one line per wall); the isolation record of this batch,
    or None (after one line saying why) when a required wall is missing and weak isolation is not allowed."""
    from . import sandbox

    walls = sandbox.probe_walls()
    for line in sandbox.isolation_lines(walls):
        print(line, file=sys.stderr)
    record = sandbox.isolation(walls)
    if record["missing"] and not allow_weak:
        _fail(f"the sandbox cannot enforce {', '.join(record['missing'])} here (run as root, or in a container "
              "with libseccomp); pass --allow-weak-isolation to grade anyway")
        return None
    return {"level": record["level"], "walls": record["walls"], "missing": record["missing"]}


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
    workers = min(workers, len(todo))
    assignments = list(dict.fromkeys(t.assignment for t in todo if t.assignment is not None and t.problem is None))
    # The graders' zygotes boot (a Python with NumPy each) while the graders, forked at once, share
    # out the references' self-check: each checks every n-th assignment (and so loads its grading code
    # and caches); the rest it loads when its first submission needs them. Measured: ~0.1 s sooner
    # than this process checking them all before forking, with one CPU mostly idle meanwhile.
    # Even one grader runs in a process of its own: if it dies (a segfault, the OOM killer), this
    # process records that one submission and goes on.
    zygotes = sandbox.start_zygotes(workers)
    options = {**options, "self_check": [a.id for a in assignments], "graders": workers}
    bar = tqdm(total=len(todo), unit="sub", disable=None if progress else True, dynamic_ncols=True)
    try:
        _run_pool(todo, options, workers, store, zygotes, bar)
    finally:
        bar.close()
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


# ============================================================================ the graders
MAX_GRADER_DEATHS = 2   # a submission whose grader died this often is recorded as grader_error

# Test-only: "student/folder[:signal]" whose grader kills itself with that signal (default SIGSEGV),
# to prove that a dead grader costs only its own submission (tests/test_hostile_inputs.py).
_TEST_KILL_ENV = "AUTOGRADER_TEST_KILL_GRADER"


def _grader_main(conn, options: dict, slots, zygotes) -> None:
    """A grader process: take one submission at a time from `conn`, send back its row."""
    _init_grader(options, slots, zygotes)
    kill = os.environ.get(_TEST_KILL_ENV, "")
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, task = message
        if kill and kill.split(":")[0] == f"{task.student}/{task.folder}":
            os.kill(os.getpid(), int(kill.split(":")[1]) if ":" in kill else signal.SIGSEGV)
        try:
            row = grade_task(task, options)
        except Exception as exc:  # noqa: BLE001 - a grader bug: that submission's status
            row = _grader_error_row(task, f"{type(exc).__name__}: {exc}")
        conn.send((index, row))


class _Grader:
    """One grading process and the submissions sent to it, in order: it grades the first while the
    next waits in its pipe (so it never waits for this process between two), and a death costs
    exactly the first: the ones behind it were not started and go to another grader."""

    AHEAD = 2   # submissions held at once: the one being graded and the next

    def __init__(self, context, options: dict, slots, zygotes: tuple):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_grader_main, args=(child, options, slots, zygotes), daemon=True)
        self.process.start()
        child.close()
        self.held: collections.deque[int] = collections.deque()
        self.stopped = False

    def give(self, index: int, task: Task) -> None:
        self.held.append(index)
        try:
            self.conn.send((index, task))
        except OSError:
            pass   # it has just died: its sentinel says so, and `index` goes back with the others held

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            try:
                self.conn.send(None)
            except OSError:
                pass

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _death_message(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            how = f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"exited with status {exitcode}"
    return (f"the grading process {how} while grading this submission (twice); the other submissions "
            "were not affected. Grade it again alone, or look at it by hand")


def _run_pool(todo: list[Task], options: dict, workers: int, store: Store, zygotes: list, bar) -> None:
    from multiprocessing.connection import wait

    from . import sandbox

    context = get_context("fork")
    pin = options.get("pin", True) and workers <= len(os.sched_getaffinity(0))
    slots = context.Value("i", 0)
    grader_options = {**options, "pin_slots": pin}
    graders = [_Grader(context, grader_options, slots, tuple(zygotes)) for _ in range(workers)]
    sandbox.release_zygotes(zygotes)       # each grader holds its own zygote now
    later_options = {**grader_options, "self_check": []}   # a replacement grader: checked already
    queue = list(range(len(todo)))[::-1]   # popped from the end: in order
    deaths: dict[int, int] = {}

    def feed(g: _Grader) -> None:
        while queue and len(g.held) < _Grader.AHEAD:
            i = queue.pop()
            g.give(i, todo[i])
        if not g.held:
            g.stop()

    def buried(g: _Grader) -> None:
        """g died: the submission it was grading is charged with it, the ones behind go back."""
        g.kill()
        graders.remove(g)
        victim, *behind = g.held
        queue.extend(reversed(behind))
        deaths[victim] = deaths.get(victim, 0) + 1
        if deaths[victim] >= MAX_GRADER_DEATHS:
            store.put(_grader_error_row(todo[victim], _death_message(g.process.exitcode)))
            bar.update(1)
        else:
            queue.append(victim)   # once more, first, in a fresh grader
        if queue:
            fresh = _Grader(context, later_options, slots, ())
            graders.append(fresh)
            feed(fresh)

    try:
        for g in graders:
            feed(g)
        while any(g.held for g in graders):
            busy = [g for g in graders if g.held]
            wait([g.conn for g in busy] + [g.process.sentinel for g in busy])
            for g in busy:
                row = None
                try:
                    if g.conn.poll():
                        index, row = g.conn.recv()
                        assert index == g.held[0], "a grader answers in order"
                except (EOFError, OSError):
                    row = None
                if row is not None:
                    g.held.popleft()
                    store.put(row)
                    bar.update(1)
                    feed(g)
                elif not g.process.is_alive():
                    buried(g)
    except KeyboardInterrupt:
        for g in graders:
            g.kill()
        raise
    finally:
        for g in graders:
            g.stop()
        for g in graders:
            g.process.join(timeout=10)
            g.kill()


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
