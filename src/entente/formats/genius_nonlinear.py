"""ANAC 2014 nonlinear GENIUS profiles: `HyperRectangles`, divided by their `maxutility` and
capped at 1.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from entente.errors import ScenarioError, quoted
from entente.formats.genius_xml import MAX_DEPTH, MAX_INDEX, index_attr, num, where
from entente.hyperrect import HyperRectangles
from entente.space import OutcomeSpace

MAX_RECTANGLES = 200_000


def hyperrectangles(
    utility: Element, pos: dict[int, int], space: OutcomeSpace, file: Path
) -> HyperRectangles:
    top = num(utility, "maxutility", file, 1.0)
    if top <= 0:
        raise ScenarioError(
            f"expected a positive maxutility, got {top:g}", file=str(file), field="<utility>"
        )
    utils: list[float] = []
    excl: list[bool] = []
    rect: list[int] = []
    cols: list[list[int]] = [[], [], []]
    first = utility.find("ufun")  # GENIUS reads the first ufun (and the ufuns nested in it)
    for hr, weight in _rectangles(first, file) if first is not None else ():
        # as GENIUS: EXCLUDES, if any, make the rectangle exclusive and INCLUDES are ignored
        exc = hr.findall("EXCLUDES")
        r = len(utils)
        utils.append(weight * num(hr, "weight", file, 1.0) * num(hr, "utility", file) / top)
        excl.append(bool(exc))
        for b in exc or hr.findall("INCLUDES"):
            i = index_attr(b, file)
            if i not in pos:
                raise ScenarioError(f"hyperRectangle names no issue {i}", file=str(file))
            iss = space.issues[pos[i]]
            if iss.kind != "integer" or iss.values is None:
                raise ScenarioError(
                    f"hyperRectangle over non-integer issue {quoted(iss.id)} is not supported",
                    file=str(file),
                )
            base = int(iss.values[0])
            rect.append(r)
            cols[0].append(pos[i])
            cols[1].append(_whole(b, "min", file) - base)
            cols[2].append(_whole(b, "max", file) - base)
        if len(utils) > MAX_RECTANGLES:
            raise ScenarioError(
                f"more than {MAX_RECTANGLES:,} hyperRectangles (the limit)", file=str(file)
            )
    if not np.isfinite(utils).all():
        raise ScenarioError("hyperRectangle utilities overflow", file=str(file))
    return HyperRectangles(
        np.array(utils),
        np.array(rect),
        np.array(cols[0]),
        np.array(cols[1]),
        np.array(cols[2]),
        np.array(excl, dtype=bool),
        cap=1.0,
    )


def _whole(el: Element, attr: str, file: Path) -> int:
    """A bound of a hyperRectangle: GENIUS reads it as an integer (fractions are cut)."""
    x = num(el, attr, file)
    if abs(x) > MAX_INDEX:
        raise ScenarioError(
            f"expected a whole number of at most {MAX_INDEX:,}, got {quoted(el.get(attr))}",
            file=str(file),
            field=f"{where(el)} {attr}",
        )
    return int(x)


def _rectangles(first: Element, file: Path) -> list[tuple[Element, float]]:
    """The hyperRectangles of a ufun and its nested ufuns, with their ufun weights."""
    out: list[tuple[Element, float]] = []
    todo: list[tuple[Element, float, int]] = [(first, 1.0, 1)]
    while todo:
        uf, weight, depth = todo.pop()
        if uf.get("aggregation", "sum") != "sum":
            raise ScenarioError(
                f"ufun aggregation {quoted(uf.get('aggregation'))} is not supported (expected sum)",
                file=str(file),
            )
        w = weight * num(uf, "weight", file, 1.0)
        out.extend((hr, w) for hr in uf.findall("hyperRectangle"))
        inner = uf.findall("ufun")
        if inner and depth >= MAX_DEPTH:
            raise ScenarioError(
                f"ufuns nest more than {MAX_DEPTH} levels deep", file=str(file), field="<ufun>"
            )
        todo.extend((u, w, depth + 1) for u in reversed(inner))
    return out
