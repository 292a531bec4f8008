"""The reference solution of 04_label_smoothing against the numbers of COURSE.md, PyTorch
(fixture made by course/04_label_smoothing/fixtures/make.py), stability at logits +-1000, purity
and input checks."""
import math

import numpy as np
import pytest

from autograder.course import find_assignment, load_reference
from tests.fixtures_io import load_fixture

ref = load_reference(find_assignment("04_label_smoothing"))

# A few exp/log/divisions of order-1 numbers: only the last bits may differ.
RTOL = 1e-12
ATOL = 1e-12
WE3_LOGITS = np.log([[0.7, 0.2, 0.1]])      # softmax of these logits is [0.7, 0.2, 0.1]


# ----------------------------------------------------------------------------- erratum 1: two spreads
def test_primer_example_is_the_others_spread_not_eps_over_k():
    uniform = ref.smooth_labels([0], 3, 0.1, spread="uniform")
    others = ref.smooth_labels([0], 3, 0.1, spread="others")
    np.testing.assert_allclose(uniform, [[0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3]], rtol=RTOL)   # [0.9333, 0.0333, 0.0333]
    np.testing.assert_allclose(uniform, [[0.9333333333333333, 0.0333333333333333, 0.0333333333333333]], rtol=1e-14)
    np.testing.assert_allclose(others, [[0.9, 0.05, 0.05]], rtol=RTOL)
    assert not np.allclose(uniform, others, rtol=1e-3)
    np.testing.assert_array_equal(ref.smooth_labels([0], 3, 0.1), uniform)   # default spread is 'uniform'


def test_quiz_q5_correct_class_target_for_k_10():
    assert ref.smooth_labels([4], 10, 0.1, spread="others")[0, 4] == pytest.approx(0.9, rel=RTOL)
    assert ref.smooth_labels([4], 10, 0.1, spread="uniform")[0, 4] == pytest.approx(0.91, rel=RTOL)
    assert ref.smooth_labels([4], 10, 0.1, spread="others")[0, 0] == pytest.approx(0.1 / 9, rel=RTOL)
    assert ref.smooth_labels([4], 10, 0.1, spread="uniform")[0, 0] == pytest.approx(0.01, rel=RTOL)


@pytest.mark.parametrize("spread", ["uniform", "others"])
@pytest.mark.parametrize("k,eps", [(2, 0.0), (2, 0.3), (3, 0.1), (10, 1.0), (100, 0.05)])
def test_targets_are_distributions(spread, k, eps):
    labels = np.random.default_rng(k).integers(0, k, size=30)
    t = ref.smooth_labels(labels, k, eps, spread=spread)
    assert t.shape == (30, k)
    np.testing.assert_allclose(t.sum(axis=1), 1.0, rtol=0, atol=1e-12)   # rounding of k terms of order 1/k
    assert np.all(t >= 0)
    true = t[np.arange(30), labels]
    expected_true = 1 - eps + eps / k if spread == "uniform" else 1 - eps
    np.testing.assert_allclose(true, expected_true, rtol=RTOL)
    if eps == 0:
        np.testing.assert_array_equal(t, np.eye(k)[labels])


def test_empty_batch_and_lists():
    assert ref.smooth_labels([], 4, 0.1).shape == (0, 4)
    assert ref.softmax(np.zeros((0, 3))).shape == (0, 3)
    np.testing.assert_allclose(ref.smooth_labels([1, 0], 2, 0.2), ref.smooth_labels(np.array([1, 0]), 2, 0.2))
    np.testing.assert_allclose(ref.smooth_labels(np.array([1.0, 0.0]), 2, 0.2),     # integer-valued floats
                               ref.smooth_labels(np.array([1, 0]), 2, 0.2))


# ----------------------------------------------------------------------------- worked example 3
def test_worked_example_3_gradients():
    np.testing.assert_allclose(ref.softmax(WE3_LOGITS), [[0.7, 0.2, 0.1]], rtol=RTOL)
    hard = ref.smooth_labels([0], 3, 0.0)
    others = ref.smooth_labels([0], 3, 0.1, spread="others")
    # a single row: the gradient of the mean loss is softmax - targets (N = 1)
    np.testing.assert_allclose(ref.cross_entropy_grad(WE3_LOGITS, hard), [[-0.3, 0.2, 0.1]], rtol=0, atol=ATOL)
    np.testing.assert_allclose(ref.cross_entropy_grad(WE3_LOGITS, others), [[-0.2, 0.15, 0.05]], rtol=0, atol=ATOL)
    uniform = ref.smooth_labels([0], 3, 0.1, spread="uniform")
    np.testing.assert_allclose(ref.cross_entropy_grad(WE3_LOGITS, uniform),
                               [[0.7 - 0.9 - 0.1 / 3, 0.2 - 0.1 / 3, 0.1 - 0.1 / 3]], rtol=0, atol=ATOL)


