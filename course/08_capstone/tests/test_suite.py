"""What is particular to 08_capstone's suites (the rest: tests/test_suites.py): the end-to-end training
cases exist, and only training cases get a longer time budget per call."""
from autograder import framework
from autograder.course import ASSIGNMENTS
from tests.catalogue import catalogue

A = ASSIGNMENTS["08_capstone"]


def test_end_to_end_cases_exist():
    end_to_end = catalogue(A).END_TO_END
    assert len(end_to_end) == 2
    assert end_to_end <= {c.name for c in framework.load_cases(A.suite, hidden=True)}


def test_only_training_cases_get_a_longer_time_budget():
    budgets = {c.name: c.call_timeout for c in framework.load_cases(A.suite, hidden=True) if c.call_timeout}
    assert budgets and all(name.startswith("train:") for name in budgets), budgets
    assert all(seconds <= 10.0 for seconds in budgets.values())
