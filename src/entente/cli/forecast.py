"""`entente forecast` and `entente backtest`: the spatial models on actor tables or scenarios.

Only typer and the standard library are imported at the top: the forecast modules, numpy and
rich are imported when a command runs, so `entente --help` stays fast.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from entente.forecast import Actors, Forecast
    from entente.forecast.backtest import Backtest

ModelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model", "-m", help="A model: mean, median, nash, eu, exchange, condorcet; repeat."
    ),
]
SeedOpt = Annotated[int, typer.Option(min=0, help="Seed of every random choice (0 or more).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")]

SHOWN_ROUNDS = 8
"""A trajectory with more rounds than this shows its first three and last three."""


def forecast(
    source: Annotated[
        str,
        typer.Argument(
            help="Actor table (BDM or KTAB CSV, decide input, TOML) or a scenario with "
            "ordered issues."
        ),
    ],
    model: ModelOpt = None,
    issue: Annotated[
        list[str] | None,
        typer.Option(
            "--issue",
            help="An issue to forecast (a table's, or a scenario's ordered issue); repeat "
            "(default: all).",
        ),
    ] = None,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Forecast each issue's outcome with each model; trajectories of the dynamic models."""
    from rich.console import Console

    from entente.forecast import forecast as run_model
    from entente.spatial import load_case

    models = _models(model)

    actors, title = load_case(source, issue or ())
    models = _fitting(models, [actors], explicit=bool(model))
    results = {m: run_model(actors, m, seed=seed) for m in models}
    data = _forecast_json(source, title, actors, results, seed)
    text = _dumps(data)
    if as_json:
        typer.echo(text)
        return
    _show_forecast(Console(), title, actors, results)


def backtest(
    data: Annotated[
        list[str],
        typer.Argument(help="Actor tables or scenarios with recorded outcomes (one or more)."),
    ],
    model: ModelOpt = None,
    ensemble: Annotated[
        str | None,
        typer.Option(help="Models to average into one more model, e.g. 'mean,eu'."),
    ] = None,
    seed: SeedOpt = 0,
    resamples: Annotated[
        int, typer.Option(min=1, max=1_000_000, help="Bootstrap resamples (1 to 1,000,000).")
    ] = 2000,
    as_json: JsonOpt = False,
) -> None:
    """Each model's error against recorded outcomes: MAE, bootstrap interval, test vs mean."""
    from rich.console import Console

    from entente.errors import EntenteError, quoted
    from entente.forecast.backtest import backtest as run_backtest
    from entente.spatial import load_case

    models = _models(model)
    members = _ensemble(ensemble)

    cases, names = [], []
    seen: dict[str, str] = {}
    for src in data:
        key = str(Path(src).resolve()) if Path(src).is_file() else src
        if key in seen:
            raise EntenteError(
                f"{src}: given twice (as {quoted(seen[key])} before); each case counts once"
            )
        seen[key] = src
        actors, _ = load_case(src)
        if actors.outcome is None or all(math.isnan(x) for x in actors.outcome):
            raise EntenteError(
                f"{src}: no recorded outcome; a backtest needs one (`outcome = ` on an issue of "
                "the TOML form, or a scenario's history)"
            )
        cases.append(actors)
        names.append(src)
    _fitting(members, cases, explicit=True)
    models = _fitting(models, cases, explicit=bool(model))
    result = run_backtest(
        cases, models, names=names, ensemble=members, seed=seed, resamples=resamples
    )
    text = _dumps(result.to_json())
    if as_json:
        typer.echo(text)
        return
    _show_backtest(Console(), result)


def register(app: typer.Typer) -> None:
    """Add `forecast` and `backtest` to the entente command."""
    app.command("forecast")(forecast)
    app.command("backtest")(backtest)


# --- options ------------------------------------------------------------------------------


def _known() -> tuple[str, ...]:
    from entente.forecast import MODELS

    return tuple(MODELS)


def _models(given: list[str] | None) -> list[str]:
    from entente.errors import EntenteError, one_of, quoted

    known = _known()
    if not given:
        return list(known)
    out: list[str] = []
    for m in given:
        if m not in known:
            raise EntenteError(
                f"--model {quoted(m)}: unknown model; expected one of {one_of(known)}"
            )
        if m not in out:
            out.append(m)
    return out


def _fitting(models: list[str], cases: list[Actors], *, explicit: bool) -> list[str]:
    """The models that can run on every case. A model the user named and that cannot run is
    refused; one run by default is left out, with a warning that says why."""
    from entente.errors import EntenteError
    from entente.forecast import size_problem

    out = []
    for m in models:
        problem = next((p for c in cases if (p := size_problem(c, m))), None)
        if problem is None:
            out.append(m)
        elif explicit:
            raise EntenteError(problem)
        else:
            typer.echo(f"entente: warning: left out {problem}", err=True)
    return out


def _ensemble(given: str | None) -> list[str]:
    if given is None:
        return []
    from entente.errors import EntenteError, one_of, quoted

    members = [m.strip() for m in given.split(",") if m.strip()]
    known = _known()
    for m in members:
        if m not in known:
            raise EntenteError(
                f"--ensemble {quoted(given)}: unknown model {quoted(m)}; expected models from "
                f"{one_of(known)}, separated by commas"
            )
    if len(set(members)) < 2:
        raise EntenteError(
            f"--ensemble {quoted(given)}: expected two models or more, e.g. 'mean,eu'"
        )
    return list(dict.fromkeys(members))


