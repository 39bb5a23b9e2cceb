"""What a strategy sees when it must act: its own preferences and the public state.

A party's `Own` gives fast answers about its own utility over the shared per-scenario arrays;
other parties' utilities reach a strategy only through `informed`, when the scenario grants it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from entente.negotiation.actions import Outcome
from entente.negotiation.protocol import NONE, Legal, State
from entente.prefs import Floats, Preferences
from entente.space import Neighbourhood, OutcomeSpace
from entente.table import Table

if TYPE_CHECKING:
    from entente.search import LocalMoves


@dataclass(frozen=True, eq=False)
class Own:
    """A party's own preferences, with its column of the shared utility table when there is one."""

    index: int
    prefs: Preferences
    space: OutcomeSpace
    table: Table | None

    def utility(self, outcome: Outcome) -> float:
        """Utility of one outcome to this party (a table look-up when the space is listed)."""
        if self.table is not None:
            return float(self.table.u[self.flat(outcome), self.index])
        return self.prefs(outcome)

    def flat(self, outcome: Outcome) -> int:
        """The outcome's flat id (mixed radix, first issue most significant)."""
        known = self._flats.get(outcome) if type(outcome) is tuple else None
        if known is not None:
            return known
        flat = self._flat(outcome)
        if type(outcome) is tuple and len(self._flats) < 1 << 16:
            self._flats[outcome] = flat
        return flat

    @cached_property
    def _flats(self) -> dict[Outcome, int]:
        """The flat ids of outcomes asked about so far (strategies ask again and again)."""
        return {}

    def _flat(self, outcome: Outcome) -> int:
        if len(outcome) == len(self._strides):
            flat = 0
            for x, size, stride in zip(outcome, self.space.shape, self._strides, strict=True):
                if not 0 <= x < size:
                    break
                flat += x * stride
            else:
                return int(flat)
        return int(np.ravel_multi_index(outcome, self.space.shape))  # raises the right error

    @cached_property
    def _strides(self) -> tuple[int, ...]:
        shape = self.space.shape
        return tuple(math.prod(shape[i + 1 :]) for i in range(len(shape)))

    def acceptable(self, outcome: Outcome) -> bool:
        """No red line of this party crossed."""
        if self.table is not None:
            return bool(self.table.ok[self.flat(outcome), self.index])
        return bool(self.prefs.feasible(np.asarray([outcome]))[0])

    @cached_property
    def _hood(self) -> Neighbourhood:
        return Neighbourhood(self.space)

    @cached_property
    def _moves(self) -> LocalMoves:
        from entente import search  # spaces too large to list only

        return search.LocalMoves(self.prefs, self._hood)

    @cached_property
    def order(self) -> NDArray[np.int64]:
        """Flat ids this party can accept, best first (listed spaces only)."""
        assert self.table is not None
        return self.table.order(self.index)

    @cached_property
    def _ascending(self) -> Floats:
        assert self.table is not None
        return self.table.u[self.order[::-1], self.index]

    @cached_property
    def best(self) -> float:
        """The highest utility this party can get."""
        if self.table is not None:
            return self.table.ladder(self.index).top
        return self.prefs(self.ideal)

    @cached_property
    def worst(self) -> float:
        """The lowest utility of an outcome this party could accept."""
        if self.table is not None:
            return self.table.ladder(self.index).bottom
        return self.prefs.bounds(self.space)[0]

    @cached_property
    def ideal(self) -> Outcome:
        """This party's best outcome."""
        if self.table is not None:
            best = self.table.ladder(self.index).best_id
            return self.outcome(best if best >= 0 else int(self.order[0]))
        from entente import search  # spaces too large to list only

        return search.best(self.prefs, self.space, np.random.default_rng(0))

    def outcome(self, flat: int) -> Outcome:
        """The outcome with flat id `flat`."""
        known = self._outcomes.get(flat)
        if known is not None:
            return known
        t = self.table
        # the listed outcomes when they are listed already: listing them here would cost tens
        # of milliseconds on a large space for a handful of offers
        if t is not None and "outcomes" in t.__dict__ and 0 <= flat < len(t.outcomes):
            got = tuple(t.outcomes[flat].tolist())
            if len(self._outcomes) < 1 << 16:
                self._outcomes[int(flat)] = got
            return got
        if 0 <= flat < self.space.size:
            digits = []
            rest = int(flat)
            for size in reversed(self.space.shape):
                rest, digit = divmod(rest, size)
                digits.append(int(digit))
            got = tuple(reversed(digits))
            if len(self._outcomes) < 1 << 16:
                self._outcomes[int(flat)] = got
            return got
        return tuple(int(x) for x in np.unravel_index(flat, self.space.shape))

    @cached_property
    def _outcomes(self) -> dict[int, Outcome]:
        """The outcomes of flat ids asked about so far."""
        return {}

    def at_least(self, target: float) -> NDArray[np.int64]:
        """Flat ids of acceptable outcomes worth at least `target`, best first (listed spaces)."""
        n = len(self.order) - int(np.searchsorted(self._ascending, target, side="left"))
        return self.order[:n]

    def between(self, low: float, high: float) -> NDArray[np.int64]:
        """Flat ids of acceptable outcomes with utility in [low, high], best first."""
        hi = len(self.order) - int(np.searchsorted(self._ascending, high, side="right"))
        lo = len(self.order) - int(np.searchsorted(self._ascending, low, side="left"))
        return self.order[hi:lo]

    def near(self, target: float, rng: np.random.Generator) -> Outcome:
        """An acceptable outcome worth at least `target` and as little more as possible.

        Above the best utility, the best outcome. In spaces too large to list, found by search.
        """
        if self.table is None:
            from entente import search  # spaces too large to list only

            return search.near(self.prefs, self.space, target, rng, moves=self._moves)
        # the last of `at_least(target)`, found without sorting every outcome
        got = self.table.ladder(self.index).nearest(target)
        return self.outcome(got if got >= 0 else int(self.order[0]))

    def objections(
        self, text: Outcome, deficit: float, limit: int | None = None
    ) -> tuple[int, ...]:
        """The issues to change for this party to gain `deficit` on `text`, biggest gain first.

        Each issue's gain is what switching that issue alone to its best option would add;
        the list stops as soon as the gains cover the deficit, or at `limit` issues. Issues
        whose options cross a red line of this party come first.
        """
        n = self.space.n_issues
        cand = self._hood.of(np.asarray(text, dtype=np.int64))
        which = self._hood.issue
        u = self.prefs.utility(cand)
        ok = self.prefs.feasible(cand) if self.prefs.red_lines else np.ones(len(u), bool)
        base = self.prefs(text)
        # an issue's gain: the best a change of that issue alone adds, preferring changes that
        # keep clear of this party's red lines; if none does, the plain gain in utility
        feasible_gain = np.full(n, -np.inf)
        np.maximum.at(feasible_gain, which, np.where(ok, u - base, -np.inf))
        plain_gain = np.full(n, -np.inf)
        np.maximum.at(plain_gain, which, u - base)
        gains = np.where(feasible_gain > 1e-12, feasible_gain, plain_gain)
        blocked: list[int] = []
        if not self.acceptable(text):
            for line in self.prefs.red_lines:
                if line.crossed(np.asarray([text]))[0]:
                    blocked += [i for i, _ in line.conditions if i not in blocked]
        order = [int(i) for i in np.lexsort((-gains, feasible_gain <= 1e-12)) if gains[i] > 1e-12]
        chosen: list[int] = list(blocked)
        total = 0.0
        for i in order:
            if (total >= deficit and chosen) or (limit is not None and len(chosen) >= limit):
                break
            if i not in chosen:
                chosen.append(i)
                total += gains[i]
        return tuple(chosen)


