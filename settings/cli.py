"""Click plumbing of the packages' command lines: running a command for an exit code, one-line failures, and
options generated from a settings dataclass (one default, in the dataclass). In the lowest layer, beside the
settings: every package may import it."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar, get_args, get_type_hints

import click

F = TypeVar("F", bound=Callable[..., Any])

#: Settings of every command group: the default of each option shown in its --help, -h as --help, and lines
#: wide enough for a command's help in its group's list.
CONTEXT = {"show_default": True, "help_option_names": ["-h", "--help"], "terminal_width": 110, "max_content_width": 110}


def run(command: click.Command, argv: Sequence[str] | None, prog: str) -> int:
    """Run ``command`` as ``prog`` and return its exit code: 0, the code the command returns or exits with,
    2 for a usage error (click's message). Other exceptions reach the caller, which reports them."""
    try:
        code = command.main(args=list(argv) if argv is not None else None, prog_name=prog, standalone_mode=False)
    except click.ClickException as error:
        error.show()
        return error.exit_code
    return code if isinstance(code, int) else 0


def fail(message: str, code: int = 2) -> NoReturn:
    """End the command with ``error: message`` on one line of stderr and exit code ``code``."""
    click.echo(f"error: {message}", err=True)
    raise click.exceptions.Exit(code)


class Parsed(click.ParamType):
    """A click type made of a parsing function whose ValueError is the usage error's message."""

    def __init__(self, parse: Callable[[str], Any], name: str = "text") -> None:
        self.parse, self.name = parse, name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse a string; a default already parsed passes through."""
        if not isinstance(value, str):
            return value
        try:
            return self.parse(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)


def _plain(hint: Any) -> Any:
    """``X | None`` -> ``X``."""
    if isinstance(hint, types.UnionType):
        kept = [a for a in get_args(hint) if a is not type(None)]
        if len(kept) == 1:
            return kept[0]
    return hint


def _option(cls: type, f: dataclasses.Field, hint: Any) -> click.Option:
    """The click option of one dataclass field: ``--field-name``, its type, its default and its help."""
    name = "--" + f.name.replace("_", "-")
    if "help" not in f.metadata:
        raise TypeError(f"field {f.name} of {cls.__name__} has no help: add metadata={{'help': ...}}")
    if f.default is dataclasses.MISSING:
        raise TypeError(f"field {f.name} of {cls.__name__} has no plain default: give it one")
    settings: dict[str, Any] = {"default": f.default, "help": f.metadata["help"], "show_default": f.default is not None}
    hint = _plain(hint)
    if hint is bool:
        return click.Option([f"{name}/--no-{name[2:]}", f.name], **settings)
    if "choices" in f.metadata:
        settings["type"] = click.Choice(f.metadata["choices"])
    elif "parse" in f.metadata:
        settings["type"] = Parsed(f.metadata["parse"], f.metadata.get("metavar", "LIST"))
    elif hint is Path:
        settings["type"] = click.Path(path_type=Path)
    elif hint in (int, float, str):
        settings["type"] = hint
    else:
        raise TypeError(f"field {f.name} of {cls.__name__} ({hint}) needs metadata 'parse' or 'choices'")
    return click.Option([name, f.name], **settings)


def dataclass_options(cls: type) -> Callable[[F], F]:
    """Decorate a click command with one option per field of the dataclass ``cls``; the command gets the
    fields as keyword arguments, ready for ``cls(**options)``."""
    hints = get_type_hints(cls)
    options = [_option(cls, f, hints[f.name]) for f in dataclasses.fields(cls)]

    def decorate(function: F) -> F:
        params = getattr(function, "__click_params__", [])
        params.extend(reversed(options))  # click reverses the list it collects from decorators
        function.__click_params__ = params  # type: ignore[attr-defined]
        return function

    return decorate
