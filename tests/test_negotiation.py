"""Protocols, the driver loop, the legal actions, and the conformance suite over every
registered strategy."""

from __future__ import annotations

import json

import numpy as np
import pytest

from entente import registry
from entente.conformance import check_strategy, domain
from entente.errors import EntenteError, StrategyError
from entente.negotiation.actions import Accept, Offer, Reject, Walk, from_json, to_json
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.mediated import SingleText
from entente.negotiation.session import IllegalAction, run
from entente.negotiation.strategies.base import Strategy


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


PARTY_STRATEGIES = [  # llm asks a server: tests/test_llm_server.py plays it against a real one
    n
    for n in registry.STRATEGIES
    if not registry.strategy_class(n).mediator
    and not getattr(registry.strategy_class(n), "remote", False)
]
MEDIATORS = [n for n in registry.STRATEGIES if registry.strategy_class(n).mediator]


@pytest.mark.parametrize("name", [*PARTY_STRATEGIES, *MEDIATORS])
def test_every_registered_strategy_conforms(name: str) -> None:
    """Legal and reproducible under every protocol (as a party: alternating offers with 2 and 3
    parties, the single text under every mediator; a mediator drafting for 2 and 3 parties),
    never below its reservation value, and its spec makes it again."""
    assert check_strategy(name) == []


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


@pytest.mark.parametrize("protocol", [AlternatingOffers(), SingleText()])
def test_legal_actions_are_exactly_what_check_allows(protocol: AlternatingOffers) -> None:
    """Along a run, every view's `legal` is the set of kinds `check` accepts for its actor."""
    from entente.negotiation.protocol import legal_by_check

    space, prefs = domain(3)
    seen = []

    class Probe(Strategy):
        name = "probe"

        def __init__(self, inner: Strategy) -> None:
            self.inner = inner

        def reset(self, view, rng):  # type: ignore[no-untyped-def]
            self.inner.reset(view, rng)

        def act(self, view):  # type: ignore[no-untyped-def]
            assert view.legal == legal_by_check(protocol, view.state)
            seen.append(view.legal)
            return self.inner.act(view)

    med = Probe(registry.strategy("hillclimb")) if protocol.mediated else None
    parties = [Probe(registry.strategy("linear")) for _ in range(3)]
    run(protocol, parties, space, prefs, deadline=6, seed=2, mediator=med)
    assert len(set(seen)) == 2  # an opening and an answering mask (or drafting and answering)
    assert all(Walk in legal for legal in seen)


def test_check_strategy_finds_each_kind_of_failure() -> None:
    class Low(Strategy):
        """Offers its worst outcome: below its reservation value."""

        name = "low"

        def act(self, view):  # type: ignore[no-untyped-def]
            own = view.me_own
            if Offer not in view.legal:
                return Accept()
            return Offer(own.outcome(int(own.order[-1])))

    class Rude(Strategy):
        """Rejects under alternating offers; no spec makes it."""

        name = "rude"

        def act(self, view):  # type: ignore[no-untyped-def]
            return Reject()

    class Moody(Strategy):
        """Draws from a generator of its own, not from the seeded one."""

        name = "moody"
        draws = iter(range(10**6))

        def act(self, view):  # type: ignore[no-untyped-def]
            own = view.me_own
            if Offer not in view.legal:
                return Accept()
            return Offer(own.outcome(int(own.order[next(self.draws) % 3])))

    low = check_strategy(Low())
    assert any("below its reservation value" in f for f in low)
    rude = check_strategy(Rude())
    assert any("illegal move" in f and "reject" in f for f in rude)
    assert any("does not make the strategy again" in f for f in rude)
    assert any("different moves for the same seed" in f for f in check_strategy(Moody()))
    with pytest.raises(EntenteError, match=r"^strategy 'rude\(\)' fails conformance: .*more\)$"):
        check_strategy(Rude(), strict=True)
    assert check_strategy("boulware(e=0.3)", strict=True) == []
    with pytest.raises(StrategyError, match="unknown strategy"):
        check_strategy("nonesuch")
