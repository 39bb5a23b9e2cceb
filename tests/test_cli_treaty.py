"""`entente treaty` and `entente audit`, driven through a Typer app that registers them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from entente.cli.treaty import register
from entente.errors import EntenteError, ScenarioError

SCENARIOS = Path(__file__).resolve().parents[1] / "src" / "entente" / "scenarios"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)
    return a


def run(app: typer.Typer, *args: str) -> tuple[int, str, BaseException | None]:
    r = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return r.exit_code, r.output, r.exception


def test_treaty_markdown_to_stdout(app: typer.Typer) -> None:
    code, out, _ = run(app, "treaty", "portsmouth", "--format", "md")
    assert code == 0 and out.startswith("# Treaty of Peace") and "### Article XV" in out


def test_treaty_akn_to_file_atomically(app: typer.Typer, tmp_path: Path) -> None:
    target = tmp_path / "portsmouth.xml"
    code, out, _ = run(app, "treaty", str(SCENARIOS / "portsmouth.toml"), "--format", "akn", "-o", str(target))  # fmt: skip
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["portsmouth.xml"]


def test_treaty_json_exports_obligations(app: typer.Typer) -> None:
    code, out, _ = run(app, "treaty", "portsmouth", "--json")
    data = json.loads(out)
    assert code == 0 and {"id", "holder", "kind", "action", "article_num"} <= set(data["obligations"][0])  # fmt: skip
    assert any(o["id"] == "straits.japan" and o["kind"] == "prohibition" for o in data["obligations"])  # fmt: skip


def test_audit_prints_verdicts_timeline_and_ratification(app: typer.Typer) -> None:
    code, out, _ = run(app, "audit", "portsmouth", "--at", "1932-01-01")
    assert code == 0
    assert "violated" in out and "Mukden" in out and "Timeline" in out and "Hibiya" not in out
    assert "Press and public opinion" in out and "opposes" in out
    assert "political responsibility" in out


def test_audit_json_with_a_timeline_file(app: typer.Typer, tmp_path: Path) -> None:
    life = tmp_path / "life.toml"
    life.write_text(
        '[[timeline]]\ndate = "1905-10-02 OS"\nkind = "entry_into_force"\ntitle = "In force"\n'
        '[[timeline]]\ndate = "1908-01-01"\nkind = "act"\nact = "fortification"\nparty = "japan"\n'
        'title = "Works on Sakhalin"\nviolates = ["no_fortification.japan"]\n',
        encoding="utf-8",
    )
    code, out, _ = run(app, "audit", "portsmouth", "--timeline", str(life), "--json")
    data = json.loads(out)
    assert code == 0 and data["warnings"] == []
    ob = next(o for o in data["obligations"] if o["id"] == "no_fortification.japan")
    assert ob["status"] == "violated" and ob["since"] == "1908-01-01"
    assert [h["status"] for h in ob["history"]] == ["in_force", "violated"]


def test_errors_are_entente_errors(app: typer.Typer, tmp_path: Path) -> None:
    assert isinstance(run(app, "treaty", "atlantis")[2], EntenteError)
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\n', encoding="utf-8")
    assert isinstance(run(app, "audit", str(bad))[2], ScenarioError)
    assert isinstance(run(app, "audit", "portsmouth", "--at", "1931-02-30")[2], EntenteError)


def test_negotiated_and_ratified_treaty(app: typer.Typer) -> None:
    code, out, _ = run(app, "treaty", "portsmouth", "--outcome", "negotiated", "--seed", "1")
    assert code == 0 and "### Article I. Peace and friendship" in out
