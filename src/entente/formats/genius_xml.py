"""What the GENIUS readers share: the parsed file, the limits, and reading numbers, issue
indices and the objective tree, each refused with a message that names the element.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from entente.errors import ScenarioError, quoted

MAX_DEPTH = 32
"""Objectives (and nonlinear ufuns) nested deeper than this are refused; GENIUS uses two or three."""
MAX_INDEX = 2**31 - 1

DOMAIN, PROFILE = "negotiation_template", "utility_space"


@dataclass(frozen=True)
class Doc:
    """A GENIUS file, parsed once."""

    path: Path
    root: Element


@dataclass(frozen=True)
class IssueXml:
    index: int
    element: Element


def where(el: Element, attr: str = "") -> str:
    """<tag value=...> (or index=, name=): an element as a message names it."""
    for key in ("value", "index", "name") if el.tag == "item" else ("index", "name"):
        if key != attr and el.get(key) is not None:
            return f"<{el.tag} {key}={quoted(el.get(key))}>"
    return f"<{el.tag}>"


def num(el: Element, attr: str, file: Path, default: float | None = None, ctx: str = "") -> float:
    """A finite number from attribute `attr` of `el`."""
    raw = el.get(attr)
    if raw is None:
        if default is not None:
            return default
        raise ScenarioError(f"lacks attribute {attr!r}", file=str(file), field=ctx + where(el))
    try:
        x = float(raw)
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise ScenarioError(
            f"expected a finite number, got {quoted(raw)}",
            file=str(file),
            field=f"{ctx}{where(el, attr)} {attr}",
        )
    return x


def index_attr(el: Element, file: Path, default: int | None = None) -> int:
    """A whole-number `index` attribute (GENIUS writes them as integers, sometimes as 1.0)."""
    if el.get("index") is None and default is not None:
        return default
    raw = el.get("index")
    if raw is None:
        raise ScenarioError("lacks attribute 'index'", file=str(file), field=where(el))
    try:
        x = float(raw)
    except ValueError:
        x = math.nan
    if not (math.isfinite(x) and x.is_integer() and abs(x) <= MAX_INDEX):
        raise ScenarioError(
            f"expected a whole number, got {quoted(raw)}",
            file=str(file),
            field=f"{where(el, 'index')} index",
        )
    return int(x)


def bound(el: Element, attr: str, file: Path, default: float | None = None) -> float:
    """An issue's bound, as an attribute or on a <range> child."""
    rng = el.find("range")
    if el.get(attr) is None and rng is not None:
        return num(rng, attr, file, default, ctx=f"{where(el)} ")
    return num(el, attr, file, default)


def objective_of(root: Element, file: Path) -> Element:
    us = root if root.tag == PROFILE else root.find(PROFILE)
    obj = us.find("objective") if us is not None else None
    if obj is None:
        raise ScenarioError("has no <utility_space><objective>", file=str(file))
    return obj


def issue_elements(obj: Element, file: Path) -> list[IssueXml]:
    """Issue elements of an objective tree, with their index numbers, in document order."""
    out: list[IssueXml] = []
    stack: list[Iterator[Element]] = [iter(obj)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "issue":
            out.append(IssueXml(index_attr(child, file, len(out) + 1), child))
        elif child.tag == "objective":
            if len(stack) >= MAX_DEPTH:
                raise ScenarioError(
                    f"objectives nest more than {MAX_DEPTH} levels deep",
                    file=str(file),
                    field=f"{where(obj)} … {where(child)}",
                )
            stack.append(iter(child))
    return out
