"""The student API of COURSE.md, name by name and parameter by parameter.

Outside grading harnesses and the notebooks call these functions by name and by
keyword, so the release stubs and the references must keep exactly these signatures.
"""
import inspect

import pytest

from autograder.course import ASSIGNMENTS, import_path

# function -> (parameter names in order, defaults of the trailing parameters)
CONTRACT = {
    "01_penalties": {
        "l1_penalty": ("w lam", {}), "l1_subgradient": ("w lam", {}),
        "l2_penalty": ("w lam", {}), "l2_gradient": ("w lam", {}),
        "elastic_net_penalty": ("w lam1 lam2", {}), "elastic_net_gradient": ("w lam1 lam2", {}),
        "l1_scalar_minimizer": ("mu lam", {}), "l2_scalar_minimizer": ("mu lam", {}),
    },
    "02_proximal": {
        "prox_l1": ("v t", {}), "prox_l2": ("v t", {}), "prox_elastic_net": ("v t1 t2", {}),
        "prox_l0": ("v t", {}), "project_max_norm": ("w r axis", {"axis": None}),
        "ista": ("X y lam n_iter step", {"n_iter": 500, "step": None}),
        "fista": ("X y lam n_iter step", {"n_iter": 500, "step": None}),
        "ridge_closed_form": ("X y lam", {}),
    },
    "03_dropout": {
        "dropout_forward": ("x p rng training", {"training": True}),
        "dropout_backward": ("dout mask p", {}),
        "dropout_output_moments": ("w h p", {}),
        "dropout_variance": ("mean var p", {}),
    },
    "04_label_smoothing": {
        "smooth_labels": ("labels num_classes eps spread", {"spread": "uniform"}),
        "softmax": ("z", {}), "cross_entropy": ("z targets", {}),
        "cross_entropy_grad": ("z targets", {}),
        "min_cross_entropy": ("num_classes eps spread", {"spread": "uniform"}),
    },
    "05_optimizers": {
        "sgd_l2_step": ("w grad lr lam", {}), "sgd_weight_decay_step": ("w grad lr lam", {}),
        "adam_init": ("w", {}),
        "adam_l2_step": ("w grad state lr betas eps weight_decay",
                         {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}),
        "adamw_step": ("w grad state lr betas eps weight_decay",
                       {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2}),
    },
    "06_early_stopping": {
        "gd_least_squares": ("X y lr steps w0", {"w0": None}),
        "gd_spectral_filter": ("eigvals lr steps", {}),
        "ridge_spectral_filter": ("eigvals lam", {}),
        "equivalent_lambda": ("lr steps", {}),
        "early_stopping_epoch": ("val_losses patience min_delta", {"min_delta": 0.0}),
    },
    "07_normalization_and_more": {
        "batchnorm_forward": ("x gamma beta eps", {"eps": 1e-5}),
        "batchnorm_backward": ("dout cache", {}),
        "layernorm_forward": ("x gamma beta eps", {"eps": 1e-5}),
        "layernorm_backward": ("dout cache", {}),
        "mixup": ("x y_onehot alpha rng", {}),
        "stochastic_depth": ("x residual survival_prob rng training", {"training": True}),
        "jacobian_penalty": ("W b x", {}),
    },
    "08_capstone": {   # the first five are the student's own functions from 03-05, pasted in
        "dropout_forward": ("x p rng training", {"training": True}),
        "dropout_backward": ("dout mask p", {}),
        "smooth_labels": ("labels num_classes eps spread", {"spread": "uniform"}),
        "softmax": ("z", {}),
        "adamw_step": ("w grad state lr betas eps weight_decay",
                       {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2}),
        "init_mlp": ("layer_sizes rng", {}),
        "mlp_forward": ("params X p_drop rng training", {"training": True}),
        "mlp_backward": ("dlogits cache", {}),
        "smoothed_cross_entropy": ("logits labels eps", {}),
        "loss_and_grads": ("params X labels p_drop eps rng", {}),
        "adamw_update": ("params grads states lr weight_decay betas eps", {"betas": (0.9, 0.999), "eps": 1e-8}),
        "evaluate": ("params X labels", {}),
        "train": ("params data config rng", {}),
    },
}


def _modules():
    for assignment_id, functions in CONTRACT.items():
        a = ASSIGNMENTS[assignment_id]
        for kind, folder in (("release", a.release_dir()), ("reference", a.solution_dir())):
            yield pytest.param(a, folder / a.filename, functions, id=f"{assignment_id}-{kind}")


@pytest.mark.parametrize("assignment, path, functions", list(_modules()))
def test_module_exposes_exactly_the_course_api(assignment, path, functions):
    module = import_path(path, f"_contract_{path.parent.parent.name}_{assignment.module}")
    public = {name for name, obj in vars(module).items()
              if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module.__name__}
    assert public == set(functions), f"public functions differ from COURSE.md: {sorted(public ^ set(functions))}"
    for name, (params, defaults) in functions.items():
        sig = inspect.signature(getattr(module, name))
        assert list(sig.parameters) == params.split(), f"{name}{sig}"
        actual_defaults = {p.name: p.default for p in sig.parameters.values() if p.default is not p.empty}
        assert actual_defaults == defaults, f"{name}{sig}: defaults differ from COURSE.md"


def test_the_contract_covers_every_assignment():
    assert set(CONTRACT) == set(ASSIGNMENTS)
