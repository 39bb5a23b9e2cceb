"""The scenario sections after the talks: `[treaty]`, `[ratification.<party>]`, `[[timeline]]`.

Pydantic models check what a file says; the `build_*` functions turn them into the dataclasses
of `entente.treaty`, `entente.ratification` and `entente.audit`, raising located ScenarioErrors
through the `fail` callback of the scenario loader. A timeline may also be a file of its own.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, Discriminator, Field, Tag

from entente.audit.timeline import Event, Succession
from entente.calendar import Date
from entente.errors import EntenteError, one_of, quoted
from entente.formats.ranges import Number
from entente.formats.shapes import ShapeModel, shape_kind, shape_values
from entente.formats.tomlcheck import STRICT, Fail, Loc, failer, parse, read_text, validate
from entente.prefs import LinearAdditive, Preferences, linear, normalized
from entente.ratification import Constituency, Ratifier
from entente.scenario import Party
from entente.space import OutcomeSpace
from entente.treaty.model import ArticleSpec, Clause, Obligation, Part, Period, TreatySpec


class _Model(BaseModel):
    model_config = STRICT


ValuesModel = Annotated[
    Annotated[dict[str, Number], Tag("value table")] | Annotated[ShapeModel, Tag("value shape")],
    Discriminator(shape_kind),
]
"""A value table {option: value}, or for an integer or real issue a shape {shape = ...}: a
party's and a constituency's `values.<issue>` alike."""


class ObligationModel(_Model):
    id: str = Field(description="Identifier; with several holders, '.<holder>' is appended.")
    holder: str | list[str] = Field(description="Party id (or ids) bound by it.")
    kind: Literal["obligation", "prohibition", "permission"] = Field(
        "obligation",
        description="obligation (shall), prohibition (shall not) or permission (may).",
    )
    action: str = Field(description="What the holder shall, shall not, or may do.")
    object: str = Field("", description="What the action bears on.")
    deadline: str | None = Field(None, description="Date by which to perform it.")
    within: str | None = Field(
        None, description="'18 months' (after entry into force) or '30 days after signature'."
    )
    lasts: str | None = Field(None, description="How long it binds, e.g. '10 years'.")
    conditions: list[str] = Field([], description="Conditions attached, in words.")
    continuing: bool = Field(False, description="An obligation that binds after it is performed.")
    beneficiary: str | None = Field(None, description="Party id in whose favour it runs.")


class ClauseModel(_Model):
    text: str = Field(description="The clause's text.")
    obligations: list[ObligationModel] = Field(
        [], description="What the clause binds its parties to do, not to do, or allows."
    )


class PartModel(_Model):
    issue: str | None = Field(None, description="Insert the clause of the option this issue takes.")
    text: str | None = Field(None, description="Fixed text.")
    obligations: list[ObligationModel] = Field(
        [], description="Obligations of the part's fixed text."
    )
    when: dict[str, str | list[str]] = Field({}, description="{issue: option(s)} required.")


class ArticleModel(_Model):
    key: str = Field(description="Identifier; events name the article as `article:<key>`.")
    heading: str = Field("", description="Heading of the article.")
    kind: Literal["substantive", "final", "additional"] = Field(
        "substantive", description="substantive, final (ratification, languages) or additional."
    )
    issue: str | None = Field(None, description="Insert the clause of the option this issue takes.")
    text: str | None = Field(None, description="Fixed text.")
    obligations: list[ObligationModel] = Field([], description="Obligations of the fixed text.")
    when: dict[str, str | list[str]] = Field(
        {}, description="{issue: option(s)}: the article appears only for these outcomes."
    )
    parts: list[PartModel] = Field(
        [], description="Several issues' clauses or texts, in order, in one article."
    )


class TreatyModel(_Model):
    title: str = Field(description="Full title of the treaty.")
    short_title: str = Field("", description="The name it is known by.")
    place: str = Field("", description="Where it is signed.")
    date: str | None = Field(None, description="Date of signature (default: the history's date).")
    languages: list[str] = Field([], description="Languages of the authentic texts.")
    sovereigns: dict[str, str] = Field({}, description="{party: how the preamble names it}.")
    purpose: str = Field("", description="The preamble's statement of purpose.")
    good_offices: str = Field("", description="The preamble's words on the mediator.")
    attestation: str = Field("", description="The sentence before the signatures.")
    clauses: dict[str, dict[str, str | ClauseModel]] = Field(
        {}, description="{issue: {option: clause text or {text, obligations}}}."
    )
    articles: list[ArticleModel] = Field(
        [], description="The articles, in order; each holds fixed text or issues' clauses."
    )


class ConstituencyModel(_Model):
    id: str = Field(description="Identifier.")
    name: str = Field("", description="Name shown in the audit (default: the id).")
    weight: Number = Field(1.0, ge=0, description="How much its approval counts.")
    threshold: Number | None = Field(None, description="Lowest utility it approves.")
    veto: bool = Field(False, description="Whether it can block ratification alone.")
    note: str = Field("", description="Why it votes as it does.")
    weights: dict[str, Number] | None = Field(None, description="Own utility weights.")
    values: dict[str, ValuesModel] = Field(
        {},
        description="{issue: {option: value}} of its own utility, with `weights`; for an "
        "integer or real issue a shape instead, as in a party's `values`.",
    )
    normalize: bool = Field(True, description="Rescale its own utility to [0, 1].")


class RatificationModel(_Model):
    rule: Literal["majority", "two_thirds", "unanimity", "quota"] = Field(
        "majority", description="How the constituencies' weighted approvals are counted."
    )
    quota: float = Field(
        0.5, gt=0, le=1, description='Share of the weight needed under `rule = "quota"`.'
    )
    on_failure: Literal["no_treaty", "renegotiate"] = Field(
        "no_treaty", description="What a failed ratification leads to."
    )
    constituencies: list[ConstituencyModel] = Field(
        min_length=1, description="Who must approve at home."
    )


class SuccessionModel(_Model):
    predecessor: str = Field(description="The party succeeded.")
    successor: str = Field(description="Id of the successor.")
    name: str = Field("", description="Name of the successor.")
    reservations: list[str] = Field([], description="Reservations the successor makes.")


class EventModel(_Model):
    date: str = Field(description="'YYYY-MM-DD', with ' OS' for Old Style.")
    kind: Literal[
        "signature", "ratification", "exchange", "entry_into_force", "convention",
        "succession", "act", "suspension", "resumption", "denunciation", "termination",
    ] = Field(
        description="What happened; the scenario guide says what each kind does in the audit."
    )  # fmt: skip
    title: str = Field(description="What happened, in words.")
    party: str | None = Field(None, description="The party that acted, where one did.")
    act: str = Field(
        "", description="For an `act`: what was done, in a word (withdrawal, occupation)."
    )
    fulfils: list[str] = Field(
        [],
        description="Obligations performed (selectors: id, shared id, `article:<key>`, "
        "`party:<id>`, `*`).",
    )
    violates: list[str] = Field([], description="Obligations breached (selectors as in `fulfils`).")
    suspends: list[str] = Field([], description="Obligations suspended.")
    resumes: list[str] = Field([], description="Obligations resumed.")
    terminates: list[str] = Field([], description="Obligations ended.")
    succession: SuccessionModel | None = Field(
        None, description="For a `succession`: who succeeds whom."
    )
    note: str = Field("", description="Anything worth saying about the event.")
    source: str = Field("", description="Key of the source it rests on.")


class TimelineFile(_Model):
    """A timeline file: `[[timeline]]` events (and an optional scenario id it belongs to)."""

    scenario: str | None = None
    timeline: list[EventModel] = Field(min_length=1)


_PERIOD = re.compile(r"^\s*(\d+)\s+(day|month|year)s?(?:\s+after\s+([a-z_]+))?\s*$")


def _period(text: str, loc: Loc, fail: Fail) -> Period:
    m = _PERIOD.match(text)
    if not m:
        raise fail(
            loc, f"expected '<n> days|months|years [after <event kind>]' (got {quoted(text)})"
        )
    return Period(int(m[1]), f"{m[2]}s", m[3] or "entry_into_force")  # type: ignore[arg-type]


def _date(text: str, loc: Loc, fail: Fail) -> Date:
    try:
        return Date.parse(text)
    except EntenteError as e:
        raise fail(loc, str(e)) from None


def _option(space: OutcomeSpace, issue: str, label: str, loc: Loc, fail: Fail) -> tuple[int, int]:
    try:
        i = space.issue_index(issue)
        return i, space.issues[i].index(label)
    except EntenteError as e:
        raise fail(loc, str(e)) from None


def _obligations(
    models: list[ObligationModel], loc: Loc, parties: set[str], fail: Fail
) -> tuple[Obligation, ...]:
    out = []
    for j, om in enumerate(models):
        oloc = (*loc, "obligations", j)
        holders = [om.holder] if isinstance(om.holder, str) else om.holder
        for h in [*holders, *([om.beneficiary] if om.beneficiary else [])]:
            if h not in parties:
                raise fail(
                    (*oloc, "holder"),
                    f"names no party {quoted(h)} (expected one of {one_of(sorted(parties))})",
                )
        if om.deadline and om.within:
            raise fail((*oloc, "within"), "give a deadline or a period, not both")
        deadline = _date(om.deadline, (*oloc, "deadline"), fail) if om.deadline else None
        within = _period(om.within, (*oloc, "within"), fail) if om.within else None
        lasts = _period(om.lasts, (*oloc, "lasts"), fail) if om.lasts else None
        for h in holders:
            oid = om.id if len(holders) == 1 else f"{om.id}.{h}"
            out.append(
                Obligation(
                    oid,
                    h,
                    om.kind,
                    om.action,
                    om.object,
                    deadline,
                    within,
                    lasts,
                    tuple(om.conditions),
                    om.continuing,
                    om.beneficiary,
                )
            )
    return tuple(out)


def _when(
    when: dict[str, str | list[str]], loc: Loc, space: OutcomeSpace, fail: Fail
) -> tuple[tuple[int, frozenset[int]], ...]:
    out = []
    for issue, opts in when.items():
        labels = [opts] if isinstance(opts, str) else opts
        pairs = [_option(space, issue, x, (*loc, "when", issue), fail) for x in labels]
        out.append((pairs[0][0], frozenset(k for _, k in pairs)))
    return tuple(out)


def build_treaty(m: TreatyModel, space: OutcomeSpace, parties: set[str], fail: Fail) -> TreatySpec:
    """The TreatySpec a `[treaty]` section describes."""
    clauses: list[list[Clause | None]] = [[None] * iss.size for iss in space.issues]
    for issue, table in m.clauses.items():
        for label, c in table.items():
            cloc = ("treaty", "clauses", issue, label)
            i, k = _option(space, issue, label, cloc, fail)
            if isinstance(c, str):
                clauses[i][k] = Clause(c)
            else:
                clauses[i][k] = Clause(c.text, _obligations(c.obligations, cloc, parties, fail))
    articles = []
    keys: set[str] = set()
    for j, am in enumerate(m.articles):
        aloc = ("treaty", "articles", j)
        if am.key in keys:
            raise fail((*aloc, "key"), f"article key {quoted(am.key)} is used twice")
        keys.add(am.key)
        shorthand = PartModel(
            issue=am.issue, text=am.text, obligations=am.obligations, when=am.when
        )
        pms: list[tuple[PartModel, Loc]] = [
            (p, (*aloc, "parts", n)) for n, p in enumerate(am.parts)
        ]
        if am.issue is not None or am.text is not None:
            pms.insert(0, (shorthand, aloc))
        if not pms:
            raise fail(aloc, "an article needs 'issue', 'text' or 'parts'")
        parts = []
        for pm, ploc in pms:
            if (pm.issue is None) == (pm.text is None):
                raise fail(ploc, "a part takes exactly one of 'issue' and 'text'")
            when = _when(pm.when, ploc, space, fail)
            if pm.issue is not None:
                if pm.obligations:
                    raise fail((*ploc, "obligations"), "declare obligations on the issue's clauses")
                i = _issue(space, pm.issue, (*ploc, "issue"), fail)
                parts.append(Part(issue=i, when=when))
            else:
                obs = _obligations(pm.obligations, ploc, parties, fail)
                parts.append(Part(clause=Clause(pm.text or "", obs), when=when))
        articles.append(ArticleSpec(am.key, am.heading, tuple(parts), am.kind))
    for pid in m.sovereigns:
        if pid not in parties:
            raise fail(("treaty", "sovereigns", pid), "names no party of the scenario")
    return TreatySpec(
        title=m.title,
        clauses=tuple(tuple(row) for row in clauses),
        articles=tuple(articles),
        short_title=m.short_title,
        sovereigns=tuple(m.sovereigns.items()),
        purpose=m.purpose,
        good_offices=m.good_offices,
        place=m.place,
        date=_date(m.date, ("treaty", "date"), fail) if m.date else None,
        languages=tuple(m.languages),
        attestation=m.attestation,
    )


def _issue(space: OutcomeSpace, issue: str, loc: Loc, fail: Fail) -> int:
    try:
        return space.issue_index(issue)
    except EntenteError as e:
        raise fail(loc, str(e)) from None


def build_ratification(
    models: dict[str, RatificationModel],
    space: OutcomeSpace,
    parties: tuple[Party, ...],
    fail: Fail,
) -> tuple[Ratifier, ...]:
    """One Ratifier per `[ratification.<party>]` table."""
    by_id = {p.id: p for p in parties}
    out = []
    for pid, rm in models.items():
        rloc = ("ratification", pid)
        if pid not in by_id:
            raise fail(rloc, f"names no party (expected one of {', '.join(by_id)})")
        cons = []
        for j, cm in enumerate(rm.constituencies):
            cloc = (*rloc, "constituencies", j)
            prefs: Preferences | None = None
            if cm.weights is not None:
                prefs = _prefs(cm, space, cloc, fail)
                if cm.threshold is None:
                    raise fail(cloc, "a constituency with its own weights needs a 'threshold'")
            threshold = by_id[pid].prefs.reservation if cm.threshold is None else cm.threshold
            cons.append(Constituency(cm.id, cm.name or cm.id, cm.weight, threshold, prefs, cm.veto, cm.note))  # fmt: skip
        try:
            out.append(Ratifier(pid, tuple(cons), rm.rule, rm.quota, rm.on_failure))
        except EntenteError as e:
            raise fail(rloc, str(e)) from None
    return tuple(out)


def _prefs(cm: ConstituencyModel, space: OutcomeSpace, loc: Loc, fail: Fail) -> Preferences:
    for key in (*(cm.weights or {}), *cm.values):
        _issue(space, key, (*loc, "weights" if key in (cm.weights or {}) else "values", key), fail)
    tables: dict[str, dict[str, float]] = {}
    shaped: dict[int, np.ndarray] = {}
    for issue, table in cm.values.items():
        i = space.issue_index(issue)
        if isinstance(table, ShapeModel):
            shaped[i] = shape_values(table, space.issues[i], (*loc, "values", issue), fail)
            continue
        tables[issue] = table
        for label in table:
            _option(space, issue, label, (*loc, "values", issue, label), fail)
    try:
        prefs = with_shapes(linear(space, cm.weights or {}, tables), shaped)
        return normalized(prefs, space) if cm.normalize else prefs
    except EntenteError as e:
        raise fail((*loc, "values"), str(e)) from None


def with_shapes(prefs: Preferences, shaped: dict[int, np.ndarray]) -> Preferences:
    """`prefs` (linear, as `linear` makes it) with the value tables of the issues in `shaped`
    replaced by those arrays."""
    if not shaped:
        return prefs
    lin = prefs.linear
    assert lin is not None  # made by `linear`
    values = tuple(shaped.get(i, v) for i, v in enumerate(lin.values))
    reach = sum(
        abs(float(w)) * float(np.abs(v).max()) for w, v in zip(lin.weights, values, strict=True)
    )
    if not math.isfinite(reach):
        raise EntenteError(
            "weights times values exceed the range of floating-point numbers "
            "(keep utilities below about 1e300)"
        )
    return replace(prefs, terms=(LinearAdditive(lin.weights, values),))


def build_timeline(
    models: list[EventModel],
    fail: Fail,
    root: Loc = ("timeline",),
    parties: set[str] | None = None,
) -> tuple[Event, ...]:
    """Events of a `[[timeline]]` array, in the order written (the audit sorts them).

    With `parties`, an event's party must be one of them or a successor that a succession
    event of the timeline brings in.
    """
    known = set(parties or ()) | {m.succession.successor for m in models if m.succession}
    out = []
    for j, em in enumerate(models):
        loc = (*root, j)
        if em.kind == "succession" and em.succession is None:
            raise fail(loc, "a succession event needs a 'succession' table")
        if parties is not None:
            named: list[tuple[Loc, str | None]] = [(("party",), em.party)]
            if em.succession is not None:
                named.append((("succession", "predecessor"), em.succession.predecessor))
            for where, who in named:
                if who is not None and who not in known:
                    raise fail(
                        (*loc, *where),
                        f"names no party {quoted(who)} (expected one of {one_of(sorted(known))})",
                    )
        succ = None
        if em.succession is not None:
            s = em.succession
            succ = Succession(s.predecessor, s.successor, s.name, tuple(s.reservations))
        out.append(
            Event(
                _date(em.date, (*loc, "date"), fail),
                em.kind,
                em.title,
                em.party,
                em.act,
                tuple(em.fulfils),
                tuple(em.violates),
                tuple(em.suspends),
                tuple(em.resumes),
                tuple(em.terminates),
                succ,
                em.note,
                em.source,
            )
        )
    return tuple(out)


def load_timeline(path: str | Path, parties: set[str] | None = None) -> tuple[Event, ...]:
    """Read a timeline file (`[[timeline]]` events) with located errors; with `parties`, every
    event must name one of them (or a successor the timeline brings in)."""
    name = str(path)
    text = read_text(path)
    model = validate(TimelineFile, parse(text, name), text, name)
    return build_timeline(model.timeline, failer(text, name), parties=parties)
