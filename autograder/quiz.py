"""Quizzes: plain keys for instructors, salted hashes for students and self-study.

Files
  source/<id>/quiz.yaml           the quiz with plain keys and explanations (instructor copy)
  solutions/<id>/quiz.yaml        the same file, copied unchanged by `release`
  assignments/<id>/quiz.yaml      the student release, written by `release_quiz`: every key is a
                                  salted SHA-256 hash, every explanation and hint is obfuscated
  source/<id>/quiz_answers.yaml   the blank answer sheet (copied unchanged to the release);
                                  a submission holds it filled in, next to the module

A question (plain form, in source/<id>/quiz.yaml):

    - id: q2                      # stable: test names and the answer sheet use it
      title: scale of kept units  # short and neutral (it is public and must not give the answer)
      type: single                # single | multiple | numeric
      points: 2                   # optional, default 2
      prompt: ...
      options: {a: ..., b: ..., c: ..., d: ...}          # single / multiple
      answer: b                   # single: a letter; multiple: [a, c]; numeric: a number
      decimals: 3                 # numeric only: the answer is given to this many decimals
      explanation: ...            # shown after the learner answers, right or wrong
      mistakes:                   # optional: known wrong answers with a targeted hint
        - {answer: 0.1, hint: ...}
      course_ref: Q2              # optional: which quiz question of the course page it rewrites
      kind: graded                # optional: graded | practice (a marker only: both are scored today)

What counts as the same answer (one function, `canonical_answer`, serves both checks):
  single/multiple  the set of option letters: case, spacing, separators and order are ignored
                   ("a, C", "C A", "[a, c]", "ac" are one answer); a multiple-answer question is
                   right only when the set is exactly the key's set.
  numeric          the value rounded half-up at the question's `decimals` (exact rational
                   arithmetic on what was typed: decimals, scientific notation, fractions "1/9");
                   right when it equals the key rounded the same way. So the accepted interval is
                   [k - step/2, k + step/2) around the rounded key k, step = 10**-decimals, and the
                   validator refuses a key closer than step/10 to the edge of its interval.
The plain check compares canonical forms; the hashed check compares
sha256(scheme | salt | canonical form). They accept exactly the same answers, and
tests/test_quiz.py proves it question by question.

Honesty about the hashes: the answer space of a question is tiny (at most 63 option sets,
or a few thousand rounded numbers), so anyone who reads this module can recover a key by
trying every answer, and can decode the explanations, whose key is derived from the public
salt. Hashing keeps the answers out of plain sight -- a student who opens the release
file does not see them -- and makes the explanation appear only after answering in the
normal flow. It is a deterrent, not cryptographic secrecy; graded answers are
checked against the plain keys on the instructor's side.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import yaml

from .course import REPO_ROOT, Assignment, find_assignment

# libyaml's safe loader when PyYAML was built with it (the wheels are): same documents, same errors,
# ~10x faster than the pure-Python one, which matters when a class's answer sheets are graded.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _safe_load(text: str) -> Any:
    return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader

QUIZ_FILE = "quiz.yaml"
ANSWERS_FILE = "quiz_answers.yaml"
MAX_ANSWERS_BYTES = 64 * 1024      # a filled-in sheet is well under 2 KB
MAX_QUIZ_BYTES = 1024 * 1024
DEFAULT_POINTS = 2.0
TYPES = ("single", "multiple", "numeric")
LETTERS = "abcdefgh"
HASH_SCHEME = "salted-sha256-v1"
# Salts are derived, not random: sha256(constant | quiz id | question id). A salt must be
# unique per question (equal answers in different questions get unrelated hashes, and no
# table precomputed for one question fits another) but it cannot be secret -- the quiz
# program has to read it to check an answer. Deriving it keeps `release --check` byte-for-byte
# reproducible without a random value to maintain in source/. Changing this constant (or a
# quiz/question id) changes the release files, nothing else.
SALT_CONSTANT = "regularization-course/quiz-salt/v1"

_PLAIN_QUESTION_FIELDS = {"id", "title", "type", "points", "prompt", "options", "answer", "decimals",
                          "explanation", "mistakes", "course_ref", "kind"}
_PLAIN_QUIZ_FIELDS = {"quiz", "title", "keys", "questions"}


class QuizError(ValueError):
    """A quiz file is invalid (an authoring problem, reported with the file and question)."""


class AnswerError(ValueError):
    """An answer cannot be read as an answer to its question (the message says why)."""


# ============================================================================ answers
def _brief(raw: Any) -> str:
    """A short description of an answer for messages (never the repr of a large structure)."""
    if isinstance(raw, str):
        return repr(raw.strip()[:40] + ("..." if len(raw.strip()) > 40 else ""))
    if isinstance(raw, (bool, float)) or (isinstance(raw, int) and abs(raw) < 10 ** 30):
        return repr(raw)
    return f"a {type(raw).__name__}"


def _is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, list) and not raw)


def _choice_letters(raw: Any, letters: str) -> set[str]:
    """The set of option letters in an answer such as "a, C", "C A", "[a, c]", "ac" or ["a", "c"]."""
    valid = f"{letters[0]}-{letters[-1]}"
    if isinstance(raw, bool) or not isinstance(raw, (str, list, tuple)):
        raise AnswerError(f"expected option letters ({valid}), got {_brief(raw)}")
    if isinstance(raw, (list, tuple)):
        parts = []
        for item in raw:
            if not isinstance(item, str):
                raise AnswerError(f"expected option letters ({valid}), got {_brief(item)} in the list")
            parts.append(item)
        text = " ".join(parts)
    else:
        text = raw
    text = text.strip().lower().strip("[](){}\"'")
    tokens = [t for t in re.split(r"[\s,;/&+|]+", text) if t and t != "and"]
    chosen: set[str] = set()
    for token in tokens:
        token = token.strip("()[].:'\"")
        if token and all(ch in letters for ch in token) and len(token) <= len(letters):
            chosen.update(token)
        else:
            raise AnswerError(f"{_brief(token or raw)} is not an option letter; the options are {valid}")
    return chosen


_MAX_EXPONENT = 30
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?")


def parse_number(raw: Any) -> Fraction:
    """An exact rational from 0.91, "0.91", ".91", "9.1e-1", "91/100", "-1/9" (no floats involved)."""
    if isinstance(raw, bool):
        raise AnswerError(f"expected a number, got {raw!r}")
    if isinstance(raw, int):
        if abs(raw) >= 10 ** _MAX_EXPONENT:
            raise AnswerError("that number is far too large to be an answer")
        return Fraction(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise AnswerError(f"expected a finite number, got {raw!r}")
        raw = repr(raw)  # the shortest decimal that reads back as this float: what was typed
    if not isinstance(raw, str):
        raise AnswerError(f"expected a number, got {_brief(raw)}")
    text = raw.strip().lower().replace(" ", "").replace("\u2212", "-").replace("_", "")
    parts = text.split("/")
    if len(text) > 60 or len(parts) > 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        raise AnswerError(f"{_brief(raw)} is not a number (write e.g. 0.125, 1.25e-1 or 1/8)")
    try:
        decimals = [Decimal(p) for p in parts]
        # bound the exponent before going exact: Fraction(Decimal("1e999999999")) would
        # build a billion-digit integer (an answer file must not be able to stall the grader)
        if any(d.adjusted() > _MAX_EXPONENT or (d != 0 and d.adjusted() < -_MAX_EXPONENT) for d in decimals):
            raise AnswerError(f"{_brief(raw)} is out of range for an answer")
        values = [Fraction(d) for d in decimals]
    except (InvalidOperation, ValueError) as exc:
        if isinstance(exc, AnswerError):
            raise
        raise AnswerError(f"{_brief(raw)} is not a number") from None
    if len(values) == 2:
        if values[1] == 0:
            raise AnswerError(f"{_brief(raw)} divides by zero")
        return values[0] / values[1]
    return values[0]


def round_half_up(value: Fraction, decimals: int) -> int:
    """The integer n with n * 10**-decimals the value rounded half-up at `decimals` (exact)."""
    scaled = value * 10 ** decimals + Fraction(1, 2)
    return scaled.numerator // scaled.denominator


def _show_rounded(n: int, decimals: int) -> str:
    sign = "-" if n < 0 else ""
    digits = str(abs(n)).rjust(decimals + 1, "0")
    return sign + (digits[:-decimals] + "." + digits[-decimals:] if decimals else digits)


def canonical_answer(question: "Question", raw: Any) -> tuple[str, str]:
    """(canonical form, how to show it) of an answer; AnswerError if it cannot be read.

    The canonical form is what gets compared (plain keys) or hashed (release keys).
    """
    if question.type == "numeric":
        n = round_half_up(parse_number(raw), question.decimals)
        return f"{n}e-{question.decimals}", _show_rounded(n, question.decimals)
    chosen = _choice_letters(raw, question.letters)
    if not chosen:
        raise AnswerError("no option letter in the answer")
    letters = sorted(chosen)
    return ",".join(letters), ", ".join(letters)


# ============================================================================ hashing and obfuscation
def question_salt(quiz_id: str, question_id: str) -> str:
    return hashlib.sha256(f"{SALT_CONSTANT}|{quiz_id}|{question_id}".encode()).hexdigest()[:32]


def answer_hash(salt: str, canonical: str) -> str:
    return hashlib.sha256(f"{HASH_SCHEME}|{salt}|{canonical}".encode()).hexdigest()


def _keystream(key: bytes, n: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        counter += 1
    return bytes(out[:n])


def obfuscate(text: str, salt: str, label: str) -> str:
    """XOR with a SHA-256 keystream derived from the (public) salt, base64 in 76-column lines.

    This hides an explanation from a reader of the release file; anyone running
    `reveal` gets it back, which is the point: the quiz program shows it after an answer.
    """
    data = text.encode("utf-8")
    key = hashlib.sha256(f"{HASH_SCHEME}|{label}|{salt}".encode()).digest()
    mixed = bytes(a ^ b for a, b in zip(data, _keystream(key, len(data))))
    return base64.encodebytes(mixed).decode("ascii")


def reveal(blob: str, salt: str, label: str) -> str:
    data = base64.b64decode("".join(blob.split()))
    key = hashlib.sha256(f"{HASH_SCHEME}|{label}|{salt}".encode()).digest()
    return bytes(a ^ b for a, b in zip(data, _keystream(key, len(data)))).decode("utf-8")


# ============================================================================ questions and quizzes
@dataclass
class Verdict:
    """The outcome of checking one answer."""
    answered: bool            # an answer was given (blank entries are not)
    correct: bool = False
    readable: bool = True     # False: the answer could not be read (see message)
    shown: str = ""           # the answer as understood, e.g. "a, c" or "0.910"
    message: str = ""         # what to tell the learner (never the key)
    hint: str | None = None   # a targeted hint when the answer is a known mistake


@dataclass
class Question:
    id: str
    title: str
    type: str
    prompt: str
    points: float = DEFAULT_POINTS
    options: dict[str, str] = field(default_factory=dict)
    decimals: int = 0
    salt: str = ""
    # plain quizzes (source/, solutions/): canonical key and texts
    key: str | None = None
    explanation_text: str | None = None
    mistake_hints: dict[str, str] = field(default_factory=dict)   # canonical wrong answer -> hint
    course_ref: str | None = None
    raw_answer: Any = None
    # hashed quizzes (assignments/)
    key_hash: str | None = None
    explanation_blob: str | None = None
    mistake_blobs: dict[str, str] = field(default_factory=dict)   # hash of wrong answer -> hint blob

    @property
    def letters(self) -> str:
        return "".join(self.options) if self.options else LETTERS[:4]

    @property
    def hashed(self) -> bool:
        return self.key is None

    def how_to_answer(self) -> str:
        if self.type == "single":
            return f"one letter, {self.letters[0]}-{self.letters[-1]}"
        if self.type == "multiple":
            return "every letter that applies, e.g. a, c"
        return f"a number, {self.decimals} decimal{'s' if self.decimals != 1 else ''}"

    def matches(self, canonical: str) -> bool:
        """Does this canonical answer equal the key? Plain compare, or compare hashes."""
        if self.key is not None:
            return canonical == self.key
        return answer_hash(self.salt, canonical) == self.key_hash

    def check(self, raw: Any) -> Verdict:
        if _is_blank(raw):
            return Verdict(answered=False, message="not answered")
        try:
            canonical, shown = canonical_answer(self, raw)
        except AnswerError as exc:
            return Verdict(answered=True, readable=False, message=f"could not read the answer: {exc}")
        if self.type == "single" and "," in canonical:
            return Verdict(answered=True, shown=shown,
                           message=f"your answer: {shown} -- but exactly one option is right here")
        if self.matches(canonical):
            return Verdict(answered=True, correct=True, shown=shown, message="correct")
        rounded = f" (rounded to {self.decimals} decimals)" if self.type == "numeric" else ""
        return Verdict(answered=True, shown=shown, message=f"your answer: {shown}{rounded}",
                       hint=self.mistake_hint(canonical))

    def explanation(self) -> str:
        if self.explanation_text is not None:
            return self.explanation_text
        return reveal(self.explanation_blob or "", self.salt, "explanation")

    def mistake_hint(self, canonical: str) -> str | None:
        if self.key is not None:
            return self.mistake_hints.get(canonical)
        blob = self.mistake_blobs.get(answer_hash(self.salt, canonical))
        return reveal(blob, self.salt, f"mistake|{canonical}") if blob else None


@dataclass
class Quiz:
    id: str
    title: str
    questions: list[Question]
    path: Path | None = None

    @property
    def hashed(self) -> bool:
        return any(q.hashed for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


def _require(cond: bool, where: str, message: str) -> None:
    if not cond:
        raise QuizError(f"{where}: {message}")


def _text(value: Any, where: str, name: str) -> str:
    _require(isinstance(value, str) and value.strip() != "", where, f"`{name}` must be non-empty text")
    return value.strip()


def _read_yaml_file(path: Path, limit: int) -> Any:
    path = Path(path)
    data = path.read_bytes()
    if len(data) > limit:
        raise QuizError(f"{path}: larger than {limit} bytes")
    try:
        return _safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise QuizError(f"{path}: not valid YAML: {exc}") from None


def parse_quiz(data: Any, origin: str = "<quiz>") -> Quiz:
    """Build a Quiz from a loaded quiz.yaml (plain or hashed), checking every field."""
    _require(isinstance(data, dict), origin, "a quiz file is a mapping with `quiz`, `title`, `questions`")
    quiz_id = _text(data.get("quiz"), origin, "quiz")
    keys = data.get("keys", "plain")
    _require(keys in ("plain", HASH_SCHEME), origin, f"`keys` must be 'plain' or {HASH_SCHEME!r}")
    questions_data = data.get("questions")
    _require(isinstance(questions_data, list) and questions_data, origin, "`questions` must be a non-empty list")
    questions: list[Question] = []
    seen: set[str] = set()
    for i, qd in enumerate(questions_data, 1):
        where = f"{origin}: question {i}"
        _require(isinstance(qd, dict), where, "each question is a mapping")
        qid = qd.get("id")
        _require(isinstance(qid, str) and re.fullmatch(r"[a-z][a-z0-9_]*", qid or "") is not None, where,
                 "`id` must be lowercase letters, digits, _ (e.g. q1)")
        where = f"{origin}: question {qid}"
        _require(qid not in seen, where, "duplicate id")
        seen.add(qid)
        qtype = qd.get("type")
        _require(qtype in TYPES, where, f"`type` must be one of {', '.join(TYPES)}")
        points = qd.get("points", DEFAULT_POINTS)
        _require(isinstance(points, (int, float)) and not isinstance(points, bool) and points > 0, where,
                 "`points` must be a positive number")
        q = Question(id=qid, title=_text(qd.get("title"), where, "title"), type=qtype,
                     prompt=_text(qd.get("prompt"), where, "prompt"), points=float(points),
                     salt=question_salt(quiz_id, qid), course_ref=qd.get("course_ref"))
        if qtype == "numeric":
            _require("options" not in qd, where, "a numeric question has no options")
            decimals = qd.get("decimals")
            _require(isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 8, where,
                     "`decimals` (0-8) is required for a numeric question")
            q.decimals = decimals
        else:
            options = qd.get("options")
            _require(isinstance(options, dict) and 2 <= len(options) <= len(LETTERS), where,
                     f"`options` must map 2-{len(LETTERS)} letters to texts")
            letters = [str(k) for k in options]
            _require(letters == list(LETTERS[:len(letters)]), where, "options must be lettered a, b, c, ... in order")
            q.options = {str(k): _text(v, where, f"option {k}") for k, v in options.items()}
        if keys == "plain":
            _parse_plain_key(q, qd, where)
        else:
            _parse_hashed_key(q, qd, where)
        questions.append(q)
    return Quiz(id=quiz_id, title=_text(data.get("title"), origin, "title"), questions=questions)


def _parse_plain_key(q: Question, qd: dict, where: str) -> None:
    unknown = set(qd) - _PLAIN_QUESTION_FIELDS
    _require(not unknown, where, f"unknown fields {sorted(unknown)}")
    _require("answer" in qd, where, "`answer` (the key) is missing")
    _require(qd.get("kind", "graded") in ("graded", "practice"), where, "`kind` must be graded or practice")
    answer = qd["answer"]
    try:
        q.key, _ = canonical_answer(q, answer)
    except AnswerError as exc:
        raise QuizError(f"{where}: the key cannot be read: {exc}") from None
    if q.type == "single":
        _require("," not in q.key, where, "a single-choice key is exactly one letter")
    if q.type == "numeric":
        value = parse_number(answer)
        step = Fraction(1, 10 ** q.decimals)
        n = round_half_up(value, q.decimals)
        margin = min(value - (n * step - step / 2), (n * step + step / 2) - value)
        _require(margin >= step / 10, where,
                 f"the key {answer} is within a tenth of a rounding step of the edge of its accepted "
                 f"interval at {q.decimals} decimals; change `decimals`")
    q.raw_answer = answer
    q.explanation_text = _text(qd.get("explanation"), where, "explanation")
    for j, m in enumerate(qd.get("mistakes") or [], 1):
        _require(isinstance(m, dict) and set(m) == {"answer", "hint"}, where,
                 f"mistake {j} must have exactly `answer` and `hint`")
        try:
            wrong, _ = canonical_answer(q, m["answer"])
        except AnswerError as exc:
            raise QuizError(f"{where}: mistake {j} cannot be read: {exc}") from None
        _require(wrong != q.key, where, f"mistake {j} is the key itself")
        q.mistake_hints[wrong] = _text(m["hint"], where, f"mistake {j} hint")


def _parse_hashed_key(q: Question, qd: dict, where: str) -> None:
    _require("answer" not in qd, where, "a hashed quiz must not hold a plain `answer`")
    _require(qd.get("salt") == q.salt, where, "the salt does not match the quiz and question ids")
    key_hash = qd.get("key_hash")
    _require(isinstance(key_hash, str) and re.fullmatch(r"[0-9a-f]{64}", key_hash) is not None, where,
             "`key_hash` must be a SHA-256 hex digest")
    q.key_hash = key_hash
    q.explanation_blob = _text(qd.get("explanation"), where, "explanation")
    for m in qd.get("mistakes") or []:
        _require(isinstance(m, dict) and set(m) == {"hash", "hint"}, where, "mistakes must have `hash` and `hint`")
        q.mistake_blobs[str(m["hash"])] = str(m["hint"])


def load_quiz(path: Path) -> Quiz:
    """Read a quiz.yaml, plain (source/, solutions/) or hashed (assignments/)."""
    path = Path(path)
    quiz = parse_quiz(_read_yaml_file(path, MAX_QUIZ_BYTES), str(path))
    quiz.path = path
    return quiz


# ============================================================================ release
class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the release stays readable."""


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)

