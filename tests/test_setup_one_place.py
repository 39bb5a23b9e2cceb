"""One place sets up a negotiation (`api.plan`): a tournament's cell gives what `negotiate` gives
for the same setup and seed, and `negotiate` takes strategy objects as well as specs."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from cli_run import assert_refused, cli
from entente import api, load, negotiate
from entente.errors import EntenteError
from entente.negotiation.actions import Action, Offer
from entente.negotiation.session import IllegalAction, Result
from entente.negotiation.strategies.base import Negotiator
from entente.negotiation.strategies.concession import Boulware
from entente.negotiation.strategies.learning import FrequencyLearner
from entente.negotiation.strategies.mediators import HillClimber
from entente.negotiation.view import View
from genius_paths import DATA

LAPTOP = str(DATA / "y2011" / "Laptop")


def _rows(out: Path) -> list[dict[str, Any]]:
    from entente.tournament import Store

    rows: list[dict[str, Any]] = Store(out).read().to_pylist()
    return sorted(rows, key=lambda r: r["key"])


def _same(row: dict[str, Any], result: Result) -> None:
    """A tournament row and a negotiation agree on the agreement, utilities and rounds."""
    agreement = None if result.agreement is None else [int(x) for x in result.agreement]
    assert (row["agreement"], row["rounds"]) == (agreement, result.rounds), row["key"]
    assert row["utilities"] == [float(u) for u in result.utilities], row["key"]


def _tournament(sources: list[str], specs: list[str], out: Path, **kw: Any) -> list[dict[str, Any]]:
    pytest.importorskip("pyarrow")
    from entente.tournament import InProcess, run_tournament

    run_tournament(sources, specs, out, executor=InProcess(), **kw)
    return _rows(out)


def test_a_mediated_cell_uses_the_scenarios_informed_mediator_as_negotiate_does(
    tmp_path: Path,
) -> None:
    sc = load("portsmouth")
    rows = _tournament(
        ["portsmouth"], ["linear", "boulware"], tmp_path / "r", rounds=20, protocol="mediated"
    )
    assert len(rows) == 4
    for row in rows:
        given = dict(zip(row["roles"], row["strategies"], strict=True))
        result = negotiate(sc, "mediated", given, seed=row["seed"], deadline=20)
        _same(row, result)
    manifest = json.loads((tmp_path / "r" / "tournament.json").read_text())
    plan = api.plan(sc, "mediated", deadline=20)
    assert plan.informed and plan.mediator is not None
    assert plan.mediator.startswith("informed(")  # the scenario's own, not the default
    assert manifest["mediator"] == {"portsmouth": plan.mediator}


def test_a_mediator_named_for_the_tournament_replaces_the_scenarios(tmp_path: Path) -> None:
    sc = load("portsmouth")
    rows = _tournament(
        ["portsmouth"],
        ["linear"],
        tmp_path / "r",
        rounds=20,
        protocol="mediated",
        mediator="hillclimb",
    )
    (row,) = rows
    given = {"japan": "linear", "russia": "linear", "mediator": "hillclimb"}
    _same(row, negotiate(sc, "mediated", given, seed=row["seed"], deadline=20))
    assert api.plan(sc, "mediated", given).informed  # the scenario's grant still holds
    own = negotiate(
        sc, "mediated", {"japan": "linear", "russia": "linear"}, seed=row["seed"], deadline=20
    )
    assert row["utilities"] != [float(u) for u in own.utilities]  # the choice matters here


def test_a_genius_cell_under_alternating_offers_is_what_negotiate_gives(tmp_path: Path) -> None:
    sc = load(LAPTOP)
    # boulware and conceder are batched, random and learner go through the driver loop
    specs = ["boulware", "conceder", "random", "learner"]
    rows = _tournament([LAPTOP], specs, tmp_path / "r", rounds=30, seed=5)
    assert len(rows) == 16
    for row in rows:
        given = dict(zip(row["roles"], row["strategies"], strict=True))
        _same(row, negotiate(sc, "alternating", given, seed=row["seed"], deadline=30))
    assert len({tuple(r["utilities"]) for r in rows}) > 8  # not all alike


def test_resume_takes_the_same_mediator_however_named_and_refuses_another(
    tmp_path: Path,
) -> None:
    out = tmp_path / "r"
    kw: dict[str, Any] = {"rounds": 10, "protocol": "mediated"}
    _tournament(["portsmouth"], ["linear"], out, **kw)
    from entente.tournament import run_tournament

    spelled = api.plan(load("portsmouth"), "mediated").mediator
    assert spelled is not None
    s = run_tournament(["portsmouth"], ["linear"], out, resume=True, mediator=spelled, **kw)
    assert (s.skipped, s.ran) == (1, 0)
    with pytest.raises(EntenteError, match="mediator: stored"):
        run_tournament(["portsmouth"], ["linear"], out, resume=True, mediator="hillclimb", **kw)


def test_a_folder_of_the_former_results_format_is_refused_in_one_line(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    out = tmp_path / "r"
    args = [
        "tournament",
        "portsmouth",
        "-s",
        "linear",
        "--protocol",
        "mediated",
        "--rounds",
        "5",
        "--executor",
        "inprocess",
        "-o",
        str(out),
    ]
    assert cli(*args).code == 0
    manifest = json.loads((out / "tournament.json").read_text())
    manifest.update(format=2, mediator="hillclimb(opening='random')")  # as format 2 wrote it
    (out / "tournament.json").write_text(json.dumps(manifest))
    assert_refused(cli(*args, "--resume"), str(out), "results format 2", "another --out")


# ---------------------------------------------------------------- strategy objects


class Stubborn:
    """A strategy of one's own in the plainest form: `act` only (no reset, no spec). It offers
    its best outcome every turn and accepts nothing; it counts its moves."""

    def __init__(self) -> None:
        self.moves: list[int] = []

    def act(self, view: View) -> Action:
        self.moves.append(view.round)
        return Offer(view.me_own.ideal)


class Firm(Negotiator):
    """A `Strategy` subclass without a registered name: it holds out for `level`."""

    def __init__(self, level: float = 0.8) -> None:
        self.level = level

    def target(self, view: View) -> float:
        return self.level


def _outcome(r: Result) -> tuple[Any, list[float], int]:
    return r.agreement, [float(u) for u in r.utilities], r.rounds


def test_an_object_plays_as_its_spec_plays() -> None:
    sc = load("portsmouth")
    for obj, spec in [(Boulware(e=0.3), "boulware(e=0.3)"), (FrequencyLearner(), "learner")]:
        before = dict(vars(obj))
        p = api.plan(sc, "alternating", {"japan": obj}, deadline=30)
        assert p.strategies[0] == api.plan(sc, "alternating", {"japan": spec}).strategies[0]
        by_object = api.play(p, seed=3)
        by_spec = negotiate(sc, "alternating", {"japan": spec}, seed=3, deadline=30)
        assert _outcome(by_object) == _outcome(by_spec)
        assert _outcome(api.play(p, seed=3)) == _outcome(by_object)  # a plan plays alike again
        assert vars(obj) == before  # the caller's object learned nothing: a copy played
    mediator = negotiate(sc, "mediated", {"mediator": HillClimber()}, seed=2, deadline=20)
    assert _outcome(mediator) == _outcome(
        negotiate(sc, "mediated", {"mediator": "hillclimb"}, seed=2, deadline=20)
    )


def test_an_object_with_act_alone_negotiates_and_is_named_by_its_class() -> None:
    sc = load("portsmouth")
    mine = Stubborn()
    p = api.plan(sc, "alternating", {"japan": mine, "russia": "hardliner"}, deadline=12)
    assert p.strategies == ("Stubborn", "hardliner()")
    r = negotiate(sc, "alternating", {"japan": mine, "russia": "hardliner"}, deadline=12)
    assert r.agreement is None and r.rounds == 12
    japan = [m for m in r.moves if m.actor == 0]
    assert len(japan) == 12 and all(isinstance(m.action, Offer) for m in japan)
    assert mine.moves == []  # it was copied, and the copy played
    # a Strategy subclass without a name is recorded by its class and parameters
    assert api.plan(sc, strategies={"russia": Firm(0.7)}).strategies[1] == "Firm(level=0.7)"
    # its illegal move is reported under the name the plan records
    with pytest.raises(IllegalAction, match=r"japan \(Stubborn\): offer"):
        negotiate(sc, "mediated", {"japan": Stubborn()}, deadline=5)


def test_objects_that_cannot_play_are_refused_in_one_line() -> None:
    sc = load("portsmouth")

    class Locked(Stubborn):
        def __init__(self) -> None:
            super().__init__()
            self.lock = threading.Lock()

    cases: list[tuple[dict[str, Any], str]] = [
        ({"japan": 42}, "strategy for 'japan': a int has no act(view) method"),
        ({"japan": HillClimber()}, "is a mediator strategy, not a party's"),
        ({"japan": Locked()}, "strategy for 'japan': a Locked cannot be copied"),
    ]
    for given, message in cases:
        with pytest.raises(
            EntenteError, match=message.replace("(", r"\(").replace(")", r"\)")
        ) as e:
            api.plan(sc, "alternating", given)
        assert "\n" not in str(e.value)
    with pytest.raises(EntenteError, match="is a party's strategy, not a mediator's"):
        api.plan(sc, "mediated", {"mediator": Firm()})
