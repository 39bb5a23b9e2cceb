"""`entente import` and `entente export`: convert scenarios between formats."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer


class ImportTo(StrEnum):
    toml = "toml"
    geniusweb = "geniusweb"


class ExportTo(StrEnum):
    genius = "genius"
    geniusweb = "geniusweb"


DropRedLinesOpt = Annotated[
    bool,
    typer.Option(
        "--drop-red-lines",
        help="Write a scenario with red lines to a format that cannot express them (GENIUS, "
        "GeniusWeb), leaving the red lines out.",
    ),
]


def _said(scenario: Any, fmt: str, drop_red_lines: bool) -> Any:
    """The scenario as `fmt` will hold it; what `fmt` cannot carry is said in one line."""
    from entente.formats import carry

    ready = carry.prepare(scenario, fmt, drop_red_lines)  # type: ignore[arg-type]
    dropped = carry.red_lines(scenario) - carry.red_lines(ready)
    line = carry.note(ready, fmt, dropped)  # type: ignore[arg-type]
    if line:
        typer.echo(f"entente: warning: {line}", err=True)
    return ready


def import_(
    source: Annotated[str, typer.Argument(help="GENIUS folder/file, GeniusWeb file, or TOML.")],
    to: Annotated[ImportTo, typer.Option("--to", help="Format to write.")] = ImportTo.toml,
    out: Annotated[
        Path | None, typer.Option("-o", "--out", help="Output file (toml) or folder.")
    ] = None,
    drop_red_lines: DropRedLinesOpt = False,
) -> None:
    """Read a scenario in any format and write it as TOML or GeniusWeb JSON; what the target
    format cannot carry is said in one line on stderr."""
    from entente.formats import geniusweb, load, scenario_write

    sc = _said(load(source), to.value, drop_red_lines)
    if to is ImportTo.toml:
        if out is None:
            typer.echo(scenario_write.dumps(sc), nl=False)
            return
        scenario_write.save(sc, out)
        written = [out]
    else:
        written = geniusweb.save(sc, out or Path(sc.id))
    for f in written:
        typer.echo(f"wrote {f}", err=True)


def export(
    scenario: Annotated[str, typer.Argument(help="Scenario: built-in name or file/folder.")],
    folder: Annotated[Path, typer.Argument(help="Folder to write into.")],
    to: Annotated[ExportTo, typer.Option("--to", help="Format to write.")] = ExportTo.genius,
    drop_red_lines: DropRedLinesOpt = False,
) -> None:
    """Write a scenario as GENIUS XML or GeniusWeb JSON files in FOLDER; what the format
    cannot carry is said in one line on stderr."""
    from entente.formats import genius_write, geniusweb, load

    sc = _said(load(scenario), to.value, drop_red_lines)
    saver = genius_write.save if to is ExportTo.genius else geniusweb.save
    written = saver(sc, folder)
    for f in written:
        typer.echo(f"wrote {f}", err=True)


def register(app: typer.Typer) -> None:
    """Add `import` and `export` to the entente command."""
    app.command("import")(import_)
    app.command("export")(export)
