"""Every command line of the project is a click command that answers --help, and `python -m modeling train` has
exactly one option per field of TrainConfig, with the field's default."""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import shlex
import shutil
import subprocess
import sys

import click
import pytest
from stack import REPO

from modeling.config import STRATEGIES, TrainConfig
from settings.cli import dataclass_options

PACKAGES = ("database", "modeling", "api", "bokeh_app", "webapp", "pm", "bench")
#: Runs where the project is not installed (a deployment pipeline): the standard library's argparse only.
STANDARD_LIBRARY_ONLY = {"webapp.smoke"}


def _cli_modules() -> list[str]:
    """Every module of the packages that runs as a script (``if __name__ == "__main__"``)."""
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if 'if __name__ == "__main__"' in path.read_text(encoding="utf-8"):
                parts = path.relative_to(REPO).with_suffix("").parts
                found.append(".".join(parts[:-1] if parts[-1] == "__main__" else parts))
    return found


MODULES = [m for m in _cli_modules() if m not in STANDARD_LIBRARY_ONLY]


def _commands(command: click.Command, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """The command and, for a group, each of its commands (with the words that reach it)."""
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += _commands(sub, (*path, name))
    return found


def _main_module(module: str):
    """The module `python -m module` runs."""
    is_package = (REPO / module.replace(".", "/") / "__main__.py").exists()
    return importlib.import_module(f"{module}.__main__" if is_package else module)


CASES = [(module, path, command) for module in MODULES for path, command in _commands(_main_module(module).cli)]


def test_every_script_of_the_project_is_a_click_command_line():
    assert {"modeling", "api", "bokeh_app", "webapp", "database", "pm", "database.synthetic"} <= set(MODULES)
    for module in MODULES:
        main = _main_module(module)
        assert isinstance(main.cli, click.Command), module
        assert "import argparse" not in (REPO / main.__file__).read_text(encoding="utf-8"), module


@pytest.mark.parametrize("module, path, command", CASES,
                         ids=[" ".join((m, *p)) for m, p, _ in CASES])
def test_every_command_answers_help_with_its_options(module, path, command, capsys):
    assert _main_module(module).main([*path, "--help"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"Usage: python -m {' '.join((module, *path))} ")
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            for name in param.opts + param.secondary_opts:
                assert name in shown, f"{name} missing from the help of {module} {' '.join(path)}"
    if isinstance(command, click.Group):
        assert all(name in shown for name in command.commands)


@pytest.mark.parametrize("package", ["modeling", "api", "bokeh_app", "webapp", "database", "pm"])
def test_python_dash_m_answers_help_and_lists_its_commands(package):
    done = subprocess.run([sys.executable, "-m", package, "--help"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert all(name in done.stdout for name in _main_module(package).cli.commands)


def _train() -> click.Command:
    return _main_module("modeling").cli.commands["train"]


def test_train_has_one_option_per_field_of_trainconfig_with_its_default():
    options = {p.name: p for p in _train().params if isinstance(p, click.Option) and not p.hidden
               and p.name != "help"}
    assert sorted(options) == sorted(f.name for f in dataclasses.fields(TrainConfig))
    for field in dataclasses.fields(TrainConfig):
        assert options[field.name].default == field.default, field.name
        assert options[field.name].help == field.metadata["help"], field.name


def test_train_options_reach_the_config():
    context = _train().make_context("train", ["--folds", "3", "--no-baselines", "--strategies", "none,smote",
                                              "--protected", "none", "--cost-mode", "money"])
    config = TrainConfig(**context.params)
    assert (config.folds, config.baselines, config.strategies, config.protected, config.cost_mode) == (
        3, False, ("none", "smote"), (), "money")
    assert TrainConfig(**_train().make_context("train", []).params) == TrainConfig()
    assert TrainConfig().strategies == STRATEGIES and TrainConfig().fairness is True


def test_a_field_added_to_a_settings_dataclass_adds_an_option_and_one_without_help_is_refused():
    @dataclasses.dataclass
    class Settings:
        rounds: int = dataclasses.field(default=3, metadata={"help": "how many rounds"})

    command = click.command()(dataclass_options(Settings)(lambda **options: None))
    assert [(p.opts, p.default, p.help) for p in command.params if p.name != "help"] == [
        (["--rounds"], 3, "how many rounds")]

    @dataclasses.dataclass
    class Unexplained:
        rounds: int = 3

    with pytest.raises(TypeError, match="field rounds of Unexplained has no help"):
        dataclass_options(Unexplained)


def _readme_commands() -> list[tuple[str, str, list[str]]]:
    """(module, command, options) of each command the README's command table shows."""
    text = (REPO / "README.md").read_text(encoding="utf-8").split("## Commands", 1)[1].split("\n## ", 1)[0]
    found, module = [], None
    for row in (line for line in text.splitlines() if line.startswith("| `")):
        for segment in re.findall(r"`([^`]+)`", row.split(" | ")[0]):
            words = segment.replace("\\|", " ").replace("[", " ").replace("]", " ").split()
            if words[:2] == ["python", "-m"]:
                module, words = words[2], words[3:]
            elif words[:3] == ["flask", "--app", "api"]:
                module, words = "api", words[3:]
            elif words[0] == "make":
                continue
            if module in STANDARD_LIBRARY_ONLY:
                continue
            group = _main_module(module).cli
            name = words[0] if isinstance(group, click.Group) and words else ""
            found.append((module, name, [w for w in words if w.startswith("--")]))
    return found


def test_the_readme_s_commands_and_options_are_those_of_the_command_lines():
    shown = _readme_commands()
    assert {"modeling", "api", "bokeh_app", "webapp", "database", "database.synthetic"} <= {m for m, _, _ in shown}
    for module, name, options in shown:
        group = _main_module(module).cli
        command = group.commands.get(name) if name else group
        assert command is not None, f"README: `python -m {module} {name}` is not a command"
        known = {opt for param in command.params for opt in (*param.opts, *getattr(param, "secondary_opts", []))}
        assert set(options) <= known, f"README: `python -m {module} {name}` has no {sorted(set(options) - known)}"


def _demo_commands(tmp_path) -> list[list[str]]:
    """The project commands `make demo` runs: those make plans, then those of bin/serve-demo (ports filled in)."""
    for name in ("Makefile", "requirements.txt", "requirements-train.txt", "requirements-dev.txt"):
        shutil.copy(REPO / name, tmp_path / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    planned = subprocess.run(["make", "-n", "demo"], cwd=tmp_path, env=env, text=True, capture_output=True,
                             timeout=60, check=True).stdout
    script = (REPO / "bin" / "serve-demo").read_text(encoding="utf-8").replace("\\\n", " ")
    script = re.sub(r'"\$(API_PORT|DASHBOARD_PORT)"', "8000", script).replace('"$PY"', ".venv/bin/python")
    found = []
    ours = re.compile(rf"python -m (?:{'|'.join(PACKAGES)})\b")
    for line in (planned + script).splitlines():
        if ours.search(line):
            words = shlex.split(re.split(r" (?:>|&|\|\|)", line)[0])
            found.append(words[words.index("-m") + 1:])
    return found


def test_every_command_make_demo_runs_is_accepted_by_its_command_line(tmp_path):
    commands = _demo_commands(tmp_path)
    assert {"database.synthetic", "database", "modeling", "api", "bokeh_app"} <= {c[0] for c in commands}
    for module, *args in commands:
        command = _main_module(module).cli
        while isinstance(command, click.Group):
            command, args = command.commands[args[0]], args[1:]
        command.make_context(command.name, list(args))  # parses and converts every option, or raises
