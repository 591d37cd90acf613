"""Start-up of `torchworks serve` with the default services, as a user meets it in `make run`.

Starts the real CLI in a child process twice on one fresh cache (XDG_CACHE_HOME and a fresh
working directory, so neither the old ./models nor a previous cache helps): the first start
pays every one-time conversion, the second is the everyday start. For each start it prints
time to /readyz 200, when each service became ready (from /readyz), peak RSS (VmHWM) and
steady RSS (VmRSS a few seconds after ready) read from /proc, and how long an idle Ctrl-C
(SIGINT) takes to end the process.

    PYTHONPATH=$PWD/src .venv/bin/python benchmarks/startup.py [--services a,b] [--starts 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from torchworks.serving.local import free_port

SETTLE_S = 3.0  # steady RSS is read this long after /readyz first answers 200


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid` in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def cpu_s(pid: int) -> float:
    """User + system CPU seconds `pid` has used (and waited-for children), from /proc: on a
    busy machine a fairer measure of start-up work than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def service_ready(body: dict) -> dict[str, bool]:
    """Per-service readiness from a /readyz body (the per-service `services` map, or the older
    `models` map of name -> serving version)."""
    if isinstance(body.get("services"), dict):
        return {name: s.get("state") == "ready" for name, s in body["services"].items()}
    return {name: version is not None for name, version in (body.get("models") or {}).items()}


def one_start(work: Path, cache: Path, services: str | None, timeout_s: float) -> dict:
    port = free_port()
    command = [sys.executable, "-m", "torchworks", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]
    if services:
        command += ["--services", services]
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    env.pop("TORCHWORKS_MODELS", None)
    env.pop("TORCHWORKS_CACHE", None)
    log = work / f"stderr-{port}.txt"
    with open(log, "w") as stderr:
        start = time.monotonic()
        child = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.DEVNULL,
                                 stderr=stderr)
        try:
            result = watch(child, f"http://127.0.0.1:{port}/readyz", start, timeout_s)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    lines = log.read_text(errors="replace").splitlines()
    result["stderr_lines"] = [line[:160] for line in lines
                              if not line.startswith("torchworks serve:")]
    return result


def watch(child: subprocess.Popen, url: str, start: float, timeout_s: float) -> dict:
    """Poll /readyz until 200, then read RSS, then time an idle SIGINT."""
    ready_at: dict[str, float] = {}
    body: dict = {}
    ready = ready_cpu = None
    while time.monotonic() - start < timeout_s:
        if child.poll() is not None:
            raise SystemExit(f"server exited with {child.returncode}")
        try:
            reply = httpx.get(url, timeout=5)
            body = reply.json()
            for name, ok in service_ready(body).items():
                if ok and name not in ready_at:
                    ready_at[name] = time.monotonic() - start
            if reply.status_code == 200:
                ready = time.monotonic() - start
                ready_cpu = cpu_s(child.pid)
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    if ready is None:
        raise SystemExit(f"not ready after {timeout_s} s: {body}")
    time.sleep(SETTLE_S)
    steady, peak = rss_mb(child.pid)
    loads = {name: s.get("load_s") for name, s in (body.get("services") or {}).items()}
    sent = time.monotonic()
    child.send_signal(signal.SIGINT)
    child.wait(timeout=120)
    return {"ready_s": ready, "ready_cpu_s": ready_cpu, "service_ready_s": ready_at,
            "service_load_s": loads, "steady_mb": steady, "peak_mb": peak,
            "sigint_exit_s": time.monotonic() - sent}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", default=None, help="default: the CLI's default set")
    parser.add_argument("--starts", type=int, default=2, help="starts on one fresh cache")
    parser.add_argument("--timeout-s", type=float, default=600.0)
    args = parser.parse_args()
    import torch

    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} "
          f"cores, load {os.getloadavg()[0]:.2f}; python {platform.python_version()}, "
          f"torch {torch.__version__}; services: {args.services or 'default'}")
    with tempfile.TemporaryDirectory(prefix="torchworks-startup-") as tmp:
        work, cache = Path(tmp) / "cwd", Path(tmp) / "cache"
        work.mkdir()
        results = []
        for n in range(args.starts):
            r = one_start(work, cache, args.services, args.timeout_s)
            results.append(r)
            label = "first" if n == 0 else f"start {n + 1}"
            print(f"{label:8s} ready {r['ready_s']:6.1f} s (CPU {r['ready_cpu_s']:5.1f} s)  "
                  f"peak RSS {r['peak_mb']:6.0f} MB  "
                  f"steady RSS {r['steady_mb']:6.0f} MB  idle SIGINT exit "
                  f"{r['sigint_exit_s']:4.1f} s  (load {os.getloadavg()[0]:.2f})")
            for name, at in sorted(r["service_ready_s"].items(), key=lambda kv: kv[1]):
                load = r["service_load_s"].get(name)
                own = f", own load {load:.1f} s" if isinstance(load, (int, float)) else ""
                print(f"           {name:24s} ready at {at:6.1f} s{own}")
            print(f"           stderr: {len(r['stderr_lines'])} lines besides the banner"
                  + "".join(f"\n             | {line}" for line in r["stderr_lines"][:6]))
        if len(results) > 1:
            print(f"first / later start time-to-ready: "
                  f"{results[0]['ready_s'] / results[-1]['ready_s']:.2f}x")
        cached = sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_dir()
                        and p.parent.parent == cache / "torchworks")
        print(f"cache entries: {cached or 'none'}; ./models written: "
              f"{(work / 'models').exists()}")


if __name__ == "__main__":
    main()
