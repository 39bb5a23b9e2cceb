"""`entente new`: write a commented starting scenario that validates and runs as written."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Template(StrEnum):
    minimal = "minimal"
    mediated = "mediated"
    treaty = "treaty"
    portsmouth = "portsmouth"


ABOUT = {
    "minimal": "two parties, three issues, preferences, reservation values, a red line",
    "mediated": "three parties and a mediator who drafts single texts",
    "treaty": "a treaty with clauses and obligations, ratification, a timeline to audit",
    "portsmouth": "a short Portsmouth 1905: every section, with dates in two calendars",
}
"""What each template shows, in a few words."""

PLACEHOLDER = 'id = "my_case"'
"""The template line that takes the new file's name as the scenario's id."""


def template_text(name: str, scenario_id: str | None = None) -> str:
    """The text of template `name`; with `scenario_id`, the scenario takes that id."""
    from importlib import resources

    text = resources.files("entente").joinpath("templates", f"{name}.toml").read_text("utf-8")
    if scenario_id is not None:
        text = text.replace(PLACEHOLDER, f'id = "{scenario_id}"', 1)
    return text


def _id_from(path: Path) -> str | None:
    """The file's stem when it is a valid scenario id (letters, digits, '-', '_')."""
    stem = path.stem
    return stem if stem and all(c.isascii() and (c.isalnum() or c in "-_") for c in stem) else None


def new(
    file: Annotated[Path, typer.Argument(help="The scenario file to write (TOML).")],
    template: Annotated[
        Template,
        typer.Option(
            "--template",
            "-t",
            help="minimal: "
            + ABOUT["minimal"]
            + "; mediated: "
            + ABOUT["mediated"]
            + "; treaty: "
            + ABOUT["treaty"]
            + "; portsmouth: "
            + ABOUT["portsmouth"]
            + ".",
        ),
    ] = Template.minimal,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite FILE if it already exists.")
    ] = False,
) -> None:
    """Write a starting scenario, every field explained in comments; edit it, then validate."""
    from entente.errors import EntenteError
    from entente.formats.safe import write_atomic

    if file.is_dir():
        raise EntenteError(f"{file}: is a folder: expected a file name such as case.toml")
    if file.exists() and not force:
        raise EntenteError(
            f"{file}: already exists: choose another name, or give --force to overwrite it"
        )
    if file.suffix.lower() != ".toml":
        raise EntenteError(
            f"{file}: expected a name ending in .toml (entente tells formats apart by the "
            "suffix), e.g. case.toml"
        )
    write_atomic(file, template_text(template.value, _id_from(file)))
    typer.echo(
        f"wrote {file} ({template.value}: {ABOUT[template.value]}); "
        f"check it with: entente validate {file}",
        err=True,
    )


def register(app: typer.Typer) -> None:
    """Add `new` to the entente command."""
    app.command("new")(new)
