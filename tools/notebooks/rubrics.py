"""Grading rubrics of the hand-graded written answers (instructor's copy only).

`answer(b, grade_id, points, model)` writes the answer cell with the model answer followed by its
rubric. The answer cell is an nbgrader solution cell: the release replaces its whole content by
"YOUR ANSWER HERE", so the rubric reaches the source and solutions notebooks (the graders' copy,
opened next to formgrader), never the students.
"""
from __future__ import annotations

RUBRICS = {
    # 01_penalties
    "q1-soft-threshold": [
        (1, "the cases w > 0 and w < 0 solved, each with its condition of validity (mu > lam, mu < -lam)"),
        (1, "w = 0 justified with the subdifferential: 0 in -mu + [-lam, lam] iff |mu| <= lam"),
        (1, "soft thresholding at lam stated, and the lam/2 of section 4 explained by the missing 1/2 "
            "(slope 2(w - mu))"),
    ],
    "q2-why-zeros": [
        (1, "L2 pull lam*w vanishes near 0, so the optimum mu/(1 + lam/2) is non-zero for mu != 0"),
        (1, "L1 pull keeps size lam down to 0 / the subdifferential [-lam, lam] absorbs any data slope below lam, "
            "so a whole interval |mu| <= lam/2 maps to exactly 0"),
    ],
    "q3-conventions": [
        (1, "(a) lam = 2 lam' and the same gradient vector (2 lam' w = lam w)"),
        (1, "(b) both SGD steps written; the claim is false; the true statement is L2 = weight decay for plain SGD"),
    ],
    # 02_proximal
    "q1-prox-l2": [
        (1, "derivation t x + x - v = 0, so v / (1 + t)"),
        (1, "no exact zeros (multiplication by a constant in (0, 1]) and one iteration = gradient step then "
            "multiplicative shrink by 1/(1 + eta lam)"),
    ],
    "q2-prox-elastic-net": [
        (1, "per-coordinate problem set up and the two quadratics combined (or the three sign cases solved)"),
        (1, "result sign(v) max(|v| - t1, 0) / (1 + t2) reached with the threshold t1 justified"),
    ],
    "q3-soft-vs-hard": [
        (1, "hard: no shrinkage bias on large coefficients; soft: convex problem (global minimum, continuous map); "
            "half a point for each side"),
    ],
    # 03_dropout
    "q1-expectation": [
        (1, "E[x m / (1 - p)] = x, and why that allows inference without rescaling"),
        (1, "after a non-linearity the average over sub-networks is not exact (Jensen); the full network is an "
            "approximation"),
    ],
    "q2-variance": [
        (1, "E[d] = mu and E[d^2] = (var + mu^2) / (1 - p) using independence and m^2 = m"),
        (1, "Var(d) = var / (1 - p) + mu^2 p / (1 - p)"),
        (1, "var p / (1 - p) identified as the increase over Var(a) when mu = 0 (not the variance), and "
            "a^2 p / (1 - p) for a fixed activation"),
    ],
    # 04_label_smoothing
    "q1-gradient": [
        (1, "log-softmax written as z_j - log sum exp"),
        (1, "differentiation giving -t_k + (sum_j t_j) p_k"),
        (1, "the targets summing to 1 used to reach p_k - t_k, with where it enters"),
    ],
    "q2-conventions": [
        (1, "(a) 0.91 uniform, 0.9 others; (b) eps' = eps (K - 1) / K"),
        (1, "(c) the example follows 'others'; the stated formula gives [0.933, 0.033, 0.033]"),
    ],
    "q3-consistent": [
        (1, "the loss floor with smoothed targets, about 0.545 (min_cross_entropy), so the loss never reaches 0"),
        (1, "accuracy (arg max) vs loss (distance of distributions) distinguished: correct but poorly calibrated "
            "predictions explain 1.5"),
    ],
    # 05_optimizers
    "q1-sgd": [
        (1, "the L2 step rewritten as decay then plain step with the gradient at the old weights; the difference "
            "eta^2 lam g of the 'decay after' form, negligible when eta lam << 1"),
        (1, "fixed point of the 'decay after' form: strength lam / (1 - eta lam)"),
    ],
    "q2-adamw": [
        (1, "SGD multiplies every component by the same eta; Adam divides the L2 term by sqrt(v_hat_i) too"),
        (1, "large/noisy-gradient parameters decayed much less than intended; tiny-gradient ones faster but at "
            "most about eta per step (sign-like step)"),
        (1, "AdamW: one decay factor 1 - eta lam for all weights, independent of the gradient scale; why the "
            "Adam + L2 behaviour is undesirable"),
    ],
    # 06_early_stopping
    "q1-filter": [
        (1, "gradient written as Sigma (w - w_ols) and the recursion for w_k - w_ols"),
        (1, "induction completed and the eigen-decomposition giving 1 - (1 - eta s)^t"),
        (1, "eta s > 2: |1 - eta s| > 1, divergence along that direction"),
    ],
    "q2-equivalence": [
        (1, "lam = 1/(eta t), same limits, GD filter >= ridge filter only for eta s <= 1"),
        (1, "gap about 0.2 in the small-step limit (larger for few large steps, negative possible for "
            "1 < eta s < 2): a correspondence, not an identity; weights differ"),
    ],
    # 07_normalization_and_more
    "q1-bn-vs-ln": [
        (1, "which statistics each fixes (columns over the batch vs rows over the features)"),
        (1, "(a), (b) and (c) all answered with a reason; (c) mentions running statistics for batch norm"),
    ],
    "q2-bn-grad": [
        (1, "the sum over the batch shown to be 0 from the formula (sum of g - N mean g, sum of xhat = 0)"),
        (1, "the shift-invariance argument: adding c to a column leaves the output unchanged"),
    ],
    "q3-jacobian": [
        (1, "J = diag(1 - h^2) W derived and the squared Frobenius norm summed, factor squared explained"),
    ],
    # 08_capstone
    "q1-curves": [
        (1, 'the peak of held-out accuracy early while training accuracy still rises'),
        (1, 'memorization of the wrong labels named as what 100% training accuracy means'),
        (1, 'the link between that memorization and the falling held-out accuracy (not just "overfitting" without explanation)'),
    ],
    "q2-sweep": [
        (1, 'decay/dropout limiting the capacity to memorize (with a mechanism)'),
        (1, 'smoothing changing the targets but not preventing the fit of the wrong labels'),
        (1, 'the role of early stopping (picks an epoch before memorization; complements the others)'),
    ],
    "q3-selection": [
        (1, 'selection as a form of fitting (selection bias / optimistic maximum)'),
        (1, 'the test split giving an unbiased estimate only if it played no part in any choice'),
    ],
}


def render(grade_id: str, points: float) -> str:
    """The rubric of one answer as Markdown; its criteria must add up to the cell's points."""
    criteria = RUBRICS[grade_id]
    total = sum(p for p, _ in criteria)
    if total != points:
        raise ValueError(f"rubric of {grade_id}: criteria give {total} points, the cell gives {points}")
    lines = "\n".join(f"- **{p:g} pt**: {text}" for p, text in criteria)
    return (f"\n\n---\n**Rubric for graders ({points:g} points).** Award each criterion fully or not at all; "
            f"an equivalent correct argument earns the same points.\n{lines}")


def answer(b, grade_id: str, points: float, model: str):
    """b.answer with the rubric appended to the model answer."""
    return b.answer(grade_id, points, model.rstrip("\n") + render(grade_id, points))
