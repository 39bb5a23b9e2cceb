"""The code keeps the layers that docs/architecture.md draws.

The table under "## Layers, from the bottom up" in docs/architecture.md is the one source of
truth: this test reads it, places every module of src/entente in one of its rows, and fails when
a module imports a module of a higher row, when a module is in no row (or in two), when a row
names a module that does not exist, and when modules import each other in a cycle.

Every import counts, wherever it is written: at module level, inside a function (a lazy
import still ties the two modules together), under `if TYPE_CHECKING:` (a type from a higher
layer is knowledge of that layer), and relative imports. An import of `entente.a.b` is an
edge to the module `a/b`; `from entente.a import b` is an edge to `a/b` when that is a module,
and to the package `a/__init__` otherwise. The packages around an imported module are not
counted: every import would otherwise pass through `entente/__init__`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "entente"
DOC = ROOT / "docs" / "architecture.md"
SECTION = "## Layers, from the bottom up"


@dataclass(frozen=True)
class Layer:
    name: str
    patterns: tuple[str, ...]
    """`errors` (a module), `treaty/model`, `treaty/render_*`, `analysis/` (a whole package)."""


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int


def read_layers(markdown: str) -> list[Layer]:
    """The rows of the layer table, bottom layer first, with the module names of each row."""
    if SECTION not in markdown:
        raise AssertionError(f"docs/architecture.md has no section {SECTION!r}")
    rows = markdown.split(SECTION, 1)[1].splitlines()
    layers: list[Layer] = []
    in_table = False
    for row in rows:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if not row.startswith("|"):
            if in_table:
                break
            continue
        if not in_table:
            assert cells[:2] == ["layer", "modules"], f"unexpected table header: {row!r}"
            in_table = True
            continue
        if set(cells[0]) <= {"-", ":", " "}:
            continue
        patterns = tuple(re.findall(r"`([^`]+)`", cells[1]))
        assert patterns, f"layer {cells[0]!r} names no module in backticks"
        layers.append(Layer(cells[0], patterns))
    return layers


def matches(pattern: str, module: str) -> bool:
    if pattern.endswith("/"):
        return module.startswith(pattern)
    return fnmatchcase(module, pattern)


def modules(package: Path) -> dict[str, Path]:
    """Every module, by its path under the package without `.py`: `treaty/model`, `__init__`."""
    return {
        p.relative_to(package).with_suffix("").as_posix(): p for p in sorted(package.rglob("*.py"))
    }


def module_of(dotted: str, known: set[str]) -> str | None:
    """`entente.treaty.model` -> `treaty/model`; a package -> its `__init__`; outside -> None."""
    parts = dotted.split(".")
    if parts[0] != "entente":
        return None
    path = "/".join(parts[1:])
    if path in known:
        return path
    init = f"{path}/__init__" if path else "__init__"
    return init if init in known else None


def imports_of(module: str, source: str, known: set[str]) -> list[Import]:
    """Every import of an entente module in `source`, at any depth of the syntax tree."""
    package = ["entente", *module.split("/")[:-1]]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = module_of(alias.name, known)
                if target is not None:
                    found.append(Import(module, target, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                where = ".".join(base + ([node.module] if node.module else []))
            else:
                where = node.module or ""
            for alias in node.names:
                target = module_of(f"{where}.{alias.name}", known)
                if target is None:
                    target = module_of(where, known)
                if target is not None and target != module:
                    found.append(Import(module, target, node.lineno))
    return list(dict.fromkeys(found))


def layer_index(layers: list[Layer], names: set[str]) -> tuple[dict[str, int], list[str]]:
    """Each module's row; and what is wrong with the table (modules in none or two rows)."""
    problems: list[str] = []
    where: dict[str, int] = {}
    for m in sorted(names):
        rows = [i for i, layer in enumerate(layers) if any(matches(p, m) for p in layer.patterns)]
        if not rows:
            problems.append(
                f"src/entente/{m}.py is in no layer: add `{m}` to the modules column of its "
                f"row in the table under {SECTION!r} in docs/architecture.md"
            )
        elif len(rows) > 1:
            problems.append(
                f"src/entente/{m}.py is in the rows "
                + " and ".join(repr(layers[i].name) for i in rows)
                + " of docs/architecture.md: keep it in one"
            )
        else:
            where[m] = rows[0]
    for layer in layers:
        for p in layer.patterns:
            if not any(matches(p, m) for m in names):
                problems.append(
                    f"docs/architecture.md, layer {layer.name!r}: `{p}` names no module "
                    "under src/entente"
                )
    return where, problems


def upward(layers: list[Layer], where: dict[str, int], edges: list[Import]) -> list[str]:
    return [
        f"src/entente/{e.source}.py:{e.line}: `{e.source}` (layer {layers[where[e.source]].name!r})"
        f" imports `{e.target}` (layer {layers[where[e.target]].name!r}, above it)"
        for e in edges
        if e.source in where and e.target in where and where[e.target] > where[e.source]
    ]


