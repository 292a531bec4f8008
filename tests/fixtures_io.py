"""Load the committed reference fixtures (made by tools/make_fixtures.py)."""
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def load_fixture(module: str) -> dict:
    """The `cases` dict of tests/fixtures/<module>.json; records which library versions made it."""
    data = json.loads((FIXTURES / f"{module}.json").read_text())
    assert data["generated_with"], "fixture lacks the versions of the libraries that made it"
    return data["cases"]
