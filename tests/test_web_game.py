"""Games with human seats: replay determinism, legal-move validation, the debrief's numbers
against brute force, replays of traces, and the store under them."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi")

from entente import api
from entente.errors import EntenteError
from entente.negotiation.actions import Offer, Reject, kind
from entente.web.debrief import debrief, value_left
from entente.web.game import Conflict, Game, Games, Settings, action_to_json
from entente.web.scenarios import Scenarios
from entente.web.store import MoveConflict, Store
from entente.web.watch import read_trace, run_trace, upto

MINIMAL = Path(__file__).resolve().parents[1] / "src" / "entente" / "templates" / "minimal.toml"


@pytest.fixture(scope="module")
def portsmouth():  # type: ignore[no-untyped-def]
    return api.load("portsmouth")


@pytest.fixture(scope="module")
def small():  # type: ignore[no-untyped-def]
    return api.load(MINIMAL)


def as_human(sc, protocol: str | None, seat: str, seed: int = 0) -> tuple[Game, api.Plan]:  # type: ignore[no-untyped-def]
    """A game where `seat` is a person who makes exactly the moves the scenario's agent makes."""
    plan = api.plan(sc, protocol)
    r = api.play(plan, seed)
    me = [p.id for p in sc.parties].index(seat)
    moves = [(seat, action_to_json(sc, m.action)) for m in r.moves if m.actor == me]
    s = Settings(scenario=sc.id, protocol=protocol, seed=seed, seats={seat: "human"})
    return Game(s, sc, moves), plan


@pytest.mark.parametrize("protocol", [None, "mediated", "alternating"])
def test_a_person_who_moves_as_the_agent_gets_the_agents_negotiation(portsmouth, protocol) -> None:  # type: ignore[no-untyped-def]
    game, plan = as_human(portsmouth, protocol, "russia", seed=3)
    want = api.play(plan, 3)
    got = game.result()
    assert got is not None and got.moves == want.moves
    assert got.agreement == want.agreement
    assert np.array_equal(got.utilities, want.utilities)


def test_replay_is_deterministic_and_stops_at_the_persons_turn(portsmouth) -> None:  # type: ignore[no-untyped-def]
    s = Settings(scenario="portsmouth", protocol="mediated", seats={"russia": "human"}, seed=1)
    a = Game(s, portsmouth)
    assert a.turn() == "russia" and a.result() is None
    for issue in ("indemnity", "sakhalin", "railway"):
        a.act("russia", {"type": "reject", "issues": [issue]})
    b = Game(s, portsmouth, a.moves)  # a restart: settings and moves only
    assert b.state("russia") == a.state("russia")
    st_ = a.state("russia")
    assert st_["your_turn"] and st_["legal"] == ["accept", "reject", "walk"]
    rejects = [m for m in st_["history"] if m["mine"]]
    assert [m["issues"] for m in rejects] == [["indemnity"], ["sakhalin"], ["railway"]]
    texts = [m for m in st_["history"] if m["type"] == "offer"]
    p = portsmouth.prefs[1]
    for m in texts:  # each text with its utility to Russia, never Japan's
        assert m["utility"] == round(float(p(portsmouth.space.parse(m["outcome"]))), 6)


def test_moves_are_checked_against_the_legal_actions(portsmouth) -> None:  # type: ignore[no-untyped-def]
    g = Game(
        Settings(scenario="portsmouth", protocol="mediated", seats={"russia": "human"}), portsmouth
    )
    outcome = portsmouth.space.labels(portsmouth.history.outcome)
    with pytest.raises(
        EntenteError, match="'offer' is not allowed now; expected one of accept, reject, walk"
    ):
        g.act("russia", {"type": "offer", "outcome": outcome})
    with pytest.raises(EntenteError, match="reject: no issue 'nosuch'"):
        g.act("russia", {"type": "reject", "issues": ["nosuch"]})
    with pytest.raises(EntenteError, match="objected to twice"):
        g.act("russia", {"type": "reject", "issues": ["korea", "korea"]})
    with pytest.raises(EntenteError, match="type 'bribe': expected one of"):
        g.act("russia", {"type": "bribe"})
    with pytest.raises(EntenteError, match="expected an object"):
        g.act("russia", ["accept"])
    with pytest.raises(Conflict, match="not your turn"):
        g.act("japan", {"type": "accept"})
    assert g.moves == []
    g.act("russia", {"type": "walk"})
    assert g.result() is not None and g.result().agreement is None  # type: ignore[union-attr]
    with pytest.raises(Conflict, match="over"):
        g.act("russia", {"type": "accept"})


