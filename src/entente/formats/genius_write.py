"""Write a scenario as GENIUS XML: `<id>-domain.xml` and one `<party>.xml` per party.

Reading the folder back gives the same utility for every outcome (to rounding). Discrete
evaluations are written as the party's own weighted values, and the weight as their largest,
so GENIUS's division by the largest evaluation restores them; integer issues whose values are
affine keep a linear evaluator, other numeric issues are written as discrete items. Hyper-
rectangle utilities are written with maxutility 1. GENIUS sorts parties by file name.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from entente.errors import ScenarioError
from entente.formats.additive import affine, tables, weighted
from entente.formats.safe import write_atomic
from entente.hyperrect import HyperRectangles
from entente.prefs import Preferences
from entente.scenario import Scenario
from entente.space import Issue, OutcomeSpace


def save(scenario: Scenario, folder: str | Path) -> list[Path]:
    """Write the domain and the profiles into `folder`; returns the files written."""
    out = Path(folder)
    space = scenario.space
    domain = out / f"{scenario.id}-domain.xml"
    tabs = _tables(scenario)
    as_int = _as_int(space, tabs)
    files = {domain: _domain(space, as_int)}
    for p in scenario.parties:
        f = out / f"{p.id}.xml"
        if f in files:
            raise ScenarioError(f"party id {p.id!r} clashes with another file name", file=str(f))
        files[f] = _profile(space, p.prefs, p.id, tabs.get(p.id), as_int)
    for f, text in files.items():
        write_atomic(f, text)
    return list(files)


def _tables(scenario: Scenario) -> dict[str, list[np.ndarray]]:
    return {
        p.id: tables(p.prefs, p.id, "GENIUS")
        for p in scenario.parties
        if not isinstance(p.prefs.terms[0], HyperRectangles)
    }


def _as_int(space: OutcomeSpace, tabs: dict[str, list[np.ndarray]]) -> list[bool]:
    """An integer issue stays integer when every party's values on it are affine."""
    return [
        iss.kind == "integer" and all(_numeric_affine(iss, t[i]) is not None for t in tabs.values())
        for i, iss in enumerate(space.issues)
    ]


def integers_as_items(scenario: Scenario) -> list[str]:
    """The integer issues GENIUS gets as lists of items, their numbers lost: those some party
    values other than along a straight line."""
    as_int = _as_int(scenario.space, _tables(scenario))
    return [
        iss.id
        for iss, kept in zip(scenario.space.issues, as_int, strict=True)
        if iss.kind == "integer" and not kept
    ]


def _f(x: float) -> str:
    """A float written so that reading it back gives the same float."""
    return repr(float(x))


def _numeric_affine(iss: Issue, t: np.ndarray) -> tuple[float, float] | None:
    if iss.kind != "integer" or iss.values is None:
        return None
    return affine(t, np.asarray(iss.values))


def _issue_open(i: int, iss: Issue, as_integer: bool) -> str:
    name = quoteattr(iss.id)
    if as_integer and iss.values is not None:
        lo, hi = int(iss.values[0]), int(iss.values[-1])
        return (
            f'  <issue index="{i}" name={name} etype="integer" type="integer" vtype="integer" '
            f'lowerbound="{lo}" upperbound="{hi}">\n'
        )
    return f'  <issue index="{i}" name={name} etype="discrete" type="discrete" vtype="discrete">\n'


def _domain(space: OutcomeSpace, as_int: list[bool]) -> str:
    lines = [f'<negotiation_template>\n<utility_space number_of_issues="{space.n_issues}">\n']
    lines.append('<objective index="0" etype="objective" type="objective" name="root">\n')
    for i, iss in enumerate(space.issues, start=1):
        lines.append(_issue_open(i, iss, as_int[i - 1]))
        if not as_int[i - 1]:
            lines += [
                f'    <item index="{k}" value={quoteattr(o)}/>\n'
                for k, o in enumerate(iss.options, start=1)
            ]
        lines.append("  </issue>\n")
    lines.append("</objective>\n</utility_space>\n</negotiation_template>\n")
    return "".join(lines)


def _profile(
    space: OutcomeSpace,
    prefs: Preferences,
    who: str,
    tabs: list[np.ndarray] | None,
    as_int: list[bool],
) -> str:
    tail = (
        f'<reservation value="{_f(prefs.reservation)}"/>\n'
        f'<discount_factor value="{_f(prefs.discount)}"/>\n</utility_space>\n'
    )
    if tabs is None:
        return _nonlinear(space, prefs, who, as_int) + tail
    lines = ["<utility_space>\n"]
    lines.append('<objective index="0" etype="objective" type="objective" name="root">\n')
    weights = []
    for i, (iss, t) in enumerate(zip(space.issues, tabs, strict=True), 1):
        line = _numeric_affine(iss, t)
        w, ev = weighted(t)
        if as_int[i - 1] and line is not None:
            t0, slope = line
            lines.append(_issue_open(i, iss, True))
            # evaluation = offset + slope * (x - low), in [0, 1] once divided by the weight
            off, sl = (t0 / w, slope / w) if w > 0 else (0.0, 0.0)
            lines.append(f'    <evaluator ftype="linear" offset="{_f(off)}" slope="{_f(sl)}"/>\n')
        else:
            lines.append(_issue_open(i, iss, False))
            for k, o in enumerate(iss.options):
                lines.append(
                    f'    <item index="{k + 1}" value={quoteattr(o)} evaluation="{_f(ev[k])}"/>\n'
                )
        lines.append("  </issue>\n")
        weights.append(f'  <weight index="{i}" value="{_f(w)}"/>\n')
    lines += weights
    lines.append("</objective>\n")
    return "".join(lines) + tail


def _nonlinear(space: OutcomeSpace, prefs: Preferences, who: str, as_int: list[bool]) -> str:
    term = prefs.terms[0]
    if len(prefs.terms) != 1 or not isinstance(term, HyperRectangles):
        raise ScenarioError("GENIUS holds linear or hyper-rectangle utilities only", field=who)
    if prefs.offset != 0 or prefs.red_lines:
        raise ScenarioError("GENIUS nonlinear profiles have no offset or red lines", field=who)
    if term.cap != 1.0 and term.bounds(space)[1] > 1.0:
        raise ScenarioError("GENIUS caps nonlinear utilities at 1; this one exceeds 1", field=who)
    if not all(as_int):
        raise ScenarioError("GENIUS nonlinear profiles need integer issues", field=who)
    lines = ['<utility_space type="nonlinear">\n']
    lines.append('<objective index="0" etype="objective" type="objective" name="root">\n')
    for i, iss in enumerate(space.issues, start=1):
        lines.append(_issue_open(i, iss, True).replace(">\n", "/>\n", 1))
    lines.append('<utility maxutility="1">\n<ufun type="PlainUfun" weight="1" aggregation="sum">\n')
    base = [int(iss.values[0]) if iss.values else 0 for iss in space.issues]
    for r, u in enumerate(term.utilities):
        tag = "EXCLUDES" if term.exclusive[r] else "INCLUDES"
        lines.append(f'<hyperRectangle utility="{_f(u)}">\n')
        for c in np.flatnonzero(term.rect == r):
            i = int(term.issue[c])
            lo, hi = base[i] + int(term.low[c]), base[i] + int(term.high[c])
            lines.append(f'  <{tag} index="{i + 1}" min="{lo}" max="{hi}"/>\n')
        lines.append("</hyperRectangle>\n")
    lines.append("</ufun>\n</utility>\n</objective>\n")
    return "".join(lines)
