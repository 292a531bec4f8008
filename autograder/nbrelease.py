"""Notebooks of the release and of the solutions, made with nbgrader's own preprocessors.

`python -m autograder release` (autograder/release.py) calls

    release_notebook(src, dst)    source/<id>/<nb>.ipynb -> assignments/<id>/<nb>.ipynb
    solution_notebook(src, dst)   source/<id>/<nb>.ipynb -> solutions/<id>/<nb>.ipynb

They run the preprocessor chains of `nbgrader generate_assignment` and
`nbgrader generate_solution` (nbgrader 0.9.6), minus the steps that need nbgrader's database
(SaveCells) or features the course does not use (header/footer files, autotest directives),
through nbconvert's NotebookExporter as nbgrader does.  So the bytes written are the bytes
nbgrader's own commands write with the repository's nbgrader_config.py (tests check it), and
the output depends on nothing but the source file: no timestamps, no random cell ids, no
outputs (`release --check` compares byte for byte).

release chain (same order as GenerateAssignment.preprocessors):
    LockCells          grade cells and read-only cells become undeletable/uneditable
    ClearSolutions     ### BEGIN/END SOLUTION regions -> `raise NotImplementedError()`,
                       written-answer cells -> "YOUR ANSWER HERE"
    ClearOutput        no outputs or execution counts
    CheckCellMetadata  rejects malformed nbgrader metadata
    ComputeChecksums   checksums of grade/solution cells (nbgrader detects tampering)
    ClearHiddenTests   ### BEGIN/END HIDDEN TESTS regions removed
    ClearMarkScheme    ### BEGIN/END MARK SCHEME regions removed
    ComputeChecksums, CheckCellMetadata   again, after the hidden tests are gone
solution chain (GenerateSolution minus Execute, see nbgrader_config.py):
    LockCells, ClearOutput, ClearMarkScheme

`write_companions` is the post-convert hook of nbgrader_config.py: after nbgrader wrote the
notebooks it writes the module stub / reference and the quiz with the release's handlers.
"""
from __future__ import annotations

from pathlib import Path

RELEASE_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
                   "### END HIDDEN TESTS", "### BEGIN MARK SCHEME", "### END MARK SCHEME")


def _release_chain():
    from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                        ClearOutput, ClearSolutions, ComputeChecksums, LockCells)
    return [LockCells, ClearSolutions, ClearOutput, CheckCellMetadata, ComputeChecksums,
            ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata]


def _solution_chain():
    from nbgrader.preprocessors import ClearMarkScheme, ClearOutput, LockCells
    return [LockCells, ClearOutput, ClearMarkScheme]


def convert_text(src: Path, chain) -> str:
    """The notebook text nbgrader's exporter would write after `chain`."""
    from nbconvert.exporters import NotebookExporter

    exporter = NotebookExporter()
    for pp in chain:
        exporter.register_preprocessor(pp, enabled=True)
    resources = {"nbgrader": {"notebook": src.stem, "assignment": src.parent.name, "student": "."}}
    output, _ = exporter.from_filename(str(src), resources=resources)
    return output


def release_notebook(src: Path, dst: Path) -> None:
    text = convert_text(Path(src), _release_chain())
    for marker in RELEASE_MARKERS:
        if marker in text:
            raise ValueError(f"{src}: {marker!r} survived the release of the notebook")
    Path(dst).write_text(text, encoding="utf-8")


def solution_notebook(src: Path, dst: Path) -> None:
    Path(dst).write_text(convert_text(Path(src), _solution_chain()), encoding="utf-8")


# ----------------------------------------------------------------------------- nbgrader hook
def companion_files(source_dir: Path) -> list[Path]:
    """The files of source/<id>/ that nbgrader_config.py keeps nbgrader from copying."""
    return sorted(p for p in source_dir.iterdir()
                  if p.is_file() and (p.suffix == ".py" or p.name == "quiz.yaml"))


def write_companions(root: Path, assignment_id: str, step: str) -> list[Path]:
    """Write the processed module(s) and quiz of one assignment after an nbgrader command.

    step "release": into root/assignments/<id>/ (stub module, hashed quiz);
    step "solution": into root/solutions/<id>/ (reference module, solution quiz).
    """
    from .release import _handlers_for

    root = Path(root)
    src_dir = root / "source" / assignment_id
    if not src_dir.is_dir() or src_dir.parent != root / "source":
        raise FileNotFoundError(f"no assignment {assignment_id!r} in {root / 'source'}")
    out_dir = root / ("assignments" if step == "release" else "solutions") / assignment_id
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for src in companion_files(src_dir):
        to_release, to_solution = _handlers_for(src)
        dst = out_dir / src.name
        try:
            (to_release if step == "release" else to_solution)(src, dst)
        except BaseException:
            if step == "release" and dst.exists():
                dst.unlink()  # fail closed: never leave a half-processed file in the release
            raise
        written.append(dst)
    return written
