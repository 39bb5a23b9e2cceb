"""The TOML form of an actor table: `load(path) -> Actors`, and `dumps(actors)` to write it.

Issues with their scale (`low`, `high`), an optional status quo (on every issue or on none) and
recorded outcome, and actors with their capability and, per issue, position and salience:

    [[issues]]
    id = "emissions"
    low = 4.0
    high = 10.0

    [[actors]]
    name = "Netherlands"
    capability = 0.08
    position = { emissions = 4.0 }
    salience = { emissions = 0.8 }

The file states each scale; saliences lie in [0, 1]. An actor with no position on an issue gets
salience 0 there (`actors_check.fill_missing`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from entente.errors import ScenarioError, quoted
from entente.forecast.actors import MAX_SPAN, Actors, Floats
from entente.formats import tomlcheck
from entente.formats.actors_check import check_size, fill_missing, read

__all__ = ["dumps", "load", "loads"]


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


def load(path: str | Path) -> Actors:
    """The actors of a TOML actor file."""
    return loads(*read(path))


def loads(text: str, file: str = "<actors>") -> Actors:
    """`load` on the text of a file; `file` names it in error messages."""
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
    check_size(a, i, file)
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
    fill_missing(pos, sal, cap, has)
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
    """The TOML form of `actors`; `loads` (and `spatial.load_actors`) reads it back to the same
    arrays."""
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
