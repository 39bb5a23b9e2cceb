"""What `entente treaty` and `entente audit` do and print (cli/treaty.py holds their options)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from entente import api
from entente.audit.audit import Audit, Verdict, audit
from entente.calendar import Date
from entente.errors import EntenteError, quoted
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

_STYLE = {
    "pending": "yellow",
    "in_force": "cyan",
    "fulfilled": "green",
    "violated": "bold red",
    "cured": "dark_orange",
    "suspended": "magenta",
    "terminated": "dim",
}
_SHOWN = 300
"""Longest text of a scenario (an event's title, a reason) a table cell shows in full."""


def load_scenario(source: str) -> Scenario:
    """A scenario from a file path, or a built-in scenario by name."""
    return api.load(source)


def choose_outcome(
    scenario: Scenario, choice: str, seed: int, negotiation: Mapping[str, Any] | None = None
) -> tuple[int, ...]:
    """The historical outcome, or the ratified agreement of a negotiation with `seed` (and the
    keyword arguments of `api.negotiate` in `negotiation`: protocol, strategies, deadline,
    win_sets).

    A negotiated agreement goes to the parties' constituencies; a failed ratification leads to
    renegotiation inside the narrowed win-sets, or to no treaty, as the scenario says.
    """
    if choice == "history":
        if scenario.history is None or scenario.history.outcome is None:
            raise EntenteError(
                f"scenario {scenario.id!r} records no historical outcome; give "
                "--outcome negotiated for the treaty of a negotiated agreement"
            )
        return scenario.history.outcome
    given = dict(negotiation or {})
    result = settle(scenario, lambda s: api.negotiate(s, seed=seed, **given).agreement)
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
                "text": o.sentence(dict(treaty.parties), treaty.calendars),
            }
            for o in treaty.obligations
        ],
        "warnings": list(treaty.warnings),
    }


def write_treaty(
    scenario: str,
    outcome: str,
    seed: int,
    fmt: str,
    output: Path | None,
    as_json: bool,
    negotiation: Mapping[str, Any] | None = None,
) -> None:
    """The body of `entente treaty`."""
    sc = load_scenario(scenario)
    treaty = build(sc, choose_outcome(sc, outcome, seed, negotiation))
    _warn(treaty.warnings)
    if as_json:
        text = json.dumps(obligations_json(treaty), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "md":
        text = render_md(treaty)
    elif fmt == "html":
        text = render_html(treaty)
    else:
        text = render_akn(treaty, sc.timeline)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)


def audit_treaty(
    scenario: str,
    timeline: Path | None,
    at: str | None,
    as_json: bool,
    outcome: str,
    seed: int,
    negotiation: Mapping[str, Any] | None = None,
) -> None:
    """The body of `entente audit`."""
    sc = load_scenario(scenario)
    parties = {p.id for p in sc.parties}
    events = load_timeline(timeline, parties) if timeline else sc.timeline
    if not events:
        raise EntenteError(f"scenario {sc.id!r} has no timeline: give one with --timeline")
    try:
        when = Date.parse(at) if at else None
    except EntenteError as e:
        raise EntenteError(f"--at {quoted(at)}: {e}") from None
    chosen = choose_outcome(sc, outcome, seed, negotiation)
    treaty = build(sc, chosen)
    report = audit(treaty, events, when)
    _warn(report.warnings)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    console = Console()
    _print_ratification(console, ratify(sc, chosen))
    refs = {id(e): k for k, e in enumerate(report.events, start=1)}
    _print_verdicts(console, report, refs)
    _print_timeline(console, report)


def _warn(warnings: tuple[str, ...]) -> None:
    """Each warning as one line on stderr, so that stdout stays the document or the JSON."""
    for w in warnings:
        typer.echo("entente: warning: " + " ".join(w.split()), err=True)


def _cut(text: str) -> str:
    """User text for a table cell: never markup, at most `_SHOWN` characters."""
    text = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return escape(text)


def _print_ratification(console: Console, r: Ratification) -> None:
    t = Table(title="Ratification", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    t.add_column("party", no_wrap=True)
    t.add_column("constituency")
    for col in ("weight", "utility", "threshold"):
        t.add_column(col, justify="right")
    t.add_column("vote", no_wrap=True)
    for p in r.parties:
        for k, v in enumerate(p.votes):
            vote = "[green]approves[/]" if v.approves else "[red]opposes[/]"
            t.add_row(
                _cut(p.party) if k == 0 else "",
                _cut(v.name) + (" (veto)" if v.veto else ""),
                f"{v.weight:g}",
                f"{v.utility:.2f}",
                f"{v.threshold:.2f}",
                vote,
            )
        verdict = "[green]ratifies[/]" if p.ratified else f"[red]fails ({escape(p.on_failure)})[/]"
        t.add_row(
            "", f"[b]{escape(p.rule)}[/]", "", f"{p.share:.0%}", "", verdict, end_section=True
        )
    console.print(t)


def account(v: Verdict, refs: dict[int, int]) -> str:
    """What became of an obligation, as markup: 'violated on 1900-01-31, cured on 1900-03-01 #2'.

    Dates are ISO 8601 (New Style, that is Gregorian); '#k' is the event's number in the
    timeline table.
    """
    parts = []
    for c in v.steps():
        word = {"in_force": "in force since", "pending": "pending since"}.get(
            c.status, f"{c.status} on"
        )
        ref = f" #{refs[id(c.event)]}" if c.event is not None and id(c.event) in refs else ""
        if c.event is None and c.status == "violated":
            ref = " (deadline passed)"
        elif c.event is None and c.status == "terminated":
            ref = " (its period ran out)"
        parts.append(f"[{_STYLE[c.status]}]{word} {c.date.iso()}[/]{ref}")
    if not parts:
        parts.append(f"[{_STYLE['pending']}]pending[/] (not yet binding)")
    if v.status == "pending" and v.deadline is not None:
        parts.append(f"due {v.deadline.iso()}")
    return ", ".join(parts)


def _print_verdicts(console: Console, report: Audit, refs: dict[int, int]) -> None:
    cal = report.treaty.calendars
    at = report.at.render(cal) if report.at else "the end of the timeline"
    t = Table(
        title=f"Obligations as of {escape(at)}",
        title_justify="left",
        caption=f"Dates {'Gregorian' if tuple(cal) == ('gregorian',) else 'New Style'} (ISO 8601); "
        "#k: event k of the timeline.",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    t.add_column("art.", no_wrap=True)
    t.add_column("obligation", no_wrap=True, overflow="fold")
    t.add_column("holder", no_wrap=True, overflow="fold")
    t.add_column("what became of it", ratio=1)
    nums = {
        a.key: ("Add. " if a.kind == "additional" else "") + a.num for a in report.treaty.articles
    }
    for v in report.verdicts:
        t.add_row(
            escape(nums.get(v.obligation.article, "")),
            escape(v.obligation.id),
            escape(v.holder),
            account(v, refs),
        )
    console.print(t)
    reservations = sorted({r for v in report.verdicts for r in v.reservations})
    for r in reservations:
        console.print(f"[b]Reservation:[/] {_cut(r)}")


def _print_timeline(console: Console, report: Audit) -> None:
    t = Table(title="Timeline", title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("date", no_wrap=True)
    t.add_column("event", ratio=1)
    for k, e in enumerate(report.events, start=1):
        kind = e.kind.replace("_", " ")
        t.add_row(
            str(k), e.date.render(report.treaty.calendars), f"[dim]{kind}:[/] {_cut(e.title)}"
        )
    console.print(t)
