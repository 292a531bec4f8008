"""Class similarity report, for the instructor (never for students).

    python -m autograder similarity SUBMITTED --out OUT      # SUBMITTED/<student>/<assignment>/...

Writes OUT/similarity/index.html (per assignment: the most similar pairs of code and of wrong quiz
answers), OUT/similarity/<assignment>/pair-<n>.html (the two submissions side by side, shared code
highlighted), and OUT/similarity/code_pairs.csv and quiz_pairs.csv. How pairs are scored, and what
the method cannot see: autograder/similarity.py. Similarity is evidence for a person to look at,
never a penalty: nothing of it is written into any student's feedback.
"""
from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from . import quiz as quizlib
from . import similarity as sim
from .course import ASSIGNMENTS, Assignment, REPO_ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_DIR = "similarity"


def _template(name: str):
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template(name)


def collect(submitted: Path, assignments: list[Assignment]) -> tuple[dict[str, list[sim.Work]], list[str]]:
    """Every readable submission's work per assignment, and notes on what was skipped.

    Discovery is `grade`'s own (bounded walk, no link followed, module and answer sheet copied
    before anything reads them); the notebook is read bounded from the submitted folder."""
    import tempfile

    from .cmd_grade import discover
    from .discovery import remove_tree

    wanted = {a.id for a in assignments}
    works: dict[str, list[sim.Work]] = {a.id: [] for a in assignments}
    skipped: list[str] = []
    scratch = Path(tempfile.mkdtemp(prefix="autograder-similarity-"))
    try:
        for task in discover(submitted, scratch):
            if task.assignment is None or task.assignment.id not in wanted:
                continue
            if task.problem is not None:
                skipped.append(f"{task.student}/{task.folder}: {task.problem[1]}")
                continue   # (a missing module still leaves the answer sheet to compare)
            notebook = task.source / f"{task.assignment.id}.ipynb" if task.source else None
            raw = sim.assignment_code(task.path / task.assignment.filename, notebook)
            answers, _ = quizlib.read_answers(task.path / quizlib.ANSWERS_FILE)
            works[task.assignment.id].append(sim.Work(task.student, task.assignment.id, [], raw, answers))
    finally:
        remove_tree(scratch)
    return works, skipped


def _fingerprints(texts: list[tuple[str, ...]], workers: int) -> list[np.ndarray]:
    """Fingerprint each distinct code once, in `workers` processes (tokenizing is the costly part)."""
    distinct = sorted(set(texts))
    if workers > 1 and len(distinct) > 8:
        with ProcessPoolExecutor(workers) as pool:
            hashes = list(pool.map(sim.fingerprint_hashes, distinct, chunksize=16))
    else:
        hashes = [sim.fingerprint_hashes(t) for t in distinct]
    by_text = dict(zip(distinct, hashes))
    return [by_text[t] for t in texts]


def quiz_sheets(assignment: Assignment, works: list[sim.Work]) -> tuple[dict, dict]:
    """(canonical answers, canonical keys) per student, from the instructor's plain quiz: the keys
    of per-student variant questions are each student's own (token from the id and the secret)."""
    path = quizlib.quiz_key_path(assignment)
    if path is None:
        return {}, {}
    quiz = quizlib.load_quiz(path)
    secret, _ = quizlib.read_secret()
    sheets: dict[str, dict[str, str]] = {}
    keys: dict[str, dict[str, str]] = {}
    for w in works:
        token = quizlib.variant_token(secret, w.student)
        keys[w.student] = {q.id: q.key_for(q.params_for(token)) for q in quiz.graded}
        if not w.answers:
            continue
        answers = {}
        for q in quiz.graded:
            raw = w.answers.get(q.id)
            if raw is None:
                continue
            try:
                answers[q.id] = quizlib.canonical_answer(q, raw)[0]
            except Exception:  # noqa: BLE001 - an unreadable answer is simply not compared
                continue
        sheets[w.student] = answers
    return sheets, keys


def analyse(submitted: Path, assignments: list[Assignment], *, workers: int = 2,
            release_root: Path = REPO_ROOT) -> dict:
    """Ranked code and quiz pairs per assignment (plain data plus the works, for the report)."""
    works, skipped = collect(submitted, assignments)
    result = {"assignments": {}, "skipped": skipped}
    boilerplates, release_lines = {}, {}
    texts, owners = [], []
    for a in assignments:
        lines, hashes = sim.release_boilerplate(a.release_dir(release_root), a)
        boilerplates[a.id], release_lines[a.id] = hashes, lines
        for w in works[a.id]:
            w.chunks = sim.own_code_chunks(w.raw, lines)
            texts.append(tuple(w.chunks))
            owners.append(w)
    for w, hashes in zip(owners, _fingerprints(texts, workers)):
        w.hashes = np.setdiff1d(hashes, boilerplates[w.assignment], assume_unique=True)
    for a in assignments:
        group = works[a.id]
        sheets, keys = quiz_sheets(a, group)
        result["assignments"][a.id] = {
            "assignment": a,
            "works": {w.student: w for w in group},
            "code_pairs": sim.rank_code_pairs(group),
            "quiz_pairs": sim.rank_quiz_pairs(a.id, sheets, keys),
            "release_lines": release_lines[a.id],
            "common_limit": sim.common_limit(len(group)),
        }
    return result


