"""What each output format can carry of a scenario, and what it must leave behind.

A conversion tells the truth: `dropped(scenario, fmt)` lists what the scenario holds that the
target format has no place for, so the command can say so in one line; nothing is listed when
nothing is lost. GENIUS and GeniusWeb cannot express red lines: `prepare` refuses a scenario
that has them unless they are dropped on purpose.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from entente.errors import EntenteError
from entente.scenario import Scenario

Format = Literal["toml", "genius", "geniusweb"]


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def red_lines(scenario: Scenario) -> int:
    """How many red lines the parties hold, together."""
    return sum(len(p.prefs.red_lines) for p in scenario.parties)


def prepare(scenario: Scenario, fmt: Format, drop_red_lines: bool) -> Scenario:
    """The scenario as `fmt` will be written: red lines removed when asked, refused when `fmt`
    cannot hold them and they were not."""
    n = red_lines(scenario)
    if fmt == "toml" or n == 0:
        return scenario
    if not drop_red_lines:
        who = ", ".join(p.id for p in scenario.parties if p.prefs.red_lines)
        raise EntenteError(
            f"{fmt} cannot express red lines ({_count(n, 'red line')}, of {who}): "
            "give --drop-red-lines to write the scenario without them"
        )
    parties = tuple(replace(p, prefs=replace(p.prefs, red_lines=())) for p in scenario.parties)
    return replace(scenario, parties=parties)


def dropped(scenario: Scenario, fmt: Format, red_lines_dropped: int = 0) -> list[str]:
    """What `scenario` holds that `fmt` cannot carry, in a few words each."""
    from entente.formats import genius_write, scenario_write

    sc = scenario
    issues = sc.space.issues
    reals = [iss.id for iss in issues if iss.kind == "real"]
    if fmt == "toml":
        lost = [iss.id for iss in issues if iss.kind == "real" and not scenario_write.on_grid(iss)]
        if not lost:
            return []
        return [f"the numbers of real issue(s) {', '.join(lost)} (written as ordinal options)"]
    out: list[str] = []
    for name in ("title", "description", "venue"):
        if getattr(sc, name) and getattr(sc, name) != sc.id:
            out.append(name)
    if any(p.name and p.name != p.id for p in sc.parties):
        out.append("party names")
    if any(p.delegates for p in sc.parties) or any(m.delegates for m in sc.mediators):
        out.append("delegates")
    if any(p.strategy for p in sc.parties):
        out.append("strategies")
    if any(iss.name and iss.name != iss.id for iss in issues):
        out.append("issue names")
    if any(iss.labels and iss.labels != iss.options for iss in issues):
        out.append("option labels")
    if sc.issue_descriptions:
        out.append("issue descriptions")
    if any(p.rationale for p in sc.parties):
        out.append("rationales")
    numbers = list(reals)
    if fmt == "genius":
        numbers += genius_write.integers_as_items(sc)
    if numbers:
        out.append(f"the numbers of issue(s) {', '.join(numbers)} (written as options)")
    ordinals = [iss.id for iss in issues if iss.kind == "ordinal"]
    if ordinals:
        out.append(f"the order of issue(s) {', '.join(ordinals)} (written as unordered options)")
    if fmt == "geniusweb":
        if any(p.prefs.reservation != 0 for p in sc.parties):
            out.append("reservation values")
        if any(p.prefs.discount != 1 for p in sc.parties):
            out.append("discount factors")
    if sc.protocol != "alternating" or sc.deadline != 100:
        out.append(f"protocol ({sc.protocol}, {sc.deadline} rounds)")
    if sc.mediators:
        out.append(_count(len(sc.mediators), "mediator"))
    if sc.observers:
        out.append(_count(len(sc.observers), "observer"))
    if sc.dates or sc.start is not None:
        out.append("dates")
    elif sc.days_per_round != 1.0:
        out.append("days per round")
    if sc.sources:
        out.append(_count(len(sc.sources), "source"))
    if sc.history is not None:
        out.append("history")
    if sc.ratification:
        out.append("ratification")
    if sc.treaty is not None:
        out.append("treaty")
    if sc.timeline:
        out.append("timeline")
    if red_lines_dropped:
        out.append(_count(red_lines_dropped, "red line"))
    return out + _ranges(sc)


def _ranges(sc: Scenario) -> list[str]:
    """The uncertain numbers, which GENIUS and GeniusWeb files hold as their points."""
    n = len(sc.uncertain)
    return [f"{_count(n, 'range')} (their points are written)"] if n else []


def note(scenario: Scenario, fmt: Format, red_lines_dropped: int = 0) -> str | None:
    """'genius: dropped: mediator, treaty, timeline, 3 red lines', or None when nothing is."""
    lost = dropped(scenario, fmt, red_lines_dropped)
    return f"{fmt}: dropped: {', '.join(lost)}" if lost else None
