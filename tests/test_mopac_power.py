"""mopac after GeniusWeb: votes weighted by power within each voter's bounds, several deals in a
round, and the parties a deal leaves out negotiating on among themselves."""

from __future__ import annotations

import numpy as np
import pytest

from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk, from_json, to_json
from entente.negotiation.mopac import Mopac, MopacState, _Vote
from entente.negotiation.protocol import State
from entente.negotiation.session import run
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import View
from entente.prefs import LinearAdditive, Preferences
from entente.space import OutcomeSpace, categorical


def _play(p: Mopac, n: int, script: list[Action], deadline: int = 5) -> MopacState:
    s = p.start(n, deadline)
    for a in script:
        assert p.check(s, a) is None, (s.actor, a)
        s = p.step(s, a)
    assert isinstance(s, MopacState)
    bare = State(n_parties=n, deadline=deadline, history=s.history)
    assert p.deals(bare) == s.deals and p.is_final(bare) == s.done  # from the history alone
    assert p.agreement(bare) == s.agreement
    return s


def _round(
    offers: list[int],
    votes: dict[tuple[int, int], Action],
    active: list[int],
    opt_in: dict[tuple[int, int], Action] | None = None,
) -> list[Action]:
    """One round's moves: each active party's offer, then the others' votes on it; then each
    party's opt-in answer on each offer it rejected (declined unless `opt_in` says)."""
    out: list[Action] = []
    rejected = []
    for maker, o in zip(active, offers, strict=True):
        out.append(Offer((o,)))
        for p in active:
            if p != maker:
                out.append(votes.get((maker, p), Reject(())))
                if isinstance(out[-1], Reject):
                    rejected.append((maker, p))
    return out + [(opt_in or {}).get(key, Reject(())) for key in rejected]


def test_the_parties_left_out_go_on_and_make_their_own_deal() -> None:
    p = Mopac()
    first = _round([0, 0, 2, 3], {(0, 1): Accept()}, [0, 1, 2, 3])
    s = _play(p, 4, first)
    assert not s.done and s.deals == (((0,), (0, 1)),) and s.active == (2, 3)
    assert s.round == 1 and s.actor == 2 and s.agreement == (0,) and s.bound == (0, 1)
    second = _round([2, 2], {(2, 3): Accept(), (3, 2): Accept()}, [2, 3])
    s = _play(p, 4, first + second)
    # both offers of the second round have the same support: the earlier is the deal
    assert s.done and s.deals == (((0,), (0, 1)), ((2,), (2, 3)))
    assert s.agreement == (0,) and s.bound == (0, 1)


def test_one_round_can_make_several_deals() -> None:
    p = Mopac()
    votes = {(0, 1): Accept(), (2, 3): Accept()}
    s = _play(p, 4, _round([0, 1, 2, 3], votes, [0, 1, 2, 3]))
    assert s.done and s.deals == (((0,), (0, 1)), ((2,), (2, 3)))


def test_votes_bound_the_power_of_the_deal() -> None:
    # party 0 weighs 3; party 1 joins only deals of power at most 2, party 2 any deal
    p = Mopac(powers=(3, 1, 1))
    votes = {(0, 1): Accept(max_power=2), (0, 2): Accept()}
    s = _play(p, 3, _round([0, 1, 2], votes, [0, 1, 2]))
    assert s.deals == (((0,), (0, 2)),)  # with party 1 the deal weighs 5 or 4: too much for it
    # a vote that needs a heavy deal keeps its voter out of a light one
    p = Mopac()
    votes = {(0, 1): Accept(min_power=3)}
    s = _play(p, 3, _round([0, 1, 2], votes, [0, 1, 2]), deadline=1)
    assert s.done and s.deals == () and s.agreement is None


def _brute(p: Mopac, votes: list[_Vote]) -> tuple[int, int]:
    """(power, size) of the strongest admissible group, by listing every subset."""
    best = (0, 0)
    for mask in range(1, 1 << len(votes)):
        group = [v for i, v in enumerate(votes) if mask >> i & 1]
        power = sum(p.power(v.party) for v in group)
        ok = all(v.low <= power and (v.high is None or power <= v.high) for v in group)
        if ok and len(group) >= p.min_parties:
            best = max(best, (power, len(group)))
    return best


@pytest.mark.parametrize("seed", range(20))
def test_consensus_is_the_strongest_admissible_group(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 7))
    p = Mopac(min_parties=2, powers=tuple(int(x) for x in rng.integers(1, 4, n)))
    votes = []
    for i in range(n):
        low = int(rng.integers(0, 8)) if rng.random() < 0.5 else 0
        high = low + int(rng.integers(0, 8)) if rng.random() < 0.5 else None
        votes.append(_Vote(i, low, high))
    group = p.consensus(votes)
    got = (sum(p.power(i) for i in group), len(group)) if group else (0, 0)
    assert got == _brute(p, votes)


