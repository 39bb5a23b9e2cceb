"""Uncertain numbers in scenario files: ranges and distributions in place of plain numbers.

Where a scenario file takes a party's weight, option value, reservation value or discount, or
a constituency's weight, threshold, utility weight or option value, it may write an inline
table instead of a number:

- `{ low = 0.3, high = 0.5 }`: uniform; the point is the midpoint;
- `{ low = 0.3, mode = 0.4, high = 0.5 }`: triangular; the point is the mode;
- `{ mean = 0.4, sd = 0.05 }`: normal, optionally truncated with `low` and/or `high`; the
  point is the mean. A normal is also cut to the range its field allows (a discount to
  (0, 1], a normalised party's reservation value to [0, 1]).

Each may carry `source` and `rationale` strings. `extract` runs on the parsed TOML before the
schema: it checks each such table (errors located at its field), records it, and puts its
point in its place, so the schema and every later check see plain numbers and an ordinary
run uses the points. `attach` then ties each record to the number of the built scenario.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, Field, WithJsonSchema

from entente.errors import quoted
from entente.formats.tomlcheck import STRICT, Fail, Loc
from entente.prefs import Preferences
from entente.scenario import Scenario
from entente.space import Issue
from entente.uncertain import Distribution, Target, Uncertain

KEYS = ("low", "mode", "high", "mean", "sd", "source", "rationale")
_MARK = "x-entente-distribution"

Number = Annotated[float, WithJsonSchema({"anyOf": [{"type": "number"}, {_MARK: True}]})]
"""A number a file may give as a range or distribution (the schema says so; `extract` has
replaced any such table by its point before the schema checks the file)."""


class DistributionModel(BaseModel):
    """An uncertain number: `{ low, high }` (uniform), `{ low, mode, high }` (triangular) or
    `{ mean, sd }` (normal, cut to `low`/`high` when given). An ordinary run uses the midpoint,
    the mode or the mean; `entente sensitivity` draws from it."""

    model_config = STRICT

    low: float | None = Field(None, description="Lowest value (a normal: where it is cut).")
    mode: float | None = Field(None, description="Triangular: the most likely value.")
    high: float | None = Field(None, description="Highest value (a normal: where it is cut).")
    mean: float | None = Field(None, description="Normal: the mean.")
    sd: float | None = Field(None, ge=0, description="Normal: the standard deviation.")
    source: str = Field("", description="Key or citation of the source the range rests on.")
    rationale: str = Field("", description="Why the number lies in this range.")


def with_distributions(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each place `Number` marked pointing to the Distribution definition
    (pydantic resolves every `$ref` it meets, so the reference is put in afterwards)."""

    def walk(x: Any) -> Any:
        if isinstance(x, dict):
            return {"$ref": "#/$defs/Distribution"} if _MARK in x else {k: walk(v) for k, v in x.items()}  # fmt: skip
        return [walk(v) for v in x] if isinstance(x, list) else x

    out: dict[str, Any] = walk(schema)
    out.setdefault("$defs", {})["Distribution"] = DistributionModel.model_json_schema()
    return out


# ---------------------------------------------------------------- reading


