"""Gradescope autograder bundle of one assignment.

    python -m autograder gradescope ASSIGNMENT -o FILE.zip

The zip follows Gradescope's documented layout
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): `setup.sh` and
`run_autograder` at its root; Gradescope extracts it to /autograder/source, runs
setup.sh once when it builds the image, copies run_autograder to
/autograder/run_autograder and runs it (as root, cwd /autograder) for every
submission, which it puts in /autograder/submission. The grade goes to
/autograder/results/results.json.

Inside the zip:

    setup.sh, run_autograder        the two entry points
    requirements.txt                numpy, PyYAML (what grading needs)
    assignment.txt                  the assignment id this bundle grades
    autograder/                     the engine (no instructor commands)
    course/<id>/                    assignment.yaml and suites/ (public, hidden, common) of this
                                    assignment only
    solutions/<id>/                 the reference module and plain quiz (this assignment only)
    assignments/<id>/               the release files of this assignment (no graded quiz key)
    quiz-secret                     the course secret of per-student quiz variants (root only)

Student code runs in the engine's sandbox, which drops privileges when it runs as
root. run_autograder (and setup.sh) lock solutions/ (0700), the hidden suites and
quiz-secret (0600) so that user cannot read them, while the rest of the engine stays
readable. The quiz's per-student variants are keyed on the submitter's e-mail address
(submission_metadata.json), so tokens are made from a roster of e-mail addresses.

The root is /autograder unless AUTOGRADER_ROOT says otherwise (the tests use a
temporary directory standing in for it).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from .course import REPO_ROOT, Assignment, find_assignment

DEFAULT_ROOT = "/autograder"
ROOT_ENV = "AUTOGRADER_ROOT"
GRADESCOPE_ENTRIES = ["__init__", "__main__", "course", "grading", "worker", "sandbox", "cmd_gradescope"]
# Modules the Gradescope image does not need (building releases, bundles, reports).
NOT_ON_GRADESCOPE = {"release", "nbrelease", "cmd_grade", "cmd_bundle", "cmd_report", "cmd_export",
                     "cmd_release", "cmd_figures", "cmd_check"}
SCRIPTS = ("setup.sh", "run_autograder")
GRADESCOPE_REQUIREMENTS = ["numpy", "PyYAML"]
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then
  apt-get update
  apt-get install -y --no-install-recommends python3 python3-pip
fi
# The pinned versions first; if this image's Python is too old for them, the newest that fit.
pip_install() { python3 -m pip install --no-cache-dir "$@" || python3 -m pip install --no-cache-dir --break-system-packages "$@"; }
pip_install -r requirements.txt || pip_install "numpy>=1.24" "PyYAML>=6"
bash ./lock.sh
python3 -c "import numpy, yaml; print('numpy', numpy.__version__, 'PyYAML', yaml.__version__)"
"""

LOCK_SH = """#!/usr/bin/env bash
# Everything readable by the unprivileged user that runs student code, except the
# reference solutions and the hidden tests (root only).
set -eu
cd "$(dirname "$0")"
chmod -R a+rX .
chmod -R go-rwx solutions
find course -name hidden.py -exec chmod 600 {} +
find course -type d -name hidden -exec chmod -R go-rwx {} +
if [ -f quiz-secret ]; then chmod 600 quiz-secret; fi
chmod 755 run_autograder setup.sh lock.sh
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission (as root, from /autograder).
# AUTOGRADER_ROOT stands in for /autograder when testing the bundle elsewhere.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
bash "$SOURCE/lock.sh" || true
cd "$SOURCE"
# Whole-run limit, below Gradescope's own (so a valid results.json is always written).
timeout -k 10 "${AUTOGRADER_TIMEOUT:-@TIMEOUT@}" "${PYTHON:-python3}" -m autograder.cmd_gradescope run \\
    --root "$ROOT" --assignment "$(cat "$SOURCE/assignment.txt")"
status=$?
if [ ! -s "$RESULTS" ]; then
  # The grader itself failed or ran out of time: still hand Gradescope a valid result.
  cat > "$RESULTS" <<EOF
{"score": 0.0, "output": "The autograder could not finish grading this submission (exit status $status). Check that your module imports and that no function runs for a very long time, then resubmit; if it happens again, contact your instructor.", "tests": []}
EOF
fi
exit 0
"""


