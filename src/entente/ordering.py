"""Fast exact orderings of utility arrays: the sort behind each party's order of outcomes, and
the ladder of utility bands that answers "the outcome nearest a target" without a full sort.

Both give exactly what a stable argsort would; they are only faster on large spaces.
"""

from __future__ import annotations

import bisect
from functools import cached_property, lru_cache

import numpy as np
from numpy.typing import NDArray

from entente.prefs import Floats


def descending(values: Floats) -> NDArray[np.int64]:
    """The positions of `values` from largest to smallest, ties by position.

    Equal to `np.argsort(-values, kind="stable")`, faster: each value is cut to an integer
    rank bucket packed with its position into one int64 key, the keys are sorted (unstable,
    they are distinct), and the rare buckets that hold different values are sorted exactly.
    """
    v = np.asarray(values, dtype=np.float64)
    n = len(v)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    lo, hi = float(v.min()), float(v.max())
    scale = q_max_for(n) / (hi - lo) if hi > lo else 0.0
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < scale < np.inf) or _tie_heavy(v):
        # many values a few ulps apart (sums of a few table entries) gain nothing here
        return np.argsort(-v, kind="stable")
    pos_bits = (n - 1).bit_length()
    q_max = q_max_for(n)
    # (hi - v) * scale is non-decreasing as v falls, so buckets never invert the order;
    # the steps are done in place: on large arrays fresh allocations cost as much as the work
    keys = np.subtract(hi, v)
    q = np.multiply(keys, scale, out=keys.view(np.int64), casting="unsafe")
    np.minimum(q, q_max, out=q)
    np.left_shift(q, pos_bits, out=q)
    np.bitwise_or(q, np.arange(n, dtype=np.int64), out=q)
    q.sort()
    pos = q & ((1 << pos_bits) - 1)
    qs = np.right_shift(q, pos_bits, out=q)
    vs = v[pos]
    same = qs[1:] == qs[:-1]
    mixed = same & (vs[1:] != vs[:-1])
    if mixed.any():
        # buckets holding values a few ulps apart: order those by their exact bits
        run = np.cumsum(np.r_[True, ~same]) - 1
        bad = np.zeros(int(run[-1]) + 1, dtype=bool)
        bad[run[1:][mixed]] = True
        fix = np.flatnonzero(bad[run])
        order = _by_bits(run[fix], vs[fix], pos[fix], pos_bits) if len(fix) < n // 4 else None
        if order is None:
            return np.argsort(-v, kind="stable")
        pos[fix] = order
    return pos


def q_max_for(n: int) -> int:
    """The largest bucket number that still leaves room for n positions in an int64 key."""
    return (1 << min(61 - (n - 1).bit_length(), 52)) - 1


