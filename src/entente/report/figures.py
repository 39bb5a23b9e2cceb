"""One function per figure; each returns an Altair chart (a Vega-Lite specification) that a
notebook shows inline and `save` writes as SVG, PNG, PDF, offline HTML or JSON.

The figures draw what the layers below compute (`api.frontier`, `overview`, `summary`,
`settlement`, `audit`, the tournament's leaderboard); the only arithmetic here is the binning of
a space too large to draw point by point. Scenario text travels as data or as titles, never as
field names or expressions: Vega writes it out as text, in SVG and in the browser alike.
Charts carry no generated names, so the same inputs give the same specification, byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from entente.errors import EntenteError, quoted

if TYPE_CHECKING:
    from entente.negotiation.session import Result
    from entente.scenario import Scenario

Figure = Any
"""An Altair chart: `Chart`, `LayerChart` or a concatenation of them (what a notebook shows)."""


PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe-Ito colours (readable by colour-blind readers and in grey print), yellow left out."""

STATUS_COLOURS = {
    "pending": "#999999",
    "in_force": "#0072B2",
    "fulfilled": "#009E73",
    "violated": "#D55E00",
    "cured": "#E69F00",
    "suspended": "#56B4E9",
    "terminated": "#000000",
}

POINTS = ("nash", "kalai_smorodinsky", "egalitarian", "max_welfare")
POINT_NAMES = {
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "egalitarian": "egalitarian",
    "max_welfare": "max welfare",
    "history": "history",
    "agreement": "agreement",
}
POINT_SHAPES = {
    "Nash": "diamond",
    "Kalai-Smorodinsky": "square",
    "egalitarian": "triangle-up",
    "max welfare": "triangle-down",
    "history": "cross",
}
AGREEMENT = "#000000"
"""The agreement's ring: black, as the frontier and points are, since offers take every colour of
`PALETTE` (the second party's offers are vermilion) and a ring needs no colour to be told apart."""
AGREEMENT_SIZE = 700

BINS = 80
"""Cells per axis of the density drawn for spaces above `max_points` outcomes."""
FRONTIER_POINTS = 5_000
"""Above this many frontier points, the figure draws one in each cell of its grid (`_thin`)."""
SAMPLE_SEED = 0
"""Seed of the sample drawn from a space too large to list (the figure says it is sampled)."""
WIDTH = 420


def _alt() -> Any:
    """The altair module, or one clear line when the `report` extra is missing."""
    try:
        import altair
        import vl_convert  # noqa: F401
    except ImportError:
        raise EntenteError("figures need the report extra: pip install 'entente[report]'") from None
    return altair


def _r(x: Any) -> float:
    """A utility as the specification carries it: 6 decimals keep it small and stable."""
    return round(float(x), 6)


