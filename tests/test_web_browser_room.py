"""A room in headless Chromium (Debian's `chromium`, driven by Playwright; no browser is
downloaded): a teacher opens a room, two students join it and play each other while the
teacher's dashboard follows every move without a reload, and at the end the agreement is on the
dashboard's frontier chart; a hostile display name stays text on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from browser import launched, require

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("altair")
require()

from web_server import serving  # noqa: E402

HOSTILE = '<img src=x onerror="window.pwned=1">'


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("web") / "web.sqlite3") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:
        yield b


class Person:
    """One browser of its own (cookies apart), with what its page logged."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.problems: list[str] = []
        pg = self.page
        pg.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        pg.on("pageerror", lambda e: self.problems.append(str(e)))
        pg.on("dialog", lambda d: (self.problems.append("dialog: " + d.message), d.dismiss()))
        pg.on(
            "request",
            lambda r: (
                r.url.startswith((base, "data:")) or self.problems.append("off-site: " + r.url)
            ),
        )


@pytest.fixture()
def people(browser: Any, base: str) -> Iterator[list[Person]]:
    made = [Person(browser, base) for _ in range(3)]
    yield made
    for p in made:
        p.context.close()


def moves_shown(teacher: Any, n: int) -> None:
    """The dashboard shows `n` moves in all, without being reloaded."""
    teacher.wait_for_selector(f"#tables[data-moves='{n}']", timeout=10_000)


def test_two_students_play_each_other_while_the_dashboard_follows(
    people: list[Person], base: str
) -> None:
    teacher, ann, bob = people
    t = teacher.page
    t.goto(base + "/teach")
    t.wait_for_selector("#scenario option[value=portsmouth]", state="attached")
    t.select_option("#scenario", "portsmouth")
    t.wait_for_selector("#party option[value=russia]", state="attached")
    t.select_option("#party", "russia")
    t.fill("#deadline", "3")
    t.uncheck("#show-space")
    t.click("#open")
    t.wait_for_url(re.compile(r"/teach/[A-Z2-9]{6}$"))
    code = t.url.rsplit("/", 1)[-1]
    t.wait_for_selector("#tables p.muted")  # no table yet
    loaded = t.evaluate("performance.timeOrigin")

    ann.page.goto(f"{base}/join")
    ann.page.fill("#code", code.lower())
    ann.page.fill("#name", HOSTILE)
    ann.page.click("#join")
    ann.page.wait_for_selector("#wait-card:not([hidden])")
    assert ann.page.locator("#waiting").inner_text() == f"Waiting for a partner, {HOSTILE}…"
    t.wait_for_function(
        "name => document.querySelector('#waiting').textContent.includes(name)", arg=HOSTILE
    )

    bob.page.goto(f"{base}/room/{code}")
    bob.page.fill("#name", "Bob")
    bob.page.click("#join")
    bob.page.wait_for_url(re.compile(r"/play/"))
    ann.page.wait_for_url(re.compile(r"/play/"))  # told by the room's events, no reload
    assert ann.page.url == bob.page.url
    t.wait_for_selector("#tables-table tr[data-table='1']")
    names = t.locator("#tables-table .student").all_inner_texts()
    assert names == ["Bob", HOSTILE]  # Japan first, in the scenario's order; as text

    made = {"ann": 0, "bob": 0}
    for _ in range(40):
        for person in (ann, bob):
            person.page.wait_for_selector("#your-turn, #outcome, p.big", timeout=10_000)
        if ann.page.locator("#outcome").count() and bob.page.locator("#outcome").count():
            break
        acted = False
        for who, person in (("ann", ann), ("bob", bob)):
            pg = person.page
            if not pg.locator("#your-turn").count():
                continue
            # each holds out once (objects, or counters), then accepts what is on the table
            if made[who] and pg.locator("#accept").count() and pg.locator("#accept").is_enabled():
                pg.click("#accept")
            elif pg.locator("#reject").count():
                pg.locator("input.objection").first.check()
                pg.click("#reject")
            elif pg.locator("#offer").count():
                pg.click("#offer")
            else:
                pg.click("#walk")
            made[who] += 1
            acted = True
            moves_shown(t, made["ann"] + made["bob"])
            break
        if not acted:
            ann.page.wait_for_timeout(100)
    else:
        raise AssertionError("the game did not end")
    assert made["ann"] >= 2 and made["bob"] >= 2
    assert t.evaluate("performance.timeOrigin") == loaded  # the dashboard was never reloaded

    t.wait_for_selector("#tables-table tr.done")
    t.wait_for_selector("#chart-space[data-finished='1'] svg", timeout=20_000)
    assert "1 table(s) finished" in t.locator("#debrief-note").inner_text()
    agreed = "1 with an agreement" in t.locator("#debrief-note").inner_text()
    assert agreed == t.locator("#tables-table td.end").inner_text().startswith("agreement:")
    assert t.locator("#spread table").count() >= 1
    assert t.locator("#csv").get_attribute("href") == f"/api/rooms/{code}/export.csv"
    for person in people:
        assert person.page.locator("img").count() == 0
        assert person.page.evaluate("window.pwned === undefined")
        assert person.problems == []


def test_a_student_cannot_open_the_dashboard(people: list[Person], base: str) -> None:
    teacher, student, _ = people
    teacher.page.goto(base + "/teach")
    teacher.page.wait_for_selector("#party option", state="attached")
    teacher.page.click("#open")
    teacher.page.wait_for_url(re.compile(r"/teach/[A-Z2-9]{6}$"))
    code = teacher.page.url.rsplit("/", 1)[-1]
    student.page.goto(f"{base}/teach/{code}")
    student.page.wait_for_function("document.querySelector('#error').textContent.length > 0")
    assert "only the teacher" in student.page.locator("#error").inner_text()
    assert student.page.locator("#tables-table").count() == 0
    assert [p for p in student.problems if "403" not in p] == []
