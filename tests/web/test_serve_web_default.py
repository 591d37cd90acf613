"""`torchworks serve` serves the packaged workbench at / when it hosts a patent service."""

from __future__ import annotations

from pathlib import Path

from torchworks.cli import build_parser
from torchworks.commands.serve import _specs, _static_dir


def static_dir(*argv: str) -> Path | None:
    args = build_parser().parse_args(["serve", *argv])
    return _static_dir(args, _specs(args))


def test_patent_services_get_the_workbench_unless_told_otherwise(tmp_path):
    web = static_dir("--services", "patents-check")
    assert web is not None and {"index.html", "app.js", "style.css"} <= {
        p.name for p in web.iterdir()}
    assert static_dir("--services", "patents-check", "--no-web") is None
    assert static_dir("--services", "toy-echo") is None
    assert static_dir("--services", "toy-echo", "--static", str(tmp_path)) == tmp_path
