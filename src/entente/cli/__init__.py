"""The `entente` command: thin wrappers over the library; errors become one line and status 2."""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from entente.cli import convert, forecast, new, options, report, serve, tournament, treaty
from entente.cli import sensitivity as sensitivity_cli
from entente.cli.progress import FrontierBudgetOpt, watch_frontier
from entente.errors import EntenteError

# Start-up is a user's wait: this module and the command modules it registers import only
# typer and the standard library at their top. Each command imports what it uses (numpy, the
# formats, rich, the layers below) in its body, so `entente --help` and `entente run` pay for
# no other command's imports (tests/test_startup.py keeps it so).

app = typer.Typer(
    help="Model, negotiate, write and audit international agreements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
convert.register(app)
treaty.register(app)
tournament.register(app)
report.register(app)
forecast.register(app)
new.register(app)
serve.register(app)
sensitivity_cli.register(app)

ScenarioArg = Annotated[
    str, typer.Argument(help="Built-in name, TOML file, or GENIUS/GeniusWeb file or folder.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")]


def _emit(data: dict[str, Any]) -> None:
    typer.echo(_strict_json(data))


def _strict_json(data: dict[str, Any]) -> str:
    """JSON text; a number that is not finite is a user's error, never NaN or Infinity."""
    try:
        return json.dumps(data, indent=2, sort_keys=True, allow_nan=False)
    except ValueError:
        raise _not_a_number(_not_finite(data) or "a value") from None


def _not_a_number(path: str) -> EntenteError:
    return EntenteError(
        f"result: {path} is not a finite number; "
        "expected finite utilities, weights and reservation values in the scenario"
    )


def _not_finite(data: object, path: str = "") -> str | None:
    """The path of the first number in `data` that is not finite, e.g. 'utilities.japan'."""
    if isinstance(data, float) and not math.isfinite(data):
        return path or "the value"
    items: Any = ()
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list | tuple):
        items = enumerate(data)
    for k, v in items:
        found = _not_finite(v, f"{path}.{k}" if path else str(k))
        if found:
            return found
    return None


@app.command()
def run(
    scenario: ScenarioArg = "portsmouth",
    protocol: options.ProtocolOpt = None,
    strategy: options.StrategyOpt = None,
    seed: options.SeedOpt = 0,
    deadline: options.DeadlineOpt = None,
    win_sets: options.WinSetsOpt = False,
    as_json: JsonOpt = False,
    trace: Annotated[
        Path | None, typer.Option(help="Write the trace as JSON lines to this file.")
    ] = None,
    frontier_budget: FrontierBudgetOpt = None,
    time_limit: options.TimeLimitOpt = None,
    no_cache: options.NoCacheOpt = False,
) -> None:
    """Negotiate a scenario (Portsmouth 1905 by default); compare with frontier, Nash, history."""
    from entente.llm.cache import refreshing

    with watch_frontier(frontier_budget), refreshing(no_cache):
        _run(scenario, protocol, strategy, seed, deadline, win_sets, as_json, trace, time_limit)


def _run(
    scenario: str,
    protocol: str | None,
    strategy: list[str] | None,
    seed: int,
    deadline: int | None,
    win_sets: bool,
    as_json: bool,
    trace: Path | None,
    time_limit: float | None = None,
) -> None:
    from rich.console import Console

    from entente.cli import render
    from entente.formats.safe import write_atomic
    from entente.negotiation.session import trace_jsonl

    n = options.negotiate(
        scenario, protocol, strategy, seed, deadline, win_sets, time_limit=time_limit
    )
    sc, result, s = n.scenario, n.result, n.summary
    text = _strict_json(s.to_json())  # refuses numbers that are not finite, before any write
    if trace is not None:
        write_atomic(trace, trace_jsonl(result, sc.space, sc.prefs))
    if as_json:
        typer.echo(text)
        return
    console = Console()
    render.header(console, sc)
    render.setup(console, s, scenario)
    render.timeline(console, s)
    render.agreement(console, s)


POINTS = {
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai-Smorodinsky",
    "egalitarian": "egalitarian",
    "max_welfare": "max welfare",
    "history": "history",
}
"""The points `analyze` prints, by their --json key."""


@app.command()
def analyze(
    scenario: ScenarioArg = "portsmouth",
    as_json: JsonOpt = False,
    frontier_budget: FrontierBudgetOpt = None,
    draws: Annotated[
        int,
        typer.Option(
            "--draws", help="Draws of the scenario's ranges for its sensitivity (0: none).", min=0
        ),
    ] = 1000,
) -> None:
    """Outcomes, Pareto frontier, bargaining points and opposition of a scenario; with ranges,
    a short sensitivity summary (`entente sensitivity` says more)."""
    with watch_frontier(frontier_budget):
        _analyze(scenario, as_json, draws)


