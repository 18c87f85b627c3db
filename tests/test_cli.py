"""The command line as a user meets it: help everywhere, paths, bank commands, clean errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from redrill.cli import main

REPO = Path(__file__).resolve().parents[1]


def all_commands(group: click.Group, prefix=()):
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from all_commands(command, prefix + (name,))


def test_the_command_table_matches_the_command_modules():
    """Every command a module defines is in the lazy table, under its own module, and vice versa."""
    import importlib

    from redrill.cli import COMMANDS

    defined = {}
    for module in sorted({m for m, _ in COMMANDS.values()}):
        for command in importlib.import_module(f"redrill.cli.{module}").COMMANDS:
            defined[command.name] = module
    assert defined == {name: module for name, (module, _) in COMMANDS.items()}
    for name, (_, line) in COMMANDS.items():
        assert line.endswith(".") and len(name) + len(line) <= 76, f"{name}: keep its --help line to one 80-column row"


def test_every_command_is_in_the_readme_tour():
    """The README's command table names every command (as sqlite-utils' docs test does)."""
    from redrill.cli import COMMANDS

    readme = (REPO / "README.md").read_text()
    tour = readme[readme.index("## A tour of the commands") :]
    tour = tour[: tour.index("\n## ", 3)]
    missing = [name for name in COMMANDS if f"`redrill {name}" not in tour]
    assert not missing, f"commands missing from the README tour: {missing}"


def test_top_level_help_imports_no_command_module():
    code = (
        "import sys; from redrill.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.startswith('redrill.') and m not in "
        "('redrill.cli', 'redrill.cli.app', 'redrill.errors', 'redrill.paths')]\n"
        "print('LOADED:' + ','.join(sorted(loaded)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Commands:" in out
    assert out.splitlines()[-1] == "LOADED:", f"redrill --help imported more than it needs: {out.splitlines()[-1]}"


def test_every_command_has_help(cli):
    commands = list(all_commands(main))
    assert len(commands) >= 6
    for path, command in commands:
        assert command.help and command.help.strip(), f"`redrill {' '.join(path)}` has no help text"
        result = cli(*path, "--help")
        assert result.exit_code == 0, (path, result.output)
        assert "Usage: " in result.output
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden and param.name != "help":
                assert param.help, f"`redrill {' '.join(path)}` option {param.opts} has no help"


def test_top_level_help(cli):
    result = cli("--help")
    assert result.exit_code == 0
    assert "drill" in result.output or "bank" in result.output


def test_python_m_redrill_and_console_script(tmp_path):
    env = {**os.environ, "REDRILL_HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "redrill", "--version"], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.startswith("redrill, version")
    script = Path(sys.executable).with_name("redrill")
    assert script.exists(), "the redrill console script is not installed: pip install -e ."
    out = subprocess.run([str(script), "paths"], capture_output=True, text=True, env=env, check=True)
    assert f"database    {tmp_path / 'redrill.db'}" in out.stdout


def test_paths_follow_redrill_home(cli, redrill_home):
    result = cli("paths")
    assert result.exit_code == 0
    for name in ("redrill.db", "recordings", "models", "banks"):
        assert str(redrill_home / name) in result.output


def test_bank_validate_shipped_banks(cli):
    files = sorted(str(p) for p in (REPO / "question_banks").glob("*.yaml"))
    result = cli("bank", "validate", *files)
    assert result.exit_code == 0, result.output
    assert "all valid" in result.output


def test_bank_validate_bad_file_exit_1_with_location(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nquestions:\n  - id: a\n    text: Q\n    target_seconds: [120, 60]\n")
    result = cli("bank", "validate", bad)
    assert result.exit_code == 1
    assert f"{bad}:5: questions[0].target_seconds: min is greater than max" in result.stderr
    assert "Traceback" not in result.stderr + result.output


def test_bank_list_show_and_extra_bank(cli, tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "name: Extra\nquestions:\n  - id: my-own-q\n    text: What is my own question?\n    talking_points: [point one]\n"
    )
    listed = cli("bank", "list", "--bank", extra)
    assert listed.exit_code == 0 and "my-own-q" in listed.output and "failure-story" in listed.output
    shown = cli("--bank", extra, "bank", "show", "my-own-q")
    assert shown.exit_code == 0 and "point one" in shown.output
    missing = cli("bank", "show", "failure-stroy")
    assert missing.exit_code == 1 and "Did you mean: failure-story" in missing.stderr


def test_broken_user_bank_is_a_clean_error(cli, redrill_home):
    (redrill_home / "banks").mkdir(parents=True, exist_ok=True)
    (redrill_home / "banks" / "mine.yaml").write_text("name: [oops\n")
    result = cli("bank", "list")
    assert result.exit_code == 1
    assert "mine.yaml:2: YAML syntax error" in result.stderr and "started on line 1" in result.stderr


def test_data_home_is_private(cli, redrill_home):
    cli("doctor")
    assert oct(redrill_home.stat().st_mode & 0o777) == "0o700"
    assert oct((redrill_home / "redrill.db").stat().st_mode & 0o777) == "0o600"
