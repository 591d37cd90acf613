"""Typed configs: precedence, conversion, and one error that lists every problem."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from torchworks import config
from torchworks.errors import ConfigError


@dataclass
class Settings:
    epochs: int = config.field(3, "passes over the data")
    lr: float = config.field(0.1, "learning rate")
    amp: Literal["auto", "off", "bf16", "fp16"] = config.field("auto", "mixed precision")
    compile: bool = config.field(False, "torch.compile the model")
    out: Path = config.field(Path("runs/x"), "output directory")
    limit: int | None = config.field(None, "stop after this many steps")
    tags: list[str] = config.field([], "labels")


def parse(argv: list[str]) -> Settings:
    parser = argparse.ArgumentParser()
    config.add_arguments(parser, Settings)
    return config.from_args(Settings, parser.parse_args(argv))


def test_defaults_yaml_flags_and_overrides_apply_in_order(tmp_path: Path) -> None:
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("# torchworks demo --config c.yaml\nepochs: 5\nlr: 0.5\namp: bf16\n")
    cfg = parse(["--config", str(yaml_file), "--lr", "0.01", "epochs=7", "tags=a,b"])
    assert cfg.epochs == 7  # key=value beats YAML
    assert cfg.lr == 0.01  # flag beats YAML
    assert cfg.amp == "bf16"  # YAML beats default
    assert cfg.tags == ["a", "b"]
    assert cfg.out == Path("runs/x") and cfg.limit is None


def test_bool_flags_and_optional_values() -> None:
    cfg = parse(["--compile", "limit=none"])
    assert cfg.compile is True and cfg.limit is None
    assert parse(["--no-compile", "limit=12"]).limit == 12


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as err:
        parse(["epochs=many", "amp=fp8", "colour=red", "compile=maybe"])
    message = str(err.value)
    assert "epochs: 'many' is not an integer" in message
    assert "fp8" in message and "auto, off, bf16, fp16" in message
    assert "unknown setting 'colour'" in message and "epochs" in message
    assert "not a boolean" in message


def test_yaml_must_exist_and_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        parse(["--config", str(tmp_path / "missing.yaml")])
    bad = tmp_path / "list.yaml"
    bad.write_text("- 1\n- 2\n")
    with pytest.raises(ConfigError, match="mapping"):
        config.load_yaml(Settings, bad)


def test_help_shows_field_help_and_default() -> None:
    parser = argparse.ArgumentParser()
    config.add_arguments(parser, Settings)
    text = parser.format_help()
    assert "passes over the data (default: 3)" in text
    assert "{auto,off,bf16,fp16}" in text