def write_report(result: dict, dest: Path, *, top: int = 15) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    sections = []
    with open(dest / "code_pairs.csv", "w", newline="") as fc, open(dest / "quiz_pairs.csv", "w", newline="") as fq:
        code_csv, quiz_csv = csv.writer(fc), csv.writer(fq)
        code_csv.writerow(["assignment", "student_a", "student_b", "score", "shared_fingerprints",
                           "fingerprints_a", "fingerprints_b"])
        quiz_csv.writerow(["assignment", "student_a", "student_b", "weight", "same_wrong_answers",
                           "wrote_the_others_variant_key"])
        for aid, info in result["assignments"].items():
            pages = []
            for n, p in enumerate(info["code_pairs"]):
                code_csv.writerow([aid, p.a, p.b, f"{p.score:.3f}", p.shared, *p.sizes])
                if n >= top:
                    continue
                page = Path(aid) / f"pair-{n + 1}.html"
                a, b = info["works"][p.a], info["works"][p.b]
                html_a, html_b, sim_a, sim_b = sim.highlighted(a, b, info["release_lines"])
                (dest / aid).mkdir(exist_ok=True)
                (dest / page).write_text(_template("similarity_pair.html.j2").render(
                    assignment=aid, pair=p, html_a=html_a, html_b=html_b, sim_a=sim_a, sim_b=sim_b))
                pages.append((p, page.as_posix()))
            for p in info["quiz_pairs"]:
                quiz_csv.writerow([aid, p.a, p.b, f"{p.weight:.2f}", "; ".join(p.questions),
                                   " ".join(p.variant_copies)])
            sections.append({"id": aid, "title": info["assignment"].title, "n": len(info["works"]),
                             "common_limit": info["common_limit"], "pairs": pages,
                             "more": max(0, len(info["code_pairs"]) - top),
                             "quiz_pairs": info["quiz_pairs"][:top]})
    index = dest / "index.html"
    index.write_text(_template("similarity_index.html.j2").render(
        sections=sections, skipped=result["skipped"], min_fingerprints=sim.MIN_FINGERPRINTS))
    return index


def add_parser(sub) -> None:
    p = sub.add_parser("similarity", help="class similarity report (instructor only): pairs of submissions "
                                          "that share code or wrong quiz answers the release did not give them")
    p.add_argument("submitted", type=Path, help="SUBMITTED/<student>/<assignment>/ (nbgrader's layout)")
    p.add_argument("--out", type=Path, required=True, help="writes OUT/similarity/index.html and CSVs")
    p.add_argument("--assignment", action="append", default=None,
                   help="only this assignment (id or number; repeatable)")
    p.add_argument("--top", type=int, default=15, help="pairs shown side by side per assignment (default 15)")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="processes that fingerprint the code (default: 2)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    from .course import find_assignment

    if not args.submitted.is_dir():
        print(f"similarity: {args.submitted} is not a folder (expected SUBMITTED/<student>/<assignment>/)",
              file=sys.stderr)
        return 2
    try:
        import copydetect  # noqa: F401
    except ImportError:
        print("similarity: needs copydetect (pip install copydetect; it is in requirements.txt)", file=sys.stderr)
        return 2
    try:
        assignments = [find_assignment(x) for x in args.assignment] if args.assignment else list(ASSIGNMENTS.values())
    except ValueError as exc:
        print(f"similarity: {exc}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    result = analyse(args.submitted, assignments, workers=max(1, args.workers))
    index = write_report(result, args.out / REPORT_DIR, top=max(0, args.top))
    seconds = time.perf_counter() - start
    n = sum(len(info["works"]) for info in result["assignments"].values())
    print(f"compared {n} submissions in {seconds:.1f} s; report: {index}")
    for aid, info in result["assignments"].items():
        best = info["code_pairs"][0] if info["code_pairs"] else None
        if best is not None:
            print(f"  {aid}: most similar code {best.a} ~ {best.b} ({best.score:.0%} of the smaller one's own code)")
    return 0
