"""Opponent models by name, and how well a model knows its opponent.

`MODELS` maps a name to a factory, made from a spec like a strategy's ("bayes(sigma=0.2)"):

- "frequency": counts of the options an opponent offers and of the issues it keeps fixed
  (`models.frequency`, the model of the `learner` strategy);
- "bayes": Bayesian learning over weight orderings and evaluation shapes (Hindriks and
  Tykhonov 2008, `models.bayes`);
- "perfect": the opponent's true utility. For ablations only (what a strategy would do if its
  model were exact): a strategy using it is granted every party's utilities in its view, as an
  informed mediator is.

Every model answers `update(outcome, time)` after each offer of its opponent and
`utility(rows)`, its estimate in [0, 1] of each outcome. A strategy that uses models exposes
them after `reset` as `opponent_model_`, a dict from opponent index to model; `accuracy_trace`
reads it to measure, by Kendall's tau-b and Pearson's r over every outcome (`models.accuracy`),
how close the estimate comes to the truth, at the end and along the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from entente import registry
from entente.errors import EntenteError
from entente.negotiation.actions import Offer, Outcome
from entente.negotiation.models.accuracy import accuracy
from entente.negotiation.models.bayes import BayesModel
from entente.negotiation.models.frequency import FrequencyModel
from entente.negotiation.protocol import Move
from entente.negotiation.view import Own, View
from entente.prefs import Floats, Preferences
from entente.space import OutcomeSpace

MODELS: dict[str, str] = {
    "frequency": "entente.negotiation.boa.models:Frequency",
    "bayes": "entente.negotiation.boa.models:Bayes",
    "perfect": "entente.negotiation.boa.models:Perfect",
}


class OpponentModel(Protocol):
    """What every opponent model answers."""

    def update(self, outcome: Outcome, time: float) -> None: ...

    def utility(self, outcomes: np.ndarray) -> Floats: ...


class Factory:
    """Makes one model per opponent; parameters as given, a spec like a strategy's."""

    name = ""
    reads_utilities = False
    """Whether the model needs every party's true utilities in the view."""

    def new(self, view: View, opponent: int) -> OpponentModel:
        raise NotImplementedError

    def spec(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{self.name}({args})"


@dataclass(frozen=True, repr=False)
class Frequency(Factory):
    learning_rate: float = 0.2
    name = "frequency"

    def new(self, view: View, opponent: int) -> OpponentModel:
        return FrequencyModel(view.space.shape, self.learning_rate)


@dataclass(frozen=True, repr=False)
class Bayes(Factory):
    sigma: float = 0.25
    concession: float = 0.2
    max_orderings: int = 720
    seed: int = 0
    name = "bayes"

    def new(self, view: View, opponent: int) -> OpponentModel:
        return BayesModel(
            view.space.shape, self.sigma, self.concession, self.max_orderings, self.seed
        )


class PerfectModel:
    """The opponent's true utility, rescaled to [0, 1] over its range (ablations only)."""

    def __init__(self, prefs: Preferences, space: OutcomeSpace) -> None:
        self.prefs = prefs
        lo, hi = prefs.bounds(space)
        self.lo, self.span = lo, (hi - lo) or 1.0
        self.n_ = 0

    def update(self, outcome: Outcome, time: float) -> None:
        self.n_ += 1

    def utility(self, outcomes: np.ndarray) -> Floats:
        return (self.prefs.utility(np.asarray(outcomes, dtype=np.int64)) - self.lo) / self.span


@dataclass(frozen=True, repr=False)
class Perfect(Factory):
    name = "perfect"
    reads_utilities = True

    def new(self, view: View, opponent: int) -> OpponentModel:
        if view.informed_prefs is None:
            raise EntenteError(
                "opponent model 'perfect' reads the other parties' utilities, "
                "but this view was not granted them"
            )
        return PerfectModel(view.informed_prefs[opponent], view.space)


def model(spec: str) -> Factory:
    """A model factory from its spec, e.g. "bayes(sigma=0.2)"."""
    made: Factory = registry._make("opponent model", MODELS, spec)
    return made


@dataclass(frozen=True)
class Accuracy:
    """How well a party's models knew the others: at the end, and after each checkpoint round
    (counted from 1), averaged over its opponents."""

    kendall_tau: float
    pearson: float
    over_time: tuple[tuple[int, float, float], ...]
    """(round, tau, pearson) every few rounds (about ten points)."""

    def to_json(self) -> dict[str, Any]:
        def num(x: float) -> float | None:
            return None if math.isnan(x) else round(x, 6)

        return {
            "kendall_tau": num(self.kendall_tau),
            "pearson": num(self.pearson),
            "over_time": [
                {"round": r, "kendall_tau": num(t), "pearson": num(p)} for r, t, p in self.over_time
            ],
        }


def accuracy_trace(
    models: dict[int, OpponentModel],
    moves: tuple[Move, ...],
    space: OutcomeSpace,
    prefs: tuple[Preferences, ...],
    points: int = 10,
) -> Accuracy:
    """Feed fresh `models` (opponent index -> model) with every offer of their opponents in
    `moves`, and measure them against the true utilities after about `points` evenly spaced
    rounds and at the end. Needs a space small enough to list."""
    if not space.enumerable:
        raise EntenteError("model accuracy needs an outcome space small enough to list")
    rows = np.asarray(space.all(), dtype=np.int64)
    truth = {j: prefs[j].utility(rows) for j in models}
    last = moves[-1].round + 1 if moves else 0
    step = max(1, math.ceil(last / points)) if points > 0 else last + 1
    checks = set(range(step, last + 1, step)) | {last}

    def measure() -> tuple[float, float]:
        got = [accuracy(models[j].utility(rows), truth[j]) for j in models]
        return float(np.mean([g[0] for g in got])), float(np.mean([g[1] for g in got]))

    over: list[tuple[int, float, float]] = []
    for i, m in enumerate(moves):
        if m.actor in models and isinstance(m.action, Offer):
            models[m.actor].update(m.action.outcome, m.time)
        ends_round = i + 1 == len(moves) or moves[i + 1].round != m.round
        if ends_round and m.round + 1 in checks:
            over.append((m.round + 1, *measure()))
    tau, r = over[-1][1:] if over else measure()
    return Accuracy(tau, r, tuple(over) if points > 0 else ())


def has_model(spec: str) -> bool:
    """Whether the registered strategy `spec` names exposes `opponent_model_`."""
    try:
        name, _ = registry.parse_spec(spec)
        return hasattr(registry.strategy_class(name), "opponent_model_")
    except EntenteError:
        return False  # not a registered strategy (an object the API was given)


def caught_up(
    models: dict[int, OpponentModel], moves: tuple[Move, ...]
) -> dict[int, OpponentModel]:
    """The models a strategy played with, each fed the offers of its opponent in `moves` that
    it has not learned yet (those after its first `n_`), in order: the models' state after
    every offer, as a fresh model fed all of them would have it (a strategy learns its
    opponents' offers in order, up to its last move)."""
    seen = {j: int(getattr(m, "n_", 0)) for j, m in models.items()}
    for m in moves:
        if m.actor in models and isinstance(m.action, Offer):
            if seen[m.actor] > 0:
                seen[m.actor] -= 1
            else:
                models[m.actor].update(m.action.outcome, m.time)
    return models


def party_accuracy(
    specs: tuple[str, ...],
    moves: tuple[Move, ...],
    space: OutcomeSpace,
    prefs: tuple[Preferences, ...],
    points: int = 10,
    played: tuple[Any, ...] | None = None,
) -> list[Accuracy | None]:
    """For each party, the accuracy of the opponent models its strategy (`specs[i]`) keeps, fed
    with the offers in `moves`; None for a strategy without models, or a space too large to
    list. The models are made afresh by `reset`, as the strategy makes them, and learn every
    offer the opponents made; `points=0` measures only the end.

    With `points=0` and `played` (the strategy objects that played `moves`), each party's own
    models are measured instead, caught up with the offers they had not learned
    (`caught_up`): the same models in the same state, without learning every offer again."""
    out: list[Accuracy | None] = []
    k = len(prefs)
    state = registry.protocol("alternating").start(k, 1)
    for i, spec in enumerate(specs):
        if not (space.enumerable and has_model(spec)):
            out.append(None)
            continue
        own = getattr(played[i], "opponent_model_", None) if played and points == 0 else None
        if own:
            out.append(accuracy_trace(caught_up(dict(own), moves), (), space, prefs, 0))
            continue
        s = registry.strategy(spec)
        view = View(i, state, 0.0, space, Own(i, prefs[i], space, None), False, None, prefs)
        s.reset(view, np.random.default_rng(0))
        found = s.opponent_model_
        out.append(accuracy_trace(dict(found), moves, space, prefs, points) if found else None)
    return out
