"""Quizzes: graded questions whose keys stay with the instructor, practice questions for self-study.

Two kinds of question (field `kind`, default graded):

  graded     counts in the grade. Its key, explanation and mistake hints exist only on the
             instructor's side: source/<id>/quiz.yaml, solutions/<id>/quiz.yaml and the
             grading side of a Gradescope zip. The student release holds its prompt and
             options and nothing else -- not a hash, not a scrambled text (answer spaces are
             tiny: any function of the key is the key). The student's tool records answers
             into quiz_answers.yaml and checks only their format; correctness and the
             explanation come back with the grade (Gradescope: visibility after_published).
  practice   self-study. The release stores its key as a salted SHA-256 hash and its
             explanation scrambled, so the quiz program gives immediate feedback with the
             explanation after each answer. A hash of a tiny answer space protects nothing but
             the learner's own practice, and practice answers never earn points.

Files
  source/<id>/quiz.yaml           both kinds, plain keys (instructor copy)
  solutions/<id>/quiz.yaml        the same file, copied unchanged by `release`
  assignments/<id>/quiz.yaml      the student release (`release_quiz`): graded questions without
                                  key or explanation, practice questions hashed
  source/<id>/quiz_answers.yaml   the blank answer sheet of the graded questions (copied to the
                                  release); a submission holds it filled in, next to the module

A question (plain form):

    - id: q2                      # stable: test names and the answer sheet use it
      kind: graded                # graded | practice (default graded)
      title: scale of kept units  # short and neutral (it is public and must not give the answer)
      type: single                # single | multiple | numeric
      points: 2                   # optional, default 2 (practice points never count)
      prompt: ...
      options: {a: ..., b: ..., c: ..., d: ...}          # single / multiple
      answer: b                   # single: a letter; multiple: [a, c]; numeric: a number
      decimals: 3                 # numeric only: the answer is given to this many decimals
      explanation: ...            # graded: returned with the grade; practice: shown after answering
      mistakes:                   # optional: known wrong answers with a targeted hint
        - {answer: 0.1, hint: ...}
      course_ref: Q2              # optional: which quiz question of the course page it rewrites
      kind: graded                # optional: graded | practice (a marker only: both are scored today)

Per-student variants (graded numeric questions). Instead of `answer`:

      variant:
        params: {mu: [1.2, 1.4, 1.6], lam: [0.2, 0.6, 1.0]}   # public: the release keeps them
        answer: mu / (1 + lam/2)                              # instructor only: the key's formula
      prompt: ... minimize (w - $mu)^2 + (lam/2) w^2 for lam = $lam ...

  Design. The instructor keeps a course secret (a file named by the environment variable
  AUTOGRADER_QUIZ_SECRET_FILE, kept outside the repository; in a Gradescope zip the file
  `quiz-secret` at its root, readable by root only). Each student's variant token is
  HMAC-SHA256(secret, student id), shown as "v-" + 16 hex digits; the instructor hands each
  student their token (`python -m autograder.quiz tokens ROSTER`). The parameters derive
  publicly from the token (sha256(token | quiz | question | parameter) picks a choice), so
  the student's tool -- terminal, notebook, bundle -- renders the student's own prompt from
  the token without knowing the secret, and writes the token into quiz_answers.yaml. The
  grader never trusts that copy: it recomputes the token from the student id (the
  submission folder's student in `grade`, the submitter's e-mail on Gradescope) and the
  secret, derives the parameters and evaluates the formula. A shared sheet is therefore
  graded against another student's parameters, and scores at chance level. Without the
  token the tool shows the sample variant (every parameter's first choice). Without a
  configured secret the grader uses the demo secret tools/quiz-secret.demo, meant for the
  example class and the tests only (the grading output says so).

What counts as the same answer (one function, `canonical_answer`, serves both checks):
  single/multiple  the set of option letters: case, spacing, separators and order are ignored
                   ("a, C", "C A", "[a, c]", "ac" are one answer); a multiple-answer question is
                   right only when the set is exactly the key's set.
  numeric          the value rounded half-up at the question's `decimals` (exact rational
                   arithmetic on what was typed: decimals, scientific notation, fractions "1/9");
                   right when it equals the key rounded the same way. So the accepted interval is
                   [k - step/2, k + step/2) around the rounded key k, step = 10**-decimals, and the
                   validator refuses a key (of any variant) closer than step/10 to the edge of its
                   interval.
The plain check compares canonical forms; the hashed (practice) check compares
sha256(scheme | salt | canonical form). They accept exactly the same answers, and
tests/test_quiz.py proves it question by question.
"""
from __future__ import annotations

import ast
import base64
import hashlib
import hmac
import itertools
import json
import math
import os
import re
import shutil
import string
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

_PLAIN_QUESTION_FIELDS = {"id", "kind", "title", "type", "points", "prompt", "options", "answer", "decimals",
                          "explanation", "mistakes", "course_ref", "variant"}
KINDS = ("graded", "practice")
SECRET_ENV = "AUTOGRADER_QUIZ_SECRET_FILE"
GRADESCOPE_SECRET_FILE = "quiz-secret"          # at the root of a Gradescope zip (root-only)
DEMO_SECRET_PATH = REPO_ROOT / "tools" / "quiz-secret.demo"
MAX_VARIANTS = 5000                             # parameter combinations one question may have
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


# ============================================================================ variants
def _param_text(value: Any, where: str) -> str:
    _require(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value), where,
             "variant parameters are finite numbers")
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "tanh": math.tanh, "abs": abs, "min": min, "max": max}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


