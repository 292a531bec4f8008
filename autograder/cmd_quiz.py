"""python -m autograder quiz ASSIGNMENT [--answers FILE]: take a quiz, or check an answers file.

Interactive (default): asks each question on the terminal (or reads answers line by line
from piped stdin), says whether the answer is right, then shows the explanation; prints
the score at the end. With --answers FILE it checks a filled-in quiz_answers.yaml without
asking. Works from the student release, whose keys are salted hashes (autograder/quiz.py).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import quiz as quizlib
from .course import find_assignment


def add_parser(sub) -> None:
    p = sub.add_parser("quiz", help="take an assignment's quiz, or check a quiz_answers.yaml",
                       description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. 03_dropout, 03, or dropout")
    p.add_argument("--answers", type=Path, metavar="FILE",
                   help="check the answers in FILE (a quiz_answers.yaml) instead of asking")
    p.add_argument("--quiz", type=Path, metavar="FILE",
                   help="the quiz.yaml to use (default: ./quiz.yaml, then assignments/<id>/quiz.yaml)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    try:
        assignment = find_assignment(args.assignment)
        path = args.quiz or quizlib.find_quiz_file(assignment.id)
        quiz = quizlib.load_quiz(path)
    except (ValueError, FileNotFoundError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if quiz.id != assignment.id:
        print(f"error: {path} is the quiz of {quiz.id}, not {assignment.id}", file=sys.stderr)
        return 2
    if args.answers is not None:
        answers, problem = quizlib.read_answers(args.answers)
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        quizlib.run_answers(quiz, answers)
        return 0
    interactive = sys.stdin.isatty()
    try:
        quizlib.run_interactive(quiz, echo=not interactive)
    except KeyboardInterrupt:
        print("\nquiz interrupted", file=sys.stderr)
        return 130
    return 0
