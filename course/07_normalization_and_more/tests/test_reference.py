"""The reference solution of 07_normalization_and_more: PyTorch fixtures, gradients, statistics, checks.

Tolerances used below (float64 throughout):
- TORCH: |ours - torch| <= 1e-12 + 1e-12*|torch|. Both compute the same formulas in float64 on O(1)
  values and differ only in summation order (measured: < 2e-15); a real convention difference
  (eps outside the root, N - 1, a missing term) moves results by more than 1e-7.
- Finite differences: centred, step H = 1e-5 on O(1) inputs; truncation ~H^2*|f'''| ~ 1e-10 and
  rounding ~1e-16/H ~ 1e-11, so a norm-wise relative error below 1e-7 leaves two orders of margin.
- Monte Carlo: Hoeffding bounds for averages of bounded variables, each failing with probability
  at most 1e-6 for a correct implementation, whatever its random stream.
"""
import math

import numpy as np
import pytest

from autograder.course import find_assignment, load_reference
from tests.fixtures_io import load_fixture

ref = load_reference(find_assignment("07_normalization_and_more"))
FIX = load_fixture("normalization")

TORCH = dict(rtol=1e-12, atol=1e-12)
H = 1e-5           # finite-difference step
FD_MAX_REL = 1e-7  # largest norm-wise relative error accepted for a finite-difference check
DELTA = 1e-6       # probability that one Monte Carlo check fails for a correct implementation


def hoeffding(n, width=1.0, delta=DELTA):
    """Half-width t with P(|mean - E| >= t) <= delta for n i.i.d. variables in an interval of this width."""
    return width * math.sqrt(math.log(2 / delta) / (2 * n))


def rel_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300)


