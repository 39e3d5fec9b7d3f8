"""python -m database.synthetic: write a synthetic Home Credit data set in the Kaggle CSV format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from database.synthetic.drift import DRIFT_ID_OFFSET, DRIFTS, parse_drift
from database.synthetic.generate import TEST_SHARE, generate


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m database.synthetic", description=__doc__.split(": ", 1)[1])
    parser.add_argument("--clients", type=int, required=True, help="number of applicants (356255 = Kaggle size)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives identical files")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    parser.add_argument("--test-share", type=float, default=TEST_SHARE,
                        help=f"share of applicants without TARGET, in application_test.csv (default {TEST_SHARE:.4f})")
    parser.add_argument("--drift", action="append", default=None, metavar="NAME",
                        help=f"write a drifted population: {', '.join(DRIFTS)} or all (amounts, ext-sources and "
                             "product-mix); repeatable or comma-separated")
    parser.add_argument("--through-the-door", type=float, default=0.0, metavar="SHARE",
                        help="play a legacy policy that refuses this share of the applicants (e.g. 0.3): they stay "
                             "in application_test.csv without TARGET, and through_the_door.csv keeps every "
                             "applicant's legacy decision, true PD and outcome for evaluation (default 0: none)")
    parser.add_argument("--id-offset", type=int, default=None,
                        help=f"added to every ID (default {DRIFT_ID_OFFSET:,} with --drift, so that the population "
                             "loads next to the training one as new clients; else 0)")
    args = parser.parse_args(argv)
    try:
        drift = parse_drift(args.drift)
        offset = args.id_offset if args.id_offset is not None else (DRIFT_ID_OFFSET if args.drift else 0)
        if offset < 0:
            raise ValueError(f"--id-offset must be 0 or more, got {offset}")
        generate(args.clients, args.seed, args.out, test_share=args.test_share, drift=drift, id_offset=offset,
                 refused_share=args.through_the_door)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