def evaluate_formula(formula: str, params: dict[str, float]) -> float:
    """The value of an arithmetic formula of the parameters (a key's formula, instructor side).

    Hand-written over `ast` because only + - * / **, numbers, the parameters and a few math
    functions may appear: a quiz file must not be able to run code (eval would).
    """
    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in params:
            return float(params[node.id])
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS \
                and not node.keywords:
            return float(_FUNCTIONS[node.func.id](*(walk(a) for a in node.args)))
        raise QuizError(f"the formula {formula!r} may use only numbers, its parameters, + - * / ** and "
                        f"{', '.join(_FUNCTIONS)}")
    try:
        return walk(ast.parse(formula, mode="eval"))
    except SyntaxError:
        raise QuizError(f"the formula {formula!r} is not an arithmetic expression") from None


def variant_token(secret: bytes, student: str) -> str:
    """A student's variant token: HMAC of the student id under the course secret (instructor side)."""
    digest = hmac.new(secret, f"quiz-variant|{student.strip().lower()}".encode(), hashlib.sha256).hexdigest()
    return "v-" + digest[:16]


_TOKEN = re.compile(r"v-[0-9a-f]{16}")


def is_token(text: Any) -> bool:
    return isinstance(text, str) and _TOKEN.fullmatch(text.strip().lower()) is not None


def read_secret(path: Path | None = None) -> tuple[bytes, bool]:
    """(the course secret, whether it is the demo one). Instructor side only.

    The file named by AUTOGRADER_QUIZ_SECRET_FILE, else the `quiz-secret` file at the root of a
    Gradescope zip, else the demo secret of the example class. Only a path ever goes in the
    environment (student code in a sandbox could read the value of a variable).
    """
    for candidate in ([Path(path)] if path else []) + \
            ([Path(os.environ[SECRET_ENV])] if os.environ.get(SECRET_ENV) else []) + \
            [REPO_ROOT / GRADESCOPE_SECRET_FILE]:
        if candidate.is_file():
            secret = candidate.read_bytes().strip()
            if len(secret) < 16:
                raise QuizError(f"the quiz secret {candidate} is too short (at least 16 bytes)")
            return secret, candidate.resolve() == DEMO_SECRET_PATH.resolve()
        if candidate != REPO_ROOT / GRADESCOPE_SECRET_FILE:
            raise QuizError(f"the quiz secret file {candidate} does not exist")
    return DEMO_SECRET_PATH.read_bytes().strip(), True


def variant_params(quiz_id: str, q: "Question", token: str | None) -> dict[str, str]:
    """The parameters of a question for a token (public: the student's tool renders them).

    No token: the sample variant, each parameter's first choice.
    """
    out = {}
    for name, choices in q.variant.items():
        if token is None:
            out[name] = choices[0]
            continue
        digest = hashlib.sha256(f"quiz-variant-params|{token}|{quiz_id}|{q.id}|{name}".encode()).digest()
        out[name] = choices[int.from_bytes(digest[:8], "big") % len(choices)]
    return out


def _all_params(q: "Question") -> list[dict[str, str]]:
    names = list(q.variant)
    return [dict(zip(names, combo)) for combo in itertools.product(*(q.variant[n] for n in names))]


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
    kind: str = "graded"
    options: dict[str, str] = field(default_factory=dict)
    decimals: int = 0
    salt: str = ""
    quiz_id: str = ""
    variant: dict[str, list[str]] = field(default_factory=dict)   # parameter -> choices (public)
    variant_formula: str | None = None                            # the key's formula (plain only)
    # plain quizzes (source/, solutions/): canonical key and texts
    key: str | None = None
    explanation_text: str | None = None
    mistake_hints: dict[str, str] = field(default_factory=dict)   # canonical wrong answer -> hint
    course_ref: str | None = None
    raw_answer: Any = None
    # released practice questions (assignments/)
    key_hash: str | None = None
    explanation_blob: str | None = None
    mistake_blobs: dict[str, str] = field(default_factory=dict)   # hash of wrong answer -> hint blob

    @property
    def letters(self) -> str:
        return "".join(self.options) if self.options else LETTERS[:4]

    @property
    def graded(self) -> bool:
        return self.kind == "graded"

    @property
    def hashed(self) -> bool:
        """Released form: no plain key here (a practice hash, or nothing at all for a graded question)."""
        return self.key is None and self.variant_formula is None

    @property
    def checkable(self) -> bool:
        """Can this copy tell right from wrong? (Never for a released graded question.)"""
        return not self.hashed or self.key_hash is not None

    def how_to_answer(self) -> str:
        if self.type == "single":
            return f"one letter, {self.letters[0]}-{self.letters[-1]}"
        if self.type == "multiple":
            return "every letter that applies, e.g. a, c"
        return f"a number, {self.decimals} decimal{'s' if self.decimals != 1 else ''}"

    def params_for(self, token: str | None) -> dict[str, str]:
        return variant_params(self.quiz_id, self, token)

    def render_prompt(self, token: str | None = None) -> str:
        if not self.variant:
            return self.prompt
        return string.Template(self.prompt).safe_substitute(self.params_for(token))

    def key_for(self, params: dict[str, str] | None) -> str:
        """The canonical key (for a variant question: of these parameters). Plain copies only."""
        if self.variant_formula is None:
            if self.key is None:
                raise QuizError(f"question {self.id}: no key in this copy of the quiz")
            return self.key
        values = {k: float(v) for k, v in (params or variant_params(self.quiz_id, self, None)).items()}
        return canonical_answer(self, repr(evaluate_formula(self.variant_formula, values)))[0]

    def read(self, raw: Any) -> tuple[Verdict, str | None]:
        """(verdict about the answer's format only, canonical form or None). Never looks at a key."""
        if _is_blank(raw):
            return Verdict(answered=False, message="not answered"), None
        try:
            canonical, shown = canonical_answer(self, raw)
        except AnswerError as exc:
            return Verdict(answered=True, readable=False, message=f"could not read the answer: {exc}"), None
        if self.type == "single" and "," in canonical:
            return Verdict(answered=True, readable=False, shown=shown,
                           message=f"your answer: {shown} -- but exactly one option is right here"), None
        return Verdict(answered=True, shown=shown, message=f"recorded: {shown}"), canonical

    def matches(self, canonical: str, params: dict[str, str] | None = None) -> bool:
        """Does this canonical answer equal the key? Plain compare, or compare hashes."""
        if not self.hashed:
            return canonical == self.key_for(params)
        if self.key_hash is None:
            raise QuizError(f"question {self.id} is graded: its key is not in this copy of the quiz")
        return answer_hash(self.salt, canonical) == self.key_hash

    def check(self, raw: Any, params: dict[str, str] | None = None) -> Verdict:
        verdict, canonical = self.read(raw)
        if canonical is None:
            return verdict
        if self.matches(canonical, params):
            return Verdict(answered=True, correct=True, shown=verdict.shown, message="correct")
        rounded = f" (rounded to {self.decimals} decimals)" if self.type == "numeric" else ""
        return Verdict(answered=True, shown=verdict.shown, message=f"your answer: {verdict.shown}{rounded}",
                       hint=self.mistake_hint(canonical))

    def explanation(self, params: dict[str, str] | None = None) -> str:
        if self.explanation_text is not None:
            if not self.variant:
                return self.explanation_text
            params = params or variant_params(self.quiz_id, self, None)
            key = self.key_for(params)
            return string.Template(self.explanation_text).safe_substitute(params, answer=_show_canonical(key))
        if self.explanation_blob is None:
            raise QuizError(f"question {self.id} is graded: its explanation is not in this copy of the quiz")
        return reveal(self.explanation_blob, self.salt, "explanation")

    def mistake_hint(self, canonical: str) -> str | None:
        if not self.hashed:
            return self.mistake_hints.get(canonical)
        blob = self.mistake_blobs.get(answer_hash(self.salt, canonical))
        return reveal(blob, self.salt, f"mistake|{canonical}") if blob else None


