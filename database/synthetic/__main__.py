"""python -m database.synthetic: write a synthetic Home Credit data set in the Kaggle CSV format."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from database.synthetic.generate import TEST_SHARE, generate


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m database.synthetic", description=__doc__.split(": ", 1)[1])
    parser.add_argument("--clients", type=int, required=True, help="number of applicants (356255 = Kaggle size)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives identical files")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    parser.add_argument("--test-share", type=float, default=TEST_SHARE,
                        help=f"share of applicants without TARGET, in application_test.csv (default {TEST_SHARE:.4f})")
    args = parser.parse_args(argv)
    try:
        generate(args.clients, args.seed, args.out, test_share=args.test_share)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
