"""What the actor-table readers share: reading text, CSV rows, numbers, limits, located errors.

Every reader of `entente.formats.spatial` reports a mistake as a ScenarioError naming the file,
the line and the column (or field). An actor with no position on an issue (decide, TOML) gets
salience 0 there, and the position the others' capability-and-salience weighted mean
(`fill_missing`): it then weighs nothing in any model.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np

from entente.errors import ScenarioError, quoted
from entente.forecast.actors import Floats
from entente.formats.safe import read_bytes, shown

MAX_BYTES = 8 * 1024 * 1024
"""The largest actor table read."""

MAX_CELLS = 10_000_000
"""Actors x issues, at most (a table of that size takes 160 MB as positions and saliences)."""

_CONTROL = {chr(c) for c in (*range(0, 9), *range(11, 32), 127)}


def read(path: str | Path) -> tuple[str, str]:
    """The text of an actor table and its name as messages show it."""
    name = shown(path)
    return decode(read_bytes(Path(path), MAX_BYTES), name), name


def decode(data: bytes, file: str) -> str:
    """UTF-8 text (a byte order mark dropped); a byte that is not UTF-8 is refused with its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ScenarioError(
            f"is not UTF-8 text (byte {data[e.start]:#04x} cannot be read)", file=file, line=line
        ) from None


def rows(text: str, file: str, delimiter: str, quote: str) -> list[tuple[int, list[str]]]:
    """(line, cells) of every non-blank row, cells stripped of blanks and of either quote."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote)
    out: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            cells = [c.strip().strip("'\"").strip() for c in row]
            if any(cells):
                out.append((reader.line_num, cells))
    except csv.Error as e:
        raise ScenarioError(f"unreadable CSV: {e}", file=file, line=reader.line_num) from None
    for line, cells in out:
        for c in cells:
            bad = _CONTROL.intersection(c)
            if bad:
                raise ScenarioError(
                    f"contains control character U+{ord(min(bad)):04X}", file=file, line=line
                )
    return out


def number(cell: str, file: str, line: int, column: str) -> float:
    """The finite number in `cell`, or an error naming the line and the column."""
    try:
        x = float(cell)
    except ValueError:
        got = "nothing" if not cell else quoted(cell)
        raise ScenarioError(
            f"expected a number, got {got}", file=file, line=line, field=f"column {column}"
        ) from None
    if not math.isfinite(x):
        raise ScenarioError(
            f"expected a finite number, got {quoted(cell)}",
            file=file,
            line=line,
            field=f"column {column}",
        )
    return x


def within(
    x: float, lo: float, hi: float, file: str, line: int, column: str, what: str = ""
) -> float:
    """`x` when it lies from `lo` to `hi`; `what` adds a note on the range to the error."""
    if not lo <= x <= hi:
        raise ScenarioError(
            f"expected a value from {lo:g} to {hi:g}{what}, got {x:g}",
            file=file,
            line=line,
            field=f"column {column}",
        )
    return x


def fill_missing(position: Floats, salience: Floats, capability: Floats, has: np.ndarray) -> None:
    """Positions where an actor has none: the weighted mean of the others' (salience stays 0)."""
    w = capability[:, None] * salience * has
    total = w.sum(axis=0)
    plain = (position * has).sum(axis=0) / np.maximum(has.sum(axis=0), 1)
    mean = np.where(total > 0, (w * position).sum(axis=0) / np.where(total > 0, total, 1), plain)
    position[~has] = np.broadcast_to(mean, position.shape)[~has]


def check_size(actors: int, issues: int, file: str) -> None:
    """Refuse more than MAX_CELLS actors x issues."""
    if actors * issues > MAX_CELLS:
        raise ScenarioError(
            f"{actors:,} actors x {issues:,} issues is more than the limit of {MAX_CELLS:,}",
            file=file,
        )
