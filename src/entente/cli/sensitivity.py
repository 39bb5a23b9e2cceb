"""`entente sensitivity`: Monte Carlo over a scenario's uncertain numbers (entente.uncertainty)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer


def sensitivity(
    scenario: Annotated[
        str, typer.Argument(help="Built-in name, TOML file, or GENIUS/GeniusWeb file or folder.")
    ] = "portsmouth",
    draws: Annotated[
        int, typer.Option("--draws", help="Number of draws (an agent protocol plays at most 200).")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 0,
    noise: Annotated[
        float,
        typer.Option(
            "--noise",
            help="Relative sd of a normal around every party weight, option value and "
            "reservation value without a range (needed when the scenario gives none).",
        ),
    ] = 0.0,
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol",
            help="'nash' (the Nash point of each draw, fast) or a protocol spec, e.g. "
            "'mediated': one negotiation per draw with the scenario's strategies.",
        ),
    ] = "nash",
    workers: Annotated[
        int, typer.Option("--workers", help="Processes solving the draws (same results).")
    ] = 1,
    tipping: Annotated[
        bool, typer.Option("--tipping/--no-tipping", help="Search each number's tipping margins.")
    ] = True,
    sobol: Annotated[
        int,
        typer.Option(
            "--sobol", help="Sobol indices from SALib with this many base samples (0: none)."
        ),
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")] = False,
) -> None:
    """How much the predicted treaty depends on the scenario's uncertain numbers."""
    from entente import api
    from entente.cli.progress import _Line
    from entente.errors import EntenteError
    from entente.uncertainty import sensitivity as measure

    for name, value in (("--draws", draws), ("--workers", workers)):
        if value < 1:
            raise EntenteError(f"{name} {value}: expected a whole number, at least 1")
    if sobol < 0:
        raise EntenteError(f"--sobol {sobol}: expected a whole number, 0 or more")
    sc = api.load(scenario)
    try:
        found = measure(sc, draws, seed, noise, protocol, workers, tipping, sobol, _Line("Draws"))
    except EntenteError as e:
        msg = str(e)
        for opt in ("draws", "seed", "noise", "workers"):
            if msg.startswith(opt + " "):
                raise EntenteError("--" + msg) from None
        raise
    data = found.as_dict()
    if as_json:
        typer.echo(json.dumps(data, indent=2, sort_keys=True, allow_nan=False))
        return
    show(data, sc.title)


def show(data: dict[str, Any], title: str, ranking: int = 10) -> None:
    """The measures as text: agreement, the most probable treaty, history and baselines, and
    the numbers that matter most."""
    from rich.console import Console
    from rich.text import Text

    from entente.cli import render

    console = Console()
    console.rule(Text(f"{title}: sensitivity", style="bold"))
    console.print(
        f"{data['draws']:,} draws (seed {data['seed']}) of {len(data['numbers'])} uncertain "
        f"numbers, protocol {data['protocol']}."
    )
    console.print(f"Agreement in {data['agreement']:.1%} of draws.")
    top = data["most_probable"]
    if top and top["treaty"]:
        same = " (the Nash point at the points)" if top["treaty"] == data["point"] else ""
        console.print(f"Most probable treaty{same}: {top['probability']:.1%} of draws.")
    rat = data["ratification"]
    if rat:
        point = "is" if rat["point_ratified_at_points"] else "is not"
        console.print(
            f"Ratified by every party in {rat['ratified']:.1%} of draws "
            f"({rat['ratified_when_agreed']:.1%} of agreements); the point result {point} "
            "ratified at the points."
        )
    h = data["history"]
    if h:
        m = h["matched"]
        console.print(
            f"History: {m['mean']:.1f} of {h['issues']} issues matched on average "
            f"(10/50/90%: {m['p10']:g}/{m['p50']:g}/{m['p90']:g}); all matched in "
            f"{h['all_matched']:.1%}; history on the frontier in {h['on_frontier']:.1%}, the "
            f"Nash point in {h['is_nash']:.1%}."
        )
    t = render.table("baseline", "agreement", *(["issues matched", "all matched"] if h else []))
    for name, row in data["baselines"].items():
        extra = [f"{row['matched']['mean']:.2f}", f"{row['all_matched']:.1%}"] if h else []
        render.row(t, name.replace("_", " "), f"{row['agreement']:.1%}", *extra)
    console.print(t)
    fragile = [
        f"{i}: {max(o, key=o.get)} {max(o.values()):.0%}"
        for i, o in data["issues"].items()
        if o and max(o.values()) < 0.9
    ]
    if fragile:
        console.print("Issues agreed less than 90% one way: " + "; ".join(fragile) + ".")
    t = render.table("number", "index", "down", "up")
    for row in data["ranking"][:ranking]:
        index = row.get("sobol_total", row["first_order"])
        if "ratified_first_order" in row and not row["first_order"]:
            index = row["ratified_first_order"]
            render.row(t, row["number"], f"{index:.3f} (ratified)", "-", "-")
            continue
        render.row(t, row["number"], f"{index:.3f}", _side(row.get("down")), _side(row.get("up")))
    console.print(t)
    left = data["left_out"]
    if left:
        console.print(
            f"Not drawn: {render.count(len(left), 'number')} that the protocol's outcome does "
            f"not use ({left[0]}{', ...' if len(left) > 1 else ''}); --json lists them."
        )


def _side(tip: dict[str, Any] | None) -> str:
    if not tip:
        return "-"
    if not tip["changes"]:
        return "holds"
    to = tip["to"]
    what = "no deal" if to is None else ", ".join(f"{k}={v}" for k, v in to.items())
    inside = "" if tip["within_range"] else " (outside range)"
    return f"{tip['margin']:.4g} -> {what}{inside}"


def register(app: typer.Typer) -> None:
    """Add `sensitivity` to the entente command."""
    app.command("sensitivity")(sensitivity)


def brief_lines(b: dict[str, Any]) -> list[str]:
    """`entente analyze`'s lines on sensitivity (from `uncertainty.brief`)."""
    which = "the Nash point at the points" if b["most_probable_is_point"] else "another treaty"
    out = [
        f"Sensitivity ({b['draws']:,} draws of the ranges): agreement in {b['agreement']:.1%}; "
        f"the most probable treaty ({which}) in {b['most_probable']:.1%}."
    ]
    if b["history_all_matched"] is not None:
        where = "is" if b["history_is_most_probable"] else "is not"
        out.append(
            f"History {where} the most probable treaty; every issue matched in "
            f"{b['history_all_matched']:.1%} of draws."
        )
    m = b.get("history_matched")
    if m:
        out.append(
            f"Issues matched with history: {m['mean']:.1f} of {b['issues']} on average "
            f"(10th-90th percentile {m['p10']:.0f}-{m['p90']:.0f})."
        )
        base = b.get("baseline_matched") or {}
        said = {
            "random_pareto": "a random Pareto point that beats every reservation",
            "random_outcome": "a random outcome (matched only when it beats every reservation)",
        }
        if base:
            out.append(
                "Beside it: " + "; ".join(f"{said[k]} {v:.1f}" for k, v in base.items()) + "."
            )
    if b.get("ratified") is not None:
        out.append(f"Ratified by every party in {b['ratified']:.1%} of draws.")
    if b["unsettled"]:
        out.append("Least settled: " + ", ".join(b["unsettled"]) + ".")
    if b["pivotal"]:
        out.append("Numbers that matter most: " + ", ".join(b["pivotal"]) + ".")
    return out
