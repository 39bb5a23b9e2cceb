"""The conformance suite: what every strategy must do, checked on any strategy.

`check_strategy` plays a strategy (a spec, or an object of one's own) on a small random domain
whose parties have a reservation value, and lists what it got wrong: a move the protocol
forbids (alternating offers with 2 and 3 parties; the single text and the conference as a
party, against every registered mediator, or as the mediator when it is one; mopac with 3 and 4
parties, equal powers and unequal ones), different moves for the same seed,
an offer or an acceptance below its reservation value, and a spec that does not make the same
strategy again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from entente import registry
from entente.errors import EntenteError, quoted
from entente.negotiation.actions import Accept, Offer, Outcome
from entente.negotiation.alternating import AlternatingOffers
from entente.negotiation.conference import Conference
from entente.negotiation.mediated import SingleText
from entente.negotiation.mopac import Mopac
from entente.negotiation.session import IllegalAction, Result, run, trace_jsonl
from entente.negotiation.strategies.base import Strategy
from entente.prefs import LinearAdditive, Preferences
from entente.space import OutcomeSpace, categorical

Protocol = AlternatingOffers | SingleText | Conference | Mopac
"""The protocols the suite plays."""

RESERVATION = 0.3
"""Every party's reservation value in the suite's domain."""


def domain(
    k: int = 2,
    seed: int = 3,
    *,
    shape: tuple[int, int, int] = (4, 3, 5),
    reservation: float = RESERVATION,
    discount: float = 1.0,
) -> tuple[OutcomeSpace, tuple[Preferences, ...]]:
    """The suite's domain: three issues of `shape` options (4, 3 and 5); `k` parties with
    random linear additive utilities (from `seed`), reservation value `reservation`."""
    rng = np.random.default_rng(seed)
    space = OutcomeSpace(
        tuple(categorical(f"i{i}", [f"o{j}" for j in range(s)]) for i, s in enumerate(shape))
    )
    prefs = tuple(
        Preferences(
            (LinearAdditive(rng.random(3), tuple(rng.random(s) for s in shape)),),
            reservation=reservation,
            discount=discount,
        )
        for _ in range(k)
    )
    return space, prefs


def _maker(strategy: str | Any) -> tuple[Callable[[], Any], str | None]:
    """A function giving a fresh copy of the strategy for each run, and its spec if it has one."""
    if isinstance(strategy, str):
        made = registry.strategy(strategy)  # a bad spec is the caller's mistake: raise it now
        return (lambda: registry.strategy(strategy)), made.spec()
    if not callable(getattr(strategy, "act", None)):
        raise EntenteError(
            f"check_strategy: a {type(strategy).__name__} has no act(view) method; "
            "expected a spec such as 'boulware(e=0.2)' or a strategy object"
        )
    make_spec = getattr(strategy, "spec", None)
    spec = make_spec() if callable(make_spec) else None
    if isinstance(strategy, Strategy):
        return (lambda: copy.deepcopy(strategy)), spec
    from entente import api

    label = api._spec_of(strategy)
    return (lambda: api._Given(copy.deepcopy(strategy), label)), spec


def _below(result: Result, prefs: tuple[Preferences, ...]) -> str | None:
    """The first offer or acceptance of a party below its reservation value, described."""
    table: Outcome | None = None
    for m in result.moves:
        if isinstance(m.action, Offer):
            table = m.action.outcome
        answered = m.answers if m.answers is not None else table
        if m.actor >= len(prefs) or not isinstance(m.action, Offer | Accept) or answered is None:
            continue
        p = prefs[m.actor]
        u = p(answered)
        if u < p.reservation - 1e-9:
            verb = "offers" if isinstance(m.action, Offer) else "accepts"
            return (
                f"party{m.actor} {verb} {answered} worth {u:.3f}, below its reservation value "
                f"{p.reservation:g} (round {m.round + 1})"
            )
    return None


def check_strategy(strategy: str | Any, *, strict: bool = False) -> list[str]:
    """Run the conformance suite on `strategy` (a spec, or any object with `act(view)`; each
    run plays a fresh copy) and return its failures, one line each (empty: it conforms).

    With `strict`, raise `EntenteError` with a one-line summary when anything fails.
    """
    make, spec = _maker(strategy)
    mediator = bool(getattr(make(), "mediator", False))
    failures: list[str] = []

    def play(
        where: str, protocol: Protocol, k: int, seed: int, deadline: int, build: Callable[[], Any]
    ) -> str | None:
        """Play twice with the same seed; record what fails; the trace, when all went well."""
        space, prefs = domain(k)
        traces = []
        for _ in range(2):
            if mediator:
                parties, med = [registry.strategy("linear") for _ in range(k)], build()
            else:
                parties = [build() for _ in range(k)]
                med = registry.strategy(_mediator) if protocol.mediated else None
            try:
                r = run(
                    protocol,
                    parties,
                    space,
                    prefs,
                    deadline=deadline,
                    seed=seed,
                    mediator=med,
                    informed=True,
                )
            except IllegalAction as e:
                failures.append(f"{where}: illegal move: {e}")
                return None
            except Exception as e:  # anything a strategy raises is a failure to report
                failures.append(f"{where}: {type(e).__name__}: {e}")
                return None
            problem = _below(r, prefs)
            if problem:
                failures.append(f"{where}: {problem}")
                return None
            traces.append(trace_jsonl(r, space, prefs))
        if traces[0] != traces[1]:
            failures.append(f"{where}: different moves for the same seed")
            return None
        return traces[0]

    _mediator = ""
    runs: list[tuple[str, Protocol, int]] = []
    if mediator:
        runs = [(f"mediating {k} parties", SingleText(), k) for k in (2, 3)]
        runs.append(("mediating a conference of 2 parties", Conference(bilateral=3), 2))
    else:
        runs = [(f"alternating offers, {k} parties", AlternatingOffers(), k) for k in (2, 3)]
    first: tuple[str, Protocol, int, str | None] | None = None
    for where, protocol, k in runs:
        trace = play(where, protocol, k, 5, 20, make)
        first = first or (where, protocol, k, trace)
    if not mediator:
        for _mediator in registry.strategy_names(mediator=True):
            play(f"single text under mediator {_mediator}", SingleText(), 2, 1, 15, make)
            play(f"conference under mediator {_mediator}", Conference(bilateral=3), 2, 1, 15, make)
        _mediator = ""
        play("mopac, 3 parties", Mopac(), 3, 2, 12, make)
        play("mopac, 4 parties of powers 2, 1, 1, 1", Mopac(powers=(2, 1, 1, 1)), 4, 3, 12, make)
    if spec is not None and first is not None:
        try:
            again = registry.strategy(spec)
        except EntenteError as e:
            failures.append(f"spec {quoted(spec)} does not make the strategy again: {e}")
        else:
            cls = type(make())
            if type(again) is not cls:
                failures.append(
                    f"spec {quoted(spec)} makes a {type(again).__name__}, not a {cls.__name__}"
                )
            elif again.spec() != spec:
                failures.append(f"spec {quoted(spec)} makes one whose spec is {again.spec()!r}")
            elif first[3] is not None:
                where, protocol, k, trace = first
                if play(where, protocol, k, 5, 20, lambda: registry.strategy(spec)) != trace:
                    failures.append(f"spec {quoted(spec)}: {where}: the copy plays differently")
    if strict and failures:
        name = spec or type(strategy).__name__
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise EntenteError(f"strategy {quoted(name)} fails conformance: {failures[0]}{more}")
    return failures
