"""A scenario's fingerprint: a hash of what its negotiations depend on, as loaded.

A tournament's rows are a function of each scenario's parties, outcome space and preferences
(and of whether its mediator is informed). The fingerprint hashes those objects, not the file's
bytes: reformatting a file, reordering its tables, or editing its comments, prose or dates keeps
it; a change to an issue, an option, a weight, a value, a red line, a reservation value or a
discount changes it, so results stored for the old scenario are never mixed with the new.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import numpy as np

from entente.scenario import Scenario


def fingerprint(scenario: Scenario) -> str:
    """Hex SHA-256 of the scenario's party ids, outcome space, preferences and mediator."""
    h = hashlib.sha256()
    informed = bool(scenario.mediators and scenario.mediators[0].informed)
    _feed(h, ([p.id for p in scenario.parties], scenario.space, list(scenario.prefs), informed))
    return h.hexdigest()


def _tag(h: Any, tag: str, data: bytes = b"") -> None:
    h.update(f"{tag}:{len(data)}:".encode())
    h.update(data)


def _feed(h: Any, x: Any) -> None:
    """Feed a canonical, type-tagged encoding of `x` (stable across processes and machines)."""
    if x is None or isinstance(x, bool | str):
        _tag(h, type(x).__name__, repr(x).encode())
    elif isinstance(x, np.ndarray):
        a = np.ascontiguousarray(x)
        _tag(h, "array", f"{a.dtype.str}{a.shape}".encode())
        if a.dtype == object:
            _feed(h, a.tolist())
        else:
            h.update(a.tobytes())
    elif isinstance(x, np.generic):
        _feed(h, x.item())
    elif isinstance(x, int):
        _tag(h, "int", str(x).encode())
    elif isinstance(x, float):
        _tag(h, "float", x.hex().encode())
    elif isinstance(x, list | tuple):
        _tag(h, "seq", str(len(x)).encode())
        for item in x:
            _feed(h, item)
    elif isinstance(x, set | frozenset):
        _feed(h, sorted(x, key=repr))
    elif isinstance(x, dict):
        _tag(h, "map", str(len(x)).encode())
        for key in sorted(x, key=repr):
            _feed(h, key)
            _feed(h, x[key])
    elif dataclasses.is_dataclass(x) and not isinstance(x, type):
        _tag(h, "obj", type(x).__qualname__.encode())
        for f in dataclasses.fields(x):
            if f.init:  # fields computed from the others add nothing
                _feed(h, f.name)
                _feed(h, getattr(x, f.name))
    else:
        # another kind of object (a term a plugin defines): its public attributes, or its repr
        _tag(h, "obj", type(x).__qualname__.encode())
        attrs = getattr(x, "__dict__", None)
        if attrs is None:
            _tag(h, "repr", repr(x).encode())
        else:
            _feed(h, {k: v for k, v in attrs.items() if not k.startswith("_")})
