"""Value tables of integer and real issues stated by shape instead of option by option.

In a scenario file, `values.<issue> = { shape = ... }` gives a party's value of every option
of a numeric issue at once:

- `{ shape = "increasing" }`: 0 at the issue's lowest value, 1 at its highest, a straight line;
- `{ shape = "decreasing" }`: the same line, from 1 down to 0;
- `{ shape = "peak", at = 20000 }`: 1 at `at`, falling in straight lines to 0 at both ends
  of the range (a triangle); with `width = 10000`, 0 from `width` away from `at` onwards;
- `{ shape = "linear", points = [[0, 0.0], [50, 1.0], [100, 0.2]] }`: straight lines through
  (number, value) points, numbers increasing; flat before the first point and after the last.

Values are computed on the issue's options at once (NumPy), and the shapes are checked here
with errors located at the field that is wrong.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from entente.errors import quoted
from entente.formats.tomlcheck import STRICT, Fail, Loc
from entente.prefs import Floats
from entente.space import Issue

ShapeName = Literal["increasing", "decreasing", "peak", "linear"]
_TAKES: dict[str, tuple[str, ...]] = {
    "increasing": (),
    "decreasing": (),
    "peak": ("at", "width"),
    "linear": ("points",),
}


class ShapeModel(BaseModel):
    """A party's (or a constituency's) value of every option of an integer or real issue,
    given by a shape."""

    model_config = STRICT

    shape: ShapeName = Field(
        description="'increasing' (0 at the lowest value, 1 at the highest), 'decreasing' "
        "(1 down to 0), 'peak' (1 at `at`, 0 at the ends of the range, or from `width` away) "
        "or 'linear' (straight lines through `points`)."
    )
    at: float | None = Field(None, description="'peak': the number valued most (value 1).")
    width: float | None = Field(
        None,
        gt=0,
        description="'peak': how far from `at` the value falls to 0 (default: to the ends of "
        "the range, a triangle).",
    )
    points: list[tuple[float, float]] | None = Field(
        None,
        description="'linear': [number, value] pairs, numbers increasing; the value is flat "
        "before the first number and after the last.",
    )


def shape_kind(data: Any) -> str:
    """The member of `values.<issue>` a table is: a shape when it has a `shape` key."""
    return "value shape" if isinstance(data, dict) and "shape" in data else "value table"


def shape_values(sm: ShapeModel, iss: Issue, loc: Loc, fail: Fail) -> Floats:
    """The value of each option of `iss` under shape `sm` (checked; errors located at `loc`)."""
    if iss.values is None:
        raise fail(
            (*loc, "shape"),
            f"issue {quoted(iss.id)} is {iss.kind}: a shape needs an integer or real issue "
            "(give a value per option instead)",
        )
    for name in ("at", "width", "points"):
        if getattr(sm, name) is not None and name not in _TAKES[sm.shape]:
            raise fail((*loc, name), f"shape {quoted(sm.shape)} takes no {quoted(name)}")
    x = np.asarray(iss.values, dtype=np.float64)
    low, high = float(x[0]), float(x[-1])
    span = high - low
    if sm.shape in ("increasing", "decreasing"):
        up = (x - low) / span if span > 0 else np.ones_like(x)
        return up if sm.shape == "increasing" else 1.0 - up
    if sm.shape == "peak":
        if sm.at is None:
            raise fail(loc, "a peak needs 'at', the number valued most")
        at = sm.at
        if not low <= at <= high:
            raise fail(
                (*loc, "at"),
                f"peak at {at:g} is outside the range of issue {quoted(iss.id)} "
                f"(expected a number from {low:g} to {high:g})",
            )
        if sm.width is not None:
            return np.clip(1.0 - np.abs(x - at) / sm.width, 0.0, 1.0)
        left = (x - low) / (at - low) if at > low else np.ones_like(x)
        right = (high - x) / (high - at) if high > at else np.ones_like(x)
        return np.clip(np.where(x <= at, left, right), 0.0, 1.0)
    pts = sm.points
    if not pts or len(pts) < 2:
        raise fail(
            (*loc, "points") if pts is not None else loc, "'linear' needs at least two points"
        )
    px = np.array([p[0] for p in pts])
    py = np.array([p[1] for p in pts])
    bad = np.flatnonzero(np.diff(px) <= 0)
    if bad.size:
        j = int(bad[0]) + 1
        raise fail(
            (*loc, "points", j),
            f"numbers of the points must increase: {px[j]:g} follows {px[j - 1]:g}",
        )
    return np.interp(x, px, py)
