"""python -m pm: build the project-management documents from the data files, the tests and the model."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pm import config
from pm.data import DataFileError


def _say(message: str) -> None:
    print(f"[pm] {message}", file=sys.stderr, flush=True)


def cmd_trace(args: argparse.Namespace) -> int:
    from pm import reports, traceability

    reqs = traceability.requirements(args.docs)
    problems = traceability.problems(reqs, traceability.scan(args.tests))
    for line in problems:
        print(line, file=sys.stderr)
    if args.check:
        _say(f"{len(reqs)} requirements checked, {len(problems)} problem(s)")
        return 1 if problems else 0
    out = reports.write_matrix(args.docs, args.tests, args.junit)
    _say(f"wrote {out} ({len(reqs)} requirements, {len(problems)} problem(s))")
    return 1 if problems else 0


def cmd_tests(args: argparse.Namespace) -> int:
    from pm import reports

    _say(f"wrote {reports.write_test_report(args.docs, args.junit, args.tests)}")
    return 0


def cmd_evm(args: argparse.Namespace) -> int:
    from pm import evm

    table = evm.write(args.docs)
    last = table.iloc[-1]
    _say(f"wrote evm.csv ({len(table)} sprints; at {last['sprint']}: SPI {last['SPI']:.2f}, CPI {last['CPI']:.2f}), "
         "S-curve and burndown")
    return 0


def cmd_business(args: argparse.Namespace) -> int:
    from pm import business

    table = business.write(args.model, args.source, args.docs)
    _say(f"wrote business-case.csv from model {table.loc[0, 'modele']} ({int(table.loc[0, 'clients'])} clients)")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from pm import azure, stakeholders, steering

    stakeholders.draw(args.docs)
    _say(f"wrote {azure.write(args.docs)}")
    for path in steering.write_all(args.docs):
        _say(f"wrote {path}")
    return 0


def cmd_deck(args: argparse.Namespace) -> int:
    from pm import slides

    out = slides.build(args.docs, args.out)
    _say(f"wrote {out}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from pm import check

    lines = check.problems(args.docs, args.tests, args.junit)
    for line in lines:
        print(line, file=sys.stderr)
    _say(f"{len(lines)} document(s) or claim(s) out of step with their sources")
    return 1 if lines else 0


def cmd_all(args: argparse.Namespace) -> int:
    status = 0
    for step in (cmd_evm, cmd_trace, cmd_tests, cmd_docs, cmd_deck):
        start = time.monotonic()
        status |= step(args)
        _say(f"{step.__name__[4:]} done in {time.monotonic() - start:.1f} s")
    _say("all documents regenerated" + ("" if not status else " (with traceability problems above)"))
    return status


def parser() -> argparse.ArgumentParser:
    """The command line and its sub-commands."""
    main = argparse.ArgumentParser(prog="python -m pm", description=__doc__.split(": ", 1)[1])
    main.add_argument("--docs", type=Path, default=config.docs_dir(),
                      help="folder of the documents and data files (default docs/gestion-projet, env PM_DOCS_DIR)")
    sub = main.add_subparsers(dest="command", required=True)
    trace = sub.add_parser("trace", help="check requirement markers and write the traceability matrix")
    trace.add_argument("--check", action="store_true", help="only check: exit 1 when a requirement or marker is wrong")
    tests = sub.add_parser("tests", help="write the test report from the JUnit XML of the last run")
    checking = sub.add_parser("check", help="exit 1 when a document no longer says what its sources say")
    for command in (trace, tests, checking):
        command.add_argument("--tests", type=Path, default=config.tests_dir(), help="test folder to scan (default tests/)")
        command.add_argument("--junit", type=Path, default=None, help="JUnit XML (default DOCS/junit.xml)")
    sub.add_parser("evm", help="recompute the sprints' points, evm.csv, the S-curve and the burndown")
    money = sub.add_parser("business", help="business-case figures from a model's out-of-fold predictions")
    money.add_argument("--model", type=Path, required=True, help="model folder written by python -m modeling train")
    money.add_argument("--source", type=Path, required=True, help="folder of the Kaggle CSV files it was trained on")
    sub.add_parser("docs", help="render the steering documents and the stakeholder map")
    deck = sub.add_parser("deck", help="build the presentation deck (PDF)")
    deck.add_argument("--out", type=Path, default=None, help="PDF to write (default DOCS/soutenance.pdf)")
    everything = sub.add_parser("all", help="evm, trace, tests, docs and deck in turn")
    everything.add_argument("--tests", type=Path, default=config.tests_dir(), help=argparse.SUPPRESS)
    everything.add_argument("--junit", type=Path, default=None, help="JUnit XML (default DOCS/junit.xml)")
    everything.add_argument("--out", type=Path, default=None, help="deck PDF (default DOCS/soutenance.pdf)")
    everything.set_defaults(check=False)
    for name, func in (("trace", cmd_trace), ("tests", cmd_tests), ("evm", cmd_evm), ("business", cmd_business),
                       ("docs", cmd_docs), ("deck", cmd_deck), ("check", cmd_check), ("all", cmd_all)):
        sub.choices[name].set_defaults(func=func)
    return main


def main(argv: list[str] | None = None) -> int:
    """Entry point; expected failures end in one line and exit code 2."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataFileError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
