"""Take the README's screenshot of the web app: Portsmouth as Russia, a few moves in.

Run from the repository root: .venv/bin/python scripts/web_screenshot.py (needs the web and
test extras and Debian's chromium). Writes docs/img/web-play.png.
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from web_server import serving  # noqa: E402


def main() -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with (
        tempfile.TemporaryDirectory() as tmp,
        serving(Path(tmp) / "web.sqlite3") as base,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(base + "/?scenario=portsmouth")
        page.wait_for_selector("#parties input[value=russia]")
        page.check("#parties input[value=russia]")
        page.uncheck("#show-space")
        page.click("#start")
        for _ in range(4):  # Russia states its position, then objects to what it cannot take
            page.wait_for_selector("#your-turn")
            before = page.locator("#moves tr").count()
            if page.locator("#reject").count():
                page.locator("input.objection").nth(8).check()
                page.click("#reject")
            else:
                page.click("#offer")
            page.wait_for_function(
                "n => document.querySelectorAll('#moves tr').length > n", arg=before
            )
        page.wait_for_selector("#chart-offers svg")
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(500)
        png = page.screenshot(full_page=False)
        browser.close()
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img = img.resize((960, round(img.height * 960 / img.width)), Image.LANCZOS)
    img = img.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    out = ROOT / "docs" / "img" / "web-play.png"
    img.save(out, optimize=True)
    print(out, out.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
