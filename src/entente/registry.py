"""One registry for strategies, protocols and built-in scenarios, addressed by strings.

A spec is a name with optional keyword parameters, e.g. "boulware(e=0.2)"; entries are
"module:attribute" paths imported only when used. The CLI, tournaments and the API all resolve
names here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import math
from importlib import resources
from typing import Any

from entente.errors import StrategyError, one_of, quoted

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
    "micro": "entente.negotiation.strategies.micro:MiCRO",
    "hardheaded": "entente.negotiation.strategies.hardheaded:HardHeaded",
    "agentk": "entente.negotiation.strategies.agentk:AgentK",
    "cuhk": "entente.negotiation.strategies.cuhk:CUHKAgent",
    "atlas3": "entente.negotiation.strategies.atlas3:Atlas3",
    "nice_tft": "entente.negotiation.strategies.nicetft:NiceTitForTat",
    "rvfit": "entente.negotiation.strategies.rvfit:ReservationFitter",
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
            f"cannot read spec {quoted(spec)}: expected name or name(key=value, ...)"
        ) from None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)) or node.args:
        raise StrategyError(
            f"cannot read spec {quoted(spec)}: expected name or name(key=value, ...)"
        )
    params: dict[str, Any] = {}
    for kw in node.keywords:
        try:
            params[str(kw.arg)] = ast.literal_eval(kw.value)
        except ValueError:
            raise StrategyError(
                f"spec {quoted(spec)}: parameter {quoted(kw.arg)} must be a literal value"
            ) from None
    return node.func.id, params


def _import(path: str) -> Any:
    module, attr = path.split(":")
    return getattr(importlib.import_module(module), attr)


# attributes that say what an object is (its registered name, whether it mediates), not
# parameters a spec may set, even where a dataclass lists them in its signature
_FIXED = frozenset({"name", "mediated", "mediator"})


def parameters(cls: type) -> dict[str, inspect.Parameter]:
    """The keyword parameters a spec may give `cls`, in the order of its signature."""
    sig = inspect.signature(cls)
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {k: p for k, p in sig.parameters.items() if p.kind in named and k not in _FIXED}


def _wanted(default: Any, value: Any) -> str | None:
    """What a parameter whose default is `default` must be, when `value` is not that."""
    if isinstance(value, float) and not math.isfinite(value):
        return "a finite number"
    if default is inspect.Parameter.empty or default is None:
        return None
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "True or False"
    if isinstance(default, int):
        return None if isinstance(value, int) and not isinstance(value, bool) else "a whole number"
    if isinstance(default, float):
        return (
            None if isinstance(value, int | float) and not isinstance(value, bool) else "a number"
        )
    if isinstance(default, str):
        return None if isinstance(value, str) else "a string"
    return None


def _check(name: str, cls: type, params: dict[str, Any]) -> None:
    """Refuse parameters `cls` does not take, and values unlike the default's type."""
    accepted = parameters(cls)
    for key, value in params.items():
        if key not in accepted:
            expected = (
                f"expected one of: {one_of(accepted)}" if accepted else "it takes no parameters"
            )
            raise StrategyError(f"{name} has no parameter {quoted(key)} ({expected})")
        want = _wanted(accepted[key].default, value)
        if want:
            raise StrategyError(f"{name} parameter {key!r} must be {want} (got {quoted(value)})")
    missing = [k for k, p in accepted.items() if p.default is p.empty and k not in params]
    if missing:
        raise StrategyError(f"{name} needs parameter(s) {one_of(missing)}")


def _make(kind: str, table: dict[str, str], spec: str) -> Any:
    name, params = parse_spec(spec)
    if name not in table:
        raise StrategyError(
            f"unknown {kind} {quoted(name)}: expected one of {one_of(sorted(table))}"
        )
    cls = _import(table[name])
    _check(name, cls, params)
    try:
        return cls(**params)
    except (TypeError, ValueError) as e:
        raise StrategyError(f"{kind} {quoted(spec)}: {e}") from None


def strategy(spec: str) -> Any:
    """A new strategy object from its spec (each negotiation needs its own)."""
    return _make("strategy", STRATEGIES, spec)


def protocol(spec: str) -> Any:
    """A protocol object from its spec."""
    return _make("protocol", PROTOCOLS, spec)


def strategy_class(name: str) -> Any:
    if name not in STRATEGIES:
        raise StrategyError(
            f"unknown strategy {quoted(name)}: expected one of {one_of(sorted(STRATEGIES))}"
        )
    return _import(STRATEGIES[name])


def scenarios() -> list[str]:
    """Names of the built-in scenarios."""
    root = resources.files("entente") / "scenarios"
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def strategy_names(mediator: bool) -> list[str]:
    """Names of the registered strategies that draft as a mediator (or that act for a party)."""
    return [n for n in STRATEGIES if bool(strategy_class(n).mediator) == mediator]
