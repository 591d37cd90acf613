"""Readers: every layout parses; bad rows are counted by reason, never dropped silently."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from torchworks.errors import DataError
from torchworks.recipes.recsys.readers import read_log


def test_csv_with_bad_rows_counts_each_reason(tmp_path: Path) -> None:
    log = tmp_path / "events.csv"
    log.write_text(
        "user_id,item_id,ts,event,category\n"
        "u1,i1,100,click,c1\n"
        "u1,i2,101,buy,c2\n"
        ",i3,102,click,c1\n"  # missing user
        "u2,i1,yesterday,click,c1\n"  # timestamp not a number
        "u2,i1,103,click,c1,extra\n"  # one field too many
        "u2,i4,104,click,c3\n"
    )
    table = read_log(log)
    assert table.layout == "csv"
    assert table.frame[["user", "item", "timestamp"]].values.tolist() == [
        ["u1", "i1", 100],
        ["u1", "i2", 101],
        ["u2", "i4", 104],
    ]
    assert table.frame["category"].tolist() == ["c1", "c2", "c3"]
    assert dict(table.bad.counts) == {
        "wrong number of fields": 1,
        "missing user or item": 1,
        "timestamp is not a number": 1,
    }
    assert table.bad.total == 3 and len(table.bad.examples) == 3


def test_movielens_ratings_dat_and_u_data(tmp_path: Path) -> None:
    dat = tmp_path / "ratings.dat"
    dat.write_text("1::1193::5::978300760\n1::661::3::978302109\n2::3408::4\n")
    table = read_log(dat)
    assert table.layout == "movielens"
    assert table.frame["item"].tolist() == ["1193", "661"]
    assert table.frame["event"].tolist() == ["rating:5", "rating:3"]
    assert dict(table.bad.counts) == {"too few fields": 1}
    udata = tmp_path / "u.data"
    udata.write_text("196\t242\t3\t881250949\n186\t302\t3\t891717742\n")
    assert read_log(udata).frame["user"].tolist() == ["196", "186"]


def test_amazon_json_lines_counts_broken_records(tmp_path: Path) -> None:
    path = tmp_path / "reviews.jsonl"
    good = {"reviewerID": "A1", "asin": "B01", "unixReviewTime": 1400000000, "overall": 4.0}
    path.write_text(json.dumps(good) + "\n{not json\n" + json.dumps({"reviewerID": "A2"}) + "\n")
    table = read_log(path)
    assert table.layout == "amazon"
    assert table.frame.iloc[0][["user", "item", "timestamp", "event"]].tolist() == [
        "A1",
        "B01",
        1400000000,
        "rating:4",
    ]
    assert table.bad.total == 2


def test_taobao_user_behavior_layout(tmp_path: Path) -> None:
    path = tmp_path / "UserBehavior.csv"
    path.write_text("1,2268318,2520377,pv,1511544070\n1,2333346,2520771,buy,1511561733\n")
    table = read_log(path)
    assert table.layout == "taobao"
    assert table.frame["event"].tolist() == ["pv", "buy"]
    assert table.frame["category"].tolist() == ["2520377", "2520771"]


def test_parquet_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pd.DataFrame({"user": ["a", "b"], "item": ["x", "y"], "timestamp": [5, 6]}).to_parquet(path)
    assert read_log(path).frame["event"].tolist() == ["interaction", "interaction"]
    bad = tmp_path / "no_time.csv"
    bad.write_text("user,item\na,x\n")
    with pytest.raises(DataError, match="timestamp"):
        read_log(bad)
