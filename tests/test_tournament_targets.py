"""The batched engine plays any strategy that declares its targets, built-in or not, exactly as
the driver loop does; a strategy that declares none, or changes how it offers or accepts while
keeping a declaration it inherits, plays in the loop."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from entente import registry
from entente.negotiation.actions import Outcome
from entente.negotiation.session import run
from entente.negotiation.strategies.base import Negotiator, Strategy
from entente.negotiation.strategies.concession import Boulware, TimeDependent
from entente.negotiation.strategies.micro import MiCRO
from entente.negotiation.strategies.reactive import TitForTat
from entente.negotiation.strategies.targets import Targets
from entente.negotiation.view import View
from entente.tournament.batch import batchable, run_batch
from entente.tournament.prepared import prepare
from genius_paths import DATA


class Stubborn(Boulware):
    """A user's subclass that changes only its name and default: it inherits the declaration."""

    name = "stubborn"

    def __init__(self, e: float = 0.05) -> None:
        super().__init__(e)


class Cubic(Negotiator):
    """A user's own strategy that declares its rule: falls as t cubed."""

    name = "cubic"

    def __init__(self) -> None:
        pass

    def targets(self) -> Targets:
        return Targets("falling", lambda t: t**3)

    def target(self, view: View) -> float:
        return self.targets().aim(view, self.floor(view.me_own))


class Kind(TitForTat):
    """Tit-for-tat with its own parameters, declared by the base class."""

    name = "kind"

    def __init__(self) -> None:
        super().__init__(factor=0.7, kindness=0.05)


class Picky(TimeDependent):
    """Inherits the declaration but chooses its offers otherwise: the loop plays it."""

    name = "picky"

    def choose(self, view: View, target: float) -> Outcome:
        return view.me_own.near(target + 0.01, self.rng_)


class Drifting(TimeDependent):
    """Changes its target but not its declaration: the loop plays it."""

    name = "drifting"

    def target(self, view: View) -> float:
        return super().target(view) - 0.01


class Renamed(MiCRO):
    """MiCRO under another name: its declared way to play is kept, so it is batched."""

    name = "renamed"


class Greedy(MiCRO):
    """MiCRO that changes how it proposes but keeps the declaration: the loop plays it."""

    name = "greedy"

    def propose(self, view: View) -> Outcome:
        return self.ranking_.outcome(0)


def _builtins() -> list[str]:
    names = [n for n in registry.strategy_names(mediator=False) if n in registry._BUILTIN]
    return [n for n in names if batchable(registry.strategy(n))]


def test_the_batched_built_ins_are_the_ones_that_declare_targets() -> None:
    assert set(_builtins()) == {
        "timedep",
        "boulware",
        "linear",
        "conceder",
        "aspiration",
        "hardliner",
        "tit_for_tat",
        "micro",
    }


def test_what_changes_offers_or_targets_without_declaring_is_not_batched() -> None:
    assert batchable(Stubborn()) and batchable(Cubic()) and batchable(Kind())
    assert not batchable(Picky()) and not batchable(Drifting())
    assert batchable(Renamed()) and not batchable(Greedy())
    assert not batchable(registry.strategy("learner"))  # a TimeDependent that chooses by model
    assert not batchable(registry.strategy("boa"))


PLAYERS: list[Strategy] = [
    *(registry.strategy(n) for n in _builtins()),
    registry.strategy("timedep(e=0.5)"),
    registry.strategy("tit_for_tat(factor=0.5, kindness=0.0)"),
    Stubborn(),
    Cubic(),
    Cubic(),  # two objects, two unnamed curves: each computed for itself
    Kind(),
]


@pytest.mark.parametrize("deadline", [40, 9])
def test_batch_equals_the_driver_loop_for_every_batchable_strategy(deadline: int) -> None:
    prep = prepare(str(DATA / "y2011" / "Laptop"))
    sc, table = prep.scenario, prep.table
    assert table is not None
    pairs = [(a, b) for a in PLAYERS for b in PLAYERS]
    out = run_batch(table, [list(p) for p in pairs], deadline)
    for m, (a, b) in enumerate(pairs):
        res = run(
            registry.protocol("alternating"),
            [copy.deepcopy(a), copy.deepcopy(b)],  # a strategy that learns plays one side
            sc.space,
            sc.prefs,
            deadline=deadline,
            table=table,
        )
        flat = (
            -1
            if res.agreement is None
            else int(np.ravel_multi_index(res.agreement, sc.space.shape))
        )
        assert (int(out.agreement[m]), int(out.rounds[m])) == (flat, res.rounds), (a, b)
        assert float(out.time[m]) == res.time, (a, b)