# ============================================================================ building the zip
DEFAULT_TIMEOUT = 540  # seconds for the whole run: below Gradescope's default limit of 10 minutes


def build_bundle(assignment: Assignment, zip_path: Path, root: Path = REPO_ROOT,
                 timeout: int = DEFAULT_TIMEOUT, secret_file: Path | None = None,
                 allow_weak_isolation: bool = False) -> dict:
    from .cmd_bundle import copy_engine, copy_suites, engine_closure, requirement_lines, zip_dir

    package_dir = root / "autograder"
    reference = assignment.solution_dir(root) / assignment.filename
    if not reference.exists():
        raise FileNotFoundError(f"reference solution missing: {reference} (run `python -m autograder release`)")
    if not (assignment.suites_dir(root) / "hidden.py").exists():
        raise FileNotFoundError(f"no hidden suite for {assignment.id}: course/{assignment.id}/suites/hidden.py")
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "bundle"
        stage.mkdir()
        modules = engine_closure(GRADESCOPE_ENTRIES, package_dir, exclude=NOT_ON_GRADESCOPE)
        copy_engine(stage / "autograder", modules, package_dir)
        copy_suites(stage, [assignment], hidden=True, root=root, package_dir=package_dir)
        for src_dir, dst_dir in ((assignment.solution_dir(root), stage / "solutions" / assignment.id),
                                 (assignment.release_dir(root), stage / "assignments" / assignment.id)):
            dst_dir.mkdir(parents=True)
            for src in sorted(src_dir.iterdir()):
                if src.is_file() and src.suffix in (".py", ".yaml", ".yml", ".json", ".txt"):
                    shutil.copyfile(src, dst_dir / src.name)
                elif src.is_dir() and src.name == "data":   # data an assignment's suites read (08_capstone)
                    shutil.copytree(src, dst_dir / "data", dirs_exist_ok=True)
        demo_secret = _copy_quiz_secret(assignment, stage, root, secret_file)
        (stage / "requirements.txt").write_text("\n".join(requirement_lines(GRADESCOPE_REQUIREMENTS, root)) + "\n")
        (stage / "assignment.txt").write_text(assignment.id + "\n")
        if allow_weak_isolation:
            (stage / WEAK_ISOLATION_MARK).write_text("the instructor allowed grading without every sandbox wall\n")
        run_script = RUN_AUTOGRADER.replace("@TIMEOUT@", str(int(timeout)))
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", run_script), ("lock.sh", LOCK_SH)):
            (stage / name).write_text(text)
            (stage / name).chmod(0o755)
        zip_dir(stage, Path(zip_path), executables=SCRIPTS + ("lock.sh",))
        files = sorted(p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file())
    return {"zip": str(zip_path), "files": files, "engine": modules, "demo_secret": demo_secret}


def _copy_quiz_secret(assignment: Assignment, stage: Path, root: Path, secret_file: Path | None) -> bool | None:
    """Put the course secret at the zip's root when the quiz has per-student questions.

    Returns None (no variant questions), True (the demo secret was used) or False.
    """
    from .quiz import GRADESCOPE_SECRET_FILE, load_quiz, quiz_key_path, read_secret

    key = quiz_key_path(assignment, root)
    if key is None or not any(q.variant for q in load_quiz(key).graded):
        return None
    secret, demo = read_secret(secret_file)
    target = stage / GRADESCOPE_SECRET_FILE
    target.write_bytes(secret + b"\n")
    target.chmod(0o600)
    return demo


# ============================================================================ running on Gradescope
def _results_missing_module(assignment: Assignment, problem: str, notes: list[str]) -> dict:
    return {
        "score": 0.0,
        "output": "\n".join([f"Nothing could be graded: {problem}."] + notes + [
            f"Upload your completed assignments/{assignment.id}/{assignment.filename} "
            f"(keep that file name) and your quiz_answers.yaml, then resubmit."]),
        "tests": [],
    }


