"""Benchmark: batch grading with this engine vs. the naive approach (one pytest process per submission).

    python tools/benchmark.py                       # >= 300 submission-assignments, 2 workers
    python tools/benchmark.py --submissions 600 --workers 2 --naive-sample 30
    python tools/benchmark.py --naive-all           # run the naive approach on every submission
    python tools/benchmark.py --compare /work/main --rounds 5   # this engine vs. another checkout's

Builds a synthetic class in a temporary folder (nbgrader layout <student>/<assignment>/):
for every assignment that has a reference solution and suites, mostly reference
solutions, mistakes from the catalogue (course/<id>/mistakes.py, spliced in with
tests.catalogue.variant_source), untouched stubs, and a few hostile submissions
(infinite loop in one function, os._exit at import, memory bomb, megabytes of output,
syntax error, fork attempts). Then it times

  engine: python -m autograder grade SUBMITTED --out OUT --workers N
  naive:  python -m pytest -p autograder.pytest_plugin --submission DIR course/<id>/suites
          once per submission, N at a time (on a sample unless --naive-all; the rate
          is extrapolated to the whole class and the output says so)

and prints submission-assignments per second for both, the ratio, and the CPU time
per submission (less sensitive than wall time to other load on the machine).
This is a script, not a test: it prints figures and asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.course import ASSIGNMENTS  # noqa: E402
from autograder.framework import suite_paths  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(REPO)}

HOSTILE = {
    "loop": "\n\ndef {fn}(*args, **kwargs):\n    while True:\n        pass\n",
    "exit_at_import": "\nimport os\nos._exit(3)\n",
    "memory_bomb": "\n\ndef {fn}(*args, **kwargs):\n    hoard = []\n    while True:\n"
                   "        hoard.append(bytearray(1 << 24))\n",
    "print_spam": "\nprint('spam ' * (1 << 20))\n",
    "syntax_error": "\ndef broken(:\n",
    "fork": "\nimport os\ntry:\n    os.fork()\nexcept OSError:\n    pass\n",
}


def gradable_assignments():
    out = []
    for a in ASSIGNMENTS.values():
        ref = a.solution_dir() / a.filename
        if ref.is_file() and suite_paths(a.suite, hidden=False) and (a.release_dir() / a.filename).is_file():
            out.append(a)
    return out


def catalogue(a):
    from tests.catalogue import catalogue_entries
    return catalogue_entries(a)[0]


def build_class(root: Path, n: int, seed: int = 0) -> dict[tuple[str, str], str]:
    """Write the class; returns the kind (reference, mistake, stub, hostile:<name>) of each
    (student, assignment)."""
    from tests.catalogue import variant_source

    rng = random.Random(seed)
    assignments = gradable_assignments()
    if not assignments:
        sys.exit("no assignment has both a reference solution and suites yet")
    n_students = -(-n // len(assignments))
    kinds: dict[tuple[str, str], str] = {}
    hostile_slots = {(i * 7 + 3) % n_students: name for i, name in enumerate(HOSTILE)}
    for s in range(n_students):
        student = f"student{s:04d}"
        for j, a in enumerate(assignments):
            folder = root / student / a.id
            folder.mkdir(parents=True)
            reference = (a.solution_dir() / a.filename).read_text()
            answers = a.release_dir() / "quiz_answers.yaml"
            if answers.exists():
                shutil.copyfile(answers, folder / "quiz_answers.yaml")
            roll = rng.random()
            if hostile_slots.get(s) and j == 0:
                name = hostile_slots[s]
                fn = next(line.split("(")[0][4:] for line in reference.splitlines() if line.startswith("def ")
                          and not line.startswith("def _"))
                source, kind = reference + HOSTILE[name].format(fn=fn), f"hostile:{name}"
            elif roll < 0.2 and catalogue(a):
                source, kind = variant_source(a, rng.choice(catalogue(a)).code), "mistake"
            elif roll < 0.27:
                source, kind = (a.release_dir() / a.filename).read_text(), "stub"
            else:
                source, kind = reference, "reference"
            (folder / a.filename).write_text(source)
            kinds[(student, a.id)] = kind
    return kinds


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_engine(submitted: Path, out: Path, workers: int, repo: Path = REPO,
               env: dict | None = None) -> tuple[float, float, int]:
    cpu0, t0 = children_cpu(), time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
                           "--workers", str(workers), "--no-progress"], cwd=repo, env=env or ENV,
                          capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr, file=sys.stderr)
        sys.exit(f"the engine failed (exit code {proc.returncode})")
    with open(out / "gradebook.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return wall, cpu, len(rows)


def print_breakdown(out: Path, kinds: dict, wall: float) -> None:
    """Where the engine's time went, from the seconds each submission took (OUT/grades.sqlite)."""
    import sqlite3

    db = sqlite3.connect(out / "grades.sqlite")
    seconds = {(s, a): t for s, a, t in db.execute("SELECT student, assignment, seconds FROM grades")}
    db.close()
    by_kind: dict[str, list[float]] = {}
    for key, kind in kinds.items():
        if key in seconds:
            by_kind.setdefault(kind.split(":")[0] if not kind.startswith("hostile") else kind, []).append(seconds[key])
    parts = [f"{k} {sum(v) / len(v) * 1000:.0f} ms" for k, v in by_kind.items() if not k.startswith("hostile")]
    hostile = {k.split(":")[1]: v[0] for k, v in by_kind.items() if k.startswith("hostile")}
    busy = sum(seconds.values())
    print(f"        per submission (mean, in a grader): {', '.join(parts)}; hostile: "
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in hostile.items()))
    print(f"        graders busy {busy:.1f} s in all, {sum(hostile.values()):.1f} s of it on the "
          f"{len(hostile)} hostile submissions; the rest of the {wall:.1f} s is start-up (interpreter, "
          "zygotes, checking the references) and the end")


