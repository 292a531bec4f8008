"""Do the scores mean what they say? Two measurements, printed per assignment.

    python tools/score_audit.py zero-effort        # share of the code points each no-work submission earns
    python tools/score_audit.py public-vs-graded   # share of catalogued mistakes the public check misses

zero-effort: every submission of tests/zero_effort.py (release stub, table replay of the public
suite, None, zeros, ones, random, the input itself, NaN, inf) graded as the grader grades
(public + hidden, in process); the target is at most 5% of each assignment's code points.

public-vs-graded: over the catalogue of wrong implementations (course/<id>/mistakes.py,
MISTAKES), the share that pass every public case (the student's `check` says all is well) but
lose points when graded; the target is under 10%. The misses are listed by name.
Both grade in this process (tests.catalogue.grade_in_process): a measurement, not a grader.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import grading  # noqa: E402
from autograder.course import ASSIGNMENTS, Assignment  # noqa: E402


def gradable() -> list[Assignment]:
    return [a for a in ASSIGNMENTS.values()
            if (a.solution_dir() / a.filename).is_file() and (a.release_dir() / a.filename).is_file()
            and grading.cases_for(a, False)]


def catalogue_mistakes(a: Assignment) -> list:
    from tests.catalogue import catalogue_entries
    return catalogue_entries(a)[0]


def zero_effort_shares(a: Assignment) -> dict[str, float]:
    """{submission name: share of the code points earned when graded}."""
    from tests.zero_effort import code_share, zero_effort_submissions
    return {name: code_share(a, module) for name, module in zero_effort_submissions(a).items()}


def public_misses(a: Assignment) -> tuple[list[str], int]:
    """(names of catalogued mistakes that pass every public case yet lose points graded, catalogue size)."""
    from tests.catalogue import grade_in_process, variant_module
    misses, mistakes = [], catalogue_mistakes(a)
    for variant in mistakes:
        module = variant_module(a, variant.code)
        public = grade_in_process(a, module, hidden=False)
        if any(r.status != "passed" for r in public):
            continue
        score, max_score = grading.totals(grade_in_process(a, module))
        if score < max_score:
            misses.append(variant.name)
    return misses, len(mistakes)


def report_zero_effort() -> None:
    worst_total = 0.0
    for a in gradable():
        shares = zero_effort_shares(a)
        name, worst = max(shares.items(), key=lambda kv: kv[1])
        max_points = sum(c.points for c in grading.cases_for(a, True))
        worst_total += worst * max_points
        print(f"{a.id:28} worst {worst:6.1%} of {max_points:g} code points ({name})")
        for n, share in shares.items():
            print(f"    {share:6.1%}  {n}")
    total = sum(sum(c.points for c in grading.cases_for(a, True)) for a in gradable())
    print(f"all assignments: the worst zero-effort submission of each earns {worst_total:.2f} of {total:g} "
          f"code points ({worst_total / total:.1%})")


def report_public_vs_graded() -> None:
    all_misses = all_mistakes = 0
    for a in gradable():
        misses, n = public_misses(a)
        all_misses, all_mistakes = all_misses + len(misses), all_mistakes + n
        share = len(misses) / n if n else 0.0
        print(f"{a.id:28} {len(misses):3} of {n:3} mistakes pass every public case but lose points "
              f"graded ({share:.1%})" + (f": {', '.join(misses)}" if misses else ""))
    print(f"all assignments: {all_misses} of {all_mistakes} ({all_misses / max(all_mistakes, 1):.1%})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("measure", choices=["zero-effort", "public-vs-graded"])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)   # wrong implementations divide by zero on purpose
    {"zero-effort": report_zero_effort, "public-vs-graded": report_public_vs_graded}[args.measure]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
