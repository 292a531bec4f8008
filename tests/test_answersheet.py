"""A submitted quiz_answers.yaml is read with bounded parsing: hostile sheets cost at most the quiz
(never the grader), and a legacy encoding costs nothing."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from autograder import answersheet
from autograder import quiz as Q

NESTED = b"q1: " + b"[" * (60 * 1024) + b"\n"   # under the 64 KB cap


def _sheet(tmp_path, data: bytes):
    sub = tmp_path / "sub"
    sub.mkdir(exist_ok=True)
    (sub / Q.ANSWERS_FILE).write_bytes(data)
    return sub


def _by_question(results):
    return {r.name.split(":")[0].removeprefix("quiz "): r for r in results}


def test_the_nested_sheet_really_crashes_libyaml():
    """The attack is real: libyaml's C loader dies of it (so it must never see a submitted sheet)."""
    yaml = pytest.importorskip("yaml")
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("this PyYAML has no libyaml")
    code = "import sys, yaml; yaml.load(sys.stdin.buffer.read(), Loader=yaml.CSafeLoader)"
    proc = subprocess.run([sys.executable, "-c", code], input=NESTED, capture_output=True, timeout=60)
    assert proc.returncode < 0, proc.returncode   # killed by a signal (SIGSEGV here)


def test_nested_sheet_costs_only_the_quiz_with_a_clear_message(tmp_path):
    results = Q.grade_quiz_answers("01_penalties", _sheet(tmp_path, NESTED))
    assert results and all(r.score == 0 and r.status == "failed" for r in results)
    assert "nests lists or mappings too deeply (line 1)" in results[0].output


@pytest.mark.parametrize("name, text, words", [
    ("alias bomb", "a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nq1: *b\n", "an anchor (&) at line 1"),
    ("tag", "q1: !!python/object:os.system b\n", "a tag (!) at line 1"),
    ("too many entries", "q1: [" + "b," * 15000 + "]\n", "far more entries"),
    ("deep block mapping", "".join(" " * i + "a:\n" for i in range(300)), "too deeply"),
    ("NUL byte", "q1: b\x00\n", "a character YAML does not allow"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 20 else "")
def test_hostile_sheets_are_refused_in_plain_words_and_fast(tmp_path, name, text, words):
    started = time.perf_counter()
    answers, problem = answersheet.read_answer_sheet(_sheet(tmp_path, text.encode()) / Q.ANSWERS_FILE)
    assert answers is None and words in problem, (name, problem)
    # bound: the pure-Python scanner reads 64 KB in ~0.1 s here; 5 s is a stall, not noise
    assert time.perf_counter() - started < 5


def test_a_huge_number_costs_only_its_own_question(tmp_path):
    sub = _sheet(tmp_path, b"q1: c\nq2: " + b"9" * 5000 + b"\nq3: 1e99999\n")
    results = _by_question(Q.grade_quiz_answers("01_penalties", sub))
    assert results["q1"].status == "passed"          # c is the key of q1 (see source/01_penalties/quiz.yaml)
    assert results["q2"].status == "failed" and "could not read the answer" in results["q2"].output
    assert "4300" not in results["q2"].output and "digits" not in results["q2"].output


def _right(q, student: str) -> str:
    """The right answer of a graded question for `student` (a per-student question: their numbers)."""
    if q.variant:
        secret, _ = Q.read_secret()
        return Q._show_canonical(q.key_for(q.params_for(Q.variant_token(secret, student))))
    return q.raw_answer if not isinstance(q.raw_answer, list) else ", ".join(q.raw_answer)


def test_latin1_and_utf16_sheets_are_read(tmp_path):
    key = Q.load_quiz(Q.quiz_key_path(Q.find_assignment("01_penalties")))
    lines = [f"{q.id}: {_right(q, 'alice')}" for q in key.graded]
    text = "# réponses de l'étudiant\n" + "\n".join(lines) + "  # déjà vu\n"
    for encoding in ("latin-1", "cp1252", "utf-16", "utf-8-sig"):
        results = Q.grade_quiz_answers("01_penalties", _sheet(tmp_path, text.encode(encoding)), student="alice")
        assert all(r.status == "passed" for r in results), (encoding, [r.output for r in results])


def test_a_latin1_answer_costs_only_that_answer(tmp_path):
    sub = _sheet(tmp_path, "q1: c\nq6: \xe9\n".encode("latin-1"))
    results = _by_question(Q.grade_quiz_answers("01_penalties", sub))
    assert results["q1"].status == "passed"
    assert results["q6"].status == "failed" and "could not read the answer" in results["q6"].output


def test_fifo_and_symlink_sheets_never_block_or_follow(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    os.mkfifo(sub / Q.ANSWERS_FILE)   # opening it for reading would block without O_NONBLOCK
    answers, problem = answersheet.read_answer_sheet(sub / Q.ANSWERS_FILE)
    assert answers is None and "not a regular file" in problem
    (sub / Q.ANSWERS_FILE).unlink()
    (sub / Q.ANSWERS_FILE).symlink_to("/etc/passwd")
    answers, problem = answersheet.read_answer_sheet(sub / Q.ANSWERS_FILE)
    assert answers is None and "symbolic link" in problem