def compare(submitted: Path, tmp: Path, other: Path, workers: int, rounds: int) -> None:
    """This engine and `other`'s (another checkout) on the same class, run in turn `rounds` times each
    (alternating, so that load from elsewhere hits both alike); bytecode caches outside both trees."""
    import statistics

    rates: dict[str, list[float]] = {"this": [], "other": []}
    cpus: dict[str, list[float]] = {"this": [], "other": []}
    total = sum(1 for s in submitted.iterdir() for _ in s.iterdir())
    for r in range(rounds):
        for name, repo in (("this", REPO), ("other", other)) if r % 2 == 0 else (("other", other), ("this", REPO)):
            env = {**os.environ, "PYTHONPATH": str(repo), "PYTHONPYCACHEPREFIX": str(tmp / f"pycache-{name}")}
            out = tmp / f"out-{name}-{r}"
            wall, cpu, _ = run_engine(submitted, out, workers, repo, env)
            shutil.rmtree(out, ignore_errors=True)
            rates[name].append(total / wall)
            cpus[name].append(cpu / total * 1000)
            print(f"round {r} {name:5s}: {total / wall:.1f} /s (CPU {cpu / total * 1000:.0f} ms per submission)")
    this, that = statistics.median(rates["this"]), statistics.median(rates["other"])
    print(f"median throughput: this {this:.1f} /s, {other} {that:.1f} /s -> ratio {this / that:.3f}; "
          f"median CPU per submission: this {statistics.median(cpus['this']):.0f} ms, "
          f"other {statistics.median(cpus['other']):.0f} ms")


def run_naive(folders: list[Path], workers: int) -> tuple[float, float, int]:
    def one(folder: Path) -> int:
        a = ASSIGNMENTS[folder.name]
        return subprocess.run([sys.executable, "-m", "pytest", "-p", "autograder.pytest_plugin", "--submission",
                               str(folder), str(a.suites_dir()), "-q", "-p", "no:cacheprovider"],
                              cwd=REPO, env=ENV, capture_output=True, text=True).returncode

    cpu0, t0 = children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        codes = list(pool.map(one, folders))
    wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
    bad = [c for c in codes if c not in (0, 1)]  # 0: all passed, 1: some failed
    if bad:
        print(f"warning: {len(bad)} pytest runs ended with codes {sorted(set(bad))}", file=sys.stderr)
    return wall, cpu, len(folders)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--submissions", type=int, default=300, help="submission-assignments to build (min 300)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--naive-sample", type=int, default=24, help="submissions run the naive way (extrapolated)")
    p.add_argument("--naive-all", action="store_true", help="run the naive approach on every submission")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--compare", type=Path, default=None, metavar="CHECKOUT",
                   help="instead: this engine vs. the one in CHECKOUT, alternately, on the same class")
    p.add_argument("--rounds", type=int, default=5, help="runs of each engine with --compare")
    args = p.parse_args(argv)
    n = max(300, args.submissions)
    tmp = Path(tempfile.mkdtemp(prefix="autograder-bench-"))
    try:
        submitted, out = tmp / "submitted", tmp / "out"
        kinds = build_class(submitted, n)
        folders = sorted(f for s in submitted.iterdir() for f in s.iterdir())
        total = len(folders)
        counts = {k: sum(1 for v in kinds.values() if v.split(":")[0] == k)
                  for k in ("reference", "mistake", "stub", "hostile")}
        print(f"class: {total} submission-assignments over {len(gradable_assignments())} assignments "
              f"({', '.join(f'{v} {k}' for k, v in counts.items())}) in {tmp}")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} before the runs")
        if args.compare is not None:
            compare(submitted, tmp, args.compare.resolve(), args.workers, args.rounds)
            return 0

        wall, cpu, rows = run_engine(submitted, out, args.workers)
        engine_rate = total / wall
        print(f"engine  grade --workers {args.workers}: {total} in {wall:.1f} s -> {engine_rate:.1f} /s "
              f"(CPU {cpu:.1f} s, {cpu / total * 1000:.0f} ms per submission; gradebook rows: {rows})")
        print_breakdown(out, kinds, wall)

        if args.naive_all:
            sample = folders
        else:
            k = min(args.naive_sample, total)
            sample = [folders[round(i * (total - 1) / max(1, k - 1))] for i in range(k)]  # spread evenly
        wall_n, cpu_n, count = run_naive(sample, args.workers)
        naive_rate = count / wall_n
        note = "all submissions" if count == total else \
            f"sample of {count}, extrapolated: {total / naive_rate:.0f} s for the class"
        print(f"naive   pytest per submission, {args.workers} at a time: {count} in {wall_n:.1f} s -> "
              f"{naive_rate:.2f} /s ({note}; CPU {cpu_n / count * 1000:.0f} ms per submission)")
        print(f"ratio   engine / naive: {engine_rate / naive_rate:.1f}x (target: engine >= 50 /s on 2 cores)")
        print(f"load average after the runs: {os.getloadavg()[0]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
