"""Hostile and broken GENIUS and GeniusWeb files: one line, exit 2, never a traceback or a hang.

Each test builds its files from small real domains (tests/data/genius) in a temporary folder
and runs the command in-process, as a user would run it.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import shutil
import signal
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cli_run import assert_refused, cli
from entente.errors import EntenteError, ScenarioError
from entente.formats import (
    genius,
    genius_domain,
    genius_write,
    genius_xml,
    geniusweb,
    load,
    safe,
)
from genius_paths import DATA, SHARED

LAPTOP = DATA / "y2011/Laptop"
BUYER, SELLER, DOMAIN = "laptop_buyer_utility.xml", "laptop_seller_utility.xml", "laptop_domain.xml"
INTEGER = DATA / "other/IntegerDomain"
NONLINEAR = DATA / "other/S-1NAGUNL-128"
POSIX = os.name == "posix"

pytestmark = pytest.mark.skipif(not LAPTOP.is_dir(), reason="GENIUS test data not present")


# --- running the command ------------------------------------------------------------------


def refused(*args: str | Path, names: str | Path) -> str:
    """Assert the CLI contract for a user's mistake; returns the message."""
    return assert_refused(cli(*args), names)


@contextmanager
def no_hang(seconds: int = 20) -> Iterator[None]:
    """Fail (rather than wait for ever) if the body blocks, e.g. on a FIFO."""
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def fail(*_: object) -> None:
        raise AssertionError(f"blocked for more than {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def edit(f: Path, old: str, new: str, count: int = 1) -> None:
    text = f.read_text()
    assert old in text, (f, old)
    f.write_text(text.replace(old, new, count))


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    return copy(LAPTOP, tmp_path / "Laptop")


def geniusweb_copy(folder: Path) -> Path:
    """The Laptop domain as GeniusWeb files in `folder`."""
    geniusweb.save(genius.load(LAPTOP), folder)
    return folder


# --- 1. a single profile names the file given ----------------------------------------------


def test_a_profile_alone_is_refused_naming_the_file_given(tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(LAPTOP / BUYER, alone / BUYER)
    msg = refused("run", alone / BUYER, names=alone / BUYER)
    assert "domain" in msg
    shutil.copy(LAPTOP / DOMAIN, alone / DOMAIN)
    msg = refused("validate", alone / BUYER, names=alone / BUYER)
    assert "at least two" in msg and "found 1" in msg
    web = geniusweb_copy(tmp_path / "web")
    (web / "laptop_seller_utility.json").unlink()
    refused("run", web / "laptop_buyer_utility.json", names=web / "laptop_buyer_utility.json")


def test_a_profile_given_loads_its_folder_reading_each_file_once(
    laptop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = genius.parse_xml_bytes
    monkeypatch.setattr(
        genius, "parse_xml_bytes", lambda data, p: parsed.append(Path(p).name) or real(data, p)
    )
    real_file = genius.parse_xml
    monkeypatch.setattr(genius, "parse_xml", lambda p: parsed.append(Path(p).name) or real_file(p))
    for source in (laptop, laptop / BUYER, laptop / DOMAIN):
        parsed.clear()
        s = genius.load(source)
        assert [p.id for p in s.parties] == ["laptop_buyer_utility", "laptop_seller_utility"]
        assert sorted(parsed) == sorted([BUYER, SELLER, DOMAIN]), source
    code, out, _ = cli("validate", laptop / SELLER)
    assert code == 0 and "2 parties" in out


# --- 2 and 7. numbers that are not numbers -------------------------------------------------


NUMBERS = [
    (BUYER, 'value="0.4452125771655631"', 'value="NaN"', "expected a finite number, got 'NaN'"),
    (BUYER, 'evaluation="12"', 'evaluation="nan"', "<item value='Dell'> evaluation"),
    (BUYER, 'evaluation="12"', 'evaluation="1e999"', "got '1e999'"),
    (BUYER, 'evaluation="12"', 'evaluation="abc"', "got 'abc'"),
    (BUYER, 'value="0.4452125771655631"', 'value="1e999"', "<weight index='1'> value"),
    (BUYER, '<weight index="1"', '<weight index="abc"', "expected a whole number, got 'abc'"),
    (BUYER, '<weight index="1"', '<weight index="nan"', "expected a whole number, got 'nan'"),
    (BUYER, '<weight index="1"', '<weight index="1.5"', "expected a whole number, got '1.5'"),
    (BUYER, '<issue index="1"', '<issue index="abc"', "expected a whole number, got 'abc'"),
    (BUYER, '<reservation value="0"', '<reservation value="nan"', "<reservation> value"),
    (BUYER, '<reservation value="0"', '<reservation value="-1e999"', "got '-1e999'"),
    (DOMAIN, '<issue etype="discrete" index="1"', '<issue etype="discrete" index="1e999"', ""),
]


@pytest.mark.parametrize(("name", "old", "new", "says"), NUMBERS)
def test_numbers_that_are_not_numbers_are_refused_at_load(
    laptop: Path, name: str, old: str, new: str, says: str
) -> None:
    edit(laptop / name, old, new)
    for command in (("validate",), ("run", "--json")):
        msg = refused(*command, laptop, names=laptop / name)
        assert says in msg


def test_nan_discount_and_integer_bounds_are_refused(tmp_path: Path) -> None:
    folder = copy(INTEGER, tmp_path / "int")
    prof = folder / "IntegerDomain-prof1.xml"
    edit(prof, '<discount_factor value="0.0">', '<discount_factor value="nan">')
    assert "<discount_factor> value" in refused("validate", folder, names=prof)
    shutil.copy(INTEGER / prof.name, prof)
    edit(folder / "IntegerDomain.xml", 'lowerbound="-5"', 'lowerbound="nan"')
    refused("analyze", folder, names=folder / "IntegerDomain.xml")


def test_weights_too_large_to_add_up_are_refused(laptop: Path) -> None:
    text = re.sub(
        r'(<weight index="\d" value=")[^"]+"', r'\g<1>1e308"', (laptop / BUYER).read_text()
    )
    (laptop / BUYER).write_text(text)
    assert "overflow" in refused("run", "--json", laptop, names=laptop / BUYER)


GENIUSWEB_NUMBERS = [
    ('"Laptop": 0.', '"Laptop": NaN, "x": 0.', "got NaN"),
    ('"Laptop": 0.', '"Laptop": Infinity, "x": 0.', "got Infinity"),
    ('"Laptop": 0.', '"Laptop": 1e999, "x": 0.', "issueWeights.Laptop: expected a finite number"),
    ('"Dell": ', '"Dell": "nan", "x": ', "valueUtilities.'Dell': expected a finite number"),
    ('"Dell": ', '"Dell": true, "x": ', "got true"),
]


@pytest.mark.parametrize(("old", "new", "says"), GENIUSWEB_NUMBERS)
def test_geniusweb_numbers_must_be_finite(tmp_path: Path, old: str, new: str, says: str) -> None:
    web = geniusweb_copy(tmp_path / "web")
    f = web / "laptop_buyer_utility.json"
    edit(f, old, new)
    assert says in refused("run", "--json", web, names=f)


# --- 3. depth and types --------------------------------------------------------------------


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_objectives_are_refused(laptop: Path, depth: int) -> None:
    f = laptop / BUYER
    text = f.read_text()
    at = text.index("<issue")
    f.write_text(text[:at] + "<objective>" * depth + "</objective>" * depth + text[at:])
    msg = refused("validate", laptop, names=f)
    assert f"more than {genius_xml.MAX_DEPTH} levels" in msg


def test_objectives_nested_a_few_levels_still_load(laptop: Path) -> None:
    f = laptop / BUYER
    text = f.read_text()
    at, end = text.index("<issue"), text.index("<weight")
    nested = '<objective index="90">' * 5 + text[at:end] + "</objective>" * 5
    f.write_text(text[:at] + nested + text[end:])
    o = genius.load(LAPTOP).space.all()
    for a, b in zip(genius.load(LAPTOP).parties, genius.load(laptop).parties, strict=True):
        assert np.array_equal(a.prefs.utility(o), b.prefs.utility(o))


@pytest.mark.skipif(not NONLINEAR.is_dir(), reason="nonlinear test domain not present")
def test_deeply_nested_ufuns_are_refused(tmp_path: Path) -> None:
    folder = copy(NONLINEAR, tmp_path / "nl")
    f = folder / "profile-1.xml"
    text = f.read_text()
    first = text.index(">", text.index("<ufun")) + 1  # inside the first ufun
    f.write_text(text[:first] + "<ufun>" * 5000 + "</ufun>" * 5000 + text[first:])
    assert "ufuns nest more than" in refused("validate", folder, names=f)


JSON_SHAPES: list[tuple[str, Callable[[dict], object], str]] = [
    ("top null", lambda d: None, "got null"),
    ("top list", lambda d: [d], "got an array"),
    ("top number", lambda d: 3, "got the number 3"),
    ("body null", lambda d: {"LinearAdditiveUtilitySpace": None}, "LinearAdditiveUtilitySpace"),
    ("weights null", lambda d: _set(d, ["issueWeights"], None), "issueWeights"),
    ("utility null", lambda d: _set(d, ["issueUtilities", "Laptop"], None), "got null"),
    (
        "discrete list",
        lambda d: _set(d, ["issueUtilities", "Laptop", "discreteutils"], []),
        "array",
    ),
    ("values null", lambda d: _set(d, ["domain", "issuesValues", "Laptop"], None), "Laptop"),
    (
        "range null",
        lambda d: _set(d, ["domain", "issuesValues", "Laptop"], {"range": None}),
        "got null",
    ),
    ("bid list", lambda d: _set(d, ["reservationBid"], [1]), "reservationBid"),
    ("issuevalues null", lambda d: _set(d, ["reservationBid"], {"issuevalues": None}), "null"),
    (
        "other type",
        lambda d: {"SumOfGroupsUtilitySpace": d["LinearAdditiveUtilitySpace"]},
        "not supported",
    ),
]


def _set(d: dict, keys: list[str], value: object) -> dict:
    node = d["LinearAdditiveUtilitySpace"]
    for k in keys[:-1]:
        node = node[k]
    node[keys[-1]] = value
    return d


@pytest.mark.parametrize(("what", "change", "says"), JSON_SHAPES, ids=[s[0] for s in JSON_SHAPES])
def test_geniusweb_values_of_the_wrong_type_are_refused(
    tmp_path: Path,
    what: str,
    change: Callable[[dict], object],
    says: str,
) -> None:
    web = geniusweb_copy(tmp_path / "web")
    f = web / "laptop_buyer_utility.json"
    f.write_text(json.dumps(change(json.loads(f.read_text()))))
    assert says in refused("validate", web, names=f)


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deeply_nested_json_is_refused(tmp_path: Path, depth: int) -> None:
    web = geniusweb_copy(tmp_path / "web")
    f = web / "laptop_buyer_utility.json"
    data = json.loads(f.read_text())
    data["LinearAdditiveUtilitySpace"]["issueWeights"]["Laptop"] = "[" * depth + "]" * depth
    f.write_text(
        json.dumps(data, indent=1).replace(
            '"' + "[" * depth + "]" * depth + '"', "[" * depth + "]" * depth
        )
    )
    refused("validate", web, names=f)


# --- 4. paths -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a[1]", "x[", "[x]", "a*b", "what?"])
def test_folder_names_are_not_patterns(tmp_path: Path, name: str) -> None:
    if not POSIX and any(c in name for c in "*?"):
        pytest.skip("not a file name here")
    folder = copy(LAPTOP, tmp_path / name)
    for source in (folder, folder / DOMAIN, folder / BUYER):
        code, out, err = cli("validate", source)
        assert code == 0 and "2 parties" in out, err
    web = geniusweb_copy(tmp_path / f"web{name}")
    code, out, err = cli("validate", web)
    assert code == 0 and "2 parties" in out, err


@pytest.mark.skipif(not POSIX, reason="devices and FIFOs are POSIX")
def test_devices_fifos_and_links_to_them_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "p.xml"
    os.mkfifo(fifo)
    link = tmp_path / "x.xml"
    link.symlink_to("/dev/urandom")
    with no_hang():
        if Path("/dev/null").exists():
            assert "character device" in refused("validate", "/dev/null", names="/dev/null")
        assert "FIFO" in refused("validate", fifo, names=fifo)
        assert "FIFO" in refused("run", fifo, names=fifo)
        assert "device" in refused("validate", link, names=link)
        for inner in ("p.xml", "q.XML"):
            folder = copy(LAPTOP, tmp_path / f"with-{inner}")
            if inner == "q.XML":
                (folder / inner).symlink_to("/dev/urandom")
            else:
                os.mkfifo(folder / inner)
            refused("validate", folder, names=folder / inner)
        (folder / inner).unlink()
        os.mkfifo(folder / "r.json")  # not a GENIUS file: never opened
        code, out, err = cli("validate", folder / DOMAIN)
        assert code == 0 and "2 parties" in out, err
        web = geniusweb_copy(tmp_path / "web")
        os.mkfifo(web / "z.json")
        assert "FIFO" in refused("validate", web, names=web / "z.json")
        with pytest.raises(ScenarioError, match="FIFO"):
            safe.read_bytes(fifo)


def test_dangling_links_and_unreadable_paths_are_one_line(laptop: Path) -> None:
    if POSIX:
        (laptop / "gone.xml").symlink_to(laptop / "nowhere.xml")
        refused("validate", laptop, names=laptop / "gone.xml")
    long = "x" * 5000
    msg = refused("validate", long, names="xxxx")
    assert len(msg) < 500


# --- 5. nothing dropped silently -----------------------------------------------------------

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("which", [BUYER, DOMAIN, "both"])
def test_byte_order_marks_are_read(laptop: Path, which: str) -> None:
    for name in (BUYER, DOMAIN) if which == "both" else (which,):
        f = laptop / name
        f.write_bytes(BOM + f.read_bytes())
    code, out, err = cli("validate", laptop)
    assert code == 0 and "2 parties" in out, err
    want = genius.load(LAPTOP)
    got = genius.load(laptop)
    o = want.space.all()
    for a, b in zip(want.parties, got.parties, strict=True):
        assert np.array_equal(a.prefs.utility(o), b.prefs.utility(o))


def test_geniusweb_byte_order_mark_is_read(tmp_path: Path) -> None:
    web = geniusweb_copy(tmp_path / "web")
    for f in web.iterdir():
        f.write_bytes(BOM + f.read_bytes())
    code, out, err = cli("validate", web)
    assert code == 0 and "2 parties" in out, err


@pytest.mark.skipif(not (SHARED / "y2016/AgentHp2").is_dir(), reason="shared collection absent")
def test_a_bom_keeps_every_party_of_agenthp2(tmp_path: Path) -> None:
    folder = copy(SHARED / "y2016/AgentHp2", tmp_path / "AgentHp2")
    folder.chmod(0o755)
    for f in folder.iterdir():
        f.chmod(0o644)
    f = folder / "consumer.xml"
    f.write_bytes(BOM + f.read_bytes())
    code, out, err = cli("validate", folder)
    assert code == 0 and "3 parties" in out, err


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"<utility_spac><objective/></utility_spac>", "neither"),
        (b"<other><issue name='x'/></other>", "neither"),
        (b"<utility_space><objective>", "not well-formed"),
        (b"", "not well-formed"),
        (b"hello, world", "not well-formed"),
        (b"0.5, 0.5\n\xff\xfe", "not well-formed"),
    ],
)
def test_an_xml_file_that_is_no_part_of_the_scenario_is_refused(
    laptop: Path, content: bytes, says: str
) -> None:
    (laptop / "extra.xml").write_bytes(content)
    assert says in refused("validate", laptop, names=laptop / "extra.xml")


