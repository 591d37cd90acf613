"""Recommendations/s and latency for top-100 over a 100k-item catalogue: index variants and batch
sizes in-process, side by side, then the real server over HTTP; recall@K of each index vs exact.

    PYTHONPATH=src .venv/bin/python benchmarks/rec_serve.py [--items 100000 --k 100 --fused 5]

The model is a random-init two-tower (dim 64): serving cost does not depend on the weights.
`--fused M` (default 5, 0 = off) adds the same rows for a fused bundle of M such towers, the
ensemble `rec export CKPT x M` writes (fused_query.py: M encoders, then ONE search over the
members' vectors side by side, [items, M x 64]; no EASE, 100k items is past its limit), and
prints each fused row's rec/s, P95 and rec/CPU-s as a ratio of the single model's. Its members'
item vectors are clustered independently (trained seeds put the same items together), so its
IVF recall is a worst case. Measured (2-core shared AMD EPYC, AVX2, torch 2.13.0+cpu, one
thread, fp32: `--batches 32,256 --no-http --threads 1`): fused x5 exact costs 3.5-4x the single
model's CPU per recommendation (rec/CPU-s 267 / 303 vs 1052 / 1043 at batch 32 / 256): its
matmul is 5x as wide (320-d), the exact sigma's history term ~6% of a batch; fused IVF 1114 /
1173 rec/CPU-s at recall@100 0.32 (this worst case). Item
vectors are replaced by a clustered set (topic centres + noise, like trained embeddings; random
Gaussian vectors are the worst case for an IVF index and nothing like a trained catalogue).
Every user has `--seen` items in their seen set, all masked. "In-process" calls
`RecPredictor.predict_json` (what the server runs: the answers' JSON bodies) on batches of
requests, and checks `predict`'s served items; "HTTP" runs closed-loop clients (the project's
load tester) against `torchworks serve` in a child process, whose dynamic batcher fills batches.
Client and server share the machine's cores, so HTTP figures understate the server; each
load generator's own CPU per request is printed. Where `wrk` is on PATH (Debian: `apt-get
install wrk`) the concurrency row is also driven by it, a C client that costs the shared
cores less. HTTP served items are not checked here (the in-process rows check them).
The exact fp32 rows run in both layouts of layout.py, queries-major (the path before it) first,
so `x first` is each variant's ratio to it; a line says from which chunk of queries `layout
auto` (what the server runs) scores items-major here, as measured. `--http-index
exact-queries,exact` serves HTTP from each in one run, one set of rows after the other.
Measured (shared 2-core AMD EPYC Zen 1, load average 1.7-2.3: `--fused 0 --threads 1 --batches
8,16,32,256 --http-requests 3000 --http-index exact-queries,exact,exact-queries,exact`):
items-major / queries-major rec/CPU-s 0.88, 0.88, 1.08, 1.26 at batch 8, 16, 32, 256 (1,404
vs 1,113 rec/CPU-s at 256), so `layout auto` went items-major from 32 queries a chunk; HTTP
c=32 exact 635 / 814 vs exact-queries 762 / 708 rec/s (two runs each, within the noise, and
far from 2,000: the fp32 matmul already runs near this CPU's FMA peak, see layout.py).
`--http-index ivf` serves HTTP from the faiss IVF index: on a CPU without fast bf16/int8 the
exact fp32 search costs the server ~1 ms per request (quiet 2-core AMD EPYC, AVX2: c=32, 2
threads, exact 1,379 rec/s, P95 24.9 ms; ivf 2,573 rec/s, P95 14.1 ms, recall@100 0.925).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from torchworks.serving.local import free_port, wait_ready


def make_bundle(
    root: Path, items: int, users: int, dim: int, history_len: int, seen: int, members: int = 1
) -> Path:
    from torchworks.engine.checkpoint import build_state, save_checkpoint
    from torchworks.recipes.recsys.fused_query import FusionSpec
    from torchworks.recipes.recsys.index import save_index
    from torchworks.recipes.recsys.models.two_tower import TwoTower, TwoTowerConfig
    from torchworks.recipes.recsys.seen import SeenSets
    from torchworks.recipes.recsys.sequences import Sequences
    from torchworks.recipes.recsys.tasks import ModelSettings
    from torchworks.recipes.recsys.vocab import NUM_RESERVED, Vocab, fingerprints

    bundle = root / ("bundle" if members == 1 else f"fused-{members}")
    bundle.mkdir(parents=True)
    n_items, n_users = items + NUM_RESERVED, users + NUM_RESERVED
    user_vocab = Vocab(f"u{i}" for i in range(users))
    item_vocab = Vocab(f"i{i}" for i in range(items))
    settings = ModelSettings("two-tower", dim=dim)
    extra = {
        "settings": settings.__dict__,
        "history_len": history_len,
        "num_users": n_users,
        "num_items": n_items,
        "num_categories": 22,
        "data": "synthetic",
        "vocab_fingerprints": fingerprints(user_vocab, item_vocab),
    }
    names = ["retrieval.pt", *(f"retrieval-{m}.pt" for m in range(1, members))]
    vectors = []
    for m, name in enumerate(names):
        torch.manual_seed(m)
        model = TwoTower(TwoTowerConfig(n_users, n_items, 22, dim, 2 * dim)).eval()
        save_checkpoint(bundle / name, build_state(model, None, step=0, epoch=0, extra=extra))
        gen = torch.Generator().manual_seed(m)
        centres = torch.randn(256, dim, generator=gen)
        own = centres[torch.randint(0, 256, (n_items,), generator=gen)]
        vectors.append(own + 0.5 * torch.randn(n_items, dim, generator=gen))
    save_index(bundle / "item_index.pt", torch.cat(vectors, 1))
    if members > 1:
        FusionSpec(names, [1 / members] * members).save(bundle)
    user_vocab.save(bundle / "users.vocab.json")
    item_vocab.save(bundle / "items.vocab.json")
    Vocab(f"c{i}" for i in range(20)).save(bundle / "categories.vocab.json")
    rng = np.random.default_rng(0)
    logs = rng.integers(NUM_RESERVED, n_items, (n_users, seen))
    logs[:NUM_RESERVED] = 0
    np.save(bundle / "user_history.npy", logs[:, -history_len:].astype(np.int32))
    lengths = np.where(np.arange(n_users) < NUM_RESERVED, 0, seen)
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    SeenSets.from_sequences(Sequences(offsets, logs[NUM_RESERVED:].ravel())).save(
        bundle / "seen.npz"
    )
    np.save(bundle / "item_category.npy", rng.integers(2, 22, n_items))
    return bundle


def in_process(
    bundle: Path, options, k: int, requests: int, batches: list[int]
) -> tuple[list[tuple[str, float, float, float, float]], torch.Tensor]:
    from torchworks.recipes.recsys.service import RecommendRequest, RecPredictor

    predictor = RecPredictor(bundle, options)
    users = predictor.users.keys
    reqs = [RecommendRequest(user_id=users[(i * 7919) % len(users)], k=k) for i in range(requests)]
    predictor.predict_json(reqs[: max(batches)])  # warm-up
    rows = []
    for size in batches:
        latencies = []
        started, cpu = time.perf_counter(), time.process_time()
        for s in range(0, requests, size):
            t0 = time.perf_counter()
            predictor.predict_json(reqs[s : s + size])
            latencies.append(time.perf_counter() - t0)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        p50, p95 = (float(np.percentile(np.asarray(latencies) * 1000, q)) for q in (50, 95))
        name = f"{predictor.index.describe()}, batch {size}, {torch.get_num_threads()} thr"
        rows.append((name, requests / elapsed, p50, p95, requests / cpu))
    check = reqs[:256]
    answers = predictor.predict(check)
    ids = torch.tensor(
        [[predictor.items.encode([i["item_id"]])[0] for i in a.items] for a in answers]
    )
    seen_ok = all(
        not np.isin(row.numpy(), predictor.seen.of(int(u))).any()
        for row, u in zip(ids, predictor.users.encode([r.user_id for r in check]), strict=True)
    )
    assert seen_ok, "a served item was in the user's seen set"
    return rows, ids


def recall(got: torch.Tensor, exact: torch.Tensor) -> float:
    hits = sum(len(set(g.tolist()) & set(e.tolist())) for g, e in zip(got, exact, strict=True))
    return hits / exact.numel()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc): the server's cost per request,
    which other load on a shared machine does not inflate the way wall time is."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def over_http(
    bundle: Path, k: int, requests: int, concurrency: int, threads: int, max_batch: int
) -> list[tuple[str, float, float, float, float]]:
    from torchworks.serving.loadtest import LoadTestConfig, run_load_test
    from torchworks.serving.registry import publish

    models = bundle.parent / "models"
    publish(models, "rec-recommend", bundle, format="torchworks-rec-bundle", precision="fp32")
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "torchworks",
        "serve",
        "--services",
        "rec-recommend",
        "--models",
        str(models),
        "--port",
        str(port),
        "--no-web",
        "--log-level",
        "warning",
        "--torch-threads",
        str(threads),
        "--max-batch-size",
        str(max_batch),
    ]
    child = subprocess.Popen(cmd)
    rows = []
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, alive=lambda: child.poll() is None, timeout_s=180)
        body = json.dumps({"user_id": "u1", "k": k}).encode()
        for clients in (1, concurrency):
            cfg = LoadTestConfig(
                url=f"{url}/v1/rec/recommend",
                body=body,
                concurrency=clients,
                requests=requests,
                duration_s=120,
            )
            server_cpu, client_cpu = cpu_seconds(child.pid), time.process_time()
            result = asyncio.run(run_load_test(cfg))
            server_cpu = cpu_seconds(child.pid) - server_cpu
            client_cpu = time.process_time() - client_cpu
            print(f"HTTP concurrency {clients}, {threads} thr: server CPU "
                  f"{server_cpu / max(result.ok, 1) * 1000:.3f} ms/request, load generator "
                  f"(this process) CPU {client_cpu / max(result.ok, 1) * 1000:.3f} ms/request, "
                  f"load average {os.getloadavg()[0]:.1f}")
            if result.errors:
                print(f"HTTP concurrency {clients}: errors {dict(result.errors)}")
            if clients > 1 and shutil.which("wrk"):
                rows.append(with_wrk(url, body, clients, threads, child.pid))
            rows.append(
                (
                    f"HTTP, concurrency {clients}, {threads} thr",
                    result.throughput,
                    result.percentile(50) * 1000,
                    result.percentile(95) * 1000,
                    result.ok / server_cpu if server_cpu > 0 else float("nan"),
                )
            )
    finally:
        child.terminate()
        child.wait(60)
    return rows


HTTP_INDEXES = {"exact": {}, "exact-queries": {"layout": "queries"}, "ivf": {"kind": "ivf"}}


WRK_SCRIPT = """wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local bad = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("TW %%d %%d %%d %%d %%d\\n", summary.requests, bad,
    latency:percentile(50), latency:percentile(95), summary.duration))
