"""TOML scenario files: the schema (pydantic, published as JSON Schema) and the loader.

Everything a file says is checked here, at the boundary; errors name the file, the line, the
field and what was expected. Inside, the scenario is plain dataclasses.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from entente.calendar import Date, check_calendars
from entente.errors import EntenteError, ScenarioError
from entente.formats.locate import locate
from entente.formats.treaty_toml import (
    EventModel,
    RatificationModel,
    TreatyModel,
    build_ratification,
    build_timeline,
    build_treaty,
)
from entente.prefs import Preferences, RedLine, linear, normalized
from entente.scenario import Delegate, History, Mediator, Observer, Party, Scenario, Source
from entente.space import Issue, OutcomeSpace, integer, real

MAX_BYTES = 8 * 1024 * 1024


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionModel(_Model):
    id: str = Field(description="Short identifier of the option, used in files and JSON.")
    label: str = Field("", description="What the option means, in words.")


class IssueModel(_Model):
    id: str
    name: str = ""
    description: str = ""
    kind: Literal["categorical", "ordinal", "integer", "real"] = "categorical"
    options: list[OptionModel | str] | None = Field(
        None, description="Categorical and ordinal issues: the options (ordinal: lowest first)."
    )
    low: float | None = Field(None, description="Integer and real issues: lowest value.")
    high: float | None = Field(None, description="Integer and real issues: highest value.")
    resolution: float | None = Field(None, description="Real issues: step between options.")


class DelegateModel(_Model):
    name: str
    title: str = ""


class RedLineModel(_Model):
    when: dict[str, str | list[str]] = Field(
        description="{issue: option or options}: the outcomes matching every entry are refused."
    )
    reason: str = ""


class PartyModel(_Model):
    id: str
    name: str
    delegates: list[DelegateModel] = []
    strategy: str | None = Field(None, description="Default strategy spec, e.g. 'boulware(e=0.2)'.")
    weights: dict[str, float] = Field(description="{issue: weight} of the linear additive utility.")
    values: dict[str, dict[str, float]] = Field(
        {}, description="{issue: {option: value}}; numeric/ordinal issues default to 0..1 evenly."
    )
    reservation: float = Field(
        0.0,
        description="Utility of no agreement, on the scale of the utility as used (after `normalize`).",
    )
    discount: float = Field(
        1.0, gt=0, le=1, description="Discount factor per unit of relative time."
    )
    normalize: bool = Field(
        False, description="Rescale the utility so the worst outcome is 0, the best 1."
    )
    red_lines: list[RedLineModel] = []
    rationale: str = Field("", description="Why these numbers: the reasoning and sources.")


class MediatorModel(_Model):
    id: str
    name: str
    delegates: list[DelegateModel] = []
    strategy: str | None = None
    informed: bool = Field(
        False, description="Whether the mediator may read the parties' utilities."
    )


class ObserverModel(_Model):
    id: str
    name: str
    interest: str = ""


class ProtocolModel(_Model):
    name: str = Field("alternating", description="Protocol spec, e.g. 'mediated' or 'alternating'.")
    deadline: int = Field(100, ge=1, description="Number of rounds before the talks end unagreed.")
    start: str | None = Field(None, description="Date of the first round, to date the timeline.")
    days_per_round: float = Field(1.0, gt=0, description="Days between rounds, with `start`.")


class SourceModel(_Model):
    key: str
    citation: str
    url: str = ""


class HistoryModel(_Model):
    outcome: dict[str, str] = Field(description="{issue: option} that was really agreed.")
    date: str | None = Field(
        None, description="Date of the agreement, 'YYYY-MM-DD' with ' OS'/' NS'."
    )
    note: str = ""


class ScenarioModel(_Model):
    """An entente scenario file."""

    id: str
    title: str
    description: str = ""
    venue: str = ""
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
    issues: list[IssueModel] = Field(min_length=1)
    parties: list[PartyModel] = Field(min_length=2)
    mediators: list[MediatorModel] = []
    observers: list[ObserverModel] = []
    protocol: ProtocolModel = ProtocolModel()
    sources: list[SourceModel] = []
    history: HistoryModel | None = None
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
    return schema


def load(path: str | Path) -> Scenario:
    """Read and check a TOML scenario file."""
    p = Path(path)
    name = str(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise ScenarioError(f"file is larger than {MAX_BYTES // 2**20} MiB", file=name)
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(f"cannot read: {e.strerror or e}", file=name) from None
    except UnicodeDecodeError:
        raise ScenarioError("is not UTF-8 text", file=name) from None
    return loads(text, file=name)


def loads(text: str, file: str = "<scenario>") -> Scenario:
    """Check a scenario given as TOML text; `file` names it in errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        line = None
        if "(at line " in msg:
            line = int(msg.split("(at line ")[1].split(",")[0])
            msg = msg.split(" (at line ")[0]
        raise ScenarioError(f"invalid TOML: {msg}", file=file, line=line) from None
    try:
        model = ScenarioModel.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x in _UNION_TAGS))
        raise ScenarioError(
            _expectation(err), file=file, line=locate(text, loc), field=_dotted(loc)
        ) from None
    return _build(model, text, file)


