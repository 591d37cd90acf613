"""Interaction-log readers for the layouts people actually have, into one canonical table.

Every reader returns a `LogTable`: a pandas frame with columns `user`, `item` (strings),
`timestamp` (int64 seconds), `event` (string), `category` (string, "" when the layout has none)
plus a `BadRows` count by reason with a few example lines. A row that cannot be parsed is
counted and reported, never silently dropped.

Layouts (`--format`):
- `csv` / `parquet`: a header naming user, item, timestamp (aliases: user_id, item_id, time,
  ts), optional event and category columns.
- `movielens`: `ratings.dat` (`user::item::rating::ts`) or `u.data` (tab separated).
- `amazon`: JSON lines with reviewerID, asin, unixReviewTime (overall -> event "rating:N").
- `taobao`: `UserBehavior.csv` without header: user, item, category, behavior, timestamp.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from torchworks.errors import DataError

FORMATS = ("auto", "csv", "parquet", "movielens", "amazon", "taobao")
COLUMNS = ("user", "item", "timestamp", "event", "category")
_ALIASES = {
    "user_id": "user",
    "userid": "user",
    "item_id": "item",
    "itemid": "item",
    "movie_id": "item",
    "time": "timestamp",
    "ts": "timestamp",
    "event_type": "event",
    "behavior": "event",
    "category_id": "category",
}
_EXAMPLES = 3


@dataclass
class BadRows:
    """Rows that could not be used: counts per reason and the first few offending lines."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def add(self, reason: str, line: str, n: int = 1) -> None:
        self.counts[reason] += n
        if len(self.examples) < _EXAMPLES:
            self.examples.append(f"{reason}: {line[:120]}")

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class LogTable:
    frame: pd.DataFrame  # the canonical columns, in file order
    bad: BadRows
    source: str
    layout: str


def read_log(path: str | Path, fmt: str = "auto") -> LogTable:
    """Read one interaction log; `fmt="auto"` guesses from the file name."""
    source = Path(path)
    if not source.is_file():
        raise DataError(
            f"interaction log {source} does not exist",
            fix="pass an existing file, or make one with `torchworks rec synth`",
        )
    layout = _guess(source) if fmt == "auto" else fmt
    if layout not in FORMATS[1:]:
        raise DataError(f"unknown log format '{fmt}'", fix=f"use one of: {', '.join(FORMATS)}")
    bad = BadRows()
    if layout == "amazon":
        raw = _read_amazon(source, bad)
    elif layout == "parquet":
        raw = _rename(pd.read_parquet(source).astype(str), source)
    elif layout == "movielens":
        sep = "::" if "::" in _first_line(source) else "\t"
        raw = _read_delimited(source, sep, ["user", "item", "rating", "timestamp"], None, bad)
        raw["event"] = "rating:" + raw.pop("rating")
    elif layout == "taobao":
        raw = _read_delimited(
            source, ",", ["user", "item", "category", "event", "timestamp"], None, bad
        )
    else:
        raw = _rename(_read_delimited(source, ",", None, 0, bad), source)
    return LogTable(_validate(raw, bad), bad, str(source), layout)


def _guess(source: Path) -> str:
    name = source.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name in ("ratings.dat", "u.data"):
        return "movielens"
    if name.startswith("userbehavior"):
        return "taobao"
    if name.endswith((".json", ".jsonl", ".json.gz")):
        return "amazon"
    return "csv"


def _first_line(source: Path) -> str:
    with source.open(encoding="utf-8", errors="replace") as handle:
        return handle.readline()


def _read_delimited(
    source: Path, sep: str, names: list[str] | None, header: int | None, bad: BadRows
) -> pd.DataFrame:
    """All fields as strings; lines with the wrong field count go to `bad` via pandas' callback."""

    def on_bad(fields: list[str]) -> None:
        bad.add("wrong number of fields", sep.join(fields))

    try:
        return pd.read_csv(
            source,
            sep=sep,
            names=names,
            header=header,
            dtype=str,
            keep_default_na=False,
            engine="python",
            on_bad_lines=on_bad,
            skip_blank_lines=True,
            encoding_errors="replace",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(
            f"cannot parse {source}: {exc}", fix="check the --format and delimiter"
        ) from exc


def _read_amazon(source: Path, bad: BadRows) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    opener = gzip.open if source.name.endswith(".gz") else open
    with opener(source, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                row = {
                    "user": record["reviewerID"],
                    "item": record["asin"],
                    "timestamp": record["unixReviewTime"],
                }
            except (ValueError, KeyError, TypeError) as exc:
                bad.add(f"bad JSON record ({type(exc).__name__})", line.strip())
                continue
            row["event"] = f"rating:{record['overall']:g}" if "overall" in record else "review"
            rows.append(row)
    return pd.DataFrame(rows, columns=["user", "item", "timestamp", "event"], dtype=str)


def _rename(frame: pd.DataFrame, source: Path) -> pd.DataFrame:
    frame = frame.rename(
        columns=lambda c: _ALIASES.get(str(c).strip().lower(), str(c).strip().lower())
    )
    missing = [c for c in ("user", "item", "timestamp") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{source} has no column(s) {', '.join(missing)} (found: "
            f"{', '.join(map(str, frame.columns))})",
            fix="name the columns user,item,timestamp[,event,category] or pass --format",
        )
    return frame


def _validate(raw: pd.DataFrame, bad: BadRows) -> pd.DataFrame:
    """Keep rows with a user, an item and an integer timestamp; count the rest by reason."""
    frame = raw.copy()
    for column in ("event", "category"):
        if column not in frame.columns:
            frame[column] = "" if column == "category" else "interaction"
    short = frame[["user", "item", "timestamp"]].isna().any(axis=1)  # a line with too few fields
    frame = frame[list(COLUMNS)].fillna("").astype(str)
    for column in ("user", "item", "event", "category"):
        frame[column] = frame[column].str.strip()
    stamps = pd.to_numeric(frame["timestamp"].str.strip(), errors="coerce")
    checks = [
        ("too few fields", short),
        ("missing user or item", (frame["user"] == "") | (frame["item"] == "")),
        ("timestamp is not a number", stamps.isna()),
    ]
    keep = pd.Series(True, index=frame.index)
    for reason, mask in checks:
        mask = mask & keep
        if not mask.any():
            continue
        for _, row in frame[mask].head(_EXAMPLES).iterrows():
            bad.add(reason, ",".join(row.tolist()), n=0)
        bad.counts[reason] += int(mask.sum())
        keep &= ~mask
    frame = frame[keep].copy()
    frame["timestamp"] = stamps[keep].astype("int64")
    return frame.reset_index(drop=True)