RELEASE_HEADER = """\
# Quiz {quiz} -- student release, generated from source/{quiz}/quiz.yaml by
# `python -m autograder release`; do not edit.
#
# Take it in the terminal:  python -m autograder quiz {quiz}
# or in the notebook:       from autograder.quiz import take_quiz; take_quiz("{quiz}")
# Graded answers go in quiz_answers.yaml.
#
# The keys below are salted SHA-256 hashes and the explanations are scrambled, so that
# reading this file does not show the answers; the quiz program checks an answer and
# then shows the explanation. With answer spaces this small that is a courtesy, not
# secrecy: you only cheat yourself out of the practice by decoding it.
"""


def hashed_quiz_data(quiz: Quiz) -> dict:
    """The release form of a plain quiz: no plain key, explanation or hint in it."""
    out = {"quiz": quiz.id, "title": quiz.title, "keys": HASH_SCHEME, "questions": []}
    for q in quiz.questions:
        if q.hashed:
            raise QuizError(f"{quiz.id}: question {q.id} is already hashed")
        item: dict[str, Any] = {"id": q.id, "title": q.title, "type": q.type, "points": _number(q.points),
                                "prompt": q.prompt}
        if q.type == "numeric":
            item["decimals"] = q.decimals
        else:
            item["options"] = dict(q.options)
        item["salt"] = q.salt
        item["key_hash"] = answer_hash(q.salt, q.key)
        item["explanation"] = obfuscate(q.explanation_text, q.salt, "explanation")
        if q.mistake_hints:
            item["mistakes"] = [{"hash": answer_hash(q.salt, wrong),
                                 "hint": obfuscate(hint, q.salt, f"mistake|{wrong}")}
                                for wrong, hint in q.mistake_hints.items()]
        out["questions"].append(item)
    return out


