"""Tests of the quizzes: content, key/hash agreement, release safety, grading, the quiz command."""
from __future__ import annotations

import itertools
import json
import math
import os
import re
import select
import shutil
import subprocess
import sys
import time
from fractions import Fraction
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
import yaml

from autograder import quiz as Q
from autograder.course import ASSIGNMENTS, REPO_ROOT
from autograder.release import build

QUIZ_IDS = list(ASSIGNMENTS)


def source_quiz(aid: str) -> Q.Quiz:
    return Q.load_quiz(REPO_ROOT / "source" / aid / Q.QUIZ_FILE)


def hashed_version(quiz: Q.Quiz) -> Q.Quiz:
    return Q.parse_quiz(yaml.safe_load(Q.hashed_quiz_text(quiz)), "<hashed>")


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A fresh release of the whole source/ tree (assignments/ and solutions/ under one root)."""
    root = tmp_path_factory.mktemp("release")
    build(REPO_ROOT / "source", root / "assignments", root / "solutions")
    return root


# ============================================================================ content
@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_every_assignment_has_a_complete_quiz(aid):
    quiz = source_quiz(aid)
    assert quiz.id == aid
    assert len(quiz.questions) >= 5
    types = {q.type for q in quiz.questions}
    assert types == {"single", "multiple", "numeric"}, f"{aid} lacks a question type: {types}"
    multi = [q for q in quiz.questions if q.type == "multiple"]
    assert any(len(q.key.split(",")) >= 2 for q in multi), "a multiple-answer question with several right options"
    for q in quiz.questions:
        assert q.points > 0
        assert len(q.explanation_text) > 80, f"{aid} {q.id}: the explanation should teach"
        assert q.title.isascii() and q.prompt.isascii() and q.explanation_text.isascii()


def _course_question(aid: str, ref: str) -> list[Q.Question]:
    return [q for q in source_quiz(aid).questions if q.course_ref == ref]


def test_course_q1_priors_with_erratum_5():
    (q,) = _course_question("01_penalties", "Q1")
    assert q.type == "single"
    right = q.options[q.key]
    assert "Laplace" in right and "Gaussian" in right
    # erratum 5: "L1 and L2 are equivalent under SGD" is an option and it is false
    sgd = [k for k, text in q.options.items() if "SGD" in text and "same updates" in text]
    assert len(sgd) == 1 and sgd[0] != q.key
    assert "L2 alone" in q.explanation_text


def test_course_q2_dropout_scale_two_at_p_half():
    (q,) = _course_question("03_dropout", "Q2")
    assert "p = 0.5" in q.prompt
    assert float(q.options[q.key]) == pytest.approx(1 / (1 - 0.5))


def test_course_q3_adamw_decouples():
    (q,) = _course_question("05_optimizers", "Q3")
    right = q.options[q.key].lower()
    assert "directly" in right and "outside the adaptive normalization" in right


def test_course_q4_early_stopping_before_noise():
    (q,) = _course_question("06_early_stopping", "Q4")
    right = q.options[q.key].lower()
    assert "before" in right and "noise" in right and "validation" in right


def test_course_q5_both_spreads_asked():
    qs = {("others" if '"others"' in q.prompt else "uniform"): q for q in _course_question("04_label_smoothing", "Q5")}
    assert set(qs) == {"others", "uniform"}
    eps, k = 0.1, 10
    assert qs["others"].raw_answer == pytest.approx(1 - eps) == pytest.approx(0.9)
    assert qs["uniform"].raw_answer == pytest.approx(1 - eps + eps / k) == pytest.approx(0.91)
    assert all(q.type == "numeric" for q in qs.values())


# Numeric keys, recomputed from the formulas of COURSE.md.
def _entropy(t):
    t = np.asarray(t, dtype=float)
    return float(-(t * np.log(t)).sum())


_T = math.tanh(0.5)
FORMULAS = {
    ("01_penalties", "q2"): 1.5 / (1 + 0.6 / 2),                     # l2_scalar_minimizer(1.5, 0.6)
    ("01_penalties", "q3"): 2 * 0.65,                                # L1 zero threshold lam = 2|mu|
    ("01_penalties", "q4"): 2 * 0.01,                                # lam = 2 * lam_text
    ("02_proximal", "q1"): np.sign(-0.8) * max(0.8 - 0.3, 0),        # soft thresholding
    ("02_proximal", "q2"): 1 / 4,                                    # 1 / L
    ("02_proximal", "q3"): math.sqrt(2 * 0.18),                      # hard threshold sqrt(2t)
    ("02_proximal", "q7"): 6 / (4 + 1),                              # ridge, one feature
    ("03_dropout", "q2"): 1 / (1 - 0.2),
    ("03_dropout", "q3"): 0.4 / (1 - 0.2) + 1 ** 2 * 0.2 / (1 - 0.2),  # erratum 2
    ("03_dropout", "q4"): (0.6 ** 2 + 0.4 ** 2) * 0.5 / (1 - 0.5),
    ("04_label_smoothing", "q1"): 1 - 0.1,
    ("04_label_smoothing", "q2"): 1 - 0.1 + 0.1 / 10,
    ("04_label_smoothing", "q3"): _entropy([0.91] + [0.01] * 9),
    ("04_label_smoothing", "q4"): _entropy([0.9] + [0.1 / 9] * 9),
    ("04_label_smoothing", "q7"): 0.2 - 0.1 / 3,
    ("05_optimizers", "q2"): (1 - 0.1 * 0.01) * 2 - 0.1 * 0.5,
    ("05_optimizers", "q3"): 0.2 ** 2 * 0.5 * 3,                     # lr^2 * lam * grad
    ("05_optimizers", "q5"): 0.5 - 0.001 * 4 / (4 + 1e-8),
    ("06_early_stopping", "q2"): 1 / (0.01 * 400),
    ("06_early_stopping", "q3"): 1 - (1 - 0.1 * 0.3) ** 20,
    ("06_early_stopping", "q4"): 0.3 / (0.3 + 1 / (0.1 * 20)),
    ("07_normalization_and_more", "q1"): 1 / 0.8,
    ("07_normalization_and_more", "q3"): (6 - 3) / math.sqrt(np.var([1, 2, 3, 6]) + 1e-5),
    ("07_normalization_and_more", "q4"): 0.3 * 2 + 0.7 * -1,
    ("07_normalization_and_more", "q5"): (1 - _T ** 2) ** 2 * (1 + 4),
    ("08_capstone", "q2"): 1 - 0.01 * 0.2,                            # AdamW's decay factor
    ("08_capstone", "q3"): int(np.argmin([0.90, 0.74, 0.66, 0.61, 0.58, 0.57, 0.565, 0.57, 0.56, 0.555, 0.56,
                                          0.558, 0.552, 0.549, 0.551, 0.553, 0.556])),   # stops after 16
    ("08_capstone", "q6"): 1 - 0.1 + 0.1 / 10,
    ("08_capstone", "q7"): _entropy([0.91] + [0.01] * 9),
    ("08_capstone", "q10"): math.sqrt(2 / 64),                        # He initialization
    ("08_capstone", "q11"): 0.25 * 9 / 10,
}


def test_every_numeric_key_has_a_formula():
    numeric = {(aid, q.id) for aid in QUIZ_IDS for q in source_quiz(aid).questions if q.type == "numeric"}
    assert numeric == set(FORMULAS)


@pytest.mark.parametrize("where", sorted(FORMULAS), ids=lambda w: f"{w[0]}-{w[1]}")
def test_numeric_key_matches_formula_and_is_not_on_a_rounding_edge(where):
    aid, qid = where
    q = source_quiz(aid).question(qid)
    value = float(FORMULAS[where])
    step = 10.0 ** -q.decimals
    assert abs(float(q.raw_answer) - value) < step / 100, f"key {q.raw_answer} vs formula {value}"
    # the exact value is accepted, and stays at least a tenth of a step away from the edges
    assert q.check(repr(value)).correct
    assert q.check(repr(value + 0.1 * step)).correct and q.check(repr(value - 0.1 * step)).correct
    assert not q.check(repr(value + 1.01 * step)).correct and not q.check(repr(value - 1.01 * step)).correct


def test_min_cross_entropy_keys_match_the_reference_if_present():
    """Cross-check against the reference solutions where they exist (skip otherwise)."""
    checks = 0
    path = REPO_ROOT / "solutions" / "04_label_smoothing" / "label_smoothing.py"
    if not path.exists():
        pytest.skip("reference label_smoothing.py not released yet")
    from autograder.course import load_reference
    ref = load_reference(ASSIGNMENTS["04_label_smoothing"])
    quiz = source_quiz("04_label_smoothing")
    for qid, spread in (("q3", "uniform"), ("q4", "others")):
        if hasattr(ref, "min_cross_entropy"):
            assert quiz.question(qid).check(repr(float(ref.min_cross_entropy(10, 0.1, spread)))).correct
            checks += 1
    if hasattr(ref, "smooth_labels"):
        t = ref.smooth_labels(np.array([0]), 10, 0.1, spread="others")
        assert quiz.question("q1").check(repr(float(t[0, 0]))).correct
        t = ref.smooth_labels(np.array([0]), 10, 0.1, spread="uniform")
        assert quiz.question("q2").check(repr(float(t[0, 0]))).correct
        checks += 1
    assert checks


def _reference(aid):
    a = ASSIGNMENTS[aid]
    if not (a.solution_dir() / a.filename).exists():
        pytest.skip(f"reference {a.filename} not released yet")
    from autograder.course import load_reference
    return load_reference(a)


@pytest.mark.parametrize("case", [
    ("01_penalties", "q2", lambda r: r.l2_scalar_minimizer(1.5, 0.6)),
    ("01_penalties", "q3", lambda r: (r.l1_scalar_minimizer(0.65, 1.3 - 1e-9) > 0) and
     (r.l1_scalar_minimizer(0.65, 1.3 + 1e-9) == 0) and 1.3),
    ("02_proximal", "q1", lambda r: r.prox_l1(np.array([-0.8]), 0.3)[0]),
    ("02_proximal", "q7", lambda r: r.ridge_closed_form(np.array([[2.0]]), np.array([3.0]), 1.0)[0]),
    ("03_dropout", "q3", lambda r: r.dropout_variance(1.0, 0.4, 0.2)),
    ("03_dropout", "q4", lambda r: r.dropout_output_moments(np.array([0.6, 0.4]), np.array([1.0, 1.0]), 0.5)[1]),
    ("05_optimizers", "q2", lambda r: r.sgd_weight_decay_step(np.array([2.0]), np.array([0.5]), 0.1, 0.01)[0]),
    ("05_optimizers", "q5", lambda r: r.adam_l2_step(np.array([0.5]), np.array([4.0]), r.adam_init(np.array([0.5])),
                                                     lr=0.001)[0][0]),
    ("06_early_stopping", "q2", lambda r: r.equivalent_lambda(0.01, 400)),
    ("06_early_stopping", "q3", lambda r: r.gd_spectral_filter(np.array([0.3]), 0.1, 20)[0]),
    ("06_early_stopping", "q4", lambda r: r.ridge_spectral_filter(np.array([0.3]), r.equivalent_lambda(0.1, 20))[0]),
    ("07_normalization_and_more", "q3", lambda r: r.batchnorm_forward(
        np.array([[1.0], [2.0], [3.0], [6.0]]), np.ones(1), np.zeros(1))[0][3, 0]),
    ("07_normalization_and_more", "q5", lambda r: r.jacobian_penalty(np.array([[1.0, 2.0]]), np.array([0.5]),
                                                                      np.zeros(2))),
], ids=lambda c: f"{c[0]}-{c[1]}")
def test_numeric_keys_match_the_reference_solutions(case):
    aid, qid, compute = case
    ref = _reference(aid)
    try:
        value = float(np.asarray(compute(ref)).reshape(()))
    except (AttributeError, NotImplementedError) as exc:
        pytest.skip(f"reference function not available: {exc}")
    assert source_quiz(aid).question(qid).check(repr(value)).correct, f"reference gives {value}"


def test_early_stopping_question_matches_the_reference():
    ref = _reference("06_early_stopping")
    q = source_quiz("06_early_stopping").question("q6")
    losses = [1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, 0.74]
    got = tuple(int(x) for x in ref.early_stopping_epoch(losses, 2, 0.02))
    assert q.options[q.key] == f"({got[0]}, {got[1]})"
    other = tuple(int(x) for x in ref.early_stopping_epoch(losses, 2, 0.0))
    assert other == (4, 6) and "(4, 6)" in q.explanation_text


# ============================================================================ answer normalization
@pytest.mark.parametrize("raw, letters", [
    ("a, C", {"a", "c"}), ("C A", {"a", "c"}), ("[a, c]", {"a", "c"}), (["c", "A"], {"a", "c"}),
    ("ac", {"a", "c"}), ("a and c", {"a", "c"}), ("a;c", {"a", "c"}), ("(b)", {"b"}), ("b)", {"b"}),
    ("  d  ", {"d"}), ("a,a", {"a"}), ("A/C", {"a", "c"}),
])
def test_choice_answers_are_read_leniently(raw, letters):
    assert Q._choice_letters(raw, "abcd") == letters


@pytest.mark.parametrize("raw", ["e", "b) multiply by two", "1", 3, True, ["a", 1], "abcde"])
def test_unreadable_choice_answers_are_reported(raw):
    with pytest.raises(Q.AnswerError):
        Q._choice_letters(raw, "abcd")


@pytest.mark.parametrize("raw, value", [
    ("0.91", Fraction(91, 100)), (0.91, Fraction(91, 100)), (".91", Fraction(91, 100)),
    ("9.1e-1", Fraction(91, 100)), ("91/100", Fraction(91, 100)), ("1/9", Fraction(1, 9)),
    ("-0.5", Fraction(-1, 2)), ("\u22120.5", Fraction(-1, 2)), (" 1 / 4 ", Fraction(1, 4)), (2, Fraction(2)),
    ("+3", Fraction(3)),
])
def test_numbers_are_parsed_exactly(raw, value):
    assert Q.parse_number(raw) == value


@pytest.mark.parametrize("raw", ["abc", "1/0", "nan", "inf", "1,5", "1/2/3", float("nan"), True, "", "0.5%"])
def test_bad_numbers_are_reported(raw):
    with pytest.raises(Q.AnswerError):
        Q.parse_number(raw)


def test_round_half_up_is_exact():
    assert Q.round_half_up(Fraction("0.905"), 2) == 91       # half goes up, with no float error
    assert Q.round_half_up(Fraction("0.9049999"), 2) == 90
    assert Q.round_half_up(Fraction("-0.105"), 2) == -10      # half up means toward +infinity
    assert Q.round_half_up(Q.parse_number(0.285), 2) == 29    # the float 0.285 is read as typed


# ============================================================================ plain check == hashed check
def _spellings(letters: list[str]) -> list:
    return [",".join(letters), " ".join(l.upper() for l in reversed(letters)), list(reversed(letters)),
            "[" + ", ".join(letters) + "]", "".join(letters), " and ".join(letters)]


def _numeric_candidates(q: Q.Question) -> list[tuple[object, bool | None]]:
    step = Fraction(1, 10 ** q.decimals)
    center = Q.round_half_up(Q.parse_number(q.raw_answer), q.decimals) * step
    out: list[tuple[object, bool | None]] = [(q.raw_answer, True), (str(q.raw_answer), True)]
    for offset, accepted in [(0, True), (Fraction(49, 100), True), (-Fraction(49, 100), True),
                             (-Fraction(1, 2), True), (Fraction(1, 2), False), (Fraction(51, 100), False),
                             (-Fraction(51, 100), False), (1, False), (-1, False), (10, False)]:
        value = center + offset * step
        out.append((f"{value.numerator}/{value.denominator}", accepted))
        out.append((str(Q.Decimal(value.numerator) / Q.Decimal(value.denominator)), accepted))
    out.append((f"{float(center):.{q.decimals}f}", True))
    out.append((f"{float(center):.{q.decimals + 2}e}", True))
    out += [("not a number", None), ("", None), (None, None), (float(center) * 1.5 + 1, False)]
    return out


@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_hashed_check_accepts_exactly_what_the_plain_check_accepts(aid):
    plain = source_quiz(aid)
    hashed = hashed_version(plain)
    for p, h in zip(plain.questions, hashed.questions):
        assert h.hashed and h.key is None and p.id == h.id
        if p.type == "numeric":
            candidates = _numeric_candidates(p)
        else:
            key = set(p.key.split(","))
            letters = list(p.letters)
            candidates = []
            for r in range(1, len(letters) + 1):
                for subset in itertools.combinations(letters, r):
                    expected = set(subset) == key
                    candidates += [(s, expected) for s in _spellings(list(subset))]
            candidates += [("z", None), ("", None), ("1", None), (True, None), (None, None)]
        for raw, expected in candidates:
            vp, vh = p.check(raw), h.check(raw)
            assert (vp.correct, vp.answered, vp.readable) == (vh.correct, vh.answered, vh.readable), \
                f"{aid} {p.id}: plain and hashed disagree on {raw!r}"
            if expected is not None:
                assert vp.correct is expected, f"{aid} {p.id}: {raw!r} should be {'right' if expected else 'wrong'}"
            else:
                assert not vp.correct
        # the explanation and the targeted hints come back intact after answering
        assert h.explanation() == p.explanation_text
        for wrong, hint in p.mistake_hints.items():
            raw = wrong if p.type != "numeric" else str(Fraction(int(wrong.split("e-")[0]), 10 ** p.decimals))
            assert p.check(raw).hint == hint == h.check(raw).hint
            assert not h.check(raw).correct


def test_correct_answer_gives_no_mistake_hint_and_messages_never_show_the_key():
    for aid in QUIZ_IDS:
        for q in hashed_version(source_quiz(aid)).questions:
            v = q.check("zzz" if q.type != "numeric" else "12345")
            assert not v.correct
            plain = source_quiz(aid).question(q.id)
            if plain.type == "numeric":
                assert Q._show_rounded(int(plain.key.split("e-")[0]), plain.decimals) not in v.message


# ============================================================================ validation of quiz files
BASE = {"quiz": "x", "title": "t", "questions": [
    {"id": "q1", "title": "t", "type": "numeric", "prompt": "p", "decimals": 2, "answer": 0.5,
     "explanation": "e"}]}


def _with(**changes):
    data = json.loads(json.dumps(BASE))
    data["questions"][0].update(changes)
    if data["questions"][0]["type"] != "numeric":
        data["questions"][0].pop("decimals")
    return data


@pytest.mark.parametrize("data, message", [
    (_with(answer=0.125), "edge of its accepted interval"),
    (_with(answer=0.1249), "edge of its accepted interval"),
    (_with(colour="red"), "unknown fields"),
    (_with(decimals=None), "decimals"),
    (_with(type="single", options={"a": "x", "b": "y"}, answer="a, b"), "exactly one letter"),
    (_with(type="single", options={"a": "x", "c": "y"}, answer="a"), "lettered"),
    (_with(type="multiple", options={"a": "x", "b": "y"}, answer="z"), "cannot be read"),
    (_with(explanation=""), "explanation"),
    (_with(mistakes=[{"answer": 0.5, "hint": "h"}]), "is the key itself"),
])
def test_invalid_quizzes_are_refused(data, message):
    with pytest.raises(Q.QuizError, match=message):
        Q.parse_quiz(data)


def test_a_hashed_quiz_with_a_plain_answer_is_refused():
    data = Q.hashed_quiz_data(Q.parse_quiz(BASE))
    Q.parse_quiz(data)
    data["questions"][0]["answer"] = 0.5
    with pytest.raises(Q.QuizError, match="plain"):
        Q.parse_quiz(data)


def test_release_refuses_a_quiz_in_the_wrong_folder(tmp_path):
    folder = tmp_path / "03_dropout"
    folder.mkdir()
    shutil.copyfile(REPO_ROOT / "source" / "01_penalties" / "quiz.yaml", folder / "quiz.yaml")
    with pytest.raises(Q.QuizError, match="salts"):
        Q.release_quiz(folder / "quiz.yaml", tmp_path / "out.yaml")


# ============================================================================ the release
def _key_spellings(q: Q.Question) -> list[str]:
    n = Q.round_half_up(Q.parse_number(q.raw_answer), q.decimals)
    value = Fraction(n, 10 ** q.decimals)
    shown = set()
    exact = next(d for d in range(0, 12) if (value * 10 ** d).denominator == 1)
    for d in range(exact, q.decimals + 3):
        shown.add(f"{float(value):.{d}f}")
    text = f"{float(value):.{q.decimals}f}"
    shown.add(text.rstrip("0").rstrip(".") if "." in text else text)
    shown.add(str(q.raw_answer))
    shown |= {s.replace("0.", ".", 1) for s in list(shown) if s.startswith("0.")}
    shown |= {s.replace("-0.", "-.", 1) for s in list(shown) if s.startswith("-0.")}
    if value.denominator <= 100 and value.denominator != 1:
        shown.add(f"{value.numerator}/{value.denominator}")
    return sorted(s for s in shown if re.search(r"[1-9]", s))


def _sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    return [s.strip() for s in re.split(r"(?<=[.:;])\s+", flat) if len(s.strip()) >= 25]


def _released_texts(folder: Path) -> dict[str, str]:
    texts = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".ipynb":
            try:
                raw = "\n".join("".join(c.get("source", "")) + json.dumps(c.get("outputs", []))
                                for c in json.loads(raw).get("cells", []))
            except ValueError:
                pass
        texts[str(path)] = " ".join(raw.split())
    return texts


@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_no_plain_key_or_explanation_reaches_the_release(released, aid):
    plain = source_quiz(aid)
    folders = [released / "assignments" / aid]
    committed = REPO_ROOT / "assignments" / aid
    if (committed / Q.QUIZ_FILE).exists():
        folders.append(committed)
    for folder in folders:
        quiz_text = (folder / Q.QUIZ_FILE).read_text()
        data = yaml.safe_load(quiz_text)
        assert data["keys"] == Q.HASH_SCHEME
        allowed = {"id", "title", "type", "points", "prompt", "options", "decimals", "salt", "key_hash",
                   "explanation", "mistakes"}
        for qd, q in zip(data["questions"], plain.questions):
            assert set(qd) <= allowed, f"{folder}: unexpected fields {set(qd) - allowed}"
            assert qd["explanation"] != q.explanation_text
            assert all(set(m) == {"hash", "hint"} for m in qd.get("mistakes", []))
        # numeric keys in any spelling appear nowhere in the released quiz files
        sheet = folder / Q.ANSWERS_FILE
        quiz_files = quiz_text + (sheet.read_text() if sheet.exists() else "")
        for q in plain.questions:
            if q.type != "numeric":
                continue
            for spelling in _key_spellings(q):
                pattern = r"(?<![\w.\-])" + re.escape(spelling) + r"(?![\d])"
                match = re.search(pattern, quiz_files)
                assert match is None, f"{folder}: the key of {q.id} appears as {spelling!r}: " \
                                      f"...{quiz_files[max(0, match.start() - 60):match.end() + 20]}..."
        # no sentence of an explanation or a hint appears in any released file
        texts = _released_texts(folder)
        for q in plain.questions:
            for secret in [q.explanation_text, *q.mistake_hints.values()]:
                for sentence in _sentences(secret):
                    for name, text in texts.items():
                        assert sentence not in text, f"{name} reveals the explanation of {q.id}: {sentence!r}"


def test_release_output_is_deterministic_and_solutions_keep_the_plain_quiz(released, tmp_path):
    build(REPO_ROOT / "source", tmp_path / "assignments", tmp_path / "solutions")
    for aid in QUIZ_IDS:
        for name in (Q.QUIZ_FILE, Q.ANSWERS_FILE):
            assert (tmp_path / "assignments" / aid / name).read_bytes() == \
                (released / "assignments" / aid / name).read_bytes()
        assert (released / "solutions" / aid / Q.QUIZ_FILE).read_bytes() == \
            (REPO_ROOT / "source" / aid / Q.QUIZ_FILE).read_bytes()
        assert (released / "assignments" / aid / Q.ANSWERS_FILE).read_bytes() == \
            (REPO_ROOT / "source" / aid / Q.ANSWERS_FILE).read_bytes()


@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_answer_sheets_are_in_sync_with_the_quizzes(aid):
    quiz = source_quiz(aid)
    sheet = (REPO_ROOT / "source" / aid / Q.ANSWERS_FILE).read_text()
    assert sheet == Q.answer_sheet_text(quiz, ASSIGNMENTS[aid].filename), \
        "run `python -m autograder.quiz sheets`"
    blank = yaml.safe_load(sheet)
    assert list(blank) == [q.id for q in quiz.questions] and all(v is None for v in blank.values())


# ============================================================================ grading
def _key_answers(quiz: Q.Quiz, style: int = 0) -> dict:
    out = {}
    for q in quiz.questions:
        if q.type == "numeric":
            out[q.id] = [q.raw_answer, str(q.raw_answer)][style % 2]
        else:
            letters = q.key.split(",")
            out[q.id] = [", ".join(letters), list(reversed([l.upper() for l in letters]))][style % 2]
    return out


def _submission(tmp_path: Path, content: str | bytes | None) -> Path:
    sub = tmp_path / "submission"
    sub.mkdir(exist_ok=True)
    if content is not None:
        path = sub / Q.ANSWERS_FILE
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return sub


@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_grading_all_correct_answers(tmp_path, aid):
    quiz = source_quiz(aid)
    for style in (0, 1):
        sub = _submission(tmp_path, yaml.safe_dump(_key_answers(quiz, style)))
        results = Q.grade_quiz_answers(aid, sub)
        assert [r.name for r in results] == [f"quiz {q.id}: {q.title}" for q in quiz.questions]
        assert all(r.status == "passed" and r.score == r.max_score == 2 for r in results), \
            [(r.name, r.output) for r in results if r.status != "passed"]
        assert all(r.function == "quiz" and r.visibility == "visible" for r in results)


def test_grading_a_hand_edited_sheet_partially_wrong(tmp_path):
    quiz = source_quiz("04_label_smoothing")
    sheet = (REPO_ROOT / "source" / "04_label_smoothing" / Q.ANSWERS_FILE).read_text()
    filled = (sheet.replace("q1:    #", "q1: 0.90    #")       # right (3 decimals asked, 0.90 rounds to 0.900)
                   .replace("q2:    #", "q2: 0.9    #")        # wrong: the "others" value, gets a hint
                   .replace("q3:    #", "q3: 1/2    #")        # right, as a fraction
                   .replace("q5:    #", "q5: B    #")          # right, upper case
                   .replace("q6:    #", "q6: e c b A    #")    # right, any order
                   .replace("q7:    #", "q7: abc    #"))       # unreadable for a numeric question
    results = {r.name.split(":")[0]: r for r in Q.grade_quiz_answers("04", _submission(tmp_path, filled))}
    assert {k: r.status for k, r in results.items()} == {
        "quiz q1": "passed", "quiz q2": "failed", "quiz q3": "passed", "quiz q4": "failed",
        "quiz q5": "passed", "quiz q6": "passed", "quiz q7": "failed"}
    assert sum(r.score for r in results.values()) == 8 and sum(r.max_score for r in results.values()) == 14
    assert "uniform" not in results["quiz q2"].output and "others" in results["quiz q2"].hint
    assert results["quiz q4"].output == "not answered"
    assert "could not read" in results["quiz q7"].output and "abc" in results["quiz q7"].output
    assert quiz.question("q2").check("0.9").hint == results["quiz q2"].hint


def test_grading_missing_file(tmp_path):
    results = Q.grade_quiz_answers("01_penalties", _submission(tmp_path, None))
    assert len(results) == len(source_quiz("01_penalties").questions)
    assert all(r.score == 0 and r.status == "failed" and r.max_score == 2 for r in results)
    assert all(r.output == "no quiz_answers.yaml in the submission" for r in results)


@pytest.mark.parametrize("content, words", [
    ("q1: c\nq2: [a, b\nq3: 1.3\n", ["not valid YAML", "line 3", "starts at line 2"]),
    ("q1: c\n  q2: b: c\n", ["not valid YAML", "line 2"]),
    ("- c\n- a\n", ["should be a list of `id: answer` lines"]),
    ("just some text\n", ["should be a list of `id: answer` lines"]),
    (b"q1: \xff\xfe\n", ["not UTF-8"]),
    ("q1: c\n" + "#" * (Q.MAX_ANSWERS_BYTES + 10) + "\n", ["larger than"]),
])
def test_grading_malformed_files_never_raises(tmp_path, content, words):
    results = Q.grade_quiz_answers("01_penalties", _submission(tmp_path, content))
    assert results and all(r.score == 0 and r.status == "failed" for r in results)
    for w in words:
        assert w in results[0].output, results[0].output
    assert "--answers" in results[0].hint


def test_grading_refuses_symlinks_and_notes_unknown_ids(tmp_path):
    target = tmp_path / "elsewhere.yaml"
    target.write_text("q1: c\n")
    sub = _submission(tmp_path, None)
    (sub / Q.ANSWERS_FILE).symlink_to(target)
    results = Q.grade_quiz_answers("01_penalties", sub)
    assert all("symbolic link" in r.output for r in results)
    (sub / Q.ANSWERS_FILE).unlink()
    (sub / Q.ANSWERS_FILE).write_text("Q1: c\nq9: a\n3: 1.3\n")
    results = {r.name.split(":")[0]: r for r in Q.grade_quiz_answers("01_penalties", sub)}
    assert results["quiz q1"].status == "passed" and results["quiz q3"].status == "passed"
    assert "q9" in results["quiz q2"].output


def test_grading_reads_solutions_then_source_and_handles_no_quiz(tmp_path):
    root = tmp_path / "root"
    (root / "source" / "03_dropout").mkdir(parents=True)
    sub = _submission(tmp_path, "q1: b\n")
    assert Q.grade_quiz_answers("03_dropout", sub, root=root) == []
    shutil.copyfile(REPO_ROOT / "source" / "03_dropout" / Q.QUIZ_FILE, root / "source" / "03_dropout" / Q.QUIZ_FILE)
    assert Q.grade_quiz_answers("03_dropout", sub, root=root)[0].status == "passed"
    # a hashed file where the plain key should be is an instructor error, reported, not raised
    (root / "solutions" / "03_dropout").mkdir(parents=True)
    Q.release_quiz(REPO_ROOT / "source" / "03_dropout" / Q.QUIZ_FILE, root / "solutions" / "03_dropout" / Q.QUIZ_FILE)
    (result,) = Q.grade_quiz_answers("03_dropout", sub, root=root)
    assert result.status == "error" and result.max_score == 0 and "plain keys" in result.output


def test_grading_reparses_the_key_when_the_file_changes(tmp_path):
    """The parsed answer key is cached per process, but an edited key file is read again."""
    root = tmp_path / "root"
    key = root / "solutions" / "03_dropout" / Q.QUIZ_FILE
    key.parent.mkdir(parents=True)
    text = (REPO_ROOT / "source" / "03_dropout" / Q.QUIZ_FILE).read_text()
    key.write_text(text)
    sub = _submission(tmp_path, "q1: b\n")
    first = Q.grade_quiz_answers("03_dropout", sub, root=root)
    assert first[0].status == "passed"
    assert Q.grade_quiz_answers("03_dropout", sub, root=root) == first   # served from the cache
    original = source_quiz("03_dropout").question("q1")
    wrong = next(letter for letter in original.letters if letter != original.key)
    edited = yaml.safe_load(text)
    edited["questions"][0]["answer"] = wrong
    edited["questions"][0]["mistakes"] = [m for m in edited["questions"][0].get("mistakes") or []
                                          if str(m["answer"]).strip().lower() != wrong]
    edited["questions"][0]["title"] = "edited title"
    key.write_text(yaml.safe_dump(edited, sort_keys=False))
    again = Q.grade_quiz_answers("03_dropout", sub, root=root)
    assert again[0].name == "quiz q1: edited title" and again[0].status == "failed"
    key.unlink()                                                          # gone: falls back to source/
    assert Q.grade_quiz_answers("03_dropout", sub, root=root) == []


# ============================================================================ self-study: take_quiz and the command
def test_take_quiz_with_scripted_input_uses_the_hashed_release(released):
    path = released / "assignments" / "03_dropout" / Q.QUIZ_FILE
    quiz = Q.load_quiz(path)
    assert quiz.hashed
    keys = _key_answers(source_quiz("03_dropout"))
    script = iter(["", "nonsense", "a, b", str(keys["q1"])] +
                  [str(keys[q.id]) if q.id != "q3" else "0.1" for q in quiz.questions[1:]])
    prompts = []

    def fake_input(prompt):
        prompts.append(prompt)
        return next(script)

    out = StringIO()
    result = Q.take_quiz("03_dropout", quiz_path=path, input_fn=fake_input, out=out)
    text = out.getvalue()
    assert result.max_score == 2 * len(quiz.questions)
    assert result.score == result.max_score - 2 and result.verdicts["q3"].correct is False
    assert "try again" in text and "exactly one option" in text
    assert "practice problem" in text  # q3's targeted hint, decoded from the release
    # the explanation of a question is printed only after its answer
    first_expl = source_quiz("03_dropout").question("q1").explanation_text.split()[:6]
    expl_at = text.index(" ".join(first_expl))
    assert text.index("Question 1 of") < text.index("[correct]") < expl_at < text.index("Question 2 of")
    assert len(prompts) == len(quiz.questions) + 3
    assert f"Score: {Q._number(result.score)}/{Q._number(result.max_score)}" in text


def test_take_quiz_stops_at_end_of_input_and_checks_answer_dicts(released):
    path = released / "assignments" / "05_optimizers" / Q.QUIZ_FILE
    answers = iter(["b"])

    def one_answer(prompt):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    out = StringIO()
    result = Q.take_quiz("05", quiz_path=path, input_fn=one_answer, out=out)
    assert result.score == 2 and "Quiz stopped" in out.getvalue()
    result = Q.take_quiz("05", answers=_key_answers(source_quiz("05_optimizers")), quiz_path=path, out=StringIO())
    assert result.score == result.max_score


def _student_copy(released: Path, tmp_path: Path, aid: str) -> Path:
    """What a student has: the quiz program and one released assignment, no source/ or solutions/."""
    home = tmp_path / "student"
    pkg = home / "autograder"
    pkg.mkdir(parents=True)
    for name in ("__init__.py", "__main__.py", "course.py", "quiz.py", "cmd_quiz.py"):
        shutil.copyfile(REPO_ROOT / "autograder" / name, pkg / name)
    shutil.copytree(released / "assignments" / aid, home / "assignments" / aid)
    return home


def _run_cli(args, cwd, stdin=None, env_root=None):
    env = dict(os.environ, PYTHONPATH=str(env_root or cwd), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "autograder", "quiz", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=60, env=env)


def test_cli_piped_stdin_from_a_student_copy(released, tmp_path):
    home = _student_copy(released, tmp_path, "06_early_stopping")
    quiz = source_quiz("06_early_stopping")
    keys = _key_answers(quiz)
    lines = [str(keys[q.id]) for q in quiz.questions]
    lines[1] = "4"   # a known mistake on q2
    proc = _run_cli(["06_early_stopping"], cwd=home, stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert f"Score: {2 * (len(quiz.questions) - 1)}/{2 * len(quiz.questions)} points" in out
    assert "[not correct]" in out and "the matching lam is its inverse" in out
    assert out.count("Explanation:") == len(quiz.questions)
    assert not (home / "solutions").exists() and not (home / "source").exists()


def test_cli_answers_file_mode(released, tmp_path):
    home = _student_copy(released, tmp_path, "02_proximal")
    quiz = source_quiz("02_proximal")
    answers = _key_answers(quiz, 1)
    answers["q5"] = "a"
    del answers["q6"]
    (home / "mine.yaml").write_text(yaml.safe_dump(answers))
    proc = _run_cli(["02", "--answers", "mine.yaml"], cwd=home)
    assert proc.returncode == 0, proc.stderr
    assert f"Score: {2 * (len(quiz.questions) - 2)}/{2 * len(quiz.questions)} points" in proc.stdout
    assert "answer it to see the explanation" in proc.stdout   # q6 left blank: no explanation
    assert proc.stdout.count("Explanation:") == len(quiz.questions) - 1
    (home / "bad.yaml").write_text("q1: [a\n")
    proc = _run_cli(["02", "--answers", "bad.yaml"], cwd=home)
    assert proc.returncode == 2 and "line 2" in proc.stderr
    proc = _run_cli(["99_nothing"], cwd=home)
    assert proc.returncode == 2 and "unknown assignment" in proc.stderr


def test_cli_in_a_real_terminal(released, tmp_path):
    pty = pytest.importorskip("pty")
    home = _student_copy(released, tmp_path, "01_penalties")
    quiz = source_quiz("01_penalties")
    keys = _key_answers(quiz)
    answers = [str(keys[q.id]) for q in quiz.questions]
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(home), TERM="dumb")
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "quiz", "01_penalties"], cwd=home,
                            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    output = b""
    sent = 0
    deadline = time.time() + 60
    try:
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                output += chunk
                if output.count(b"Your answer") > sent and sent < len(answers):
                    os.write(master, answers[sent].encode() + b"\n")
                    sent += 1
            elif proc.poll() is not None:
                break
    finally:
        proc.wait(timeout=10)
        os.close(master)
    text = output.decode(errors="replace")
    assert proc.returncode == 0, text
    assert f"Score: {2 * len(quiz.questions)}/{2 * len(quiz.questions)} points" in text
    assert text.count("[correct]") == len(quiz.questions)


def test_find_quiz_file_prefers_the_current_folder_and_never_solutions(tmp_path, released):
    shutil.copyfile(released / "assignments" / "07_normalization_and_more" / Q.QUIZ_FILE, tmp_path / Q.QUIZ_FILE)
    assert Q.find_quiz_file("07", cwd=tmp_path) == tmp_path / Q.QUIZ_FILE
    empty = tmp_path / "root"
    (empty / "solutions" / "07_normalization_and_more").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "source" / "07_normalization_and_more" / Q.QUIZ_FILE,
                    empty / "solutions" / "07_normalization_and_more" / Q.QUIZ_FILE)
    with pytest.raises(FileNotFoundError):
        Q.find_quiz_file("07", cwd=empty, root=empty)


def test_take_quiz_can_ask_selected_questions(released):
    path = released / "assignments" / "04_label_smoothing" / Q.QUIZ_FILE
    out = StringIO()
    result = Q.take_quiz("04_label_smoothing", only="q5", quiz_path=path, input_fn=lambda _: "b", out=out)
    assert (result.score, result.max_score) == (2, 2) and "Question 1 of 1" in out.getvalue()
    with pytest.raises(ValueError, match="no question q99"):
        Q.take_quiz("04_label_smoothing", only=["q99"], quiz_path=path, input_fn=lambda _: "b", out=StringIO())


def test_take_quiz_without_interactive_input_does_not_raise(released):
    """A notebook executed headless (nbclient, nbgrader) cannot read input(): no error, score 0."""
    def no_stdin(prompt):
        raise NotImplementedError("raw_input was called, but this frontend does not support input requests.")

    out = StringIO()
    path = released / "assignments" / "01_penalties" / Q.QUIZ_FILE
    result = Q.take_quiz("01_penalties", quiz_path=path, input_fn=no_stdin, out=out)
    assert result.score == 0 and "no interactive input here" in out.getvalue()


def test_take_quiz_in_a_jupyter_kernel_with_input():
    """The notebook entry point: input() inside a real IPython kernel, answered over the stdin channel."""
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3")
    try:
        code = (f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r})\n"
                "from autograder.quiz import take_quiz\n"
                "r = take_quiz('03_dropout', only=['q1', 'q2'])\n"
                "print('RESULT', r.score, r.max_score)")
        msg_id = kc.execute(code, allow_stdin=True)
        answers = iter(["b", "1.3"])
        output = ""
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                kc.get_stdin_msg(timeout=0.2)
                kc.input(next(answers))
                continue
            except Exception:  # noqa: BLE001 - queue.Empty: no input request pending
                pass
            try:
                msg = kc.get_iopub_msg(timeout=0.2)
            except Exception:  # noqa: BLE001
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                output += msg["content"]["text"]
            elif msg["msg_type"] == "error":
                pytest.fail("\n".join(msg["content"]["traceback"]))
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        assert "RESULT 2.0 4.0" in output, output
        assert "[correct]" in output and "[not correct]" in output and "Explanation:" in output
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.mark.parametrize("content", [
    "q1: 1e999999999\nq2: 1/1e-999999999\nq3: 9" + "9" * 20 + "\n",
    "q1: " + "9" * 5000 + "\n",
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "q1: *f\nq2: *f\nq5: *f\n",
    "q1: " + "[" * 20000 + "\n",
], ids=["huge-exponents", "huge-integer", "alias-bomb", "deep-nesting"])
def test_hostile_answer_files_are_reported_quickly(tmp_path, content):
    start = time.time()
    results = Q.grade_quiz_answers("01_penalties", _submission(tmp_path, content))
    assert time.time() - start < 5
    assert results and all(r.status == "failed" and r.score == 0 for r in results)
    assert all(len(r.output) < 400 for r in results)
