"""Analysis of a set of utility vectors: frontier, bargaining points, distances."""

from entente.analysis.distance import frontier_distance, opposition
from entente.analysis.pareto import TIE, pareto_front, pareto_mask, tolerance
from entente.analysis.points import egalitarian, kalai_smorodinsky, max_welfare, nash

__all__ = [
    "TIE",
    "egalitarian",
    "frontier_distance",
    "kalai_smorodinsky",
    "max_welfare",
    "nash",
    "opposition",
    "pareto_front",
    "pareto_mask",
    "tolerance",
]
