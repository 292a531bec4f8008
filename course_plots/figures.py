"""The course figures. Each function computes with the module(s) passed in.

fig_* return a matplotlib Figure; anim_* return a FuncAnimation (save as GIF with
matplotlib's PillowWriter). Data are synthetic and drawn from fixed seeds so the pictures
are the same from run to run; none of this is graded.
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation

__all__ = [
    "regression_data",
    "fig_penalties", "fig_scalar_minimizers",
    "fig_threshold_maps", "fig_lasso_vs_ols", "fig_ridge_vs_ols", "fig_ista_vs_fista",
    "anim_lasso_path", "anim_ridge_path",
    "fig_dropout_masks", "fig_dropout_variance", "anim_dropout",
    "fig_label_smoothing_targets", "fig_label_smoothing_gradient", "anim_label_smoothing",
    "fig_adam_l2_vs_adamw", "fig_sgd_weight_decay",
    "fig_spectral_filters", "fig_early_stopping_curve",
    "adam_decay_runs", "adam_l2_median_abs_w", "adam_l2_steps_below", "ista_fista_gaps", "first_k_below",
    "continuous_gap_max", "filter_gap", "max_filter_gap", "early_stopping_losses",
    "fig_batchnorm_vs_layernorm", "anim_batchnorm_vs_layernorm", "fig_mixup",
]

OLS_C, L1_C, L2_C, EN_C, L0_C = "#2ca02c", "#d62728", "#1f77b4", "#9467bd", "#ff7f0e"
UNIF_C, OTHERS_C = "#1f77b4", "#ff7f0e"


STYLE = {"axes.titlesize": 10, "axes.labelsize": 9, "xtick.labelsize": 8, "ytick.labelsize": 8,
         "legend.fontsize": 8, "figure.titlesize": 11, "axes.grid": True, "grid.alpha": 0.3}


def _fig(w, h, *args, **kw):
    with plt.rc_context(STYLE):
        return plt.subplots(*args, figsize=(w, h), layout="constrained", **kw)


def _freeze(fig):
    """Lay an animation's figure out once, then keep it fixed (much faster frames)."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


# =========================================================================== data
def regression_data(n=60, d=10, noise=1.0, seed=0, correlated=0.5):
    """Standardized design with correlated columns and a sparse truth (3 useful features)."""
    rng = np.random.default_rng(seed)
    cov = correlated ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    X = rng.multivariate_normal(np.zeros(d), cov, size=n)
    X = (X - X.mean(0)) / X.std(0)
    w_true = np.zeros(d)
    w_true[[0, 3, 6]] = [3.0, -2.0, 1.5]
    y = X @ w_true + noise * rng.standard_normal(n)
    y = y - y.mean()
    return X, y, w_true


def _ols(X, y):
    return np.linalg.lstsq(X, y, rcond=None)[0]


# =========================================================================== 01 penalties
def fig_penalties(penalties, lam=1.0):
    """Penalty values and their (sub)gradients for L1, L2 and elastic net, per coordinate."""
    w = np.linspace(-2, 2, 401)
    fig, (a, b) = _fig(10, 4, 1, 2)
    l1 = [penalties.l1_penalty(np.array([x]), lam) for x in w]
    l2 = [penalties.l2_penalty(np.array([x]), lam) for x in w]
    en = [penalties.elastic_net_penalty(np.array([x]), lam / 2, lam / 2) for x in w]
    a.plot(w, l1, color=L1_C, label=r"L1: $\lambda|w|$")
    a.plot(w, l2, color=L2_C, label=r"L2: $\frac{\lambda}{2}w^2$")
    a.plot(w, en, color=EN_C, label=r"elastic net ($\lambda_1=\lambda_2=\lambda/2$)")
    a.set(title=f"penalty of one weight ($\\lambda$ = {lam:g})", xlabel="w", ylabel="penalty")
    a.legend()
    b.plot(w, penalties.l1_subgradient(w, lam), color=L1_C, label=r"L1: $\lambda\,\mathrm{sign}(w)$")
    b.plot(w, penalties.l2_gradient(w, lam), color=L2_C, label=r"L2: $\lambda w$")
    b.plot(w, penalties.elastic_net_gradient(w, lam / 2, lam / 2), color=EN_C, label="elastic net")
    b.axhline(0, color="k", lw=0.6)
    b.set(title="(sub)gradients: the L1 push keeps size $\\lambda$\nright up to 0, the L2 push fades",
          xlabel="w", ylabel="gradient")
    b.legend()
    return fig