# --- output -------------------------------------------------------------------------------


def _finite(x: Any) -> Any:
    """NaN becomes null (an outcome not recorded); nested lists and dicts are walked."""
    if isinstance(x, float):
        return None if math.isnan(x) else x
    if isinstance(x, dict):
        return {str(k): _finite(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_finite(v) for v in x]
    if hasattr(x, "tolist"):
        return _finite(x.tolist())
    return x


def _dumps(data: dict[str, Any]) -> str:
    from entente.errors import EntenteError

    try:
        return json.dumps(_finite(data), indent=2, sort_keys=True, allow_nan=False)
    except ValueError:
        raise EntenteError(
            "result: a forecast is not a finite number; expected finite positions, saliences "
            "and capabilities"
        ) from None


def _forecast_json(
    source: str, title: str, actors: Actors, results: dict[str, Forecast], seed: int
) -> dict[str, Any]:
    return {
        "source": source,
        "title": title,
        "actors": list(actors.names),
        "issues": list(actors.issues),
        "low": actors.low.tolist(),
        "high": actors.high.tolist(),
        "outcome": None if actors.outcome is None else actors.outcome.tolist(),
        "seed": seed,
        "models": {
            m: {
                "positions": f.positions.tolist(),
                "rounds": None if f.trajectory is None else len(f.trajectory) - 1,
                "trajectory": None if f.trajectory is None else f.trajectory.tolist(),
                "details": f.details,
            }
            for m, f in results.items()
        },
    }


def _num(x: float) -> str:
    return "" if math.isnan(x) else f"{x:.4g}"


def _show_forecast(
    console: Console, title: str, actors: Actors, results: dict[str, Forecast]
) -> None:
    from rich.text import Text

    from entente.cli import render

    console.rule(Text(title, style="bold"))
    console.print(
        f"{render.count(len(actors.names), 'actor')}, {render.count(len(actors.issues), 'issue')}"
    )
    has_outcome = actors.outcome is not None
    t = render.table("issue", "scale", *results, *(["outcome"] if has_outcome else []))
    for j, issue in enumerate(actors.issues):
        cells = [_num(float(f.positions[j])) for f in results.values()]
        if actors.outcome is not None:
            cells.append(_num(float(actors.outcome[j])))
        scale = f"{_num(float(actors.low[j]))}..{_num(float(actors.high[j]))}"
        render.row(t, issue, scale, *cells)
    console.print(t)
    for m, f in results.items():
        if f.trajectory is None:
            continue
        rounds = len(f.trajectory) - 1
        shown = list(range(rounds + 1))
        if len(shown) > SHOWN_ROUNDS:
            shown = [0, 1, 2, -1, rounds - 2, rounds - 1, rounds]
        console.print(Text(f"{m}: {render.count(rounds, 'round')}", style="bold"))
        rt = render.table("issue", *[("…" if r < 0 else f"round {r}") for r in shown])
        for j, issue in enumerate(actors.issues):
            cells = ["…" if r < 0 else _num(float(f.trajectory[r, j])) for r in shown]
            render.row(rt, issue, *cells)
        console.print(rt)


def _show_backtest(console: Console, b: Backtest) -> None:
    from rich.text import Text

    from entente.cli import render

    console.rule(Text("Backtest", style="bold"))
    console.print(
        f"{render.count(len(b.issues), 'issue')} with recorded outcomes in "
        f"{render.count(len(b.cases), 'case')}; errors divided by each issue's scale; "
        f"{b.level:.0%} bootstrap intervals ({b.resamples} resamples, seed {b.seed}); "
        f"test against the weighted mean: {b.test}"
    )
    t = render.table("model", "MAE", f"{b.level:.0%} interval", "MAE on scale", "vs mean", "p")
    same_scale = bool((b.low == b.low[0]).all() and (b.high == b.high[0]).all())
    for r in b.results:
        diff = "" if r.difference is None else f"{r.difference:+.4f}"
        p = "" if r.p_value is None else f"{r.p_value:.3g}"
        ci = f"{r.ci[0]:.4f}..{r.ci[1]:.4f}"
        scale = f"{r.mae_scale:.4g}" if same_scale else "(scales differ)"
        render.row(t, r.model, f"{r.mae:.4f}", ci, scale, diff, p)
    console.print(t)
    et = render.table("case", "issue", "outcome", *[r.model for r in b.results])
    for k, issue in enumerate(b.issues):
        cells = [_num(float(r.errors[k])) for r in b.results]
        render.row(et, Path(b.case[k]).name, issue, _num(float(b.outcome[k])), *cells)
    console.print(Text("Absolute errors on each issue's scale", style="bold"))
    console.print(et)
    if len(b.issues) < 5:
        console.print(
            Text(
                f"Only {render.count(len(b.issues), 'issue')}: the intervals and p-values say "
                "little.",
                style="dim",
            )
        )
