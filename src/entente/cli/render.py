"""Rich renderings of a negotiation for the terminal: timeline, agreement, analysis."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table as RichTable

from entente.negotiation.actions import Accept, Offer, Outcome, Reject, Walk
from entente.negotiation.protocol import Move
from entente.scenario import Scenario
from entente.summary import Summary


def header(console: Console, sc: Scenario) -> None:
    console.rule(f"[b]{sc.title}[/]")
    if sc.venue:
        console.print(f"[dim]Venue:[/] {sc.venue}")
    for key in ("opened", "signed"):
        if key in sc.dates:
            console.print(f"[dim]{key.capitalize()}:[/] {sc.dates[key].render()}")
    for p in sc.parties:
        who = "; ".join(f"{d.name} ({d.title})" if d.title else d.name for d in p.delegates)
        console.print(f"[b]{p.name}[/]" + (f": {who}" if who else ""))
    for m in sc.mediators:
        who = "; ".join(d.name for d in m.delegates)
        console.print(f"[b]Mediator[/] {m.name}" + (f": {who}" if who else ""))
    if sc.observers:
        console.print("[dim]Observers:[/] " + ", ".join(o.name for o in sc.observers))


def timeline(console: Console, s: Summary) -> None:
    """Round by round: who proposed what, who conceded, who objected to which issues.

    Rounds that repeat the one before (same text, same answers) are folded into one line.
    """
    sc, r = s.scenario, s.result
    names = [p.id for p in sc.parties]
    mediator = sc.mediators[0].name if sc.mediators else "Mediator"
    console.rule("Timeline")
    rounds: dict[int, list[Move]] = {}
    for m in r.moves:
        rounds.setdefault(m.round, []).append(m)
    table: Outcome | None = None
    last_own: dict[int, float] = {}
    previous: tuple[object, ...] | None = None
    folded: list[int] = []

    def flush() -> None:
        if folded:
            span = f"{folded[0] + 1}" if len(folded) == 1 else f"{folded[0] + 1}-{folded[-1] + 1}"
            label = "Round" if len(folded) == 1 else "Rounds"
            first, last = sc.round_date(folded[0]), sc.round_date(folded[-1])
            days = (
                f" ({first.render(both=False)} to {last.render(both=False)})"
                if first and last
                else ""
            )
            console.print(f"[b]{label} {span}[/]{days} [dim]the same text, the same answers[/]")
            folded.clear()

    for rnd, moves in rounds.items():
        signature = tuple((m.actor, m.action) for m in moves)
        if signature == previous and sc.mediators:
            folded.append(rnd)
            continue
        flush()
        previous = signature
        day = sc.round_date(rnd)
        when = f"{day.render(both=False)}, " if day else ""
        console.print(f"[b]Round {rnd + 1}[/] [dim]({when}time {moves[0].time:.2f})[/]")
        for m in moves:
            actor = names[m.actor] if m.actor < len(names) else mediator
            table = _line(console, sc, m, actor, table, last_own)
    flush()


def _line(
    console: Console,
    sc: Scenario,
    m: Move,
    actor: str,
    table: Outcome | None,
    last_own: dict[int, float],
) -> Outcome | None:
    """Print one move; return the outcome on the table after it."""
    space, names = sc.space, [p.id for p in sc.parties]
    match m.action:
        case Offer(outcome):
            u = [p(outcome) for p in sc.prefs]
            shown = "  ".join(f"{n} {x:.3f}" for n, x in zip(names, u, strict=True))
            if m.actor >= len(names):  # a mediator's text
                if table is None:
                    console.print(f"  {actor} puts a text on the table  [dim]{shown}[/]")
                elif outcome == table:
                    console.print(f"  {actor} keeps the text unchanged  [dim]{shown}[/]")
                else:
                    old = [p(table) for p in sc.prefs]
                    for i in (i for i in range(len(outcome)) if outcome[i] != table[i]):
                        iss = space.issues[i]
                        console.print(
                            f"  {actor} revises [b]{iss.title}[/]: {iss.label(outcome[i])}"
                        )
                    gains = [n for n, a, b in zip(names, old, u, strict=True) if b > a + 1e-12]
                    note = f"concession to {', '.join(gains)}" if gains else "revision"
                    console.print(f"    [dim]{note}; {shown}[/]")
            else:
                mark = ""
                prev = last_own.get(m.actor)
                if prev is not None and u[m.actor] < prev - 1e-12:
                    mark = f" [yellow]concedes {prev - u[m.actor]:.3f}[/]"
                last_own[m.actor] = u[m.actor]
                console.print(f"  {actor} offers  [dim]{shown}[/]{mark}")
            return outcome
        case Accept():
            console.print(f"  {actor} [green]accepts[/]")
        case Reject(objections):
            what = ", ".join(space.issues[i].title for i in objections)
            console.print(f"  {actor} [red]rejects[/]" + (f", objecting to {what}" if what else ""))
        case Walk():
            console.print(f"  {actor} [red]walks away[/]")
    return table


def agreement(console: Console, s: Summary) -> None:
    sc, r = s.scenario, s.result
    space = sc.space
    console.rule("Agreement")
    if r.agreement is None:
        console.print(f"[red]No agreement[/] after {r.rounds} rounds.")
    else:
        hist = sc.history.outcome if sc.history else None
        settled = {x.issue: x.round for x in s.settlements}
        t = RichTable("issue", "agreed", "settled in round", *(["signed", ""] if hist else []))
        for i, iss in enumerate(space.issues):
            row = [iss.title, iss.label(r.agreement[i]), str(settled.get(i, 0) + 1)]
            if hist:
                same = hist[i] == r.agreement[i]
                row += ["" if same else iss.label(hist[i]), "[green]✓[/]" if same else "[red]✗[/]"]
            t.add_row(*row)
        console.print(t)
        match = s.history_match
        if match:
            console.print(f"Matches the historical outcome on {match[0]} of {match[1]} issues.")
    t = RichTable("party", "utility", "reservation", *(["Nash point"] if s.nash_utilities else []))
    for j, p in enumerate(sc.parties):
        row = [p.name, f"{r.utilities[j]:.3f}", f"{p.prefs.reservation:.3f}"]
        if s.nash_utilities:
            row.append(f"{s.nash_utilities[j]:.3f}")
        t.add_row(*row)
    console.print(t)
    if s.pareto_distance is not None:
        approx = " (approximate frontier)" if s.approximate else ""
        console.print(f"Distance to the Pareto frontier{approx}: {s.pareto_distance:.4f}")
    if s.nash is not None and r.agreement is not None:
        diff = [space.issues[i].title for i in range(space.n_issues) if s.nash[i] != r.agreement[i]]
        console.print(
            "The agreement is the Nash bargaining point."
            if not diff
            else f"The Nash point differs on: {', '.join(diff)}."
        )