def _domain(field: str) -> tuple[float, float, bool]:
    """(low, high, low open) a field allows, before any check that needs the built scenario."""
    if field == "discount":
        return 0.0, 1.0, True
    if field == "vote":
        return 0.0, math.inf, False
    return -math.inf, math.inf, False


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def distribution(table: dict[str, Any], loc: Loc, fail: Fail, field: str = "") -> Distribution:
    """The distribution an inline table gives, checked; errors located at `loc`."""
    for key, x in table.items():
        if key not in KEYS:
            raise fail(
                (*loc, key),
                f"is not a key of a range (expected {', '.join(KEYS)})",
            )
        if key in ("source", "rationale"):
            if not isinstance(x, str):
                raise fail((*loc, key), f"expected a string (got {quoted(x)})")
        elif not _number(x) or not math.isfinite(x):
            raise fail((*loc, key), f"expected a finite number (got {quoted(x)})")
    got = {k: float(v) for k, v in table.items() if k not in ("source", "rationale")}
    low, high = got.get("low"), got.get("high")
    if "mean" in got or "sd" in got:
        if "mean" not in got or "sd" not in got or "mode" in got:
            raise fail(loc, "a normal takes mean and sd (and optionally low and high), no mode")
        if got["sd"] < 0:
            raise fail((*loc, "sd"), f"sd {got['sd']:g} is negative (expected sd >= 0)")
        dist = Distribution(
            "normal", -math.inf if low is None else low, math.inf if high is None else high,
            0.0, got["mean"], got["sd"],
        )  # fmt: skip
        if not dist.low <= dist.mean <= dist.high:
            raise fail(loc, f"mean {dist.mean:g} lies outside low {dist.low:g} to high {dist.high:g}")  # fmt: skip
    elif low is None or high is None:
        raise fail(
            loc,
            "expected { low, high }, { low, mode, high } or { mean, sd } "
            f"(got the keys {', '.join(table) or 'none'})",
        )
    elif "mode" in got:
        dist = Distribution("triangular", low, high, got["mode"])
        if not low <= dist.mode <= high:
            raise fail((*loc, "mode"), f"mode {dist.mode:g} lies outside low {low:g} to high {high:g}")  # fmt: skip
    else:
        dist = Distribution("uniform", low, high)
    if dist.low > dist.high:
        raise fail((*loc, "low"), f"low {dist.low:g} is above high {dist.high:g}")
    lo, hi, open_low = _domain(field)
    what = "constituency's weight" if field == "vote" else field or "number"
    return in_domain(dist, lo, hi, open_low, loc, fail, what)


def in_domain(
    dist: Distribution, lo: float, hi: float, open_low: bool, loc: Loc, fail: Fail, what: str
) -> Distribution:
    """`dist` refused when its range leaves [lo, hi] ((lo, hi] with `open_low`); a normal
    without such bounds is cut to them."""
    if dist.kind == "normal":
        if not (lo < dist.mean if open_low else lo <= dist.mean) or dist.mean > hi:
            raise fail(loc, _outside(what, "mean", dist.mean, lo, hi, open_low))
        return dist.clipped(lo, hi)
    for key, x in (("low", dist.low), ("high", dist.high)):
        if not (lo < x if open_low else lo <= x) or x > hi:
            raise fail((*loc, key), _outside(what, key, x, lo, hi, open_low))
    return dist


def _outside(what: str, key: str, x: float, lo: float, hi: float, open_low: bool) -> str:
    left = "(" if open_low else "["
    return f"{key} {x:g} is outside the range a {what} allows (expected {left}{lo:g}, {hi:g}])"


_Found = tuple[Loc, str, Distribution, str, str]
"""(location in the file, field kind, distribution, source, rationale)"""


def extract(raw: dict[str, Any], fail: Fail) -> list[_Found]:
    """Every range or distribution of `raw` where a file may give one, checked and replaced
    in `raw` by its point. What is not where it is expected is left for the schema to refuse."""
    found: list[_Found] = []

    def take(table: Any, key: Any, loc: Loc, field: str) -> None:
        x = table.get(key) if isinstance(table, dict) else None
        if isinstance(x, dict):
            d = distribution(x, (*loc, key), fail, field)
            found.append(((*loc, key), field, d, x.get("source", ""), x.get("rationale", "")))
            table[key] = d.point

    def utility(owner: dict[str, Any], loc: Loc) -> None:
        weights = owner.get("weights")
        for issue in list(weights) if isinstance(weights, dict) else ():
            take(weights, issue, (*loc, "weights"), "weight")
        values = owner.get("values")
        for issue, table in values.items() if isinstance(values, dict) else ():
            if isinstance(table, dict) and "shape" not in table:
                for option in list(table):
                    take(table, option, (*loc, "values", issue), "value")

    parties = raw.get("parties")
    for j, party in enumerate(parties if isinstance(parties, list) else ()):
        if isinstance(party, dict):
            utility(party, ("parties", j))
            take(party, "reservation", ("parties", j), "reservation")
            take(party, "discount", ("parties", j), "discount")
    ratification = raw.get("ratification")
    for pid, rat in ratification.items() if isinstance(ratification, dict) else ():
        cons = rat.get("constituencies") if isinstance(rat, dict) else None
        for c, con in enumerate(cons if isinstance(cons, list) else ()):
            if isinstance(con, dict):
                loc = ("ratification", pid, "constituencies", c)
                utility(con, loc)
                take(con, "threshold", loc, "threshold")
                take(con, "weight", loc, "vote")
    return found


