"""The CLI as a user meets it: every verb listed in --help, errors as one clean line."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from torchworks import cli


def test_help_lists_every_verb_and_group(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    expected = list(cli.VERBS) + [verb for verb, (_, mods) in cli.GROUPS.items() if mods]
    assert expected, "the CLI registers no commands"
    for verb in expected:
        assert verb in out, f"`torchworks --help` does not list {verb}"


@pytest.mark.parametrize("group", [g for g, (_, mods) in cli.GROUPS.items() if mods])
def test_group_help_lists_its_targets(group: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([group, "--help"])
    out = capsys.readouterr().out
    verbs = _subcommands(cli.build_parser())
    targets = _subcommands(verbs[group])
    assert targets, f"`torchworks {group}` has no targets"
    for target in targets:
        assert target in out


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_import_is_light() -> None:
    """`import torchworks.cli` must not pull torch: the CLI and doctor start fast anywhere."""
    code = "import sys, torchworks.cli as c; c.build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_unknown_verb_exits_with_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["no-such-verb"])
    assert exit_info.value.code == 2
