"""The student bundle: what an instructor hands to students.

    python -m autograder bundle --out DIR [--zip]

DIR gets the release (assignments/), the part of the engine that `check` and
`quiz` need (and `figures` when it runs without solutions), the public suites
(public.py and the common.py it imports, which hidden.py shares),
a student README and a requirements file. It never gets solutions/, a hidden
suite, the reference modules, a graded quiz key (in any form), the course secret, or the
instructor commands
(release, grade, gradescope, bundle, report, export). After writing, the bundle
is scanned and the command fails if anything instructor-only slipped in.

The engine files are chosen by following the imports of the student commands
(`autograder/__main__.py`, `cmd_check.py`, `cmd_quiz.py`, ...) inside the
package, so a new helper that `check` starts to use is shipped automatically,
while a module only the instructor commands use stays out.
"""
from __future__ import annotations

import argparse
import ast
import re
import shutil
import sys
import zipfile
from pathlib import Path

from .course import ASSIGNMENTS, MANIFEST, REPO_ROOT

PACKAGE = "autograder"
# Entry points of the commands a student runs (module names inside the package).
STUDENT_ENTRIES = ["__init__", "__main__", "course", "cmd_check", "cmd_quiz"]
OPTIONAL_STUDENT_ENTRIES = ["cmd_figures"]   # shipped only if it does not need instructor files
# Modules that need solutions/ or source/, or only make sense for the instructor.
INSTRUCTOR_ONLY = {"release", "nbrelease", "cmd_grade", "cmd_gradescope", "cmd_bundle",
                   "cmd_report", "cmd_export", "cmd_release"}
# Text that must never appear in a student bundle.
FORBIDDEN_TEXT = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS")
IGNORED = {"__pycache__", ".ipynb_checkpoints", ".DS_Store", ".pytest_cache"}


# ============================================================================ import closure
def _package_imports(path: Path, package: str = PACKAGE) -> set[str]:
    """Modules of `package` that a file imports, anywhere in it (lazy imports too).

    Relative imports (`from .x import y`, `from . import x`), absolute ones
    (`import autograder.x`) and string specs (`"autograder.x"`, `"autograder.x:fn"`,
    as used by importlib-based lazy loading) all count.
    """
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif node.level == 0 and node.module and node.module.split(".")[0] == package:
                parts = node.module.split(".")
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == package and len(parts) > 1:
                    found.add(parts[1])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in re.finditer(rf"\b{package}\.(\w+)", node.value):
                found.add(match.group(1))
    return found


def engine_closure(entries, package_dir: Path | None = None, exclude=INSTRUCTOR_ONLY) -> list[str]:
    """Top-level modules (and subpackages) of the engine reachable from `entries`.

    Modules in `exclude` are never followed nor returned. `suites` is not part of
    the closure: the suite files are chosen separately (public or hidden).
    """
    package_dir = package_dir or Path(__file__).resolve().parent
    todo = [e for e in entries if (package_dir / f"{e}.py").exists()]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name in exclude or name == "suites":
            continue
        path = package_dir / f"{name}.py"
        if not path.exists():
            sub = package_dir / name / "__init__.py"
            if not sub.exists():
                continue  # e.g. a lazily named module this copy does not have
            seen.add(name)
            for p in (package_dir / name).rglob("*.py"):
                todo.extend(_package_imports(p))
            continue
        seen.add(name)
        todo.extend(_package_imports(path))
    return sorted(seen)


def copy_engine(dest_pkg: Path, modules, package_dir: Path | None = None) -> None:
    package_dir = package_dir or Path(__file__).resolve().parent
    dest_pkg.mkdir(parents=True, exist_ok=True)
    for name in modules:
        src = package_dir / f"{name}.py"
        if src.exists():
            shutil.copyfile(src, dest_pkg / src.name)
        else:
            shutil.copytree(package_dir / name, dest_pkg / name,
                            ignore=shutil.ignore_patterns(*IGNORED, "hidden.py"))


