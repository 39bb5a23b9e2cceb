"""Actor tables for the spatial forecasting models: `load_actors(path) -> Actors`.

Four formats, told apart by their content (a `.toml` name aside), each read by its own module:

- `actors_bdm`: the BDM/Scholz actor table, a CSV with the columns Actor, Capability, Position,
  Salience; one issue, named after the file;
- `actors_decide`: decide's Stokman input, rows tagged '#A', '#P', '#M', '#D' and comments;
- `actors_ktab`: KTAB's scenario CSV, a line `name, description, actors, dimensions`, then a
  header `Actor, Description, Influence, <dim> Position, <dim> Salience, ...`;
- `actors_toml`: the TOML form (written by `actors_toml.dumps`).

What they share (reading text, CSV rows, numbers, limits) is in `actors_check`. The scales and
saliences of each format are described in its module and in docs/forecast.md, "Data". Every
mistake is a ScenarioError naming the file, the line and the column (or field).
"""

from __future__ import annotations

import re
from pathlib import Path

from entente.errors import ScenarioError
from entente.forecast.actors import Actors
from entente.formats import actors_bdm, actors_decide, actors_ktab, actors_toml
from entente.formats.actors_check import decode, read

__all__ = ["load_actors", "loads_actors"]

_DECIDE_ROW = re.compile(r"""^['"]?#[APMD/0O]['"]?(?:[\t;,]|$)""", re.IGNORECASE)


def load_actors(path: str | Path) -> Actors:
    """The actors of a BDM table, a decide input, a KTAB scenario or a TOML actor file."""
    return _parse(*read(path))


def loads_actors(data: bytes, file: str = "<actors>") -> Actors:
    """`load_actors` on the bytes of a file; `file` names it in error messages."""
    return _parse(decode(data, file), file)


def _parse(text: str, file: str) -> Actors:
    if not text.strip():
        raise ScenarioError("is empty (expected an actor table)", file=file)
    lines = [ln.lstrip() for ln in text.splitlines() if ln.strip()]  # blank lines are skipped
    first = lines[0]
    if Path(file).suffix.lower() == ".toml":
        return actors_toml.loads(text, file)
    if _DECIDE_ROW.match(first):
        return actors_decide.loads(text, file)
    second = _cells(lines[1])[0].lower() if len(lines) > 1 else ""
    if second == "actor" and _cells(first)[0].lower() != "actor":
        return actors_ktab.loads(text, file)
    if "actor" in [c.lower() for c in _cells(first)]:
        return actors_bdm.loads(text, file)
    if first.startswith(("[", "#")) or "=" in first:
        return actors_toml.loads(text, file)
    raise ScenarioError(
        "unknown format: expected a BDM table (Actor, Capability, Position, Salience), "
        "decide's '#A'/'#P'/'#D' rows, a KTAB scenario CSV or the TOML actor form",
        file=file,
        line=1,
    )


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(",")]
