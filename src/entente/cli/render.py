"""Rich renderings of a negotiation for the terminal: setup, timeline, agreement, analysis.

Text from scenario files (names, titles, labels) is never read as markup: it goes into `Text`
objects, styled only by the code here.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

if TYPE_CHECKING:  # other commands import this module: it imports no layer of entente itself
    from entente.calendar import Date
    from entente.negotiation.actions import Outcome
    from entente.negotiation.protocol import Move
    from entente.scenario import Scenario
    from entente.summary import Summary

Part = str | tuple[str, str]
"""A piece of a line: plain text, or (text, style)."""


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 issue', '2 issues', '12,000 outcomes': a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def line(*parts: Part) -> Text:
    """One line of terminal output from plain and styled pieces; nothing is read as markup."""
    return Text.assemble(*parts)


def table(*headers: str) -> RichTable:
    """A table whose headers (and, through `row`, cells) are plain text."""
    t = RichTable()
    for h in headers:
        t.add_column(Text(h, style="bold"), overflow="fold")
    return t


def row(t: RichTable, *cells: str | Text) -> None:
    t.add_row(*(c if isinstance(c, Text) else Text(c) for c in cells))


def _date(sc: Scenario, d: Date) -> str:
    return d.render(sc.calendars)


def header(console: Console, sc: Scenario) -> None:
    console.rule(Text(sc.title, style="bold"))
    if sc.venue:
        console.print(line(("Venue: ", "dim"), sc.venue))
    for key in ("opened", "signed"):
        if key in sc.dates:
            console.print(line((f"{key.capitalize()}: ", "dim"), _date(sc, sc.dates[key])))
    for p in sc.parties:
        who = "; ".join(f"{d.name} ({d.title})" if d.title else d.name for d in p.delegates)
        console.print(line((p.name, "bold"), f": {who}" if who else ""))
    for m in sc.mediators:
        who = ", ".join(d.name for d in m.delegates)
        console.print(line(("Mediator: ", "bold"), m.name, f" ({who})" if who else ""))
    if sc.observers:
        console.print(line(("Observers: ", "dim"), ", ".join(o.name for o in sc.observers)))


def replay_command(s: Summary, source: str) -> str:
    """The `entente run` command line that gives this negotiation again."""
    assert s.plan is not None
    p, sc = s.plan, s.scenario
    args = ["entente", "run", source, "--protocol", p.protocol]
    for party, spec in zip(sc.parties, p.strategies, strict=True):
        args += ["--strategy", f"{party.id}={spec}"]
    if p.mediator is not None:
        args += ["--strategy", f"{p.mediator_id or 'mediator'}={p.mediator}"]
    args += ["--seed", str(s.seed), "--deadline", str(p.deadline)]
    if p.win_sets:
        args.append("--win-sets")
    return shlex.join(args)


def setup(console: Console, s: Summary, source: str) -> None:
    """What was run: protocol, deadline, seed and every strategy with its parameters."""
    if s.plan is None:
        return
    p, sc = s.plan, s.scenario
    console.rule("Setup")
    narrowed: list[Part] = [("   Win-sets: ", "dim"), "parties concede only inside them"]
    console.print(
        line(
            ("Protocol: ", "dim"),
            p.protocol,
            ("   Deadline: ", "dim"),
            count(p.deadline, "round"),
            ("   Seed: ", "dim"),
            str(s.seed),
            *(narrowed if p.win_sets else []),
        )
    )
    for party, spec in zip(sc.parties, p.strategies, strict=True):
        console.print(line("  ", party.name, ": ", (spec, "cyan")))
    if p.mediator is not None:
        name = next((m.name for m in sc.mediators if m.id == p.mediator_id), "Mediator")
        informed = " (informed of every party's utilities)" if p.informed else ""
        console.print(line("  ", name, " (mediator): ", (p.mediator, "cyan"), informed))
    console.print(line(("Replay: ", "dim"), replay_command(s, source)), soft_wrap=True)


def _names(sc: Scenario) -> list[str]:
    return [p.name for p in sc.parties]


def timeline(console: Console, s: Summary) -> None:
    """Round by round: who proposed what, who conceded, who objected to which issues.

    Rounds that repeat the one before (the same moves by the same actors) are folded into one
    line, under every protocol.
    """
    sc, r = s.scenario, s.result
    names = _names(sc)
    mediator = sc.mediators[0].name if sc.mediators else "Mediator"
    console.rule("Timeline")
    if s.is_discounted:
        factors = ", ".join(f"{p.name} {p.prefs.discount:g}" for p in sc.parties)
        console.print(
            line(
                (
                    "Utilities below are undiscounted; discount factors per unit of time: "
                    + factors,
                    "dim",
                )
            )
        )
    rounds: dict[int, list[Move]] = {}
    for m in r.moves:
        rounds.setdefault(m.round, []).append(m)
    noted = {id(r.moves[n]): note for n, note in r.notes}
    on_table: Outcome | None = None
    last_own: dict[int, float] = {}
    previous: tuple[object, ...] | None = None
    shown_round = -1
    folded: list[int] = []

    def flush() -> None:
        if not folded:
            return
        lo, hi = folded[0] + 1, folded[-1] + 1
        label = f"Round {lo}" if lo == hi else f"Rounds {lo}-{hi}"
        first, last = sc.round_date(folded[0]), sc.round_date(folded[-1])
        days = ""
        if first and last:
            a, b = first.render(sc.calendars), last.render(sc.calendars)
            days = f" ({a})" if a == b else f" ({a} to {b})"
        mediated = any(m.actor >= len(names) for m in rounds[folded[0]])
        same = "the same text, the same answers" if mediated else "the same offers"
        console.print(
            line((label, "bold"), days, (f": {same} as in round {shown_round + 1}", "dim"))
        )
        folded.clear()

    for rnd, moves in rounds.items():
        signature = tuple((m.actor, m.action) for m in moves)
        if signature == previous:
            folded.append(rnd)
            continue
        flush()
        previous, shown_round = signature, rnd
        day = sc.round_date(rnd)
        when = f"{day.render(sc.calendars)}, " if day else ""
        console.print(
            line((f"Round {rnd + 1}", "bold"), (f" ({when}time {moves[0].time:.2f})", "dim"))
        )
        for m in moves:
            actor = names[m.actor] if m.actor < len(names) else mediator
            on_table = _line(console, sc, m, actor, on_table, last_own)
            _said(console, noted.get(id(m)))
    flush()


def _said(console: Console, note: Mapping[str, Any] | None) -> None:
    """What a strategy noted beside its move (`Result.notes`): a language model's message, the
    fallback that moved for it."""
    if not note:
        return
    if note.get("fallback"):
        console.print(line("    ", (f"(moved by the fallback {note['fallback']})", "dim")))
    if note.get("message"):
        console.print(line("    ", (f"\u201c{note['message']}\u201d", "italic")))


def _line(
    console: Console,
    sc: Scenario,
    m: Move,
    actor: str,
    on_table: Outcome | None,
    last_own: dict[int, float],
) -> Outcome | None:
    """Print one move; return the outcome on the table after it."""
    from entente.negotiation.actions import Accept, Offer, Reject, Walk

    space, names = sc.space, _names(sc)
    match m.action:
        case Offer(outcome):
            u = [p(outcome) for p in sc.prefs]
            shown = "  ".join(f"{n} {x:.3f}" for n, x in zip(names, u, strict=True))
            if m.actor >= len(names):  # a mediator's text
                if on_table is None:
                    console.print(line("  ", actor, " puts a text on the table  ", (shown, "dim")))
                elif outcome == on_table:
                    console.print(line("  ", actor, " keeps the text unchanged  ", (shown, "dim")))
                else:
                    old = [p(on_table) for p in sc.prefs]
                    for i in (i for i in range(len(outcome)) if outcome[i] != on_table[i]):
                        iss = space.issues[i]
                        console.print(
                            line(
                                "  ",
                                actor,
                                " revises ",
                                (iss.title, "bold"),
                                ": ",
                                iss.label(outcome[i]),
                            )
                        )
                    gains = [n for n, a, b in zip(names, old, u, strict=True) if b > a + 1e-12]
                    note = f"concession to {', '.join(gains)}" if gains else "revision"
                    console.print(line("    ", (f"{note}; {shown}", "dim")))
            else:
                mark: list[Part] = []
                prev = last_own.get(m.actor)
                if prev is not None and u[m.actor] < prev - 1e-12:
                    mark = [(f" concedes {prev - u[m.actor]:.3f}", "yellow")]
                last_own[m.actor] = u[m.actor]
                console.print(line("  ", actor, " offers  ", (shown, "dim"), *mark))
            return outcome
        case Accept():
            console.print(line("  ", actor, " ", ("accepts", "green")))
        case Reject(objections):
            what = ", ".join(space.issues[i].title for i in objections)
            console.print(
                line("  ", actor, " ", ("rejects", "red"), f", objecting to {what}" if what else "")
            )
        case Walk():
            console.print(line("  ", actor, " ", ("walks away", "red")))
    return on_table


def agreement(console: Console, s: Summary) -> None:
    sc, r = s.scenario, s.result
    space = sc.space
    console.rule("Agreement")
    if r.agreement is None:
        console.print(line(("No agreement", "red"), f" after {count(r.rounds, 'round')}."))
        _win_sets(console, s)
    else:
        hist = sc.history.outcome if sc.history else None
        settled = {x.issue: x.round for x in s.settlements}
        t = table("issue", "agreed", "settled in round", *(["signed", "match"] if hist else []))
        for i, iss in enumerate(space.issues):
            cells: list[str | Text] = [
                iss.title,
                iss.label(r.agreement[i]),
                str(settled.get(i, 0) + 1),
            ]
            if hist:
                same = hist[i] == r.agreement[i]
                cells += [iss.label(hist[i]), Text("✓", "green") if same else Text("✗", "red")]
            row(t, *cells)
        console.print(t)
        match = s.history_match
        if match:
            console.print(
                f"Matches the historical outcome on {match[0]} of {count(match[1], 'issue')}."
            )
    _utilities(console, s)
    if s.nash is not None and r.agreement is not None:
        diff = [space.issues[i].title for i in range(space.n_issues) if s.nash[i] != r.agreement[i]]
        console.print(
            "The agreement is the Nash bargaining point."
            if not diff
            else line("The Nash point differs on: ", ", ".join(diff), ".")
        )
    if s.plan is not None and s.plan.informed:
        console.print(
            "The mediator is informed: it sees every party's utilities and aims at the Nash "
            "point, so reaching it is the model's design, not evidence of its own."
        )
    if s.scenario.uncertain:
        console.print(
            f"{count(len(s.scenario.uncertain), 'number')} of this scenario are ranges: "
            "`entente analyze` and `entente sensitivity` say how much this result depends on "
            "them, beside null baselines."
        )
    chronology(console, s)


def chronology(console: Console, s: Summary) -> None:
    """The real day each issue was settled beside the run's, where the scenario records them."""
    rows = s.chronology
    if not rows:
        return
    sc = s.scenario
    console.rule("Chronology")
    t = table("issue", "settled in history", "in this run", "difference")
    for x in rows:
        days = x.days
        if x.round is None:
            ran, diff = "not settled", ""
        else:
            ran = _date(sc, x.simulated) if x.simulated else f"round {x.round + 1}"
            diff = "" if days is None else "same day" if days == 0 else f"{days:+d} days"
        row(t, sc.space.issues[x.issue].title, _date(sc, x.real), ran, diff)
    console.print(t)
    dated = [x.days for x in rows if x.days is not None]
    if dated:
        same = sum(d == 0 for d in dated)
        early = sum(d < 0 for d in dated)
        console.print(
            f"Settled on the real day: {same} of {count(len(rows), 'issue')}; earlier: "
            f"{early}; later: {len(dated) - same - early}; not settled: {len(rows) - len(dated)}."
        )