def copy_suites(dest_root: Path, assignments, *, hidden: bool, root: Path = REPO_ROOT,
                package_dir: Path | None = None) -> list[Path]:
    """Copy what grading reads of each assignment folder: course/<id>/assignment.yaml and suites/
    (hidden.py and suites/hidden/ only if asked; never the catalogue, fixtures, notebook builder or
    tests), and the engine's autograder/suites/__init__.py, which maps the suites to those folders."""
    package_dir = package_dir or root / PACKAGE
    (dest_root / PACKAGE / "suites").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(package_dir / "suites" / "__init__.py", dest_root / PACKAGE / "suites" / "__init__.py")
    written = []
    for a in assignments:
        src_dir = a.folder(root)
        sources = [src_dir / MANIFEST] + sorted(p for p in (src_dir / "suites").rglob("*") if p.is_file())
        for src in sources:
            rel = src.relative_to(src_dir)
            if IGNORED & set(rel.parts) or (not hidden and (src.name == "hidden.py" or "hidden" in rel.parts)):
                continue
            dst = dest_root / "course" / a.id / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            written.append(dst)
    return written


def _copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True)


def requirement_lines(names, root: Path = REPO_ROOT) -> list[str]:
    """The pinned lines of requirements.txt for these distributions (name only if not pinned there)."""
    pinned = {}
    req = root / "requirements.txt"
    if req.exists():
        for line in req.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                pinned[re.split(r"[<>=!~\[ ;]", line, 1)[0].lower()] = line
    return [pinned.get(n.lower(), n) for n in names]


def zip_dir(folder: Path, zip_path: Path, prefix: str | None = None,
            executables: tuple[str, ...] = ()) -> Path:
    """Deterministic zip of a folder (sorted entries, fixed timestamps, unix modes kept)."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder)
            if IGNORED & set(rel.parts):
                continue
            arcname = (f"{prefix}/" if prefix else "") + rel.as_posix()
            if path.is_dir():
                info = zipfile.ZipInfo(arcname + "/", date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
                continue
            info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            executable = rel.as_posix() in executables or bool(path.stat().st_mode & 0o100)
            info.external_attr = ((0o100755 if executable else 0o100644) << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    return zip_path


# ============================================================================ the student bundle
STUDENT_REQUIREMENTS = ["numpy", "PyYAML"]
NOTEBOOK_REQUIREMENTS = ["matplotlib", "pillow", "ipykernel", "notebook"]


def _student_readme(assignment_ids: list[str], figures: bool) -> str:
    rows = "\n".join(
        f"| `{a.id}` | `assignments/{a.id}/{a.filename}` | {a.title} |"
        for a in ASSIGNMENTS.values() if a.id in assignment_ids)
    first = ASSIGNMENTS[assignment_ids[0]] if assignment_ids else None
    example_id = first.id if first else "01_penalties"
    example_module = first.filename if first else "penalties.py"
    figures_text = ("\n`python -m autograder figures ASSIGNMENT` draws the figures of an assignment "
                    "from your own code.\n" if figures else "")
    return f"""# Regularization in machine learning: student kit

Everything you need to work on the assignments, check your code and take the quizzes.
Nothing in here contains solutions or the hidden grading tests.

## Set up (once)

You need Python 3.11, 3.12 or 3.13, on Linux, macOS or Windows. In this folder:

```bash
python3 -m venv .venv
. .venv/bin/activate              # Windows: .venv\\Scripts\\activate
python -m pip install -e ".[notebooks]"
```

(`python -m pip install -e .` is enough for `check` and the quizzes: it installs only NumPy and
a YAML reader; `.[notebooks]` adds what the notebooks draw with. `requirements.txt` lists the
exact versions the course was tested with.) After that, `python -m autograder` works from
any folder, for instance from inside `assignments/{example_id}/`.

`check` runs your code in a separate process with a time limit: on Linux in the same sandbox
as the grader, on macOS and Windows in a portable runner that gives the same scores.

