"""Class similarity: which submissions share code (or wrong quiz answers) that the release did not
give them. Evidence for a human to judge, never a verdict: nothing here reaches a student.

Fingerprints are copydetect's (MOSS's winnowing over a token stream in which names, strings and
numbers are normalized, so renamed variables, new comments and reformatting change nothing, and a
fingerprint set has no order, so reordered functions change nothing). This module decides what is
compared:

  1. the release's own code is boilerplate: every line a submission shares with the release (the
     stub module and the notebook's given cells: docstrings, scaffolding, signatures) is dropped
     before fingerprinting, and copydetect drops the release's fingerprints too, so 300 untouched
     stubs have nothing to compare and are never "identical";
  2. what most of the class wrote is not evidence either (MOSS's -m): a fingerprint found in more
     than `common_limit` submissions is ignored (a one-line correct answer everybody writes);
  3. a pair's score is the share of the smaller submission's remaining fingerprints that the other
     one has too (containment), so appending own code to a copy does not hide it.

Candidate pairs come from an inverted index (fingerprint -> submissions), so the cost grows with
the shared fingerprints, not with the square of the class; copydetect's own pairwise comparison
(`compare_files`) runs only for the pairs shown side by side, to highlight the shared code.

What it cannot see: a loop rewritten as a comprehension, or any change of the token sequence beyond
names, literals, comments and layout (a different but equivalent NumPy call), breaks the
fingerprints of that passage; a copy that is rewritten statement by statement is not found.

Reading is bounded and never executes anything: files are read only when they are regular files
(no links followed), at most MAX_CODE_BYTES each, decoded with replacement of invalid bytes, and a
notebook is read as JSON of at most MAX_NOTEBOOK_BYTES (code cells only).
"""
from __future__ import annotations

import html
import io
import json
import math
import os
import stat
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .course import Assignment
from .discovery import read_at_most

MAX_CODE_BYTES = 512 * 1024
MAX_NOTEBOOK_BYTES = 4 * 1024 * 1024
NOISE_THRESHOLD = 25        # copydetect's k: the shortest shared run (of normalized code characters) counted
GUARANTEE_THRESHOLD = 30    # a shared run at least this long is always found (winnowing window = 30 - 25 + 1)
MIN_FINGERPRINTS = 8        # below this much own code, a score would be noise: the pair is not scored


# ============================================================================ what a submission wrote
@dataclass
class Work:
    student: str
    assignment: str
    chunks: list[str]               # its own code per top-level definition (release lines removed)
    raw: str                        # the same, before removing the release lines (shown side by side)
    answers: dict[str, Any] | None  # the quiz answer sheet, when readable
    notes: list[str] = field(default_factory=list)
    hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def read_bounded(path: Path, limit: int) -> str | None:
    """The text of a regular file (never through a link), at most `limit` bytes, or None."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = read_at_most(fd, limit)[:limit]
    except OSError:
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", errors="replace")


def notebook_code(text: str | None) -> str:
    """The code cells of a notebook's JSON text, joined; '' when it is not a readable notebook."""
    if not text:
        return ""
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError):
        return ""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        return ""
    parts = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        if isinstance(source, str):
            parts.append(source)
    return "\n\n".join(parts)


def assignment_code(module: Path, notebook: Path | None) -> str:
    """A submission's (or the release's) module text followed by its notebook's code cells."""
    text = read_bounded(module, MAX_CODE_BYTES) or ""
    cells = notebook_code(read_bounded(notebook, MAX_NOTEBOOK_BYTES)) if notebook else ""
    return text + ("\n\n# --- notebook code cells ---\n" + cells if cells else "")


@dataclass
class LogicalLine:
    depth: int        # indentation level
    text: str         # tokens joined by one space (no comments, no layout)
    rows: range       # the physical lines (0-based) it spans


def logical_lines(text: str) -> list[LogicalLine]:
    """The logical lines of Python code without comments and docstrings (string statements),
    normalized so that layout and comments do not matter. Python's own tokenizer (pure Python, no
    recursion, so bounded input cannot crash it); a text it cannot tokenize is cut into its
    non-blank physical lines instead."""
    lines: list[LogicalLine] = []
    depth, current, first_row, docstring = 0, [], None, False
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.INDENT:
                depth += 1
            elif tok.type == tokenize.DEDENT:
                depth -= 1
            elif tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if current and not docstring:
                    lines.append(LogicalLine(depth, " ".join(current), range(first_row, tok.start[0])))
                current, first_row, docstring = [], None, False
            elif tok.type not in (tokenize.COMMENT, tokenize.NL):
                if first_row is None:
                    first_row, docstring = tok.start[0] - 1, tok.type == tokenize.STRING
                elif docstring:
                    docstring = False   # a string that is part of an expression, not a docstring
                current.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [LogicalLine(0, " ".join(line.split()), range(i, i + 1))
                for i, line in enumerate(text.splitlines()) if line.strip()]
    return lines


