"""The doctor's output: one JSON document with a stable schema, or a readable rich table.

JSON layout (docs/doctor.md): {schema_version, torchworks_version, source, facts, findings,
measurements, summary}. Bump REPORT_SCHEMA_VERSION on any incompatible change; adding a key
or a finding id is compatible.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table
from rich.text import Text

from torchworks import __version__
from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity, exit_code, ordered
from torchworks.env.jsonable import to_jsonable
from torchworks.env.measure import Measurement
from torchworks.env.rules_gpu import cudnn_text
from torchworks.env.rules_system import human_bytes

REPORT_SCHEMA_VERSION = 1
_STYLE = {Severity.ERROR: ("✗ error", "bold red"), Severity.WARN: ("! warn", "bold yellow"),
          Severity.OK: ("✓ ok", "green")}


@dataclass
class Report:
    """A diagnosis: `source` is "this machine" or the recorded facts file it came from."""

    facts: Facts
    findings: list[Finding]
    measurements: list[Measurement]
    source: str
    bench_note: str = ""  # why there are no measurements, when there are none

    @property
    def exit_code(self) -> int:
        return exit_code(self.findings)

    def summary(self) -> dict[str, object]:
        counts = {s: sum(f.severity is s for f in self.findings) for s in Severity}
        return {"status": ("ok", "warn", "error")[self.exit_code], "exit_code": self.exit_code,
                "errors": counts[Severity.ERROR], "warnings": counts[Severity.WARN],
                "ok": counts[Severity.OK]}

    def to_dict(self) -> dict[str, object]:
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "torchworks_version": __version__,
            "source": self.source,
            "facts": to_jsonable(self.facts),
            "findings": [f.to_dict() for f in ordered(self.findings)],
            "measurements": [m.to_dict() for m in self.measurements],
            "summary": self.summary(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"


def _machine_line(facts: Facts) -> str:
    t, nvml, s = facts.torch, facts.nvml, facts.system
    if t.status == "ok":
        build = f"CUDA {t.cuda}" if t.cuda else "CPU build"
        extras = [f"cuDNN {cudnn_text(t.cudnn_version)}" if t.cudnn_version else "",
                  f"NCCL {t.nccl_version}" if t.nccl_version else ""]
        torch_part = " ".join(p for p in [f"torch {t.version} ({build})", *extras] if p)
    else:
        torch_part = f"torch: {t.status}"
    if nvml.status == "ok":
        gpus = ", ".join(f"{g.index}: {g.name} (cc {g.cc_major}.{g.cc_minor}, "
                         f"{human_bytes(g.memory_total_bytes)})" for g in nvml.gpus) or "no GPUs"
        driver = f"driver {nvml.driver_version} (CUDA <= {nvml.cuda_driver_version}) · {gpus}"
    else:
        driver = f"no NVIDIA driver (NVML: {nvml.status})"
    box = "container" if s.in_container else "host"
    return (f"Python {s.python_version} · {torch_part} · {driver} · {box}, {s.usable_cpus} CPUs, "
            f"{human_bytes(s.memory_total_bytes)} RAM, /dev/shm {human_bytes(s.shm_total_bytes)}")


def _findings_table(findings: list[Finding]) -> Table:
    table = Table(show_header=True, header_style="bold", expand=True, show_lines=True)
    table.add_column("status", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("diagnosis", ratio=1, overflow="fold")
    for f in ordered(findings):
        label, style = _STYLE[f.severity]
        diagnosis = Text(f.seen)
        if f.severity is not Severity.OK:
            diagnosis.append(f"\nwhy: {f.why}", style="dim")
        if f.fix and f.severity is Severity.OK:
            diagnosis.append(f"\ntip: {f.fix}", style="cyan")
        elif f.fix:
            diagnosis.append(f"\nfix: {f.fix}", style="bold cyan")
        table.add_row(Text(label, style=style), Text(f.id), diagnosis)
    return table


def _measurements_table(measurements: list[Measurement]) -> Table:
    table = Table(title="measurements (smoke tests, not benchmarks)", expand=True)
    for column in ("test", "device", "result", "peak", "of peak", "detail"):
        table.add_column(column, overflow="fold")
    for m in measurements:
        result = m.error or f"{m.value:,.1f} {m.unit}"
        fraction = m.fraction_of_peak
        table.add_row(m.name, m.device, Text(result, style="red" if m.error else ""),
                      f"{m.peak:,.1f}" if m.peak else "-",
                      f"{fraction:.0%}" if fraction is not None else "-", m.detail)
    return table


def render_text(report: Report, console: Console) -> None:
    """Errors first, each with its fix; then measurements and a one-line verdict."""
    console.print(Text(f"torchworks doctor · {report.source} · facts collected "
                       f"{report.facts.collected_at}", style="bold"))
    console.print(Text(_machine_line(report.facts)))
    console.print(_findings_table(report.findings))
    if report.measurements:
        console.print(_measurements_table(report.measurements))
    elif report.bench_note:
        console.print(Text(f"measurements: {report.bench_note}", style="dim"))
    s = report.summary()
    verdict = {0: ("healthy", "bold green"), 1: ("usable, with warnings", "bold yellow"),
               2: ("broken: fix the errors above", "bold red")}[report.exit_code]
    console.print(Text.assemble((f"{verdict[0]}", verdict[1]),
                                f" · {s['errors']} error(s), {s['warnings']} warning(s), "
                                f"{s['ok']} ok · exit {report.exit_code}"))