## The assignments

| assignment | the file you complete | topic |
| --- | --- | --- |
{rows}

Each folder under `assignments/` holds the module you complete (every function raises
`NotImplementedError` until you write it; keep the signatures and the code outside the
`raise NotImplementedError()` regions), the notebook that goes with it, and the quiz
(`quiz.yaml`, and `quiz_answers.yaml`, your answer sheet).

## Check your work

```bash
python -m autograder check {example_id}        # or: python -m autograder check assignments/{example_id}
```

`check` runs the public tests on your module in a separate process and prints your
score per function, with a hint when your result looks like a known mistake. The graded
score also uses hidden tests (different inputs, same functions), so passing every
public test is necessary, not sufficient.

From inside an assignment's folder, `python -m autograder check` checks the module there.
`--show-output` also shows what your code prints; `-f FUNCTION` checks one function. `check`
exits with status 1 when a test fails (`--exit-zero` makes it 0), so it can run in CI: if your
course uses GitHub Classroom, `.github/workflows/classroom.yml` runs these checks on every
push and reports the points.

## Take the quiz

```bash
python -m autograder quiz {example_id}                        # graded questions: records your answers
python -m autograder quiz {example_id} --variant v-...        # the same, with your personal numbers
python -m autograder quiz {example_id} --practice             # practice questions, instant feedback
python -m autograder quiz {example_id} --answers assignments/{example_id}/quiz_answers.yaml
```

The graded questions count in your grade. The quiz records your answers in
`assignments/{example_id}/quiz_answers.yaml` (you may also edit that file by hand) and checks
only that each answer can be read; they are scored when your submission is graded, and the
explanations come back with your grade. Some questions have personal numbers: your
instructor gives you a variant token (`v-` and 16 characters); pass it once with `--variant`
and it is kept in your answer sheet. Without it you see sample numbers, which are not yours.
The practice questions never count: each answer is checked at once and explained.
In a notebook: `take_quiz("{example_id}")`, or `take_quiz("{example_id}", practice=True)`.
{figures_text}
## Submit

Hand in, for each assignment, your completed module (for example
`assignments/{example_id}/{example_module}`) and your filled `quiz_answers.yaml`,
the way your instructor asks (on Gradescope: upload both files, without renaming them).

## What is (and is not) here

- `assignments/`: the assignments.
- `autograder/`: the part of the course's grader that `check` and `quiz` use, with the
  public tests only (`course/<id>/suites/public.py`).
