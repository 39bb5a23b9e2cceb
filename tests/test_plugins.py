"""Strategies of one's own by name: `entente.register`, the `entente.strategies` entry points,
tournament workers, and the conformance suite on a plugin."""

from __future__ import annotations

import importlib.metadata
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

import entente
from entente import api, registry
from entente.errors import StrategyError

PLUGIN = '''
from entente.negotiation.strategies.concession import TimeDependent


class Stubborn(TimeDependent):
    """Concedes like a Boulware, a little harder."""

    name = "{name}"

    def __init__(self, e: float = 0.05) -> None:
        super().__init__(e=e)
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module `myplugin` on sys.path, and a registry that forgets what the test adds."""
    (tmp_path / "myplugin.py").write_text(textwrap.dedent(PLUGIN.format(name="stubborn")))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "STRATEGIES", dict(registry.STRATEGIES))
    monkeypatch.setattr(registry, "_ADDED", {})
    monkeypatch.setattr(registry, "_PLUGINS_READ", False)
    yield "myplugin:Stubborn"
    sys.modules.pop("myplugin", None)


def test_registered_strategy_is_made_by_spec(plugin: str) -> None:
    entente.register("stubborn", plugin)
    s = registry.strategy("stubborn(e=0.1)")
    assert type(s).__name__ == "Stubborn" and s.spec() == "stubborn(e=0.1)"
    assert registry.added() == {"stubborn": plugin}
    assert entente.check_strategy("stubborn") == []
    sc = entente.load("portsmouth")
    plan = api.plan(sc, strategies={p.id: "stubborn" for p in sc.parties})
    assert plan.strategies == ("stubborn(e=0.05)",) * len(sc.parties)
    assert api.play(plan, 1).rounds > 0


def test_register_refuses_what_it_cannot_use(plugin: str) -> None:
    with pytest.raises(StrategyError, match="built-in strategy"):
        entente.register("boulware", plugin)
    with pytest.raises(StrategyError, match=r"expected 'package\.module:Class'"):
        entente.register("mine", "myplugin.Stubborn")
    with pytest.raises(StrategyError, match="identifier"):
        entente.register("my strategy", plugin)
    entente.register("mine", plugin)
    entente.register("mine", plugin)  # the same again: nothing changes
    with pytest.raises(StrategyError, match="already names"):
        entente.register("mine", "myplugin:Other")
    entente.register("broken", "myplugin:Missing")
    with pytest.raises(StrategyError, match=r"^strategy 'broken': cannot import"):
        registry.strategy("broken")


def test_entry_points_are_read_on_the_first_unknown_name(
    plugin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
        asked.append(group)
        return [
            importlib.metadata.EntryPoint("stubborn", plugin, group),
            importlib.metadata.EntryPoint("linear", plugin, group),  # built-ins win
        ]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    registry.strategy("linear")
    assert asked == []  # known names never read the plugins
    assert registry.strategy("stubborn").spec() == "stubborn(e=0.05)"
    assert type(registry.strategy("linear")).__name__ == "Linear"
    with pytest.raises(StrategyError, match="unknown strategy 'nonesuch'"):
        registry.strategy("nonesuch")
    assert asked == ["entente.strategies"]  # read once
    assert "stubborn" in registry.strategy_names(mediator=False)


def test_a_registered_name_reaches_tournament_workers(plugin: str, tmp_path: Path) -> None:
    """Worker processes start with a registry of their own: the parent's additions reach them."""
    from entente.tournament import Processes
    from entente.tournament.runner import run_tournament

    entente.register("stubborn", plugin)
    kw = {"rounds": 20, "repetitions": 1, "seed": 3}
    here = run_tournament(["portsmouth"], ["stubborn", "linear"], tmp_path / "a", **kw)
    there = run_tournament(
        ["portsmouth"],
        ["stubborn", "linear"],
        tmp_path / "b",
        executor=Processes(1),
        chunk=1,
        **kw,
    )
    assert replace(here, seconds=0) == replace(there, seconds=0)
