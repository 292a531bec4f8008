"""Hidden tests of assignment 06 (early_stopping.py): randomized comparisons with the reference.

All inputs come from seeded NumPy generators on the trusted side. Sequences of
validation losses with ties or a min_delta boundary use multiples of 1/64, so
`loss < best - min_delta` and `best - loss > min_delta` are computed exactly and
any correct way of writing the comparison gives the same answer.
"""
import functools

import numpy as np

from autograder.diagnose import declare
from autograder.framework import (Fail, Mistake, as_float_array, call_args, case, check_close, check_pure,
                                  expect, identical, read_only, reference_value)
from autograder.suites.early_stopping.common import (
    _ALIASED, _SHIFTED, _NO_START, _LATE, _EARLY, _ONE_BASED, _LOOKAHEAD, _LAST, _TIES, _DELTA,
    _RESET, _ARGMIN_DELTA, _PREVIOUS, HINT_MISSING_PART, HINT_LR_LEFT_OUT,
    HINT_CONTINUOUS_TIME_FILTER, HINT_EXPONENT_OFF_BY_ONE, HINT_MULTIPLIED_BY_T, HINT_LAM_ON_TOP,
    HINT_NUMERATOR_MISSING, HINT_EIGENVALUES_SQUARED, HINT_LR_STEPS, HINT_STEPS_LR, HINT_LR_ON_TOP,
    HINT_FLOOR_DIVISION, _RELATIVE
)


# ============================================================================ mistake models
def _gd_model(div_n=True, half=False, drop_start=False, drop_last=False, ignore_w0=False, sign=1.0,
              factor=1.0, aliased=False, shifted=False):
    """factor: extra factor on the gradient (2: the MSE gradient 2 X^T(Xw - y)/n); aliased: every row is the
    final w (one array appended and then updated in place); shifted: row k is w after k + 1 steps."""
    def model(X, y, lr, steps, w0=None):
        X, y = np.asarray(X, float), np.asarray(y, float)
        n, d = X.shape
        w = np.zeros(d) if (w0 is None or ignore_w0) else np.asarray(w0, float)
        div = (2 * n if half else n) if div_n else 1
        out = [w]
        for _ in range(int(steps) + (1 if shifted else 0)):
            w = w - sign * factor * lr * X.T @ (X @ w - y) / div
            out.append(w)
        W = np.array(out)
        if aliased:
            return np.tile(W[-1], (len(W), 1))
        if shifted:
            return W[1:]
        return W[1:] if drop_start else (W[:-1] if drop_last else W)
    return model


def _gd_filter_model(kind):
    def model(eigvals, lr, steps):
        s = np.asarray(eigvals, float)
        with np.errstate(all="ignore"):
            if kind == "no_one_minus":
                return (1 - lr * s) ** steps
            if kind == "no_lr":
                return 1 - (1 - s) ** steps
            if kind == "continuous":
                return 1 - np.exp(-lr * s * steps)
            if kind == "exponent_plus_one":
                return 1 - (1 - lr * s) ** (steps + 1)
            if kind == "times_steps":
                return 1 - (1 - lr * s) * steps
            if kind == "log1p_everywhere":
                return -np.expm1(steps * np.log1p(-lr * s))
        raise ValueError(kind)
    return model


def _ridge_model(kind):
    def model(eigvals, lam):
        s = np.asarray(eigvals, float)
        with np.errstate(all="ignore"):
            return {"lam_on_top": lam / (s + lam), "no_numerator": 1 / (s + lam),
                    "raw_ratio": s / (s + lam), "lam_squared": s / (s + lam ** 2),
                    "squared_eigvals": np.nan_to_num(s ** 2 / (s ** 2 + lam)),
                    "one_at_zero": np.where(s + lam == 0, 1.0, s / (s + lam)),
                    "two_lam": np.divide(s, s + 2 * lam, out=np.zeros_like(s), where=s + 2 * lam > 0)}[kind]
    return model


