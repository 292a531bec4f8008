"""Regenerate the reference fixtures from PyTorch and scikit-learn.

    pip install torch==2.13.0 scikit-learn      # only needed here, never to grade
    python tools/make_fixtures.py [MODULE ...]  # e.g. optimizers proximal

Each tools/fixtures/<module>.py defines generate() -> dict of JSON-ready data
(lists of floats; json round-trips float64 exactly). The result is written to
tests/fixtures/<module>.json together with the library versions that made it, so
the repository's tests compare against them without the libraries installed.
"""
from __future__ import annotations

import importlib.util
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATORS = ROOT / "tools" / "fixtures"
OUT = ROOT / "tests" / "fixtures"


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
    names = argv or sorted(p.stem for p in GENERATORS.glob("*.py") if not p.stem.startswith("_"))
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        spec = importlib.util.spec_from_file_location(f"fixture_{name}", GENERATORS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        data = {"generated_with": versions(), "cases": module.generate()}
        path = OUT / f"{name}.json"
        path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
