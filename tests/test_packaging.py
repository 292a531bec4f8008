"""The course installs with pip, and each installable holds what its user may have, and nothing more.

- pyproject.toml and requirements.txt agree (every pin is a declared dependency and meets its
  range; every dependency CI installs is pinned), and requires-python agrees with NumPy's own;
- the instructor's wheel (`pip wheel .`) holds the engine and the plotting package, never the
  assignment folders (course/), solutions/, source/, the release, the tests or the tools;
- the student kit's wheel holds the student commands only (its public suites are in its course/
  folder), and depends on NumPy and PyYAML only;
- in a fresh virtual environment, `pip install .` gives a console command that grades students
  of the example class, and `pip install -e .` runs the checkout's own engine.
"""
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from autograder.course import ASSIGNMENTS, REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
DIST = PROJECT["name"]


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"requirements.txt pins exact versions: {line}"
            pins[req.name.lower()] = Version(spec.version)
    return pins


def _declared(*extras: str) -> dict[str, Requirement]:
    """The requirements of the base and these extras, self-references (DIST[extra]) followed."""
    found: dict[str, Requirement] = {}
    todo = [Requirement(r) for r in PROJECT["dependencies"]]
    todo += [Requirement(r) for e in extras for r in PROJECT["optional-dependencies"][e]]
    while todo:
        req = todo.pop()
        if req.name == DIST:
            todo += [Requirement(r) for e in req.extras for r in PROJECT["optional-dependencies"][e]]
        else:
            found[req.name.lower()] = req
    return found


def test_requirements_txt_and_pyproject_agree():
    pins = _pins()
    everything = _declared(*PROJECT["optional-dependencies"])
    ci = _declared("dev")
    assert set(pins) <= set(everything), f"pinned but not declared: {sorted(set(pins) - set(everything))}"
    assert set(ci) <= set(pins), f"declared for CI (.[dev]) but not pinned: {sorted(set(ci) - set(pins))}"
    for name, version in pins.items():
        assert everything[name].specifier.contains(version), f"{name}=={version} outside {everything[name]}"
    # what a student installs: NumPy and a YAML reader, nothing else
    assert set(_declared("student")) == {"numpy", "pyyaml"}


def test_requires_python_agrees_with_the_pinned_numpy():
    numpy_pin = _pins()["numpy"]
    assert Version(importlib.metadata.version("numpy")) == numpy_pin, "the environment is not requirements.txt's"
    numpy_needs = SpecifierSet(importlib.metadata.metadata("numpy")["Requires-Python"])
    ours = SpecifierSet(PROJECT["requires-python"])
    floor = lambda spec: min(Version(s.version) for s in spec if s.operator == ">=")  # noqa: E731
    assert floor(ours) >= floor(numpy_needs), f"requires-python {ours} admits Pythons numpy {numpy_pin} refuses"
    assert floor(ours) == Version("3.11")
    assert PROJECT["license"] and all((REPO_ROOT / f).is_file() for f in PROJECT["license-files"])
    assert (REPO_ROOT / "CHANGELOG.md").read_text().startswith("# Changelog")


def _wheel(source: Path, dest: Path) -> zipfile.ZipFile:
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    (wheel,) = dest.glob("*.whl")
    return zipfile.ZipFile(wheel)


def _metadata(wheel: zipfile.ZipFile) -> str:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return wheel.read(name).decode()


