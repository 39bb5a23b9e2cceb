"""Uncertain numbers written back to TOML: the inline tables a file gave, and the weights
of a normalised utility on the file's scale (see `ranges` for how they are read)."""

from __future__ import annotations

import json
import math
from typing import Any

from entente.prefs import Preferences
from entente.scenario import Scenario
from entente.uncertain import Uncertain

Numbers = dict[tuple[str, int, int], Uncertain]
"""One owner's uncertain numbers by (kind, issue, option)."""


def numbers_of(scenario: Scenario, party: int, constituency: int = -1) -> Numbers:
    """The uncertain numbers of a party (or of one of its constituencies)."""
    return {
        (u.target.kind, u.target.issue, u.target.option): u
        for u in scenario.uncertain
        if u.target.party == party and u.target.constituency == constituency
    }


def text(u: Uncertain) -> str:
    """The inline table a file gives an uncertain number as."""
    d = u.dist
    keys: list[tuple[str, float]] = {
        "uniform": [("low", d.low), ("high", d.high)],
        "triangular": [("low", d.low), ("mode", d.mode), ("high", d.high)],
        "normal": [("mean", d.mean), ("sd", d.sd), ("low", d.low), ("high", d.high)],
    }[d.kind]
    parts = [f"{k} = {x!r}" for k, x in keys if math.isfinite(x)]
    parts += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in (("source", u.source), ("rationale", u.rationale)) if v]  # fmt: skip
    return "{ " + ", ".join(parts) + " }"


def number(numbers: Numbers, kind: str, x: float) -> str:
    """A number as written: its range when it has one."""
    u = numbers.get((kind, -1, -1))
    return text(u) if u is not None else repr(float(x))


def utility(
    prefs: Preferences, numbers: Numbers, folded: tuple[Any, list[Any]]
) -> tuple[bool, list[str], list[list[str]]]:
    """Whether to write `normalize = true`, and the weights and values as written: ranges
    where the file gave them. A utility the file normalised and gave ranges for is written on
    the file's scale (its weights divided by the scale of load), to be normalised again;
    otherwise as loaded (`folded`: weights and values with the offset folded in)."""
    lin = prefs.linear
    assert lin is not None
    norm = any(u.normalized for u in numbers.values())
    w, values = folded
    if norm:
        scale = next((u.scale for u in numbers.values() if u.target.kind == "weight"), 1.0)
        w = [float(f"{x / scale:.15g}") for x in lin.weights]
        values = list(lin.values)
    ws = [text(numbers[("weight", i, -1)]) if ("weight", i, -1) in numbers else repr(float(x)) for i, x in enumerate(w)]  # fmt: skip
    vs = [
        [
            text(numbers[("value", i, k)]) if ("value", i, k) in numbers else repr(float(x))
            for k, x in enumerate(row)
        ]
        for i, row in enumerate(values)
    ]
    return norm, ws, vs
