"""The student bundle: everything a student needs, nothing an instructor keeps.

Built with `python -m autograder bundle --out DIR --zip` into a temporary folder outside
the repository, then: no solution code, no hidden suite, no graded quiz key, no
solutions/ and no reference module; and `check` and `quiz` work from inside it with a
clean interpreter (no PYTHONPATH, no user site, cwd = the bundle), importing nothing
from the repository checkout.
"""
import ast
import re
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder.course import ASSIGNMENTS

ROOT = Path(__file__).resolve().parent.parent
RELEASED = [a for a in ASSIGNMENTS.values() if (a.release_dir() / a.filename).exists()]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("kit") / "student-kit"
    proc = subprocess.run([sys.executable, "-m", "autograder", "bundle", "--out", str(out), "--zip"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def _files(folder: Path):
    return [p for p in folder.rglob("*") if p.is_file()]


def _texts(folder: Path):
    for p in _files(folder):
        try:
            yield p, p.read_text()
        except UnicodeDecodeError:
            yield p, p.read_bytes().decode("latin-1")


def clean_python(bundle: Path, *args, stdin: str | None = None, timeout=300):
    """Run the bundle's own `python -m autograder ...`: no PYTHONPATH, no user site, cwd = bundle."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([sys.executable, "-E", "-s", *args], cwd=bundle, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


# ============================================================================ contents
def test_has_release_public_suites_and_readme(bundle):
    assert RELEASED, "no assignment is released yet"
    for a in RELEASED:
        for f in _files(a.release_dir()):
            if "__pycache__" in f.parts:
                continue
            rel = f.relative_to(ROOT)
            assert (bundle / rel).read_bytes() == f.read_bytes(), rel
        assert (bundle / "course" / a.id / "assignment.yaml").read_bytes() == \
            (a.folder() / "assignment.yaml").read_bytes()
        assert (bundle / "course" / a.id / "suites" / "public.py").is_file()
        # the rest of the assignment folder is instructor material
        assert sorted(p.relative_to(bundle / "course" / a.id).as_posix()
                      for p in (bundle / "course" / a.id).rglob("*") if p.is_file()) == \
            ["assignment.yaml", "suites/common.py", "suites/public.py"]
    readme = (bundle / "README.md").read_text()
    for command in ("python -m autograder check", "python -m autograder quiz", "pip install -e"):
        assert command in readme
    requirements = (bundle / "requirements.txt").read_text()
    assert "numpy" in requirements and "PyYAML" in requirements
    assert "nbgrader" not in requirements and "pytest" not in requirements


def test_no_solution_code_anywhere(bundle):
    for path, text in _texts(bundle):
        assert "BEGIN SOLUTION" not in text, path
        assert "END SOLUTION" not in text, path
        assert "BEGIN HIDDEN TESTS" not in text, path


def test_no_hidden_suite_solutions_or_instructor_commands(bundle):
    names = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*")}
    assert not [n for n in names if n.endswith("hidden.py")]
    assert not [n for n in names if n.split("/")[0] in ("solutions", "source", "examples", "tests", "tools")]
    for module in ("release", "nbrelease", "cmd_grade", "cmd_gradescope", "cmd_bundle", "cmd_report",
                   "cmd_export", "store"):
        assert f"autograder/{module}.py" not in names


def test_no_reference_module(bundle):
    """Each shipped module is the release stub, and no reference function body is anywhere."""
    for a in RELEASED:
        shipped = bundle / "assignments" / a.id / a.filename
        assert shipped.read_text() == (a.release_dir() / a.filename).read_text()
        reference = (a.solution_dir() / a.filename).read_text()
        stub = (a.release_dir() / a.filename).read_text()
        # the lines that only the reference has (solution code), checked across the whole bundle
        solution_lines = {line.strip() for line in set(reference.splitlines()) - set(stub.splitlines())
                          if len(line.strip()) > 25 and not line.strip().startswith("#")}
        assert solution_lines, a.id
        for path, text in _texts(bundle):
            if path.suffix != ".py":
                continue
            present = {line.strip() for line in text.splitlines()}
            leaked = solution_lines & present
            assert not leaked, f"{path}: reference lines {sorted(leaked)[:3]}"
        for node in ast.walk(ast.parse(stub)):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                assert "NotImplementedError" in ast.unparse(node), f"{a.id}: {node.name} is not a stub"


def test_no_plain_quiz_key(bundle):
    from autograder.quiz import load_quiz

    quizzes = [a for a in ASSIGNMENTS.values() if (a.source_dir() / "quiz.yaml").exists()]
    assert quizzes, "no quiz in source/ yet"
    texts = dict(_texts(bundle))
    for a in quizzes:
        plain = load_quiz(a.source_dir() / "quiz.yaml")
        shipped = bundle / "assignments" / a.id / "quiz.yaml"
        if (a.release_dir() / "quiz.yaml").exists():
            assert shipped.is_file()
        if shipped.is_file():
            data = yaml.safe_load(shipped.read_text())
            assert data["keys"] != "plain"
            assert load_quiz(shipped).hashed
            for q in data["questions"]:
                assert "answer" not in q, f"{a.id} {q['id']}: plain answer field"
        sheet = bundle / "assignments" / a.id / "quiz_answers.yaml"
        if sheet.is_file():  # the blank sheet: no answer filled in
            answers = yaml.safe_load(sheet.read_text()) or {}
            assert all(v is None for v in answers.values()), f"{a.id}: {answers}"
        # the plain explanations and mistake hints would give the key away: none of them is shipped
        for q in plain.questions:
            secrets = [q.explanation_text] + list(q.mistake_hints.values())
            for secret in secrets:
                snippet = " ".join(secret.split())[:60]
                for path, text in texts.items():
                    assert snippet not in " ".join(text.split()), f"{path} holds the plain text of {a.id} {q.id}"


def test_zip_matches_folder(bundle):
    archive = bundle.with_name(bundle.name + ".zip")
    with zipfile.ZipFile(archive) as zf:
        names = {n for n in zf.namelist() if not n.endswith("/")}
        for n in names:
            assert zf.read(n) == (bundle.parent / n).read_bytes(), n
    assert names == {p.relative_to(bundle.parent).as_posix() for p in _files(bundle)}


# ============================================================================ it works, from inside
def test_engine_is_the_bundles_own(bundle):
    proc = clean_python(bundle, "-c", "import autograder, sys; print(autograder.__file__); print(sys.path)")
    assert proc.returncode == 0, proc.stderr
    first, path_line = proc.stdout.splitlines()[:2]
    assert Path(first).resolve().is_relative_to(bundle.resolve())
    # nothing of the repository checkout is importable; its virtual environment's
    # site-packages may be (scripts/setup-env keeps .venv inside the checkout)
    leaks = [entry for entry in ast.literal_eval(path_line)
             if entry and Path(entry).resolve().is_relative_to(ROOT.resolve())
             and "site-packages" not in Path(entry).parts]
    assert leaks == []


def test_check_stub_and_reference_from_inside(bundle, tmp_path):
    a = ASSIGNMENTS["01_penalties"]
    proc = clean_python(bundle, "-m", "autograder", "check", a.id)
    assert proc.returncode == 1, proc.stderr   # tests failed: status 1, as CI needs
    assert "not implemented yet" in proc.stdout
    assert "Total: 0/" in proc.stdout
    # a student who finished (here: the reference, copied in from outside) gets every public point
    module = bundle / "assignments" / a.id / a.filename
    stub = module.read_text()
    try:
        module.write_text((a.solution_dir() / a.filename).read_text())
        proc = clean_python(bundle, "-m", "autograder", "check", a.id)
        assert proc.returncode == 0, proc.stderr
        total = next(line for line in proc.stdout.splitlines() if line.startswith("Total:"))
        got, top = total.split()[1].split("/")
        assert float(got) == float(top) > 0, proc.stdout
    finally:
        module.write_text(stub)


def test_check_gives_a_hint_from_inside(bundle):
    from tests.catalogue import variant_source
    from tests.catalogue import catalogue
    MISTAKES = catalogue(ASSIGNMENTS["01_penalties"]).MISTAKES

    a = ASSIGNMENTS["01_penalties"]
    mistake = next(v for v in MISTAKES if v.name == "l2_gradient_factor_2")
    module = bundle / "assignments" / a.id / a.filename
    stub = module.read_text()
    try:
        module.write_text(variant_source(a, mistake.code))
        proc = clean_python(bundle, "-m", "autograder", "check", a.id)
        assert proc.returncode == 1, proc.stderr
        assert "hint:" in proc.stdout and mistake.hint.lower() in proc.stdout.lower(), proc.stdout
    finally:
        module.write_text(stub)


def test_instructor_commands_are_absent(bundle):
    proc = clean_python(bundle, "-m", "autograder", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "check" in proc.stdout and "quiz" in proc.stdout
    listed = set(re.findall(r"^ {4}([a-z]+)\b", proc.stdout, flags=re.MULTILINE))
    assert {"check", "quiz"} <= listed
    assert not listed & {"release", "grade", "gradescope", "bundle", "report", "export"}, listed


def test_quiz_with_answers_from_inside(bundle, tmp_path):
    from autograder.quiz import load_quiz

    with_quiz = [a for a in RELEASED if (a.release_dir() / "quiz.yaml").exists()]
    assert with_quiz, "no released quiz yet"
    for a in with_quiz:
        plain = load_quiz(a.solution_dir() / "quiz.yaml")
        answers = tmp_path / f"{a.id}_answers.yaml"
        # graded answers are only read (their keys are not in the bundle); practice ones are checked
        answers.write_text("".join(f"{q.id}: {q.raw_answer if q.type == 'numeric' else q.key}\n"
                                   for q in plain.practice) +
                           "".join(f"{q.id}: 1\n" if q.type == "numeric" else f"{q.id}: a\n" for q in plain.graded))
        proc = clean_python(bundle, "-m", "autograder", "quiz", a.id, "--answers", str(answers))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        n, g = len(plain.practice), len(plain.graded)
        assert f"({n} of {n} questions correct; practice never counts" in proc.stdout, proc.stdout
        assert f"Graded questions: {g} of {g} answered." in proc.stdout, proc.stdout
        # and one wrong practice answer is caught (the key is really checked, from the hashes)
        q = plain.practice[0]
        wrong = "999" if q.type == "numeric" else next(ch for ch in q.letters if ch not in q.key)
        answers.write_text(f"{q.id}: {wrong}\n")
        proc = clean_python(bundle, "-m", "autograder", "quiz", a.id, "--answers", str(answers))
        assert "(0 of 1 questions correct" in proc.stdout, proc.stdout


def test_interactive_quiz_from_inside(bundle):
    from autograder.quiz import load_quiz

    a = next((a for a in RELEASED if (a.release_dir() / "quiz.yaml").exists()), None)
    assert a is not None, "no released quiz yet"
    plain = load_quiz(a.solution_dir() / "quiz.yaml")
    typed = "".join(f"{q.raw_answer if q.type == 'numeric' else q.key}\n" for q in plain.practice)
    proc = clean_python(bundle, "-m", "autograder", "quiz", a.id, "--practice", stdin=typed)
    assert proc.returncode == 0, proc.stderr
    n = len(plain.practice)
    assert f"({n} of {n} questions correct" in proc.stdout, proc.stdout
    assert "Explanation:" in proc.stdout  # shown after answering, decoded from the release
    # the graded questions: recorded in the bundle's answer sheet, never judged
    typed = "".join("1\n" if q.type == "numeric" else "a\n" for q in plain.graded)
    proc = clean_python(bundle, "-m", "autograder", "quiz", a.id, stdin=typed)
    assert proc.returncode == 0, proc.stderr
    sheet = bundle / "assignments" / a.id / "quiz_answers.yaml"
    try:
        assert f"saved in {sheet}" in " ".join(proc.stdout.split()) and "Explanation" not in proc.stdout
        saved = yaml.safe_load(sheet.read_text())
        assert {k for k, v in saved.items() if v} == {q.id for q in plain.graded}
    finally:   # later tests expect the blank sheet of the release
        sheet.write_text((a.release_dir() / "quiz_answers.yaml").read_text())


NOTEBOOK_RUNNER = r"""
import json, sys, nbformat
from nbclient import NotebookClient
path = sys.argv[1]
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": "."}}).execute()
outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
print(json.dumps({"errors": [[o["ename"], o["evalue"][:300]] for o in outputs if o["output_type"] == "error"],
                  "images": sum("image/png" in o.get("data", {}) for o in outputs)}))
"""


def test_notebooks_run_inside_the_bundle(bundle, tmp_path):
    """Each released notebook runs from the bundle, with a clean interpreter started in its
    folder, once its module is written (here: the reference, copied in): the course tools
    import, figures are drawn, and the only errors left are the exercises written in the
    notebook's own cells (NotImplementedError until the student answers them)."""
    import json
    import shutil

    kit = tmp_path / "kit"
    shutil.copytree(bundle, kit)
    notebooks = sorted(kit.glob("assignments/*/*.ipynb"))
    assert notebooks, "no released notebook yet"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    for nb in notebooks:
        a = ASSIGNMENTS[nb.parent.name]
        (nb.parent / a.filename).write_text((a.solution_dir() / a.filename).read_text())
        proc = subprocess.run([sys.executable, "-s", "-c", NOTEBOOK_RUNNER, nb.name], cwd=nb.parent, env=env,
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"{nb.relative_to(kit)}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        report = json.loads(proc.stdout.strip().splitlines()[-1])
        others = [e for e in report["errors"] if e[0] != "NotImplementedError"]
        assert not others, f"{nb.name}: {others}"
        assert not [e for e in report["errors"] if a.filename in e[1]], f"{nb.name}: {report['errors']}"
        assert report["images"] > 0, f"{nb.name} drew no figure"


def test_audit_catches_each_kind_of_leak(bundle, tmp_path):
    """The command's own audit (run before it reports success) flags every planted leak."""
    import shutil

    from autograder.cmd_bundle import audit_bundle

    kit = tmp_path / "kit"
    shutil.copytree(bundle, kit)
    assert audit_bundle(kit) == []
    a = ASSIGNMENTS["01_penalties"]
    shutil.copy(a.suites_dir() / "hidden.py", kit / "course" / a.id / "suites" / "hidden.py")
    shutil.copy(a.folder() / "mistakes.py", kit / "course" / a.id / "mistakes.py")
    shutil.copy(a.solution_dir() / a.filename, kit / "assignments" / a.id / a.filename)
    shutil.copy(a.source_dir() / "quiz.yaml", kit / "assignments" / a.id / "quiz.yaml")
    (kit / "solutions").mkdir()
    shutil.copy(ROOT / "autograder/release.py", kit / "autograder/release.py")
    # a graded key kept as a salted hash in the shipped quiz, and the course secret in a file
    from autograder.quiz import DEMO_SECRET_PATH, answer_hash, load_quiz
    b = ASSIGNMENTS["02_proximal"]
    shipped = yaml.safe_load((kit / "assignments" / b.id / "quiz.yaml").read_text())
    q4 = load_quiz(b.source_dir() / "quiz.yaml").question("q4")
    entry = next(q for q in shipped["questions"] if q["id"] == "q4")
    entry.update(salt=q4.salt, key_hash=answer_hash(q4.salt, q4.key))
    (kit / "assignments" / b.id / "quiz.yaml").write_text(yaml.safe_dump(shipped))
    (kit / "notes.txt").write_text(DEMO_SECRET_PATH.read_text())
    problems = "\n".join(audit_bundle(kit))
    for expected in (f"hidden suite course/{a.id}/suites/hidden.py", f"instructor file course/{a.id}/mistakes.py",
                     f"assignments/{a.id}/{a.filename} is the reference solution",
                     f"assignments/{a.id}/quiz.yaml holds plain quiz keys",
                     f"assignments/{a.id}/quiz.yaml holds the plain text, key or secret of quiz",
                     f"assignments/{b.id}/quiz.yaml: ", "holds only its prompt",
                     "notes.txt holds the plain text, key or secret of the course secret",
                     "folder solutions", "instructor command autograder/release.py", "BEGIN SOLUTION"):
        assert expected in problems, expected
