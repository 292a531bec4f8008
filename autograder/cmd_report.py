"""Class report after batch grading, for the instructor.

    python -m autograder report OUT          # OUT is what `python -m autograder grade ... --out OUT` wrote

Reads OUT/gradebook.csv and OUT/<student>/<assignment>/results.json and writes

    OUT/report/index.html     one self-contained page (figures embedded as base64 PNG)
    OUT/report/report.md      the same content in Markdown, figures next to it
    OUT/report/figures/*.png
    OUT/report/summary.json   the numbers behind the page (for scripts and tests)

Per assignment: the score distribution (histogram), the pass rate per function and per
test, and the most frequent mistakes that the hints identified, with the students who
made them. Class-wide: a student x assignment score table and the submissions that
could not be graded.
"""
from __future__ import annotations

import argparse
import base64
import csv
import html
import io
import json
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .course import ASSIGNMENTS

PASSED = "passed"


# ============================================================================ reading grading output
@dataclass
class TestResult:
    name: str
    function: str
    score: float
    max_score: float
    passed: bool
    outcome: str
    hint: str | None
    visibility: str


@dataclass
class Graded:
    student: str
    assignment: str
    score: float
    max_score: float
    status: str
    tests: list[TestResult] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0


def _num(x, default=0.0) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return default


def _read_tests(path: Path) -> list[TestResult]:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return []
    tests = []
    for t in data.get("tests", []) or []:
        extra = t.get("extra_data") or {}
        name = str(t.get("name", ""))
        function = extra.get("function") or (name.split(":", 1)[0].strip() if ":" in name else name)
        score, max_score = _num(t.get("score")), _num(t.get("max_score"))
        status = t.get("status") or ("passed" if max_score and score >= max_score else "failed")
        outcome = extra.get("outcome") or status
        tests.append(TestResult(name, function, score, max_score, status == PASSED, str(outcome),
                                extra.get("hint") or None, t.get("visibility", "visible")))
    return tests


def load_grades(out: Path) -> list[Graded]:
    """Everything `grade` wrote into OUT, one entry per (student, assignment)."""
    out = Path(out)
    rows: dict[tuple[str, str], Graded] = {}
    book = out / "gradebook.csv"
    if book.exists():
        with book.open(newline="") as f:
            for row in csv.DictReader(f):
                key = (row["student"], row["assignment"])
                rows[key] = Graded(row["student"], row["assignment"], _num(row.get("score")),
                                   _num(row.get("max_score")), row.get("status") or "")
    for results in sorted(out.glob("*/*/results.json")):
        student, assignment = results.parent.parent.name, results.parent.name
        if student == "report":
            continue
        tests = _read_tests(results)
        g = rows.get((student, assignment))
        if g is None:  # no gradebook row: rebuild it from the tests
            g = rows[(student, assignment)] = Graded(
                student, assignment, sum(t.score for t in tests), sum(t.max_score for t in tests), "graded")
        g.tests = tests
    return sorted(rows.values(), key=lambda g: (_order(g.assignment), g.assignment, g.student))


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
            for t in g.tests:
                per_fn[t.function][0] += t.score
                per_fn[t.function][1] += t.max_score
                rec = tests.setdefault(t.name, {"function": t.function, "max_score": t.max_score,
                                                "visibility": t.visibility, "passed": 0, "total": 0,
                                                "outcomes": Counter()})
                rec["total"] += 1
                rec["passed"] += t.passed
                if not t.passed:
                    rec["outcomes"][t.outcome] += 1
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
            "statuses": dict(Counter(g.status or "graded" for g in rows)),
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


