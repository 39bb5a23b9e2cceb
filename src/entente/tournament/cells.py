"""A task's cells as a slice of the grid: sent to a worker as a few numbers, built there.

A tournament of hundreds of thousands of negotiations would otherwise build every `Cell` in its
own process and pickle them to the workers, work that does not shrink as workers are added.
`Slice` holds one scenario's part of the grid (its strategies, repetitions, seed) and the
positions of its cells in `grid.cells` order; the cells are built where they are read, equal to
those `grid.cells` lists (tests/test_workers.py holds it).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

from entente.tournament.grid import Cell, cell_key, cell_seed


@dataclass(frozen=True)
class Part:
    """One scenario's part of the grid, as `grid.cells` orders it: assignments (role order),
    then repetitions."""

    scenario: str
    parties: int
    specs: tuple[str, ...]
    repetitions: int
    seed: int
    self_play: bool = True
    roles: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        k = self.parties
        roles = (
            itertools.product(self.specs, repeat=k)
            if self.self_play
            else itertools.permutations(self.specs, k)
        )
        object.__setattr__(self, "roles", tuple(roles))

    def __len__(self) -> int:
        return len(self.roles) * self.repetitions

    def __getstate__(self) -> tuple[object, ...]:  # the roles are rebuilt, not sent
        return (
            self.scenario,
            self.parties,
            self.specs,
            self.repetitions,
            self.seed,
            self.self_play,
        )

    def __setstate__(self, state: tuple[object, ...]) -> None:
        for name, value in zip(
            ("scenario", "parties", "specs", "repetitions", "seed", "self_play"), state, strict=True
        ):
            object.__setattr__(self, name, value)
        self.__post_init__()

    def key(self, i: int) -> str:
        """The key of cell `i`."""
        specs, rep = divmod(i, self.repetitions)
        return cell_key(self.scenario, self.roles[specs], rep)

    def cell(self, i: int) -> Cell:
        """Cell `i` (its position in `grid.cells` order, within this scenario)."""
        specs, rep = divmod(i, self.repetitions)
        key = cell_key(self.scenario, self.roles[specs], rep)
        return Cell(self.scenario, self.roles[specs], rep, cell_seed(self.seed, key))

    def todo(self, have: set[str]) -> list[int]:
        """Positions of the cells whose keys are not in `have`."""
        if not have:
            return list(range(len(self)))
        return [i for i in range(len(self)) if self.key(i) not in have]


@dataclass(frozen=True)
class Slice(Sequence[Cell]):
    """Cells of a `Part` at the given positions; pickles as the part and the positions."""

    part: Part
    positions: range | tuple[int, ...]

    def __len__(self) -> int:
        return len(self.positions)

    @overload
    def __getitem__(self, i: int) -> Cell: ...
    @overload
    def __getitem__(self, i: slice) -> Slice: ...
    def __getitem__(self, i: int | slice) -> Cell | Slice:
        if isinstance(i, slice):
            return Slice(self.part, self.positions[i])
        return self.part.cell(self.positions[i])

    def __iter__(self) -> Iterator[Cell]:
        cell = self.part.cell
        return (cell(i) for i in self.positions)


def slices(part: Part, positions: Sequence[int], size: int) -> list[Slice]:
    """`positions` in slices of at most `size` (runs of consecutive positions stay ranges)."""
    out: list[Slice] = []
    for start in range(0, len(positions), size):
        chunk = positions[start : start + size]
        first, last = chunk[0], chunk[-1]
        run = last - first + 1 == len(chunk)
        out.append(Slice(part, range(first, last + 1) if run else tuple(chunk)))
    return out
