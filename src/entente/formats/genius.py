"""GENIUS XML: a domain file and one profile (utility space) per party.

Read as GENIUS reads them: a discrete item's evaluation is divided by the issue's largest
evaluation; an integer evaluator gives offset + slope * (x - lowerbound), clamped to [0, 1];
a real evaluator (linear, constant, triangular) is sampled on a grid of options (`resolution`,
by default a hundredth of the issue's range); issues are matched between domain and profile
by name and weights by issue index, so a root objective numbered 1 with issues from 2 reads
right; a discount factor of 0 or 1 means none. ANAC 2014 nonlinear profiles become
`HyperRectangles`, divided by their `maxutility` and capped at 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from entente.errors import EntenteError, ScenarioError
from entente.formats.safe import parse_xml
from entente.hyperrect import HyperRectangles
from entente.prefs import Floats, LinearAdditive, Preferences, Term
from entente.scenario import Party, Scenario
from entente.space import Issue, OutcomeSpace, integer, real

REAL_STEPS = 100
"""Default number of steps a real issue is cut into when no resolution is given."""
MAX_OPTIONS = 1_000_000
MAX_RECTANGLES = 200_000


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

    A folder: its one `negotiation_template` file is the domain and every other utility-space
    file a party, in sorted file-name order, named by file stem. A domain file without
    `profiles`: the profiles beside it.
    """
    src = Path(source)
    if src.is_dir():
        domain, found = _scan(src)
        folder = src
    elif src.is_file():
        domain, folder = src, src.parent
        found = _scan(folder)[1] if profiles is None else [Path(p) for p in profiles]
    else:
        raise ScenarioError("no such file or folder", file=str(src))
    if profiles is not None and src.is_dir():
        found = [Path(p) for p in profiles]
    space = read_domain(domain, resolution=resolution)
    if len(found) < 2:
        raise ScenarioError(f"needs at least two profiles, found {len(found)}", file=str(folder))
    parties = tuple(
        Party(p.stem, p.stem, read_profile(p, space)) for p in sorted(found, key=lambda p: p.name)
    )
    sid = re.sub(r"[^A-Za-z0-9_-]", "_", folder.resolve().name) or "genius"
    try:
        return Scenario(
            id=sid, title=folder.resolve().name, space=space, parties=parties, path=str(src)
        )
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(src)) from None


def _scan(folder: Path) -> tuple[Path, list[Path]]:
    """The domain file and the profile files of a folder (other files are skipped)."""
    domains, profiles = [], []
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() != ".xml" or not f.is_file() or not _looks_like_xml(f):
            continue
        tag = parse_xml(f).tag
        if tag == "negotiation_template":
            domains.append(f)
        elif tag == "utility_space":
            profiles.append(f)
    if len(domains) != 1:
        found = ", ".join(d.name for d in domains) or "none"
        raise ScenarioError(
            f"expected one GENIUS domain file (<negotiation_template>), found {found}",
            file=str(folder),
        )
    return domains[0], profiles


def _looks_like_xml(f: Path) -> bool:
    with f.open("rb") as fh:
        return fh.read(4096).lstrip()[:1] == b"<"


def _num(el: Element, attr: str, file: Path, default: float | None = None) -> float:
    raw = el.get(attr)
    if raw is None:
        if default is not None:
            return default
        raise ScenarioError(f"<{el.tag}> lacks attribute {attr!r}", file=str(file))
    try:
        return float(raw)
    except ValueError:
        raise ScenarioError(
            f"<{el.tag} {attr}={raw!r}>: expected a number", file=str(file)
        ) from None


def _param(ev: Element, k: int, alias: str, file: Path) -> float:
    """GENIUS evaluator parameter `parameter<k>` (or its older attribute name)."""
    if ev.get(f"parameter{k}") is None and alias and ev.get(alias) is not None:
        return _num(ev, alias, file)
    return _num(ev, f"parameter{k}", file)


def _bound(el: Element, attr: str, file: Path, default: float | None = None) -> float:
    """An issue's bound, as an attribute or on a <range> child."""
    rng = el.find("range")
    if el.get(attr) is None and rng is not None:
        return _num(rng, attr, file, default)
    return _num(el, attr, file, default)


def _objective(root: Element, file: Path) -> Element:
    us = root if root.tag == "utility_space" else root.find("utility_space")
    obj = us.find("objective") if us is not None else None
    if obj is None:
        raise ScenarioError("has no <utility_space><objective>", file=str(file))
    return obj


