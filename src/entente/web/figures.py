"""The figures the pages draw: entente.report's Vega-Lite specifications, nothing drawn anew.

- `live(game, seat)`: while a game runs: the offers so far in the seat's utility and its own
  concession curve (`report.concession`, keeping only the rows of utility to this seat: a
  player never sees another party's utilities through it), and the full utility space
  (`report.utility_space`) only when the game's settings show it.
- `debrief(game, seat)`: at the end: the utility space of the seat and the first other party
  (frontier, Nash point, both paths, the agreement, history), every party's concession curve,
  and the issues over time.
- `replay(scenario, result)`: the same figures as the debrief for a watched negotiation.
Specs are cached per game and number of moves (a figure of a given game state never changes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from entente.negotiation.actions import Offer

if TYPE_CHECKING:
    from entente.negotiation.session import Result
    from entente.scenario import Scenario
    from entente.web.game import Game

_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any] | None] = OrderedDict()
_LOCK = threading.Lock()


def _cached(key: tuple[Any, ...], make: Any) -> dict[str, Any] | None:
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = make()
    with _LOCK:
        _CACHE[key] = value
        while len(_CACHE) > 256:
            _CACHE.popitem(last=False)
    return value


def _spec(chart: Any) -> dict[str, Any]:
    from entente.report.export import spec

    return spec(chart)


def only_party(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """The spec with every data row that gives another party's utility left out, and the
    colour scales of parties narrowed to that one party (its colour kept)."""
    data = spec.get("datasets", {})
    spec["datasets"] = {
        key: [r for r in rows if not (isinstance(r, dict) and "party" in r and r["party"] != name)]
        for key, rows in data.items()
    }
    _narrow(spec, name)
    return spec


def _narrow(node: Any, name: str) -> None:
    if isinstance(node, list):
        for x in node:
            _narrow(x, name)
        return
    if not isinstance(node, dict):
        return
    scale = node.get("scale")
    if node.get("field") == "party" and isinstance(scale, dict):
        domain, colours = scale.get("domain"), scale.get("range")
        if isinstance(domain, list) and isinstance(colours, list) and name in domain:
            k = domain.index(name)
            if len(colours) == len(domain):
                scale["range"] = [colours[k]]
            scale["domain"] = [name]
    for key, value in node.items():
        if key != "datasets":
            _narrow(value, name)


def one_column(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with its panels one under the other (a page's column is narrow)."""
    if "columns" in spec:
        spec["columns"] = 1
    return spec


def _has_offers(result: Result) -> bool:
    return any(isinstance(m.action, Offer) for m in result.moves)


def _pair(game: Game, seat: str) -> tuple[int, int]:
    me = game.parties.index(seat)
    other = 0 if me != 0 else 1
    return (me, other)


def live(game: Game, seat: str, key: str = "") -> dict[str, Any]:
    from entente import report

    result = game.provisional()
    n = len(game.moves)
    me = game.parties.index(seat)
    name = game.names[me]
    offers = None
    if _has_offers(result):
        offers = _cached(
            ("live", key, n, seat),
            lambda: one_column(only_party(_spec(report.concession(game.scenario, result)), name)),
        )
    space = None
    if game.settings.show_space and len(game.parties) >= 2:
        space = _cached(
            ("space", key, n, seat),
            lambda: _spec(report.utility_space(game.scenario, result, pair=_pair(game, seat))),
        )
    return {"offers": offers, "space": space}


def debrief(game: Game, seat: str, key: str = "") -> dict[str, Any]:
    result = game.result()
    assert result is not None
    pair = _pair(game, seat) if len(game.parties) >= 2 else None
    return replay(game.scenario, result, pair, ("debrief", key, len(game.moves), seat))


def replay(
    scenario: Scenario,
    result: Result,
    pair: tuple[int, int] | None = (0, 1),
    key: tuple[Any, ...] | None = None,
) -> dict[str, Any]:
    from entente import report

    def make() -> dict[str, Any]:
        out: dict[str, Any] = {"space": None, "offers": None, "issues": None}
        if len(scenario.parties) >= 2 and pair is not None:
            out["space"] = _spec(report.utility_space(scenario, result, pair=pair))
        if _has_offers(result):
            out["offers"] = _spec(report.concession(scenario, result))
            out["issues"] = _spec(report.issues_over_time(scenario, result))
        return out

    if key is None:
        return make()
    got = _cached(key, make)
    assert got is not None
    return got