def _utilities(console: Console, s: Summary) -> None:
    """Each party's utility, reservation value and Nash-point utility; where parties discount
    time, the same three discounted to the end of the talks, in columns of their own."""
    sc, r = s.scenario, s.result
    u, d = s.undiscounted, s.discounted
    nash = u.nash_utilities is not None
    at = f"at t={r.time:.2f}"
    heads = ["party"]
    for name in ("utility", "reservation", *(["Nash point"] if nash else [])):
        heads += [name, at] if s.is_discounted else [name]
    t = table(*heads)
    for j, p in enumerate(sc.parties):
        cells = [p.name]
        pairs = [(u.utilities, d.utilities), (u.reservations, d.reservations)]
        if u.nash_utilities is not None and d.nash_utilities is not None:
            pairs.append((u.nash_utilities, d.nash_utilities))
        for plain, disc in pairs:
            cells += (
                [f"{plain[j]:.3f}", f"{disc[j]:.3f}"] if s.is_discounted else [f"{plain[j]:.3f}"]
            )
        row(t, *cells)
    console.print(t)
    if s.is_discounted:
        console.print(
            line(
                (
                    f"Columns '{at}': discounted to the time the talks ended, each value times "
                    f"the party's discount factor to the power {r.time:.2f} (reservation "
                    "values too); the others undiscounted, as the profiles define them.",
                    "dim",
                )
            )
        )
    if u.pareto_distance is not None:
        approx = " (approximate frontier)" if s.approximate else ""
        text = f"Distance to the Pareto frontier{approx}: {u.pareto_distance:.4f}"
        if s.is_discounted and d.pareto_distance is not None:
            text += f" undiscounted, {d.pareto_distance:.4f} discounted {at}"
        console.print(text)


