"""Figures that show regularization working on held-out data, one or two per assignment.

Every function takes the student's (or the reference) module and computes with it; data are
synthetic, small and drawn from fixed seeds, so each figure takes well under a second. The
numbers a notebook quotes about a figure come from the helper that draws it (see
tools/notebooks/claims.py), never typed in by hand.
"""
from __future__ import annotations

import numpy as np

from .figures import EN_C, L1_C, L2_C, OLS_C, _fig

__all__ = [
    "orthogonal_regression", "penalty_heldout_curves", "fig_penalty_heldout", "fig_l1_l2_geometry",
    "heldout_regression", "lasso_ridge_heldout_curves", "fig_lasso_ridge_heldout",
    "max_norm_sgd", "fig_max_norm_sgd",
    "dropout_heldout_curve", "fig_dropout_heldout",
    "softmax_regression_runs", "expected_calibration_error", "fig_label_smoothing_calibration",
    "batchnorm_running_stats", "fig_batchnorm_inference",
    "augmentation_runs", "fig_augmentation",
]


def _mse(X, y, w):
    return float(np.mean((y - X @ w) ** 2))


# =========================================================================== 01 penalties
def orthogonal_regression(n=30, d=25, noise=3.0, seed=0, n_test=2000):
    """Training inputs with X^T X / n = I (so the fit splits per coordinate), Gaussian held-out inputs.

    With X^T X / n = I, (1/n)||y - Xw||^2 = ||w - w_ols||^2 + const, so the penalized fit of
    each coordinate is exactly the one-weight problem argmin (w - mu)^2 + penalty with mu = w_ols.
    Returns (X, y, X_test, y_test, w_true).
    """
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    X = np.sqrt(n) * Q
    w_true = np.zeros(d)
    w_true[:5] = [1.5, -1.2, 1.0, 0.8, -0.6]
    y = X @ w_true + noise * rng.standard_normal(n)
    X_test = rng.standard_normal((n_test, d))
    y_test = X_test @ w_true + noise * rng.standard_normal(n_test)
    return X, y, X_test, y_test, w_true


def penalty_heldout_curves(penalties, lams=None):
    """Training and held-out mean squared error of the L1 and L2 fits (scalar minimizers) against lam.

    Returns (lams, {"L1": (train, test), "L2": (train, test)}, ols_test).
    """
    X, y, Xt, yt, _ = orthogonal_regression()
    n = len(y)
    w_ols = X.T @ y / n
    lams = np.geomspace(0.01, 20, 40) if lams is None else np.asarray(lams, dtype=float)
    curves = {}
    for name, solve in (("L1", penalties.l1_scalar_minimizer), ("L2", penalties.l2_scalar_minimizer)):
        ws = [np.asarray(solve(w_ols, lam), dtype=float) for lam in lams]
        curves[name] = (np.array([_mse(X, y, w) for w in ws]), np.array([_mse(Xt, yt, w) for w in ws]))
    return lams, curves, _mse(Xt, yt, w_ols)


def best_lambda(penalties, which):
    """(lam, held-out error) at the minimum of the held-out curve of `which` ("L1" or "L2")."""
    lams, curves, _ = penalty_heldout_curves(penalties)
    k = int(np.argmin(curves[which][1]))
    return float(lams[k]), float(curves[which][1][k])


__all__.append("best_lambda")


def fig_penalty_heldout(penalties):
    """Training error rises with lam; held-out error first falls (less variance), then rises (bias)."""
    lams, curves, ols = penalty_heldout_curves(penalties)
    fig, axes = _fig(11, 4.2, 1, 2, sharey=True)
    for ax, (name, (tr, te)), c in zip(axes, curves.items(), (L1_C, L2_C)):
        ax.semilogx(lams, tr, color=c, ls="--", label="training error (30 examples)")
        ax.semilogx(lams, te, color=c, lw=2, label="held-out error (2000 new examples)")
        ax.axhline(ols, color=OLS_C, ls=":", label=f"no penalty (least squares): {ols:.2f}")
        k = int(np.argmin(te))
        ax.plot([lams[k]], [te[k]], "ko")
        ax.annotate(f"best $\\lambda$ = {lams[k]:.2g}: {te[k]:.2f}", (lams[k], te[k]), xytext=(0, -16),
                    textcoords="offset points", ha="center", fontsize=8)
        pen = "$\\lambda|w|$" if name == "L1" else "$\\frac{\\lambda}{2}w^2$"
        ax.set(title=f"{name}: each weight is argmin $(w-\\mu)^2$ + {pen}", xlabel=r"$\lambda$")
        ax.legend(fontsize=8, loc="upper left")
    axes[0].set_ylabel("mean squared error")
    fig.suptitle("25 features, 5 of them useful, 30 noisy training examples: "
                 "too little and too much penalty both hurt on new data")
    return fig


