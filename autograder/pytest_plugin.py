"""pytest plugin: run the grading suites against one submission, as ordinary pytest tests.

    pytest -p autograder.pytest_plugin --submission DIR course/01_penalties/suites
    pytest -p autograder.pytest_plugin --submission DIR/penalties.py course/01_penalties/suites/public.py

Each case of public.py / hidden.py becomes one test item whose name is the case name
(node id `course/<id>/suites/<file>.py::<case name>`). The submission runs in
the same sandbox as the batch grader (autograder.sandbox), one worker per session and
module; hidden cases get the reference solution (trusted side). A failure shows the
grader's message and hint. `--submission` is required for suite files to be collected,
so the plugin is inert in the repository's own test runs.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from . import framework
from .course import ASSIGNMENTS, load_reference

SUITE_FILES = {"public.py": "visible", "hidden.py": "after_published"}


def pytest_addoption(parser):
    group = parser.getgroup("autograder", "grading a submission with the course suites")
    group.addoption("--submission", metavar="PATH", default=None,
                    help="the submission to grade: its folder or its module file")
    group.addoption("--sandbox-timeout", type=float, default=None, metavar="SECONDS",
                    help="time limit of one call of student code")


def pytest_collect_file(file_path: Path, parent):
    if parent.config.getoption("submission") is None:
        return None
    if file_path.name in SUITE_FILES and file_path.parent.name == "suites" and _assignment_of(file_path):
        return SuiteFile.from_parent(parent, path=file_path)
    return None


class _Sandboxes:
    """One SandboxedSubmission per student module for the whole session."""

    def __init__(self, config):
        self.config = config
        self.subs = {}

    def get(self, assignment):
        if assignment.module not in self.subs:
            from .sandbox import SandboxedSubmission

            path = Path(self.config.getoption("submission")).expanduser()
            module = path if path.is_file() else path / assignment.filename
            options = {}
            if self.config.getoption("sandbox_timeout"):
                options["call_timeout"] = self.config.getoption("sandbox_timeout")
            self.subs[assignment.module] = (SandboxedSubmission(module, module_name=assignment.module, **options)
                                            if module.is_file() else None)
        return self.subs[assignment.module]

    def close(self):
        for sub in self.subs.values():
            if sub is not None:
                sub.close()


_sandboxes_key = pytest.StashKey[_Sandboxes]()


def pytest_configure(config):
    if config.getoption("submission") is not None:
        config.stash[_sandboxes_key] = _Sandboxes(config)


def pytest_unconfigure(config):
    sandboxes = config.stash.get(_sandboxes_key, None)
    if sandboxes is not None:
        sandboxes.close()


def _assignment_of(suite_file: Path):
    folder = suite_file.resolve().parent
    return next((a for a in ASSIGNMENTS.values() if a.suites_dir().resolve() == folder), None)


class SuiteFile(pytest.File):
    def collect(self):
        assignment = _assignment_of(self.path)
        if assignment is None:
            return
        for c in framework.load_suite(self.path, SUITE_FILES[self.path.name]):
            yield CaseItem.from_parent(self, name=c.name, case=c, assignment=assignment)


class CaseFailed(Exception):
    def __init__(self, result: framework.CaseResult):
        super().__init__(result.output)
        self.result = result


class CaseItem(pytest.Item):
    def __init__(self, *, case, assignment, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        self.assignment = assignment
        self.user_properties.append(("points", case.points))
        self.user_properties.append(("function", case.function))

    def runtest(self):
        sub = self.config.stash[_sandboxes_key].get(self.assignment)
        if sub is None:
            raise CaseFailed(framework.CaseResult(self.case.name, self.case.function, 0.0, self.case.points,
                                                  "import_error", f"no {self.assignment.filename} in the submission"))
        ref = load_reference(self.assignment) if self.case.wants_reference else None
        result = framework.run_case(self.case, sub, ref)
        self.user_properties.append(("score", result.score))
        if result.status != "passed":
            raise CaseFailed(result)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseFailed):
            r = excinfo.value.result
            text = f"[{r.status}] {r.output}"
            if r.hint:
                text += f"\nHint: {r.hint}"
            return text
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, self.name
