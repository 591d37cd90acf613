"""Progress bars with throughput (samples/s) and ETA, silent on non-main ranks.

Usage::

    bar = progress_bar(total=num_samples, desc=f"epoch {epoch}", enabled=dist_info.is_main)
    bar.update(len(batch)); bar.set_postfix(loss=f"{loss:.3f}")
    bar.close()
"""

from __future__ import annotations

import sys

from tqdm.auto import tqdm


def progress_bar(total: int, desc: str, *, enabled: bool = True, unit: str = "sample",
                 initial: int = 0) -> tqdm:
    """A tqdm bar counting `unit`s (so its rate reads samples/s); `initial` for resumed epochs."""
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, initial=initial,
                disable=not enabled, dynamic_ncols=True, file=sys.stderr, leave=False)
