"""Student-facing text is self-contained: it never cites a document students do not have.

Students receive only the release (assignments/) and the grader's messages (case names and
hints of the suites, shown by `python -m autograder check` and in feedback). The source
material's mistakes are taught in place ("some texts write X; that is wrong because ..."),
never as "erratum 2", "the course page", "the primer", "practice problem 3", "worked example 1".
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.course import REPO_ROOT

# Each pattern names a document (or a numbered item of one) that is not in the release.
OUTSIDE_REFERENCES = re.compile(
    r"\berrat(um|a)\b|course page|\bprimer\b|practice problem|worked example|lecture notebook"
    r"|\bthe lecture\b|\bthe overview\b|source material|\bthe material\b",
    re.IGNORECASE)
TEXT_SUFFIXES = {".py", ".ipynb", ".md", ".txt", ".yaml", ".yml", ".json"}


def _release_files() -> list[Path]:
    return sorted(p for p in (REPO_ROOT / "assignments").rglob("*")
                  if p.is_file() and p.suffix in TEXT_SUFFIXES
                  and "__pycache__" not in p.parts)


def _suite_files() -> list[Path]:
    return sorted((REPO_ROOT / "course").glob("*/suites/*.py"))


def _offending_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [f"{path.relative_to(REPO_ROOT)}:{n}: {line.strip()[:120]}"
            for n, line in enumerate(text.splitlines(), 1) if OUTSIDE_REFERENCES.search(line)]


def test_the_pattern_catches_each_kind_of_reference():
    for phrase in ("Erratum 2 says", "see the course page", "the primer's example", "Practice problem 3",
                   "worked example 1", "the lecture notebook", "from the overview"):
        assert OUTSIDE_REFERENCES.search(phrase), phrase
    for phrase in ("some texts write", "the example mu = 1", "a primary key", "material girl"):
        assert not OUTSIDE_REFERENCES.search(phrase), phrase


def test_release_is_scanned():
    names = {p.name for p in _release_files()}
    assert {"penalties.py", "01_penalties.ipynb", "normalization.py"} <= names


@pytest.mark.parametrize("path", _release_files(), ids=lambda p: str(p.relative_to(REPO_ROOT / "assignments")))
def test_release_cites_no_outside_document(path):
    assert not _offending_lines(path), "\n".join(_offending_lines(path))


@pytest.mark.parametrize("path", _suite_files(), ids=lambda p: str(p.relative_to(REPO_ROOT / "course")))
def test_grader_messages_cite_no_outside_document(path):
    assert not _offending_lines(path), "\n".join(_offending_lines(path))
