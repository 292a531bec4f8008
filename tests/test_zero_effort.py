"""Scores mean what they say: submissions that do no work earn (almost) nothing, and the public check
predicts the grade.

The zero-effort submissions (tests/zero_effort.py) of every assignment: the release stub; a table
replay of the public suite (every call the public cases make, recorded against the reference and
answered for exactly those inputs, anything else raising or returning zeros); functions returning
None, zeros, ones, random numbers, the input itself, NaN or infinity (plain, and inside the tuple or
dict structure the reference returns). Each is graded as the grader grades (public + hidden) and
must earn at most 5% of the assignment's code points.

The quiz half (a sheet of every practice key, graded questions) is measured by the quiz tests: see
QUIZ_ZERO_EFFORT below, the place where that sheet joins this table.
"""
import warnings

import pytest

from autograder import framework, grading
from autograder.course import audited
from tests.catalogue import assignment
from tests.zero_effort import code_share, record_public_calls, stub, table_replay, zero_effort_submissions

MODULES = [a.module for a in audited()]
CEILING = 0.05   # the share of an assignment's code points any zero-effort submission may earn

# Zero-effort quiz sheets (every practice key entered as a graded answer...) are built and measured
# next to the quiz code; a builder added here as {name: callable(assignment) -> share} is checked too.
QUIZ_ZERO_EFFORT: dict = {}


@pytest.fixture(scope="module", autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # garbage divides by zero on purpose
        yield


@pytest.mark.parametrize("module", MODULES)
def test_zero_effort_submissions_earn_at_most_5_percent(module):
    a = assignment(module)
    shares = {name: code_share(a, sub) for name, sub in zero_effort_submissions(a).items()}
    shares.update({name: build(a) for name, build in QUIZ_ZERO_EFFORT.items()})
    too_much = {name: f"{share:.1%}" for name, share in shares.items() if share > CEILING}
    assert not too_much, f"{a.id}: zero-effort submissions earning more than {CEILING:.0%}: {too_much}"


@pytest.mark.parametrize("module", MODULES)
def test_table_replay_passes_the_public_suite_and_so_tests_the_rule(module):
    """The replay really answers the public cases (else the 5% above would prove nothing about replay)."""
    a = assignment(module)
    assert sum(len(calls) for calls in record_public_calls(a).values()) >= 5
    public = framework.run_cases(grading.cases_for(a, False), framework.InProcessSubmission(table_replay(a, "raise")))
    score, max_score = grading.totals(public)
    # deterministic cases replay exactly; only checks across calls with different seeds (a random
    # mask, a permutation) can tell a replay from the work
    assert score >= 0.8 * max_score, f"{a.id}: the replay passes only {score}/{max_score} public points"


@pytest.mark.parametrize("module", MODULES)
def test_the_release_stub_earns_nothing_on_the_public_cases(module):
    a = assignment(module)
    results = framework.run_cases(grading.cases_for(a, False), framework.InProcessSubmission(stub(a)))
    assert grading.totals(results)[0] == 0
