"""Strategies act on the legal actions their view carries, and protocols derive the end of the
talks from the history: play is the same as before either change (recorded traces)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import numpy as np
import pytest

from entente import registry
from entente.conformance import domain
from entente.negotiation import protocol
from entente.negotiation.actions import Accept, Offer, Reject, Walk
from entente.negotiation.protocol import Move, State
from entente.negotiation.session import run
from entente.negotiation.view import Own, View
from entente.table import Table
from negotiation_traces import PARTIES, RECORDED, cases, play

RECORDS: dict[str, str] = json.loads(RECORDED.read_text())


def test_every_case_was_recorded() -> None:
    labels = {f"{c[4]}|{c[3]}|{c[5]}" for c in cases()}
    assert labels == set(RECORDS)


@pytest.mark.parametrize("case", list(cases()), ids=lambda c: f"{c[4]}|{c[3]}|{c[5]}")
def test_same_play_as_recorded(
    case: tuple[str, str, int, str, str, int, float, float, float | None],
) -> None:
    proto, med, k, s, label, seed, rv, d, limit = case
    assert play(proto, med, k, s, seed, rv, d, limit) == RECORDS[f"{label}|{s}|{seed}"]


def _acts(spec: str, mediated: bool, legal: frozenset[type], k: int = 2) -> object:
    """What strategy `spec` does as party 0, shown an outcome on the table from another actor,
    with the view's `mediated` flag and legal actions given (they disagree on purpose)."""
    space, prefs = domain(k, seed=4)
    table = Table.build(space, prefs)
    own = Own(0, prefs[0], space, table)
    grant = {"informed": table, "informed_prefs": prefs}
    s = registry.strategy(spec)
    start = State(n_parties=k, deadline=10)
    opening = View(0, start, 0.0, space, own, mediated, legal=frozenset({Offer, Walk}), **grant)
    s.reset(opening, np.random.default_rng(0))
    state = State(n_parties=k, deadline=10, round=3, table=(1, 1, 1), proposer=k)
    return s.act(View(0, state, 0.3, space, own, mediated, legal=legal, **grant))


@pytest.mark.parametrize("spec", PARTIES)
def test_strategies_follow_the_legal_actions_not_the_protocol(spec: str) -> None:
    # told "mediated" but allowed to counter-offer: it offers or accepts, never objects
    free = _acts(spec, True, frozenset({Offer, Accept, Walk}))
    assert isinstance(free, Offer | Accept | Walk)
    # told "not mediated" but allowed only to answer the text: it accepts or objects
    answer = _acts(spec, False, frozenset({Accept, Reject, Walk}))
    assert isinstance(answer, Accept | Reject | Walk)
    # may only accept or walk away: it never offers nor objects
    take = _acts(spec, False, frozenset({Accept, Walk}))
    assert isinstance(take, Accept | Walk)


def _derived_cases() -> list[tuple[str, str, int, str, int]]:
    return [
        (proto, med, k, s, seed)
        for proto, med, k, s, _, seed, _, _, limit in cases()
        if limit is None and s in ("linear", "micro", "random", "hardliner", "agentk")
    ]


@pytest.mark.parametrize("case", _derived_cases(), ids=str)
def test_the_end_and_the_agreement_come_from_the_history_alone(
    case: tuple[str, str, int, str, int],
) -> None:
    proto, med, k, s, seed = case
    space, prefs = domain(k, seed=seed + 7)
    rules = registry.protocol(proto)
    r = run(
        rules,
        [registry.strategy(s) for _ in range(k)],
        space,
        prefs,
        deadline=6,
        seed=seed,
        mediator=registry.strategy(med) if med else None,
        informed=True,
    )
    # replay the moves: every state's stored end and agreement is what its history alone says
    state = rules.start(k, 6)
    for m in r.moves:
        state = rules.step(state, m.action)
        bare = State(n_parties=k, deadline=6, history=state.history)
        assert rules.is_final(bare) == state.done
        assert rules.agreement(bare) == state.agreement
        assert protocol.is_final(rules, bare) == state.done
        assert protocol.agreement(rules, bare) == state.agreement
    assert state.done and state.agreement == r.agreement


@dataclass(frozen=True)
class _OneShot:
    """A protocol written without `is_final`, `agreement` and `legal`: its step sets `done` and
    `agreement` itself (party 0 offers once, party 1 takes it or leaves it)."""

    name: str = "one_shot"
    mediated: bool = False

    def start(self, n_parties: int, deadline: int) -> State:
        return State(n_parties=n_parties, deadline=deadline)

    def check(self, state: State, action: object) -> str | None:
        allowed = (Offer, Walk) if state.actor == 0 else (Accept, Walk)
        return None if isinstance(action, allowed) else "not now"

    def step(self, state: State, action: Offer | Accept | Reject | Walk) -> State:
        move = Move(state.actor, action, 0, self.time(state))
        history = (*state.history, move)
        if isinstance(action, Offer):
            return replace(state, history=history, actor=1, table=action.outcome, proposer=0)
        agreed = state.table if isinstance(action, Accept) else None
        return replace(state, history=history, done=True, agreement=agreed)

    def time(self, state: State) -> float:
        return 0.5 * len(state.history)


def test_a_protocol_that_sets_the_end_in_its_step_still_plays() -> None:
    space, prefs = domain(2, seed=3)
    r = run(_OneShot(), [registry.strategy("conceder")] * 2, space, prefs, deadline=1)
    assert isinstance(r.moves[0].action, Offer) and len(r.moves) == 2 and r.state.done
    assert protocol.agreement(_OneShot(), r.state) == r.agreement
    assert protocol.is_final(_OneShot(), r.state)