def validate_results(data: dict) -> list[str]:
    """Problems with a results.json against Gradescope's documented format (empty: valid)."""
    problems = []
    if not isinstance(data, dict):
        return ["results is not a JSON object"]
    tests = data.get("tests")
    if "score" not in data and not tests:
        problems.append("needs a top-level score or a non-empty tests list")
    if "score" in data and not isinstance(data["score"], (int, float)):
        problems.append("score is not a number")
    if "visibility" in data and data["visibility"] not in VISIBILITIES:
        problems.append(f"bad top-level visibility {data['visibility']!r}")
    if "output" in data and not isinstance(data["output"], str):
        problems.append("output is not a string")
    for i, t in enumerate(tests or []):
        if not isinstance(t, dict):
            problems.append(f"tests[{i}] is not an object")
            continue
        for key, kind in (("score", (int, float)), ("max_score", (int, float)), ("name", str), ("output", str)):
            if key in t and not isinstance(t[key], kind):
                problems.append(f"tests[{i}].{key} has the wrong type")
        if "score" not in t and "status" not in t:
            problems.append(f"tests[{i}] has neither score nor status")
        if "status" in t and t["status"] not in ("passed", "failed"):
            problems.append(f"tests[{i}].status {t['status']!r} is not passed/failed")
        if "visibility" in t and t["visibility"] not in VISIBILITIES:
            problems.append(f"tests[{i}].visibility {t['visibility']!r} is not one of {sorted(VISIBILITIES)}")
    return problems


WEAK_ISOLATION_MARK = "allow-weak-isolation"   # in the zip when built with --allow-weak-isolation


def _isolation(root: Path) -> tuple[dict, str | None]:
    """(the isolation record of this run, a refusal message or None), as `grade` decides it: the walls
    are probed for real and printed (Gradescope shows the instructor the run's output)."""
    from . import sandbox

    walls = sandbox.probe_walls()
    for line in sandbox.isolation_lines(walls):
        print(line, file=sys.stderr)
    record = sandbox.isolation(walls)
    iso = {"level": record["level"], "walls": record["walls"], "missing": record["missing"]}
    if record["missing"] and not (root / "source" / WEAK_ISOLATION_MARK).exists():
        return iso, ("This submission was not graded: the grading server cannot keep your code apart from "
                     f"other submissions ({', '.join(record['missing'])} not held). Your instructor has been "
                     "told; it will be graded again once that is fixed.")
    return iso, None


def run(root: Path, assignment: Assignment) -> dict:
    """Grade /autograder/submission (under `root`) and write results/results.json."""
    from .discovery import find_submission, remove_tree
    from .grading import gradescope_results, grade_submission

    iso, refused = _isolation(root)
    if refused is not None:
        print(f"refused: weak isolation ({iso['level']}); rebuild the zip with --allow-weak-isolation to grade "
              "anyway", file=sys.stderr)
        return {"score": 0.0, "output": refused, "tests": [], "extra_data": {"isolation": iso}}
    started = time.monotonic()
    submission = root / "submission"
    submission.mkdir(exist_ok=True)
    student = _submitter(root)
    # A fresh folder the sandbox user can read, holding only copies of the files the grader reads.
    work = Path(tempfile.mkdtemp(prefix="gradescope-submission-"))
    try:
        work.chmod(0o755)
        found = find_submission(submission, assignment.filename, work)
        if found.module is None:
            return _results_missing_module(assignment, found.problem[1] if found.problem else "no module", found.notes)
        results = grade_submission(assignment, work, hidden=True, student=student)
        data = gradescope_results(results)
    finally:
        remove_tree(work)
    if found.notes:
        data["output"] = "\n".join(found.notes + ([data["output"]] if data.get("output") else []))
    data.setdefault("execution_time", round(time.monotonic() - started, 1))
    data["extra_data"] = {"isolation": iso}   # the level this submission was graded at
    return data


def _submitter(root: Path) -> str:
    """The submitter's e-mail address from Gradescope's submission_metadata.json ("" if unknown).

    Per-student quiz questions are graded for this id; a group submission is graded for its
    first member.
    """
    try:
        meta = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        users = meta.get("users") or []
        first = users[0] if users and isinstance(users[0], dict) else {}
        return str(first.get("email") or first.get("id") or "")
    except (OSError, ValueError, AttributeError):
        return ""


