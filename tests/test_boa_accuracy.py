"""Opponent-model accuracy read from the models a strategy played with (caught up with the
offers it had not learned) equals the accuracy of fresh models fed every offer again."""

from __future__ import annotations

import math

import pytest

from entente import registry
from entente.conformance import domain
from entente.negotiation.boa.models import party_accuracy
from entente.negotiation.session import run

MODELLED = [
    "learner",
    "nice_tft",
    "boa",
    "boa(model='bayes')",
    "boa(bid='conceder', model='perfect', accept='ac_time')",
]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("spec", MODELLED)
@pytest.mark.parametrize("other", ["boulware", "hardliner", "conceder", "nice_tft"])
@pytest.mark.parametrize(("k", "deadline"), [(2, 4), (2, 30), (3, 12)])
def test_played_models_measure_as_a_replay_does(
    spec: str, other: str, k: int, deadline: int
) -> None:
    space, prefs = domain(k, seed=deadline + k, shape=(4, 3, 5))
    specs = (spec, *([other] * (k - 1)))
    for roles in (specs, specs[::-1]):
        players = tuple(registry.strategy(s) for s in roles)
        r = run(
            registry.protocol("alternating"),
            list(players),
            space,
            prefs,
            deadline=deadline,
            seed=deadline,
            informed=True,
        )
        replayed = party_accuracy(roles, r.moves, space, prefs, points=0)
        own = party_accuracy(roles, r.moves, space, prefs, points=0, played=players)
        for a, b in zip(replayed, own, strict=True):
            assert (a is None) == (b is None)
            if a is not None and b is not None:
                assert _same(a.kendall_tau, b.kendall_tau) and _same(a.pearson, b.pearson), roles
