"""Debian's `chromium` driven by Playwright, for the tests that open pages in a browser: never a
downloaded browser. `require()` skips the calling test module when Playwright or chromium is
missing; `launched()` starts one headless browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require() -> Any:
    """Playwright's sync API; skips the calling module when it or chromium is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            "no chromium: install Debian's package (apt-get install chromium; test.sh does as root)",
            allow_module_level=True,
        )
    return sync_api


@contextmanager
def launched() -> Iterator[Any]:
    """One headless chromium, closed on the way out."""
    with require().sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()
