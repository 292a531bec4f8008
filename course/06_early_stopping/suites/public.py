"""Public tests of assignment 06 (early_stopping.py): small inputs with answers worked by hand.

The least-squares example: X = [[1, 0], [0, 2]], y = [1, 2], so n = 2,
A = X^T X / n = diag(0.5, 2), X^T y / n = [0.5, 2] and w_ols = [1, 1].
With lr = 0.25 each step multiplies the distance to w_ols by 1 - 0.25*s,
i.e. by 0.875 along the first axis and 0.5 along the second.
"""
import numpy as np

from autograder.framework import Mistake, case, check_close, check_pure
from autograder.suites.early_stopping.common import (
    _ALIASED, _SHIFTED, _NO_START, _LATE, _EARLY, _ONE_BASED, _LOOKAHEAD, _LAST, _TIES, _DELTA,
    _RESET, _ARGMIN_DELTA, _PREVIOUS, HINT_MISSING_PART, HINT_LR_LEFT_OUT,
    HINT_CONTINUOUS_TIME_FILTER, HINT_EXPONENT_OFF_BY_ONE, HINT_MULTIPLIED_BY_T, HINT_LAM_ON_TOP,
    HINT_NUMERATOR_MISSING, HINT_EIGENVALUES_SQUARED, HINT_LR_STEPS, HINT_STEPS_LR, HINT_LR_ON_TOP,
    HINT_FLOOR_DIVISION, _RELATIVE
)

X = np.array([[1.0, 0.0], [0.0, 2.0]])
Y = np.array([1.0, 2.0])

_NO_N = ("your steps are twice too large here (n = 2): the loss has a 1/(2n) in front, so its gradient is "
         "X^T (X w - y) / n. Either the division by n (the number of rows) is missing, or a factor 2 is "
         "left over from differentiating the square: the 1/2 cancels it")


@case("gd_least_squares: three steps from zero, worked by hand", points=2)
def _(sub):
    got = sub.gd_least_squares(X, Y, 0.25, 3)
    expected = [[0.0, 0.0], [0.125, 0.5], [0.234375, 0.75], [0.330078125, 0.875]]
    # exact up to rounding: every number here is a short binary fraction; rtol 1e-14 allows a few ulps
    check_close(got, expected, rtol=1e-14, atol=1e-15, what="gd_least_squares(X, y, 0.25, 3)", mistakes=[
        Mistake("gradient not divided by n", [[0.0, 0.0], [0.25, 1.0], [0.4375, 1.0], [0.578125, 1.0]], _NO_N),
        Mistake("starting point missing", expected[1:], _NO_START),
        Mistake("gradient ascent", [[0.0, 0.0], [-0.125, -0.5], [-0.265625, -1.25], [-0.423828125, -2.375]],
                "your weights move away from the solution: a gradient descent step subtracts lr * gradient"),
        Mistake("one array appended and updated in place", [expected[-1]] * 4, _ALIASED),
        Mistake("rows one step ahead", expected[1:] + [[0.41381835937500006, 0.9375]], _SHIFTED),
    ])


@case("gd_least_squares: two steps from a given w0", points=1)
def _(sub):
    # X, y and w0 must come back unchanged, a rule that counts only with the right trajectory
    check_pure(sub, "gd_least_squares", (X, Y, 0.25, 2), {"w0": np.array([1.0, -1.0])}, ["X", "y"],
               _check_from_w0,
               "your function changed an input in place (w0 here: `w = w0` then `w -= ...` updates the "
               "caller's array); start from a copy, w = w0.copy(), and leave X, y and w0 as they were")


def _check_from_w0(got):
    # rtol 1e-14: short binary fractions, a few ulps at most
    check_close(got, [[1.0, -1.0], [1.0, 0.0], [1.0, 0.5]], rtol=1e-14, atol=1e-15,
                what="gd_least_squares(X, y, 0.25, 2, w0=[1, -1])", mistakes=[
        Mistake("w0 ignored", [[0.0, 0.0], [0.125, 0.5], [0.234375, 0.75]],
                "your trajectory starts from zero although w0 was given: start from w0 when it is not None"),
        Mistake("gradient not divided by n", [[1.0, -1.0], [1.0, 1.0], [1.0, 1.0]], _NO_N),
        Mistake("starting point missing", [[1.0, 0.0], [1.0, 0.5]], _NO_START),
        Mistake("gradient ascent", [[1.0, -1.0], [1.0, -2.0], [1.0, -3.5]],
                "your weights move away from the solution: a gradient descent step subtracts lr * gradient"),
        Mistake("one array appended and updated in place", [[1.0, 0.5]] * 3, _ALIASED),
        Mistake("rows one step ahead", [[1.0, 0.0], [1.0, 0.5], [1.0, 0.75]], _SHIFTED),
    ])


