"""TOML scenario files: the schema (pydantic, published as JSON Schema) and the loader.

Everything a file says is checked here, at the boundary; errors name the file, the line, the
field and what was expected. Inside, the scenario is plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, StrictFloat, StrictInt, field_validator

from entente import registry
from entente.calendar import Calendars, Date, check_calendars
from entente.errors import EntenteError, ScenarioError, one_of, quoted
from entente.formats import ranges
from entente.formats.chronology import SettledModel, build_settled
from entente.formats.ranges import Number
from entente.formats.shapes import ShapeModel, shape_values
from entente.formats.tomlcheck import STRICT, Fail, Loc, failer, parse, read_text, validate
from entente.formats.treaty_toml import (
    EventModel,
    RatificationModel,
    TreatyModel,
    ValuesModel,
    build_ratification,
    build_timeline,
    build_treaty,
    with_shapes,
)
from entente.prefs import (
    Preferences,
    RedLine,
    excludes_everything,
    linear,
    normalized,
)
from entente.scenario import Delegate, History, Mediator, Observer, Party, Scenario, Source
from entente.space import Issue, OutcomeSpace, integer, real


class _Model(BaseModel):
    model_config = STRICT


class OptionModel(_Model):
    id: str = Field(description="Short identifier of the option, used in files and JSON.")
    label: str = Field("", description="What the option means, in words.")


class IssueModel(_Model):
    id: str = Field(
        description="Identifier used by weights, values, red lines, clauses and history."
    )
    name: str = Field("", description="Name shown in output (default: the id).")
    description: str = Field("", description="What is at stake on this issue.")
    kind: Literal["categorical", "ordinal", "integer", "real"] = Field(
        "categorical",
        description="categorical (options, no order), ordinal (options, lowest first), "
        "integer (every whole number from `low` to `high`) or real (`low` to `high` in steps "
        "of `resolution`).",
    )
    options: list[OptionModel | str] | None = Field(
        None, description="Categorical and ordinal issues: the options (ordinal: lowest first)."
    )
    low: float | None = Field(None, description="Integer and real issues: lowest value.")
    high: float | None = Field(None, description="Integer and real issues: highest value.")
    resolution: float | None = Field(None, description="Real issues: step between options.")


class DelegateModel(_Model):
    name: str = Field(description="Full name.")
    title: str = Field("", description="Office held at the time.")


Choice = str | StrictInt | StrictFloat
"""An option: its id, or for integer and real issues the number it stands for."""


class RedLineModel(_Model):
    when: dict[str, Choice | list[Choice]] = Field(
        description="{issue: option or options}: the outcomes matching every entry are refused."
    )
    reason: str = Field("", description="Why the party refuses these outcomes.")


class PartyModel(_Model):
    id: str = Field(
        description="Identifier used by red lines, ratification, obligations and events."
    )
    name: str = Field(description="Name used in output and in the treaty.")
    delegates: list[DelegateModel] = Field([], description="The people who speak for the party.")
    strategy: str | None = Field(None, description="Default strategy spec, e.g. 'boulware(e=0.2)'.")
    weights: dict[str, Number] = Field(
        description="{issue: weight} of the linear additive utility."
    )
    values: dict[str, ValuesModel] = Field(
        {},
        description="{issue: {option: value}}, or for an integer or real issue a shape: "
        "{shape = 'increasing' | 'decreasing'}, {shape = 'peak', at = x, width = w} or "
        "{shape = 'linear', points = [[x, value], ...]}. Numeric and ordinal issues left out "
        "rise evenly from 0 (first option) to 1 (last).",
    )
    reservation: Number = Field(
        0.0,
        description="Utility of no agreement, on the scale of the utility as used (after `normalize`).",
    )
    discount: Number = Field(
        1.0, gt=0, le=1, description="Discount factor per unit of relative time."
    )
    normalize: bool = Field(
        False, description="Rescale the utility so the worst outcome is 0, the best 1."
    )
    red_lines: list[RedLineModel] = Field(
        [], description="Outcomes the party refuses whatever its utility."
    )
    rationale: str = Field("", description="Why these numbers: the reasoning and sources.")


class MediatorModel(_Model):
    id: str = Field(description="Identifier (use it with `--strategy ID=SPEC`).")
    name: str = Field(description="Name used in output and in the treaty's preamble.")
    delegates: list[DelegateModel] = Field([], description="The people who mediate.")
    strategy: str | None = Field(
        None, description="A mediator's strategy spec, e.g. 'informed(patience=3)'."
    )
    informed: bool = Field(
        False, description="Whether the mediator may read the parties' utilities."
    )


class ObserverModel(_Model):
    id: str = Field(description="Identifier.")
    name: str = Field(description="Name.")
    interest: str = Field("", description="What it wants from the talks.")


class ProtocolModel(_Model):
    name: str = Field("alternating", description="Protocol spec, e.g. 'mediated' or 'alternating'.")
    deadline: int = Field(100, ge=1, description="Number of rounds before the talks end unagreed.")
    start: str | None = Field(None, description="Date of the first round, to date the timeline.")
    days_per_round: float = Field(1.0, gt=0, description="Days between rounds, with `start`.")


class SourceModel(_Model):
    key: str = Field(description="Short key that events (`source`) and notes refer to.")
    citation: str = Field(description="The full reference.")
    url: str = Field("", description="Where to read it, if online.")


class HistoryModel(_Model):
    outcome: dict[str, Choice] = Field(description="{issue: option} that was really agreed.")
    date: str | None = Field(
        None, description="Date of the agreement, 'YYYY-MM-DD' with ' OS'/' NS'."
    )
    note: str = Field(
        "", description="What the agreement was called, or anything worth saying about it."
    )
    settled: list[SettledModel] = Field(
        [],
        description="The real chronology, one table per issue: the day it was settled, with "
        "its source; `entente run` reports where the simulated days diverge from it.",
    )


class ScenarioModel(_Model):
    """An entente scenario file."""

    id: str = Field(description="Short name of the scenario: letters, digits, '-' or '_'.")
    title: str = Field(description="Title shown by `run`, `list` and the gallery.")
    description: str = Field(
        "", description="One paragraph: who negotiates what, and why it was hard."
    )
    venue: str = Field("", description="Where the talks took place.")
    dates: dict[str, str] = Field(
        {}, description="{event: 'YYYY-MM-DD'}; a ' OS' suffix reads the date Old Style (Julian)."
    )
    calendars: list[Literal["julian", "gregorian"]] = Field(
        [],
        description="The calendars the parties used, in which dates are written out: "
        "['gregorian'] or ['julian'] (every date in that one), or both (a date marked ' OS' "
        "in both, '23 August (5 September) 1905'; the others in the Gregorian). Not given: "
        "both when some date is marked ' OS', Gregorian alone otherwise.",
    )
    issues: list[IssueModel] = Field(
        min_length=1, description="What is negotiated, one table per issue."
    )
    parties: list[PartyModel] = Field(
        min_length=2, description="The sides at the table, each with its utility."
    )
    mediators: list[MediatorModel] = Field(
        [], description="Who drafts texts under the `mediated` protocol."
    )
    observers: list[ObserverModel] = Field(
        [], description="Interested powers that do not negotiate."
    )
    protocol: ProtocolModel = Field(
        ProtocolModel(), description="The rules of the talks and their calendar."
    )
    sources: list[SourceModel] = Field(
        [], description="Works the numbers and texts rest on; events cite them by `key`."
    )
    history: HistoryModel | None = Field(
        None, description="What was really agreed, to compare a negotiated outcome with."
    )
    ratification: dict[str, RatificationModel] = Field(
        {}, description="{party: how it ratifies}: constituencies, rule, what failure leads to."
    )
    treaty: TreatyModel | None = Field(None, description="The treaty each outcome would make.")
    timeline: list[EventModel] = Field([], description="Dated events after the agreement.")

    @field_validator("id")
    @classmethod
    def _id_is_a_name(cls, v: str) -> str:
        if not v or not all(c.isalnum() or c in "-_" for c in v):
            raise ValueError("expected letters, digits, '-' or '_'")
        return v


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files."""
    schema = ScenarioModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "entente scenario"
    schema = ranges.with_distributions(schema)
    return schema


