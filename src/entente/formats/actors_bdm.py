"""The BDM/Scholz actor table: `load(path) -> Actors`.

A CSV with the columns Actor, Capability, Position, Salience (in any order, any case; other
columns are ignored), one row per actor; one issue, named after the file. The file states no
scale: it runs from the lowest to the highest position in the table (all equal: that position
± 1). Saliences are read on [0, 1], or on [0, 100] when one exceeds 1 (then divided by 100).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from entente.errors import ScenarioError, quoted
from entente.forecast.actors import MAX_SPAN, Actors
from entente.formats.actors_check import number, read, rows, within

__all__ = ["load", "loads"]

_BDM = ("actor", "capability", "position", "salience")
_SAL_NOTE = {1.0: "", 100.0: " (saliences over 1 are read on a 0-100 scale)"}


def load(path: str | Path) -> Actors:
    """The actors of a BDM table."""
    return loads(*read(path))


def loads(text: str, file: str = "<actors>") -> Actors:
    """`load` on the text of a file; `file` names it in error messages and names the issue."""
    issue = Path(file).stem or "issue"
    table = rows(text, file, ",", '"')
    if not table:
        raise ScenarioError("is empty (expected an actor table)", file=file)
    head_line, header = table[0]
    lower = [h.lower() for h in header]
    cols: dict[str, int] = {}
    for want in _BDM:
        if want not in lower:
            raise ScenarioError(
                f"missing column {want.capitalize()} (expected Actor, Capability, Position, "
                "Salience)",
                file=file,
                line=head_line,
            )
        if lower.count(want) > 1:
            raise ScenarioError(
                f"column {want.capitalize()} appears twice", file=file, line=head_line
            )
        cols[want] = lower.index(want)
    body = table[1:]
    if not body:
        raise ScenarioError("has a header but no actor rows", file=file, line=head_line)
    names: list[str] = []
    values = np.empty((len(body), 3))
    for r, (line, cells) in enumerate(body):
        if len(cells) != len(header):
            raise ScenarioError(
                f"row has {len(cells)} fields, the header {len(header)}", file=file, line=line
            )
        name = cells[cols["actor"]]
        if not name:
            raise ScenarioError(
                "expected an actor's name", file=file, line=line, field="column Actor"
            )
        if name in names:
            raise ScenarioError(
                f"actor {quoted(name)} appears twice (first on line {body[names.index(name)][0]})",
                file=file,
                line=line,
                field="column Actor",
            )
        names.append(name)
        for k, col in enumerate(("capability", "position", "salience")):
            values[r, k] = number(cells[cols[col]], file, line, header[cols[col]])
        if values[r, 0] < 0:
            raise ScenarioError(
                f"expected a capability of 0 or more, got {values[r, 0]:g}",
                file=file,
                line=line,
                field=f"column {header[cols['capability']]}",
            )
    sal = values[:, 2]
    scale = 100.0 if sal.max() > 1 else 1.0
    for r, (line, _) in enumerate(body):
        within(sal[r], 0, scale, file, line, header[cols["salience"]], _SAL_NOTE[scale])
    pos = values[:, 1]
    low, high = float(pos.min()), float(pos.max())
    if low == high:
        low, high = low - 1.0, high + 1.0
    if not math.isfinite(high - low):
        raise ScenarioError(
            f"positions run from {low:g} to {high:g}, a scale too long to measure; expected "
            f"the highest minus the lowest below {MAX_SPAN:.3g}",
            file=file,
            field=f"column {header[cols['position']]}",
        )
    return Actors(
        names=tuple(names),
        issues=(issue,),
        capability=values[:, 0],
        position=pos[:, None],
        salience=(sal / scale)[:, None],
        low=np.array([low]),
        high=np.array([high]),
    )
