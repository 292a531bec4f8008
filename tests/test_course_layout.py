"""The assignment is the unit: each course/<id>/assignment.yaml is one assignment, discovered; the
engine names none; a manifest that cannot be read stops a command with one line naming the file."""
import ast
import io
import os
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

import autograder
from autograder.course import ASSIGNMENTS, MANIFEST, REPO_ROOT, BadManifest, discover

GOOD = """id: 01_toy
module: toy
title: A toy assignment
functions:
  f: '(x)'
figures:
  01_toy.png: course_plots.fig_toy
preview: 01_toy.png
"""


def _course(tmp_path: Path, manifests: dict[str, str]) -> Path:
    for folder, text in manifests.items():
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / MANIFEST).write_text(text)
    return tmp_path


def test_a_manifest_is_an_assignment(tmp_path):
    (toy,) = discover(_course(tmp_path, {"01_toy": GOOD})).values()
    assert (toy.id, toy.module, toy.title, toy.filename) == ("01_toy", "toy", "A toy assignment", "toy.py")
    assert toy.functions == {"f": "(x)"} and toy.preview == "01_toy.png" and toy.catalogue_audits


@pytest.mark.parametrize("text, says", [
    ("id: [unclosed\n", "cannot be read as YAML"),
    ("- a list\n", "expected a mapping"),
    (GOOD.replace("module: toy\n", ""), "missing or not text: module"),
    (GOOD.replace("id: 01_toy", "id: 02_toy"), "differs from its folder's name"),
    (GOOD.replace("module: toy", "module: not-a-name"), "a Python name"),
    (GOOD.replace("  f: '(x)'", "  f: [x]"), "functions must map names to strings"),
    (GOOD.replace("preview: 01_toy.png", "preview: other.png"), "not one of its figures"),
    (GOOD + "catalogue_audits: perhaps\n", "catalogue_audits must be true or false"),
])
def test_a_bad_manifest_is_one_error_naming_the_file(tmp_path, text, says):
    course = _course(tmp_path, {"01_toy": text})
    with pytest.raises(BadManifest) as caught:
        discover(course)
    assert str(caught.value).startswith(str(course / "01_toy" / MANIFEST)) and says in str(caught.value)


def test_two_assignments_cannot_share_a_module(tmp_path):
    course = _course(tmp_path, {"01_toy": GOOD, "02_toy": GOOD.replace("01_toy", "02_toy")})
    with pytest.raises(BadManifest, match="share the module 'toy'"):
        discover(course)


def test_a_bad_manifest_stops_the_command_with_one_line(tmp_path):
    """A course folder of its own (the engine, a release, one broken manifest): the command prints
    one line naming the file and exits 2, no traceback."""
    shutil.copytree(Path(autograder.__file__).parent, tmp_path / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "assignments").mkdir()
    _course(tmp_path / "course", {"01_toy": "id: [unclosed\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != "AUTOGRADER_COURSE_ROOT"}
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", "01"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert str(tmp_path / "course" / "01_toy" / MANIFEST) in proc.stderr


def test_the_checkouts_assignments_are_its_course_folders():
    assert list(ASSIGNMENTS) == sorted(p.parent.name for p in (REPO_ROOT / "course").glob(f"*/{MANIFEST}"))


@pytest.mark.parametrize("a", list(ASSIGNMENTS.values()), ids=lambda a: a.id)
def test_suites_import_from_the_assignment_folder(a):
    import importlib.util
    public = importlib.util.find_spec(f"autograder.suites.{a.module}.public")   # found, not run
    assert Path(public.origin).resolve() == (a.suites_dir() / "public.py").resolve()


def _named_in(path: Path, names: set[str]) -> list[str]:
    """Identifiers and whole string literals of a source file that are an assignment's id, module or file."""
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        value = tok.string
        if tok.type == tokenize.STRING:
            try:
                value = ast.literal_eval(tok.string)
            except (ValueError, SyntaxError):
                continue
        elif tok.type != tokenize.NAME:
            continue
        if value in names:
            found.append(f"{path.relative_to(REPO_ROOT)}:{tok.start[0]}: {value}")
    return found


def test_the_engine_names_no_assignment():
    names = {n for a in ASSIGNMENTS.values() for n in (a.id, a.module, a.filename)}
    engine = sorted((REPO_ROOT / "autograder").rglob("*.py"))
    assert engine and not [hit for path in engine for hit in _named_in(path, names)]
