"""Hostile strings in every string field of a scenario come out of every treaty format as text.

HTML is parsed with html.parser: no element or attribute beyond those the renderer writes, and
ids that are slugs. Akoma Ntoso is parsed with lxml: always well-formed, even with control
characters that XML 1.0 cannot hold. Markdown is rendered by a CommonMark parser: no raw HTML,
link, image or emphasis comes from the scenario's words.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields, is_dataclass, replace
from html.parser import HTMLParser
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from entente.errors import ScenarioError
from entente.treaty.build import build, printable
from entente.treaty.model import Treaty
from entente.treaty.render_akn import render_akn
from entente.treaty.render_html import render_html
from entente.treaty.render_md import escape_md, render_md

etree: Any = pytest.importorskip("lxml.etree")  # a test extra, as in test_treaty.py

HOSTILE = [
    'k"><script>alert(1)</script><x y="',
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1)) ![i](x.png) <http://evil>",
    "*em* _em_ **b** `code` ~~s~~ &amp; &#60;script&#62; | cell |",
    "# heading\n\n> quote\n- item\n1. first\n---\n    code",
    "ctl\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff end",
    "' onmouseover='alert(1)",
]


def _s(text: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML escapes)."""
    return json.dumps(text)


def hostile_scenario(h: str) -> str:
    """A scenario with `h` (made unique per field) in every string a treaty shows."""
    n = iter(range(1000))

    def v() -> str:
        return _s(f"{h} {next(n)}")

    return f"""
id = "hostile"
title = {v()}
description = {v()}
venue = {v()}
[dates]
signed = "1905-08-23 OS"
[protocol]
name = "mediated"
[[issues]]
id = "border"
name = {v()}
options = [{{ id = "north", label = {v()} }}, {{ id = "south", label = {v()} }}]
[[issues]]
id = "toll"
name = {v()}
options = [{{ id = "yes", label = {v()} }}, {{ id = "no", label = {v()} }}]
[[parties]]
id = "a"
name = {v()}
delegates = [{{ name = {v()}, title = {v()} }}]
weights = {{ border = 1, toll = 1 }}
values = {{ border = {{ north = 1.0, south = 0.0 }}, toll = {{ yes = 0.0, no = 1.0 }} }}
[[parties]]
id = "b"
name = {v()}
delegates = [{{ name = {v()}, title = {v()} }}, {{ name = {v()} }}]
weights = {{ border = 1, toll = 1 }}
values = {{ border = {{ north = 0.0, south = 1.0 }}, toll = {{ yes = 1.0, no = 0.0 }} }}
[[mediators]]
id = "m"
name = {v()}
delegates = [{{ name = {v()}, title = {v()} }}]
[history]
outcome = {{ border = "north", toll = "yes" }}
[treaty]
title = {v()}
short_title = {v()}
place = {v()}
date = "1905-08-23 OS"
languages = [{v()}, {v()}]
purpose = {v()}
attestation = {v()}
[treaty.sovereigns]
a = {v()}
[[treaty.articles]]
key = {_s(h)}
heading = {v()}
text = {v()}
obligations = [{{ id = {v()}, holder = "a", action = {v()}, object = {v()}, conditions = [{v()}] }}]
[[treaty.articles]]
key = {v()}
heading = {v()}
issue = "border"
[[treaty.articles]]
key = {v()}
kind = "additional"
heading = {v()}
text = {v()}
[treaty.clauses.border]
north = {{ text = {v()}, obligations = [{{ id = {v()}, holder = ["a", "b"], action = {v()}, deadline = "1906-01-01" }}] }}
south = {v()}
[treaty.clauses.toll]
yes = {v()}
no = {v()}
"""


MARK = "HOSTILE"