def own_lines(text: str, release_lines: set[str]) -> list[LogicalLine]:
    """The logical lines of a submission that the release did not have."""
    return [line for line in logical_lines(text) if line.text not in release_lines]


def own_code_chunks(text: str, release_lines: set[str]) -> list[str]:
    """The code a student wrote, one chunk per top-level definition, without the release's lines.

    Chunks are fingerprinted one by one, so no fingerprint spans two functions and the order of
    the functions in the file does not matter."""
    chunks: list[list[str]] = [[]]
    for line in logical_lines(text):
        if line.depth == 0 and line.text.split(" ", 1)[0] in ("def", "class", "@", "async"):
            chunks.append([])
        if line.text not in release_lines:
            chunks[-1].append("    " * line.depth + line.text)
    return ["\n".join(chunk) for chunk in chunks if chunk]


def own_code_view(text: str, release_lines: set[str]) -> tuple[str, list[str | None]]:
    """The lines of a submission that are its own code, as written (the release's lines,
    docstrings and comments left out), and for each its label: its line number, or None for the
    blank line that separates two runs (shown as the name of the function the next run is in)."""
    physical = text.splitlines()
    where: dict[int, str] = {}
    own_rows: set[int] = set()
    current = ""
    for line in logical_lines(text):
        head = line.text.split(" ", 2)
        if line.depth == 0 and head[0] in ("def", "class") and len(head) > 1:
            current = head[1]
        if line.text not in release_lines:
            for row in line.rows:
                own_rows.add(row)
                where[row] = current
    view, labels, previous = [], [], None
    for row in sorted(r for r in own_rows if r < len(physical)):
        if previous is None or row != previous + 1:
            view.append("")
            labels.append(f"in {where[row]}()" if where[row] else None)
        view.append(physical[row])
        labels.append(str(row + 1))
        previous = row
    return "\n".join(view), labels


def _with_labels(html_text: str, labels: list[str | None]) -> str:
    """Line numbers (and function names at each new run) in front of highlighted view lines."""
    out = []
    for line, label in zip(html_text.split("\n"), labels + [None] * len(html_text)):
        if label is None or not label[0].isdigit():
            out.append(f"<span class=sep>{html.escape(label or '')}</span>{line}")
        else:
            out.append(f"<span class=ln>{label:>4}</span> {line}")
    return "\n".join(out)


# ============================================================================ fingerprints
def _fingerprint(text: str, boilerplate: np.ndarray | None = None):
    from copydetect import CodeFingerprint  # instructor-only dependency: imported when used

    return CodeFingerprint("submission.py", NOISE_THRESHOLD, GUARANTEE_THRESHOLD - NOISE_THRESHOLD + 1,
                           boilerplate=boilerplate, language="python", fp=io.StringIO(text))


def fingerprint_hashes(chunks: Sequence[str]) -> np.ndarray:
    """The winnowed fingerprint hashes of some code chunks, each fingerprinted alone (sorted, unique)."""
    hashes = [h for chunk in chunks if chunk.strip() for h in _fingerprint(chunk).hashes]
    return np.unique(np.array(hashes, dtype=np.int64))


def release_boilerplate(release_dir: Path, assignment: Assignment) -> tuple[set[str], np.ndarray]:
    """The release's own lines and its fingerprints (every k-gram, not only the winnowed ones)."""
    from copydetect import CodeFingerprint

    text = assignment_code(release_dir / assignment.filename, release_dir / f"{assignment.id}.ipynb")
    lines = {line.text for line in logical_lines(text)}
    if not text.strip():
        return lines, np.zeros(0, np.int64)
    fp = CodeFingerprint("release.py", NOISE_THRESHOLD, 1, language="python", fp=io.StringIO(text))
    return lines, np.unique(np.fromiter(fp.hashes, dtype=np.int64))


# ============================================================================ pairs
@dataclass
class CodePair:
    assignment: str
    a: str
    b: str
    score: float          # shared fingerprints / fingerprints of the smaller submission
    shared: int
    sizes: tuple[int, int]


def common_limit(n_submissions: int) -> int:
    """Fingerprints shared by more submissions than this are what the class writes, not copying."""
    return max(3, math.ceil(0.1 * n_submissions))


