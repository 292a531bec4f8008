"""Finding what to grade in one submission folder, and copying it out: one function for `grade`,
`check` and the Gradescope harness.

    find_submission(folder, assignment, dest) -> Submission

A submission is whatever a student (or their browser, archiver or operating system) produced, so
the walk takes anything without crashing or following it anywhere:

- names are handled as bytes (any bytes, not only UTF-8) and shown escaped;
- the walk is iterative (no recursion) and bounded: folders deeper than MAX_DEPTH below the
  submission are not entered, and at most MAX_ENTRIES entries are looked at;
- a symbolic link is never followed (a link is skipped with a note, and never costs the rest of
  the submission); FIFOs, sockets and device files are skipped with a note; a hard link is a
  regular file and is graded like one;
- the module and the answer sheet are chosen by name (exact, then another case such as
  `Penalties.py`, then what browsers and archivers do to names: `penalties (1).py`,
  `penalties-2.py`, `penalties copy.py`), a shallower file before a deeper one
  (`work/penalties.py` is found), and a note says which file was used and which were found;
- the chosen files are copied into `dest` (opened without following links, folder by folder,
  without blocking, at most MAX_FILE_BYTES each): grading reads only those copies.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .results import Status

ANSWERS_FILE = "quiz_answers.yaml"
MAX_DEPTH = 6                    # a module one or two folders deeper is common; six is generous
MAX_ENTRIES = 20_000             # entries looked at per submission (a folder of a class is a few dozen)
MAX_FILE_BYTES = 16 << 20        # what the sandbox loads of a module at most
MAX_NOTES = 8                    # skipped entries named one by one; the rest are counted
IGNORED = {b"__pycache__", b"__MACOSX", b".ipynb_checkpoints", b".git", b".DS_Store"}


@dataclass
class Candidate:
    parts: tuple[bytes, ...]      # path below the submission folder
    size: int

    @property
    def shown(self) -> str:
        return show_path(self.parts)

    @property
    def depth(self) -> int:
        return len(self.parts) - 1


@dataclass
class Submission:
    """What a submission folder holds for one assignment (see find_submission)."""
    folder: Path                                   # the copies (dest)
    module: Path | None = None                     # dest/<module file> when one was found and copied
    answers: Path | None = None                    # dest/quiz_answers.yaml when one was found
    notes: list[str] = field(default_factory=list)      # for the student's feedback
    problem: tuple[Status, str] | None = None      # (status, message) when nothing can be graded
    found: list[str] = field(default_factory=list)     # every regular file seen (shown names)
    fingerprint: str = ""                          # hash of the chosen files' names and bytes


# ============================================================================ names
def show_name(name: bytes) -> str:
    """A file name for a message: UTF-8 where it is, other bytes as \\xNN, control characters escaped."""
    text = name.decode("utf-8", "backslashreplace")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def show_path(parts) -> str:
    return "/".join(show_name(p) for p in parts)


def _loose_name(stem: str) -> re.Pattern:
    """`penalties (1)`, `penalties-2`, `penalties_copy`, `penalties copy 3`, `Penalties`: what browsers,
    archivers and operating systems do to a name (compared without case)."""
    return re.compile(rf"{re.escape(stem)}[\s_\-]*(\(\d+\)|\d+|copy|copy[\s_\-]*\(?\d+\)?)?", re.IGNORECASE)


def rank(candidate: Candidate, wanted: str, suffixes: tuple[str, ...]) -> tuple | None:
    """Sort key of a file as the `wanted` file (lower is better), None if it is not one."""
    name = candidate.parts[-1].decode("utf-8", "replace")
    stem, dot, suffix = name.rpartition(".")
    if not dot or "." + suffix.lower() not in suffixes:
        return None
    wanted_stem = wanted.rpartition(".")[0]
    if name == wanted:
        kind = 0
    elif name.lower() == wanted.lower():
        kind = 1
    elif stem.lower() == wanted_stem.lower():
        kind = 2     # another suffix of the same kind (quiz_answers.yml)
    elif _loose_name(wanted_stem).fullmatch(stem.strip()):
        kind = 3
    else:
        return None
    return (kind, candidate.depth, candidate.parts)


# ============================================================================ the walk
@dataclass
class Walk:
    files: list[Candidate] = field(default_factory=list)
    skipped: list[tuple[tuple[bytes, ...], str]] = field(default_factory=list)   # (path, why)
    too_deep: int = 0
    truncated: bool = False
    unreadable: list[str] = field(default_factory=list)


def walk(folder: Path, max_depth: int = MAX_DEPTH, max_entries: int = MAX_ENTRIES) -> Walk:
    """Every regular file under `folder` down to max_depth, links and special files noted, never followed."""
    result = Walk()
    seen = 0
    stack: list[tuple[bytes, ...]] = [()]
    root = os.fsencode(folder)
    while stack:
        parts = stack.pop()
        path = os.path.join(root, *parts) if parts else root
        try:
            with os.scandir(path) as entries:
                listing = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            result.unreadable.append(f"{show_path(parts) or '.'}: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in listing:
            seen += 1
            if seen > max_entries:
                result.truncated = True
                return result
            name = entry.name
            here = parts + (name,)
            if name in IGNORED:
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                result.skipped.append((here, "could not be read"))
                continue
            mode = st.st_mode
            if stat.S_ISLNK(mode):
                result.skipped.append((here, "a symbolic link; links are never followed"))
            elif stat.S_ISDIR(mode):
                if name.startswith(b"."):
                    continue    # .git, .vscode, ...: tools' folders, never a submission's files
                if len(here) > max_depth:
                    result.too_deep += 1
                else:
                    subdirs.append(here)
            elif stat.S_ISREG(mode):
                result.files.append(Candidate(here, st.st_size))
            else:
                kind = ("a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                        else "a device file" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
                result.skipped.append((here, kind))
        stack.extend(reversed(subdirs))
    return result


# ============================================================================ copying
class CopyError(OSError):
    pass


def open_below(folder: Path, parts: tuple[bytes, ...]) -> int:
    """An fd of folder/parts[0]/.../parts[-1], opened one component at a time without following
    any link (a folder swapped for a link after the walk is refused), never blocking on a FIFO."""
    fd = os.open(os.fsencode(folder), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = nxt
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=fd)
    finally:
        os.close(fd)


def read_at_most(fd: int, limit: int) -> bytes:
    """Up to limit + 1 bytes of an open descriptor (one more than allowed, so the caller can tell)."""
    chunks, left = [], limit + 1
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_below(folder: Path, parts: tuple[bytes, ...], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file below `folder` (CopyError if it is not one or is larger than limit)."""
    try:
        fd = open_below(folder, parts)
    except OSError as exc:
        why = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        raise CopyError(f"{show_path(parts)} could not be read: {why}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CopyError(f"{show_path(parts)} is not a regular file")
        data = read_at_most(fd, limit)
        if len(data) > limit:
            raise CopyError(f"{show_path(parts)} is larger than {limit >> 20} MB")
        return data
    finally:
        os.close(fd)


def _write_copy(dest: Path, name: str, data: bytes) -> Path:
    target = dest / name
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(target, 0o644)
    return target


# ============================================================================ the one function
def choose(files: list[Candidate], wanted: str, suffixes: tuple[str, ...]) -> tuple[Candidate | None, list[Candidate]]:
    ranked = sorted((r, c) for c in files if (r := rank(c, wanted, suffixes)) is not None)
    if not ranked:
        return None, []
    return ranked[0][1], [c for _, c in ranked[1:]]


def _listing(names: list[str], limit: int = 10) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def find_submission(folder: Path, module_file: str, dest: Path, *, with_answers: bool = True) -> Submission:
    """Find `module_file` (and quiz_answers.yaml) in a submission folder and copy them into `dest`
    (an existing, empty folder). Never raises for anything a submission holds."""
    folder, dest = Path(folder), Path(dest)
    sub = Submission(dest)
    tree = walk(folder)
    sub.found = [c.shown for c in tree.files]
    module, other_modules = choose(tree.files, module_file, (".py",))
    chosen = [(module, module_file)] if module is not None else []
    if with_answers:
        answers, _ = choose(tree.files, ANSWERS_FILE, (".yaml", ".yml"))
        if answers is not None:
            chosen.append((answers, ANSWERS_FILE))
    digest = hashlib.sha256()
    for candidate, name in chosen:
        try:
            data = read_below(folder, candidate.parts, MAX_FILE_BYTES)
        except CopyError as exc:
            sub.notes.append(f"Not graded: {exc}.")
            if name == module_file:
                sub.problem = (Status.UNREADABLE, str(exc))
            continue
        digest.update(name.encode() + b"\0" + b"/".join(candidate.parts) + b"\0" + data + b"\0")
        path = _write_copy(dest, name, data)
        if name == module_file:
            sub.module = path
        else:
            sub.answers = path
        if candidate.shown != name:
            sub.notes.append(f"Graded {candidate.shown} as {name}.")
    if module is not None and other_modules:
        sub.notes.append(f"Also found, not graded: {_listing([c.shown for c in other_modules])}.")
    _note_skipped(sub, tree)
    if module is None:
        found = _listing(sub.found) if sub.found else "no files"
        link = next((f"{show_path(p)} is {why}" for p, why in tree.skipped
                     if rank(Candidate(p, 0), module_file, (".py",)) is not None), None)
        missing = (f"no {module_file} in the submission (found: {found}); "
                   f"expected {module_file} in the assignment folder or one folder below it")
        sub.problem = ((Status.UNREADABLE, f"{link}; submit the file itself") if link
                       else (Status.MISSING_MODULE, missing))
    sub.fingerprint = digest.hexdigest() + ("" if sub.problem is None else ":" + sub.problem[1])
    return sub


def _note_skipped(sub: Submission, tree: Walk) -> None:
    if tree.skipped:
        sub.notes.append(f"Skipped: {_listing([f'{show_path(p)} ({why})' for p, why in tree.skipped], MAX_NOTES)}.")
    if tree.unreadable:
        sub.notes.append(f"Could not be read: {_listing(tree.unreadable, MAX_NOTES)}.")
    if tree.too_deep:
        sub.notes.append(f"{tree.too_deep} folder(s) more than {MAX_DEPTH} levels deep were not looked into.")
    if tree.truncated:
        sub.notes.append(f"The submission has more than {MAX_ENTRIES} files and folders; only the first were looked at.")


# ============================================================================ cleanup
def remove_tree(path: Path) -> None:
    """Remove a folder whatever its depth and whatever permissions were left in it; never raises
    for what is already gone. Iterative, and every path it uses stays two levels below `path`:
    each subfolder is first renamed up to `path` itself, so a 1,500-deep tree (deeper than the
    recursion limit, longer than PATH_MAX) goes as easily as a flat one."""
    root = os.fsencode(path)
    if not os.path.lexists(root):
        return
    if os.path.islink(root) or not os.path.isdir(root):
        _gone_ok(os.unlink, root)
        return
    queue, counter = [root], 0
    while queue:
        folder = queue.pop()
        _gone_ok(os.chmod, folder, 0o700)   # a folder left without permissions can still be emptied
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                _gone_ok(os.unlink, entry.path)
            elif folder == root:
                queue.append(entry.path)
            else:
                flat = entry.path
                while os.path.lexists(flat):   # a name of the tree's own cannot be taken over
                    counter += 1
                    flat = os.path.join(root, b".rm-%d-%d" % (os.getpid(), counter))
                if _gone_ok(os.rename, entry.path, flat):
                    queue.append(flat)
        if folder != root:
            _gone_ok(os.rmdir, folder)
    _gone_ok(os.rmdir, root)


def _gone_ok(operation, *args) -> bool:
    """operation(*args); False when its target was already gone (removed by someone else)."""
    try:
        operation(*args)
        return True
    except FileNotFoundError:
        return False
