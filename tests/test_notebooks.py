"""The assignment notebooks and the nbgrader integration, for real.

* nbgrader's own CLI (`nbgrader generate_assignment`, `nbgrader generate_solution`) runs on a
  temporary copy of the course layout with the repository's nbgrader_config.py: no solution code,
  no hidden tests, no plain quiz keys and no master module reach the release, and the files are
  byte-identical to what `python -m autograder release` committed.
* every solutions notebook executes top to bottom under a real Jupyter kernel (nbclient, kernel
  `python3`) without error, each within SOLUTION_SECONDS, and every number its prose states
  (the cells' "claims" metadata, written by tools/notebooks/claims.py) is recomputed in the
  same kernel and must round to the number shown;
* every student notebook, executed the same way, stops at the first unimplemented function with
  the one-line "Not implemented yet" message and no traceback wall.

Notebooks run in temporary copies, so nothing is written into the repository.
Timings on a 2-core machine: about 5 s per student notebook, 5-15 s per solutions notebook.
"""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.course import ASSIGNMENTS, REPO_ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

SOLUTION_SECONDS = 90     # whole solutions notebook (typically 5-15 s)
STUDENT_SECONDS = 60      # a student notebook stops early (typically < 5 s)
CELL_TIMEOUT = 60         # per cell, as nbgrader_config.py's Execute.timeout allows 120
WITH_NOTEBOOK = [a for a in ASSIGNMENTS if (REPO_ROOT / "source" / a / f"{a}.ipynb").exists()]
SOLUTION_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                    "BEGIN MARK SCHEME")


def _public_functions(module_file: Path) -> list[str]:
    return re.findall(r"^def ([a-z]\w*)\(", module_file.read_text(), flags=re.M)


def _copy_course(dst: Path, folders=("autograder", "course", "course_plots", "source")) -> Path:
    for name in folders:
        shutil.copytree(REPO_ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "nbgrader_config.py", dst / "nbgrader_config.py")
    return dst


def _nbgrader(root: Path, *args) -> subprocess.CompletedProcess:
    exe = shutil.which("nbgrader")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "nbgrader", *args]
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300)


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


# ============================================================================ source notebooks
def test_every_assignment_has_a_notebook():
    assert WITH_NOTEBOOK == list(ASSIGNMENTS), f"missing notebooks: {sorted(set(ASSIGNMENTS) - set(WITH_NOTEBOOK))}"


def test_source_notebooks_are_built_from_tools_notebooks():
    proc = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "build_notebooks.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("aid", WITH_NOTEBOOK)
