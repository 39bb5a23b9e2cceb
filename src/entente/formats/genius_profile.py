"""A GENIUS profile (utility space): a party's preferences over a domain's outcome space.

Read as GENIUS reads them: a discrete item's evaluation is divided by the issue's largest
evaluation; an integer evaluator gives offset + slope * (x - lowerbound), clamped to [0, 1]; a
real evaluator is linear, constant or triangular; issues are matched with the domain by name and
weights by issue index, so a root objective numbered 1 with issues from 2 reads right; a
discount factor of 0 or 1 means none. Nonlinear profiles are read by `genius_nonlinear`.
"""

from __future__ import annotations

import math
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from entente.errors import EntenteError, ScenarioError, quoted
from entente.formats.genius_nonlinear import hyperrectangles
from entente.formats.genius_xml import (
    PROFILE,
    Doc,
    IssueXml,
    bound,
    index_attr,
    issue_elements,
    num,
    objective_of,
)
from entente.formats.safe import parse_xml
from entente.prefs import Floats, LinearAdditive, Preferences, Term
from entente.space import Issue, OutcomeSpace


def read_profile(path: str | Path, space: OutcomeSpace) -> Preferences:
    """A party's preferences from a GENIUS utility-space file, over `space`."""
    file = Path(path)
    return prefs_of(Doc(file, parse_xml(file)), space)


def prefs_of(doc: Doc, space: OutcomeSpace) -> Preferences:
    file, root = doc.path, doc.root
    if root.tag != PROFILE:
        raise ScenarioError(
            f"expected <{PROFILE}>, found <{quoted(root.tag)[1:-1]}>", file=str(file)
        )
    obj = objective_of(root, file)
    issues = issue_elements(obj, file)
    pos = _positions(issues, space, file)
    term: Term
    utility = obj.find("utility")
    if root.get("type") == "nonlinear" or utility is not None:
        if utility is None:
            raise ScenarioError("nonlinear profile has no <utility>", file=str(file))
        term = hyperrectangles(utility, pos, space, file)
    elif any(c.tag in ("constraint", "rule") for c in root.iter()):
        raise ScenarioError("constraint-based profiles are not supported", file=str(file))
    else:
        term = _linear(obj, issues, pos, space, file)
    with np.errstate(over="ignore", invalid="ignore"):
        lo, hi = term.bounds(space)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ScenarioError(
            "utilities overflow: weights and evaluations too large to add up", file=str(file)
        )
    disc = 1.0
    df = root.find("discount_factor")
    if df is not None:
        disc = num(df, "value", file)
        if disc < 0:
            raise ScenarioError(
                f"expected a discount factor from 0 to 1, got {disc:g}",
                file=str(file),
                field="<discount_factor> value",
            )
        if disc == 0 or disc >= 1:
            disc = 1.0
    res = root.find("reservation")
    reservation = num(res, "value", file) if res is not None else 0.0
    try:
        return Preferences(terms=(term,), reservation=reservation, discount=disc)
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(file)) from None


def _positions(issues: list[IssueXml], space: OutcomeSpace, file: Path) -> dict[int, int]:
    """{issue index in the file: position in the space}, matched by issue name."""
    pos: dict[int, int] = {}
    for ix in issues:
        name = ix.element.get("name", "")
        try:
            pos[ix.index] = space.issue_index(name)
        except EntenteError:
            raise ScenarioError(
                f"issue {quoted(name)} is not in the domain", file=str(file)
            ) from None
    if len(set(pos.values())) != len(pos) or len(pos) != len(issues):
        raise ScenarioError("two issues share an index or a name", file=str(file))
    return pos


