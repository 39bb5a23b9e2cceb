"""A room's games as rows for the teacher's export: CSV (cells a spreadsheet would run as
formulas defused) and Parquet, one row per table with its whole trace."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from entente.errors import EntenteError


def export_rows(games: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per table for CSV and Parquet: the room, table, game, students by party, how it
    ended, each issue's agreed option, each party's utility, and the whole trace (JSON lines,
    as `entente run --trace` writes it)."""
    rows = []
    for g in games:
        row: dict[str, Any] = {
            "room": g["room"],
            "table": g["table"],
            "game": g["game"],
            "finished": g["finished"],
            "rounds": g["rounds"],
            "agreement": g["agreement"] is not None,
        }
        for party, name in g["players"].items():
            row[f"student_{party}"] = name
        for issue, option in (g["agreement"] or {}).items():
            row[f"issue_{issue}"] = option
        for party, u in (g["utilities"] or {}).items():
            row[f"utility_{party}"] = u
        row["trace"] = g["trace"]
        rows.append(row)
    return rows


def columns(rows: list[dict[str, Any]]) -> list[str]:
    """Every column of the rows, in the order they first appear (the trace last)."""
    seen = dict.fromkeys(k for r in rows for k in r if k != "trace")
    return [*seen, "trace"] if rows else ["room", "table", "game", "trace"]


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    import csv

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns(rows), lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: v if k in PLAIN else _cell(v) for k, v in r.items()})
    return buf.getvalue().encode()


PLAIN = ("room", "game", "trace")
"""Columns the app writes itself (a game id may start with '-'); every other text column holds
what a student or a scenario file chose."""


def _cell(v: object) -> object:
    """A CSV cell: a spreadsheet would run a cell starting with = + - @ as a formula, so text
    that does gets a leading apostrophe (a display name is a student's to choose)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def to_parquet(rows: list[dict[str, Any]]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise EntenteError("export.parquet needs pyarrow: pip install 'entente[web]'") from None
    cols = columns(rows)
    table = pa.table({c: [r.get(c) for r in rows] for c in cols})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()
