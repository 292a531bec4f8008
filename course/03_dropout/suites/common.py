"""Helpers and hints shared by the dropout suites (shipped with public.py: no case, nothing hidden-only)."""

import numpy as np

from autograder.framework import Fail, as_float_array, expect
from autograder.protocol import Rng

# Products and quotients of a handful of floats: correct implementations differ in
# the last bits at most, so 1e-12 relative is far below any real mistake.
RTOL = 1e-12

HINT_NO_RESCALE = ("your kept values equal x: you forgot the inverted-dropout rescale. "
                   "Divide the kept units by (1 - p), out = x * mask / (1 - p), so that E[out] = x.")
HINT_TIMES_KEEP = ("your kept values equal x * (1 - p): you multiplied by the keep probability instead "
                   "of dividing by it. Inverted dropout computes out = x * mask / (1 - p).")
HINT_SCALED_MASK = ("your mask holds 1/(1 - p) where a unit is kept: return the plain 0/1 mask "
                    "and put the 1/(1 - p) factor in out only.")
HINT_KEEP_IS_P = ("p is the probability of DROPPING a unit: keep each unit with probability 1 - p, "
                  "e.g. mask = rng.random(x.shape) < 1 - p.")
HINT_INFERENCE = ("with training=False dropout is switched off at inference: return x unchanged and a "
                  "mask of ones. With inverted dropout all the scaling happens during training.")
HINT_MASK_INVERTED = ("your out is right for a mask where 1 marks a DROPPED unit, and that is the mask you "
                      "returned: return the keep mask instead (1 = kept, 0 = dropped), the one that satisfies "
                      "out = x * mask / (1 - p) and that dropout_backward multiplies with.")

HINT_RNG = ("draw the mask from the rng argument (e.g. rng.random(x.shape)), not from np.random or a "
            "generator you create: the same seed must give the same mask, different seeds different masks.")
HINT_INDEPENDENT = ("every element of x needs its own independent mask entry: draw the mask with the full "
                    "shape x.shape instead of one value per row or per column.")
HINT_EXACT_FRACTION = ("your mask keeps exactly the same number of units on every call: each unit must be kept "
                       "independently with probability 1 - p (mask_i ~ Bernoulli(1 - p), e.g. "
                       "rng.random(x.shape) < 1 - p), so the number kept varies from call to call. Choosing "
                       "exactly round(p * n) units to drop is not independent dropout.")


def forward(sub, x, p, seed, training=True):
    """Call the student's dropout_forward; return (out, mask) as float arrays of x's shape."""
    x = np.asarray(x, dtype=float)
    return _forward_result(sub.dropout_forward(x, p, Rng(seed), training=training), x)


def _forward_result(result, x):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Fail(f"dropout_forward must return a tuple (out, mask), got {type(result).__name__}"
                   + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    out = as_float_array(result[0], "out")
    mask = as_float_array(result[1], "mask")
    expect(out.shape == x.shape, f"out has shape {out.shape}, expected the shape of x {x.shape}")
    expect(mask.shape == x.shape, f"mask has shape {mask.shape}, expected the shape of x {x.shape}",
           "return one mask entry per element of x (draw it with size x.shape).")
    return out, mask


def check_binary_mask(mask, p):
    if np.all((mask == 0) | (mask == 1)):
        return
    hint = HINT_SCALED_MASK if np.allclose(mask[mask != 0], 1 / (1 - p), rtol=RTOL) else None
    bad = mask[(mask != 0) & (mask != 1)]
    raise Fail(f"the mask must hold only 0 (dropped) and 1 (kept); found {bad.size} other values "
               f"such as {bad.flat[0]:.6g}", hint)


# Hints of known mistakes, given by public and hidden cases alike.
HINT_GRAD_NO_RESCALE = ("your gradient is dout * mask without the 1/(1 - p) factor. The forward "
                        "pass divides the kept units by (1 - p), so the backward pass must "
                        "rescale the gradient in the same way.")
HINT_GRAD_TIMES_KEEP = ("you multiplied by (1 - p); the backward pass divides by (1 - p), like "
                        "the forward pass.")
HINT_DIVIDE_BY_P = "you divided by p; the rescale uses the keep probability 1 - p."
HINT_MASK_IGNORED = ("your gradient is nonzero where the mask is 0: units dropped in the forward "
                     "pass receive no gradient, dx = dout * mask / (1 - p).")
HINT_GRAD_MASK_INVERTED = ("your gradient flows through the DROPPED units (mask 0) and is 0 at "
                           "the kept ones: the mask holds 1 for a kept unit, so dx = dout * mask "
                           "/ (1 - p).")
HINT_RESCALED_TWICE = ("you divided by (1 - p) twice: the forward pass applies the factor 1/(1 - "
                       "p) once, and so does its gradient, dx = dout * mask / (1 - p).")
HINT_SECOND_MOMENT = "your variance is E[y^2]; the variance is E[(y - E[y])^2] = E[y^2] - E[y]^2."
HINT_STANDARD_DEVIATION = ("your second value looks like the standard deviation sqrt(Var(y)); "
                           "return the variance.")
HINT_PLAIN_AVERAGE_OVER_MASKS = ("you averaged the 2^n masks with equal weights, which is only "
                                 "right at p = 0.5. Weigh each mask by its probability (1 - "
                                 "p)^(units kept) * p^(units dropped).")
HINT_MOMENTS_NO_RESCALE = ("your moments are those of y without the 1/(1 - p) rescale: y = sum_i "
                           "w_i h_i m_i / (1 - p).")
HINT_PROBABILITIES_SWAPPED = ("your mask probabilities are the other way round, p^(units kept) * "
                              "(1 - p)^(units dropped): p is the probability of DROPPING a unit, "
                              "so a mask has probability (1 - p)^(units kept) * p^(units dropped).")
HINT_MEAN_TERM_NOT_RESCALED = "the mean term is mean^2 * p / (1 - p): you left out its 1/(1 - p)."
HINT_SCALED_AT_INFERENCE = ("at inference you multiplied x by (1 - p): that is the old, "
                            "non-inverted convention. Here the survivors are divided by (1 - p) "
                            "during training, so inference returns x.")