- Not here: reference solutions, hidden tests, the keys of the graded quiz questions.
"""


def build_bundle(out: Path, root: Path = REPO_ROOT, package_dir: Path | None = None,
                 assignment_ids: list[str] | None = None) -> dict:
    """Write the student bundle into `out` (replaced if it exists). Returns a summary."""
    package_dir = package_dir or root / PACKAGE
    release = root / "assignments"
    if not release.is_dir() or not any(release.iterdir()):
        raise FileNotFoundError(f"{release} is empty: run `python -m autograder release` first")
    ids = [a.id for a in ASSIGNMENTS.values() if (release / a.id).is_dir()
           and (assignment_ids is None or a.id in assignment_ids)]
    out = Path(out)
    if out.exists():
        previous_bundle = (out / PACKAGE / "__main__.py").is_file() and (out / "assignments").is_dir() \
            and not (out / "solutions").exists() and not (out / "source").exists()
        if out.resolve() in (root.resolve(), *root.resolve().parents) or \
                (any(out.iterdir()) and not previous_bundle):
            raise ValueError(f"{out} exists and is not a student bundle: choose a new folder (it is replaced "
                             "only when it holds a previous bundle)")
        shutil.rmtree(out)
    out.mkdir(parents=True)

    for aid in ids:
        _copy_tree(release / aid, out / "assignments" / aid)

    entries = list(STUDENT_ENTRIES)
    figures = _figures_ok(package_dir, root)
    if figures:
        entries += OPTIONAL_STUDENT_ENTRIES
    modules = engine_closure(entries, package_dir)
    copy_engine(out / PACKAGE, modules, package_dir)
    suites = copy_suites(out, [ASSIGNMENTS[a] for a in ids], hidden=False, root=root, package_dir=package_dir)
    extra = []
    if figures:
        for name in _root_modules_for_figures(package_dir, root):
            shutil.copyfile(root / name, out / name)
            extra.append(name)
    for name in notebook_imports(out / "assignments", root):
        src = root / name
        if src.is_dir():
            _copy_tree(src, out / name)
        else:
            shutil.copyfile(src, out / name)
        extra.append(name)

    reqs = requirement_lines(STUDENT_REQUIREMENTS, root)
    notebook_reqs = requirement_lines(NOTEBOOK_REQUIREMENTS, root)
    (out / "requirements.txt").write_text(
        "# What `python -m autograder check` and `quiz` need\n" + "\n".join(reqs) + "\n"
        "# For the notebooks and figures\n" + "\n".join(notebook_reqs) + "\n")
    (out / "README.md").write_text(_student_readme(ids, figures))
    _write_kit_files(out, [PACKAGE] + [name for name in extra if (out / name).is_dir()], ids, root)
    (out / ".gitignore").write_text("__pycache__/\n*.pyc\n.venv/\n.ipynb_checkpoints/\n")

    problems = audit_bundle(out, root)
    if problems:
        raise RuntimeError("the student bundle would leak instructor files:\n  " + "\n  ".join(problems))
    return {"assignments": ids, "engine": modules, "suites": [str(p.relative_to(out)) for p in suites],
            "extra": extra, "figures": figures}


def _write_kit_files(out: Path, packages: list[str], ids: list[str], root: Path) -> None:
    """The kit's pyproject.toml (installable: `pip install -e .`) and its GitHub Classroom workflow."""
    from . import kit

    (out / "pyproject.toml").write_text(kit.kit_pyproject(packages, root))
    workflow = out / kit.WORKFLOW_PATH
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(kit.classroom_workflow([ASSIGNMENTS[a] for a in ids]))


def notebook_imports(release: Path, root: Path = REPO_ROOT) -> list[str]:
    """Top-level packages/modules of the repository that the released notebooks import
    (e.g. the plotting package `course_plots/`); never `autograder` (shipped separately),
    nor anything that is instructor-only.
    """
    import json

    names: set[str] = set()
    for nb in sorted(release.rglob("*.ipynb")):
        if IGNORED & set(nb.parts):
            continue
        try:
            cells = json.loads(nb.read_text()).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            src = cell.get("source", "")
            src = "".join(src) if isinstance(src, list) else src
            for match in re.finditer(r"^\s*(?:from|import)\s+([A-Za-z_]\w*)", src, flags=re.MULTILINE):
                names.add(match.group(1))
    found = []
    for name in sorted(names - {PACKAGE, "solutions", "source", "tests", "tools", "examples"}):
        if (root / name / "__init__.py").is_file():
            found.append(name)
        elif (root / f"{name}.py").is_file():
            found.append(f"{name}.py")
    return found


def _root_modules_for_figures(package_dir: Path, root: Path) -> list[str]:
    """Top-level .py files of the repository that cmd_figures imports (the plotting module)."""
    path = package_dir / "cmd_figures.py"
    if not path.exists():
        return []
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"\w+", node.value):
            names.add(node.value)
    return sorted(f"{n}.py" for n in names if (root / f"{n}.py").is_file())


def _figures_ok(package_dir: Path, root: Path) -> bool:
    """cmd_figures ships only if nothing in it reaches solutions/, source/ or the reference."""
    path = package_dir / "cmd_figures.py"
    if not path.exists():
        return False
    texts = [path.read_text()] + [(root / n).read_text() for n in _root_modules_for_figures(package_dir, root)]
    closure = engine_closure(["cmd_figures"], package_dir, exclude=set())
    if INSTRUCTOR_ONLY & set(closure):
        return False
    return not any(re.search(r"load_reference|solution_dir|source_dir|\bsolutions\b", t) for t in texts)