def _tie_heavy(v: Floats, sample: int = 4096) -> bool:
    """Whether a sample of the values repeats itself a lot (after rounding off the last bits)."""
    s = v[:: max(1, len(v) // sample)]
    return len(np.unique(np.round(s, 12))) < len(s) // 2


def _by_bits(
    run: NDArray[np.int64], v: Floats, pos: NDArray[np.int64], pos_bits: int
) -> NDArray[np.int64] | None:
    """`pos` reordered by (run, value descending, pos) where each run spans a few ulps; None
    when the runs are too wide to pack into one int64 key."""
    b = np.add(v, 0.0).view(np.int64)  # + 0.0 folds -0.0 into 0.0
    m = np.where(b < 0, b ^ np.int64(0x7FFFFFFFFFFFFFFF), b)  # integers in the floats' order
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    seg = np.cumsum(np.r_[False, run[1:] != run[:-1]])
    with np.errstate(over="ignore"):
        d = np.maximum.reduceat(m, starts)[seg] - m
    if len(d) == 0 or d.min() < 0:
        return None
    d_bits = int(d.max()).bit_length()
    shift = d_bits + pos_bits
    if shift + int(seg[-1]).bit_length() > 62:
        return None
    key = (seg << shift) | (d << pos_bits) | pos
    key.sort()
    return key & ((1 << pos_bits) - 1)


@lru_cache(maxsize=1)
def _positions(n: int) -> NDArray[np.uint32]:
    """0..n-1 as uint32, kept for the next party's ladder over the same table."""
    a = np.arange(n, dtype=np.uint32)
    a.setflags(write=False)
    return a


class Ladder:
    """One party's acceptable outcomes cut into bands of utility, lowest band first.

    Answers what a full sort would (best, worst, the cheapest outcome above a target) with one
    grouping pass and a scan of one band per question; a band is sorted only when it is large.
    `ids` None means every outcome, in flat-id order.
    """

    PER_BAND = 64
    """About this many outcomes per band, as far as a 32-bit grouping key allows."""
    SORT_ABOVE = 4096
    """Bands larger than this are sorted on first use instead of scanned."""

    def __init__(self, ids: NDArray[np.int64] | None, values: Floats) -> None:
        n = len(values)
        self.size = n
        self.top = float(values.max()) if n else 0.0
        self.bottom = float(values.min()) if n else 0.0
        self._all_ids = ids
        self._all_values = values
        spread = self.top - self.bottom
        room = 32 - max(1, (n - 1).bit_length())  # bits left for the band in a 32-bit key
        most = (1 << max(room, 8)) - 1
        bands = min(max(n // self.PER_BAND, 1), most, 65535) if 0 < spread < np.inf else 1
        # band arithmetic in single precision where the values allow (half the memory traffic);
        # rounding is monotone, so bands still never invert the order of values
        small = max(abs(self.top), abs(self.bottom)) < 1e30
        self._float: type[np.floating] = np.float32 if small else np.float64
        self._scale = self._float(bands / spread if bands > 1 else 0.0)
        self._low = self._float(self.bottom)
        self._bands = bands
        by_band, starts = self._group(values)
        self._ids = by_band if ids is None else ids[by_band]
        # plain lists: each question reads a couple of entries, faster than array indexing
        self._starts: list[int] = starts.tolist()
        self._filled: list[int] = np.flatnonzero(np.diff(starts)).tolist()
        self._summaries: dict[int, tuple[float, float, int]] = {}
        self._sorted: dict[int, tuple[Floats, NDArray[np.integer]]] = {}

    @cached_property
    def best_id(self) -> int:
        """Flat id of the best outcome (ties: the lowest id), or -1 when there is none."""
        if not self.size:
            return -1
        j = int(np.argmax(self._all_values))
        return j if self._all_ids is None else int(self._all_ids[j])

    def _group(self, values: Floats) -> tuple[NDArray[np.integer], NDArray[np.int64]]:
        """Positions grouped by band (ascending within a band) and where each band starts.

        The band is non-decreasing in the value, so a higher band never holds a lower
        utility. Band and position are packed into one 32-bit key when they fit, and the keys
        sorted: a stable grouping at the price of one small sort.
        """
        n, bands = len(values), self._bands
        pos_bits = max(1, (n - 1).bit_length())
        if bands == 1:
            return np.arange(n, dtype=np.int64), np.array([0, n], dtype=np.int64)
        x = np.subtract(values, self._low, dtype=self._float)
        x *= self._scale
        np.minimum(x, bands - 1, out=x)
        if pos_bits + bands.bit_length() > 32:
            band = x.astype(np.uint16)
            starts = np.zeros(bands + 1, dtype=np.int64)
            np.cumsum(np.bincount(band, minlength=bands), out=starts[1:])
            return np.argsort(band, kind="stable"), starts
        key = x.astype(np.uint32)
        key <<= pos_bits
        key |= _positions(n)
        key.sort()
        firsts = np.arange(bands + 1, dtype=np.uint32) << np.uint32(pos_bits)
        starts = np.searchsorted(key, firsts).astype(np.int64)
        key &= (1 << pos_bits) - 1
        return key, starts

    def _value(self, ids: NDArray[np.integer]) -> Floats:
        if self._all_ids is None:
            return self._all_values[ids]
        return self._all_values[np.searchsorted(self._all_ids, ids)]

    def nearest(self, target: float) -> int:
        """Flat id of the outcome worth the least among those worth at least `target` (ties:
        the highest id), or -1 when none reaches it: the last of `order` above `target`."""
        if not self.size or not target <= self.top:
            return -1
        if target <= self.bottom:
            k = 0
        else:
            k = int(min((self._float(target) - self._low) * self._scale, self._bands - 1))
        low, high, cheapest = self._summary(k)
        if target > high:
            # nothing in band k reaches the target: the cheapest of the next band holding any
            filled = self._filled
            return self._summary(filled[bisect.bisect_right(filled, k)])[2]
        return cheapest if target <= low else self._scan(k, target)

    def _summary(self, k: int) -> tuple[float, float, int]:
        """Band k's lowest and highest value and the highest id worth the lowest value."""
        got = self._summaries.get(k)
        if got is None:
            ids = self._ids[self._starts[k] : self._starts[k + 1]]
            if len(ids) == 0:
                got = (np.inf, -np.inf, -1)
            else:
                vals = self._value(ids)
                low = vals.min()
                got = (float(low), float(vals.max()), _last_at(ids, vals, low))
            self._summaries[k] = got
        return got

    def _scan(self, k: int, target: float) -> int:
        """The answer when band k holds values on both sides of the target."""
        a, b = self._starts[k], self._starts[k + 1]
        if b - a > self.SORT_ABOVE:
            got = self._sorted.get(k)
            if got is None:
                ids = self._ids[a:b]
                vals = self._value(ids)
                o = np.lexsort((-ids.astype(np.int64), vals))  # utility up, then id down
                got = self._sorted[k] = (vals[o], ids[o])
            return int(got[1][np.searchsorted(got[0], target, side="left")])
        ids = self._ids[a:b]
        vals = self._value(ids)
        return _last_at(ids, vals, vals[vals >= target].min())


def _last_at(ids: NDArray[np.integer], vals: Floats, value: float) -> int:
    """The last of `ids` whose value equals `value` (ids ascend, so the highest)."""
    return int(ids[np.flatnonzero(vals == value)[-1]])
