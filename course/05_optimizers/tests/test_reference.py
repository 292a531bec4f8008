"""The reference solution of assignment 05 (optimizers.py) against PyTorch and COURSE.md.

Fixtures: course/05_optimizers/fixtures/optimizers.json, made by course/05_optimizers/fixtures/make.py with
torch.optim.{SGD, Adam, AdamW} in float64 (torch is not needed to run these tests).
"""
import copy
import inspect

import numpy as np
import pytest

from autograder.course import find_assignment, import_path, load_reference
from tests.fixtures_io import load_fixture

A = find_assignment("05_optimizers")
ref = load_reference(A)
FIX = load_fixture("optimizers")


def _close_to_scale(got, expected, tol=1e-12):
    """|got - expected| <= tol * (largest |expected| of the array), entrywise.

    torch updates the moments with lerp (m + (1 - beta1)*(g - m)), which rounds an
    entry near zero relative to the terms it came from, not to itself; so the
    error is measured against the size of the array, not of each entry.
    """
    got, expected = np.asarray(got, float), np.asarray(expected, float)
    assert got.shape == expected.shape
    scale = np.max(np.abs(expected))
    err = np.max(np.abs(got - expected))
    assert err <= tol * scale, f"max error {err:.3g} exceeds {tol:g} * {scale:.3g}"


# ============================================================================ torch fixtures
@pytest.mark.parametrize("key, fn", [("adam", "adam_l2_step"), ("adamw", "adamw_step")])
def test_adam_and_adamw_match_torch_step_for_step(key, fn):
    runs = FIX[key]
    assert len(runs) >= 5 and any(r["weight_decay"] == 0 for r in runs)
    for run in runs:
        hp = dict(lr=run["lr"], betas=tuple(run["betas"]), eps=run["eps"], weight_decay=run["weight_decay"])
        w = np.array(run["w0"])
        state = ref.adam_init(w)
        assert len(run["grads"]) >= 50
        for k, grad in enumerate(run["grads"]):
            w, state = getattr(ref, fn)(w, np.array(grad), state, **hp)
            # 1e-12 of the array's scale at every one of the 60 steps (measured: ~1e-16)
            _close_to_scale(w, run["iterates"][k])
            _close_to_scale(state["m"], run["m"][k])
            _close_to_scale(state["v"], run["v"][k])
            assert state["step"] == run["step"][k] == k + 1


@pytest.mark.parametrize("fn", ["sgd_l2_step", "sgd_weight_decay_step"])
def test_sgd_steps_match_torch_sgd_with_weight_decay(fn):
    for run in FIX["sgd"]:
        w = np.array(run["w0"])
        for k, grad in enumerate(run["grads"]):
            w = getattr(ref, fn)(w, np.array(grad), run["lr"], run["lam"])
            # torch computes w - lr*(grad + lam*w); 1e-13 relative: a few roundings per step, 20 steps
            np.testing.assert_allclose(w, run["iterates"][k], rtol=1e-13, atol=1e-15)


def test_fixture_records_the_library_versions():
    import json
    from tests.fixtures_io import fixture_path
    made_with = json.loads(fixture_path("optimizers").read_text())["generated_with"]
    assert made_with["torch"].startswith("2.") and "numpy" in made_with


# ============================================================================ practice problem 1 / erratum 3
def test_practice_problem_1_pre_step_decay_equals_sgd_l2_exactly():
    # Dyadic numbers (k/64) make every product and sum exact in float64, so the two
    # formulas must give bitwise the same weights, not just close ones.
    w = np.array([1.5, -0.75, 2.0, 0.125, -3.25])
    grad = np.array([0.5, 0.25, -1.0, 2.0, -0.375])
    lr, lam = 0.5, 0.25
    l2 = ref.sgd_l2_step(w, grad, lr, lam)
    decay = ref.sgd_weight_decay_step(w, grad, lr, lam)
    assert np.array_equal(l2, decay)
    # decaying *after* the gradient step (the material's first derivation) is off by exactly lr^2*lam*grad
    post = (1 - lr * lam) * (w - lr * grad)
    assert np.array_equal(post - decay, lr ** 2 * lam * grad)
    assert not np.array_equal(post, decay)


