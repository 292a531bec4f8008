"""Helpers and hints shared by the label_smoothing suites (shipped with public.py: no case, nothing hidden-only)."""

import numpy as np

from autograder.framework import Fail, as_float_array


HINT_GOT_OTHERS = ("your targets put eps/(K-1) on each other class and 1 - eps on the true class: that is the "
                   "'others' spread. spread='uniform' puts eps/K on every class (the true one included), "
                   "so the true class gets 1 - eps + eps/K.")
HINT_GOT_UNIFORM = ("your targets put eps/K on every class, the 'uniform' spread. spread='others' gives the "
                    "true class exactly 1 - eps and each of the K - 1 other classes eps/(K-1).")
HINT_NO_KEEP = ("your rows sum to more than 1: scale the one-hot part by (1 - eps) before adding the "
                "smoothing mass, so each row stays a probability distribution.")
HINT_EPS_NOT_SHARED = ("every class of your targets received the whole eps: the smoothing mass eps is shared "
                       "out, eps/K per class under 'uniform' (eps/(K-1) per other class under 'others'), so "
                       "each row still sums to 1.")
HINT_OTHERS_OVER_K = ("with spread='others' the eps is shared by the K - 1 other classes, eps/(K-1) each; "
                      "you gave each eps/K, so your rows sum to 1 - eps/K instead of 1.")
HINT_OTHERS_ON_TRUE = ("with spread='others' the true class gets exactly 1 - eps: you also added eps/(K-1) to it, "
                       "so your rows sum to more than 1.")
HINT_OVERFLOW = ("your result is not finite at logits of size 1000: exp(1000) overflows to inf, and a row shifted "
                 "by anything but its own maximum can underflow to all zeros (0/0). Subtract the row maximum "
                 "before exponentiating; the softmax does not change, and the largest exponent becomes exp(0) = 1.")
HINT_COLUMN_MAX = ("you subtracted the maximum of each column (axis 0); subtract each row's own maximum "
                   "(axis=-1, keepdims=True). One constant per row leaves that row's softmax unchanged; a "
                   "different shift for each entry of the row does not.")
HINT_GLOBAL_MAX = ("you subtracted one maximum for the whole array: a row whose logits all lie far below it "
                   "underflows to 0/0. Subtract each row's own maximum (axis=-1, keepdims=True).")
HINT_GLOBAL_SUM = ("you divided by the sum over the whole array; each row is divided by its own sum "
                   "(axis=-1, keepdims=True), so that every row sums to 1.")
HINT_FORGOT_MAX = ("your loss is off by the row maximum m: once you shift by m, log softmax(z)_k = "
                   "z_k - m - log(sum_j exp(z_j - m)); you subtracted m inside the exponential but not outside.")
HINT_CE_BITS = "use the natural logarithm (np.log), not log base 2: the loss is measured in nats."
HINT_CAPPED = ("your loss is below the true value at extreme logits. If you clip the softmax (or add a small "
               "constant) before the log, -log p is capped at -log(that constant) wherever p underflows; "
               "compute log-probabilities with a stable log-softmax, z - m - log(sum(exp(z - m))), which "
               "needs no clipping.")
HINT_LOG_SOFTMAX = ("compute the log-probabilities with a stable log-softmax, z - m - log(sum(exp(z - m))) "
                    "with m the row maximum, instead of log(softmax(z)): at logits like -1000 the softmax "
                    "underflows to 0 and log(0) = -inf.")


def check_finite(got, what, hint):
    arr = as_float_array(got, what)
    if not np.all(np.isfinite(arr)):
        raise Fail(f"{what} contains NaN or infinity at logits of size 1000", hint)
    return arr


# Hints of known mistakes, given by public and hidden cases alike.
HINT_SUM_OVER_ROWS = ("your loss is the sum over the rows; the loss is the mean over the rows "
                      "(divide by N).")
HINT_MEAN_OVER_ALL_ENTRIES = ("you averaged over all N*K entries; average over the N rows only, "
                              "summing over the classes.")
HINT_TRUE_CLASS_ONLY = ("only the largest target entered your loss; with soft targets every class "
                        "contributes -t_k log softmax(z)_k.")