def test_files_recognisably_not_genius_are_left_out(laptop: Path) -> None:
    (laptop / "pareto.xml").write_text("\n0.76, 1.0\n0.83, 0.99\n")  # as GENIUS writes them
    (laptop / "results.xml").write_text("<results><run id='1'/></results>")
    (laptop / "notes.txt").write_text("anything")
    (laptop / "sub.xml").mkdir()
    code, out, err = cli("validate", laptop)
    assert code == 0 and "2 parties" in out, err


def test_geniusweb_folders_refuse_json_that_is_not_a_domain_or_profile(tmp_path: Path) -> None:
    web = geniusweb_copy(tmp_path / "web")
    (web / "settings.json").write_text('{"name": "not GeniusWeb"}')
    code, out, err = cli("validate", web)
    assert code == 0 and "2 parties" in out, err
    (web / "broken.json").write_text('{"issueWeights": {}}')
    refused("validate", web, names=web / "broken.json")
    (web / "broken.json").write_text("[1, 2]")
    refused("validate", web, names=web / "broken.json")


# --- 6. large files -----------------------------------------------------------------------


def test_a_large_issue_is_parsed_once_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 20_000
    folder = tmp_path / "big"
    folder.mkdir()
    items = "".join(f'<item value="v{k}"/>' for k in range(n))
    (folder / "d.xml").write_text(
        f'<negotiation_template><utility_space><objective index="0"><issue index="1" name="i">'
        f"{items}</issue></objective></utility_space></negotiation_template>"
    )
    for p, sign in (("a", 1), ("b", -1)):
        ev = "".join(f'<item value="v{k}" evaluation="{(sign * k) % n + 1}"/>' for k in range(n))
        (folder / f"{p}.xml").write_text(
            f'<utility_space><objective index="0"><issue index="1" name="i">{ev}</issue>'
            '<weight index="1" value="1"/></objective></utility_space>'
        )
    calls: list[str] = []
    real = safe.parse_xml_bytes
    monkeypatch.setattr(
        genius, "parse_xml_bytes", lambda data, p: calls.append(p.name) or real(data, p)
    )
    s = load(folder)
    assert sorted(calls) == ["a.xml", "b.xml", "d.xml"]
    u = s.parties[0].prefs.utility(s.space.all())
    assert u.max() == 1.0 and np.isfinite(u).all() and s.space.size == n


