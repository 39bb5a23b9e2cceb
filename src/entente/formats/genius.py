"""GENIUS XML: a domain file and one profile (utility space) per party.

Read as GENIUS reads them: a discrete item's evaluation is divided by the issue's largest
evaluation; an integer evaluator gives offset + slope * (x - lowerbound), clamped to [0, 1];
a real evaluator (linear, constant, triangular) is sampled on a grid of options (`resolution`,
by default a hundredth of the issue's range); issues are matched between domain and profile
by name and weights by issue index, so a root objective numbered 1 with issues from 2 reads
right; a discount factor of 0 or 1 means none. ANAC 2014 nonlinear profiles become
`HyperRectangles`, divided by their `maxutility` and capped at 1. An ANAC 2019 profile of type
UNCERTAIN keeps its true utility as the party's preferences, and its party records the
`Uncertainty` (comparisons, errors) that `prefs_ranking` turns into what the agent sees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from entente.errors import EntenteError, ScenarioError, quoted
from entente.formats.safe import BOM, check_text, kind, parse_xml, parse_xml_bytes, read_bytes
from entente.hyperrect import HyperRectangles
from entente.prefs import Floats, LinearAdditive, Preferences, Term
from entente.prefs_ranking import Uncertainty
from entente.scenario import Party, Scenario
from entente.space import Issue, OutcomeSpace, integer, real

REAL_STEPS = 100
"""Default number of steps a real issue is cut into when no resolution is given."""
MAX_OPTIONS = 1_000_000
MAX_RECTANGLES = 200_000
MAX_DEPTH = 32
"""Objectives (and nonlinear ufuns) nested deeper than this are refused; GENIUS uses two or three."""
MAX_INDEX = 2**31 - 1

DOMAIN, PROFILE = "negotiation_template", "utility_space"
_GENIUS_TAGS = {DOMAIN, PROFILE, "objective", "issue", "weight", "evaluator", "hyperRectangle"}


@dataclass(frozen=True)
class _Doc:
    """A GENIUS file, parsed once."""

    path: Path
    root: Element


@dataclass(frozen=True)
class _IssueXml:
    index: int
    element: Element


def load(
    source: str | Path,
    profiles: Sequence[str | Path] | None = None,
    *,
    resolution: float | None = None,
) -> Scenario:
    """A scenario from a GENIUS folder, or a domain file and its profiles.

    A folder: its one `negotiation_template` file is the domain and every `utility_space` file
    a party, in sorted file-name order, named by file stem. A domain file without `profiles`:
    the profiles beside it. A profile file: the scenario of its folder. Other XML documents of
    the folder (no GENIUS element in them), and files of plain numbers (GENIUS's pareto.xml),
    are not part of the scenario; any other file that cannot be read is refused.
    """
    src = Path(source)
    if kind(src) == "folder":
        folder = src
        domains, found = _scan(folder)
        if len(domains) != 1:
            names = ", ".join(quoted(d.path.name) for d in domains[:3]) or "none"
            raise ScenarioError(
                f"expected one GENIUS domain file (<{DOMAIN}>), found {names}", file=str(src)
            )
        domain = domains[0]
    else:
        folder = src.parent
        given = _Doc(src, parse_xml(src))
        tag = given.root.tag
        if tag not in (DOMAIN, PROFILE):
            raise ScenarioError(
                f"expected a GENIUS domain (<{DOMAIN}>) or profile (<{PROFILE}>), "
                f"found <{quoted(tag)[1:-1]}>",
                file=str(src),
            )
        domains, found = _scan(folder, given) if profiles is None or tag == PROFILE else ([], [])
        if tag == DOMAIN:
            domain = given
        elif len(domains) == 1:
            domain = domains[0]
        else:
            names = ", ".join(quoted(d.path.name) for d in domains[:3]) or "none"
            raise ScenarioError(
                f"is a GENIUS profile: its folder must hold one domain file (<{DOMAIN}>), "
                f"found {names}",
                file=str(src),
            )
    if profiles is not None:
        found = [_Doc(Path(p), parse_xml(Path(p))) for p in profiles]
    check_text([folder.resolve().name], folder, "folder name")
    for d in found:
        check_text([d.path.stem], d.path, "file name (the party's id)")
    space = _read_domain(domain, resolution)
    if len(found) < 2:
        beside = "" if folder is src or profiles is not None else " in its folder"
        raise ScenarioError(
            f"needs at least two GENIUS profiles (<{PROFILE}>){beside}, found {len(found)}",
            file=str(src),
        )
    parties = tuple(
        Party(d.path.stem, d.path.stem, _read_profile(d, space), uncertainty=_uncertainty(d))
        for d in sorted(found, key=lambda d: d.path.name)
    )
    sid = re.sub(r"[^A-Za-z0-9_-]", "_", folder.resolve().name) or "genius"
    try:
        return Scenario(
            id=sid, title=folder.resolve().name, space=space, parties=parties, path=str(src)
        )
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(src)) from None


def _scan(folder: Path, given: _Doc | None = None) -> tuple[list[_Doc], list[_Doc]]:
    """The domain files and the profile files of a folder, each parsed once.

    `.xml` files only (other files are not GENIUS's). An XML document with no GENIUS element
    and a file of plain numbers (GENIUS writes pareto.xml so) are not part of the scenario; a
    file that is neither, cannot be read or holds GENIUS elements under another root is refused.
    """
    try:
        entries = sorted(folder.iterdir())
    except OSError as e:
        raise ScenarioError(
            f"cannot list the folder: {e.strerror or e}", file=str(folder)
        ) from None
    domains: list[_Doc] = []
    profiles: list[_Doc] = []
    for f in entries:
        if f.suffix.lower() != ".xml":
            continue
        if given is not None and f.name == given.path.name:
            doc = given
        else:
            if kind(f) == "folder":
                continue
            data = read_bytes(f)
            if _numbers_only(data):
                continue
            doc = _Doc(f, parse_xml_bytes(data, f))
        tag = doc.root.tag
        if tag == DOMAIN:
            domains.append(doc)
        elif tag == PROFILE:
            profiles.append(doc)
        elif any(_local(e.tag) in _GENIUS_TAGS for e in doc.root.iter()):
            raise ScenarioError(
                f"root element <{quoted(tag)[1:-1]}> is neither <{DOMAIN}> (a GENIUS domain) "
                f"nor <{PROFILE}> (a profile)",
                file=str(f),
            )
    return domains, profiles


def _numbers_only(data: bytes) -> bool:
    """Whether a file holds only numbers and separators (GENIUS's pareto.xml), no markup."""
    body = data.removeprefix(BOM)
    rest = body.translate(None, b"0123456789.,;eE+- \t\r\n")
    return not rest and any(c in body for c in b"0123456789")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _where(el: Element, attr: str = "") -> str:
    """<tag value=...> (or index=, name=): an element as a message names it."""
    for key in ("value", "index", "name") if el.tag == "item" else ("index", "name"):
        if key != attr and el.get(key) is not None:
            return f"<{el.tag} {key}={quoted(el.get(key))}>"
    return f"<{el.tag}>"


def _num(el: Element, attr: str, file: Path, default: float | None = None, ctx: str = "") -> float:
    """A finite number from attribute `attr` of `el`."""
    raw = el.get(attr)
    if raw is None:
        if default is not None:
            return default
        raise ScenarioError(f"lacks attribute {attr!r}", file=str(file), field=ctx + _where(el))
    try:
        x = float(raw)
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise ScenarioError(
            f"expected a finite number, got {quoted(raw)}",
            file=str(file),
            field=f"{ctx}{_where(el, attr)} {attr}",
        )
    return x


def _index(el: Element, file: Path, default: int | None = None) -> int:
    """A whole-number `index` attribute (GENIUS writes them as integers, sometimes as 1.0)."""
    if el.get("index") is None and default is not None:
        return default
    raw = el.get("index")
    if raw is None:
        raise ScenarioError("lacks attribute 'index'", file=str(file), field=_where(el))
    try:
        x = float(raw)
    except ValueError:
        x = math.nan
    if not (math.isfinite(x) and x.is_integer() and abs(x) <= MAX_INDEX):
        raise ScenarioError(
            f"expected a whole number, got {quoted(raw)}",
            file=str(file),
            field=f"{_where(el, 'index')} index",
        )
    return int(x)


def _param(ev: Element, k: int, alias: str, file: Path, ctx: str) -> float:
    """GENIUS evaluator parameter `parameter<k>` (or its older attribute name)."""
    if ev.get(f"parameter{k}") is None and alias and ev.get(alias) is not None:
        return _num(ev, alias, file, ctx=ctx)
    return _num(ev, f"parameter{k}", file, ctx=ctx)


def _bound(el: Element, attr: str, file: Path, default: float | None = None) -> float:
    """An issue's bound, as an attribute or on a <range> child."""
    rng = el.find("range")
    if el.get(attr) is None and rng is not None:
        return _num(rng, attr, file, default, ctx=f"{_where(el)} ")
    return _num(el, attr, file, default)


def _objective(root: Element, file: Path) -> Element:
    us = root if root.tag == PROFILE else root.find(PROFILE)
    obj = us.find("objective") if us is not None else None
    if obj is None:
        raise ScenarioError("has no <utility_space><objective>", file=str(file))
    return obj


def _issues(obj: Element, file: Path) -> list[_IssueXml]:
    """Issue elements of an objective tree, with their index numbers, in document order."""
    out: list[_IssueXml] = []
    stack: list[Iterator[Element]] = [iter(obj)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == "issue":
            out.append(_IssueXml(_index(child, file, len(out) + 1), child))
        elif child.tag == "objective":
            if len(stack) >= MAX_DEPTH:
                raise ScenarioError(
                    f"objectives nest more than {MAX_DEPTH} levels deep",
                    file=str(file),
                    field=f"{_where(obj)} … {_where(child)}",
                )
            stack.append(iter(child))
    return out


def _kind(el: Element) -> str:
    for attr in ("etype", "vtype", "type"):
        k = el.get(attr)
        if k in ("discrete", "integer", "real"):
            return k
    return "discrete"


def read_domain(path: str | Path, *, resolution: float | None = None) -> OutcomeSpace:
    """The outcome space a GENIUS domain (or profile) file declares."""
    file = Path(path)
    return _read_domain(_Doc(file, parse_xml(file)), resolution)


def _read_domain(doc: _Doc, resolution: float | None) -> OutcomeSpace:
    file = doc.path
    issues: list[Issue] = []
    for ix in _issues(_objective(doc.root, file), file):
        el, name = ix.element, ix.element.get("name", f"issue{ix.index}")
        kind = _kind(el)
        try:
            check_text([name], file, "<issue> name")
            if kind == "discrete":
                labels = [it.get("value", "") for it in el.findall("item")]
                check_text(labels, file, f"issue {quoted(name)} <item> value")
                if len(labels) > MAX_OPTIONS:
                    raise ScenarioError(
                        f"issue {quoted(name)} has {len(labels):,} items, more than the limit "
                        f"of {MAX_OPTIONS:,}",
                        file=str(file),
                    )
                issues.append(Issue(name, tuple(labels), "categorical", name))
                continue
            lo, hi = _bound(el, "lowerbound", file), _bound(el, "upperbound", file)
            if kind == "integer":
                if hi - lo + 1 > MAX_OPTIONS:
                    raise ScenarioError(
                        f"issue {quoted(name)} has {hi - lo + 1:,.0f} values, more than the "
                        f"limit of {MAX_OPTIONS:,}",
                        file=str(file),
                    )
                issues.append(integer(name, int(lo), int(hi), name))
            else:
                step = resolution if resolution is not None else (hi - lo) / REAL_STEPS or 1.0
                if not (hi - lo) / step + 1 <= MAX_OPTIONS:
                    raise ScenarioError(
                        f"issue {quoted(name)}: resolution {step:g} gives more than "
                        f"{MAX_OPTIONS:,} values",
                        file=str(file),
                    )
                issues.append(real(name, lo, hi, step, name))
        except EntenteError as e:
            if isinstance(e, ScenarioError):
                raise
            raise ScenarioError(str(e), file=str(file), field=f"issue {quoted(name)}") from None
    if not issues:
        raise ScenarioError("declares no issues", file=str(file))
    try:
        return OutcomeSpace(tuple(issues))
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(file)) from None


def read_profile(path: str | Path, space: OutcomeSpace) -> Preferences:
    """A party's preferences from a GENIUS utility-space file, over `space`."""
    file = Path(path)
    return _read_profile(_Doc(file, parse_xml(file)), space)


def read_uncertainty(path: str | Path) -> Uncertainty | None:
    """The preference uncertainty a GENIUS profile states (type UNCERTAIN), or None."""
    file = Path(path)
    return _uncertainty(_Doc(file, parse_xml(file)))


def _uncertainty(doc: _Doc) -> Uncertainty | None:
    """`<utility_space type="UNCERTAIN">` with children `<comparisons>`, `<errors>`,
    `<elicitation_cost>`, `<fixed_seed>`, `<experimental>` (GENIUS's defaults: 10, 10, 0,
    true, false)."""
    root, file = doc.root, doc.path
    if root.tag != PROFILE or (root.get("type") or "").upper() != "UNCERTAIN":
        return None

    def text(tag: str, default: str) -> str:
        el = root.find(tag)
        return (el.text or "").strip() if el is not None else default

    def whole(tag: str, default: str) -> int:
        raw = text(tag, default)
        if not re.fullmatch(r"\d{1,9}", raw):
            raise ScenarioError(
                f"expected a whole number, at least 0, got {quoted(raw)}",
                file=str(file),
                field=f"<{tag}>",
            )
        return int(raw)

    def flag(tag: str, default: str) -> bool:
        raw = text(tag, default).lower()
        if raw not in ("true", "false"):
            raise ScenarioError(
                f"expected true or false, got {quoted(raw)}", file=str(file), field=f"<{tag}>"
            )
        return raw == "true"

    cost_el = root.find("elicitation_cost")
    cost = 0.0
    if cost_el is not None:
        raw = (cost_el.text or "").strip()
        try:
            cost = float(raw)
        except ValueError:
            cost = math.nan
        if not (math.isfinite(cost) and cost >= 0):
            raise ScenarioError(
                f"expected a number, at least 0, got {quoted(raw)}",
                file=str(file),
                field="<elicitation_cost>",
            )
    comparisons = whole("comparisons", "10")
    if comparisons < 1:
        raise ScenarioError(
            "expected at least 1 compared outcome, got 0", file=str(file), field="<comparisons>"
        )
    return Uncertainty(
        comparisons,
        whole("errors", "10"),
        cost,
        flag("fixed_seed", "true"),
        flag("experimental", "false"),
    )


def _read_profile(doc: _Doc, space: OutcomeSpace) -> Preferences:
    file, root = doc.path, doc.root
    if root.tag != PROFILE:
        raise ScenarioError(
            f"expected <{PROFILE}>, found <{quoted(root.tag)[1:-1]}>", file=str(file)
        )
    obj = _objective(root, file)
    issues = _issues(obj, file)
    pos = _positions(issues, space, file)
    term: Term
    utility = obj.find("utility")
    if root.get("type") == "nonlinear" or utility is not None:
        if utility is None:
            raise ScenarioError("nonlinear profile has no <utility>", file=str(file))
        term = _hyperrectangles(utility, pos, space, file)
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
        disc = _num(df, "value", file)
        if disc < 0:
            raise ScenarioError(
                f"expected a discount factor from 0 to 1, got {disc:g}",
                file=str(file),
                field="<discount_factor> value",
            )
        if disc == 0 or disc >= 1:
            disc = 1.0
    res = root.find("reservation")
    reservation = _num(res, "value", file) if res is not None else 0.0
    try:
        return Preferences(terms=(term,), reservation=reservation, discount=disc)
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(file)) from None


def _positions(issues: list[_IssueXml], space: OutcomeSpace, file: Path) -> dict[int, int]:
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
    obj: Element, issues: list[_IssueXml], pos: dict[int, int], space: OutcomeSpace, file: Path
) -> LinearAdditive:
    n = space.n_issues
    weights = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    objectives = {_index(o, file, -1) for o in obj.iter("objective")}
    for w in obj.iter("weight"):
        i = _index(w, file)
        if i in objectives and i not in pos:
            continue  # the weight of an objective itself (a root numbered 1 carries one)
        if i not in pos:
            raise ScenarioError(f"<weight index={i}> names no issue", file=str(file))
        weights[pos[i]] = _num(w, "value", file)
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
            v = np.array([_num(it, "evaluation", file, ctx=ctx) for it in chosen])
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
            base = _bound(el, "lowerbound", file, float(x[0]))
            slope = _num(ev, "slope", file, ctx=ctx)
            offset = _num(ev, "offset", file, 0.0, ctx=ctx)
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


def _hyperrectangles(
    utility: Element, pos: dict[int, int], space: OutcomeSpace, file: Path
) -> HyperRectangles:
    top = _num(utility, "maxutility", file, 1.0)
    if top <= 0:
        raise ScenarioError(
            f"expected a positive maxutility, got {top:g}", file=str(file), field="<utility>"
        )
    utils: list[float] = []
    excl: list[bool] = []
    rect: list[int] = []
    cols: list[list[int]] = [[], [], []]
    first = utility.find("ufun")  # GENIUS reads the first ufun (and the ufuns nested in it)
    for hr, weight in _rectangles(first, file) if first is not None else ():
        # as GENIUS: EXCLUDES, if any, make the rectangle exclusive and INCLUDES are ignored
        exc = hr.findall("EXCLUDES")
        r = len(utils)
        utils.append(weight * _num(hr, "weight", file, 1.0) * _num(hr, "utility", file) / top)
        excl.append(bool(exc))
        for b in exc or hr.findall("INCLUDES"):
            i = _index(b, file)
            if i not in pos:
                raise ScenarioError(f"hyperRectangle names no issue {i}", file=str(file))
            iss = space.issues[pos[i]]
            if iss.kind != "integer" or iss.values is None:
                raise ScenarioError(
                    f"hyperRectangle over non-integer issue {quoted(iss.id)} is not supported",
                    file=str(file),
                )
            base = int(iss.values[0])
            rect.append(r)
            cols[0].append(pos[i])
            cols[1].append(_whole(b, "min", file) - base)
            cols[2].append(_whole(b, "max", file) - base)
        if len(utils) > MAX_RECTANGLES:
            raise ScenarioError(
                f"more than {MAX_RECTANGLES:,} hyperRectangles (the limit)", file=str(file)
            )
    if not np.isfinite(utils).all():
        raise ScenarioError("hyperRectangle utilities overflow", file=str(file))
    return HyperRectangles(
        np.array(utils),
        np.array(rect),
        np.array(cols[0]),
        np.array(cols[1]),
        np.array(cols[2]),
        np.array(excl, dtype=bool),
        cap=1.0,
    )


def _whole(el: Element, attr: str, file: Path) -> int:
    """A bound of a hyperRectangle: GENIUS reads it as an integer (fractions are cut)."""
    x = _num(el, attr, file)
    if abs(x) > MAX_INDEX:
        raise ScenarioError(
            f"expected a whole number of at most {MAX_INDEX:,}, got {quoted(el.get(attr))}",
            file=str(file),
            field=f"{_where(el)} {attr}",
        )
    return int(x)


def _rectangles(first: Element, file: Path) -> list[tuple[Element, float]]:
    """The hyperRectangles of a ufun and its nested ufuns, with their ufun weights."""
    out: list[tuple[Element, float]] = []
    todo: list[tuple[Element, float, int]] = [(first, 1.0, 1)]
    while todo:
        uf, weight, depth = todo.pop()
        if uf.get("aggregation", "sum") != "sum":
            raise ScenarioError(
                f"ufun aggregation {quoted(uf.get('aggregation'))} is not supported (expected sum)",
                file=str(file),
            )
        w = weight * _num(uf, "weight", file, 1.0)
        out.extend((hr, w) for hr in uf.findall("hyperRectangle"))
        inner = uf.findall("ufun")
        if inner and depth >= MAX_DEPTH:
            raise ScenarioError(
                f"ufuns nest more than {MAX_DEPTH} levels deep", file=str(file), field="<ufun>"
            )
        todo.extend((u, w, depth + 1) for u in reversed(inner))
    return out
