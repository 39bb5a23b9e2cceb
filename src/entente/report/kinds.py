"""The kinds of figure, by name: what `entente plot KIND` accepts and `--help` lists.

Kept apart from the modules that draw them so that the command line can list them without
importing the plotting libraries.
"""

from __future__ import annotations

FIGURES: dict[str, str] = {
    "space": "utility space: outcomes, Pareto frontier, bargaining points, offers, agreement",
    "concession": "each offer's utility to each party over time, the deadline, acceptances",
    "issues": "each issue's option on the table round by round, when it settled, history's",
    "ratification": "each constituency's vote and margin, the size of each party's win-set",
    "audit": "every obligation over the years, coloured by status, with the events",
    "leaderboard": "tournament: each strategy's mean utility with its confidence interval",
    "payoffs": "tournament: mean utility of each strategy against each other strategy",
    "scenarios": "tournament: mean utility of each strategy in each scenario",
    "distances": "tournament: distances of the outcomes to the Pareto frontier and the Nash point",
}
