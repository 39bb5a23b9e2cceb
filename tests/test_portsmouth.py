"""The Portsmouth scenario: its sources, the calibration's own logic, and the conference it
models. Nothing here asserts that a run reproduces the treaty of 1905: a run's result is
reported (README, `entente run`), not tested against history."""

from __future__ import annotations

import re

import numpy as np
import pytest

import entente
from entente import registry
from entente.negotiation.conference import Conference, ConferenceState
from entente.scenario import Scenario
from entente.summary import settled_rounds, settlements, summarize


def test_the_scenario_says_who_was_there(portsmouth: Scenario) -> None:
    assert [p.id for p in portsmouth.parties] == ["japan", "russia"]
    names = {d.name for p in portsmouth.parties for d in p.delegates}
    assert {"Baron Komura Jutaro", "Takahira Kogoro", "Sergei Witte", "Baron Roman Rosen"} <= names
    assert portsmouth.mediators[0].delegates[0].name == "Theodore Roosevelt"
    assert {o.id for o in portsmouth.observers} == {"britain", "germany", "france"}
    assert portsmouth.dates["signed"].render() == "23 August (5 September) 1905"
    assert portsmouth.dates["opened"].iso() == "1905-08-09"


def test_the_protocol_follows_the_conference(portsmouth: Scenario) -> None:
    """Sittings from 10 August, Japan's articles in the conference's order, the mediator from
    19 August (Brinkley; the scenario's [protocol] comment)."""
    p = registry.protocol(portsmouth.protocol)
    assert isinstance(p, Conference)
    first = portsmouth.round_date(0)
    assert first is not None and first.iso() == "1905-08-10"
    entry = portsmouth.round_date(p.bilateral)
    assert entry is not None and entry.iso() == "1905-08-19"
    ids = [portsmouth.space.issues[i].id for i in p.agenda]
    assert ids[:6] == ["korea", "evacuation", "open_door", "administration", "liaotung", "sakhalin"]
    assert {"fortification", "straits"}.isdisjoint(ids)  # not among Japan's twelve articles


def test_japans_twelve_demands_and_the_added_terms_are_issues(portsmouth: Scenario) -> None:
    ids = {i.id for i in portsmouth.space.issues}
    demands = {"korea", "evacuation", "administration", "open_door", "sakhalin", "liaotung",
               "railway", "indemnity", "warships", "naval_limit", "fishing"}  # fmt: skip
    added = {"fortification", "straits", "railway_use"}
    assert demands | added <= ids
    sakhalin = portsmouth.space.issues[portsmouth.space.issue_index("sakhalin")]
    assert sakhalin.options == ("russian", "south", "japanese")


def _outcome(sc: Scenario, **choice: str) -> tuple[int, ...]:
    return tuple(iss.options.index(choice[iss.id]) for iss in sc.space.issues)


RUSSIAS_WAY = dict(
    korea="independent", evacuation="none", administration="silent", open_door="silent",
    sakhalin="russian", liaotung="russian", railway="russian", railway_use="free",
    indemnity="none", warships="retained", naval_limit="unlimited", fishing="none",
    fortification="none", straits="free",
)  # fmt: skip
ESSENTIALS = dict(
    RUSSIAS_WAY, korea="paramount", evacuation="mutual", liaotung="japanese", railway="harbin"
)


def test_the_reservations_follow_the_instructions(portsmouth: Scenario) -> None:
    """The anchors the file states, from the instructions alone: Japan prefers a peace with the
    first tier only to breaking off; Russia would sign the first tier, and not the first tier
    with both the whole of Sakhalin and war costs; the first tier is Japan's red lines."""
    japan, russia = (p.prefs for p in portsmouth.parties)
    ess = _outcome(portsmouth, **ESSENTIALS)
    both = _outcome(portsmouth, **{**ESSENTIALS, "sakhalin": "japanese", "indemnity": "full"})
    assert japan(ess) > japan.reservation
    assert russia(ess) > russia.reservation > russia(both)
    assert japan.feasible(np.asarray([ess]))[0]
    for issue, option in (("korea", "independent"), ("evacuation", "none"),
                          ("liaotung", "russian"), ("railway", "russian")):  # fmt: skip
        denied = _outcome(portsmouth, **{**ESSENTIALS, issue: option})
        assert not japan.feasible(np.asarray([denied]))[0], issue
    stated = re.findall(r"worth (0\.\d+) to Japan and (0\.\d+) to Russia", _header())
    assert stated == [(f"{japan(ess):.3f}", f"{russia(ess):.3f}")]


