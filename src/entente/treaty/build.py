"""Build a treaty document from an agreement and the scenario's treaty description."""

from __future__ import annotations

import re
from dataclasses import replace

from entente.calendar import Date
from entente.errors import EntenteError, quoted
from entente.scenario import Scenario
from entente.treaty.model import (
    Article,
    ArticleSpec,
    Clause,
    Obligation,
    Part,
    Signatory,
    Treaty,
    TreatySpec,
)

_ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def roman(n: int) -> str:
    """Roman numeral of a positive integer."""
    if n <= 0:
        raise EntenteError(f"no Roman numeral for {n}")
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


# First words that make a name descriptive ("the United States", "the Republic of Korea").
_THE = frozenset((
    "United", "Republic", "Kingdom", "Empire", "Union", "Federation", "Federal", "Commonwealth",
    "Confederation", "State", "States", "Government", "Islamic", "Democratic", "People's",
    "Arab", "Holy", "European", "Principality", "Grand", "Duchy", "Sultanate", "Emirate",
    "Emirates", "Organisation", "Organization", "League", "Council", "Russian", "Ottoman",
    "Soviet", "Imperial", "Socialist", "Hashemite", "Plurinational", "Bolivarian",
    "International", "World", "African", "Netherlands", "Philippines", "Bahamas", "Gambia",
    "Maldives", "Comoros", "Seychelles", "Vatican",
))  # fmt: skip
# Titles that take the article only as "X of Y" ("the President of Finland", not "the Pope Leo").
_THE_OF = frozenset((
    "President", "King", "Queen", "Emperor", "Empress", "Pope", "Duke", "Prince", "Princess",
    "Sultan", "Emir", "Chancellor", "Secretary-General", "Secretary", "Prime", "Minister",
    "High", "Commissioner",
))  # fmt: skip


def definite(name: str) -> str:
    """A name as it reads inside a sentence: 'the United States of America', 'Egypt'.

    Names are written in files as they stand in a heading; those whose first word is
    descriptive (a state form, an office followed by 'of') take 'the' in running text. A name
    already beginning with 'the' is kept as written.
    """
    words = name.split()
    if not words or words[0].lower() == "the":
        return name
    first = words[0]
    if first in _THE or (first in _THE_OF and len(words) > 2 and " of " in f" {name} "):
        return f"the {name}"
    return name


def for_party(name: str) -> str:
    """'For the Empire of Japan', 'For Egypt': the words above a party's signatures."""
    return f"For {definite(name)}"


def default_spec(scenario: Scenario) -> TreatySpec:
    """A plain treaty for a scenario that describes none: one article per issue, its option's label."""
    clauses = tuple(
        tuple(Clause(iss.label(k) + ".") for k in range(iss.size)) for iss in scenario.space.issues
    )
    return TreatySpec(title=f"Agreement: {scenario.title}", clauses=clauses)