def test_gradient_is_divided_by_n_and_rows_sum_to_zero():
    z = np.vstack([WE3_LOGITS, WE3_LOGITS])
    t = ref.smooth_labels([0, 0], 3, 0.0)
    np.testing.assert_allclose(ref.cross_entropy_grad(z, t), [[-0.15, 0.1, 0.05]] * 2, rtol=0, atol=ATOL)
    rng = np.random.default_rng(1)
    g = ref.cross_entropy_grad(rng.standard_normal((20, 7)) * 5, ref.smooth_labels(rng.integers(0, 7, 20), 7, 0.2))
    np.testing.assert_allclose(g.sum(axis=1), 0.0, atol=1e-15)   # rounding of 7 terms of order 1/20


@pytest.mark.parametrize("seed", range(3))
def test_gradient_matches_central_differences(seed):
    rng = np.random.default_rng(seed)
    n, k = 4, 5
    z = rng.standard_normal((n, k)) * 2
    t = ref.smooth_labels(rng.integers(0, k, n), k, 0.1, spread="others")
    h = 1e-6
    numeric = np.zeros_like(z)
    for i in range(n):
        for j in range(k):
            e = np.zeros_like(z)
            e[i, j] = h
            numeric[i, j] = (ref.cross_entropy(z + e, t) - ref.cross_entropy(z - e, t)) / (2 * h)
    # central differences: truncation O(h^2) ~ 1e-12, cancellation ~ 1e-16 / h = 1e-10
    np.testing.assert_allclose(ref.cross_entropy_grad(z, t), numeric, rtol=0, atol=1e-8)


# ----------------------------------------------------------------------------- practice problem 5
@pytest.mark.parametrize("spread", ["uniform", "others"])
def test_minimum_loss_is_positive_and_reached_by_the_targets(spread):
    for k in (2, 3, 10, 1000):
        minimum = ref.min_cross_entropy(k, 0.1, spread=spread)
        assert minimum > 0
        t = ref.smooth_labels([0], k, 0.1, spread=spread)
        # a model that outputs exactly the smoothed target (z = log t) reaches the minimum
        assert ref.cross_entropy(np.log(t), t) == pytest.approx(minimum, rel=RTOL)
        # and any other model is worse (Gibbs' inequality)
        rng = np.random.default_rng(k)
        for _ in range(20):
            assert ref.cross_entropy(rng.standard_normal((1, k)) * 3, t) >= minimum
    assert ref.min_cross_entropy(3, 0.1, "uniform") == pytest.approx(0.29113983883196504, rel=RTOL)
    assert ref.min_cross_entropy(3, 0.1, "others") == pytest.approx(
        -(0.9 * math.log(0.9) + 2 * 0.05 * math.log(0.05)), rel=RTOL)


def test_min_cross_entropy_edges():
    assert ref.min_cross_entropy(5, 0.0) == 0.0
    assert ref.min_cross_entropy(5, 1.0, "uniform") == pytest.approx(math.log(5), rel=RTOL)
    assert ref.min_cross_entropy(5, 1.0, "others") == pytest.approx(math.log(4), rel=RTOL)
    assert ref.min_cross_entropy(2, 1.0, "others") == 0.0


def test_loss_of_1_5_with_99_percent_accuracy_is_consistent():
    """Practice problem 5: accuracy looks at the argmax only, the loss at the confidence.

    100 samples, K = 10, eps = 0.1 ('uniform'): 99 are classified correctly with a
    correct-class probability s (the rest shared evenly), 1 is misclassified. Some s
    that still keeps the argmax right gives a mean loss of exactly 1.5.
    """
    k, n, eps = 10, 100, 0.1
    labels = np.zeros(n, dtype=int)
    targets = ref.smooth_labels(labels, k, eps)

    def model(s):
        probs = np.full((n, k), (1 - s) / (k - 1))
        probs[:, 0] = s
        probs[-1] = np.full(k, 0.5 / (k - 1))
        probs[-1, 1] = 0.5                               # the one misclassified sample
        return np.log(probs)

    def loss(s):
        return ref.cross_entropy(model(s), targets)

    lo, hi = 0.2, 0.99                                  # loss(0.2) > 1.5 > loss(0.99)
    assert loss(lo) > 1.5 > loss(hi)
    for _ in range(100):                                # bisection: loss decreases in s here
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if loss(mid) > 1.5 else (lo, mid)
    s = (lo + hi) / 2
    z = model(s)
    accuracy = np.mean(np.argmax(z, axis=1) == labels)
    assert accuracy == 0.99
    assert loss(s) == pytest.approx(1.5, abs=1e-9)
    assert 1.5 > ref.min_cross_entropy(k, eps)           # well above what a perfect model reaches


# ----------------------------------------------------------------------------- PyTorch fixtures
FIXTURE = load_fixture("label_smoothing")


