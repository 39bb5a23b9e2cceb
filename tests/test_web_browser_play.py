"""The web app in headless Chromium (Debian's `chromium`, driven by Playwright; no browser is
downloaded): a student plays the whole Portsmouth conference as Russia against the scenario's
agents, whatever its protocol, and reaches the debrief; a hostile label stays text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import launched, require

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("altair")
require()

from web_server import serving  # noqa: E402

HOSTILE = "<img src=x onerror=window.pwned=1><script>window.pwned=2</script>"
TEMPLATE = Path(__file__).resolve().parents[1] / "src" / "entente" / "templates" / "minimal.toml"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("web") / "web.sqlite3") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:
        yield b


@pytest.fixture()
def page(browser: Any, base: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.problems = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    pg.on("dialog", lambda d: (pg.problems.append("dialog: " + d.message), d.dismiss()))
    pg.on(
        "request",
        lambda r: (
            r.url.startswith(base)
            or r.url.startswith("data:")
            or pg.problems.append("off-site: " + r.url)
        ),
    )
    yield pg
    context.close()


def test_a_student_plays_portsmouth_as_russia_to_the_debrief(page: Any, base: str) -> None:
    page.goto(base + "/?scenario=portsmouth")
    page.wait_for_selector("#parties input[value=russia]")
    page.check("#parties input[value=russia]")
    page.uncheck("#show-space")  # the live chart of offers only: keeps the test fast
    page.click("#start")
    page.wait_for_url(re.compile(r"/play/"))
    moves = 0
    while True:
        page.wait_for_selector("#your-turn, #outcome", timeout=15_000)
        if page.locator("#outcome").count():
            break
        moves += 1
        assert moves < 200, "the game never ended"
        before = page.locator("#moves tr").count()
        # a student who holds out for a few moves, then takes what is on the table
        if page.locator("#accept").count() and moves > 3 and page.locator("#accept").is_enabled():
            page.click("#accept")
        elif page.locator("#reject").count():
            page.locator("input.objection").first.check()
            page.click("#reject")
        elif page.locator("#offer").count():
            page.click("#offer")
        else:
            page.click("#walk")
        page.wait_for_function(
            "n => !document.querySelector('#your-turn') || document.querySelectorAll('#moves tr').length > n",
            arg=before,
        )
    final = page.locator("#final-utility").inner_text()
    assert re.fullmatch(r"\d\.\d{3}", final)
    page.wait_for_selector("#chart-offers svg")  # the live chart of offers is drawn
    page.click("#debrief-link")
    page.wait_for_selector("#debrief-utility")
    assert page.locator("#debrief-utility").inner_text() == final
    page.wait_for_selector("#chart-space svg", timeout=20_000)
    assert page.locator("#value-own").inner_text().startswith("What you could have had")
    assert "History" in page.locator("#history-body").inner_text()
    assert "in your seat" in page.locator("#agent-result").inner_text()
    assert page.problems == []


def test_a_hostile_label_stays_text(page: Any, base: str, tmp_path: Path) -> None:
    text = TEMPLATE.read_text()
    text = text.replace('name = "Northland"', f'name = "{HOSTILE}"', 1)
    text = text.replace('name = "Course of the border"', f'name = "{HOSTILE}"', 1)
    assert text.count(HOSTILE) == 2
    f = tmp_path / "hostile.toml"
    f.write_text(text)
    page.goto(base + "/")
    page.wait_for_selector("#upload-form input[type=file]", state="attached")
    page.click("summary")
    page.set_input_files("#upload", str(f))
    page.click("#upload-form button")
    page.wait_for_selector("#parties input[value=north]")
    assert HOSTILE in page.locator("#parties").inner_text()
    page.check("#parties input[value=south]")
    page.click("#start")
    page.wait_for_selector("#your-turn, #outcome")
    page.wait_for_selector("#composer")
    assert HOSTILE in page.locator("#composer").inner_text()
    assert page.locator("#composer img").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned === undefined")
    assert page.problems == []


def test_watch_a_run_round_by_round(page: Any, base: str) -> None:
    page.goto(base + "/watch")
    page.wait_for_selector("#strategies input.strategy")
    page.select_option("#protocol", "mediated")
    page.fill("#deadline", "6")
    page.click("#run")
    page.wait_for_url(re.compile(r"/watch/\w"))
    page.wait_for_selector("#chart-space svg")
    total = int(re.fullmatch(r"round (\d+) of (\d+)", page.locator("#where").inner_text())[2])  # type: ignore[index]
    assert 1 <= total <= 6
    page.click("#first")
    page.wait_for_function(
        "() => document.querySelector('#where').textContent.startsWith('round 0 ')"
    )
    assert page.locator("#move-list tr").count() == 1  # the heading alone
    page.click("#step")
    page.wait_for_function(
        "() => document.querySelector('#where').textContent.startsWith('round 1 ')"
    )
    assert page.locator("#move-list tr").count() > 1
    page.click("#play")
    page.wait_for_function(
        f"() => document.querySelector('#where').textContent === 'round {total} of {total}'",
        timeout=20_000,
    )
    page.wait_for_function("() => document.querySelector('#play').textContent.includes('play')")
    page.wait_for_selector("#chart-offers svg")
    assert page.problems == []
