"""The one-file HTML report of a negotiation or a tournament: it opens with no network.

The page holds the summary, every figure that applies (Vega-Lite specifications drawn in the
browser by the Vega, Vega-Lite and Vega-Embed JavaScript that vl-convert bundles, inlined in the
page), the treaty and the audit. A Content-Security-Policy forbids every request the page could
make (no fetch, no image, no font, no frame from anywhere), so nothing leaves the machine.

Every string from a scenario or a results folder goes through `_e` (characters no document may
hold removed, then HTML-escaped with quotes). JSON inside a `<script>` element has each `<`,
`>` and `&` written as a `\\u` escape, so no text can close the element or open a comment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Any

from entente.errors import EntenteError
from entente.report.export import spec
from entente.report.kinds import FIGURES
from entente.treaty.build import printable

if TYPE_CHECKING:
    from entente.audit.audit import Audit
    from entente.scenario import Scenario
    from entente.summary import Summary
    from entente.tournament.leaderboard import Standing

CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'unsafe-inline'; img-src data: blob:; base-uri 'none'; form-action 'none'"
)
"""No request leaves the page: inline scripts and styles only ('unsafe-eval' because Vega
compiles its expressions to functions)."""

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 62em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: 0.92em; margin: 0.6em 0; }
td, th { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-size: 0.9em; background: #f4f4f4; }
pre { padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
figure { margin: 1.5em 0; } figcaption { color: #555; font-size: 0.9em; }
.chart { min-height: 4em; overflow-x: auto; }
.note { color: #555; font-style: italic; }
.treaty { font-family: Georgia, serif; border-left: 3px solid #ddd; padding-left: 1em; }
.status-fulfilled { color: #1a7f37; } .status-violated { color: #b3261e; font-weight: bold; }
.status-cured { color: #b35c00; } .status-suspended { color: #7a3e9d; }
.status-terminated { color: #666; } .status-pending, .status-in_force { color: #0b5cad; }
"""

_SCRIPT = """
(function () {
  var figures = JSON.parse(document.getElementById("entente-figures").textContent);
  var options = {renderer: "svg",
                 actions: {export: true, source: false, compiled: false, editor: false}};
  Object.keys(figures).forEach(function (id) {
    var el = document.getElementById(id);
    vegaEmbed(el, figures[id], options).then(function () {
      el.setAttribute("data-rendered", "yes");
    }).catch(function (err) {
      el.setAttribute("data-rendered", "failed");
      el.textContent = "This figure could not be drawn: " + err;
      console.error(err);
    });
  });
})();
"""


def _e(text: object) -> str:
    """Scenario text as HTML: characters no document may hold removed, then escaped."""
    return escape(printable(str(text)), quote=True)


def script_json(data: Any) -> str:
    """JSON that is safe inside a `<script>` element: no `<`, `>` or `&` appears as itself."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def require() -> None:
    """Refuse at once, in one line, when the report extra is missing."""
    try:
        import altair  # noqa: F401
        import vl_convert  # noqa: F401
    except ImportError:
        raise EntenteError(
            "reports and figures need the report extra: pip install 'entente[report]'"
        ) from None


@lru_cache(maxsize=1)
def vega_javascript() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (vl-convert's bundle, no network), for the
    Vega-Lite version Altair writes; made once per process (it takes seconds)."""
    from entente.report.export import javascript

    # the bundle is inlined: no text in it may end the script element
    return re.sub(r"</(script)", r"<\\/\1", javascript(), flags=re.IGNORECASE)


@dataclass(frozen=True)
class Figure:
    """One figure of the report: its kind, a title, and the chart, or why there is none."""

    kind: str
    title: str
    chart: Any = None
    note: str = ""


def figure(kind: str, title: str, draw: Callable[[], Any]) -> Figure:
    """The figure `draw` makes; a figure that does not apply says why instead."""
    try:
        return Figure(kind, title, draw())
    except EntenteError as e:
        return Figure(kind, title, None, str(e))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _figures(figures: Sequence[Figure]) -> tuple[str, dict[str, Any]]:
    """The figures' HTML and their specifications by element id."""
    parts: list[str] = []
    specs: dict[str, Any] = {}
    for k, f in enumerate(figures, start=1):
        eid = f"fig-{k}-{_slug(f.kind)}"
        if f.chart is None:
            parts.append(f"<h3>{_e(f.title)}</h3><p class='note'>{_e(f.note)}</p>")
            continue
        specs[eid] = spec(f.chart)
        parts.append(
            f'<figure><div class="chart" id="{eid}" data-kind="{_e(f.kind)}"></div>'
            f"<figcaption>{_e(f.title)}</figcaption></figure>"
        )
    return "\n".join(parts), specs