def _quadratic(c=(2.0, 0.6), A=((1.0, 0.35), (0.35, 0.35))):
    c, A = np.asarray(c), np.asarray(A)
    return c, A, (lambda W: np.einsum("...i,ij,...j->...", W - c, A, W - c))


def fig_l1_l2_geometry(penalties, budget=1.0):
    """The constrained view: loss contours meet the L1 diamond at a corner, the L2 ball off the axes."""
    c, A, loss = _quadratic()
    theta = np.linspace(0, 2 * np.pi, 721)
    U = np.c_[np.cos(theta), np.sin(theta)]
    # the penalties are homogeneous (degree 1 and 2): the boundary {R(w) = budget} along u is at
    # radius budget / R(u) for L1 and sqrt(budget / R(u)) for (1/2)||w||^2 (level budget^2 / 2)
    r1 = np.array([budget / penalties.l1_penalty(u, 1.0) for u in U])
    r2 = np.array([np.sqrt(budget ** 2 / 2 / penalties.l2_penalty(u, 1.0)) for u in U])
    B1, B2 = U * r1[:, None], U * r2[:, None]
    w1, w2 = B1[np.argmin(loss(B1))], B2[np.argmin(loss(B2))]
    g = np.linspace(-1.6, 2.8, 200)
    G = np.stack(np.meshgrid(g, g), axis=-1)
    fig, axes = _fig(12, 4.2, 1, 3)
    for ax, B, w, name, col in ((axes[0], B1, w1, "L1: $|w_1| + |w_2| \\leq 1$", L1_C),
                                (axes[1], B2, w2, "L2: $\\|w\\|_2 \\leq 1$", L2_C)):
        ax.contour(g, g, loss(G), levels=[0.25, 1.0, 2.5, 5.0], colors="0.6", linewidths=0.7)
        ax.contour(g, g, loss(G), levels=[float(loss(w))], colors="k", linewidths=1.4)  # the touching contour
        ax.fill(B[:, 0], B[:, 1], color=col, alpha=0.25)
        ax.plot(B[:, 0], B[:, 1], color=col)
        ax.plot(*c, "k+", ms=10, label="unpenalized optimum")
        ax.plot(*w, "o", color=col, label=f"constrained optimum ({w[0]:.2f}, {w[1]:.2f})")
        ax.axhline(0, color="k", lw=0.5)
        ax.axvline(0, color="k", lw=0.5)
        ax.set(title=name, xlabel="$w_1$", ylabel="$w_2$", aspect="equal", xlim=(g[0], g[-1]), ylim=(g[0], g[-1]))
        ax.legend(fontsize=7, loc="lower right")
    x = np.linspace(-3, 3, 401)
    lap = np.exp(-np.array([penalties.l1_penalty(np.array([v]), 1.0) for v in x]))
    gau = np.exp(-np.array([penalties.l2_penalty(np.array([v]), 1.0) for v in x]))
    ax = axes[2]
    ax.plot(x, lap / np.trapezoid(lap, x), color=L1_C, label=r"Laplace prior $\propto e^{-\lambda|w|}$")
    ax.plot(x, gau / np.trapezoid(gau, x), color=L2_C, label=r"Gaussian prior $\propto e^{-\lambda w^2/2}$")
    ax.set(title="the priors behind the penalties ($\\lambda$ = 1)", xlabel="w", ylabel="density")
    ax.legend(fontsize=8)
    fig.suptitle("the loss contours first touch the L1 diamond at a corner (a zero weight), "
                 "the L2 ball where no coordinate is 0")
    return fig