_UNION_TAGS = {
    "OptionModel",
    "ClauseModel",
    "str",
    "list[str]",
    "function-after[_id_is_a_name(), str]",
}


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for x in loc:
        out += f"[{x}]" if isinstance(x, int) else (f".{x}" if out else str(x))
    return out


def _expectation(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check its spelling)"
    given = err.get("input")
    shown = repr(given) if isinstance(given, str | int | float | bool) else type(given).__name__
    return f"{msg[0].lower()}{msg[1:]} (got {shown})"


class _Checker:
    """Raises ScenarioErrors located at a field path of the file being built."""

    def __init__(self, text: str, file: str) -> None:
        self.text, self.file = text, file

    def fail(self, loc: tuple[Any, ...], message: str) -> ScenarioError:
        return ScenarioError(
            message, file=self.file, line=locate(self.text, loc), field=_dotted(loc)
        )


def _build(m: ScenarioModel, text: str, file: str) -> Scenario:
    chk = _Checker(text, file)
    issues = tuple(_issue(im, ("issues", i), chk) for i, im in enumerate(m.issues))
    try:
        space = OutcomeSpace(issues)
    except EntenteError as e:
        raise chk.fail(("issues",), str(e)) from None
    parties = tuple(_party(pm, ("parties", i), space, chk) for i, pm in enumerate(m.parties))
    dates = {k: _date(v, ("dates", k), chk) for k, v in m.dates.items()}
    history = None
    if m.history is not None:
        outcome = []
        for iss in space.issues:
            label = m.history.outcome.get(iss.id)
            if label is None:
                raise chk.fail(("history", "outcome"), f"gives no option for issue {iss.id!r}")
            outcome.append(_option(iss, label, ("history", "outcome", iss.id), chk))
        extra = set(m.history.outcome) - {iss.id for iss in space.issues}
        if extra:
            raise chk.fail(("history", "outcome", min(extra)), "names no issue of the scenario")
        when = _date(m.history.date, ("history", "date"), chk) if m.history.date else None
        history = History(tuple(outcome), when, m.history.note)
    ratification = build_ratification(m.ratification, space, parties, chk.fail)
    party_ids = {p.id for p in parties}
    treaty = build_treaty(m.treaty, space, party_ids, chk.fail) if m.treaty else None
    timeline = build_timeline(m.timeline, chk.fail)
    try:
        return Scenario(
            id=m.id,
            title=m.title,
            description=m.description,
            venue=m.venue,
            space=space,
            parties=parties,
            mediators=tuple(
                Mediator(x.id, x.name, _delegates(x.delegates), x.strategy, x.informed)
                for x in m.mediators
            ),
            observers=tuple(Observer(x.id, x.name, x.interest) for x in m.observers),
            dates=dates,
            protocol=m.protocol.name,
            deadline=m.protocol.deadline,
            start=_date(m.protocol.start, ("protocol", "start"), chk) if m.protocol.start else None,
            days_per_round=m.protocol.days_per_round,
            sources=tuple(Source(s.key, s.citation, s.url) for s in m.sources),
            history=history,
            path=file,
            ratification=ratification,
            treaty=treaty,
            timeline=timeline,
            calendars=check_calendars(m.calendars) if m.calendars else (),
        )
    except ScenarioError:
        raise
    except EntenteError as e:
        raise ScenarioError(str(e), file=file) from None


