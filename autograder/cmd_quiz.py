"""python -m autograder quiz ASSIGNMENT [--practice | --answers FILE]: take a quiz.

Default: the graded questions. Each one is asked on the terminal (or read line by line from
piped stdin) and the answer is recorded in quiz_answers.yaml -- next to the assignment's
quiz.yaml, or --sheet FILE -- which you submit with your module. Only the answer's format is
checked here: graded answers are scored when your submission is graded, and the explanations
come back with the grade. If your instructor gave you a variant token (some numbers in the
questions are personal), pass it once with --variant; it is kept in the sheet.

--practice: the practice questions, which never count: each answer is checked at once and
explained. --answers FILE checks a filled-in sheet without asking: the format of the graded
answers, and any practice answers it holds.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import quiz as quizlib
from .course import find_assignment
from .errors import UsageError


def add_parser(sub) -> None:
    p = sub.add_parser("quiz", help="take an assignment's quiz (records quiz_answers.yaml), or practise",
                       description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("assignment", metavar="ASSIGNMENT", help="e.g. 03_dropout, 03, or dropout")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--practice", action="store_true", help="the practice questions, with instant feedback")
    mode.add_argument("--answers", type=Path, metavar="FILE",
                      help="check the answers in FILE (a quiz_answers.yaml) instead of asking")
    p.add_argument("--variant", metavar="TOKEN", help="your variant token (v-...), from your instructor")
    p.add_argument("--sheet", type=Path, metavar="FILE",
                   help="where to record the graded answers (default: quiz_answers.yaml next to quiz.yaml)")
    p.add_argument("--quiz", type=Path, metavar="FILE",
                   help="the quiz.yaml to use (default: ./quiz.yaml, then assignments/<id>/quiz.yaml)")
    p.set_defaults(run=main)


def main(args: argparse.Namespace) -> int:
    try:
        assignment = find_assignment(args.assignment)
        path = args.quiz or quizlib.find_quiz_file(assignment.id)
        quiz = quizlib.load_quiz(path)
    except (ValueError, FileNotFoundError, OSError) as exc:
        raise UsageError(str(exc)) from None
    if quiz.id != assignment.id:
        raise UsageError(f"{path} is the quiz of {quiz.id}, not {assignment.id}")
    if args.variant is not None and not quizlib.is_token(args.variant):
        raise UsageError(f"{args.variant!r} is not a variant token (they look like v-0123456789abcdef)")
    token = args.variant.strip().lower() if args.variant else None
    if args.answers is not None:
        answers, problem = quizlib.read_answers(args.answers)
        if problem is not None:
            raise UsageError(problem)
        quizlib.run_answers(quiz, answers, token=token)
        return 0
    echo = not sys.stdin.isatty()
    try:
        if args.practice:
            if not quiz.practice:
                raise UsageError(f"{quiz.id} has no practice questions")
            quizlib.run_practice(quiz, echo=echo)
        else:
            sheet = args.sheet or quizlib.default_sheet(Path(path))
            if sheet.parent and not sheet.parent.is_dir():
                raise UsageError(f"cannot write {sheet}: no folder {sheet.parent}")
            quizlib.run_graded(quiz, sheet, token=token, echo=echo)
    except KeyboardInterrupt:
        print("\nquiz interrupted (the answers given so far are saved)", file=sys.stderr)
        return 130
    except OSError as exc:
        raise UsageError(f"could not save the answers: {exc.strerror or exc}") from None
    return 0