def test_practice_problem_1_on_random_inputs():
    rng = np.random.default_rng(0)
    for shape in [(10,), (4, 5), ()]:
        w, grad = rng.normal(size=shape), rng.normal(size=shape)
        lr, lam = rng.uniform(0, 0.5), rng.uniform(0, 2)
        decay = ref.sgd_weight_decay_step(w, grad, lr, lam)
        # the two orders of operations round differently: equal to a few ulps (1e-14 absolute, O(1) values)
        np.testing.assert_allclose(ref.sgd_l2_step(w, grad, lr, lam), decay, rtol=1e-14, atol=1e-14)
        post = (1 - lr * lam) * (w - lr * grad)
        np.testing.assert_allclose(post - decay, lr ** 2 * lam * grad, rtol=1e-9, atol=1e-15)


def test_sgd_worked_values():
    w, grad = np.array([1.0, -2.0, 0.5]), np.array([0.5, 0.5, -1.0])
    # 1e-15: three roundings of numbers of order 1
    np.testing.assert_allclose(ref.sgd_l2_step(w, grad, 0.1, 0.2), [0.93, -2.01, 0.59], rtol=1e-15)
    np.testing.assert_allclose(ref.sgd_weight_decay_step(w, grad, 0.1, 0.2), [0.93, -2.01, 0.59], rtol=1e-15)
    # lam = 0 is plain SGD, lr = 0 leaves w alone
    assert np.array_equal(ref.sgd_weight_decay_step(w, grad, 0.1, 0.0), w - 0.1 * grad)
    assert np.array_equal(ref.sgd_l2_step(w, grad, 0.0, 0.7), w)


# ============================================================================ quiz Q3: AdamW decouples the decay
def test_adam_l2_and_adamw_coincide_without_decay_and_differ_with_it():
    rng = np.random.default_rng(1)
    w, grad = rng.normal(size=6), rng.normal(size=6)
    state = {"step": 4, "m": 0.1 * rng.normal(size=6), "v": rng.uniform(0.01, 0.1, size=6)}
    a, sa = ref.adam_l2_step(w, grad, state, lr=1e-2, weight_decay=0.0)
    b, sb = ref.adamw_step(w, grad, state, lr=1e-2, weight_decay=0.0)
    assert np.array_equal(a, b) and np.array_equal(sa["m"], sb["m"]) and np.array_equal(sa["v"], sb["v"])
    a, _ = ref.adam_l2_step(w, grad, state, lr=1e-2, weight_decay=0.1)
    b, _ = ref.adamw_step(w, grad, state, lr=1e-2, weight_decay=0.1)
    assert np.max(np.abs(a - b)) > 1e-4


def test_adamw_decay_is_uniform_while_adam_l2_decay_is_rescaled_per_weight():
    # Two weights of the same value, one with large gradients, one with small ones.
    w = np.array([1.0, 1.0])
    state = {"step": 10, "m": np.array([5.0, 0.005]), "v": np.array([30.0, 3e-5])}
    grad = np.array([6.0, 0.006])
    lr, wd = 1e-3, 0.1

    def decay_effect(fn):
        with_decay, _ = fn(w, grad, state, lr=lr, weight_decay=wd)
        without, _ = fn(w, grad, state, lr=lr, weight_decay=0.0)
        return without - with_decay  # how much further the decay moved each weight

    adamw = decay_effect(ref.adamw_step)
    # AdamW: lr*wd*w = 1e-4 for both weights; rtol 1e-11 because the difference of two O(1)
    # weights carries ~1e-16 of absolute rounding
    np.testing.assert_allclose(adamw, lr * wd * w, rtol=1e-11)
    adam_l2 = decay_effect(ref.adam_l2_step)
    # Adam-L2: the decay is divided by sqrt(v_hat): the weight with big gradients barely decays
    assert adam_l2[1] > 100 * adam_l2[0] > 0


