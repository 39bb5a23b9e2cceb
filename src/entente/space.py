"""Issues and outcome spaces.

An outcome is a row of option indices, one per issue; a flat id is its mixed-radix number.
Labels live on the issues and are used only at the edges (files, screens).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from entente.errors import EntenteError, one_of, quoted

IssueKind = Literal["categorical", "ordinal", "integer", "real"]
Outcomes = NDArray[np.int64]
"""An (m, n) array of option indices: m outcomes over n issues."""

MAX_ENUMERABLE = 20_000_000
"""Spaces larger than this are sampled and searched, never listed."""

MAX_OPTIONS = 1_000_000
"""Options of one issue, at most. A space may be far larger than MAX_ENUMERABLE, since it is
sampled, but each issue's options (labels, value tables, neighbourhoods) are held in memory."""


@dataclass(frozen=True)
class Issue:
    """One matter under negotiation, with its options in a fixed order.

    `values` holds the number each option stands for (integer and real issues); categorical and
    ordinal issues have none. Ordinal options are listed from lowest to highest.
    """

    id: str
    options: tuple[str, ...]
    kind: IssueKind = "categorical"
    name: str = ""
    values: tuple[float, ...] | None = None
    labels: tuple[str, ...] | None = None
    """Longer human-readable names of the options, where the ids are terse."""

    _pos: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.options:
            raise EntenteError(f"issue {quoted(self.id)} has no options")
        if len(self.options) > MAX_OPTIONS:
            raise EntenteError(_too_many(self.id, len(self.options), "list fewer options"))
        if self.values is not None and len(self.values) != len(self.options):
            raise EntenteError(
                f"issue {quoted(self.id)}: {len(self.values)} values for {len(self.options)} options"
            )
        if self.labels is not None and len(self.labels) != len(self.options):
            raise EntenteError(
                f"issue {quoted(self.id)}: {len(self.labels)} labels for {len(self.options)} options"
            )
        pos = {o: k for k, o in enumerate(self.options)}
        if len(pos) != len(self.options):
            seen: set[str] = set()
            for o in self.options:
                if o in seen:
                    raise EntenteError(
                        f"issue {quoted(self.id)} has option id {quoted(o)} twice "
                        "(each option needs an id of its own)"
                    )
                seen.add(o)
        object.__setattr__(self, "_pos", pos)

    @property
    def size(self) -> int:
        return len(self.options)

    @property
    def title(self) -> str:
        return self.name or self.id

    def label(self, k: int) -> str:
        """The readable name of option k."""
        return self.labels[k] if self.labels else self.options[k]

    def index(self, label: str) -> int:
        """Index of the option with id `label`."""
        k = self._pos.get(label)
        if k is None:
            raise EntenteError(
                f"issue {quoted(self.id)} has no option {quoted(label)}: "
                f"expected one of {one_of(self.options)}"
            )
        return k

    def at(self, number: float) -> int:
        """Index of the option standing for `number` (integer and real issues)."""
        if self.values is None:
            raise EntenteError(
                f"issue {quoted(self.id)} is {self.kind}: name one of its options "
                f"({one_of(self.options)}), not a number"
            )
        vals = np.asarray(self.values)
        k = int(np.argmin(np.abs(vals - number))) if math.isfinite(number) else 0
        if not abs(vals[k] - number) <= 1e-9 * max(1.0, abs(number)):
            raise EntenteError(
                f"issue {quoted(self.id)} has no option {quoted(number)}: expected a number "
                f"from {self.options[0]} to {self.options[-1]}"
                + (" in whole steps" if self.kind == "integer" else " on its grid")
            )
        return k


def _too_many(id: str, n: float, advice: str) -> str:
    many = f"{n:,.0f} options, more than" if math.isfinite(n) else "more options than"
    return f"issue {quoted(id)} would have {many} the limit of {MAX_OPTIONS:,} per issue ({advice})"


def categorical(id: str, options: list[str] | tuple[str, ...], name: str = "") -> Issue:
    """An issue whose options have no order."""
    return Issue(id, tuple(options), "categorical", name)


def ordinal(id: str, options: list[str] | tuple[str, ...], name: str = "") -> Issue:
    """An issue whose options are ordered, lowest first."""
    return Issue(id, tuple(options), "ordinal", name)


def integer(id: str, low: int, high: int, name: str = "") -> Issue:
    """An issue taking every whole number from `low` to `high` inclusive."""
    if high < low:
        raise EntenteError(f"issue {quoted(id)}: integer range {low}..{high} is empty")
    if high - low + 1 > MAX_OPTIONS:
        raise EntenteError(_too_many(id, high - low + 1, "narrow its range from low to high"))
    vals = range(low, high + 1)
    return Issue(id, tuple(str(v) for v in vals), "integer", name, tuple(float(v) for v in vals))


def real(id: str, low: float, high: float, resolution: float, name: str = "") -> Issue:
    """A continuous issue cut into steps of `resolution` from `low` to `high` inclusive."""
    if not all(math.isfinite(x) for x in (low, high, resolution)):
        raise EntenteError(f"issue {quoted(id)}: low, high and resolution must be finite numbers")
    if not (resolution > 0 and high >= low):
        raise EntenteError(
            f"issue {quoted(id)}: a real range needs low <= high and a positive resolution"
        )
    steps = (high - low) / resolution
    if not steps < MAX_OPTIONS:  # an overflow to inf is refused too
        advice = "coarsen its resolution or narrow its range"
        raise EntenteError(
            _too_many(id, math.floor(steps) + 1 if math.isfinite(steps) else steps, advice)
        )
    n = math.floor(steps + 1e-9) + 1
    vals = np.linspace(low, low + (n - 1) * resolution, n)
    if vals[-1] < high - 1e-12:
        vals = np.append(vals, high)
    return Issue(id, _number_labels(vals), "real", name, tuple(float(v) for v in vals))


