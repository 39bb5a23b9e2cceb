"""The tournament grid: strategies x scenarios x role assignments x repetitions.

Every cell has a key that names its coordinates and a seed derived from the tournament seed and
that key alone, so a cell's negotiation does not depend on the order cells are run in, on the
executor, or on which other cells the grid holds.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from entente import registry
from entente.errors import EntenteError


@dataclass(frozen=True)
class Cell:
    """One negotiation of the grid: `specs[j]` plays party j of `scenario`."""

    scenario: str
    specs: tuple[str, ...]
    repetition: int
    seed: int

    @property
    def key(self) -> str:
        return cell_key(self.scenario, self.specs, self.repetition)


def cell_key(scenario: str, specs: Sequence[str], repetition: int) -> str:
    """The idempotent identity of a cell: 'scenario|spec0|spec1|...|repetition'."""
    return "|".join([scenario, *specs, str(repetition)])


def cell_seed(seed: int, key: str) -> int:
    """A 63-bit seed from the tournament seed and a cell key (stable across runs and machines)."""
    digest = hashlib.blake2b(f"{seed}|{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def canonical(specs: Sequence[str]) -> tuple[str, ...]:
    """Each spec as its strategy writes it ('boulware' -> 'boulware(e=0.2)'), checked once."""
    out: list[str] = []
    for spec in specs:
        s = registry.strategy(spec)
        if s.mediator:
            raise EntenteError(f"{s.spec()} is a mediator strategy, not a party's")
        out.append(s.spec())
    if len(set(out)) != len(out):
        raise EntenteError(f"a strategy is listed twice: {', '.join(out)}")
    return tuple(out)


def cells(
    scenarios: Sequence[tuple[str, int]],
    specs: Sequence[str],
    repetitions: int,
    seed: int,
    *,
    self_play: bool = True,
) -> list[Cell]:
    """Every cell, for scenarios given as (name, number of parties).

    Role assignments are all ordered choices of a strategy per party (both orders for two
    parties); without `self_play`, a strategy plays at most one party of a negotiation.
    """
    if repetitions < 1:
        raise EntenteError(f"repetitions must be at least 1, not {repetitions}")
    out: list[Cell] = []
    for name, k in scenarios:
        roles = (
            itertools.product(specs, repeat=k) if self_play else itertools.permutations(specs, k)
        )
        for assignment in roles:
            for rep in range(repetitions):
                key = cell_key(name, assignment, rep)
                out.append(Cell(name, tuple(assignment), rep, cell_seed(seed, key)))
    return out
