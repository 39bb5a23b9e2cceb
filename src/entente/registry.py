"""One registry for strategies, protocols and built-in scenarios, addressed by strings.

A spec is a name with optional keyword parameters, e.g. "boulware(e=0.2)"; entries are
"module:attribute" paths imported only when used. The CLI, tournaments and the API all resolve
names here.

A plugin adds strategies in two ways: `register("mine", "pkg.module:Class")` in the running
program, or an entry point in the group `entente.strategies` of an installed package
(`mine = "pkg.module:Class"` under `[project.entry-points."entente.strategies"]`), read the
first time a name is not found here. Built-in names always win over a plugin's. Tournament
worker processes receive the names given to `register` when they start (`added`, `restore`);
elsewhere (a Ray cluster) a plugin must be an installed entry point.
"""

from __future__ import annotations

import ast
import functools
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
    "boa": "entente.negotiation.boa.agent:BOA",
    "hillclimb": "entente.negotiation.strategies.mediators:HillClimber",
    "informed": "entente.negotiation.strategies.mediators:Informed",
    "llm": "entente.llm.strategy:LLM",
}

_BUILTIN = dict(STRATEGIES)

PROTOCOLS: dict[str, str] = {
    "alternating": "entente.negotiation.alternating:AlternatingOffers",
    "mediated": "entente.negotiation.mediated:SingleText",
    "mopac": "entente.negotiation.mopac:Mopac",
    "conference": "entente.negotiation.conference:Conference",
}

ACCEPTANCE: dict[str, str] = {  # acceptance conditions of composed (boa) agents
    f"ac_{n}": f"entente.negotiation.boa.acceptance:AC{n.capitalize()}"
    for n in ("next", "const", "time", "combi")
}

DESCRIPTIONS: dict[str, str] = {
    "alternating": "parties take turns to offer or accept; agreement needs every party",
    "mediated": "a mediator drafts a single text; parties accept or object; the mediator revises",
    "mopac": "each round every party offers and the others vote; a deal binds a subset of parties",
    "conference": "sittings take the agenda issue by issue; then a mediator drafts from outside",
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


ENTRY_POINTS = "entente.strategies"
"""The entry-point group whose entries name plugin strategies."""

_ADDED: dict[str, str] = {}
"""The names given to `register` in this process (workers receive them)."""
_PLUGINS_READ = False


def _import(path: str) -> Any:
    module, _, attr = path.partition(":")
    value: Any = importlib.import_module(module)
    for part in attr.split("."):
        value = getattr(value, part)
    return value


def _path_of(target: str | type) -> str:
    """'module:Class' for a class or such a string, checked for form (not imported)."""
    if isinstance(target, type):
        path = f"{target.__module__}:{target.__qualname__}"
        if "<locals>" in path or target.__module__ == "__main__":
            raise StrategyError(
                f"cannot register {target.__qualname__}: expected a class importable as "
                "'module:Class' (not one defined in a function or in __main__)"
            )
        return path
    module, colon, attr = target.partition(":")
    parts = [*module.split("."), *attr.split(".")]
    if not colon or not all(p.isidentifier() for p in parts):
        raise StrategyError(f"cannot register {quoted(target)}: expected 'package.module:Class'")
    return target


def register(name: str, target: str | type, *, replace: bool = False) -> None:
    """Make strategy `target` (a class, or its 'package.module:Class' path, imported on first
    use) available under `name` in specs: API, CLI and tournaments, worker processes included.

    A name already taken is refused unless `replace` (a built-in name always is); registering
    the same target again under its name changes nothing.
    """
    if not name.isidentifier():
        raise StrategyError(f"cannot register {quoted(name)}: a name must be an identifier")
    path = _path_of(target)
    if name in _BUILTIN:
        raise StrategyError(f"cannot register {quoted(name)}: a built-in strategy has that name")
    if STRATEGIES.get(name, path) != path and not replace:
        raise StrategyError(
            f"cannot register {quoted(name)}: already names {quoted(STRATEGIES[name])} "
            "(pass replace=True to change it)"
        )
    STRATEGIES[name] = path
    _ADDED[name] = path


def added() -> dict[str, str]:
    """The names given to `register` in this process, with their paths (for `restore`)."""
    return dict(_ADDED)


def restore(names: dict[str, str]) -> None:
    """Register, in another process, the names that `added` listed."""
    for name, path in names.items():
        register(name, path, replace=True)


def _plugins() -> None:
    """Add the strategies that installed packages name under `ENTRY_POINTS` (once)."""
    global _PLUGINS_READ
    if _PLUGINS_READ:
        return
    _PLUGINS_READ = True
    import importlib.metadata  # only when a name is not found: it costs an import at startup

    for ep in importlib.metadata.entry_points(group=ENTRY_POINTS):
        STRATEGIES.setdefault(ep.name, ep.value)


def _strategy_path(name: str) -> str:
    """The path of strategy `name`, reading the plugins' entry points if it is not known."""
    if name not in STRATEGIES:
        _plugins()
    if name not in STRATEGIES:
        raise StrategyError(
            f"unknown strategy {quoted(name)}: expected one of {one_of(sorted(STRATEGIES))}"
        )
    return STRATEGIES[name]


def _load_strategy(name: str) -> Any:
    path = _strategy_path(name)
    if path == _BUILTIN.get(name):
        return _import(path)
    try:
        cls = _import(path)
    except (ImportError, AttributeError) as e:
        raise StrategyError(
            f"strategy {quoted(name)}: cannot import {quoted(path)} ({type(e).__name__}: {e})"
        ) from None
    if not isinstance(cls, type) or not callable(getattr(cls, "act", None)):
        raise StrategyError(
            f"strategy {quoted(name)}: {quoted(path)} is not a class with an act(view) method"
        )
    return cls


# attributes that say what an object is (its registered name, whether it mediates), not
# parameters a spec may set, even where a dataclass lists them in its signature
_FIXED = frozenset({"name", "mediated", "mediator"})


def parameters(cls: type) -> dict[str, inspect.Parameter]:
    """The keyword parameters a spec may give `cls`, in the order of its signature."""
    return dict(_parameters(cls))


@functools.lru_cache(maxsize=256)
def _parameters(cls: type) -> tuple[tuple[str, inspect.Parameter], ...]:
    # read once per class: a tournament makes a strategy from its spec for every negotiation
    sig = inspect.signature(cls)
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple((k, p) for k, p in sig.parameters.items() if p.kind in named and k not in _FIXED)


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
    if table is STRATEGIES:
        cls = _load_strategy(name)
    elif name not in table:
        raise StrategyError(
            f"unknown {kind} {quoted(name)}: expected one of {one_of(sorted(table))}"
        )
    else:
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


def acceptance(spec: str) -> Any:
    """An acceptance condition from its spec, e.g. 'ac_next(a=1.02, b=0)'."""
    return _make("acceptance condition", ACCEPTANCE, spec)


def strategy_class(name: str) -> Any:
    return _load_strategy(name)


def scenarios() -> list[str]:
    """Names of the built-in scenarios."""
    root = resources.files("entente") / "scenarios"
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def strategy_names(mediator: bool) -> list[str]:
    """Names of the registered strategies that draft as a mediator (or that act for a party)."""
    _plugins()
    return [
        n for n in STRATEGIES if bool(getattr(strategy_class(n), "mediator", False)) == mediator
    ]
