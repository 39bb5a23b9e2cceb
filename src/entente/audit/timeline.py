"""Dated events in a treaty's life: signature, ratification, conventions, succession, breaches.

An event names the obligations it affects by id (or by article key, or by party), and each
event kind says what it does to them; the audit reads events in date order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from entente.calendar import Date

EventKind = Literal[
    "signature",
    "ratification",
    "exchange",
    "entry_into_force",
    "convention",
    "succession",
    "act",
    "suspension",
    "resumption",
    "denunciation",
    "termination",
]
EVENT_KINDS: tuple[str, ...] = EventKind.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Succession:
    """A successor state takes over a party's rights and obligations, with its reservations."""

    predecessor: str
    successor: str
    successor_name: str = ""
    reservations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    """Something that happened on a date, and what it did to the treaty's obligations.

    `fulfils`, `violates`, `suspends`, `resumes` and `terminates` hold obligation selectors:
    an obligation id, an article key prefixed with 'article:', or '*' for all. A termination
    or denunciation with nothing listed ends every obligation (of `party`, for a denunciation).
    """

    date: Date
    kind: EventKind
    title: str
    party: str | None = None
    act: str = ""
    fulfils: tuple[str, ...] = ()
    violates: tuple[str, ...] = ()
    suspends: tuple[str, ...] = ()
    resumes: tuple[str, ...] = ()
    terminates: tuple[str, ...] = ()
    succession: Succession | None = None
    note: str = ""
    source: str = ""

    @property
    def key(self) -> tuple[int, int]:
        """Sort key: the date, then the order of the kinds (signature before ratification...)."""
        return (self.date.jdn, EVENT_KINDS.index(self.kind))


def ordered(events: tuple[Event, ...] | list[Event]) -> tuple[Event, ...]:
    """Events by date (stable for same-day events of the same kind)."""
    return tuple(sorted(events, key=lambda e: e.key))