def load(path: str | Path) -> Scenario:
    """Read and check a TOML scenario file."""
    return loads(read_text(path), file=str(path))


def loads(text: str, file: str = "<scenario>") -> Scenario:
    """Check a scenario given as TOML text; `file` names it in errors.

    Every check that `run`, `treaty`, `audit` or `tournament` would otherwise make later is
    made here, so that a file that loads is a file those commands accept.
    """
    raw, fail = parse(text, file), failer(text, file)
    found = ranges.extract(raw, fail)  # ranges replaced by their points, recorded
    model = validate(ScenarioModel, raw, text, file)
    return ranges.attach(_build(model, fail, file), found, model, fail)


def _a(kind: str) -> str:
    """'an integer issue', 'a real issue'."""
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} issue"


def _build(m: ScenarioModel, fail: Fail, file: str) -> Scenario:
    issues = tuple(_issue(im, ("issues", i), fail) for i, im in enumerate(m.issues))
    try:
        space = OutcomeSpace(issues)
    except EntenteError as e:
        raise fail(("issues",), str(e)) from None
    parties = tuple(_party(pm, ("parties", i), space, fail) for i, pm in enumerate(m.parties))
    mediators = tuple(_mediator(x, ("mediators", j), fail) for j, x in enumerate(m.mediators))
    _protocol(m.protocol.name, fail)
    dates = {k: _date(v, ("dates", k), fail) for k, v in m.dates.items()}
    sources = tuple(Source(s.key, s.citation, s.url) for s in m.sources)
    history = None
    if m.history is not None:
        outcome = []
        for iss in space.issues:
            choice = m.history.outcome.get(iss.id)
            if choice is None:
                raise fail(("history", "outcome"), f"gives no option for issue {quoted(iss.id)}")
            outcome.append(_option(iss, choice, ("history", "outcome", iss.id), fail))
        extra = set(m.history.outcome) - {iss.id for iss in space.issues}
        if extra:
            raise fail(("history", "outcome", min(extra)), "names no issue of the scenario")
        when = _date(m.history.date, ("history", "date"), fail) if m.history.date else None
        chronology = build_settled(m.history.settled, space, sources, fail)
        history = History(tuple(outcome), when, m.history.note, chronology)
    ratification = build_ratification(m.ratification, space, parties, fail)
    party_ids = {p.id for p in parties}
    treaty = build_treaty(m.treaty, space, party_ids, fail) if m.treaty else None
    timeline = build_timeline(m.timeline, fail, parties=party_ids)
    try:
        return Scenario(
            id=m.id,
            title=m.title,
            description=m.description,
            venue=m.venue,
            space=space,
            parties=parties,
            mediators=mediators,
            observers=tuple(Observer(x.id, x.name, x.interest) for x in m.observers),
            dates=dates,
            protocol=m.protocol.name,
            deadline=m.protocol.deadline,
            start=_date(m.protocol.start, ("protocol", "start"), fail)
            if m.protocol.start
            else None,
            days_per_round=m.protocol.days_per_round,
            sources=sources,
            history=history,
            path=file,
            ratification=ratification,
            treaty=treaty,
            timeline=timeline,
            calendars=_calendars(m.calendars, fail),
            issue_descriptions={im.id: im.description for im in m.issues if im.description},
        )
    except ScenarioError:
        raise
    except EntenteError as e:
        raise ScenarioError(str(e), file=file) from None


