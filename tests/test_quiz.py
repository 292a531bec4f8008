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
from tests.student_copy import quiz_copy

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
@pytest.fixture(autouse=True)
def _demo_secret(monkeypatch):
    """Grading in these tests uses the demo secret (tools/quiz-secret.demo) unless a test sets one."""
    monkeypatch.delenv(Q.SECRET_ENV, raising=False)


def demo_token(student: str) -> str:
    return Q.variant_token(Q.DEMO_SECRET_PATH.read_bytes().strip(), student)


@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_every_assignment_has_a_complete_quiz(aid):
    quiz = source_quiz(aid)
    assert quiz.id == aid
    graded, practice = quiz.graded, quiz.practice
    assert len(graded) >= 5 and len(practice) >= 5, f"{aid}: {len(graded)} graded, {len(practice)} practice"
    assert {q.type for q in quiz.questions} == {"single", "multiple", "numeric"}, f"{aid}: question types"
    assert "numeric" in {q.type for q in graded} and {"single", "multiple"} & {q.type for q in graded}
    multi = [q for q in quiz.questions if q.type == "multiple"]
    assert any(len(q.key.split(",")) >= 2 for q in multi), "a multiple-answer question with several right options"
    assert any(q.variant for q in graded), f"{aid}: no per-student numeric question"
    prompts = [" ".join(q.prompt.split()) for q in quiz.questions]
    assert len(set(prompts)) == len(prompts), "graded and practice questions are different questions"
    for q in quiz.questions:
        assert q.points > 0
        assert len(q.explanation_text) > 80, f"{aid} {q.id}: the explanation should teach"
        assert q.title.isascii() and q.prompt.isascii() and q.explanation_text.isascii()


@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_a_graded_question_reads_a_plot_or_chooses_a_regularizer(aid):
    words = ("figure", "plot", "curve", "diagram", "which penalty", "which change fits", "fits best")
    assert any(any(w in q.prompt.lower() or w in q.title.lower() for w in words) for q in source_quiz(aid).graded)


def test_quiz_text_cites_no_document_students_do_not_have():
    banned = re.compile(r"errat(um|a)\b|course page|course material|primer|practice problem|the source'?s?\b", re.I)
    for aid in QUIZ_IDS:
        quiz = source_quiz(aid)
        for q in quiz.questions:
            texts = [q.title, q.prompt, q.explanation_text, *q.options.values(), *q.mistake_hints.values()]
            for text in texts:
                assert not banned.search(text), f"{aid} {q.id}: {banned.search(text).group(0)!r}"


def _course_question(aid: str, ref: str) -> list[Q.Question]:
    found = [q for q in source_quiz(aid).questions if q.course_ref == ref]
    assert found and all(q.graded for q in found), f"{ref} must be a graded question of {aid}"
    return found


def test_course_q1_priors_with_erratum_5():
    (q,) = _course_question("01_penalties", "Q1")
    assert q.type == "single"
    right = q.options[q.key]
    assert "Laplace" in right and "Gaussian" in right
    # "L1 and L2 are equivalent under SGD" is an option and it is false
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
    # the Adam-L2 claim is stated with its condition: a sign-like step, stronger only while lam*|w| < 1
    assert "lam*|w| < 1" in q.explanation_text and "sign-like" in q.explanation_text
    assert "decayed hard" not in q.explanation_text


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


# Fixed numeric keys, recomputed from the formulas of COURSE.md.
def _entropy(t):
    t = np.asarray(t, dtype=float)
    return float(-(t * np.log(t)).sum())


_T = math.tanh(0.5)
FORMULAS = {
    ("01_penalties", "p3"): 0.1 * (1 + 2 + 0.5),
    ("01_penalties", "p4"): 0.2 * -1 + 0.4 * -0.5,
    ("01_penalties", "p6"): 0.5 / 2 * (9 + 16),
    ("02_proximal", "p2"): 6 / (4 + 1),                              # ridge, one feature
    ("02_proximal", "p3"): 3 / (1 + 0.5),
    ("02_proximal", "p4"): 0.0,
    ("03_dropout", "q4"): (0.6 ** 2 + 0.4 ** 2) * 0.5 / (1 - 0.5),
    ("03_dropout", "p2"): 3 / (1 - 0.25),
    ("03_dropout", "p3"): 0.7 * 200,
    ("03_dropout", "p4"): 2 ** 2 * 0.5 / (1 - 0.5),
    ("04_label_smoothing", "q1"): 1 - 0.1,
    ("04_label_smoothing", "q2"): 1 - 0.1 + 0.1 / 10,
    ("04_label_smoothing", "q4"): _entropy([0.9] + [0.1 / 9] * 9),
    ("04_label_smoothing", "p2"): 0.2 - 0.1 / 3,
    ("04_label_smoothing", "p4"): 0.2 / 4,
    ("04_label_smoothing", "p5"): 0.0,
    ("05_optimizers", "p1"): 0.5 - 0.001 * 4 / (4 + 1e-8),
    ("05_optimizers", "p2"): 1 - 0.1 * (0.5 + 0.2),
    ("05_optimizers", "p3"): 1 - 0.001 * 0.01,
    ("06_early_stopping", "p2"): 1 / (1 + 3),
    ("06_early_stopping", "p3"): 0.3 * 2,
    ("07_normalization_and_more", "q5"): (1 - _T ** 2) ** 2 * (1 + 4),
    ("07_normalization_and_more", "p3"): 1 / math.sqrt(1 + 1e-5),
    ("07_normalization_and_more", "p5"): 0.0,
    ("08_capstone", "q3"): int(np.argmin([0.90, 0.74, 0.66, 0.61, 0.58, 0.57, 0.565, 0.57, 0.56, 0.555, 0.56,
                                          0.558, 0.552, 0.549, 0.551, 0.553, 0.556])),   # stops after 16
    ("08_capstone", "q6"): 1 - 0.1 + 0.1 / 10,
    ("08_capstone", "q7"): _entropy([0.91] + [0.01] * 9),
    ("08_capstone", "q10"): math.sqrt(2 / 64),                        # He initialization
    ("08_capstone", "q11"): 0.25 * 9 / 10,
}