def geometry_optimum(penalties, which, budget=1.0):
    """The constrained optimum drawn in fig_l1_l2_geometry, as (w1, w2)."""
    _, _, loss = _quadratic()
    theta = np.linspace(0, 2 * np.pi, 721)
    U = np.c_[np.cos(theta), np.sin(theta)]
    if which == "L1":
        r = np.array([budget / penalties.l1_penalty(u, 1.0) for u in U])
    else:
        r = np.array([np.sqrt(budget ** 2 / 2 / penalties.l2_penalty(u, 1.0)) for u in U])
    B = U * r[:, None]
    return B[np.argmin(loss(B))]


__all__.append("geometry_optimum")


# =========================================================================== 02 proximal
def heldout_regression(n=50, d=40, noise=1.5, seed=2, n_test=2000, correlated=0.5):
    """Nearly as many correlated features as training examples, a sparse truth, a large held-out set.

    Returns (X, y, X_test, y_test, w_true); features are standardized with the training statistics.
    """
    rng = np.random.default_rng(seed)
    cov = correlated ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    Z = rng.multivariate_normal(np.zeros(d), cov, size=n + n_test)
    w_true = np.zeros(d)
    w_true[[0, 5, 12, 20, 33]] = [2.0, -1.5, 1.0, 1.0, -0.5]
    yy = Z @ w_true + noise * rng.standard_normal(n + n_test)
    mu, sd = Z[:n].mean(0), Z[:n].std(0)
    Z = (Z - mu) / sd
    ym = yy[:n].mean()
    return Z[:n], yy[:n] - ym, Z[n:], yy[n:] - ym, w_true


def lasso_ridge_heldout_curves(proximal):
    """Held-out and training MSE of the lasso (fista) and of ridge (ridge_closed_form) against their lam.

    Returns {"lasso": (lams, train, test), "ridge": (lams, train, test)} and the OLS held-out error.
    """
    X, y, Xt, yt, _ = heldout_regression()
    out = {}
    lams = np.geomspace(1e-3, 1.5, 24)
    ws = [np.asarray(proximal.fista(X, y, lam, n_iter=400)) for lam in lams]
    out["lasso"] = (lams, np.array([_mse(X, y, w) for w in ws]), np.array([_mse(Xt, yt, w) for w in ws]))
    lams = np.geomspace(1e-2, 3e3, 24)
    ws = [np.asarray(proximal.ridge_closed_form(X, y, lam)) for lam in lams]
    out["ridge"] = (lams, np.array([_mse(X, y, w) for w in ws]), np.array([_mse(Xt, yt, w) for w in ws]))
    return out, _mse(Xt, yt, np.linalg.lstsq(X, y, rcond=None)[0])


def heldout_best(proximal, which):
    """(lam, held-out MSE) at the minimum of the held-out curve of "lasso" or "ridge"."""
    curves, _ = lasso_ridge_heldout_curves(proximal)
    lams, _, te = curves[which]
    k = int(np.argmin(te))
    return float(lams[k]), float(te[k])


def ols_heldout(proximal):
    """Held-out MSE of ordinary least squares on the same split."""
    return lasso_ridge_heldout_curves(proximal)[1]


__all__ += ["heldout_best", "ols_heldout"]


def fig_lasso_ridge_heldout(proximal):
    """Test error against regularization strength: a U for the lasso and for ridge, OLS far above."""
    curves, ols = lasso_ridge_heldout_curves(proximal)
    fig, axes = _fig(11, 4.2, 1, 2, sharey=True)
    for ax, (name, (lams, tr, te)), c, unit in zip(axes, curves.items(), (L1_C, L2_C),
                                                   ("mean loss: $\\frac{1}{2n}\\|y-Xw\\|^2 + \\lambda\\|w\\|_1$",
                                                    "sum loss: $\\|y-Xw\\|^2 + \\lambda\\|w\\|^2$")):
        ax.semilogx(lams, tr, color=c, ls="--", label="training error (50 examples)")
        ax.semilogx(lams, te, color=c, lw=2, label="held-out error (2000 examples)")
        ax.axhline(ols, color=OLS_C, ls=":", label=f"least squares (no penalty): {ols:.2f}")
        k = int(np.argmin(te))
        ax.plot([lams[k]], [te[k]], "ko")
        ax.annotate(f"best: {te[k]:.2f}", (lams[k], te[k]), xytext=(0, -14), textcoords="offset points",
                    ha="center", fontsize=8)
        ax.set(title=f"{name} ({unit})", xlabel=r"$\lambda$", ylim=(0, None))
        ax.legend(fontsize=8, loc="upper center")
    axes[0].set_ylabel("mean squared error")
    fig.suptitle("40 correlated features, 50 training examples: the training error only grows with $\\lambda$, "
                 "the held-out error has a minimum")
    return fig