@dataclass(frozen=True)
class View:
    """The acting strategy's view: who it is, the public state, its own preferences.

    `me` is a party index, or n_parties for the mediator (whose `own` is None). `informed` is
    the full utility table, present only for an actor the scenario grants it to. `legal` is
    the kinds of action the protocol allows this actor now (its action mask, e.g.
    `Accept in view.legal`): every built-in strategy decides from it (offer, or only answer the
    text on the table?) and never from `mediated`, so it plays under any protocol that lists its
    legal actions. `mediated` says whether the text on the table is a mediator's (or an offer
    put to the vote, shown as one); a view built without `legal` gets those of the built-in
    protocol that `mediated` names.
    """

    me: int
    state: State
    time: float
    space: OutcomeSpace
    own: Own | None
    mediated: bool
    informed: Table | None = None
    informed_prefs: tuple[Preferences, ...] | None = None
    legal: Legal = NONE

    def __post_init__(self) -> None:
        if not self.legal and not self.state.done:
            from entente.negotiation.alternating import AlternatingOffers
            from entente.negotiation.mediated import SingleText

            rules = SingleText() if self.mediated else AlternatingOffers()
            object.__setattr__(self, "legal", rules.legal(self.state))

    @property
    def round(self) -> int:
        return self.state.round

    @property
    def deadline(self) -> int:
        return self.state.deadline

    @property
    def table(self) -> Outcome | None:
        """The outcome on the table: the standing offer, or the mediator's text."""
        return self.state.table

    @property
    def n_parties(self) -> int:
        return self.state.n_parties

    @property
    def me_own(self) -> Own:
        """This party's `Own` (a mediator has none)."""
        if self.own is None:
            raise TypeError("a mediator has no preferences of its own")
        return self.own
