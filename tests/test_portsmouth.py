"""The Portsmouth scenario: its calibration and the conference it replays."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import entente
from entente.scenario import Scenario
from entente.summary import summarize


def test_the_scenario_says_who_was_there(portsmouth: Scenario) -> None:
    assert [p.id for p in portsmouth.parties] == ["japan", "russia"]
    names = {d.name for p in portsmouth.parties for d in p.delegates}
    assert {"Baron Komura Jutaro", "Takahira Kogoro", "Sergei Witte", "Baron Roman Rosen"} <= names
    assert portsmouth.mediators[0].delegates[0].name == "Theodore Roosevelt"
    assert {o.id for o in portsmouth.observers} == {"britain", "germany", "france"}
    assert portsmouth.dates["signed"].render() == "23 August (5 September) 1905"
    assert portsmouth.dates["opened"].iso() == "1905-08-09"
    assert portsmouth.protocol == "mediated"


def test_japans_twelve_demands_and_the_added_terms_are_issues(portsmouth: Scenario) -> None:
    ids = {i.id for i in portsmouth.space.issues}
    demands = {"korea", "evacuation", "administration", "open_door", "sakhalin", "liaotung",
               "railway", "indemnity", "warships", "naval_limit", "fishing"}  # fmt: skip
    added = {"fortification", "straits", "railway_use"}
    assert demands | added <= ids
    sakhalin = portsmouth.space.issues[portsmouth.space.issue_index("sakhalin")]
    assert sakhalin.options == ("russian", "south", "japanese")


def test_both_parties_prefer_the_treaty_to_no_agreement(portsmouth: Scenario) -> None:
    h = portsmouth.history
    assert h is not None and h.outcome is not None
    for p in portsmouth.parties:
        assert p.prefs(h.outcome) > p.prefs.reservation


def test_the_treaty_lies_on_the_pareto_frontier(portsmouth: Scenario) -> None:
    h = portsmouth.history
    assert h is not None and h.outcome is not None
    f = entente.frontier(portsmouth)
    u = np.array([p.prefs(h.outcome) for p in portsmouth.parties])
    assert f.distance(u) <= 0.02


@pytest.mark.parametrize("seed", range(1, 21))
def test_the_mediated_conference_reaches_the_treaty(portsmouth: Scenario, seed: int) -> None:
    r = entente.negotiate(portsmouth, seed=seed)
    s = summarize(portsmouth, r, portsmouth.protocol, seed)
    match = s.history_match
    assert match is not None
    assert match[0] / match[1] >= 0.85


def test_the_conference_reads_like_1905(portsmouth: Scenario) -> None:
    """Undisputed issues settle first; indemnity and Sakhalin stay open longest and are settled
    together by the last revision of the text."""
    r = entente.negotiate(portsmouth, seed=1)
    s = summarize(portsmouth, r, portsmouth.protocol, 1)
    space = portsmouth.space
    when = {space.issues[x.issue].id: x.round for x in s.settlements}
    hard = {"indemnity", "sakhalin"}
    assert max(when.values()) == when["indemnity"] == when["sakhalin"]
    for easy in ("korea", "liaotung", "administration", "open_door", "straits"):
        assert when[easy] < min(when[h] for h in hard)
    texts = [
        m.action.outcome for m in r.moves if m.actor == 2 and isinstance(m.action, entente.Offer)
    ]
    changes = [
        {space.issues[i].id for i in range(space.n_issues) if a[i] != b[i]}
        for a, b in itertools.pairwise(texts)
        if a != b
    ]
    assert changes[-1] == hard


def test_seeds_reproduce_byte_for_byte(portsmouth: Scenario) -> None:
    a = entente.trace_jsonl(
        entente.negotiate(portsmouth, seed=4), portsmouth.space, portsmouth.prefs
    )
    b = entente.trace_jsonl(
        entente.negotiate(portsmouth, seed=4), portsmouth.space, portsmouth.prefs
    )
    assert a == b and a.count("\n") > 10


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
    r = entente.negotiate(portsmouth, protocol=protocol, strategies=specs, seed=2, win_sets=True)
    assert r.agreement is not None
    assert entente.ratify(portsmouth, r.agreement).next == "treaty"
    assert all(
        p.prefs.red_lines == () for p in portsmouth.parties
    )  # the scenario itself is unchanged