def _number_labels(vals: NDArray[np.float64]) -> tuple[str, ...]:
    """Short labels of distinct numbers: 6 significant digits, more where 6 would merge two."""
    for digits in (6, 9, 12, 15, 17):
        labels = tuple(f"{v:.{digits}g}" for v in vals)
        if len(set(labels)) == len(labels):
            return labels
    return labels


@dataclass(frozen=True)
class OutcomeSpace:
    """The cartesian product of a tuple of issues."""

    issues: tuple[Issue, ...]
    _ids: dict[str, int] = field(init=False, repr=False, compare=False)
    _shape: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ids = {iss.id: i for i, iss in enumerate(self.issues)}
        if len(ids) != len(self.issues):
            raise EntenteError("two issues share an id")
        object.__setattr__(self, "_ids", ids)
        object.__setattr__(self, "_shape", tuple(iss.size for iss in self.issues))

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def n_issues(self) -> int:
        return len(self.issues)

    @property
    def size(self) -> int:
        """Number of outcomes (a Python int: it may exceed 2**63)."""
        return math.prod(self.shape)

    @property
    def enumerable(self) -> bool:
        return self.size <= MAX_ENUMERABLE

    def issue_index(self, issue_id: str) -> int:
        try:
            return self._ids[issue_id]
        except KeyError:
            raise EntenteError(
                f"no issue {issue_id!r}: expected one of {', '.join(self._ids)}"
            ) from None

    def all(self) -> Outcomes:
        """Every outcome, in flat-id order; refuses a space too large to list."""
        if not self.enumerable:
            raise EntenteError(
                f"the outcome space has {self.size:.3g} outcomes, too many to list "
                f"(limit {MAX_ENUMERABLE:,}); sample or search it instead"
            )
        return self.unflat(np.arange(self.size, dtype=np.int64))

    def flat(self, outcomes: Outcomes) -> NDArray[np.int64]:
        """Flat ids (mixed radix, first issue most significant) of an (m, n) array."""
        o = np.asarray(outcomes, dtype=np.int64)
        ids: NDArray[np.int64] = np.ravel_multi_index(tuple(o.T), self.shape).astype(np.int64)
        return ids

    def unflat(self, ids: NDArray[np.int64]) -> Outcomes:
        """The (m, n) outcomes with flat ids `ids`."""
        cols = np.unravel_index(np.asarray(ids, dtype=np.int64), self.shape)
        n = len(cols)
        out = np.empty((cols[0].size if n else 0, n), dtype=np.int64)
        for j, col in enumerate(cols):
            out[:, j] = col.reshape(-1)
        return out

    def sample(self, rng: np.random.Generator, m: int) -> Outcomes:
        """m outcomes drawn uniformly (with replacement), without listing the space."""
        return np.stack([rng.integers(0, s, size=m) for s in self.shape], axis=1).astype(np.int64)

    def contains(self, outcome: tuple[int, ...] | Outcomes) -> bool:
        # one outcome, as offers carry it: checked without building an array
        if (
            type(outcome) is tuple
            and len(outcome) == len(self._shape)
            and all(
                type(x) is int and 0 <= x < s for x, s in zip(outcome, self._shape, strict=True)
            )
        ):
            return True
        o = np.asarray(outcome).reshape(-1, self.n_issues)
        return bool(((o >= 0) & (o < np.asarray(self.shape))).all())

    def labels(self, outcome: tuple[int, ...] | NDArray[np.int64]) -> dict[str, str]:
        """{issue id: option label} for one outcome: the form users read."""
        return {iss.id: iss.options[int(k)] for iss, k in zip(self.issues, outcome, strict=True)}

    def ids(self, outcome: tuple[int, ...] | NDArray[np.int64]) -> dict[str, int]:
        """{issue id: option index} for one outcome: the form JSON output carries."""
        return {iss.id: int(k) for iss, k in zip(self.issues, outcome, strict=True)}

    def parse(self, labels: dict[str, str]) -> tuple[int, ...]:
        """The outcome naming `labels` ({issue id: option label}); every issue must be named."""
        missing = [iss.id for iss in self.issues if iss.id not in labels]
        if missing:
            raise EntenteError(f"outcome leaves out issue(s) {', '.join(missing)}")
        extra = [k for k in labels if k not in self._ids]
        if extra:
            raise EntenteError(f"outcome names unknown issue(s) {', '.join(extra)}")
        return tuple(iss.index(labels[iss.id]) for iss in self.issues)


class Neighbourhood:
    """Every outcome one issue away from a given one, built with array indexing.

    Rows come issue by issue, options in order; `issue[r]` is the issue row r changes (the
    given outcome itself appears once per issue).
    """

    def __init__(self, space: OutcomeSpace) -> None:
        shape = np.asarray(space.shape)
        self.issue = np.repeat(np.arange(len(shape)), shape)
        self.value = np.concatenate([np.arange(s) for s in shape]).astype(np.int64)
        self.rows = np.arange(len(self.issue))

    def of(self, x: NDArray[np.int64]) -> Outcomes:
        nb = np.repeat(x[None, :], len(self.issue), axis=0)
        nb[self.rows, self.issue] = self.value
        return nb