def audit_bundle(out: Path, root: Path = REPO_ROOT) -> list[str]:
    """Everything in a student bundle that must not be there (empty list: clean)."""
    problems = []
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if path.is_dir():
            if path.name in ("solutions", "source"):
                problems.append(f"folder {rel}")
            continue
        if path.name == "hidden.py" or "hidden" in rel.parts:
            problems.append(f"hidden suite {rel}")
        if path.suffix == ".py" and path.stem in INSTRUCTOR_ONLY and rel.parts[0] == PACKAGE:
            problems.append(f"instructor command {rel}")
        if rel.parts[0] == "course":
            problems += _course_file_problems(path, rel)
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        for marker in FORBIDDEN_TEXT:
            if marker in text:
                problems.append(f"{rel} contains {marker!r}")
    problems += _plain_quiz_leaks(out, root)
    for a in ASSIGNMENTS.values():
        ref = a.solution_dir(root) / a.filename
        if ref.exists():
            ref_text = ref.read_text()
            for path in out.rglob(a.filename):
                if path.read_text() == ref_text:
                    problems.append(f"{path.relative_to(out)} is the reference solution")
    return problems


SHIPPED_SUITE_FILES = {"public.py", "common.py"}


def _course_file_problems(path: Path, rel: Path) -> list[str]:
    """A shipped file of course/<id>/: its manifest, or a shipped suite file (and nothing else: the
    catalogue of mistakes, the fixtures, the notebook builder and the tests stay with the instructor)."""
    if len(rel.parts) == 3 and rel.name == MANIFEST:
        return []
    if rel.parts[2:4] == ("suites", "__pycache__") and rel.name.split(".")[0] + ".py" in SHIPPED_SUITE_FILES:
        return []                      # compiled by the student's own `check`
    if len(rel.parts) == 4 and rel.parts[2] == "suites":
        return _suite_file_problems(path, rel)
    return [] if path.name == "hidden.py" or "hidden" in rel.parts else [f"instructor file {rel}"]


def _suite_file_problems(path: Path, rel: Path) -> list[str]:
    """A shipped file of course/<id>/suites/: public.py, or common.py holding only what public.py uses.

    common.py (what public.py and hidden.py share) goes out with public.py, so it may declare
    no case, reach no reference or hidden suite, and define nothing that public.py does not
    use (directly or through common.py's own helpers): whatever only hidden.py needs stays there.
    """
    if path.name == "hidden.py":
        return []                      # reported as a hidden suite already
    if path.name not in SHIPPED_SUITE_FILES:
        return [f"unexpected suite file {rel}"]
    if path.name != "common.py":
        return []
    problems = []
    try:
        tree = ast.parse(path.read_text(), str(path))
    except SyntaxError as exc:
        return [f"{rel} does not parse: {exc.msg}"]
    defined: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined[node.name] = node
            if any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "case" or getattr(d, "id", "") == "case"
                   for d in node.decorator_list):
                problems.append(f"{rel} declares a case ({node.name}): cases go in public.py or hidden.py")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                if isinstance(target, ast.Name):
                    defined[target.id] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            names = [a.name for a in node.names]
            if any(m.split(".")[-1] == "hidden" for m in modules) or "hidden" in names or \
                    any(m.split(".")[0] in ("solutions", "source") for m in modules):
                problems.append(f"{rel} imports instructor-only code")
    if "load_reference" in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
            {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}:
        problems.append(f"{rel} reaches the reference solution")
    public = path.with_name("public.py")
    used: set[str] = set()
    if public.is_file():
        common_module = f"{PACKAGE}.suites.{_module_of(rel.parts[1])}.common"
        for node in ast.walk(ast.parse(public.read_text(), str(public))):
            if isinstance(node, ast.ImportFrom) and node.module == common_module:
                used.update(a.name for a in node.names)
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "common":
                used.add(node.attr)
    todo = list(used & set(defined))
    while todo:
        node = defined[todo.pop()]
        for ref in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(defined) - used:
            used.add(ref)
            todo.append(ref)
    for name in sorted(set(defined) - used):
        problems.append(f"{rel} defines {name}, which public.py does not use (hidden-only material stays "
                        "in hidden.py)")
    return problems


