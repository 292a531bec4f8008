"""Class report after batch grading, for the instructor.

    python -m autograder report OUT          # OUT is what `python -m autograder grade ... --out OUT` wrote

Reads OUT/grades.sqlite (the record `grade` keeps, through autograder.results) and writes

    OUT/report/index.html     one self-contained page (figures embedded as base64 PNG)
    OUT/report/report.md      the same content in Markdown, figures next to it
    OUT/report/figures/*.png
    OUT/report/summary.json   the numbers behind the page (for scripts and tests)

Per assignment: the score distribution (histogram), the pass rate per function and per
test, and the most frequent mistakes that the hints identified, with the students who
made them. Class-wide: a student x assignment score table and the submissions that
could not be graded. The pages are rendered from templates/report.html.j2 and report.md.j2.
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

from .course import ASSIGNMENTS
from .results import Status, SubmissionResult
from .store import read_results

Graded = SubmissionResult   # what this module reads: one graded submission with its cases
UNREMARKABLE = {Status.GRADED, Status.PASSED}   # statuses the score table does not repeat next to a score


# ============================================================================ reading grading output
def load_grades(out: Path) -> list[SubmissionResult]:
    """Every submission OUT/grades.sqlite holds, in course order (FileNotFoundError when there is none)."""
    return sorted(read_results(out), key=lambda g: (_order(g.assignment), g.assignment, g.student))


def _order(assignment_id: str) -> int:
    ids = list(ASSIGNMENTS)
    return ids.index(assignment_id) if assignment_id in ids else len(ids)


# ============================================================================ statistics
def summarize(grades: list[Graded]) -> dict:
    """The numbers of the report, as plain data."""
    by_assignment: dict[str, list[Graded]] = defaultdict(list)
    for g in grades:
        by_assignment[g.assignment].append(g)
    summary = {"students": sorted({g.student for g in grades}), "assignments": {}}
    for aid, rows in by_assignment.items():
        fractions = sorted(g.fraction for g in rows)
        n = len(rows)
        functions: dict[str, dict] = {}
        tests: dict[str, dict] = {}
        hints: dict[tuple[str, str], dict] = {}
        for g in rows:
            per_fn: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for t in g.cases:
                per_fn[t.function][0] += t.score
                per_fn[t.function][1] += t.max_score
                rec = tests.setdefault(t.name, {"function": t.function, "max_score": t.max_score,
                                                "visibility": t.visibility, "passed": 0, "total": 0,
                                                "outcomes": Counter()})
                rec["total"] += 1
                rec["passed"] += t.passed
                if not t.passed:
                    rec["outcomes"][t.status] += 1
                if t.hint and not t.passed and not _generic(t.hint):
                    # quiz questions are separate mistakes: "quiz q3", not one "quiz" function
                    where = t.name.split(":", 1)[0].strip() if t.function == "quiz" else t.function
                    h = hints.setdefault((where, t.hint), {"function": where, "hint": t.hint,
                                                                "students": set(), "tests": 0})
                    h["students"].add(g.student)
                    h["tests"] += 1
            for fn, (s, m) in per_fn.items():
                rec = functions.setdefault(fn, {"full": 0, "total": 0, "points": 0.0, "max_points": 0.0})
                rec["total"] += 1
                rec["full"] += bool(m) and s >= m - 1e-9
                rec["points"] += s
                rec["max_points"] += m
        summary["assignments"][aid] = {
            "title": ASSIGNMENTS[aid].title if aid in ASSIGNMENTS else aid,
            "n": n,
            "max_score": max((g.max_score for g in rows), default=0.0),
            "mean": sum(fractions) / n if n else 0.0,
            "median": (fractions[(n - 1) // 2] + fractions[n // 2]) / 2 if n else 0.0,
            "min": fractions[0] if n else 0.0,
            "max": fractions[-1] if n else 0.0,
            "full_marks": sum(f >= 1 - 1e-9 for f in fractions),
            "statuses": dict(Counter(g.status for g in rows)),
            "scores": {g.student: [g.score, g.max_score, g.status] for g in rows},
            "functions": {fn: {**rec, "full_rate": rec["full"] / rec["total"],
                               "point_rate": rec["points"] / rec["max_points"] if rec["max_points"] else 0.0}
                          for fn, rec in functions.items()},
            "tests": {name: {**rec, "rate": rec["passed"] / rec["total"],
                             "outcomes": dict(rec["outcomes"].most_common())}
                      for name, rec in tests.items()},
            "hints": merge_hints(hints.values()),
        }
    return summary


def _generic(hint: str) -> bool:
    """A hint that names no mistake (the quiz's "run the quiz to see the explanation")."""
    return "python -m autograder quiz" in hint and "explains" in hint


def merge_hints(hints) -> list[dict]:
    """One entry per mistake, most frequent first.

    A suite often words the hint of one mistake slightly differently in its public and
    hidden cases; hints of the same function that were given to exactly the same
    students, or that start with the same 40 characters, are taken as one mistake. Its
    `hint` is the wording given most often, `wordings` every wording seen.
    """
    groups: list[dict] = []
    for h in sorted(hints, key=lambda h: (h["function"], -h["tests"], h["hint"])):
        for g in groups:
            if g["function"] == h["function"] and (
                    (g["students"] == h["students"] and not h["function"].startswith("quiz"))
                    or any(w[:40] == h["hint"][:40] for w in g["wordings"])):
                g["students"] |= h["students"]
                g["wordings"].append(h["hint"])
                g["failed_tests"] += h["tests"]
                break
        else:
            groups.append({"function": h["function"], "hint": h["hint"], "wordings": [h["hint"]],
                           "students": set(h["students"]), "failed_tests": h["tests"]})
    out = [{"function": g["function"], "hint": g["hint"], "wordings": g["wordings"], "count": len(g["students"]),
            "students": sorted(g["students"]), "failed_tests": g["failed_tests"]} for g in groups]
    return sorted(out, key=lambda h: (-h["count"], -h["failed_tests"], h["function"], h["hint"]))


# ============================================================================ figures
def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    return buf.getvalue()


def histogram_png(aid: str, info: dict) -> bytes:
    """Distribution of scores (in points) of one assignment."""
    plt = _plt()
    import numpy as np

    scores = np.array([s for s, _, _ in info["scores"].values()], dtype=float)
    top = info["max_score"] or 1.0
    pct = np.clip(100.0 * scores / top, 0.0, 100.0)
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    ax.hist(pct, bins=np.linspace(0.0, 100.0, 11), color="#4C72B0", edgecolor="white")
    ax.axvline(pct.mean(), color="#C44E52", linestyle="--", linewidth=1.5)
    ax.text(pct.mean(), 1.0, f" mean {pct.mean():.0f}%", color="#C44E52", va="bottom", ha="center",
            transform=ax.get_xaxis_transform(), fontsize="small")
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 10))
    ax.set_xlabel(f"score (% of {top:g} points)")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(f"{aid}: score distribution ({info['n']} submissions)", pad=16)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def overview_png(summary: dict) -> bytes:
    """Every assignment's scores (percent) side by side, one dot per student."""
    plt = _plt()
    import numpy as np

    aids = list(summary["assignments"])
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(aids) + 2), 3.4))
    for i, aid in enumerate(aids):
        info = summary["assignments"][aid]
        pct = np.array([100 * s / m if m else 0.0 for s, m, _ in info["scores"].values()])
        ax.boxplot([pct], positions=[i], widths=0.5, showfliers=False,
                   medianprops={"color": "#C44E52"}, boxprops={"color": "#555555"})
        jitter = (np.arange(len(pct)) - (len(pct) - 1) / 2) * (0.5 / max(len(pct), 1))
        ax.scatter(i + jitter, pct, s=18, color="#4C72B0", zorder=3, alpha=0.85)
    ax.set_xticks(range(len(aids)), aids, rotation=20, ha="right")
    ax.set_ylim(-5, 105)
    ax.set_ylabel("score (%)")
    ax.set_title("Scores per assignment (one dot per student)")
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def functions_png(aid: str, info: dict) -> bytes:
    """Share of students with full marks on each function, and share of its points earned."""
    plt = _plt()
    import numpy as np

    names = list(info["functions"])
    full = np.array([info["functions"][n]["full_rate"] for n in names]) * 100
    points = np.array([info["functions"][n]["point_rate"] for n in names]) * 100
    y = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(6.5, 0.42 * len(names) + 1.2))
    ax.barh(y - 0.2, points, height=0.4, color="#8FB3DE", label="points earned")
    ax.barh(y + 0.2, full, height=0.4, color="#4C72B0", label="students with full marks")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("%")
    ax.set_title(f"{aid}: pass rate per function", pad=22)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize="small", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


