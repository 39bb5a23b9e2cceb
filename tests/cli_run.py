"""The `entente` command run in this process as its console script runs it, and the contract a
refused command keeps: exit status 2, one line `entente: error: ...` on stderr, nothing on
stdout, no traceback, a short message."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path
from typing import NamedTuple

from entente.cli import main


class Ran(NamedTuple):
    code: int
    out: str
    err: str


def cli(*args: str | Path, columns: int = 80) -> Ran:
    """`entente ARGS` at a terminal `columns` wide: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_columns = sys.argv, os.environ.get("COLUMNS")
    sys.argv = ["entente", *map(str, args)]
    os.environ["COLUMNS"] = str(columns)
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        sys.argv = saved_argv
        if saved_columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved_columns
    return Ran(code, out.getvalue(), err.getvalue())


def assert_refused(r: Ran, *expected: str | Path) -> str:
    """Assert the contract of a refused command, with each of `expected` in its line; return
    the line."""
    lines = r.err.strip().splitlines()
    assert r.code == 2, f"exit {r.code}: {r.err or r.out}"
    assert len(lines) == 1, f"expected one line, got:\n{r.err}"
    assert lines[0].startswith("entente: error: "), lines[0]
    assert "Traceback" not in r.err
    assert r.out == "", f"stdout should be empty on error, got: {r.out[:200]}"
    assert len(lines[0]) < 600, "a message quotes at most a short prefix of a value"
    for text in expected:
        assert str(text) in lines[0], f"{str(text)!r} not in {lines[0]!r}"
    return lines[0]
