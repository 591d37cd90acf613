"""Dataclasses to and from plain JSON values, losslessly and with every problem reported at once.

Recorded facts come from other machines and other torchworks versions, so loading must say
exactly which key is wrong (a path like `torch.arch_list[2]`) instead of failing somewhere deep
in a rule. Supported field types: str, int, float, bool, None unions, list[X], dict[str, X] and
nested dataclasses; that is all the facts need.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

T = TypeVar("T")


class SchemaMismatch(ValueError):
    """The data does not fit the dataclass; `problems` lists every offending path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def to_jsonable(obj: Any) -> Any:
    """A dataclass tree as dicts, lists and scalars (json.dumps-ready)."""
    return dataclasses.asdict(obj)


def from_jsonable(cls: type[T], data: Any) -> T:
    """Rebuild `cls` from `to_jsonable` output; raise SchemaMismatch listing every problem."""
    problems: list[str] = []
    value = _convert(cls, data, cls.__name__, problems)
    if problems:
        raise SchemaMismatch(problems)
    return value


def _convert(hint: Any, data: Any, path: str, problems: list[str]) -> Any:
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = get_args(hint)
        if data is None and type(None) in options:
            return None
        real = [o for o in options if o is not type(None)]
        if len(real) == 1:
            return _convert(real[0], data, path, problems)
        problems.append(f"{path}: unsupported union {hint}")
        return None
    if dataclasses.is_dataclass(hint):
        return _convert_dataclass(hint, data, path, problems)
    if origin is list:
        if not isinstance(data, list):
            problems.append(f"{path}: expected a list, got {type(data).__name__}")
            return []
        (item,) = get_args(hint)
        return [_convert(item, v, f"{path}[{i}]", problems) for i, v in enumerate(data)]
    if origin is dict:
        if not isinstance(data, dict):
            problems.append(f"{path}: expected an object, got {type(data).__name__}")
            return {}
        _, item = get_args(hint)
        return {str(k): _convert(item, v, f"{path}.{k}", problems) for k, v in data.items()}
    return _convert_scalar(hint, data, path, problems)


def _convert_scalar(hint: Any, data: Any, path: str, problems: list[str]) -> Any:
    if hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if hint is int and isinstance(data, bool):
        problems.append(f"{path}: expected int, got bool")
        return data
    if hint in (str, int, float, bool) and isinstance(data, hint):
        return data
    expected = getattr(hint, "__name__", hint)
    problems.append(f"{path}: expected {expected}, got {type(data).__name__}")
    return data


def _convert_dataclass(cls: Any, data: Any, path: str, problems: list[str]) -> Any:
    if not isinstance(data, dict):
        problems.append(f"{path}: expected an object, got {type(data).__name__}")
        return None
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for unknown in sorted(set(data) - set(fields)):
        problems.append(f"{path}.{unknown}: unknown key")
    values: dict[str, Any] = {}
    for name, f in fields.items():
        if name in data:
            values[name] = _convert(hints[name], data[name], f"{path}.{name}", problems)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            problems.append(f"{path}.{name}: missing")
    try:
        return cls(**values)
    except TypeError as exc:  # only reachable when keys were missing: already reported
        problems.append(f"{path}: {exc}")
        return None