def fd_grad(f, x, h=H):
    """Centred differences of the scalar function f at every entry of x."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        fp = f(x)
        x[idx] = old - h
        fm = f(x)
        x[idx] = old
        g[idx] = (fp - fm) / (2 * h)
    return g


def inputs(seed, n, d, offset=3.0):
    rng = np.random.default_rng(seed)
    x = offset + rng.normal(scale=rng.uniform(0.5, 2, size=d), size=(n, d))
    return x, rng.normal(1, 0.5, size=d), rng.normal(size=d), rng.normal(size=(n, d))


NORMS = {"batchnorm": (ref.batchnorm_forward, ref.batchnorm_backward),
         "layernorm": (ref.layernorm_forward, ref.layernorm_backward)}


# ----------------------------------------------------------------------------- torch fixtures
@pytest.mark.parametrize("kind", ["batchnorm", "layernorm"])
def test_forward_and_backward_match_torch(kind):
    forward, backward = NORMS[kind]
    assert len(FIX[kind]) >= 5
    for c in FIX[kind]:
        out, cache = forward(np.array(c["x"]), np.array(c["gamma"]), np.array(c["beta"]), c["eps"])
        np.testing.assert_allclose(out, c["out"], **TORCH)
        dx, dgamma, dbeta = backward(np.array(c["dout"]), cache)
        np.testing.assert_allclose(dx, c["dx"], **TORCH)
        np.testing.assert_allclose(dgamma, c["dgamma"], **TORCH)
        np.testing.assert_allclose(dbeta, c["dbeta"], **TORCH)


def test_fixture_shapes_cover_the_edge_cases():
    bn = {np.shape(c["x"]) for c in FIX["batchnorm"]}
    ln = {np.shape(c["x"]) for c in FIX["layernorm"]}
    assert any(d == 1 for _, d in bn) and any(n == 1 for n, _ in ln)
    assert any(n < d for n, d in bn) and any(n > 30 * d for n, d in bn)


def test_jacobian_penalty_matches_torch_jacobian():
    for c in FIX["jacobian"]:
        got = ref.jacobian_penalty(np.array(c["W"]), np.array(c["b"]), np.array(c["x"]))
        assert isinstance(got, float)
        assert got == pytest.approx(c["penalty"], rel=1e-12, abs=1e-14)
        # the formula behind it: J = diag(1 - tanh^2) W for every sample
        xs = np.atleast_2d(c["x"])
        for row, J, p in zip(xs, c["jacobians"], c["per_sample"]):
            t = np.tanh(np.array(c["W"]) @ row + np.array(c["b"]))
            np.testing.assert_allclose((1 - t ** 2)[:, None] * np.array(c["W"]), J, **TORCH)
            assert ref.jacobian_penalty(c["W"], c["b"], row) == pytest.approx(p, rel=1e-12, abs=1e-14)


# ----------------------------------------------------------------------------- forward properties
def test_batchnorm_standardizes_each_feature_over_the_batch():
    x, gamma, beta, _ = inputs(1, 50, 4)
    out, _ = ref.batchnorm_forward(x, np.ones(4), np.zeros(4), eps=1e-12)
    # eps = 1e-12 on variances ~1 shifts the std by ~1e-12 relative
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1, rtol=1e-10)
    out2, _ = ref.batchnorm_forward(x, gamma, beta)
    np.testing.assert_allclose(out2, gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) + beta, rtol=1e-12, atol=1e-12)


def test_layernorm_standardizes_each_sample_over_its_features():
    x, gamma, beta, _ = inputs(2, 5, 40)
    out, _ = ref.layernorm_forward(x, np.ones(40), np.zeros(40), eps=1e-12)
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=1), 1, rtol=1e-10)
    # each row is processed on its own: a single row gives the same answer as inside a batch
    one, _ = ref.layernorm_forward(x[2:3], gamma, beta)
    full, _ = ref.layernorm_forward(x, gamma, beta)
    np.testing.assert_allclose(one[0], full[2], rtol=1e-14, atol=1e-14)


def test_eps_is_inside_the_square_root_and_variance_is_biased():
    x = np.array([[0.0], [2.0], [4.0], [6.0]])  # mean 3, biased variance 5
    out, _ = ref.batchnorm_forward(x, [1.0], [0.0], eps=4.0)  # sqrt(5 + 4) = 3
    np.testing.assert_allclose(out[:, 0], [-1, -1 / 3, 1 / 3, 1], rtol=1e-14)
    out, _ = ref.layernorm_forward(x.T, np.ones(4), np.zeros(4), eps=4.0)
    np.testing.assert_allclose(out[0], [-1, -1 / 3, 1 / 3, 1], rtol=1e-14)


def test_stable_for_large_offsets_and_tiny_spread():
    x, gamma, beta, _ = inputs(3, 64, 3, offset=1e6)
    out, _ = ref.batchnorm_forward(x, gamma, beta)
    centred, _ = ref.batchnorm_forward(x - 1e6, gamma, beta)
    # a 1e6 offset costs ~1e6*1e-16 = 1e-10 absolute in x - mean (two-pass variance, no E[x^2] - mean^2)
    np.testing.assert_allclose(out, centred, atol=1e-8)
    const = np.full((5, 3), 7.0)
    out, _ = ref.layernorm_forward(const, gamma, beta)
    assert np.all(np.isfinite(out)) and np.allclose(out, beta)


# ----------------------------------------------------------------------------- backward
FD_SHAPES = [(6, 4), (2, 3), (3, 1), (4, 16), (40, 2)]


# batch norm needs N >= 2 (N = 1 is a ValueError, tested below); layer norm also gets N = 1
@pytest.mark.parametrize("kind, shape", [("batchnorm", s) for s in FD_SHAPES]
                         + [("layernorm", s) for s in FD_SHAPES + [(1, 5)]])
def test_backward_matches_finite_differences(kind, shape):
    n, d = shape
    forward, backward = NORMS[kind]
    x, gamma, beta, dout = inputs(10 * n + d, n, d)
    eps = 1e-3
    _, cache = forward(x, gamma, beta, eps)
    dx, dgamma, dbeta = backward(dout, cache)
    loss = lambda xx, gg, bb: float(np.sum(forward(xx, gg, bb, eps)[0] * dout))  # noqa: E731
    for got, fd in ((dx, fd_grad(lambda v: loss(v, gamma, beta), x)),
                    (dgamma, fd_grad(lambda v: loss(x, v, beta), gamma)),
                    (dbeta, fd_grad(lambda v: loss(x, gamma, v), beta))):
        if np.linalg.norm(fd) < 1e-9:  # layer norm with D = 1: out = beta, dx = 0 exactly
            np.testing.assert_allclose(got, 0, atol=1e-9)
        else:
            assert rel_error(got, fd) < FD_MAX_REL


def test_backward_is_pure_and_cache_is_plain_data():
    for forward, backward in NORMS.values():
        x, gamma, beta, dout = inputs(4, 5, 3)
        copies = [a.copy() for a in (x, gamma, beta, dout)]
        _, cache = forward(x, gamma, beta)
        assert isinstance(cache, dict) and all(isinstance(v, np.ndarray) for v in cache.values())
        frozen = {k: v.copy() for k, v in cache.items()}
        backward(dout, cache)
        for a, b in zip((x, gamma, beta, dout), copies):
            np.testing.assert_array_equal(a, b)
        for k in cache:
            np.testing.assert_array_equal(cache[k], frozen[k])


# ----------------------------------------------------------------------------- mixup
def test_mixup_is_one_convex_combination_with_a_permutation_partner():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 3, 2, 2))           # images: any trailing shape
    labels = rng.integers(0, 4, size=7)
    y = np.eye(4)[labels]
    x0, y0 = x.copy(), y.copy()
    for seed in range(20):
        x_mix, y_mix, lam = ref.mixup(x, y, 0.4, np.random.default_rng(seed))
        assert isinstance(lam, float) and 0.0 <= lam <= 1.0
        np.testing.assert_allclose(y_mix.sum(axis=1), 1.0, rtol=1e-14)
        # recover the partner of each row from the labels-independent inputs
        flat, mixed = x.reshape(7, -1), x_mix.reshape(7, -1)
        resid = np.linalg.norm(mixed[:, None, :] - (lam * flat[:, None, :] + (1 - lam) * flat[None, :, :]), axis=2)
        perm = resid.argmin(axis=1)
        np.testing.assert_allclose(mixed, lam * flat + (1 - lam) * flat[perm], rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(y_mix, lam * y + (1 - lam) * y[perm], rtol=1e-13, atol=1e-13)
        if 1 - lam > 1e-3:  # otherwise any partner fits and perm is not identifiable
            assert sorted(perm) == list(range(7))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)


def test_mixup_lam_follows_a_symmetric_beta():
    n = 2000
    x, y = np.arange(4.0).reshape(2, 2), np.eye(2)
    for alpha in (0.2, 1.0, 2.0):
        lams = np.array([ref.mixup(x, y, alpha, np.random.default_rng(s))[2] for s in range(n)])
        # lam in [0, 1]: Hoeffding, each bound fails with probability <= 1e-6
        assert abs(lams.mean() - 0.5) < hoeffding(n)
        # E[lam^2] = Var + 1/4 = 1/(4(2 alpha + 1)) + 1/4 for Beta(alpha, alpha)
        assert abs(np.mean(lams ** 2) - (0.25 + 1 / (4 * (2 * alpha + 1)))) < hoeffding(n)
    # Beta(1, 1) is uniform: the empirical CDF is within the DKW bound of the identity
    lams = np.sort([ref.mixup(x, y, 1.0, np.random.default_rng(10_000 + s))[2] for s in range(n)])
    ecdf_gap = np.max(np.maximum(np.arange(1, n + 1) / n - lams, lams - np.arange(n) / n))
    assert ecdf_gap < hoeffding(n)  # DKW: P(sup |F_n - F| > t) <= 2 exp(-2 n t^2)


def test_mixup_single_sample_and_reproducible():
    x, y = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0]])
    x_mix, y_mix, lam = ref.mixup(x, y, 1.0, np.random.default_rng(3))
    np.testing.assert_allclose(x_mix, x, rtol=1e-15)  # the only partner is itself
    np.testing.assert_allclose(y_mix, y, rtol=1e-15)
    a = ref.mixup(np.eye(5), np.eye(5), 0.3, np.random.default_rng(9))
    b = ref.mixup(np.eye(5), np.eye(5), 0.3, np.random.default_rng(9))
    np.testing.assert_array_equal(a[0], b[0])
    assert a[2] == b[2]


# ----------------------------------------------------------------------------- stochastic depth
def test_stochastic_depth_expectation_is_the_full_block():
    p, n, d = 0.7, 4000, 3
    x = np.tile([0.5, -1.0, 2.0], (n, 1))
    out = ref.stochastic_depth(x, np.tanh, p, np.random.default_rng(0))
    full = x[0] + np.tanh(x[0])
    coeff = (out - x) / np.tanh(x)                       # b_i / p, the same for every feature of a row
    np.testing.assert_allclose(coeff, coeff[:, :1] * np.ones((1, d)), rtol=1e-12)
    assert set(np.round(coeff[:, 0] * p, 12)) <= {0.0, 1.0}
    # each coordinate of out lies in an interval of width |tanh(x_j)|/p
    np.testing.assert_array_less(np.abs(out.mean(axis=0) - full), hoeffding(n, np.abs(np.tanh(x[0])) / p))
    assert abs(np.mean(coeff[:, 0] * p) - p) < hoeffding(n)   # keep rate = survival_prob


def test_stochastic_depth_drops_per_sample_not_per_batch():
    x = np.ones((32, 2))
    batches = [ref.stochastic_depth(x, lambda v: 2 * v, 0.5, np.random.default_rng(s)) for s in range(5)]
    # with 32 independent samples, a batch where all agree has probability 2^-31
    assert all(len(np.unique(b[:, 0])) == 2 for b in batches)


def test_stochastic_depth_inference_and_full_survival_are_deterministic():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 2, 3))
    expected = x + np.tanh(x)
    for p in (0.2, 1.0):
        np.testing.assert_array_equal(ref.stochastic_depth(x, np.tanh, p, np.random.default_rng(1), training=False),
                                      expected)
    np.testing.assert_allclose(ref.stochastic_depth(x, np.tanh, 1.0, np.random.default_rng(1)), expected, rtol=1e-15)
    # inference draws nothing from rng
    g = np.random.default_rng(5)
    ref.stochastic_depth(x, np.tanh, 0.5, g, training=False)
    assert g.random() == np.random.default_rng(5).random()


# ----------------------------------------------------------------------------- Jacobian penalty
def test_jacobian_penalty_against_finite_difference_jacobian():
    rng = np.random.default_rng(7)
    W, b = rng.normal(size=(4, 3)), rng.normal(size=4)
    xs = rng.normal(size=(5, 3))
    per = []
    for x in xs:
        J = np.stack([fd_grad(lambda v, i=i: np.tanh(W @ v + b)[i], x) for i in range(4)])
        per.append(np.sum(J ** 2))
    # FD error on each entry of J is ~1e-10, far below the 1e-7 accepted
    assert ref.jacobian_penalty(W, b, xs) == pytest.approx(np.mean(per), rel=FD_MAX_REL)
    assert ref.jacobian_penalty(W, b, xs[0]) == pytest.approx(per[0], rel=FD_MAX_REL)


def test_jacobian_penalty_hand_example():
    W = np.array([[1.0, 2.0], [0.0, 3.0]])
    b = np.array([0.0, np.arctanh(0.5)])        # at x = 0: tanh'(a) = 1 and 1 - 0.5^2 = 0.75
    assert ref.jacobian_penalty(W, b, np.zeros(2)) == pytest.approx(5 + 0.75 ** 2 * 9, rel=1e-14)
    # saturated units contribute (almost) nothing
    assert ref.jacobian_penalty(W, np.array([40.0, 40.0]), np.zeros(2)) < 1e-30


# ----------------------------------------------------------------------------- validation and purity
def test_pure_functions():
    rng = np.random.default_rng(0)
    W, b, x = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=(2, 4))
    copies = [a.copy() for a in (W, b, x)]
    ref.jacobian_penalty(W, b, x)
    ref.stochastic_depth(x, np.tanh, 0.5, np.random.default_rng(0))
    for a, c in zip((W, b, x), copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize("call, needle", [
    (lambda: ref.batchnorm_forward(np.ones((3, 2)), np.ones(2), np.ones(2), eps=0.0), "eps"),
    (lambda: ref.batchnorm_forward(np.ones((3, 2)), np.ones(2), np.ones(2), eps=-1e-5), "eps"),
    (lambda: ref.batchnorm_forward(np.ones((3, 2)), np.ones(3), np.ones(2)), "gamma"),
    (lambda: ref.batchnorm_forward(np.ones((3, 2)), np.ones(2), np.ones((1, 2))), "beta"),
    (lambda: ref.batchnorm_forward(np.ones(3), np.ones(3), np.ones(3)), "2-D"),
    (lambda: ref.batchnorm_forward(np.ones((1, 2)), np.ones(2), np.ones(2)), "at least 2"),
    (lambda: ref.layernorm_forward(np.ones((3, 2)), np.ones(2), np.ones(2), eps=0), "eps"),
    (lambda: ref.layernorm_forward(np.ones((3, 2)), np.ones(3), np.ones(3)), "gamma"),
    (lambda: ref.layernorm_forward([[1.0, np.nan]], np.ones(2), np.ones(2)), "NaN"),
    (lambda: ref.batchnorm_backward(np.ones(3), {}), "2-D"),
    (lambda: ref.layernorm_backward(np.ones((2, 2, 2)), {}), "2-D"),
    (lambda: ref.mixup(np.ones((3, 2)), np.eye(3), 0.0, np.random.default_rng(0)), "alpha"),
    (lambda: ref.mixup(np.ones((3, 2)), np.eye(3), -1, np.random.default_rng(0)), "alpha"),
    (lambda: ref.mixup(np.ones((3, 2)), np.eye(4), 0.2, np.random.default_rng(0)), "y_onehot"),
    (lambda: ref.mixup(np.ones((3, 2)), np.eye(3), 0.2, 0), "rng"),
    (lambda: ref.stochastic_depth(np.ones((3, 2)), np.tanh, 0.0, np.random.default_rng(0)), "survival_prob"),
    (lambda: ref.stochastic_depth(np.ones((3, 2)), np.tanh, 1.5, np.random.default_rng(0)), "survival_prob"),
    (lambda: ref.stochastic_depth(np.ones((3, 2)), np.tanh, -0.1, np.random.default_rng(0)), "survival_prob"),
    (lambda: ref.stochastic_depth(np.ones((3, 2)), None, 0.5, np.random.default_rng(0)), "residual"),
    (lambda: ref.stochastic_depth(np.ones((3, 2)), lambda v: v[:, :1], 0.5, np.random.default_rng(0)), "shape"),
    (lambda: ref.jacobian_penalty(np.ones((3, 2)), np.ones(2), np.ones(2)), "b"),
    (lambda: ref.jacobian_penalty(np.ones((3, 2)), np.ones(3), np.ones(3)), "x"),
    (lambda: ref.jacobian_penalty(np.ones(3), np.ones(3), np.ones(3)), "W"),
])
def test_invalid_input_raises_value_error(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()