end
"""


def with_wrk(url: str, body: bytes, clients: int, threads: int, server_pid: int,
             seconds: int = 10) -> tuple[str, float, float, float, float]:
    """The same closed loop driven by wrk (C, one thread: Debian's `wrk` package), whose own
    CPU per request is a fraction of the Python load generator's, printed beside it."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % body.decode())
    before = os.times()
    server_cpu = cpu_seconds(server_pid)
    done = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "-s", script.name,
                           f"{url}/v1/rec/recommend"], capture_output=True, text=True, check=False)
    server_cpu = cpu_seconds(server_pid) - server_cpu
    after = os.times()
    os.unlink(script.name)
    line = next((x for x in done.stdout.splitlines() if x.startswith("TW ")), None)
    if line is None:
        print(f"wrk failed: {done.stdout[-300:]} {done.stderr[-300:]}")
        return (f"HTTP via wrk, concurrency {clients}: failed", *(float("nan"),) * 4)
    sent, bad, p50_us, p95_us, duration_us = (int(v) for v in line.split()[1:])
    ok = sent - bad
    client_cpu = (after.children_user + after.children_system
                  - before.children_user - before.children_system)
    print(f"HTTP via wrk, concurrency {clients}, {threads} thr: {ok} ok, {bad} errors; server "
          f"CPU {server_cpu / max(ok, 1) * 1000:.3f} ms/request, wrk CPU "
          f"{client_cpu / max(ok, 1) * 1000:.3f} ms/request, load average "
          f"{os.getloadavg()[0]:.1f}")
    return (f"HTTP via wrk, concurrency {clients}, {threads} thr", ok / (duration_us / 1e6),
            p50_us / 1000, p95_us / 1000, ok / server_cpu if server_cpu > 0 else float("nan"))