def max_norm_sgd(proximal, radii=(0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 1e9), steps=600, lr=0.05, batch=10,
                 seed=3):
    """Projected minibatch SGD on a 5-output linear model; each output's weight row is kept in a ball.

    After every step W <- project_max_norm(W, r, axis=1). Returns (radii, train, test, row_norms)
    where row_norms[k] is the (steps + 1, 5) history of the row norms for radii[k].
    """
    rng = np.random.default_rng(seed)
    X, _, Xt, _, _ = heldout_regression()
    n, d = X.shape
    W_true = rng.normal(0, 0.35, (5, d)) * (rng.random((5, d)) < 0.25)
    Y = X @ W_true.T + 1.5 * rng.standard_normal((n, 5))
    Yt = Xt @ W_true.T + 1.5 * rng.standard_normal((len(Xt), 5))
    order = np.random.default_rng(seed + 1).integers(0, n, size=(steps, batch))
    train, test, norms = [], [], []
    for r in radii:
        W = np.zeros((5, d))
        hist = [np.zeros(5)]
        for idx in order:
            G = (X[idx] @ W.T - Y[idx]).T @ X[idx] / batch
            W = np.asarray(proximal.project_max_norm(W - lr * G, r, axis=1))
            hist.append(np.linalg.norm(W, axis=1))
        train.append(float(np.mean((X @ W.T - Y) ** 2)))
        test.append(float(np.mean((Xt @ W.T - Yt) ** 2)))
        norms.append(np.array(hist))
    return np.array(radii, dtype=float), np.array(train), np.array(test), norms


def fig_max_norm_sgd(proximal):
    """Max-norm as a constraint in training: row norms capped at r, held-out error against r."""
    radii, tr, te, norms = max_norm_sgd(proximal)
    fig, (a, b) = _fig(11, 4.2, 1, 2)
    k = int(np.argmin(te))
    for j in range(5):
        a.plot(norms[k][:, j], lw=1)
        a.plot(norms[-1][:, j], lw=0.8, ls=":", color="0.5")
    a.axhline(radii[k], color="k", ls="--", label=f"r = {radii[k]:g}: each row is projected back onto the ball")
    a.plot([], [], ls=":", color="0.5", label="no constraint (r = infinity)")
    a.set(title="norm of each output's weight row during projected SGD", xlabel="SGD step", ylabel="row norm")
    a.legend(fontsize=8)
    finite = radii < 1e8
    b.semilogx(radii[finite], tr[finite], "o--", color=EN_C, label="training error")
    b.semilogx(radii[finite], te[finite], "o-", color=EN_C, lw=2, label="held-out error")
    b.axhline(te[~finite][0], color=OLS_C, ls=":", label=f"no constraint: held-out {te[~finite][0]:.2f}")
    b.set(title="W <- project_max_norm(W - lr * grad, r, axis=1)", xlabel="radius r", ylabel="mean squared error",
          xticks=radii[finite], xticklabels=[f"{r:g}" for r in radii[finite]])
    b.minorticks_off()
    b.legend(fontsize=8)
    return fig


