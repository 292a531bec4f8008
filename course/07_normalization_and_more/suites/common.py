"""Helpers and hints shared by the normalization suites (shipped with public.py: no case, nothing hidden-only)."""

HINT_DDOF = ("your output matches the unbiased variance (dividing by the count minus one). Batch and "
             "layer norm use the biased variance, the plain mean of the squared deviations "
             "(np.var's default ddof=0).")
HINT_EPS = ("your output matches (x - mean) / (sqrt(var) + eps): eps belongs inside the square root, "
            "(x - mean) / sqrt(var + eps).")
HINT_NO_AFFINE = "your output is xhat itself: finish with the scale and shift, out = gamma * xhat + beta."
HINT_BN_AXIS = ("your output matches statistics taken over the features of each sample (axis 1), which is "
                "layer norm. Batch norm takes one mean and one variance per feature, over the batch (axis 0).")
HINT_LN_AXIS = ("your output matches statistics taken over the batch for each feature (axis 0), which is "
                "batch norm. Layer norm standardizes each sample over its own features (axis 1).")
HINT_NO_MEAN = ("your dx lacks the - mean(dxhat) term: the mean depends on every input, so subtract the "
                "mean of dxhat over the normalized axis.")
HINT_NO_XHAT = ("your dx lacks the - xhat * mean(dxhat * xhat) term, which comes from the inputs entering "
                "the variance.")
HINT_NO_GAMMA = "your dx looks computed from dxhat = dout: the gradient reaching xhat is dout * gamma."
HINT_NO_BETA = "your output lacks the shift: out = gamma * xhat + beta (you returned gamma * xhat)."
HINT_NO_SCALE = "your output lacks the scale: out = gamma * xhat + beta (you returned xhat + beta)."
HINT_BY_VAR = ("you divided by the variance: standardizing divides by the standard deviation, "
               "xhat = (x - mean) / sqrt(var + eps).")
HINT_DGAMMA_X = ("your dgamma sums dout * x; gamma multiplies the normalized input, so dgamma = sum over the "
                 "batch of dout * xhat.")
HINT_PARAM_MEAN = ("your dgamma and dbeta are averages over the batch: gamma and beta are shared by every sample, "
                   "so their gradients are SUMS over the batch (axis 0), not means.")
HINT_NAIVE = ("your dx = dout * gamma / sqrt(var + eps) treats the mean and the variance as constants; both "
              "depend on x, which adds the terms - mean(dxhat) and - xhat * mean(dxhat * xhat) (over the "
              "normalized axis) before the division.")
HINT_MEANS_N1 = ("the mean terms of your dx divide by the count minus one; they are plain means (divide by the "
                 "count), since the forward uses the plain mean and the biased variance.")
HINT_PARAM_AXIS = ("dgamma and dbeta hold one number per feature: sum over the batch (axis 0), "
                   "giving shape (D,), for batch norm and layer norm alike.")
HINT_FIX_FORWARD = ("your forward's output is wrong on this input too, and this backward reads the cache your "
                    "forward made: fix the forward first, then recheck the backward.")
HINT_GAMMA_AXIS = ("gamma and beta hold one number per feature, shape (D,): gamma * xhat + beta already lines "
                   "them up with the columns of xhat (NumPy broadcasts along the last axis). Reshaping them to "
                   "(D, 1) pairs them with samples instead.")
HINT_KEEPDIMS = ("your per-sample statistics have shape (N,), which does not broadcast against x of shape (N, D) "
                 "(NumPy lines up the LAST axes). Take the mean and variance with keepdims=True, giving shape "
                 "(N, 1), or reshape them to (N, 1).")
HINT_MIX_LABELS = ("y_mix equals y_onehot: the labels must be mixed exactly like the inputs, "
                   "y_mix = lam * y + (1 - lam) * y[perm].")
HINT_MIX_SAME = ("your inputs and labels are not mixed with the same lam and partner: draw lam once per call "
                 "and use that lam and the same perm for x and for y.")