def test_every_fixed_numeric_key_has_a_formula():
    numeric = {(aid, q.id) for aid in QUIZ_IDS for q in source_quiz(aid).questions
               if q.type == "numeric" and not q.variant}
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


def _reference(aid):
    a = ASSIGNMENTS[aid]
    if not (a.solution_dir() / a.filename).exists():
        pytest.fail(f"reference {a.filename} not released (run `python -m autograder release`)")
    from autograder.course import load_reference
    return load_reference(a)


def _one(x) -> float:
    return float(np.asarray(x, dtype=float).reshape(-1)[-1])


# Every variant of every per-student question, against the reference solution's own function.
VARIANT_REFERENCE = {
    ("01_penalties", "q2"): lambda r, mu, lam: r.l2_scalar_minimizer(mu, lam),
    ("01_penalties", "q3"): lambda r, mu: _l1_threshold(r, mu),
    ("01_penalties", "q4"): lambda r, lam_text: _one(r.l2_gradient(np.ones(1), 2 * lam_text)) if
    _one(r.l2_gradient(np.ones(1), 2 * lam_text)) == pytest.approx(2 * lam_text) else float("nan"),
    ("02_proximal", "q1"): lambda r, v, t: r.prox_l1(np.array([v]), t),
    ("02_proximal", "q2"): lambda r, s_max: _default_ista_step(r, s_max),
    ("02_proximal", "q3"): lambda r, t: _l0_threshold(r, t),
    ("03_dropout", "q2"): lambda r, p: _one(r.dropout_backward(np.ones(1), np.ones(1), p)),
    ("03_dropout", "q3"): lambda r, mean, var, p: r.dropout_variance(mean, var, p),
    ("04_label_smoothing", "q3"): lambda r, eps, K: r.min_cross_entropy(int(K), eps, "uniform"),
    ("05_optimizers", "q2"): lambda r, w, grad, lr, lam: r.sgd_weight_decay_step(np.array([w]), np.array([grad]), lr, lam),
    ("05_optimizers", "q3"): lambda r, w, grad, lr, lam: _one((1 - lr * lam) * (np.array([w]) - lr * grad)) -
    _one(r.sgd_l2_step(np.array([w]), np.array([grad]), lr, lam)),
    ("06_early_stopping", "q2"): lambda r, lr, steps: r.equivalent_lambda(lr, int(steps)),
    ("06_early_stopping", "q3"): lambda r, s, steps: r.gd_spectral_filter(np.array([s]), 0.1, int(steps)),
    ("06_early_stopping", "q4"): lambda r, s, steps: r.ridge_spectral_filter(np.array([s]),
                                                                             r.equivalent_lambda(0.1, int(steps))),
    ("07_normalization_and_more", "q1"): lambda r, sp: _kept_branch_scale(r, sp),
    ("07_normalization_and_more", "q3"): lambda r, x4: r.batchnorm_forward(
        np.array([[1.0], [2.0], [3.0], [x4]]), np.ones(1), np.zeros(1))[0][3, 0],
    ("07_normalization_and_more", "q4"): lambda r, lam, xi, xj: lam * xi + (1 - lam) * xj,
    ("08_capstone", "q2"): lambda r, lr, wd: _one(r.adamw_step(np.ones(1), np.zeros(1), {"step": 0, "m": np.zeros(1),
                                                                                      "v": np.zeros(1)},
                                                               lr=lr, weight_decay=wd)[0]),
}


def _l1_threshold(r, mu):
    """The smallest lam with l1_scalar_minimizer(mu, lam) == 0, bracketed to 1e-9."""
    return 2 * mu if r.l1_scalar_minimizer(mu, 2 * mu - 1e-9) > 0 and r.l1_scalar_minimizer(mu, 2 * mu + 1e-9) == 0 \
        else float("nan")


def _l0_threshold(r, t):
    c = math.sqrt(2 * t)
    kept, zeroed = r.prox_l0(np.array([c + 1e-9]), t)[0], r.prox_l0(np.array([c - 1e-9]), t)[0]
    return c if kept != 0 and zeroed == 0 else float("nan")


def _default_ista_step(r, s_max):
    """ista's default step on X with X^T X / n = diag(s_max, 0.5), read off its first iterate."""
    n = 2
    X = np.diag([math.sqrt(s_max * n), math.sqrt(0.5 * n)])
    y = np.array([1.0, 0.0])
    w1 = r.ista(X, y, 0.0, n_iter=1)
    grad0 = -(X.T @ y) / n                                  # gradient of the smooth part at w = 0
    return float(-w1[0] / grad0[0])


def _kept_branch_scale(r, sp):
    out = r.stochastic_depth(np.zeros((64, 1)), lambda x: np.ones_like(x), sp, np.random.default_rng(0))
    kept = out[out != 0]
    return float(kept[0]) if kept.size else float("nan")


def test_every_variant_question_has_a_reference_check():
    variants = {(aid, q.id) for aid in QUIZ_IDS for q in source_quiz(aid).graded if q.variant}
    assert variants == set(VARIANT_REFERENCE)


@pytest.mark.parametrize("where", sorted(VARIANT_REFERENCE), ids=lambda w: f"{w[0]}-{w[1]}")
def test_every_variant_key_matches_the_reference(where):
    aid, qid = where
    ref = _reference(aid)
    q = source_quiz(aid).question(qid)
    step = 10.0 ** -q.decimals
    for params in Q._all_params(q):
        value = _one(VARIANT_REFERENCE[where](ref, **{k: float(v) for k, v in params.items()}))
        assert math.isfinite(value), f"{qid} {params}: the reference disagrees with the question"
        assert q.check(repr(value), params).correct, f"{qid} {params}: reference {value}, key {q.key_for(params)}"
        # a tenth of a step either way is still right, a whole step is not
        assert q.check(repr(value + 0.1 * step), params).correct and q.check(repr(value - 0.1 * step), params).correct
        assert not q.check(repr(value + 1.01 * step), params).correct
        assert "$" not in q.render_prompt(Q.variant_token(b"x" * 16, "s")) and "$" not in q.explanation(params)


