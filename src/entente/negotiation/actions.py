"""The closed set of things a party or mediator can do at the table."""

from __future__ import annotations

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
    """Accept the outcome on the table."""


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


def to_json(action: Action) -> dict[str, Any]:
    """A JSON-ready dict; `from_json` reads it back."""
    match action:
        case Offer(outcome):
            return {"action": "offer", "outcome": list(outcome)}
        case Reject(objections):
            return {"action": "reject", "objections": list(objections)}
        case _:
            return {"action": kind(action)}


def from_json(data: dict[str, Any]) -> Action:
    """The action a `to_json` dict stands for."""
    match data.get("action"):
        case "offer":
            return Offer(tuple(int(x) for x in data["outcome"]))
        case "accept":
            return Accept()
        case "reject":
            return Reject(tuple(int(x) for x in data.get("objections", ())))
        case "walk":
            return Walk()
    raise ValueError(f"not an action: {data!r}")
