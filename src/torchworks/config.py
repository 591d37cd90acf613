"""Typed configs: a dataclass is the schema, YAML holds values, the command line overrides.

Precedence, lowest first: dataclass defaults, `--config FILE.yaml`, `--flag value`, `key=value`.
A field's `metadata={"help": ...}` becomes its `--help` line. Every problem (unknown key, bad
type, bad choice) is collected and reported at once, each with what is allowed.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from torchworks.errors import ConfigError

T = TypeVar("T")


def field(default: Any, help: str, **kwargs: Any) -> Any:
    """A dataclass field whose help text shows in `--help`."""
    if isinstance(default, (list, dict, set)):
        return dataclasses.field(default_factory=lambda: type(default)(default),
                                 metadata={"help": help}, **kwargs)
    return dataclasses.field(default=default, metadata={"help": help}, **kwargs)


def add_arguments(parser: argparse.ArgumentParser, cls: type) -> None:
    """Add `--config`, one `--flag` per field, and trailing `key=value` overrides."""
    parser.add_argument("--config", type=Path, default=None,
                        help="YAML file with values for the fields below")
    hints = get_type_hints(cls)
    for f in dataclasses.fields(cls):
        kind, choices = _base_type(hints[f.name])
        flag = "--" + f.name.replace("_", "-")
        default = f.default if f.default is not dataclasses.MISSING else "(computed)"
        help_text = f"{f.metadata.get('help', '')} (default: {default})"
        if kind is bool:
            parser.add_argument(flag, dest=f.name, action=argparse.BooleanOptionalAction,
                                default=argparse.SUPPRESS, help=help_text)
        else:
            parser.add_argument(flag, dest=f.name, default=argparse.SUPPRESS,
                                choices=choices, metavar=None if choices else kind.__name__.upper(),
                                help=help_text)
    parser.add_argument("overrides", nargs="*", metavar="key=value",
                        help="override any field, e.g. epochs=3")


def from_args(cls: type[T], args: argparse.Namespace) -> T:
    """Build the config from defaults, then --config YAML, then flags, then key=value."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    if getattr(args, "config", None) is not None:
        values.update(_read_yaml(args.config))
    names = {f.name for f in dataclasses.fields(cls)}
    for name in names:
        if name in vars(args):
            values[name] = getattr(args, name)
    for item in getattr(args, "overrides", None) or []:
        key, sep, raw = item.partition("=")
        if not sep:
            problems.append(f"'{item}' is not key=value")
            continue
        values[key.strip().replace("-", "_")] = raw
    return build(cls, values, problems)


def load_yaml(cls: type[T], path: str | Path, overrides: dict[str, Any] | None = None) -> T:
    """Load a YAML config against its schema (used by tests that check every shipped YAML)."""
    values = _read_yaml(Path(path))
    values.update(overrides or {})
    return build(cls, values, [])


def build(cls: type[T], values: dict[str, Any], problems: list[str] | None = None) -> T:
    """Convert and validate `values` against the dataclass `cls`; raise one error for all."""
    problems = list(problems or [])
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in fields:
            problems.append(f"unknown setting '{key}' (known: {', '.join(sorted(fields))})")
            continue
        try:
            kwargs[key] = _convert(raw, hints[key])
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
    if problems:
        raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(problems),
                          fix="see --help for every setting and its type")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"invalid configuration: {exc}") from exc


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist", fix="pass an existing YAML file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"config file {path} must hold a mapping of settings, not {type(data).__name__}")
    return data


def _base_type(hint: Any) -> tuple[type, list[Any] | None]:
    """The scalar type behind a hint, and its choices for a Literal."""
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in get_args(hint) if a is not type(None)]
        return _base_type(inner[0])
    if origin is Literal:
        choices = list(get_args(hint))
        return type(choices[0]), choices
    if origin in (list, tuple):
        return str, None
    return hint if isinstance(hint, type) else str, None


def _convert(raw: Any, hint: Any) -> Any:
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = get_args(hint)
        is_none = raw is None or (isinstance(raw, str) and raw.lower() in ("none", "null", ""))
        if is_none and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(raw, inner[0])
    if origin is Literal:
        choices = get_args(hint)
        value = _convert(raw, type(choices[0]))
        if value not in choices:
            raise ValueError(f"{raw!r} is not one of {', '.join(map(str, choices))}")
        return value
    if origin in (list, tuple):
        (item_type, *_) = get_args(hint) or (str,)
        items = raw if isinstance(raw, (list, tuple)) else [s for s in str(raw).split(",") if s]
        converted = [_convert(item, item_type) for item in items]
        return converted if origin is list else tuple(converted)
    if hint is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{raw!r} is not a boolean (use true or false)")
    if hint in (int, float):
        if isinstance(raw, bool):
            raise ValueError(f"{raw!r} is not a number")
        try:
            value = hint(raw)
        except (TypeError, ValueError):
            kind = "an integer" if hint is int else "a number"
            raise ValueError(f"{raw!r} is not {kind}") from None
        if hint is int and isinstance(raw, float) and raw != value:
            raise ValueError(f"{raw!r} is not an integer")
        return value
    if hint is Path:
        return Path(str(raw)).expanduser()
    if hint is str:
        return str(raw)
    return raw
