"""Reading scenarios from any supported format: `load(source)` picks the reader.

A source is a built-in scenario name ("portsmouth"), a TOML scenario file, a GENIUS domain
file or folder, or a GeniusWeb profile file or folder.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from entente.errors import ScenarioError
from entente.formats.safe import kind, shown
from entente.scenario import Scenario

__all__ = ["builtin", "load"]


def builtin(name: str) -> Path | None:
    """The file of the built-in scenario called `name`, if there is one."""
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        return None
    f = resources.files("entente").joinpath("scenarios", f"{name}.toml")
    return Path(str(f)) if f.is_file() else None


def load(source: str | Path) -> Scenario:
    """A scenario from a built-in name, a TOML file, a GENIUS or a GeniusWeb file or folder.

    Only regular files and folders are read: a device, a FIFO or a socket is refused in one
    line, before it is opened.
    """
    p = Path(source)
    if _missing(p):
        found = builtin(str(source))
        if found is None:
            raise ScenarioError(
                "no such file, folder or built-in scenario "
                "(expected a .toml, GENIUS .xml or GeniusWeb .json file, or a folder)",
                file=shown(source),
            )
        from entente.formats import scenario_toml  # the schema: only TOML and built-ins need it

        return scenario_toml.load(found)
    what = kind(p)
    fmt = _format(p, what)
    if fmt == "toml":
        from entente.formats import scenario_toml

        return scenario_toml.load(p)
    if fmt == "genius":
        from entente.formats import genius

        return genius.load(p)
    from entente.formats import geniusweb

    return geniusweb.load(p)


def _missing(p: Path) -> bool:
    try:
        os.stat(p)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _format(p: Path, what: str) -> str:
    if what == "file":
        suffix = p.suffix.lower()
        if suffix in (".toml", ".xml", ".json"):
            return {".toml": "toml", ".xml": "genius", ".json": "geniusweb"}[suffix]
        raise ScenarioError(
            "unknown format (expected .toml, GENIUS .xml or GeniusWeb .json)", file=str(p)
        )
    try:
        suffixes = {f.suffix.lower() for f in p.iterdir()}
    except OSError as e:
        raise ScenarioError(f"cannot list the folder: {e.strerror or e}", file=str(p)) from None
    if ".xml" in suffixes:
        return "genius"
    if ".json" in suffixes:
        return "geniusweb"
    raise ScenarioError(
        "folder holds no GENIUS .xml or GeniusWeb .json files (a TOML scenario is one file)",
        file=str(p),
    )