def fig_scalar_minimizers(penalties, lams=(0.5, 2.0)):
    """The example mu = 1 and the maps mu -> argmin (w - mu)^2 + penalty."""
    fig, (a, b) = _fig(10, 4, 1, 2)
    w = np.linspace(-0.5, 1.5, 401)
    styles = ["-", "--"]
    for lam, ls in zip(lams, styles):
        f1 = (w - 1) ** 2 + lam * np.abs(w)
        f2 = (w - 1) ** 2 + lam / 2 * w ** 2
        m1 = float(np.asarray(penalties.l1_scalar_minimizer(1.0, lam)))
        m2 = float(np.asarray(penalties.l2_scalar_minimizer(1.0, lam)))
        a.plot(w, f1, color=L1_C, ls=ls, label=f"L1, $\\lambda$={lam:g}: w*={m1:.3g}")
        a.plot(w, f2, color=L2_C, ls=ls, label=f"L2, $\\lambda$={lam:g}: w*={m2:.3g}")
        a.plot([m1], [(m1 - 1) ** 2 + lam * abs(m1)], "o", color=L1_C)
        a.plot([m2], [(m2 - 1) ** 2 + lam / 2 * m2 ** 2], "o", color=L2_C)
    a.set(title="$\\mu = 1$: $(w-1)^2$ + penalty", xlabel="w", ylabel="objective", ylim=(0, 3))
    a.legend(fontsize=8)
    mu = np.linspace(-3, 3, 601)
    b.plot(mu, mu, color="0.6", lw=1, ls=":", label="no penalty (w* = mu)")
    for lam, ls in zip(lams, styles):
        b.plot(mu, penalties.l1_scalar_minimizer(mu, lam), color=L1_C, ls=ls, label=f"L1, $\\lambda$={lam:g}")
        b.plot(mu, penalties.l2_scalar_minimizer(mu, lam), color=L2_C, ls=ls, label=f"L2, $\\lambda$={lam:g}")
    lam = max(lams)
    b.axvspan(-lam / 2, lam / 2, color=L1_C, alpha=0.08, label=f"L1 gives exactly 0 ($|\\mu|\\leq\\lambda/2$, $\\lambda$={lam:g})")
    b.set(title=r"minimizer of $(w-\mu)^2$ + penalty, as a function of $\mu$", xlabel=r"$\mu$", ylabel="w*")
    b.legend(fontsize=8)
    return fig


# =========================================================================== 02 proximal
def fig_threshold_maps(proximal, t=1.0):
    """Soft thresholding, hard thresholding, and the L2 / elastic-net prox as maps v -> prox(v)."""
    v = np.linspace(-3, 3, 601)
    fig, axes = _fig(12, 4, 1, 3, sharey=True)
    for ax in axes:
        ax.plot(v, v, color="0.6", lw=1, ls=":", label="identity")
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xlabel("v")
    a, b, c = axes
    a.plot(v, proximal.prox_l1(v, t), color=L1_C, lw=2, label=f"prox_l1(v, {t:g})")
    a.axvspan(-t, t, color=L1_C, alpha=0.08)
    a.set(title="soft thresholding (prox of $t|x|$):\nzero on $|v|\\leq t$, moved by t toward 0 outside", ylabel="prox(v)")
    t0 = t ** 2 / 2  # hard threshold at sqrt(2 t0) = t, same dead zone as the soft map
    b.plot(v, proximal.prox_l0(v, t0), color=L0_C, lw=2, label=f"prox_l0(v, {t0:g})")
    b.axvspan(-t, t, color=L0_C, alpha=0.08)
    b.set(title="hard thresholding (prox of $t\\,[x\\neq 0]$):\nzero on $|v|\\leq\\sqrt{2t}$, unchanged outside")
    c.plot(v, proximal.prox_l2(v, t), color=L2_C, lw=2, label=f"prox_l2(v, {t:g}) = v/(1+t)")
    c.plot(v, proximal.prox_elastic_net(v, t / 2, t), color=EN_C, lw=2,
           label=f"prox_elastic_net(v, {t / 2:g}, {t:g})")
    c.set(title="prox of L2 only scales (no zeros);\nelastic net: soft threshold, then scale")
    for ax in axes:
        ax.legend(loc="upper left", fontsize=8)
    return fig


def _path_panels(X, y, coefs, preds, lams, label, color, w_ols, pred_ols, lam_name):
    d = X.shape[1]
    fig, axes = _fig(13, 6.5, 2, len(lams), sharey="row")
    idx = np.arange(d)
    lim = np.abs(np.r_[y, pred_ols]).max() * 1.1
    for j, (lam, w, p) in enumerate(zip(lams, coefs, preds)):
        a, b = axes[0, j], axes[1, j]
        a.bar(idx - 0.2, w_ols, 0.4, color=OLS_C, label="OLS")
        a.bar(idx + 0.2, w, 0.4, color=color, label=label)
        nz = int(np.sum(np.abs(w) > 1e-10))
        a.set(title=f"{lam_name} = {lam:g}: {nz} of {d} weights nonzero", xticks=idx, xlabel="feature")
        a.axhline(0, color="k", lw=0.5)
        b.scatter(y, pred_ols, s=12, color=OLS_C, alpha=0.7, label="OLS")
        b.scatter(y, p, s=12, color=color, alpha=0.7, label=label)
        b.plot([-lim, lim], [-lim, lim], color="0.5", lw=0.8, ls=":")
        b.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="true y")
    axes[0, 0].set_ylabel("coefficient")
    axes[1, 0].set_ylabel("prediction")
    axes[0, 0].legend(fontsize=8)
    axes[1, 0].legend(fontsize=8)
    return fig


LASSO_LAMS = (0.05, 0.4, 1.2)
RIDGE_LAMS = (5.0, 60.0, 600.0)


def fig_lasso_vs_ols(proximal, lams=LASSO_LAMS):
    """L1 (FISTA on the lasso objective) against OLS: coefficients and predictions."""
    X, y, _ = regression_data()
    w_ols = _ols(X, y)
    coefs = [proximal.fista(X, y, lam, n_iter=300) for lam in lams]
    return _path_panels(X, y, coefs, [X @ w for w in coefs], lams, "L1 (lasso)", L1_C,
                        w_ols, X @ w_ols, r"$\lambda$")


