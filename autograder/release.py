"""Generate the student release (assignments/) and reference solutions (solutions/) from source/.

    python -m autograder release            # regenerate both folders
    python -m autograder release --check    # fail if the committed folders are out of date

Each file of source/<assignment>/ goes through the handler for its kind:
  *.py       release: nbgrader's ClearSolutions turns every ### BEGIN/END SOLUTION
             region into `raise NotImplementedError()`; solutions: markers dropped.
  *.ipynb    autograder.nbrelease (nbgrader's preprocessors).
  quiz.yaml  autograder.quiz (plain keys -> salted hashes in the release).
  others     copied unchanged to both.
"""
from __future__ import annotations

import argparse
import filecmp
import importlib
import shutil
import sys
import tempfile
from pathlib import Path

from .course import ASSIGNMENTS, REPO_ROOT, find_assignment

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
IGNORED = {"__pycache__", ".ipynb_checkpoints", ".DS_Store"}


# ----------------------------------------------------------------------------- modules
def release_module_text(text: str, origin: str = "<module>") -> str:
    """Student stub of a master module: solution regions replaced by nbgrader's code stub."""
    stub = _clear_solutions(text)
    for marker in SOLUTION_MARKERS + HIDDEN_MARKERS:
        if marker in stub:
            raise ValueError(f"{origin}: marker {marker!r} survived the release")
    compile(stub, origin, "exec")  # a stub that does not even import would be useless
    return stub


def _clear_solutions(text: str) -> str:
    """nbgrader's ClearSolutions run on the module as a one-cell Python notebook.

    The cell is not an nbgrader solution cell (a module has scaffolding around its regions, and
    a solution cell without a region would be replaced whole), so enforce_metadata is off: only
    the ### BEGIN/END SOLUTION regions are replaced, exactly as in a notebook's code cells.
    """
    import nbformat
    from nbgrader.preprocessors import ClearSolutions

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(text)])
    notebook.metadata["kernelspec"] = {"language": "python", "name": "python3"}
    cleared, _ = ClearSolutions(enforce_metadata=False).preprocess(notebook, {})
    return cleared.cells[0].source


def solution_module_text(text: str) -> str:
    """Reference module: the solution code stays, the marker lines go."""
    lines = [line for line in text.split("\n") if line.strip() not in SOLUTION_MARKERS]
    return "\n".join(lines)


def release_module(src: Path, dst: Path) -> None:
    dst.write_text(release_module_text(src.read_text(), str(src)))


def solution_module(src: Path, dst: Path) -> None:
    dst.write_text(solution_module_text(src.read_text()))


def _copy(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)


def _lazy(spec: str):
    """'package.module:function', imported when first used (nbgrader and yaml are heavy)."""
    def run(src: Path, dst: Path):
        module, name = spec.split(":")
        return getattr(importlib.import_module(module), name)(src, dst)
    return run


# (matches, make release file, make solution file)
HANDLERS = [
    (lambda p: p.suffix == ".py", release_module, solution_module),
    (lambda p: p.suffix == ".ipynb", _lazy("autograder.nbrelease:release_notebook"),
     _lazy("autograder.nbrelease:solution_notebook")),
    (lambda p: p.name == "quiz.yaml", _lazy("autograder.quiz:release_quiz"),
     _lazy("autograder.quiz:solution_quiz")),
]


def _handlers_for(path: Path):
    for matches, to_release, to_solution in HANDLERS:
        if matches(path):
            return to_release, to_solution
    return _copy, _copy


# ----------------------------------------------------------------------------- whole tree
def build(source: Path, release: Path, solutions: Path, only: list[str] | None = None) -> list[str]:
    """Write release/ and solutions/ from source/; return the assignments built."""
    built = []
    for assignment in ASSIGNMENTS.values():
        if only and assignment.id not in only:
            continue
        src_dir = source / assignment.id
        if not src_dir.is_dir():
            continue
        for out in (release / assignment.id, solutions / assignment.id):
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
        for src in sorted(src_dir.rglob("*")):
            if src.is_dir() or IGNORED & set(src.relative_to(src_dir).parts):
                continue
            rel = src.relative_to(src_dir)
            to_release, to_solution = _handlers_for(src)
            for out_dir, make in ((release / assignment.id, to_release), (solutions / assignment.id, to_solution)):
                dst = out_dir / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                make(src, dst)
        built.append(assignment.id)
    return built


def diff_trees(expected: Path, actual: Path) -> list[str]:
    """Files that differ between two trees, as 'missing', 'extra' or 'stale' lines."""
    problems = []
    exp = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file() and not IGNORED & set(p.parts)}
    act = {p.relative_to(actual) for p in actual.rglob("*") if p.is_file() and not IGNORED & set(p.parts)} \
        if actual.exists() else set()
    for rel in sorted(exp - act):
        problems.append(f"missing: {actual.name}/{rel}")
    for rel in sorted(act - exp):
        problems.append(f"extra:   {actual.name}/{rel}")
    for rel in sorted(exp & act):
        if not filecmp.cmp(expected / rel, actual / rel, shallow=False):
            problems.append(f"stale:   {actual.name}/{rel}")
    return problems


def check(root: Path = REPO_ROOT) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build(root / "source", tmp / "assignments", tmp / "solutions")
        return diff_trees(tmp / "assignments", root / "assignments") + \
            diff_trees(tmp / "solutions", root / "solutions")


def add_parser(sub) -> None:
    p = sub.add_parser("release", help="generate assignments/ and solutions/ from source/")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                   help="only these assignments (default: all)")
    p.add_argument("--check", action="store_true", help="only verify the committed folders are up to date")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    if args.check:
        problems = check()
        if problems:
            print("assignments/ or solutions/ is out of date with source/:", file=sys.stderr)
            print("\n".join("  " + p for p in problems), file=sys.stderr)
            print("run `python -m autograder release` and commit the result", file=sys.stderr)
            return 1
        print("release is in sync with source/")
        return 0
    only = [find_assignment(a).id for a in args.assignments] or None
    built = build(REPO_ROOT / "source", REPO_ROOT / "assignments", REPO_ROOT / "solutions", only)
    print(f"released {len(built)} assignments: {', '.join(built)}")
    return 0