def _issue(im: IssueModel, loc: Loc, fail: Fail) -> Issue:
    if im.kind in ("categorical", "ordinal"):
        if not im.options:
            raise fail((*loc, "options"), f"{_a(im.kind)} needs a list of options")
        for name in ("low", "high", "resolution"):
            if getattr(im, name) is not None:
                raise fail((*loc, name), f"{_a(im.kind)} takes options, not {name}")
        ids = tuple(o if isinstance(o, str) else o.id for o in im.options)
        labels = tuple(o if isinstance(o, str) else (o.label or o.id) for o in im.options)
        try:
            return Issue(im.id, ids, im.kind, im.name, None, labels)
        except EntenteError as e:
            raise fail((*loc, "options"), str(e)) from None
    if im.low is None or im.high is None:
        raise fail(loc, f"{_a(im.kind)} needs 'low' and 'high'")
    if im.options is not None:
        raise fail((*loc, "options"), f"{_a(im.kind)} takes low and high, not options")
    try:
        if im.kind == "integer":
            if im.low != int(im.low) or im.high != int(im.high):
                raise fail((*loc, "low"), "an integer issue needs whole-number bounds")
            if im.resolution is not None:
                raise fail((*loc, "resolution"), "an integer issue takes no resolution")
            return integer(im.id, int(im.low), int(im.high), im.name)
        if im.resolution is None or im.resolution <= 0:
            raise fail((*loc, "resolution"), "a real issue needs a positive 'resolution'")
        return real(im.id, im.low, im.high, im.resolution, im.name)
    except EntenteError as e:
        raise fail(loc, str(e)) from None