def _es_model(late=0, one_based=False, lookahead=False, last_len=False, ties=False, use_delta=True,
              reset=True, vs_previous=False, best_tracks_min=False, relative=False, unclipped=False,
              argmin_seen=False, frozen_best=False):
    """best_tracks_min: the best loss follows every decrease, improvements or not (only the epoch and the
    count wait for an improvement); relative: loss < best * (1 - min_delta); unclipped: stop_epoch is
    best_epoch + patience even past the end; argmin_seen: the kept epoch is the argmin of the losses seen;
    frozen_best: an improvement moves the best epoch but the best loss stays the first one."""
    def model(val_losses, patience, min_delta=0.0):
        losses = [float(x) for x in np.asarray(val_losses, float)]
        delta = min_delta if use_delta else 0.0
        best_epoch, best, wait, stop = 0, losses[0], 0, None
        for e in range(1, len(losses)):
            target = (losses[e - 1] if vs_previous else best) - delta
            if relative:
                target = best * (1 - delta)
            if losses[e] <= target if ties else losses[e] < target:
                best_epoch, best = e, (best if frozen_best else losses[e])
                wait = 0 if reset else wait
            else:
                wait += 1
                if best_tracks_min:
                    best = min(best, losses[e])
                if wait >= patience + late:
                    stop = e
                    break
        if stop is None:
            stop = len(losses) if last_len else len(losses) - 1
            if unclipped:
                stop = best_epoch + patience
        if lookahead:
            best_epoch = int(np.argmin(losses))
        if argmin_seen:
            best_epoch = int(np.argmin(losses[:stop + 1]))
        return (best_epoch + 1, stop + 1) if one_based else (best_epoch, stop)
    return model


_NO_N = ("your steps are too large: the loss has a 1/(2n) in front, so its gradient is "
         "X^T (X w - y) / n; divide by the number of rows")
_HALF = ("your steps are half as large as they should be: differentiating (1/(2n))||y - X w||^2 "
         "cancels the 2, leaving X^T (X w - y) / n")
_SHORT = ("your trajectory stops one step short: after the start come `steps` updates, "
          "so the last row is the weights after the final step")
_TWICE = ("your steps are twice as large as they should be: the gradient of (1/(2n))||y - X w||^2 is "
          "X^T (X w - y) / n, the 2 from the square cancelling the 1/2 (2 X^T (X w - y) / n is the gradient "
          "of the mean squared error without the 1/2)")
_W0 = "your trajectory starts from zero although w0 was given: start from w0 when it is not None"
_ASCENT = "your weights move away from the solution: a gradient descent step subtracts lr * gradient"

_BEST_MOVED = ("your best loss moves on every decrease; only an improvement (a gain larger than min_delta) "
               "changes the best loss and the best epoch, so a series of small gains never adds up to one")
_UNCLIPPED = ("your stop_epoch lies past the end of the run: when patience never runs out, training ends at "
              "the last epoch, len(val_losses) - 1")


# what the generic diagnostics cannot guess: the iteration count (compared at steps - 1 and + 1) and the step
declare("gd_least_squares", iterations="steps", step="lr (each step moves w by lr times the gradient X^T (X w - y) / n)")
declare("gd_spectral_filter", iterations="steps")