def test_fixed_keys_match_the_reference_solutions():
    r3, r5, r7 = _reference("03_dropout"), _reference("05_optimizers"), _reference("07_normalization_and_more")
    q = source_quiz("03_dropout").question("q4")
    assert q.check(repr(_one(r3.dropout_output_moments(np.array([0.6, 0.4]), np.ones(2), 0.5)[1]))).correct
    q = source_quiz("05_optimizers").question("p1")
    w, _ = r5.adam_l2_step(np.array([0.5]), np.array([4.0]), r5.adam_init(np.array([0.5])), lr=0.001)
    assert q.check(repr(_one(w))).correct
    q = source_quiz("07_normalization_and_more").question("q5")
    assert q.check(repr(float(r7.jacobian_penalty(np.array([[1.0, 2.0]]), np.array([0.5]), np.zeros(2))))).correct
    r4 = _reference("04_label_smoothing")
    quiz = source_quiz("04_label_smoothing")
    assert quiz.question("q4").check(repr(float(r4.min_cross_entropy(10, 0.1, "others")))).correct
    assert quiz.question("q1").check(repr(float(r4.smooth_labels(np.array([0]), 10, 0.1, "others")[0, 0]))).correct
    assert quiz.question("q2").check(repr(float(r4.smooth_labels(np.array([0]), 10, 0.1, "uniform")[0, 0]))).correct


def test_early_stopping_questions_match_the_reference():
    ref = _reference("06_early_stopping")
    q = source_quiz("06_early_stopping").question("p1")
    losses = [1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, 0.74]
    got = tuple(int(x) for x in ref.early_stopping_epoch(losses, 2, 0.02))
    assert q.options[q.key] == f"({got[0]}, {got[1]})"
    other = tuple(int(x) for x in ref.early_stopping_epoch(losses, 2, 0.0))
    assert other == (4, 6) and "(4, 6)" in q.explanation_text
    # the learning curve described in q6, built to its description
    falling = list(np.linspace(1.3, 0.42, 19))                       # epochs 0-18, steps of 0.049 > 0.02
    flat = [0.425, 0.428, 0.43, 0.422, 0.426, 0.429]                  # epochs 19-24, within [0.42, 0.43]
    rising = list(np.linspace(0.44, 0.75, 36))                        # epochs 25-60
    curve = falling + flat + rising
    assert len(curve) == 61
    best, stop = (int(x) for x in ref.early_stopping_epoch(curve, 10, 0.02))
    q = source_quiz("06_early_stopping").question("q6")
    assert q.options[q.key].startswith(f"The best epoch is {best} and training stops at epoch {stop}")


def test_early_stopping_vs_ridge_numbers_stated_in_quiz_06():
    """q5 states the largest filter gaps with lr*s <= 1 (0.50, 0.26, 0.23 for t = 1, 5, 10), the
    small-step limit (0.204 near u = 2.5) and the sign change for 1 < lr*s < 2: recomputed here."""
    q = source_quiz("06_early_stopping").question("q5")
    text = " ".join(q.explanation_text.split()) + " " + " ".join(q.options.values())
    x = np.linspace(0.0, 1.0, 200001)                 # lr*s on a grid of step 5e-6: gaps good to 1e-5
    for t, stated in ((1, "0.50"), (5, "0.26"), (10, "0.23")):
        gap = (1 - (1 - x) ** t) - x * t / (1 + x * t)
        assert gap.min() >= -1e-12, "with lr*s <= 1 the gradient-descent filter is never below ridge"
        assert f"{gap.max():.2f}" == stated and stated in text, (t, gap.max())
    u = np.linspace(0, 20, 2000001)
    g = (1 - np.exp(-u)) - u / (1 + u)
    assert f"{g.max():.3f}" == "0.204" and "0.204" in text and abs(u[g.argmax()] - 2.5) < 0.05
    x2 = np.linspace(1, 2, 100001)[1:-1]
    below = ((1 - (1 - x2) ** 10) - x2 * 10 / (1 + x2 * 10)).min()
    assert below < -0.9 and "more than 0.9 below" in text
    assert "lr*s <= 1" in q.options["b"] and "b" in q.key.split(",")


def test_adam_l2_decay_numbers_stated_in_quiz_05():
    """q5 describes a weight with no data gradient: Adam-L2's curve is the same for every lam
    (1.52, 1.10, 0.50 after 50, 100, 200 steps) and AdamW's follows lam: recomputed with the reference."""
    ref = _reference("05_optimizers")
    prompt = " ".join(source_quiz("05_optimizers").question("q5").prompt.split())

    def run(step, lam, n):
        w, state, out = np.array([2.0]), ref.adam_init(np.array([2.0])), {}
        for t in range(1, n + 1):
            w, state = step(w, np.zeros(1), state, lr=0.01, weight_decay=lam)
            out[t] = float(w[0])
        return out

    curves = {lam: run(ref.adam_l2_step, lam, 200) for lam in (0.1, 1.0, 10.0)}
    for t, stated in ((50, "1.52"), (100, "1.10"), (200, "0.50")):
        values = [curves[lam][t] for lam in curves]
        assert max(values) - min(values) < 1e-6, "Adam-L2 ignores lam when the penalty is the only gradient"
        assert f"{values[0]:.2f}" == stated and f"{stated} after {t}" in prompt
    assert abs(curves[0.1][1] - (2 - 0.01)) < 1e-6          # the first step has size lr
    adamw = {lam: run(ref.adamw_step, lam, 200) for lam in (0.1, 1.0, 10.0)}
    assert f"{adamw[0.1][200]:.2f}" == "1.64" and f"{adamw[1.0][200]:.2f}" == "0.27" and adamw[10.0][50] < 0.02
    assert "1.64 for lam = 0.1 and 0.27 for lam = 1" in prompt


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
        assert h.hashed and h.key is None and p.id == h.id and p.kind == h.kind
        if p.graded:
            # a released graded question cannot judge an answer: no key in any form
            assert not h.checkable and h.key_hash is None and h.explanation_blob is None and not h.mistake_blobs
            with pytest.raises(Q.QuizError, match="graded"):
                h.check("a" if p.type != "numeric" else "1")
            with pytest.raises(Q.QuizError, match="graded"):
                h.explanation()
            continue
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


