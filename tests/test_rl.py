"""The reinforcement-learning environments: Gymnasium's and PettingZoo's own checks, seeds,
and episodes that must equal what `entente.negotiate` gives for the same moves."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("gymnasium")
pytest.importorskip("pettingzoo")

from gymnasium.utils.env_checker import check_env
from pettingzoo.test import api_test

import entente
from entente.errors import EntenteError
from entente.negotiation.actions import Accept, Action, Offer
from entente.negotiation.view import View
from entente.rl import ACCEPT, OFFERS, WALK, NegotiationAEC, NegotiationEnv

LAKE = "docs/examples/lake-seren.toml"  # 72 outcomes: offers by flat id
CASES = [(LAKE, "alternating"), (LAKE, "mediated"), ("portsmouth", "alternating")]


@pytest.mark.parametrize(("scenario", "protocol"), CASES)
def test_gymnasium_check_env(scenario: str, protocol: str) -> None:
    check_env(NegotiationEnv(scenario, protocol=protocol), skip_render_check=True)


@pytest.mark.parametrize(("scenario", "protocol"), CASES)
def test_pettingzoo_api_test(scenario: str, protocol: str) -> None:
    with warnings.catch_warnings():
        # advice PettingZoo gives every environment outside its own list: a dict observation
        # (it carries the action mask, as PettingZoo's classic games do) and party ids as names
        for advice in (
            "Observation is not a NumPy array",
            "Observation space for each agent probably",
            "We recommend agents to be named",
        ):
            warnings.filterwarnings("ignore", message=advice)
        api_test(NegotiationAEC(scenario, protocol=protocol), num_cycles=60)


def test_action_spaces() -> None:
    assert NegotiationEnv(LAKE).action_space.n == OFFERS + 72
    assert NegotiationEnv("portsmouth").action_space.n == OFFERS + 16  # 248832: levels
    assert NegotiationEnv(LAKE, levels=5).action_space.n == OFFERS + 5
    with pytest.raises(EntenteError, match="learner 'nobody': no such party"):
        NegotiationEnv(LAKE, learner="nobody")


def _episode(env: NegotiationEnv, seed: int) -> tuple[list[float], float]:
    obs, info = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    trail = list(obs)
    done, reward = False, 0.0
    while not done:
        legal = np.flatnonzero(info["action_mask"])
        obs, reward, done, _, info = env.step(int(rng.choice(legal)))
        trail += list(obs)
    return trail, reward


@pytest.mark.parametrize("protocol", ["alternating", "mediated"])
def test_same_seed_same_episode(protocol: str) -> None:
    env = NegotiationEnv(LAKE, protocol=protocol, strategies={"borsk": "random"})
    a, b = _episode(env, 3), _episode(env, 3)
    assert a == b
    others = {tuple(_episode(env, s)[0]) for s in range(6)}
    assert len(others) > 1  # the seed matters


def test_mask_follows_the_protocol() -> None:
    # the first mover under alternating offers has nothing to accept
    env = NegotiationEnv(LAKE, learner="arland", protocol="alternating")
    _, info = env.reset(seed=0)
    mask = info["action_mask"]
    assert mask[ACCEPT] == 0 and mask[WALK] == 1 and mask[2] == 0 and mask[OFFERS:].all()
    # a party answering the mediator's text may accept, reject or walk, never offer
    env = NegotiationEnv(LAKE, learner="arland", protocol="mediated")
    _, info = env.reset(seed=0)
    assert (
        list(info["action_mask"][:OFFERS]) == [1, 1, 1] and not info["action_mask"][OFFERS:].any()
    )
    # an illegal action ends the episode without agreement, at the reservation value
    _, reward, done, _, info = env.step(OFFERS)
    assert done and info["illegal"]
    assert reward == env.plan.scenario.prefs[0].reservation


class AcceptFirst:
    """Accept whatever is on the table; with nothing there, offer one's best outcome."""

    def reset(self, view: View, rng: np.random.Generator) -> None:
        self.rng = rng

    def act(self, view: View) -> Action:
        if view.table is not None:
            return Accept()
        own = view.me_own
        return Offer(own.near(own.best, self.rng))


@pytest.mark.parametrize(
    ("scenario", "protocol", "learner"),
    [
        (LAKE, "alternating", "borsk"),
        (LAKE, "mediated", "arland"),
        ("portsmouth", "alternating", "russia"),
        ("portsmouth", "mediated", "japan"),
    ],
)
def test_accepting_agent_earns_what_negotiate_gives(
    scenario: str, protocol: str, learner: str
) -> None:
    sc = entente.load(scenario)
    other = next(p.id for p in sc.parties if p.id != learner)
    given = {other: "boulware(e=0.2)"}
    env = NegotiationEnv(sc, learner=learner, protocol=protocol, strategies=given, levels=4)
    assert not env.encoding.flat
    me = env.me
    for seed in (0, 7):
        _, info = env.reset(seed=seed)
        done, reward = False, 0.0
        while not done:
            # with nothing to accept: offer 0 is the outcome nearest one's best (levels mode)
            action = ACCEPT if info["action_mask"][ACCEPT] else OFFERS
            _, reward, done, _, info = env.step(action)
        ref = entente.negotiate(sc, protocol, {**given, learner: AcceptFirst()}, seed=seed)
        assert reward == ref.utilities[me]
        assert env.result().agreement == ref.agreement
        assert np.array_equal(env.result().utilities, ref.utilities)
        assert env.result().moves == ref.moves


def test_aec_everyone_accepting_agrees_on_the_first_offer() -> None:
    env = NegotiationAEC(LAKE, protocol="alternating")
    env.reset(seed=1)
    for _agent in env.agent_iter():
        obs, _, term, trunc, _ = env.last()
        if term or trunc:
            env.step(None)
            continue
        mask = obs["action_mask"]
        if mask[ACCEPT]:
            env.step(ACCEPT)
        else:
            env.step(OFFERS + 5)
    res = env.result()
    assert res.agreement == env.encodings["arland"].own.outcome(5)
    assert res.rounds == 1
    prefs = env.plan.scenario.prefs
    t = res.time
    assert np.allclose(res.utilities, [p.discounted(p(res.agreement), t) for p in prefs])