def test_ranked_strategies_draw_as_the_driver_loop_does_for_every_seed() -> None:
    """MiCRO repeats earlier offers drawn at random: the batch draws from each negotiation's
    own generator, so every seed gives the loop's agreement, rounds and time (on a laptop
    domain where the draws change many talks)."""
    prep = prepare(str(DATA / "other" / "laptopdomain"))
    sc, table = prep.scenario, prep.table
    assert table is not None
    micro = registry.strategy("micro")
    pairs = [(a, b) for a in PLAYERS for b in PLAYERS if micro.name in (a.name, b.name)]
    pairs.append((Renamed(), micro))
    seeds = [0, 1, 2, 3, 4, 5, 12345]
    games = [(i, a, b, seed) for i, (a, b) in enumerate(pairs) for seed in seeds]
    third = [registry.strategy("micro")] if len(sc.parties) == 3 else []  # three parties here
    out = run_batch(
        table, [[a, b, *third] for _, a, b, _ in games], 60, [seed for *_, seed in games]
    )
    seen: dict[int, set[tuple[int, int]]] = {}
    for m, (i, a, b, seed) in enumerate(games):
        res = run(
            registry.protocol("alternating"),
            [copy.deepcopy(x) for x in (a, b, *third)],  # a learning strategy plays one side
            sc.space,
            sc.prefs,
            deadline=60,
            seed=seed,
            table=table,
        )
        flat = (
            -1
            if res.agreement is None
            else int(np.ravel_multi_index(res.agreement, sc.space.shape))
        )
        assert (int(out.agreement[m]), int(out.rounds[m])) == (flat, res.rounds), (a, b, seed)
        assert float(out.time[m]) == res.time, (a, b, seed)
        seen.setdefault(i, set()).add((flat, res.rounds))
    assert sum(len(got) > 1 for got in seen.values()) >= 5  # the seeds change these talks


def test_a_tournament_plays_each_seed_of_a_ranked_strategy() -> None:
    """Repetitions of an assignment with MiCRO are different negotiations (their seeds differ):
    the batched rows are the driver loop's, repetition by repetition."""
    pytest.importorskip("pyarrow")
    from entente.tournament.grid import cells
    from entente.tournament.play import Task, play

    source = str(DATA / "other" / "laptopdomain")
    sc = prepare(source).scenario
    grid = cells([(sc.id, 3)], ["micro", "linear"], 6, seed=3)
    rows = play(Task(source, tuple(grid), 40))
    for cell, row in zip(grid, rows, strict=True):
        res = run(
            registry.protocol("alternating"),
            [registry.strategy(s) for s in cell.specs],
            sc.space,
            sc.prefs,
            deadline=40,
            seed=cell.seed,
        )
        assert row["seed"] == cell.seed
        assert row["agreement"] == (None if res.agreement is None else list(res.agreement))
        assert (row["rounds"], row["utilities"]) == (res.rounds, [float(x) for x in res.utilities])
    assert len({(str(r["strategies"]), r["rounds"]) for r in rows}) > len({c.specs for c in grid})


class _Refusing:
    """A generator that fails any draw."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"drew {name}")


@pytest.mark.parametrize("other", ["nice_tft", "boulware", "linear", "conceder"])
def test_a_strategy_that_says_it_draws_nothing_draws_nothing(
    other: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NiceTitForTat declares `draws = False`: it plays a listed space without a draw."""
    prep = prepare(str(DATA / "other" / "Jobs"))
    sc = prep.scenario
    assert not registry.strategy("nice_tft").draws
    monkeypatch.setattr(np.random, "default_rng", lambda *_: _Refusing())
    res = run(
        registry.protocol("alternating"),
        [registry.strategy("nice_tft"), registry.strategy(other)],
        sc.space,
        sc.prefs,
        deadline=100,
        table=prep.table,
    )
    assert res.rounds > 1


def test_a_tournament_plays_an_assignment_that_draws_nothing_once() -> None:
    """Repetitions of an assignment whose strategies draw nothing are one negotiation: every
    repetition's row is the driver loop's under its own seed."""
    pytest.importorskip("pyarrow")
    from entente.tournament.grid import cells
    from entente.tournament.play import Task, play

    source = str(DATA / "other" / "Jobs")
    prep = prepare(source)
    sc = prep.scenario
    grid = cells([(sc.id, 2)], ["nice_tft", "boulware", "micro"], 3, seed=11)
    rows = play(Task(source, tuple(grid), 30))
    for cell, row in zip(grid, rows, strict=True):
        players = [registry.strategy(s) for s in cell.specs]
        res = run(
            registry.protocol("alternating"),
            players,
            sc.space,
            sc.prefs,
            deadline=30,
            seed=cell.seed,
            table=prep.table,
        )
        assert (row["key"], row["seed"], row["repetition"]) == (
            cell.key,
            cell.seed,
            cell.repetition,
        )
        assert row["agreement"] == (None if res.agreement is None else list(res.agreement))
        assert (row["rounds"], row["utilities"]) == (res.rounds, [float(x) for x in res.utilities])
        if "nice_tft" in cell.specs:
            assert row["model_tau"][cell.specs.index("nice_tft")] is not None
