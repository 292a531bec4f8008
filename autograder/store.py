"""The batch grader's store: OUT/grades.sqlite, one row per (student, assignment).

Each submission's row is committed as soon as it is graded, so a batch killed half-way
keeps everything it finished; the fingerprint (a hash of the graded files and of the
grading code that applies) lets a re-run skip submissions that have not changed.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path

from .errors import UsageError
from .results import CaseResult, Status, SubmissionResult, UnknownStatus

GRADEBOOK_COLUMNS = ["student", "assignment", "score", "max_score", "status", "message"]
STORE_NAME = "grades.sqlite"
_COLUMNS = "student, assignment, score, max_score, status, message, fingerprint, results, seconds, graded_at"

Row = SubmissionResult   # one row of the store is one submission's result


class StoreError(UsageError):
    """The store cannot be read as grades (said in one line, naming the file)."""


class Store:
    """OUT/grades.sqlite. `create=False` opens an existing store to read it: nothing is created or changed."""

    def __init__(self, path: Path, *, create: bool = True):
        self.path = Path(path)
        if not create:   # mode=rw: an existing file only (a missing one is an error, never created)
            self.db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=rw", uri=True, timeout=60)
            return
        self.db = sqlite3.connect(self.path, timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
        self.db.execute("""CREATE TABLE IF NOT EXISTS grades (
            student TEXT NOT NULL, assignment TEXT NOT NULL,
            score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL, message TEXT NOT NULL,
            fingerprint TEXT NOT NULL, results TEXT NOT NULL, seconds REAL NOT NULL, graded_at TEXT NOT NULL,
            PRIMARY KEY (student, assignment))""")
        self.db.commit()

    def get(self, student: str, assignment: str) -> Row | None:
        cur = self.db.execute(f"SELECT {_COLUMNS} FROM grades WHERE student = ? AND assignment = ?",
                              (student, assignment))
        rec = cur.fetchone()
        return None if rec is None else self._row(rec)

    def fingerprints(self) -> dict[tuple[str, str], str]:
        return {(s, a): f for s, a, f in self.db.execute("SELECT student, assignment, fingerprint FROM grades")}

    def put(self, row: Row) -> None:
        """Insert or replace one row and commit it."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (row.student, row.assignment, float(row.score), float(row.max_score), row.status,
                             row.message, row.fingerprint, json.dumps([c.to_dict() for c in row.cases]),
                             float(row.seconds), row.graded_at))

    def rows(self, *, results: bool = True) -> list[Row]:
        """Every row; with results=False their per-case results are left out (not parsed: faster)."""
        columns = _COLUMNS if results else _COLUMNS.replace("results", "'[]'")
        cur = self.db.execute(f"SELECT {columns} FROM grades ORDER BY student, assignment")
        return [self._row(rec) for rec in cur]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]

    def _row(self, rec) -> Row:
        where = f"{self.path}: {rec[0]}/{rec[1]}"
        try:
            cases = [CaseResult.from_dict(c, where) for c in json.loads(rec[7])]
        except (json.JSONDecodeError, TypeError, AttributeError) as exc:
            raise StoreError(f"{where}: its case results cannot be read ({exc})") from None
        except ValueError as exc:   # UnknownStatus, a missing field
            raise StoreError(str(exc)) from None
        try:
            return Row(rec[0], rec[1], float(rec[2]), float(rec[3]), Status.parse(rec[4], where), rec[5], rec[6],
                       cases, float(rec[8]), rec[9])
        except (TypeError, ValueError) as exc:   # UnknownStatus, a score that is not a number
            raise StoreError(str(exc) if isinstance(exc, UnknownStatus) else f"{where}: {exc}") from None

    def close(self) -> None:
        self.db.close()


def read_results(out: Path) -> list[SubmissionResult]:
    """Every submission result in OUT/grades.sqlite (the record `grade` keeps), read without changing
    the file. FileNotFoundError when there is none; StoreError when it is not a readable store."""
    path = Path(out) / STORE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no grading results in {out} (expected {STORE_NAME}, written by "
                                f"`python -m autograder grade SUBMITTED --out {out}`)")
    try:
        store = Store(path, create=False)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot be opened as a grades store ({exc})") from None
    try:
        return store.rows()
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: not a grades store written by `grade` ({exc})") from None
    finally:
        store.close()


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the new content, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def gradebook_csv(rows: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(GRADEBOOK_COLUMNS)
    for r in sorted(rows, key=lambda r: (r.student, r.assignment)):
        writer.writerow([r.student, r.assignment, f"{r.score:g}", f"{r.max_score:g}", r.status, r.message])
    return buf.getvalue()
