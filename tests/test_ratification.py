"""Ratification: Portsmouth's constituencies, win-sets on arrays, renegotiation after a failure."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from entente.ratification import Constituency, Ratifier
from entente.scenario import Scenario
from entente.settlement import narrowed, ratifier_of, ratify, settle, win_set


def _with(s: Scenario, **labels: str) -> tuple[int, ...]:
    assert s.history is not None and s.history.outcome is not None
    current = s.space.labels(s.history.outcome)
    return s.space.parse({**current, **labels})


def test_history_ratified_by_both_with_the_dissent_shown(portsmouth: Scenario) -> None:
    assert portsmouth.history is not None and portsmouth.history.outcome is not None
    r = ratify(portsmouth, portsmouth.history.outcome)
    assert r.ratified and r.next == "treaty"
    dissent = {p.party: [v.constituency for v in p.dissent] for p in r.parties}
    assert dissent == {"japan": ["press_public"], "russia": ["war_party"]}


def test_tsar_vetoes_the_whole_of_sakhalin(portsmouth: Scenario) -> None:
    r = ratify(portsmouth, _with(portsmouth, sakhalin="japanese"))
    russia = next(p for p in r.parties if p.party == "russia")
    assert not russia.ratified
    assert "tsar" in [v.constituency for v in russia.dissent]
    assert r.next == "no_treaty"


def test_japan_renegotiates_a_peace_without_anything(portsmouth: Scenario) -> None:
    outcome = _with(portsmouth, sakhalin="russian", liaotung="russian", railway="russian",
                    korea="consent", indemnity="none")  # fmt: skip
    r = ratify(portsmouth, outcome)
    assert [p.ratified for p in r.parties] == [False, True]
    assert r.next == "renegotiate"


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_win_set_on_arrays_matches_one_by_one(portsmouth: Scenario, seed: int) -> None:
    outcomes = portsmouth.space.sample(np.random.default_rng(seed), 8)
    for party in ("japan", "russia"):
        ws = win_set(portsmouth, party, outcomes)
        one = [
            next(p for p in ratify(portsmouth, tuple(map(int, o))).parties if p.party == party).ratified
            for o in outcomes
        ]  # fmt: skip
        assert ws.tolist() == one


def test_narrowed_scenario_refuses_what_would_not_be_ratified(portsmouth: Scenario) -> None:
    outcomes = portsmouth.space.sample(np.random.default_rng(1), 500)
    narrow = narrowed(portsmouth, "japan")
    prefs = narrow.parties[narrow.party_index("japan")].prefs
    assert (prefs.feasible(outcomes) == win_set(portsmouth, "japan", outcomes)).all()
    assert narrowed(narrow, "japan") is narrow  # idempotent


def test_settle_renegotiates_inside_the_narrowed_win_set(portsmouth: Scenario) -> None:
    bad = _with(portsmouth, sakhalin="russian", korea="consent", evacuation="russia_only",
                indemnity="none", fishing="none", administration="silent", open_door="silent",
                railway_use="free")  # fmt: skip
    japan = portsmouth.parties[portsmouth.party_index("japan")].prefs
    assert japan.feasible(np.array([bad]))[0]  # inside Japan's red lines, yet
    assert not ratify(portsmouth, bad).ratified  # its constituencies refuse it
    good = portsmouth.history.outcome if portsmouth.history else None
    calls: list[Scenario] = []

    def negotiate(s: Scenario) -> tuple[int, ...] | None:
        calls.append(s)
        narrow = s.parties[s.party_index("japan")].prefs
        return good if not narrow.feasible(np.array([bad]))[0] else bad

    result = settle(portsmouth, negotiate)
    assert result.outcome == good
    assert len(result.rounds) == 2 and not result.rounds[0].ratified
    assert len(calls) == 2


def test_rules_and_vetoes() -> None:
    a, b, c = (Constituency(x, x, weight=1.0, threshold=0.5) for x in "abc")
    share = np.array([1 / 3, 0.5, 2 / 3, 1.0])
    assert Ratifier("p", (a, b, c)).passes(share).tolist() == [False, False, True, True]
    assert Ratifier("p", (a, b, c), "two_thirds").passes(share).tolist() == [
        False,
        False,
        True,
        True,
    ]
    assert Ratifier("p", (a, b, c), "unanimity").passes(share).tolist() == [
        False,
        False,
        False,
        True,
    ]
    assert Ratifier("p", (a,), "quota", 0.5).passes(share).tolist() == [False, True, True, True]


def test_a_veto_blocks_whatever_the_weights(portsmouth: Scenario) -> None:
    r = ratifier_of(portsmouth, "russia")
    assert r is not None
    heavy = replace(r, constituencies=tuple(
        replace(c, weight=100.0) if c.id == "government" else c for c in r.constituencies
    ))  # fmt: skip
    tsar_only_refuses = _with(portsmouth, indemnity="redemption")
    bare = replace(portsmouth, ratification=(portsmouth.ratification[0], heavy))
    russia = next(p for p in ratify(bare, tsar_only_refuses).parties if p.party == "russia")
    assert russia.share > 0.9 and not russia.ratified


def test_party_without_constituencies_ratifies_above_its_reservation(portsmouth: Scenario) -> None:
    bare = replace(portsmouth, ratification=())
    assert ratifier_of(bare, "japan") is None
    outcomes = bare.space.sample(np.random.default_rng(2), 50)
    prefs = bare.parties[0].prefs
    expected = (prefs.utility(outcomes) >= prefs.reservation) & prefs.feasible(outcomes)
    assert (win_set(bare, "japan", outcomes) == expected).all()
