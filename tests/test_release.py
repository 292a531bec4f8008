"""The student release and the reference solutions are generated from source/ and stay in sync."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import release
from autograder.course import ASSIGNMENTS, REPO_ROOT, import_path

RELEASED = [a for a in ASSIGNMENTS.values() if (a.source_dir() / a.filename).exists()]


def test_every_assignment_of_the_course_has_a_master_module():
    missing = [a.id for a in ASSIGNMENTS.values() if not (a.source_dir() / a.filename).exists()]
    assert missing == []


def test_committed_release_and_solutions_are_in_sync_with_source():
    result = subprocess.run([sys.executable, "-m", "autograder", "release", "--check"],
                            cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_check_mode_notices_a_stale_release(tmp_path):
    src = tmp_path / "source" / "01_penalties"
    src.mkdir(parents=True)
    (src / "penalties.py").write_text("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n")
    release.build(tmp_path / "source", tmp_path / "assignments", tmp_path / "solutions")
    (tmp_path / "assignments" / "01_penalties" / "penalties.py").write_text("stale\n")
    expected = tmp_path / "fresh"
    release.build(tmp_path / "source", expected / "assignments", expected / "solutions")
    problems = release.diff_trees(expected / "assignments", tmp_path / "assignments")
    assert problems == ["stale:   assignments/01_penalties/penalties.py"]


def test_release_replaces_solution_region_with_stub_and_keeps_scaffolding():
    text = ("def f(x, lam):\n    \"\"\"Doc.\"\"\"\n    if lam < 0:\n        raise ValueError('lam')\n"
            "    ### BEGIN SOLUTION\n    secret = 42 * x\n    return secret\n    ### END SOLUTION\n")
    stub = release.release_module_text(text)
    assert "secret" not in stub and "BEGIN SOLUTION" not in stub
    assert "raise ValueError('lam')" in stub and '"""Doc."""' in stub
    assert "    raise NotImplementedError()" in stub
    assert release.solution_module_text(text).count("secret") == 2
    assert "SOLUTION" not in release.solution_module_text(text)


def test_release_leaves_a_module_without_solution_regions_as_it_is():
    # nbgrader would replace a whole *solution cell* without a region by the stub; a module is not one
    text = "def helper(x):\n    return 2 * x\n"
    assert release.release_module_text(text) == text


def test_release_refuses_an_unterminated_solution_region():
    with pytest.raises(RuntimeError, match="no end solution"):
        release.release_module_text("def f():\n    ### BEGIN SOLUTION\n    return 1\n")


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.id)
def test_release_has_no_solution_code(assignment):
    for path in assignment.release_dir().rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS"):
                assert marker not in text, f"{path} contains {marker!r}"
    # every statement inside a source solution region is absent from the stub
    source = (assignment.source_dir() / assignment.filename).read_text()
    stub = (assignment.release_dir() / assignment.filename).read_text()
    regions = re.findall(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", source, flags=re.S)
    assert regions, "the master module has no solution region"
    stub_lines = {line.strip() for line in stub.splitlines()}
    for region in regions:
        for line in region.splitlines():
            line = line.strip()
            # one-word lines ("return out", "else:") can legitimately appear in scaffolding too
            if len(line) > 20 and not line.startswith("#"):
                assert line not in stub_lines, f"solution line leaked into the release: {line!r}"


@pytest.mark.parametrize("assignment", RELEASED, ids=lambda a: a.id)
def test_every_stub_keeps_the_contract_and_raises_not_implemented(assignment):
    stub_path = assignment.release_dir() / assignment.filename
    ref_path = assignment.solution_dir() / assignment.filename
    stub_tree, ref_tree = ast.parse(stub_path.read_text()), ast.parse(ref_path.read_text())

    def public_functions(tree):
        return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}

    stubs, refs = public_functions(stub_tree), public_functions(ref_tree)
    assert stubs.keys() == refs.keys()
    for name, node in stubs.items():
        assert ast.dump(node.args) == ast.dump(refs[name].args), f"{name}: signature differs from the reference"
        assert ast.get_docstring(node) == ast.get_docstring(refs[name]), f"{name}: docstring differs"
        assert ast.get_docstring(node) and len(ast.get_docstring(node)) > 80, f"{name}: docstring too thin"
        raises = [n for n in ast.walk(node) if isinstance(n, ast.Raise) and isinstance(n.exc, ast.Call)
                  and getattr(n.exc.func, "id", None) == "NotImplementedError"]
        assert raises, f"{name}: the stub does not raise NotImplementedError"
    # and it really raises it when called with valid-looking input is checked by each suite test;
    # here: the stub module imports cleanly
    import_path(stub_path, f"_stub_{assignment.module}")
