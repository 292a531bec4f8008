"""Generate the bundled example class: examples/submitted/<student>/<assignment>/ (nbgrader layout).

    python tools/make_example_class.py            # (re)write examples/
    python tools/make_example_class.py --check    # fail if examples/ is out of date

Seven students with a consistent profile each, made from the reference solutions
(solutions/), the release stubs (assignments/) and the mistake catalogues
(course/<id>/mistakes.py), so that `python -m autograder grade examples/submitted`
has something real to grade on a fresh machine and the class report has mistakes to
find. examples/README.md (for people) and examples/manifest.json (for tests) say which
student has which planted mistake. The output is deterministic: no randomness, no
timestamps taken from the clock.

The submissions hold solution code: examples/ is instructor material, like solutions/,
and never goes into the student bundle.
"""
from __future__ import annotations

import argparse
import ast
import filecmp
import json
import re
import shutil
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from autograder.course import ASSIGNMENTS, Assignment  # noqa: E402

EXAMPLES = ROOT / "examples"
SUBMITTED = "submitted"
ANSWERS = "quiz_answers.yaml"

# Who the students are (pseudonyms) and how they work, across every assignment.
STUDENTS = {
    "amara_okafor": "careful: the reference solution everywhere, every quiz answer right",
    "ben_lindqvist": "one classic slip per assignment (the most common mistake), one quiz answer wrong",
    "chloe_martin": "the same classic slip as Ben plus a second mistake, two quiz answers wrong",
    "dev_patel": "two other mistakes per assignment; one answer sheet is malformed YAML",
    "eva_novak": "unusual but correct code (loops, other NumPy calls), quiz right, letters in capitals",
    "femi_adeyemi": "did not start: the untouched release stub and the blank answer sheet",
    "gus_sato": "broken file: a syntax error in odd-numbered assignments, a misspelt function name in "
                "even-numbered ones (and no answer sheet there); quiz otherwise half right",
}

FIXED_TIMESTAMP = "2026-03-{day:02d} 17:{minute:02d}:00.000000 UTC"


@dataclass
class Planted:
    kind: str                 # reference | mistakes | correct_variants | stub | syntax_error | missing_function
    variants: list = field(default_factory=list)   # tests.catalogue.Variant objects
    note: str = ""
    quiz: str = "right"       # right | wrong:N | upper | blank | malformed | absent | half


# ============================================================================ choosing the plants
def _candidates(assignment: Assignment, mistakes: list) -> list:
    """Every mistake, the manifest's example_mistakes first (the classic errors the course warns
    about; names missing from the catalogue are skipped), then one function after another
    (catalogue order)."""
    by_name = {v.name: v for v in mistakes}
    chosen = [by_name[n] for n in assignment.example_mistakes if n in by_name]
    groups: dict[str, list] = {}
    for v in mistakes:
        groups.setdefault(v.function, []).append(v)
    rank = 0
    while any(len(g) > rank for g in groups.values()):
        for g in groups.values():
            if len(g) > rank and g[rank] not in chosen:
                chosen.append(g[rank])
        rank += 1
    return chosen


def _hints_show(assignment: Assignment, variants: list) -> bool:
    """Does grading the reference with these variants spliced in give each variant's hint?

    (In process, with the repository's suites: mistakes can interact -- a wrong forward
    pass changes what the backward pass is checked against -- and a planted mistake must
    be one the report can point at.)
    """
    from tests.catalogue import grade_in_process, variant_module

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # overflow warnings of the mistakes themselves
        module = variant_module(assignment, "\n\n".join(textwrap.dedent(v.code) for v in variants))
        results = grade_in_process(assignment, module)
    for v in variants:
        if not any(r.function == v.function and r.status != "passed" and r.hint
                   and v.hint.lower() in r.hint.lower() for r in results):
            return False
    return True


def _pick_set(assignment: Assignment, candidates: list, size: int, taken: set, start: list | None = None) -> list:
    """The first `size` candidates (after those in `start`) on distinct functions whose hints all show."""
    chosen = list(start or [])
    for v in candidates:
        if len(chosen) == size:
            break
        if v.name in taken or v.function in {c.function for c in chosen} or \
                _defined_functions(v.code) & set().union(*(_defined_functions(c.code) for c in chosen)):
            continue
        if _hints_show(assignment, chosen + [v]):
            chosen.append(v)
    return chosen


def _compatible(variants: list) -> list:
    """Drop variants that rewrite a function an earlier one already rewrote."""
    seen, out = set(), []
    for v in variants:
        names = _defined_functions(v.code) | {v.function}
        if names & seen:
            continue
        seen |= names
        out.append(v)
    return out


