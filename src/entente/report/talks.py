"""What happened in the talks, over time: each offer's utility to each party (`concession`) and
each issue's option on the table round by round (`issues_over_time`); also the rows of a
result's offers that the utility space draws too (`offer_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from entente.report.style import (
    PALETTE,
    WIDTH,
    Figure,
    inline,
    load_altair,
    party_names,
    rounded,
)

if TYPE_CHECKING:
    from entente.negotiation.session import Result
    from entente.scenario import Scenario


def _outcome_text(scenario: Scenario, outcome: Sequence[int]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in scenario.space.labels(tuple(outcome)).items())


def offer_rows(scenario: Scenario, result: Result) -> list[dict[str, Any]]:
    """Every offer (a party's offer or a mediator's text), in order, with its utilities."""
    from entente.negotiation.actions import Offer

    names = party_names(scenario)
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
                "time": rounded(m.time),
                "actor": actor,
                "u": [rounded(x) for x in uu],
                "outcome": _outcome_text(scenario, row),
            }
        )
    return out


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
    alt = load_altair()
    from entente.negotiation.actions import Accept

    names = party_names(scenario)
    moves = offer_rows(scenario, result)
    dated = scenario.start is not None
    deadline = result.state.deadline

    def when(rnd: int, time: float) -> dict[str, Any]:
        if dated:
            d = scenario.round_date(rnd)
            assert d is not None
            return {"date": d.iso()}
        return {"time": rounded(time)}

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
        {"party": names[p], "utility": rounded(scenario.prefs[p].reservation)}
        for p in range(len(names))
    ]
    actors = list(dict.fromkeys(m["actor"] for m in moves))
    panels = []
    for n, a in enumerate(actors or [None]):
        tag = "" if len(actors) < 2 else f"_{n}"
        mine = [r for r in rows if r["actor"] == a]
        layers = [
            alt.Chart(inline(alt, mine), name="offers" + tag)
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
            alt.Chart(inline(alt, reservations), name="reservations" + tag)
            .mark_rule(strokeDash=[4, 3], opacity=0.7)
            .encode(y="utility:Q", color=colour),
            alt.Chart(inline(alt, [end]), name="deadline" + tag)
            .mark_rule(color="#000000", strokeWidth=1.5)
            .encode(x=alt.X(xfield), tooltip=[alt.Tooltip("what:N")]),
        ]
        if accepts:
            layers.append(
                alt.Chart(inline(alt, accepts), name="acceptances" + tag)
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
    alt = load_altair()
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
        alt.Chart(inline(alt, rows), name="table")
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
            alt.Chart(inline(alt, settled), name="settled")
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