def test_too_many_items_are_refused_naming_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = copy(LAPTOP, tmp_path / "L")
    monkeypatch.setattr(genius_domain, "MAX_OPTIONS", 2)
    msg = refused("validate", folder, names=folder / DOMAIN)
    assert "limit of 2" in msg
    monkeypatch.setattr(safe, "MAX_BYTES", 100)
    assert "larger than the limit of 100 bytes" in refused("validate", folder, names=folder)


# --- 8. bounded messages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('evaluation="12"', 'evaluation="' + "9" * 10 + "x" * 1_000_000 + '"'),
        ('name="Laptop">', 'name="' + "L" * 1_000_000 + '">'),
        ('<weight index="1"', '<weight index="' + "1" * 1_000_000 + '"'),
        ('value="Dell"', 'value="' + "D" * 1_000_000 + '"'),
    ],
)
def test_messages_quote_a_short_prefix_of_huge_values(laptop: Path, old: str, new: str) -> None:
    edit(laptop / BUYER, old, new)
    refused("validate", laptop, names=laptop / BUYER)


def test_a_huge_evaluator_type_gives_a_short_message(tmp_path: Path) -> None:
    folder = copy(INTEGER, tmp_path / "int")
    f = folder / "IntegerDomain-prof1.xml"
    edit(f, 'ftype="linear"', 'ftype="' + "q" * 1_000_000 + '"')
    assert "is not supported" in refused("validate", folder, names=f)