def fig_ridge_vs_ols(proximal, lams=RIDGE_LAMS):
    """L2 (ridge_closed_form) against OLS: every weight shrinks, none becomes 0."""
    X, y, _ = regression_data()
    w_ols = _ols(X, y)
    coefs = [proximal.ridge_closed_form(X, y, lam) for lam in lams]
    return _path_panels(X, y, coefs, [X @ w for w in coefs], lams, "L2 (ridge)", L2_C,
                        w_ols, X @ w_ols, r"$\lambda$")


def _path_anim(X, y, solve, lams, label, color):
    w_ols = _ols(X, y)
    d = X.shape[1]
    coefs = [solve(lam) for lam in lams]
    fig, (a, b) = _fig(10, 4, 1, 2)
    idx = np.arange(d)
    a.bar(idx - 0.2, w_ols, 0.4, color=OLS_C, label="OLS")
    bars = a.bar(idx + 0.2, coefs[0], 0.4, color=color, label=label)
    top = np.abs(w_ols).max() * 1.15
    a.set(ylim=(-top, top), xticks=idx, xlabel="feature", ylabel="coefficient")
    a.axhline(0, color="k", lw=0.5)
    a.legend(loc="upper right", fontsize=8)
    lim = np.abs(y).max() * 1.1
    b.scatter(y, X @ w_ols, s=12, color=OLS_C, alpha=0.6, label="OLS")
    sc = b.scatter(y, X @ coefs[0], s=12, color=color, alpha=0.8, label=label)
    b.plot([-lim, lim], [-lim, lim], color="0.5", lw=0.8, ls=":")
    b.set(xlim=(-lim, lim), ylim=(-lim, lim), xlabel="true y", ylabel="prediction")
    b.legend(loc="upper left", fontsize=8)
    title = fig.suptitle("")

    def update(k):
        for bar, h in zip(bars, coefs[k]):
            bar.set_height(h)
        sc.set_offsets(np.c_[y, X @ coefs[k]])
        nz = int(np.sum(np.abs(coefs[k]) > 1e-10))
        title.set_text(f"{label}: $\\lambda$ = {lams[k]:.3g}, {nz} of {d} weights nonzero")
        return (*bars, sc, title)

    update(0)
    _freeze(fig)
    return FuncAnimation(fig, update, frames=len(lams), blit=False)


def anim_lasso_path(proximal, n_frames=18):
    X, y, _ = regression_data()
    lams = np.geomspace(0.01, 2.5, n_frames)
    return _path_anim(X, y, lambda lam: proximal.fista(X, y, lam, n_iter=300), lams, "L1 (lasso)", L1_C)


def anim_ridge_path(proximal, n_frames=18):
    X, y, _ = regression_data()
    lams = np.geomspace(0.5, 3000, n_frames)
    return _path_anim(X, y, lambda lam: proximal.ridge_closed_form(X, y, lam), lams, "L2 (ridge)", L2_C)


def ista_fista_gaps(proximal, lam=0.1):
    """Objective gaps F(w_k) - F* of ISTA and FISTA and their textbook bounds, on a badly conditioned lasso.

    Returns (ks, ista_gap, fista_gap, ista_bound, fista_bound) with the guarantees for
    step 1/L from w_0 = 0: ISTA <= L ||w*||^2 / (2k), FISTA <= 2 L ||w*||^2 / (k + 1)^2.
    """
    X, y, _ = regression_data(n=80, d=20, correlated=0.95, seed=1)
    n = len(y)

    def F(w):
        return 0.5 / n * np.sum((y - X @ w) ** 2) + lam * np.sum(np.abs(w))

    w_star = np.asarray(proximal.fista(X, y, lam, n_iter=20000))
    f_star = F(w_star)
    L = np.linalg.eigvalsh(X.T @ X / n)[-1]
    ks = np.unique(np.geomspace(1, 1000, 36).astype(int))
    gi = np.array([max(F(proximal.ista(X, y, lam, n_iter=int(k))) - f_star, 1e-16) for k in ks])
    gf = np.array([max(F(proximal.fista(X, y, lam, n_iter=int(k))) - f_star, 1e-16) for k in ks])
    r2 = float(np.sum(w_star ** 2))
    return ks, gi, gf, L * r2 / (2 * ks), 2 * L * r2 / (ks + 1.0) ** 2


def first_k_below(proximal, method, level=1e-6):
    """First k of the plotted grid at which ISTA's ("ista") or FISTA's gap is below `level`."""
    ks, gi, gf, _, _ = ista_fista_gaps(proximal)
    gaps = gi if method == "ista" else gf
    below = np.flatnonzero(gaps < level)
    return int(ks[below[0]]) if below.size else -1


def fig_ista_vs_fista(proximal, lam=0.1):
    """Objective gap F(w_k) - F* of ISTA and FISTA, with the two convergence guarantees."""
    ks, gi, gf, bi, bf = ista_fista_gaps(proximal, lam)
    fig, ax = _fig(7, 4.5)
    ax.loglog(ks, gi, "o-", ms=3, color=L2_C, label="ISTA")
    ax.loglog(ks, gf, "s-", ms=3, color=L1_C, label="FISTA")
    ax.loglog(ks, bi, color=L2_C, ls=":", label=r"ISTA guarantee $L\|w^*\|^2/(2k)$")
    ax.loglog(ks, bf, color=L1_C, ls="--", label=r"FISTA guarantee $2L\|w^*\|^2/(k+1)^2$")
    ax.set(title=f"lasso, 20 strongly correlated features, $\\lambda$={lam:g}: objective gap",
           xlabel="iterations k", ylabel="F(w_k) - F*", ylim=(1e-14, None))
    ax.legend(fontsize=8)
    return fig