def _number(x: float):
    return int(x) if float(x).is_integer() else x


def hashed_quiz_text(quiz: Quiz) -> str:
    body = yaml.dump(hashed_quiz_data(quiz), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)
    return RELEASE_HEADER.format(quiz=quiz.id) + body


def _check_source_location(quiz: Quiz, src: Path) -> None:
    from .course import ASSIGNMENTS
    folder = Path(src).resolve().parent.name
    if folder in ASSIGNMENTS and folder != quiz.id:
        raise QuizError(f"{src}: the quiz says `quiz: {quiz.id}` but lives in {folder}/ (the id salts the keys)")


def release_quiz(src: Path, dst: Path) -> None:
    """Release handler for quiz.yaml: write the hashed quiz (deterministic, byte for byte)."""
    quiz = load_quiz(src)
    if quiz.hashed:
        raise QuizError(f"{src}: source quizzes hold plain keys")
    _check_source_location(quiz, src)
    text = hashed_quiz_text(quiz)
    check = parse_quiz(yaml.safe_load(text), f"{dst} (generated)")   # the release must read back
    assert [q.id for q in check.questions] == [q.id for q in quiz.questions]
    Path(dst).write_text(text, encoding="utf-8")


def solution_quiz(src: Path, dst: Path) -> None:
    """Solutions handler for quiz.yaml: the plain quiz, validated and copied unchanged."""
    quiz = load_quiz(src)
    if quiz.hashed:
        raise QuizError(f"{src}: source quizzes hold plain keys")
    _check_source_location(quiz, src)
    shutil.copyfile(src, dst)


