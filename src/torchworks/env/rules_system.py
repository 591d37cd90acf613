"""Rules about the box around the GPUs: shared memory, memory and CPU limits, disk."""

from __future__ import annotations

import math

from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity
from torchworks.env.tables import (
    DISK_ERROR_BELOW_BYTES,
    DISK_WARN_BELOW_BYTES,
    GIB,
    MEMORY_ERROR_BELOW_BYTES,
    MEMORY_WARN_BELOW_BYTES,
    SHM_ERROR_BELOW_BYTES,
    SHM_PER_WORKER_BYTES,
)


def human_bytes(n: int | None) -> str:
    if n is None:
        return "unknown"
    for unit, size in (("TiB", 1024**4), ("GiB", GIB), ("MiB", 1024**2)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _gib_ceil_pow2(n: int) -> int:
    return 2 ** max(0, math.ceil(math.log2(max(n, 1) / GIB)))


def shared_memory(facts: Facts) -> list[Finding]:
    """DataLoader workers hand batches to the main process through /dev/shm."""
    workers, shm = facts.workload.dataloader_workers, facts.system.shm_total_bytes
    if workers == 0 or shm is None:
        return []
    needed = workers * SHM_PER_WORKER_BYTES
    seen = f"/dev/shm is {human_bytes(shm)} for {workers} DataLoader workers"
    if shm >= needed:
        return [Finding("shm.ok", Severity.OK, seen, "room for the workers' prefetched batches")]
    size = _gib_ceil_pow2(needed)
    if facts.system.in_container:
        fix = (f"docker run --shm-size={size}g ... (compose: shm_size: '{size}gb'; Kubernetes: "
               f"an emptyDir with medium: Memory at /dev/shm), or --ipc=host")
    else:
        fix = f"sudo mount -o remount,size={size}G /dev/shm"
    fewer = shm // SHM_PER_WORKER_BYTES
    fix += (f"; or num_workers={fewer}" if fewer else
            "; or num_workers=0 (loads in the main process, slower)")
    severity = Severity.ERROR if shm < SHM_ERROR_BELOW_BYTES else Severity.WARN
    return [Finding("shm.too_small", severity, seen,
                    f"workers need about {human_bytes(SHM_PER_WORKER_BYTES)} each; when shm "
                    "fills, they die with 'Bus error' / 'DataLoader worker (pid N) is killed "
                    "by signal'", fix)]


def memory_limit(facts: Facts) -> list[Finding]:
    s = facts.system
    limits = [v for v in (s.cgroup_memory_limit_bytes, s.memory_total_bytes) if v is not None]
    if not limits:
        return []
    limit = min(limits)
    source = "container memory limit" if limit == s.cgroup_memory_limit_bytes else "host memory"
    largest_gpu = max((g.memory_total_bytes for g in facts.nvml.gpus), default=0)
    wanted = max(MEMORY_WARN_BELOW_BYTES, largest_gpu)
    seen = f"{source} is {human_bytes(limit)}"
    if limit >= wanted:
        return [Finding("memory.ok", Severity.OK, seen, "enough to load and stage checkpoints")]
    severity = Severity.ERROR if limit < MEMORY_ERROR_BELOW_BYTES else Severity.WARN
    fix = (f"docker run --memory={_gib_ceil_pow2(wanted)}g ... (compose: mem_limit; "
           "Kubernetes: resources.limits.memory)" if source.startswith("container")
           else "use a machine with more RAM")
    return [Finding("memory.too_low", severity, seen,
                    f"below {human_bytes(wanted)}: torch with a CUDA context takes ~1-2 GiB, and "
                    "loading a checkpoint for a GPU stages it in host memory (/dev/shm counts "
                    "against the limit too); past the limit the kernel OOM-kills the process",
                    fix)]


def cpu_limit(facts: Facts) -> list[Finding]:
    s, workers = facts.system, facts.workload.dataloader_workers
    cpus = min(v for v in (s.cgroup_cpu_limit, s.usable_cpus, s.cpu_count, float("inf"))
               if v is not None)
    findings = []
    if s.cgroup_cpu_limit is not None and s.cpu_count and s.cgroup_cpu_limit < s.cpu_count:
        n = max(1, int(s.cgroup_cpu_limit))
        findings.append(Finding(
            "cpu.quota_below_cores", Severity.WARN,
            f"CPU quota is {s.cgroup_cpu_limit:g} CPUs but the machine shows {s.cpu_count} cores",
            f"torch and numpy start one thread per visible core ({s.cpu_count}); the quota then "
            "throttles them and CPU work slows down",
            f"export OMP_NUM_THREADS={n} MKL_NUM_THREADS={n}"))
    if cpus != float("inf") and workers > cpus:
        findings.append(Finding(
            "cpu.workers_exceed_cpus", Severity.WARN, f"{workers} DataLoader workers on "
            f"{cpus:g} CPUs", "workers beyond the CPU count only add contention",
            f"use num_workers={max(1, int(cpus) - 1)}, or give the container more CPUs "
            f"(docker run --cpus={workers + 1})"))
    return findings


def disk(facts: Facts) -> list[Finding]:
    s = facts.system
    if s.disk_free_bytes is None:
        return []
    seen = f"{human_bytes(s.disk_free_bytes)} free at {s.disk_path} (checkpoints go to " \
           f"{facts.workload.checkpoint_dir})"
    if s.disk_free_bytes >= DISK_WARN_BELOW_BYTES:
        return [Finding("disk.ok", Severity.OK, seen, "room for checkpoints")]
    severity = Severity.ERROR if s.disk_free_bytes < DISK_ERROR_BELOW_BYTES else Severity.WARN
    return [Finding("disk.low", severity, seen,
                    f"below {human_bytes(DISK_WARN_BELOW_BYTES)}: a model's checkpoints (weights "
                    "+ optimizer state, ~3x the weights) can fill the disk mid-run",
                    f"free space under {s.disk_path}, or point checkpoints at a bigger volume "
                    "(--checkpoint-dir /data/checkpoints; docker: -v /big/disk:/data)")]