def page(title: str, subtitle: str, sections: Sequence[str], figures: Sequence[Figure]) -> str:
    """A whole page: the sections in order, the figures at the place of `{figures}`."""
    body, specs = _figures(figures)
    html = "\n".join(body if s == "{figures}" else s for s in sections)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title><style>{_CSS}</style>",
            f"<script>{vega_javascript()}</script>",
            "</head><body>",
            f"<h1>{_e(title)}</h1><p class='sub'>{_e(subtitle)}</p>",
            html,
            f'<script type="application/json" id="entente-figures">{script_json(specs)}</script>',
            f"<script>{_SCRIPT}</script>",
            "</body></html>",
        ]
    )


def _table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    num: frozenset[int] | set[int] = frozenset(),
) -> str:
    """An HTML table; every cell escaped; columns in `num` right-aligned; no header row when
    every header is empty (a table of facts, a name and its value a row)."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    thead = f"<thead><tr>{head}</tr></thead>" if any(headers) else ""
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{_e(c)}</td>" if j in num else f"<td>{_e(c)}</td>"
            for j, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.3f}"


def _summary(s: Summary, command: str | None) -> str:
    sc, r, p = s.scenario, s.result, s.plan
    parts = ["<h2 id='summary'>Summary</h2>"]
    facts: list[tuple[str, object]] = [("scenario", f"{sc.title} ({sc.id})")]
    if p is not None:
        facts += [("protocol", p.protocol), ("deadline", f"{p.deadline} rounds")]
        facts += [
            (f"strategy of {pt.name}", spec)
            for pt, spec in zip(sc.parties, p.strategies, strict=True)
        ]
        if p.mediator is not None:
            informed = " (informed of every party's utilities)" if p.informed else ""
            facts.append(("mediator", p.mediator + informed))
        if p.win_sets:
            facts.append(("win-sets", "parties concede only inside them"))
    facts += [
        ("seed", s.seed),
        ("rounds", r.rounds),
        ("time (share of the deadline)", f"{r.time:.3f}"),
    ]
    facts.append(("agreement", "reached" if r.agreement is not None else "none"))
    if s.pareto_distance is not None:
        approx = " (approximate frontier)" if s.approximate else ""
        facts.append(("distance to the Pareto frontier", f"{s.pareto_distance:.4f}{approx}"))
    match = s.history_match
    if match is not None:
        facts.append(("issues as in history", f"{match[0]} of {match[1]}"))
    parts.append(_table(("", ""), facts))
    if command:
        parts.append(f"<p>Replay: <code>{_e(command)}</code></p>")
    heads = ["", *(pt.name for pt in sc.parties)]
    rows: list[list[object]] = [
        ["utility", *map(_f, s.undiscounted.utilities)],
        ["reservation value", *map(_f, s.undiscounted.reservations)],
    ]
    if s.nash_utilities is not None:
        rows.append(["Nash point", *map(_f, s.nash_utilities)])
    if s.is_discounted:
        rows.append([f"utility at t={r.time:.3f}", *map(_f, s.discounted.utilities)])
    parts.append(_table(heads, rows, num=set(range(1, len(heads)))))
    parts.append(_outcomes(s))
    parts.append(_notes(s))
    parts.append(
        "<details><summary>The summary as JSON (as <code>entente run --json</code> prints it)"
        f"</summary><pre>{_e(json.dumps(s.to_json(), indent=2, sort_keys=True))}</pre></details>"
        f'<script type="application/json" id="entente-summary">{script_json(s.to_json())}</script>'
    )
    return "\n".join(parts)


def _notes(s: Summary) -> str:
    """What strategies noted beside their moves (`Result.notes`): a language model's messages,
    its refused replies, the fallback that moved for it; empty when none did."""
    r = s.result
    if not r.notes:
        return ""
    names = [p.name for p in s.scenario.parties]
    rows = []
    for n, note in r.notes:
        m = r.moves[n]
        who = names[m.actor] if m.actor < len(names) else "mediator"
        fell = f"{note['fallback']} ({note.get('why', '')})" if note.get("fallback") else ""
        rows.append([m.round + 1, who, note.get("message", ""), len(note.get("invalid", ())), fell])
    return "<h3>Moves noted</h3>" + _table(
        ("round", "party", "message", "replies refused", "moved by the fallback"), rows, {0, 3}
    )


def _outcomes(s: Summary) -> str:
    """Issue by issue: the agreement, the Nash point, history, and when the issue settled."""
    sc, r = s.scenario, s.result
    hist = sc.history.outcome if sc.history is not None else None
    settled = {x.issue: x.round + 1 for x in s.settlements}
    heads = ["issue", "agreement"]
    if s.nash is not None:
        heads.append("Nash point")
    if hist is not None:
        heads.append("history")
    heads.append("settled in round")
    rows = []
    for i, iss in enumerate(sc.space.issues):
        row: list[object] = [iss.name or iss.id]
        row.append(iss.label(r.agreement[i]) if r.agreement is not None else "-")
        if s.nash is not None:
            row.append(iss.label(s.nash[i]))
        if hist is not None:
            row.append(iss.label(hist[i]))
        row.append(settled.get(i, ""))
        rows.append(row)
    return _table(heads, rows, num={len(heads) - 1})


def treaty_section(scenario: Scenario, outcome: tuple[int, ...] | None, what: str) -> str:
    """The treaty `outcome` makes, as `entente treaty --format html` writes it (its body)."""
    from entente.treaty.build import build
    from entente.treaty.render_html import render_html

    head = "<h2 id='treaty'>Treaty</h2>"
    if outcome is None:
        return head + "<p class='note'>No agreement, and no outcome in history: no treaty.</p>"
    try:
        treaty = build(scenario, outcome)
    except EntenteError as e:
        return head + f"<p class='note'>No treaty: {_e(e)}</p>"
    doc = render_html(treaty)
    body = doc[doc.index("<body>") + len("<body>") : doc.rindex("</body>")]
    warn = "".join(f"<p class='note'>Warning: {_e(w)}</p>" for w in treaty.warnings)
    return f"{head}<p class='sub'>{_e(what)}</p>{warn}<div class='treaty'>{body}</div>"


def audit_section(report: Audit, what: str) -> str:
    """Every obligation's verdict with the path that led to it, then the timeline."""
    cal = report.treaty.calendars
    refs = {id(e): k for k, e in enumerate(report.events, start=1)}
    nums = {
        a.key: ("Add. " if a.kind == "additional" else "") + a.num for a in report.treaty.articles
    }
    rows = []
    for v in report.verdicts:
        steps = []
        for c in v.steps():
            ref = (
                f" (event {refs[id(c.event)]})"
                if c.event is not None and id(c.event) in refs
                else ""
            )
            steps.append(f"{c.status.replace('_', ' ')} on {c.date.render(cal)}{ref}")
        rows.append(
            f"<tr><td>{_e(nums.get(v.obligation.article, ''))}</td><td>{_e(v.obligation.id)}</td>"
            f"<td>{_e(v.holder)}</td>"
            f"<td class='status-{_e(v.status)}'>{_e(v.status.replace('_', ' '))}</td>"
            f"<td>{_e('; '.join(steps) or 'not yet binding')}</td></tr>"
        )
    at = report.at.render(cal) if report.at else "the end of the timeline"
    table = (
        "<table><thead><tr><th>art.</th><th>obligation</th><th>holder</th><th>status</th>"
        f"<th>what became of it</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    events = _table(
        ("#", "date", "event", "kind"),
        [
            (k, e.date.render(cal), e.title, e.kind.replace("_", " "))
            for k, e in enumerate(report.events, start=1)
        ],
        num={0},
    )
    warn = "".join(f"<p class='note'>Warning: {_e(w)}</p>" for w in report.warnings)
    return (
        f"<h2 id='audit'>Audit</h2><p class='sub'>{_e(what)}; obligations as of {_e(at)}.</p>"
        f"{warn}{table}<h3>Timeline</h3>{events}"
    )


