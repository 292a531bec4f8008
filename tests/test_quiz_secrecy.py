"""Graded quiz keys stay on the instructor's side, and the recorded answers are graded end to end.

Every artefact a student can read is scanned for every graded key and every graded explanation,
in the encodings a careless release could use (plain, salted hash, plain hash, base64, the
release's own scrambling): the student release (a fresh one and the committed one), the student
bundle zip, nbgrader's own release, and the files of each Gradescope zip that the unprivileged
user who runs the submission can read once the zip's lock script has run. Then a student takes
the quiz in a real subprocess with stdin, and the sheet it writes is graded by `grade`.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder import quiz as Q
from autograder.course import ASSIGNMENTS, REPO_ROOT
from autograder.release import build
from tests.student_copy import quiz_copy
from tests.zips import extract as extract_zip

QUIZ_IDS = [a for a in ASSIGNMENTS if (REPO_ROOT / "source" / a / Q.QUIZ_FILE).exists()]
TEST_SECRET = b"the course secret of test_quiz_secrecy, never shipped"


@pytest.fixture(autouse=True)
def _no_configured_secret(monkeypatch):
    monkeypatch.delenv(Q.SECRET_ENV, raising=False)


# ============================================================================ what must not leak
def _spellings(q: Q.Question, canonical: str) -> set[str]:
    if q.type != "numeric":
        letters = canonical.split(",")
        return {canonical, ", ".join(letters), " ".join(letters), "".join(letters), str(letters)}
    shown = Q._show_canonical(canonical)
    out = {shown, shown.rstrip("0").rstrip(".") if "." in shown else shown}
    out |= {s.replace("0.", ".", 1) for s in list(out) if s.startswith("0.")}
    return out


def _needles(secrets: list[bytes]) -> list[tuple[str, bytes]]:
    """(what, bytes that must appear in no student-readable file) for every graded question."""
    needles = [("course secret", s) for s in secrets]
    for aid in QUIZ_IDS:
        for q in Q.load_quiz(REPO_ROOT / "source" / aid / Q.QUIZ_FILE).graded:
            where = f"{aid} {q.id}"
            keys = {q.key_for(p) for p in Q._all_params(q)} if q.variant else {q.key}
            for key in keys:
                needles.append((f"{where} salted hash", Q.answer_hash(q.salt, key).encode()))
                for spelling in _spellings(q, key):
                    for text in (spelling, f"{q.id}: {spelling}", f"{q.id}:{spelling}"):
                        needles.append((f"{where} sha256", hashlib.sha256(text.encode()).hexdigest().encode()))
                        needles.append((f"{where} md5", hashlib.md5(text.encode()).hexdigest().encode()))
                    needles.append((f"{where} base64", base64.b64encode(f"{q.id}: {spelling}".encode()).rstrip(b"=")))
            # (a variant's formula is often the public contract of a function, e.g. a step rule:
            # the structural check keeps it out of the released quiz instead)
            texts = [q.explanation_text, *q.mistake_hints.values()]
            for text in texts:
                flat = " ".join(text.split())
                sentences = [s for s in flat.replace("? ", ". ").split(". ") if len(s) >= 40]
                needles += [(f"{where} explanation", s[:60].encode()) for s in sentences]
                raw = text.encode()
                needles.append((f"{where} explanation base64", base64.b64encode(raw)[:48]))
                needles.append((f"{where} explanation hex", raw.hex()[:48].encode()))
                needles.append((f"{where} scrambled explanation",
                                "".join(Q.obfuscate(text, q.salt, "explanation").split())[:48].encode()))
    return needles


def _normalized(data: bytes) -> bytes:
    """Whitespace collapsed (explanations are wrapped differently in YAML, JSON, notebooks)."""
    text = data.decode("utf-8", errors="replace").replace("\\n", " ").replace("\\\"", "\"")
    return " ".join(text.split()).encode()


def _scan(files: dict[str, bytes], secrets: list[bytes]) -> list[str]:
    leaks = []
    needles = _needles(secrets)
    for name, data in files.items():
        flat = _normalized(data)
        squeezed = b"".join(data.split())      # base64 blobs wrapped over several lines
        for what, needle in needles:
            if needle in flat or needle in squeezed:
                leaks.append(f"{name}: {what}")
    return leaks


def _folder_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _released_quiz_structure(files: dict[str, bytes]) -> list[str]:
    """A shipped quiz.yaml holds graded questions that cannot judge an answer."""
    problems = []
    for name, data in files.items():
        if name.endswith(Q.QUIZ_FILE):
            quiz = Q.parse_quiz(yaml.safe_load(data.decode()), name)
            problems += [f"{name}: {q.id} is checkable" for q in quiz.graded if q.checkable]
            problems += [f"{name}: {q.id} has a formula" for q in quiz.graded if q.variant_formula]
    return problems


def test_the_scan_finds_each_kind_of_leak():
    """The scanner itself: a release that kept a graded key in any of these forms is caught."""
    quiz = Q.load_quiz(REPO_ROOT / "source" / "06_early_stopping" / Q.QUIZ_FILE)
    q1, q2 = quiz.question("q1"), quiz.question("q2")
    forms = {
        "salted": Q.answer_hash(q1.salt, q1.key).encode(),
        "hashed": hashlib.sha256(f"q1: {q1.key}".encode()).hexdigest().encode(),
        "base64": base64.b64encode(f"q1: {q1.key}".encode()),
        "scrambled": Q.obfuscate(q1.explanation_text, q1.salt, "explanation").encode(),
        "plain explanation": q1.explanation_text.encode(),
        "variant key": Q.answer_hash(q2.salt, q2.key_for(Q._all_params(q2)[-1])).encode(),
        "secret": TEST_SECRET,
    }
    for form, data in forms.items():
        assert _scan({"leak.txt": b"x: " + data}, [TEST_SECRET]), form
    assert _scan({"clean.txt": b"nothing to see"}, [TEST_SECRET]) == []


# ============================================================================ the artefacts
def test_release_holds_no_graded_key_or_explanation(tmp_path):
    build(REPO_ROOT / "source", tmp_path / "assignments", tmp_path / "solutions")
    for folder in (tmp_path / "assignments", REPO_ROOT / "assignments"):
        files = _folder_files(folder)
        assert _released_quiz_structure(files) == []
        assert _scan(files, [Q.DEMO_SECRET_PATH.read_bytes().strip()]) == []


def test_student_bundle_zip_holds_no_graded_key_explanation_or_secret(tmp_path):
    secret_file = tmp_path / "course-secret"
    secret_file.write_bytes(TEST_SECRET)
    out = tmp_path / "kit" / "student-kit"
    env = dict(os.environ, **{Q.SECRET_ENV: str(secret_file)})
    proc = subprocess.run([sys.executable, "-m", "autograder", "bundle", "--out", str(out), "--zip"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with zipfile.ZipFile(out.with_name("student-kit.zip")) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    assert any(n.endswith("quiz.yaml") for n in files) and any(n.endswith("quiz.py") for n in files)
    assert not any(Path(n).name in (Q.GRADESCOPE_SECRET_FILE, "quiz-secret.demo") for n in files)
    assert _released_quiz_structure(files) == []
    assert _scan(files, [TEST_SECRET, Q.DEMO_SECRET_PATH.read_bytes().strip()]) == []


def test_nbgrader_release_holds_no_graded_key_or_explanation(tmp_path):
    exe = shutil.which("nbgrader")
    if exe is None:
        pytest.importorskip("nbgrader")
    for name in ("autograder", "course_plots", "source"):
        shutil.copytree(REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    cmd = [exe] if exe else [sys.executable, "-m", "nbgrader"]
    proc = subprocess.run(cmd + ["generate_assignment", "*", "--force"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = _folder_files(tmp_path / "assignments")
    assert sum(n.endswith(Q.QUIZ_FILE) for n in files) == len(QUIZ_IDS)
    assert _released_quiz_structure(files) == []
    assert _scan(files, [Q.DEMO_SECRET_PATH.read_bytes().strip()]) == []


def _readable_by_others(root: Path) -> dict[str, bytes]:
    """Files the sandbox's unprivileged user could open: readable by "other" along the whole path."""
    out = {}
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        chain = [path, *[p for p in path.parents if p.is_relative_to(root) and p != root]]
        if all(p.stat().st_mode & stat.S_IROTH and (p == path or p.stat().st_mode & stat.S_IXOTH) for p in chain):
            out[str(path.relative_to(root))] = path.read_bytes()
    return out