def _show_canonical(canonical: str) -> str:
    n, _, d = canonical.partition("e-")
    return _show_rounded(int(n), int(d)) if d else canonical.replace(",", ", ")


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
    def graded(self) -> list[Question]:
        return [q for q in self.questions if q.graded]

    @property
    def practice(self) -> list[Question]:
        return [q for q in self.questions if not q.graded]

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.graded)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def only(self, questions: list[Question]) -> "Quiz":
        return Quiz(self.id, self.title, questions, self.path)


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
    """Build a Quiz from a loaded quiz.yaml (plain or released), checking every field."""
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
        _require(isinstance(qid, str) and re.fullmatch(r"[a-z][a-z0-9_]*", qid or "") is not None
                 and qid != "variant", where, "`id` must be lowercase letters, digits, _ (e.g. q1), not `variant`")
        where = f"{origin}: question {qid}"
        _require(qid not in seen, where, "duplicate id")
        seen.add(qid)
        qtype = qd.get("type")
        _require(qtype in TYPES, where, f"`type` must be one of {', '.join(TYPES)}")
        kind = qd.get("kind", "graded")
        _require(kind in KINDS, where, f"`kind` must be one of {', '.join(KINDS)}")
        points = qd.get("points", DEFAULT_POINTS)
        _require(isinstance(points, (int, float)) and not isinstance(points, bool) and points > 0, where,
                 "`points` must be a positive number")
        q = Question(id=qid, title=_text(qd.get("title"), where, "title"), type=qtype, kind=kind,
                     prompt=_text(qd.get("prompt"), where, "prompt"), points=float(points),
                     salt=question_salt(quiz_id, qid), quiz_id=quiz_id, course_ref=qd.get("course_ref"))
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
        if "variant" in qd:
            _parse_variant_params(q, qd["variant"], where)
        if keys == "plain":
            _parse_plain_key(q, qd, where)
        elif kind == "graded":
            _parse_released_graded(q, qd, where)
        else:
            _parse_hashed_key(q, qd, where)
        questions.append(q)
    return Quiz(id=quiz_id, title=_text(data.get("title"), origin, "title"), questions=questions)


def _parse_variant_params(q: Question, spec: Any, where: str) -> None:
    _require(q.type == "numeric" and q.graded, where, "only graded numeric questions have variants")
    _require(isinstance(spec, dict) and isinstance(spec.get("params"), dict) and spec["params"], where,
             "`variant` needs `params`: a mapping of parameter names to lists of choices")
    for name, choices in spec["params"].items():
        _require(isinstance(name, str) and name.isidentifier() and name != "answer", where,
                 f"variant parameter {name!r} is not a name")
        _require(isinstance(choices, list) and len(choices) >= 2, where,
                 f"variant parameter {name} needs a list of at least two choices")
        q.variant[name] = [_param_text(c, where) for c in choices]
        _require(len(set(q.variant[name])) == len(choices), where, f"variant parameter {name} repeats a choice")
        _require(f"${name}" in q.prompt or f"${{{name}}}" in q.prompt, where,
                 f"the prompt never shows variant parameter {name} (write ${name})")
    _require(math.prod(len(c) for c in q.variant.values()) <= MAX_VARIANTS, where,
             f"more than {MAX_VARIANTS} parameter combinations")


