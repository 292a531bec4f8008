"""The one error type of bad command-line input.

A command raises UsageError (or a subclass) for anything the user can fix: an unknown
assignment, a path that does not exist, a folder laid out wrongly. `python -m autograder`
(autograder/__main__.py) prints it as one line, `<command>: error: <message>`, and exits 2;
no command has to catch it itself.
"""
from __future__ import annotations


class UsageError(Exception):
    """Bad input on the command line: the message names the problem and what was expected."""


def positive_number(text: str) -> float:
    """argparse type of a limit (seconds, megabytes): a number greater than 0."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number greater than 0")
    return value
