"""How a module's grade enters nbgrader through nbgrader's own mechanisms.

Each assignment notebook has one autograded test cell per graded function (grade id
`test-<function>`, its points = the function's points in the suites) and one for the quiz
(`test-quiz`). A student who runs such a cell sees the function's public checks. During
`nbgrader autograde`, nbgrader restores those cells from its database (a student cannot edit
or delete them: `OverwriteCells`, with missing cells added back), executes the notebook, and then
`GradeWithAutograder` (registered in nbgrader_config.py between `Execute` and `SaveAutoGrades`)
grades the submission folder's module in the sandbox, exactly as `python -m autograder grade`
does, and writes each test cell's outputs: the function's feedback (stdout) and its score (an
execute result), which nbgrader's own `SaveAutoGrades` records as partial credit. So whatever the
student's notebook code does in nbgrader's kernel, the scores come from the sandboxed grader, and
`nbgrader autograde` alone gives the same per-function scores as `grade`.

Feedback shown in the cells (and so in `nbgrader generate_feedback`): per function, the score and
what failed, with the hints. Hidden cases are not named and their values are not shown unless the
instructor sets `c.GradeWithAutograder.show_hidden_details = True` (once grades are published).

Rubrics: each hand-graded written answer's rubric lives in the instructor's source notebook (after
the model answer). Autograde inserts it, as a cell of its own, right under the student's answer in
the autograded notebook, which is what formgrader shows the grader; `RemoveRubrics` (registered for
generate_feedback) takes those cells out again, so feedback never carries them.
"""
from __future__ import annotations

from pathlib import Path

TEST_CELL_PREFIX = "test-"
RUBRIC_MARK = "**Rubric for graders"      # where tools/notebooks/rubrics.py starts a rubric in a model answer
RUBRIC_CELL = "autograder_rubric"         # metadata key of an inserted rubric cell


def grade_cell_id(function: str) -> str:
    """The nbgrader grade id of a function's autograded test cell (letters, digits, -, _ only)."""
    return f"{TEST_CELL_PREFIX}{function}"


def function_points(assignment) -> dict[str, float]:
    """Points of each graded function of an assignment (public and hidden cases), suite order."""
    from . import grading

    points: dict[str, float] = {}
    for case in grading.cases_for(assignment, True):
        points[case.function] = points.get(case.function, 0.0) + case.points
    return points


def quiz_points(assignment) -> float:
    """The graded quiz's points (what a blank answer sheet could at most have earned)."""
    import tempfile

    from . import grading

    with tempfile.TemporaryDirectory() as empty:
        return float(sum(r.max_score for r in grading.quiz_results(assignment, Path(empty))))


def function_feedback(results, *, show_hidden: bool = False) -> str:
    """Readable feedback on one function's cases (the lines a test cell's output shows)."""
    from .grading import by_function, _fmt

    results = list(results)
    if not results:
        return "not graded\n"
    fs = next(iter(by_function(results).values()))
    lines = [f"{_fmt(fs.score)} / {_fmt(fs.max_score)} points ({fs.status.label})"]
    hidden_failed = 0
    hints: list[str] = []
    for r in results:
        if r.passed:
            continue
        if r.visibility != "visible" and not show_hidden:
            hidden_failed += 1
        else:
            first = (r.output or r.status).strip().splitlines()[0] if (r.output or r.status).strip() else r.status
            lines.append(f"- {r.name} ({r.status.label}): {first}")
        if r.hint and r.hint not in hints:
            hints.append(r.hint)
    if hidden_failed:
        lines.append(f"- {hidden_failed} hidden test{'s' if hidden_failed > 1 else ''} failed")
    lines += [f"  Hint: {h}" for h in hints]
    return "\n".join(lines) + "\n"


def rubrics_of(source_notebook: Path) -> dict[str, str]:
    """grade id -> rubric (Markdown) of each written answer of the instructor's source notebook."""
    import nbformat

    if not source_notebook.is_file():
        return {}
    rubrics = {}
    for cell in nbformat.read(source_notebook, as_version=4).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution") and RUBRIC_MARK in cell.source:
            rubrics[meta["grade_id"]] = cell.source[cell.source.index(RUBRIC_MARK):]
    return rubrics


def insert_rubrics(nb, rubrics: dict[str, str]) -> int:
    """Put each answer's rubric in a cell of its own right under the student's answer (once)."""
    import nbformat

    cells, added = [], 0
    for cell in nb.cells:
        if cell.get("metadata", {}).get(RUBRIC_CELL):
            continue   # from an earlier autograde: replaced below
        cells.append(cell)
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "markdown" and grade_id in rubrics:
            rubric = nbformat.v4.new_markdown_cell(rubrics[grade_id] + "\n\n*(instructor's rubric, not part of "
                                                   "the student's answer; removed from the feedback)*")
            rubric.metadata[RUBRIC_CELL] = True
            cells.append(rubric)
            added += 1
    nb.cells = cells
    return added


def _outputs(text: str, score: float):
    import nbformat

    return [nbformat.v4.new_output("stream", name="stdout", text=text),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(score))}, execution_count=None)]


def _make_preprocessor():
    from nbgrader.preprocessors.base import NbGraderPreprocessor
    from traitlets import Bool

    class GradeWithAutograder(NbGraderPreprocessor):
        """Grade the submission's module in the sandbox and write each test cell's score."""

        show_hidden_details = Bool(False, help="Name hidden cases and show their messages in the "
                                               "feedback (only once grades are published).").tag(config=True)

        def preprocess(self, nb, resources):
            from . import grading
            from .course import find_assignment

            try:
                assignment = find_assignment(resources["nbgrader"]["assignment"])
            except (KeyError, ValueError):
                return nb, resources   # not one of this course's assignments: nothing to add
            folder = Path(resources.get("metadata", {}).get("path") or ".")
            student = resources["nbgrader"].get("student")   # per-student quiz variants
            results = grading.grade_submission(assignment, folder, student=student)
            by_function: dict[str, list] = {}
            for r in results:
                by_function.setdefault(r.function, []).append(r)
            for cell in nb.cells:
                grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
                if cell.cell_type != "code" or not grade_id.startswith(TEST_CELL_PREFIX):
                    continue
                function = grade_id[len(TEST_CELL_PREFIX):]
                mine = by_function.get(function, [])
                score = sum(r.score for r in mine)
                cell.outputs = _outputs(function_feedback(mine, show_hidden=self.show_hidden_details), score)
                self.log.info("%s: %s = %g", folder.name, grade_id, score)
            insert_rubrics(nb, rubrics_of(assignment.source_dir() / f"{assignment.id}.ipynb"))
            return nb, resources

    class RemoveRubrics(NbGraderPreprocessor):
        """generate_feedback: the rubric cells autograde inserted for the graders are not feedback."""

        def preprocess(self, nb, resources):
            nb.cells = [c for c in nb.cells if not c.get("metadata", {}).get(RUBRIC_CELL)]
            return nb, resources

    return GradeWithAutograder, RemoveRubrics


def __getattr__(name: str):
    # nbgrader (and traitlets) load only where these preprocessors are used: an instructor's autograde
    if name in ("GradeWithAutograder", "RemoveRubrics"):
        grade, remove = _make_preprocessor()
        globals().update(GradeWithAutograder=grade, RemoveRubrics=remove)
        return globals()[name]
    raise AttributeError(name)
