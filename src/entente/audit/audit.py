"""The audit: what became of each obligation of a treaty along its timeline.

Each obligation starts `pending` (not yet binding). Entry into force makes prohibitions,
permissions and continuing obligations `in_force`, and leaves obligations awaiting an act
(one-off ones, or any with a deadline) `pending` until performed. Events then fulfil, violate,
suspend, resume or terminate them; a deadline that passes with no performance is a violation,
and a performance after a violation `cures` it (the breach stays in the history); a succession
hands a party's obligations to its successor with the reservations it states.

A treaty binds only once in force (Vienna Convention on the Law of Treaties, art. 24), and
many agreements enter into force on signature (art. 12). A timeline that records no entry into
force is read that way: the obligations bind from the signature (the timeline's, or else the
treaty's date), deadlines run from it, and the audit says so in a warning. With no signature
date either, nothing binds and no deadline is checked, and the warning says that instead.
Performance is recorded whenever it happens: a party may perform before it is bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from entente.audit.timeline import Event, ordered
from entente.calendar import Calendars, Date
from entente.errors import EntenteError, quoted
from entente.treaty.model import Obligation, Period, Treaty

Status = Literal["pending", "in_force", "fulfilled", "violated", "cured", "suspended", "terminated"]


@dataclass(frozen=True)
class Change:
    """A step in an obligation's history: its new status, when, and why."""

    date: Date
    status: Status
    reason: str
    event: Event | None = None


@dataclass
class _State:
    obligation: Obligation
    holder: str
    status: Status = "pending"
    binding: bool = False
    before_suspension: Status = "pending"
    deadline: Date | None = None
    expiry: Date | None = None
    reservations: list[str] = field(default_factory=list)
    history: list[Change] = field(default_factory=list)

    def move(self, status: Status, date: Date, reason: str, event: Event | None = None) -> None:
        if status == "suspended" and self.status != "suspended":
            self.before_suspension = self.status
        self.status = status
        self.history.append(Change(date, status, reason, event))


@dataclass(frozen=True)
class Verdict:
    """Where one obligation stands at the audit date, with the path that led there."""

    obligation: Obligation
    holder: str
    status: Status
    since: Date | None
    event: Event | None
    reason: str
    deadline: Date | None
    reservations: tuple[str, ...]
    history: tuple[Change, ...]

    def steps(self) -> tuple[Change, ...]:
        """The changes a reader needs: each change of status, without the first steps that only
        made it binding ('pending' or 'in force' at entry into force) unless nothing followed.

        A late performance reads ('violated', D), ('cured', D2); an obligation kept in force
        since entry into force reads ('in_force', D).
        """
        changes = [
            c
            for k, c in enumerate(self.history)
            if k == 0 or c.status != self.history[k - 1].status
        ]
        while len(changes) > 1 and changes[0].status in ("pending", "in_force"):
            changes.pop(0)
        return tuple(changes)