def _check_margin(q: Question, value: Fraction, shown: Any, where: str) -> None:
    step = Fraction(1, 10 ** q.decimals)
    n = round_half_up(value, q.decimals)
    margin = min(value - (n * step - step / 2), (n * step + step / 2) - value)
    _require(margin >= step / 10, where,
             f"the key {shown} is within a tenth of a rounding step of the edge of its accepted "
             f"interval at {q.decimals} decimals; change `decimals`")


def _parse_plain_key(q: Question, qd: dict, where: str) -> None:
    unknown = set(qd) - _PLAIN_QUESTION_FIELDS
    _require(not unknown, where, f"unknown fields {sorted(unknown)}")
    if q.variant:
        spec = qd["variant"]
        _require(set(spec) == {"params", "answer"} and isinstance(spec.get("answer"), str), where,
                 "`variant` has exactly `params` and `answer` (the key's formula)")
        _require("answer" not in qd, where, "a variant question's key is its formula (variant: answer:)")
        _require(not qd.get("mistakes"), where, "a variant question has no fixed wrong answers to hint at")
        q.variant_formula = spec["answer"]
        for params in _all_params(q):
            try:
                value = evaluate_formula(q.variant_formula, {k: float(v) for k, v in params.items()})
            except (ArithmeticError, ValueError) as exc:
                raise QuizError(f"{where}: the formula fails for {params}: {exc}") from None
            _require(math.isfinite(value), where, f"the formula is not finite for {params}")
            _check_margin(q, parse_number(repr(value)), f"{value} (for {params})", where)
        q.key = None
        q.explanation_text = _text(qd.get("explanation"), where, "explanation")
        return
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
        _check_margin(q, parse_number(answer), answer, where)
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


_RELEASED_GRADED_FIELDS = {"id", "kind", "title", "type", "points", "prompt", "options", "decimals", "variant",
                           "course_ref"}


