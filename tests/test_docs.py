"""The documentation site: it builds with warnings as errors and without the network, its
generated pages cover the code they describe, and every code block of every page runs.

Code blocks, by their fence:
- ```python: executed, from the repository root;
- ```bash / ```console: each line that starts with `entente ` (or `$ entente `) runs through
  the CLI in this process, from a scratch folder that sees docs/, src/ and tests/, and must
  exit 0; other lines (pip, mkdocs) are not run;
- ```toml: a whole file, loaded as what it is (a scenario; an actor table when it has
  `[[actors]]`; a timeline file when it has only `[[timeline]]`). A block titled with a file
  (```toml title="docs/examples/x.toml"```) is an excerpt of that file and must appear in it
  word for word; one titled "excerpt" is a deliberate fragment and is not checked;
- ```json: parsed; a fence with no language (diagrams, output) is text.
Any other language fails, so that a new kind of block is given a check.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from cli_run import cli

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLE = DOCS / "examples" / "lake-seren.toml"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("docs_gen", ROOT / "scripts" / "docs_gen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
GENERATED: dict[str, str] = GEN.pages()


class Block(NamedTuple):
    page: str
    line: int
    lang: str
    options: str
    body: str


_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*(.*)$")


def blocks(page: str, text: str) -> list[Block]:
    """The fenced code blocks of a Markdown page."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang, options = m.groups()
        body, j = [], i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(fence) and lines[j].strip().strip(fence[0]) == ""
        ):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        assert j < len(lines), f"{page}:{i + 1}: fence never closed"
        out.append(Block(page, i + 1, lang.lower(), options, "\n".join(body) + "\n"))
        i = j + 1
    return out


def _pages() -> dict[str, str]:
    written = {str(p.relative_to(DOCS)): p.read_text(encoding="utf-8") for p in DOCS.rglob("*.md")}
    clash = set(written) & set(GENERATED)
    assert not clash, f"generated pages also written by hand: {sorted(clash)}"
    return written | GENERATED


ALL_BLOCKS = [b for page, text in sorted(_pages().items()) for b in blocks(page, text)]


def _title(options: str) -> str | None:
    m = re.search(r'title="([^"]*)"', options)
    return m.group(1) if m else None


def _check_toml(block: Block) -> None:
    from entente.formats import scenario_toml, spatial, treaty_toml

    title = _title(block.options)
    if title == "excerpt":
        return  # a deliberate fragment, marked as such
    if title is not None:
        source = ROOT / title
        assert source.is_file(), f"{block.page}:{block.line}: excerpt of {title}, no such file"
        assert block.body.strip() in source.read_text(encoding="utf-8"), (
            f"{block.page}:{block.line}: this excerpt is no longer in {title}"
        )
        return
    data = tomllib.loads(block.body)
    where = f"{block.page}:{block.line}"
    if "actors" in data:
        actors = spatial.loads_actors(block.body.encode(), file=where)
        assert actors.names, where
    elif set(data) <= {"timeline", "scenario"}:
        assert treaty_toml.load_timeline(_scratch(block, "timeline.toml")), where
    else:
        scenario_toml.loads(block.body, file=where)


def _scratch(block: Block, name: str) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="entente-docs-"))
    path = folder / name
    path.write_text(block.body, encoding="utf-8")
    return path


def _commands(body: str) -> list[str]:
    """The `entente ...` command lines of a shell block (continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", body)
    out = []
    for line in joined.splitlines():
        line = line.strip().removeprefix("$ ")
        if line.startswith("entente "):
            out.append(line)
    return out


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder in which docs/, src/ and tests/ are the repository's."""
    for name in ("docs", "src", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[f"{b.page}:{b.line}" for b in ALL_BLOCKS])