# ============================================================================ page
def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _rate_class(rate: float) -> str:
    return "ok" if rate >= 0.75 else ("bad" if rate < 0.5 else "")


def render(grades: list[SubmissionResult], summary: dict, feedback: dict | None = None,
           similarity: str | None = None) -> tuple[str, str, dict]:
    """(html, markdown, {filename: png bytes}), from templates/report.html.j2 and report.md.j2.

    `feedback` maps (student, assignment) to the feedback file's path relative to the
    report folder; those scores link to it. `similarity` is the class similarity page's path
    relative to the report folder, when `python -m autograder similarity` has written one.
    """
    from .rendering import render as render_template

    figures: dict[str, bytes] = {}

    def figure(name: str, png: bytes, alt: str) -> dict:
        figures[name] = png
        return {"file": name, "alt": alt, "base64": base64.b64encode(png).decode()}

    aids = list(summary["assignments"])
    context = {
        "students": summary["students"], "graded": len(grades), "similarity": similarity,
        "assignments": [_assignment_view(aid, summary["assignments"][aid], figure) for aid in aids],
        "overview": figure("overview.png", overview_png(summary), "scores per assignment") if aids else None,
        "class_mistakes": _class_mistakes(summary),
        "score_rows": _score_rows(summary, feedback or {}),
    }
    return render_template("report.html.j2", **context), render_template("report.md.j2", **context), figures