def test_first_adam_step_moves_each_weight_by_about_lr():
    rng = np.random.default_rng(2)
    w, grad = rng.normal(size=8), rng.normal(size=8)
    for fn in (ref.adam_l2_step, ref.adamw_step):
        w_new, state = fn(w, grad, ref.adam_init(w), lr=1e-3, weight_decay=0.0)
        # bias correction at t = 1 gives m_hat = g, v_hat = g^2: the step is lr*g/(|g| + eps)
        np.testing.assert_allclose(w - w_new, 1e-3 * grad / (np.abs(grad) + 1e-8), rtol=1e-12)
        assert state["step"] == 1


# ============================================================================ purity and input handling
def _frozen(x):
    return copy.deepcopy(x)


@pytest.mark.parametrize("fn", ["adam_l2_step", "adamw_step"])
def test_adam_steps_are_pure(fn):
    rng = np.random.default_rng(3)
    w, grad = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    state = {"step": 2, "m": rng.normal(size=(3, 4)), "v": rng.uniform(size=(3, 4))}
    before = _frozen((w, grad, state))
    w_new, state_new = getattr(ref, fn)(w, grad, state, lr=1e-2, weight_decay=0.3)
    assert np.array_equal(w, before[0]) and np.array_equal(grad, before[1])
    assert state["step"] == 2 and set(state) == {"step", "m", "v"}
    assert np.array_equal(state["m"], before[2]["m"]) and np.array_equal(state["v"], before[2]["v"])
    assert state_new is not state and state_new["step"] == 3
    for new in (w_new, state_new["m"], state_new["v"]):
        for old in (w, grad, state["m"], state["v"]):
            assert not np.shares_memory(new, old)


@pytest.mark.parametrize("fn", ["sgd_l2_step", "sgd_weight_decay_step"])
def test_sgd_steps_are_pure_and_accept_lists(fn):
    w, grad = np.array([1.0, 2.0]), np.array([0.5, -0.5])
    out = getattr(ref, fn)(w, grad, 0.1, 0.3)
    assert np.array_equal(w, [1.0, 2.0]) and np.array_equal(grad, [0.5, -0.5])
    assert not np.shares_memory(out, w)
    assert np.array_equal(getattr(ref, fn)([1.0, 2.0], [0.5, -0.5], 0.1, 0.3), out)


def test_adam_init_shapes_and_fresh_arrays():
    for shape in [(), (4,), (2, 3), (2, 1, 3)]:
        w = np.ones(shape)
        state = ref.adam_init(w)
        assert state["step"] == 0
        for key in ("m", "v"):
            assert state[key].shape == shape and not state[key].any()
            assert not np.shares_memory(state[key], w)
        assert not np.shares_memory(state["m"], state["v"])
    assert ref.adam_init([1.0, 2.0])["m"].shape == (2,)


def test_adam_steps_accept_lists_and_a_float_step_count():
    state = {"step": 1.0, "m": [0.1, -0.2], "v": [0.01, 0.04]}
    a, sa = ref.adamw_step([1.0, 2.0], [0.3, 0.1], state, lr=0.01)
    b, sb = ref.adamw_step(np.array([1.0, 2.0]), np.array([0.3, 0.1]),
                           {"step": 1, "m": np.array([0.1, -0.2]), "v": np.array([0.01, 0.04])}, lr=0.01)
    assert np.array_equal(a, b) and sa["step"] == sb["step"] == 2


BAD_STEP_CALLS = [
    (dict(lr=-1e-3), "lr"),
    (dict(weight_decay=-0.1), "weight_decay"),
    (dict(betas=(1.0, 0.999)), "beta1"),
    (dict(betas=(0.9, -0.1)), "beta2"),
    (dict(betas=(0.9,)), "betas"),
    (dict(eps=0.0), "eps"),
    (dict(eps=-1e-8), "eps"),
]