@dataclass(frozen=True)
class Audit:
    """Verdicts on every obligation of a treaty as of `at`, the events considered, and what
    a reader must be told about how they were read (`warnings`)."""

    treaty: Treaty
    at: Date | None
    verdicts: tuple[Verdict, ...]
    events: tuple[Event, ...]
    warnings: tuple[str, ...] = ()

    def verdict(self, obligation_id: str) -> Verdict:
        for v in self.verdicts:
            if v.obligation.id == obligation_id:
                return v
        raise EntenteError(f"the treaty has no obligation {obligation_id!r}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view: obligations with their status history, and the timeline."""
        return {
            "treaty": self.treaty.id,
            "at": self.at.iso() if self.at else None,
            "obligations": [_verdict_dict(v) for v in self.verdicts],
            "timeline": [event_dict(e, self.treaty.calendars) for e in self.events],
            "warnings": list(self.warnings),
        }


def _matches(selector: str, ob: Obligation, holder: str) -> bool:
    if selector == "*":
        return True
    if selector.startswith("article:"):
        return ob.article == selector.removeprefix("article:")
    if selector.startswith("party:"):
        return holder == selector.removeprefix("party:")
    # an id, or the id of obligations with several holders ('evacuation' for 'evacuation.japan')
    n = len(selector)
    return ob.id == selector or (ob.id[n : n + 1] == "." and ob.id.startswith(selector))


def check_selectors(treaty: Treaty, events: tuple[Event, ...] | list[Event]) -> list[str]:
    """Selectors of events that match no obligation of the treaty (likely typing mistakes)."""
    bad = []
    for e in events:
        for sel in (*e.fulfils, *e.violates, *e.suspends, *e.resumes, *e.terminates):
            if sel.startswith("party:"):
                continue
            if not any(_matches(sel, o, o.holder) for o in treaty.obligations):
                bad.append(f"{e.date.iso()} {quoted(e.title)}: {quoted(sel)}")
    return bad


def _anchor(period: Period, events: tuple[Event, ...]) -> Date | None:
    for e in events:
        if e.kind == period.anchor:
            return e.date
    return None


def audit(treaty: Treaty, events: tuple[Event, ...] | list[Event], at: Date | None = None) -> Audit:
    """Evaluate every obligation of `treaty` along `events`, up to and including `at`."""
    timeline = ordered(tuple(events))
    warnings, assumed = _entry_into_force(treaty, timeline)
    public = tuple(e for e in timeline if at is None or e.date.jdn <= at.jdn)
    if assumed is not None:
        timeline = ordered((*timeline, assumed))
    seen = tuple(e for e in timeline if at is None or e.date.jdn <= at.jdn)
    warnings += [
        f"event selector matches no obligation: {w}" for w in check_selectors(treaty, events)
    ]
    end = at or (seen[-1].date if seen else None)
    states = []
    for ob in treaty.obligations:
        s = _State(ob, ob.holder)
        s.deadline = ob.deadline
        if ob.within is not None:
            start = _anchor(ob.within, timeline)
            s.deadline = ob.within.after(start) if start else None
        if ob.lasts is not None:
            start = _anchor(ob.lasts, timeline)
            s.expiry = ob.lasts.after(start) if start else None
        states.append(s)

    for e in seen:
        _run_clock(states, e.date)
        _apply(e, states)
    if end is not None:
        _run_clock(states, Date(end.jdn + 1, end.calendar))

    verdicts = []
    for s in states:
        changes = [
            c for k, c in enumerate(s.history) if k == 0 or c.status != s.history[k - 1].status
        ]
        last = changes[-1] if changes else None
        verdicts.append(
            Verdict(
                obligation=s.obligation,
                holder=s.holder,
                status=s.status,
                since=last.date if last else None,
                event=last.event if last else None,
                reason=last.reason if last else "the treaty has not entered into force",
                deadline=s.deadline,
                reservations=tuple(s.reservations),
                history=tuple(s.history),
            )
        )
    return Audit(treaty, at, tuple(verdicts), public, tuple(warnings))


def _entry_into_force(
    treaty: Treaty, timeline: tuple[Event, ...]
) -> tuple[list[str], Event | None]:
    """Warnings about a timeline without entry into force, and the event assumed in its place."""
    if any(e.kind == "entry_into_force" for e in timeline):
        return [], None
    signed = next((e.date for e in timeline if e.kind == "signature"), treaty.date)
    if signed is None:
        return [
            "the timeline records no entry into force and the treaty no date of signature: "
            "no obligation binds and no deadline is checked"
        ], None
    when = signed.render(treaty.calendars)
    return [
        "the timeline records no entry into force: the obligations are taken to bind from "
        f"the signature on {when}, and their deadlines run from it"
    ], Event(signed, "entry_into_force", "Taken to enter into force on signature")


def _run_clock(states: list[_State], before: Date) -> None:
    """Deadlines and expiries falling strictly before `before`."""
    for s in states:
        if s.expiry and s.expiry.jdn < before.jdn and s.status not in ("terminated",):
            s.move("terminated", s.expiry, "its period ran out")
        if s.binding and s.status == "pending" and s.deadline and s.deadline.jdn < before.jdn:
            s.move("violated", s.deadline, "deadline passed with no performance recorded")


def _apply(e: Event, states: list[_State]) -> None:
    if e.kind == "entry_into_force":
        for s in states:
            if not s.binding and s.status == "pending":
                s.binding = True
                waits = s.obligation.awaits_performance
                s.move("pending" if waits else "in_force", e.date, e.title, e)
    if e.succession is not None:
        succ = e.succession
        for s in states:
            if s.holder == succ.predecessor and s.status != "terminated":
                s.holder = succ.successor
                s.reservations.extend(succ.reservations)
                s.move(
                    s.status, e.date, f"taken over by {succ.successor_name or succ.successor}", e
                )
    for sel_list, status in (
        (e.fulfils, "fulfilled"),
        (e.violates, "violated"),
        (e.suspends, "suspended"),
        (e.terminates, "terminated"),
    ):
        for s in states:
            if s.status != "terminated" and any(
                _matches(x, s.obligation, s.holder) for x in sel_list
            ):
                # performance after a breach cures it; the breach stays in the history
                late = status == "fulfilled" and s.status in ("violated", "cured")
                s.move("cured" if late else status, e.date, e.title, e)  # type: ignore[arg-type]
    for s in states:
        if s.status == "suspended" and any(_matches(x, s.obligation, s.holder) for x in e.resumes):
            s.move(s.before_suspension, e.date, e.title, e)
    if e.kind in ("termination", "denunciation") and not e.terminates:
        for s in states:
            if s.status != "terminated" and (e.kind == "termination" or s.holder == e.party):
                s.move("terminated", e.date, e.title, e)


def event_dict(e: Event, calendars: Calendars | None = None) -> dict[str, Any]:
    """A JSON-ready view of an event; `date_text` is written in `calendars` (the treaty's)."""
    out: dict[str, Any] = {
        "date": e.date.iso(),
        "date_text": e.date.render(calendars),
        "kind": e.kind,
        "title": e.title,
    }
    for k in ("party", "act", "note", "source"):
        if getattr(e, k):
            out[k] = getattr(e, k)
    for k in ("fulfils", "violates", "suspends", "resumes", "terminates"):
        if getattr(e, k):
            out[k] = list(getattr(e, k))
    if e.succession:
        out["succession"] = {
            "predecessor": e.succession.predecessor,
            "successor": e.succession.successor,
            "reservations": list(e.succession.reservations),
        }
    return out


def _verdict_dict(v: Verdict) -> dict[str, Any]:
    ob = v.obligation
    return {
        "id": ob.id,
        "article": ob.article,
        "holder": v.holder,
        "original_holder": ob.holder,
        "kind": ob.kind,
        "action": ob.action,
        "object": ob.object,
        "deadline": v.deadline.iso() if v.deadline else None,
        "status": v.status,
        "since": v.since.iso() if v.since else None,
        "event": v.event.title if v.event else None,
        "reason": v.reason,
        "reservations": list(v.reservations),
        "history": [
            {
                "date": c.date.iso(),
                "status": c.status,
                "reason": c.reason,
                "event": c.event.kind if c.event else None,
            }
            for c in v.history
        ],
    }
