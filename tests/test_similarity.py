"""The class similarity report: planted copies rank above independent work, stubs never match,
hostile files are read safely, nothing reaches a student.

The class: the example class, plus independent correct solutions written differently (below, by
hand), plus planted copies of some students made the way copiers disguise them (verbatim, renamed
variables, reordered functions, reformatted with other comments and layout).
"""
from __future__ import annotations

import ast
import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from autograder import cmd_similarity, similarity
from autograder.course import REPO_ROOT, find_assignment

EXAMPLE = REPO_ROOT / "examples" / "submitted"

# ----------------------------------------------------------------------------- independent work
# Two students who solved 01 and 03 on their own, each in their own style (bodies of the stubs'
# solution regions, in the order the functions appear in the release).
INDEPENDENT = {
    "01_penalties": {
        "indie_ines": [
            "total = 0.0\n    for value in w.ravel():\n        total += abs(value)\n    return float(lam * total)",
            "out = np.zeros_like(w)\n    out[w > 0] = lam\n    out[w < 0] = -lam\n    return out",
            "squares = [v * v for v in w.ravel()]\n    return 0.5 * lam * float(sum(squares))",
            "return np.multiply(w, lam)",
            "flat = w.ravel()\n    return float(lam1 * np.abs(flat).sum() + lam2 * flat.dot(flat) / 2)",
            "step = np.where(w > 0, 1.0, np.where(w < 0, -1.0, 0.0))\n    return lam1 * step + lam2 * w",
            "half = lam / 2.0\n    shrunk = np.maximum(np.abs(mu) - half, 0.0) * np.sign(mu)\n"
            "    return float(shrunk) if shrunk.ndim == 0 else shrunk",
            "result = 2.0 * mu / (2.0 + lam)\n    return float(result) if np.ndim(result) == 0 else result",
        ],
        "indie_jonas": [
            "return lam * float(np.linalg.norm(w.reshape(-1), ord=1))",
            "signs = np.sign(w)\n    return signs * lam",
            "return float(lam * np.vdot(w, w) / 2)",
            "grad = w.copy()\n    grad *= lam\n    return grad",
            "l1_part = lam1 * np.sum(np.abs(w))\n    l2_part = 0.5 * lam2 * np.sum(w ** 2)\n"
            "    return float(l1_part + l2_part)",
            "g = lam2 * w\n    g = g + lam1 * np.sign(w)\n    return g",
            "magnitude = np.abs(mu) - lam * 0.5\n    magnitude = np.clip(magnitude, 0.0, None)\n"
            "    answer = np.copysign(magnitude, mu)\n    if np.ndim(mu) == 0:\n        return float(answer)\n"
            "    return answer",
            "scale = 1.0 / (1.0 + lam / 2.0)\n    out = mu * scale\n    if out.ndim == 0:\n"
            "        return float(out)\n    return out",
        ],
    },
    "03_dropout": {
        "indie_ines": [
            "keep = 1.0 - p\n    if not training:\n        return x.copy(), np.ones_like(x)\n"
            "    draws = rng.random(x.shape)\n    mask = (draws < keep).astype(x.dtype)\n"
            "    return x * mask / keep, mask",
            "return dout * mask / (1.0 - p)",
            "import itertools\n    n = len(w)\n    means, seconds = 0.0, 0.0\n"
            "    for bits in itertools.product([0, 1], repeat=n):\n        prob = 1.0\n"
            "        y = 0.0\n        for i, b in enumerate(bits):\n            prob *= (1 - p) if b else p\n"
            "            y += w[i] * h[i] * b / (1 - p)\n        means += prob * y\n        seconds += prob * y * y\n"
            "    return float(means), float(seconds - means ** 2)",
            "second_moment = (var + mean ** 2) / (1.0 - p)\n    return float(second_moment - mean ** 2)",
        ],
        "indie_jonas": [
            "if training is False:\n        return x, np.ones(x.shape)\n"
            "    m = rng.binomial(1, 1 - p, size=x.shape).astype(float)\n    scaled = np.divide(x * m, 1 - p)\n"
            "    return scaled, m",
            "factor = 1 / (1 - p)\n    return np.multiply(dout, mask) * factor",
            "contributions = w * h / (1 - p)\n    mean = float(np.sum(contributions * (1 - p)))\n"
            "    var = float(np.sum(contributions ** 2 * p * (1 - p)))\n    return mean, var",
            "q = 1 - p\n    return float(var / q + mean * mean * p / q)",
        ],
    },
}