EIGS = np.array([0.0, 0.5, 2.0, 4.0])


@case("gd_spectral_filter: lr = 0.25, three steps", points=2)
def _(sub):
    got = sub.gd_spectral_filter(EIGS, 0.25, 3)
    # 1 - (1 - 0.25 s)^3 = 1 - [1, 0.875^3, 0.5^3, 0]; rtol 1e-14: exact binary fractions up to a few ulps
    check_close(got, [0.0, 0.330078125, 0.875, 1.0], rtol=1e-14, atol=1e-15,
                what="gd_spectral_filter([0, 0.5, 2, 4], 0.25, 3)", mistakes=[
        Mistake("forgot 1 -", [1.0, 0.669921875, 0.125, 0.0], HINT_MISSING_PART),
        Mistake("lr left out", [0.0, 0.875, 2.0, 28.0], HINT_LR_LEFT_OUT),
        Mistake("continuous-time filter", [0.0, 0.31271072120902776, 0.7768698398515702, 0.950212931632136],
                HINT_CONTINUOUS_TIME_FILTER),
        Mistake("exponent off by one", [0.0, 0.413818359375, 0.9375, 1.0], HINT_EXPONENT_OFF_BY_ONE),
        Mistake("multiplied by t", [-2.0, -1.625, -0.5, 1.0], HINT_MULTIPLIED_BY_T),
    ])


@case("ridge_spectral_filter: lam = 0.5", points=2)
def _(sub):
    got = sub.ridge_spectral_filter(EIGS, 0.5)
    # s / (s + 0.5); rtol 1e-14, atol 1e-15: one division, and an equal form such as
    # 1 - lam/(s + lam) is within a few ulps of 1
    check_close(got, [0.0, 0.5, 0.8, 0.8888888888888888], rtol=1e-14, atol=1e-15,
                what="ridge_spectral_filter([0, 0.5, 2, 4], 0.5)", mistakes=[
        Mistake("lam on top", [1.0, 0.5, 0.2, 0.1111111111111111], HINT_LAM_ON_TOP),
        Mistake("numerator missing", [2.0, 1.0, 0.4, 0.2222222222222222], HINT_NUMERATOR_MISSING),
        Mistake("eigenvalues squared", [0.0, 1 / 3, 8 / 9, 32 / 33], HINT_EIGENVALUES_SQUARED),
    ])


@case("equivalent_lambda: lr = 0.1 for 50 steps", points=1)
def _(sub):
    # 1 / (0.1 * 50); rtol 1e-15: one product and one division
    check_close(sub.equivalent_lambda(0.1, 50), 0.2, rtol=1e-15, what="equivalent_lambda(0.1, 50)", mistakes=[
        Mistake("lr * steps", 5.0, HINT_LR_STEPS),
        Mistake("steps / lr", 500.0, HINT_STEPS_LR),
        Mistake("lr / steps", 0.002, HINT_LR_ON_TOP),
        Mistake("floor division", 0.0, HINT_FLOOR_DIVISION),
    ])


@case("early_stopping_epoch: the docstring example, patience 2", points=1)
def _(sub):
    got = sub.early_stopping_epoch([3.0, 2.0, 2.5, 2.4, 1.0], 2)
    # integers: exact
    check_close(got, (1, 3), rtol=0, what="early_stopping_epoch([3, 2, 2.5, 2.4, 1], 2)", mistakes=[
        Mistake("early", (1, 2), _EARLY), Mistake("1-based", (2, 4), _ONE_BASED),
        Mistake("argmin of everything", (4, 3), _LOOKAHEAD),
    ])


@case("early_stopping_epoch: patience counts consecutive epochs without beating the best", points=1)
def _(sub):
    # best 1.75 -> 1.5 is not a gain of more than 0.25, but 1.25 is (epoch 2); epochs 3 and 4 then
    # fail to beat 1.25 - 0.25 = 1.0 (1.0 ties it), so training stops at epoch 4
    got = sub.early_stopping_epoch([1.75, 1.5, 1.25, 2.0, 1.0, 2.5], 2, min_delta=0.25)
    # integers: exact
    check_close(got, (2, 4), rtol=0, what="early_stopping_epoch([1.75, 1.5, 1.25, 2, 1, 2.5], 2, min_delta=0.25)",
                mistakes=[
        Mistake("late", (2, 5), _LATE), Mistake("early", (0, 1), _EARLY), Mistake("1-based", (3, 5), _ONE_BASED),
        # epoch 4 has the smallest loss, but it gains exactly min_delta over the best (1.25)
        Mistake("argmin of the epochs seen", (4, 4), _ARGMIN_DELTA), Mistake("count never reset", (2, 3), _RESET),
        Mistake("compared with the previous epoch", (0, 2), _PREVIOUS),
    ])


