"""Command line: python -m autograder <command> ... (installed: `autograder <command> ...`)

Each command lives in its own module exposing add_parser(subparsers); main(args).

Errors are handled here, once for every command: bad input (autograder.errors.UsageError,
a bad flag, a file that does not exist) is one line on stderr, `<command>: error: ...`, and
exit status 2; a machine that cannot run the command (no sandbox, no worker) is one line and
status 1; anything else is a bug of the grader, reported in one line with status 70 (set
AUTOGRADER_DEBUG=1 to see its traceback). A traceback never reaches a user by accident.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from .errors import UsageError

COMMANDS = ["release", "check", "grade", "quiz", "gradescope", "bundle", "report", "export", "figures",
            "similarity"]
PROG = "python -m autograder"
EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_INTERRUPTED = 2, 1, 70, 130


class Parser(argparse.ArgumentParser):
    """argparse, with a bad flag reported in one line (naming --help) instead of the usage block."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line parser; with `only`, just that command's (importing one command module, not
    all of them, saves a command's start-up time)."""
    parser = Parser(prog=PROG, description="Autograder of the regularization course.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in ([only] if only in COMMANDS else COMMANDS):
        try:
            module = importlib.import_module(f"autograder.cmd_{name}" if name != "release" else "autograder.release")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("autograder."):
                continue  # command not shipped in this copy (e.g. the student bundle)
            raise
        module.add_parser(sub)
    return parser


def _environment_errors() -> tuple[type, ...]:
    """The runners' own failure types, among the modules this run imported (not imported here: the
    sandbox does not import on Windows)."""
    found = []
    for module, name in (("autograder.portable", "RunnerError"), ("autograder.sandbox", "SandboxError")):
        if module in sys.modules:
            found.append(getattr(sys.modules[module], name))
    return tuple(found)


def _run(argv: list[str]) -> int:
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.run(args) or 0)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    where = PROG + (f" {argv[0]}" if argv and argv[0] in COMMANDS else "")
    try:
        return _run(argv)
    except UsageError as exc:
        print(f"{where}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        if exc.filename is None:   # not about a path: a failure of this machine
            print(f"{where}: error: {exc}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        print(f"{where}: error: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)   # a path given to it
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"\n{where}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the one place a failure becomes a message
        if isinstance(exc, _environment_errors()):
            print(f"{where}: error: {exc}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        if os.environ.get("AUTOGRADER_DEBUG"):
            raise
        print(f"{where}: internal error: {type(exc).__name__}: {exc} (a bug of the grader, not of your input; "
              "AUTOGRADER_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


def command_main(command: str):
    """The entry point of a console script that runs one command (autograder-check, autograder-quiz)."""
    def run() -> int:
        return main([command, *sys.argv[1:]])
    return run


check_main = command_main("check")
quiz_main = command_main("quiz")


if __name__ == "__main__":
    sys.exit(main())