def main() -> None:
    from torchworks.recipes.recsys.index import (
        GROUP,
        ItemIndex,
        SearchOptions,
        fast_bf16,
        fast_int8,
        save_index,
    )
    from torchworks.recipes.recsys.layout import NEVER, measured_items_major_from

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--seen", type=int, default=100, help="seen items per user (all masked)")
    parser.add_argument("--requests", type=int, default=1024)
    parser.add_argument("--batches", default="32,128,256", help="in-process batch sizes")
    parser.add_argument("--nprobe", type=int, default=32)
    parser.add_argument("--http-requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-batch", type=int, default=256, help="server max batch size")
    parser.add_argument(
        "--threads", default="1,2", help="torch threads, one set of rows each (on a busy shared "
        "machine OpenMP's second thread can cost more than it gives)"
    )
    parser.add_argument("--fused", type=int, default=5,
                        help="members of the fused bundle benchmarked beside (0 = off)")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--http-only", action="store_true", help="skip the in-process rows")
    parser.add_argument(
        "--http-index",
        default="exact",
        help="the indexes the HTTP server searches, comma-separated, one set of rows each: "
        f"{', '.join(HTTP_INDEXES)} (exact = the fp32 layout the server measures; "
        "exact-queries = the queries-major layout, the path before layout.py, to compare)",
    )
    args = parser.parse_args()
    http_indexes = args.http_index.split(",")
    if unknown := set(http_indexes) - set(HTTP_INDEXES):
        parser.error(f"--http-index: unknown {sorted(unknown)}; choose from {HTTP_INDEXES}")
    thread_counts = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batches.split(",")]
    # the queries-major fp32 layout (the path before layout.py) first: every ratio is to it
    variants = [SearchOptions(precision="fp32", layout=name) for name in ("queries", "items")]
    if fast_bf16():
        variants.append(SearchOptions(precision="bf16"))
    if fast_int8():
        variants.append(SearchOptions(precision="int8"))
    variants.append(SearchOptions(kind="ivf", nprobe=args.nprobe))
    rows, recalls = [], []
    with tempfile.TemporaryDirectory() as tmp:
        bundle = make_bundle(Path(tmp), args.items, args.users, args.dim, 50, args.seen)
        bundles = {"single": bundle}
        if args.fused > 1:
            bundles[f"fused x{args.fused}"] = make_bundle(
                Path(tmp), args.items, args.users, args.dim, 50, args.seen, args.fused
            )
        for threads in [] if args.http_only else thread_counts:
            torch.set_num_threads(threads)
            for label, path in bundles.items():
                exact = None
                for options in variants:
                    got, ids = in_process(path, options, args.k, args.requests, batches)
                    exact = ids if exact is None else exact
                    rows += [(f"{label}: {name}", *rest) for name, *rest in got]
                    if threads == thread_counts[0]:
                        name = f"{label}: {got[0][0].split(', batch')[0]}"
                        recalls.append((name, recall(ids, exact)))
        served = ItemIndex.load(bundle / "item_index.pt").vectors
        for threads in [] if args.no_http else thread_counts:
            for http_index in http_indexes:
                options = SearchOptions(**HTTP_INDEXES[http_index], nprobe=args.nprobe)
                save_index(bundle / "item_index.pt", served, options)
                rows += [
                    (f"{name}, {http_index}", *rest)
                    for name, *rest in over_http(bundle, args.k, args.http_requests,
                                                 args.concurrency, threads, args.max_batch)
                ]
    load = os.getloadavg()
    print(
        f"\nrec-recommend: top-{args.k} of {args.items} items, dim {args.dim}, two-tower, "
        f"{args.seen} seen items per user masked; served items checked against the seen sets"
    )
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"torch threads {args.threads}, CPU capability {torch.backends.cpu.get_cpu_capability()}, "
        f"fast bf16 {fast_bf16()}, fast int8 {fast_int8()}, "
        f"load average {load[0]:.1f} {load[1]:.1f}"
    )
    measured = {}
    for threads in thread_counts:  # the probe measures with the calling thread's count
        torch.set_num_threads(threads)
        found = measured_items_major_from(args.dim, threads, GROUP)
        measured[threads] = "never" if found == NEVER else found
    print(f"fp32 chunks scored items-major from this many queries (measured here; what `layout "
          f"auto` serves), by torch threads: {measured}")
    print(
        f"{'variant':62s} {'rec/s':>9s} {'P50 ms':>9s} {'P95 ms':>9s} {'x first':>8s} "
        f"{'rec/CPU-s':>10s}"
    )
    for name, rps, p50, p95, per_cpu in rows:
        print(
            f"{name:62s} {rps:9.1f} {p50:9.2f} {p95:9.2f} {rps / rows[0][1]:8.2f} {per_cpu:10.1f}"
        )
    print(
        "(in-process P50/P95 are per batch, HTTP ones per request; rec/CPU-s = recommendations "
        "per second of this process's CPU time (HTTP: the server's), which contention on a "
        "shared machine inflates far less than wall time: N idle cores give up to N x that)"
    )
    for name, value in recalls:
        print(f"recall@{args.k} vs exact fp32: {name:52s} {value:.4f}")
    single = {name.removeprefix("single: "): row for name, *row in rows}
    for name, rps, _, p95, per_cpu in rows:
        variant = name.split(": ", 1)[-1]
        if name.startswith("fused") and variant in single:
            base_rps, _, base_p95, base_cpu = single[variant]
            print(f"{name:62s} x single: rec/s {rps / base_rps:5.2f}, P95 {p95 / base_p95:5.2f}, "
                  f"rec/CPU-s {per_cpu / base_cpu:5.2f}")
    print("target: >= 5000 rec/s in-process, >= 2000 rec/s over HTTP at c=32; shared CPU: noisy")


if __name__ == "__main__":
    main()
