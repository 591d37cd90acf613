"""The soak's table: outcomes by kind, client latency per service, where the tail comes from
(the server's own queue / compute histograms and the event loop's lag), RSS, the verdict."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from _soak_traffic import Kind

CHECK_P99_GOAL_S = 1.0
FLAT_MIB, FLAT_FRACTION = 24.0, 0.02  # allowed RSS growth after warm-up: the larger of these
_BUCKET = re.compile(r'^(torchworks_\w+)_bucket\{(.*)\} (\S+)$')


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def rss_at(samples: list[tuple[float, float]], t: float) -> float:
    """The first sample taken at or after `t` seconds (the last one if none)."""
    return next((rss for at, rss in samples if at >= t), samples[-1][1])


def report(kinds: list[Kind], log: list, swaps: list, samples: list, warmup_s: float) -> bool:
    outcomes: dict[str, Counter] = defaultdict(Counter)
    for kind, outcome, _ in log:
        outcomes[kind.name][outcome] += 1
    print(f"{'kind':<13} {'service':<22} {'well-formed':>11}  outcomes")
    for kind in kinds:
        print(f"{kind.name:<13} {kind.service:<22} {'yes' if kind.well_formed else 'no':>11}  "
              f"{dict(sorted(outcomes[kind.name].items()))}")
    well_formed = [e for e in log if e[0].well_formed]
    failed = [e for e in well_formed if e[1] != "200"]
    server_errors = [e for e in log if e[1].startswith("5")]
    print(f"well-formed requests: {len(well_formed)}, failed: {len(failed)} "
          f"{dict(Counter((e[0].name, e[1]) for e in failed))}; 5xx of any kind: "
          f"{len(server_errors)}; all requests: {len(log)}")
    by_service: dict[str, list[float]] = defaultdict(list)
    for kind, outcome, seconds in well_formed:
        if outcome == "200":
            by_service[f"{kind.service} ({kind.name})" if kind.stream else kind.service].append(
                seconds)
    print(f"{'service (well-formed, 200)':<36} {'n':>6} {'P50 ms':>8} {'P95 ms':>8} "
          f"{'P99 ms':>8}")
    for service, values in sorted(by_service.items()):
        print(f"{service:<36} {len(values):>6} {percentile(values, .5) * 1e3:>8.1f} "
              f"{percentile(values, .95) * 1e3:>8.1f} {percentile(values, .99) * 1e3:>8.1f}")
    print("swaps of rec-recommend (asked -> HTTP: serving, seconds):",
          ", ".join(f"{a}->{s}:{v} {t:.1f}s" for a, s, v, t in swaps) or "none")
    start, warm, end = samples[0][1], rss_at(samples, warmup_s), samples[-1][1]
    allowed = max(FLAT_MIB, FLAT_FRACTION * warm)
    flat = end - warm <= allowed
    timeline = [f"{rss:.0f}" for at, rss in samples if int(at) % 60 < 5]
    print(f"server RSS MiB: start {start:.0f}, after warm-up ({warmup_s:.0f} s) {warm:.0f}, "
          f"end {end:.0f} ({end - warm:+.0f} after warm-up, {end - start:+.0f} in all); "
          f"each minute: {' '.join(timeline)}")
    print(f"memory rule: flat when RSS at the end exceeds RSS after warm-up by at most "
          f"max({FLAT_MIB:.0f} MiB, {FLAT_FRACTION:.0%}) = {allowed:.0f} MiB "
          f"(start-up and the first minute's growth, allocator pools and lazily built "
          f"baselines, are warm-up)")
    check_p99 = percentile(by_service.get("patents-check", []), .99)
    swaps_ok = all((s == 409) if a == "3" else (s == 200) for a, s, _, _ in swaps)
    goals = {"0 failed well-formed": not failed, "no 5xx": not server_errors,
             f"check P99 {check_p99 * 1e3:.0f} ms < {CHECK_P99_GOAL_S * 1e3:.0f} ms":
                 check_p99 < CHECK_P99_GOAL_S,
             f"RSS flat ({end - warm:+.0f} MiB <= {allowed:.0f})": flat,
             "swaps as expected (v3 409, others 200)": swaps_ok}
    passed = all(goals.values())
    print(("PASS: " if passed else "FAIL: ")
          + "; ".join(f"{name} {'ok' if ok else 'MISSED'}" for name, ok in goals.items()))
    return passed




def histogram_quantiles(metrics_text: str, q: float = 0.99) -> dict[tuple[str, str], float]:
    """(metric, model) -> the upper bound of the bucket holding quantile `q`, over all
    versions of the model (Prometheus text format, cumulative buckets)."""
    buckets: dict[tuple[str, str], dict[float, float]] = defaultdict(lambda: defaultdict(float))
    for line in metrics_text.splitlines():
        match = _BUCKET.match(line)
        if not match:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2)))
        bound = math.inf if labels["le"] == "+Inf" else float(labels["le"])
        buckets[(match.group(1), labels.get("model", ""))][bound] += float(match.group(3))
    out = {}
    for key, counts in buckets.items():
        total = counts.get(math.inf, 0.0)
        if total:
            out[key] = next(b for b in sorted(counts) if counts[b] >= q * total)
    return out


def print_server_tails(metrics_text: str, probe: list[float]) -> None:
    """Where a tail comes from: the server's P99 of arrival-to-last-byte, of queueing before a
    batch, of one batch in the model thread; and the event loop's lag (a /healthz round trip
    does no work, so its time is the wait for the loop, and for the GIL)."""
    tails = histogram_quantiles(metrics_text)
    names = ("request_duration_seconds", "queue_duration_seconds",
             "compute_duration_seconds")
    models = sorted({model for _, model in tails})
    print(f"{'server-side P99 (bucket bound), s':<36} {'request':>8} {'queue':>8} "
          f"{'batch':>8}")
    for model in models:
        row = [tails.get((f"torchworks_{n}", model), math.nan) for n in names]
        print(f"{model:<36} " + " ".join(f"{v:>8.3g}" for v in row))
    if probe:
        print(f"event-loop lag (/healthz round trip, n={len(probe)}): P50 "
              f"{percentile(probe, .5) * 1e3:.1f} ms, P99 {percentile(probe, .99) * 1e3:.1f} ms, "
              f"max {max(probe) * 1e3:.1f} ms")