def test_geniusweb_huge_keys_and_values_give_short_messages(tmp_path: Path) -> None:
    web = geniusweb_copy(tmp_path / "web")
    f = web / "laptop_buyer_utility.json"
    data = json.loads(f.read_text())
    body = data["LinearAdditiveUtilitySpace"]
    body["issueWeights"]["Laptop"] = "k" * 1_000_000
    f.write_text(json.dumps(data))
    refused("validate", web, names=f)
    big = "K" * 1_000_000
    body["issueWeights"]["Laptop"] = 0.3
    body["domain"]["issuesValues"][big] = None
    f.write_text(json.dumps(data))
    refused("validate", web, names=f)


# --- 9. files written honour the umask -----------------------------------------------------


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077, 0o002])
def test_written_files_have_the_mode_open_would_give(tmp_path: Path, mask: int) -> None:
    with umask(mask):
        f = tmp_path / "new.txt"
        safe.write_atomic(f, "text")
        assert stat.S_IMODE(f.stat().st_mode) == 0o666 & ~mask
        assert f.read_text() == "text"
        plain = tmp_path / "plain.txt"
        plain.write_text("x")
        assert stat.S_IMODE(f.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
        written = genius_write.save(genius.load(LAPTOP), tmp_path / "g")
        written += geniusweb.save(genius.load(LAPTOP), tmp_path / "w")
        for w in written:
            assert stat.S_IMODE(w.stat().st_mode) == 0o666 & ~mask, w
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g", "new.txt", "plain.txt", "w"]


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_an_existing_file_keeps_its_mode_and_cli_outputs_follow_the_umask(tmp_path: Path) -> None:
    f = tmp_path / "kept.txt"
    f.write_text("old")
    f.chmod(0o600)
    with umask(0o022):
        safe.write_atomic(f, "new")
        assert stat.S_IMODE(f.stat().st_mode) == 0o600 and f.read_text() == "new"
        trace = tmp_path / "trace.jsonl"
        code, _, err = cli("run", "--json", "--trace", trace, LAPTOP)
        assert code == 0, err
        assert stat.S_IMODE(trace.stat().st_mode) == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_writing_where_a_folder_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(EntenteError, match="cannot write"):
        safe.write_atomic(blocker / "sub" / "x.txt", "x")
    refused("export", LAPTOP, "--to", "genius", blocker / "out", names=blocker)


# --- hypothesis: mutants of real files ----------------------------------------------------


SOURCES = [LAPTOP, INTEGER, DATA / "y2014/10issues", NONLINEAR]
REPLACEMENTS = [
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "1e999",
    "-1e999",
    "abc",
    "",
    "1e308",
    "-0",
    "99999999999999999999999",
    "0x10",
    "1_0",
    "  2 ",
    "1.5",
]


@st.composite
def mutants(draw: st.DrawFn) -> tuple[Path, str, bytes]:
    """(source folder, file name, mutated bytes of that file)."""
    folder = draw(st.sampled_from([s for s in SOURCES if s.is_dir()]))
    name = draw(st.sampled_from(sorted(f.name for f in folder.glob("*.xml"))))
    data = (folder / name).read_bytes()
    ops = ["number"] * 5 + ["delete", "truncate", "bytes", "bom", "deep", "dup"]
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(ops))
        lines = data.split(b"\n")
        if op == "delete":
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"\n".join(lines)
        elif op == "dup":
            k = draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[k])
            data = b"\n".join(lines)
        elif op == "number":
            spots = list(re.finditer(rb'="(-?[0-9][0-9.eE+-]*)"', data))
            if spots:
                m = draw(st.sampled_from(spots))
                new = draw(st.sampled_from(REPLACEMENTS)).encode()
                data = data[: m.start(1)] + new + data[m.end(1) :]
        elif op == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif op == "bytes":
            k = draw(st.integers(0, len(data)))
            data = (
                data[:k]
                + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\x00", b"\xed\xa0\x80"]))
                + data[k:]
            )
        elif op == "bom":
            data = BOM + data
        elif op == "deep":
            k = data.find(b"<issue")
            if k >= 0:
                n = draw(st.sampled_from([3, 33, 2000]))
                data = data[:k] + b"<objective>" * n + b"</objective>" * n + data[k:]
    return folder, name, data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
