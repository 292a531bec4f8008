"""Every catalogue entry's per-case status and score, to prove a refactoring moved no score.

    python tools/score_snapshot.py OUT.json                 write a snapshot
    python tools/score_snapshot.py --compare BASE.json      grade now and list every difference from BASE

For each assignment: the reference, the release stub and every catalogue variant (MISTAKES and
CORRECT) are graded in process with every case (public and hidden), as the suite tests do.
Scores and statuses must match exactly; hints are compared too but reported apart (wording may move).
Exit status: 0 when no score or status differs, 1 otherwise, 2 on bad input.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder.course import ASSIGNMENTS, Assignment, import_path, load_reference  # noqa: E402
from tests.catalogue import catalogue, grade_in_process, variant_module  # noqa: E402


def _rows(results) -> list[dict]:
    return [{"case": r.name, "status": str(getattr(r.status, "value", r.status)), "score": r.score,
             "max": r.max_score, "hint": r.hint or ""} for r in results]


def snapshot_of(assignment: Assignment) -> dict[str, list[dict]]:
    entries = {"<reference>": _rows(grade_in_process(assignment, load_reference(assignment)))}
    stub = import_path(assignment.release_dir() / assignment.filename, f"_snapshot_stub_{assignment.module}")
    entries["<release stub>"] = _rows(grade_in_process(assignment, stub))
    book = catalogue(assignment)
    for variant in [*book.MISTAKES, *book.CORRECT]:
        entries[variant.name] = _rows(grade_in_process(assignment, variant_module(assignment, variant.code)))
    return entries


def snapshot() -> dict[str, dict[str, list[dict]]]:
    out = {}
    for assignment in ASSIGNMENTS.values():
        print(f"grading the catalogue of {assignment.id}", file=sys.stderr, flush=True)
        out[assignment.id] = snapshot_of(assignment)
    return out


def differences(base: dict, now: dict) -> tuple[list[str], list[str]]:
    """(score or status differences, hint-only differences), one line each."""
    scores, hints = [], []
    for assignment in sorted(set(base) | set(now)):
        b_entries, n_entries = base.get(assignment, {}), now.get(assignment, {})
        for entry in sorted(set(b_entries) | set(n_entries)):
            b_rows = {r["case"]: r for r in b_entries.get(entry, [])}
            n_rows = {r["case"]: r for r in n_entries.get(entry, [])}
            if list(b_rows) != list(n_rows):
                scores.append(f"{assignment} {entry}: the cases differ (names or order)")
            for case in b_rows.keys() & n_rows.keys():
                b, n = b_rows[case], n_rows[case]
                if (b["status"], b["score"], b["max"]) != (n["status"], n["score"], n["max"]):
                    scores.append(f"{assignment} {entry} [{case}]: {b['status']} {b['score']}/{b['max']}"
                                  f" -> {n['status']} {n['score']}/{n['max']}")
                elif b["hint"] != n["hint"]:
                    hints.append(f"{assignment} {entry} [{case}]: hint {b['hint'][:90]!r} -> {n['hint'][:90]!r}")
    return scores, hints


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, help="write the snapshot to this JSON file")
    parser.add_argument("--compare", type=Path, metavar="BASE", help="compare with a snapshot written earlier")
    args = parser.parse_args(argv)
    if not args.out and not args.compare:
        parser.error("give OUT.json, --compare BASE.json, or both")
    base = None
    if args.compare:
        try:
            base = json.loads(args.compare.read_text())
        except (OSError, ValueError) as e:
            print(f"score_snapshot: cannot read {args.compare}: {e}", file=sys.stderr)
            return 2
    now = snapshot()
    if args.out:
        args.out.write_text(json.dumps(now, indent=1, sort_keys=True))
        cases = sum(len(rows) for entries in now.values() for rows in entries.values())
        print(f"wrote {args.out}: {sum(len(e) for e in now.values())} entries, {cases} case results")
    if base is None:
        return 0
    scores, hints = differences(base, now)
    for line in scores:
        print("SCORE", line)
    for line in hints:
        print("HINT ", line)
    entries = sum(len(e) for e in now.values())
    print(f"{entries} entries compared: {len(scores)} score/status differences, {len(hints)} hint-only differences")
    return 1 if scores else 0


if __name__ == "__main__":
    sys.exit(main())