def test_format_check_of_graded_answers_never_looks_at_a_key():
    for aid in QUIZ_IDS:
        for q in hashed_version(source_quiz(aid)).graded:
            verdict, canonical = q.read("b" if q.type == "single" else "a, c" if q.type == "multiple" else "0.5")
            assert verdict.readable and canonical and not verdict.correct and verdict.message.startswith("recorded")
            verdict, canonical = q.read("zzz")
            assert not verdict.readable and canonical is None


def test_correct_answer_gives_no_mistake_hint_and_messages_never_show_the_key():
    for aid in QUIZ_IDS:
        for q in hashed_version(source_quiz(aid)).practice:
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


VARIANT = {"id": "q1", "title": "t", "type": "numeric", "prompt": "w = $mu", "decimals": 2,
           "variant": {"params": {"mu": [1, 2, 3]}, "answer": "mu / 2"}, "explanation": "e"}


@pytest.mark.parametrize("changes, message", [
    ({"kind": "practice"}, "only graded numeric"),
    ({"kind": "exam"}, "kind"),
    ({"prompt": "no parameter"}, "never shows variant parameter mu"),
    ({"variant": {"params": {"mu": [1]}, "answer": "mu"}}, "at least two"),
    ({"variant": {"params": {"mu": [1, 1]}, "answer": "mu"}}, "repeats"),
    ({"variant": {"params": {"mu": [1, 2]}, "answer": "__import__('os').getcwd()"}}, "only numbers"),
    ({"variant": {"params": {"mu": [1, 2]}, "answer": "mu.real"}}, "only numbers"),
    ({"variant": {"params": {"mu": [1, 2]}, "answer": "mu +"}}, "not an arithmetic"),
    ({"variant": {"params": {"mu": [0.25, 2]}, "answer": "mu / 2"}}, "edge of its accepted interval"),
    ({"variant": {"params": {"mu": [0, 2]}, "answer": "1 / mu"}}, "fails for"),
    ({"answer": 0.5}, "formula"),
])
def test_invalid_variant_questions_are_refused(changes, message):
    data = {"quiz": "x", "title": "t", "questions": [dict(VARIANT, **changes)]}
    with pytest.raises(Q.QuizError, match=message):
        Q.parse_quiz(data)


def test_a_released_graded_question_holding_any_key_is_refused():
    plain = Q.parse_quiz({"quiz": "x", "title": "t", "questions": [
        {"id": "q1", "title": "t", "type": "single", "prompt": "p", "options": {"a": "x", "b": "y"},
         "answer": "b", "explanation": "because"}]})
    data = Q.hashed_quiz_data(plain)
    assert set(data["questions"][0]) == {"id", "kind", "title", "type", "points", "prompt", "options"}
    for field, value in (("key_hash", "0" * 64), ("explanation", "c2VjcmV0"), ("salt", "s"), ("answer", "b"),
                         ("mistakes", [])):
        leaked = json.loads(json.dumps(data))
        leaked["questions"][0][field] = value
        with pytest.raises(Q.QuizError, match="holds only its prompt"):
            Q.parse_quiz(leaked)


def test_a_hashed_quiz_with_a_plain_answer_is_refused():
    practice = json.loads(json.dumps(BASE))
    practice["questions"][0]["kind"] = "practice"
    data = Q.hashed_quiz_data(Q.parse_quiz(practice))
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
        graded_fields = {"id", "kind", "title", "type", "points", "prompt", "options", "decimals", "variant"}
        practice_fields = graded_fields | {"salt", "key_hash", "explanation", "mistakes"}
        for qd, q in zip(data["questions"], plain.questions):
            allowed = graded_fields if q.graded else practice_fields
            assert qd["kind"] == q.kind and set(qd) <= allowed, f"{folder}: unexpected fields {set(qd) - allowed}"
            if q.variant:
                assert qd["variant"] == {"params": {k: [float(v) if "." in v else int(v) for v in c]
                                                    for k, c in q.variant.items()}}
            if not q.graded:
                assert qd["explanation"] != q.explanation_text
                assert all(set(m) == {"hash", "hint"} for m in qd.get("mistakes", []))
        # numeric keys of graded questions, in any spelling, appear nowhere in the released quiz files
        # (outside the public question texts, where a number such as 0.9 may be part of a question)
        for qd in data["questions"]:
            for public in ("title", "prompt", "options", "variant"):
                qd.pop(public, None)
        sheet = folder / Q.ANSWERS_FILE
        quiz_files = yaml.safe_dump(data) + (sheet.read_text() if sheet.exists() else "")
        for q in plain.graded:
            if q.type != "numeric" or q.variant:
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
    assert list(blank) == [q.id for q in quiz.graded] and all(v is None for v in blank.values())


