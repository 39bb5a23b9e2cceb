"""Start-up: `import entente` and each command import only what they use.

Each case runs in a fresh interpreter (a subprocess) and reads `sys.modules` at its end, so what
an earlier test imported cannot hide an import. Times are measured by benchmarks/startup.py,
not here.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from genius_paths import DATA

LAPTOP = str(DATA / "y2011" / "Laptop")

RUNNER = """
import contextlib, io, json, sys
args = sys.argv[1:]
if args[:1] == ["--import"]:
    import entente
else:
    sys.argv = ["entente", *args]
    from entente.cli import main
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main()
        except SystemExit as e:
            if e.code:
                raise
print(json.dumps(sorted(sys.modules)))
"""

LAYERS = {
    "tournament": ("entente.tournament", "entente.cli.tournament_show", "pyarrow", "pandas"),
    "treaty": (
        "entente.treaty.build",
        "entente.treaty.render_md",
        "entente.treaty.render_html",
        "entente.treaty.render_akn",
        "entente.cli.treaty_show",
        "entente.settlement",
    ),
    "report": ("entente.report",),
    "web": ("entente.web",),
    "forecast": ("entente.forecast",),
}
"""Modules (and their submodules) of the layers a command that does not use them must not load."""


def modules(*args: str) -> set[str]:
    """The modules loaded at the end of `entente ARGS` (or of `import entente`: '--import')."""
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


DATA_ONLY = {"entente.report", "entente.report.kinds"}
"""Modules of plain data that the command line may load to write its help (`plot`'s kinds)."""


def loaded(found: set[str], *prefixes: str) -> list[str]:
    """The modules of `found` that are one of `prefixes` or inside one (data-only ones aside)."""
    return sorted(
        m for m in found - DATA_ONLY if any(m == p or m.startswith(p + ".") for p in prefixes)
    )


def test_import_entente_imports_nothing_else() -> None:
    found = modules("--import")
    assert loaded(found, "entente") == ["entente"]
    assert not loaded(found, "numpy", "pydantic", "rich", "typer")


@pytest.mark.parametrize("args", [("run",), ("run", LAPTOP), ("validate", LAPTOP)])
def test_run_imports_no_layer_it_does_not_use(args: tuple[str, ...]) -> None:
    found = modules(*args)
    assert "entente.negotiation.session" in found  # the runner did run the command
    for layer, prefixes in LAYERS.items():
        assert not loaded(found, *prefixes), f"`entente {' '.join(args)}` imports the {layer} layer"


def test_a_genius_folder_needs_no_scenario_schema() -> None:
    found = modules("run", LAPTOP)
    assert not loaded(found, "entente.formats.scenario_toml", "entente.formats.treaty_toml")


@pytest.mark.parametrize("args", [("--help",), ("run", "--help"), ("tournament", "--help")])
def test_help_imports_no_command_implementation(args: tuple[str, ...]) -> None:
    found = modules(*args)
    assert "entente.cli" in found
    heavy = ("numpy", "pyarrow", "pandas")
    # typer reads a command's parameters through pydantic: only the bare help avoids it
    assert not loaded(found, *heavy, *(("pydantic",) if args == ("--help",) else ()))
    implementations = [
        m
        for m in loaded(found, "entente")
        if not m.startswith("entente.cli") and m not in ("entente", "entente.errors")
    ]
    assert implementations == [], "the command line's help imports the library"
    assert not loaded(found, "entente.cli.tournament_show", "entente.cli.treaty_show")


def test_every_public_name_is_importable_and_is_what_its_module_defines() -> None:
    import importlib

    import entente

    assert entente.__all__ == sorted(entente._WHERE)
    for name in entente.__all__:
        where = entente._WHERE[name]
        module, _, attr = where.partition(":")
        assert getattr(entente, name) is getattr(importlib.import_module(module), attr or name)
    # a module named like a public function does not replace the function when imported
    import entente.overview
    import entente.table
    from entente.api import table
    from entente.overview import overview

    assert entente.table is table and entente.overview is overview
    assert callable(entente.audit)
    assert set(dir(entente)) >= set(entente.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        entente.nothing  # noqa: B018


def test_star_import_gives_every_public_name() -> None:
    space: dict[str, object] = {}
    exec("from entente import *", space)
    import entente

    assert {k for k in space if not k.startswith("__")} == set(entente.__all__)