def test_source_notebook_metadata(aid):
    nb = nbformat.read(REPO_ROOT / "source" / aid / f"{aid}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "source notebooks carry no outputs"
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    written = [m for c, m in zip(nb.cells, meta) if m and m["grade"] and m["solution"] and c.cell_type == "markdown"]
    assert written and all(m["points"] > 0 for m in written), "derivation questions are written-answer cells"
    source = "\n".join(c.source for c in nb.cells)
    module = ASSIGNMENTS[aid].module
    assert f"import {module}" in source
    assert "%autoreload 2" in source and "notebook_setup()" in source
    for fn in _public_functions(REPO_ROOT / "source" / aid / ASSIGNMENTS[aid].filename):
        assert re.search(rf'run_check\("{aid}", "\.", \[[^\]]*"{fn}"', source), f"no check cell for {fn}"


@pytest.mark.parametrize("aid", WITH_NOTEBOOK)
def test_every_written_answer_has_a_rubric_graders_see_and_students_do_not(aid):
    """Each hand-graded answer cell carries criteria whose points add up to the cell's points; the
    release replaces the cell, rubric included, by the answer placeholder."""
    src = nbformat.read(REPO_ROOT / "source" / aid / f"{aid}.ipynb", as_version=4)
    for folder, shown in (("solutions", True), ("assignments", False)):
        nb = nbformat.read(REPO_ROOT / folder / aid / f"{aid}.ipynb", as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert ("Rubric for graders" in text) == shown, f"{folder}/{aid}"
    for cell in src.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("grade") and meta.get("solution"):
            assert "**Rubric for graders" in cell.source, meta["grade_id"]
            awarded = [float(p) for p in re.findall(r"- \*\*(\d+(?:\.\d+)?) pt\*\*", cell.source)]
            assert awarded and sum(awarded) == meta["points"], (meta["grade_id"], awarded, meta["points"])


# ============================================================================ nbgrader's own commands
@pytest.fixture(scope="module")
def nbgrader_course(tmp_path_factory):
    """A temporary copy of the course on which nbgrader's CLI generated release and solutions."""
    root = _copy_course(tmp_path_factory.mktemp("course"))
    for cmd in ("generate_assignment", "generate_solution"):  # "*": every assignment, one start-up
        proc = _nbgrader(root, cmd, "*", "--force")
        assert proc.returncode == 0, f"nbgrader {cmd} failed:\n{proc.stdout}\n{proc.stderr}"
        assert "Post-convert hook failed" not in proc.stderr, proc.stderr
    for folder in ("assignments", "solutions"):
        assert set(WITH_NOTEBOOK) <= {p.name for p in (root / folder).iterdir()}
    return root


@pytest.mark.parametrize("aid", WITH_NOTEBOOK)
def test_nbgrader_release_has_no_solutions(nbgrader_course, aid):
    rel = nbgrader_course / "assignments" / aid
    src = nbgrader_course / "source" / aid
    text = _all_text(rel)
    for marker in SOLUTION_MARKERS:
        assert marker not in text, f"{marker!r} in nbgrader's release of {aid}"
    # the module is the stub (every public function raises NotImplementedError)
    a = ASSIGNMENTS[aid]
    stub = (rel / a.filename).read_text()
    assert stub.count("raise NotImplementedError") >= len(_public_functions(src / a.filename))
    # model answers of written questions are gone, the answer cells are there to fill in
    nb = nbformat.read(rel / f"{aid}.ipynb", as_version=4)
    src_nb = nbformat.read(src / f"{aid}.ipynb", as_version=4)
    for c, s in zip(nb.cells, src_nb.cells):
        m = c.metadata.get("nbgrader", {})
        if m.get("solution") and c.cell_type == "markdown":
            assert c.source == "YOUR ANSWER HERE" and s.source not in text
    # hidden tests of autograded exercises are stripped, the visible ones kept
    for s in src_nb.cells:
        if "### BEGIN HIDDEN TESTS" in s.source:
            hidden = s.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0].strip()
            assert hidden and hidden not in text
    # quiz keys only as salted hashes
    if (src / "quiz.yaml").exists():
        assert (rel / "quiz.yaml").read_bytes() != (src / "quiz.yaml").read_bytes()
        from autograder.quiz import load_quiz
        for q in load_quiz(src / "quiz.yaml").questions:
            assert q.key_hash is None and q.explanation_text  # the plain form, as read from source/
            assert q.explanation_text.strip()[:60] not in text


@pytest.mark.parametrize("aid", WITH_NOTEBOOK)
def test_nbgrader_commands_match_the_release_command(nbgrader_course, aid):
    for folder in ("assignments", "solutions"):
        mine = nbgrader_course / folder / aid
        committed = REPO_ROOT / folder / aid
        names = sorted(p.name for p in committed.iterdir() if p.is_file())
        assert sorted(p.name for p in mine.iterdir() if p.is_file()) == names
        for name in names:
            assert (mine / name).read_bytes() == (committed / name).read_bytes(), \
                f"nbgrader's {folder}/{aid}/{name} differs from the committed one"


def test_nbgrader_autograde_grades_the_students_own_files(nbgrader_course):
    """`nbgrader autograde`: hidden tests come back, the student's module is NOT replaced by the
    master copy from source/ (the ignore patterns again), written answers await manual grading."""
    aid = "03_dropout"
    if aid not in WITH_NOTEBOOK:
        pytest.skip("no notebook for 03_dropout")
    sub = nbgrader_course / "submitted" / "alice" / aid
    shutil.copytree(nbgrader_course / "assignments" / aid, sub)
    a = ASSIGNMENTS[aid]
    shutil.copy(REPO_ROOT / "solutions" / aid / a.filename, sub / a.filename)  # a correct student
    nb = nbformat.read(sub / f"{aid}.ipynb", as_version=4)
    src = nbformat.read(nbgrader_course / "source" / aid / f"{aid}.ipynb", as_version=4)
    model = {c.metadata["nbgrader"]["grade_id"]: c.source for c in src.cells if "nbgrader" in c.metadata}
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "mc-exercise":
            c.source = "\n".join(line for line in model["mc-exercise"].splitlines() if "### " not in line)
        if c.metadata.get("nbgrader", {}).get("grade_id") == "q1-expectation":
            c.source = "E[x m / (1 - p)] = x (1 - p) / (1 - p) = x."  # an answer the instructor grades
    nbformat.write(nb, sub / f"{aid}.ipynb")
    proc = _nbgrader(nbgrader_course, "autograde", aid)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    graded = nbgrader_course / "autograded" / "alice" / aid
    assert (graded / a.filename).read_bytes() == (sub / a.filename).read_bytes()
    out = nbformat.read(graded / f"{aid}.ipynb", as_version=4)
    tests = next(c for c in out.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "mc-tests")
    assert "BEGIN HIDDEN TESTS" in tests.source  # nbgrader restored the hidden tests
    assert not any(o.output_type == "error" for o in tests.outputs), tests.outputs
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{nbgrader_course / 'gradebook.db'}") as gb:
        submission = gb.find_submission(aid, "alice")
        grades = {g.name: g for nb_ in submission.notebooks for g in nb_.grades}
        assert grades["mc-tests"].auto_score == grades["mc-tests"].max_score
        assert submission.needs_manual_grade  # the written answer given above
        assert grades["q2-variance"].score == 0  # left blank: nbgrader gives 0 without asking


def test_nbgrader_hook_failure_leaks_nothing(tmp_path):
    """Without the autograder package the post-convert hook fails: the release lacks the stub,
    but the master module and the plain quiz are still not copied (ignore patterns)."""
    aid = WITH_NOTEBOOK[0]
    root = _copy_course(tmp_path, folders=("source",))
    proc = _nbgrader(root, "generate_assignment", aid)
    assert proc.returncode == 0, proc.stderr
    rel = root / "assignments" / aid
    assert (rel / f"{aid}.ipynb").exists()
    assert not (rel / ASSIGNMENTS[aid].filename).exists()
    assert not (rel / "quiz.yaml").exists()


# ============================================================================ execution
def _load_claims_module():
    spec = importlib.util.spec_from_file_location("_nb_claims", REPO_ROOT / "tools" / "notebooks" / "claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CLAIMS = _load_claims_module()


def _claims(nb) -> list[dict]:
    return [c for cell in nb.cells for c in cell.metadata.get("claims", [])]


def _claims_cell(claims: list[dict]):
    """A code cell that re-evaluates every claim in the notebook's namespace and asserts it."""
    return nbformat.v4.new_code_cell(
        CLAIMS.VERIFY_SOURCE + f"\n_bad = _verify_claims(__import__('json').loads({json.dumps(claims)!r}), globals())"
        f"\nprint('claims checked:', {len(claims)})\nassert not _bad, '\\n'.join(_bad)")


def test_claim_verification_catches_a_wrong_number():
    """The verifier itself: a number off by more than half a unit of its last digit fails."""
    namespace = {"np": __import__("numpy")}
    exec(CLAIMS.VERIFY_SOURCE, namespace)
    verify = namespace["_verify_claims"]
    right = {"name": "third", "expr": "np.float64(1) / 3", "fmt": ".2f", "shown": "0.33"}
    assert verify([right], namespace) == []
    assert verify([{**right, "shown": "0.34"}], namespace)          # off by 0.0067 > 0.005
    assert verify([{**right, "fmt": ".3f", "shown": "0.330"}], namespace)
    count = {"name": "n", "expr": "int(np.argmax(np.arange(10) > 6))", "fmt": "d", "shown": "7"}
    assert verify([count], namespace) == [] and verify([{**count, "shown": "8"}], namespace)


def test_notebooks_state_computed_numbers():
    """The notebooks whose figures quote numbers carry them as claims (not typed in by hand)."""
    with_claims = {aid for aid in WITH_NOTEBOOK
                   if _claims(nbformat.read(REPO_ROOT / "source" / aid / f"{aid}.ipynb", as_version=4))}
    assert {"02_proximal", "05_optimizers", "06_early_stopping"} <= with_claims


def _execute(folder: Path, nb_path: Path, timeout: int, extra_cells=()):
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.extend(extra_cells)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        error = exc
    return nb, error, time.perf_counter() - start


def _layout(tmp: Path, folder: str, aid: str) -> Path:
    """tmp/<folder>/<aid>/ next to autograder/, course_plots/ and the assignment's manifest and suites
    (course/<aid>/): the public ones for the release, as the bundle ships them; all of them for the
    solutions, as the instructor has them (their hidden tests run)."""
    for name in ("autograder", "course_plots"):
        shutil.copytree(REPO_ROOT / name, tmp / name, ignore=shutil.ignore_patterns("__pycache__"))
    shipped = tmp / "course" / aid / "suites"
    shipped.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "course" / aid / "assignment.yaml", shipped.parent / "assignment.yaml")
    if folder == "solutions":
        shutil.copytree(REPO_ROOT / "course" / aid / "suites", shipped, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("public.py", "common.py"):
        if (REPO_ROOT / "course" / aid / "suites" / name).is_file():
            shutil.copy(REPO_ROOT / "course" / aid / "suites" / name, shipped / name)
    shutil.copytree(REPO_ROOT / folder / aid, tmp / folder / aid)
    return tmp / folder / aid


@pytest.mark.parametrize("aid", WITH_NOTEBOOK)
def test_solutions_notebook_executes(tmp_path, aid):
    folder = _layout(tmp_path, "solutions", aid)
    claims = _claims(nbformat.read(folder / f"{aid}.ipynb", as_version=4))
    for cell in nbformat.read(folder / f"{aid}.ipynb", as_version=4).cells:
        for c in cell.metadata.get("claims", []):
            assert c["shown"] in cell.source, f"{c['name']}: {c['shown']} is not in its cell's text"
    nb, error, seconds = _execute(folder, folder / f"{aid}.ipynb", CELL_TIMEOUT,
                                  [_claims_cell(claims)] if claims else [])
    assert error is None, f"solutions notebook of {aid} failed:\n{str(error)[-3000:]}"
    assert seconds < SOLUTION_SECONDS, f"{aid}: {seconds:.1f} s"
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in outputs), \
        "the notebook shows figures"
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "Total:" in printed and "ok" in printed
    # the reference passes every public check it runs
    for m in re.finditer(r"Total: (\d+(?:\.\d+)?)/(\d+(?:\.\d+)?) points", printed):
        assert float(m.group(1)) == float(m.group(2)), m.group(0)
    print(f"{aid}: solutions notebook {seconds:.1f} s")


@pytest.mark.parametrize("aid", WITH_NOTEBOOK)
def test_student_notebook_stops_cleanly(tmp_path, aid):
    folder = _layout(tmp_path, "assignments", aid)
    nb, error, seconds = _execute(folder, folder / f"{aid}.ipynb", CELL_TIMEOUT)
    assert error is not None, "the stub release should stop at the first unimplemented function"
    assert seconds < STUDENT_SECONDS
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1
    err = errors[0]
    assert err.ename == "NotImplementedError"
    assert len(err.traceback) == 1, "one line, no traceback wall"
    line = err.traceback[0]
    assert "Not implemented yet" in line
    name = re.search(r"(\w+)\(\) in (\w+\.py)", line)
    assert name and name.group(2) == ASSIGNMENTS[aid].filename
    assert name.group(1) in _public_functions(folder / ASSIGNMENTS[aid].filename)
    # the setup cell itself ran without error
    assert not any(o.output_type == "error" for o in nb.cells[1].outputs)
    print(f"{aid}: student notebook stopped at {name.group(1)}() after {seconds:.1f} s")


def test_half_done_student_notebook_stops_at_the_next_function(tmp_path):
    """A student who wrote the first two functions of 01_penalties: the notebook runs their demo
    and check cells and stops, with the one-line message, at the first function still missing."""
    from autograder.release import SOLUTION_MARKERS, release_module_text

    aid = "01_penalties"
    if aid not in WITH_NOTEBOOK:
        pytest.skip("no notebook for 01_penalties")
    a = ASSIGNMENTS[aid]
    folder = _layout(tmp_path, "assignments", aid)
    lines, regions, out = (REPO_ROOT / "source" / aid / a.filename).read_text().split("\n"), 0, []
    for line in lines:  # keep the first two solution regions as plain code, stub the rest
        if line.strip() == SOLUTION_MARKERS[0]:
            regions += 1
        if regions <= 2 and line.strip() in SOLUTION_MARKERS:
            continue
        out.append(line)
    (folder / a.filename).write_text(release_module_text("\n".join(out)))
    done = _public_functions(folder / a.filename)[:2]
    nb, error, _ = _execute(folder, folder / f"{aid}.ipynb", CELL_TIMEOUT)
    assert error is not None
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(errors) == 1 and len(errors[0].traceback) == 1
    stopped_at = re.search(r"(\w+)\(\) in", errors[0].traceback[0]).group(1)
    assert stopped_at not in done and stopped_at in _public_functions(folder / a.filename)
