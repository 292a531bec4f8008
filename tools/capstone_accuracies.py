"""Accuracies of 08_capstone's reference, with and without regularization, over seeds (prints JSON).

    python tools/capstone_accuracies.py [SEED ...]     # default: seeds 0-9 and the grading seeds 11, 23

For each seed: the same network is initialized as the end-to-end cases do (course/08_capstone/suites/
common.py: he_init), trained by the reference's train() with the UNREGULARIZED and the REGULARIZED
configuration, and the returned parameters are measured on the training split (its noisy labels),
the validation split and the instructor's test split. tests/test_capstone_reference.py checks the
suites' targets against these figures. Runs with one BLAS thread (the matrices are small).
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.course import ASSIGNMENTS, load_reference  # noqa: E402
from autograder.suites.capstone import common  # noqa: E402

TEST_SPLIT = ROOT / "course" / "08_capstone" / "suites" / "hidden" / "digits_test.npz"


def accuracies(seeds) -> dict:
    ref = load_reference(ASSIGNMENTS["08_capstone"])
    with np.load(TEST_SPLIT) as raw:
        X_test, y_test = raw["X_test"] / 16.0, raw["y_test"].astype(np.int64)
    data = common.data_copy()
    splits = {"train": (data["X_train"], data["y_train"]), "val": (data["X_val"], data["y_val"]),
              "test": (X_test, y_test)}
    out = {}
    for name, config in (("unregularized", common.UNREGULARIZED), ("regularized", common.REGULARIZED)):
        out[name] = {}
        for seed in seeds:
            best, history = ref.train(common.he_init(common.LAYERS, seed), data, config, np.random.default_rng(seed))
            row = {split: float(np.mean(common.predict(best, X) == y)) for split, (X, y) in splits.items()}
            row["epochs_run"] = history["epochs_run"]
            out[name][str(seed)] = row
    return out


if __name__ == "__main__":
    seeds = [int(s) for s in sys.argv[1:]] or [*range(10), 11, 23]
    print(json.dumps(accuracies(seeds), indent=1))