def _assignment_view(aid: str, a: dict, figure) -> dict:
    """One assignment's section of the report: its numbers as printed, figures, hints, functions, tests."""
    number, _, topic = aid.partition("_")
    figures = [figure(f"{aid}_scores.png", histogram_png(aid, a), f"{aid} score distribution")]
    if a["functions"]:
        figures.append(figure(f"{aid}_functions.png", functions_png(aid, a), f"{aid} pass rate per function"))
    return {
        "id": aid, "number": number, "topic": topic.replace("_", " "), "title": a["title"], "n": a["n"],
        "mean": _pct(a["mean"]), "median": _pct(a["median"]), "min": _pct(a["min"]), "max": _pct(a["max"]),
        "full_marks": a["full_marks"], "max_score": f"{a['max_score']:g}",
        "statuses": ", ".join(f"{k}: {v}" for k, v in sorted(a["statuses"].items())),
        "figures": figures,
        "hints": [{"count": h["count"], "function": h["function"], "hint": h["hint"], "also": h["wordings"][1:],
                   "who": _names(h["students"])} for h in a["hints"]],
        "functions": [{"function": fn, "full": rec["full"], "total": rec["total"], "full_rate": _pct(rec["full_rate"]),
                       "point_rate": _pct(rec["point_rate"]), "cls": _rate_class(rec["full_rate"])}
                      for fn, rec in a["functions"].items()],
        "tests": [{"name": name, "points": f"{rec['max_score']:g}", "visibility": rec["visibility"],
                   "passed": rec["passed"], "total": rec["total"], "rate": _pct(rec["rate"]),
                   "cls": _rate_class(rec["rate"]),
                   "outcomes": ", ".join(f"{k}: {v}" for k, v in rec["outcomes"].items())}
                  for name, rec in a["tests"].items()],
    }


