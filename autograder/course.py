"""The assignments of the course and where their files live.

Assignments are discovered: each course/<id>/assignment.yaml (id, module, title, functions,
figures...) is one, and its folder holds everything instructor-side of it (suites/, mistakes.py,
fixtures/, notebook.py, tests/). The student's files stay in source/<id>/ (nbgrader's source
folder, all of which nbgrader copies: nothing hidden goes there).
"""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

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


COURSE_DIR = REPO_ROOT / "course"   # one folder per assignment: course/<id>/assignment.yaml, suites/, ...
MANIFEST = "assignment.yaml"


@dataclass(frozen=True)
class Assignment:
    id: str          # nbgrader assignment name, e.g. "01_penalties"
    module: str      # student module name, e.g. "penalties" (file penalties.py)
    title: str
    functions: dict[str, str] = field(default_factory=dict, compare=False)   # name -> signature "(w, lam)"
    figures: dict[str, str] = field(default_factory=dict, compare=False)     # file -> "course_plots.fig_x"
    preview: str | None = None        # the figure file that opens the notebook (one of `figures`)
    example_mistakes: tuple[str, ...] = ()   # catalogue entries the example class plants first

    @property
    def suite(self) -> str:
        """Package name of the grading suites: autograder.suites.<module> (in suites_dir)."""
        return self.module

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    def folder(self, root: Path | None = None) -> Path:
        """Everything instructor-side of the assignment: course/<id>/."""
        return (COURSE_DIR if root is None else root / "course") / self.id

    def suites_dir(self, root: Path | None = None) -> Path:
        return self.folder(root) / "suites"

    def source_dir(self, root: Path = REPO_ROOT) -> Path:
        return root / "source" / self.id

    def release_dir(self, root: Path = REPO_ROOT) -> Path:
        return root / "assignments" / self.id

    def solution_dir(self, root: Path = REPO_ROOT) -> Path:
        return root / "solutions" / self.id


class BadManifest(UsageError, ValueError):
    """A course/<id>/assignment.yaml that cannot describe an assignment."""


def _mapping(data: dict, key: str, path: Path) -> dict[str, str]:
    value = data.get(key) or {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise BadManifest(f"{path}: {key} must map names to strings")
    return value


def read_manifest(path: Path) -> Assignment:
    """One assignment from its manifest; a manifest that cannot be read is one BadManifest naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BadManifest(f"{path}: cannot be read as YAML ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise BadManifest(f"{path}: expected a mapping with id, module and title")
    missing = [k for k in ("id", "module", "title") if not isinstance(data.get(k), str) or not data[k]]
    if missing:
        raise BadManifest(f"{path}: missing or not text: {', '.join(missing)}")
    if data["id"] != path.parent.name:
        raise BadManifest(f"{path}: id {data['id']!r} differs from its folder's name {path.parent.name!r}")
    if not re.fullmatch(r"\d\d_\w+", data["id"]) or not data["module"].isidentifier():
        raise BadManifest(f"{path}: the id is NN_name and the module a Python name")
    mistakes = data.get("example_mistakes") or []
    if not isinstance(mistakes, list) or not all(isinstance(m, str) for m in mistakes):
        raise BadManifest(f"{path}: example_mistakes must be a list of names")
    figures = _mapping(data, "figures", path)
    preview = data.get("preview")
    if preview is not None and preview not in figures:
        raise BadManifest(f"{path}: preview {preview!r} is not one of its figures")
    return Assignment(data["id"], data["module"], data["title"], _mapping(data, "functions", path), figures,
                      preview, tuple(mistakes))


def discover(course_dir: Path = COURSE_DIR) -> dict[str, Assignment]:
    """Every assignment of the course: one per course/<id>/assignment.yaml, in id order."""
    found = [read_manifest(p) for p in sorted(course_dir.glob(f"*/{MANIFEST}"))]
    for key in ("id", "module"):
        names = [getattr(a, key) for a in found]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise BadManifest(f"{course_dir}: two assignments share the {key} {twice[0]!r}")
    return {a.id: a for a in found}


ASSIGNMENTS: dict[str, Assignment] = discover()


def by_module(module: str) -> Assignment | None:
    return next((a for a in ASSIGNMENTS.values() if a.module == module), None)


def suite_module(path: Path) -> str:
    """The assignment module a suite file (course/<id>/suites/public.py) grades."""
    folder = Path(path).resolve().parent
    found = next((a for a in ASSIGNMENTS.values() if a.suites_dir().resolve() == folder), None)
    return found.module if found else folder.name


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
