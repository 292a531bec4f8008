"""The student kit's GitHub Classroom workflow: valid in Classroom's format, and its commands really grade.

The format is that of GitHub Classroom's autograding actions: each
classroom-resources/autograding-command-grader@v1 step takes test-name and command (required),
setup-command, timeout (minutes, at most 6 hours) and max-score; the
classroom-resources/autograding-grading-reporter@v1 step takes `runners`, a comma-separated
list of step ids made of letters and digits, and reads each runner's result from the
environment variable <ID IN CAPITALS>_RESULTS. The commands are run here in a fresh virtual
environment, in a copy of the kit, as the workflow's job would: the kit's stubs fail every
step, a finished module passes every step, and a known mistake fails only its function's step.
"""
import os
import shutil
import sys
import subprocess
import venv
from pathlib import Path

import jsonschema
import pytest
import yaml

from autograder import kit
from autograder.course import ASSIGNMENTS, REPO_ROOT
from tests.catalogue import variant_source

A = ASSIGNMENTS["01_penalties"]

GRADER_STEP = {
    "type": "object",
    "required": ["name", "id", "uses", "with"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "id": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*$"},
        "uses": {"const": kit.GRADER_ACTION},
        "with": {
            "type": "object",
            "required": ["test-name", "command"],
            "additionalProperties": False,
            "properties": {
                "test-name": {"type": "string", "minLength": 1},
                "setup-command": {"type": "string"},
                "command": {"type": "string", "minLength": 1},
                "timeout": {"type": "integer", "minimum": 1, "maximum": 360},
                "max-score": {"type": "number", "exclusiveMinimum": 0},
            },
        },
    },
}
REPORTER_STEP = {
    "type": "object",
    "required": ["name", "uses", "env", "with"],
    "properties": {
        "uses": {"const": kit.REPORTER_ACTION},
        "with": {"type": "object", "required": ["runners"], "additionalProperties": False,
                 "properties": {"runners": {"type": "string", "pattern": "^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$"}}},
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
WORKFLOW = {
    "type": "object",
    "required": ["name", "on", "permissions", "jobs"],
    "properties": {
        "on": {"type": "array", "contains": {"const": "push"}},
        "permissions": {"const": {"checks": "write", "actions": "read", "contents": "read"}},
        "jobs": {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {
            "type": "object", "required": ["runs-on", "steps"],
            "properties": {"runs-on": {"const": "ubuntu-latest"}, "steps": {"type": "array", "minItems": 3}}}},
    },
}


@pytest.fixture(scope="module")
def kit_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom") / "kit"
    done = subprocess.run([sys.executable, "-m", "autograder", "bundle", "--out", str(out), A.id],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def _workflow(kit_dir: Path) -> dict:
    data = yaml.safe_load((kit_dir / kit.WORKFLOW_PATH).read_text())
    assert "on" in data, "the `on` key must be quoted: YAML 1.1 readers take a bare on for true"
    return data


def _steps(data: dict) -> list[dict]:
    (job,) = data["jobs"].values()
    return job["steps"]


def _graders(data: dict) -> list[dict]:
    return [s for s in _steps(data) if s.get("uses") == kit.GRADER_ACTION]


def test_the_workflow_follows_github_classrooms_format(kit_dir):
    data = _workflow(kit_dir)
    jsonschema.validate(data, WORKFLOW)
    steps = _steps(data)
    assert steps[0]["uses"].startswith("actions/checkout@")
    assert any(s.get("uses", "").startswith("actions/setup-python@") for s in steps)
    graders = _graders(data)
    for step in graders:
        jsonschema.validate(step, GRADER_STEP)
    ids = [s["id"] for s in graders]
    assert len(set(ids)) == len(ids)
    reporter = steps[-1]
    jsonschema.validate(reporter, REPORTER_STEP)
    assert reporter["with"]["runners"].split(",") == ids
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids}
    # one step per function of the public tests, worth that function's public points
    points = kit.public_points(A)
    assert [s["with"]["command"] for s in graders] == [f"python -m autograder check {A.id} -f {f}" for f in points]
    assert [s["with"]["max-score"] for s in graders] == list(points.values())
    assert sum(points.values()) > 0


def _venv_with_the_kit(root: Path, kit_copy: Path) -> dict:
    """A fresh venv; the workflow's `run` steps executed in the kit copy with it first on PATH."""
    venv.EnvBuilder(with_pip=True, clear=True).create(root)
    bin_dir = root / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "AUTOGRADER_RUNNER")}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    for step in _steps(_workflow(kit_copy)):
        if "run" in step:
            done = subprocess.run(step["run"], shell=True, cwd=kit_copy, env=env, capture_output=True, text=True,
                                  timeout=900)
            assert done.returncode == 0, f"{step['name']}: {done.stderr}"
    return env


def _step_results(kit_copy: Path, env: dict) -> dict[str, bool]:
    """Each grader step's outcome as the command grader sees it: passed when its command exits 0."""
    results = {}
    for step in _graders(_workflow(kit_copy)):
        done = subprocess.run(step["with"]["command"], shell=True, cwd=kit_copy, env=env, capture_output=True,
                              text=True, timeout=60 * step["with"]["timeout"])
        assert "Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr
        results[step["id"]] = done.returncode == 0
    return results


def test_the_workflows_commands_grade_in_a_clean_venv(kit_dir, tmp_path):
    from tests.catalogue import catalogue
    MISTAKES = catalogue(A).MISTAKES

    kit_copy = tmp_path / "repo"
    shutil.copytree(kit_dir, kit_copy)
    env = _venv_with_the_kit(tmp_path / "venv", kit_copy)
    module = kit_copy / "assignments" / A.id / A.filename
    # the installed kit also runs from inside the assignment's folder, with no environment variable
    done = subprocess.run(["python", "-m", "autograder", "check"], cwd=module.parent, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1 and "not implemented yet" in done.stdout, done.stdout + done.stderr
    assert set(_step_results(kit_copy, env).values()) == {False}          # the stubs
    module.write_text((A.solution_dir() / A.filename).read_text())
    assert set(_step_results(kit_copy, env).values()) == {True}           # a finished module
    mistake = next(v for v in MISTAKES if v.name == "l2_gradient_factor_2")
    module.write_text(variant_source(A, mistake.code))
    failed = [sid for sid, ok in _step_results(kit_copy, env).items() if not ok]
    assert failed == [kit.step_id(A, "l2_gradient")]