@case("early_stopping_epoch: a run that keeps improving stops at its last epoch", points=1)
def _(sub):
    # integers: exact
    check_close(sub.early_stopping_epoch([5.0, 4.0, 3.0, 2.0], 1), (3, 3), rtol=0,
                what="early_stopping_epoch([5, 4, 3, 2], 1)",
                mistakes=[Mistake("length", (3, 4), _LAST), Mistake("1-based", (4, 4), _ONE_BASED)])
    # the best epoch is 1 and patience 10 never runs out: best_epoch + patience (11) would lie past the end
    check_close(sub.early_stopping_epoch([2.0, 1.0, 3.0], 10), (1, 2), rtol=0,
                what="early_stopping_epoch([2, 1, 3], 10)",
                mistakes=[Mistake("length", (1, 3), _LAST), Mistake("1-based", (2, 3), _ONE_BASED),
                          Mistake("stop past the end", (1, 11),
                                  "your stop_epoch lies past the end of the run: when patience never runs out, "
                                  "training ends at the last epoch, len(val_losses) - 1")])


@case("early_stopping_epoch: ties do not count as improvements", points=1)
def _(sub):
    # integers: exact
    check_close(sub.early_stopping_epoch([1.0, 1.0, 1.0], 2), (0, 2), rtol=0,
                what="early_stopping_epoch([1, 1, 1], 2)", mistakes=[
        Mistake("ties improve", (2, 2), _TIES), Mistake("early", (0, 1), _EARLY),
        Mistake("1-based", (1, 3), _ONE_BASED)])


@case("early_stopping_epoch: min_delta = 0.02", points=1)
def _(sub):
    # epochs 1 and 2 gain more than 0.02; epochs 3, 4 and 5 do not, so the stop comes at epoch 4
    check_close(sub.early_stopping_epoch([1.0, 0.95, 0.9, 0.89, 0.885, 0.895], 2, min_delta=0.02), (2, 4),
                rtol=0, what="early_stopping_epoch([1, 0.95, 0.9, 0.89, 0.885, 0.895], 2, min_delta=0.02)",
                mistakes=[Mistake("min_delta ignored", (4, 5), _DELTA), Mistake("late", (2, 5), _LATE),
                          Mistake("early", (2, 3), _EARLY), Mistake("1-based", (3, 5), _ONE_BASED),
                          Mistake("argmin of the epochs seen", (4, 4), _ARGMIN_DELTA)])


# ----------------------------------------------------------------------------- edge cases the docstrings state
@case("gd_spectral_filter: lr*s > 1 still follows 1 - (1 - lr*s)^steps", points=1)
def _(sub):
    # lr*s = [0, 0.375, 1.5, 3]; two steps: 1 - [1, 0.390625, 0.25, 4]; binary fractions, a few ulps at most
    check_close(sub.gd_spectral_filter(EIGS, 0.75, 2), [0.0, 0.609375, 0.75, -3.0], rtol=1e-14, atol=1e-15,
                what="gd_spectral_filter([0, 0.5, 2, 4], 0.75, 2)")


@case("ridge_spectral_filter: lam = 0 gives 1 on seen directions and 0 where s = 0", points=1)
def _(sub):
    # exact: s / s = 1, and 0 at s = lam = 0 as the docstring defines it
    check_close(sub.ridge_spectral_filter(EIGS, 0.0), [0.0, 1.0, 1.0, 1.0], rtol=0,
                what="ridge_spectral_filter([0, 0.5, 2, 4], 0)")


@case("early_stopping_epoch: min_delta is an absolute amount, at losses near 10", points=1)
def _(sub):
    # epoch 1 gains 0.5 > 0.25; epochs 2 and 3 gain 0.05 and 0.1 over it, so the stop comes at epoch 3. Read
    # as relative, min_delta = 0.25 would ask for a loss below 7.5 and stop at epoch 2.
    check_close(sub.early_stopping_epoch([10.0, 9.5, 9.45, 9.4, 9.35], 2, min_delta=0.25), (1, 3), rtol=0,
                what="early_stopping_epoch([10, 9.5, 9.45, 9.4, 9.35], 2, min_delta=0.25)",
                mistakes=[Mistake("relative min_delta", (0, 2), _RELATIVE), Mistake("min_delta ignored", (4, 4), _DELTA)])