def _run_cli(argv) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.cmd_gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="grade the submission in ROOT/submission (what run_autograder does)")
    p.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_ENV, DEFAULT_ROOT)))
    p.add_argument("--assignment", required=True)
    args = parser.parse_args(argv)
    # run_autograder's `timeout` ends this run with SIGTERM: exit through the `finally` clauses, so the
    # copies of the submission and the sandbox's scratch are removed (the script writes the result)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    root = args.root
    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        data = run(root, find_assignment(args.assignment))
    except Exception:  # noqa: BLE001 - Gradescope must always get a results.json
        traceback.print_exc()  # goes to /autograder/results/stdout, seen by the instructor
        data = {"score": 0.0, "tests": [],
                "output": "The autograder hit an internal error while grading this submission. "
                          "Your instructor can see the details; please contact them."}
    problems = validate_results(data)
    if problems:
        print("results do not match Gradescope's format: " + "; ".join(problems), file=sys.stderr)
    tmp = results_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(results_path)
    total = data.get("score", sum(t.get("score", 0) for t in data.get("tests", [])))
    print(f"graded {args.assignment}: score {total}")
    return 0


# ============================================================================ CLI
def add_parser(sub) -> None:
    p = sub.add_parser("gradescope", help="build a Gradescope autograder zip for one assignment (or all)")
    p.add_argument("assignment", metavar="ASSIGNMENT",
                   help="e.g. 01_penalties, 01 or penalties; `all` for one zip per assignment")
    p.add_argument("-o", "--out", type=Path, default=None,
                   help="zip file to write (default: build/gradescope/<id>.zip); with `all`, a folder")
    p.add_argument("--quiz-secret-file", type=Path, default=None, metavar="FILE",
                   help="the course secret of the per-student quiz questions (default: "
                        "$AUTOGRADER_QUIZ_SECRET_FILE; without either, the demo secret, with a warning)")
    p.add_argument("--allow-weak-isolation", action="store_true",
                   help="grade even where the sandbox cannot hold every wall (see `grade --allow-weak-isolation`); "
                        "without it such a run refuses and says so")
    p.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="limit of a whole grading run, set it below the autograder timeout configured on "
                        f"Gradescope (default {DEFAULT_TIMEOUT}, under Gradescope's default of 10 minutes)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    from .course import ASSIGNMENTS

    if args.assignment == "all":
        folder = args.out or REPO_ROOT / "build" / "gradescope"
        targets = [(a, Path(folder) / f"{a.id}.zip") for a in ASSIGNMENTS.values()
                   if (a.solution_dir() / a.filename).exists()]
    else:
        a = find_assignment(args.assignment)
        targets = [(a, args.out or REPO_ROOT / "build" / "gradescope" / f"{a.id}.zip")]
    status = 0
    for assignment, out in targets:
        try:
            summary = build_bundle(assignment, out, timeout=args.timeout, secret_file=args.quiz_secret_file,
                                   allow_weak_isolation=args.allow_weak_isolation)
        except (FileNotFoundError, ValueError) as exc:
            print(f"gradescope: {exc}", file=sys.stderr)
            status = 1
            continue
        hidden = [f for f in summary["files"] if f.endswith("hidden.py")]
        print(f"Gradescope autograder for {assignment.id} written to {out}")
        if summary["demo_secret"]:
            print("  WARNING: per-student quiz questions use the DEMO secret, which anyone with the course "
                  "repository can read; pass --quiz-secret-file (see autograder/quiz.py)", file=sys.stderr)
        print(f"  {len(summary['files'])} files: setup.sh, run_autograder, engine ({len(summary['engine'])} modules), "
              f"{len(hidden)} hidden suite, reference solution")
    if status == 0:
        print("Upload each zip under Configure Autograder (an Ubuntu base image); students upload their module "
              "and quiz_answers.yaml.")
    return status


if __name__ == "__main__":
    sys.exit(_run_cli(sys.argv[1:]))