def negotiation_report(summary: Summary, *, command: str | None = None) -> str:
    """The report of one negotiation: summary, figures, treaty, audit (where they apply)."""
    from entente.report.documents import audit_chart, ratification
    from entente.report.space import utility_space
    from entente.report.talks import concession, issues_over_time

    sc, r = summary.scenario, summary.result
    hist = sc.history.outcome if sc.history is not None else None
    outcome = r.agreement if r.agreement is not None else hist
    what = (
        "The treaty of the agreement reached."
        if r.agreement is not None
        else ("No agreement was reached: the treaty signed in history.")
    )
    figs = [
        figure("space", "Utility space", lambda: utility_space(sc, r)),
        figure("concession", "Concessions over time", lambda: concession(sc, r)),
        figure("issues", "Issues over time", lambda: issues_over_time(sc, r)),
    ]
    if sc.ratification and outcome is not None:
        figs.append(figure("ratification", "Ratification", lambda: ratification(sc, outcome)))
    audited = hist if hist is not None else r.agreement
    if sc.timeline:
        figs.append(figure("audit", "Audit", lambda: audit_chart(sc, audited)))
    sections = [
        "<nav><a href='#summary'>summary</a> · <a href='#figures'>figures</a> · "
        "<a href='#treaty'>treaty</a>"
        + (" · <a href='#audit'>audit</a>" if sc.timeline else "")
        + "</nav>",
        _summary(summary, command),
        "<h2 id='figures'>Figures</h2>",
        "{figures}",
        treaty_section(sc, outcome, what),
    ]
    if sc.timeline and audited is not None:
        sections.append(_audit(sc, audited, hist is not None))
    subtitle = sc.description.split("\n\n")[0] if sc.description else ""
    return page(sc.title, subtitle, sections, figs)


