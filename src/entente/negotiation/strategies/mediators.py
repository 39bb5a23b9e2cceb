"""Mediators for the single negotiating text.

`HillClimber` knows nothing of the parties' utilities: it reads only their acceptances and
objections. `Informed` may read them (when the scenario grants it) and steers the text towards
the Nash bargaining point one revision at a time, trading issues when single changes stall.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from entente.errors import StrategyError
from entente.negotiation.actions import Accept, Action, Offer, Outcome, Reject
from entente.negotiation.protocol import Move
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import View
from entente.prefs import Floats
from entente.space import Neighbourhood
from entente.table import Table


def _last_answers(view: View) -> list[Move]:
    return list(view.state.responses) if view.state.table is not None else []


class HillClimber(Strategy):
    """Uninformed mediator: climbs towards the text that the most parties accept with the
    fewest objections, always revising an issue raised by the least satisfied party.

    A text is scored by (acceptances, -objections); the best text so far is kept, and each new
    draft changes one issue of it that the party with most objections named, to an option not
    yet tried there. Balancing the most dissatisfied party first pulls towards the Nash point.
    """

    name = "hillclimb"
    mediator = True

    def __init__(self, opening: str = "random") -> None:
        if opening not in ("random", "middle"):
            raise ValueError("opening must be 'random' or 'middle'")
        self.opening = opening

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.best_: Outcome | None = None
        self.best_score_: tuple[int, int] = (-1, 0)
        self.tried_: set[Outcome] = set()

    def act(self, view: View) -> Action:
        shape = view.space.shape
        if view.state.table is None:
            if self.opening == "middle":
                first: Outcome = tuple(s // 2 for s in shape)
            else:
                first = tuple(int(self.rng_.integers(s)) for s in shape)
            self.tried_.add(first)
            return Offer(first)
        answers = _last_answers(view)
        text = view.state.table
        objections = [m.action.objections if isinstance(m.action, Reject) else () for m in answers]
        score = (sum(isinstance(m.action, Accept) for m in answers), -sum(map(len, objections)))
        if self.best_ is None or score >= self.best_score_:
            self.best_, self.best_score_ = text, score
            self.objections_ = objections
        base = self.best_
        # the least satisfied party's objections, most important first
        by_need = sorted(range(len(self.objections_)), key=lambda j: -len(self.objections_[j]))
        for j in by_need:
            for issue in self.objections_[j]:
                options = [k for k in range(shape[issue]) if k != base[issue]]
                self.rng_.shuffle(options)
                for k in options:
                    draft = (*base[:issue], k, *base[issue + 1 :])
                    if draft not in self.tried_:
                        self.tried_.add(draft)
                        return Offer(draft)
        # nothing new near the best text: a random step away from it
        issue = int(self.rng_.integers(len(shape)))
        k = int(self.rng_.integers(shape[issue]))
        draft = (*base[:issue], k, *base[issue + 1 :])
        self.tried_.add(draft)
        return Offer(draft)


class Informed(Strategy):
    """Informed mediator: revises the text towards the Nash bargaining point.

    It opens with the ideal text of party `opening` (the demands on the table) or with the Nash
    point itself (`opening=-1`). Each round it changes one issue that some party objected to.
    Among the changes that raise the Nash product (closing any party's shortfall below its
    reservation value first), it takes the cheapest concession: the most utility gained by some
    per unit lost by others. Changes that gain less than `efficient` per unit lost are hard:
    they wait. When no efficient change is left, the text stands for `patience` rounds (an
    impasse); then the mediator proposes the package of one or two objected issues that most
    raises the Nash product: the trades that end deadlocks.
    """

    name = "informed"
    mediator = True

    def __init__(self, opening: int = 0, patience: int = 2, efficient: float = 1.5) -> None:
        self.opening = opening
        self.patience = patience
        self.efficient = efficient

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        if view.informed_prefs is None:
            raise StrategyError(
                "the informed mediator needs the parties' utilities: grant them in the scenario "
                "(mediators.informed = true)"
            )
        self.stalled_ = 0
        self.hood_ = Neighbourhood(view.space)

    def _utilities(self, view: View, outcomes: np.ndarray) -> tuple[Floats, np.ndarray]:
        """Every party's utility of each outcome, and whether it is free of that party's red lines."""
        table: Table | None = view.informed
        if table is not None:
            ids = np.ravel_multi_index(tuple(outcomes.T), view.space.shape)
            return table.u[ids], table.ok[ids]
        prefs = view.informed_prefs
        assert prefs is not None
        u = np.stack([p.utility(outcomes) for p in prefs], axis=1)
        ok = np.stack([p.feasible(outcomes) for p in prefs], axis=1)
        return u, ok

    def _score(self, view: View, outcomes: np.ndarray) -> Floats:
        """Nash score, lexicographically: fewest parties whose red lines the text crosses, then the
        smallest total shortfall below reservation values, then the sum of the logs of the gains."""
        return self._scored(view, *self._utilities(view, outcomes))

    @staticmethod
    def _scored(view: View, u: Floats, ok: np.ndarray) -> Floats:
        """`_score` of outcomes whose utilities `u` and red-line freedom `ok` are known."""
        prefs = view.informed_prefs
        assert prefs is not None
        r = np.array([p.reservation for p in prefs])
        gain = u - r[None, :]
        shortfall = np.clip(-gain, 0, None).sum(axis=1)
        logs = np.log(np.maximum(gain, 1e-9)).sum(axis=1)
        crossed = (~ok).sum(axis=1)
        return logs - 1e6 * shortfall - 1e9 * crossed

    def _opening(self, view: View) -> Outcome:
        prefs = view.informed_prefs
        assert prefs is not None
        table = view.informed
        if table is not None:
            if self.opening >= 0:
                first = int(table.order(self.opening)[0])
            else:
                first = int(np.argmax(self._scored(view, table.u, table.ok)))
            return tuple(int(x) for x in view.space.unflat(np.array([first]))[0])
        from entente import search  # spaces too large to list only

        return search.best(prefs[max(self.opening, 0)], view.space, self.rng_)

    def act(self, view: View) -> Action:
        if view.state.table is None:
            return Offer(self._opening(view))
        text = view.state.table
        objected = sorted(
            {
                i
                for m in _last_answers(view)
                if isinstance(m.action, Reject)
                for i in m.action.objections
            }
        )
        if not objected:
            return Offer(text)
        u_now, ok_now = self._utilities(view, np.asarray([text]))
        current = float(self._scored(view, u_now, ok_now)[0])
        shape = view.space.shape
        moves = self._singles(text, objected)
        u_moves, ok_moves = self._utilities(view, moves)
        score = self._scored(view, u_moves, ok_moves)
        better = np.flatnonzero(score > current + 1e-9)
        if len(better):
            # the cheapest concession first: most gained by some per unit lost by others
            delta = u_moves[better] - u_now
            gained = np.clip(delta, 0, None).sum(axis=1)
            lost = np.clip(-delta, 0, None).sum(axis=1)
            ratio = np.where(lost > 1e-12, gained / np.maximum(lost, 1e-12), np.inf)
            cheap = ratio >= self.efficient
            if cheap.any():
                pick = np.flatnonzero(cheap)[np.lexsort((-score[better][cheap], -ratio[cheap]))[0]]
                self.stalled_ = 0
                return Offer(tuple(int(x) for x in moves[better[pick]]))
        if self.stalled_ < self.patience or not (len(better) or len(objected) > 1):
            self.stalled_ += 1
            return Offer(text)
        if len(objected) > 1:
            moves = np.concatenate([moves, self._pairs(shape, text, objected)])
            score = self._score(view, moves)
        k = int(np.argmax(score))
        if score[k] <= current + 1e-9:
            self.stalled_ += 1
            return Offer(text)
        self.stalled_ = 0
        return Offer(tuple(int(x) for x in moves[k]))

    def _singles(self, text: Outcome, issues: list[int]) -> np.ndarray:
        """Every text that changes one of `issues`, issue by issue, options in order."""
        return self.hood_.of(np.asarray(text, dtype=np.int64))[np.isin(self.hood_.issue, issues)]

    @staticmethod
    def _pairs(shape: tuple[int, ...], text: Outcome, issues: list[int]) -> np.ndarray:
        rows = []
        for i, j in combinations(issues, 2):
            a, b = np.meshgrid(np.arange(shape[i]), np.arange(shape[j]), indexing="ij")
            alt = np.tile(np.asarray(text, dtype=np.int64), (a.size, 1))
            alt[:, i], alt[:, j] = a.ravel(), b.ravel()
            rows.append(alt)
        return np.concatenate(rows)