# ============================================================================ answer sheets
def answer_sheet_text(quiz: Quiz, module_file: str | None = None) -> str:
    """The blank quiz_answers.yaml for a quiz (kept in source/, copied to the release)."""
    where = f"next to {module_file} " if module_file else ""
    lines = [
        f"# Quiz answers for {quiz.id} ({quiz.title})",
        "#",
        f"# Write each answer after its colon and keep this file {where}in your submission.",
        "#   one option:       b",
        "#   several options:  a, c       (or [a, c]; order, case and spacing do not matter)",
        "#   a number:         0.125      (or 1/8; it is rounded to the decimals asked)",
        "# Lines starting with # are comments. A blank answer scores 0 for that question.",
        f"# Questions: quiz.yaml, the notebook, or `python -m autograder quiz {quiz.id}`,",
        "# which also checks your answers and explains them.",
        "",
    ]
    width = max(len(q.id) for q in quiz.questions) + 1
    for q in quiz.questions:
        lines.append(f"{(q.id + ':').ljust(width)}    # {q.title} ({q.how_to_answer()})")
    return "\n".join(lines) + "\n"


# ============================================================================ reading answer files
def read_answers(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(answers by question id, None) or (None, what is wrong with the file). Never raises."""
    path = Path(path)
    name = path.name
    try:
        if path.is_symlink():
            return None, f"{name} is a symbolic link; submit a regular file"
        if not path.exists():
            return None, f"no {name} in the submission"
        if not path.is_file():
            return None, f"{name} is not a regular file"
        with open(path, "rb") as fh:
            data = fh.read(MAX_ANSWERS_BYTES + 1)
    except OSError as exc:
        return None, f"{name} could not be read: {exc.strerror or exc}"
    if len(data) > MAX_ANSWERS_BYTES:
        return None, f"{name} is larger than {MAX_ANSWERS_BYTES // 1024} KB; it should only hold short answers"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"{name} is not UTF-8 text (byte {exc.start})"
    try:
        loaded = _safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "invalid YAML"
        context, cmark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and cmark and mark and cmark.line != mark.line:
            problem += f" ({context} that starts at line {cmark.line + 1})"
        return None, (f"{name} is not valid YAML{where}: {problem}. "
                      "Each line should look like `q1: b` (answers with a colon need quotes)")
    except Exception as exc:  # noqa: BLE001 - e.g. an integer beyond Python's digit limit, deep nesting
        return None, f"{name} could not be read as YAML ({type(exc).__name__}: {str(exc)[:120]})"
    if loaded is None:
        return {}, None
    if not isinstance(loaded, dict):
        return None, f"{name} should be a list of `id: answer` lines, e.g. `q1: b`; found {type(loaded).__name__}"
    answers: dict[str, Any] = {}
    for key, value in loaded.items():
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            return None, f"{name}: {_brief(key)} is not a question id (write e.g. `q1: b`)"
        qid = f"q{key}" if isinstance(key, int) else str(key).strip().lower()
        answers[qid] = value
    return answers, None


def check_answers(quiz: Quiz, answers: dict[str, Any]) -> dict[str, Verdict]:
    verdicts = {q.id: q.check(answers.get(q.id)) for q in quiz.questions}
    unknown = sorted(set(answers) - {q.id for q in quiz.questions})
    if unknown:
        for v in verdicts.values():
            if not v.answered:
                listed = ", ".join(u[:20] for u in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
                v.message += f" (the file has entries for unknown questions: {listed} -- a typo?)"
    return verdicts


# ============================================================================ grading hook
def quiz_key_path(assignment: Assignment, root: Path | None = None) -> Path | None:
    """The plain quiz of an assignment: solutions/<id>/quiz.yaml, else source/<id>/quiz.yaml."""
    root = Path(root or REPO_ROOT)
    for path in (assignment.solution_dir(root) / QUIZ_FILE, assignment.source_dir(root) / QUIZ_FILE):
        if path.is_file():
            return path
    return None


_key_cache: dict[str, tuple[tuple, Quiz]] = {}


def _load_key_cached(path: Path) -> Quiz:
    """load_quiz(path), parsed once per process while the file is unchanged.

    Batch grading reads the same answer key for every submission of an assignment; parsing it
    (pure-Python YAML and validation) cost more than checking the answers. The cache entry is
    keyed on the file's identity and (nanosecond) modification time and size, so an edited key
    is read again. Grading only reads the Quiz (check_answers never modifies it).
    """
    st = os.stat(path)
    stamp = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size, st.st_ctime_ns)
    hit = _key_cache.get(str(path))
    if hit is not None and hit[0] == stamp:
        return hit[1]
    quiz = load_quiz(path)
    _key_cache[str(path)] = (stamp, quiz)
    return quiz


def case_name(q: Question) -> str:
    return f"quiz {q.id}: {q.title}"


def grade_quiz_answers(assignment: Assignment | str, submission_dir: Path, *, root: Path | None = None) -> list:
    """Score a submission's quiz_answers.yaml against the plain keys: one CaseResult per question.

    Cases are named `quiz <qid>: <title>`, scored on function "quiz", visible. A missing or
    malformed answers file gives every question 0 with a message saying why; nothing here
    raises, so the code score of the submission is never lost. An assignment without a quiz
    gives []. (Trusted side: the plain keys are read from solutions/ or source/.)
    """
    from .framework import CaseResult

    try:
        a = assignment if isinstance(assignment, Assignment) else find_assignment(str(assignment))
        path = quiz_key_path(a, root)
        if path is None:
            return []
        quiz = _load_key_cached(path)
        if quiz.hashed:
            raise QuizError(f"{path} holds hashed keys; grading needs the plain keys")
    except Exception as exc:  # noqa: BLE001 - an authoring problem must not cost the code score
        return [CaseResult("quiz: answer key", "quiz", 0.0, 0.0, "error",
                           f"the quiz could not be graded (instructor side): {exc}", None, "visible")]
    answers, problem = read_answers(Path(submission_dir) / ANSWERS_FILE)
    verdicts: dict[str, Verdict] = {}
    if problem is None:
        try:
            verdicts = check_answers(quiz, answers)
        except Exception as exc:  # noqa: BLE001 - never lose the code score over a quiz
            problem = f"{ANSWERS_FILE} could not be checked: {type(exc).__name__}: {str(exc)[:120]}"
    results = []
    for q in quiz.questions:
        if problem is not None:
            hint = (f"fill in the {ANSWERS_FILE} of the release and put it in your submission"
                    if problem.startswith("no ") else
                    f"check the file before submitting: python -m autograder quiz {quiz.id} --answers {ANSWERS_FILE}")
            results.append(CaseResult(case_name(q), "quiz", 0.0, q.points, "failed", problem, hint, "visible"))
            continue
        v = verdicts[q.id]
        hint = v.hint
        if not v.correct and hint is None and v.answered and v.readable:
            hint = f"`python -m autograder quiz {quiz.id}` explains each question after you answer"
        output = v.message if v.correct or not v.answered or not v.readable else f"not correct -- {v.message}"
        results.append(CaseResult(case_name(q), "quiz", q.points if v.correct else 0.0, q.points,
                                  "passed" if v.correct else "failed", output, hint, "visible"))
    return results


# ============================================================================ taking a quiz
def find_quiz_file(assignment_id: str, *, cwd: Path | None = None, root: Path | None = None) -> Path:
    """Where a learner's quiz is: the current folder, then assignments/, then source/.

    Never solutions/: the self-study program works from what a student has.
    """
    a = find_assignment(assignment_id)
    cwd = Path(cwd or Path.cwd())
    root = Path(root or REPO_ROOT)
    candidates = [cwd / QUIZ_FILE, cwd / a.id / QUIZ_FILE, a.release_dir(root) / QUIZ_FILE,
                  a.source_dir(root) / QUIZ_FILE]
    for path in candidates:
        if path.is_file():
            try:
                data = _read_yaml_file(path, MAX_QUIZ_BYTES)
            except QuizError:
                continue
            if isinstance(data, dict) and data.get("quiz") == a.id:
                return path
    raise FileNotFoundError(f"no quiz found for {a.id} (looked in {', '.join(str(c) for c in candidates)})")


@dataclass
class QuizScore:
    quiz: str
    score: float
    max_score: float
    verdicts: dict[str, Verdict] = field(default_factory=dict)

    @property
    def correct(self) -> int:
        return sum(v.correct for v in self.verdicts.values())

    def __repr__(self) -> str:
        return (f"QuizScore({self.quiz}: {_number(self.score)}/{_number(self.max_score)} points, "
                f"{self.correct}/{len(self.verdicts)} correct)")


def _paragraphs(text: str, indent: str = "", width: int = 88) -> str:
    """Wrap prose; lines indented by two spaces or more (formulas) stay as written."""
    out = []
    for para in text.strip().split("\n\n"):
        block: list[str] = []
        prose: list[str] = []
        for line in para.split("\n") + [None]:
            if line is not None and not line.startswith("  "):
                prose.append(line)
                continue
            if prose:
                block.append(textwrap.fill(" ".join(prose), width=width, initial_indent=indent,
                                           subsequent_indent=indent))
                prose = []
            if line is not None:
                block.append(indent + line)
        out.append("\n".join(block))
    return "\n\n".join(out)


def format_question(q: Question, number: int, total: int) -> str:
    kind = {"single": "one answer", "multiple": "select all that apply", "numeric": "number"}[q.type]
    head = f"Question {number} of {total} [{q.id}, {kind}, {_number(q.points)} points]: {q.title}"
    parts = [head, _paragraphs(q.prompt, "  ")]
    if q.options:
        parts.append("\n".join(textwrap.fill(f"{k}) {' '.join(v.split())}", width=88, initial_indent="  ",
                                              subsequent_indent="     ") for k, v in q.options.items()))
    return "\n".join(parts)


def format_verdict(q: Question, v: Verdict, *, show_explanation: bool = True) -> str:
    if v.correct:
        lines = ["  [correct]"]
    elif not v.answered:
        lines = [f"  [{v.message or 'not answered'}]"]
    else:
        lines = [f"  [not correct] {v.message}"]
    if v.hint:
        lines.append(_paragraphs("Hint: " + v.hint, "  "))
    if show_explanation and v.answered:
        lines.append(_paragraphs("Explanation: " + q.explanation(), "  "))
    elif not v.answered:
        lines.append("  (answer it to see the explanation)")
    return "\n".join(lines)


def _score(quiz: Quiz, verdicts: dict[str, Verdict]) -> QuizScore:
    score = sum(q.points for q in quiz.questions if verdicts.get(q.id) and verdicts[q.id].correct)
    return QuizScore(quiz.id, score, quiz.max_score, verdicts)


def _score_line(result: QuizScore) -> str:
    return (f"Score: {_number(result.score)}/{_number(result.max_score)} points "
            f"({result.correct} of {len(result.verdicts)} questions correct)")


def run_interactive(quiz: Quiz, *, input_fn: Callable[[str], str] = None, out=None,
                    echo: bool = False) -> QuizScore:
    """Ask every question, check each answer, then explain it. End of input stops the quiz."""
    import builtins
    out = out or sys.stdout
    ask = input_fn or builtins.input

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    total = len(quiz.questions)
    say(f"Quiz {quiz.id}: {quiz.title}")
    say(f"{total} question{'s' if total != 1 else ''}, {_number(quiz.max_score)} points. "
        "Answer with option letters (b, or a, c for several) or a number (0.125 or 1/8). "
        "Type 'skip' to skip a question, 'quit' to stop.")
    verdicts: dict[str, Verdict] = {}
    stopped = False
    for number, q in enumerate(quiz.questions, 1):
        say()
        say(format_question(q, number, total))
        while True:
            try:
                line = ask(f"Your answer ({q.how_to_answer()}): ")
            except EOFError:
                stopped = True
                break
            except NotImplementedError:
                # Jupyter run without a frontend (nbclient, nbgrader autograding): no input().
                say("  (no interactive input here: run this cell in Jupyter, or take the quiz with "
                    f"`python -m autograder quiz {quiz.id}`)")
                stopped = True
                break
            if echo:
                say(line)
            text = line.strip()
            if text.lower() in ("quit", "exit"):
                stopped = True
                break
            if text.lower() == "skip":
                verdicts[q.id] = Verdict(answered=False, message="skipped")
                say("  skipped (answer it to see the explanation)")
                break
            if not text:
                continue
            v = q.check(text)
            if not v.readable or (q.type == "single" and not v.correct and "," in v.shown):
                say(f"  {v.message}; try again")
                continue
            verdicts[q.id] = v
            say(format_verdict(q, v))
            break
        if stopped:
            break
    for q in quiz.questions:
        verdicts.setdefault(q.id, Verdict(answered=False, message="not answered"))
    result = _score(quiz, verdicts)
    say()
    if stopped:
        say("Quiz stopped; unanswered questions score 0.")
    say(_score_line(result))
    return result


def run_answers(quiz: Quiz, answers: dict[str, Any], *, out=None) -> QuizScore:
    """Check a whole answers mapping and print each result with its explanation."""
    out = out or sys.stdout
    verdicts = check_answers(quiz, answers)
    total = len(quiz.questions)
    print(f"Quiz {quiz.id}: {quiz.title}", file=out)
    for number, q in enumerate(quiz.questions, 1):
        print(file=out)
        print(format_question(q, number, total), file=out)
        v = verdicts[q.id]
        if v.answered:
            print(f"  Your answer: {v.shown or _brief(answers.get(q.id))}", file=out)
        print(format_verdict(q, v), file=out)
    result = _score(quiz, verdicts)
    print(file=out)
    print(_score_line(result), file=out)
    return result


def take_quiz(assignment_id: str, answers: dict | str | Path | None = None, *, only: str | list[str] | None = None,
              quiz_path: Path | None = None, input_fn: Callable[[str], str] | None = None, out=None) -> QuizScore:
    """Take an assignment's quiz, e.g. in its notebook: `take_quiz("03_dropout")`.

    Asks each question with input() (works in Jupyter and in a terminal), says whether
    the answer is right, shows the explanation, and returns the score. `only="q3"` (or a
    list of ids) asks just those questions, e.g. next to the matching notebook section.
    With `answers` (a dict {"q1": "b", ...} or the path of a filled-in quiz_answers.yaml)
    it checks them all without asking. Works from the student release: keys are hashed there.
    """
    quiz = load_quiz(quiz_path or find_quiz_file(assignment_id))
    if only is not None:
        wanted = [only] if isinstance(only, str) else list(only)
        unknown = sorted(set(wanted) - {q.id for q in quiz.questions})
        if unknown:
            raise ValueError(f"{quiz.id} has no question {', '.join(unknown)}; "
                             f"its questions are {', '.join(q.id for q in quiz.questions)}")
        quiz = Quiz(quiz.id, quiz.title, [q for q in quiz.questions if q.id in wanted], quiz.path)
    if answers is None:
        return run_interactive(quiz, input_fn=input_fn, out=out)
    if isinstance(answers, (str, Path)):
        loaded, problem = read_answers(Path(answers))
        if problem:
            raise ValueError(problem)
        answers = loaded
    return run_answers(quiz, {str(k).strip().lower(): v for k, v in dict(answers).items()}, out=out)


# ============================================================================ maintenance
def write_answer_sheets(root: Path | None = None) -> list[Path]:
    """Regenerate source/<id>/quiz_answers.yaml from each source/<id>/quiz.yaml."""
    from .course import ASSIGNMENTS
    written = []
    for a in ASSIGNMENTS.values():
        src = a.source_dir(root or REPO_ROOT) / QUIZ_FILE
        if src.is_file():
            sheet = src.parent / ANSWERS_FILE
            sheet.write_text(answer_sheet_text(load_quiz(src), a.filename), encoding="utf-8")
            written.append(sheet)
    return written


if __name__ == "__main__":  # python -m autograder.quiz sheets
    if sys.argv[1:] == ["sheets"]:
        for p in write_answer_sheets():
            print(f"wrote {p}")
    else:
        print("usage: python -m autograder.quiz sheets   (regenerate source/*/quiz_answers.yaml)")
        sys.exit(2)