def _audit(sc: Scenario, outcome: tuple[int, ...], historical: bool) -> str:
    from entente.audit.audit import audit
    from entente.treaty.build import build

    try:
        report = audit(build(sc, outcome), sc.timeline)
    except EntenteError as e:
        return f"<h2 id='audit'>Audit</h2><p class='note'>No audit: {_e(e)}</p>"
    what = (
        "The treaty signed in history, along the scenario's timeline"
        if historical
        else ("The treaty of the agreement, along the scenario's timeline")
    )
    return audit_section(report, what)


def tournament_report(
    title: str,
    rows: Any,
    standings: Sequence[Standing],
    manifest: dict[str, Any] | None,
    *,
    seed: int = 0,
) -> str:
    """The report of a tournament: its grid, the leaderboard, and the tournament's figures."""
    from entente.report.tournaments import tournament_charts

    facts: list[tuple[str, object]] = [("negotiations", rows.num_rows)]
    if manifest:
        for key in ("scenarios", "strategies", "protocol", "rounds", "repetitions", "seed"):
            value = manifest.get(key)
            if isinstance(value, dict):  # scenarios: {id: fingerprint}
                value = list(value)
            if value is not None:
                shown = ", ".join(map(str, value)) if isinstance(value, list) else value
                facts.append((key, shown))
    board = _table(
        ("strategy", "plays", "utility", "agreement", "rounds", "welfare"),
        [
            (
                s.strategy,
                s.n,
                *(
                    f"{e.mean:.3f} [{e.low:.3f}, {e.high:.3f}]"
                    for e in (s.utility, s.agreement, s.rounds, s.welfare)
                ),
            )
            for s in standings
        ],
        num={1, 2, 3, 4, 5},
    )
    try:
        charts = tournament_charts(rows, seed=seed)
        figs = [Figure(kind, FIGURES.get(kind, kind), chart) for kind, chart in charts.items()]
    except EntenteError as e:
        figs = [Figure("tournament", "Figures", None, str(e))]
    sections = [
        "<h2 id='summary'>Tournament</h2>",
        _table(("", ""), facts),
        "<h2 id='leaderboard'>Leaderboard</h2>",
        "<p class='sub'>Means with 95% bootstrap intervals.</p>",
        board,
        "<h2 id='figures'>Figures</h2>",
        "{figures}",
    ]
    return page(title, "A tournament's results", sections, figs)