# ---------------------------------------------------------------- tying to the scenario


def attach(scenario: Scenario, found: list[_Found], model: Any, fail: Fail) -> Scenario:
    """`scenario` with its uncertain numbers, each tied to the number it stands for;
    `model`: the file as read (its parties' and constituencies' `normalize` and `weights`)."""
    parties = scenario.parties
    out = []
    for loc, field, dist, source, rationale in found:
        target, path = _target(scenario, loc, field)
        prefs: Preferences | None
        if target.constituency < 0:
            owner, prefs = model.parties[target.party], parties[target.party].prefs
        else:
            owner = model.ratification[str(loc[1])].constituencies[target.constituency]
            rat = next(r for r in scenario.ratification if r.party == str(loc[1]))
            prefs = rat.constituencies[target.constituency].prefs
        norm = bool(owner.normalize) and prefs is not None
        scale = _scale(prefs, owner.weights, scenario) if norm and field == "weight" else 1.0
        if field == "reservation":
            party, pm = parties[target.party], model.parties[target.party]
            lo, hi = (0.0, 1.0) if pm.normalize else party.prefs.bounds(scenario.space)
            dist = in_domain(dist, min(lo, 0.0), hi, False, loc, fail, "reservation value")
        out.append(Uncertain(path, dist, target, source, rationale, scale, norm))
    return replace(scenario, uncertain=tuple(sorted(out, key=_order)))


_KINDS = ("weight", "value", "reservation", "discount", "vote", "threshold")


def _order(u: Uncertain) -> tuple[int, ...]:
    """Parties before constituencies, each owner's numbers in the order of the issues and
    options (so that a file written back, whatever order it uses, reads the same)."""
    t = u.target
    return (t.constituency >= 0, t.party, t.constituency, _KINDS.index(t.kind), t.issue, t.option)


def _scale(prefs: Any, weights: dict[str, float], scenario: Scenario) -> float:
    """Loaded weight over written weight of a normalised utility: 1 / (best - worst) of the
    utility as written (normalising scales the weights, not the value tables)."""
    lin = prefs.linear
    assert lin is not None  # scenario files make linear additive utilities
    w = np.array([weights.get(iss.id, 0.0) for iss in scenario.space.issues])
    lo = sum(float((wi * v).min()) for wi, v in zip(w, lin.values, strict=True))
    hi = sum(float((wi * v).max()) for wi, v in zip(w, lin.values, strict=True))
    return 1.0 / (hi - lo)


def _target(scenario: Scenario, loc: Loc, field: str) -> tuple[Target, str]:
    space = scenario.space
    if loc[0] == "parties":
        j = int(loc[1])
        head = f"parties.{scenario.parties[j].id}"
        con = -1
        rest = loc[2:]
    else:
        pid, con = str(loc[1]), int(loc[3])
        j = scenario.party_index(pid)
        rat = next(r for r in scenario.ratification if r.party == pid)
        head = f"ratification.{pid}.constituencies.{rat.constituencies[con].id}"
        rest = loc[4:]
    path = ".".join([head, *map(str, rest)])
    if field in ("weight", "value"):
        i = space.issue_index(str(rest[1]))
        option = -1
        if field == "value":
            option = _option_index(space.issues[i], str(rest[2]))
        return Target(field, j, i, option, con), path  # type: ignore[arg-type]
    return Target(field, j, constituency=con), path  # type: ignore[arg-type]


def _option_index(issue: Issue, label: str) -> int:
    """The option a key of a checked value table names (an id, or a number on the grid)."""
    if label in issue.options:
        return issue.options.index(label)
    vals = np.asarray(issue.values, dtype=np.float64)
    return int(np.argmin(np.abs(vals - float(label))))
