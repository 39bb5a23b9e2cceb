"""The closed set of things a party or mediator can do at the table."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

Outcome = tuple[int, ...]
"""One option index per issue."""


@dataclass(frozen=True)
class Offer:
    """Propose an outcome (a party's offer, or a mediator's single negotiating text)."""

    outcome: Outcome


@dataclass(frozen=True)
class Accept:
    """Accept the outcome on the table.

    Under mopac an acceptance is a vote, which may bound the total power of the deal it joins
    (`min_power`, `max_power`; None: no bound), as GeniusWeb's votes do; other protocols take
    no bounds."""

    min_power: int | None = None
    max_power: int | None = None


@dataclass(frozen=True)
class Reject:
    """Turn down the text on the table, naming the issues (indices) one objects to."""

    objections: tuple[int, ...] = ()


@dataclass(frozen=True)
class Walk:
    """Leave the talks: no agreement."""


Action = Offer | Accept | Reject | Walk

_KINDS: dict[type, str] = {Offer: "offer", Accept: "accept", Reject: "reject", Walk: "walk"}


def kind(action: Action) -> str:
    """'offer', 'accept', 'reject' or 'walk'."""
    return _KINDS[type(action)]


def kind_names(kinds: Collection[type]) -> list[str]:
    """The names of these kinds of action (a view's legal actions), in a fixed order: offer,
    accept, reject, walk."""
    return [name for t, name in _KINDS.items() if t in kinds]


def to_json(action: Action) -> dict[str, Any]:
    """A JSON-ready dict; `from_json` reads it back."""
    match action:
        case Offer(outcome):
            return {"action": "offer", "outcome": list(outcome)}
        case Reject(objections):
            return {"action": "reject", "objections": list(objections)}
        case Accept(min_power=low, max_power=high) if low is not None or high is not None:
            bounds = {"min_power": low, "max_power": high}
            return {"action": "accept", **{k: v for k, v in bounds.items() if v is not None}}
        case _:
            return {"action": kind(action)}


def from_json(data: dict[str, Any]) -> Action:
    """The action a `to_json` dict stands for."""
    match data.get("action"):
        case "offer":
            return Offer(tuple(int(x) for x in data["outcome"]))
        case "accept":
            low, high = data.get("min_power"), data.get("max_power")
            return Accept(None if low is None else int(low), None if high is None else int(high))
        case "reject":
            return Reject(tuple(int(x) for x in data.get("objections", ())))
        case "walk":
            return Walk()
    raise ValueError(f"not an action: {data!r}")