def _issue(im: IssueModel, loc: tuple[Any, ...], chk: _Checker) -> Issue:
    if im.kind in ("categorical", "ordinal"):
        if not im.options:
            raise chk.fail((*loc, "options"), f"a {im.kind} issue needs a list of options")
        ids = tuple(o if isinstance(o, str) else o.id for o in im.options)
        labels = tuple(o if isinstance(o, str) else (o.label or o.id) for o in im.options)
        try:
            return Issue(im.id, ids, im.kind, im.name, None, labels)
        except EntenteError as e:
            raise chk.fail((*loc, "options"), str(e)) from None
    if im.low is None or im.high is None:
        raise chk.fail(loc, f"a {im.kind} issue needs 'low' and 'high'")
    if im.options is not None:
        raise chk.fail((*loc, "options"), f"a {im.kind} issue takes low/high, not options")
    try:
        if im.kind == "integer":
            if im.low != int(im.low) or im.high != int(im.high):
                raise chk.fail((*loc, "low"), "an integer issue needs whole-number bounds")
            return integer(im.id, int(im.low), int(im.high), im.name)
        if im.resolution is None:
            raise chk.fail((*loc, "resolution"), "a real issue needs a positive 'resolution'")
        return real(im.id, im.low, im.high, im.resolution, im.name)
    except EntenteError as e:
        raise chk.fail(loc, str(e)) from None


def _option(iss: Issue, label: str, loc: tuple[Any, ...], chk: _Checker) -> int:
    try:
        return iss.index(label)
    except EntenteError as e:
        raise chk.fail(loc, str(e)) from None


def _date(value: str, loc: tuple[Any, ...], chk: _Checker) -> Date:
    try:
        return Date.parse(value)
    except EntenteError as e:
        raise chk.fail(loc, str(e)) from None


def _delegates(ds: list[DelegateModel]) -> tuple[Delegate, ...]:
    return tuple(Delegate(d.name, d.title) for d in ds)


def _party(pm: PartyModel, loc: tuple[Any, ...], space: OutcomeSpace, chk: _Checker) -> Party:
    issue_ids = {iss.id for iss in space.issues}
    for key in (*pm.weights, *pm.values):
        if key not in issue_ids:
            where = "weights" if key in pm.weights else "values"
            raise chk.fail(
                (*loc, where, key),
                f"names no issue (expected one of {', '.join(sorted(issue_ids))})",
            )
    for iss_id, table in pm.values.items():
        iss = space.issues[space.issue_index(iss_id)]
        for label in table:
            _option(iss, label, (*loc, "values", iss_id, label), chk)
        missing = [o for o in iss.options if o not in table]
        if missing:
            raise chk.fail(
                (*loc, "values", iss_id), f"gives no value for option(s) {', '.join(missing)}"
            )
    lines = []
    for j, rl in enumerate(pm.red_lines):
        conds = []
        for iss_id, opts in rl.when.items():
            rloc = (*loc, "red_lines", j, "when", iss_id)
            if iss_id not in issue_ids:
                raise chk.fail(rloc, "names no issue")
            iss = space.issues[space.issue_index(iss_id)]
            labels = [opts] if isinstance(opts, str) else opts
            conds.append(
                (space.issue_index(iss_id), frozenset(_option(iss, x, rloc, chk) for x in labels))
            )
        lines.append(RedLine(tuple(conds), rl.reason))
    try:
        prefs: Preferences = linear(
            space,
            pm.weights,
            pm.values,
            reservation=pm.reservation,
            discount=pm.discount,
            red_lines=tuple(lines),
        )
        if pm.normalize:
            # the reservation value is given on the normalised scale: keep it as written
            prefs = replace(normalized(prefs, space), reservation=pm.reservation)
    except EntenteError as e:
        raise chk.fail((*loc, "values"), str(e)) from None
    return Party(pm.id, pm.name, prefs, _delegates(pm.delegates), pm.strategy)