def test_gradescope_zip_keeps_graded_keys_and_the_secret_from_the_submission(tmp_path):
    secret_file = tmp_path / "course-secret"
    secret_file.write_bytes(TEST_SECRET)
    from autograder.cmd_gradescope import build_bundle

    for aid in QUIZ_IDS:
        zip_path = tmp_path / f"{aid}.zip"
        summary = build_bundle(ASSIGNMENTS[aid], zip_path, secret_file=secret_file)
        assert summary["demo_secret"] is False
        root = tmp_path / aid
        extract_zip(zip_path, root)
        assert (root / Q.GRADESCOPE_SECRET_FILE).read_bytes().strip() == TEST_SECRET
        subprocess.run(["bash", str(root / "lock.sh")], check=True, capture_output=True, timeout=60)
        readable = _readable_by_others(root)
        assert Q.GRADESCOPE_SECRET_FILE not in readable and not any(n.startswith("solutions") for n in readable)
        assert any(n.endswith("quiz.yaml") for n in readable)      # the release's copy, for the record
        assert _released_quiz_structure(readable) == []
        assert _scan(readable, [TEST_SECRET]) == [], aid
        # the grading side has what it needs: the plain key, unreadable to others
        assert (root / "solutions" / aid / Q.QUIZ_FILE).is_file()


