"""What a treaty is made of: obligations, clauses, articles, and the treaty document itself.

`TreatySpec` is what a scenario says a treaty would contain for each option; `Treaty` is the
document built from one agreement. Both are plain frozen dataclasses; labels stay as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from entente.calendar import GREGORIAN, Calendars, Date
from entente.errors import EntenteError

Kind = Literal["obligation", "prohibition", "permission"]
ArticleKind = Literal["substantive", "final", "additional"]


@dataclass(frozen=True)
class Period:
    """A span of time, counted in whole units from an anchor event (entry into force by default)."""

    amount: int
    unit: Literal["days", "months", "years"]
    anchor: str = "entry_into_force"

    def after(self, start: Date) -> Date:
        """The day `amount` units after `start` (months clamp to the last day of the month)."""
        y, m, d = start.gregorian
        if self.unit == "days":
            return Date(start.jdn + self.amount, start.calendar)
        months = self.amount * (12 if self.unit == "years" else 1)
        y, m = y + (m - 1 + months) // 12, (m - 1 + months) % 12 + 1
        for day in (d, 30, 29, 28):
            try:
                return Date.of(y, m, day)
            except EntenteError:
                continue
        raise AssertionError("unreachable: every month has 28 days")

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit} after {self.anchor.replace('_', ' ')}"


@dataclass(frozen=True)
class Obligation:
    """One duty, ban or licence a clause places on a party.

    A one-off obligation is discharged once performed; a `continuing` one (keep troops out,
    work the railways for commerce only) binds after it is performed. Prohibitions, permissions
    and continuing obligations bind until they end and can be breached at any time.
    """

    id: str
    holder: str
    kind: Kind
    action: str
    object: str = ""
    deadline: Date | None = None
    within: Period | None = None
    lasts: Period | None = None
    conditions: tuple[str, ...] = ()
    continuing: bool = False
    beneficiary: str | None = None
    article: str = ""

    @property
    def one_off(self) -> bool:
        """Whether performing it once discharges it."""
        return self.kind == "obligation" and not self.continuing

    @property
    def awaits_performance(self) -> bool:
        """Whether, once in force, it waits for an act (a one-off, or one with a deadline)."""
        has_deadline = self.deadline is not None or self.within is not None
        return self.kind == "obligation" and (not self.continuing or has_deadline)

    def sentence(
        self, names: dict[str, str] | None = None, calendars: Calendars | None = None
    ) -> str:
        """'Japan shall not build fortifications on Sakhalin', in plain words.

        `calendars` is the treaty's setting, in which a deadline is written.
        """
        who = (names or {}).get(self.holder, self.holder)
        verb = {"obligation": "shall", "prohibition": "shall not", "permission": "may"}[self.kind]
        text = f"{who} {verb} {self.action}" + (f" {self.object}" if self.object else "")
        if self.deadline is not None:
            text += f" by {self.deadline.render(calendars)}"
        elif self.within is not None:
            text += f" within {self.within}"
        if self.conditions:
            text += ", provided that " + "; ".join(self.conditions)
        return text


@dataclass(frozen=True)
class Clause:
    """A passage of text with the obligations it creates."""

    text: str
    obligations: tuple[Obligation, ...] = ()


@dataclass(frozen=True)
class Part:
    """A piece of an article: fixed text, or the clause of whatever option an issue takes.

    `when` ({issue index: option indices}) keeps the part only for outcomes matching every entry.
    """

    issue: int | None = None
    clause: Clause | None = None
    when: tuple[tuple[int, frozenset[int]], ...] = ()

    def applies(self, outcome: tuple[int, ...]) -> bool:
        return all(outcome[i] in opts for i, opts in self.when)


@dataclass(frozen=True)
class ArticleSpec:
    """How an article is assembled; it is left out when none of its parts yields text."""

    key: str
    heading: str
    parts: tuple[Part, ...]
    kind: ArticleKind = "substantive"


@dataclass(frozen=True)
class TreatySpec:
    """What a scenario says its treaty contains: texts per option, fixed articles, formalities.

    `clauses[i][k]` is the clause option k of issue i puts into the treaty (None: nothing).
    """

    title: str
    clauses: tuple[tuple[Clause | None, ...], ...]
    articles: tuple[ArticleSpec, ...] = ()
    short_title: str = ""
    sovereigns: tuple[tuple[str, str], ...] = ()
    purpose: str = ""
    good_offices: str = ""
    place: str = ""
    date: Date | None = None
    languages: tuple[str, ...] = ()
    attestation: str = ""

    def dates(self) -> list[Date]:
        """Every date the description writes: the treaty's own and its obligations' deadlines."""
        clauses = [c for row in self.clauses for c in row if c is not None]
        clauses += [p.clause for a in self.articles for p in a.parts if p.clause is not None]
        deadlines = [o.deadline for c in clauses for o in c.obligations if o.deadline]
        return ([self.date] if self.date else []) + deadlines


@dataclass(frozen=True)
class Article:
    """A numbered article of a built treaty."""

    key: str
    num: str
    heading: str
    paragraphs: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    kind: ArticleKind = "substantive"


@dataclass(frozen=True)
class Signatory:
    """A plenipotentiary who signs for a party."""

    party: str
    party_name: str
    name: str
    title: str = ""


@dataclass(frozen=True)
class Treaty:
    """A treaty document: everything the renderers need, in reading order."""

    id: str
    title: str
    short_title: str
    parties: tuple[tuple[str, str], ...]
    sovereigns: tuple[tuple[str, str], ...]
    signatories: tuple[Signatory, ...]
    mediator: tuple[str, str] | None
    preamble: tuple[str, ...]
    articles: tuple[Article, ...]
    place: str
    date: Date | None
    languages: tuple[str, ...]
    attestation: str
    outcome: tuple[int, ...]
    calendars: Calendars = GREGORIAN
    """The calendars of the parties: every date of the document is written in these."""
    warnings: tuple[str, ...] = ()
    """What building it noticed and a reader should know (an option with no clause)."""

    @property
    def body(self) -> tuple[Article, ...]:
        return tuple(a for a in self.articles if a.kind != "additional")

    @property
    def additional(self) -> tuple[Article, ...]:
        return tuple(a for a in self.articles if a.kind == "additional")

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        return tuple(o for a in self.articles for o in a.obligations)

    def schedule(self) -> list[tuple[str, str, str, str, str]]:
        """The schedule of obligations: (id, article, holder's name, kind, undertaking) rows."""
        names = dict(self.parties)
        nums = {a.key: f"{'Add. ' if a.kind == 'additional' else ''}{a.num}" for a in self.articles}
        return [
            (
                o.id,
                nums.get(o.article, ""),
                names.get(o.holder, o.holder),
                o.kind,
                o.sentence(names, self.calendars),
            )
            for o in self.obligations
        ]

    def party_name(self, party_id: str) -> str:
        return dict(self.parties).get(party_id, party_id)
