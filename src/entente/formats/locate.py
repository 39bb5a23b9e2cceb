"""Find the line of a TOML file where a field path (as pydantic reports it) is written.

TOML parsers keep no positions, so this walks the text: table headers, arrays of tables and
`key = value` lines give each line a path; the deepest line matching the path wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"'. ]+?)\s*=")


def _split_key(key: str) -> list[str]:
    return [k.strip().strip("\"'") for k in key.split(".")]


def locate(text: str, loc: Sequence[str | int]) -> int | None:
    """1-based line where `loc` (e.g. ("parties", 1, "weights", "korea")) is written, if found."""
    want = [str(x) for x in loc]
    counts: dict[tuple[str, ...], int] = {}
    table: list[str] = []
    best_line, best_len = None, 0
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _HEADER.match(line)
        if m:
            parts = _split_key(m[2])
            if m[1] == "[[":
                # a new element of an array of tables, under its (indexed) parent table
                parent = _with_parent_indices(parts[:-1], table)
                key = (*parent, parts[-1])
                counts[key] = counts.get(key, -1) + 1
                table = [*parent, parts[-1], str(counts[key])]
            else:
                table = _with_parent_indices(parts, table)
            path = table
        else:
            k = _KEY.match(line)
            if not k:
                continue
            path = table + _split_key(k[1])
        common = _common(path, want)
        if common > best_len:
            best_line, best_len = n, common
    return best_line


def _with_parent_indices(parts: list[str], current: list[str]) -> list[str]:
    """Re-insert array indices of the current table into a header's plain dotted path."""
    out: list[str] = []
    cur = list(current)
    for p in parts:
        if cur and cur[0] == p:
            out.append(cur.pop(0))
            if cur and cur[0].isdigit():
                out.append(cur.pop(0))
        else:
            out.append(p)
            cur = []
    return out


def _common(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
