"""`entente import` / `entente export` commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from entente.cli.convert import register
from entente.formats import load
from genius_paths import DATA


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def version() -> None:  # a second command keeps typer in multi-command mode
        pass

    return app


def test_import_to_toml_and_geniusweb_then_export(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "laptop.toml"
    r = runner.invoke(
        _app(), ["import", str(DATA / "y2011/Laptop"), "--to", "toml", "-o", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert len(load(out).parties) == 2
    r = runner.invoke(_app(), ["import", str(out), "--to", "geniusweb", "-o", str(tmp_path / "gw")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        _app(), ["export", "portsmouth", str(tmp_path / "g"), "--to", "genius", "--drop-red-lines"]
    )
    assert r.exit_code == 0, r.output
    assert load(tmp_path / "g").space.shape == load("portsmouth").space.shape


def test_bad_input_is_one_line_and_exit_status_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<negotiation_template>")
    r = subprocess.run(
        [sys.executable, "-m", "entente", "import", str(bad), "--to", "toml"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "bad.xml" in r.stderr and len(r.stderr.strip().splitlines()) == 1