def _win_sets(console: Console, s: Summary) -> None:
    """Why talks confined to the win-sets failed: an empty win-set, win-sets that do not
    intersect, and the last outcome each party refused for its constituencies."""
    w = s.win_sets
    if w is None:
        return
    names = _names(s.scenario)
    sample = f" (counted on a random sample of {count(w.counted, 'outcome')})" if w.sampled else ""
    if not w.parties:
        console.print("No party has constituencies: the win-sets did not narrow the talks.")
    sized = list(zip(w.parties, w.sizes, strict=True))
    empty = [names[i] for i, n in sized if n == 0]
    for name in empty:
        console.print(
            line(
                "The win-set of ",
                (name, "bold"),
                f" is empty: its constituencies would ratify no outcome{sample}.",
            )
        )
    if w.parties and not empty:
        sizes = _and([f"{names[i]} ({count(n, 'outcome')})" for i, n in sized])
        both = "both" if len(sized) == 2 else "all of them"
        if w.common == 0 and len(sized) > 1:
            text = f"do not intersect: no outcome would be ratified by {both}{sample}."
        else:
            text = (
                f"share {count(w.common, 'outcome')}{sample}, but the talks reached none of "
                f"them in {count(s.result.rounds, 'round')}."
            )
        one = "The win-set of" if len(sized) == 1 else "The win-sets of"
        console.print(line(f"{one} {sizes} {text}"))
    for x in w.refusals:
        console.print(
            line(
                (names[x.party], "bold"),
                f" last refused, in round {x.round + 1}, an outcome its constituencies would "
                "not ratify; against it: ",
                "; ".join(x.opposed) or "their rule",
                ".",
            )
        )


def _and(items: list[str]) -> str:
    """'', 'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