# =========================================================================== 03 dropout
def dropout_heldout_curve(dropout, ps=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7), steps=1500, lr=0.02, seed=0):
    """Linear regression trained by gradient descent with inverted dropout on its inputs.

    Each step draws a fresh mask (dropout_forward) and takes a gradient step on the dropped-out
    inputs; the weights are averaged over the second half of training and evaluated without dropout.
    Returns (ps, train, test, curves) with curves[p] the held-out error every 50 steps.
    """
    X, y, Xt, yt, _ = heldout_regression()
    n, d = X.shape
    train, test, curves = [], [], {}
    for p in ps:
        rng = np.random.default_rng(seed)
        w, avg, hist = np.zeros(d), np.zeros(d), []
        for t in range(steps):
            Xd, mask = dropout.dropout_forward(X, p, rng, training=True)
            resid = np.asarray(Xd) @ w - y
            w = w - lr * (np.asarray(Xd).T @ resid) / n
            if t >= steps // 2:
                avg += w / (steps - steps // 2)
            if t % 50 == 0:
                hist.append(_mse(Xt, yt, w))
        train.append(_mse(X, y, avg))
        test.append(_mse(Xt, yt, avg))
        curves[p] = np.array(hist)
    return np.array(ps), np.array(train), np.array(test), curves


def fig_dropout_heldout(dropout):
    """Held-out error against the drop probability, and over training for p = 0 and the best p."""
    ps, tr, te, curves = dropout_heldout_curve(dropout)
    k = int(np.argmin(te))
    fig, (a, b) = _fig(11, 4.2, 1, 2)
    a.plot(ps, tr, "o--", color=L2_C, label="training error (no dropout at evaluation)")
    a.plot(ps, te, "o-", color=L1_C, lw=2, label="held-out error")
    a.plot([ps[k]], [te[k]], "ko")
    a.set(title="linear model, 40 features, 50 examples, dropout on the inputs", xlabel="drop probability p",
          ylabel="mean squared error")
    a.legend(fontsize=8)
    steps = np.arange(len(curves[ps[0]])) * 50
    b.plot(steps, curves[ps[0]], color="0.4", label="p = 0 (no dropout)")
    b.plot(steps, curves[ps[k]], color=L1_C, label=f"p = {ps[k]:g}")
    b.set(title="held-out error during training", xlabel="gradient step", ylabel="held-out MSE", yscale="log")
    b.legend(fontsize=8)
    return fig


# =========================================================================== 04 label smoothing
def _blobs(n, d=20, k=3, seed=0, sep=2.0):
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(100).normal(0, sep, (k, 4))
    labels = rng.integers(0, k, n)
    X = rng.standard_normal((n, d))
    X[:, :4] += centres[labels]
    return X, labels


def softmax_regression_runs(label_smoothing, epsilons=(0.0, 0.05, 0.1, 0.2, 0.3), steps=600, lr=0.5):
    """Softmax regression trained by gradient descent on smoothed targets ("uniform"), evaluated on held-out data.

    Returns {eps: (held-out probabilities (N, K), held-out labels)}.
    """
    X, yl = _blobs(60, seed=1)
    Xt, ytl = _blobs(3000, seed=2)
    K = 3
    Xb, Xtb = np.c_[X, np.ones(len(X))], np.c_[Xt, np.ones(len(Xt))]
    runs = {}
    for eps in epsilons:
        T = np.asarray(label_smoothing.smooth_labels(yl, K, eps, spread="uniform"))
        W = np.zeros((Xb.shape[1], K))
        for _ in range(steps):
            W = W - lr * Xb.T @ np.asarray(label_smoothing.cross_entropy_grad(Xb @ W, T))
        runs[eps] = (np.asarray(label_smoothing.softmax(Xtb @ W)), ytl)
    return runs


def expected_calibration_error(probs, labels, bins=10):
    """Sum over confidence bins of |accuracy - mean confidence|, weighted by the bin's share of examples."""
    conf = probs.max(1)
    correct = probs.argmax(1) == labels
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges) - 1, 0, bins - 1)
    return float(sum(abs(correct[idx == b].mean() - conf[idx == b].mean()) * np.mean(idx == b)
                     for b in range(bins) if np.any(idx == b)))


def smoothing_metrics(label_smoothing, eps):
    """(held-out accuracy, held-out cross-entropy against the true labels, ECE) of the run with `eps`."""
    P, yt = softmax_regression_runs(label_smoothing, epsilons=(eps,))[eps]
    nll = float(-np.mean(np.log(np.maximum(P[np.arange(len(yt)), yt], 1e-300))))
    return float(np.mean(P.argmax(1) == yt)), nll, expected_calibration_error(P, yt)


__all__.append("smoothing_metrics")


