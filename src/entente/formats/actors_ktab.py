"""KTAB's scenario CSV: `load(path) -> Actors`.

A line `name, description, actors, dimensions`, a header
`Actor, Description, Influence, <dim> Position, <dim> Salience, ...`, then one row per actor.
Positions and saliences lie in [0, 100] (KTAB's own rule): every scale runs from 0 to 100,
saliences are divided by 100, and an actor's saliences sum to at most 100.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from entente.errors import ScenarioError, quoted
from entente.forecast.actors import Actors
from entente.formats.actors_check import check_size, number, read, rows, within

__all__ = ["load", "loads"]


def load(path: str | Path) -> Actors:
    """The actors of a KTAB scenario CSV."""
    return loads(*read(path))


def loads(text: str, file: str = "<actors>") -> Actors:
    """`load` on the text of a file; `file` names it in error messages."""
    table = rows(text, file, ",", '"')
    if len(table) < 2:
        raise ScenarioError(
            "expected the scenario line (name, description, number of actors, number of "
            "dimensions) and the header (Actor, Description, Influence, ...)",
            file=file,
        )
    (l1, head), (l2, header) = table[0], table[1]
    while head and not head[-1]:
        head.pop()
    while header and not header[-1]:
        header.pop()
    if len(head) < 4:
        raise ScenarioError(
            "expected the scenario line: name, description, number of actors, number of dimensions",
            file=file,
            line=l1,
        )
    n_act = _count(head[-2], file, l1, "actors")
    n_dim = _count(head[-1], file, l1, "dimensions")
    if len(header) != 3 + 2 * n_dim:
        raise ScenarioError(
            f"header has {len(header)} columns; expected Actor, Description, Influence and a "
            f"position and a salience for each of the {n_dim} dimensions",
            file=file,
            line=l2,
        )
    dims = [h[: -len(" position")] if h.lower().endswith(" position") else h for h in header[3::2]]
    if len(set(dims)) != len(dims):
        raise ScenarioError("two dimensions share a name", file=file, line=l2)
    body = table[2:]
    if len(body) != n_act:
        raise ScenarioError(
            f"the scenario line announces {n_act} actors, the file holds {len(body)} rows",
            file=file,
            line=l1,
        )
    check_size(n_act, n_dim, file)
    names: list[str] = []
    cap = np.zeros(n_act)
    pos, sal = np.zeros((n_act, n_dim)), np.zeros((n_act, n_dim))
    for r, (line, cells) in enumerate(body):
        while len(cells) > len(header) and not cells[-1]:
            cells.pop()
        if len(cells) != len(header):
            raise ScenarioError(
                f"row has {len(cells)} fields, the header {len(header)}", file=file, line=line
            )
        if not cells[0]:
            raise ScenarioError(
                "expected an actor's name", file=file, line=line, field="column Actor"
            )
        if cells[0] in names:
            raise ScenarioError(
                f"actor {quoted(cells[0])} appears twice",
                file=file,
                line=line,
                field="column Actor",
            )
        names.append(cells[0])
        cap[r] = number(cells[2], file, line, header[2])
        if cap[r] < 0:
            raise ScenarioError(
                f"expected an influence of 0 or more, got {cap[r]:g}",
                file=file,
                line=line,
                field=f"column {header[2]}",
            )
        for d in range(n_dim):
            c = 3 + 2 * d
            pos[r, d] = within(
                number(cells[c], file, line, header[c]), 0, 100, file, line, header[c]
            )
            s = number(cells[c + 1], file, line, header[c + 1])
            sal[r, d] = within(s, 0, 100, file, line, header[c + 1])
        if sal[r].sum() > 100 + 1e-9:
            raise ScenarioError(
                f"saliences sum to {sal[r].sum():g}; expected at most 100 (KTAB's rule)",
                file=file,
                line=line,
            )
    return Actors(
        names=tuple(names),
        issues=tuple(dims),
        capability=cap,
        position=pos,
        salience=sal / 100.0,
        low=np.zeros(n_dim),
        high=np.full(n_dim, 100.0),
    )


def _count(cell: str, file: str, line: int, what: str) -> int:
    try:
        n = int(cell)
    except ValueError:
        n = 0
    if n < 1:
        raise ScenarioError(
            f"expected the number of {what} (a whole number, 1 or more), got {quoted(cell)}",
            file=file,
            line=line,
        )
    return n
