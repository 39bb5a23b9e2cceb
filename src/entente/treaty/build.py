"""Build a treaty document from an agreement and the scenario's treaty description."""

from __future__ import annotations

from dataclasses import replace

from entente.calendar import Date
from entente.errors import EntenteError
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
    counters = {"body": 0, "additional": 0}
    for a in specs:
        paragraphs, obligations = _assemble(a, spec, outcome)
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
    )


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
    names = [sovereigns.get(p.id, p.name) for p in scenario.parties]
    joined = " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]
    purpose = spec.purpose or "wishing to settle the questions between them by agreement"
    out = [f"{joined}, {purpose.rstrip(',.')},"]
    if mediator is not None:
        offices = spec.good_offices or f"having accepted the good offices of {mediator[0]},"
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


def signed_on(treaty: Treaty) -> str:
    """'Done at PLACE on DATE (both calendars).'"""
    when = treaty.date.render() if isinstance(treaty.date, Date) else "an unstated date"
    where = f" at {treaty.place}" if treaty.place else ""
    return f"Done{where}, on {when}."
