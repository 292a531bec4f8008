"""The Gradescope autograder bundle, run the way Gradescope runs it.

The zip is built with `python -m autograder gradescope`, extracted (keeping unix modes,
as `unzip` does) into <tmp>/source of a temporary directory standing in for /autograder,
run_autograder is copied to <tmp>/run_autograder, a submission goes into <tmp>/submission,
and run_autograder runs in a subprocess with AUTOGRADER_ROOT=<tmp> and no PYTHONPATH, so
only the bundle's own files are used. results.json is checked against Gradescope's
documented format (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
"""
import json
import os
import shutil
import stat
import subprocess
import sys
import time
import tempfile
import zipfile
from pathlib import Path

import pytest

from autograder.course import find_assignment
from tests.catalogue import variant_source
from tests.zips import extract as extract_zip

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = find_assignment("01_penalties")
REFERENCE = (ASSIGNMENT.solution_dir() / ASSIGNMENT.filename).read_text()
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def bundle_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gradescope") / "01_penalties.zip"
    proc = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "01_penalties", "-o", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture
def autograder_root():
    # Not pytest's tmp_path: its parents are private to root, and the unprivileged user
    # that runs student code must be able to reach nothing here anyway -- but the root
    # stands in for /autograder, which is world-traversable on Gradescope.
    root = Path(tempfile.mkdtemp(prefix="autograder-root-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def run_autograder(bundle_zip: Path, root: Path, files: dict[str, str], timeout=600, env_extra=None) -> dict:
    extract_zip(bundle_zip, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    submission = root / "submission"
    submission.mkdir()
    for name, text in files.items():
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        (submission / name).write_text(text)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(AUTOGRADER_ROOT=str(root), PYTHON=sys.executable, **(env_extra or {}))
    proc = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    results = root / "results" / "results.json"
    assert results.is_file(), proc.stdout + proc.stderr
    data = json.loads(results.read_text())
    assert_gradescope_format(data)
    return data


def assert_gradescope_format(data: dict) -> None:
    """Gradescope's documented results.json format (independent of the module's own validator)."""
    assert isinstance(data, dict)
    assert "score" in data or data.get("tests"), "needs a top-level score or tests"
    if "score" in data:
        assert isinstance(data["score"], (int, float)) and not isinstance(data["score"], bool)
    if "output" in data:
        assert isinstance(data["output"], str)
    if "visibility" in data:
        assert data["visibility"] in VISIBILITIES
    if "stdout_visibility" in data:
        assert data["stdout_visibility"] in VISIBILITIES
    assert isinstance(data.get("tests", []), list)
    names = set()
    for t in data.get("tests", []):
        assert isinstance(t["name"], str) and t["name"] and t["name"] not in names
        names.add(t["name"])
        assert isinstance(t["score"], (int, float)) and isinstance(t["max_score"], (int, float))
        assert 0 <= t["score"] <= t["max_score"]
        assert t["status"] in ("passed", "failed")
        if t["max_score"] > 0:    # a 0-point case is a notice (the quiz sheet's format), passed or not
            assert (t["status"] == "passed") == (t["score"] == t["max_score"])
        assert isinstance(t["output"], str)
        assert t["visibility"] in VISIBILITIES
        json.dumps(t.get("extra_data", {}))
    if data.get("tests") and "score" in data:
        assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))


def _hint_text(data, function):
    return "\n".join(t["output"] for t in data["tests"] if t["name"].startswith(function + ":"))


# ============================================================================ the zip itself
def test_zip_layout(bundle_zip):
    with zipfile.ZipFile(bundle_zip) as zf:
        names = set(zf.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    # Gradescope needs both scripts at the root of the archive, run_autograder executable
    assert {"setup.sh", "run_autograder"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert "course/01_penalties/suites/hidden.py" in names
    assert "course/01_penalties/assignment.yaml" in names
    assert "solutions/01_penalties/penalties.py" in names
    # only this assignment's reference and suites (not its catalogue, fixtures or tests), and no
    # instructor-only commands
    others = [n for n in names if n.startswith(("solutions/", "course/", "assignments/", "autograder/suites/"))
              and "01_penalties" not in n and not n.endswith("/") and n != "autograder/suites/__init__.py"]
    assert others == []
    assert sorted(n for n in names if n.startswith("course/") and not n.endswith("/")) == [
        "course/01_penalties/assignment.yaml", "course/01_penalties/suites/common.py",
        "course/01_penalties/suites/hidden.py", "course/01_penalties/suites/public.py"]
    for module in ("release", "cmd_bundle", "cmd_report", "nbrelease"):
        assert f"autograder/{module}.py" not in names
    requirements = zipfile.ZipFile(bundle_zip).read("requirements.txt").decode()
    assert "numpy" in requirements and "PyYAML" in requirements
    setup = zipfile.ZipFile(bundle_zip).read("setup.sh").decode()
    assert "pip" in setup and "requirements.txt" in setup


# ============================================================================ grading runs
def test_reference_gets_full_marks(bundle_zip, autograder_root):
    data = run_autograder(bundle_zip, autograder_root, {"penalties.py": REFERENCE})
    code = [t for t in data["tests"] if t["extra_data"]["function"] != "quiz"]
    assert code and all(t["status"] == "passed" for t in code), [t["name"] for t in code if t["status"] != "passed"]
    assert sum(t["score"] for t in code) == sum(t["max_score"] for t in code)
    visibilities = {t["visibility"] for t in code}
    assert visibilities == {"visible", "after_published"}  # public and hidden cases both ran


def test_reference_with_quiz_answers_gets_full_marks(bundle_zip, autograder_root):
    """The quiz is graded for the submitter of Gradescope's metadata (their per-student numbers)."""
    from autograder.quiz import DEMO_SECRET_PATH, SHEET_CASE, _show_canonical, load_quiz, variant_token

    key = ASSIGNMENT.solution_dir() / "quiz.yaml"
    if not key.exists():
        pytest.fail("01_penalties has no quiz yet (solutions/01_penalties/quiz.yaml)")
    quiz = load_quiz(key)
    student = "ada@example.org"
    token = variant_token(DEMO_SECRET_PATH.read_bytes().strip(), student)   # the zip was built with the demo secret
    answers = "".join(f"{q.id}: {_show_canonical(q.key_for(q.params_for(token) if q.variant else None))}\n"
                      for q in quiz.graded)
    (autograder_root / "submission_metadata.json").write_text(json.dumps(
        {"id": 1, "users": [{"email": student, "id": 7, "name": "Ada"}], "assignment": {"title": "01"}}))
    data = run_autograder(bundle_zip, autograder_root, {"penalties.py": REFERENCE, "quiz_answers.yaml": answers})
    quiz_tests = {t["name"]: t for t in data["tests"] if t["extra_data"]["function"] == "quiz"}
    assert quiz_tests.pop(SHEET_CASE)["visibility"] == "visible"
    assert len(quiz_tests) == len(quiz.graded)
    assert all(t["status"] == "passed" for t in quiz_tests.values()), [t["output"] for t in quiz_tests.values()]
    # correctness and explanations wait for the publication of the grades
    assert all(t["visibility"] == "after_published" and "Explanation: " in t["output"] for t in quiz_tests.values())
    assert data["score"] == pytest.approx(data["max_score"])


def test_mistake_loses_points_with_its_hint(bundle_zip, autograder_root):
    from tests.catalogue import catalogue
    MISTAKES = catalogue(ASSIGNMENT).MISTAKES

    mistake = next(v for v in MISTAKES if v.name == "l2_gradient_factor_2")
    data = run_autograder(bundle_zip, autograder_root,
                          {"penalties.py": variant_source(ASSIGNMENT, mistake.code)})
    lost = [t for t in data["tests"] if t["status"] == "failed" and t["extra_data"]["function"] != "quiz"]
    assert lost and {t["extra_data"]["function"] for t in lost} == {"l2_gradient"}
    assert mistake.hint.lower() in _hint_text(data, "l2_gradient").lower()
    assert any(t["extra_data"]["hint"] for t in lost)


def test_module_found_in_subfolder_with_other_case(bundle_zip, autograder_root):
    data = run_autograder(bundle_zip, autograder_root, {
        "__MACOSX/hw1/._Penalties.py": "garbage",
        "hw1/Penalties.py": REFERENCE,
        "notes.txt": "my notes"})
    code = [t for t in data["tests"] if t["extra_data"]["function"] != "quiz"]
    assert all(t["status"] == "passed" for t in code)
    assert "hw1/Penalties.py" in data["output"]


def test_missing_module_is_a_clear_error(bundle_zip, autograder_root):
    data = run_autograder(bundle_zip, autograder_root, {"penalty.py": REFERENCE})
    assert data["score"] == 0
    assert "no penalties.py" in data["output"] and "penalty.py" in data["output"]


def test_infinite_loop_still_gives_valid_results(bundle_zip, autograder_root):
    hostile = variant_source(ASSIGNMENT, '''
def l1_penalty(w, lam):
    while True:
        pass
''')
    data = run_autograder(bundle_zip, autograder_root, {"penalties.py": hostile})
    l1 = [t for t in data["tests"] if t["extra_data"]["function"] == "l1_penalty"]
    assert l1 and all(t["status"] == "failed" for t in l1)
    assert any(t["extra_data"]["outcome"] == "timeout" for t in l1)
    others = [t for t in data["tests"] if t["extra_data"]["function"] not in ("l1_penalty", "quiz")]
    assert others and all(t["status"] == "passed" for t in others)


@pytest.mark.skipif(os.getuid() != 0, reason="Gradescope runs the autograder as root; without root the "
                    "sandbox has no other uid to drop to, so the reference is readable to the same user")
def test_student_code_cannot_read_the_reference_or_hidden_tests(bundle_zip, autograder_root):
    """A module that tries to load the reference from the bundle gets nothing from it."""
    thief = variant_source(ASSIGNMENT, f'''
def l1_penalty(w, lam):
    for path in ("{autograder_root}/source/solutions/01_penalties/penalties.py",
                 "/autograder/source/solutions/01_penalties/penalties.py",
                 "{autograder_root}/source/course/01_penalties/suites/hidden.py",
                 "../../source/solutions/01_penalties/penalties.py"):
        try:
            with open(path) as f:
                f.read()
        except OSError:
            continue
        return 12345.0   # it could read it: the checks below fail
    raise RuntimeError("nothing readable")
''')
    data = run_autograder(bundle_zip, autograder_root, {"penalties.py": thief})
    l1 = [t for t in data["tests"] if t["extra_data"]["function"] == "l1_penalty"]
    assert l1 and all(t["status"] == "failed" for t in l1)
    assert all("12345" not in t["output"] for t in l1)
    assert any("nothing readable" in t["output"] for t in l1), [t["output"] for t in l1]


def test_grader_crash_still_gives_valid_results(bundle_zip, autograder_root):
    """If the grader itself fails (here: its reference is gone), Gradescope still gets a result."""
    extract_zip(bundle_zip, autograder_root / "source")
    (autograder_root / "source" / "solutions" / "01_penalties" / "penalties.py").unlink()
    shutil.copy2(autograder_root / "source" / "run_autograder", autograder_root / "run_autograder")
    (autograder_root / "submission").mkdir()
    (autograder_root / "submission" / "penalties.py").write_text(REFERENCE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(AUTOGRADER_ROOT=str(autograder_root), PYTHON=sys.executable)
    proc = subprocess.run([str(autograder_root / "run_autograder")], cwd=autograder_root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    data = json.loads((autograder_root / "results" / "results.json").read_text())
    assert_gradescope_format(data)
    assert data["score"] == 0 and "instructor" in data["output"]


def test_locks_reference_and_hidden_suite(bundle_zip, autograder_root):
    run_autograder(bundle_zip, autograder_root, {"penalties.py": REFERENCE})
    source = autograder_root / "source"
    assert stat.S_IMODE((source / "solutions").stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((source / "course/01_penalties/suites/hidden.py").stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((source / "autograder/worker.py").stat().st_mode) & 0o004


# ============================================================================ every assignment
def _released():
    from autograder.course import ASSIGNMENTS

    return [a.id for a in ASSIGNMENTS.values() if (a.solution_dir() / a.filename).exists()]


@pytest.mark.parametrize("aid", _released())
def test_every_assignment_reference_and_quiz_get_full_marks(aid, tmp_path, autograder_root):
    """Each assignment's zip: the reference with the right quiz answers scores 100%, hidden cases ran."""
    from autograder.quiz import load_quiz

    a = find_assignment(aid)
    zip_path = tmp_path / f"{aid}.zip"
    proc = subprocess.run([sys.executable, "-m", "autograder", "gradescope", aid, "-o", str(zip_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    files = {a.filename: (a.solution_dir() / a.filename).read_text()}
    key = a.solution_dir() / "quiz.yaml"
    if key.exists():
        from autograder.quiz import DEMO_SECRET_PATH, _show_canonical, variant_token
        quiz = load_quiz(key)
        token = variant_token(DEMO_SECRET_PATH.read_bytes().strip(), "kim@example.org")
        files["quiz_answers.yaml"] = "".join(
            f"{q.id}: {_show_canonical(q.key_for(q.params_for(token) if q.variant else None))}\n" for q in quiz.graded)
        (autograder_root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "kim@example.org"}]}))
    data = run_autograder(zip_path, autograder_root, files)
    failed = [(t["name"], t["output"][:200]) for t in data["tests"] if t["status"] != "passed"]
    assert not failed
    top = sum(t["max_score"] for t in data["tests"])
    assert top > 0 and data["score"] == pytest.approx(top)
    assert "after_published" in {t["visibility"] for t in data["tests"]}
    if key.exists():
        assert any(t["extra_data"]["function"] == "quiz" for t in data["tests"])


def test_student_code_runs_unprivileged(bundle_zip, autograder_root):
    """run_autograder runs as root on Gradescope (as here when the tests run as root); the
    student's functions must not: one that returns its own uid shows which uid it ran as."""
    import re

    spy = variant_source(ASSIGNMENT, '''
def l1_penalty(w, lam):
    import os
    return float(os.getuid())
''')
    data = run_autograder(bundle_zip, autograder_root, {"penalties.py": spy})
    outputs = " ".join(t["output"] for t in data["tests"] if t["extra_data"]["function"] == "l1_penalty")
    uids = {int(float(u)) for u in re.findall(r"got (\d+(?:\.\d+)?)", outputs)}
    assert uids, outputs
    assert 0 not in uids
    if os.getuid() == 0:
        assert all(u >= 1000 for u in uids), uids


def test_whole_run_time_limit_still_gives_valid_results(bundle_zip, autograder_root):
    """Every function loops forever; with a 4-second limit on the whole run, run_autograder
    still hands Gradescope a valid result that says what happened."""
    names = ["l1_penalty", "l1_subgradient", "l2_penalty", "l2_gradient", "elastic_net_penalty",
             "elastic_net_gradient", "l1_scalar_minimizer", "l2_scalar_minimizer"]
    code = "\n".join(f"def {n}(*args, **kwargs):\n    while True:\n        pass\n" for n in names)
    scratch = autograder_root / "tmp"   # TMPDIR of the run: the copies and sandbox scratch go away on the timeout
    scratch.mkdir()
    data = run_autograder(bundle_zip, autograder_root, {"penalties.py": variant_source(ASSIGNMENT, code)},
                          env_extra={"AUTOGRADER_TIMEOUT": "4", "TMPDIR": str(scratch)})
    assert data["score"] == 0
    assert "could not finish" in data["output"]
    deadline = time.monotonic() + 10
    while list(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(scratch.iterdir()) == []


def test_symlink_to_the_reference_is_not_graded(bundle_zip, autograder_root):
    """A submission whose module is a link to the reference inside the bundle gets nothing from it."""
    extract_zip(bundle_zip, autograder_root / "source")
    shutil.copy2(autograder_root / "source" / "run_autograder", autograder_root / "run_autograder")
    submission = autograder_root / "submission"
    submission.mkdir()
    (submission / "penalties.py").symlink_to(autograder_root / "source/solutions/01_penalties/penalties.py")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(AUTOGRADER_ROOT=str(autograder_root), PYTHON=sys.executable)
    proc = subprocess.run([str(autograder_root / "run_autograder")], cwd=autograder_root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0
    data = json.loads((autograder_root / "results" / "results.json").read_text())
    assert_gradescope_format(data)
    assert data["score"] == 0 and "penalties.py is a symbolic link" in data["output"]


def test_find_file_quirks(tmp_path):
    from autograder.discovery import choose, walk

    def find_file(folder, wanted, suffixes):
        best, _ = choose(walk(folder).files, wanted, suffixes)
        return (folder / "/".join(p.decode() for p in best.parts) if best else None), None

    def make(*names):
        folder = tmp_path / f"s{len(list(tmp_path.iterdir()))}"
        for n in names:
            (folder / n).parent.mkdir(parents=True, exist_ok=True)
            (folder / n).write_text("x")
        return folder

    def found(folder, wanted="penalties.py", suffixes=(".py",)):
        path, _ = find_file(folder, wanted, suffixes=suffixes)
        return path.relative_to(folder).as_posix() if path else None

    assert found(make("penalties.py", "deep/penalties.py")) == "penalties.py"
    assert found(make("hw/hw1/PENALTIES.PY")) == "hw/hw1/PENALTIES.PY"
    assert found(make("penalties (1).py")) == "penalties (1).py"
    assert found(make("penalties-2.py", "x/penalties.py")) == "x/penalties.py"   # exact name first
    assert found(make("__MACOSX/penalties.py", ".hidden/penalties.py")) is None
    assert found(make("my_penalties.py", "penalties.ipynb")) is None
    assert found(make("Quiz_Answers.yml"), "quiz_answers.yaml", (".yaml", ".yml")) == "Quiz_Answers.yml"


def test_hostile_submission_tree_and_summary_before_publication(bundle_zip, autograder_root):
    """The Gradescope harness uses the same discovery as `grade`: a module one folder deeper is graded
    (with a note), links, FIFOs, non-UTF-8 names and a 1,500-deep tree are skipped or walked without
    harm; and the always-shown top-level output counts only the tests shown before publication."""
    from autograder.discovery import remove_tree
    from tests.catalogue import catalogue
    MISTAKES = catalogue(ASSIGNMENT).MISTAKES
    from tests.test_discovery import deep_tree

    mistake = next(v for v in MISTAKES if v.name == "l2_gradient_factor_2")
    extract_zip(bundle_zip, autograder_root / "source")
    shutil.copy2(autograder_root / "source" / "run_autograder", autograder_root / "run_autograder")
    submission = autograder_root / "submission"
    (submission / "work").mkdir(parents=True)
    (submission / "work" / "penalties.py").write_text(variant_source(ASSIGNMENT, mistake.code))
    (submission / "passwd.py").symlink_to("/etc/passwd")
    os.mkfifo(submission / "quiz_answers.yaml")
    with open(os.path.join(os.fsencode(submission), b"caf\xe9 \xff.txt"), "wb") as f:
        f.write(b"notes")
    deep_tree(submission, 1500)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(AUTOGRADER_ROOT=str(autograder_root), PYTHON=sys.executable)
    try:
        proc = subprocess.run([str(autograder_root / "run_autograder")], cwd=autograder_root, env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        remove_tree(submission)
    assert proc.returncode == 0 and "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    data = json.loads((autograder_root / "results" / "results.json").read_text())
    assert_gradescope_format(data)
    output = data["output"]
    assert "Graded work/penalties.py as penalties.py." in output
    assert "passwd.py (a symbolic link" in output and "quiz_answers.yaml (a named pipe)" in output
    assert "root:" not in json.dumps(data)
    lost = {t["extra_data"]["function"] for t in data["tests"]
            if t["status"] == "failed" and t["extra_data"]["function"] != "quiz"}
    assert lost == {"l2_gradient"}
    # the summary lines: per function, the visible tests' points only
    hidden = [t for t in data["tests"] if t["visibility"] != "visible"]
    assert hidden, "the bundle grades hidden tests"
    for fn in {t["extra_data"]["function"] for t in data["tests"]}:
        shown = [t for t in data["tests"] if t["extra_data"]["function"] == fn and t["visibility"] == "visible"]
        line = next((ln for ln in output.splitlines() if ln.startswith(f"{fn}: ")), None)
        if not shown:
            assert line is None, line
            continue
        expected = f"{fn}: {sum(t['score'] for t in shown):g}/{sum(t['max_score'] for t in shown):g} "
        assert line is not None and line.startswith(expected), (line, expected)
    assert "when your instructor publishes the grades" in output