def _parse_released_graded(q: Question, qd: dict, where: str) -> None:
    """A graded question of the student release: prompt and options, never a key in any form."""
    extra = set(qd) - _RELEASED_GRADED_FIELDS
    _require(not extra, where, f"a released graded question holds only its prompt; found {sorted(extra)}")
    if q.variant:
        _require(set(qd["variant"]) == {"params"}, where, "a released variant holds only its parameters")


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
    """Read a quiz.yaml, plain (source/, solutions/) or released (assignments/)."""
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
# Graded questions (kind: graded) count in your grade. Answer them with
#   python -m autograder quiz {quiz}
# (or take_quiz("{quiz}") in the notebook), which records your answers in quiz_answers.yaml.
# Their keys are not in this file: your answers are checked when your submission is graded,
# and the explanations come back with the grade. A $name in a prompt is one of your personal
# numbers: the quiz program fills it in from the variant token your instructor gave you.
#
# Practice questions (kind: practice) are for you alone and never count:
#   python -m autograder quiz {quiz} --practice
# checks each answer at once and explains it. Their keys below are salted hashes and their
# explanations scrambled, so that reading this file does not spoil the practice.
"""


def hashed_quiz_data(quiz: Quiz) -> dict:
    """The release form of a plain quiz: graded questions without any key, practice ones hashed."""
    out = {"quiz": quiz.id, "title": quiz.title, "keys": HASH_SCHEME, "questions": []}
    for q in quiz.questions:
        if q.hashed:
            raise QuizError(f"{quiz.id}: question {q.id} is already in released form")
        item: dict[str, Any] = {"id": q.id, "kind": q.kind, "title": q.title, "type": q.type,
                                "points": _number(q.points), "prompt": q.prompt}
        if q.type == "numeric":
            item["decimals"] = q.decimals
        else:
            item["options"] = dict(q.options)
        if q.variant:
            item["variant"] = {"params": {k: [_yaml_number(v) for v in c] for k, c in q.variant.items()}}
        if not q.graded:
            item["salt"] = q.salt
            item["key_hash"] = answer_hash(q.salt, q.key)
            item["explanation"] = obfuscate(q.explanation_text, q.salt, "explanation")
            if q.mistake_hints:
                item["mistakes"] = [{"hash": answer_hash(q.salt, wrong),
                                     "hint": obfuscate(hint, q.salt, f"mistake|{wrong}")}
                                    for wrong, hint in q.mistake_hints.items()]
        out["questions"].append(item)
    return out


def _yaml_number(text: str) -> int | float:
    value = float(text)
    return int(value) if "." not in text and "e" not in text.lower() else value


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


def _load_source_quiz(src: Path) -> Quiz:
    """A quiz of source/, checked: plain keys, in the folder of the assignment whose id it carries."""
    quiz = load_quiz(src)
    if quiz.hashed:
        raise QuizError(f"{src}: source quizzes hold plain keys")
    _check_source_location(quiz, src)
    return quiz


def release_quiz(src: Path, dst: Path) -> None:
    """Release handler for quiz.yaml: write the released quiz (deterministic, byte for byte)."""
    quiz = _load_source_quiz(src)
    text = hashed_quiz_text(quiz)
    check = parse_quiz(yaml.safe_load(text), f"{dst} (generated)")   # the release must read back
    assert [q.id for q in check.questions] == [q.id for q in quiz.questions]
    assert not any(q.graded and q.checkable for q in check.questions), "a graded key reached the release"
    Path(dst).write_text(text, encoding="utf-8")


def solution_quiz(src: Path, dst: Path) -> None:
    """Solutions handler for quiz.yaml: the plain quiz, validated and copied unchanged."""
    _load_source_quiz(src)
    shutil.copyfile(src, dst)


# ============================================================================ answer sheets
def answer_sheet_text(quiz: Quiz, module_file: str | None = None, *, answers: dict[str, str] | None = None,
                      token: str | None = None) -> str:
    """quiz_answers.yaml: the graded questions, blank (kept in source/, copied to the release) or
    filled in by the quiz program (`answers`, with the student's variant `token` when they have one).

    A flat mapping of short strings, so the bounded sheet reader of the grader reads it back.
    """
    answers = answers or {}
    where = f"next to {module_file} " if module_file else ""
    lines = [
        f"# Quiz answers for {quiz.id} ({quiz.title})",
        "#",
        f"# Write each answer after its colon and keep this file {where}in your submission,",
        f"# or let `python -m autograder quiz {quiz.id}` (or take_quiz in the notebook) fill it in.",
        "#   one option:       b",
        "#   several options:  a, c       (or [a, c]; order, case and spacing do not matter)",
        "#   a number:         0.125      (or 1/8; it is rounded to the decimals asked)",
        "# Lines starting with # are comments. A blank answer scores 0 for that question.",
        "# Your answers are checked when your submission is graded; the explanations come back",
        "# with the grade. (Practice questions, with instant feedback: add --practice.)",
        "",
    ]
    if token:
        lines.append(f"variant: {token}    # your variant token: the numbers in some questions are yours")
    graded = quiz.graded
    width = max((len(q.id) for q in graded), default=1) + 1
    for q in graded:
        value = answers.get(q.id)
        shown = f" {json.dumps(str(value))}" if value not in (None, "") else ""
        lines.append(f"{(q.id + ':').ljust(width)}{shown}    # {q.title} ({q.how_to_answer()})")
    return "\n".join(lines) + "\n"


# ============================================================================ reading answer files
def read_answers(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(answers by question id, None) or (None, what is wrong with the file). Never raises.

    Bounded reading of an untrusted file (size, nesting, token count, encoding fallback): see
    autograder/answersheet.py."""
    from .answersheet import read_answer_sheet
    return read_answer_sheet(path)


def check_answers(quiz: Quiz, answers: dict[str, Any], *, token: str | None = None) -> dict[str, Verdict]:
    """Verdicts for the questions of `quiz` this copy can check (plain keys, or practice hashes).

    A variant question is checked against the parameters of `token` (the sample variant if None).
    """
    verdicts = {q.id: q.check(answers.get(q.id), q.params_for(token) if q.variant else None)
                for q in quiz.questions}
    _note_unknown_ids(quiz, answers, verdicts)
    return verdicts


def _note_unknown_ids(quiz: Quiz, answers: dict[str, Any], verdicts: dict[str, Verdict]) -> None:
    unknown = sorted(set(answers) - {q.id for q in quiz.questions} - {"variant"})
    if unknown:
        for v in verdicts.values():
            if not v.answered:
                listed = ", ".join(u[:20] for u in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
                v.message += f" (the file has entries for unknown questions: {listed} -- a typo?)"


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


SHEET_CASE = "quiz: answer sheet"


@dataclass
class QuestionResult:
    """The grade of one graded question (what nbgrader's gradebook or a report needs)."""
    id: str
    title: str
    points: float           # earned
    max_points: float
    correct: bool
    verdict: Verdict
    explanation: str        # for this student's variant; returned with the grade only


@dataclass
class QuizGrade:
    quiz_id: str
    questions: list[QuestionResult]
    problem: str | None = None     # the sheet could not be read: every question scores 0
    notes: list[str] = field(default_factory=list)
    answered: int = 0


def submission_student(submission_dir: Path) -> str:
    """The student of a submission in nbgrader's layout <student>/<assignment>/."""
    return Path(submission_dir).absolute().parent.name


def quiz_question_results(assignment: Assignment | str, submission_dir: Path, *, root: Path | None = None,
                          student: str | None = None) -> QuizGrade | None:
    """Grade the graded questions of a submission's quiz_answers.yaml: one QuestionResult each.

    None when the assignment has no quiz. Raises QuizError for an instructor-side problem (no
    readable key); a student's sheet problem is reported in `problem`, never raised. Practice
    answers on the sheet are ignored. `student` (default: the submission folder's parent)
    selects the variant of the per-student questions.
    """
    a = assignment if isinstance(assignment, Assignment) else find_assignment(str(assignment))
    path = quiz_key_path(a, root)
    if path is None:
        return None
    quiz = _load_key_cached(path)
    if quiz.hashed:
        raise QuizError(f"{path} is a released quiz; grading needs the plain keys")
    graded = quiz.graded
    grade = QuizGrade(quiz.id, [])
    token = None
    unknown_student = False
    if any(q.variant for q in graded):
        student = submission_student(submission_dir) if student is None else student
        secret, demo = read_secret()
        if student.strip():
            token = variant_token(secret, student)
        else:
            unknown_student = True
            grade.notes.append("(the submitter is unknown, so the per-student questions could not be graded: "
                               "tell your instructor)")
        if demo:
            grade.notes.append("(per-student questions graded with the demo course secret)")
    answers, grade.problem = read_answers(Path(submission_dir) / ANSWERS_FILE)
    answers = answers or {}
    sheet_token = answers.get("variant")
    if token and sheet_token not in (None, "") and str(sheet_token).strip().lower() != token:
        grade.notes.append(f"the sheet was answered for variant {str(sheet_token)[:24]}, but yours is {token}: "
                           "the per-student questions were graded for your own variant")
    verdicts = {q.id: q.check(answers.get(q.id), q.params_for(token) if q.variant else None)
                if grade.problem is None else Verdict(answered=False, message=grade.problem) for q in graded}
    if unknown_student:
        for q in graded:
            if q.variant and grade.problem is None:
                verdicts[q.id] = Verdict(answered=verdicts[q.id].answered, message="not graded: unknown submitter")
    _note_unknown_ids(quiz, answers, verdicts)
    for q in graded:
        params = q.params_for(token) if q.variant else None
        verdict = verdicts[q.id]
        grade.answered += verdict.answered
        grade.questions.append(QuestionResult(q.id, q.title, q.points if verdict.correct else 0.0, q.points,
                                              verdict.correct, verdict, q.explanation(params)))
    return grade


def _sheet_case(quiz_id: str, grade: QuizGrade):
    from .framework import CaseResult

    total = len(grade.questions)
    if grade.problem is not None:
        hint = (f"fill in the {ANSWERS_FILE} of the release (python -m autograder quiz {quiz_id}) and put it in "
                "your submission" if grade.problem.startswith("no ") else
                f"check the file before submitting: python -m autograder quiz {quiz_id} --answers {ANSWERS_FILE}")
        return CaseResult(SHEET_CASE, "quiz", 0.0, 0.0, "failed", grade.problem, hint, "visible")
    unreadable = [r.id for r in grade.questions if not r.verdict.readable]
    output = f"{grade.answered} of {total} graded questions answered"
    if unreadable:
        output += f"; could not read the answer to {', '.join(unreadable)}"
    output += ". They are scored when grades are published, with an explanation for each."
    output = " ".join([output] + grade.notes)
    ok = grade.answered > 0 and not unreadable
    return CaseResult(SHEET_CASE, "quiz", 0.0, 0.0, "passed" if ok else "failed", output,
                      None if ok else f"python -m autograder quiz {quiz_id} records your answers in {ANSWERS_FILE}",
                      "visible")


def grade_quiz_answers(assignment: Assignment | str, submission_dir: Path, *, root: Path | None = None,
                       student: str | None = None) -> list:
    """Score a submission's quiz_answers.yaml against the plain keys, as CaseResults.

    First a visible, pointless case about the sheet's format ("quiz: answer sheet"), then one
    case per graded question, named `quiz <qid>: <title>`, scored on function "quiz", with the
    explanation in its output and visibility after_published (Gradescope shows it when grades
    are published). A missing or malformed answers file gives every question 0 with a message
    saying why; nothing here raises, so the code score of the submission is never lost. An
    assignment without a quiz gives []. (Trusted side: the plain keys are read from solutions/
    or source/.)
    """
    from .framework import CaseResult

    try:
        grade = quiz_question_results(assignment, submission_dir, root=root, student=student)
    except Exception as exc:  # noqa: BLE001 - an authoring problem must not cost the code score
        return [CaseResult("quiz: answer key", "quiz", 0.0, 0.0, "error",
                           f"the quiz could not be graded (instructor side): {exc}", None, "visible")]
    if grade is None:
        return []
    results = [_sheet_case(grade.quiz_id, grade)]
    for r in grade.questions:
        v = r.verdict
        if v.correct or not v.answered or not v.readable:
            output = v.message
        else:
            output = f"not correct -- {v.message}"
        output += " Explanation: " + " ".join(r.explanation.split())
        results.append(CaseResult(f"quiz {r.id}: {r.title}", "quiz", r.points, r.max_points,
                                  "passed" if r.correct else "failed", output, v.hint if not r.correct else None,
                                  "after_published"))
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
                                           subsequent_indent=indent, break_on_hyphens=False))
                prose = []
            if line is not None:
                block.append(indent + line)
        out.append("\n".join(block))
    return "\n\n".join(out)


