"""The student API of COURSE.md, name by name and parameter by parameter.

Outside grading harnesses and the notebooks call these functions by name and by
keyword, so the release stubs and the references must keep exactly the signatures each
manifest (course/<id>/assignment.yaml, `functions`) states.
"""
import inspect

import pytest

from autograder.course import ASSIGNMENTS, import_path


def _modules():
    for a in ASSIGNMENTS.values():
        for kind, folder in (("release", a.release_dir()), ("reference", a.solution_dir())):
            yield pytest.param(a, folder / a.filename, a.functions, id=f"{a.id}-{kind}")


@pytest.mark.parametrize("assignment, path, functions", list(_modules()))
def test_module_exposes_exactly_the_course_api(assignment, path, functions):
    module = import_path(path, f"_contract_{path.parent.parent.name}_{assignment.module}")
    public = {name for name, obj in vars(module).items()
              if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__ == module.__name__}
    assert public == set(functions), f"public functions differ from the manifest: {sorted(public ^ set(functions))}"
    for name, signature in functions.items():
        # parameter names, order, kinds and defaults, as Python writes the signature
        assert str(inspect.signature(getattr(module, name))) == signature, name


def test_every_manifest_states_the_api():
    assert ASSIGNMENTS and all(a.functions for a in ASSIGNMENTS.values())
