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


def _ready(scenario: Any, fmt: str, drop_red_lines: bool) -> tuple[Any, str | None]:
    """The scenario as `fmt` will hold it, and the line that says what `fmt` cannot carry."""
    from entente.formats import carry

    ready = carry.prepare(scenario, fmt, drop_red_lines)  # type: ignore[arg-type]
    dropped = carry.red_lines(scenario) - carry.red_lines(ready)
    return ready, carry.note(ready, fmt, dropped)  # type: ignore[arg-type]


def _written(files: list[Path], note: str | None) -> None:
    """Each file written, then what the format left behind (once everything is written)."""
    for f in files:
        typer.echo(f"wrote {f}", err=True)
    if note:
        typer.echo(f"entente: warning: {note}", err=True)


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

    sc, note = _ready(load(source), to.value, drop_red_lines)
    if to is ImportTo.toml:
        if out is None:
            typer.echo(scenario_write.dumps(sc), nl=False)
            _written([], note)
            return
        scenario_write.save(sc, out)
        written = [out]
    else:
        written = geniusweb.save(sc, out or Path(sc.id))
    _written(written, note)


def export(
    scenario: Annotated[str, typer.Argument(help="Scenario: built-in name or file/folder.")],
    folder: Annotated[Path, typer.Argument(help="Folder to write into.")],
    to: Annotated[ExportTo, typer.Option("--to", help="Format to write.")] = ExportTo.genius,
    drop_red_lines: DropRedLinesOpt = False,
) -> None:
    """Write a scenario as GENIUS XML or GeniusWeb JSON files in FOLDER; what the format
    cannot carry is said in one line on stderr."""
    from entente.formats import genius_write, geniusweb, load

    sc, note = _ready(load(scenario), to.value, drop_red_lines)
    saver = genius_write.save if to is ExportTo.genius else geniusweb.save
    _written(saver(sc, folder), note)


def register(app: typer.Typer) -> None:
    """Add `import` and `export` to the entente command."""
    app.command("import")(import_)
    app.command("export")(export)