def test_instructor_wheel_holds_the_engine_and_suites_but_no_course_data(tmp_path):
    names = set(_wheel(REPO_ROOT, tmp_path).namelist())
    tops = {n.split("/")[0] for n in names}
    assert tops == {"autograder", "course_plots", f"{DIST.replace('-', '_')}-{PROJECT['version']}.dist-info"}
    for module in ("__main__", "portable", "portable_worker", "sandbox", "worker", "cmd_grade", "cmd_check"):
        assert f"autograder/{module}.py" in names
    # the suites are course data (course/<id>/suites/), read from the course folder like source/
    assert not any(n.startswith(("course/", "autograder/suites/penalties")) or n.endswith(("public.py", "hidden.py"))
                   for n in names)
    assert "autograder/suites/__init__.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("kit") / "student-kit"
    done = subprocess.run([sys.executable, "-m", "autograder", "bundle", "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def test_student_kit_wheel_holds_the_student_commands_and_needs_numpy_and_pyyaml(kit, tmp_path):
    wheel = _wheel(kit, tmp_path)
    names = set(wheel.namelist())
    assert {n.split("/")[0] for n in names} - {"autograder", "course_plots"} == {
        next(n.split("/")[0] for n in names if ".dist-info/" in n)}
    # the public suites are the kit's course data (course/<id>/suites/, next to assignments/)
    for a in ASSIGNMENTS.values():
        assert (kit / "course" / a.id / "suites" / "public.py").is_file()
        assert not (kit / "course" / a.id / "suites" / "hidden.py").exists()
    leaks = [n for n in names if n.endswith("hidden.py") or "solutions" in n or "source/" in n
             or re.search(r"autograder/(cmd_grade|cmd_gradescope|cmd_bundle|release|nbrelease|kit)\.py$", n)]
    assert leaks == []
    requires = [line.split(":", 1)[1].strip() for line in _metadata(wheel).splitlines()
                if line.startswith("Requires-Dist:")]
    base = {Requirement(r).name.lower() for r in requires if "extra ==" not in r}
    assert base == {"numpy", "pyyaml"}


def _fresh_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / ("Scripts" if os.name == "nt" else "bin")


def _run(bin_dir: Path, *args, cwd=REPO_ROOT, timeout=900):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "AUTOGRADER_RUNNER")}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=timeout)


def test_pip_install_gives_a_console_command_that_grades_the_example_class(tmp_path):
    bin_dir = _fresh_venv(tmp_path / "venv")
    done = _run(bin_dir, bin_dir / "python", "-m", "pip", "install", "-q", str(REPO_ROOT))
    assert done.returncode == 0, done.stderr
    # two students of the example class: one with every answer right, one with planted mistakes
    submitted = tmp_path / "submitted"
    for student in ("amara_okafor", "ben_lindqvist"):
        (submitted / student).mkdir(parents=True)
        src = REPO_ROOT / "examples" / "submitted" / student / "01_penalties"
        dst = submitted / student / "01_penalties"
        dst.mkdir()
        for f in src.iterdir():
            (dst / f.name).write_bytes(f.read_bytes())
    done = _run(bin_dir, bin_dir / "autograder", "grade", submitted, "--out", tmp_path / "out", "--workers", "1")
    assert done.returncode == 0, done.stderr
    rows = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[1:]
    scores = {r.split(",")[0]: (float(r.split(",")[2]), float(r.split(",")[3])) for r in rows}
    manifest = json.loads((REPO_ROOT / "examples" / "manifest.json").read_text())["assignments"]["01_penalties"]
    assert manifest["amara_okafor"]["kind"] == "reference"
    assert scores["amara_okafor"][0] == scores["amara_okafor"][1] > 0
    assert scores["ben_lindqvist"][0] < scores["ben_lindqvist"][1]
    # the installed copy is not the checkout's: it found the course's data from the working folder
    # (the console script imports the installed copy: its sys.path starts with the venv's bin, not the checkout)
    done = _run(bin_dir, bin_dir / "python", "-c", "import autograder, sys; print(autograder.__file__)", cwd=tmp_path)
    assert "site-packages" in done.stdout
    # and the student's command is there too
    done = _run(bin_dir, bin_dir / "autograder-check", "solutions/01_penalties", "-f", "l2_gradient")
    assert done.returncode == 0 and "1/1" in done.stdout, done.stdout + done.stderr
    # an editable install runs the checkout's own engine
    done = _run(bin_dir, bin_dir / "python", "-m", "pip", "install", "-q", "-e", str(REPO_ROOT))
    assert done.returncode == 0, done.stderr
    done = _run(bin_dir, bin_dir / "python", "-c", "import autograder; print(autograder.__file__)", cwd=tmp_path)
    assert Path(done.stdout.strip()).resolve().is_relative_to(REPO_ROOT.resolve()), done.stdout + done.stderr
    # and `check` runs from inside an assignment folder of the checkout, with no environment variable
    done = _run(bin_dir, bin_dir / "python", "-m", "autograder", "check", "-f", "l2_gradient",
                cwd=REPO_ROOT / "assignments" / "01_penalties")
    assert done.returncode == 1 and "not implemented yet" in done.stdout, done.stdout + done.stderr