def fill_stub(stub: str, bodies: list[str]) -> str:
    """The release stub with each `raise NotImplementedError()` replaced by the next body."""
    parts = stub.split("raise NotImplementedError()")
    assert len(parts) == len(bodies) + 1, (len(parts), len(bodies))
    return "".join(p + b for p, b in zip(parts, bodies)) + parts[-1]


# ----------------------------------------------------------------------------- disguises
def renamed(text: str) -> str:
    """Every local variable of every function renamed (parameters keep their names: the API)."""
    tree = ast.parse(text)
    params, locals_ = set(), set()
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        params.update(a.arg for a in fn.args.args + fn.args.kwonlyargs)
        for node in ast.walk(fn):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                locals_.add(node.id)
    mapping = {name: f"my_{name}_v2" for name in locals_ - params}
    out, previous = [], None
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NAME and tok.string in mapping and previous != ".":
            tok = tok._replace(string=mapping[tok.string])
        out.append(tok)
        previous = tok.string
    return tokenize.untokenize(out)


def reordered(text: str) -> str:
    """The module's public functions in reverse order (everything else where it was)."""
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    nodes = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    spans = [(n.lineno - 1, n.end_lineno) for n in nodes]
    chunks = ["".join(lines[a:b]) for a, b in spans]
    head, tail = "".join(lines[:spans[0][0]]), "".join(lines[spans[-1][1]:])
    return head + "\n\n".join(reversed(chunks)) + "\n" + tail


def reformatted(text: str) -> str:
    """Comments replaced, blank lines doubled, spaces added around commas: the same tokens."""
    out = []
    for line in text.splitlines():
        code = line.split("  #")[0].rstrip() if "  #" in line else line
        if code.strip().startswith("#"):
            code = code[: len(code) - len(code.lstrip())] + "# (my notes)"
        out.append(code.replace(",", " ,"))
        if code.strip().startswith("return"):
            out.append("")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- the class
PLANTED = [  # (copier, original, assignment, disguise)
    ("zoe_verbatim", "eva_novak", "01_penalties", lambda t: t),
    ("yan_renamed", "eva_novak", "03_dropout", renamed),
    ("xia_reordered", "indie_ines", "01_penalties", reordered),
    ("wes_reformatted", "indie_jonas", "03_dropout", reformatted),
    ("vik_all_three", "indie_jonas", "01_penalties", lambda t: reformatted(renamed(reordered(t)))),
]


def _module_path(root: Path, student: str, aid: str) -> Path:
    a = find_assignment(aid)
    return root / student / aid / a.filename