def _data(alt: Any, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Inline data as a plain dict: Altair copies it into the specification unchecked, where
    `alt.Data` would validate every row (seconds for a density)."""
    del alt
    return {"values": [dict(r) for r in rows]}


def _party_names(scenario: Scenario) -> list[str]:
    return [p.name or p.id for p in scenario.parties]


def _outcome_text(scenario: Scenario, outcome: Sequence[int]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in scenario.space.labels(tuple(outcome)).items())


def _check_pair(scenario: Scenario, pair: tuple[int, int]) -> tuple[int, int]:
    k = len(scenario.parties)
    i, j = pair
    if i == j or not (0 <= i < k and 0 <= j < k):
        raise EntenteError(
            f"pair {tuple(pair)}: expected two different party indices from 0 to {k - 1}"
        )
    return int(i), int(j)


# ---------------------------------------------------------------------------- utility space


def utility_space(
    scenario: Scenario,
    result: Result | None = None,
    *,
    pair: tuple[int, int] | None = (0, 1),
    max_points: int = 50_000,
) -> Figure:
    """Every outcome (a density above `max_points`), the Pareto frontier, the bargaining points,
    reservation lines, each party's offers in order, the agreement and history's outcome.

    With three or more parties the figure shows one `pair` of them; `pair=None` gives a panel of
    every pair. Outcomes are those no red line forbids; a space too large to list is sampled.
    """
    alt = _alt()
    from entente.overview import overview

    k = len(scenario.parties)
    if max_points < 1:
        raise EntenteError(f"max_points {max_points}: expected at least 1")
    view = overview(scenario, seed=SAMPLE_SEED)
    u, sampled = _outcome_utilities(scenario, max_points)
    pairs = (
        [(a, b) for a in range(k) for b in range(a + 1, k)]
        if pair is None
        else [_check_pair(scenario, pair)]
    )
    tags = [""] if len(pairs) == 1 else [f"_{a}_{b}" for a, b in pairs]
    charts = [
        _space_pair(alt, scenario, result, view, u, sampled, p, max_points, tag)
        for p, tag in zip(pairs, tags, strict=True)
    ]
    if len(charts) == 1:
        return charts[0]
    return alt.concat(*charts, columns=min(3, len(charts))).properties(
        title=f"Utility space of {scenario.title or scenario.id}: every pair of parties"
    )


def _outcome_utilities(scenario: Scenario, max_points: int) -> tuple[np.ndarray, bool]:
    """(m, k) utilities of the outcomes to draw, and whether they are a sample."""
    from entente.api import table

    if scenario.space.enumerable:
        t = table(scenario)
        return t.u[t.candidates], False
    rng = np.random.default_rng(SAMPLE_SEED)
    o = scenario.space.sample(rng, max(max_points, 200_000))
    return np.stack([p.utility(o) for p in scenario.prefs], axis=1), True


def _space_pair(
    alt: Any,
    scenario: Scenario,
    result: Result | None,
    view: dict[str, Any],
    u: np.ndarray,
    sampled: bool,
    pair: tuple[int, int],
    max_points: int,
    tag: str,
) -> Figure:
    """One pair's figure; `tag` ends the names of its layers (each panel names its own)."""
    i, j = pair
    names = _party_names(scenario)
    ids = [p.id for p in scenario.parties]
    x_title, y_title = f"utility to {names[i]}", f"utility to {names[j]}"
    xy = u[:, [i, j]]
    layers = []
    if len(xy) > max_points or sampled:
        layers.append(_density(alt, xy, x_title, y_title, tag))
        shown = f"{len(u):,} {'sampled ' if sampled else ''}outcomes, as a density"
    else:
        pts, counts = np.unique(np.round(xy, 6), axis=0, return_counts=True)
        rows = [
            {"x": _r(a), "y": _r(b), "outcomes": int(c)}
            for (a, b), c in zip(pts, counts, strict=True)
        ]
        layers.append(
            alt.Chart(_data(alt, rows), name="outcomes" + tag)
            .mark_circle(size=12, color="#BBBBBB", opacity=0.6)
            .encode(
                x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
                y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
                tooltip=[
                    alt.Tooltip("x:Q", title=x_title),
                    alt.Tooltip("y:Q", title=y_title),
                    alt.Tooltip("outcomes:Q", title="outcomes here"),
                ],
            )
        )
        shown = f"{len(u):,} outcomes"
    front = np.asarray(view["frontier"], dtype=float).reshape(-1, len(ids))
    drawn = _thin(front[:, [i, j]])
    frows = [
        {"x": _r(a), "y": _r(b), "order": n}
        for n, (a, b) in enumerate(sorted(zip(drawn[:, 0], drawn[:, 1], strict=True)))
    ]
    fdata = _data(alt, frows)
    if len(ids) == 2:
        layers.append(
            alt.Chart(fdata, name="frontier_line" + tag)
            .mark_line(color="#000000", strokeWidth=1.5, interpolate="step-before")
            .encode(x="x:Q", y="y:Q", order="order:Q")
        )
    layers.append(
        alt.Chart(fdata, name="frontier" + tag)
        .mark_point(color="#000000", size=18, filled=True)
        .encode(
            x="x:Q",
            y="y:Q",
            tooltip=[alt.Tooltip("x:Q", title=x_title), alt.Tooltip("y:Q", title=y_title)],
        )
    )
    res = [
        {"axis": "x", "value": _r(view["reservations"][ids[i]]), "party": names[i]},
        {"axis": "y", "value": _r(view["reservations"][ids[j]]), "party": names[j]},
    ]
    rule = alt.Chart(_data(alt, res[:1]), name="reservation_x" + tag).mark_rule(
        color="#666666", strokeDash=[4, 3]
    )
    layers.append(
        rule.encode(x="value:Q", tooltip=[alt.Tooltip("party:N"), alt.Tooltip("value:Q")])
    )
    rule = alt.Chart(_data(alt, res[1:]), name="reservation_y" + tag).mark_rule(
        color="#666666", strokeDash=[4, 3]
    )
    layers.append(
        rule.encode(y="value:Q", tooltip=[alt.Tooltip("party:N"), alt.Tooltip("value:Q")])
    )
    if result is not None:
        layers.extend(_offer_layers(alt, scenario, result, i, j, x_title, y_title, tag))
    points = []
    for key in (*POINTS, "history"):
        p = view.get(key)
        if p is not None:
            uu = p["utilities"]
            points.append({"point": POINT_NAMES[key], "x": _r(uu[ids[i]]), "y": _r(uu[ids[j]])})
    if result is not None and result.agreement is not None:
        got = [float(p(result.agreement)) for p in scenario.prefs]
        # first, so drawn under the points it often coincides with: a wide ring, its legend
        # entry drawn as the ring is
        ring = {"point": "agreement", "x": _r(got[i]), "y": _r(got[j])}
        layers.append(
            alt.Chart(_data(alt, [ring]), name="agreement" + tag)
            .mark_point(
                filled=False, size=AGREEMENT_SIZE, strokeWidth=3, color=AGREEMENT, opacity=1
            )
            .encode(
                x="x:Q",
                y="y:Q",
                shape=alt.Shape(
                    "point:N",
                    title=None,
                    scale=alt.Scale(domain=["agreement"], range=["circle"]),
                    legend=alt.Legend(
                        symbolFillColor="transparent",
                        symbolStrokeColor=AGREEMENT,
                        symbolStrokeWidth=3,
                        symbolSize=160,
                    ),
                ),
                tooltip=[
                    alt.Tooltip("point:N"),
                    alt.Tooltip("x:Q", title=x_title),
                    alt.Tooltip("y:Q", title=y_title),
                ],
            )
        )
    if points:
        present = [n for n in POINT_SHAPES if any(r["point"] == n for r in points)]
        layers.append(
            alt.Chart(_data(alt, points), name="points" + tag)
            # hollow, so that points at the same place (Nash and Kalai-Smorodinsky often are)
            # stay visible one inside the other
            .mark_point(filled=False, color="#000000", strokeWidth=2, size=150, opacity=1)
            .encode(
                x="x:Q",
                y="y:Q",
                shape=alt.Shape(
                    "point:N",
                    title="point",
                    scale=alt.Scale(domain=present, range=[POINT_SHAPES[n] for n in present]),
                    legend=alt.Legend(symbolStrokeColor="#000000", symbolStrokeWidth=2),
                ),
                tooltip=[
                    alt.Tooltip("point:N"),
                    alt.Tooltip("x:Q", title=x_title),
                    alt.Tooltip("y:Q", title=y_title),
                ],
            )
        )
    who = f"{names[i]} and {names[j]}"
    title = alt.Title(
        f"Utility space: {who}",
        subtitle=[
            f"{scenario.title or scenario.id}: {shown}, {len(front):,} on the Pareto frontier"
            + (f" ({len(drawn):,} drawn, one a cell)" if len(drawn) < len(front) else "")
            + (" (approximate)" if view.get("approximate") else "")
        ],
    )
    if not tag:  # one figure zooms and pans; panels stay still (Vega-Lite renames their views)
        layers[0] = layers[0].add_params(alt.selection_interval(bind="scales", name="zoom"))
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent", shape="independent")
        .properties(width=WIDTH, height=WIDTH, title=title)
    )