def test_an_offer_names_every_issue_and_a_real_option(small) -> None:  # type: ignore[no-untyped-def]
    g = Game(Settings(scenario=small.id, seats={"north": "human"}), small)
    assert g.state("north")["legal"] == ["offer", "walk"]  # the first mover has nothing to accept
    with pytest.raises(EntenteError, match="leaves out issue"):
        g.act("north", {"type": "offer", "outcome": {"border": "river"}})
    with pytest.raises(EntenteError, match="issue 'border' has no option 'sea'"):
        g.act(
            "north", {"type": "offer", "outcome": {"border": "sea", "payment": "0", "troops": "0"}}
        )
    best = small.space.labels(
        tuple(
            int(x)
            for x in api.table(small).space.unflat(
                np.array([int(np.argmax(api.table(small).u[:, 0]))])
            )[0]
        )
    )
    g.act("north", {"type": "offer", "outcome": best})
    assert g.state("north")["history"][0]["utility"] == pytest.approx(1.0)
    assert g.utility("north", best)["utility"] == pytest.approx(1.0)


def test_two_people_take_turns(small) -> None:  # type: ignore[no-untyped-def]
    g = Game(Settings(scenario=small.id, seats={"north": "human", "south": "human"}), small)
    first = {i.id: i.options[0] for i in small.space.issues}
    assert g.turn() == "north"
    g.act("north", {"type": "offer", "outcome": first})
    assert g.turn() == "south" and g.state("south")["legal"] == ["offer", "accept", "walk"]
    assert not g.state("north")["your_turn"] and g.state("north")["legal"] == []
    g.act("south", {"type": "accept"})
    r = g.result()
    assert r is not None and r.agreement == small.space.parse(first)


def brute_value_left(u: np.ndarray, got: np.ndarray, me: int) -> tuple[float, float]:
    own, joint = 0.0, 0.0
    for row in u:
        if all(row[j] >= got[j] - 1e-9 for j in range(len(got)) if j != me):
            own = max(own, row[me] - got[me])
        if all(row[j] >= got[j] - 1e-9 for j in range(len(got))):
            joint = max(joint, float(sum(row[j] - got[j] for j in range(len(got)))))
    return own, joint


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(2, 3),
    st.integers(0, 2),
    st.integers(0, 2**32 - 1),
)
def test_value_left_is_the_brute_force_answer(m: int, k: int, me: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 5, size=(m, k)) / 4  # ties on purpose
    got = u[rng.integers(m)] if rng.random() < 0.7 else rng.random(k)
    me = me % k
    v = value_left(u, got, me)
    own, joint = brute_value_left(u, got, me)
    assert v["own"] == pytest.approx(own, abs=1e-9) and v["joint"] == pytest.approx(joint, abs=1e-9)
    if v["own_row"] >= 0:
        assert u[v["own_row"], me] - got[me] == pytest.approx(own)
    if v["joint_row"] >= 0:
        assert (u[v["joint_row"]] - got).sum() == pytest.approx(joint)


def test_the_debrief_on_a_small_space_matches_brute_force(small) -> None:  # type: ignore[no-untyped-def]
    g = Game(Settings(scenario=small.id, seats={"south": "human"}, seed=2), small)
    while g.result() is None:  # a person who accepts the first offer
        g.act(
            "south",
            {"type": "accept"} if "accept" in g.state("south")["legal"] else {"type": "walk"},
        )
    d = debrief(g, "south", "conceder")
    r = g.result()
    assert r is not None and r.agreement is not None
    prefs = small.prefs
    got = np.array([p(r.agreement) for p in prefs])
    rows = [o for o in itertools.product(*(range(n) for n in small.space.shape))]
    ok = [o for o in rows if all(p.feasible(np.array([o]))[0] for p in prefs)]
    u = np.array([[p(o) for p in prefs] for o in ok])
    own, joint = brute_value_left(u, got, 1)
    assert d["value_left"]["own"] == pytest.approx(own, abs=1e-6)
    assert d["value_left"]["joint"] == pytest.approx(joint, abs=1e-6)
    assert d["yours"] == pytest.approx(got[1], abs=1e-6)
    if own > 1e-6:
        o = small.space.parse(d["value_left"]["own_outcome"])
        assert prefs[1](o) - got[1] == pytest.approx(own, abs=1e-6)
        assert prefs[0](o) >= got[0] - 1e-9  # at no cost to the other side
    # the agent in the seat: the same opponents and seed as a plain negotiation
    want = api.negotiate(small, strategies={"south": "conceder"}, seed=2)
    assert d["agent"]["agent"] == "conceder()" or d["agent"]["agent"].startswith("conceder")
    assert d["agent"]["rounds"] == want.rounds
    assert d["agent"]["yours"] == pytest.approx(
        float(prefs[1](want.agreement)) if want.agreement else prefs[1].reservation, abs=1e-6
    )