MISTAKES = {
    "gd_least_squares": [
        Mistake("gradient not divided by n", _gd_model(div_n=False), _NO_N),
        Mistake("gradient divided by 2n", _gd_model(half=True), _HALF),
        Mistake("starting point missing", _gd_model(drop_start=True), _NO_START),
        Mistake("last step missing", _gd_model(drop_last=True), _SHORT),
        Mistake("w0 ignored", _gd_model(ignore_w0=True), _W0),
        Mistake("gradient ascent", _gd_model(sign=-1.0), _ASCENT),
        Mistake("gradient times 2", _gd_model(factor=2.0), _TWICE),
        Mistake("one array appended and updated in place", _gd_model(aliased=True), _ALIASED),
        Mistake("rows one step ahead", _gd_model(shifted=True), _SHIFTED),
    ],
    "gd_spectral_filter": [
        Mistake("forgot 1 -", _gd_filter_model("no_one_minus"), HINT_MISSING_PART),
        Mistake("lr left out", _gd_filter_model("no_lr"), HINT_LR_LEFT_OUT),
        Mistake("continuous-time filter", _gd_filter_model("continuous"), HINT_CONTINUOUS_TIME_FILTER),
        Mistake("exponent off by one", _gd_filter_model("exponent_plus_one"), HINT_EXPONENT_OFF_BY_ONE),
        Mistake("multiplied by t", _gd_filter_model("times_steps"), HINT_MULTIPLIED_BY_T),
        Mistake("log1p everywhere", _gd_filter_model("log1p_everywhere"),
                "your filter is NaN where lr*s >= 1: -expm1(t*log1p(-lr*s)) needs lr*s < 1 (log1p(-x) is "
                "undefined for x > 1). Use it only there, and the plain 1 - (1 - lr*s)**t elsewhere (it "
                "is exact for lr*s between 1 and 2, where the iteration oscillates)"),
    ],
    "ridge_spectral_filter": [
        Mistake("lam on top", _ridge_model("lam_on_top"), HINT_LAM_ON_TOP),
        Mistake("2 lam", _ridge_model("two_lam"),
                "your filter is s/(s + 2 lam): ridge scales each eigen-direction by s/(s + lam), with lam "
                "itself (the penalty's 1/2 cancels the 2 of the square)."),
        Mistake("numerator missing", _ridge_model("no_numerator"), HINT_NUMERATOR_MISSING),
        Mistake("0/0 left as NaN", _ridge_model("raw_ratio"),
                "with lam = 0 a zero eigenvalue gives 0/0: the filter is defined as 0 there (no component "
                "along a direction the data never sees), so avoid dividing where s + lam == 0"),
        Mistake("lam squared", _ridge_model("lam_squared"),
                "the ridge filter is s/(s + lam) with lam itself, not lam**2"),
        Mistake("eigenvalues squared", _ridge_model("squared_eigvals"), HINT_EIGENVALUES_SQUARED),
        Mistake("1 where s = lam = 0", _ridge_model("one_at_zero"),
                "where s = lam = 0 the filter is defined as 0, not 1: the minimum-norm solution has no "
                "component along a direction the data never sees"),
    ],
    "equivalent_lambda": [
        Mistake("lr * steps", lambda lr, steps: lr * steps, HINT_LR_STEPS),
        Mistake("steps / lr", lambda lr, steps: steps / lr, HINT_STEPS_LR),
        Mistake("lr / steps", lambda lr, steps: lr / steps, HINT_LR_ON_TOP),
        Mistake("floor division", lambda lr, steps: 1 // (lr * steps), HINT_FLOOR_DIVISION),
    ],
    "early_stopping_epoch": [
        Mistake("late", _es_model(late=1), _LATE),
        Mistake("early", _es_model(late=-1), _EARLY),
        Mistake("1-based", _es_model(one_based=True), _ONE_BASED),
        Mistake("argmin of everything", _es_model(lookahead=True), _LOOKAHEAD),
        Mistake("length instead of last index", _es_model(last_len=True), _LAST),
        Mistake("ties improve", _es_model(ties=True), _TIES),
        Mistake("min_delta ignored", _es_model(use_delta=False), _DELTA),
        Mistake("patience count never reset", _es_model(reset=False), _RESET),
        Mistake("compared with the previous epoch", _es_model(vs_previous=True), _PREVIOUS),
        Mistake("best loss follows every decrease", _es_model(best_tracks_min=True), _BEST_MOVED),
        Mistake("relative min_delta", _es_model(relative=True), _RELATIVE),
        Mistake("stop past the end", _es_model(unclipped=True), _UNCLIPPED),
        Mistake("argmin of the epochs seen", _es_model(argmin_seen=True), _ARGMIN_DELTA),
        Mistake("best loss never updated", _es_model(frozen_best=True),
                "your best loss never changes after epoch 0 (you move the best epoch but not the best loss): "
                "each later epoch is then compared with the first loss. When an epoch improves, update both."),
    ],
}

_PURE_HINT = "your function changed an input in place; work on new arrays and leave X, y and w0 as they were"


def _rng(seed):
    return np.random.default_rng(seed)


# ============================================================================ fixed inputs, checked cheaply
# Every input below comes from a fixed seed, so it is built once per process (the builders are
# lru_cached) and shared by every submission; arrays are made read-only (read_only), so no copy per
# submission is needed: the protocol only reads them, and a stray write would raise, not corrupt them.
# The reference's answers on them are computed once per process too (_expected).
@functools.lru_cache(maxsize=None)
def _expected(ref, function, builder, params):
    """The reference's answers on builder(*params), a tuple of (args, kwargs), once per process."""
    return tuple(read_only(getattr(ref, function)(*args, **kwargs)) for args, kwargs in builder(*params))


def _compare_each(sub, ref, function, builder, *params, rtol, atol=0.0, mistakes):
    """compare(sub, ref, function, *args, rtol=..., atol=..., mistakes=..., **kwargs) for each (args, kwargs)
    of builder(*params), in order, with the same checks, message and first failure, the student's calls
    sent in one message (call_each). `atol` may be a function of the expected value."""
    calls = builder(*params)
    expected = iter(_expected(ref, function, builder, params))
    position = iter(calls)

    def check(got):
        args, kwargs = next(position)
        value = next(expected)
        if not identical(got, value):
            check_close(got, value, rtol=rtol, atol=atol(value) if callable(atol) else atol,
                        what=f"{function}(...)", mistakes=mistakes, args=args, kwargs=kwargs)
        return got

    return sub.call_each(function, [call_args(*args, **kwargs) for args, kwargs in calls], check)


# ============================================================================ gradient descent
def _problem(rng, n, d, spread=1.0):
    X = rng.normal(size=(n, d)) * np.geomspace(1.0, spread, d)
    y = X @ rng.normal(size=d) + 0.2 * rng.normal(size=n)
    s_max = float(np.linalg.eigvalsh(X.T @ X / n)[-1])
    return X, y, s_max


def _scale(W):
    return max(1.0, float(np.max(np.abs(W))))


@functools.lru_cache(maxsize=None)
def _gd_random_calls():
    rng = _rng(41)
    settings = [(20, 3, 0.5, 10, False), (5, 8, 1.0, 40, False), (50, 1, 1.8, 25, True),
                (1, 4, 0.9, 7, False), (30, 10, 0.3, 100, True), (12, 4, 1.9, 60, False), (6, 6, 1.0, 1, True)]
    calls = []
    for n, d, c, steps, with_w0 in settings:
        X, y, s_max = _problem(rng, n, d, spread=0.2)
        lr = c / s_max                                  # lr * s_max = c < 2: the iteration converges
        kw = {"w0": rng.normal(size=d)} if with_w0 else {}
        calls.append(((X, y, lr, steps), kw))
    # a start from w0 first: every mistake model above shows on it, so a wrong formula fails on the first reply
    return read_only(tuple(calls[2:3] + calls[:2] + calls[3:]))


@case("gd_least_squares: random problems, from zero and from w0, agree with the reference", points=6)
def _(sub, ref):
    # rtol 1e-10, atol 1e-12 * scale: with lr*s < 2 a GD step does not amplify rounding, so a
    # correct trajectory stays within (steps x a few ulps) of the reference
    _compare_each(sub, ref, "gd_least_squares", _gd_random_calls, rtol=1e-10,
                  atol=lambda expected: 1e-12 * _scale(expected), mistakes=MISTAKES["gd_least_squares"])


@functools.lru_cache(maxsize=None)
def _gd_zero_steps_calls():
    rng = _rng(42)
    X, y, _ = _problem(rng, 7, 3)
    return read_only(tuple(((X, y, 0.1, 0), kw) for kw in ({}, {"w0": rng.normal(size=3)})))


@case("gd_least_squares: steps = 0 returns only the starting point", points=1)
def _(sub, ref):
    # exact: no arithmetic happens
    _compare_each(sub, ref, "gd_least_squares", _gd_zero_steps_calls, rtol=0,
                  mistakes=MISTAKES["gd_least_squares"])


@functools.lru_cache(maxsize=None)
def _gd_eigen_problems():
    """(X, y, lr, steps, V, the expected trajectory in the eigenbasis) for each problem."""
    rng = _rng(43)
    problems = []
    for n, d, steps, c in ((40, 5, 30, 1.0), (25, 3, 12, 0.6)):
        X, y, s_max = _problem(rng, n, d)
        lr = c / s_max
        s, V = np.linalg.eigh(X.T @ X / n)
        w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
        t = np.arange(steps + 1)[:, None]
        expected = (1 - (1 - lr * s) ** t) * (V.T @ w_ols)          # (steps + 1, d) in the eigenbasis
        problems.append((X, y, lr, steps, V, expected))
    return read_only(tuple(problems))


@case("gd_least_squares: from zero, each eigen-direction is the GD filter times least squares", points=2)
def _(sub, ref):
    problems = _gd_eigen_problems()
    position = iter(problems)

    def check(got):
        X, y, lr, steps, V, expected = next(position)
        d = X.shape[1]
        W = as_float_array(got, "gd_least_squares(...)")
        if W.shape != (steps + 1, d):
            raise Fail(f"gd_least_squares(...) has shape {W.shape}, expected {(steps + 1, d)}",
                       _NO_START if W.shape == (steps, d) else None)
        # atol 1e-10 * scale: eigh and lstsq of a well-conditioned 40x5 problem are accurate to ~1e-13
        check_close(W @ V, expected, rtol=0, atol=1e-10 * _scale(expected),
                    what="your trajectory in the eigenbasis of X^T X / n",
                    mistakes=[Mistake(m.name, (lambda f: lambda: f(X, y, lr, steps) @ V)(m.value), m.hint)
                              for m in MISTAKES["gd_least_squares"]])

    sub.call_each("gd_least_squares", [(X, y, lr, steps) for X, y, lr, steps, _, _ in problems], check)


@functools.lru_cache(maxsize=None)
def _gd_purity_inputs():
    rng = _rng(44)
    X, y, s_max = _problem(rng, 9, 4)
    w0 = rng.normal(size=4)
    return read_only((X, y, 0.5 / s_max, w0))


@case("gd_least_squares: does not modify X, y or w0", points=1)
def _(sub, ref):
    X, y, lr, w0 = _gd_purity_inputs()
    # counts only with the right trajectory on these inputs (tolerances of the random-problem case: rtol
    # 1e-10, atol 1e-12 * scale); then X, y and w0 must come back bit-for-bit unchanged
    args, kwargs = (X, y, lr, 5), {"w0": w0}
    check_pure(sub, "gd_least_squares", args, kwargs, ["X", "y"],
               reference_value(ref, "gd_least_squares", args, kwargs, rtol=1e-10,
                               atol=1e-12 * _scale(ref.gd_least_squares(*args, **kwargs)),
                               mistakes=MISTAKES["gd_least_squares"]), _PURE_HINT)


# ============================================================================ spectral filters
def _eigvals(rng, shape, top):
    return rng.uniform(0.0, top, size=shape)


@functools.lru_cache(maxsize=None)
def _gd_filter_calls():
    rng = _rng(51)
    calls = []
    for shape, lr, steps in (((8,), 0.1, 5), ((3, 4), 0.02, 200), ((6,), 0.5, 0), ((5,), 0.9, 1),
                             ((), 0.3, 17), ((10,), 0.25, 40)):
        s = _eigvals(rng, shape, 1.9 / lr)             # lr * s in [0, 1.9]: includes oscillating directions
        if s.ndim:
            s.flat[0] = 0.0                            # a direction the data never sees
        calls.append(((s, lr, steps), {}))
    return read_only(tuple(calls))


@case("gd_spectral_filter: random eigenvalues, learning rates and step counts agree with the reference",
      points=3)
def _(sub, ref):
    # rtol 1e-12, atol 1e-13: (1 - lr*s)**t taken as a power or a product of t <= 200 factors differs
    # by at most ~t ulps
    _compare_each(sub, ref, "gd_spectral_filter", _gd_filter_calls, rtol=1e-12, atol=1e-13,
                  mistakes=MISTAKES["gd_spectral_filter"])


@functools.lru_cache(maxsize=None)
def _gd_filter_range_eigvals():
    return read_only(np.concatenate([[0.0], _eigvals(_rng(52), 30, 10.0)]))


@case("gd_spectral_filter: lies in [0, 1] when lr*s <= 1, and starts at 0", points=1)
def _(sub, ref):
    s = _gd_filter_range_eigvals()
    all_steps = (0, 1, 3, 50)
    position = iter(all_steps)

    def check(got):
        steps = next(position)
        # the property counts only for the right values on these inputs (tolerances of the random case)
        check_close(got, ref.gd_spectral_filter(s, 0.1, steps), rtol=1e-12, atol=1e-13,
                    what=f"gd_spectral_filter(s, 0.1, {steps})")
        f = as_float_array(got, "gd_spectral_filter(...)")
        # 1e-15 slack: 1 - (1 - x)**t is computed with rounding
        if not bool(np.all((f >= -1e-15) & (f <= 1 + 1e-15))):
            raise Fail(f"with lr*s <= 1 the filter must lie in [0, 1]; after {steps} steps it ranges over "
                       f"[{f.min():.6g}, {f.max():.6g}]")
        if steps == 0:
            expect(bool(np.all(f == 0)), "after 0 steps nothing is learned: the filter must be 0 everywhere",
                   "1 - (1 - lr*s)**0 = 0: GD from zero has learned nothing yet")

    sub.call_each("gd_spectral_filter", [(s, 0.1, steps) for steps in all_steps], check)


@functools.lru_cache(maxsize=None)
def _ridge_filter_calls():
    rng = _rng(53)
    calls = []
    for shape, lam in (((8,), 0.1), ((3, 4), 2.5), ((), 0.7), ((20,), 1e-4), ((6,), 50.0)):
        s = _eigvals(rng, shape, 5.0)
        if s.ndim:
            s.flat[0] = 0.0
        calls.append(((s, lam), {}))
    return read_only(tuple(calls))


@case("ridge_spectral_filter: random eigenvalues and strengths agree with the reference", points=3)
def _(sub, ref):
    # rtol 1e-14, atol 1e-15: one addition and one division; values lie in [0, 1], and an equal form
    # such as 1 - lam/(s + lam) is within a few ulps of 1 in absolute terms
    _compare_each(sub, ref, "ridge_spectral_filter", _ridge_filter_calls, rtol=1e-14, atol=1e-15,
                  mistakes=MISTAKES["ridge_spectral_filter"])


@functools.lru_cache(maxsize=None)
def _ridge_lam_zero_calls():
    return read_only((((np.array([0.0, 0.0, 0.3, 2.0, 1e-9]), 0.0), {}),))


@case("ridge_spectral_filter: lam = 0 keeps every seen direction and leaves unseen ones at 0", points=1)
def _(sub, ref):
    # exact: s/s = 1 for s > 0, and the defined 0 where s = lam = 0
    _compare_each(sub, ref, "ridge_spectral_filter", _ridge_lam_zero_calls, rtol=0,
                  mistakes=MISTAKES["ridge_spectral_filter"])


_RIDGE_VS_GD_LR, _RIDGE_VS_GD_STEPS = 0.01, (1, 10, 100)


@functools.lru_cache(maxsize=None)
def _ridge_vs_gd(ref):
    """(s, the GD filters of the reference at lr = 0.01 after t steps, for each t), once per process."""
    lr = _RIDGE_VS_GD_LR
    s = read_only(np.concatenate([[0.0], _eigvals(_rng(54), 40, 1.0 / lr)]))     # lr * s <= 1
    return s, tuple(read_only(ref.gd_spectral_filter(s, lr, t)) for t in _RIDGE_VS_GD_STEPS)


@case("ridge_spectral_filter: in [0, 1] and never above the GD filter at lam = 1/(lr*t)", points=1)
def _(sub, ref):
    lr = _RIDGE_VS_GD_LR
    s, gd_filters = _ridge_vs_gd(ref)
    position = iter(zip(_RIDGE_VS_GD_STEPS, gd_filters))

    def check(got):
        t, gd = next(position)
        # the property counts only for the right values on these inputs (tolerances of the random case)
        check_close(got, ref.ridge_spectral_filter(s, 1.0 / (lr * t)), rtol=1e-14, atol=1e-15,
                    what=f"ridge_spectral_filter(s, 1/(lr*{t}))")
        f = as_float_array(got, "ridge_spectral_filter(...)")
        # 1e-15 slack: a division and a power, each with rounding
        expect(bool(np.all((f >= 0) & (f <= 1 + 1e-15))), "the ridge filter s/(s + lam) must lie in [0, 1]")
        if not bool(np.all(f <= gd + 1e-15)):
            raise Fail(f"at lam = 1/(lr*t) (t = {t}) the ridge filter must never exceed the GD filter "
                       f"1 - (1 - lr*s)^t; yours does by up to {float(np.max(f - gd)):.3g}")

    sub.call_each("ridge_spectral_filter", [(s, 1.0 / (lr * t)) for t in _RIDGE_VS_GD_STEPS], check)


@functools.lru_cache(maxsize=None)
def _equivalent_lambda_calls():
    rng = _rng(55)
    return tuple(((lr, steps), {}) for lr, steps in
                 [(float(10 ** rng.uniform(-4, 0)), int(rng.integers(1, 10_000))) for _ in range(6)]
                 + [(0.5, 1), (1e-3, 2.5)])


@case("equivalent_lambda: random learning rates and step counts agree with the reference", points=2)
def _(sub, ref):
    # rtol 1e-15: one product and one division
    _compare_each(sub, ref, "equivalent_lambda", _equivalent_lambda_calls, rtol=1e-15,
                  mistakes=MISTAKES["equivalent_lambda"])


# ============================================================================ the stopping rule
def _compare_all(sub, ref, builder, *params):
    """Compare early_stopping_epoch on every call of builder(*params) (exact: two epoch indices), then fail
    on the first mismatch.

    Epoch pairs are small integers, so one wrong answer often coincides with several mistake models;
    every call is made first, so the framework has the student's answers on all of them as evidence.
    """
    fn = "early_stopping_epoch"
    calls = builder(*params)
    answers = []
    # every call is made (a check never stops the batch): all the answers are needed for the hint
    sub.call_each(fn, [call_args(*args, **kwargs) for args, kwargs in calls], answers.append)
    for (args, kwargs), got, expected in zip(calls, answers, _expected(ref, fn, builder, params)):
        if identical(got, expected):
            continue
        # the framework names a mistake only if its model follows the student on inputs that tell the
        # models apart (small epoch pairs often coincide for several mistakes on one curve)
        check_close(got, expected, rtol=0, mistakes=MISTAKES[fn], args=args, kwargs=kwargs,
                    what=f"{fn}({', '.join(map(_short, args))}"
                         + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")")


def _short(value):
    if isinstance(value, np.ndarray):
        return "[" + ", ".join(f"{x:.6g}" for x in value[:6]) + (", ...]" if value.size > 6 else "]")
    return repr(value)


def _curve(rng, length, dyadic):
    """A noisy U-shaped validation curve; with dyadic=True its values are multiples of 1/64."""
    k = np.arange(length)
    turn = rng.uniform(0.2, 1.0) * length
    curve = 1.5 * np.exp(-k / max(1.0, turn / 3)) + 0.02 * np.maximum(0, k - turn) + 0.1 * rng.normal(size=length)
    curve += 1.0
    return np.round(curve * 64) / 64 if dyadic else curve


@functools.lru_cache(maxsize=None)
def _random_curve_calls():
    """24 seeded curves (lengths 1 to 56, patience 1 to 8, each kind of min_delta). They were 40: each
    mistake model above that random curves can reveal (all but "best loss follows every decrease", which
    the min_delta boundary case catches) disagrees with the reference on at least two of the first 24
    (the rarest, a relative min_delta, on curves 2 and 11), and each call costs a reply."""
    rng = _rng(61)
    calls = []
    for i in range(24):
        dyadic = i % 2 == 0
        length = int(rng.integers(1, 60))
        patience = int(rng.integers(1, 9))
        min_delta = float(rng.choice([0.0, 1 / 64, 1 / 16])) if dyadic else float(rng.choice([0.0, 0.003, 0.02]))
        calls.append(((_curve(rng, length, dyadic), patience), {"min_delta": min_delta}))
    return read_only(tuple(calls))


@case("early_stopping_epoch: random validation curves agree with the reference", points=6)
def _(sub, ref):
    _compare_all(sub, ref, _random_curve_calls)


@functools.lru_cache(maxsize=None)
def _short_run_calls():
    cases = [([0.7], 1), ([0.7], 5), ([1.0, 0.5, 0.25], 10), ([2.0, 2.0, 2.0, 2.0], 1),
             ([1.0, 2.0, 3.0, 4.0, 5.0], 3), ([1.0, 2.0, 3.0], 2), ([3.0, 2.0, 2.0, 1.0], 2),
             ([1.0, 0.5, 0.75, 0.625, 0.5625, 0.25], 3), ([1.0, 2.0, 0.5, 2.0, 2.0, 2.0], 2)]
    return tuple(((losses, patience), {}) for losses, patience in cases)


@case("early_stopping_epoch: one epoch, patience longer than the run, constant and rising losses", points=2)
def _(sub, ref):
    _compare_all(sub, ref, _short_run_calls)


@functools.lru_cache(maxsize=None)
def _min_delta_boundary_calls():
    # dyadic values: best - min_delta is exact, so the boundary case is decided by the rule, not rounding
    calls = []
    for losses, patience, min_delta in (([1.0, 0.75, 0.5, 0.4375], 1, 0.25), ([1.0, 0.75, 0.5, 0.4375], 2, 0.25),
                                        ([1.0, 0.9375, 0.875, 0.8125, 0.5], 3, 0.0625),
                                        ([4.0, 3.0, 2.5, 2.0, 1.0, 0.875], 2, 0.5),
                                        ([1.0, 0.75, 2.0, 2.0], 1, 0.25),
                                        # a gain of exactly min_delta does not move the best loss either:
                                        # epoch 3 beats 1.0 - 0.125 (the best), not 0.875 - 0.125
                                        ([1.0, 0.875, 1.0, 0.8125], 3, 0.125)):
        calls.append(((losses, patience), {"min_delta": min_delta}))
    return tuple(calls)


@case("early_stopping_epoch: a gain of exactly min_delta is not an improvement", points=2)
def _(sub, ref):
    _compare_all(sub, ref, _min_delta_boundary_calls)
