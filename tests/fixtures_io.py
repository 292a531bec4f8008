"""Load the committed reference fixtures (course/<id>/fixtures/<module>.json, made by tools/make_fixtures.py)."""
import json
from pathlib import Path

from autograder.course import by_module


def fixture_path(module: str) -> Path:
    return by_module(module).folder() / "fixtures" / f"{module}.json"


def load_fixture(module: str) -> dict:
    """The `cases` dict of the assignment's fixture file; records which library versions made it."""
    data = json.loads(fixture_path(module).read_text())
    assert data["generated_with"], "fixture lacks the versions of the libraries that made it"
    return data["cases"]
