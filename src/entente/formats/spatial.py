"""Actor tables for the spatial forecasting models: `load_actors(path) -> Actors`.

Four formats, told apart by their content (not their name):

- the BDM/Scholz actor table: a CSV with the columns Actor, Capability, Position, Salience
  (in any order, any case; other columns are ignored); one issue, named after the file;
- decide's Stokman input: rows tagged '#A' (actor), '#P' (issue), '#M' (a named point of an
  issue's scale), '#D' (actor, issue, position, salience, power) and '#/' or '#0' (comments),
  separated by tabs, semicolons or commas, fields optionally quoted with ' or ";
- KTAB's scenario CSV: a line `name, description, actors, dimensions`, a header
  `Actor, Description, Influence, <dim> Position, <dim> Salience, ...`, then one row per actor;
- the TOML form (see `dumps`): issues with their scale, status quo and recorded outcome, and
  actors with their capability and, per issue, position and salience.

Scales and saliences (docs/forecast.md, "Data"):

- BDM: the scale runs from the lowest to the highest position in the table (the file states
  none); saliences are read on [0, 1], or on [0, 100] when one exceeds 1 (then divided by 100).
- decide: the scale runs from the lowest to the highest '#M' point of the issue, 0 to 100 when
  the issue has none; salience and power lie in [0, 1]; power is read as the actor's
  capability and must be the same on every issue of an actor.
- KTAB: positions and saliences lie in [0, 100] (KTAB's own rule); saliences are divided by
  100, and an actor's saliences sum to at most 100.
- TOML: the file states each scale; saliences lie in [0, 1].

An actor with no position on an issue (decide, TOML) gets salience 0 there, and the position
the others' capability-and-salience weighted mean: it then weighs nothing in any model.

Every mistake is a ScenarioError naming the file, the line and the column (or field).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from entente.errors import ScenarioError, quoted
from entente.forecast.actors import MAX_SPAN, Actors, Floats
from entente.formats import tomlcheck
from entente.formats.safe import read_bytes, shown

__all__ = ["dumps", "load_actors", "loads_actors"]

MAX_BYTES = 8 * 1024 * 1024
"""The largest actor table read."""

MAX_CELLS = 10_000_000
"""Actors x issues, at most (a table of that size takes 160 MB as positions and saliences)."""

_BDM = ("actor", "capability", "position", "salience")
_DECIDE_TAGS = ("#A", "#P", "#M", "#D", "#/", "#0", "#O")
_DECIDE_ROW = re.compile(r"""^['"]?#[APMD/0O]['"]?(?:[\t;,]|$)""", re.IGNORECASE)
_CONTROL = {chr(c) for c in (*range(0, 9), *range(11, 32), 127)}


def load_actors(path: str | Path) -> Actors:
    """The actors of a BDM table, a decide input, a KTAB scenario or a TOML actor file."""
    name = shown(path)
    data = read_bytes(Path(path), MAX_BYTES)
    return loads_actors(data, name)


def loads_actors(data: bytes, file: str = "<actors>") -> Actors:
    """`load_actors` on the bytes of a file; `file` names it in error messages."""
    text = _decode(data, file)
    if not text.strip():
        raise ScenarioError("is empty (expected an actor table)", file=file)
    first = next(ln for ln in text.splitlines() if ln.strip()).lstrip()
    if Path(file).suffix.lower() == ".toml":
        return _toml(text, file)
    if _DECIDE_ROW.match(first):
        return _decide(text, file)
    lines = text.splitlines()
    second = _cells(lines[1])[0].lower() if len(lines) > 1 else ""
    if second == "actor" and _cells(first)[0].lower() != "actor":
        return _ktab(text, file)
    if "actor" in [c.lower() for c in _cells(first)]:
        return _bdm(text, file, Path(file).stem or "issue")
    if first.startswith(("[", "#")) or "=" in first:
        return _toml(text, file)
    raise ScenarioError(
        "unknown format: expected a BDM table (Actor, Capability, Position, Salience), "
        "decide's '#A'/'#P'/'#D' rows, a KTAB scenario CSV or the TOML actor form",
        file=file,
        line=1,
    )


