"""Hidden tests of assignment 06 (early_stopping.py): randomized comparisons with the reference.

All inputs come from seeded NumPy generators on the trusted side. Sequences of
validation losses with ties or a min_delta boundary use multiples of 1/64, so
`loss < best - min_delta` and `best - loss > min_delta` are computed exactly and
any correct way of writing the comparison gives the same answer.
"""
import numpy as np

from autograder.cases import Tol, entry, fixed_calls, reference_calls, reference_case
from autograder.diagnose import declare
from autograder.framework import Fail, Mistake, as_float_array, call_args, case, check_close, expect, read_only
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


# Every input below comes from a fixed seed: autograder.cases builds it once per process (read-only) and
# computes the reference's answers on it once; a case's calls go to the student's code in one message.

# ============================================================================ gradient descent
def _problem(rng, n, d, spread=1.0):
    X = rng.normal(size=(n, d)) * np.geomspace(1.0, spread, d)
    y = X @ rng.normal(size=d) + 0.2 * rng.normal(size=n)
    s_max = float(np.linalg.eigvalsh(X.T @ X / n)[-1])
    return X, y, s_max


def _scale(W):
    return max(1.0, float(np.max(np.abs(W))))


# rtol 1e-10, atol 1e-12 * scale: with lr*s < 2 a GD step does not amplify rounding, so a correct trajectory
# stays within (steps x a few ulps) of the reference
_GD_WHY = "a GD step with lr*s < 2 does not amplify rounding: a correct trajectory is steps x a few ulps off"


def _scaled_gd_entry(ref, args, kwargs):
    """One call of gd_least_squares, its atol scaled by the size of the reference's trajectory (1e-12 * scale)."""
    return entry(call_args(*args, **kwargs),
                 tol=Tol(1e-10, 1e-12 * _scale(ref.gd_least_squares(*args, **kwargs)), why=_GD_WHY))


def _gd_random_calls(ref):
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
    return [_scaled_gd_entry(ref, args, kw) for args, kw in calls[2:3] + calls[:2] + calls[3:]]


reference_case("gd_least_squares: random problems, from zero and from w0, agree with the reference",
               "gd_least_squares", _gd_random_calls, points=6, mistakes=MISTAKES["gd_least_squares"],
               tol=Tol(1e-10, why=_GD_WHY + " (each call's atol: 1e-12 times the trajectory's size)"))


def _gd_zero_steps_calls():
    rng = _rng(42)
    X, y, _ = _problem(rng, 7, 3)
    return [call_args(X, y, 0.1, 0, **kw) for kw in ({}, {"w0": rng.normal(size=3)})]


reference_case("gd_least_squares: steps = 0 returns only the starting point", "gd_least_squares",
               _gd_zero_steps_calls, points=1, mistakes=MISTAKES["gd_least_squares"],
               tol=Tol(0, why="exact: no arithmetic happens"))


# atol 1e-10 * scale: eigh and lstsq of a well-conditioned 40x5 problem are accurate to ~1e-13
EIGENBASIS = Tol(0, 1e-10, why="eigh and lstsq of a well-conditioned 40x5 problem are accurate to ~1e-13 "
                               "(atol times the size of the expected trajectory)")


def _eigenbasis_check(X, y, lr, steps, V, expected):
    """The check of one trajectory from zero: in the eigenbasis V, the GD filter times the least-squares weights."""
    def check(got):
        d = X.shape[1]
        W = as_float_array(got, "gd_least_squares(...)")
        if W.shape != (steps + 1, d):
            raise Fail(f"gd_least_squares(...) has shape {W.shape}, expected {(steps + 1, d)}",
                       _NO_START if W.shape == (steps, d) else None)
        check_close(W @ V, expected, rtol=EIGENBASIS.rtol, atol=EIGENBASIS.atol * _scale(expected),
                    what="your trajectory in the eigenbasis of X^T X / n",
                    mistakes=[Mistake(m.name, (lambda f: lambda: f(X, y, lr, steps) @ V)(m.value), m.hint)
                              for m in MISTAKES["gd_least_squares"]])
    return check


