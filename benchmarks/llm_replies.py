"""How long the llm strategy waits for a reply from a real llama.cpp server, and how many tokens
it spends: the tiny random-weight model of the tests (tests/llm_server.py), served on loopback
by llama-cpp-python, playing Japan at Portsmouth against Boulware under alternating offers.

    .venv/bin/python benchmarks/llm_replies.py [--deadline 5] [--seed 0]

For each prompt (the default template, and the short one the tests use), one negotiation with
messages off and caching off: the requests, mean prompt and reply tokens, and the median and
largest reply latency. The model reads a byte per token, so its prompts are long for their text;
a real model's tokenizer packs about four characters into a token.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from entente import api
from entente.llm import client
from llm_server import llama_server, tiny_gguf

SHORT = "You speak for $party. $time\n$table\n$actions\n$reply\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deadline", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sc = api.load("portsmouth")
    seconds: list[float] = []
    real_chat = client.chat

    def timed(*a: Any, **kw: Any) -> client.Reply:
        got = real_chat(*a, **kw)
        seconds.append(got.seconds)
        return got

    client.chat = timed  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "short.txt").write_text(SHORT)
        start = time.perf_counter()
        model = tiny_gguf(folder / "tiny.gguf")
        made = time.perf_counter() - start
        with llama_server(model, folder / "server.log") as url:
            ready = time.perf_counter() - start - made
            print(f"model written in {made:.2f} s ({model.stat().st_size / 1e6:.2f} MB); "
                  f"server ready in {ready:.2f} s")  # fmt: skip
            for label, template in (("default", ""), ("short", str(folder / "short.txt"))):
                seconds.clear()
                spec = (
                    f"llm(model='tiny', base_url={url!r}, cache='off', walk=False, "
                    f"template={template!r})"
                )
                t = time.perf_counter()
                r = api.negotiate(
                    sc, "alternating", {"japan": spec, "russia": "boulware"},
                    seed=args.seed, deadline=args.deadline,
                )  # fmt: skip
                wall = time.perf_counter() - t
                u = r.usage[0]
                n = u["requests"]
                print(
                    f"{label:8} prompt: {n} requests in {wall:.1f} s; tokens in {u['tokens_in'] / n:.0f}"
                    f" and out {u['tokens_out'] / n:.0f} per request; latency median "
                    f"{statistics.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms; "
                    f"invalid {u['invalid']}, fallbacks {u['fallbacks']}"
                )


if __name__ == "__main__":
    main()