# ============================================================================ grading
def _key_answers(quiz: Q.Quiz, style: int = 0, student: str = "student", kind: str = "graded") -> dict:
    """The right answers of one kind of question (graded: for `student`'s variant, demo secret)."""
    token = demo_token(student) if any(q.variant for q in quiz.graded) else None
    out = {}
    for q in quiz.questions:
        if q.kind != kind:
            continue
        if q.variant:
            out[q.id] = Q._show_canonical(q.key_for(q.params_for(token)))
        elif q.type == "numeric":
            out[q.id] = [q.raw_answer, str(q.raw_answer)][style % 2]
        else:
            letters = q.key.split(",")
            out[q.id] = [", ".join(letters), list(reversed([l.upper() for l in letters]))][style % 2]
    return out


def _submission(tmp_path: Path, content: str | bytes | None, student: str = "student") -> Path:
    sub = tmp_path / student / "assignment"
    sub.mkdir(parents=True, exist_ok=True)
    if content is not None:
        path = sub / Q.ANSWERS_FILE
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return sub


def _by_id(results) -> dict:
    return {r.name.split(":")[0]: r for r in results}


@pytest.mark.parametrize("aid", QUIZ_IDS)
def test_grading_all_correct_answers(tmp_path, aid):
    quiz = source_quiz(aid)
    for style in (0, 1):
        sub = _submission(tmp_path, yaml.safe_dump(_key_answers(quiz, style)))
        sheet_case, *results = Q.grade_quiz_answers(aid, sub)
        assert sheet_case.name == Q.SHEET_CASE and sheet_case.status == "passed" and sheet_case.max_score == 0
        assert sheet_case.visibility == "visible" and "demo course secret" in sheet_case.output
        assert [r.name for r in results] == [f"quiz {q.id}: {q.title}" for q in quiz.graded]
        assert all(r.status == "passed" and r.score == r.max_score == 2 for r in results), \
            [(r.name, r.output) for r in results if r.status != "passed"]
        assert all(r.function == "quiz" and r.visibility == "after_published" for r in results)
        assert all("Explanation: " in r.output for r in results)


def test_explanations_come_back_with_the_grade_for_the_students_own_variant(tmp_path):
    quiz = source_quiz("01_penalties")
    q = quiz.question("q2")
    results = _by_id(Q.grade_quiz_answers("01", _submission(tmp_path, "q2: 7\n", student="zoe")))
    params = q.params_for(demo_token("zoe"))
    expected = " ".join(q.explanation(params).split())
    assert results["quiz q2"].output.endswith(expected) and results["quiz q2"].status == "failed"
    assert f"(w - {params['mu']})" in expected or params["mu"] in expected


def test_grading_a_hand_edited_sheet_partially_wrong(tmp_path):
    quiz = source_quiz("04_label_smoothing")
    q3 = _key_answers(quiz, student="student")["q3"]
    sheet = (REPO_ROOT / "source" / "04_label_smoothing" / Q.ANSWERS_FILE).read_text()
    filled = (sheet.replace("q1:    #", "q1: 0.90    #")       # right (3 decimals asked, 0.90 rounds to 0.900)
                   .replace("q2:    #", "q2: 0.9    #")        # wrong: the "others" value, gets a hint
                   .replace("q3:    #", f"q3: {q3}    #")      # right for this student's variant
                   .replace("q5:    #", "q5: B    #")          # right, upper case
                   .replace("q6:    #", "q6: abc    #"))       # unreadable for a single-choice question
    results = _by_id(Q.grade_quiz_answers("04", _submission(tmp_path, filled)))
    assert {k: r.status for k, r in results.items()} == {
        "quiz": "failed", "quiz q1": "passed", "quiz q2": "failed", "quiz q3": "passed", "quiz q4": "failed",
        "quiz q5": "passed", "quiz q6": "failed"}
    assert sum(r.score for r in results.values()) == 6 and sum(r.max_score for r in results.values()) == 12
    assert "others" in results["quiz q2"].hint
    assert results["quiz q4"].output.startswith("not answered")
    assert "exactly one option" in results["quiz q6"].output and "a, b, c" in results["quiz q6"].output
    assert "could not read the answer to q6" in results["quiz"].output
    assert quiz.question("q2").check("0.9").hint == results["quiz q2"].hint


def test_grading_missing_file(tmp_path):
    sheet_case, *results = Q.grade_quiz_answers("01_penalties", _submission(tmp_path, None))
    assert len(results) == len(source_quiz("01_penalties").graded)
    assert all(r.score == 0 and r.status == "failed" and r.max_score == 2 for r in results)
    assert all(r.output.startswith("no quiz_answers.yaml in the submission") for r in results)
    assert sheet_case.status == "failed" and "python -m autograder quiz" in sheet_case.hint


