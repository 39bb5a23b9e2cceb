"""The audit of Portsmouth's obligations from 1905 to 1945, and the audit rules on small cases."""

from __future__ import annotations

import json

import pytest

from entente.audit.audit import audit, check_selectors
from entente.audit.timeline import Event, Succession
from entente.calendar import Date
from entente.scenario import Scenario
from entente.treaty.build import build
from entente.treaty.model import Article, Obligation, Period, Treaty


def _treaty(s: Scenario) -> Treaty:
    assert s.history is not None and s.history.outcome is not None
    return build(s, s.history.outcome)


def test_everything_waits_before_entry_into_force(portsmouth: Scenario) -> None:
    report = audit(_treaty(portsmouth), portsmouth.timeline, Date.parse("1905-09-20"))
    assert {v.status for v in report.verdicts} == {"pending"}


def test_ratified_within_fifty_days(portsmouth: Scenario) -> None:
    v = audit(_treaty(portsmouth), portsmouth.timeline).verdict("ratify.japan")
    assert v.status == "fulfilled" and v.since == Date.parse("1905-10-01 OS")


def test_fisheries_convention_fulfils_russia_undertaking(portsmouth: Scenario) -> None:
    t = _treaty(portsmouth)
    assert audit(t, portsmouth.timeline, Date.parse("1907-07-01")).verdict("fishing").status == "pending"  # fmt: skip
    v = audit(t, portsmouth.timeline, Date.parse("1910-01-01")).verdict("fishing")
    assert v.status == "fulfilled" and v.since is not None and v.since.iso() == "1907-07-28"
    assert v.event is not None and "fisheries" in v.event.title


def test_occupation_of_manchuria_violates_the_manchurian_terms(portsmouth: Scenario) -> None:
    t = _treaty(portsmouth)
    before = audit(t, portsmouth.timeline, Date.parse("1931-09-17"))
    after = audit(t, portsmouth.timeline, Date.parse("1931-12-31"))
    for oid in ("evacuation.japan", "chinese_administration.japan", "railway_use.japan"):
        assert before.verdict(oid).status in ("fulfilled", "in_force")
        v = after.verdict(oid)
        assert v.status == "violated" and v.since is not None and v.since.iso() == "1931-09-18"
        assert v.event is not None and v.event.party == "japan"
    assert after.verdict("evacuation.russia").status == "fulfilled"
    end = audit(t, portsmouth.timeline)  # the Manchurian breaches stay on record after 1945
    assert end.verdict("railway_use.japan").status == "violated"


def test_soviet_succession_with_its_reservation(portsmouth: Scenario) -> None:
    t = _treaty(portsmouth)
    assert audit(t, portsmouth.timeline, Date.parse("1924-12-31")).verdict("fishing").holder == "russia"  # fmt: skip
    v = audit(t, portsmouth.timeline, Date.parse("1926-01-01")).verdict("fishing")
    assert v.holder == "ussr" and v.status == "fulfilled"
    assert any("political responsibility" in r for r in v.reservations)
    assert audit(t, portsmouth.timeline).verdict("korea_mfn").holder == "japan"


def test_territorial_terms_end_in_1945(portsmouth: Scenario) -> None:
    report = audit(_treaty(portsmouth), portsmouth.timeline)
    for oid in (
        "sakhalin_cession",
        "no_fortification.japan",
        "straits.russia",
        "liaotung_transfer",
    ):
        v = report.verdict(oid)
        assert v.status == "terminated" and v.since is not None and v.since.iso() == "1945-09-02"
    assert not check_selectors(report.treaty, portsmouth.timeline)


def test_json_view_round_trips(portsmouth: Scenario) -> None:
    data = audit(_treaty(portsmouth), portsmouth.timeline).to_dict()
    back = json.loads(json.dumps(data))
    ob = next(o for o in back["obligations"] if o["id"] == "evacuation.japan")
    assert [h["status"] for h in ob["history"]] == ["pending", "fulfilled", "violated"]
    assert back["timeline"][0]["date_text"] == "23 August (5 September) 1905"


# ------------------------------------------------------------------ rules on a small treaty

D = Date.parse


def _small(*obligations: Obligation) -> Treaty:
    art = Article("a", "I", "", ("text",), obligations)
    return Treaty("t", "T", "T", (("p", "P"), ("q", "Q")), (), (), None, (), (art,), "", None, (), "", ())  # fmt: skip


def _ev(date: str, kind: str = "act", **kw: object) -> Event:
    return Event(D(date), kind, kw.pop("title", kind), **kw)  # type: ignore[arg-type]


EIF = _ev("1900-01-01", "entry_into_force")


def test_deadline_passing_unperformed_is_a_violation() -> None:
    ob = Obligation("pay", "p", "obligation", "pay", within=Period(30, "days"))
    report = audit(_small(ob), [EIF, _ev("1900-03-01", fulfils=("pay",))])
    v = report.verdict("pay")
    assert v.status == "cured"  # a late payment cures the breach, which stays on record
    assert [c.status for c in v.history] == ["pending", "violated", "cured"]
    assert v.history[1].date.iso() == "1900-01-31" and v.history[1].event is None


def test_suspension_and_resumption() -> None:
    ob = Obligation("ban", "p", "prohibition", "fortify")
    events = [EIF, _ev("1901-01-01", "suspension", suspends=("*",)), _ev("1902-01-01", "resumption", resumes=("ban",))]  # fmt: skip
    assert audit(_small(ob), events, D("1901-06-01")).verdict("ban").status == "suspended"
    assert audit(_small(ob), events).verdict("ban").status == "in_force"


def test_denunciation_ends_only_the_denouncing_party_obligations() -> None:
    a = Obligation("a", "p", "prohibition", "x")
    b = Obligation("b", "q", "prohibition", "y")
    report = audit(_small(a, b), [EIF, _ev("1905-01-01", "denunciation", party="q")])
    assert (report.verdict("a").status, report.verdict("b").status) == ("in_force", "terminated")


def test_period_expiry_and_succession_by_party_selector() -> None:
    a = Obligation("a", "p", "prohibition", "x", lasts=Period(10, "years"))
    succ = Succession("p", "p2", "P2", ("keeps its own view",))
    events = [EIF, _ev("1905-01-01", "succession", succession=succ), _ev("1906-01-01", violates=("party:p2",))]  # fmt: skip
    assert audit(_small(a), events).verdict("a").status == "violated"  # the timeline ends in 1906
    v = audit(_small(a), events, D("1911-01-01")).verdict("a")
    assert v.holder == "p2" and v.status == "terminated" and v.since == D("1910-01-01")
    assert [c.status for c in v.history] == ["in_force", "in_force", "violated", "terminated"]


@pytest.mark.parametrize(("start", "n", "unit", "end"), [
    ("1905-10-15", 18, "months", "1907-04-15"),
    ("1904-01-31", 1, "months", "1904-02-29"),
    ("1905-09-05", 50, "days", "1905-10-25"),
    ("1904-02-29", 1, "years", "1905-02-28"),
])  # fmt: skip
def test_periods(start: str, n: int, unit: str, end: str) -> None:
    assert Period(n, unit).after(D(start)).iso() == end  # type: ignore[arg-type]