def substitute(obj: Any, h: str) -> Any:
    """`obj` with MARK replaced by `h` in every string it holds (dataclasses, tuples)."""
    if isinstance(obj, str):
        return obj.replace(MARK, h)
    if isinstance(obj, tuple):
        return tuple(substitute(x, h) for x in obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return replace(obj, **{f.name: substitute(getattr(obj, f.name), h) for f in fields(obj)})
    return obj


_TEMPLATE: dict[str, Treaty] = {}


def treaty_of(h: str) -> Treaty:
    """The treaty of the hostile scenario with `h` in every string: loaded from TOML when the
    loader takes `h` as it is, else built with a marker and `h` put in its place (a scenario
    made in code does not pass the loader's refusal of control characters)."""
    from entente.formats.scenario_toml import loads

    try:
        sc = loads(hostile_scenario(h))
    except ScenarioError:
        if "t" not in _TEMPLATE:
            tpl = loads(hostile_scenario(MARK))
            assert tpl.history is not None and tpl.history.outcome is not None
            _TEMPLATE["t"] = build(tpl, tpl.history.outcome)
        return cast(Treaty, substitute(_TEMPLATE["t"], h))
    assert sc.history is not None and sc.history.outcome is not None
    return build(sc, sc.history.outcome)


# The elements and attributes the HTML renderer writes itself.
HTML_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "div", "p",
             "section", "ul", "li", "strong", "table", "tr", "th", "td"}  # fmt: skip
HTML_ATTRS = {"lang", "charset", "class", "id"}


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(page: str, h: str) -> None:
    c = Collector()
    c.feed(page)
    c.close()
    assert {t for t, _ in c.tags} <= HTML_TAGS
    for _, attrs in c.tags:
        assert {k for k, _ in attrs} <= HTML_ATTRS
        for k, val in attrs:
            if k == "id":
                assert val is not None and re.fullmatch(r"[a-z0-9_-]+", val)
    assert printable(f"{h} 0") in "".join(c.text) or printable(h) in "".join(c.text)


def check_akn(xml: str, t: Treaty) -> None:
    root = etree.fromstring(xml.encode("utf-8"))  # raises when not well-formed
    tags = {etree.QName(el).localname for el in root.iter() if isinstance(el.tag, str)}
    assert "script" not in tags and "img" not in tags
    ns = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
    title = printable(t.title).replace("\r\n", "\n").replace("\r", "\n")  # XML line ends
    assert root.findtext(".//a:docTitle", namespaces=ns) == title
    for el in root.iter():
        for value in el.attrib.values():
            assert printable(value) == value


def check_md(md: str) -> None:
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md)
    c = Collector()
    c.feed(html)
    allowed = {"h1", "h2", "h3", "p", "em", "strong", "hr", "ul", "li", "table", "thead",
               "tbody", "tr", "th", "td"}  # fmt: skip
    assert {t for t, _ in c.tags} <= allowed, html
    # the only emphasis is the renderer's own: the short title, the signatories' names
    assert html.count("<em>") == 1 and html.count("<strong>") == 3
    assert "<code>" not in html and "<a " not in html and "<del>" not in html


@pytest.mark.parametrize("h", HOSTILE)
def test_hostile_strings_stay_text_in_every_format(h: str) -> None:
    t = treaty_of(h)
    assert len(t.articles) == 4 and t.obligations and not t.warnings
    check_html(render_html(t), h)
    check_akn(render_akn(t), t)
    check_md(render_md(t))


def test_the_reported_article_key_no_longer_injects_a_script() -> None:
    t = treaty_of('k"><script>alert(1)</script><x y="')
    page = render_html(t)
    assert "<script>" not in page and 'id="art-k-script-alert-1-script-x-y"' in page


def test_markdown_text_round_trips_through_commonmark() -> None:
    """What a reader sees in rendered Markdown is the scenario's words, character for character."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for h in HOSTILE:
        line = " ".join(printable(h).split())
        html = md.render(escape_md(h))
        c = Collector()
        c.feed(html)
        assert {t for t, _ in c.tags} == {"p"}, html
        assert "".join(c.text).strip() == line


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_text_is_escaped_in_every_format(h: str) -> None:
    """Any string (controls, surrogates excluded by TOML, markup) in every field: the three
    formats stay what the renderers make of them."""
    if not h.strip():
        h = h + "x"
    t = treaty_of(h)
    check_html(render_html(t), h)
    check_akn(render_akn(t), t)
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(render_md(t))
    assert "<script" not in md and "<a " not in md and "<img" not in md and "<code>" not in md
