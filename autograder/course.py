"""The assignments of the course and where their files live."""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError


def _is_course_folder(folder: Path) -> bool:
    """A checkout of the course or a student kit: the release, next to the engine or the master copies."""
    return (folder / "assignments").is_dir() and ((folder / "autograder").is_dir() or (folder / "source").is_dir())


def _course_root() -> Path:
    """The folder holding the course's data (source/, assignments/, solutions/, examples/).

    The package's own parent when it runs from a checkout, a student kit or an editable install;
    an installed copy (`pip install .`) has no data beside it, so it uses the folder named by
    AUTOGRADER_COURSE_ROOT, else the course folder the command runs in (or one above it).
    """
    package_parent = Path(__file__).resolve().parent.parent
    if _is_course_folder(package_parent):
        return package_parent
    named = os.environ.get("AUTOGRADER_COURSE_ROOT")
    if named:
        return Path(named).expanduser().resolve()
    here = Path.cwd().resolve()
    return next((p for p in (here, *here.parents) if _is_course_folder(p)), package_parent)


REPO_ROOT = _course_root()


@dataclass(frozen=True)
class Assignment:
    id: str          # nbgrader assignment name, e.g. "01_penalties"
    module: str      # student module name, e.g. "penalties" (file penalties.py)
    title: str

    @property
    def suite(self) -> str:
        """Package name of the grading suites: autograder.suites.<module>."""
        return self.module

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    def source_dir(self, root: Path = REPO_ROOT) -> Path:
        return root / "source" / self.id

    def release_dir(self, root: Path = REPO_ROOT) -> Path:
        return root / "assignments" / self.id

    def solution_dir(self, root: Path = REPO_ROOT) -> Path:
        return root / "solutions" / self.id


ASSIGNMENTS: dict[str, Assignment] = {
    a.id: a
    for a in [
        Assignment("01_penalties", "penalties", "L1, L2 and elastic-net penalties"),
        Assignment("02_proximal", "proximal", "Proximal operators, ISTA/FISTA, ridge"),
        Assignment("03_dropout", "dropout", "Inverted dropout and its variance"),
        Assignment("04_label_smoothing", "label_smoothing", "Label smoothing and cross-entropy"),
        Assignment("05_optimizers", "optimizers", "SGD weight decay, Adam-L2 vs AdamW"),
        Assignment("06_early_stopping", "early_stopping", "Early stopping as a spectral filter"),
        Assignment("07_normalization_and_more", "normalization",
                   "Batch/layer norm, mixup, stochastic depth, Jacobian penalty"),
        Assignment("08_capstone", "capstone", "Capstone: a regularized network trained on real digits"),
    ]
}


class UnknownAssignment(UsageError, ValueError):
    """An assignment id, number or module name that is not one of the course's."""


def find_assignment(name: str) -> Assignment:
    """Look an assignment up by id ("01_penalties"), number ("01", "1") or module name."""
    key = name.strip().rstrip("/").split("/")[-1]
    if key.endswith(".py"):
        key = key[:-3]
    for a in ASSIGNMENTS.values():
        if key in (a.id, a.module) or (key.isdigit() and int(key) == int(a.id[:2])):
            return a
    known = ", ".join(ASSIGNMENTS)
    raise UnknownAssignment(f"unknown assignment {name!r}; known assignments: {known}")


def import_path(path: Path, name: str):
    """Import a Python file under a private module name (trusted side only)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def load_reference(assignment: Assignment, root: Path = REPO_ROOT):
    """The reference solution module, imported on the trusted side.

    Never call this inside a sandbox worker: the worker must not hold it in memory.
    """
    name = f"_reference_{assignment.module}"
    if name in sys.modules:
        return sys.modules[name]
    path = assignment.solution_dir(root) / assignment.filename
    if not path.exists():
        raise FileNotFoundError(f"reference solution missing: {path} (run `python -m autograder release`; an "
                                "installed copy reads the course from the folder it runs in or AUTOGRADER_COURSE_ROOT)")
    return import_path(path, name)