def fig_label_smoothing_calibration(label_smoothing, show=(0.0, 0.2)):
    """Reliability diagram of hard-label and smoothed training, and held-out metrics against eps."""
    runs = softmax_regression_runs(label_smoothing)
    fig, (a, b) = _fig(11, 4.2, 1, 2)
    edges = np.linspace(0, 1, 11)
    a.plot([0, 1], [0, 1], color="0.5", ls=":", label="perfect calibration")
    for eps, c in zip(show, ("0.3", L2_C)):
        P, yt = runs[eps]
        conf, correct = P.max(1), P.argmax(1) == yt
        idx = np.clip(np.digitize(conf, edges) - 1, 0, 9)
        xs = [conf[idx == k].mean() for k in range(10) if np.sum(idx == k) >= 10]
        ys = [correct[idx == k].mean() for k in range(10) if np.sum(idx == k) >= 10]
        a.plot(xs, ys, "o-", color=c, label=f"eps = {eps:g}: ECE {expected_calibration_error(P, yt):.3f}")
    a.set(title="reliability on 3000 held-out examples", xlabel="confidence (largest probability)",
          ylabel="accuracy of those predictions", xlim=(0.3, 1), ylim=(0.3, 1))
    a.legend(fontsize=8)
    eps = np.array(list(runs))
    ece = [expected_calibration_error(*runs[e]) for e in eps]
    nll = [float(-np.mean(np.log(np.maximum(P[np.arange(len(y)), y], 1e-300)))) for P, y in runs.values()]
    acc = [float(np.mean(P.argmax(1) == y)) for P, y in runs.values()]
    b.plot(eps, nll, "o-", color=L1_C, label="held-out cross-entropy (true labels)")
    b.plot(eps, ece, "s-", color=L2_C, label="expected calibration error")
    b.plot(eps, acc, "^-", color=OLS_C, label="held-out accuracy")
    b.set(title="softmax regression, 60 training examples, 20 features", xlabel="label smoothing eps (uniform)")
    b.legend(fontsize=8)
    return fig


# =========================================================================== 07 normalization
def batchnorm_running_stats(n_batches=120, batch=16, momentum=0.1, seed=0):
    """Running mean and variance of one feature, updated from each training batch as frameworks do.

    running <- (1 - momentum) * running + momentum * batch statistic (the unbiased batch variance,
    as PyTorch stores). Returns (running_mean, running_var, population mean, population variance).
    """
    rng = np.random.default_rng(seed)
    mu, sd = 3.0, 2.0
    rm, rv, means, vars_ = 0.0, 1.0, [], []
    for _ in range(n_batches):
        xb = rng.normal(mu, sd, batch)
        rm = (1 - momentum) * rm + momentum * xb.mean()
        rv = (1 - momentum) * rv + momentum * xb.var(ddof=1)
        means.append(rm)
        vars_.append(rv)
    return np.array(means), np.array(vars_), mu, sd ** 2


def fig_batchnorm_inference(normalization, eps=1e-5):
    """Batch norm at inference: running statistics instead of the statistics of the batch in hand."""
    rm, rv, mu, var = batchnorm_running_stats()
    fig, (a, b) = _fig(11, 4.2, 1, 2)
    a.plot(rm, color=L2_C, label="running mean")
    a.plot(rv, color=L1_C, label="running variance")
    a.axhline(mu, color=L2_C, ls=":", label=f"population mean {mu:g}")
    a.axhline(var, color=L1_C, ls=":", label=f"population variance {var:g}")
    a.set(title="collected during training (momentum 0.1, batches of 16)", xlabel="training batch")
    a.legend(fontsize=8)
    xs = np.linspace(-3, 9, 61)
    rng = np.random.default_rng(1)
    pair = [float(np.asarray(normalization.batchnorm_forward(np.array([[v], [mu]]), np.ones(1), np.zeros(1), eps)[0])[0, 0])
            for v in xs]
    partners = [np.r_[[[v]], rng.normal(mu, np.sqrt(var), (7, 1))] for v in xs]
    in_batch = [float(np.asarray(normalization.batchnorm_forward(p, np.ones(1), np.zeros(1), eps)[0])[0, 0])
                for p in partners]
    b.plot(xs, (xs - rm[-1]) / np.sqrt(rv[-1] + eps), color=OLS_C, lw=2,
           label="inference: (x - running mean) / sqrt(running var + eps)")
    b.plot(xs, in_batch, ".", color=L2_C, label="training mode, x in a batch of 8 random others")
    b.plot(xs, pair, color=L1_C, ls="--", label=f"training mode, batch of two (x and {mu:g}): only -1 or +1")
    b.set(title="output for one input x (gamma = 1, beta = 0)", xlabel="x", ylabel="normalized output")
    b.legend(fontsize=8)
    return fig


