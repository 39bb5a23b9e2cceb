"""ANAC 2019 GENIUS profiles of type UNCERTAIN: the `Uncertainty` (comparisons, errors) that
`prefs_ranking` turns into what the agent sees; the profile's true utility stays the party's
preferences.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from entente.errors import ScenarioError, quoted
from entente.formats.genius_xml import PROFILE, Doc
from entente.formats.safe import parse_xml
from entente.prefs_ranking import Uncertainty


def read_uncertainty(path: str | Path) -> Uncertainty | None:
    """The preference uncertainty a GENIUS profile states (type UNCERTAIN), or None."""
    file = Path(path)
    return uncertainty_of(Doc(file, parse_xml(file)))


def uncertainty_of(doc: Doc) -> Uncertainty | None:
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