def test_code_block_runs(block: Block, scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = f"{block.page}:{block.line}"
    if block.lang == "python":
        os.chdir(ROOT)
        exec(compile(block.body, where, "exec"), {"__name__": "__docs__"})
    elif block.lang in ("bash", "console", "sh", "shell"):
        for line in _commands(block.body):
            r = cli(*shlex.split(line, comments=True)[1:])
            assert r.code == 0, f"{where}: `{line}` exited {r.code}: {r.err or r.out}"
    elif block.lang == "toml":
        _check_toml(block)
    elif block.lang == "json":
        json.loads(block.body)
    else:
        assert block.lang in ("", "text"), f"{where}: no check for ```{block.lang} blocks"


def test_every_kind_of_block_is_present() -> None:
    """The checks above run on real blocks: the tutorial has each kind."""
    tutorial = [b for b in ALL_BLOCKS if b.page == "tutorial.md"]
    kinds = {(b.lang, _title(b.options)) for b in tutorial}
    assert ("python", None) in kinds and ("console", None) in kinds
    assert ("toml", "docs/examples/lake-seren.toml") in kinds
    commands = [c for b in tutorial for c in _commands(b.body)]
    assert {c.split()[1] for c in commands} >= {"validate", "analyze", "run", "treaty", "audit"}


def test_excerpt_check_catches_drift() -> None:
    """An excerpt that is not in its file, or a broken scenario, is refused."""
    from entente.errors import EntenteError

    stale = Block("x.md", 1, "toml", 'title="docs/examples/lake-seren.toml"', "quota = 99\n")
    with pytest.raises(AssertionError, match="no longer in"):
        _check_toml(stale)
    broken = Block("x.md", 1, "toml", "", 'id = "x"\ntitle = "x"\n')
    with pytest.raises(EntenteError):
        _check_toml(broken)


def test_tutorial_example_is_a_whole_case() -> None:
    """The tutorial's file has every part the tutorial promises, and the audit finds what the
    tutorial says it finds."""
    import entente

    case = entente.load(str(EXAMPLE))
    raw = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert len(case.parties) == 2 and case.mediators and case.treaty and case.timeline
    assert all(p.get("red_lines") for p in raw["parties"])
    assert set(raw["ratification"]) == {"arland", "borsk"}
    assert case.history is not None
    assert entente.negotiate(case, seed=0).agreement == case.history.outcome
    r = cli("audit", EXAMPLE, "--json")
    assert r.code == 0, r.err
    verdicts = {o["id"]: o for o in json.loads(r.out)["obligations"]}
    assert set(verdicts) >= {"quota", "commission.arland", "ratify.borsk", "permits"}
    text = cli("audit", EXAMPLE).out
    assert "violated on 2003-11-20" in text and "cured on 1999-03-01" in text


# ---------------------------------------------------------------- generated pages


def test_cli_reference_has_every_command_and_option() -> None:
    import typer

    from entente.cli import app

    page = GENERATED[GEN.CLI_PAGE]
    root = typer.main.get_command(app)
    names = root.list_commands(root.make_context("entente", [], resilient_parsing=True))
    assert len(names) >= 10
    for name in names:
        assert f"\n## {name}\n" in page, name
        cmd = root.commands[name]
        section = page.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        if cmd.help:
            assert " ".join(cmd.help.split()[:5]) in section, name
        for param in cmd.params:
            for opt in param.opts:
                assert opt in section, f"{name}: {opt}"


def test_registry_has_a_page_per_protocol_and_strategy() -> None:
    from entente import registry

    for folder, table in ((GEN.PROTOCOLS_DIR, registry.PROTOCOLS),
                          (GEN.STRATEGIES_DIR, registry.STRATEGIES)):  # fmt: skip
        index = GENERATED[f"{folder}/index.md"]
        for name, path in table.items():
            page = GENERATED[f"{folder}/{name}.md"]
            cls = registry._import(path)
            assert f"({name}.md)" in index
            assert path.replace(":", ".") in page
            first = " ".join((cls.__doc__ or "").split()[:4])
            assert GEN.text(first) in page, name
            for param, p in registry.parameters(cls).items():
                assert f"| `{param}` |" in page and repr(p.default) in page, f"{name}.{param}"


def test_schema_reference_has_every_field() -> None:
    from entente.formats.scenario_toml import json_schema

    schema = json_schema()
    page = GENERATED[GEN.SCHEMA_PAGE]
    sections = dict(GEN._schema_sections(schema))
    assert set(sections) == {"", *schema["$defs"]}, "a model reached from no TOML header"
    for ref in sections:
        model = schema if ref == "" else schema["$defs"][ref]
        anchor = "scenario-file" if ref == "" else GEN._anchor(ref)
        section = page.split(f"{{#{anchor}}}", 1)[1].split("\n## ", 1)[0]
        for name, prop in model.get("properties", {}).items():
            # every field says what it means at the source (`Field(description=...)`), so
            # `entente schema`, the JSON Schema and this page all carry it
            assert prop.get("description", "").strip(), f"{ref or 'Scenario'}.{name} has no meaning"
            row = next(line for line in section.splitlines() if line.startswith(f"| `{name}` |"))
            assert GEN.text(prop["description"]) in row


def test_gallery_lists_every_builtin_with_sources_and_rationale() -> None:
    from entente import registry

    page = GENERATED[GEN.GALLERY_PAGE]
    for name in registry.scenarios():
        raw = GEN._builtin(name)
        assert GEN.text(raw["title"]) in page
        assert GEN.paragraphs(raw["description"]) in page
        for source in raw["sources"]:
            assert GEN.text(source["citation"]) in page
        for party in raw["parties"]:
            assert GEN.paragraphs(party["rationale"]) in page


def test_list_shows_each_scenario_summary_whole() -> None:
    """`entente list` prints each built-in's whole summary paragraph: on one line when the
    terminal is wide enough, wrapped (every word kept, nothing cut) at 80 columns."""
    from entente import api, registry

    wide, narrow = cli("list", columns=2000), cli("list", columns=80)
    assert wide.code == narrow.code == 0
    assert "…" not in narrow.out
    for name in registry.scenarios():
        summary = " ".join(api.load(name).description.split())
        assert summary in wide.out
        words = narrow.out.split()
        for word in summary.split():
            assert word in words, word


# ---------------------------------------------------------------- the site


def test_site_builds_strict_and_offline(tmp_path: Path) -> None:
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"}
    # a fetch from the build would go nowhere: no proxy answers on port 9
    env |= {k: "http://127.0.0.1:9" for k in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")}
    start = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - start
    assert r.returncode == 0, r.stderr[-3000:]
    assert took < 60, f"the build took {took:.0f} s"
    for path in ["index.html", "tutorial/index.html", "gallery/index.html",
                 "architecture/index.html", "formats/index.html", "scenarios/index.html",
                 "forecast/index.html", "reference/scenario-file/index.html",
                 "reference/cli/index.html", "reference/strategies/informed/index.html",
                 "reference/protocols/mediated/index.html",
                 "examples/lake-seren.toml"]:  # fmt: skip
        assert (site / path).is_file(), path
    loads = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", re.I)
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for m in loads.finditer(text):
            tag = text[m.start() : text.index(">", m.start()) + 1]
            assert (
                tag.startswith("<link") and "stylesheet" not in tag and "preconnect" not in tag
            ), f"{html.relative_to(site)} loads {tag}"
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
