"""The real chronology of a negotiation in a scenario file: which issue was settled on which
day, with the source that says so (`[[history.settled]]`), read and written back."""

from __future__ import annotations

from pydantic import BaseModel, Field

from entente.calendar import Date
from entente.errors import EntenteError, one_of, quoted
from entente.formats.tomlcheck import STRICT, Fail
from entente.formats.treaty_write import date as _date
from entente.formats.treaty_write import s as _s
from entente.scenario import Settlement, Source
from entente.space import OutcomeSpace


class SettledModel(BaseModel):
    model_config = STRICT

    issue: str = Field(description="The issue settled (its id).")
    date: str = Field(description="The day it was settled, 'YYYY-MM-DD' with ' OS'/' NS'.")
    source: str = Field("", description="Key of the `[[sources]]` entry that records it.")
    note: str = Field("", description="How it was settled, or what the sources leave open.")


def build_settled(
    models: list[SettledModel], space: OutcomeSpace, sources: tuple[Source, ...], fail: Fail
) -> tuple[Settlement, ...]:
    """The chronology, checked: each issue at most once, known issues and sources, real dates."""
    ids = [iss.id for iss in space.issues]
    keys = [s.key for s in sources]
    out: list[Settlement] = []
    seen: set[str] = set()
    for j, m in enumerate(models):
        loc = ("history", "settled", j)
        if m.issue not in ids:
            raise fail((*loc, "issue"), f"{quoted(m.issue)} is no issue: expected {one_of(ids)}")
        if m.issue in seen:
            raise fail((*loc, "issue"), f"issue {quoted(m.issue)} is settled twice")
        seen.add(m.issue)
        if m.source and m.source not in keys:
            expected = one_of(keys) if keys else "a key of [[sources]] (there are none)"
            raise fail((*loc, "source"), f"{quoted(m.source)} is no source: expected {expected}")
        try:
            date = Date.parse(m.date)
        except EntenteError as e:
            raise fail((*loc, "date"), str(e)) from None
        out.append(Settlement(ids.index(m.issue), date, m.source, m.note))
    return tuple(out)


def settled_lines(settled: tuple[Settlement, ...], space: OutcomeSpace) -> list[str]:
    """The chronology as TOML, after the `[history]` table."""
    out: list[str] = []
    for s in settled:
        out += ["", "[[history.settled]]", f"issue = {_s(space.issues[s.issue].id)}"]
        out.append(f"date = {_date(s.date)}")
        if s.source:
            out.append(f"source = {_s(s.source)}")
        if s.note:
            out.append(f"note = {_s(s.note)}")
    return out
