"""What the TOML readers share: the strict base model, reading text, and located errors.

Scenario files and timeline files are read the same way: TOML text is parsed (a file nested
too deeply to parse is refused, not a crash), every string is checked for control characters,
the data is validated by a pydantic model whose numbers must be finite, and every error names
the file, the line, the field and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from entente.errors import ScenarioError, quoted
from entente.formats.locate import locate
from entente.formats.safe import read_bytes

MAX_BYTES = 8 * 1024 * 1024
"""The largest TOML file read."""

Loc = tuple[Any, ...]
Fail = Callable[[Loc, str], ScenarioError]

M = TypeVar("M", bound=BaseModel)

_TOO_DEEP = "values are nested too deeply to read (a scenario needs a few levels, not hundreds)"


STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
"""The configuration of every schema model: unknown fields refused, numbers finite."""


def dotted(loc: Loc) -> str:
    """('parties', 1, 'weights') -> 'parties[1].weights'."""
    out = ""
    for x in loc:
        name = str(x) if len(str(x)) <= 40 else str(x)[:39] + "…"
        out += f"[{x}]" if isinstance(x, int) else (f".{name}" if out else name)
    return out


def failer(text: str, file: str) -> Fail:
    """A function making ScenarioErrors located at a field path of `text`."""

    def fail(loc: Loc, message: str) -> ScenarioError:
        return ScenarioError(message, file=file, line=locate(text, loc), field=dotted(loc))

    return fail


def read_text(path: str | Path) -> str:
    """The text of a TOML file, refused when unreadable, too large, not a regular file (a FIFO
    or a device is never opened for reading) or not UTF-8; line ends read as by `open`."""
    name = str(path)
    data = read_bytes(Path(path), MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError("is not UTF-8 text", file=name) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str, file: str) -> dict[str, Any]:
    """The data of TOML `text`; syntax errors, deep nesting and control characters refused."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        line = None
        if "(at line " in msg:
            line = int(msg.split("(at line ")[1].split(",")[0])
            msg = msg.split(" (at line ")[0]
        raise ScenarioError(f"invalid TOML: {msg}", file=file, line=line) from None
    except RecursionError:
        raise ScenarioError(_TOO_DEEP, file=file) from None
    _check_strings(raw, failer(text, file))
    return raw


def validate(model: type[M], raw: dict[str, Any], text: str, file: str) -> M:
    """`raw` checked by a pydantic model, the first error located in the file."""
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        errors = e.errors()
        loc = _data_path(raw, tuple(errors[0]["loc"]))
        # a union reports one error per member it tried, all at the same place in the data
        same = [x for x in errors if _data_path(raw, tuple(x["loc"]))[: len(loc)] == loc]
        raise failer(text, file)(loc, _union(same) or expectation(errors[0])) from None
    except RecursionError:
        raise ScenarioError(_TOO_DEEP, file=file) from None


def expectation(err: Any) -> str:
    """The part of a pydantic error a user needs: what was expected, and what was found."""
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check its spelling)"
    return f"{msg[0].lower()}{msg[1:]} (got {_shown(err.get('input'))})"


def _shown(given: Any) -> str:
    if isinstance(given, str | int | float | bool):
        return quoted(given)
    return {"dict": "a table", "list": "an array"}.get(type(given).__name__, "a value")


_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def _union(errors: list[Any]) -> str | None:
    """One expectation for the errors of the members of a union, if there are several."""
    if len(errors) < 2:
        return None
    for err in errors:
        if err["type"] == "finite_number":
            return expectation(err)
    words = list(dict.fromkeys(_WORDS.get(x["type"], "") for x in errors))
    if "" in words or len(words) < 2:
        return None
    wanted = ", ".join(words[:-1]) + " or " + words[-1]
    return f"expected {wanted} (got {_shown(errors[0].get('input'))})"


def _data_path(raw: Any, loc: Loc) -> Loc:
    """The part of a pydantic location that is a path in the data.

    Pydantic inserts the member of a union it tried ('str', 'list[str]', 'OptionModel', ...)
    into locations; such a step indexes nothing in the data and is left out. A name that is
    not in its table is kept when it ends the location (a missing or unknown field).
    """
    out: list[Any] = []
    cur: Any = raw
    for n, x in enumerate(loc):
        in_dict = isinstance(cur, dict) and x in cur
        in_list = isinstance(cur, list) and isinstance(x, int) and 0 <= x < len(cur)
        if in_dict or in_list:
            out.append(x)
            cur = cur[x]
        elif isinstance(cur, dict) and n == len(loc) - 1:
            out.append(x)
    return tuple(out)


# C0 controls but tab (09) and newline (0a), DEL and the C1 controls: they break XML and terminals
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _bad_char(s: str) -> str | None:
    m = _CONTROL.search(s)
    return f"U+{ord(m[0]):04X}" if m else None


def _check_strings(raw: dict[str, Any], fail: Fail) -> None:
    """Refuse control characters (other than tab and newline) in every key and string."""
    why = "(only tab and newline are allowed in a scenario's text)"
    stack: list[tuple[Loc, Any]] = [((), raw)]
    while stack:
        loc, v = stack.pop()
        if isinstance(v, dict):
            for k, x in v.items():
                bad = _bad_char(k)
                if bad:
                    raise fail(loc, f"key {quoted(k)} contains control character {bad} {why}")
                stack.append(((*loc, k), x))
        elif isinstance(v, list):
            stack.extend(((*loc, j), x) for j, x in enumerate(v))
        elif isinstance(v, str):
            bad = _bad_char(v)
            if bad:
                raise fail(loc, f"contains control character {bad} {why}")
