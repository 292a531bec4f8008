"""Every command's bad input: one line on stderr naming the problem, a non-zero exit, never a traceback.

Each case runs the real command line in a subprocess (`python -m autograder ...`), as a user would.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import __main__ as cli
from autograder.course import REPO_ROOT

# (id, arguments, exit status, a phrase the one line must contain); "{tmp}" is a fresh folder
# holding a regular file "file" (so "{tmp}/file/x" is a path below a file).
CASES = [
    ("check-unknown-assignment", ["check", "99"], 2, "unknown assignment '99'"),
    ("check-missing-file", ["check", "nosuch/penalties.py"], 2, "nosuch/penalties.py does not exist"),
    ("check-not-a-module", ["check", "README.md"], 2, "is not the module of any assignment"),
    ("check-folder-without-module", ["check", "{tmp}"], 2, "has no assignment module"),
    ("check-unknown-function", ["check", "01", "-f", "no_such_function"], 2, "no public test for no_such_function"),
    ("check-bad-flag", ["check", "01", "--bogus"], 2, "unrecognized arguments: --bogus"),
    ("check-bad-runner", ["check", "01", "--runner", "chroot"], 2, "invalid choice: 'chroot'"),
    ("check-bad-runner-variable", ["check", "01", "-f", "l2_gradient"], 2, "unknown runner 'chroot'"),
    ("quiz-unknown-assignment", ["quiz", "99"], 2, "unknown assignment '99'"),
    ("quiz-missing-answers", ["quiz", "01", "--answers", "{tmp}/none.yaml"], 2, "none.yaml"),
    ("gradescope-unknown-assignment", ["gradescope", "99", "-o", "{tmp}/g.zip"], 2, "unknown assignment '99'"),
    ("gradescope-out-below-a-file", ["gradescope", "01", "-o", "{tmp}/file/g.zip"], 2, "{tmp}/file"),
    ("figures-unknown-assignment", ["figures", "99", "--out", "{tmp}/figs"], 2, "unknown assignment '99'"),
    ("figures-out-below-a-file", ["figures", "01", "--out", "{tmp}/file/figs"], 2, "{tmp}/file"),
    ("bundle-unknown-assignment", ["bundle", "--out", "{tmp}/kit", "99"], 2, "unknown assignment '99'"),
    ("bundle-out-below-a-file", ["bundle", "--out", "{tmp}/file/kit"], 2, "{tmp}/file"),
    ("bundle-missing-out", ["bundle"], 2, "the following arguments are required: --out"),
    ("grade-missing-out", ["grade", "examples/submitted"], 2, "the following arguments are required: --out"),
    ("grade-missing-folder", ["grade", "{tmp}/none", "--out", "{tmp}/out"], 2, "does not exist"),
    ("grade-zero-workers", ["grade", "examples/submitted", "--out", "{tmp}/out", "--workers", "0"], 2,
     "--workers must be at least 1"),
    ("grade-negative-timeout", ["grade", "examples/submitted", "--out", "{tmp}/out", "--timeout", "-1"], 2,
     "'-1' must be a number greater than 0"),
    ("grade-memory-not-a-number", ["grade", "examples/submitted", "--out", "{tmp}/out", "--memory", "lots"], 2,
     "'lots' is not a number"),
    ("report-missing-results", ["report", "{tmp}/none"], 1, "no grading results"),
    ("export-missing-results", ["export", "{tmp}/none", "--format", "csv"], 1, "no grading results"),
    ("export-bad-format", ["export", "{tmp}", "--format", "xlsx"], 2, "invalid choice: 'xlsx'"),
    ("release-bad-flag", ["release", "--bogus"], 2, "unrecognized arguments: --bogus"),
    ("unknown-command", ["frobnicate"], 2, "invalid choice: 'frobnicate'"),
]


@pytest.mark.parametrize("name, args, status, phrase", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_one_line_and_a_non_zero_exit(name, args, status, phrase, tmp_path):
    (tmp_path / "file").write_text("a file, not a folder\n")
    fill = lambda s: s.replace("{tmp}", str(tmp_path))  # noqa: E731
    env = dict(os.environ)
    env.pop("AUTOGRADER_DEBUG", None)
    if name == "check-bad-runner-variable":
        env["AUTOGRADER_RUNNER"] = "chroot"
    done = subprocess.run([sys.executable, "-m", "autograder", *map(fill, args)], capture_output=True, text=True,
                          cwd=REPO_ROOT, env=env, timeout=120, stdin=subprocess.DEVNULL)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr + done.stdout
    assert done.returncode == status, done.stderr
    assert len(lines) == 1, done.stderr
    assert fill(phrase) in lines[0]


def test_an_internal_error_is_one_line_with_its_own_status(monkeypatch, capsys):
    """A bug of the grader (not bad input) is reported as such in one line; AUTOGRADER_DEBUG shows the traceback."""
    def broken(argv):
        raise KeyError("no such key")
    monkeypatch.setattr(cli, "_run", broken)
    monkeypatch.delenv("AUTOGRADER_DEBUG", raising=False)
    assert cli.main(["report", "x"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "internal error: KeyError" in err and "AUTOGRADER_DEBUG=1" in err
    monkeypatch.setenv("AUTOGRADER_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(["report", "x"])


def test_grade_refuses_to_run_without_the_strict_sandbox(monkeypatch, capsys, tmp_path):
    """On a machine without the Linux sandbox (here: Python told it runs on macOS) grade stops at once."""
    monkeypatch.setattr(sys, "platform", "darwin")
    status = cli.main(["grade", str(REPO_ROOT / "examples" / "submitted"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert status == cli.EXIT_ENVIRONMENT
    assert err.count("\n") == 0 and "strict sandbox" in err and "darwin" in err
    assert not (tmp_path / "out").exists()


def test_the_console_scripts_run_one_command(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["autograder-check", "99"])
    assert cli.check_main() == cli.EXIT_USAGE
    assert "python -m autograder check: error: unknown assignment '99'" in capsys.readouterr().err
    monkeypatch.setattr(sys, "argv", ["autograder-quiz", "99"])
    assert cli.quiz_main() == cli.EXIT_USAGE