def test_mutated_genius_files_load_or_are_refused_in_one_line(
    case: tuple[Path, str, bytes],
) -> None:
    source, name, data = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / source.name
        shutil.copytree(source, folder)
        (folder / name).chmod(0o644)
        (folder / name).write_bytes(data)
        try:
            s = load(folder)
        except ScenarioError as e:
            msg = str(e)
            event("refused: " + e.reason[:20])
            assert "\n" not in msg and "\r" not in msg
            assert str(folder) in msg and len(msg) < 600
            return
        event("loaded")
        o = s.space.sample(np.random.default_rng(0), 200)
        assert len(s.parties) >= 2
        for p in s.parties:
            assert np.isfinite(p.prefs.utility(o)).all()
            assert math.isfinite(p.prefs.reservation) and 0 < p.prefs.discount <= 1


@functools.cache
def _geniusweb_texts() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = geniusweb_copy(Path(tmp) / "Laptop")
        return {f.name: f.read_text() for f in folder.iterdir()}


@st.composite
def json_mutants(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, mutated text) of a GeniusWeb profile or domain of the Laptop domain."""
    name = draw(st.sampled_from(sorted(_geniusweb_texts())))
    text = _geniusweb_texts()[name]
    ops = ["number"] * 4 + ["null"] * 3 + ["delete", "truncate", "deep", "bom"]
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(ops))
        lines = text.split("\n")
        if op == "delete":
            del lines[draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif op == "number":
            spots = list(re.finditer(r"(?<=: )-?[0-9][0-9.eE+-]*", text))
            if spots:
                m = draw(st.sampled_from(spots))
                new = draw(
                    st.sampled_from(
                        [
                            "NaN",
                            "Infinity",
                            "1e999",
                            '"abc"',
                            "null",
                            "[]",
                            "{}",
                            "true",
                            "1" * 5000,
                        ]
                    )
                )
                text = text[: m.start()] + new + text[m.end() :]
        elif op == "null":
            spots = list(re.finditer(r"(?<=: )[\[{]", text))
            if spots:
                m = draw(st.sampled_from(spots))
                text = (
                    text[: m.start()]
                    + draw(st.sampled_from(["null", "7", '"x", "y": {']))
                    + text[m.end() :]
                )
        elif op == "truncate":
            text = text[: draw(st.integers(0, len(text)))]
        elif op == "deep":
            n = draw(st.sampled_from([5, 500, 5000]))
            text = text.replace("{", "[" * n + "{", 1).replace("}", "}" + "]" * n, 1)
        else:
            text = "\ufeff" + text
    return name, text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_mutants())
def test_mutated_geniusweb_files_load_or_are_refused_in_one_line(case: tuple[str, str]) -> None:
    name, text = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "Laptop"
        folder.mkdir()
        for f, original in _geniusweb_texts().items():
            (folder / f).write_text(text if f == name else original, encoding="utf-8")
        try:
            s = load(folder)
        except ScenarioError as e:
            msg = str(e)
            event("refused: " + e.reason[:20])
            assert "\n" not in msg and str(folder) in msg and len(msg) < 600
            return
        event("loaded")
        o = s.space.all()
        for p in s.parties:
            assert np.isfinite(p.prefs.utility(o)).all() and math.isfinite(p.prefs.reservation)


# --- control characters in names and labels -------------------------------------------------


@pytest.mark.parametrize("char", ["\x1b", "\x85", "\x7f"])
def test_control_characters_in_genius_names_and_labels_are_refused(laptop: Path, char: str) -> None:
    ref = f"&#{ord(char)};" if ord(char) >= 0x7F else char  # XML 1.0 admits only C1 and DEL
    if ord(char) < 0x20:
        f = laptop.parent / f"p{char}x.xml"
        shutil.copy(laptop / BUYER, f)
        folder = laptop.parent
        for g in LAPTOP.iterdir():
            shutil.copy(g, folder / g.name)
        assert "U+001B" in refused("validate", folder, names="U+001B")
        return
    edit(laptop / DOMAIN, 'value="Dell"', f'value="De{ref}ll"')
    msg = refused("validate", laptop, names=laptop / DOMAIN)
    assert f"U+{ord(char):04X}" in msg and "\x1b" not in msg


def test_control_characters_in_geniusweb_names_are_refused(tmp_path: Path) -> None:
    web = geniusweb_copy(tmp_path / "web")
    f = web / "Laptop-domain.json"
    data = json.loads(f.read_text())
    data["issuesValues"]["Laptop"]["values"][0] = "Dell\x1b[31m"
    f.write_text(json.dumps(data))
    for p in web.glob("laptop_*.json"):
        d = json.loads(p.read_text())
        d["LinearAdditiveUtilitySpace"].pop("domain")
        p.write_text(json.dumps(d))
    assert "U+001B" in refused("validate", web, names=f)