def _linear(
    obj: Element, issues: list[IssueXml], pos: dict[int, int], space: OutcomeSpace, file: Path
) -> LinearAdditive:
    n = space.n_issues
    weights = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    objectives = {index_attr(o, file, -1) for o in obj.iter("objective")}
    for w in obj.iter("weight"):
        i = index_attr(w, file)
        if i in objectives and i not in pos:
            continue  # the weight of an objective itself (a root numbered 1 carries one)
        if i not in pos:
            raise ScenarioError(f"<weight index={i}> names no issue", file=str(file))
        weights[pos[i]] = num(w, "value", file)
        seen[pos[i]] = True
    tables: list[Floats | None] = [None] * n
    for ix in issues:
        p = pos[ix.index]
        tables[p] = _evaluations(ix.element, space.issues[p], file)
    for p, iss in enumerate(space.issues):
        if tables[p] is None:
            raise ScenarioError(f"gives no evaluation for issue {quoted(iss.id)}", file=str(file))
        if not seen[p]:
            raise ScenarioError(f"gives no weight for issue {quoted(iss.id)}", file=str(file))
    return LinearAdditive(weights, tuple(t for t in tables if t is not None))


def _evaluations(el: Element, iss: Issue, file: Path) -> Floats:
    """The evaluation of each option of `iss`, normalised as GENIUS does."""
    ctx = f"issue {quoted(iss.id)} "
    if iss.values is None:
        items = el.findall("item")
        # a repeated value: the last one counts, as in GENIUS
        last = {v: k for k, v in enumerate(it.get("value", "") for it in items)}
        missing = [o for o in iss.options if o not in last]
        if missing:
            raise ScenarioError(
                f"issue {quoted(iss.id)} gives no evaluation for "
                + ", ".join(quoted(m) for m in missing[:3])
                + (f" (and {len(missing) - 3:,} more)" if len(missing) > 3 else ""),
                file=str(file),
            )
        chosen = [items[last[o]] for o in iss.options]
        try:
            v = np.array([it.get("evaluation") for it in chosen], dtype=float)
            ok = bool(np.isfinite(v).all())
        except (TypeError, ValueError):
            ok = False
        if not ok:  # name the first item at fault
            v = np.array([num(it, "evaluation", file, ctx=ctx) for it in chosen])
        top = v.max()
        return v / top if top > 0 else np.zeros_like(v)
    x = np.asarray(iss.values)
    ev = el.find("evaluator")
    if ev is None:
        raise ScenarioError(f"issue {quoted(iss.id)} has no <evaluator>", file=str(file))
    ftype = ev.get("ftype", "linear")
    with np.errstate(over="ignore", invalid="ignore"):
        if iss.kind == "integer" and ftype == "linear":
            # GENIUS: offset + slope * (x - lowerbound), clamped to [0, 1]
            base = bound(el, "lowerbound", file, float(x[0]))
            slope = num(ev, "slope", file, ctx=ctx)
            offset = num(ev, "offset", file, 0.0, ctx=ctx)
            t = np.clip(offset + slope * (x - base), 0.0, 1.0)
        elif ftype == "constant":
            t = np.full(len(x), _param(ev, 0, "offset", file, ctx))
        elif ftype == "linear":  # real: parameter0 + parameter1 * x, clamped to [0, 1]
            offset, slope = _param(ev, 0, "offset", file, ctx), _param(ev, 1, "slope", file, ctx)
            t = np.clip(offset + slope * x, 0.0, 1.0)
        elif ftype == "triangular":  # 0 outside [low, high], rising to 1 at top
            lo, hi, top = (_param(ev, k, "", file, ctx) for k in range(3))
            up = (x - lo) / (top - lo) if top > lo else np.ones_like(x)
            down = (hi - x) / (hi - top) if hi > top else np.ones_like(x)
            inside = (x >= lo) & (x <= hi)
            t = np.where(inside, np.clip(np.where(x <= top, up, down), 0.0, 1.0), 0.0)
        else:
            raise ScenarioError(
                f"issue {quoted(iss.id)}: evaluator type {quoted(ftype)} is not supported "
                "(expected linear, constant or triangular)",
                file=str(file),
            )
    if not np.isfinite(t).all():
        raise ScenarioError(
            f"issue {quoted(iss.id)}: evaluator parameters too large (the evaluations overflow)",
            file=str(file),
        )
    return t


def _param(ev: Element, k: int, alias: str, file: Path, ctx: str) -> float:
    """GENIUS evaluator parameter `parameter<k>` (or its older attribute name)."""
    if ev.get(f"parameter{k}") is None and alias and ev.get(alias) is not None:
        return num(ev, alias, file, ctx=ctx)
    return num(ev, f"parameter{k}", file, ctx=ctx)
