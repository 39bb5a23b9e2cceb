"""decide's Stokman input: `load(path) -> Actors`.

Rows tagged '#A' (actor), '#P' (issue), '#M' (a named point of an issue's scale), '#D' (actor,
issue, position, salience, power) and '#/' or '#0' (comments), separated by tabs, semicolons or
commas, fields optionally quoted with ' or ".

An issue's scale runs from the lowest to the highest of its '#M' points, 0 to 100 when it has
none. Salience and power lie in [0, 1]; power is read as the actor's capability and must be the
same on every issue of an actor. An actor with no '#D' row on an issue gets salience 0 there
(`actors_check.fill_missing`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from entente.errors import ScenarioError, quoted
from entente.forecast.actors import MAX_SPAN, Actors
from entente.formats.actors_check import check_size, fill_missing, number, read, rows, within

__all__ = ["load", "loads"]

_TAGS = ("#A", "#P", "#M", "#D", "#/", "#0", "#O")

_D_COLUMNS = ("tag", "actor", "issue", "position", "salience", "power")


@dataclass
class _Issue:
    line: int
    points: list[float]


def load(path: str | Path) -> Actors:
    """The actors of a decide input file."""
    return loads(*read(path))


def loads(text: str, file: str = "<actors>") -> Actors:
    """`load` on the text of a file; `file` names it in error messages."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    table = rows(text, file, delimiter, "'")
    actors: dict[str, int] = {}
    issues: dict[str, _Issue] = {}
    data: list[tuple[int, list[str]]] = []
    for line, cells in table:
        tag = cells[0].upper()
        if tag not in _TAGS:
            raise ScenarioError(
                f"unknown row type {quoted(cells[0])} (expected #A, #P, #M, #D or a comment #/)",
                file=file,
                line=line,
                field="column 1",
            )
        if tag in ("#/", "#0", "#O"):
            continue
        if tag in ("#A", "#P"):
            if len(cells) < 2 or not cells[1]:
                raise ScenarioError(
                    f"expected the {'actor' if tag == '#A' else 'issue'}'s key",
                    file=file,
                    line=line,
                    field="column 2",
                )
            seen = actors if tag == "#A" else issues
            if cells[1] in seen:
                raise ScenarioError(
                    f"{quoted(cells[1])} is defined twice", file=file, line=line, field="column 2"
                )
            if tag == "#A":
                actors[cells[1]] = line
            else:
                issues[cells[1]] = _Issue(line, [])
        elif tag == "#M":
            if len(cells) < 3:
                raise ScenarioError(
                    "expected '#M', the issue's key and a position", file=file, line=line
                )
            if cells[1] not in issues:
                raise ScenarioError(
                    f"issue {quoted(cells[1])} has no '#P' row before this one",
                    file=file,
                    line=line,
                    field="column issue",
                )
            issues[cells[1]].points.append(number(cells[2], file, line, "position"))
        else:
            if len(cells) < 6:
                raise ScenarioError(
                    f"row has {len(cells)} fields; expected #D, actor, issue, position, "
                    "salience, power",
                    file=file,
                    line=line,
                )
            data.append((line, cells))
    if not actors:
        raise ScenarioError("has no '#A' (actor) rows", file=file)
    if not issues:
        raise ScenarioError("has no '#P' (issue) rows", file=file)
    check_size(len(actors), len(issues), file)
    a_index = {k: n for n, k in enumerate(actors)}
    i_index = {k: n for n, k in enumerate(issues)}
    low = np.array([min(v.points) if v.points else 0.0 for v in issues.values()])
    high = np.array([max(v.points) if v.points else 100.0 for v in issues.values()])
    for j, v in enumerate(issues.values()):
        if low[j] == high[j]:
            raise ScenarioError(
                f"issue's '#M' rows give one point ({low[j]:g}); expected the lowest and the "
                "highest positions of its scale",
                file=file,
                line=v.line,
            )
        if not math.isfinite(high[j] - low[j]):
            raise ScenarioError(
                f"issue's '#M' rows run from {low[j]:g} to {high[j]:g}, a scale too long to "
                f"measure; expected the highest minus the lowest below {MAX_SPAN:.3g}",
                file=file,
                line=v.line,
            )
    a, i = len(actors), len(issues)
    pos, sal = np.zeros((a, i)), np.zeros((a, i))
    has = np.zeros((a, i), dtype=bool)
    power = np.full(a, np.nan)
    power_line = np.zeros(a, dtype=np.int64)
    where: dict[tuple[int, int], int] = {}
    for line, cells in data:
        if cells[1] not in a_index:
            raise ScenarioError(
                f"actor {quoted(cells[1])} has no '#A' row",
                file=file,
                line=line,
                field="column actor",
            )
        if cells[2] not in i_index:
            raise ScenarioError(
                f"issue {quoted(cells[2])} has no '#P' row",
                file=file,
                line=line,
                field="column issue",
            )
        r, j = a_index[cells[1]], i_index[cells[2]]
        if (r, j) in where:
            raise ScenarioError(
                f"a second position of {quoted(cells[1])} on {quoted(cells[2])} (the first is on "
                f"line {where[r, j]})",
                file=file,
                line=line,
                field="column issue",
            )
        where[r, j] = line
        x = [number(cells[k], file, line, _D_COLUMNS[k]) for k in (3, 4, 5)]
        within(x[0], low[j], high[j], file, line, "position", " (the issue's '#M' scale)")
        within(x[1], 0, 1, file, line, "salience")
        within(x[2], 0, 1, file, line, "power")
        if np.isnan(power[r]):
            power[r], power_line[r] = x[2], line
        elif power[r] != x[2]:
            raise ScenarioError(
                f"power {x[2]:g} differs from {power[r]:g} on line {power_line[r]}; expected one "
                "power per actor (it is the actor's capability on every issue)",
                file=file,
                line=line,
                field="column power",
            )
        pos[r, j], sal[r, j], has[r, j] = x[0], x[1], True
    for k, line in zip(actors, actors.values(), strict=True):
        if not has[a_index[k]].any():
            raise ScenarioError(f"actor {quoted(k)} has no '#D' row", file=file, line=line)
    for k, v in issues.items():
        if not has[:, i_index[k]].any():
            raise ScenarioError(f"issue {quoted(k)} has no '#D' row", file=file, line=v.line)
    fill_missing(pos, sal, power, has)
    return Actors(
        names=tuple(actors),
        issues=tuple(issues),
        capability=power,
        position=pos,
        salience=sal,
        low=low,
        high=high,
    )