HINT_MIX_ONE_LAM = ("mixup draws ONE lam ~ Beta(alpha, alpha) per call, shared by the whole batch, "
                    "and returns it as a float; your rows are mixed with different weights.")
HINT_MIX_SIDE = ("your x_mix gives the weight lam to the partner row: by the contract lam weights the original "
                 "row, x_mix = lam * x + (1 - lam) * x[perm].")
HINT_MIX_PERM = ("the partners must be a random permutation of the batch, perm = rng.permutation(N): "
                 "every sample is a partner exactly once, and perm changes from call to call.")
HINT_SD_INFERENCE = ("at inference (training=False) the block is x + residual(x): nothing is dropped and "
                     "nothing is divided by survival_prob (that scaling happens in training only).")
HINT_SD_RESCALE = ("kept branches are not rescaled: in training a kept branch is divided by survival_prob, "
                   "out = x + b * residual(x) / survival_prob, so that the expected output is x + residual(x).")
HINT_SD_PAPER = ("x + survival_prob * residual(x) at inference is the original stochastic-depth paper's "
                 "convention (scale at test time). This assignment uses torchvision's: a kept branch is divided by "
                 "survival_prob in training, and at inference (training=False) the block is x + residual(x).")
HINT_SD_WHOLE_OUTPUT = ("you divided the whole output x + b*residual(x) by survival_prob; only the residual "
                        "branch is rescaled: out = x + b * residual(x) / survival_prob.")
HINT_SD_RANDOM_AT_INFERENCE = ("your inference output is random (each row is x or x + residual(x)/survival_prob): "
                               "with training=False nothing is dropped and nothing is rescaled, "
                               "out = x + residual(x), and rng is not used.")
HINT_SD_WHOLE = ("stochastic depth keeps or drops the whole residual branch of a sample: one b per sample "
                 "(row), the same for all of its entries, not one per entry (that would be dropout).")
HINT_J_NO_DERIV = ("your penalty equals ||W||_F^2, the Jacobian of W x + b alone: the chain rule through tanh "
                   "scales row i of W by tanh'(a_i) = 1 - tanh(a_i)^2.")
HINT_J_ONE_MINUS_TANH = "you used 1 - tanh(a) as the derivative of tanh; it is 1 - tanh(a)^2."
HINT_J_NOT_SQUARED = ("the squared Frobenius norm squares every entry of J = diag(1 - tanh^2) W, so the factor "
                      "(1 - tanh(a_i)^2) appears squared: sum_i (1 - tanh(a_i)^2)^2 ||W_i||^2.")
HINT_J_COLUMNS = ("your penalty weights the columns of W: J = diag(1 - tanh(a)^2) W scales the ROWS of W "
                  "(row i of W belongs to output i), so use ||W_i||^2 = sum over the row.")
HINT_J_MEAN = "for a batch of inputs return the mean of the per-sample penalties, not their sum."
HINT_J_NO_BIAS = ("your penalty ignores b: tanh' is evaluated at the pre-activation a = W x + b, bias included "
                  "(tanh'(a_i) = 1 - tanh(W_i x + b_i)^2).")
HINT_J_ROOT = ("you returned the Frobenius norm ||J||_F; the penalty is its SQUARE, "
               "sum_i (1 - tanh(a_i)^2)^2 ||W_i||^2, with no square root.")
HINT_J_UNIT_MEAN = ("you averaged over the H outputs as well: the squared Frobenius norm SUMS over all entries "
                    "of J (all outputs i); only the batch is averaged.")
HINT_RNG = ("draw every random number from the rng argument (rng.beta, rng.permutation, rng.random), not from "
            "np.random or a generator of your own: the same seed must reproduce the same result.")
HINT_SD_PER_SAMPLE = ("in every call all samples were kept or dropped together: draw one Bernoulli(survival_prob) "
                      "per sample, e.g. rng.random(N) < survival_prob, not one for the whole batch.")
