"""Create a new assignment from the template folder templates/assignment/.

    python tools/new_assignment.py 09_weight_decay decay "One step of weight decay"

writes source/<ID>/ (the student's module with its solution region, quiz.yaml) and course/<ID>/ (the
manifest, the suites, the catalogue, the notebook builder, a reference test): every `*.j2` file of the
template, rendered with Jinja2 (id, module, title, number), with `__id__` and `__module__` in its path
replaced. Then: docs/ADD_AN_ASSIGNMENT.md (build the notebook and the answer sheet, release, check).
Bad input (an id or module in use, an id not NN_name, a module that is not a fresh lowercase Python
name, a title on several lines or with quotes) is one line on stderr and exit 2; nothing is written.
"""
from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from pathlib import Path

import jinja2

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "assignment"
sys.path.insert(0, str(ROOT))

from autograder.course import BadManifest, discover  # noqa: E402


class BadInput(ValueError):
    """One line naming what is wrong with the command line."""


def check_names(assignment_id: str, module: str, title: str, root: Path = ROOT) -> None:
    if not re.fullmatch(r"\d\d_[a-z0-9_]+", assignment_id):
        raise BadInput(f"bad id {assignment_id!r}: two digits, an underscore and lowercase words "
                       "(e.g. 09_weight_decay)")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", module) or keyword.iskeyword(module):
        raise BadInput(f"bad module {module!r}: a lowercase Python name (e.g. weight_decay)")
    if module in sys.stdlib_module_names or module in {"numpy", "autograder", "course_plots", "tests", "tools"}:
        raise BadInput(f"bad module {module!r}: it would shadow the module of that name the grader imports")
    if not title.strip() or not title.isprintable() or any(c in title for c in "\"\\"):
        raise BadInput(f"bad title {title!r}: one printable line without double quotes or backslashes")
    try:
        existing = discover(root / "course").values()
    except BadManifest as exc:
        raise BadInput(str(exc)) from None
    for a in existing:
        if a.id == assignment_id or a.id[:2] == assignment_id[:2]:
            raise BadInput(f"the number {assignment_id[:2]} is taken by {a.id}: pick another "
                           "(commands accept the number alone)")
        if a.module == module:
            raise BadInput(f"the module {module!r} is taken by {a.id}")
    for folder in (root / "course" / assignment_id, root / "source" / assignment_id):
        if folder.exists():
            raise BadInput(f"{folder.relative_to(root)} already exists")


def planned_files(assignment_id: str, module: str, root: Path = ROOT) -> dict[Path, Path]:
    """template file -> where it goes."""
    plan = {}
    for template in sorted(TEMPLATE.rglob("*.j2")):
        rel = template.relative_to(TEMPLATE).as_posix().removesuffix(".j2")
        plan[template] = root / rel.replace("__id__", assignment_id).replace("__module__", module)
    return plan


def create(assignment_id: str, module: str, title: str, root: Path = ROOT) -> list[Path]:
    check_names(assignment_id, module, title, root)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    # readable literals of the title: a Python string for .py templates, a YAML double-quoted scalar for .yaml
    env.filters["python_str"] = repr
    env.filters["yaml_str"] = lambda text: json.dumps(text, ensure_ascii=False)
    values = {"id": assignment_id, "module": module, "title": title.strip(), "number": assignment_id[:2]}
    # render everything before writing anything: a template error leaves no half-made assignment
    rendered = {dst: env.get_template(src.relative_to(TEMPLATE).as_posix()).render(values)
                for src, dst in planned_files(assignment_id, module, root).items()}
    for dst, text in rendered.items():
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text, encoding="utf-8")
    return list(rendered)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("id", help="NN_name, e.g. 09_weight_decay (the folder names and nbgrader's assignment name)")
    p.add_argument("module", help="the student's module name, e.g. weight_decay (file weight_decay.py)")
    p.add_argument("title", help="the assignment's title, one line")
    args = p.parse_args(argv)
    try:
        written = create(args.id, args.module, args.title)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print("wrote", path.relative_to(ROOT))
    n = args.id[:2]
    print(f"next (docs/ADD_AN_ASSIGNMENT.md): python tools/build_notebooks.py {n}; python -m autograder.quiz sheets; "
          f"python -m autograder release {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