@pytest.mark.parametrize("fn", ["adam_l2_step", "adamw_step"])
@pytest.mark.parametrize("kwargs, word", BAD_STEP_CALLS)
def test_adam_steps_reject_bad_hyperparameters(fn, kwargs, word):
    w = np.zeros(3)
    with pytest.raises(ValueError, match=word):
        getattr(ref, fn)(w, np.ones(3), ref.adam_init(w), **kwargs)


@pytest.mark.parametrize("fn", ["adam_l2_step", "adamw_step"])
def test_adam_steps_reject_malformed_states_and_shapes(fn):
    w, g = np.zeros(3), np.ones(3)
    step = getattr(ref, fn)
    bad_states = [
        ({"m": np.zeros(3), "v": np.zeros(3)}, "keys"),
        ([0, np.zeros(3), np.zeros(3)], "dict"),
        ({"step": -1, "m": np.zeros(3), "v": np.zeros(3)}, "step"),
        ({"step": 1.5, "m": np.zeros(3), "v": np.zeros(3)}, "step"),
        ({"step": 0, "m": np.zeros(4), "v": np.zeros(3)}, "shape"),
        ({"step": 0, "m": np.zeros(3), "v": np.zeros((3, 1))}, "shape"),
        ({"step": 1, "m": np.zeros(3), "v": -np.ones(3)}, "negative"),
    ]
    for state, word in bad_states:
        with pytest.raises(ValueError, match=word):
            step(w, g, state)
    with pytest.raises(ValueError, match="shape"):
        step(w, np.ones(4), ref.adam_init(w))


@pytest.mark.parametrize("fn", ["sgd_l2_step", "sgd_weight_decay_step"])
def test_sgd_steps_reject_bad_input(fn):
    step = getattr(ref, fn)
    with pytest.raises(ValueError, match="lr"):
        step(np.zeros(2), np.zeros(2), -0.1, 0.1)
    with pytest.raises(ValueError, match="lam"):
        step(np.zeros(2), np.zeros(2), 0.1, -0.1)
    with pytest.raises(ValueError, match="shape"):
        step(np.zeros(2), np.zeros((2, 1)), 0.1, 0.1)
    with pytest.raises(ValueError, match="w"):
        step(["a", "b"], np.zeros(2), 0.1, 0.1)


# ============================================================================ the release keeps the contract
def test_release_stub_keeps_signatures_docstrings_and_checks():
    stub = import_path(A.release_dir() / A.filename, "_stub_optimizers_reference_test")
    public = [n for n, f in inspect.getmembers(ref, inspect.isfunction) if not n.startswith("_")]
    assert sorted(public) == sorted(["sgd_l2_step", "sgd_weight_decay_step", "adam_init", "adam_l2_step",
                                     "adamw_step"])
    for name in public:
        assert inspect.signature(getattr(stub, name)) == inspect.signature(getattr(ref, name))
        assert inspect.getdoc(getattr(stub, name)) == inspect.getdoc(getattr(ref, name))
    w = np.zeros(2)
    state = {"step": 0, "m": np.zeros(2), "v": np.zeros(2)}
    for call in (lambda: stub.sgd_l2_step(w, w, 0.1, 0.1), lambda: stub.sgd_weight_decay_step(w, w, 0.1, 0.1),
                 lambda: stub.adam_init(w), lambda: stub.adam_l2_step(w, w, state),
                 lambda: stub.adamw_step(w, w, state)):
        with pytest.raises(NotImplementedError):
            call()
    # the input checks are scaffolding, so the student's copy keeps them
    with pytest.raises(ValueError, match="lam"):
        stub.sgd_l2_step(w, w, 0.1, -1.0)
    with pytest.raises(ValueError, match="eps"):
        stub.adamw_step(w, w, state, eps=0.0)
    source = (A.release_dir() / A.filename).read_text()
    assert "BEGIN SOLUTION" not in source and "np.sqrt" not in source
