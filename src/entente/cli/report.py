"""`entente report` and `entente plot`: a one-file HTML report, or one figure, of a negotiation
(set up with the options of `run`) or of a tournament's results folder."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from entente.cli import options
from entente.errors import EntenteError, quoted

if TYPE_CHECKING:
    from entente.cli.options import Negotiated

SourceArg = Annotated[
    str,
    typer.Argument(
        help="Built-in name, TOML file, GENIUS/GeniusWeb file or folder, "
        "or a results folder written by `tournament`."
    ),
]
REPORT_SUFFIXES = (".html", ".htm")
SCENARIO_KINDS = ("space", "concession", "issues", "ratification", "audit")
"""Figures of one negotiation; every other kind of `kinds.FIGURES` is a tournament's."""


def _results(source: str) -> Path | None:
    """`source` as a tournament's results folder, or None when it names a scenario."""
    from entente.tournament.store import Store

    path = Path(source)
    return path if path.is_dir() and Store(path).exists() else None


def _suffix(output: Path, allowed: tuple[str, ...]) -> str:
    suffix = output.suffix.lower()
    if suffix not in allowed:
        raise EntenteError(
            f"--output {quoted(output.name)}: expected a file name ending in " + ", ".join(allowed)
        )
    return suffix


def _no_run_options(
    results: Path,
    protocol: str | None,
    strategy: list[str] | None,
    deadline: int | None,
    win_sets: bool,
) -> None:
    given = [
        name
        for name, value in (
            ("--protocol", protocol),
            ("--strategy", strategy),
            ("--deadline", deadline),
            ("--win-sets", win_sets),
        )
        if value
    ]
    if given:
        raise EntenteError(
            f"{given[0]}: {quoted(str(results))} holds a tournament's results; expected a scenario "
            "to negotiate with it"
        )


def _read(results: Path) -> Any:
    from entente.tournament import Store

    return Store(results).read()


def report(
    source: SourceArg = "portsmouth",
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path(
        "report.html"
    ),
    protocol: options.ProtocolOpt = None,
    strategy: options.StrategyOpt = None,
    seed: Annotated[
        int,
        typer.Option(
            min=0,
            help="Seed of every random choice; of the bootstrap for a tournament (0 or more).",
        ),
    ] = 0,
    deadline: options.DeadlineOpt = None,
    win_sets: options.WinSetsOpt = False,
) -> None:
    """Write one self-contained HTML file (no network needed): a negotiation's summary, figures,
    treaty and audit; or a tournament's leaderboard and figures."""
    from entente.formats.safe import write_atomic
    from entente.report import html

    _suffix(output, REPORT_SUFFIXES)
    html.require()
    results = _results(source)
    if results is not None:
        from entente.tournament import Store, leaderboard

        _no_run_options(results, protocol, strategy, deadline, win_sets)
        rows = _read(results)
        title = f"Tournament: {results.resolve().name}"
        text = html.tournament_report(
            title, rows, leaderboard(rows, seed=seed), Store(results).manifest(), seed=seed
        )
    else:
        n = options.negotiate(source, protocol, strategy, seed, deadline, win_sets)
        text = html.negotiation_report(n.summary, command=_replay(n, source))
    write_atomic(output, text)


def _replay(n: Negotiated, source: str) -> str:
    from entente.cli.render import replay_command

    return replay_command(n.summary, source)


