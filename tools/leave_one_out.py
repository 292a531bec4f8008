"""Print the leave-one-out table of the hints (see tests/leave_one_out.py for what it measures).

    python tools/leave_one_out.py                  # every assignment
    python tools/leave_one_out.py proximal -v      # one, with each mistake's hints

A maintainer's tool: prints figures; tests/test_leave_one_out.py asserts the targets.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import leave_one_out  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"among {', '.join(leave_one_out.MODULES)}")
    parser.add_argument("-v", "--verbose", action="store_true", help="each mistake's class and hints")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.modules) - set(leave_one_out.MODULES))
    if unknown:
        print(f"leave_one_out: error: unknown module {', '.join(unknown)}", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")            # some mistakes overflow or divide by zero, on purpose
    outcomes = leave_one_out.measure_all(args.modules or leave_one_out.MODULES)
    if args.verbose:
        for o in outcomes:
            print(f"{o.kind:10} {o.module}/{o.variant} ({o.function})")
            for h in dict.fromkeys(o.hints):
                print(f"           - {h[:300]}")
    print(leave_one_out.table(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
