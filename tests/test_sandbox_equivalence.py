"""Isolation never changes a grade: every catalogue variant scores the same in the sandbox and in process.

The suite tests (tests/test_<module>_suite.py) prove the grading logic on the catalogue in
process; this test proves the real sandbox (separate process, wire format, batched calls)
gives each case the same status, score, hint and first output line.
"""

import pytest

from autograder import framework, grading
from autograder.course import ASSIGNMENTS
from autograder.sandbox import SandboxedSubmission
from tests.catalogue import catalogue as catalogue_of, variant_module, variant_source


@pytest.mark.parametrize("assignment", list(ASSIGNMENTS.values()), ids=lambda a: a.id)
def test_catalogue_grades_identically_in_the_sandbox(assignment, tmp_path):
    catalogue = catalogue_of(assignment)
    cases = grading.cases_for(assignment, True)
    ref = grading.reference_for(assignment)
    differences = []
    variants = list(catalogue.MISTAKES) + list(catalogue.CORRECT)
    for variant in variants:
        path = tmp_path / assignment.filename
        path.write_text(variant_source(assignment, variant.code))
        with SandboxedSubmission(path, module_name=assignment.module) as sub:
            sandboxed = framework.run_cases(cases, sub, ref)
        in_process = framework.run_cases(
            cases, framework.InProcessSubmission(variant_module(assignment, variant.code)), ref)
        for s, i in zip(sandboxed, in_process):
            seen = (s.status, s.score, s.hint, s.output.split("\n")[0])
            expected = (i.status, i.score, i.hint, i.output.split("\n")[0])
            if seen != expected:
                differences.append(f"{variant.name} / {s.name}: sandbox {seen[:2]} vs in process {expected[:2]}")
    assert len(variants) >= 30
    assert differences == []
