"""Strategies act on the legal actions their view carries, and protocols derive the end of the
talks from the history: play is the same as before either change (recorded traces)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from entente import registry
from entente.conformance import domain
from entente.negotiation.actions import Accept, Offer, Reject, Walk
from entente.negotiation.protocol import State
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
