"""What a student has for the quiz: the modules the kit ships for `quiz`, one released assignment
and its manifest (no source/, solutions/ or suites), in a folder of its own."""
from __future__ import annotations

import shutil
from pathlib import Path

from autograder.cmd_bundle import engine_closure
from autograder.course import MANIFEST, REPO_ROOT


def quiz_copy(home: Path, aid: str, released: Path = REPO_ROOT) -> Path:
    """`home` with autograder/ (the modules `python -m autograder quiz` reaches, as the kit finds them),
    assignments/<aid>/ from `released`, and course/<aid>/assignment.yaml."""
    package = REPO_ROOT / "autograder"
    (home / "autograder").mkdir(parents=True)
    for name in engine_closure(["__init__", "__main__", "cmd_quiz"], package):
        src = package / f"{name}.py"
        if src.exists():
            shutil.copyfile(src, home / "autograder" / src.name)
    shutil.copytree(released / "assignments" / aid, home / "assignments" / aid)
    (home / "course" / aid).mkdir(parents=True)      # the assignment's manifest: how the engine knows it
    shutil.copyfile(REPO_ROOT / "course" / aid / MANIFEST, home / "course" / aid / MANIFEST)
    return home
