"""python -m pm: build the project-management documents from the data files, the tests and the model."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import click

from pm import config
from pm.data import DataFileError
from settings.cli import CONTEXT, run


def _say(message: str) -> None:
    print(f"[pm] {message}", file=sys.stderr, flush=True)


def cmd_trace(args: Options) -> int:
    from pm import reports, traceability  # deferred: command

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


def cmd_tests(args: Options) -> int:
    from pm import reports  # deferred: command

    _say(f"wrote {reports.write_test_report(args.docs, args.junit, args.tests)}")
    return 0


def cmd_evm(args: Options) -> int:
    from pm import evm  # deferred: command

    table = evm.write(args.docs)
    last = table.iloc[-1]
    _say(f"wrote evm.csv ({len(table)} sprints; at {last['sprint']}: SPI {last['SPI']:.2f}, CPI {last['CPI']:.2f}), "
         "S-curve and burndown")
    return 0


def cmd_business(args: Options) -> int:
    from pm import business  # deferred: command

    table = business.write(args.model, args.source, args.docs)
    _say(f"wrote business-case.csv from model {table.loc[0, 'modele']} ({int(table.loc[0, 'clients'])} clients)")
    return 0


def cmd_docs(args: Options) -> int:
    from pm import azure, stakeholders, steering  # deferred: command

    stakeholders.draw(args.docs)
    _say(f"wrote {azure.write(args.docs)}")
    for path in steering.write_all(args.docs):
        _say(f"wrote {path}")
    return 0


def cmd_deck(args: Options) -> int:
    from pm import slides  # deferred: command

    out = slides.build(args.docs, args.out)
    _say(f"wrote {out}")
    return 0


def cmd_check(args: Options) -> int:
    from pm import check  # deferred: command

    lines = check.problems(args.docs, args.tests, args.junit)
    for line in lines:
        print(line, file=sys.stderr)
    _say(f"{len(lines)} document(s) or claim(s) out of step with their sources")
    return 1 if lines else 0


def cmd_all(args: Options) -> int:
    status = 0
    for step in (cmd_evm, cmd_trace, cmd_tests, cmd_docs, cmd_deck):
        start = time.monotonic()
        status |= step(args)
        _say(f"{step.__name__[4:]} done in {time.monotonic() - start:.1f} s")
    _say("all documents regenerated" + ("" if not status else " (with traceability problems above)"))
    return status


@dataclass(frozen=True)
class Options:
    """What the commands read: the documents' folder and the options of the command run."""

    docs: Path
    tests: Path = field(default_factory=config.tests_dir)
    junit: Path | None = None
    check: bool = False
    out: Path | None = None
    model: Path | None = None
    source: Path | None = None


PATH = click.Path(path_type=Path)
TESTS = click.option("--tests", type=PATH, default=config.tests_dir, show_default="tests/", help="test folder to scan")
JUNIT = click.option("--junit", type=PATH, default=None, help="JUnit XML (default DOCS/junit.xml)")
DECK_OUT = click.option("--out", type=PATH, default=None, help="PDF to write (default DOCS/soutenance.pdf)")


@click.group(name="python -m pm", context_settings=CONTEXT, help=__doc__.split(": ", 1)[1])
@click.option("--docs", type=PATH, default=config.docs_dir, show_default="docs/gestion-projet, env PM_DOCS_DIR",
              help="folder of the documents and data files")
@click.pass_context
def cli(ctx: click.Context, docs: Path) -> None:
    """Keep --docs for the command."""
    ctx.obj = docs


def _command(name: str, step: Callable[[Options], int], help: str, *options: Callable) -> click.Command:
    """A command of the group running ``step`` with the group's --docs and its own ``options``."""
    def command(**values) -> int:
        return step(Options(docs=click.get_current_context().obj, **values))

    for option in reversed(options):
        command = option(command)
    return cli.command(name, help=help)(command)


_command("trace", cmd_trace, "check requirement markers and write the traceability matrix",
         click.option("--check", is_flag=True, help="only check: exit 1 when a requirement or marker is wrong"),
         TESTS, JUNIT)
_command("tests", cmd_tests, "write the test report from the JUnit XML of the last run", TESTS, JUNIT)
_command("check", cmd_check, "exit 1 when a document no longer says what its sources say", TESTS, JUNIT)
_command("evm", cmd_evm, "recompute the sprints' points, evm.csv, the S-curve and the burndown")
_command("business", cmd_business, "business-case figures from a model's out-of-fold predictions",
         click.option("--model", type=PATH, required=True, help="model folder written by python -m modeling train"),
         click.option("--source", type=PATH, required=True, help="folder of the Kaggle CSV files it was trained on"))
_command("docs", cmd_docs, "render the steering documents and the stakeholder map")
_command("deck", cmd_deck, "build the presentation deck (PDF)", DECK_OUT)
_command("all", cmd_all, "evm, trace, tests, docs and deck in turn", JUNIT, DECK_OUT,
         click.option("--tests", type=PATH, default=config.tests_dir, hidden=True))


def main(argv: list[str] | None = None) -> int:
    """Entry point; expected failures end in one line and exit code 2."""
    try:
        return run(cli, argv, cli.name)
    except (DataFileError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