def _thin(xy: np.ndarray) -> np.ndarray:
    """The frontier's points to draw: all of them up to `FRONTIER_POINTS`, else one in each
    cell of a `BINS` x `BINS` grid that holds any (a frontier of three or more parties seen in
    two of them can hold most of the space: 924,385 points for y2016/AgentHp2)."""
    if len(xy) <= FRONTIER_POINTS:
        return xy
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    cell = np.minimum(((xy - lo) / span * BINS).astype(np.int64), BINS - 1)
    _, first = np.unique(cell[:, 0] * BINS + cell[:, 1], return_index=True)
    return xy[np.sort(first)]


def _density(alt: Any, xy: np.ndarray, x_title: str, y_title: str, tag: str) -> Any:
    """Outcomes binned on a `BINS` x `BINS` grid: one rectangle per cell that holds any."""
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    hi = np.where(hi > lo, hi, lo + 1.0)
    h, xe, ye = np.histogram2d(
        xy[:, 0], xy[:, 1], bins=BINS, range=[(lo[0], hi[0]), (lo[1], hi[1])]
    )
    a, b = np.nonzero(h)
    rows = [
        {
            "x": _r(xe[p]),
            "x2": _r(xe[p + 1]),
            "y": _r(ye[q]),
            "y2": _r(ye[q + 1]),
            "outcomes": int(h[p, q]),
        }
        for p, q in zip(a.tolist(), b.tolist(), strict=True)
    ]
    return (
        alt.Chart(_data(alt, rows), name="outcomes" + tag)
        .mark_rect(opacity=0.8)
        .encode(
            x=alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False)),
            x2="x2:Q",
            y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)),
            y2="y2:Q",
            color=alt.Color(
                "outcomes:Q",
                title="outcomes",
                scale=alt.Scale(scheme="greys", type="log"),
            ),
            tooltip=[alt.Tooltip("outcomes:Q", title="outcomes in the cell")],
        )
    )


def _moves(scenario: Scenario, result: Result) -> list[dict[str, Any]]:
    """Every offer (a party's offer or a mediator's text), in order, with its utilities."""
    from entente.negotiation.actions import Offer

    names = _party_names(scenario)
    mediators = [m.name or m.id for m in scenario.mediators]
    offers = [(n, m) for n, m in enumerate(result.moves) if isinstance(m.action, Offer)]
    if not offers:
        return []
    o = np.array([m.action.outcome for _, m in offers], dtype=np.int64)  # type: ignore[union-attr]
    u = np.stack([p.utility(o) for p in scenario.prefs], axis=1)
    out = []
    for (step, m), row, uu in zip(offers, o, u, strict=True):
        actor = names[m.actor] if m.actor < len(names) else (mediators or ["mediator"])[0]
        out.append(
            {
                "step": step,
                "round": m.round + 1,
                "time": _r(m.time),
                "actor": actor,
                "u": [_r(x) for x in uu],
                "outcome": _outcome_text(scenario, row),
            }
        )
    return out


def _actor_scale(alt: Any, scenario: Scenario, actors: list[str]) -> Any:
    """Colours of the actors present, each keeping its place in the scenario's order (parties,
    then mediators), so a party has one colour in every figure."""
    known = list(
        dict.fromkeys(
            [*_party_names(scenario), *(m.name or m.id for m in scenario.mediators), *actors]
        )
    )
    domain = [a for a in known if a in actors]
    return alt.Scale(domain=domain, range=[PALETTE[known.index(a) % len(PALETTE)] for a in domain])