def _option(iss: Issue, choice: str | float, loc: Loc, fail: Fail) -> int:
    """The option an id (or, for integer and real issues, a number) names."""
    try:
        if isinstance(choice, str):
            return iss.index(choice)
        if iss.kind == "real" and iss.values is not None:
            return _on_grid(iss, float(choice))
        return iss.at(choice)
    except EntenteError as e:
        raise fail(loc, str(e)) from None


def _on_grid(iss: Issue, number: float) -> int:
    """The option of a real issue nearest `number`, within half a step of its grid."""
    vals = np.asarray(iss.values, dtype=np.float64)
    k = int(np.argmin(np.abs(vals - number)))
    steps = np.diff(vals)
    half = 0.5 * float(steps[min(k, len(steps) - 1)]) if len(steps) else 0.0
    slack = 1e-9 * max(1.0, abs(number))
    if not (
        vals[0] - slack <= number <= vals[-1] + slack and abs(vals[k] - number) <= half + slack
    ):
        raise EntenteError(
            f"issue {quoted(iss.id)} has no option {quoted(number)}: expected a number "
            f"from {iss.options[0]} to {iss.options[-1]}, taken to the nearest step of its grid"
        )
    return k


def _date(value: str, loc: Loc, fail: Fail) -> Date:
    try:
        return Date.parse(value)
    except EntenteError as e:
        raise fail(loc, str(e)) from None


def _calendars(calendars: Sequence[str], fail: Fail) -> Calendars:
    """The calendars stated, checked; none stated leaves the choice to the scenario's dates."""
    try:
        return check_calendars(calendars) if calendars else ()
    except EntenteError as e:
        raise fail(("calendars",), str(e)) from None


def _delegates(ds: list[DelegateModel]) -> tuple[Delegate, ...]:
    return tuple(Delegate(d.name, d.title) for d in ds)


def _strategy(spec: str, mediator: bool, loc: Loc, fail: Fail) -> Any:
    """The strategy a spec makes, checked as `run` would check it: a party's, or a mediator's."""
    try:
        made = registry.strategy(spec)
    except EntenteError as e:
        raise fail(loc, str(e)) from None
    if bool(made.mediator) != mediator:
        is_, not_ = ("a party's", "a mediator's") if mediator else ("a mediator's", "a party's")
        raise fail(
            loc,
            f"{quoted(spec)} is {is_} strategy, not {not_} "
            f"(expected one of: {one_of(registry.strategy_names(mediator))})",
        )
    return made


def _mediator(x: MediatorModel, loc: Loc, fail: Fail) -> Mediator:
    if x.strategy is not None:
        made = _strategy(x.strategy, True, (*loc, "strategy"), fail)
        if made.name == "informed" and not x.informed:
            raise fail(
                (*loc, "informed"),
                "the informed mediator reads the parties' utilities: set informed = true",
            )
    return Mediator(x.id, x.name, _delegates(x.delegates), x.strategy, x.informed)