def format_question(q: Question, number: int, total: int, token: str | None = None) -> str:
    kind = {"single": "one answer", "multiple": "select all that apply", "numeric": "number"}[q.type]
    worth = f"{_number(q.points)} points" if q.graded else "practice, not graded"
    head = f"Question {number} of {total} [{q.id}, {kind}, {worth}]: {q.title}"
    parts = [head, _paragraphs(q.render_prompt(token), "  ")]
    if q.options:
        parts.append("\n".join(textwrap.fill(f"{k}) {' '.join(v.split())}", width=88, initial_indent="  ",
                                              subsequent_indent="     ") for k, v in q.options.items()))
    return "\n".join(parts)


def format_verdict(q: Question, v: Verdict, *, show_explanation: bool = True) -> str:
    """A practice question's feedback (graded questions are never judged by the student's tool)."""
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
    return QuizScore(quiz.id, score, sum(q.points for q in quiz.questions), verdicts)


def _score_line(result: QuizScore) -> str:
    return (f"Practice score: {_number(result.score)}/{_number(result.max_score)} "
            f"({result.correct} of {len(result.verdicts)} questions correct; practice never counts in the grade)")


def _asker(input_fn, out, echo: bool):
    import builtins
    out = out or sys.stdout
    ask = input_fn or builtins.input

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    def get(prompt: str, quiz_id: str) -> str | None:
        """One line of input; None at the end of input or where there is no input at all."""
        try:
            line = ask(prompt)
        except EOFError:
            return None
        except NotImplementedError:
            # Jupyter run without a frontend (nbclient, nbgrader autograding): no input().
            say("  (no interactive input here: run this cell in Jupyter, or take the quiz with "
                f"`python -m autograder quiz {quiz_id}`)")
            return None
        if echo:
            say(line)
        return line
    return say, get