def _offer_layers(
    alt: Any,
    scenario: Scenario,
    result: Result,
    i: int,
    j: int,
    x_title: str,
    y_title: str,
    tag: str,
) -> list[Any]:
    moves = _moves(scenario, result)
    if not moves:
        return []
    rows = [
        {
            "step": m["step"],
            "round": m["round"],
            "actor": m["actor"],
            "x": m["u"][i],
            "y": m["u"][j],
            "outcome": m["outcome"],
        }
        for m in moves
    ]
    data = _data(alt, rows)
    scale = _actor_scale(alt, scenario, [r["actor"] for r in rows])
    colour = alt.Color("actor:N", title="offers by", scale=scale)
    path = (
        alt.Chart(data, name="offer_paths" + tag)
        .mark_line(strokeWidth=1, opacity=0.7)
        .encode(
            x="x:Q",
            y="y:Q",
            color=alt.Color("actor:N", scale=scale, legend=None),
            order="step:Q",
            detail="actor:N",
        )
    )
    marks = (
        alt.Chart(data, name="offers" + tag)
        .mark_circle(size=36, opacity=0.9)
        .encode(
            x="x:Q",
            y="y:Q",
            color=colour,
            tooltip=[
                alt.Tooltip("round:Q"),
                alt.Tooltip("actor:N", title="offered by"),
                alt.Tooltip("x:Q", title=x_title),
                alt.Tooltip("y:Q", title=y_title),
                alt.Tooltip("outcome:N"),
            ],
        )
    )
    return [path, marks]


# ---------------------------------------------------------------------------- concession


def _date_x(alt: Any, field: str, isos: Sequence[str]) -> Any:
    """A time axis over days (ISO dates): day and month on the ticks and the year in the title
    when every date falls in one year (a conference), the year on every tick otherwise."""
    years = sorted({d[: d.index("-", 1)] for d in isos})
    one = len(years) == 1
    return alt.X(
        f"{field}:T",
        title=f"date ({years[0]})" if one else "date",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(format="%-d %b" if one else "%-d %b %Y", labelOverlap=True),
    )


def concession(scenario: Scenario, result: Result) -> Figure:
    """Each offer's utility to each party over relative time (dates when the scenario dates its
    rounds), one panel per party that made offers; the deadline and each acceptance marked."""
    alt = _alt()
    from entente.negotiation.actions import Accept

    names = _party_names(scenario)
    moves = _moves(scenario, result)
    dated = scenario.start is not None
    deadline = result.state.deadline

    def when(rnd: int, time: float) -> dict[str, Any]:
        if dated:
            d = scenario.round_date(rnd)
            assert d is not None
            return {"date": d.iso()}
        return {"time": _r(time)}

    if dated:
        days = [scenario.round_date(n) for n in (0, deadline)]
        x = _date_x(alt, "date", [d.iso() for d in days if d is not None])
        xfield = "date:T"
    else:
        x = alt.X("time:Q", title="time (share of the deadline)", scale=alt.Scale(domain=[0, 1]))
        xfield = "time:Q"
    colour = alt.Color(
        "party:N",
        title="utility to",
        scale=alt.Scale(domain=names, range=[PALETTE[n % len(PALETTE)] for n in range(len(names))]),
    )
    rows = [
        {
            "actor": m["actor"],
            "round": m["round"],
            "party": names[p],
            "utility": m["u"][p],
            "outcome": m["outcome"],
            **when(m["round"] - 1, m["time"]),
        }
        for m in moves
        for p in range(len(names))
    ]
    accepts = []
    for m in result.moves:
        if isinstance(m.action, Accept) and m.actor < len(names) and result.state.history:
            accepts.append({"who": f"{names[m.actor]} accepts", **when(m.round, m.time)})
    end = {"what": "deadline", **when(deadline, 1.0)}
    reservations = [
        {"party": names[p], "utility": _r(scenario.prefs[p].reservation)} for p in range(len(names))
    ]
    actors = list(dict.fromkeys(m["actor"] for m in moves))
    panels = []
    for n, a in enumerate(actors or [None]):
        tag = "" if len(actors) < 2 else f"_{n}"
        mine = [r for r in rows if r["actor"] == a]
        layers = [
            alt.Chart(_data(alt, mine), name="offers" + tag)
            .mark_line(point=True, strokeWidth=1.5)
            .encode(
                x=x,
                y=alt.Y("utility:Q", title="utility", scale=alt.Scale(zero=False)),
                color=colour,
                tooltip=[
                    alt.Tooltip("round:Q"),
                    alt.Tooltip("party:N", title="utility to"),
                    alt.Tooltip("utility:Q"),
                    alt.Tooltip("outcome:N"),
                ],
            ),
            alt.Chart(_data(alt, reservations), name="reservations" + tag)
            .mark_rule(strokeDash=[4, 3], opacity=0.7)
            .encode(y="utility:Q", color=colour),
            alt.Chart(_data(alt, [end]), name="deadline" + tag)
            .mark_rule(color="#000000", strokeWidth=1.5)
            .encode(x=alt.X(xfield), tooltip=[alt.Tooltip("what:N")]),
        ]
        if accepts:
            layers.append(
                alt.Chart(_data(alt, accepts), name="acceptances" + tag)
                .mark_rule(color="#009E73", strokeDash=[2, 2])
                .encode(x=alt.X(xfield), tooltip=[alt.Tooltip("who:N", title="acceptance")])
            )
        panels.append(
            alt.layer(*layers).properties(
                width=WIDTH, height=260, title=f"Offers by {a}" if a else "No offers"
            )
        )
    outcome = "an agreement" if result.agreement is not None else "no agreement"
    key = "dashed: each party's reservation value; black: the deadline"
    if accepts:
        key += "; green dotted: an acceptance"
    return alt.concat(*panels, columns=2).properties(
        title=alt.Title(
            f"Concessions in {scenario.title or scenario.id}",
            subtitle=[f"{result.rounds} rounds of {deadline}, {outcome}", key],
        )
    )


# ---------------------------------------------------------------------------- issues over time


