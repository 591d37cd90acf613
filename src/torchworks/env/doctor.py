"""The doctor end to end: facts (probed here or loaded from a file) -> findings -> measurements."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from torchworks.env.collect import collect
from torchworks.env.facts import Facts, load_facts, save_facts
from torchworks.env.report import Report
from torchworks.env.rules import diagnose


@dataclass
class DoctorOptions:
    """facts_file: diagnose recorded facts instead of this machine (no measurements then).
    workers / checkpoint_dir: None keeps the default (or what the recorded facts say)."""

    facts_file: Path | None = None
    collect_file: Path | None = None
    bench: bool = True
    workers: int | None = None
    checkpoint_dir: str | None = None
    torch_timeout_s: float = 60.0


def _with_workload(facts: Facts, options: DoctorOptions) -> Facts:
    workload = facts.workload
    if options.workers is not None:
        workload = replace(workload, dataloader_workers=options.workers)
    if options.checkpoint_dir is not None:
        workload = replace(workload, checkpoint_dir=options.checkpoint_dir)
    return replace(facts, workload=workload)


def run_doctor(options: DoctorOptions) -> Report:
    if options.facts_file is not None:
        facts = _with_workload(load_facts(options.facts_file), options)
        return Report(facts, diagnose(facts), [], source=str(options.facts_file),
                      bench_note="skipped: diagnosing recorded facts, not this machine")
    found = collect(options.checkpoint_dir or "runs", options.workers, options.torch_timeout_s,
                    bench=options.bench)
    if options.collect_file is not None:
        save_facts(found.facts, options.collect_file)
    if not options.bench:
        note = "skipped (--no-bench)"
    else:
        note = "" if found.facts.torch.status == "ok" else "skipped: torch does not import"
    return Report(found.facts, diagnose(found.facts), found.measurements, "this machine",
                  bench_note=note)