def test_the_demo_secret_is_flagged_when_building_a_gradescope_zip(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "01", "-o", str(tmp_path / "01.zip")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if k != Q.SECRET_ENV})
    assert proc.returncode == 0, proc.stderr
    assert "DEMO secret" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "autograder", "gradescope", "01", "-o", str(tmp_path / "02.zip"),
                           "--quiz-secret-file", str(tmp_path / "missing")],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "does not exist" in proc.stderr and "Traceback" not in proc.stderr


# ============================================================================ end to end
def _student_kit(tmp_path: Path, aid: str) -> Path:
    """What a student has: the quiz program and their released assignment (no source/, no solutions/)."""
    return quiz_copy(tmp_path / "student", aid)


def test_answers_recorded_by_the_interactive_quiz_are_graded_end_to_end(tmp_path):
    aid, student = "04_label_smoothing", "lee@example.org"
    secret_file = tmp_path / "course-secret"
    secret_file.write_bytes(TEST_SECRET)
    token = Q.variant_token(TEST_SECRET, student)
    plain = Q.load_quiz(REPO_ROOT / "solutions" / aid / Q.QUIZ_FILE)
    right = {q.id: Q._show_canonical(q.key_for(q.params_for(token) if q.variant else None)) for q in plain.graded}
    typed = [right[q.id] for q in plain.graded]
    typed[1] = "0.9"                    # one wrong answer (q2: the "others" value)
    home = _student_kit(tmp_path, aid)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON") and k != Q.SECRET_ENV}
    env["PYTHONPATH"] = str(home)
    proc = subprocess.run([sys.executable, "-m", "autograder", "quiz", aid, "--variant", token], cwd=home, env=env,
                          input="\n".join(typed) + "\n", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    sheet = home / "assignments" / aid / Q.ANSWERS_FILE
    assert f"saved in {sheet}" in " ".join(proc.stdout.split())
    assert "correct" not in proc.stdout.replace("could not", "") and "Explanation" not in proc.stdout
    # the student's prompt shows their own numbers
    q3 = plain.question("q3")
    assert " ".join(q3.render_prompt(token).split()) in " ".join(proc.stdout.split())

    submitted = tmp_path / "submitted" / student / aid
    submitted.mkdir(parents=True)
    shutil.copyfile(sheet, submitted / Q.ANSWERS_FILE)
    module = ASSIGNMENTS[aid].filename
    shutil.copyfile(REPO_ROOT / "solutions" / aid / module, submitted / module)
    out = tmp_path / "out"
    grade_env = dict(os.environ, **{Q.SECRET_ENV: str(secret_file)})
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "submitted"), "--out",
                           str(out), "--workers", "1"], cwd=REPO_ROOT, env=grade_env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((out / student / aid / "results.json").read_text())
    quiz = {t["name"]: t for t in data["tests"] if t["extra_data"]["function"] == "quiz"}
    assert quiz.pop(Q.SHEET_CASE)["status"] == "passed"
    assert len(quiz) == len(plain.graded)
    assert {name.split(":")[0] for name, t in quiz.items() if t["status"] == "failed"} == {"quiz q2"}
    assert sum(t["score"] for t in quiz.values()) == plain.max_score - plain.question("q2").points
    assert all(t["visibility"] == "after_published" and "Explanation: " in t["output"] for t in quiz.values())
    code = [t for t in data["tests"] if t["extra_data"]["function"] != "quiz"]
    assert code and all(t["status"] == "passed" for t in code)
    # the explanation handed back is the one of this student's variant
    q3_out = next(t["output"] for n, t in quiz.items() if n.startswith("quiz q3"))
    assert " ".join(q3.explanation(q3.params_for(token)).split()) in q3_out