def cycles(edges: list[Import]) -> list[list[Import]]:
    """The imports inside each strongly connected component of the import graph."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for n in graph.get(todo.pop(), ()):
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        return seen

    reached = {m: reach(m) for m in graph}
    components: list[set[str]] = []
    for m in sorted(graph):
        if m in reached[m] and not any(m in c for c in components):
            components.append({n for n in reached[m] if m in reached.get(n, set())})
    return [
        sorted(
            (e for e in edges if e.source in c and e.target in c),
            key=lambda e: (e.source, e.line),
        )
        for c in components
    ]


def project() -> tuple[list[Layer], dict[str, int], list[str], list[Import]]:
    layers = read_layers(DOC.read_text(encoding="utf-8"))
    files = modules(PACKAGE)
    known = set(files)
    where, problems = layer_index(layers, known)
    edges = [
        e for m, p in files.items() for e in imports_of(m, p.read_text(encoding="utf-8"), known)
    ]
    return layers, where, problems, edges


def test_every_module_is_in_exactly_one_layer_of_the_doc() -> None:
    layers, _, problems, _ = project()
    names = [layer.name for layer in layers]
    assert (names[0], names[-1]) == ("base", "cli"), names
    assert not problems, "\n".join(problems)


def test_no_module_imports_a_layer_above_its_own() -> None:
    layers, where, _, edges = project()
    bad = upward(layers, where, edges)
    assert not bad, "imports that go up the layers of docs/architecture.md:\n" + "\n".join(bad)


def test_no_import_cycle() -> None:
    *_, edges = project()
    found = cycles(edges)
    text = "\n\n".join(
        "modules that import each other: "
        + ", ".join(sorted({e.source for e in c}))
        + "\n"
        + "\n".join(f"  src/entente/{e.source}.py:{e.line} imports `{e.target}`" for e in c)
        for c in found
    )
    assert not found, text


# the checker itself, on small made-up sources


KNOWN = {
    "__init__",
    "errors",
    "scenario",
    "ratification",
    "cli/__init__",
    "cli/treaty",
    "formats/__init__",
    "formats/a",
    "formats/b",
}


def test_every_kind_of_import_is_seen() -> None:
    source = (
        "from __future__ import annotations\n"
        "import numpy as np\n"
        "from typing import TYPE_CHECKING\n"
        "import entente.errors\n"
        "if TYPE_CHECKING:\n"
        "    from entente.scenario import Scenario\n"
        "def f():\n"
        "    from . import b\n"
        "    from .. import ratification\n"
        "    from entente.cli import treaty\n"
        "    from entente.formats import load\n"
        "    from .a import helper\n"
    )
    got = [(e.target, e.line) for e in imports_of("formats/a", source, KNOWN)]
    assert got == [
        ("errors", 4),
        ("scenario", 6),
        ("formats/b", 8),
        ("ratification", 9),
        ("cli/treaty", 10),
        ("formats/__init__", 11),
    ]


def test_relative_imports_in_a_package_init_start_from_the_package() -> None:
    got = imports_of("cli/__init__", "from . import treaty\nfrom .treaty import x\n", KNOWN)
    assert [(e.target, e.line) for e in got] == [("cli/treaty", 1), ("cli/treaty", 2)]


def test_the_table_is_read_from_markdown_and_checked() -> None:
    doc = (
        f"# A\n\n{SECTION}\n\ntext\n\n| layer | modules | holds |\n|---|---|---|\n"
        "| base | `errors` | `EntenteError` |\n"
        "| documents | `ratification`, `gone` | votes |\n"
        "| scenario | `scenario`, `formats/` | `Scenario` |\n\nafter\n| x | `y` | z |\n"
    )
    layers = read_layers(doc)
    assert [(x.name, x.patterns) for x in layers] == [
        ("base", ("errors",)),
        ("documents", ("ratification", "gone")),
        ("scenario", ("scenario", "formats/")),
    ]
    where, problems = layer_index(layers, KNOWN)
    assert where["formats/b"] == 2
    assert sorted(p.split(" ")[0] for p in problems) == [
        "docs/architecture.md,",
        "src/entente/__init__.py",
        "src/entente/cli/__init__.py",
        "src/entente/cli/treaty.py",
    ]
    edges = [Import("ratification", "scenario", 7), Import("scenario", "errors", 3)]
    assert upward(layers, where, edges) == [
        "src/entente/ratification.py:7: `ratification` (layer 'documents') imports `scenario` "
        "(layer 'scenario', above it)"
    ]


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ([("a", "b"), ("b", "c")], []),
        ([("a", "b"), ("b", "a"), ("b", "c")], [["a", "b"]]),
        (
            [("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("d", "e"), ("e", "d")],
            [["a", "b", "c"], ["d", "e"]],
        ),
    ],
)
def test_cycles_are_found_with_every_module_in_them(
    edges: list[tuple[str, str]], expected: list[list[str]]
) -> None:
    found = cycles([Import(s, t, 1) for s, t in edges])
    assert [sorted({e.source for e in c}) for c in found] == expected