def rank_code_pairs(works: Sequence[Work], *, limit: int | None = None) -> list[CodePair]:
    """Pairs of one assignment's submissions that share uncommon fingerprints, most similar first."""
    if not works:
        return []
    limit = common_limit(len(works)) if limit is None else limit
    holders: dict[int, list[int]] = defaultdict(list)
    for i, w in enumerate(works):
        for h in w.hashes.tolist():
            holders[h].append(i)
    rare = {h: who for h, who in holders.items() if len(who) <= limit}
    own = Counter()
    for who in rare.values():
        own.update(who)
    shared: Counter = Counter()
    for who in rare.values():
        for x in range(len(who)):
            for y in range(x + 1, len(who)):
                shared[(who[x], who[y])] += 1
    pairs = []
    for (i, j), count in shared.items():
        smaller = min(own[i], own[j])
        if smaller < MIN_FINGERPRINTS:
            continue
        pairs.append(CodePair(works[i].assignment, works[i].student, works[j].student,
                              count / smaller, count, (own[i], own[j])))
    pairs.sort(key=lambda p: (-p.score, -p.shared, p.a, p.b))
    return pairs


def highlighted(a: Work, b: Work, release_lines: set[str]) -> tuple[str, str, float, float]:
    """HTML of both submissions' own code with the shared parts highlighted (copydetect's
    compare_files on the own-code views, so nothing the release gave is ever highlighted)."""
    from copydetect import compare_files
    from copydetect.utils import highlight_overlap

    (view_a, labels_a), (view_b, labels_b) = own_code_view(a.raw, release_lines), own_code_view(b.raw, release_lines)
    fa, fb = _fingerprint(view_a), _fingerprint(view_b)
    _, (sim_a, sim_b), (slices_a, slices_b) = compare_files(fa, fb)
    if len(slices_a) == 0 or slices_a.shape[-1] == 0:   # nothing shared
        return (_with_labels(html.escape(view_a), labels_a), _with_labels(html.escape(view_b), labels_b), 0.0, 0.0)
    html_a, _ = highlight_overlap(view_a, slices_a, "<mark>", "</mark>", escape_html=True)
    html_b, _ = highlight_overlap(view_b, slices_b, "<mark>", "</mark>", escape_html=True)
    return _with_labels(html_a, labels_a), _with_labels(html_b, labels_b), float(sim_a), float(sim_b)


# ============================================================================ quiz sheets
@dataclass
class QuizPair:
    assignment: str
    a: str
    b: str
    weight: float                 # sum over the shared wrong answers of -log2(share of the class giving it)
    questions: list[str]          # "q3: 0.75" for each question where both gave the same wrong answer
    variant_copies: list[str]     # "q4" where one wrote the other's key of a per-student variant


def rank_quiz_pairs(assignment: str, sheets: dict[str, dict[str, str]], keys: dict[str, dict[str, str]],
                    *, min_shared: int = 2) -> list[QuizPair]:
    """Pairs of students who gave the same wrong answers (identical right answers are no signal).

    `sheets[student][qid]` is the student's canonical answer; `keys[student][qid]` the canonical key
    of that student's version of the question (per-student variants differ). Writing another
    student's key of a variant question, which is wrong for one's own variant, is counted apart.
    """
    wrong: dict[tuple[str, str], list[str]] = defaultdict(list)   # (qid, answer) -> students
    for student, answers in sheets.items():
        for qid, answer in answers.items():
            if answer and answer != keys.get(student, {}).get(qid):
                wrong[(qid, answer)].append(student)
    n = max(1, len(sheets))
    pair_questions: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for (qid, answer), students in wrong.items():
        if len(students) < 2:
            continue
        weight = -math.log2(len(students) / n)
        students = sorted(students)
        for x in range(len(students)):
            for y in range(x + 1, len(students)):
                pair_questions[(students[x], students[y])].append((f"{qid}: {answer}", weight))
    variant: dict[tuple[str, str], list[str]] = defaultdict(list)
    students = sorted(sheets)
    for x, sa in enumerate(students):
        for sb in students[x + 1:]:
            for qid in set(sheets[sa]) & set(sheets[sb]):
                ka, kb = keys.get(sa, {}).get(qid), keys.get(sb, {}).get(qid)
                if ka == kb:
                    continue
                if sheets[sb][qid] == ka != kb or sheets[sa][qid] == kb != ka:
                    variant[(sa, sb)].append(qid)
    pairs = []
    for key in set(pair_questions) | set(variant):
        shared = pair_questions.get(key, [])
        if len(shared) < min_shared and not variant.get(key):
            continue
        pairs.append(QuizPair(assignment, key[0], key[1], sum(w for _, w in shared),
                              sorted(q for q, _ in shared), sorted(variant.get(key, []))))
    pairs.sort(key=lambda p: (-len(p.variant_copies), -p.weight, p.a, p.b))
    return pairs


def pair_rank(pairs: Iterable[CodePair | QuizPair], a: str, b: str) -> int | None:
    """0-based rank of the pair {a, b} in a ranked list, or None."""
    for i, p in enumerate(pairs):
        if {p.a, p.b} == {a, b}:
            return i
    return None
