"""The LLM negotiator against a real OpenAI-compatible server: llama-cpp-python's, serving a tiny
llama model with random weights generated here (tests/llm_server.py). The model plays at
random; what is checked is the plumbing, end to end: a whole Portsmouth negotiation through the
command line, the trace and the usage, the cache replayed without a request, `--no-cache`, a
tournament against a canonical agent in worker processes, and the fallback when a second
server answers garbage."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_run import assert_refused, cli
from entente.tournament.store import Store
from llm_server import llama_server, scripted_server, tiny_gguf

if importlib.util.find_spec("llama_cpp") is None:  # not imported here: it opens files at import
    pytest.skip("llama-cpp-python is not installed (the test extra)", allow_module_level=True)

LAKE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "lake-seren.toml"
TEMPLATE = "You speak for $party. $time\n$table\n$actions\n$reply\n"
"""A short prompt: the tiny model reads a byte per token."""


class Server:
    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log

    def requests(self) -> int:
        """Chat completions the server has answered so far (its access log)."""
        return self.log.read_text().count("POST /v1/chat/completions")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("llm")
    model = tiny_gguf(folder / "tiny.gguf")
    with llama_server(model, folder / "server.log") as url:
        yield Server(url, folder / "server.log")


def _spec(url: str, tmp: Path, **more: Any) -> str:
    (tmp / "prompt.txt").write_text(TEMPLATE)
    params = {
        "model": "tiny",
        "base_url": url,
        "cache": str(tmp / "cache"),
        "template": str(tmp / "prompt.txt"),
        "walk": False,
        "messages": True,
        "message_chars": 12,
        "retries": 1,
        "max_tokens": 400,
        **more,
    }
    return "llm(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_whole_negotiation_replayed_from_the_cache(server: Server, tmp_path: Path) -> None:
    run = ("run", "--protocol", "alternating", "--deadline", "3", "--seed", "2", "--json")
    args = (*run, "--strategy", "japan=" + _spec(server.url, tmp_path))
    before = server.requests()
    first = cli(*args, "--trace", tmp_path / "first.jsonl")
    assert first.code == 0, first.err
    asked = server.requests() - before
    data = json.loads(first.out)
    used = data["usage"]["japan"]
    assert set(data["usage"]) == {"japan"}, "boulware asks no server"
    assert used["requests"] == asked > 0 and used["cached"] == 0
    assert used["tokens_in"] > 0 and used["tokens_out"] > 0 and used["latency"] > 0
    print("llm usage, 3 moves:", used)
    rows = _rows(tmp_path / "first.jsonl")
    japan = [r for r in rows if r["actor"] == "japan"]
    assert len(japan) == 3 and rows[-1]["round"] == 3, "the talks ran to the deadline"
    notes = [r.get("note", {}) for r in japan]
    assert used["invalid"] == sum(len(n.get("invalid", ())) for n in notes)
    assert used["fallbacks"] == sum("fallback" in n for n in notes)
    assert used["requests"] == len(japan) + used["invalid"] - used["fallbacks"]
    for n in notes:
        assert all(ord(c) >= 32 for c in n.get("message", "")), "no control character kept"
        if "fallback" in n:
            assert n["fallback"] == "boulware(e=0.2)" and n["why"] == "2 invalid replies"
    # the same run again: every reply from the cache, not one request, the same bytes
    again = cli(*args, "--trace", tmp_path / "again.jsonl")
    assert again.code == 0, again.err
    assert server.requests() - before == asked
    replayed = json.loads(again.out)["usage"]["japan"]
    assert replayed == {**used, "cached": used["requests"], "latency": 0.0}
    assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / "first.jsonl").read_bytes()
    # --no-cache asks the server again (a run of one round, to keep it short)
    short = (
        "run",
        "--protocol",
        "alternating",
        "--deadline",
        "1",
        "--json",
        "--strategy",
        args[-1],
    )
    assert cli(*short).code == 0
    before = server.requests()
    assert json.loads(cli(*short).out)["usage"]["japan"]["requests"] > 0
    assert server.requests() == before, "replayed"
    fresh = cli(*short, "--no-cache")
    assert fresh.code == 0, fresh.err
    used = json.loads(fresh.out)["usage"]["japan"]
    assert used["cached"] == 0 and server.requests() - before == used["requests"] > 0


def test_a_tournament_against_a_canonical_agent(server: Server, tmp_path: Path) -> None:
    """On the docs' Lake Seren (4 issues): replies are shorter than Portsmouth's 14 options."""
    pytest.importorskip("pyarrow")
    spec = _spec(server.url, tmp_path, messages=False, concurrency=1)
    out = tmp_path / "results"
    r = cli(
        "tournament", str(LAKE), "-s", spec, "-s", "micro", "-o", out, "--rounds", "3",
        "--protocol", "alternating", "--no-self-play", "--executor", "processes",
        "--workers", "2",
    )  # fmt: skip
    assert r.code == 0, r.err
    rows = Store(out).read().to_pylist()
    assert len(rows) == 2
    for row in rows:
        llm = [s.startswith("llm(") for s in row["strategies"]].index(True)
        micro = 1 - llm
        assert row["tokens_in"][llm] > 0 and row["tokens_out"][llm] > 0
        assert row["latency"][llm] >= 0 and row["invalid_replies"][llm] >= 0
        assert row["fallbacks"][llm] >= 0
        assert row["tokens_in"][micro] is None and row["fallbacks"][micro] is None
        assert row["frontier_distance"] is None or row["frontier_distance"] >= 0
    board = cli("leaderboard", out, "--json")
    assert board.code == 0, board.err


def test_a_server_that_answers_garbage(server: Server, tmp_path: Path) -> None:
    run = ("run", "--protocol", "alternating", "--deadline", "3")
    with scripted_server(lambda body: (200, b'{"choices": "no"}')) as bad:
        spec = _spec(bad.url, tmp_path, on_error="fallback")
        r = cli(*run, "--strategy", "japan=" + spec, "--trace", tmp_path / "t.jsonl", "--json")
        assert r.code == 0, r.err
        assert len(bad.requests) == 1
        refused = cli(*run, "--strategy", "japan=" + _spec(bad.url, tmp_path))
    assert_refused(refused, f"llm server {bad.url}/chat/completions", "not a chat completion")
    japan = [row for row in _rows(tmp_path / "t.jsonl") if row["actor"] == "japan"]
    assert len(japan) == 3
    assert all(row["note"]["fallback"] == "boulware(e=0.2)" for row in japan)
    assert "not a chat completion" in japan[0]["note"]["why"]
    used = json.loads(r.out)["usage"]["japan"]
    assert used["fallbacks"] == 3 and used["requests"] == 1 and used["tokens_in"] == 0
