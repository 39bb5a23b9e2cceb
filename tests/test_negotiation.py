"""Protocols, the driver loop and a conformance suite over every registered strategy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from entente import registry
from entente.errors import EntenteError, StrategyError
from entente.negotiation.actions import Accept, Offer, Reject, Walk, from_json, to_json
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.mediated import SingleText
from entente.negotiation.session import IllegalAction, run, trace_jsonl
from entente.negotiation.strategies.base import Strategy
from entente.prefs import LinearAdditive, Preferences
from entente.space import OutcomeSpace, categorical


def domain(k: int = 2, seed: int = 3) -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    rng = np.random.default_rng(seed)
    shape = (4, 3, 5)
    space = OutcomeSpace(
        tuple(categorical(f"i{i}", [f"o{j}" for j in range(s)]) for i, s in enumerate(shape))
    )
    prefs = tuple(
        Preferences(
            (LinearAdditive(rng.random(3), tuple(rng.random(s) for s in shape)),), reservation=0.3
        )
        for _ in range(k)
    )
    return space, prefs


def test_actions_round_trip_through_json() -> None:
    for a in (Offer((1, 2)), Accept(), Reject((0, 3)), Walk()):
        assert from_json(json.loads(json.dumps(to_json(a)))) == a


def test_alternating_offers_rules() -> None:
    p = AlternatingOffers()
    s = p.start(2, 3)
    assert p.check(s, Accept()) is not None  # nothing to accept yet
    assert p.check(s, Reject()) is not None
    s = p.step(s, Offer((0, 0)))
    assert s.actor == 1 and s.table == (0, 0)
    s = p.step(s, Accept())
    assert s.done and s.agreement == (0, 0)


def test_multilateral_agreement_needs_every_party() -> None:
    p = AlternatingOffers()
    s = p.step(p.start(3, 5), Offer((1,)))
    s = p.step(s, Accept())
    assert not s.done
    s = p.step(s, Offer((2,)))  # the third party counters: acceptances start again
    s = p.step(s, Accept())
    assert not s.done
    s = p.step(s, Accept())
    assert s.agreement == (2,)


def test_alternating_deadline_ends_without_agreement() -> None:
    p = AlternatingOffers()
    s = p.start(2, 2)
    while not s.done:
        s = p.step(s, Offer((0,)))
    assert s.agreement is None and s.round == 2 and len(s.history) == 4


def test_single_text_rules() -> None:
    p = SingleText()
    s = p.start(2, 2)
    assert p.check(s, Accept()) is not None  # the mediator must draft first
    s = p.step(s, Offer((1, 1)))
    assert p.check(s, Offer((0, 0))) is not None  # parties do not draft
    s = p.step(s, Accept())
    s = p.step(s, Reject((0,)))
    assert not s.done and s.round == 1 and s.actor == 2
    s = p.step(s, Offer((1, 0)))
    s = p.step(s, Accept())
    s = p.step(s, Accept())
    assert s.agreement == (1, 0)


PARTY_STRATEGIES = [n for n in registry.STRATEGIES if not registry.strategy_class(n).mediator]
MEDIATORS = [n for n in registry.STRATEGIES if registry.strategy_class(n).mediator]


@pytest.mark.parametrize("name", PARTY_STRATEGIES)
@pytest.mark.parametrize("k", [2, 3])
def test_every_strategy_plays_alternating_offers_legally_and_reproducibly(
    name: str, k: int
) -> None:
    space, prefs = domain(k)

    def once(seed: int) -> str:
        strategies = [registry.strategy(name) for _ in range(k)]
        r = run(AlternatingOffers(), strategies, space, prefs, deadline=20, seed=seed)
        if r.agreement is not None:
            # nobody agrees to less than its reservation value (random accepts only above it)
            assert all(p(r.agreement) >= p.reservation - 1e-12 for p in prefs)
        return trace_jsonl(r, space, prefs)

    assert once(5) == once(5)


@pytest.mark.parametrize("mediator", MEDIATORS)
@pytest.mark.parametrize("party", PARTY_STRATEGIES)
def test_every_party_strategy_answers_every_mediator(mediator: str, party: str) -> None:
    space, prefs = domain(2)
    r = run(
        SingleText(),
        [registry.strategy(party), registry.strategy(party)],
        space,
        prefs,
        deadline=15,
        seed=1,
        mediator=registry.strategy(mediator),
        informed=True,
    )
    assert r.rounds <= 15
    if r.agreement is not None:
        assert all(p(r.agreement) >= p.reservation - 1e-12 for p in prefs)


def test_informed_mediator_refuses_without_a_grant() -> None:
    space, prefs = domain(2)
    with pytest.raises(StrategyError, match="grant"):
        run(
            SingleText(),
            [registry.strategy("linear")] * 2,
            space,
            prefs,
            deadline=5,
            mediator=registry.strategy("informed"),
        )


def test_illegal_moves_are_reported() -> None:
    class Accepter(Strategy):
        name = "accepter"

        def act(self, view):  # type: ignore[no-untyped-def]
            return Accept()

    space, prefs = domain(2)
    with pytest.raises(IllegalAction, match="no offer on the table"):
        run(AlternatingOffers(), [Accepter(), Accepter()], space, prefs, deadline=3)


def test_conceders_agree_and_hardliners_do_not() -> None:
    space, prefs = domain(2)
    soft = run(
        AlternatingOffers(),
        [registry.strategy("conceder"), registry.strategy("conceder")],
        space,
        prefs,
        deadline=50,
    )
    assert soft.agreement is not None
    hard = run(
        AlternatingOffers(),
        [registry.strategy("hardliner"), registry.strategy("hardliner")],
        space,
        prefs,
        deadline=10,
    )
    assert hard.agreement is None
    assert np.allclose(hard.utilities, [p.reservation for p in prefs])


def test_boulware_holds_out_longer_than_conceder() -> None:
    space, prefs = domain(2)

    def first_agreement(spec: str) -> int:
        r = run(
            AlternatingOffers(),
            [registry.strategy(spec), registry.strategy("hardliner")],
            space,
            prefs,
            deadline=100,
        )
        return r.rounds

    assert first_agreement("boulware(e=0.1)") >= first_agreement("conceder(e=5)")


def test_spec_strings() -> None:
    assert registry.parse_spec("boulware(e=0.2)") == ("boulware", {"e": 0.2})
    assert registry.strategy("boulware(e=0.1)").spec() == "boulware(e=0.1)"
    with pytest.raises(StrategyError, match="unknown strategy"):
        registry.strategy("nonesuch")
    with pytest.raises(StrategyError, match="literal"):
        registry.strategy("boulware(e=x)")
    with pytest.raises(StrategyError):
        registry.strategy("boulware(f=1)")
    with pytest.raises(EntenteError):
        registry.protocol("telepathy")


def test_learner_models_what_the_opponent_insists_on() -> None:
    from entente.negotiation.strategies.learning import FrequencyModel

    m = FrequencyModel((3, 3))
    for o in [(2, 0), (2, 1), (2, 2), (2, 0)]:
        m.update(o)
    # issue 0 never changed: it weighs more, and option 2 is the one offered
    assert m.weights[0] > m.weights[1]
    u = m.utility(np.array([[2, 0], [0, 0]]))
    assert u[0] > u[1]
