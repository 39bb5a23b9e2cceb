"""A GENIUS domain: the outcome space its issues declare.

Discrete issues keep their item values; an integer issue runs from lowerbound to upperbound; a
real issue is sampled on a grid of options (`resolution`, by default a hundredth of its range).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element

from entente.errors import EntenteError, ScenarioError, quoted
from entente.formats.genius_xml import Doc, bound, issue_elements, objective_of
from entente.formats.safe import check_text, parse_xml
from entente.space import Issue, OutcomeSpace, integer, real

REAL_STEPS = 100
"""Default number of steps a real issue is cut into when no resolution is given."""
MAX_OPTIONS = 1_000_000


def _kind(el: Element) -> str:
    for attr in ("etype", "vtype", "type"):
        k = el.get(attr)
        if k in ("discrete", "integer", "real"):
            return k
    return "discrete"


def read_domain(path: str | Path, *, resolution: float | None = None) -> OutcomeSpace:
    """The outcome space a GENIUS domain (or profile) file declares."""
    file = Path(path)
    return space_of(Doc(file, parse_xml(file)), resolution)


def space_of(doc: Doc, resolution: float | None) -> OutcomeSpace:
    file = doc.path
    issues: list[Issue] = []
    for ix in issue_elements(objective_of(doc.root, file), file):
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
            lo, hi = bound(el, "lowerbound", file), bound(el, "upperbound", file)
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