def _issues(obj: Element) -> list[_IssueXml]:
    """Issue elements of an objective tree, with their index numbers, in document order."""
    out: list[_IssueXml] = []
    for child in obj:
        if child.tag == "issue":
            out.append(_IssueXml(int(float(child.get("index", len(out) + 1))), child))
        elif child.tag == "objective":
            out.extend(_issues(child))
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
    issues: list[Issue] = []
    for ix in _issues(_objective(parse_xml(file), file)):
        el, name = ix.element, ix.element.get("name", f"issue{ix.index}")
        kind = _kind(el)
        try:
            if kind == "discrete":
                labels = [it.get("value", "") for it in el.findall("item")]
                if len(labels) > MAX_OPTIONS:
                    raise ScenarioError(f"issue {name!r} has too many items", file=str(file))
                issues.append(Issue(name, tuple(labels), "categorical", name))
                continue
            lo, hi = _bound(el, "lowerbound", file), _bound(el, "upperbound", file)
            if kind == "integer":
                if hi - lo + 1 > MAX_OPTIONS:
                    raise ScenarioError(f"issue {name!r} has too many values", file=str(file))
                issues.append(integer(name, int(lo), int(hi), name))
            else:
                step = resolution if resolution is not None else (hi - lo) / REAL_STEPS or 1.0
                if (hi - lo) / step + 1 > MAX_OPTIONS:
                    raise ScenarioError(f"issue {name!r}: resolution too fine", file=str(file))
                issues.append(real(name, lo, hi, step, name))
        except EntenteError as e:
            if isinstance(e, ScenarioError):
                raise
            raise ScenarioError(f"issue {name!r}: {e}", file=str(file)) from None
    if not issues:
        raise ScenarioError("declares no issues", file=str(file))
    try:
        return OutcomeSpace(tuple(issues))
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(file)) from None


def read_profile(path: str | Path, space: OutcomeSpace) -> Preferences:
    """A party's preferences from a GENIUS utility-space file, over `space`."""
    file = Path(path)
    root = parse_xml(file)
    if root.tag != "utility_space":
        raise ScenarioError(f"expected <utility_space>, found <{root.tag}>", file=str(file))
    obj = _objective(root, file)
    issues = _issues(obj)
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
    disc = 1.0
    df = root.find("discount_factor")
    if df is not None:
        disc = _num(df, "value", file)
        if disc < 0:
            raise ScenarioError(f"discount factor {disc} is negative", file=str(file))
        if disc == 0 or disc >= 1:
            disc = 1.0
    res = root.find("reservation")
    reservation = _num(res, "value", file) if res is not None else 0.0
    return Preferences(terms=(term,), reservation=reservation, discount=disc)


def _positions(issues: list[_IssueXml], space: OutcomeSpace, file: Path) -> dict[int, int]:
    """{issue index in the file: position in the space}, matched by issue name."""
    pos: dict[int, int] = {}
    for ix in issues:
        name = ix.element.get("name", "")
        try:
            pos[ix.index] = space.issue_index(name)
        except EntenteError:
            raise ScenarioError(f"issue {name!r} is not in the domain", file=str(file)) from None
    if len(set(pos.values())) != len(pos) or len(pos) != len(issues):
        raise ScenarioError("two issues share an index or a name", file=str(file))
    return pos


def _linear(
    obj: Element, issues: list[_IssueXml], pos: dict[int, int], space: OutcomeSpace, file: Path
) -> LinearAdditive:
    n = space.n_issues
    weights = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    objectives = {int(float(o.get("index", -1))) for o in obj.iter("objective")}
    for w in obj.iter("weight"):
        i = int(_num(w, "index", file))
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
            raise ScenarioError(f"gives no evaluation for issue {iss.id!r}", file=str(file))
        if not seen[p]:
            raise ScenarioError(f"gives no weight for issue {iss.id!r}", file=str(file))
    return LinearAdditive(weights, tuple(t for t in tables if t is not None))