@pytest.mark.parametrize("content, words", [
    ("q1: c\nq2: [a, b\nq3: 1.3\n", ["not valid YAML", "line 3", "starts at line 2"]),
    ("q1: c\n  q2: b: c\n", ["not valid YAML", "line 2"]),
    ("- c\n- a\n", ["should be a list of `id: answer` lines"]),
    ("just some text\n", ["should be a list of `id: answer` lines"]),
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
    q3 = _key_answers(source_quiz("01_penalties"))["q3"]
    (sub / Q.ANSWERS_FILE).write_text(f"Q1: c\nq9: a\n3: {q3}\n")
    results = _by_id(Q.grade_quiz_answers("01_penalties", sub))
    assert results["quiz q1"].status == "passed" and results["quiz q3"].status == "passed"
    assert "q9" in results["quiz q2"].output


def test_practice_answers_on_the_sheet_earn_nothing(tmp_path):
    for aid in QUIZ_IDS:
        quiz = source_quiz(aid)
        practice = _key_answers(quiz, kind="practice")
        assert practice and set(practice).isdisjoint(q.id for q in quiz.graded)
        results = Q.grade_quiz_answers(aid, _submission(tmp_path / aid, yaml.safe_dump(practice)))
        score, max_score = sum(r.score for r in results), sum(r.max_score for r in results)
        assert score <= 0.05 * max_score and max_score == quiz.max_score, (aid, score, max_score)


def test_grading_reads_solutions_then_source_and_handles_no_quiz(tmp_path):
    root = tmp_path / "root"
    (root / "source" / "03_dropout").mkdir(parents=True)
    sub = _submission(tmp_path, "q1: b\n")
    assert Q.grade_quiz_answers("03_dropout", sub, root=root) == []
    shutil.copyfile(REPO_ROOT / "source" / "03_dropout" / Q.QUIZ_FILE, root / "source" / "03_dropout" / Q.QUIZ_FILE)
    assert _by_id(Q.grade_quiz_answers("03_dropout", sub, root=root))["quiz q1"].status == "passed"
    # a released file where the plain key should be is an instructor error, reported, not raised
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
    assert _by_id(first)["quiz q1"].status == "passed"
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
    assert again[1].name == "quiz q1: edited title" and again[1].status == "failed"
    key.unlink()                                                          # gone: falls back to source/
    assert Q.grade_quiz_answers("03_dropout", sub, root=root) == []


# ============================================================================ per-student variants
def test_a_shared_sheet_scores_no_more_than_chance_on_variant_questions(tmp_path):
    """One student's right answers, handed to a class of 60: on the per-student questions the class
    scores no more than the chance that two students draw the same key."""
    class_ids = [f"student{i:02d}@example.org" for i in range(60)]
    for aid in QUIZ_IDS:
        quiz = source_quiz(aid)
        variants = [q for q in quiz.graded if q.variant]
        shared = _key_answers(quiz, student=class_ids[0])
        sheet = yaml.safe_dump(shared)
        hits = trials = 0
        chance = 0.0
        for q in variants:
            keys = [q.key_for(p) for p in Q._all_params(q)]
            # the probability that another variant has the same key, parameters drawn uniformly
            chance += sum((keys.count(k) / len(keys)) ** 2 for k in set(keys)) / len(variants)
            assert len(set(keys)) >= 8, f"{aid} {q.id}: too few distinct keys to stop sharing"
        for student in class_ids[1:]:
            results = _by_id(Q.grade_quiz_answers(aid, _submission(tmp_path / aid, sheet, student=student),
                                                  student=student))
            for q in variants:
                hits += results[f"quiz {q.id}"].status == "passed"
                trials += 1
            # the questions without variants are still right: only the variants differ
            assert all(results[f"quiz {q.id}"].status == "passed" for q in quiz.graded if not q.variant)
        rate = hits / trials
        # binomial bound: chance plus three standard deviations of the class's rate
        bound = chance + 3 * math.sqrt(chance * (1 - chance) / trials)
        assert chance <= 0.1 and rate <= bound, (aid, rate, chance)


def test_variant_depends_on_the_secret_and_the_student_not_on_the_sheet(tmp_path, monkeypatch):
    quiz = source_quiz("06_early_stopping")
    secret = tmp_path / "course-secret"
    secret.write_bytes(b"a course secret of the test, 32 bytes")
    monkeypatch.setenv(Q.SECRET_ENV, str(secret))
    token = Q.variant_token(secret.read_bytes(), "ann")
    assert token != demo_token("ann") and Q.is_token(token)
    answers = {q.id: Q._show_canonical(q.key_for(q.params_for(token))) for q in quiz.graded if q.variant}
    sub = _submission(tmp_path, yaml.safe_dump(dict(answers, variant=token)), student="ann")
    results = _by_id(Q.grade_quiz_answers("06", sub))                  # student from the folder: ann
    assert all(results[f"quiz {qid}"].status == "passed" for qid in answers)
    assert "demo" not in results["quiz"].output
    # the same sheet, claiming ann's token, submitted by bob: graded for bob's own variant
    bob = _by_id(Q.grade_quiz_answers("06", sub, student="bob"))
    assert "graded for your own variant" in bob["quiz"].output
    assert sum(bob[f"quiz {qid}"].status == "passed" for qid in answers) < len(answers)
    # a secret file that is named but missing is an instructor error, reported, never a crash
    monkeypatch.setenv(Q.SECRET_ENV, str(tmp_path / "missing"))
    (result,) = Q.grade_quiz_answers("06", sub)
    assert result.status == "error" and "does not exist" in result.output


def test_tokens_command_prints_one_token_per_student(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("ann@example.org\n# a comment\nbob@example.org  # trailing\n\n")
    secret = tmp_path / "secret"
    secret.write_text("an instructor secret, long enough\n")
    proc = subprocess.run([sys.executable, "-m", "autograder.quiz", "tokens", str(roster), str(secret)],
                          capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split()
    assert lines == [f"{s},{Q.variant_token(b'an instructor secret, long enough', s)}"
                     for s in ("ann@example.org", "bob@example.org")]
    proc = subprocess.run([sys.executable, "-m", "autograder.quiz", "tokens", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)
    assert proc.returncode == 1 and proc.stderr.startswith("error:") and "Traceback" not in proc.stderr


# ============================================================================ taking a quiz: take_quiz and the command
def test_practice_with_scripted_input_uses_the_hashed_release(released):
    path = released / "assignments" / "03_dropout" / Q.QUIZ_FILE
    quiz = Q.load_quiz(path)
    keys = _key_answers(source_quiz("03_dropout"), kind="practice")
    practice = quiz.practice
    script = iter(["", "nonsense", "a, b", str(keys[practice[0].id])] +
                  [str(keys[q.id]) if q.id != "p2" else "3" for q in practice[1:]])
    prompts = []

    def fake_input(prompt):
        prompts.append(prompt)
        return next(script)

    out = StringIO()
    result = Q.take_quiz("03_dropout", practice=True, quiz_path=path, input_fn=fake_input, out=out)
    text = out.getvalue()
    assert result.max_score == 2 * len(practice)
    assert result.score == result.max_score - 2 and result.verdicts["p2"].correct is False
    assert "try again" in text and "exactly one option" in text
    assert "scales like the forward pass" in text  # p2's targeted hint, decoded from the release
    # the explanation of a question is printed only after its answer
    first_expl = source_quiz("03_dropout").question(practice[0].id).explanation_text.split()[:6]
    expl_at = text.index(" ".join(first_expl))
    assert text.index("Question 1 of") < text.index("[correct]") < expl_at < text.index("Question 2 of")
    assert len(prompts) == len(practice) + 3
    # no graded question is asked in practice
    assert not any(f"[{q.id}," in text for q in quiz.graded)


def _typed(*lines):
    """input() replaced by these lines, then the end of input."""
    prompts, script = [], iter(lines)

    def fake_input(prompt):
        prompts.append(prompt)
        try:
            return next(script)
        except StopIteration:
            raise EOFError from None
    return fake_input, prompts


def test_quiz_asks_again_after_a_blank_line_and_stops_on_skip_quit_or_end_of_input(released, tmp_path):
    path = released / "assignments" / "05_optimizers" / Q.QUIZ_FILE
    quiz = Q.load_quiz(path)
    sheet = tmp_path / Q.ANSWERS_FILE
    sheet.write_text("q1: b\n")
    fake_input, prompts = _typed("", "skip")       # q1: a blank line, then skip; q2: end of input
    out = StringIO()
    rec = Q.run_graded(quiz, sheet, input_fn=fake_input, out=out)
    text = out.getvalue()
    assert len(prompts) == 3 and text.count("(current answer: b)") == 1
    assert text.index("(current answer: b)") < text.index("Question 2 of") and "Question 3 of" not in text
    assert rec.answers == {"q1": "b"} and yaml.safe_load(sheet.read_text())["q1"] == "b"

    fake_input, prompts = _typed("skip", "quit")   # practice: the first skipped, then quit
    out = StringIO()
    result = Q.run_practice(quiz, input_fn=fake_input, out=out)
    text = out.getvalue()
    first = quiz.practice[0].id
    assert len(prompts) == 2 and "skipped (answer it to see the explanation)" in text
    assert "Practice stopped." in text and "Explanation" not in text
    assert result.score == 0 and result.verdicts[first].message == "skipped"
    assert all(v.message == "not answered" for k, v in result.verdicts.items() if k != first)


def test_graded_quiz_records_answers_and_never_judges_them(released, tmp_path):
    path = released / "assignments" / "05_optimizers" / Q.QUIZ_FILE
    sheet = tmp_path / Q.ANSWERS_FILE
    quiz = Q.load_quiz(path)
    typed = iter(["nonsense", "b", "skip", "2/3", "a c", "quit"])
    out = StringIO()
    rec = Q.take_quiz("05", quiz_path=path, sheet=sheet, input_fn=lambda _: next(typed), out=out)
    text = out.getvalue()
    assert rec.answers == {"q1": "b", "q3": "0.6667", "q4": "a, c"} and rec.sheet == sheet
    assert "try again" in text and str(sheet) in text
    assert "[correct]" not in text and "not correct" not in text and "Explanation" not in text
    saved = yaml.safe_load(sheet.read_text())
    assert saved == {"q1": "b", "q2": None, "q3": "0.6667", "q4": "a, c", "q5": None, "q6": None}
    # a second session keeps the earlier answers of the questions it skips, and the token
    token = "v-0123456789abcdef"
    typed = iter(["skip", "1.9", "quit"])
    Q.take_quiz("05", quiz_path=path, sheet=sheet, variant=token, input_fn=lambda _: next(typed), out=StringIO())
    saved = yaml.safe_load(sheet.read_text())
    assert saved["q1"] == "b" and saved["q2"] == "1.9000" and saved["variant"] == token
    rendered = quiz.question("q2").render_prompt(token)
    assert "$" not in rendered
    with pytest.raises(ValueError, match="not a variant token"):
        Q.take_quiz("05", quiz_path=path, sheet=sheet, variant="1234", input_fn=lambda _: "b", out=StringIO())


def test_answers_mode_checks_format_and_practice_only(released):
    path = released / "assignments" / "02_proximal" / Q.QUIZ_FILE
    quiz = Q.load_quiz(path)
    answers = dict(_key_answers(source_quiz("02_proximal")), p1="a, b", p2="9")
    answers["q4"] = "zz"
    out = StringIO()
    result = Q.take_quiz("02", answers=answers, quiz_path=path, out=out)
    text = out.getvalue()
    assert (result.score, result.max_score) == (2, 4)            # p1 right, p2 wrong
    assert f"{len(quiz.graded)} of {len(quiz.graded)} answered, 1 could not be read" in text
    assert text.count("Explanation:") == 2                        # the two practice answers only
    for q in source_quiz("02_proximal").graded:
        assert " ".join(q.explanation_text.split())[:50] not in " ".join(text.split())


def test_take_quiz_stops_cleanly_without_interactive_input(released, tmp_path):
    """A notebook executed headless (nbclient, nbgrader) cannot read input(): no error."""
    def no_stdin(prompt):
        raise NotImplementedError("raw_input was called, but this frontend does not support input requests.")

    out = StringIO()
    path = released / "assignments" / "01_penalties" / Q.QUIZ_FILE
    rec = Q.take_quiz("01_penalties", quiz_path=path, sheet=tmp_path / "s.yaml", input_fn=no_stdin, out=out)
    assert rec.answers == {} and "no interactive input here" in out.getvalue()
    result = Q.take_quiz("01_penalties", practice=True, quiz_path=path, input_fn=no_stdin, out=StringIO())
    assert result.score == 0


def _student_copy(released: Path, tmp_path: Path, aid: str) -> Path:
    """What a student has: the quiz program and one released assignment, no source/ or solutions/."""
    return quiz_copy(tmp_path / "student", aid, released)


def _run_cli(args, cwd, stdin=None, env_root=None):
    env = dict(os.environ, PYTHONPATH=str(env_root or cwd), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "autograder", "quiz", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=60, env=env)


def test_cli_practice_from_a_student_copy(released, tmp_path):
    home = _student_copy(released, tmp_path, "06_early_stopping")
    quiz = source_quiz("06_early_stopping")
    keys = _key_answers(quiz, kind="practice")
    lines = [str(keys[q.id]) for q in quiz.practice]
    lines[1] = "0.2"   # wrong on p2
    proc = _run_cli(["06_early_stopping", "--practice"], cwd=home, stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    n = len(quiz.practice)
    assert f"({n - 1} of {n} questions correct; practice never counts" in out
    assert out.count("Explanation:") == n and "[not correct]" in out
    assert not (home / "solutions").exists() and not (home / "source").exists()


def test_cli_answers_file_mode(released, tmp_path):
    home = _student_copy(released, tmp_path, "02_proximal")
    (home / "mine.yaml").write_text("q1: -0.5\nq2: x\n")
    proc = _run_cli(["02", "--answers", "mine.yaml"], cwd=home)
    assert proc.returncode == 0, proc.stderr
    assert "2 of 6 answered, 1 could not be read" in proc.stdout and "Explanation" not in proc.stdout
    (home / "bad.yaml").write_text("q1: [a\n")
    proc = _run_cli(["02", "--answers", "bad.yaml"], cwd=home)
    assert proc.returncode == 2 and "line 2" in proc.stderr
    proc = _run_cli(["99_nothing"], cwd=home)
    assert proc.returncode == 2 and "unknown assignment" in proc.stderr
    proc = _run_cli(["02", "--variant", "nope"], cwd=home, stdin="")
    assert proc.returncode == 2 and "not a variant token" in proc.stderr


def test_cli_in_a_real_terminal_records_the_sheet(released, tmp_path):
    pty = pytest.importorskip("pty")
    home = _student_copy(released, tmp_path, "01_penalties")
    quiz = source_quiz("01_penalties")
    answers = ["c", "1.154", "1.30", "0.020", "a, b, c", "c"]
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
    sheet = home / "assignments" / "01_penalties" / Q.ANSWERS_FILE
    assert f"6 of {len(quiz.graded)} graded questions answered; saved in {sheet}" in " ".join(text.split())
    saved = yaml.safe_load(sheet.read_text())
    assert saved == {"q1": "c", "q2": "1.154", "q3": "1.30", "q4": "0.020", "q5": "a, b, c", "q6": "c"}


def test_find_quiz_file_prefers_the_current_folder_and_never_solutions(tmp_path, released):
    shutil.copyfile(released / "assignments" / "07_normalization_and_more" / Q.QUIZ_FILE, tmp_path / Q.QUIZ_FILE)
    assert Q.find_quiz_file("07", cwd=tmp_path) == tmp_path / Q.QUIZ_FILE
    empty = tmp_path / "root"
    (empty / "solutions" / "07_normalization_and_more").mkdir(parents=True)
    shutil.copyfile(REPO_ROOT / "source" / "07_normalization_and_more" / Q.QUIZ_FILE,
                    empty / "solutions" / "07_normalization_and_more" / Q.QUIZ_FILE)
    with pytest.raises(FileNotFoundError):
        Q.find_quiz_file("07", cwd=empty, root=empty)


def test_default_sheet_is_the_students_folder_never_source():
    assert Q.default_sheet(REPO_ROOT / "assignments" / "04_label_smoothing" / Q.QUIZ_FILE) == \
        (REPO_ROOT / "assignments" / "04_label_smoothing" / Q.ANSWERS_FILE).resolve()
    assert Q.default_sheet(REPO_ROOT / "source" / "04_label_smoothing" / Q.QUIZ_FILE, cwd=Path("/x")) == \
        Path("/x") / Q.ANSWERS_FILE


def test_take_quiz_can_ask_selected_questions(released, tmp_path):
    path = released / "assignments" / "04_label_smoothing" / Q.QUIZ_FILE
    out = StringIO()
    result = Q.take_quiz("04_label_smoothing", only="p3", practice=True, quiz_path=path, input_fn=lambda _: "b",
                         out=out)
    assert (result.score, result.max_score) == (2, 2) and "Question 1 of 1" in out.getvalue()
    sheet = tmp_path / Q.ANSWERS_FILE
    sheet.write_text("q1: 0.9\n")
    rec = Q.take_quiz("04_label_smoothing", only="q5", quiz_path=path, sheet=sheet, input_fn=lambda _: "b",
                      out=StringIO())
    assert rec.answers == {"q1": "0.9", "q5": "b"} and yaml.safe_load(sheet.read_text())["q1"] == "0.9"
    with pytest.raises(ValueError, match="no question q99"):
        Q.take_quiz("04_label_smoothing", only=["q99"], quiz_path=path, input_fn=lambda _: "b", out=StringIO())


def test_take_quiz_in_a_jupyter_kernel_with_input(tmp_path):
    """The notebook entry point: input() inside a real IPython kernel, answered over the stdin channel."""
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3")
    sheet = tmp_path / Q.ANSWERS_FILE
    try:
        code = (f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r})\n"
                "from autograder.quiz import take_quiz\n"
                "p = take_quiz('03_dropout', only=['p2', 'p3'], practice=True)\n"
                f"r = take_quiz('03_dropout', only=['q1'], sheet={str(sheet)!r})\n"
                "print('RESULT', p.score, p.max_score, r.answers)")
        msg_id = kc.execute(code, allow_stdin=True)
        answers = iter(["4", "60", "b"])
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
        assert "RESULT 2.0 4.0 {'q1': 'b'}" in output, output
        assert "[correct]" in output and "[not correct]" in output and "Explanation:" in output
        assert yaml.safe_load(sheet.read_text())["q1"] == "b"
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
    assert all(len(r.output) < 2000 for r in results)
