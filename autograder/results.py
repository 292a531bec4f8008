"""What grading produces, in one model: a case's result, a function's total, a submission's record.

    Status            every status a case, a function or a submission can have, and what each means
    CaseResult        one case (test) of one submission
    FunctionResult    one student function's total over its cases (partial credit is per function)
    SubmissionResult  one (student, assignment): totals, status, message and every case; the row
                      the batch grader commits to OUT/grades.sqlite, which report and export read

Statuses are `str` values (StrEnum), so results.json, gradebook.csv and the store hold the same
words as before ("passed", "graded", ...), and `status == "passed"` keeps working.
No dependency beyond the standard library: the student kit ships this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable


class UnknownStatus(ValueError):
    """A stored status this grader does not know (a damaged or foreign store)."""


class Status(StrEnum):
    # a case (and, summed up, a function)
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    NOT_IMPLEMENTED = "not_implemented"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    IMPORT_ERROR = "import_error"
    # a function only: some of its cases passed
    PARTIAL = "partial"
    # a submission (the gradebook's status column)
    GRADED = "graded"
    MISSING_MODULE = "missing_module"
    UNKNOWN_ASSIGNMENT = "unknown_assignment"
    UNREADABLE = "unreadable"
    GRADER_ERROR = "grader_error"

    @property
    def words(self) -> str:
        """How feedback names this status (a short phrase)."""
        return _MEANING[self][0]

    @property
    def meaning(self) -> str:
        """What this status means, in one sentence."""
        return _MEANING[self][1]

    @property
    def label(self) -> str:
        """The status as a reader sees it next to a test: "not implemented"."""
        return self.value.replace("_", " ")

    @classmethod
    def parse(cls, value, where: str = "") -> "Status":
        """The Status of a stored value, or UnknownStatus naming it (and `where` it was found)."""
        try:
            return cls(value)
        except ValueError:
            place = f"{where}: " if where else ""
            raise UnknownStatus(f"{place}unknown status {value!r} (known: {', '.join(s.value for s in cls)})") from None


# (words in feedback, meaning): the one place that says what each status is
_MEANING = {
    Status.PASSED: ("all tests passed", "the case's checks all held"),
    Status.FAILED: ("tests failed", "a check did not hold, or what the code returned could not be checked"),
    Status.ERROR: ("raised an error", "the student's code raised an exception"),
    Status.NOT_IMPLEMENTED: ("not implemented yet", "the function still raises NotImplementedError"),
    Status.TIMEOUT: ("too slow (time limit)", "a call ran past its time limit"),
    Status.CRASHED: ("crashed the worker", "the process running the student's code died"),
    Status.IMPORT_ERROR: ("module could not be imported",
                          "the module could not be imported; every code test scored 0"),
    Status.PARTIAL: ("some tests failed", "some of the function's tests passed, others did not"),
    Status.GRADED: ("graded", "graded (individual tests may still have failed)"),
    Status.MISSING_MODULE: ("no module submitted", "the submission folder has no module file for this assignment"),
    Status.UNKNOWN_ASSIGNMENT: ("not an assignment", "the folder is not an assignment of this course"),
    Status.UNREADABLE: ("could not be read", "the submission could not be read"),
    Status.GRADER_ERROR: ("grader error", "the grader itself failed on this submission (not the student's fault)"),
}

# A function's status when its cases disagree and none passed: the first of these present
_WORST_FIRST = (Status.TIMEOUT, Status.CRASHED, Status.ERROR, Status.NOT_IMPLEMENTED)


@dataclass
class CaseResult:
    name: str
    function: str
    score: float
    max_score: float
    status: Status
    output: str = ""
    hint: str | None = None
    visibility: str = "visible"

    def __post_init__(self):
        if type(self.status) is not Status:   # a producer that wrote the word: the model holds the member
            self.status = Status(self.status)

    @property
    def passed(self) -> bool:
        return self.status == Status.PASSED

    def points_confirmed(self, share: float) -> float:
        """This passed case's points times `share`, rounded to 1/100 of a point (reports print %g)."""
        return round(self.max_score * share, 2)

    def to_dict(self) -> dict:
        return dict(vars(self))   # the fields are plain values: dataclasses.asdict's deep copy is not needed

    @classmethod
    def from_dict(cls, data: dict, where: str = "") -> "CaseResult":
        """A case as to_dict wrote it; UnknownStatus for a status nobody knows, ValueError for a missing field."""
        try:
            return cls(data["name"], data["function"], float(data["score"]), float(data["max_score"]),
                       Status.parse(data["status"], where), data.get("output", ""), data.get("hint"),
                       data.get("visibility", "visible"))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where + ': ' if where else ''}a case result without a valid {exc}") from None


@dataclass
class FunctionResult:
    function: str
    score: float
    max_score: float
    status: Status    # passed | partial | failed | not_implemented | timeout | crashed | error | import_error


def function_status(statuses: set) -> Status:
    """One status summing up a function's case statuses."""
    if statuses == {Status.PASSED}:
        return Status.PASSED
    if statuses == {Status.NOT_IMPLEMENTED}:
        return Status.NOT_IMPLEMENTED
    if statuses == {Status.IMPORT_ERROR}:
        return Status.IMPORT_ERROR
    if Status.PASSED in statuses:
        return Status.PARTIAL
    return next((s for s in _WORST_FIRST if s in statuses), Status.FAILED)


def by_function(results: Iterable[CaseResult]) -> dict[str, FunctionResult]:
    """Per-function totals in first-appearance order, with one summarizing status."""
    groups: dict[str, list[CaseResult]] = {}
    for r in results:
        groups.setdefault(r.function, []).append(r)
    return {fn: FunctionResult(fn, sum(r.score for r in rs), sum(r.max_score for r in rs),
                               function_status({r.status for r in rs}))
            for fn, rs in groups.items()}


def totals(results: Iterable[CaseResult]) -> tuple[float, float]:
    results = list(results)
    return sum(r.score for r in results), sum(r.max_score for r in results)


@dataclass
class SubmissionResult:
    """One graded (student, assignment): what the store keeps, report and export read."""
    student: str
    assignment: str
    score: float
    max_score: float
    status: Status
    message: str = ""
    fingerprint: str = ""
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0
    graded_at: str = ""

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    def functions(self) -> dict[str, FunctionResult]:
        return by_function(self.cases)

    def to_dict(self) -> dict:
        return {**vars(self), "cases": [c.to_dict() for c in self.cases]}

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        where = f"{data.get('student')}/{data.get('assignment')}"
        try:
            return cls(str(data["student"]), str(data["assignment"]), float(data["score"]),
                       float(data["max_score"]), Status.parse(data["status"], where), data.get("message") or "",
                       data.get("fingerprint") or "",
                       [CaseResult.from_dict(c, where) for c in data.get("cases") or []],
                       float(data.get("seconds") or 0.0), data.get("graded_at") or "")
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{where}: a submission result without a valid {exc}") from None
