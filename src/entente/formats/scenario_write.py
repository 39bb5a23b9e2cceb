"""Write a scenario as an entente TOML file that loads back to the same scenario.

Everything a `Scenario` holds is written: the case and its dates and calendars, issues and
their descriptions, parties and their rationales, mediators, observers, sources, history,
ratification, the treaty and the timeline.
Every value table is written out in full (a shape becomes the values it gave); a utility's
constant offset (from normalising) is folded into one issue's values, since the file format
has none. Real issues are written as low/high/resolution when that rebuilds the same options,
else as ordinal options. Nonlinear terms have no TOML form and are refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from entente.errors import ScenarioError
from entente.formats import ranges_write as ranges
from entente.formats.chronology import settled_lines
from entente.formats.safe import write_atomic
from entente.formats.treaty_write import date as _date
from entente.formats.treaty_write import f as _f
from entente.formats.treaty_write import ratification_lines, timeline_lines, treaty_lines
from entente.formats.treaty_write import s as _s
from entente.prefs import Preferences
from entente.scenario import Delegate, Party, Scenario
from entente.space import Issue, OutcomeSpace, real


def _table(d: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{_s(k)} = {v}" for k, v in d.items()) + " }"


def dumps(scenario: Scenario) -> str:
    """The TOML text of a scenario."""
    sc = scenario
    out = [f"id = {_s(sc.id)}", f"title = {_s(sc.title)}"]
    if sc.description:
        out.append(f"description = {_s(sc.description)}")
    if sc.venue:
        out.append(f"venue = {_s(sc.venue)}")
    out.append(f"calendars = [{', '.join(_s(c) for c in sc.calendars)}]")
    if sc.dates:
        out.append(f"dates = {_table({k: _date(v) for k, v in sc.dates.items()})}")
    out += ["", "[protocol]", f"name = {_s(sc.protocol)}", f"deadline = {sc.deadline}"]
    if sc.start is not None:
        out.append(f"start = {_date(sc.start)}")
    if sc.start is not None or sc.days_per_round != 1.0:
        out.append(f"days_per_round = {sc.days_per_round!r}")
    for iss in sc.space.issues:
        out += ["", "[[issues]]", *_issue(iss, sc.issue_descriptions.get(iss.id, ""))]
    for j, p in enumerate(sc.parties):
        out += ["", "[[parties]]", *_party(p, sc.space, ranges.numbers_of(sc, j))]
    for m in sc.mediators:
        out += ["", "[[mediators]]", f"id = {_s(m.id)}", f"name = {_s(m.name)}"]
        out += _people(m.delegates, m.strategy)
        out.append(f"informed = {'true' if m.informed else 'false'}")
    for o in sc.observers:
        out += ["", "[[observers]]", f"id = {_s(o.id)}", f"name = {_s(o.name)}"]
        out.append(f"interest = {_s(o.interest)}")
    for src in sc.sources:
        out += ["", "[[sources]]", f"key = {_s(src.key)}", f"citation = {_s(src.citation)}"]
        if src.url:
            out.append(f"url = {_s(src.url)}")
    h = sc.history
    if h is not None and h.outcome is not None:
        out += ["", "[history]"]
        agreed = sc.space.labels(h.outcome)
        out.append(f"outcome = {_table({k: _s(v) for k, v in agreed.items()})}")
        if h.date is not None:
            out.append(f"date = {_date(h.date)}")
        if h.note:
            out.append(f"note = {_s(h.note)}")
        out += settled_lines(h.settled, sc.space)
    out += ratification_lines(
        sc.ratification,
        sc.space,
        _linear,
        lambda pid, c: ranges.numbers_of(sc, sc.party_index(pid), c),
    )
    if sc.treaty is not None:
        out += treaty_lines(sc.treaty, sc.space)
    out += timeline_lines(sc.timeline)
    return "\n".join(out) + "\n"


def _issue(iss: Issue, description: str) -> list[str]:
    out = [f"id = {_s(iss.id)}"]
    if iss.name and iss.name != iss.id:
        out.append(f"name = {_s(iss.name)}")
    if description:
        out.append(f"description = {_s(description)}")
    vals = iss.values
    if iss.kind == "integer" and vals is not None:
        return [*out, 'kind = "integer"', f"low = {int(vals[0])}", f"high = {int(vals[-1])}"]
    if iss.kind == "real" and vals is not None and on_grid(iss):
        step = vals[1] - vals[0] if len(vals) > 1 else 1.0
        grid = [f"low = {_f(vals[0])}", f"high = {_f(vals[-1])}", f"resolution = {_f(step)}"]
        return [*out, 'kind = "real"', *grid]
    kind = iss.kind if iss.kind in ("categorical", "ordinal") else "ordinal"
    opts = [
        _table({"id": _s(o), "label": _s(iss.label(k))}) if iss.labels else _s(o)
        for k, o in enumerate(iss.options)
    ]
    return [*out, f"kind = {_s(kind)}", "options = [", *(f"  {o}," for o in opts), "]"]


def on_grid(iss: Issue) -> bool:
    """Whether a real issue's options are those of low/high/resolution (else it is written as
    ordinal options, and its numbers are lost)."""
    vals = iss.values
    if iss.kind != "real" or vals is None:
        return False
    step = vals[1] - vals[0] if len(vals) > 1 else 1.0
    try:
        return real(iss.id, vals[0], vals[-1], step).options == iss.options
    except Exception:
        return False


def _people(delegates: tuple[Delegate, ...], strategy: str | None) -> list[str]:
    out = []
    if delegates:
        ds = [_table({"name": _s(d.name), "title": _s(d.title)}) for d in delegates]
        out.append("delegates = [" + ", ".join(ds) + "]")
    if strategy:
        out.append(f"strategy = {_s(strategy)}")
    return out


def _party(p: Party, space: OutcomeSpace, numbers: ranges.Numbers) -> list[str]:
    out = [f"id = {_s(p.id)}", f"name = {_s(p.name)}", *_people(p.delegates, p.strategy)]
    norm, w, values = ranges.utility(p.prefs, numbers, _linear(p.prefs, p.id))
    if norm:
        out.append("normalize = true")
    out.append(f"weights = {_table({iss.id: w[i] for i, iss in enumerate(space.issues)})}")
    out.append(f"reservation = {ranges.number(numbers, 'reservation', p.prefs.reservation)}")
    out.append(f"discount = {ranges.number(numbers, 'discount', p.prefs.discount)}")
    if p.rationale:
        out.append(f"rationale = {_s(p.rationale)}")
    for i, iss in enumerate(space.issues):
        row = {o: values[i][k] for k, o in enumerate(iss.options)}
        out.append(f"values.{_s(iss.id)} = {_table(row)}")
    for line in p.prefs.red_lines:
        when = {
            space.issues[i].id: "["
            + ", ".join(_s(space.issues[i].options[k]) for k in sorted(opts))
            + "]"
            for i, opts in line.conditions
        }
        out += ["[[parties.red_lines]]", f"when = {_table(when)}", f"reason = {_s(line.reason)}"]
    return out


def _linear(prefs: Preferences, who: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """Weights and value tables with the offset folded into the heaviest issue."""
    lin = prefs.linear
    if lin is None:
        raise ScenarioError("TOML scenarios hold linear additive utilities only", field=who)
    w = lin.weights.copy()
    values = [v.copy() for v in lin.values]
    if prefs.offset:
        k = int(np.argmax(np.abs(w)))
        if w[k] == 0:
            raise ScenarioError("a constant utility has no TOML form", field=who)
        values[k] = values[k] + prefs.offset / w[k]
    return w, values


def save(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario to `path` (atomically)."""
    p = Path(path)
    write_atomic(p, dumps(scenario))
    return p