def _ask_each(questions: list[Question], quiz_id: str, say, get, take, *, skip=None,
              current: dict[str, str] | None = None, token: str | None = None) -> bool:
    """Ask each question in turn until it is answered or skipped; True when the student stopped
    ('quit', or the end of input) before the last one.

    take(q, text) handles a non-blank answer: None when it is done with the question, else the
    problem to show before asking again. skip(q) runs on 'skip'; `current` holds the answers the
    questions already have, by question id (each shown before asking).
    """
    for number, q in enumerate(questions, 1):
        say()
        say(format_question(q, number, len(questions), token))
        if current and q.id in current:
            say(f"  (current answer: {current[q.id]})")
        while True:
            line = get(f"Your answer ({q.how_to_answer()}): ", quiz_id)
            text = (line or "").strip()
            if line is None or text.lower() in ("quit", "exit"):
                return True
            if text.lower() == "skip":
                if skip:
                    skip(q)
                break
            if not text:
                continue
            problem = take(q, text)
            if problem is None:
                break
            say(f"  {problem}; try again")
    return False


def run_practice(quiz: Quiz, *, input_fn: Callable[[str], str] = None, out=None, echo: bool = False) -> QuizScore:
    """Ask the practice questions, check each answer at once, then explain it. End of input stops."""
    say, get = _asker(input_fn, out, echo)
    questions = quiz.practice
    total = len(questions)
    say(f"Quiz {quiz.id}: {quiz.title} -- practice questions (not graded)")
    say(f"{total} question{'s' if total != 1 else ''}. Answer with option letters (b, or a, c for several) or a "
        "number (0.125 or 1/8). Type 'skip' to skip a question, 'quit' to stop.")
    verdicts: dict[str, Verdict] = {}

    def take(q: Question, text: str) -> str | None:
        v = q.check(text)
        if not v.readable or (q.type == "single" and not v.correct and "," in v.shown):
            return v.message
        verdicts[q.id] = v
        say(format_verdict(q, v))
        return None

    def skip(q: Question) -> None:
        verdicts[q.id] = Verdict(answered=False, message="skipped")
        say("  skipped (answer it to see the explanation)")

    stopped = _ask_each(questions, quiz.id, say, get, take, skip=skip)
    for q in questions:
        verdicts.setdefault(q.id, Verdict(answered=False, message="not answered"))
    result = _score(quiz.only(questions), verdicts)
    say()
    if stopped:
        say("Practice stopped.")
    say(_score_line(result))
    return result


@dataclass
class Recorded:
    """What the graded quiz recorded: the answers (as understood) and where they were saved."""
    quiz: str
    answers: dict[str, str]
    sheet: Path
    total: int

    def __repr__(self) -> str:
        return f"Recorded({self.quiz}: {len(self.answers)} of {self.total} graded answers in {self.sheet})"


def default_sheet(quiz_path: Path | None, cwd: Path | None = None) -> Path:
    """Where the graded answers go: next to the student's quiz.yaml (their assignment folder),
    or the current folder when the quiz is an instructor copy (source/ or solutions/)."""
    cwd = Path(cwd or Path.cwd())
    if quiz_path is None:
        return cwd / ANSWERS_FILE
    folder = Path(quiz_path).resolve().parent
    if folder.parent in ((REPO_ROOT / "source").resolve(), (REPO_ROOT / "solutions").resolve()):
        return cwd / ANSWERS_FILE
    return folder / ANSWERS_FILE


def _previous_sheet(sheet: Path) -> tuple[dict[str, Any], str | None]:
    answers, problem = read_answers(sheet)
    if problem is not None or not answers:
        return {}, None
    token = answers.get("variant")
    return answers, str(token).strip().lower() if is_token(token) else None


def _save_sheet(quiz: Quiz, sheet: Path, answers: dict[str, str], token: str | None) -> None:
    from .course import ASSIGNMENTS
    module = ASSIGNMENTS[quiz.id].filename if quiz.id in ASSIGNMENTS else None
    tmp = sheet.with_name(sheet.name + ".tmp")
    tmp.write_text(answer_sheet_text(quiz, module, answers=answers, token=token), encoding="utf-8")
    tmp.replace(sheet)


def run_graded(quiz: Quiz, sheet: Path, *, token: str | None = None, input_fn: Callable[[str], str] = None,
               out=None, echo: bool = False, sheet_quiz: Quiz | None = None) -> Recorded:
    """Ask the graded questions and record each readable answer in `sheet` (saved after every one).

    Only the answer's format is checked here: the key is not in the student's copy. A question
    skipped (or not reached) keeps the answer the sheet already had.
    """
    say, get = _asker(input_fn, out, echo)
    sheet = Path(sheet)
    sheet_quiz = sheet_quiz or quiz
    previous, sheet_token = _previous_sheet(sheet)
    token = token or sheet_token
    answers = {q.id: str(previous[q.id]) for q in sheet_quiz.graded if not _is_blank(previous.get(q.id))}
    questions = quiz.graded
    total = len(questions)
    say(f"Quiz {quiz.id}: {quiz.title} -- graded questions")
    say(f"{total} questions, {_number(quiz.max_score)} points. Your answers are saved in {sheet}; they are "
        "checked when your submission is graded, and the explanations come back with the grade.")
    if any(q.variant for q in questions):
        say(f"Some numbers are personal: your variant token is {token}." if token else
            "Some numbers are personal: pass the variant token your instructor gave you (--variant v-...); "
            "without it you see the sample numbers, which are not yours.")
    say("Answer with option letters (b, or a, c for several) or a number (0.125 or 1/8). "
        "Type 'skip' to keep the current answer, 'quit' to stop.")

    def take(q: Question, text: str) -> str | None:
        verdict, canonical = q.read(text)
        if canonical is None:
            return verdict.message
        answers[q.id] = verdict.shown
        _save_sheet(sheet_quiz, sheet, answers, token)
        say(f"  {verdict.message}")
        return None

    _ask_each(questions, quiz.id, say, get, take, current=answers, token=token)
    _save_sheet(sheet_quiz, sheet, answers, token)
    say()
    say(f"{len(answers)} of {len(sheet_quiz.graded)} graded questions answered; saved in {sheet}. Submit that "
        "file with your module.")
    if sheet_quiz.practice:
        say(f"Practice questions with instant feedback: python -m autograder quiz {quiz.id} --practice")
    return Recorded(quiz.id, answers, sheet, len(sheet_quiz.graded))