def _defined_functions(code: str) -> set[str]:
    return {n.name for n in ast.parse(textwrap.dedent(code)).body if isinstance(n, ast.FunctionDef)}


def plan(assignment: Assignment) -> dict[str, Planted] | None:
    """What each student submits for an assignment (None: the assignment is not ready)."""
    from tests.catalogue import catalogue_entries

    mistakes, correct = catalogue_entries(assignment)
    reference = assignment.solution_dir(ROOT) / assignment.filename
    stub = assignment.release_dir(ROOT) / assignment.filename
    if not mistakes or not reference.exists() or not stub.exists():
        return None
    candidates = _candidates(assignment, mistakes)
    ben = _pick_set(assignment, candidates, 1, set())                       # the classic slip
    chloe = _pick_set(assignment, candidates, 2, set(), start=ben)          # ... and a second one
    dev = _pick_set(assignment, candidates, 2, {v.name for v in chloe})     # two others
    number = int(assignment.id[:2])
    out = {
        "amara_okafor": Planted("reference", quiz="right"),
        "ben_lindqvist": Planted("mistakes", ben, quiz="wrong:1"),
        "chloe_martin": Planted("mistakes", chloe, quiz="wrong:2"),
        "dev_patel": Planted("mistakes", dev, quiz="malformed" if number == 3 else "wrong:1"),
        "eva_novak": Planted("correct_variants", _compatible(correct), quiz="upper"),
        "femi_adeyemi": Planted("stub", quiz="blank"),
        "gus_sato": (Planted("syntax_error", quiz="half") if number % 2 else
                     Planted("missing_function", quiz="absent")),
    }
    return out


# ============================================================================ writing submissions
def splice(reference: str, code: str) -> str:
    """The reference text with the functions defined in `code` replaced, everything else kept.

    Works on lines, not on an AST dump, so comments and docstrings stay as the student
    saw them. Extra top-level statements of `code` (imports, helpers) go after the
    module's last top-level import.
    """
    code = textwrap.dedent(code).strip("\n") + "\n"
    new = ast.parse(code)
    new_lines = code.split("\n")
    lines = reference.split("\n")
    spans, docstrings = {}, {}
    tree = ast.parse(reference)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans[node.name] = (start, node.end_lineno)
            if ast.get_docstring(node) is not None:
                doc = node.body[0]
                docstrings[node.name] = lines[doc.lineno - 1: doc.end_lineno]
    replacements, extras = [], []
    for node in new.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if isinstance(node, ast.FunctionDef):
            if node.name not in spans:
                raise ValueError(f"the reference has no function {node.name}")
            body = new_lines[start - 1: node.end_lineno]
            if ast.get_docstring(node) is None and node.name in docstrings:
                # the student kept the docstring of the release; the catalogue leaves it out
                at = node.body[0].lineno - start
                body = body[:at] + docstrings[node.name] + body[at:]
            replacements.append((spans[node.name], "\n".join(body)))
            continue
        extras.append("\n".join(new_lines[start - 1: node.end_lineno]))
    for (start, end), text in sorted(replacements, reverse=True):
        lines[start - 1:end] = text.split("\n")
    if extras:
        imports = [n.end_lineno for n in ast.parse("\n".join(lines)).body if isinstance(n, (ast.Import, ast.ImportFrom))]
        at = max(imports) if imports else 0
        lines[at:at] = extras
    return "\n".join(lines)


