"""Write the sections after the talks, `[treaty]`, `[ratification.<party>]` and `[[timeline]]`,
as TOML that `treaty_toml` reads back to the same dataclasses.

Articles are written in their general form (a list of parts, each with its own `when`), and an
obligation with several holders as the one obligation per holder it was read into.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from entente.audit.timeline import Event
from entente.calendar import Date
from entente.formats.ranges_write import Numbers, number, utility
from entente.prefs import Preferences
from entente.ratification import Ratifier
from entente.space import OutcomeSpace
from entente.treaty.model import Clause, Obligation, Part, Period, TreatySpec

Linear = Callable[[Preferences, str], tuple[Any, list[Any]]]
"""Weights and full value tables of a linear utility (the scenario writer's `_linear`)."""


def s(text: str) -> str:
    """A TOML basic string (JSON escapes are valid TOML escapes)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def f(x: float) -> str:
    return repr(float(x))


def date(d: Date) -> str:
    """'1905-08-23 OS' for a date given Old Style, else the ISO date."""
    if d.calendar == "julian":
        y, m, day = d.julian
        return s(f"{y:04d}-{m:02d}-{day:02d} OS")
    return s(d.iso())


def inline(value: Any) -> str:
    """A TOML value on one line: strings, numbers, booleans, arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return s(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f(value)
    if isinstance(value, Date):
        return date(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{s(k)} = {inline(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _period(p: Period) -> str:
    return f"{p.amount} {p.unit} after {p.anchor}"


def _obligation(o: Obligation) -> dict[str, Any]:
    out: dict[str, Any] = {"id": o.id, "holder": o.holder, "kind": o.kind, "action": o.action}
    if o.object:
        out["object"] = o.object
    if o.deadline is not None:
        out["deadline"] = o.deadline
    if o.within is not None:
        out["within"] = _period(o.within)
    if o.lasts is not None:
        out["lasts"] = _period(o.lasts)
    if o.conditions:
        out["conditions"] = list(o.conditions)
    if o.continuing:
        out["continuing"] = True
    if o.beneficiary is not None:
        out["beneficiary"] = o.beneficiary
    return out


def _clause(c: Clause) -> Any:
    if not c.obligations:
        return c.text
    return {"text": c.text, "obligations": [_obligation(o) for o in c.obligations]}


def _when(
    when: tuple[tuple[int, frozenset[int]], ...], space: OutcomeSpace
) -> dict[str, list[str]]:
    out = {}
    for i, opts in when:
        iss = space.issues[i]
        out[iss.id] = [iss.options[k] for k in sorted(opts)]
    return out


def _part(p: Part, space: OutcomeSpace) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if p.issue is not None:
        out["issue"] = space.issues[p.issue].id
    elif p.clause is not None:
        out["text"] = p.clause.text
        if p.clause.obligations:
            out["obligations"] = [_obligation(o) for o in p.clause.obligations]
    if p.when:
        out["when"] = _when(p.when, space)
    return out


def treaty_lines(t: TreatySpec, space: OutcomeSpace) -> list[str]:
    """The `[treaty]` section of a treaty spec."""
    out = ["", "[treaty]", f"title = {s(t.title)}"]
    for name in ("short_title", "place", "purpose", "good_offices", "attestation"):
        if getattr(t, name):
            out.append(f"{name} = {s(getattr(t, name))}")
    if t.date is not None:
        out.append(f"date = {date(t.date)}")
    if t.languages:
        out.append(f"languages = {inline(list(t.languages))}")
    if t.sovereigns:
        out.append(f"sovereigns = {inline(dict(t.sovereigns))}")
    for a in t.articles:
        out += ["", "[[treaty.articles]]", f"key = {s(a.key)}", f"heading = {s(a.heading)}"]
        out += [f"kind = {s(a.kind)}", "parts = ["]
        out += [f"  {inline(_part(p, space))}," for p in a.parts]
        out.append("]")
    for i, row in enumerate(t.clauses):
        iss = space.issues[i]
        written = [(iss.options[k], c) for k, c in enumerate(row) if c is not None]
        if written:
            out += ["", f"[treaty.clauses.{s(iss.id)}]"]
            out += [f"{s(o)} = {inline(_clause(c))}" for o, c in written]
    return out


def ratification_lines(
    ratifiers: tuple[Ratifier, ...],
    space: OutcomeSpace,
    linear: Linear,
    ranged: Callable[[str, int], Numbers] = lambda party, c: {},
) -> list[str]:
    """The `[ratification.<party>]` sections, thresholds and constituencies' utilities in full;
    `ranged(party, c)`: the uncertain numbers of constituency `c`, written as ranges."""
    out: list[str] = []
    for r in ratifiers:
        head = f"ratification.{s(r.party)}"
        out += ["", f"[{head}]", f"rule = {s(r.rule)}", f"quota = {f(r.quota)}"]
        out.append(f"on_failure = {s(r.on_failure)}")
        for j, c in enumerate(r.constituencies):
            nums = ranged(r.party, j)
            out += ["", f"[[{head}.constituencies]]", f"id = {s(c.id)}", f"name = {s(c.name)}"]
            out.append(f"weight = {number(nums, 'vote', c.weight)}")
            out.append(f"threshold = {number(nums, 'threshold', c.threshold)}")
            out.append(f"veto = {inline(c.veto)}")
            if c.note:
                out.append(f"note = {s(c.note)}")
            if c.prefs is not None:
                norm, w, values = utility(c.prefs, nums, linear(c.prefs, f"{r.party}.{c.id}"))
                out.append(f"normalize = {inline(norm)}")
                out.append(f"weights = {_table({iss.id: w[i] for i, iss in enumerate(space.issues)})}")  # fmt: skip
                tables = {
                    iss.id: _table({o: values[i][k] for k, o in enumerate(iss.options)})
                    for i, iss in enumerate(space.issues)
                }
                out.append(f"values = {_table(tables)}")
    return out


def _table(d: dict[str, str]) -> str:
    """An inline table of values already written as TOML."""
    return "{ " + ", ".join(f"{s(k)} = {v}" for k, v in d.items()) + " }"


def timeline_lines(events: tuple[Event, ...]) -> list[str]:
    """The `[[timeline]]` events, in the order held."""
    out: list[str] = []
    for e in events:
        out += ["", "[[timeline]]", f"date = {date(e.date)}", f"kind = {s(e.kind)}"]
        out.append(f"title = {s(e.title)}")
        if e.party is not None:
            out.append(f"party = {s(e.party)}")
        for name in ("act", "note", "source"):
            if getattr(e, name):
                out.append(f"{name} = {s(getattr(e, name))}")
        for name in ("fulfils", "violates", "suspends", "resumes", "terminates"):
            if getattr(e, name):
                out.append(f"{name} = {inline(list(getattr(e, name)))}")
        if e.succession is not None:
            sc = e.succession
            table = {"predecessor": sc.predecessor, "successor": sc.successor}
            if sc.successor_name:
                table["name"] = sc.successor_name
            out.append(f"succession = {inline({**table, 'reservations': list(sc.reservations)})}")
    return out