def _module_of(assignment_id: str) -> str:
    found = ASSIGNMENTS.get(assignment_id)
    return found.module if found else assignment_id


def _plain_quiz_leaks(out: Path, root: Path) -> list[str]:
    """Shipped quiz files hold no graded key in any form (not even hashed) and only hashed practice
    keys; no explanation or hint of the plain quizzes, and no course secret, appears anywhere."""
    import yaml

    from .quiz import (DEMO_SECRET_PATH, HASH_SCHEME, QuizError, answer_hash, load_quiz, parse_quiz,
                       read_secret)

    problems = []
    for path in out.rglob("quiz.yaml"):
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            continue
        if isinstance(data, dict) and data.get("keys", "plain") != HASH_SCHEME:
            problems.append(f"{path.relative_to(out)} holds plain quiz keys")
            continue
        try:
            shipped = parse_quiz(data, str(path.relative_to(out)))
        except QuizError as exc:
            problems.append(f"{path.relative_to(out)}: {exc}")
            continue
        problems += [f"{path.relative_to(out)}: graded question {q.id} carries a key"
                     for q in shipped.graded if q.checkable or q.variant_formula]
    secrets: list[tuple[str, str]] = []
    for a in ASSIGNMENTS.values():
        src = a.source_dir(root) / "quiz.yaml"
        if src.is_file():
            for q in load_quiz(src).questions:
                where = f"quiz {a.id} {q.id}"
                secrets += [(where, " ".join(t.split())[:60])
                            for t in [q.explanation_text or ""] + list(q.mistake_hints.values()) if t.strip()]
                if q.graded and q.key is not None:
                    secrets.append((where, answer_hash(q.salt, q.key)))
    course_secrets = {DEMO_SECRET_PATH.read_bytes().strip().decode(errors="replace")}
    try:
        course_secrets.add(read_secret()[0].decode(errors="replace"))
    except (QuizError, OSError):
        pass
    secrets += [("the course secret of the quiz variants", s) for s in course_secrets if s]
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        try:
            text = " ".join(path.read_text().split())
        except (UnicodeDecodeError, OSError):
            continue
        for where, snippet in secrets:
            if snippet in text:
                problems.append(f"{path.relative_to(out)} holds the plain text, key or secret of {where}")
    return problems


# ============================================================================ CLI
def add_parser(sub) -> None:
    p = sub.add_parser("bundle", help="write the student bundle (release, public tests, check and quiz)")
    p.add_argument("--out", "-o", required=True, type=Path, help="folder to write (replaced if it exists)")
    p.add_argument("--zip", action="store_true", help="also write OUT.zip next to the folder")
    p.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="only these assignments (default: all)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    from .course import find_assignment

    only = [find_assignment(a).id for a in args.assignments] or None
    try:
        summary = build_bundle(args.out, assignment_ids=only)
    except (FileNotFoundError, RuntimeError, ValueError) as exc:
        print(f"bundle: {exc}", file=sys.stderr)
        return 1
    print(f"student bundle written to {args.out}")
    print(f"  assignments: {', '.join(summary['assignments'])}")
    print(f"  engine: {', '.join(summary['engine'])}" + (" (+ figures)" if summary["figures"] else ""))
    print(f"  public suites: {len(summary['suites'])} files; no solutions, hidden tests or graded quiz keys")
    if args.zip:
        out = Path(args.out)
        zip_path = zip_dir(out, out.with_name(out.name + ".zip"), prefix=out.name)
        print(f"  zip: {zip_path}")
    return 0
