"""Train/valid/test splits over a log sorted by (user, time).

Labels are per interaction: 0 train, 1 valid, 2 test. Evaluation of split s uses every earlier
split of the same user as history, so both kinds read the same way downstream.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from torchworks.errors import ConfigError

TRAIN, VALID, TEST = 0, 1, 2
SplitKind = Literal["leave-last-out", "time"]


def leave_last_out(offsets: np.ndarray) -> np.ndarray:
    """Each user's last interaction is test, the one before valid; users with < 3 stay all-train.

    `offsets` [num_users + 1] delimits each user's rows in the sorted log (CSR layout).
    """
    labels = np.zeros(int(offsets[-1]), dtype=np.int8)
    lengths = np.diff(offsets)
    ends = offsets[1:][lengths >= 3]
    labels[ends - 1] = TEST
    labels[ends - 2] = VALID
    return labels


def time_split(
    timestamps: np.ndarray, valid_frac: float = 0.1, test_frac: float = 0.1
) -> np.ndarray:
    """Global time cut: the last `test_frac` of interactions (by time) are test, the
    `valid_frac` before them valid.

    Cut points are timestamps, so one moment never straddles two splits.
    """
    if not (0 <= valid_frac < 1 and 0 < test_frac < 1 and valid_frac + test_frac < 1):
        raise ConfigError(
            f"bad split fractions valid={valid_frac} test={test_frac}",
            fix="use fractions in (0, 1) that sum to less than 1",
        )
    valid_cut, test_cut = np.quantile(timestamps, [1 - valid_frac - test_frac, 1 - test_frac])
    labels = np.zeros(len(timestamps), dtype=np.int8)
    labels[timestamps >= valid_cut] = VALID
    labels[timestamps >= test_cut] = TEST
    return labels


def make_split(kind: str, offsets: np.ndarray, timestamps: np.ndarray) -> np.ndarray:
    if kind == "leave-last-out":
        return leave_last_out(offsets)
    if kind == "time":
        return time_split(timestamps)
    raise ConfigError(f"unknown split '{kind}'", fix="use leave-last-out or time")