def issues_over_time(scenario: Scenario, result: Result) -> Figure:
    """For each issue, the option on the table at the end of each round (a bar per run of one
    option), the round from which the agreed option stayed (a triangle), and, where the scenario
    has a history, whether each option is history's."""
    alt = _alt()
    from entente.negotiation.actions import Offer
    from entente.summary import settlements

    space = scenario.space
    dated = scenario.start is not None
    hist = scenario.history.outcome if scenario.history else None
    table: tuple[int, ...] | None = None
    standing: dict[int, tuple[int, ...]] = {}
    for m in result.moves:
        if isinstance(m.action, Offer):
            table = m.action.outcome
        if table is not None:
            standing[m.round] = table
    last = result.rounds

    def at(rnd: int) -> dict[str, Any]:
        if dated:
            d = scenario.round_date(rnd)
            assert d is not None
            return {"date": d.iso()}
        return {"round": rnd + 1}

    def end(rnd: int) -> dict[str, Any]:
        return {("date2" if dated else "round2"): next(iter(at(rnd).values()))}

    def matches(issue: int, option: int) -> str:
        if hist is not None:
            return "history's option" if hist[issue] == option else "another option"
        agreed = result.agreement
        if agreed is not None:
            return "the agreed option" if agreed[issue] == option else "another option"
        return "an option"

    rows = []
    rounds = sorted(standing)
    for n, iss in enumerate(space.issues):
        run_start: int | None = None
        run_option = -1
        for k, rnd in enumerate([*rounds, None]):
            option = standing[rnd][n] if rnd is not None else -2
            if rnd is not None and option == run_option:
                continue
            if run_start is not None:
                stop = rnd if rnd is not None else max(last, run_start + 1)
                rows.append(
                    {
                        "issue": iss.name or iss.id,
                        "option": iss.options[run_option],
                        "status": matches(n, run_option),
                        **at(run_start),
                        **end(stop),
                    }
                )
            run_start, run_option = rnd, option
            del k
    settled = [
        {
            "issue": space.issues[s.issue].name or space.issues[s.issue].id,
            "option": space.issues[s.issue].options[s.option],
            **at(s.round),
        }
        for s in settlements(result)
    ]
    order = [iss.name or iss.id for iss in space.issues]
    kinds = ["history's option", "the agreed option", "another option", "an option"]
    present = [k for k in kinds if any(r["status"] == k for r in rows)]
    colours = {
        "history's option": "#0072B2",
        "the agreed option": "#009E73",
        "another option": "#E69F00",
        "an option": "#56B4E9",
    }
    if dated:
        x = _date_x(alt, "date", [r["date"] for r in rows] + [r["date2"] for r in rows])
        x2 = alt.X2("date2:T")
    else:
        x = alt.X("round:Q", title="round", scale=alt.Scale(domainMin=1))
        x2 = alt.X2("round2:Q")
    y = alt.Y("issue:N", title=None, sort=order)
    bars = (
        alt.Chart(_data(alt, rows), name="table")
        .mark_bar(height={"band": 0.7}, stroke="#FFFFFF", strokeWidth=0.5)
        .encode(
            x=x,
            x2=x2,
            y=y,
            color=alt.Color(
                "status:N",
                title="on the table",
                scale=alt.Scale(domain=present, range=[colours[k] for k in present]),
            ),
            tooltip=[alt.Tooltip("issue:N"), alt.Tooltip("option:N"), alt.Tooltip("status:N")],
        )
    )
    layers = [bars]
    if settled:
        layers.append(
            alt.Chart(_data(alt, settled), name="settled")
            .mark_point(shape="triangle-down", size=90, filled=True, color="#000000", yOffset=-9)
            .encode(
                x=x.copy(),
                y=y,
                tooltip=[alt.Tooltip("issue:N"), alt.Tooltip("option:N", title="settled on")],
            )
        )
    return alt.layer(*layers).properties(
        width=2 * WIDTH,
        height={"step": 26},
        title=alt.Title(
            f"Issues on the table in {scenario.title or scenario.id}",
            subtitle=["each bar is a run of one option; a triangle marks when an issue settled"],
        ),
    )


# ---------------------------------------------------------------------------- ratification