def build(scenario: Scenario, outcome: tuple[int, ...]) -> Treaty:
    """The treaty that `outcome` puts into words, following the scenario's `[treaty]` section."""
    space = scenario.space
    if len(outcome) != space.n_issues or not space.contains(outcome):
        raise EntenteError(f"outcome {outcome} is not in the scenario's outcome space")
    outcome = tuple(int(k) for k in outcome)
    spec = scenario.treaty or default_spec(scenario)
    specs = list(spec.articles)
    used = {p.issue for a in specs for p in a.parts if p.issue is not None}
    extra = [
        ArticleSpec(iss.id, iss.title, (Part(issue=i),))
        for i, iss in enumerate(space.issues)
        if i not in used
    ]
    first_final = next((j for j, a in enumerate(specs) if a.kind != "substantive"), len(specs))
    specs[first_final:first_final] = extra

    articles: list[Article] = []
    warnings: list[str] = []
    counters = {"body": 0, "additional": 0}
    for a in specs:
        paragraphs, obligations = _assemble(a, spec, outcome)
        for i in _unwritten(a, spec, outcome):
            iss = space.issues[i]
            what = "adds nothing to" if paragraphs else "leaves out"
            warnings.append(
                f"option {quoted(iss.options[outcome[i]])} of issue {quoted(iss.id)} has no "
                f"treaty clause: it {what} article {quoted(a.key)}"
            )
        if not paragraphs:
            continue
        series = "additional" if a.kind == "additional" else "body"
        counters[series] += 1
        num = roman(counters[series])
        obligations = [replace(o, article=a.key) for o in obligations]
        articles.append(
            Article(a.key, num, a.heading, tuple(paragraphs), tuple(obligations), a.kind)
        )

    ids = [o.id for a in articles for o in a.obligations]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise EntenteError(f"treaty of scenario {scenario.id!r}: obligation id(s) {dup} used twice")

    date = spec.date or (scenario.history.date if scenario.history else None)
    date = date or scenario.dates.get("signed")
    mediator = None
    if scenario.mediators:
        m = scenario.mediators[0]
        d = m.delegates[0] if m.delegates else None
        mediator = (m.name, f"{d.name}, {d.title}" if d and d.title else (d.name if d else ""))
    return Treaty(
        id=scenario.id,
        title=spec.title,
        short_title=spec.short_title or spec.title,
        parties=tuple((p.id, p.name) for p in scenario.parties),
        sovereigns=spec.sovereigns or tuple((p.id, p.name) for p in scenario.parties),
        signatories=tuple(
            Signatory(p.id, p.name, d.name, d.title) for p in scenario.parties for d in p.delegates
        ),
        mediator=mediator,
        preamble=_preamble(scenario, spec, mediator),
        articles=tuple(articles),
        place=spec.place or scenario.venue,
        date=date,
        languages=spec.languages,
        attestation=spec.attestation
        or "In witness whereof the plenipotentiaries named above have signed this treaty.",
        outcome=outcome,
        calendars=scenario.calendars,
        warnings=tuple(warnings),
    )


def _unwritten(a: ArticleSpec, spec: TreatySpec, outcome: tuple[int, ...]) -> list[int]:
    """Issues of an article whose chosen option has no clause at all (None, not written).

    A clause written as empty text says on purpose that the option adds nothing: no warning.
    """
    return [
        p.issue
        for p in a.parts
        if p.issue is not None
        and p.applies(outcome)
        and spec.clauses[p.issue][outcome[p.issue]] is None
    ]


def _assemble(
    a: ArticleSpec, spec: TreatySpec, outcome: tuple[int, ...]
) -> tuple[list[str], list[Obligation]]:
    paragraphs: list[str] = []
    obligations: list[Obligation] = []
    for part in a.parts:
        if not part.applies(outcome):
            continue
        clause = spec.clauses[part.issue][outcome[part.issue]] if part.issue is not None else None
        clause = clause if part.issue is not None else part.clause
        if clause is None or not clause.text.strip():
            continue
        paragraphs.extend(p.strip() for p in clause.text.strip().split("\n\n") if p.strip())
        obligations.extend(clause.obligations)
    return paragraphs, obligations


def _preamble(
    scenario: Scenario, spec: TreatySpec, mediator: tuple[str, str] | None
) -> tuple[str, ...]:
    sovereigns = dict(spec.sovereigns)
    names = [sovereigns.get(p.id, definite(p.name)) for p in scenario.parties]
    joined = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    joined = joined[:1].upper() + joined[1:]
    purpose = spec.purpose or "wishing to settle the questions between them by agreement"
    out = [f"{joined}, {purpose.rstrip(',.')},"]
    if mediator is not None:
        offices = (
            spec.good_offices or f"having accepted the good offices of {definite(mediator[0])},"
        )
        out.append(offices.rstrip(",.") + ",")
    out.append("have named as their plenipotentiaries for this purpose:")
    for p, name in zip(scenario.parties, names, strict=True):
        people = "; ".join(f"{d.name}, {d.title}" if d.title else d.name for d in p.delegates)
        if people:
            out.append(f"{name}: {people};")
    out.append(
        "who, having shown each other their full powers and found them in proper form, "
        "have agreed upon the following articles:"
    )
    return tuple(out)


# Characters XML 1.0 cannot hold at all (not even as references): C0 controls other than tab,
# line feed and carriage return, lone surrogates, U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """`text` with the characters no XML or HTML document may hold replaced by U+FFFD."""
    return _UNPRINTABLE.sub("\ufffd", text)


def signed_on(treaty: Treaty) -> str:
    """'Done at PLACE, on DATE.', the date in the calendars of the parties."""
    when = (
        treaty.date.render(treaty.calendars)
        if isinstance(treaty.date, Date)
        else "an unstated date"
    )
    where = f" at {treaty.place}" if treaty.place else ""
    return f"Done{where}, on {when}."
