"""Reading scenarios from any supported format: `load(source)` picks the reader.

A source is a built-in scenario name ("portsmouth"), a TOML scenario file, a GENIUS domain
file or folder, or a GeniusWeb profile file or folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from entente.errors import ScenarioError
from entente.scenario import Scenario

__all__ = ["builtin", "load"]


def builtin(name: str) -> Path | None:
    """The file of the built-in scenario called `name`, if there is one."""
    if not name or not all(c.isalnum() or c in "-_" for c in name):
        return None
    f = resources.files("entente").joinpath("scenarios", f"{name}.toml")
    return Path(str(f)) if f.is_file() else None


def load(source: str | Path) -> Scenario:
    """A scenario from a built-in name, a TOML file, a GENIUS or a GeniusWeb file or folder."""
    from entente.formats import scenario_toml  # the schema: only TOML and built-ins need it

    p = Path(source)
    if not p.exists():
        found = builtin(str(source))
        if found is None:
            raise ScenarioError(
                "no such file, folder or built-in scenario "
                "(expected a .toml, GENIUS .xml or GeniusWeb .json file, or a folder)",
                file=str(source),
            )
        return scenario_toml.load(found)
    kind = _kind(p)
    if kind == "toml":
        return scenario_toml.load(p)
    if kind == "genius":
        from entente.formats import genius

        return genius.load(p)
    from entente.formats import geniusweb

    return geniusweb.load(p)


def _kind(p: Path) -> str:
    if p.is_file():
        suffix = p.suffix.lower()
        if suffix in (".toml", ".xml", ".json"):
            return {".toml": "toml", ".xml": "genius", ".json": "geniusweb"}[suffix]
        raise ScenarioError(
            "unknown format (expected .toml, GENIUS .xml or GeniusWeb .json)", file=str(p)
        )
    suffixes = {f.suffix.lower() for f in p.iterdir() if f.is_file()}
    if ".xml" in suffixes:
        return "genius"
    if ".json" in suffixes:
        return "geniusweb"
    raise ScenarioError(
        "folder holds no GENIUS .xml or GeniusWeb .json files (a TOML scenario is one file)",
        file=str(p),
    )