# =========================================================================== 03 dropout
def _activations(n=40, seed=3):
    rng = np.random.default_rng(seed)
    return np.abs(rng.normal(1.0, 0.5, n)) + 0.2


def fig_dropout_masks(dropout, p=0.5, seed=0):
    """One forward pass: activations, the mask, and the 1/(1-p) rescaling of survivors."""
    x = _activations()
    out, mask = dropout.dropout_forward(x, p, np.random.default_rng(seed), training=True)
    out = np.asarray(out)
    mask = np.asarray(mask).astype(bool)
    idx = np.arange(len(x))
    fig, axes = _fig(13, 4, 1, 3, sharey=True)
    a, b, c = axes
    a.scatter(idx, x, color=L2_C, s=18)
    a.axhline(x.mean(), color=L2_C, ls="--", lw=1, label=f"mean {x.mean():.2f}")
    a.set(title="activations x (no dropout)", xlabel="unit", ylabel="activation")
    dropped = x * mask
    b.scatter(idx[mask], dropped[mask], color=L2_C, s=18, label="kept")
    b.scatter(idx[~mask], dropped[~mask], color=L1_C, marker="x", s=24, label=f"dropped ({(~mask).sum()})")
    b.axhline(dropped.mean(), color="0.3", ls="--", lw=1, label=f"mean {dropped.mean():.2f}")
    b.set(title=f"x * mask, p = {p:g} (mean drops)", xlabel="unit")
    c.scatter(idx[mask], out[mask], color=OLS_C, s=18, label="kept, scaled")
    c.scatter(idx[~mask], out[~mask], color=L1_C, marker="x", s=24)
    c.axhline(out.mean(), color="0.3", ls="--", lw=1, label=f"mean {out.mean():.2f}")
    c.axhline(x.mean(), color=L2_C, ls=":", lw=1, label=f"original mean {x.mean():.2f}")
    c.set(title=f"x * mask / (1 - p): survivors x{1 / (1 - p):g}", xlabel="unit")
    for ax in axes:
        ax.legend(fontsize=8, loc="upper right")
    return fig


def fig_dropout_variance(dropout, mean=1.0, var=0.25, n_samples=200_000, seed=0):
    """Variance of a*m/(1-p): exact formula, Monte Carlo through dropout_forward, a wrong formula seen in texts."""
    ps = np.linspace(0.0, 0.8, 17)
    rng = np.random.default_rng(seed)
    fig, axes = _fig(11, 4.2, 1, 2)
    for ax, mu in zip(axes, (mean, 0.0)):
        a = mu + np.sqrt(var) * rng.standard_normal(n_samples)
        exact = [dropout.dropout_variance(mu, var, p) for p in ps]
        mc = [np.var(np.asarray(dropout.dropout_forward(a, p, rng)[0])) for p in ps]
        ax.plot(ps, exact, color=L2_C, lw=2, label=r"exact: $\sigma^2/(1-p) + \mu^2 p/(1-p)$")
        ax.plot(ps, mc, "o", color=OLS_C, ms=4, label="Monte Carlo (dropout_forward)")
        ax.plot(ps, var * ps / (1 - ps), color=L1_C, ls="--", label=r"wrong formula $\sigma^2 p/(1-p)$ (only the increase, when $\mu$ = 0)")
        ax.axhline(var, color="0.5", ls=":", label=r"no dropout: $\sigma^2$")
        ax.set(title=f"activation mean $\\mu$ = {mu:g}, variance $\\sigma^2$ = {var:g}",
               xlabel="drop probability p", ylabel="variance of the dropped-out activation")
        ax.legend(fontsize=8)
    return fig


def anim_dropout(dropout, p=0.5, seed=0, n_frames=20):
    """Activations fall to zero (dropped) and survivors rise by 1/(1-p)."""
    x = _activations()
    out, mask = dropout.dropout_forward(x, p, np.random.default_rng(seed), training=True)
    out = np.asarray(out)
    mask = np.asarray(mask).astype(bool)
    idx = np.arange(len(x))
    fig, ax = _fig(7, 4)
    colors = np.where(mask, L2_C, L1_C)
    sc = ax.scatter(idx, x, c=colors, s=20)
    mline = ax.axhline(x.mean(), color="0.3", ls="--", lw=1)
    ax.axhline(x.mean(), color=L2_C, ls=":", lw=1)
    ax.set(ylim=(-0.1, out.max() * 1.1), xlabel="unit", ylabel="activation")
    title = ax.set_title("")
    half = n_frames // 2

    def update(k):
        if k < half:  # drop
            s = k / (half - 1)
            y = x * (1 - s * (~mask))
            phase = "dropping"
        else:  # rescale
            s = (k - half) / (n_frames - half - 1)
            y = x * mask * (1 + s * (1 / (1 - p) - 1))
            phase = "rescaling survivors"
        sc.set_offsets(np.c_[idx, y])
        mline.set_ydata([y.mean()] * 2)
        title.set_text(f"inverted dropout, p = {p:g}: {phase} (dashed: current mean)")
        return sc, mline, title

    update(0)
    _freeze(fig)
    return FuncAnimation(fig, update, frames=n_frames)