def _img(data: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'


CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .92em; }
th, td { border: 1px solid #ddd; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bad { color: #b00020; } .ok { color: #1b7f3b; } .muted { color: #777; }
img { max-width: 100%; display: block; margin: .5em 0; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.figs img { max-width: calc(50% - 1em); }
.wide { overflow-x: auto; } th small { font-weight: normal; color: #555; }
"""


def render(grades: list[Graded], summary: dict, feedback: dict | None = None,
           similarity: str | None = None) -> tuple[str, str, dict]:
    """(html, markdown, {filename: png bytes}).

    `feedback` maps (student, assignment) to the feedback file's path relative to the
    report folder; those scores link to it. `similarity` is the class similarity page's path
    relative to the report folder, when `python -m autograder similarity` has written one.
    """
    feedback = feedback or {}
    figures: dict[str, bytes] = {}
    h: list[str] = []
    m: list[str] = []
    aids = list(summary["assignments"])
    students = summary["students"]

    h.append(f"<h1>Class report</h1><p>{len(students)} students, {len(aids)} assignments, "
             f"{len(grades)} graded submissions.</p>")
    m.append(f"# Class report\n\n{len(students)} students, {len(aids)} assignments, {len(grades)} graded submissions.\n")
    if similarity:
        h.append(f"<p>Which submissions look alike: <a href='{html.escape(similarity)}'>class similarity "
                 "report</a> (evidence for you to judge; never shown to students).</p>")
        m.append(f"Which submissions look alike: [class similarity report]({similarity}).\n")
    else:
        h.append("<p class=muted>Which submissions look alike: run <code>python -m autograder similarity "
                 "SUBMITTED --out OUT</code> with this OUT, then this report again.</p>")

    # ---- overview
    h.append("<h2>Overview</h2><table><tr><th>assignment</th><th>submissions</th><th>mean</th><th>median</th>"
             "<th>min</th><th>max</th><th>full marks</th><th>grading status</th></tr>")
    m.append("## Overview\n\n| assignment | submissions | mean | median | min | max | full marks | grading status |\n"
             "| --- | --- | --- | --- | --- | --- | --- | --- |")
    for aid in aids:
        a = summary["assignments"][aid]
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(a["statuses"].items()))
        h.append(f"<tr><td>{html.escape(aid)}</td><td class=num>{a['n']}</td><td class=num>{_pct(a['mean'])}</td>"
                 f"<td class=num>{_pct(a['median'])}</td><td class=num>{_pct(a['min'])}</td>"
                 f"<td class=num>{_pct(a['max'])}</td><td class=num>{a['full_marks']}</td>"
                 f"<td>{html.escape(statuses)}</td></tr>")
        m.append(f"| {aid} | {a['n']} | {_pct(a['mean'])} | {_pct(a['median'])} | {_pct(a['min'])} | "
                 f"{_pct(a['max'])} | {a['full_marks']} | {statuses} |")
    h.append("</table>")
    m.append("")
    if aids:
        figures["overview.png"] = overview_png(summary)
        h.append(_img(figures["overview.png"], "scores per assignment"))
        m.append("![scores per assignment](figures/overview.png)\n")

    # ---- class-wide mistakes: code first, then quiz answers
    every = [(aid, hint) for aid in aids for hint in summary["assignments"][aid]["hints"]]
    for title, quiz in (("Most frequent code mistakes (class-wide)", False),
                        ("Most frequent wrong quiz answers (class-wide)", True)):
        top = sorted(((aid, hint) for aid, hint in every if hint["function"].startswith("quiz") == quiz),
                     key=lambda x: (-x[1]["count"], _order(x[0]), x[1]["function"]))[:15]
        h.append(f"<h2>{title}</h2>")
        m.append(f"## {title}\n")
        if not top:
            h.append("<p class=muted>None: no failed test matched a known mistake.</p>")
            m.append("None: no failed test matched a known mistake.\n")
            continue
        what = "question" if quiz else "function"
        h.append(f"<table><tr><th>students</th><th>assignment</th><th>{what}</th><th>hint given</th>"
                 "<th>who</th></tr>")
        m.append(f"| students | assignment | {what} | hint given | who |\n| --- | --- | --- | --- | --- |")
        for aid, hint in top:
            who = _names(hint["students"])
            h.append(f"<tr><td class=num>{hint['count']}</td><td><a href='#{html.escape(aid)}'>{html.escape(aid)}</a>"
                     f"</td><td><code>{html.escape(hint['function'])}</code></td><td>{html.escape(hint['hint'])}</td>"
                     f"<td>{html.escape(who)}</td></tr>")
            m.append(f"| {hint['count']} | {aid} | `{hint['function']}` | {_md(hint['hint'])} | {who} |")
        h.append("</table>")
        m.append("")

    # ---- per assignment
    for aid in aids:
        a = summary["assignments"][aid]
        h.append(f"<h2 id='{html.escape(aid)}'>{html.escape(aid)}: {html.escape(a['title'])}</h2>")
        m.append(f"## {aid}: {a['title']}\n")
        h.append(f"<p>{a['n']} submissions, mean {_pct(a['mean'])}, median {_pct(a['median'])}, "
                 f"{a['full_marks']} with full marks (out of {a['max_score']:g} points).</p>")
        m.append(f"{a['n']} submissions, mean {_pct(a['mean'])}, median {_pct(a['median'])}, "
                 f"{a['full_marks']} with full marks (out of {a['max_score']:g} points).\n")
        hist = f"{aid}_scores.png"
        figures[hist] = histogram_png(aid, a)
        imgs = [_img(figures[hist], f"{aid} score distribution")]
        m.append(f"![{aid} score distribution](figures/{hist})\n")
        if a["functions"]:
            fn_png = f"{aid}_functions.png"
            figures[fn_png] = functions_png(aid, a)
            imgs.append(_img(figures[fn_png], f"{aid} pass rate per function"))
            m.append(f"![{aid} pass rate per function](figures/{fn_png})\n")
        h.append("<div class=figs>" + "".join(imgs) + "</div>")

        # mistakes of this assignment
        h.append("<h3>Mistakes the hints identified</h3>")
        m.append("### Mistakes the hints identified\n")
        if a["hints"]:
            h.append("<table><tr><th>students</th><th>function</th><th>hint given</th><th>who</th></tr>")
            m.append("| students | function | hint given | who |\n| --- | --- | --- | --- |")
            for hint in a["hints"]:
                who = _names(hint["students"])
                more = "".join(f"<br><span class=muted>also worded: {html.escape(w)}</span>"
                               for w in hint["wordings"][1:])
                h.append(f"<tr><td class=num>{hint['count']}</td><td><code>{html.escape(hint['function'])}</code></td>"
                         f"<td>{html.escape(hint['hint'])}{more}</td><td>{html.escape(who)}</td></tr>")
                m.append(f"| {hint['count']} | `{hint['function']}` | {_md(hint['hint'])} | {who} |")
            h.append("</table>")
            m.append("")
        else:
            h.append("<p class=muted>None.</p>")
            m.append("None.\n")

        # per function
        h.append("<h3>Pass rate per function</h3><table><tr><th>function</th><th>full marks</th>"
                 "<th>points earned</th></tr>")
        m.append("### Pass rate per function\n\n| function | full marks | points earned |\n| --- | --- | --- |")
        for fn, rec in a["functions"].items():
            cls = "ok" if rec["full_rate"] >= 0.75 else ("bad" if rec["full_rate"] < 0.5 else "")
            h.append(f"<tr><td><code>{html.escape(fn)}</code></td><td class='num {cls}'>{rec['full']}/{rec['total']} "
                     f"({_pct(rec['full_rate'])})</td><td class=num>{_pct(rec['point_rate'])}</td></tr>")
            m.append(f"| `{fn}` | {rec['full']}/{rec['total']} ({_pct(rec['full_rate'])}) | {_pct(rec['point_rate'])} |")
        h.append("</table>")
        m.append("")

        # per test
        h.append("<details open><summary>Pass rate per test</summary><table><tr><th>test</th><th>points</th>"
                 "<th>visibility</th><th>passed</th><th>failures by outcome</th></tr>")
        m.append("### Pass rate per test\n\n| test | points | visibility | passed | failures by outcome |\n"
                 "| --- | --- | --- | --- | --- |")
        for name, rec in a["tests"].items():
            outcomes = ", ".join(f"{k}: {v}" for k, v in rec["outcomes"].items())
            cls = "ok" if rec["rate"] >= 0.75 else ("bad" if rec["rate"] < 0.5 else "")
            h.append(f"<tr><td>{html.escape(name)}</td><td class=num>{rec['max_score']:g}</td>"
                     f"<td>{html.escape(rec['visibility'])}</td><td class='num {cls}'>{rec['passed']}/{rec['total']} "
                     f"({_pct(rec['rate'])})</td><td>{html.escape(outcomes)}</td></tr>")
            m.append(f"| {_md(name)} | {rec['max_score']:g} | {rec['visibility']} | {rec['passed']}/{rec['total']} "
                     f"({_pct(rec['rate'])}) | {outcomes} |")
        h.append("</table></details>")
        m.append("")

    # ---- student x assignment
    def short(aid: str) -> str:
        number, _, rest = aid.partition("_")
        return f"{html.escape(number)}<br><small>{html.escape(rest.replace('_', ' '))}</small>"

    h.append("<h2>Scores per student</h2><p class=muted>Each score links to that student's feedback.</p>"
             "<div class=wide><table><tr><th>student</th>" +
             "".join(f"<th title='{html.escape(a)}'>{short(a)}</th>" for a in aids) + "</tr>")
    m.append("## Scores per student\n\n| student | " + " | ".join(aids) + " |\n|" + " --- |" * (len(aids) + 1))
    for s in students:
        cells_h, cells_m = [], []
        for aid in aids:
            got = summary["assignments"][aid]["scores"].get(s)
            if got is None:
                cells_h.append("<td class=muted>not submitted</td>")
                cells_m.append("not submitted")
                continue
            score, top_score, status = got
            note = "" if status in ("", "graded", "ok", "passed", "complete") else f" ({status})"
            text = f"{score:g}/{top_score:g}"
            link = feedback.get((s, aid))
            if link:
                cells_h.append(f"<td class=num><a href='{html.escape(link)}'>{text}</a>"
                               f"{'<br><small class=bad>' + html.escape(note.strip(' ()')) + '</small>' if note else ''}</td>")
                cells_m.append(f"[{text}]({link}){note}")
            else:
                cells_h.append(f"<td class=num>{text}"
                               f"{'<br><small class=bad>' + html.escape(note.strip(' ()')) + '</small>' if note else ''}</td>")
                cells_m.append(f"{text}{note}")
        h.append(f"<tr><td>{html.escape(s)}</td>" + "".join(cells_h) + "</tr>")
        m.append(f"| {s} | " + " | ".join(cells_m) + " |")
    h.append("</table></div>")
    m.append("")

    page = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Class report</title>"
            f"<style>{CSS}</style></head><body>" + "\n".join(h) + "</body></html>\n")
    return page, "\n".join(m) + "\n", figures


def _names(students: list[str], limit: int = 12) -> str:
    """Who made a mistake; a long list is cut (summary.json keeps every name)."""
    if len(students) <= limit:
        return ", ".join(students)
    return ", ".join(students[:limit]) + f" and {len(students) - limit} more"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_report(out: Path, dest: Path | None = None) -> Path:
    """Write the report of a graded folder; returns the path of index.html."""
    out = Path(out)
    grades = load_grades(out)
    if not grades:
        raise FileNotFoundError(f"no grading results in {out} (expected gradebook.csv and "
                                "<student>/<assignment>/results.json from `python -m autograder grade`)")
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
