"""python -m database.synthetic: write a synthetic Home Credit data set in the Kaggle CSV format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from database.synthetic.drift import DRIFT_ID_OFFSET, DRIFTS, parse_drift
from database.synthetic.generate import TEST_SHARE, generate
from settings.cli import CONTEXT, fail, run


@click.command(name="python -m database.synthetic", context_settings=CONTEXT, help=__doc__.split(": ", 1)[1])
@click.option("--clients", type=int, required=True, help="number of applicants (356255 = Kaggle size)")
@click.option("--seed", type=int, default=0, help="random seed; the same seed gives identical files")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="folder to write the CSV files into")
@click.option("--test-share", type=float, default=TEST_SHARE, show_default=f"{TEST_SHARE:.4f}",
              help="share of applicants without TARGET, in application_test.csv")
@click.option("--drift", multiple=True, metavar="NAME",
              help=f"write a drifted population: {', '.join(DRIFTS)} or all (amounts, ext-sources and product-mix); "
                   "repeatable or comma-separated")
@click.option("--through-the-door", type=float, default=0.0, metavar="SHARE",
              help="play a legacy policy that refuses this share of the applicants (e.g. 0.3): they stay in "
                   "application_test.csv without TARGET, and through_the_door.csv keeps every applicant's legacy "
                   "decision, true PD and outcome for evaluation (0: none)")
@click.option("--id-offset", type=int, default=None,
              help=f"added to every ID (default {DRIFT_ID_OFFSET:,} with --drift, so that the population loads next "
                   "to the training one as new clients; else 0)")
def cli(clients: int, seed: int, out: Path, test_share: float, drift: tuple[str, ...], through_the_door: float,
        id_offset: int | None) -> None:
    """Write the files; bad values end in one line (exit 2)."""
    try:
        offset = id_offset if id_offset is not None else (DRIFT_ID_OFFSET if drift else 0)
        if offset < 0:
            raise ValueError(f"--id-offset must be 0 or more, got {offset}")
        generate(clients, seed, out, test_share=test_share, drift=parse_drift(list(drift)), id_offset=offset,
                 refused_share=through_the_door)
    except (ValueError, OSError) as error:
        fail(str(error), 2)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    return run(cli, argv, cli.name)


if __name__ == "__main__":
    sys.exit(main())