# =========================================================================== 04 label smoothing
def fig_label_smoothing_targets(label_smoothing, num_classes=5, true_class=2, epsilons=(0.1, 0.3)):
    """Target distributions under both conventions ("uniform" eps/K, "others" eps/(K-1))."""
    K = num_classes
    fig, axes = _fig(11, 4, 1, len(epsilons), sharey=True)
    idx = np.arange(K)
    for ax, eps in zip(np.atleast_1d(axes), epsilons):
        u = np.asarray(label_smoothing.smooth_labels(np.array([true_class]), K, eps, spread="uniform"))[0]
        o = np.asarray(label_smoothing.smooth_labels(np.array([true_class]), K, eps, spread="others"))[0]
        ax.bar(idx - 0.2, u, 0.4, color=UNIF_C, label="uniform: (1-eps) onehot + eps/K")
        ax.bar(idx + 0.2, o, 0.4, color=OTHERS_C, label="others: 1-eps, eps/(K-1) elsewhere")
        for i in idx:
            ax.text(i - 0.2, u[i] + 0.01, f"{u[i]:.3f}", ha="center", fontsize=7)
            ax.text(i + 0.2, o[i] + 0.01, f"{o[i]:.3f}", ha="center", fontsize=7)
        ax.set(title=f"K = {K}, true class {true_class}, eps = {eps:g}", xticks=idx, xlabel="class",
               ylim=(0, 1.25))
    np.atleast_1d(axes)[0].set_ylabel("target probability")
    np.atleast_1d(axes)[0].legend(fontsize=8, loc="upper left", ncols=1)
    return fig


def fig_label_smoothing_gradient(label_smoothing, eps=0.1):
    """Gradient softmax(z) - target for one example with softmax [0.7, 0.2, 0.1], three targets."""
    p = np.array([0.7, 0.2, 0.1])
    z = np.log(p)[None, :]
    t_hard = np.eye(3)[[0]]
    t_oth = np.asarray(label_smoothing.smooth_labels(np.array([0]), 3, eps, spread="others"))
    t_uni = np.asarray(label_smoothing.smooth_labels(np.array([0]), 3, eps, spread="uniform"))
    fig, ax = _fig(7, 4)
    idx = np.arange(3)
    for k, (t, name, c) in enumerate([(t_hard, "one-hot", "0.4"), (t_oth, f"others, eps={eps:g}", OTHERS_C),
                                      (t_uni, f"uniform, eps={eps:g}", UNIF_C)]):
        g = np.asarray(label_smoothing.cross_entropy_grad(z, t))[0]
        ax.bar(idx + (k - 1) * 0.27, g, 0.27, color=c, label=name)
        for i in idx:
            ax.text(i + (k - 1) * 0.27, g[i] + (0.01 if g[i] >= 0 else -0.03), f"{g[i]:+.3f}",
                    ha="center", fontsize=7)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_ylim(-0.36, 0.25)
    ax.set(title="gradient of cross-entropy w.r.t. logits, softmax = [0.7, 0.2, 0.1]",
           xticks=idx, xticklabels=["class 0 (true)", "class 1", "class 2"], ylabel="dL/dz")
    ax.legend(fontsize=8)
    return fig


def anim_label_smoothing(label_smoothing, num_classes=5, true_class=2, n_frames=20, eps_max=0.75):
    K = num_classes
    idx = np.arange(K)
    epsilons = np.linspace(0, eps_max, n_frames)
    fig, ax = _fig(7, 4)
    bu = ax.bar(idx - 0.2, np.zeros(K), 0.4, color=UNIF_C, label="uniform (eps/K)")
    bo = ax.bar(idx + 0.2, np.zeros(K), 0.4, color=OTHERS_C, label="others (eps/(K-1))")
    ax.set(ylim=(0, 1.05), xticks=idx, xlabel="class", ylabel="target probability")
    ax.legend(loc="upper right", fontsize=8)
    title = ax.set_title("")

    def update(k):
        eps = epsilons[k]
        u = np.asarray(label_smoothing.smooth_labels(np.array([true_class]), K, eps, spread="uniform"))[0]
        o = np.asarray(label_smoothing.smooth_labels(np.array([true_class]), K, eps, spread="others"))[0]
        for bar, h in zip(bu, u):
            bar.set_height(h)
        for bar, h in zip(bo, o):
            bar.set_height(h)
        title.set_text(f"label smoothing, K = {K}, eps = {eps:.2f}: true class "
                       f"{u[true_class]:.3f} (uniform) vs {o[true_class]:.3f} (others)")
        return (*bu, *bo, title)

    update(0)
    _freeze(fig)
    return FuncAnimation(fig, update, frames=n_frames)


