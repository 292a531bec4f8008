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
from dataclasses import dataclass, field
from pathlib import Path

GRADEBOOK_COLUMNS = ["student", "assignment", "score", "max_score", "status", "message"]


@dataclass
class Row:
    student: str
    assignment: str
    score: float
    max_score: float
    status: str
    message: str = ""
    fingerprint: str = ""
    results: list = field(default_factory=list)   # CaseResult.to_dict() of every case
    seconds: float = 0.0
    graded_at: str = ""


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
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
        cur = self.db.execute("SELECT student, assignment, score, max_score, status, message, fingerprint, "
                              "results, seconds, graded_at FROM grades WHERE student = ? AND assignment = ?",
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
                             row.message, row.fingerprint, json.dumps(row.results), float(row.seconds),
                             row.graded_at))

    def rows(self, *, results: bool = True) -> list[Row]:
        """Every row; with results=False their per-case results are left out (not parsed: faster)."""
        column = "results" if results else "'[]'"
        cur = self.db.execute("SELECT student, assignment, score, max_score, status, message, fingerprint, "
                              f"{column}, seconds, graded_at FROM grades ORDER BY student, assignment")
        return [self._row(rec) for rec in cur]

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM grades").fetchone()[0]

    @staticmethod
    def _row(rec) -> Row:
        return Row(rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], json.loads(rec[7]), rec[8], rec[9])

    def close(self) -> None:
        self.db.close()


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