def test_the_debrief_says_what_history_did(portsmouth) -> None:  # type: ignore[no-untyped-def]
    game, _ = as_human(portsmouth, None, "russia")
    d = debrief(game, "russia")
    h = d["history"]
    hist = portsmouth.history.outcome
    assert h["yours"] == pytest.approx(portsmouth.prefs[1](hist), abs=1e-6)
    agreed = game.result().agreement  # type: ignore[union-attr]
    assert h["matched"] == sum(a == b for a, b in zip(agreed, hist, strict=True))
    assert h["difference"] == pytest.approx(d["yours"] - h["yours"], abs=1e-5)
    # the agent in Russia's seat is Russia's own strategy: it plays the game the person copied
    assert d["agent"]["yours"] == pytest.approx(d["yours"], abs=1e-6)


def test_the_debrief_waits_for_the_end(portsmouth) -> None:  # type: ignore[no-untyped-def]
    g = Game(Settings(scenario="portsmouth", seats={"russia": "human"}), portsmouth)
    with pytest.raises(Conflict, match="not over"):
        debrief(g, "russia")


def test_settings_round_trip_and_refuse_mistakes(portsmouth) -> None:  # type: ignore[no-untyped-def]
    s = Settings(
        scenario="portsmouth",
        protocol="alternating",
        deadline=9,
        seed=4,
        seats={"russia": "human", "japan": "linear"},
        show_space=False,
    )
    assert Settings.from_json(s.to_json()) == s
    with pytest.raises(EntenteError, match="deadline"):
        Settings.parse({"scenario": "portsmouth", "deadline": 0})
    with pytest.raises(EntenteError, match="settings: evil: Extra inputs are not permitted"):
        Settings.parse({"scenario": "portsmouth", "evil": 1})
    with pytest.raises(EntenteError, match="no party 'prussia'"):
        Game(Settings(scenario="portsmouth", seats={"prussia": "human"}), portsmouth)
    with pytest.raises(EntenteError, match="bolware"):
        Game(
            Settings(scenario="portsmouth", seats={"russia": "human", "japan": "bolware"}),
            portsmouth,
        )
    with pytest.raises(EntenteError, match="mediator"):
        Game(
            Settings(
                scenario="portsmouth",
                protocol="alternating",
                mediator="informed",
                seats={"russia": "human"},
            ),
            portsmouth,
        )


def test_a_trace_reads_back_as_the_negotiation(portsmouth) -> None:  # type: ignore[no-untyped-def]
    text = run_trace(portsmouth, "mediated", {"japan": "linear"}, None, 5)
    r = read_trace(portsmouth, text)
    want = api.negotiate(portsmouth, "mediated", strategies={"japan": "linear"}, seed=5)
    assert r.agreement == want.agreement and r.rounds == want.rounds
    assert [(m.actor, m.action, m.round) for m in r.moves] == [
        (m.actor, m.action, m.round) for m in want.moves
    ]
    assert np.allclose(r.utilities, want.utilities)
    part = upto(portsmouth, r, 2)
    assert part.rounds == 2 and part.agreement is None
    assert all(m.round < 2 for m in part.moves)
    bad = text.replace('"actor":"japan"', '"actor":"prussia"', 1)
    with pytest.raises(EntenteError, match="line 2: actor 'prussia'"):
        read_trace(portsmouth, bad)
    with pytest.raises(EntenteError, match="line 1: not JSON"):
        read_trace(portsmouth, "{" + text)


def test_games_store_moves_and_refuse_a_race(tmp_path: Path, portsmouth) -> None:  # type: ignore[no-untyped-def]
    store = Store(tmp_path / "w.sqlite3")
    events: list[tuple[str, dict]] = []  # type: ignore[type-arg]
    games = Games(store, Scenarios(store), lambda c, e: events.append((c, e)))
    s = Settings(scenario="portsmouth", protocol="mediated", seats={"russia": "human"})
    gid, tokens = games.create(s, ["russia"])
    assert store.seat_of(gid, tokens["russia"]) == "russia"
    assert (
        store.seat_of(gid, tokens["russia"][:-1] + "x") is None and store.seat_of(gid, None) is None
    )
    games.act(gid, "russia", {"type": "reject", "issues": ["korea"]})
    assert events == [
        (f"game:{gid}", {"type": "move", "n": 1, "turn": "russia", "finished": False})
    ]
    with pytest.raises(MoveConflict):
        store.add_move(gid, 0, "russia", {"type": "accept"})
    again = Games(store, Scenarios(store))  # a restart
    assert again.get(gid).moves == [("russia", {"type": "reject", "issues": ["korea"]})]
    again.act(gid, "russia", {"type": "walk"})
    assert store.game(gid) == (store.game(gid)[0], True)
    assert store.finished_summary(gid)["agreement"] is None  # type: ignore[index]
    assert kind(Reject(())) == "reject" and isinstance(Offer((0,)), Offer)
