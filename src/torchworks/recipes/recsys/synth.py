"""A seeded, realistic synthetic interaction log for tests and demos.

What makes it realistic enough to rank methods the way real logs do:
- Zipf item popularity (exponent `zipf`), also over topics, so a popularity baseline is non-trivial;
- each user has a few latent interests (topics = item categories) with Dirichlet weights;
- activity in sessions: a session picks one interest and browses it as a walk over that topic's
  items, preferring nearby, popular, unseen items (so recent items predict the next one, as on
  MovieLens, where a recency-weighted item-kNN doubles plain item-kNN);
- interests drift (`drift`), so old history says less than recent history;
- `noise` of steps jump to a globally popular item; no user sees an item twice (like ratings);
- timestamps: sessions minutes apart inside, days apart between, users starting over `days`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from torchworks.recipes.recsys.config import SynthConfig


def generate(cfg: SynthConfig) -> pd.DataFrame:
    """The log in the canonical reader columns (user, item, timestamp, event, category)."""
    rng = np.random.default_rng(cfg.seed)
    popularity = 1.0 / np.arange(1, cfg.items + 1) ** cfg.zipf
    popularity = popularity[rng.permutation(cfg.items)]
    topic_of = rng.integers(0, cfg.topics, cfg.items)
    rings = [rng.permutation(np.flatnonzero(topic_of == t)) for t in range(cfg.topics)]
    ring_pos = np.empty(cfg.items, dtype=np.int64)
    for ring in rings:
        ring_pos[ring] = np.arange(len(ring))
    topic_weight = np.array([popularity[r].sum() for r in rings])
    global_cdf = np.cumsum(popularity) / popularity.sum()
    start_cdfs = [np.cumsum(popularity[r]) / max(popularity[r].sum(), 1e-12) for r in rings]
    decay = 0.7 ** np.arange(1, cfg.neighbourhood + 1)
    rows_user, rows_item, rows_time = [], [], []
    t0 = 1_600_000_000
    for user in range(cfg.users):
        k = min(1 + rng.poisson(cfg.interests), cfg.max_interests, cfg.topics)
        interests = rng.choice(
            cfg.topics, size=k, replace=False, p=topic_weight / topic_weight.sum()
        )
        weights = rng.dirichlet(np.ones(k))
        length = int(
            np.clip(
                rng.lognormal(np.log(cfg.mean_length) - 0.32, 0.8),
                cfg.min_length,
                min(cfg.max_length, cfg.items // 2),
            )
        )
        seen: set[int] = set()
        now = t0 + int(rng.uniform(0, cfg.days * 86400))
        current = -1
        while len(seen) < length:
            if rng.random() < cfg.drift:
                interests[rng.integers(k)] = rng.choice(
                    cfg.topics, p=topic_weight / topic_weight.sum()
                )
            topic = interests[rng.choice(k, p=weights)]
            ring = rings[topic]
            session = max(1, int(rng.geometric(1.0 / cfg.session_length)))
            current = -1
            for _ in range(min(session, length - len(seen))):
                if len(ring) == 0 or rng.random() < cfg.noise:
                    item = _draw_unseen(global_cdf, seen, rng)
                elif current < 0 or topic_of[current] != topic:
                    item = _draw_unseen(start_cdfs[topic], seen, rng, ring)
                else:
                    ahead = ring[
                        (ring_pos[current] + np.arange(1, cfg.neighbourhood + 1)) % len(ring)
                    ]
                    w = (
                        decay
                        * popularity[ahead]
                        * np.fromiter((i not in seen for i in ahead), float)
                    )
                    item = (
                        int(rng.choice(ahead, p=w / w.sum()))
                        if w.sum() > 0
                        else _draw_unseen(start_cdfs[topic], seen, rng, ring)
                    )
                if item < 0:
                    item = _draw_unseen(global_cdf, seen, rng)
                seen.add(item)
                current = item
                now += int(rng.exponential(300)) + 1
                rows_user.append(user)
                rows_item.append(item)
                rows_time.append(now)
            now += int(rng.exponential(2 * 86400))
    users = np.asarray(rows_user)
    items = np.asarray(rows_item)
    events = np.where(rng.random(len(items)) < 0.05, "buy", "click")
    return pd.DataFrame(
        {
            "user": [f"u{u}" for u in users],
            "item": [f"i{i}" for i in items],
            "timestamp": np.asarray(rows_time, dtype=np.int64),
            "event": events,
            "category": [f"c{topic_of[i]}" for i in items],
        }
    )


def _draw_unseen(
    cdf: np.ndarray,
    seen: set[int],
    rng: np.random.Generator,
    ring: np.ndarray | None = None,
    tries: int = 50,
) -> int:
    """An unseen item drawn by `cdf` (over `ring` when given: -1 if none found quickly; globally:
    uniform once the popular ones are all seen)."""
    for _ in range(tries):
        index = min(int(np.searchsorted(cdf, rng.random())), len(cdf) - 1)
        item = int(ring[index]) if ring is not None else index
        if item not in seen:
            return item
    if ring is not None:
        return -1
    while True:  # terminates: users see at most half the catalogue
        item = int(rng.integers(0, len(cdf)))
        if item not in seen:
            return item