def _protocol(spec: str, fail: Fail) -> None:
    try:
        registry.protocol(spec)
    except EntenteError as e:
        raise fail(("protocol", "name"), str(e)) from None


def _party(pm: PartyModel, loc: Loc, space: OutcomeSpace, fail: Fail) -> Party:
    issue_ids = {iss.id for iss in space.issues}
    for key in (*pm.weights, *pm.values):
        if key not in issue_ids:
            where = "weights" if key in pm.weights else "values"
            raise fail(
                (*loc, where, key), f"names no issue (expected one of {one_of(sorted(issue_ids))})"
            )
    tables: dict[str, dict[str, float]] = {}
    shaped: dict[int, np.ndarray] = {}
    for iss_id, table in pm.values.items():
        i = space.issue_index(iss_id)
        iss = space.issues[i]
        if isinstance(table, ShapeModel):
            shaped[i] = shape_values(table, iss, (*loc, "values", iss_id), fail)
            continue
        tables[iss_id] = table
        for label in table:
            _option(iss, label, (*loc, "values", iss_id, label), fail)
        if len(table) < iss.size:
            missing = [o for o in iss.options if o not in table]
            raise fail((*loc, "values", iss_id), f"gives no value for option(s) {one_of(missing)}")
    if pm.strategy is not None:
        _strategy(pm.strategy, False, (*loc, "strategy"), fail)
    if not any(pm.weights.values()) and not pm.normalize:
        raise fail(
            (*loc, "weights"),
            "every weight is zero, so every outcome is worth 0 to this party "
            "(expected at least one non-zero weight)",
        )
    lines = tuple(
        _red_line(rl, (*loc, "red_lines", j), space, fail) for j, rl in enumerate(pm.red_lines)
    )
    try:
        prefs: Preferences = linear(
            space,
            pm.weights,
            tables,
            reservation=pm.reservation,
            discount=pm.discount,
            red_lines=lines,
        )
        prefs = with_shapes(prefs, shaped)
        if pm.normalize:
            # the reservation value is given on the normalised scale: keep it as written
            prefs = replace(normalized(prefs, space), reservation=pm.reservation)
    except EntenteError as e:
        raise fail((*loc, "weights"), str(e)) from None
    if "reservation" in pm.model_fields_set:
        _reservation_in_range(prefs, space, (*loc, "reservation"), fail)
    try:
        nothing_left = excludes_everything(space.shape, lines)
    except EntenteError as e:
        raise fail((*loc, "red_lines"), str(e)) from None
    if nothing_left:
        raise fail(
            (*loc, "red_lines"),
            f"no outcome is acceptable to {quoted(pm.id)}: its red lines exclude every outcome",
        )
    return Party(pm.id, pm.name, prefs, _delegates(pm.delegates), pm.strategy, pm.rationale)


def _red_line(rl: RedLineModel, loc: Loc, space: OutcomeSpace, fail: Fail) -> RedLine:
    conds = []
    for iss_id, opts in rl.when.items():
        rloc = (*loc, "when", iss_id)
        if iss_id not in space._ids:
            raise fail(rloc, f"names no issue (expected one of {one_of(space._ids)})")
        i = space.issue_index(iss_id)
        choices = opts if isinstance(opts, list) else [opts]
        conds.append((i, frozenset(_option(space.issues[i], x, rloc, fail) for x in choices)))
    return RedLine(tuple(conds), rl.reason)


def _reservation_in_range(prefs: Preferences, space: OutcomeSpace, loc: Loc, fail: Fail) -> None:
    """A reservation value above the best outcome (no deal could ever be made) or below the
    worst one is a slip; 0, "no deal is worth nothing", is allowed below the worst outcome, as
    GENIUS profiles write it."""
    lo, hi = prefs.bounds(space)
    lo = min(lo, 0.0)
    slack = 1e-9 * max(1.0, abs(lo), abs(hi))
    r = prefs.reservation
    if not lo - slack <= r <= hi + slack:
        side = "above the best" if r > hi else "below the worst"
        raise fail(
            loc,
            f"{r:g} is {side} utility this party gives any outcome "
            f"(expected a value from {lo:.6g} to {hi:.6g})",
        )
