"""Regenerate the reference fixtures from PyTorch and scikit-learn.

    pip install torch==2.13.0 scikit-learn      # only needed here, never to grade
    python tools/make_fixtures.py [ASSIGNMENT ...]  # e.g. optimizers 02

Each course/<id>/fixtures/make.py defines generate() -> dict of JSON-ready data
(lists of floats; json round-trips float64 exactly). The result is written next to it, to
course/<id>/fixtures/<module>.json, together with the library versions that made it, so
the repository's tests compare against them without the libraries installed.
"""
from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in ("numpy", "torch", "sklearn", "scipy"):
        try:
            found[name] = __import__(name).__version__
        except ImportError:
            pass
    return found


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from autograder.course import ASSIGNMENTS, find_assignment, import_path

    chosen = [find_assignment(name) for name in argv] or list(ASSIGNMENTS.values())
    for a in chosen:
        generator = a.folder() / "fixtures" / "make.py"
        if not generator.is_file():
            continue
        data = {"generated_with": versions(), "cases": import_path(generator, f"_fixture_{a.module}").generate()}
        path = generator.with_name(f"{a.module}.json")
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