def plot(
    kind: Annotated[str, typer.Argument(help="The figure to draw, one of those listed above.")],
    source: SourceArg = "portsmouth",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="FILE.svg, .png, .pdf, .html or .json.")
    ] = Path("figure.svg"),
    protocol: options.ProtocolOpt = None,
    strategy: options.StrategyOpt = None,
    seed: options.SeedOpt = 0,
    deadline: options.DeadlineOpt = None,
    win_sets: options.WinSetsOpt = False,
    pair: Annotated[
        str | None,
        typer.Option(
            "--pair",
            help="`space` with three or more parties: PARTY,PARTY for one pair of axes, or "
            "'all' for a panel of every pair (default: the first two parties).",
        ),
    ] = None,
) -> None:
    """Draw one figure of a negotiation or of a tournament's results: SVG, PNG, PDF, offline
    HTML or the Vega-Lite specification (JSON)."""
    from entente.report.export import SUFFIXES, save
    from entente.report.kinds import FIGURES

    if kind not in FIGURES:
        raise EntenteError(
            f"figure {quoted(kind)}: no such figure; expected one of " + ", ".join(FIGURES)
        )
    if pair is not None and kind != "space":
        raise EntenteError(
            f"--pair: only the figure 'space' has axes to choose, not {quoted(kind)}"
        )
    _suffix(output, SUFFIXES)
    from entente.report.html import require

    require()
    results = _results(source)
    if kind not in SCENARIO_KINDS:
        if results is None:
            raise EntenteError(
                f"figure {quoted(kind)} draws a tournament: expected a results folder "
                f"written by `entente tournament`, not {quoted(source)}"
            )
        from entente.report.tournaments import tournament_charts

        _no_run_options(results, protocol, strategy, deadline, win_sets)
        charts = tournament_charts(_read(results), seed=seed)  # the bootstrap's seed
        if kind not in charts:
            raise EntenteError(f"figure {quoted(kind)}: these results have none to draw")
        chart = charts[kind]
    else:
        if results is not None:
            raise EntenteError(
                f"figure {quoted(kind)} draws a negotiation: expected a scenario, "
                f"not the tournament results in {quoted(source)}"
            )
        n = options.negotiate(
            source, protocol, strategy, seed, deadline, win_sets, check=_can_draw(kind)
        )
        chart = _negotiation_chart(kind, n, pair)
    save(chart, output)


def _negotiation_chart(kind: str, n: Negotiated, pair: str | None = None) -> Any:
    from entente.report.documents import audit_chart, ratification
    from entente.report.space import utility_space
    from entente.report.talks import concession, issues_over_time

    sc, r = n.scenario, n.result
    hist = sc.history.outcome if sc.history is not None else None
    if kind == "space":
        return utility_space(sc, r, pair=_pair(sc, pair))
    if kind == "concession":
        return concession(sc, r)
    if kind == "issues":
        return issues_over_time(sc, r)
    if kind == "ratification":
        outcome = r.agreement if r.agreement is not None else hist
        if outcome is None:
            raise EntenteError("figure 'ratification': no agreement and no outcome in history")
        return ratification(sc, outcome)
    return audit_chart(sc, hist if hist is not None else r.agreement)


def _can_draw(kind: str) -> Callable[[Any], None]:
    """A check of the scenario before the negotiation runs: a figure it cannot have is refused
    at once (an audit needs a timeline)."""

    def check(sc: Any) -> None:
        if kind == "audit" and not sc.timeline:
            raise EntenteError(
                f"figure 'audit': scenario {quoted(sc.id)} has no timeline to audit along"
            )

    return check


def _pair(sc: Any, pair: str | None) -> tuple[int, int] | None:
    """`--pair` as positions of two parties; None (every pair) for 'all'."""
    if pair is None:
        return (0, 1)
    if pair.strip().lower() == "all":
        return None
    ids = [p.id for p in sc.parties]
    names = [x.strip() for x in pair.split(",")]
    if len(names) != 2 or names[0] == names[1] or not all(x in ids for x in names):
        raise EntenteError(
            f"--pair {quoted(pair)}: expected two different parties as PARTY,PARTY "
            f"(of {', '.join(ids)}) or 'all'"
        )
    return ids.index(names[0]), ids.index(names[1])


def _kinds_help() -> str:
    from entente.report.kinds import FIGURES

    return "\n\n".join(f"{k}: {v}" for k, v in FIGURES.items())


def register(app: typer.Typer) -> None:
    """Add `report` and `plot` to the entente command."""
    app.command("report")(report)
    doc = inspect.cleandoc(plot.__doc__ or "")  # no docstring indent inside the help
    app.command("plot", help=doc + "\n\nFigures:\n\n" + _kinds_help())(plot)
