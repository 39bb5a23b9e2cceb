"""Tournaments: every strategy against every other on every scenario, stored durably."""

from entente.tournament.executors import Auto, InProcess, Processes, Ray, executor
from entente.tournament.leaderboard import Standing, leaderboard
from entente.tournament.runner import Summary, run_tournament
from entente.tournament.store import Store

__all__ = [
    "Auto",
    "InProcess",
    "Processes",
    "Ray",
    "Standing",
    "Store",
    "Summary",
    "executor",
    "leaderboard",
    "run_tournament",
]