def _analyze(scenario: str, as_json: bool, draws: int = 0) -> None:
    from rich.console import Console
    from rich.text import Text

    from entente import api
    from entente.cli import render
    from entente.overview import overview as analysis

    sc = api.load(scenario)
    data = analysis(sc)
    if sc.uncertain and draws:
        from entente.uncertainty import brief, sensitivity

        data["sensitivity"] = brief(sensitivity(sc, draws, tipping=False))
    if as_json:
        typer.echo(_strict_json(data))
        return
    # text shows the points, not the frontier: check what it prints (the frontier's rows are
    # utilities of listed outcomes, finite whenever the points are)
    shown = {k: v for k, v in data.items() if k != "frontier"}
    found = _not_finite(shown)
    if found:
        raise _not_a_number(found)
    console = Console()
    console.rule(Text(sc.title, style="bold"))
    approx = " (approximate)" if data["approximate"] else ""
    console.print(
        f"Outcomes: {data['outcomes']:,}   "
        f"Frontier{approx}: {render.count(len(data['frontier']), 'point')}"
    )
    if data.get("opposition") is not None:
        console.print(f"Opposition: {data['opposition']:.3f}")
    t = render.table("point", *[p.name for p in sc.parties])
    render.row(t, "reservation", *[f"{x:.3f}" for x in data["reservations"].values()])
    for key, label in POINTS.items():
        point = data.get(key)
        if point:
            render.row(t, label, *[f"{x:.3f}" for x in point["utilities"].values()])
    console.print(t)
    if data.get("history"):
        console.print(f"History lies {data['history']['pareto_distance']:.4f} from the frontier.")
    if "sensitivity" in data:
        from entente.cli.sensitivity import brief_lines

        for line in brief_lines(data["sensitivity"]):
            console.print(line)


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="Scenario file or folder to check.")],
) -> None:
    """Check a scenario file; print a one-line description, or the error and exit 2."""
    from entente import api
    from entente.cli import render

    sc = api.load(file)
    typer.echo(
        f"ok: {sc.title}: {render.count(sc.space.n_issues, 'issue')}, "
        f"{render.count(len(sc.parties), 'party', 'parties')}, "
        f"{render.count(sc.space.size, 'outcome')}"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from entente.formats.scenario_toml import json_schema

    _emit(json_schema())


@app.command("list")
def list_() -> None:
    """Built-in scenarios, protocols and strategies."""
    from rich.console import Console

    from entente import api, registry
    from entente.cli import render

    console = Console()
    t = render.table("kind", "name", "what")
    for name in registry.scenarios():
        sc = api.load(name)  # its title, then its summary paragraph, wrapped (never cut)
        summary = " ".join(sc.description.split())
        render.row(t, "scenario", name, f"{sc.title}\n{summary}" if summary else sc.title)
    for name in registry.PROTOCOLS:
        render.row(t, "protocol", name, registry.DESCRIPTIONS.get(name, ""))
    for name in registry.STRATEGIES:
        cls = registry.strategy_class(name)
        kind = "mediator" if cls.mediator else "strategy"
        render.row(t, kind, f"{name}({', '.join(_defaults(cls))})", _first_sentence(cls.__doc__))
    console.print(t)


def _first_sentence(doc: str | None) -> str:
    """The first sentence of a docstring, whole, however its lines were broken."""
    para = " ".join((doc or "").strip().split("\n\n")[0].split())
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z])", para)
    return para[: m.start()] if m else para


def _defaults(cls: type) -> list[str]:
    import inspect

    sig = inspect.signature(cls.__init__)  # type: ignore[misc]
    return [f"{k}={v.default!r}" for k, v in sig.parameters.items() if k != "self"]


def _optional_values(args: list[str]) -> list[str]:
    """Give `--ray` its optional value: a bare `--ray` (last, or before another option) means a
    local Ray, as `--ray local` does."""
    out: list[str] = []
    for i, a in enumerate(args):
        out.append(a)
        if a == "--ray" and (i + 1 == len(args) or args[i + 1].startswith("-")):
            out.append("local")
    return out


def main() -> None:
    """Entry point: run the app; a user's mistake prints one line and exits with status 2."""
    try:
        code = app(args=_optional_values(sys.argv[1:]), prog_name="entente", standalone_mode=False)
    except EntenteError as e:
        _refuse(str(e))
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as e:
        # the file system refused (a folder where a file belongs, no space left, read-only)
        where = f"{e.filename}: " if e.filename else ""
        _refuse(f"{where}{e.strerror or e}")
    except Exception as e:
        # usage errors of the command line itself (unknown option, bad value)
        code = getattr(e, "exit_code", None)
        if code is None or not hasattr(e, "format_message"):
            raise
        if type(e).__name__ == "NoArgsIsHelpError":  # bare `entente`: the help was shown
            sys.exit(0)
        _refuse(e.format_message(), code)
    # a command that ended with typer.Exit(n) under standalone_mode=False returns n
    if isinstance(code, int) and code != 0:
        sys.exit(code)


def _refuse(message: str, code: int = 2) -> NoReturn:
    """Print one line `entente: error: ...` on stderr and exit."""
    first = " ".join(message.split())  # one line, whatever the message holds
    print(f"entente: error: {first}", file=sys.stderr)
    sys.exit(code)