def ratification(scenario: Scenario, outcome: tuple[int, ...]) -> Figure:
    """Each constituency's vote on `outcome` (its utility less its threshold: the margin, and
    whether it approves) and the share of outcomes each party's constituencies would ratify."""
    alt = _alt()
    from entente.settlement import ratify

    r = ratify(scenario, tuple(outcome))
    names = {p.id: p.name or p.id for p in scenario.parties}
    rows = []
    for pr in r.parties:
        verdict = "ratifies" if pr.ratified else "refuses"
        for v in pr.votes:
            rows.append(
                {
                    "party": f"{names.get(pr.party, pr.party)} ({verdict})",
                    "constituency": v.name + (" (veto)" if v.veto else ""),
                    "margin": _r(v.utility - v.threshold),
                    "utility": _r(v.utility),
                    "threshold": _r(v.threshold),
                    "weight": _r(v.weight),
                    "vote": "approves" if v.approves else "opposes",
                }
            )
    votes = (
        alt.Chart(_data(alt, rows), name="votes")
        .mark_bar()
        .encode(
            x=alt.X("margin:Q", title="margin: utility less threshold"),
            y=alt.Y("constituency:N", title=None, sort=None),
            row=alt.Row(
                "party:N", title=None, sort=None, header=alt.Header(labelAngle=0, labelAlign="left")
            ),
            color=alt.Color(
                "vote:N",
                title="vote",
                scale=alt.Scale(domain=["approves", "opposes"], range=["#0072B2", "#D55E00"]),
            ),
            tooltip=[
                alt.Tooltip("constituency:N"),
                alt.Tooltip("vote:N"),
                alt.Tooltip("utility:Q"),
                alt.Tooltip("threshold:Q"),
                alt.Tooltip("weight:Q"),
            ],
        )
        .resolve_scale(y="independent")
        .properties(width=WIDTH, title="Each constituency's vote and margin")
    )
    charts = [votes]
    sizes = _win_sets(scenario)
    if sizes is not None:
        charts.append(
            alt.Chart(_data(alt, sizes), name="win_sets")
            .mark_bar(color="#009E73")
            .encode(
                x=alt.X("share:Q", title="share of the outcomes", scale=alt.Scale(domain=[0, 1])),
                y=alt.Y("party:N", title=None, sort=None),
                tooltip=[
                    alt.Tooltip("party:N"),
                    alt.Tooltip("outcomes:Q", title="outcomes in the win-set"),
                    alt.Tooltip("counted:Q", title="outcomes counted"),
                ],
            )
            .properties(
                width=WIDTH,
                title="Size of each win-set"
                + (" (on a sample)" if sizes and sizes[0]["sampled"] else ""),
            )
        )
    says = {"treaty": "ratified", "renegotiate": "to renegotiate", "no_treaty": "not ratified"}
    return alt.vconcat(*charts).properties(
        title=alt.Title(
            f"Ratification in {scenario.title or scenario.id}",
            subtitle=[f"the agreement is {says[r.next]}"],
        )
    )


def _win_sets(scenario: Scenario) -> list[dict[str, Any]] | None:
    """Each ratifying party's win-set size (and the common one), counted as the summary counts
    them (sampled in large spaces), or None when no party has constituencies."""
    from entente.negotiation.protocol import State
    from entente.negotiation.session import Result
    from entente.summary import win_set_report

    k = len(scenario.parties)
    nothing = Result(None, np.zeros(k), State(k, 1), 0.0, tuple(p.id for p in scenario.parties))
    w = win_set_report(scenario, nothing, SAMPLE_SEED)
    if not w.parties:
        return None
    names = _party_names(scenario)
    rows = [
        {"party": names[i], "outcomes": n, "share": _r(n / w.counted), "counted": w.counted}
        for i, n in zip(w.parties, w.sizes, strict=True)
    ]
    rows.append(
        {
            "party": "all of them",
            "outcomes": w.common,
            "share": _r(w.common / w.counted),
            "counted": w.counted,
        }
    )
    for r in rows:
        r["sampled"] = w.sampled
    return rows


# ---------------------------------------------------------------------------- audit