def run_answers(quiz: Quiz, answers: dict[str, Any], *, out=None, token: str | None = None) -> QuizScore:
    """Check an answers mapping: the format of the graded answers (never their correctness, never
    an explanation), and the practice answers it holds, with feedback."""
    out = out or sys.stdout
    token = token or (str(answers.get("variant")).strip().lower() if is_token(answers.get("variant")) else None)
    print(f"Quiz {quiz.id}: {quiz.title}", file=out)
    graded = quiz.graded
    problems = 0
    for number, q in enumerate(graded, 1):
        print(file=out)
        print(format_question(q, number, len(graded), token), file=out)
        verdict, _ = q.read(answers.get(q.id))
        problems += not verdict.readable
        print(f"  [{verdict.message}]", file=out)
    print(file=out)
    answered = sum(not _is_blank(answers.get(q.id)) for q in graded)
    print(f"Graded questions: {answered} of {len(graded)} answered" +
          (f", {problems} could not be read" if problems else "") +
          ". They are checked when your submission is graded.", file=out)
    practice = [q for q in quiz.practice if not _is_blank(answers.get(q.id))]
    verdicts = {q.id: q.check(answers.get(q.id)) for q in practice}
    for number, q in enumerate(practice, 1):
        print(file=out)
        print(format_question(q, number, len(practice)), file=out)
        v = verdicts[q.id]
        print(f"  Your answer: {v.shown or _brief(answers.get(q.id))}", file=out)
        print(format_verdict(q, v), file=out)
    result = _score(quiz.only(practice), verdicts)
    if practice:
        print(file=out)
        print(_score_line(result), file=out)
    return result


def take_quiz(assignment_id: str, answers: dict | str | Path | None = None, *, practice: bool = False,
              only: str | list[str] | None = None, quiz_path: Path | None = None, variant: str | None = None,
              sheet: Path | str | None = None, input_fn: Callable[[str], str] | None = None, out=None):
    """Take an assignment's quiz, e.g. in its notebook: `take_quiz("03_dropout")`.

    Graded questions (the default): asks each one with input() (works in Jupyter and in a
    terminal) and records the answers in quiz_answers.yaml next to the quiz (or `sheet`),
    returning what was recorded; they are checked when the submission is graded. `variant`
    is the token your instructor gave you, for the questions whose numbers are personal.
    `practice=True`: the practice questions, each checked at once and explained; returns the
    practice score. `only="p3"` (or a list of ids) asks just those questions. With `answers`
    (a dict {"q1": "b", ...} or the path of a filled-in sheet) nothing is asked: the graded
    answers' format and the practice answers are checked.
    """
    path = Path(quiz_path or find_quiz_file(assignment_id))
    quiz = load_quiz(path)
    if variant is not None and not is_token(variant):
        raise ValueError(f"{variant!r} is not a variant token (they look like v-0123456789abcdef)")
    if only is not None:
        wanted = [only] if isinstance(only, str) else list(only)
        unknown = sorted(set(wanted) - {q.id for q in quiz.questions})
        if unknown:
            raise ValueError(f"{quiz.id} has no question {', '.join(unknown)}; "
                             f"its questions are {', '.join(q.id for q in quiz.questions)}")
        quiz = quiz.only([q for q in quiz.questions if q.id in wanted])
    token = variant.strip().lower() if variant else None
    if answers is not None:
        if isinstance(answers, (str, Path)):
            loaded, problem = read_answers(Path(answers))
            if problem:
                raise ValueError(problem)
            answers = loaded
        return run_answers(quiz, {str(k).strip().lower(): v for k, v in dict(answers).items()}, out=out,
                           token=token)
    if practice:
        return run_practice(quiz, input_fn=input_fn, out=out)
    target = Path(sheet) if sheet is not None else default_sheet(path)
    # the sheet always lists every graded question (with `only`, the others keep their answers)
    return run_graded(quiz, target, token=token, input_fn=input_fn, out=out, sheet_quiz=load_quiz(path))


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


def token_lines(roster: Path, secret_file: Path | None = None) -> list[str]:
    """`student,token` for every id of a roster (one id a line; # comments), instructor side."""
    secret, demo = read_secret(secret_file)
    ids = [line.split("#", 1)[0].strip() for line in Path(roster).read_text(encoding="utf-8").splitlines()]
    lines = [f"{sid},{variant_token(secret, sid)}" for sid in ids if sid]
    return (["# DEMO secret: these tokens are for the example class only"] if demo else []) + lines


USAGE = """usage: python -m autograder.quiz sheets                  regenerate source/*/quiz_answers.yaml
       python -m autograder.quiz tokens ROSTER [SECRET]  print student,token for each id of ROSTER
                                                          (secret: SECRET, else $AUTOGRADER_QUIZ_SECRET_FILE)"""


def _main(argv: list[str]) -> int:
    try:
        if argv == ["sheets"]:
            for p in write_answer_sheets():
                print(f"wrote {p}")
            return 0
        if argv[:1] == ["tokens"] and len(argv) in (2, 3):
            print("\n".join(token_lines(Path(argv[1]), Path(argv[2]) if len(argv) == 3 else None)))
            return 0
    except (OSError, QuizError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