# =========================================================================== 05 optimizers
def _noisy_grads(steps, scales, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((steps, len(scales))) * np.asarray(scales)


ADAM_RUNS = ("Adam + L2 (weight_decay in the gradient)", "AdamW (decoupled decay)")


def adam_decay_runs(optimizers, steps=3000, lr=1e-3, lam=1.0, group=8):
    """|w| over time for both Adam variants; weights 0..group-1 get noise of scale 10, the rest 0.001.

    Returns {run name: array (steps + 1, 2 * group)}. The data gradient is pure noise, so
    every movement of the weights beyond the noise is the decay.
    """
    scales = np.r_[np.full(group, 10.0), np.full(group, 1e-3)]
    G = _noisy_grads(steps, scales)
    runs = {}
    for name, step in zip(ADAM_RUNS, (optimizers.adam_l2_step, optimizers.adamw_step)):
        w = np.ones(len(scales))
        state = optimizers.adam_init(w)
        traj = [w]
        for g in G:
            w, state = step(w, g, state, lr=lr, weight_decay=lam)
            traj.append(np.asarray(w))
        runs[name] = np.abs(np.array(traj))
    return runs


def adam_l2_median_abs_w(optimizers, step, small=True, **kw):
    """Median |w| after `step` steps of Adam + L2, over the small- (or large-) gradient group."""
    group = kw.get("group", 8)
    W = adam_decay_runs(optimizers, **kw)[ADAM_RUNS[0]]
    cols = W[:, group:] if small else W[:, :group]
    return float(np.median(cols[step]))


def adam_l2_steps_below(optimizers, level=0.01, **kw):
    """First step at which the median |w| of the small-gradient group falls below `level`."""
    group = kw.get("group", 8)
    med = np.median(adam_decay_runs(optimizers, **kw)[ADAM_RUNS[0]][:, group:], axis=1)
    below = np.flatnonzero(med < level)
    return int(below[0]) if below.size else -1


def fig_adam_l2_vs_adamw(optimizers, steps=3000, lr=1e-3, lam=1.0, group=8):
    """Weights whose data gradient is pure noise of very different sizes, with the same decay.

    Adam-L2 sends the decay term lam*w through the normalization by sqrt(v_hat); AdamW
    applies (1 - lr*lam) to every weight alike.
    """
    runs = adam_decay_runs(optimizers, steps, lr, lam, group)
    t = np.arange(steps + 1)
    fig, axes = _fig(11, 4.2, 1, 2, sharey=True)
    for ax, (name, W) in zip(axes, runs.items()):
        ax.plot(t, W[:, :group], color=L1_C, lw=0.6, alpha=0.5)
        ax.plot(t, W[:, group:], color=L2_C, lw=0.6, alpha=0.5)
        ax.plot(t, np.median(W[:, :group], 1), color=L1_C, lw=2, label="large gradients (noise scale 10)")
        ax.plot(t, np.median(W[:, group:], 1), color=L2_C, lw=2, label="small gradients (noise scale 0.001)")
        ax.plot(t, (1 - lr * lam) ** t, color="k", ls="--", lw=1, label=r"$(1-\mathrm{lr}\,\lambda)^t$")
        ax.plot(t, np.maximum(1 - lr * t, 0), color="0.5", ls=":", lw=1.2,
                label=r"$1-\mathrm{lr}\,t$: one full step of size lr each time")
        ax.set(title=name, xlabel="step", ylim=(-0.02, 1.3))
        ax.legend(fontsize=8, loc="upper right")
    axes[0].set_ylabel("|w| (thin: each weight, thick: median)")
    fig.suptitle(f"same decay strength $\\lambda$ = {lam:g}, lr = {lr:g}: "
                 "Adam-L2 decays each weight at its own rate, AdamW at one rate")
    return fig


def fig_sgd_weight_decay(optimizers, steps=200, lr=0.1, lam=0.5):
    """SGD: L2 in the gradient == decay before the step; decaying after the step differs."""
    rng = np.random.default_rng(1)
    G = rng.standard_normal((steps, 1)) + 0.3
    w_l2 = w_wd = w_post = np.array([2.0])
    d_pre, d_post = [], []
    for g in G:
        w_l2 = optimizers.sgd_l2_step(w_l2, g, lr, lam)
        w_wd = optimizers.sgd_weight_decay_step(w_wd, g, lr, lam)
        w_post = (1 - lr * lam) * (w_post - lr * g)   # decay applied after the step
        d_pre.append(abs(float(np.asarray(w_l2 - w_wd)[0])))
        d_post.append(abs(float(np.asarray(w_l2 - w_post)[0])))
    fig, ax = _fig(7, 4)
    ax.semilogy(np.maximum(d_pre, 1e-17), color=OLS_C, label="|sgd_l2_step - sgd_weight_decay_step|")
    ax.semilogy(d_post, color=L1_C, label="|sgd_l2_step - decay applied after the step|")
    ax.axhline(np.finfo(float).eps, color="0.5", ls=":", label="machine epsilon")
    ax.set(title=f"SGD, lr = {lr:g}, $\\lambda$ = {lam:g}: same trajectory up to rounding vs. a real gap",
           xlabel="step", ylabel="difference of the weights", ylim=(1e-17, 1))
    ax.legend(fontsize=8)
    return fig


# =========================================================================== 06 early stopping
def continuous_gap_max():
    """(u*, gap*) maximizing (1 - e^-u) - u/(1 + u), the small-step limit of GD minus ridge.

    The derivative e^-u - 1/(1 + u)^2 vanishes where 2 ln(1 + u) = u; bisection on [1, 5]
    (the root is bracketed there: the sign of 2 ln(1 + u) - u changes once).
    """
    lo, hi = 1.0, 5.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if 2 * np.log1p(mid) - mid > 0 else (lo, mid)
    u = (lo + hi) / 2
    return u, float((1 - np.exp(-u)) - u / (1 + u))


def filter_gap(early_stopping, lr_s, steps, lr=0.05):
    """GD filter minus ridge filter (lam = 1/(lr t)) at the eigenvalue s with lr*s = lr_s."""
    s = np.asarray(lr_s, dtype=float) / lr
    lam = early_stopping.equivalent_lambda(lr, steps)
    return np.asarray(early_stopping.gd_spectral_filter(s, lr, steps)) - \
        np.asarray(early_stopping.ridge_spectral_filter(s, lam))


def max_filter_gap(early_stopping, steps, lr=0.05, lr_s_max=1.0):
    """Largest GD-minus-ridge gap over the eigenvalues with 0 < lr*s <= lr_s_max (grid of 20001)."""
    return float(np.max(filter_gap(early_stopping, np.linspace(1e-6, lr_s_max, 20001), steps, lr)))


def fig_spectral_filters(early_stopping, lr=0.05, steps_list=(10, 100, 1000)):
    """GD-from-zero filter 1-(1-lr s)^t vs ridge s/(s+lam) with lam = 1/(lr t)."""
    s = np.geomspace(1e-4, 10, 400)
    fig, (a, b) = _fig(11, 4.2, 1, 2)
    colors = [L2_C, OLS_C, L1_C]
    for t, c in zip(steps_list, colors):
        lam = early_stopping.equivalent_lambda(lr, t)
        a.semilogx(s, early_stopping.gd_spectral_filter(s, lr, t), color=c, lw=2,
                   label=f"GD, t = {t}")
        a.semilogx(s, early_stopping.ridge_spectral_filter(s, lam), color=c, ls="--",
                   label=f"ridge, $\\lambda$ = 1/(lr t) = {lam:.3g}")
    a.set(title=f"shrinkage of each eigen-direction (lr = {lr:g}, lr s <= {lr * s.max():g})",
          xlabel="eigenvalue s of X^T X / n", ylabel="filter factor")
    a.legend(fontsize=7, loc="upper left")
    u = np.geomspace(1e-2, 1e2, 400)
    for t, c in zip(steps_list, colors):
        lam = early_stopping.equivalent_lambda(lr, t)
        ss = u * lam
        ok = lr * ss <= 1
        gap = filter_gap(early_stopping, lr * ss, t, lr)
        b.semilogx(u[ok], gap[ok], color=c,
                   label=f"t = {t} (largest gap {max_filter_gap(early_stopping, t, lr):.3f})")
    cont = (1 - np.exp(-u)) - u / (1 + u)
    b.semilogx(u, cont, color="k", ls=":", label=r"limit $(1-e^{-u}) - u/(1+u)$")
    u_star, g_star = continuous_gap_max()
    b.plot([u_star], [g_star], "ko")
    b.annotate(f"max {g_star:.4f} at u = {u_star:.3f}", (u_star, g_star), xytext=(8, -4),
               textcoords="offset points", fontsize=8)
    b.set(title="GD filter minus ridge filter, eigenvalues with lr s <= 1 (never negative there)",
          xlabel=r"u = s / $\lambda$ = s lr t", ylabel="difference", ylim=(-0.01, 0.25))
    b.legend(fontsize=8)
    return fig


def early_stopping_losses(early_stopping, lr=0.02, steps=400, patience=25, n=40, d=30):
    """Training and validation loss of GD from zero; returns (train, val, best, stop)."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((n + 200, d))
    w_true = np.zeros(d)
    w_true[:5] = [2, -1.5, 1, 0.5, -0.5]
    y = X @ w_true + 1.5 * rng.standard_normal(n + 200)
    Xtr, ytr, Xva, yva = X[:n], y[:n], X[n:], y[n:]
    W = np.asarray(early_stopping.gd_least_squares(Xtr, ytr, lr, steps))
    tr = 0.5 * np.mean((Xtr @ W.T - ytr[:, None]) ** 2, axis=0)
    va = 0.5 * np.mean((Xva @ W.T - yva[:, None]) ** 2, axis=0)
    best, stop = early_stopping.early_stopping_epoch(va, patience)
    return tr, va, int(best), int(stop)


def fig_early_stopping_curve(early_stopping, lr=0.02, steps=400, patience=25, n=40, d=30):
    """Training and validation loss of GD on a noisy regression with nearly as many features as examples."""
    tr, va, best, stop = early_stopping_losses(early_stopping, lr, steps, patience, n, d)
    fig, ax = _fig(7, 4)
    ax.plot(tr, color=L2_C, label="training loss (40 examples)")
    ax.plot(va, color=L1_C, label="validation loss (200 held-out examples)")
    ax.axvline(best, color=OLS_C, ls="--", label=f"best epoch {best}")
    ax.axvline(stop, color="0.4", ls=":", label=f"stop epoch {stop} (patience {patience})")
    ax.set(title=f"gradient descent from zero, n = {n} examples, d = {d} features",
           xlabel="epoch (GD step)", ylabel="loss", yscale="log")
    ax.legend(fontsize=8)
    return fig


# =========================================================================== 07 normalization
def _norm_batch(seed=5, n=8, d=6):
    rng = np.random.default_rng(seed)
    return rng.normal(loc=rng.uniform(-3, 3, d), scale=rng.uniform(0.3, 3, d), size=(n, d))


def fig_batchnorm_vs_layernorm(normalization, gamma=1.0, beta=0.0):
    """Which statistics each normalization fixes: per-feature (batch norm) or per-sample (layer norm)."""
    x = _norm_batch()
    n, d = x.shape
    bn = np.asarray(normalization.batchnorm_forward(x, np.full(d, gamma), np.full(d, beta))[0])
    ln = np.asarray(normalization.layernorm_forward(x, np.full(d, gamma), np.full(d, beta))[0])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplot_mosaic([["raw", "raw", "bn", "bn", "ln", "ln"], ["feat"] * 3 + ["samp"] * 3],
                                     figsize=(13, 7), layout="constrained")
    vmax = np.abs(x).max()
    for key, m, name in (("raw", x, "raw x"), ("bn", bn, "batch norm"), ("ln", ln, "layer norm")):
        im = ax[key].imshow(m, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
        ax[key].set(title=f"{name} (rows: samples, columns: features)", xlabel="feature", ylabel="sample")
        ax[key].grid(False)
    fig.colorbar(im, ax=ax["ln"], shrink=0.8)
    styles = (("raw x", x, "0.5"), ("batch norm", bn, L2_C), ("layer norm", ln, L1_C))
    for key, axis, label, count in (("feat", 0, "feature", d), ("samp", 1, "sample", n)):
        for name, m, c in styles:
            ax[key].plot(np.arange(count), m.mean(axis), "o-", color=c, label=f"{name}: mean")
            ax[key].plot(np.arange(count), m.std(axis), "s--", color=c, alpha=0.6, label=f"{name}: std")
        ax[key].set(title=f"per-{label} statistics (over the {'batch' if axis == 0 else 'features'})",
                    xlabel=label, xticks=np.arange(count))
    ax["feat"].legend(fontsize=7, ncols=3, loc="lower left")
    fig.suptitle("batch norm sets every feature (column) to mean 0, std 1; layer norm every sample (row)")
    return fig


def anim_batchnorm_vs_layernorm(normalization, gamma=1.5, beta=0.5, n_frames=20):
    """Raw -> normalized -> scaled and shifted, for batch norm (left) and layer norm (right)."""
    x = _norm_batch(n=16, d=5)
    n, d = x.shape
    g, b = np.full(d, gamma), np.full(d, beta)
    outs = {}
    for name, fwd in (("batch norm", normalization.batchnorm_forward),
                      ("layer norm", normalization.layernorm_forward)):
        y = np.asarray(fwd(x, g, b)[0])
        xhat = (y - beta) / gamma
        outs[name] = (xhat, y)
    fig, axes = _fig(11, 4.2, 1, 2, sharey=True)
    jitter = np.random.default_rng(0).uniform(-0.25, 0.25, size=x.shape)
    cols = plt.cm.tab10(np.arange(d))
    scs = []
    for ax, name in zip(axes, outs):
        scs.append(ax.scatter((np.arange(d) + jitter).ravel(), x.ravel(), c=np.tile(cols, (n, 1)), s=14))
        ax.set(title=name, xlabel="feature", xticks=np.arange(d))
    axes[0].set_ylabel("value")
    lo, hi = min(x.min(), -3), max(x.max(), 3 * gamma + beta)
    axes[0].set_ylim(lo - 0.5, hi + 0.5)
    title = fig.suptitle("")
    third = n_frames // 3

    def update(k):
        for sc, (xhat, y) in zip(scs, outs.values()):
            if k < third:
                s, a, bb, phase = k / max(third - 1, 1), x, xhat, "normalizing"
            elif k < 2 * third:
                s, a, bb, phase = (k - third) / max(third - 1, 1), xhat, y, f"scale by gamma={gamma:g}, shift by beta={beta:g}"
            else:
                s, a, bb, phase = 1.0, xhat, y, "done"
            v = (1 - s) * a + s * bb
            sc.set_offsets(np.c_[(np.arange(d) + jitter).ravel(), v.ravel()])
        title.set_text(f"{n} samples x {d} features: {phase}")
        return (*scs, title)

    update(0)
    _freeze(fig)
    return FuncAnimation(fig, update, frames=n_frames)


def fig_mixup(normalization, alpha=0.4, seed=0):
    """Mixup on two 2-D clusters: mixed inputs lie on segments, labels mix with the same lam."""
    rng = np.random.default_rng(seed)
    n = 40
    x = np.r_[rng.normal([-2, 0], 0.6, (n, 2)), rng.normal([2, 0.5], 0.6, (n, 2))]
    y = np.r_[np.tile([1.0, 0.0], (n, 1)), np.tile([0.0, 1.0], (n, 1))]
    for s in range(seed + 1, seed + 200):  # show a batch with a visible mix (lam near the middle)
        x_mix, y_mix, lam = normalization.mixup(x, y, alpha, np.random.default_rng(s))
        if 0.3 < float(lam) < 0.7:
            break
    x_mix, y_mix = np.asarray(x_mix), np.asarray(y_mix)
    fig, (a, b) = _fig(11, 4.2, 1, 2)
    a.scatter(*x[:n].T, color=L2_C, s=14, label="class 0")
    a.scatter(*x[n:].T, color=L1_C, s=14, label="class 1")
    sc = a.scatter(*x_mix.T, c=y_mix[:, 1], cmap="coolwarm", vmin=0, vmax=1, marker="^", s=22,
                   edgecolors="k", linewidths=0.3, label=f"mixed (lam = {float(lam):.2f})")
    fig.colorbar(sc, ax=a, label="mixed label: weight of class 1")
    a.set(title="one mixup batch (triangles: mixed inputs, colour: mixed label)", xlabel="x1", ylabel="x2")
    a.legend(fontsize=8)
    lams = [float(normalization.mixup(x, y, alpha, np.random.default_rng(s))[2]) for s in range(2000)]
    b.hist(lams, bins=40, density=True, color=EN_C, alpha=0.7)
    b.set(title=f"lam ~ Beta({alpha:g}, {alpha:g}) over 2000 calls", xlabel="lam", ylabel="density")
    return fig
