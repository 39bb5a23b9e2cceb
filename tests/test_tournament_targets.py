"""The batched engine plays any strategy that declares its targets, built-in or not, exactly as
the driver loop does; a strategy that declares none, or changes how it offers or accepts while
keeping a declaration it inherits, plays in the loop."""

from __future__ import annotations

import numpy as np
import pytest

from entente import registry
from entente.negotiation.actions import Outcome
from entente.negotiation.session import run
from entente.negotiation.strategies.base import Negotiator, Strategy
from entente.negotiation.strategies.concession import Boulware, TimeDependent
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
    }


def test_what_changes_offers_or_targets_without_declaring_is_not_batched() -> None:
    assert batchable(Stubborn()) and batchable(Cubic()) and batchable(Kind())
    assert not batchable(Picky()) and not batchable(Drifting())
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
            [a, b],
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