def _evaluations(el: Element, iss: Issue, file: Path) -> Floats:
    """The evaluation of each option of `iss`, normalised as GENIUS does."""
    if iss.values is None:
        raw: dict[str, float] = {}
        for it in el.findall("item"):  # a repeated value: the last one counts, as in GENIUS
            raw[it.get("value", "")] = _num(it, "evaluation", file)
        missing = [o for o in iss.options if o not in raw]
        if missing:
            raise ScenarioError(
                f"issue {iss.id!r} gives no evaluation for {', '.join(missing[:3])}",
                file=str(file),
            )
        v = np.array([raw[o] for o in iss.options])
        top = v.max()
        return v / top if top > 0 else np.zeros_like(v)
    x = np.asarray(iss.values)
    ev = el.find("evaluator")
    if ev is None:
        raise ScenarioError(f"issue {iss.id!r} has no <evaluator>", file=str(file))
    ftype = ev.get("ftype", "linear")
    if iss.kind == "integer" and ftype == "linear":
        # GENIUS: offset + slope * (x - lowerbound), clamped to [0, 1]
        base = _bound(el, "lowerbound", file, float(x[0]))
        slope, offset = _num(ev, "slope", file), _num(ev, "offset", file, 0.0)
        return np.clip(offset + slope * (x - base), 0.0, 1.0)
    if ftype == "constant":
        return np.full(len(x), _param(ev, 0, "offset", file))
    if ftype == "linear":  # real: parameter0 + parameter1 * x, clamped to [0, 1]
        offset, slope = _param(ev, 0, "offset", file), _param(ev, 1, "slope", file)
        return np.clip(offset + slope * x, 0.0, 1.0)
    if ftype == "triangular":  # 0 outside [low, high], rising to 1 at top
        lo, hi, top = (_param(ev, k, "", file) for k in range(3))
        up = (x - lo) / (top - lo) if top > lo else np.ones_like(x)
        down = (hi - x) / (hi - top) if hi > top else np.ones_like(x)
        inside = (x >= lo) & (x <= hi)
        return np.where(inside, np.clip(np.where(x <= top, up, down), 0.0, 1.0), 0.0)
    raise ScenarioError(
        f"issue {iss.id!r}: evaluator type {ftype!r} is not supported "
        "(expected linear, constant or triangular)",
        file=str(file),
    )


def _hyperrectangles(
    utility: Element, pos: dict[int, int], space: OutcomeSpace, file: Path
) -> HyperRectangles:
    top = _num(utility, "maxutility", file, 1.0)
    if top <= 0:
        raise ScenarioError(f"maxutility {top} is not positive", file=str(file))
    utils: list[float] = []
    excl: list[bool] = []
    rect: list[int] = []
    cols: list[list[int]] = [[], [], []]
    first = utility.find("ufun")  # GENIUS reads the first ufun (and the ufuns nested in it)
    for hr, weight in _rectangles(first, 1.0, file) if first is not None else ():
        # as GENIUS: EXCLUDES, if any, make the rectangle exclusive and INCLUDES are ignored
        exc = hr.findall("EXCLUDES")
        r = len(utils)
        utils.append(weight * _num(hr, "weight", file, 1.0) * _num(hr, "utility", file) / top)
        excl.append(bool(exc))
        for b in exc or hr.findall("INCLUDES"):
            i = int(_num(b, "index", file))
            if i not in pos:
                raise ScenarioError(f"hyperRectangle names no issue {i}", file=str(file))
            iss = space.issues[pos[i]]
            if iss.kind != "integer" or iss.values is None:
                raise ScenarioError(
                    f"hyperRectangle over non-integer issue {iss.id!r} is not supported",
                    file=str(file),
                )
            base = int(iss.values[0])
            rect.append(r)
            cols[0].append(pos[i])
            cols[1].append(int(_num(b, "min", file)) - base)
            cols[2].append(int(_num(b, "max", file)) - base)
        if len(utils) > MAX_RECTANGLES:
            raise ScenarioError("too many hyperRectangles", file=str(file))
    return HyperRectangles(
        np.array(utils),
        np.array(rect),
        np.array(cols[0]),
        np.array(cols[1]),
        np.array(cols[2]),
        np.array(excl, dtype=bool),
        cap=1.0,
    )


def _rectangles(uf: Element, weight: float, file: Path) -> list[tuple[Element, float]]:
    """The hyperRectangles of a ufun and its nested ufuns, with their ufun weights."""
    if uf.get("aggregation", "sum") != "sum":
        raise ScenarioError(
            f"ufun aggregation {uf.get('aggregation')!r} is not supported (expected sum)",
            file=str(file),
        )
    w = weight * _num(uf, "weight", file, 1.0)
    out = [(hr, w) for hr in uf.findall("hyperRectangle")]
    for inner in uf.findall("ufun"):
        out.extend(_rectangles(inner, w, file))
    return out
