"""Write the data of 08_capstone from scikit-learn's copy of the 8x8 digits (run once; the output is committed).

    pip install scikit-learn            # only needed here, never at run time
    python tools/make_digits_data.py

Writes
  source/08_capstone/data/digits.npz             train + validation splits (shipped to students)
  source/08_capstone/data/LICENSE-digits.txt     license and provenance notice (shipped)
  course/08_capstone/suites/hidden/digits_test.npz   the test split (instructor side only: the
                                                 bundle never ships a suites/hidden/ folder)

Splits are stratified and fixed by SPLIT_SEED: TRAIN_PER_CLASS and VAL_PER_CLASS images of each digit,
the rest is the test split. A fraction LABEL_NOISE of the TRAINING labels is replaced by a uniformly
random digit (the clean ones are kept in y_train_clean) so that a network that memorizes its training
split visibly pays for it on held-out data; validation and test labels are the original ones.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "source" / "08_capstone" / "data"
HIDDEN = ROOT / "course" / "08_capstone" / "suites" / "hidden"
SPLIT_SEED = 2026
TRAIN_PER_CLASS = 15
VAL_PER_CLASS = 30
LABEL_NOISE = 0.25

NOTICE = """\
The 8x8 handwritten digits in digits.npz (and the instructor's test split)
==========================================================================

What: 1,797 images of handwritten digits 0-9, 8x8 pixels with integer
intensities 0..16, as distributed with scikit-learn (sklearn.datasets.load_digits,
scikit-learn {sklearn_version}). This assignment ships {n_train} training and {n_val}
validation images; the remaining {n_test} form a test split kept by the instructor.

Changed here: in the TRAINING split, each label was replaced with probability
{noise} by a uniformly random digit (so about {noise_pct:.0f}% x 9/10 of them are wrong);
y_train holds these labels, y_train_clean the original ones. Validation and
test labels are unchanged. Splits: stratified, fixed seed {seed} (tools/make_digits_data.py).

Origin: a copy of the test set of the "Optical Recognition of Handwritten Digits"
data set of the UCI Machine Learning Repository (E. Alpaydin and C. Kaynak,
1998; https://archive.ics.uci.edu/dataset/80), made from NIST preprocessed
bitmaps: 32x32 bitmaps divided into 4x4 blocks, each pixel counting the "on"
bits of its block.

License: the copy is redistributed as part of scikit-learn under its license:

{license}
"""

SKLEARN_LICENSE = """\
BSD 3-Clause License

Copyright (c) 2007-2026 The scikit-learn developers.
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

* Redistributions of source code must retain the above copyright notice, this
  list of conditions and the following disclaimer.

* Redistributions in binary form must reproduce the above copyright notice,
  this list of conditions and the following disclaimer in the documentation
  and/or other materials provided with the distribution.

* Neither the name of the copyright holder nor the names of its
  contributors may be used to endorse or promote products derived from
  this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def splits(X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SPLIT_SEED)
    parts = {"train": [], "val": [], "test": []}
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(y == digit))
        parts["train"].append(rows[:TRAIN_PER_CLASS])
        parts["val"].append(rows[TRAIN_PER_CLASS:TRAIN_PER_CLASS + VAL_PER_CLASS])
        parts["test"].append(rows[TRAIN_PER_CLASS + VAL_PER_CLASS:])
    out = {}
    for name, rows in parts.items():
        rows = rng.permutation(np.concatenate(rows))
        out[f"X_{name}"], out[f"y_{name}"] = X[rows].astype(np.uint8), y[rows].astype(np.uint8)
    clean = out["y_train"].copy()
    flip = rng.random(clean.size) < LABEL_NOISE
    noisy = clean.copy()
    noisy[flip] = rng.integers(0, 10, int(flip.sum()))
    out["y_train"], out["y_train_clean"] = noisy, clean
    return out


def main() -> None:
    import sklearn
    from sklearn.datasets import load_digits

    digits = load_digits()
    parts = splits(digits.data, digits.target)
    SHIPPED.mkdir(parents=True, exist_ok=True)
    HIDDEN.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(SHIPPED / "digits.npz", **{k: v for k, v in parts.items() if "test" not in k})
    np.savez_compressed(HIDDEN / "digits_test.npz", X_test=parts["X_test"], y_test=parts["y_test"])
    notice = NOTICE.format(sklearn_version=sklearn.__version__, n_train=parts["y_train"].size,
                           n_val=parts["y_val"].size, n_test=parts["y_test"].size, noise=LABEL_NOISE,
                           noise_pct=100 * LABEL_NOISE, seed=SPLIT_SEED, license=SKLEARN_LICENSE)
    (SHIPPED / "LICENSE-digits.txt").write_text(notice)
    (HIDDEN / "LICENSE-digits.txt").write_text(notice)
    wrong = int((parts["y_train"] != parts["y_train_clean"]).sum())
    print(f"wrote {SHIPPED} and {HIDDEN}: train {parts['y_train'].size} ({wrong} wrong labels), "
          f"val {parts['y_val'].size}, test {parts['y_test'].size}")


if __name__ == "__main__":
    main()