def _gd_eigen_problems():
    """Each problem's call, checked against its expected trajectory in the eigenbasis."""
    rng = _rng(43)
    problems = []
    for n, d, steps, c in ((40, 5, 30, 1.0), (25, 3, 12, 0.6)):
        X, y, s_max = _problem(rng, n, d)
        lr = c / s_max
        s, V = np.linalg.eigh(X.T @ X / n)
        w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
        t = np.arange(steps + 1)[:, None]
        expected = read_only((1 - (1 - lr * s) ** t) * (V.T @ w_ols))     # (steps + 1, d) in the eigenbasis
        problems.append(entry((X, y, lr, steps), check=_eigenbasis_check(X, y, lr, steps, read_only(V), expected)))
    return problems


_EIGEN_CALLS = fixed_calls("gd_least_squares", _gd_eigen_problems, tol=EIGENBASIS)


@case("gd_least_squares: from zero, each eigen-direction is the GD filter times least squares", points=2)
def _(sub, ref):
    _EIGEN_CALLS.check(sub)


def _gd_purity_inputs(ref):
    rng = _rng(44)
    X, y, s_max = _problem(rng, 9, 4)
    w0 = rng.normal(size=4)
    return [_scaled_gd_entry(ref, (X, y, 0.5 / s_max, 5), {"w0": w0})]


# counts only with the right trajectory on these inputs (the tolerances of the random-problem case); then X, y
# and w0 must come back bit-for-bit unchanged
reference_case("gd_least_squares: does not modify X, y or w0", "gd_least_squares", _gd_purity_inputs, points=1,
               pure=_PURE_HINT, mistakes=MISTAKES["gd_least_squares"], tol=Tol(1e-10, why=_GD_WHY))


# ============================================================================ spectral filters
def _eigvals(rng, shape, top):
    return rng.uniform(0.0, top, size=shape)


# (1 - lr*s)**t taken as a power or a product of t <= 200 factors differs by at most ~t ulps
GD_FILTER = Tol(1e-12, 1e-13, why="(1 - lr*s)**t as a power or a product of t <= 200 factors: ~t ulps apart")


def _gd_filter_calls():
    rng = _rng(51)
    calls = []
    for shape, lr, steps in (((8,), 0.1, 5), ((3, 4), 0.02, 200), ((6,), 0.5, 0), ((5,), 0.9, 1),
                             ((), 0.3, 17), ((10,), 0.25, 40)):
        s = _eigvals(rng, shape, 1.9 / lr)             # lr * s in [0, 1.9]: includes oscillating directions
        if s.ndim:
            s.flat[0] = 0.0                            # a direction the data never sees
        calls.append((s, lr, steps))
    return calls


reference_case("gd_spectral_filter: random eigenvalues, learning rates and step counts agree with the reference",
               "gd_spectral_filter", _gd_filter_calls, points=3, tol=GD_FILTER,
               mistakes=MISTAKES["gd_spectral_filter"])


def _filter_in_range(expected, steps):
    """Right values on these inputs (the random case's tolerances), then in [0, 1], and 0 after no step."""
    def check(got):
        check_close(got, expected, rtol=GD_FILTER.rtol, atol=GD_FILTER.atol,
                    what=f"gd_spectral_filter(s, 0.1, {steps})")
        f = as_float_array(got, "gd_spectral_filter(...)")
        # 1e-15 slack: 1 - (1 - x)**t is computed with rounding
        if not bool(np.all((f >= -1e-15) & (f <= 1 + 1e-15))):
            raise Fail(f"with lr*s <= 1 the filter must lie in [0, 1]; after {steps} steps it ranges over "
                       f"[{f.min():.6g}, {f.max():.6g}]")
        if steps == 0:
            expect(bool(np.all(f == 0)), "after 0 steps nothing is learned: the filter must be 0 everywhere",
                   "1 - (1 - lr*s)**0 = 0: GD from zero has learned nothing yet")
    return check


