"""Gather every fact about this machine: the probes, run once, into one Facts value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from torchworks import __version__
from torchworks.env.facts import FACTS_SCHEMA_VERSION, Facts, Workload
from torchworks.env.measure import Measurement, with_link_peaks
from torchworks.env.probe_nvml import probe_nvml
from torchworks.env.probe_system import probe_env, probe_packages, probe_system
from torchworks.env.probe_torch import probe_torch


@dataclass
class Collected:
    facts: Facts
    measurements: list[Measurement]  # empty unless bench=True and torch imports


def default_workers(cpus: float | None) -> int:
    """Workers the doctor sizes /dev/shm for when not told: one per CPU, at most 8."""
    return max(1, min(8, int(cpus or 1)))


def collect(checkpoint_dir: str = "runs", workers: int | None = None,
            torch_timeout_s: float = 60.0, bench: bool = False) -> Collected:
    """Probe this machine (and measure it when `bench`). Never raises for a broken
    environment: that becomes a fact."""
    system = probe_system(checkpoint_dir)
    if workers is None:
        limits = [v for v in (system.cgroup_cpu_limit, system.usable_cpus) if v is not None]
        workers = default_workers(min(limits) if limits else None)
    torch_probe = probe_torch(torch_timeout_s, bench=bench)
    facts = Facts(
        schema_version=FACTS_SCHEMA_VERSION,
        torchworks_version=__version__,
        collected_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        system=system,
        packages=probe_packages(),
        env=probe_env(),
        nvml=probe_nvml(),
        torch=torch_probe.facts,
        workload=Workload(dataloader_workers=workers, checkpoint_dir=checkpoint_dir),
    )
    return Collected(facts, with_link_peaks(torch_probe.measurements, facts))
