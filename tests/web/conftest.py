"""The workbench end to end: a real `torchworks serve` subprocess and Debian's headless Chromium.

One server per module hosts the three patent services behind an API key file (drafting is the
deterministic pipeline: no model to load). Chromium is driven by Playwright for
Python through `executable_path`: no browser is ever downloaded. Screenshots go to
$TORCHWORKS_WEB_ARTIFACTS (default .artifacts/web/).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from torchworks.errors import TorchworksError
from torchworks.serving.local import free_port, wait_ready

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")


def find_chromium() -> Path | None:
    """$TORCHWORKS_CHROMIUM, else the first Chromium build on PATH (Debian's `chromium`, Ubuntu's
    and Fedora's `chromium-browser`, Google's `google-chrome`): /usr/bin/chromium is Debian's
    name only."""
    if os.environ.get("TORCHWORKS_CHROMIUM"):
        path = Path(os.environ["TORCHWORKS_CHROMIUM"])
        return path if path.is_file() else None
    found = next((shutil.which(name) for name in CHROMIUM_NAMES if shutil.which(name)), None)
    return Path(found) if found else None


CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SERVICES = "patents-summarize,patents-check,patents-draft"


@dataclass
class Workbench:
    url: str
    api_key: str
    process: subprocess.Popen


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("TORCHWORKS_WEB_ARTIFACTS", ".artifacts/web"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    chromium = find_chromium()
    if chromium is None:
        pytest.skip(f"no Chromium ({', '.join(CHROMIUM_NAMES)} on PATH, or $TORCHWORKS_CHROMIUM): "
                    "install Debian's package (apt-get install chromium, or "
                    "scripts/bootstrap.sh --test-tools) or set TORCHWORKS_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=str(chromium),
            headless=True, args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 800})
        yield context
        context.close()


@pytest.fixture
def page(browser_context) -> Iterator[object]:
    """A fresh tab (so a fresh sessionStorage) at 1280x800."""
    tab = browser_context.new_page()
    tab.set_default_timeout(30_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    tab.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture(scope="module")
def workbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workbench]:
    from torchworks.serving.auth import new_key

    root = tmp_path_factory.mktemp("workbench")
    models = root / "models"
    models.mkdir()
    key, line = new_key("*", "web-tests")
    (root / "keys.txt").write_text(line + "\n", encoding="utf-8")
    port = free_port()
    log = open(root / "serve.log", "w+", encoding="utf-8")  # noqa: SIM115 - read on failure
    process = subprocess.Popen(
        [sys.executable, "-m", "torchworks", "serve", "--port", str(port), "--services",
         SERVICES, "--models", str(models), "--api-key-file", str(root / "keys.txt"),
         "--max-body-bytes", str(1 << 20), "--torch-threads", "2", "--log-level", "warning"],
        stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, alive=lambda: process.poll() is None, timeout_s=180)
    except TorchworksError as exc:
        process.kill()
        process.wait()
        log.seek(0)
        raise AssertionError(f"{exc}\n{log.read()[-4000:]}") from None
    yield Workbench(url, key, process)
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log.close()
