"""One registry for strategies, protocols and built-in scenarios, addressed by strings.

A spec is a name with optional keyword parameters, e.g. "boulware(e=0.2)"; entries are
"module:attribute" paths imported only when used. The CLI, tournaments and the API all resolve
names here.
"""

from __future__ import annotations

import ast
import importlib
from importlib import resources
from typing import Any

from entente.errors import StrategyError

STRATEGIES: dict[str, str] = {
    "timedep": "entente.negotiation.strategies.concession:TimeDependent",
    "boulware": "entente.negotiation.strategies.concession:Boulware",
    "linear": "entente.negotiation.strategies.concession:Linear",
    "conceder": "entente.negotiation.strategies.concession:Conceder",
    "aspiration": "entente.negotiation.strategies.concession:Aspiration",
    "hardliner": "entente.negotiation.strategies.concession:Hardliner",
    "tit_for_tat": "entente.negotiation.strategies.reactive:TitForTat",
    "random": "entente.negotiation.strategies.reactive:RandomStrategy",
    "learner": "entente.negotiation.strategies.learning:FrequencyLearner",
    "hillclimb": "entente.negotiation.strategies.mediators:HillClimber",
    "informed": "entente.negotiation.strategies.mediators:Informed",
}

PROTOCOLS: dict[str, str] = {
    "alternating": "entente.negotiation.alternating:AlternatingOffers",
    "mediated": "entente.negotiation.mediated:SingleText",
}

DESCRIPTIONS: dict[str, str] = {
    "alternating": "parties take turns to offer or accept; agreement needs every party",
    "mediated": "a mediator drafts a single text; parties accept or object; the mediator revises",
}


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """'boulware(e=0.2)' -> ('boulware', {'e': 0.2}); parameters must be literals."""
    text = spec.strip()
    try:
        node = ast.parse(text if "(" in text else text + "()", mode="eval").body
    except SyntaxError:
        raise StrategyError(
            f"cannot read spec {spec!r}: expected name or name(key=value, ...)"
        ) from None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)) or node.args:
        raise StrategyError(f"cannot read spec {spec!r}: expected name or name(key=value, ...)")
    params: dict[str, Any] = {}
    for kw in node.keywords:
        try:
            params[str(kw.arg)] = ast.literal_eval(kw.value)
        except ValueError:
            raise StrategyError(
                f"spec {spec!r}: parameter {kw.arg!r} must be a literal value"
            ) from None
    return node.func.id, params


def _import(path: str) -> Any:
    module, attr = path.split(":")
    return getattr(importlib.import_module(module), attr)


def _make(kind: str, table: dict[str, str], spec: str) -> Any:
    name, params = parse_spec(spec)
    if name not in table:
        raise StrategyError(f"unknown {kind} {name!r}: expected one of {', '.join(sorted(table))}")
    cls = _import(table[name])
    try:
        return cls(**params)
    except (TypeError, ValueError) as e:
        raise StrategyError(f"{kind} {spec!r}: {e}") from None


def strategy(spec: str) -> Any:
    """A new strategy object from its spec (each negotiation needs its own)."""
    return _make("strategy", STRATEGIES, spec)


def protocol(spec: str) -> Any:
    """A protocol object from its spec."""
    return _make("protocol", PROTOCOLS, spec)


def strategy_class(name: str) -> Any:
    if name not in STRATEGIES:
        raise StrategyError(
            f"unknown strategy {name!r}: expected one of {', '.join(sorted(STRATEGIES))}"
        )
    return _import(STRATEGIES[name])


def scenarios() -> list[str]:
    """Names of the built-in scenarios."""
    root = resources.files("entente") / "scenarios"
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))
