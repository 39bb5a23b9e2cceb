"""`entente treaty` and `entente audit`: write the treaty of an outcome, audit it along its timeline."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from entente import api
from entente.audit.audit import Audit, audit, check_selectors
from entente.audit.timeline import Event
from entente.calendar import Date
from entente.errors import EntenteError
from entente.formats.safe import write_atomic
from entente.formats.treaty_toml import load_timeline
from entente.ratification import Ratification
from entente.scenario import Scenario
from entente.settlement import ratify, settle
from entente.treaty.build import build
from entente.treaty.model import Treaty
from entente.treaty.render_akn import render_akn
from entente.treaty.render_html import render_html
from entente.treaty.render_md import render_md


class OutcomeChoice(StrEnum):
    history = "history"
    negotiated = "negotiated"


class Format(StrEnum):
    md = "md"
    html = "html"
    akn = "akn"


_STYLE = {
    "pending": "yellow",
    "in_force": "cyan",
    "fulfilled": "green",
    "violated": "bold red",
    "suspended": "magenta",
    "terminated": "dim",
}

ScenarioArg = Annotated[
    str, typer.Argument(help="A scenario file, or the name of a built-in scenario.")
]
OutcomeOpt = Annotated[
    OutcomeChoice,
    typer.Option("--outcome", help="The outcome that was signed, or one negotiated now."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the negotiation.")]


def load_scenario(source: str) -> Scenario:
    """A scenario from a file path, or a built-in scenario by name."""
    return api.load(source)


def choose_outcome(scenario: Scenario, choice: OutcomeChoice, seed: int) -> tuple[int, ...]:
    """The historical outcome, or the ratified agreement of a negotiation with `seed`.

    A negotiated agreement goes to the parties' constituencies; a failed ratification leads to
    renegotiation inside the narrowed win-sets, or to no treaty, as the scenario says.
    """
    if choice is OutcomeChoice.history:
        if scenario.history is None or scenario.history.outcome is None:
            raise EntenteError(f"scenario {scenario.id!r} records no historical outcome")
        return scenario.history.outcome
    result = settle(scenario, lambda s: api.negotiate(s, seed=seed).agreement)
    if result.outcome is None:
        if not result.rounds:
            raise EntenteError(f"the negotiation (seed {seed}) ended without agreement: no treaty")
        failed = [p.party for p in result.rounds[-1].parties if not p.ratified]
        raise EntenteError(f"no treaty: {', '.join(failed)} did not ratify (seed {seed})")
    return tuple(int(k) for k in result.outcome)


def obligations_json(treaty: Treaty) -> dict[str, Any]:
    """The treaty's obligations, JSON-ready."""
    nums = {a.key: a.num for a in treaty.articles}
    return {
        "treaty": treaty.id,
        "title": treaty.title,
        "obligations": [
            {
                "id": o.id,
                "article": o.article,
                "article_num": nums.get(o.article, ""),
                "holder": o.holder,
                "kind": o.kind,
                "action": o.action,
                "object": o.object,
                "deadline": o.deadline.iso() if o.deadline else None,
                "within": str(o.within) if o.within else None,
                "lasts": str(o.lasts) if o.lasts else None,
                "conditions": list(o.conditions),
                "continuing": o.continuing,
                "beneficiary": o.beneficiary,
                "text": o.sentence(dict(treaty.parties)),
            }
            for o in treaty.obligations
        ],
    }


def treaty_command(
    scenario: ScenarioArg = "portsmouth",
    outcome: OutcomeOpt = OutcomeChoice.history,
    seed: SeedOpt = 0,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Export the obligations.")] = False,
) -> None:
    """Write the treaty an outcome makes, as Markdown, HTML or Akoma Ntoso XML."""
    sc = load_scenario(scenario)
    treaty = build(sc, choose_outcome(sc, outcome, seed))
    if as_json:
        text = json.dumps(obligations_json(treaty), indent=2, ensure_ascii=False) + "\n"
    elif fmt is Format.md:
        text = render_md(treaty)
    elif fmt is Format.html:
        text = render_html(treaty)
    else:
        text = render_akn(treaty, sc.timeline)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)


def audit_command(
    scenario: ScenarioArg = "portsmouth",
    timeline: Annotated[
        Path | None, typer.Option("--timeline", help="A timeline file to use instead.")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Audit as of this date (YYYY-MM-DD, ' OS').")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Obligations with their history.")
    ] = False,
    outcome: OutcomeOpt = OutcomeChoice.history,
    seed: SeedOpt = 0,
) -> None:
    """Audit every obligation of the treaty along its timeline: a verdict each."""
    sc = load_scenario(scenario)
    events = load_timeline(timeline) if timeline else sc.timeline
    if not events:
        raise EntenteError(f"scenario {sc.id!r} has no timeline: give one with --timeline")
    when = Date.parse(at) if at else None
    chosen = choose_outcome(sc, outcome, seed)
    treaty = build(sc, chosen)
    report = audit(treaty, events, when)
    warnings = check_selectors(treaty, events)
    if as_json:
        data = report.to_dict()
        data["warnings"] = warnings
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console()
    _print_ratification(console, ratify(sc, chosen))
    _print_verdicts(console, report)
    _print_timeline(console, report.events)
    for w in warnings:
        console.print(f"[yellow]warning:[/] event selector matches no obligation: {w}")


def _print_ratification(console: Console, r: Ratification) -> None:
    t = Table(title="Ratification", title_justify="left")
    for col in ("party", "constituency", "weight", "utility", "threshold", "vote"):
        t.add_column(col)
    for p in r.parties:
        for v in p.votes:
            vote = "[green]approves[/]" if v.approves else "[red]opposes[/]"
            t.add_row(
                p.party,
                v.name + (" (veto)" if v.veto else ""),
                f"{v.weight:g}",
                f"{v.utility:.2f}",
                f"{v.threshold:.2f}",
                vote,
            )
        verdict = "[green]ratifies[/]" if p.ratified else f"[red]fails ({p.on_failure})[/]"
        t.add_row(p.party, f"[b]{p.rule}[/]", "", f"{p.share:.0%}", "", verdict, end_section=True)
    console.print(t)


def _print_verdicts(console: Console, report: Audit) -> None:
    at = report.at.render(both=False) if report.at else "the end of the timeline"
    t = Table(title=f"Obligations as of {at}", title_justify="left")
    for col in ("art.", "obligation", "holder", "status", "since", "by"):
        t.add_column(col)
    nums = {a.key: a.num for a in report.treaty.articles}
    for v in report.verdicts:
        style = _STYLE[v.status]
        t.add_row(
            nums.get(v.obligation.article, ""),
            v.obligation.id,
            v.holder,
            f"[{style}]{v.status.replace('_', ' ')}[/]",
            v.since.iso() if v.since else "",
            v.reason,
        )
    console.print(t)
    reservations = sorted({r for v in report.verdicts for r in v.reservations})
    for r in reservations:
        console.print(f"[b]Reservation:[/] {r}")


def _print_timeline(console: Console, events: tuple[Event, ...]) -> None:
    t = Table(title="Timeline", title_justify="left")
    for col in ("date", "kind", "event"):
        t.add_column(col)
    for e in events:
        t.add_row(e.date.render(both=False), e.kind.replace("_", " "), e.title)
    console.print(t)


def register(app: typer.Typer) -> None:
    """Add the `treaty` and `audit` commands to the entente command."""
    app.command("treaty")(treaty_command)
    app.command("audit")(audit_command)
