"""A negotiation as a user describes it: who sits at the table, over what, and what happened.

Plain frozen dataclasses; files are read into them by `entente.formats`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from entente.audit.timeline import Event
from entente.calendar import Calendars, Date, calendars_of
from entente.errors import EntenteError
from entente.prefs import Preferences
from entente.prefs_ranking import Uncertainty
from entente.ratification import Ratifier
from entente.space import OutcomeSpace
from entente.treaty.model import TreatySpec
from entente.uncertain import Uncertain


@dataclass(frozen=True)
class Delegate:
    """A person who speaks for a party (or a mediator)."""

    name: str
    title: str = ""


@dataclass(frozen=True)
class Party:
    """A side at the table, with its preferences, its default strategy, and why its numbers
    are what they are (`rationale`, prose for readers; nothing computes with it).
    `uncertainty`: the party's strategy sees only a ranking of some outcomes (`prefs_ranking`);
    `prefs` stay the true utility, which every measure uses."""

    id: str
    name: str
    prefs: Preferences
    delegates: tuple[Delegate, ...] = ()
    strategy: str | None = None
    rationale: str = ""
    uncertainty: Uncertainty | None = None


@dataclass(frozen=True)
class Mediator:
    """A third party who drafts texts; `informed` grants it the parties' utilities."""

    id: str
    name: str
    delegates: tuple[Delegate, ...] = ()
    strategy: str | None = None
    informed: bool = False


@dataclass(frozen=True)
class Observer:
    """An interested power: not at the table, but with a stake in the result."""

    id: str
    name: str
    interest: str = ""


@dataclass(frozen=True)
class Source:
    """A bibliography entry backing the scenario's facts and numbers."""

    key: str
    citation: str
    url: str = ""


@dataclass(frozen=True)
class Settlement:
    """The day an issue was really settled (`issue` an index into the space), and the source
    (a `Source` key) that records it."""

    issue: int
    date: Date
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class History:
    """What really happened: the outcome agreed, when, and in which round of talks; `settled`,
    the real chronology: which issue was settled on which day."""

    outcome: tuple[int, ...] | None
    date: Date | None = None
    note: str = ""
    settled: tuple[Settlement, ...] = ()


@dataclass(frozen=True)
class Divergence:
    """An issue's real settlement beside a run's: the day each settled it (the run's from the
    round, when the scenario dates its rounds), and the source of the real day."""

    issue: int
    real: Date
    round: int | None
    """The round (from 0) in which the run settled the issue; None when it did not."""
    simulated: Date | None
    source: str = ""

    @property
    def days(self) -> int | None:
        """How many days later (positive) or earlier (negative) the run settled the issue."""
        return None if self.simulated is None else self.simulated.jdn - self.real.jdn


@dataclass(frozen=True, eq=False)
class Scenario:
    """Everything entente needs to negotiate, analyse and compare with history."""

    id: str
    title: str
    space: OutcomeSpace
    parties: tuple[Party, ...]
    mediators: tuple[Mediator, ...] = ()
    observers: tuple[Observer, ...] = ()
    description: str = ""
    venue: str = ""
    dates: dict[str, Date] = field(default_factory=dict)
    protocol: str = "alternating"
    deadline: int = 100
    start: Date | None = None
    """Date of the first round, when the rounds stand for days of a real conference."""
    days_per_round: float = 1.0
    sources: tuple[Source, ...] = ()
    history: History | None = None
    path: str | None = None
    ratification: tuple[Ratifier, ...] = ()
    treaty: TreatySpec | None = None
    timeline: tuple[Event, ...] = ()
    calendars: Calendars = ()
    """The calendars the parties used, in which dates are written out (`Date.render`). Not
    stated: both when a date is written Old Style, Gregorian alone otherwise."""
    issue_descriptions: dict[str, str] = field(default_factory=dict)
    """{issue id: what is at stake on it}, prose for readers. Kept here rather than on
    `space.Issue`: the outcome space is the numeric core, and nothing computes with it."""
    uncertain: tuple[Uncertain, ...] = ()
    """The numbers the file gives as ranges or distributions; the scenario holds their points."""

    def __post_init__(self) -> None:
        if not self.calendars:
            object.__setattr__(self, "calendars", calendars_of(self._written_dates()))
        if len(self.parties) < 2:
            raise EntenteError(f"scenario {self.id!r} needs at least two parties")
        ids = [p.id for p in self.parties] + [m.id for m in self.mediators]
        if len(set(ids)) != len(ids):
            raise EntenteError(f"scenario {self.id!r}: two parties or mediators share an id")
        unknown = set(self.issue_descriptions) - {iss.id for iss in self.space.issues}
        if unknown:
            raise EntenteError(
                f"scenario {self.id!r}: a description names no issue ({', '.join(sorted(unknown))})"
            )

    def _written_dates(self) -> list[Date]:
        held = (self.start, self.history.date if self.history else None)
        chronology = [s.date for s in self.history.settled] if self.history else []
        out = [*self.dates.values(), *(e.date for e in self.timeline), *held, *chronology]
        return [d for d in out if d is not None] + list(self.treaty.dates() if self.treaty else ())

    @property
    def prefs(self) -> tuple[Preferences, ...]:
        return tuple(p.prefs for p in self.parties)

    @property
    def reservations(self) -> np.ndarray:
        return np.array([p.prefs.reservation for p in self.parties])

    def round_date(self, round: int) -> Date | None:
        """The date of round `round` (from 0), when the scenario dates its rounds."""
        if self.start is None:
            return None
        return Date(
            self.start.jdn + round_half_up(round * self.days_per_round), self.start.calendar
        )

    def divergence(self, rounds: dict[int, int]) -> tuple[Divergence, ...]:
        """The real chronology beside a run that settled issue i in round `rounds[i]`, in the
        order of the chronology; empty when the scenario records none."""
        if self.history is None:
            return ()
        out = []
        for s in self.history.settled:
            rnd = rounds.get(s.issue)
            when = None if rnd is None else self.round_date(rnd)
            out.append(Divergence(s.issue, s.date, rnd, when, s.source))
        return tuple(out)

    def party_index(self, party_id: str) -> int:
        for i, p in enumerate(self.parties):
            if p.id == party_id:
                return i
        raise EntenteError(
            f"scenario {self.id!r} has no party {party_id!r}: expected one of "
            + ", ".join(p.id for p in self.parties)
        )


def round_half_up(x: float) -> int:
    return int(np.floor(x + 0.5))
