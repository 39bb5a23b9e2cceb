"""entente: model, negotiate, write and audit international agreements.

import entente
scenario = entente.load("portsmouth")
result = entente.negotiate(scenario, seed=1)
result.agreement, result.utilities, entente.frontier(scenario).nash
"""

from entente.api import Frontier, frontier, load, negotiate, table
from entente.audit import audit
from entente.calendar import Date
from entente.errors import EntenteError, ScenarioError, StrategyError
from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk
from entente.negotiation.session import Result, run, trace_jsonl
from entente.negotiation.strategies.base import Negotiator, Strategy
from entente.overview import overview
from entente.prefs import Preferences
from entente.scenario import Scenario
from entente.settlement import ratify, settle, win_set
from entente.space import Issue, OutcomeSpace
from entente.summary import Summary, summarize
from entente.treaty.build import build as build_treaty

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
    "Strategy",
    "StrategyError",
    "Summary",
    "Walk",
    "audit",
    "build_treaty",
    "frontier",
    "load",
    "negotiate",
    "overview",
    "ratify",
    "run",
    "settle",
    "summarize",
    "table",
    "trace_jsonl",
    "win_set",
]
