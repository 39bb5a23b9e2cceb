"""The `entente` command: thin wrappers over the library; errors become one line and status 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table as RichTable

from entente import api, registry
from entente.cli import convert, render, tournament, treaty
from entente.errors import EntenteError
from entente.formats.safe import write_atomic

app = typer.Typer(
    help="Model, negotiate, write and audit international agreements.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
convert.register(app)
treaty.register(app)
tournament.register(app)

ScenarioArg = Annotated[
    str, typer.Argument(help="Built-in name, TOML file, or GENIUS/GeniusWeb file or folder.")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead.")]


def _emit(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, indent=2, sort_keys=True))


@app.command()
def run(
    scenario: ScenarioArg = "portsmouth",
    protocol: Annotated[
        str | None, typer.Option(help="Protocol spec (default: the scenario's).")
    ] = None,
    strategy: Annotated[
        list[str] | None,
        typer.Option(help="PARTY=SPEC, e.g. russia='boulware(e=0.1)'; repeat for each party."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    deadline: Annotated[
        int | None, typer.Option(help="Rounds before the talks end (default: the scenario's).")
    ] = None,
    win_sets: Annotated[
        bool,
        typer.Option(
            "--win-sets", help="Parties concede only inside what their constituencies would ratify."
        ),
    ] = False,
    as_json: JsonOpt = False,
    trace: Annotated[
        Path | None, typer.Option(help="Write the trace as JSON lines to this file.")
    ] = None,
) -> None:
    """Negotiate a scenario (Portsmouth 1905 by default); compare with frontier, Nash, history."""
    from entente.negotiation.session import trace_jsonl
    from entente.summary import summarize

    sc = api.load(scenario)
    specs: dict[str, str] = {}
    for item in strategy or []:
        party, sep, spec = item.partition("=")
        if not sep or not party or not spec:
            raise EntenteError(
                f"--strategy {item!r}: expected PARTY=SPEC, e.g. japan='boulware(e=0.2)'"
            )
        specs[party.strip()] = spec.strip()
    proto = protocol or sc.protocol
    result = api.negotiate(
        sc, protocol=proto, strategies=specs, seed=seed, deadline=deadline, win_sets=win_sets
    )
    if trace is not None:
        write_atomic(trace, trace_jsonl(result, sc.space, sc.prefs))
    s = summarize(sc, result, proto, seed)
    if as_json:
        _emit(s.to_json())
        return
    console = Console()
    render.header(console, sc)
    render.timeline(console, s)
    render.agreement(console, s)


@app.command()
def analyze(scenario: ScenarioArg = "portsmouth", as_json: JsonOpt = False) -> None:
    """Outcomes, Pareto frontier, bargaining points and opposition of a scenario."""
    from entente.overview import overview as analysis

    sc = api.load(scenario)
    data = analysis(sc)
    if as_json:
        _emit(data)
        return
    console = Console()
    console.rule(f"[b]{sc.title}[/]")
    approx = " (approximate)" if data["approximate"] else ""
    console.print(
        f"Outcomes: {data['outcomes']:,}   Frontier{approx}: {len(data['frontier'])} points"
    )
    if data.get("opposition") is not None:
        console.print(f"Opposition: {data['opposition']:.3f}")
    t = RichTable("point", *[p.id for p in sc.parties])
    t.add_row("reservation", *[f"{x:.3f}" for x in data["reservations"].values()])
    for key in ("nash", "kalai_smorodinsky", "egalitarian", "max_welfare", "history"):
        point = data.get(key)
        if point:
            t.add_row(key.replace("_", " "), *[f"{x:.3f}" for x in point["utilities"].values()])
    console.print(t)
    if data.get("history"):
        console.print(f"History lies {data['history']['pareto_distance']:.4f} from the frontier.")


@app.command()
def validate(
    file: Annotated[str, typer.Argument(help="Scenario file or folder to check.")],
) -> None:
    """Check a scenario file; print a one-line description, or the error and exit 2."""
    sc = api.load(file)
    typer.echo(
        f"ok: {sc.title}: {sc.space.n_issues} issues, {len(sc.parties)} parties, "
        f"{sc.space.size:,} outcomes"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files."""
    from entente.formats.scenario_toml import json_schema

    _emit(json_schema())


@app.command("list")
def list_() -> None:
    """Built-in scenarios, protocols and strategies."""
    console = Console()
    t = RichTable("kind", "name", "what")
    for name in registry.scenarios():
        t.add_row("scenario", name, api.load(name).title)
    for name in registry.PROTOCOLS:
        t.add_row("protocol", name, registry.DESCRIPTIONS.get(name, ""))
    for name in registry.STRATEGIES:
        cls = registry.strategy_class(name)
        doc = (cls.__doc__ or "").strip().split("\n")[0]
        kind = "mediator" if cls.mediator else "strategy"
        t.add_row(kind, f"{name}({', '.join(_defaults(cls))})", doc)
    console.print(t)


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
