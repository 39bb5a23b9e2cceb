"""Figures of a tournament's results: the leaderboard, the payoff and per-scenario heat maps, and
the distances of the outcomes to the Pareto frontier and to the Nash point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from entente.errors import EntenteError
from entente.report.style import WIDTH, Figure, inline, load_altair, rounded


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
    alt = load_altair()
    from entente.tournament.leaderboard import leaderboard

    table, listed = _arrow_rows(rows)
    if not listed:
        raise EntenteError("the tournament has no results to draw")
    board = leaderboard(table, seed)
    order = [s.strategy for s in board]
    lrows = [
        {
            "strategy": s.strategy,
            "mean": rounded(s.utility.mean),
            "low": rounded(s.utility.low),
            "high": rounded(s.utility.high),
            "n": s.n,
            "agreement": rounded(s.agreement.mean),
        }
        for s in board
    ]
    y = alt.Y("strategy:N", title=None, sort=order)
    ldata = inline(alt, lrows)
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
        {"strategy": s, "opponent": t, "utility": rounded(np.mean(v)), "plays": len(v)}
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
        {"strategy": s, "scenario": sc, "utility": rounded(np.mean(v)), "plays": len(v)}
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
                dists.append({"measure": label, "distance": rounded(v)})
    note = ", ".join(f"{n} without a {k.split('_')[0]} distance" for k, n in missing.items() if n)
    out["distances"] = (
        alt.Chart(inline(alt, dists), name="distances")
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
    base = alt.Chart(inline(alt, rows), name="cells").encode(
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
    middle = rounded((min(values) + max(values)) / 2) if values else 0.0
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
