"""Benchmark of `python -m autograder similarity` on a large class.

    python tools/benchmark_similarity.py [--students 300] [--workers 2]

Builds a class of N students x every assignment: each student's module is the reference with a
random third of its functions replaced by entries of the catalogue (correct-but-unusual variants and
classic mistakes, course/<id>/mistakes.py), one student in ten handing in the untouched stub, and a few
planted copies. Prints the wall time of the similarity command (the target: well under a minute for
300 x 8 on 2 cores), side by side with copydetect's own all-pairs CopyDetector on one assignment
(the naive way), and where the planted copies rank.
"""
from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.course import ASSIGNMENTS  # noqa: E402
from tests.catalogue import variant_source  # noqa: E402


def catalogue(module: str) -> list:
    from autograder.course import by_module
    from tests.catalogue import catalogue_entries
    mistakes, correct = catalogue_entries(by_module(module))
    return mistakes + correct


def build_class(root: Path, n: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """Write the class; returns the planted (copier, original, assignment) triples."""
    rng = random.Random(seed)
    planted = []
    for a in ASSIGNMENTS.values():
        stub = (a.release_dir() / a.filename).read_text()
        reference = (a.solution_dir() / a.filename).read_text()
        variants = catalogue(a.module)
        for i in range(n):
            folder = root / f"student_{i:03d}" / a.id
            folder.mkdir(parents=True)
            if i % 10 == 9 or not variants:
                text = stub if i % 10 == 9 else reference
            else:
                chosen, functions = [], set()
                for v in rng.sample(variants, min(len(variants), 6)):
                    if v.function not in functions:
                        chosen.append(v)
                        functions.add(v.function)
                try:
                    text = variant_source(a, "\n\n".join(v.code for v in chosen))
                except (ValueError, SyntaxError):
                    text = reference
            (folder / a.filename).write_text(text)
        for k in range(3):  # planted copies of random students
            original = f"student_{rng.randrange(n):03d}"
            copier = f"copier_{a.id[:2]}_{k}"
            dst = root / copier / a.id
            dst.mkdir(parents=True)
            shutil.copy(root / original / a.id / a.filename, dst / a.filename)
            planted.append((copier, original, a.id))
    return planted


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="similarity-bench-"))
    try:
        submitted = work / "submitted"
        t0 = time.perf_counter()
        planted = build_class(submitted, args.students)
        n_subs = sum(1 for _ in submitted.glob("*/*"))
        print(f"class: {n_subs} submissions ({args.students} students x {len(ASSIGNMENTS)} assignments "
              f"+ {len(planted)} planted copies), built in {time.perf_counter() - t0:.1f} s")

        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder", "similarity", str(submitted), "--out", str(work / "out"),
                        "--workers", str(args.workers)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        engine = time.perf_counter() - t0
        print(f"similarity command, all assignments: {engine:.1f} s "
              f"({n_subs / engine:.0f} submissions/s, {args.workers} workers)")

        import csv

        # (students here are the reference with entries of a small catalogue, so many honest pairs are
        # truly identical and a copy of such a student has nothing rare to find: ranks are informative
        # only; tests/test_similarity.py checks ranking on independently written work)
        rows = list(csv.DictReader(open(work / "out" / "similarity" / "code_pairs.csv")))
        ranks = []
        for copier, original, aid in planted:
            found = [i for i, r in enumerate(r for r in rows if r["assignment"] == aid)
                     if {r["student_a"], r["student_b"]} == {copier, original}]
            ranks.append(found[0] + 1 if found else None)
        print(f"planted copies among the 30 first pairs of their assignment: "
              f"{sum(1 for r in ranks if r and r <= 30)} of {len(ranks)}")

        # the naive way on one assignment: copydetect's CopyDetector compares every pair
        from copydetect import CopyDetector

        a = next(iter(ASSIGNMENTS.values()))
        t0 = time.perf_counter()
        detector = CopyDetector(test_dirs=[str(submitted)], extensions=["py"], boilerplate_dirs=[str(a.release_dir())],
                                autoopen=False, silent=True, out_file=str(work / "naive.html"))
        detector.test_files = detector.ref_files = [str(p) for p in submitted.glob(f"*/{a.id}/{a.filename}")]
        detector.run()
        naive = time.perf_counter() - t0
        ours = engine / len(ASSIGNMENTS)
        print(f"one assignment: copydetect's all-pairs CopyDetector {naive:.1f} s vs this command "
              f"~{ours:.1f} s per assignment (ratio {naive / ours:.1f}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
