"""entente: model, negotiate, write and audit international agreements.

import entente
scenario = entente.load("portsmouth")
result = entente.negotiate(scenario, seed=1)
result.agreement, result.utilities, entente.frontier(scenario).nash

`import entente` imports nothing else: each name below is imported from its module the first
time it is used, so a program (or the `entente` command) pays only for what it touches.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the same names, eagerly, for type checkers
    from entente.api import load, negotiate
    from entente.audit import audit
    from entente.calendar import Date
    from entente.conformance import check_strategy
    from entente.errors import EntenteError, ScenarioError, StrategyError
    from entente.front import Frontier, frontier, table
    from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk
    from entente.negotiation.session import Result, run, trace_jsonl
    from entente.negotiation.strategies.base import Negotiator, Strategy
    from entente.overview import overview
    from entente.prefs import Preferences
    from entente.registry import register
    from entente.scenario import Scenario
    from entente.settlement import ratify, settle, win_set
    from entente.space import Issue, OutcomeSpace
    from entente.summary import Summary, summarize
    from entente.treaty.build import build as build_treaty
    from entente.uncertainty import Sensitivity, sensitivity

_WHERE = {
    "Accept": "entente.negotiation.actions",
    "Action": "entente.negotiation.actions",
    "Date": "entente.calendar",
    "EntenteError": "entente.errors",
    "Frontier": "entente.front",
    "Issue": "entente.space",
    "Negotiator": "entente.negotiation.strategies.base",
    "Offer": "entente.negotiation.actions",
    "OutcomeSpace": "entente.space",
    "Preferences": "entente.prefs",
    "Reject": "entente.negotiation.actions",
    "Result": "entente.negotiation.session",
    "Scenario": "entente.scenario",
    "ScenarioError": "entente.errors",
    "Sensitivity": "entente.uncertainty",
    "Strategy": "entente.negotiation.strategies.base",
    "StrategyError": "entente.errors",
    "Summary": "entente.summary",
    "Walk": "entente.negotiation.actions",
    "audit": "entente.audit",
    "build_treaty": "entente.treaty.build:build",
    "check_strategy": "entente.conformance",
    "frontier": "entente.front",
    "load": "entente.api",
    "negotiate": "entente.api",
    "overview": "entente.overview",
    "ratify": "entente.settlement",
    "register": "entente.registry",
    "run": "entente.negotiation.session",
    "sensitivity": "entente.uncertainty",
    "settle": "entente.settlement",
    "summarize": "entente.summary",
    "table": "entente.front",
    "trace_jsonl": "entente.negotiation.session",
    "win_set": "entente.settlement",
}
"""Where each public name lives: 'module' (same name there) or 'module:name'."""

__all__ = [
    "Accept",
    "Action",
    "Date",
    "EntenteError",
    "Frontier",
    "Issue",
    "Negotiator",
    "Offer",
    "OutcomeSpace",
    "Preferences",
    "Reject",
    "Result",
    "Scenario",
    "ScenarioError",
    "Sensitivity",
    "Strategy",
    "StrategyError",
    "Summary",
    "Walk",
    "audit",
    "build_treaty",
    "check_strategy",
    "frontier",
    "load",
    "negotiate",
    "overview",
    "ratify",
    "register",
    "run",
    "sensitivity",
    "settle",
    "summarize",
    "table",
    "trace_jsonl",
    "win_set",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, then keep it here."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'entente' has no attribute {name!r}")
    module, _, attr = where.partition(":")
    value = getattr(import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(ModuleType):
    """The `entente` module, whose public names stay what `__all__` says they are.

    Three public functions share their name with a module (`audit`, `overview`, `table`).
    Importing such a module sets the package's attribute of that name to the module; here that
    attribute is left alone, so `entente.table` stays the function (and is found by
    `__getattr__` on first use), as it was when this file imported every name eagerly.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in _WHERE and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