# --- shared ---------------------------------------------------------------------------------


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ScenarioError(
            f"is not UTF-8 text (byte {data[e.start]:#04x} cannot be read)", file=file, line=line
        ) from None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(",")]


def _rows(text: str, file: str, delimiter: str, quote: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank row, cells stripped of blanks and of either quote."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote)
    out: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            cells = [c.strip().strip("'\"").strip() for c in row]
            if any(cells):
                out.append((reader.line_num, cells))
    except csv.Error as e:
        raise ScenarioError(f"unreadable CSV: {e}", file=file, line=reader.line_num) from None
    for line, cells in out:
        for c in cells:
            bad = _CONTROL.intersection(c)
            if bad:
                raise ScenarioError(
                    f"contains control character U+{ord(min(bad)):04X}", file=file, line=line
                )
    return out


def _number(cell: str, file: str, line: int, column: str) -> float:
    try:
        x = float(cell)
    except ValueError:
        got = "nothing" if not cell else quoted(cell)
        raise ScenarioError(
            f"expected a number, got {got}", file=file, line=line, field=f"column {column}"
        ) from None
    if not math.isfinite(x):
        raise ScenarioError(
            f"expected a finite number, got {quoted(cell)}",
            file=file,
            line=line,
            field=f"column {column}",
        )
    return x


def _within(
    x: float, lo: float, hi: float, file: str, line: int, column: str, what: str = ""
) -> float:
    if not lo <= x <= hi:
        raise ScenarioError(
            f"expected a value from {lo:g} to {hi:g}{what}, got {x:g}",
            file=file,
            line=line,
            field=f"column {column}",
        )
    return x


def _fill_missing(position: Floats, salience: Floats, capability: Floats, has: np.ndarray) -> None:
    """Positions where an actor has none: the weighted mean of the others' (salience stays 0)."""
    w = capability[:, None] * salience * has
    total = w.sum(axis=0)
    plain = (position * has).sum(axis=0) / np.maximum(has.sum(axis=0), 1)
    mean = np.where(total > 0, (w * position).sum(axis=0) / np.where(total > 0, total, 1), plain)
    position[~has] = np.broadcast_to(mean, position.shape)[~has]


def _check_size(actors: int, issues: int, file: str) -> None:
    if actors * issues > MAX_CELLS:
        raise ScenarioError(
            f"{actors:,} actors x {issues:,} issues is more than the limit of {MAX_CELLS:,}",
            file=file,
        )


# --- BDM / Scholz ---------------------------------------------------------------------------


def _bdm(text: str, file: str, issue: str) -> Actors:
    rows = _rows(text, file, ",", '"')
    head_line, header = rows[0]
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
    body = rows[1:]
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
            values[r, k] = _number(cells[cols[col]], file, line, header[cols[col]])
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
        _within(sal[r], 0, scale, file, line, header[cols["salience"]], _SAL_NOTE[scale])
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


_SAL_NOTE = {1.0: "", 100.0: " (saliences over 1 are read on a 0-100 scale)"}


# --- decide (Stokman) -----------------------------------------------------------------------

_D_COLUMNS = ("tag", "actor", "issue", "position", "salience", "power")


@dataclass
class _Issue:
    line: int
    points: list[float]


def _decide(text: str, file: str) -> Actors:
    first = next(ln for ln in text.splitlines() if ln.strip())
    delimiter = "\t" if "\t" in first else (";" if ";" in first else ",")
    rows = _rows(text, file, delimiter, "'")
    actors: dict[str, int] = {}
    issues: dict[str, _Issue] = {}
    data: list[tuple[int, list[str]]] = []
    for line, cells in rows:
        tag = cells[0].upper()
        if tag not in _DECIDE_TAGS:
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
            issues[cells[1]].points.append(_number(cells[2], file, line, "position"))
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
    _check_size(len(actors), len(issues), file)
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
        x = [_number(cells[k], file, line, _D_COLUMNS[k]) for k in (3, 4, 5)]
        _within(x[0], low[j], high[j], file, line, "position", " (the issue's '#M' scale)")
        _within(x[1], 0, 1, file, line, "salience")
        _within(x[2], 0, 1, file, line, "power")
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
        pos[r, j], sal[r, j], has[r, j] = x
    for k, line in zip(actors, actors.values(), strict=True):
        if not has[a_index[k]].any():
            raise ScenarioError(f"actor {quoted(k)} has no '#D' row", file=file, line=line)
    for k, v in issues.items():
        if not has[:, i_index[k]].any():
            raise ScenarioError(f"issue {quoted(k)} has no '#D' row", file=file, line=v.line)
    _fill_missing(pos, sal, power, has)
    return Actors(
        names=tuple(actors),
        issues=tuple(issues),
        capability=power,
        position=pos,
        salience=sal,
        low=low,
        high=high,
    )


# --- KTAB -----------------------------------------------------------------------------------


def _ktab(text: str, file: str) -> Actors:
    rows = _rows(text, file, ",", '"')
    (l1, head), (l2, header) = rows[0], rows[1]
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
    body = rows[2:]
    if len(body) != n_act:
        raise ScenarioError(
            f"the scenario line announces {n_act} actors, the file holds {len(body)} rows",
            file=file,
            line=l1,
        )
    _check_size(n_act, n_dim, file)
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
        cap[r] = _number(cells[2], file, line, header[2])
        if cap[r] < 0:
            raise ScenarioError(
                f"expected an influence of 0 or more, got {cap[r]:g}",
                file=file,
                line=line,
                field=f"column {header[2]}",
            )
        for d in range(n_dim):
            c = 3 + 2 * d
            pos[r, d] = _within(
                _number(cells[c], file, line, header[c]), 0, 100, file, line, header[c]
            )
            s = _number(cells[c + 1], file, line, header[c + 1])
            sal[r, d] = _within(s, 0, 100, file, line, header[c + 1])
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


# --- TOML -----------------------------------------------------------------------------------


class _IssueModel(BaseModel):
    model_config = tomlcheck.STRICT
    id: str = Field(min_length=1)
    name: str = ""
    low: float
    high: float
    status_quo: float | None = None
    outcome: float | None = None
    note: str = ""


class _ActorModel(BaseModel):
    model_config = tomlcheck.STRICT
    name: str = Field(min_length=1)
    capability: float = Field(ge=0)
    position: dict[str, float]
    salience: dict[str, float]
    note: str = ""


class _FileModel(BaseModel):
    model_config = tomlcheck.STRICT
    title: str = ""
    description: str = ""
    source: str = ""
    issues: list[_IssueModel] = Field(min_length=1)
    actors: list[_ActorModel] = Field(min_length=1)


def _toml(text: str, file: str) -> Actors:
    raw = tomlcheck.parse(text, file)
    if "actors" not in raw and "parties" in raw:
        raise ScenarioError(
            "is a negotiation scenario, not an actor table (forecast one of its ordered issues "
            "with --issue)",
            file=file,
        )
    m = tomlcheck.validate(_FileModel, raw, text, file)
    fail = tomlcheck.failer(text, file)
    index: dict[str, int] = {}
    for j, iss in enumerate(m.issues):
        if iss.id in index:
            raise fail(("issues", j, "id"), f"issue {quoted(iss.id)} is defined twice")
        index[iss.id] = j
        if not iss.low < iss.high:
            raise fail(("issues", j, "high"), f"expected high > low, got {iss.low:g}..{iss.high:g}")
        if not math.isfinite(iss.high - iss.low):
            raise fail(
                ("issues", j, "high"),
                f"expected high - low below {MAX_SPAN:.3g}, got {iss.low:g}..{iss.high:g}",
            )
        for key in ("status_quo", "outcome"):
            v = getattr(iss, key)
            if v is not None and not iss.low <= v <= iss.high:
                raise fail(
                    ("issues", j, key),
                    f"expected a value from {iss.low:g} to {iss.high:g}, got {v:g}",
                )
    sq = [iss.status_quo for iss in m.issues]
    if any(v is None for v in sq) and any(v is not None for v in sq):
        j = sq.index(None)
        raise fail(("issues", j), "has no status_quo while other issues have one: give all or none")
    a, i = len(m.actors), len(m.issues)
    _check_size(a, i, file)
    pos, sal = np.zeros((a, i)), np.zeros((a, i))
    has = np.zeros((a, i), dtype=bool)
    names: set[str] = set()
    for r, act in enumerate(m.actors):
        if act.name in names:
            raise fail(("actors", r, "name"), f"actor {quoted(act.name)} appears twice")
        names.add(act.name)
        for key in ("position", "salience"):
            other = act.salience if key == "position" else act.position
            for k in getattr(act, key):
                if k not in index:
                    raise fail(
                        ("actors", r, key, k), f"names no issue (expected one of {_ids(index)})"
                    )
                if k not in other:
                    missing = "salience" if key == "position" else "position"
                    raise fail(("actors", r, key, k), f"has no {missing} on the same issue")
        for k, v in act.position.items():
            j = index[k]
            iss = m.issues[j]
            if not iss.low <= v <= iss.high:
                raise fail(
                    ("actors", r, "position", k),
                    f"expected a position from {iss.low:g} to {iss.high:g}, got {v:g}",
                )
            s = act.salience[k]
            if not 0 <= s <= 1:
                raise fail(
                    ("actors", r, "salience", k), f"expected a salience from 0 to 1, got {s:g}"
                )
            pos[r, j], sal[r, j], has[r, j] = v, s, True
    cap = np.array([act.capability for act in m.actors])
    for j, iss in enumerate(m.issues):
        if not has[:, j].any():
            raise fail(("issues", j), f"no actor has a position on issue {quoted(iss.id)}")
    _fill_missing(pos, sal, cap, has)
    outcome = [math.nan if iss.outcome is None else iss.outcome for iss in m.issues]
    return Actors(
        names=tuple(act.name for act in m.actors),
        issues=tuple(iss.id for iss in m.issues),
        capability=cap,
        position=pos,
        salience=sal,
        low=np.array([iss.low for iss in m.issues]),
        high=np.array([iss.high for iss in m.issues]),
        status_quo=None if sq[0] is None else np.array(sq, dtype=np.float64),
        outcome=None if all(iss.outcome is None for iss in m.issues) else np.array(outcome),
    )


def _ids(index: dict[str, int]) -> str:
    from entente.errors import one_of

    return one_of(index)


def dumps(actors: Actors, *, title: str = "", source: str = "") -> str:
    """The TOML form of `actors`; `load_actors` reads it back to the same arrays."""
    out: list[str] = []
    if title:
        out.append(f"title = {_str(title)}")
    if source:
        out.append(f"source = {_str(source)}")
    for j, issue in enumerate(actors.issues):
        out += ["", "[[issues]]", f"id = {_str(issue)}"]
        out.append(f"low = {_num(actors.low[j])}")
        out.append(f"high = {_num(actors.high[j])}")
        if actors.status_quo is not None:
            out.append(f"status_quo = {_num(actors.status_quo[j])}")
        if actors.outcome is not None and not math.isnan(actors.outcome[j]):
            out.append(f"outcome = {_num(actors.outcome[j])}")
    for r, name in enumerate(actors.names):
        out += ["", "[[actors]]", f"name = {_str(name)}"]
        out.append(f"capability = {_num(actors.capability[r])}")
        out.append(f"position = {_table(actors.issues, actors.position[r])}")
        out.append(f"salience = {_table(actors.issues, actors.salience[r])}")
    return "\n".join(out).lstrip("\n") + "\n"


def _str(s: str) -> str:
    import json

    return json.dumps(s, ensure_ascii=False)


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else _str(k)


def _num(x: Any) -> str:
    return repr(float(x))


def _table(keys: Sequence[str], values: Floats) -> str:
    items = ", ".join(f"{_key(k)} = {_num(v)}" for k, v in zip(keys, values, strict=True))
    return "{ " + items + " }"