@pytest.mark.parametrize("name", sorted(FIXTURE))
def test_matches_pytorch(name):
    case = FIXTURE[name]
    z, labels, k, eps = np.array(case["z"]), np.array(case["labels"]), case["num_classes"], case["eps"]
    uniform = ref.smooth_labels(labels, k, eps, spread="uniform")
    # float64 on both sides, same log-softmax formula: agreement to ~1e-12 relative
    assert ref.cross_entropy(z, uniform) == pytest.approx(case["uniform_loss"], rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(ref.cross_entropy_grad(z, uniform), case["uniform_grad"], rtol=1e-12, atol=1e-15)
    others = ref.smooth_labels(labels, k, eps, spread="others")
    np.testing.assert_allclose(others, case["others_targets"], rtol=1e-15)
    assert ref.cross_entropy(z, others) == pytest.approx(case["others_loss"], rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(ref.cross_entropy_grad(z, others), case["others_grad"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ref.softmax(z), case["softmax"], rtol=1e-12, atol=1e-300)


def test_fixture_covers_large_logits_and_both_spreads_differ():
    case = FIXTURE["large_logits"]
    assert np.max(np.abs(case["z"])) == 1000.0
    assert case["uniform_loss"] != pytest.approx(case["others_loss"], rel=1e-6)


# ----------------------------------------------------------------------------- stability, purity
def test_stable_at_plus_minus_1000():
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [1000.0, 1000.0, 1000.0]])
    t = ref.smooth_labels([0, 1, 2], 3, 0.1)
    p = ref.softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, [[1, 0, 0], [0, 1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))],
                                   [1 / 3] * 3], rtol=RTOL, atol=1e-300)
    loss = ref.cross_entropy(z, t)
    row1 = -(0.1 / 3 * -2000 + 0.1 / 3 * -1000)
    lse2 = 1000 + math.log(1 + math.exp(-1))
    row2 = -((0.1 / 3) * (-1000 - lse2) + (0.9 + 0.1 / 3) * (1000 - lse2) + (0.1 / 3) * (999 - lse2))
    row3 = math.log(3)
    assert loss == pytest.approx((row1 + row2 + row3) / 3, rel=RTOL)
    g = ref.cross_entropy_grad(z, t)
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g, (p - t) / 3, rtol=RTOL, atol=1e-15)
    assert np.all(np.isfinite(ref.softmax([[-1000.0, -1000.0]])))


def test_inputs_are_not_modified():
    rng = np.random.default_rng(2)
    z, labels = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    t = ref.smooth_labels(labels, 4, 0.1)
    keep = (z.copy(), labels.copy(), t.copy())
    ref.softmax(z)
    ref.cross_entropy(z, t)
    ref.cross_entropy_grad(z, t)
    ref.smooth_labels(labels, 4, 0.2, "others")
    for before, after in zip(keep, (z, labels, t)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("call,match", [
    (lambda: ref.smooth_labels([0, 3], 3, 0.1), r"in \[0, 2\]"),
    (lambda: ref.smooth_labels([-1], 3, 0.1), r"in \[0, 2\]"),
    (lambda: ref.smooth_labels([0.5], 3, 0.1), "integers"),
    (lambda: ref.smooth_labels(["a"], 3, 0.1), "integer"),
    (lambda: ref.smooth_labels([[0]], 3, 0.1), "1-D"),
    (lambda: ref.smooth_labels([True], 3, 0.1), "integer"),
    (lambda: ref.smooth_labels([0], 1, 0.1), "at least 2"),
    (lambda: ref.smooth_labels([0], 2.5, 0.1), "integer"),
    (lambda: ref.smooth_labels([0], 3, 1.5), r"\[0, 1\]"),
    (lambda: ref.smooth_labels([0], 3, -0.1), r"\[0, 1\]"),
    (lambda: ref.smooth_labels([0], 3, 0.1, spread="all"), "unknown spread"),
    (lambda: ref.softmax(3.0), "class"),
    (lambda: ref.softmax([[np.inf, 0.0]]), "NaN or infinity"),
    (lambda: ref.cross_entropy([[0.0, 1.0]], [[1.0, 0.0, 0.0]]), "same shape"),
    (lambda: ref.cross_entropy([0.0, 1.0], [1.0, 0.0]), "2-D"),
    (lambda: ref.cross_entropy(np.zeros((0, 3)), np.zeros((0, 3))), "at least one row"),
    (lambda: ref.cross_entropy_grad([[0.0, 1.0]], [[1.0]]), "same shape"),
    (lambda: ref.min_cross_entropy(1, 0.1), "at least 2"),
    (lambda: ref.min_cross_entropy(3, 2.0), r"\[0, 1\]"),
    (lambda: ref.min_cross_entropy(3, 0.1, spread="uniform "), "unknown spread"),
])
def test_invalid_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