def test_bounds_are_checked_and_travel_as_json() -> None:
    p = Mopac()
    s = p.step(p.start(2, 3), Offer((0,)))
    assert p.check(s, Accept(min_power=3, max_power=2)) is not None
    assert p.check(s, Accept(min_power=2, max_power=5)) is None
    for a in (Accept(), Accept(min_power=2), Accept(min_power=1, max_power=4)):
        assert from_json(to_json(a)) == a
    with pytest.raises(ValueError, match="powers"):
        Mopac(powers=(1, 0))
    with pytest.raises(EntenteError, match="3 powers for 2 parties"):
        Mopac(powers=(1, 1, 1)).start(2, 3)
    from entente.negotiation.alternating import AlternatingOffers

    alt = AlternatingOffers()
    s = alt.step(alt.start(2, 3), Offer((0,)))
    assert alt.check(s, Accept(max_power=2)) is not None and alt.check(s, Accept()) is None


class _Likes(Strategy):
    """Offers its favourite option; accepts exactly the options it likes."""

    name = "likes"

    def __init__(self, favourite: int = 0, liked: tuple[int, ...] = ()) -> None:
        self.favourite = favourite
        self.liked = liked

    def act(self, view: View) -> Action:
        if view.table is None:
            return Offer((self.favourite,))
        return Accept() if view.table[0] in self.liked else Reject(())


def test_each_party_gets_the_deal_that_binds_it() -> None:
    space = OutcomeSpace((categorical("x", ["a", "b", "c", "d"]),))
    values = [[1.0, 0.0, 0.0, 0.0], [0.9, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0, 0, 0.8, 0]]
    prefs = tuple(
        Preferences((LinearAdditive(np.ones(1), (np.asarray(v),)),), reservation=0.1)
        for v in values
    )
    # 0 and 1 agree on a in the first round; 2 and 3 only in the second (3 changes its mind)
    parties = [_Likes(0, (0,)), _Likes(0, (0,)), _Likes(2, (2,)), _Late()]
    r = run(Mopac(), parties, space, prefs, deadline=4)
    assert r.agreement == (0,) and r.bound == (0, 1)
    assert isinstance(r.state, MopacState) and r.state.deals[1] == ((2,), (2, 3))
    assert list(r.utilities) == pytest.approx([1.0, 0.9, 1.0, 0.8])


class _Late(Strategy):
    """Offers d and rejects everything in the first round; then offers c and accepts c."""

    name = "late"

    def __init__(self) -> None:
        pass

    def act(self, view: View) -> Action:
        if view.table is None:
            return Offer((3,) if view.round == 0 else (2,))
        return Accept() if view.round > 0 and view.table == (2,) else Reject(())


class _Sloppy(Strategy):
    """Plays like `linear`, except that it walks away from an offer put to the vote (which
    mopac does not allow; walking away from a mediator's text is allowed)."""

    name = "sloppy"

    def __init__(self) -> None:
        from entente.negotiation.strategies.concession import Linear

        self.inner = Linear()

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.inner.reset(view, rng)

    def act(self, view: View) -> Action:
        if Offer not in view.legal and view.state.proposer < view.n_parties:
            return Walk()
        return self.inner.act(view)

    def spec(self) -> str:
        return "linear"  # claims to be linear: the suite compares it with the real one


def test_the_conformance_suite_plays_mopac() -> None:
    from entente import check_strategy

    failures = check_strategy(_Sloppy())
    assert failures and all("mopac" in f or "spec" in f for f in failures)
    assert any(f.startswith("mopac, 3 parties: illegal move") for f in failures)
    assert any(f.startswith("mopac, 4 parties") for f in failures)
    assert check_strategy("linear") == []


def test_a_party_can_opt_in_after_seeing_the_votes() -> None:
    p = Mopac()
    # party 1 rejects party 0's offer when it votes, then opts in to it
    script = _round([0, 1, 2], {}, [0, 1, 2], opt_in={(0, 1): Accept()})
    s = _play(p, 3, script, deadline=1)
    assert s.deals == (((0,), (0, 1)),)
    opt = [m for m in s.history if m.answers is not None]
    assert [(m.actor, m.answers) for m in opt][:2] == [(1, (0,)), (2, (0,))]
    assert all(m.round == 0 for m in s.history)
    # the trace reads each opt-in against the offer it answers, not the last offer made
    from entente.negotiation.session import Result, trace_rows

    space = OutcomeSpace((categorical("x", ["a", "b", "c"]),))
    flat = Preferences((LinearAdditive(np.ones(1), (np.zeros(3),)),))
    r = Result(s.agreement, np.zeros(3), s, 1.0, ("a", "b", "c"), s.bound)
    rows = trace_rows(r, space, (flat,) * 3)
    first_opt = rows[len(s.history) - len(opt)]
    assert first_opt["action"] == "accept" and first_opt["outcome"] == {"x": "a"}