@pytest.fixture(scope="module")
def planted_class(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("similarity") / "submitted"
    shutil.copytree(EXAMPLE, root)
    for aid, students in INDEPENDENT.items():
        a = find_assignment(aid)
        stub = (a.release_dir() / a.filename).read_text()
        for student, bodies in students.items():
            folder = root / student / aid
            folder.mkdir(parents=True)
            (folder / a.filename).write_text(fill_stub(stub, bodies))
    for copier, original, aid, disguise in PLANTED:
        target = _module_path(root, copier, aid)
        target.parent.mkdir(parents=True)
        target.write_text(disguise(_module_path(root, original, aid).read_text()))
    return root


@pytest.fixture(scope="module")
def analysed(planted_class):
    assignments = [find_assignment(a) for a in INDEPENDENT]
    return cmd_similarity.analyse(planted_class, assignments, workers=2)


def test_disguises_keep_the_module_valid_python(planted_class):
    for copier, _, aid, _ in PLANTED:
        compile(_module_path(planted_class, copier, aid).read_text(), copier, "exec")


def test_every_planted_pair_ranks_above_every_independent_pair(analysed):
    for aid in INDEPENDENT:
        pairs = analysed["assignments"][aid]["code_pairs"]
        planted = {frozenset((c, o)) for c, o, a, _ in PLANTED if a == aid}
        independents = set(INDEPENDENT[aid]) | {"eva_novak"}   # eva wrote unusual code of her own
        ranks = {frozenset((p.a, p.b)): i for i, p in enumerate(pairs)}
        missing = [sorted(p) for p in planted if p not in ranks]
        assert not missing, f"{aid}: planted pairs not found at all: {missing}"
        worst_planted = max(ranks[p] for p in planted)
        copiers = {c for c, *_ in PLANTED}
        for pair, rank in ranks.items():
            if pair in planted or pair & copiers:
                continue
            if pair & independents:   # a pair with at least one independent author
                assert rank > worst_planted, (
                    f"{aid}: independent pair {sorted(pair)} (rank {rank}, score "
                    f"{pairs[rank].score:.2f}) ranks above a planted copy (worst planted rank {worst_planted})")
        for p in planted:
            score = pairs[ranks[p]].score
            assert score >= 0.6, f"{aid}: planted pair {sorted(p)} scores only {score:.2f}"


def test_untouched_stubs_are_never_similar(tmp_path):
    a = find_assignment("01")
    stub = (a.release_dir() / a.filename).read_bytes()
    for i in range(30):
        folder = tmp_path / f"s{i:02d}" / a.id
        folder.mkdir(parents=True)
        (folder / a.filename).write_bytes(stub)
    result = cmd_similarity.analyse(tmp_path, [a], workers=1)
    assert result["assignments"][a.id]["code_pairs"] == []


def test_quiz_pairs_rank_rare_identical_wrong_answers_first():
    keys = {s: {"q1": "b", "q2": "3e-2", "q3": "a,c"} for s in "ABCDEF"}
    sheets = {
        "A": {"q1": "c", "q2": "7e-2", "q3": "a,c"},   # A and B share two rare wrong answers
        "B": {"q1": "c", "q2": "7e-2", "q3": "a,c"},
        "C": {"q1": "b", "q2": "3e-2", "q3": "a,c"},   # all right: no signal with anyone
        "D": {"q1": "b", "q2": "3e-2", "q3": "a,c"},
        "E": {"q1": "d", "q2": "3e-2", "q3": "a"},     # one wrong answer of its own
        "F": {"q1": "b", "q2": "3e-2", "q3": "a"},     # shares only one wrong answer with E
    }
    pairs = similarity.rank_quiz_pairs("x", sheets, keys)
    assert [(p.a, p.b) for p in pairs] == [("A", "B")]
    assert pairs[0].questions == ["q1: c", "q2: 7e-2"]


def test_quiz_pairs_see_a_copied_variant_key():
    keys = {"A": {"q4": "25e-2"}, "B": {"q4": "31e-2"}, "C": {"q4": "40e-2"}}
    sheets = {"A": {"q4": "25e-2"}, "B": {"q4": "25e-2"}, "C": {"q4": "40e-2"}}   # B wrote A's key
    pairs = similarity.rank_quiz_pairs("x", sheets, keys)
    assert [(p.a, p.b, p.variant_copies) for p in pairs] == [("A", "B", ["q4"])]


def test_hostile_files_are_read_bounded_and_never_followed(tmp_path):
    a = find_assignment("01")
    secret = tmp_path / "secret.py"
    secret.write_text("def l1_penalty(w, lam):\n    return 'TOP-SECRET-" + "x" * 200 + "'\n")
    cases = {
        "link": lambda f: os.symlink(secret, f / a.filename),
        "fifo": lambda f: os.mkfifo(f / a.filename),
        "latin1": lambda f: (f / a.filename).write_bytes(b"# caf\xe9\n" + (a.release_dir() / a.filename).read_bytes()),
        "huge": lambda f: (f / a.filename).write_bytes(b"x = 1\n" * 400_000),
        "deep_notebook": lambda f: (f / f"{a.id}.ipynb").write_text("[" * 100_000 + "]" * 100_000),
    }
    for name, make in cases.items():
        folder = tmp_path / "submitted" / name / a.id
        folder.mkdir(parents=True)
        make(folder)
    result = cmd_similarity.analyse(tmp_path / "submitted", [a], workers=1)
    works = result["assignments"][a.id]["works"]
    for w in works.values():
        assert "TOP-SECRET" not in w.raw
        assert len(w.raw.encode()) <= similarity.MAX_CODE_BYTES + similarity.MAX_NOTEBOOK_BYTES
    assert "caf\ufffd" in works["latin1"].raw


def test_command_writes_only_its_own_folder_and_the_report_opens(planted_class, tmp_path):
    out = tmp_path / "out"
    feedback = out / "somebody" / "01_penalties" / "feedback.md"
    feedback.parent.mkdir(parents=True)
    feedback.write_text("score 10/10\n")
    proc = subprocess.run([sys.executable, "-m", "autograder", "similarity", str(planted_class), "--out", str(out),
                           "--assignment", "01", "--assignment", "03"],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    written = {p.relative_to(out).parts[0] for p in out.rglob("*") if p.is_file()}
    assert written == {"somebody", "similarity"}
    assert feedback.read_text() == "score 10/10\n"
    index = (out / "similarity" / "index.html").read_text()
    assert "zoe_verbatim ~ eva_novak" in index or "eva_novak ~ zoe_verbatim" in index
    pages = sorted((out / "similarity" / "01_penalties").glob("pair-*.html"))
    assert pages and "<mark>" in pages[0].read_text()
    rows = (out / "similarity" / "code_pairs.csv").read_text().splitlines()
    assert rows[0].startswith("assignment,student_a,student_b,score")


@pytest.mark.parametrize("argv, message", [
    (["similarity", "/nonexistent/folder", "--out", "OUT"], "is not a folder"),
    (["similarity", ".", "--out", "OUT", "--assignment", "99"], "unknown assignment"),
])
def test_bad_input_is_one_clear_line(argv, message, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", *argv], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_a_copied_answer_to_a_per_student_question_is_seen(tmp_path):
    """Bob wrote Alice's answer to a question whose numbers are personal: wrong for him, and listed."""
    from autograder import quiz as quizlib
    from autograder.course import ASSIGNMENTS

    secret, _ = quizlib.read_secret()
    for a in ASSIGNMENTS.values():
        path = quizlib.quiz_key_path(a)
        quiz = quizlib.load_quiz(path) if path else None
        variant = next((q for q in quiz.graded if q.variant), None) if quiz else None
        if variant is None:
            continue
        keys = {}
        for student in ("alice", "bob", "carol", "dave", "erin"):
            keys[student] = variant.key_for(variant.params_for(quizlib.variant_token(secret, student)))
        pair = next(((x, y) for x in keys for y in keys if x < y and keys[x] != keys[y]), None)
        if pair is None:
            continue
        alice, bob = pair
        shown = quizlib._show_canonical(keys[alice])
        for student in (alice, bob):
            folder = tmp_path / student / a.id
            folder.mkdir(parents=True)
            (folder / quizlib.ANSWERS_FILE).write_text(f'{variant.id}: "{shown}"\n')
        result = cmd_similarity.analyse(tmp_path, [a], workers=1)
        pairs = result["assignments"][a.id]["quiz_pairs"]
        assert [(p.a, p.b, p.variant_copies) for p in pairs] == [(alice, bob, [variant.id])]
        return
    pytest.fail("no graded per-student question whose key differs between five students")