def _class_mistakes(summary: dict) -> list[dict]:
    """The class-wide tables: the 15 most frequent code mistakes, then wrong quiz answers."""
    every = [(aid, hint) for aid, a in summary["assignments"].items() for hint in a["hints"]]
    tables = []
    for title, quiz in (("Most frequent code mistakes (class-wide)", False),
                        ("Most frequent wrong quiz answers (class-wide)", True)):
        top = sorted(((aid, hint) for aid, hint in every if hint["function"].startswith("quiz") == quiz),
                     key=lambda x: (-x[1]["count"], _order(x[0]), x[1]["function"]))[:15]
        tables.append({"title": title, "what": "question" if quiz else "function",
                       "rows": [{"count": h["count"], "assignment": aid, "function": h["function"], "hint": h["hint"],
                                 "who": _names(h["students"])} for aid, h in top]})
    return tables


def _score_rows(summary: dict, feedback: dict) -> list[dict]:
    """The student x assignment table: a cell per assignment (None: not submitted)."""
    rows = []
    for student in summary["students"]:
        cells = []
        for aid, a in summary["assignments"].items():
            got = a["scores"].get(student)
            if got is None:
                cells.append(None)
                continue
            score, top, status = got
            cells.append({"text": f"{score:g}/{top:g}", "link": feedback.get((student, aid)),
                          "note": "" if status in UNREMARKABLE else status})
        rows.append({"student": student, "cells": cells})
    return rows


def _names(students: list[str], limit: int = 12) -> str:
    """Who made a mistake; a long list is cut (summary.json keeps every name)."""
    if len(students) <= limit:
        return ", ".join(students)
    return ", ".join(students[:limit]) + f" and {len(students) - limit} more"


def write_report(out: Path, dest: Path | None = None) -> Path:
    """Write the report of a graded folder; returns the path of index.html."""
    out = Path(out)
    grades = load_grades(out)
    if not grades:
        raise FileNotFoundError(f"no grading results in {out} (its grades.sqlite holds no submission)")
    summary = summarize(grades)
    dest = Path(dest) if dest else out / "report"
    (dest / "figures").mkdir(parents=True, exist_ok=True)
    feedback = {}
    for g in grades:
        path = out / g.student / g.assignment / "feedback.md"
        if path.is_file():
            feedback[(g.student, g.assignment)] = os.path.relpath(path, dest).replace(os.sep, "/")
    similarity_page = out / "similarity" / "index.html"
    similarity = os.path.relpath(similarity_page, dest).replace(os.sep, "/") if similarity_page.is_file() else None
    page, markdown, figures = render(grades, summary, feedback, similarity)
    for old in (dest / "figures").glob("*.png"):
        if old.name not in figures:
            old.unlink()
    for name, data in figures.items():
        (dest / "figures" / name).write_bytes(data)
    (dest / "index.html").write_text(page)
    (dest / "report.md").write_text(markdown)
    (dest / "summary.json").write_text(json.dumps(summary, indent=1, sort_keys=True, default=list))
    return dest / "index.html"


# ============================================================================ CLI
def add_parser(sub) -> None:
    p = sub.add_parser("report", help="class report (HTML + Markdown) of a graded folder")
    p.add_argument("out", type=Path, metavar="OUT", help="the folder written by `python -m autograder grade --out OUT`")
    p.add_argument("--dest", type=Path, default=None, help="where to write the report (default: OUT/report)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    try:
        index = write_report(args.out, args.dest)
    except FileNotFoundError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 1
    print(f"class report: {index}")
    print(f"  also {index.with_name('report.md')} (figures in {index.parent / 'figures'})")
    return 0
