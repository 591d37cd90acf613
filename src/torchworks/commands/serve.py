"""`torchworks serve`: host recipe services over HTTP (see torchworks.serving.app)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve models over HTTP: batching, versions, hot swap, metrics",
        description="Host any subset of the registered services on one HTTP server. "
                    "Docs at /docs, metrics at /metrics, health at /healthz and /readyz.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port, 1-65535 (default: "
                        "%(default)s)")
    parser.add_argument("--insecure-no-auth", action="store_true",
                        help="allow a non-loopback --host without --api-key-file (anyone who "
                             "reaches the port can use and reload the models)")
    parser.add_argument("--allowed-host", action="append", default=None, metavar="NAME",
                        help="a Host name the server answers to besides loopback and --host "
                             "(DNS-rebinding guard; repeatable)")
    parser.add_argument("--models", type=Path, default=None, metavar="DIR",
                        help="model registry root: DIR/<name>/<version>/manifest.json")
    parser.add_argument("--services", default=None, metavar="A,B",
                        help="services to host (default: every registered one but toy-*)")
    parser.add_argument("--api-key-file", type=Path, default=None, metavar="FILE",
                        help="file of hashed API keys; without it requests need no key")
    parser.add_argument("--static", type=Path, default=None, metavar="DIR",
                        help="directory served at / (default: the patent workbench page when "
                             "a patents-* service is hosted)")
    parser.add_argument("--no-web", action="store_true", help="serve nothing at /")
    parser.add_argument("--max-body-bytes", type=int, default=1 << 20,
                        help="largest request body accepted, else 413 (default: %(default)s)")
    parser.add_argument("--max-batch-size", type=int, default=None,
                        help="override every service's max_batch_size (1 turns batching off)")
    parser.add_argument("--max-queue-delay-ms", type=float, default=None,
                        help="override every service's max_queue_delay_ms")
    parser.add_argument("--max-running", type=int, default=None,
                        help="override every generation service's running-batch limit")
    parser.add_argument("--timeout-s", type=float, default=None,
                        help="override every service's per-request timeout")
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch (and ONNX Runtime) intra-op threads per model thread "
                             "(default: half the usable cores and no more than the cores not "
                             "already busy, at least 1: several models run at once, and more "
                             "threads than free cores stall every parallel region)")
    parser.add_argument("--drain-timeout-s", type=float, default=30.0,
                        help="on SIGTERM, wait this long for in-flight requests (default: 30)")
    parser.add_argument("--log-level", default="info",
                        choices=["critical", "error", "warning", "info", "debug"])
    parser.add_argument("--new-api-key", default=None, metavar="SCOPES",
                        help="print a new API key for SCOPES (model names, '*', 'admin') and "
                             "the line to add to --api-key-file, then exit")
    parser.add_argument("--key-label", default="", help="label stored with --new-api-key")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from torchworks.commands.serve_checks import check_serve_args, is_loopback
    from torchworks.errors import require

    if args.new_api_key is not None:
        from torchworks.serving.auth import new_key

        key, line = new_key(args.new_api_key, args.key_label)
        print(f"API key (give it to the client; it is not stored anywhere): {key}")
        print(f"append this line to your --api-key-file:\n{line}")
        return 0
    require("fastapi", "serve")
    require("uvicorn", "serve")
    from torchworks.serving.app import ServerConfig, create_app
    from torchworks.serving.auth import KeyRing
    from torchworks.serving.origin import allowed_hosts_for
    from torchworks.serving.shutdown import draining_server

    check_serve_args(args)
    from torchworks.llm.threads import configure_threads, default_threads
    from torchworks.serving.batching import default_torch_threads

    # model threads copy the setting; ONNX Runtime sessions read it too
    threads = configure_threads(args.torch_threads
                                or min(default_torch_threads(), default_threads()))
    specs = _specs(args)
    keys = KeyRing.from_file(args.api_key_file) if args.api_key_file else None
    if keys is None and not is_loopback(args.host):
        print(f"torchworks: warning: serving on {args.host} without --api-key-file "
              "(--insecure-no-auth): anyone who can reach this port can use and reload the "
              "models", file=sys.stderr)
    hosts = allowed_hosts_for(args.host, args.allowed_host or ())
    if (keys is not None or not is_loopback(args.host)) and not args.allowed_host:
        hosts = None  # reached under names it cannot know; keys (or the user's say) guard it
    app = create_app(specs, ServerConfig(models_dir=args.models, api_keys=keys,
                                         static_dir=_static_dir(args, specs),
                                         max_body_bytes=args.max_body_bytes,
                                         allowed_hosts=hosts,
                                         drain_timeout_s=args.drain_timeout_s))
    print(f"torchworks serve: {', '.join(s.name for s in specs)} on http://{args.host}:{args.port}"
          f" (docs: /docs; {threads} torch thread(s))", file=sys.stderr)
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn re-raises the Ctrl-C it drained on
        draining_server(app, host=args.host, port=args.port, log_level=args.log_level).run()
    # The server is closed and its models unloaded: nothing is left to save. The interpreter's
    # own teardown (collections and deallocation over every object of torch, transformers and
    # the models) took most of an idle Ctrl-C's 26-29 s, so end the process here instead.
    import logging
    import os

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _specs(args: argparse.Namespace) -> list:
    import dataclasses

    from torchworks.errors import ConfigError
    from torchworks.service_catalog import SERVICES, load_service
    from torchworks.serving.generation import GenerationSpec

    names = [n.strip() for n in (args.services or "").split(",") if n.strip()]
    if not names:
        names = sorted(n for n in SERVICES if not n.startswith("toy-"))
    if not names:
        raise ConfigError("no services to serve", fix="pass --services, e.g. --services toy-mlp")
    specs = []
    for name in names:
        spec = load_service(name)
        if isinstance(spec, GenerationSpec):
            changes = {"max_running": args.max_running}
        else:
            changes = {"max_batch_size": args.max_batch_size,
                       "max_queue_delay_ms": args.max_queue_delay_ms}
        changes["timeout_s"] = args.timeout_s
        specs.append(dataclasses.replace(spec, **{k: v for k, v in changes.items()
                                                  if v is not None}))
    return specs


def _static_dir(args: argparse.Namespace, specs: list) -> Path | None:
    """--static, else the packaged workbench (torchworks/web) when patent services are hosted."""
    if args.no_web:
        return None
    if args.static is not None or not any(s.name.startswith("patents-") for s in specs):
        return args.static
    return Path(__file__).resolve().parent.parent / "web"