def audit_chart(scenario: Scenario, outcome: tuple[int, ...] | None = None) -> Figure:
    """Each obligation of the treaty of `outcome` (history's by default) as a bar over time,
    coloured by its status from one change to the next, with the timeline's events marked."""
    alt = _alt()
    from entente.audit import audit
    from entente.treaty.build import build

    if outcome is None:
        if scenario.history is None or scenario.history.outcome is None:
            raise EntenteError(
                f"scenario {quoted(scenario.id)} has no historical outcome: give an outcome"
            )
        outcome = scenario.history.outcome
    if not scenario.timeline:
        raise EntenteError(f"scenario {quoted(scenario.id)} has no timeline to audit along")
    report = audit(build(scenario, tuple(outcome)), scenario.timeline)
    names = {p.id: p.name or p.id for p in scenario.parties}
    for v in report.verdicts:
        names.setdefault(v.holder, v.holder)
    for e in report.events:
        if e.succession is not None and e.succession.successor_name:
            names[e.succession.successor] = e.succession.successor_name
    days = [c.date.jdn for v in report.verdicts for c in v.history] + [
        e.date.jdn for e in report.events
    ]
    first, last = min(days), max(days)
    stop = last + max(365, (last - first) // 20)
    from entente.calendar import Date

    end_iso = Date(stop, "gregorian").iso()
    rows = []
    order = []
    for v in report.verdicts:
        text = v.obligation.sentence(names, scenario.calendars)
        label = text if len(text) <= 60 else text[:59] + "…"
        label = f"{label} [{v.obligation.id}]"
        order.append(label)
        changes = list(v.history)
        for n, c in enumerate(changes):
            until = changes[n + 1].date.iso() if n + 1 < len(changes) else end_iso
            if n + 1 < len(changes) and changes[n + 1].date.jdn == c.date.jdn:
                continue
            rows.append(
                {
                    "obligation": label,
                    "text": text,
                    "status": c.status,
                    "from": c.date.iso(),
                    "to": until,
                    "reason": c.reason,
                }
            )
    events = [
        {"date": e.date.iso(), "year": str(e.date.gregorian[0]), "kind": e.kind, "title": e.title}
        for e in report.events
    ]
    present = [s for s in STATUS_COLOURS if any(r["status"] == s for r in rows)]
    x = alt.X("from:T", title="date", scale=alt.Scale(type="utc"))
    bars = (
        alt.Chart(_data(alt, rows), name="obligations")
        .mark_bar(height={"band": 0.7})
        .encode(
            x=x,
            x2="to:T",
            y=alt.Y("obligation:N", title=None, sort=order, axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "status:N",
                title="status",
                scale=alt.Scale(domain=present, range=[STATUS_COLOURS[s] for s in present]),
                legend=alt.Legend(labelExpr="replace(datum.label, '_', ' ')"),  # "in force"
            ),
            tooltip=[
                alt.Tooltip("text:N", title="obligation"),
                alt.Tooltip("status:N"),
                alt.Tooltip("from:N", title="from"),
                alt.Tooltip("reason:N"),
            ],
        )
    )
    marks = (
        alt.Chart(_data(alt, events), name="events")
        .mark_rule(color="#000000", strokeDash=[3, 3], opacity=0.6)
        .encode(
            x=alt.X("date:T"),
            tooltip=[alt.Tooltip("date:N"), alt.Tooltip("kind:N"), alt.Tooltip("title:N")],
        )
    )
    first_of_year = list({e["year"]: e for e in reversed(events)}.values())
    years = (
        alt.Chart(_data(alt, first_of_year), name="event_years")
        .mark_text(angle=270, align="left", baseline="middle", dx=4, fontSize=9, y=0)
        .encode(x=alt.X("date:T"), text="year:N")
    )
    return alt.layer(bars, marks, years).properties(
        width=2 * WIDTH,
        height={"step": 20},
        title=alt.Title(
            f"Audit of the treaty of {scenario.title or scenario.id}",
            subtitle=[
                f"{len(report.verdicts)} obligations, {len(report.events)} events on the timeline"
            ],
        ),
    )


# ---------------------------------------------------------------------------- tournaments


def _arrow_rows(rows: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The results as a pyarrow Table (for the leaderboard) and as a list of dicts."""
    if hasattr(rows, "to_pylist"):
        return rows, list(rows.to_pylist())
    from entente.tournament.store import _pa, schema

    pa, _ = _pa()
    listed = [dict(r) for r in rows]
    return pa.Table.from_pylist(listed, schema=schema()), listed


def tournament_charts(rows: Any, *, seed: int = 0) -> dict[str, Figure]:
    """Figures of a tournament's results (a pyarrow Table as `tournament.Store.read()` gives,
    or a list of row dicts): 'leaderboard' (mean utility with its 95% bootstrap interval),
    'payoffs' (each strategy's mean utility against each other), 'scenarios' (each strategy's
    mean utility per scenario) and 'distances' (to the Pareto frontier and to the Nash point)."""
    alt = _alt()
    from entente.tournament.leaderboard import leaderboard

    table, listed = _arrow_rows(rows)
    if not listed:
        raise EntenteError("the tournament has no results to draw")
    board = leaderboard(table, seed)
    order = [s.strategy for s in board]
    lrows = [
        {
            "strategy": s.strategy,
            "mean": _r(s.utility.mean),
            "low": _r(s.utility.low),
            "high": _r(s.utility.high),
            "n": s.n,
            "agreement": _r(s.agreement.mean),
        }
        for s in board
    ]
    y = alt.Y("strategy:N", title=None, sort=order)
    ldata = _data(alt, lrows)
    out: dict[str, Figure] = {}
    out["leaderboard"] = alt.layer(
        alt.Chart(ldata, name="intervals")
        .mark_rule(color="#0072B2", strokeWidth=2)
        .encode(x=alt.X("low:Q", title="mean utility (95% interval)"), x2="high:Q", y=y),
        alt.Chart(ldata, name="means")
        .mark_point(filled=True, size=70, color="#0072B2")
        .encode(
            x="mean:Q",
            y=y,
            tooltip=[
                alt.Tooltip("strategy:N"),
                alt.Tooltip("mean:Q", title="mean utility"),
                alt.Tooltip("low:Q"),
                alt.Tooltip("high:Q"),
                alt.Tooltip("n:Q", title="plays"),
                alt.Tooltip("agreement:Q", title="agreement rate"),
            ],
        ),
    ).properties(
        width=WIDTH,
        title=alt.Title(
            "Leaderboard", subtitle=["mean utility, best first, 95% bootstrap interval"]
        ),
    )
    pay: dict[tuple[str, str], list[float]] = {}
    per: dict[tuple[str, str], list[float]] = {}
    for r in listed:
        specs, utils = r["strategies"], r["utilities"]
        for a, (s, u) in enumerate(zip(specs, utils, strict=True)):
            per.setdefault((str(r["scenario"]), s), []).append(float(u))
            for b, t in enumerate(specs):
                if b != a:
                    pay.setdefault((s, t), []).append(float(u))
    prows = [
        {"strategy": s, "opponent": t, "utility": _r(np.mean(v)), "plays": len(v)}
        for (s, t), v in sorted(pay.items())
    ]
    out["payoffs"] = _heatmap(
        alt,
        prows,
        "opponent",
        order,
        "Payoffs: mean utility of each strategy (row) against each opponent (column)",
    )
    srows = [
        {"strategy": s, "scenario": sc, "utility": _r(np.mean(v)), "plays": len(v)}
        for (sc, s), v in sorted(per.items())
    ]
    out["scenarios"] = _heatmap(
        alt, srows, "scenario", order, "Mean utility of each strategy in each scenario"
    )
    dists = []
    missing = {"frontier_distance": 0, "nash_distance": 0}
    for r in listed:
        for key, label in (
            ("frontier_distance", "to the Pareto frontier"),
            ("nash_distance", "to the Nash point"),
        ):
            v = r.get(key)
            if v is None or not np.isfinite(v):
                missing[key] += 1
            else:
                dists.append({"measure": label, "distance": _r(v)})
    note = ", ".join(f"{n} without a {k.split('_')[0]} distance" for k, n in missing.items() if n)
    out["distances"] = (
        alt.Chart(_data(alt, dists), name="distances")
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X("distance:Q", bin=alt.Bin(maxbins=30), title="distance"),
            # counts: whole ticks only
            y=alt.Y("count():Q", title="negotiations", axis=alt.Axis(tickMinStep=1, format="d")),
            column=alt.Column(
                "measure:N",
                title=None,
                sort=["to the Pareto frontier", "to the Nash point"],  # the title's order
                header=alt.Header(labelFontSize=12, labelFontWeight="bold"),
            ),
        )
        .resolve_scale(x="independent")
        .properties(
            width=WIDTH // 1.5,
            title=alt.Title(
                "Distances of the outcomes to the Pareto frontier and to the Nash point",
                subtitle=[note] if note else [],
            ),
        )
    )
    return out


def _heatmap(
    alt: Any, rows: list[dict[str, Any]], column: str, order: list[str], title: str
) -> Any:
    base = alt.Chart(_data(alt, rows), name="cells").encode(
        x=alt.X(f"{column}:N", title=column, sort=order if column == "opponent" else None),
        y=alt.Y("strategy:N", title="strategy", sort=order),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("utility:Q", title="mean utility", scale=alt.Scale(scheme="viridis")),
        tooltip=[
            alt.Tooltip("strategy:N"),
            alt.Tooltip(f"{column}:N"),
            alt.Tooltip("utility:Q", title="mean utility"),
            alt.Tooltip("plays:Q"),
        ],
    )
    values = [r["utility"] for r in rows]
    middle = _r((min(values) + max(values)) / 2) if values else 0.0
    text = (
        base.mark_text(fontSize=10)
        .encode(
            text=alt.Text("utility:Q", format=".2f"),
            color=alt.condition(
                f"datum.utility > {middle!r}", alt.value("#000000"), alt.value("#FFFFFF")
            ),
        )
        .properties(name="labels")
    )
    return alt.layer(cells, text).properties(title=title, width={"step": 44}, height={"step": 26})


# ---------------------------------------------------------------------------- output


def spec(chart: Figure) -> dict[str, Any]:
    """The chart's Vega-Lite specification (a JSON-ready dict)."""
    _alt()
    return dict(chart.to_dict(validate=False))


_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def spec_json(chart: Figure) -> str:
    """The specification as JSON text, the same bytes for the same chart. `<`, `>` and `&` are
    written as JSON escapes, so the text is safe inside an HTML `<script>` element (scenario
    text cannot close it) and parses to the same specification."""
    text = json.dumps(spec(chart), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_SCRIPT_SAFE)


@lru_cache(maxsize=1)
def javascript() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (for HTML that opens with no network);
    it assigns `vegaEmbed`, `vegaLite` and `vega` on `window`."""
    _alt()
    import vl_convert as vlc

    snippet = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
    return vlc.javascript_bundle(snippet, vl_version=_vl_version())


def _vl_version() -> str:
    import altair as alt

    major, minor, *_ = str(alt.SCHEMA_VERSION).lstrip("v").split(".")
    return f"{major}.{minor}"


SUFFIXES = (".svg", ".png", ".pdf", ".html", ".json")


def render(chart: Figure, suffix: str) -> bytes:
    """The chart as the bytes of a file ending `suffix` (SVG, PNG and PDF by vl-convert, with
    no network; HTML with its scripts inlined; JSON: the specification)."""
    _alt()
    import vl_convert as vlc

    if suffix not in SUFFIXES:
        raise EntenteError(f"figure format {quoted(suffix)}: expected one of {', '.join(SUFFIXES)}")
    s = spec(chart)
    v = _vl_version()
    if suffix == ".json":
        return (json.dumps(s, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()
    if suffix == ".html":
        return html_page(chart).encode()
    if suffix == ".svg":
        return vlc.vegalite_to_svg(s, vl_version=v, allowed_base_urls=[]).encode()
    if suffix == ".png":
        return bytes(vlc.vegalite_to_png(s, vl_version=v, scale=2, allowed_base_urls=[]))
    return bytes(vlc.vegalite_to_pdf(s, vl_version=v, allowed_base_urls=[]))


def html_page(chart: Figure) -> str:
    """One HTML file that draws `chart` with no network: Vega's scripts inlined, the
    specification embedded as script-safe JSON (`spec_json`), the title escaped."""
    import html

    title = spec(chart).get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(str(title) or 'entente figure')}</title>\n"
        f'<script>{javascript()}</script>\n</head>\n<body>\n<div id="figure"></div>\n'
        f"<script>\nconst spec = {spec_json(chart)};\n"
        'vegaEmbed("#figure", spec, {renderer: "svg", actions: {export: true, source: false, '
        "compiled: false, editor: false}}).catch(console.error);\n</script>\n</body>\n</html>\n"
    )


def save(chart: Figure, path: Path) -> None:
    """Write `chart` as .svg, .png, .pdf (vl-convert), .html (offline, scripts inlined) or
    .json (the specification), chosen by the file's suffix; written whole or not at all."""
    from entente.formats.safe import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise EntenteError(
            f"{path}: cannot tell the figure's format; expected a name ending "
            + ", ".join(SUFFIXES)
        )
    write_atomic(path, render(chart, suffix))
