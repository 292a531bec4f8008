"""Reading a submitted quiz_answers.yaml on the trusted side, bounded in size, depth and count.

    read_answer_sheet(path) -> (answers by question id, None) or (None, what is wrong). Never raises.

A sheet comes from a student, so nothing here may crash or stall the grader whatever the bytes:

- size: at most MAX_SHEET_BYTES are read (from a regular file opened without following links);
- text: UTF-8 (with or without a BOM), UTF-16 with a BOM, and otherwise line by line: a line
  that is not UTF-8 (a Latin-1 or Windows comment, say) is read as Windows-1252/Latin-1, so a
  stray accent costs nothing (answers themselves are plain letters and numbers);
- YAML: PyYAML's pure-Python scanner first walks the tokens (iterative: no recursion), with a
  cap on tokens and nesting, and refuses anchors, aliases and tags; only a sheet that passes is
  loaded, by PyYAML's pure-Python safe loader (libyaml's C loader segfaults on deeply nested
  brackets, and the pure loader recurses once per level, hence the depth check first). Integers
  and floats too long to be an answer stay text, so they cost only their own question.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from .discovery import read_at_most

MAX_SHEET_BYTES = 64 * 1024     # a filled-in sheet is well under 2 KB
MAX_TOKENS = 20_000             # ~3 per answer line; a 64 KB sheet of `q1: b` lines has ~15,000
MAX_DEPTH = 6                   # sheet mapping -> a list of letters is 2; room for odd but valid YAML
MAX_NUMBER_CHARS = 100          # longer numbers stay text (an answer has a few digits)


class SheetError(ValueError):
    """The sheet cannot be read at all (the message names the problem for the student)."""


# ============================================================================ bytes -> text
def decode_sheet(data: bytes) -> str:
    """The sheet's text: UTF-8 (BOM or not), UTF-16 with a BOM, else each line UTF-8 or Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = []
    for line in data.removeprefix(b"\xef\xbb\xbf").splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(_decode_legacy(line))
    return "".join(lines)


def _decode_legacy(line: bytes) -> str:
    """A line from an editor using a Windows or Latin-1 code page (never fails: Latin-1 maps every byte)."""
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


# ============================================================================ text -> answers
def check_tokens(text: str) -> None:
    """Walk the YAML tokens (pure Python, no recursion) and refuse what no answer sheet needs:
    too many tokens, nesting deeper than MAX_DEPTH, anchors, aliases and tags. Raises SheetError,
    or yaml.YAMLError for text that is not YAML."""
    depth = 0
    for count, token in enumerate(yaml.scan(text, Loader=yaml.SafeLoader)):
        if count >= MAX_TOKENS:
            raise SheetError("has far more entries than a quiz has questions")
        if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
                              yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)):
            depth += 1
            if depth > MAX_DEPTH:
                line = token.start_mark.line + 1
                raise SheetError(f"nests lists or mappings too deeply (line {line}); "
                                 "an answer is a letter, letters like `a, c`, or a number")
        elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)):
            depth -= 1
        elif isinstance(token, (yaml.AnchorToken, yaml.AliasToken, yaml.TagToken)):
            kind = {yaml.AnchorToken: "an anchor (&)", yaml.AliasToken: "an alias (*)"}.get(type(token), "a tag (!)")
            raise SheetError(f"uses {kind} at line {token.start_mark.line + 1}; "
                             "write each answer as plain text, e.g. `q1: b`")


class _SheetLoader(yaml.SafeLoader):
    """PyYAML's pure-Python safe loader; numbers too long to be answers stay text."""


def _bounded(constructor):
    def construct(loader, node):
        if len(node.value) > MAX_NUMBER_CHARS:
            return node.value
        return constructor(loader, node)
    return construct


_SheetLoader.add_constructor("tag:yaml.org,2002:int", _bounded(yaml.SafeLoader.construct_yaml_int))
_SheetLoader.add_constructor("tag:yaml.org,2002:float", _bounded(yaml.SafeLoader.construct_yaml_float))


def load_sheet(text: str) -> Any:
    """The YAML value of a sheet's text, after check_tokens (SheetError / yaml.YAMLError)."""
    check_tokens(text)
    return yaml.load(text, Loader=_SheetLoader)  # noqa: S506 - a safe loader


def _yaml_problem(name: str, exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    if problem is None and isinstance(exc, yaml.reader.ReaderError):
        problem = f"a character YAML does not allow (code {exc.character!r}, position {exc.position})"
    problem = problem or "invalid YAML"
    context, cmark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and cmark and mark and cmark.line != mark.line:
        problem += f" ({context} that starts at line {cmark.line + 1})"
    return (f"{name} is not valid YAML{where}: {problem}. "
            "Each line should look like `q1: b` (answers with a colon need quotes)")


def _brief_key(key: Any) -> str:
    text = repr(key) if isinstance(key, (str, int, float, bool)) or key is None else f"a {type(key).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


def answers_from_text(text: str, name: str = "quiz_answers.yaml") -> tuple[dict[str, Any] | None, str | None]:
    """(answers by lower-case question id, None) or (None, problem) for a sheet's text."""
    try:
        loaded = load_sheet(text)
    except SheetError as exc:
        return None, f"{name} {exc}"
    except yaml.YAMLError as exc:
        return None, _yaml_problem(name, exc)
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:  # e.g. a date beyond year 9999
        return None, f"{name} could not be read as YAML ({type(exc).__name__})"
    if loaded is None:
        return {}, None
    if not isinstance(loaded, dict):
        kind = {list: "a list", str: "plain text"}.get(type(loaded), f"a {type(loaded).__name__}")
        return None, f"{name} should be a list of `id: answer` lines, e.g. `q1: b`; found {kind}"
    answers: dict[str, Any] = {}
    for key, value in loaded.items():
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            return None, f"{name}: {_brief_key(key)} is not a question id (write e.g. `q1: b`)"
        qid = f"q{key}" if isinstance(key, int) else str(key).strip().lower()
        answers[qid] = value
    return answers, None


# ============================================================================ file -> answers
def read_sheet_bytes(path: Path, limit: int = MAX_SHEET_BYTES) -> bytes:
    """At most limit + 1 bytes of a regular file, opened without following a symbolic link and
    without blocking on a FIFO (OSError / SheetError otherwise)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SheetError("is not a regular file")
        return read_at_most(fd, limit)
    finally:
        os.close(fd)


def read_answer_sheet(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(answers by question id, None) or (None, what is wrong with the file). Never raises."""
    path = Path(path)
    name = path.name
    try:
        if path.is_symlink():
            return None, f"{name} is a symbolic link; submit a regular file"
        if not path.exists():
            return None, f"no {name} in the submission"
        data = read_sheet_bytes(path)
    except SheetError as exc:
        return None, f"{name} {exc}"
    except OSError as exc:
        return None, f"{name} could not be read: {exc.strerror or exc}"
    if len(data) > MAX_SHEET_BYTES:
        return None, f"{name} is larger than {MAX_SHEET_BYTES // 1024} KB; it should only hold short answers"
    return answers_from_text(decode_sheet(data), name)