def _filter_range_calls(ref):
    s = np.concatenate([[0.0], _eigvals(_rng(52), 30, 10.0)])
    return [entry((s, 0.1, steps), check=_filter_in_range(read_only(ref.gd_spectral_filter(s, 0.1, steps)), steps))
            for steps in (0, 1, 3, 50)]


_FILTER_RANGE_CALLS = reference_calls("gd_spectral_filter", _filter_range_calls, tol=GD_FILTER)


@case("gd_spectral_filter: lies in [0, 1] when lr*s <= 1, and starts at 0", points=1)
def _(sub, ref):
    _FILTER_RANGE_CALLS.check(sub, ref)


# one addition and one division; values lie in [0, 1], and an equal form such as 1 - lam/(s + lam) is within
# a few ulps of 1 in absolute terms
RIDGE_FILTER = Tol(1e-14, 1e-15, why="one addition and one division on values in [0, 1]: a few ulps")


def _ridge_filter_calls():
    rng = _rng(53)
    calls = []
    for shape, lam in (((8,), 0.1), ((3, 4), 2.5), ((), 0.7), ((20,), 1e-4), ((6,), 50.0)):
        s = _eigvals(rng, shape, 5.0)
        if s.ndim:
            s.flat[0] = 0.0
        calls.append((s, lam))
    return calls


reference_case("ridge_spectral_filter: random eigenvalues and strengths agree with the reference",
               "ridge_spectral_filter", _ridge_filter_calls, points=3, tol=RIDGE_FILTER,
               mistakes=MISTAKES["ridge_spectral_filter"])

reference_case("ridge_spectral_filter: lam = 0 keeps every seen direction and leaves unseen ones at 0",
               "ridge_spectral_filter", lambda: [(np.array([0.0, 0.0, 0.3, 2.0, 1e-9]), 0.0)], points=1,
               tol=Tol(0, why="exact: s/s = 1 for s > 0, and the defined 0 where s = lam = 0"),
               mistakes=MISTAKES["ridge_spectral_filter"])


_RIDGE_VS_GD_LR, _RIDGE_VS_GD_STEPS = 0.01, (1, 10, 100)


def _below_gd(expected, gd, t):
    """Right values on these inputs (the random case's tolerances), in [0, 1] and never above the GD filter."""
    def check(got):
        check_close(got, expected, rtol=RIDGE_FILTER.rtol, atol=RIDGE_FILTER.atol,
                    what=f"ridge_spectral_filter(s, 1/(lr*{t}))")
        f = as_float_array(got, "ridge_spectral_filter(...)")
        # 1e-15 slack: a division and a power, each with rounding
        expect(bool(np.all((f >= 0) & (f <= 1 + 1e-15))), "the ridge filter s/(s + lam) must lie in [0, 1]")
        if not bool(np.all(f <= gd + 1e-15)):
            raise Fail(f"at lam = 1/(lr*t) (t = {t}) the ridge filter must never exceed the GD filter "
                       f"1 - (1 - lr*s)^t; yours does by up to {float(np.max(f - gd)):.3g}")
    return check


def _ridge_vs_gd_calls(ref):
    """ridge_spectral_filter(s, 1/(lr*t)) for each t, checked against the reference's GD filters at lr = 0.01."""
    lr = _RIDGE_VS_GD_LR
    s = np.concatenate([[0.0], _eigvals(_rng(54), 40, 1.0 / lr)])     # lr * s <= 1
    return [entry((s, 1.0 / (lr * t)), check=_below_gd(read_only(ref.ridge_spectral_filter(s, 1.0 / (lr * t))),
                                                        read_only(ref.gd_spectral_filter(s, lr, t)), t))
            for t in _RIDGE_VS_GD_STEPS]


_RIDGE_VS_GD_CALLS = reference_calls("ridge_spectral_filter", _ridge_vs_gd_calls, tol=RIDGE_FILTER)


@case("ridge_spectral_filter: in [0, 1] and never above the GD filter at lam = 1/(lr*t)", points=1)
def _(sub, ref):
    _RIDGE_VS_GD_CALLS.check(sub, ref)