def _moons(n, seed, noise=0.15):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2            # balanced classes
    t = rng.uniform(0, np.pi, n)
    x = np.where(labels[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return x + noise * rng.standard_normal((n, 2)), labels


def _rff(x, n_features=300, scale=2.0, seed=7):
    rng = np.random.default_rng(seed)
    W = rng.normal(0, scale, (2, n_features))
    b = rng.uniform(0, 2 * np.pi, n_features)
    return np.sqrt(2.0 / n_features) * np.cos(x @ W + b)


def _fit_logistic(x, target, steps=1500, lr=2.0):
    F = np.c_[_rff(x), np.ones(len(x))]
    w = np.zeros(F.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(F @ w)))
        w -= lr * F.T @ (p - target) / len(x)
    return w


def augmentation_runs(normalization, n_train=20, copies=10, jitter=0.12, alpha=0.4, seed=0):
    """A kernel logistic classifier trained on a tiny set, on label-preserving jitter, and on mixup.

    Returns {name: (training inputs, soft targets of class 1, weights, held-out accuracy)}.
    """
    x, y = _moons(n_train, seed=3)
    xt, yt = _moons(2000, seed=4)
    rng = np.random.default_rng(seed)
    x_jit = np.r_[x, np.repeat(x, copies, 0) + jitter * rng.standard_normal((n_train * copies, 2))]
    y_jit = np.r_[y, np.repeat(y, copies)].astype(float)
    onehot = np.eye(2)[y]
    mixed = [normalization.mixup(x, onehot, alpha, np.random.default_rng(seed + s)) for s in range(copies)]
    x_mix = np.r_[x, *[np.asarray(m[0]) for m in mixed]]
    y_mix = np.r_[y.astype(float), *[np.asarray(m[1])[:, 1] for m in mixed]]
    runs = {}
    for name, xs, ys in (("no augmentation", x, y.astype(float)), ("jitter (label-preserving)", x_jit, y_jit),
                         ("mixup", x_mix, y_mix)):
        w = _fit_logistic(xs, ys)
        acc = float(np.mean(((np.c_[_rff(xt), np.ones(len(xt))] @ w) > 0) == (yt == 1)))
        runs[name] = (xs, ys, w, acc)
    return runs


def augmentation_accuracy(normalization, name):
    """Held-out accuracy of the run `name` of augmentation_runs."""
    return augmentation_runs(normalization)[name][3]


__all__.append("augmentation_accuracy")


def fig_augmentation(normalization):
    """Decision boundaries learned from 20 points, from label-preserving jitter, and from mixup."""
    runs = augmentation_runs(normalization)
    g = np.linspace(-1.6, 2.6, 120)
    gy = np.linspace(-1.1, 1.6, 100)
    G = np.stack(np.meshgrid(g, gy), -1).reshape(-1, 2)
    FG = np.c_[_rff(G), np.ones(len(G))]
    fig, axes = _fig(13, 4.2, 1, 3, sharey=True)
    for ax, (name, (xs, ys, w, acc)) in zip(axes, runs.items()):
        prob = (1 / (1 + np.exp(-(FG @ w)))).reshape(len(gy), len(g))
        ax.contourf(g, gy, prob, levels=[0, 0.5, 1], colors=[L2_C, L1_C], alpha=0.12)
        ax.contour(g, gy, prob, levels=[0.5], colors="k", linewidths=1)
        ax.scatter(xs[:, 0], xs[:, 1], c=ys, cmap="coolwarm", vmin=0, vmax=1, s=8, alpha=0.6)
        ax.set(title=f"{name}: held-out accuracy {acc:.3f}", xlabel="x1")
    axes[0].set_ylabel("x2")
    fig.suptitle("20 training points of two interleaved half-moons (colour: label, or mixed label)")
    return fig
