"""Every `torchworks serve` flag checked before anything binds or loads, all problems at once.

argparse checks types only: `--port 99999` parses (and once bound a random port), `--timeout-s
nan` parses, a non-loopback `--host` without keys only warned. Here each flag gets its range,
paths must exist, and a server that anyone on the network could drive (non-loopback, no key
file) is refused unless `--insecure-no-auth` says it is meant.
"""

from __future__ import annotations

import argparse
import ipaddress
import math
import re

from torchworks.errors import ConfigError

_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_serve_args(args: argparse.Namespace) -> None:
    """Raise one ConfigError listing every invalid flag, each with its allowed range."""
    problems = []
    if not 1 <= args.port <= 65535:
        problems.append(f"--port {args.port}: must be 1-65535")
    if not _valid_host(args.host):
        problems.append(f"--host {args.host!r}: not an IP address or host name")
    elif args.api_key_file is None and not is_loopback(args.host) and not args.insecure_no_auth:
        problems.append(f"--host {args.host}: binding a non-loopback address without "
                        "--api-key-file lets anyone who reaches the port use and reload the "
                        "models; add --api-key-file FILE (see --new-api-key), or pass "
                        "--insecure-no-auth if that is really meant")
    for name in args.allowed_host or []:
        if not _valid_host(name):
            problems.append(f"--allowed-host {name!r}: not an IP address or host name")
    for flag, path in (("--models", args.models), ("--static", args.static)):
        if path is not None and not path.is_dir():
            problems.append(f"{flag} {path}: no such directory")
    if args.api_key_file is not None and not args.api_key_file.is_file():
        problems.append(f"--api-key-file {args.api_key_file}: no such file")
    for flag, value, low, high in (
            ("--max-body-bytes", args.max_body_bytes, 1, 1 << 31),
            ("--max-batch-size", args.max_batch_size, 1, 4096),
            ("--max-running", args.max_running, 1, 4096),
            ("--torch-threads", args.torch_threads, 1, 1024),
            ("--max-queue-delay-ms", args.max_queue_delay_ms, 0, 60_000),
            ("--drain-timeout-s", args.drain_timeout_s, 0, 3600)):
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            problems.append(f"{flag} {value}: must be {low}-{high}")
    if args.timeout_s is not None and not (math.isfinite(args.timeout_s)
                                           and 0 < args.timeout_s <= 86_400):
        problems.append(f"--timeout-s {args.timeout_s}: must be more than 0 and at most 86400")
    if args.services is not None:
        from torchworks.service_catalog import SERVICES

        unknown = [n.strip() for n in args.services.split(",")
                   if n.strip() and n.strip() not in SERVICES]
        if unknown:
            names = ", ".join(f"'{n}'" for n in unknown)
            problems.append(f"--services: unknown service {names} (choose from: "
                            f"{', '.join(sorted(SERVICES))})")
    if problems:
        raise ConfigError("invalid serve options:\n  - " + "\n  - ".join(problems),
                          fix="correct the options above (torchworks serve --help)")


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(_HOSTNAME.fullmatch(host))