def _header() -> str:
    from conftest import SCENARIOS

    head = (SCENARIOS / "portsmouth.toml").read_text().split("\nid =")[0]
    return " ".join(w for w in head.split() if w != "#")


ENDGAME = re.compile(r"2[3-9] August|Meyer|2[3-9] Aug", re.IGNORECASE)


def test_every_number_of_the_parties_is_a_sourced_range_without_the_endgame(
    portsmouth: Scenario,
) -> None:
    """Each uncertain number names a source and a reason, its point lies in its range, and no
    source or reason of a party or constituency draws on 23-29 August."""
    assert len(portsmouth.uncertain) > 50
    for u in portsmouth.uncertain:
        assert u.source and u.rationale, u.path
        assert u.dist.low <= u.dist.point <= u.dist.high, u.path
        assert not ENDGAME.search(u.source + " " + u.rationale), u.path
    for p in portsmouth.parties:
        assert not ENDGAME.search(p.rationale), p.id
        assert p.prefs.reservation in {u.dist.point for u in portsmouth.uncertain}
    weights = {u.path for u in portsmouth.uncertain if ".weights." in u.path}
    for party in ("japan", "russia"):
        for iss in portsmouth.space.issues:
            assert f"parties.{party}.weights.{iss.id}" in weights


def test_the_chronology_covers_every_issue_once_with_a_source(portsmouth: Scenario) -> None:
    h = portsmouth.history
    assert h is not None
    assert sorted(s.issue for s in h.settled) == list(range(portsmouth.space.n_issues))
    keys = {s.key for s in portsmouth.sources}
    for s in h.settled:
        assert s.source in keys and "1905-08-14" <= s.date.iso() <= "1905-08-29"


def test_the_default_run_makes_no_random_draw(portsmouth: Scenario) -> None:
    """Boulware parties and the informed mediator draw nothing: every seed gives one run."""
    a, b = (
        entente.trace_jsonl(
            entente.negotiate(portsmouth, seed=s), portsmouth.space, portsmouth.prefs
        )
        for s in (1, 2)
    )
    assert a == b and a.count("\n") > 10


def test_the_run_keeps_the_rules_of_the_conference(portsmouth: Scenario) -> None:
    """The parties sit alone before the mediator enters; what a sitting settled stands in the
    agreement; an agreement beats both reservations; the chronology compares every issue."""
    r = entente.negotiate(portsmouth, seed=0)
    p = registry.protocol(portsmouth.protocol)
    n = len(portsmouth.parties)
    assert all(m.actor < n for m in r.moves if m.round < p.bilateral)
    assert any(m.actor == n for m in r.moves if m.round == p.bilateral)
    state = r.state
    assert isinstance(state, ConferenceState)
    if r.agreement is not None:
        for i, option, _ in state.settled:
            assert r.agreement[i] == option
        for party in portsmouth.parties:
            assert party.prefs(r.agreement) >= party.prefs.reservation
    s = summarize(portsmouth, r, portsmouth.protocol, 0)
    assert [x.issue for x in s.chronology] == [x.issue for x in portsmouth.history.settled]  # type: ignore[union-attr]
    rounds = settled_rounds(r, settlements(r))
    for x in s.chronology:
        assert x.round == rounds.get(x.issue)


@pytest.mark.parametrize(
    ("protocol", "strategy"),
    [
        ("mediated", None),
        ("alternating", "boulware(e=0.2)"),
        ("alternating", "conceder"),
        ("alternating", "learner"),
    ],
)
def test_parties_mindful_of_their_win_sets_sign_what_they_can_ratify(
    portsmouth: Scenario, protocol: str, strategy: str | None
) -> None:
    specs = {"japan": strategy, "russia": strategy} if strategy else None
    before = [p.prefs.red_lines for p in portsmouth.parties]
    r = entente.negotiate(portsmouth, protocol=protocol, strategies=specs, seed=2, win_sets=True)
    assert r.agreement is not None
    assert entente.ratify(portsmouth, r.agreement).next == "treaty"
    assert [p.prefs.red_lines for p in portsmouth.parties] == before  # the scenario is unchanged
