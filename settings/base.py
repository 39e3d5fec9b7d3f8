"""The base of every package's typed settings, and the one-line error a wrong value gets."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Self

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, PydanticUndefined
from pydantic_settings import BaseSettings, SettingsConfigDict

from settings import environment

#: What a wrong value is, by pydantic error type; the others use pydantic's own words.
_PROBLEMS = {
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "float_parsing": "is not a number",
    "bool_parsing": "is not a yes/no word (1, true, yes, on or 0, false, no, off)",
}


class SettingsError(ValueError):
    """A setting with a value that cannot be used; the message names the variable and what to do."""


class Settings(BaseSettings):
    """Settings read from the environment (``.env`` first, variables already set win); frozen; empty = unset."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", env_ignore_empty=True, populate_by_name=True)

    @classmethod
    def from_env(cls, **values: Any) -> Self:
        """The settings of this process from the environment, ``values`` overriding it; SettingsError if wrong."""
        _load_env()
        try:
            return cls(**values)
        except ValidationError as error:
            raise SettingsError(_message(cls, error)) from None

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable of ``field``: its alias, else the prefix and its name in capitals."""
        alias = cls.model_fields[field].validation_alias
        return alias if isinstance(alias, str) else f"{cls.model_config.get('env_prefix', '')}{field}".upper()


def flag(name: str, default: bool = False) -> bool:
    """A yes/no environment variable outside a Settings class, read with the same words (``.env`` first)."""
    _load_env()
    text = os.environ.get(name, "")
    if not text:
        return default
    try:
        return TypeAdapter(bool).validate_python(text)
    except ValidationError as error:
        raise SettingsError(_line(name, error.errors()[0], default)) from None


def _load_env() -> None:
    """The ``.env`` file read into the environment once per process, not at every settings read (a sign-in
    policy is read at every request)."""
    _load_once(Path(environment.ENV_FILE))


@functools.cache
def _load_once(path: Path) -> None:
    environment.load_env_file(path)


def _message(cls: type[Settings], error: ValidationError) -> str:
    """One line for the first wrong value of ``error`` (and how many more there are)."""
    details = error.errors()
    first = details[0]
    field = next((f for f, info in cls.model_fields.items()
                  if first["loc"] and first["loc"][0] in (f, info.validation_alias)), None)
    name = cls.variable(field) if field else ".".join(map(str, first["loc"]))
    default = cls.model_fields[field].default if field else PydanticUndefined
    more = f" ({len(details) - 1} more wrong setting(s) after it)" if len(details) > 1 else ""
    return _line(name, first, default) + more


def _line(name: str, detail: ErrorDetails, default: Any) -> str:
    """``NAME='value' is not ...: set ... or unset it for the default ...``."""
    problem, bound = _PROBLEMS.get(detail["type"]), detail.get("ctx", {})
    if isinstance(bound.get("gt"), int):  # PositiveInt: more than 0 is at least 1
        bound = {"ge": bound["gt"] + 1}
    if "ge" in bound or "gt" in bound:
        problem = f"must be at least {bound['ge']}" if "ge" in bound else f"must be more than {bound['gt']}"
    elif problem is None:
        problem = detail["msg"][0].lower() + detail["msg"][1:]
    if isinstance(default, bool):
        default = "yes" if default else "no"
    if default is PydanticUndefined:
        fix = "correct it"
    else:
        fix = "correct it, or unset it" + ("" if default is None else f" for the default ({default})")
    return f"{name}={detail['input']!r} {problem}: {fix}"
