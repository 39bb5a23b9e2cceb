"""The errors entente raises for bad input: one base class, one line each."""

from __future__ import annotations

from collections.abc import Iterable


class EntenteError(Exception):
    """A user's mistake (bad file, bad argument): reported in one line, never with a traceback."""


class ScenarioError(EntenteError):
    """A scenario (or other input file) that does not say what it must.

    Carries the file, the location inside it (line and/or field path) and what was expected,
    so that the message alone lets the user fix the file.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = message
        where = ""
        if file:
            where = file + (f":{line}" if line else "")
        elif line:
            where = f"line {line}"
        parts = [p for p in (where, field) if p]
        super().__init__(": ".join([*parts, message]))


class StrategyError(EntenteError):
    """A strategy spec that names no registered strategy or passes bad parameters."""


def quoted(value: object, limit: int = 60) -> str:
    """`repr` of a value for an error message, cut to at most `limit` characters.

    Messages quote what the user wrote; a 1 MB value must not make a 2 MB line.
    """
    text = repr(value)
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


def one_of(names: Iterable[object], limit: int = 12) -> str:
    """'a, b, c' for an error's list of what was expected, at most `limit` names, each short."""
    items = [str(n) for n in names]
    shown = [n if len(n) <= 40 else n[:39] + "…" for n in items[:limit]]
    more = f", … ({len(items)} in all)" if len(items) > limit else ""
    return ", ".join(shown) + more
