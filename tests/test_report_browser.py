"""The HTML report opened in headless Chromium (Debian's `chromium`, driven by Playwright; no
browser is ever downloaded): it draws every chart with no console error, the charts are not
blank, hostile scenario text stays text, and the page makes no network request."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import launched, require

pytest.importorskip("altair")
require()
pytest.importorskip("vl_convert")

from cli_run import cli  # noqa: E402

PORTSMOUTH = (
    Path(__file__).resolve().parents[1] / "src" / "entente" / "scenarios" / "portsmouth.toml"
)
HOSTILE = "<script>alert(1)</script>"

INK = """async (b64) => {
  const img = new Image();
  img.src = "data:image/png;base64," + b64;
  await img.decode();
  const c = document.createElement("canvas");
  c.width = img.width; c.height = img.height;
  const g = c.getContext("2d");
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let ink = 0, chromatic = 0;
  const hues = new Set();
  for (let i = 0; i < d.length; i += 4) {
    const r = d[i], gr = d[i + 1], b = d[i + 2];
    if (r < 235 || gr < 235 || b < 235) ink++;
    if (Math.max(r, gr, b) - Math.min(r, gr, b) > 80) {
      chromatic++;
      hues.add((r >> 6) * 16 + (gr >> 6) * 4 + (b >> 6));
    }
  }
  return [ink, chromatic, hues.size, c.width * c.height];
}"""
"""Decode a PNG in the browser: (pixels not near white, pixels of a clear colour (not grey),
coarse colours among those, pixels)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:
        yield b


class Opened:
    """A report open in a page, with what the page logged and asked for."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.browser = browser
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_function(
            "document.querySelectorAll('.chart').length > 0 && "
            "document.querySelectorAll('.chart:not([data-rendered])').length === 0",
            timeout=60_000,
        )

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file:", "about:", "data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    def charts(self) -> list[Any]:
        return list(self.page.query_selector_all(".chart"))

    def ink(self, element: Any) -> tuple[int, int, int, int]:
        png = element.screenshot()
        scratch = self.browser.new_page()
        try:
            ink, chromatic, hues, size = scratch.evaluate(INK, base64.b64encode(png).decode())
        finally:
            scratch.close()
        return int(ink), int(chromatic), int(hues), int(size)


def write(tmp: Path, *args: str | Path) -> Path:
    out = tmp / "report.html"
    r = cli("report", *args, "-o", out)
    assert r.code == 0, r.err
    return out


@pytest.fixture(scope="module")
def portsmouth(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opened]:
    opened = Opened(browser, write(tmp_path_factory.mktemp("browser"), "portsmouth"))
    yield opened
    opened.page.close()


def test_every_chart_draws_without_a_console_error(portsmouth: Opened) -> None:
    states = [c.get_attribute("data-rendered") for c in portsmouth.charts()]
    assert states == ["yes"] * 5, states
    assert portsmouth.errors == []
    for chart in portsmouth.charts():
        assert chart.query_selector("svg") is not None


def test_no_chart_is_blank(portsmouth: Opened) -> None:
    for chart in portsmouth.charts():
        box = chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        ink, chromatic, hues, size = portsmouth.ink(chart)
        kind = chart.get_attribute("data-kind")
        # axes and titles alone ink about 1% of a chart; marks in colour, much more
        assert ink > 0.03 * size, f"{kind}: only {ink} of {size} pixels drawn"
        assert chromatic > 200, f"{kind}: only {chromatic} pixels in colour"
        assert hues >= 2, f"{kind}: {hues} colours"


def test_the_page_asks_for_nothing_but_itself(portsmouth: Opened) -> None:
    assert portsmouth.requests
    assert all(u.startswith("file:") for u in portsmouth.requests), portsmouth.requests
    # the page's own policy forbids fetching anything, so a chart cannot reach out either
    blocked = portsmouth.page.evaluate(
        "() => fetch('https://example.org/').then(() => 'fetched', (e) => 'refused')"
    )
    assert blocked == "refused"
    assert all(u.startswith("file:") for u in portsmouth.requests), portsmouth.requests
    portsmouth.errors.clear()  # the refusal above is logged by the browser


def test_hostile_names_show_as_text(browser: Any, tmp_path: Path) -> None:
    text = PORTSMOUTH.read_text().replace('name = "Empire of Japan"', f'name = "{HOSTILE}"', 1)
    (tmp_path / "hostile.toml").write_text(text)
    opened = Opened(browser, write(tmp_path, tmp_path / "hostile.toml"))
    try:
        assert opened.dialogs == []
        assert opened.errors == []
        assert HOSTILE in opened.page.inner_text("#summary + table")
        assert [c.get_attribute("data-rendered") for c in opened.charts()] == ["yes"] * 5
        # the name reaches the charts as text (an axis title of the utility space)
        svg = opened.charts()[0].inner_html()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    finally:
        opened.page.close()
