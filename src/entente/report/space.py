"""The utility space of a scenario: every outcome (thinned to a density when there are too many),
the Pareto frontier (thinned to one point a grid cell when it is too long), the bargaining
points, reservation lines, each party's offers in order, the agreement and history's outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from entente.errors import EntenteError
from entente.report.style import (
    PALETTE,
    SAMPLE_SEED,
    WIDTH,
    Figure,
    inline,
    load_altair,
    party_names,
    rounded,
)
from entente.report.talks import offer_rows

if TYPE_CHECKING:
    from entente.negotiation.session import Result
    from entente.scenario import Scenario


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


def _check_pair(scenario: Scenario, pair: tuple[int, int]) -> tuple[int, int]:
    k = len(scenario.parties)
    i, j = pair
    if i == j or not (0 <= i < k and 0 <= j < k):
        raise EntenteError(
            f"pair {tuple(pair)}: expected two different party indices from 0 to {k - 1}"
        )
    return int(i), int(j)


def utility_space(
    scenario: Scenario,
    result: Result | None = None,
    *,
    pair: tuple[int, int] | None = (0, 1),
    max_points: int = 50_000,
    agreements: Sequence[Sequence[int]] = (),
) -> Figure:
    """Every outcome (a density above `max_points`), the Pareto frontier, the bargaining points,
    reservation lines, each party's offers in order, the agreement and history's outcome.

    `agreements` (outcomes, say every agreement reached in a class) are drawn as points, one
    each, over the frontier.

    With three or more parties the figure shows one `pair` of them; `pair=None` gives a panel of
    every pair. Outcomes are those no red line forbids; a space too large to list is sampled.
    """
    alt = load_altair()
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
        _space_pair(alt, scenario, result, view, u, sampled, p, max_points, tag, agreements)
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
    agreements: Sequence[Sequence[int]] = (),
) -> Figure:
    """One pair's figure; `tag` ends the names of its layers (each panel names its own)."""
    i, j = pair
    names = party_names(scenario)
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
            {"x": rounded(a), "y": rounded(b), "outcomes": int(c)}
            for (a, b), c in zip(pts, counts, strict=True)
        ]
        layers.append(
            alt.Chart(inline(alt, rows), name="outcomes" + tag)
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
        {"x": rounded(a), "y": rounded(b), "order": n}
        for n, (a, b) in enumerate(sorted(zip(drawn[:, 0], drawn[:, 1], strict=True)))
    ]
    fdata = inline(alt, frows)
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
        {"axis": "x", "value": rounded(view["reservations"][ids[i]]), "party": names[i]},
        {"axis": "y", "value": rounded(view["reservations"][ids[j]]), "party": names[j]},
    ]
    rule = alt.Chart(inline(alt, res[:1]), name="reservation_x" + tag).mark_rule(
        color="#666666", strokeDash=[4, 3]
    )
    layers.append(
        rule.encode(x="value:Q", tooltip=[alt.Tooltip("party:N"), alt.Tooltip("value:Q")])
    )
    rule = alt.Chart(inline(alt, res[1:]), name="reservation_y" + tag).mark_rule(
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
            points.append(
                {"point": POINT_NAMES[key], "x": rounded(uu[ids[i]]), "y": rounded(uu[ids[j]])}
            )
    if len(agreements):
        layers.append(_agreement_points(alt, scenario, agreements, i, j, x_title, y_title, tag))
    if result is not None and result.agreement is not None:
        got = [float(p(result.agreement)) for p in scenario.prefs]
        # first, so drawn under the points it often coincides with: a wide ring, its legend
        # entry drawn as the ring is
        ring = {"point": "agreement", "x": rounded(got[i]), "y": rounded(got[j])}
        layers.append(
            alt.Chart(inline(alt, [ring]), name="agreement" + tag)
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
            alt.Chart(inline(alt, points), name="points" + tag)
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


def _agreement_points(
    alt: Any,
    scenario: Scenario,
    agreements: Sequence[Sequence[int]],
    i: int,
    j: int,
    x_title: str,
    y_title: str,
    tag: str,
) -> Any:
    """Many agreements as points: how often each point was reached, in the tooltip."""
    o = np.asarray(agreements, dtype=np.int64).reshape(len(agreements), scenario.space.n_issues)
    xy = np.stack([scenario.prefs[i].utility(o), scenario.prefs[j].utility(o)], axis=1)
    pts, counts = np.unique(np.round(xy, 6), axis=0, return_counts=True)
    rows = [
        {"x": rounded(a), "y": rounded(b), "agreements": int(c)}
        for (a, b), c in zip(pts, counts, strict=True)
    ]
    return (
        alt.Chart(inline(alt, rows), name="agreements" + tag)
        .mark_circle(color=PALETTE[2], opacity=0.8, stroke="#000000", strokeWidth=0.5)
        .encode(
            x="x:Q",
            y="y:Q",
            size=alt.Size("agreements:Q", title="agreements", scale=alt.Scale(range=[60, 400])),
            tooltip=[
                alt.Tooltip("agreements:Q", title="agreements here"),
                alt.Tooltip("x:Q", title=x_title),
                alt.Tooltip("y:Q", title=y_title),
            ],
        )
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
            "x": rounded(xe[p]),
            "x2": rounded(xe[p + 1]),
            "y": rounded(ye[q]),
            "y2": rounded(ye[q + 1]),
            "outcomes": int(h[p, q]),
        }
        for p, q in zip(a.tolist(), b.tolist(), strict=True)
    ]
    return (
        alt.Chart(inline(alt, rows), name="outcomes" + tag)
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


def _actor_scale(alt: Any, scenario: Scenario, actors: list[str]) -> Any:
    """Colours of the actors present, each keeping its place in the scenario's order (parties,
    then mediators), so a party has one colour in every figure."""
    known = list(
        dict.fromkeys(
            [*party_names(scenario), *(m.name or m.id for m in scenario.mediators), *actors]
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
    moves = offer_rows(scenario, result)
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
    data = inline(alt, rows)
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
