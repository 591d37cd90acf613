"""Does the server keep anything per request? tracemalloc snapshots diffed across rounds.

Run: .venv/bin/python benchmarks/serve_memory.py [--rounds 3] [--requests 150]

An in-process server (serving.local) hosts every default service with the soak's registry
(rec-recommend v1, v2, corrupt v3). Each round sends `--requests` requests of the soak's mix
(well-formed and hostile, `_soak_traffic.py`) from 8 threads and hot-swaps rec-recommend
`--swaps` times.
Round 1 is warm-up (lazy imports, baselines built on first use, allocator pools); tracemalloc
then snapshots after each later round. A leak grows with every round; warm-up does not. Printed:
traced Python memory and RSS after each round, and the allocation sites that grew most from
the first snapshot to the last.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import tracemalloc
from pathlib import Path

import httpx
from _serving import environment
from _soak_traffic import REC, build_rec_registry, mix

from torchworks.service_catalog import SERVICES, load_service
from torchworks.serving.local import local_server


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def traffic(url: str, kinds, count: int) -> None:
    weights = [k.weight for k in kinds]

    def worker(n: int) -> None:
        with httpx.Client(base_url=url, timeout=300) as client:
            for _ in range(n):
                kind = random.choices(kinds, weights)[0]
                path, body = kind.build()
                headers = kind.headers or {"content-type": "application/json"}
                content = body if isinstance(body, bytes) else httpx.Request(
                    "POST", "/", json=body).content
                if kind.stream:
                    with client.stream("POST", path, content=content, headers=headers) as r:
                        for i, _ in enumerate(r.iter_lines()):
                            if kind.name == "disconnect" and i > 4:
                                break
                else:
                    client.post(path, content=content, headers=headers)

    threads = [threading.Thread(target=worker, args=(count // 8,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds after warm-up")
    parser.add_argument("--requests", type=int, default=150, help="per round")
    parser.add_argument("--swaps", type=int, default=1, help="hot swaps of rec-recommend per "
                        "round (0: requests only, to tell the two apart)")
    args = parser.parse_args()
    from torchworks.recipes.recsys.service import cached_demo_bundle

    bundle = cached_demo_bundle()
    kinds = mix(bundle, 8000)
    specs = [load_service(n) for n in sorted(SERVICES) if not n.startswith("toy-")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        build_rec_registry(Path(tmp) / "models", bundle)
        with local_server(specs, models_dir=Path(tmp) / "models") as url:
            versions = ["1", "2"]
            snapshots = []
            for round_ in range(args.rounds + 1):
                traffic(url, kinds, args.requests)
                for swap in range(args.swaps):
                    httpx.post(f"{url}/v1/models/{REC}/load", timeout=300,
                               json={"version": versions[(round_ + swap) % 2]})
                if round_ == 0:
                    tracemalloc.start(10)
                else:
                    snapshots.append(tracemalloc.take_snapshot())
                traced = tracemalloc.get_traced_memory()[0] / 2**20
                rows.append((round_, traced, rss_mib()))
    print(environment())
    print(f"{args.rounds} measured rounds of {args.requests} requests (soak mix) + "
          f"{args.swaps} swaps, after one warm-up round")
    for round_, traced, rss in rows:
        print(f"round {round_}{' (warm-up)' if round_ == 0 else ''}: traced Python "
              f"{traced:.1f} MiB, RSS {rss:.0f} MiB")
    if len(snapshots) >= 2:
        diff = snapshots[-1].compare_to(snapshots[0], "lineno")
        print(f"largest growth, first measured snapshot -> last "
              f"(total {sum(d.size_diff for d in diff) / 2**10:+.0f} KiB):")
        for stat in diff[:12]:
            print(f"  {stat.size_diff / 2**10:+8.1f} KiB {stat.count_diff:+6d} blocks  "
                  f"{stat.traceback[0]}")


if __name__ == "__main__":
    main()
