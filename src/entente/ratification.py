"""Ratification as the second level of a two-level game.

After an agreement, each party's constituencies (a cabinet, a court, a parliament, the street)
approve or oppose it; the party ratifies when the approving weight passes its rule. A party's
win-set is the set of outcomes its constituencies would ratify: `ratifiable` computes it for an
array of outcomes at once, so that a strategy can keep its offers inside it, and `within_win_set`
turns it into a red line for renegotiation after a failed ratification.

This module works on one party's preferences and rule at a time and knows nothing of a
`Scenario`; `entente.settlement` applies it to a scenario's parties.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError
from entente.prefs import Preferences, RedLine
from entente.space import Outcomes

Rule = Literal["majority", "two_thirds", "unanimity", "quota"]
OnFailure = Literal["no_treaty", "renegotiate"]


@dataclass(frozen=True)
class Constituency:
    """A body whose consent a party needs: it approves outcomes worth at least `threshold` to it.

    Without preferences of its own it judges by its party's utility. A constituency with a
    `veto` blocks ratification alone, whatever the weights.
    """

    id: str
    name: str
    weight: float = 1.0
    threshold: float = 0.0
    prefs: Preferences | None = None
    veto: bool = False
    note: str = ""


@dataclass(frozen=True)
class Ratifier:
    """How one party ratifies: its constituencies, its rule and what failure leads to."""

    party: str
    constituencies: tuple[Constituency, ...]
    rule: Rule = "majority"
    quota: float = 0.5
    on_failure: OnFailure = "no_treaty"

    def __post_init__(self) -> None:
        if not self.constituencies:
            raise EntenteError(f"party {self.party!r}: ratification needs a constituency")
        if any(c.weight < 0 for c in self.constituencies) or self.total <= 0:
            raise EntenteError(
                f"party {self.party!r}: constituency weights must be >= 0, not all 0"
            )
        if not 0.0 < self.quota <= 1.0:
            raise EntenteError(f"party {self.party!r}: quota {self.quota} is not in (0, 1]")

    @property
    def total(self) -> float:
        return float(sum(c.weight for c in self.constituencies))

    def passes(self, share: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Whether an approving share of the weight (0..1) satisfies the rule."""
        eps = 1e-12
        match self.rule:
            case "majority":
                return share > 0.5 + eps
            case "two_thirds":
                return share >= 2.0 / 3.0 - eps
            case "unanimity":
                return share >= 1.0 - eps
            case "quota":
                return share >= self.quota - eps


def approvals(
    ratifier: Ratifier, party_prefs: Preferences, outcomes: Outcomes
) -> NDArray[np.bool_]:
    """(m, c) booleans: whether each constituency approves each outcome."""
    o = np.asarray(outcomes, dtype=np.int64).reshape(-1, np.shape(outcomes)[-1])
    out = np.empty((o.shape[0], len(ratifier.constituencies)), dtype=bool)
    for j, c in enumerate(ratifier.constituencies):
        prefs = c.prefs or party_prefs
        out[:, j] = (prefs.utility(o) >= c.threshold - 1e-12) & prefs.feasible(o)
    return out


def ratifies(ratifier: Ratifier, party_prefs: Preferences, outcomes: Outcomes) -> NDArray[np.bool_]:
    """(m,) booleans: whether the party ratifies each outcome under its rule and vetoes."""
    yes = approvals(ratifier, party_prefs, outcomes)
    w = np.array([c.weight for c in ratifier.constituencies])
    ok = ratifier.passes(yes @ w / ratifier.total)
    vetoes = np.array([c.veto for c in ratifier.constituencies])
    if vetoes.any():
        ok &= yes[:, vetoes].all(axis=1)
    return ok


def ratifiable(
    party_prefs: Preferences, ratifier: Ratifier | None, outcomes: Outcomes
) -> NDArray[np.bool_]:
    """(m,) booleans: the party's win-set, the outcomes it would ratify.

    A party without constituencies (`ratifier` None) ratifies whatever its delegates would
    accept: every outcome at or above its reservation value and inside its red lines.
    """
    if ratifier is not None:
        return ratifies(ratifier, party_prefs, outcomes)
    o = np.asarray(outcomes, dtype=np.int64).reshape(-1, np.shape(outcomes)[-1])
    return (party_prefs.utility(o) >= party_prefs.reservation) & party_prefs.feasible(o)


def delegation(party: str, name: str, party_prefs: Preferences) -> Ratifier:
    """The rule of a party without constituencies: its delegation, at its reservation value."""
    return Ratifier(party, (Constituency("delegation", name, threshold=party_prefs.reservation),))


@dataclass(frozen=True)
class Vote:
    """One constituency's verdict on the agreement."""

    constituency: str
    name: str
    weight: float
    utility: float
    threshold: float
    approves: bool
    veto: bool
    note: str = ""


@dataclass(frozen=True)
class PartyRatification:
    """How one party's ratification went."""

    party: str
    votes: tuple[Vote, ...]
    share: float
    rule: Rule
    ratified: bool
    on_failure: OnFailure

    @property
    def dissent(self) -> tuple[Vote, ...]:
        return tuple(v for v in self.votes if not v.approves)


@dataclass(frozen=True)
class Ratification:
    """Every party's ratification of one agreement, and what follows from it."""

    outcome: tuple[int, ...]
    parties: tuple[PartyRatification, ...]

    @property
    def ratified(self) -> bool:
        return all(p.ratified for p in self.parties)

    @property
    def next(self) -> Literal["treaty", "no_treaty", "renegotiate"]:
        """A treaty; or, when a party fails, renegotiation if every failing party asks for it."""
        failed = [p for p in self.parties if not p.ratified]
        if not failed:
            return "treaty"
        return "renegotiate" if all(p.on_failure == "renegotiate" for p in failed) else "no_treaty"


def vote(ratifier: Ratifier, party_prefs: Preferences, outcome: Outcomes) -> PartyRatification:
    """Put one outcome to one party's constituencies: each vote, the share, the verdict."""
    row = np.asarray(outcome, dtype=np.int64).reshape(1, -1)
    yes = approvals(ratifier, party_prefs, row)[0]
    votes = tuple(
        Vote(
            c.id,
            c.name,
            c.weight,
            float((c.prefs or party_prefs).utility(row)[0]),
            c.threshold,
            bool(yes[j]),
            c.veto,
            c.note,
        )
        for j, c in enumerate(ratifier.constituencies)
    )
    share = sum(v.weight for v in votes if v.approves) / ratifier.total
    ok = bool(ratifies(ratifier, party_prefs, row)[0])
    return PartyRatification(ratifier.party, votes, share, ratifier.rule, ok, ratifier.on_failure)


@dataclass(frozen=True)
class WinSetLine(RedLine):
    """A red line around everything a party's constituencies would refuse to ratify."""

    ratifier: Ratifier | None = None
    party_prefs: Preferences | None = None

    def crossed(self, outcomes: Outcomes) -> NDArray[np.bool_]:
        assert self.ratifier is not None and self.party_prefs is not None
        return ~ratifies(self.ratifier, self.party_prefs, np.atleast_2d(np.asarray(outcomes)))


def within_win_set(party_prefs: Preferences, ratifier: Ratifier) -> Preferences:
    """The preferences with a red line around every outcome outside the party's win-set."""
    if any(isinstance(line, WinSetLine) for line in party_prefs.red_lines):
        return party_prefs
    line = WinSetLine((), "outside the win-set of its constituencies", ratifier, party_prefs)
    return replace(party_prefs, red_lines=(*party_prefs.red_lines, line))
