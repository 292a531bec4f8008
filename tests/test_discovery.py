"""discovery.find_submission on real hostile trees: any bytes in names, any depth, links, FIFOs,
device files, hard links; the module found under the names browsers and archivers give it; only
copies are graded; cleanup of any tree."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import discovery
from autograder.discovery import find_submission, remove_tree

MODULE = "penalties.py"


def make(root: Path, files: dict) -> Path:
    for name, data in files.items():
        path = os.path.join(os.fsencode(root), name if isinstance(name, bytes) else name.encode())
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
    return root


def deep_tree(root: Path, depth: int, name: bytes = b"d") -> None:
    """`depth` nested folders, made with directory fds (the path is longer than PATH_MAX)."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir(name, dir_fd=fd)
        nxt = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nxt
    with open(os.open(b"penalties.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
        f.write("deep = True\n")
    os.close(fd)


def found(tmp_path, files, dest_name="copies"):
    dest = tmp_path / dest_name
    dest.mkdir()
    return find_submission(make(tmp_path / "sub", files), MODULE, dest)


@pytest.mark.parametrize("files, chosen, note", [
    ({"penalties.py": "a", "work/penalties.py": "b"}, "a", None),
    ({"work/penalties.py": "b"}, "b", "Graded work/penalties.py as penalties.py."),
    ({"penalties (1).py": "c"}, "c", "Graded penalties (1).py as penalties.py."),
    ({"Penalties.py": "d", "penalties-2.py": "e"}, "d", "Also found, not graded: penalties-2.py."),
    ({"penalties copy.py": "f", "x/penalties.py": "g"}, "g", "Also found, not graded: penalties copy.py."),
    ({"hw/hw1/PENALTIES.PY": "h"}, "h", "Graded hw/hw1/PENALTIES.PY as penalties.py."),
])
def test_the_module_is_found_under_the_names_students_give_it(tmp_path, files, chosen, note):
    sub = found(tmp_path, files)
    assert sub.problem is None and sub.module.read_text() == chosen
    assert sub.module.parent == tmp_path / "copies"
    if note:
        assert note in sub.notes, sub.notes


@pytest.mark.parametrize("files", [
    {"my_penalties.py": "x", "penalties.ipynb": "{}"},
    {"__MACOSX/penalties.py": "x", ".hidden/penalties.py": "x"},
])
def test_no_module_names_what_was_found_and_what_is_expected(tmp_path, files):
    sub = found(tmp_path, files)
    status, message = sub.problem
    assert status == "missing_module" and sub.module is None
    assert "no penalties.py" in message and "expected penalties.py" in message
    if "my_penalties.py" in files:
        assert "my_penalties.py" in message and "penalties.ipynb" in message


def test_non_utf8_names_anywhere(tmp_path):
    sub = found(tmp_path, {b"caf\xe9/notes \xff.txt": "x", b"\xfe\xfe.py": "y", "penalties.py": "ok",
                           b"dir\x1b[31m/penalties (1).py": "z"})
    assert sub.problem is None and sub.module.read_text() == "ok"
    assert "caf\\xe9/notes \\xff.txt" in sub.found
    joined = " ".join(sub.notes)
    assert "dir\\x1b[31m/penalties (1).py" in joined and "\x1b" not in joined   # escaped, never raw


def test_a_1500_deep_tree_is_walked_without_recursion_and_removed(tmp_path):
    sub_dir = make(tmp_path / "sub", {"penalties.py": "top"})
    deep_tree(sub_dir, 1500)
    dest = tmp_path / "copies"
    dest.mkdir()
    sub = find_submission(sub_dir, MODULE, dest)
    assert sub.problem is None and sub.module.read_text() == "top"
    assert any("levels deep were not looked into" in n for n in sub.notes)
    remove_tree(tmp_path / "sub")          # deeper than the recursion limit, longer than PATH_MAX
    assert not (tmp_path / "sub").exists()


def test_only_a_deep_module_is_not_taken(tmp_path):
    sub_dir = tmp_path / "sub"
    sub_dir.mkdir()
    deep_tree(sub_dir, 40)
    dest = tmp_path / "copies"
    dest.mkdir()
    assert find_submission(sub_dir, MODULE, dest).problem[0] == "missing_module"


def test_symlinks_are_skipped_with_a_note_and_never_followed(tmp_path):
    other = make(tmp_path / "other_student", {"penalties.py": "other's work"})
    sub_dir = make(tmp_path / "sub", {"penalties.py": "mine"})
    (sub_dir / "passwd.py").symlink_to("/etc/passwd")
    (sub_dir / "quiz_answers.yaml").symlink_to(other / "penalties.py")
    (sub_dir / "up").symlink_to("..")
    (sub_dir / "loop").symlink_to("loop")
    dest = tmp_path / "copies"
    dest.mkdir()
    sub = find_submission(sub_dir, MODULE, dest)
    assert sub.problem is None and sub.module.read_text() == "mine" and sub.answers is None
    skipped = next(n for n in sub.notes if n.startswith("Skipped:"))
    for name in ("passwd.py", "quiz_answers.yaml", "up", "loop"):
        assert f"{name} (a symbolic link" in skipped
    assert sorted(p.name for p in dest.iterdir()) == [MODULE]


def test_a_linked_module_is_refused_in_plain_words(tmp_path):
    other = make(tmp_path / "other_student", {"penalties.py": "other's work"})
    sub_dir = tmp_path / "sub"
    sub_dir.mkdir()
    (sub_dir / MODULE).symlink_to(other / MODULE)
    dest = tmp_path / "copies"
    dest.mkdir()
    sub = find_submission(sub_dir, MODULE, dest)
    assert sub.problem == ("unreadable", "penalties.py is a symbolic link; links are never followed; "
                                         "submit the file itself")
    assert list(dest.iterdir()) == []


def test_a_folder_swapped_for_a_link_after_the_walk_is_not_followed(tmp_path):
    make(tmp_path / "secret", {"penalties.py": "not yours"})
    sub_dir = make(tmp_path / "sub", {"work/penalties.py": "mine"})
    os.rename(sub_dir / "work", tmp_path / "work-moved")
    (sub_dir / "work").symlink_to(tmp_path / "secret")
    with pytest.raises(discovery.CopyError):
        discovery.read_below(sub_dir, (b"work", b"penalties.py"))


def test_fifos_devices_and_hard_links(tmp_path):
    other = make(tmp_path / "other_student", {"penalties.py": "shared bytes"})
    sub_dir = tmp_path / "sub"
    sub_dir.mkdir()
    os.link(other / MODULE, sub_dir / MODULE)            # a hard link is a regular file: graded
    os.mkfifo(sub_dir / "quiz_answers.yaml")               # reading it would block forever
    os.mkfifo(sub_dir / "penalties (1).py")
    device = os.geteuid() == 0
    if device:
        os.mknod(sub_dir / "zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))   # /dev/zero: endless bytes
    dest = tmp_path / "copies"
    dest.mkdir()
    sub = find_submission(sub_dir, MODULE, dest)
    assert sub.problem is None and sub.module.read_text() == "shared bytes" and sub.answers is None
    skipped = next(n for n in sub.notes if n.startswith("Skipped:"))
    assert "quiz_answers.yaml (a named pipe)" in skipped and "penalties (1).py (a named pipe)" in skipped
    if device:
        assert "zero (a device file)" in skipped


def test_bounded_number_of_entries(tmp_path):
    sub_dir = make(tmp_path / "sub", {"penalties.py": "ok"})
    many = sub_dir / "many"
    many.mkdir()
    for i in range(discovery.MAX_ENTRIES + 10):
        (many / f"f{i}").touch()
    dest = tmp_path / "copies"
    dest.mkdir()
    sub = find_submission(sub_dir, MODULE, dest)
    assert sub.module.read_text() == "ok"     # the top level is walked first
    assert any("only the first were looked at" in n for n in sub.notes)


def test_a_module_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(discovery, "MAX_FILE_BYTES", 1000)
    sub = found(tmp_path, {"penalties.py": "#" * 1001})
    assert sub.problem[0] == "unreadable" and "larger than" in sub.problem[1]


def test_fingerprint_follows_the_graded_bytes(tmp_path):
    a = found(tmp_path, {"penalties.py": "v1", "notes.txt": "x"}, "c1")
    (tmp_path / "sub" / "notes.txt").write_text("changed")
    b = find_submission(tmp_path / "sub", MODULE, _fresh(tmp_path / "c2"))
    (tmp_path / "sub" / "penalties.py").write_text("v2")
    c = find_submission(tmp_path / "sub", MODULE, _fresh(tmp_path / "c3"))
    assert a.fingerprint == b.fingerprint != c.fingerprint


def _fresh(path: Path) -> Path:
    path.mkdir()
    return path


def test_remove_tree_takes_unreadable_folders(tmp_path):
    root = make(tmp_path / "t", {"a/b/c.txt": "x"})
    os.chmod(root / "a" / "b", 0)
    os.chmod(root / "a", 0)
    remove_tree(root)
    assert not root.exists()
    remove_tree(root)    # already gone: fine


def test_remove_tree_needs_no_recursion_limit(tmp_path):
    """Proved in a child with a tiny recursion limit (shutil.rmtree of 3.11 recurses per level)."""
    code = ("import sys; sys.setrecursionlimit(60); from autograder.discovery import remove_tree; "
            f"remove_tree({str(tmp_path / 't')!r})")
    (tmp_path / "t").mkdir()
    deep_tree(tmp_path / "t", 300, b"x" * 200)   # 60 KB of path: far beyond PATH_MAX
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not (tmp_path / "t").exists()
