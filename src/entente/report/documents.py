"""Figures of the documents an agreement becomes: its ratification (each constituency's vote, each
party's win-set) and the audit of its treaty (each obligation's status over the years).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from entente.errors import EntenteError, quoted
from entente.report.style import (
    SAMPLE_SEED,
    WIDTH,
    Figure,
    inline,
    load_altair,
    party_names,
    rounded,
)

if TYPE_CHECKING:
    from entente.scenario import Scenario

STATUS_COLOURS = {
    "pending": "#999999",
    "in_force": "#0072B2",
    "fulfilled": "#009E73",
    "violated": "#D55E00",
    "cured": "#E69F00",
    "suspended": "#56B4E9",
    "terminated": "#000000",
}
"""The colour of each status an obligation can have (the audit)."""


# ---------------------------------------------------------------------------- ratification


def ratification(scenario: Scenario, outcome: tuple[int, ...]) -> Figure:
    """Each constituency's vote on `outcome` (its utility less its threshold: the margin, and
    whether it approves) and the share of outcomes each party's constituencies would ratify."""
    alt = load_altair()
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
                    "margin": rounded(v.utility - v.threshold),
                    "utility": rounded(v.utility),
                    "threshold": rounded(v.threshold),
                    "weight": rounded(v.weight),
                    "vote": "approves" if v.approves else "opposes",
                }
            )
    votes = (
        alt.Chart(inline(alt, rows), name="votes")
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
            alt.Chart(inline(alt, sizes), name="win_sets")
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
    names = party_names(scenario)
    rows = [
        {"party": names[i], "outcomes": n, "share": rounded(n / w.counted), "counted": w.counted}
        for i, n in zip(w.parties, w.sizes, strict=True)
    ]
    rows.append(
        {
            "party": "all of them",
            "outcomes": w.common,
            "share": rounded(w.common / w.counted),
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
    alt = load_altair()
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
        alt.Chart(inline(alt, rows), name="obligations")
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
        alt.Chart(inline(alt, events), name="events")
        .mark_rule(color="#000000", strokeDash=[3, 3], opacity=0.6)
        .encode(
            x=alt.X("date:T"),
            tooltip=[alt.Tooltip("date:N"), alt.Tooltip("kind:N"), alt.Tooltip("title:N")],
        )
    )
    first_of_year = list({e["year"]: e for e in reversed(events)}.values())
    years = (
        alt.Chart(inline(alt, first_of_year), name="event_years")
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