def _function_nodes(text: str) -> list[ast.FunctionDef]:
    return [n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


def break_syntax(text: str) -> tuple[str, str]:
    """An unmatched ')' at the end of the second public function: (new text, function)."""
    fn = _function_nodes(text)[1]
    lines = text.split("\n")
    lines[fn.end_lineno - 1] += ")"
    return "\n".join(lines), fn.name


# The function to misspell where the second one is called by others (its loss would spread to them).
MISSPELT = {"capstone": "init_mlp"}


def misspell_function(text: str, name: str | None = None) -> tuple[str, str, str]:
    """The function `name` (default: the second public one) renamed, as a typo would (first '_' or a
    middle letter dropped)."""
    nodes = _function_nodes(text)
    fn = next(n for n in nodes if n.name == name) if name else nodes[1]
    mid = len(fn.name) // 2
    new_name = fn.name.replace("_", "", 1) if "_" in fn.name else fn.name[:mid] + fn.name[mid + 1:]
    lines = text.split("\n")
    lines[fn.lineno - 1] = re.sub(rf"\bdef {fn.name}\b", f"def {new_name}", lines[fn.lineno - 1], count=1)
    return "\n".join(lines), fn.name, new_name


def module_text(assignment: Assignment, planted: Planted) -> tuple[str, str]:
    """(the module file a student hands in, a one-line description of what is planted)."""
    reference = (assignment.solution_dir(ROOT) / assignment.filename).read_text()
    if planted.kind == "reference":
        return reference, "reference solution"
    if planted.kind == "stub":
        return (assignment.release_dir(ROOT) / assignment.filename).read_text(), "untouched release stub"
    if planted.kind in ("mistakes", "correct_variants"):
        text = reference
        for v in planted.variants:
            text = splice(text, v.code)
        names = ", ".join(f"`{v.name}` ({v.function})" for v in planted.variants)
        if planted.kind == "mistakes":
            return text, f"mistakes: {names}" if names else "reference (no catalogue mistake available)"
        return text, f"correct variants: {names}" if names else "reference (no correct variant available)"
    if planted.kind == "syntax_error":
        text, fn = break_syntax(reference)
        return text, f"syntax error: unmatched ')' at the end of {fn}()"
    if planted.kind == "missing_function":
        text, old, new = misspell_function(reference, MISSPELT.get(assignment.module))
        return text, f"missing function: {old}() defined as {new}()"
    raise ValueError(planted.kind)


# ============================================================================ quiz answers
def _wrong_answer(q, params=None) -> str:
    """A plausible wrong answer: the question's first known mistake, else a near miss."""
    from autograder.quiz import _show_rounded, round_half_up, parse_number

    if q.mistake_hints:
        wrong = next(iter(q.mistake_hints))
        if q.type == "numeric":
            n, _, d = wrong.partition("e-")
            return _show_rounded(int(n), int(d))
        return ", ".join(wrong.split(","))
    if q.type == "numeric":
        n, _, _ = q.key_for(params).partition("e-")
        n = int(n)
        return _show_rounded(2 * n if n else 1, q.decimals)
    letters = q.letters
    key = set(q.key.split(","))
    if q.type == "single":
        return next(ch for ch in letters if ch not in key)
    extra = next((ch for ch in letters if ch not in key), None)
    return ", ".join(sorted(key | {extra})) if extra else ", ".join(sorted(key)[:-1] or letters[0])


def _right_answer(q, upper: bool = False, params=None) -> str:
    from autograder.quiz import _show_canonical
    if q.variant:    # a per-student question: the key of this student's variant
        return _show_canonical(q.key_for(params))
    if q.type == "numeric":
        raw = q.raw_answer
        return str(raw)
    letters = q.key.split(",")
    return ", ".join(ch.upper() if upper else ch for ch in letters)


def answers_text(assignment: Assignment, mode: str, student: str = "") -> tuple[str | None, str]:
    """(quiz_answers.yaml text or None for no file, description). The graded questions, with the
    per-student ones answered for `student` under the demo secret of the example class."""
    from autograder.quiz import DEMO_SECRET_PATH, load_quiz, variant_token

    sheet_path = assignment.release_dir(ROOT) / ANSWERS
    key_path = assignment.solution_dir(ROOT) / "quiz.yaml"
    if not sheet_path.exists() or not key_path.exists():
        return None, "no quiz in this assignment"
    sheet = sheet_path.read_text()
    if mode == "blank":
        return sheet, "blank answer sheet"
    if mode == "absent":
        return None, "no answer sheet submitted"
    quiz = load_quiz(key_path)
    qs = quiz.graded
    token = variant_token(DEMO_SECRET_PATH.read_bytes().strip(), student)
    params = {q.id: q.params_for(token) if q.variant else None for q in qs}
    wrong: set[str] = set()
    if mode.startswith("wrong:"):
        k = int(mode.split(":")[1])
        # prefer questions with a known wrong answer (they give a targeted hint)
        order = sorted(qs, key=lambda q: (not q.mistake_hints, qs.index(q)))
        wrong = {q.id for q in order[:k]}
    elif mode == "half":
        wrong = {q.id for q in qs[::2]}
    answers = {q.id: (_wrong_answer(q, params[q.id]) if q.id in wrong else
                      _right_answer(q, upper=(mode == "upper"), params=params[q.id])) for q in qs}
    lines = []
    for line in sheet.split("\n"):
        m = re.match(r"^([a-z][a-z0-9_]*):(\s*)(#.*)?$", line)
        if m and m.group(1) in answers:
            value = answers[m.group(1)]
            line = f"{m.group(1)}: {value}" + (f"    {m.group(3)}" if m.group(3) else "")
        lines.append(line)
    text = "\n".join(lines)
    if mode == "malformed":
        # a student who explains an answer after a second colon: YAML refuses the line
        first = qs[0]
        text = re.sub(rf"^{first.id}: .*$", f"{first.id}: {_right_answer(first, params=params[first.id])}: because the prior is Laplace",
                      text, count=1, flags=re.MULTILINE)
        return text, "malformed YAML (an explanation after a second colon)"
    desc = {"right": "all right", "upper": "all right, letters in capitals",
            "half": f"{len(wrong)} of {len(qs)} wrong"}.get(mode, f"{len(wrong)} wrong ({', '.join(sorted(wrong))})")
    return text, desc


# ============================================================================ the whole class
def build(dest: Path) -> dict:
    """Write the example class into dest/ (dest/submitted, README.md, manifest.json)."""
    manifest: dict = {"students": STUDENTS, "assignments": {}}
    submitted = dest / SUBMITTED
    ready = []
    for index, assignment in enumerate(ASSIGNMENTS.values()):
        planted = plan(assignment)
        if planted is None:
            continue
        ready.append(assignment.id)
        entry = manifest["assignments"][assignment.id] = {}
        for s_index, (student, p) in enumerate(planted.items()):
            folder = submitted / student / assignment.id
            folder.mkdir(parents=True, exist_ok=True)
            text, what = module_text(assignment, p)
            (folder / assignment.filename).write_text(text)
            quiz_text, quiz_what = answers_text(assignment, p.quiz, student)
            if quiz_text is not None:
                (folder / ANSWERS).write_text(quiz_text)
            (folder / "timestamp.txt").write_text(
                FIXED_TIMESTAMP.format(day=2 + 7 * index // 2 % 27, minute=10 + 5 * s_index) + "\n")
            entry[student] = {
                "kind": p.kind, "module": what, "quiz": quiz_what,
                "mistakes": [{"name": v.name, "function": v.function, "hint": v.hint}
                             for v in p.variants if p.kind == "mistakes"],
            }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    (dest / "README.md").write_text(readme(manifest))
    return manifest


def readme(manifest: dict) -> str:
    out = [
        "# Example class",
        "",
        "Generated by `python tools/make_example_class.py` (do not edit by hand; `--check` proves",
        "it is in sync). Each student folder follows nbgrader's submitted layout,",
        "`submitted/<student>/<assignment>/`, with the module, `quiz_answers.yaml` and `timestamp.txt`.",
        "The submissions are made from the reference solutions and the mistake catalogues",
        "(`course/<id>/mistakes.py`), so this folder holds solution code: it is instructor material.",
        "",
        "Grade it and read the class report:",
        "",
        "```bash",
        "python -m autograder grade examples/submitted --out out/example",
        "python -m autograder report out/example      # out/example/report/index.html",
        "```",
        "",
        "## Students",
        "",
        "| student | profile |",
        "| --- | --- |",
    ]
    out += [f"| `{s}` | {d} |" for s, d in manifest["students"].items()]
    out.append("")
    for aid, entry in manifest["assignments"].items():
        out += [f"## {aid}", "", "| student | module | planted mistakes (expected hint) | quiz answers |",
                "| --- | --- | --- | --- |"]
        for student, e in entry.items():
            hints = "; ".join(f"`{m['function']}`: \"{m['hint']}\"" for m in e["mistakes"]) or "-"
            out.append(f"| `{student}` | {e['module']} | {hints} | {e['quiz']} |")
        out.append("")
    missing = [a for a in ASSIGNMENTS if a not in manifest["assignments"]]
    if missing:
        out += ["Not included yet (no module, release or mistake catalogue when this was generated): "
                + ", ".join(missing) + ".", ""]
    return "\n".join(out)


def diff(expected: Path, actual: Path) -> list[str]:
    from autograder.release import diff_trees

    return diff_trees(expected, actual)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only verify examples/ is up to date")
    parser.add_argument("--out", type=Path, default=EXAMPLES, help="where to write (default: examples/)")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))
            problems = diff(Path(tmp), args.out)
        if problems:
            print("examples/ is out of date; run `python tools/make_example_class.py`:", file=sys.stderr)
            print("\n".join("  " + p for p in problems), file=sys.stderr)
            return 1
        print("examples/ is in sync with its generator")
        return 0
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    manifest = build(args.out)
    n = len(manifest["assignments"])
    print(f"wrote {args.out}: {len(STUDENTS)} students x {n} assignments "
          f"({', '.join(manifest['assignments'])})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