def _equivalent_lambda_calls():
    rng = _rng(55)
    return [(float(10 ** rng.uniform(-4, 0)), int(rng.integers(1, 10_000))) for _ in range(6)] + [(0.5, 1), (1e-3, 2.5)]


reference_case("equivalent_lambda: random learning rates and step counts agree with the reference",
               "equivalent_lambda", _equivalent_lambda_calls, points=2, mistakes=MISTAKES["equivalent_lambda"],
               tol=Tol(1e-15, why="one product and one division"))


# ============================================================================ the stopping rule
def _short(value):
    if isinstance(value, np.ndarray):
        return "[" + ", ".join(f"{x:.6g}" for x in value[:6]) + (", ...]" if value.size > 6 else "]")
    return repr(value)


def _stopping_label(args, kwargs):
    return (f"early_stopping_epoch({', '.join(map(_short, args))}"
            + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")")


def stopping_case(name, points, builder):
    """early_stopping_epoch on every call of builder(), compared with the reference (exact: two epoch indices).

    Epoch pairs are small integers, so one wrong answer often coincides with several mistake models: every
    call is made before the first check (all_first), so the framework has the student's answers on all of
    them as evidence, and names a mistake only if its model follows the student on inputs that tell the
    models apart."""
    calls = reference_calls("early_stopping_epoch", builder, tol=Tol(0, why="two epoch indices: exact"),
                            mistakes=MISTAKES["early_stopping_epoch"], what=_stopping_label)

    @case(name, points=points)
    def _(sub, ref):
        calls.check(sub, ref, all_first=True)


def _curve(rng, length, dyadic):
    """A noisy U-shaped validation curve; with dyadic=True its values are multiples of 1/64."""
    k = np.arange(length)
    turn = rng.uniform(0.2, 1.0) * length
    curve = 1.5 * np.exp(-k / max(1.0, turn / 3)) + 0.02 * np.maximum(0, k - turn) + 0.1 * rng.normal(size=length)
    curve += 1.0
    return np.round(curve * 64) / 64 if dyadic else curve


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
        calls.append(call_args(_curve(rng, length, dyadic), patience, min_delta=min_delta))
    return calls


stopping_case("early_stopping_epoch: random validation curves agree with the reference", 6, _random_curve_calls)

stopping_case("early_stopping_epoch: one epoch, patience longer than the run, constant and rising losses", 2,
              lambda: [([0.7], 1), ([0.7], 5), ([1.0, 0.5, 0.25], 10), ([2.0, 2.0, 2.0, 2.0], 1),
                       ([1.0, 2.0, 3.0, 4.0, 5.0], 3), ([1.0, 2.0, 3.0], 2), ([3.0, 2.0, 2.0, 1.0], 2),
                       ([1.0, 0.5, 0.75, 0.625, 0.5625, 0.25], 3), ([1.0, 2.0, 0.5, 2.0, 2.0, 2.0], 2)])


def _min_delta_boundary_calls():
    # dyadic values: best - min_delta is exact, so the boundary case is decided by the rule, not rounding
    return [call_args(losses, patience, min_delta=min_delta) for losses, patience, min_delta in (
        ([1.0, 0.75, 0.5, 0.4375], 1, 0.25), ([1.0, 0.75, 0.5, 0.4375], 2, 0.25),
        ([1.0, 0.9375, 0.875, 0.8125, 0.5], 3, 0.0625), ([4.0, 3.0, 2.5, 2.0, 1.0, 0.875], 2, 0.5),
        ([1.0, 0.75, 2.0, 2.0], 1, 0.25),
        # a gain of exactly min_delta does not move the best loss either: epoch 3 beats 1.0 - 0.125 (the
        # best), not 0.875 - 0.125
        ([1.0, 0.875, 1.0, 0.8125], 3, 0.125))]


stopping_case("early_stopping_epoch: a gain of exactly min_delta is not an improvement", 2,
              _min_delta_boundary_calls)
