"""Multiple offers, partial consensus (mopac): the rules, a deal that binds two parties of three,
determinism, and every registered party strategy playing legally under it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cli_run import cli
from entente import registry
from entente.conformance import _below, domain
from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Offer, Reject, Walk
from entente.negotiation.mopac import OFFER, VOTE, Mopac, MopacState
from entente.negotiation.session import run, trace_jsonl
from entente.negotiation.strategies.base import Strategy
from entente.prefs import LinearAdditive, Preferences
from entente.space import OutcomeSpace, categorical


def test_registered_with_a_description() -> None:
    assert isinstance(registry.protocol("mopac"), Mopac)
    assert registry.protocol("mopac(min_parties=3)").min_parties == 3
    assert "mopac" in registry.DESCRIPTIONS
    with pytest.raises(EntenteError):
        registry.protocol("mopac(min_parties=1)")
    with pytest.raises(EntenteError, match="min_parties=3 but only 2 parties"):
        Mopac(min_parties=3).start(2, 5)


def test_each_party_offers_and_the_others_vote_in_turn() -> None:
    p = Mopac()
    s = p.start(3, 4)
    seen: list[tuple[int, frozenset[type]]] = []
    # party0 offers (0,), parties 1 and 2 vote; party1 offers (1,), 0 and 2 vote; party2 ...
    script = [Offer((0,)), Accept(), Reject(()), Offer((1,)), Reject(()), Reject(())]
    script += [Offer((2,)), Reject(()), Accept()]
    # opt in: each party about each offer it rejected (party2 on (0,), 0 and 2 on (1,), 0 on (2,))
    script += [Reject(()), Reject(()), Reject(()), Reject(())]
    for a in script:
        seen.append((s.actor, p.legal(s)))
        assert p.check(s, a) is None
        for other in (Offer((0,)), Accept(), Reject(()), Walk()):
            assert (p.check(s, other) is None) == (type(other) in p.legal(s))
        s = p.step(s, a)
    assert [a for a, _ in seen] == [0, 1, 2, 1, 0, 2, 2, 0, 1, 2, 0, 2, 0]
    assert [lg for _, lg in seen] == [OFFER, VOTE, VOTE] * 3 + [VOTE] * 4
    # offers (0,) and (2,) each have two supporters: the earlier wins, binding parties 0 and 1
    assert isinstance(s, MopacState)
    assert s.done and s.agreement == (0,) and s.bound == (0, 1)
    assert p.legal(s) == frozenset() and p.check(s, Offer((0,))) is not None


def test_no_deal_below_min_parties_goes_to_the_next_round() -> None:
    p = Mopac(min_parties=3)
    s = p.start(3, 2)
    votes = [Offer((0,)), Accept(), Reject(())] + [Offer((1,)), Reject(()), Reject(())] * 2
    for a in votes + [Reject(())] * 5:  # and five opt-in turns, each declined
        s = p.step(s, a)
    assert not s.done and s.round == 1 and s.actor == 0 and s.table is None
    assert p.time(s) == pytest.approx(0.5)


def _three() -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    """One issue of three options: parties 0 and 1 want option 0 and can live with 1; party 2
    wants option 2 and accepts nothing else (its reservation value is above the rest)."""
    space = OutcomeSpace((categorical("deal", ["a", "b", "c"]),))

    def party(values: list[float], reservation: float) -> Preferences:
        lin = LinearAdditive(np.ones(1), (np.asarray(values, dtype=float),))
        return Preferences((lin,), reservation=reservation)

    prefs = (party([1.0, 0.6, 0.0], 0.3), party([0.9, 1.0, 0.0], 0.3), party([0, 0, 1.0], 0.8))
    return space, prefs


def test_two_agree_and_the_third_is_left_out() -> None:
    space, prefs = _three()
    parties = [registry.strategy("linear") for _ in prefs]
    r = run(Mopac(), parties, space, prefs, deadline=10, seed=1)
    assert r.agreement is not None and r.agreement[0] in (0, 1)
    assert r.bound == (0, 1)
    assert r.utilities[2] == pytest.approx(0.8)  # left out: its reservation value
    for i in (0, 1):
        assert r.utilities[i] == pytest.approx(prefs[i](r.agreement))
        assert r.utilities[i] > prefs[i].reservation
    # requiring all three, no deal can form: everyone keeps its reservation value
    r3 = run(Mopac(min_parties=3), parties, space, prefs, deadline=10, seed=1)
    assert r3.agreement is None and r3.bound is None
    assert list(r3.utilities) == pytest.approx([0.3, 0.3, 0.8])


def test_other_protocols_bind_every_party() -> None:
    space, prefs = domain(3)
    p = registry.protocol("alternating")
    r = run(p, [registry.strategy("conceder") for _ in prefs], space, prefs, deadline=30)
    assert r.agreement is not None and r.bound == (0, 1, 2)


def test_same_seed_same_moves() -> None:
    space, prefs = domain(3)

    def once(seed: int) -> str:
        parties = [registry.strategy(s) for s in ("boulware", "nice_tft", "micro")]
        return trace_jsonl(
            run(Mopac(), parties, space, prefs, deadline=20, seed=seed), space, prefs
        )

    assert once(4) == once(4)


PARTIES = [  # llm asks a server: tests/test_llm_server.py plays it against a real one
    n
    for n in registry.strategy_names(mediator=False)
    if not getattr(registry.strategy_class(n), "remote", False)
]


@pytest.mark.parametrize("name", PARTIES)
@pytest.mark.parametrize("k", [2, 3])
def test_every_party_strategy_plays_mopac_legally(name: str, k: int) -> None:
    """As the conformance suite plays the other protocols: legal moves only, nothing offered or
    accepted below the reservation value, the same moves for the same seed."""
    space, prefs = domain(k)
    traces = []
    for _ in range(2):
        parties = [registry.strategy(name) for _ in range(k)]
        r = run(Mopac(), parties, space, prefs, deadline=20, seed=5)
        assert _below(r, prefs) is None
        traces.append(trace_jsonl(r, space, prefs))
    assert traces[0] == traces[1]


def test_voters_see_the_offer_as_a_text_to_answer() -> None:
    class Probe(Strategy):
        name = "probe"

        def __init__(self) -> None:
            self.seen_: list[tuple[bool, object, frozenset[type]]] = []

        def act(self, view):  # type: ignore[no-untyped-def]
            self.seen_.append((view.mediated, view.table, view.legal))
            if view.table is None:
                return Offer((view.me,))
            return Reject(())

    space = OutcomeSpace((categorical("x", ["a", "b"]),))
    prefs = tuple(Preferences((LinearAdditive(np.ones(1), (np.zeros(2),)),)) for _ in range(2))
    probes = [Probe(), Probe()]
    run(Mopac(), probes, space, prefs, deadline=1)
    # each votes on the other's offer, then is asked again in the opt-in phase
    assert probes[0].seen_ == [(False, None, OFFER), (True, (1,), VOTE), (True, (1,), VOTE)]
    assert probes[1].seen_ == [(True, (0,), VOTE), (False, None, OFFER), (True, (0,), VOTE)]


def test_run_json_reports_the_bound_parties() -> None:
    code, out, _ = cli("run", "--protocol", "mopac", "--json", "--seed", "2")
    assert code == 0
    j = json.loads(out)
    assert j["protocol"] == "mopac"
    assert j["agreement"] is not None and j["bound"] == ["japan", "russia"]
    code, out, _ = cli("run", "--json", "--seed", "2")  # alternating: every party is bound
    assert code == 0 and json.loads(out)["bound"] == ["japan", "russia"]
