"""A real OpenAI-compatible server for the LLM negotiator's tests: a tiny llama model with random
weights, written with the `gguf` package's writer at test time, served by llama-cpp-python's
server on a free loopback port; and a server that answers garbage.

The model plays at random; what the tests check is the plumbing, end to end. Its vocabulary is
the 256 byte tokens (so constrained decoding can spell any JSON), the printable ASCII
characters as pieces, and three control tokens: a few hundred tokens, about 0.6 MB of weights.
"""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def tiny_gguf(path: Path, seed: int = 0, layers: int = 2, hidden: int = 64) -> Path:
    """Write a llama-architecture GGUF model with random weights to `path`; return `path`."""
    import gguf

    rng = np.random.default_rng(seed)
    tokens: list[bytes] = [b"<unk>", b"<s>", b"</s>"]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    tokens += [f"<0x{b:02X}>".encode() for b in range(256)]
    types += [gguf.TokenType.BYTE] * 256
    pieces = ["\u2581", *(chr(c) for c in range(33, 127))]
    tokens += [p.encode() for p in pieces]
    types += [gguf.TokenType.NORMAL] * len(pieces)
    scores = [0.0] * 259 + [-float(i) for i in range(len(pieces))]
    vocab, heads, ffn = len(tokens), 4, 2 * hidden

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_context_length(16384)
    w.add_embedding_length(hidden)
    w.add_block_count(layers)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(heads)
    w.add_rope_dimension_count(hidden // heads)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_chat_template(CHATML)

    def add(name: str, *shape: int, scale: float = 0.2) -> None:
        w.add_tensor(name, (rng.standard_normal(shape) * scale).astype(np.float32))

    add("token_embd.weight", vocab, hidden)
    w.add_tensor("output_norm.weight", np.ones(hidden, dtype=np.float32))
    add("output.weight", vocab, hidden)
    for i in range(layers):
        b = f"blk.{i}"
        w.add_tensor(f"{b}.attn_norm.weight", np.ones(hidden, dtype=np.float32))
        w.add_tensor(f"{b}.ffn_norm.weight", np.ones(hidden, dtype=np.float32))
        for t in ("attn_q", "attn_k", "attn_v", "attn_output"):
            add(f"{b}.{t}.weight", hidden, hidden)
        add(f"{b}.ffn_gate.weight", ffn, hidden)
        add(f"{b}.ffn_up.weight", ffn, hidden)
        add(f"{b}.ffn_down.weight", hidden, ffn)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ready(url: str, proc: subprocess.Popen[bytes], seconds: float) -> None:
    import httpx

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with status {proc.returncode}")
        try:
            if httpx.get(f"{url}/models", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"llama_cpp.server at {url} not ready after {seconds} s")


@contextmanager
def llama_server(model: Path, log: Path, alias: str = "tiny") -> Iterator[str]:
    """Serve `model` with llama-cpp-python on a free loopback port; yield its base URL (…/v1)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    args = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "16384", "--n_threads", "1",
        "--chat_format", "chatml", "--verbose", "False",
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "OMP_NUM_THREADS": "1"}
        )
    try:
        _ready(url, proc, 60.0)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


Respond = Callable[[dict[str, Any]], tuple[int, bytes]]
"""What a scripted server answers a request's JSON body with: (HTTP status, body)."""


class Scripted(NamedTuple):
    url: str
    """The base URL (…/v1)."""
    requests: list[dict[str, Any]]
    """The JSON bodies received, in order."""
    headers: list[dict[str, str]]


@contextmanager
def scripted_server(respond: Respond) -> Iterator[Scripted]:
    """A server on a free loopback port that answers every POST with `respond(body)`."""
    got = Scripted("", [], [])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            n = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(n) or b"{}")
            got.requests.append(body)
            got.headers.append(dict(self.headers))
            status, answer = respond(body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield got._replace(url=f"http://127.0.0.1:{server.server_address[1]}/v1")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def completion(content: str, tokens_in: int = 10, tokens_out: int = 5) -> bytes:
    """A chat completion whose message is `content`, as an OpenAI-compatible server sends it."""
    return json.dumps(
        {
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out},
        }
    ).encode()


def first_choice(body: dict[str, Any], message: str = "") -> str:
    """A valid reply to a request: accept when the schema allows it, else the first option of
    every issue (with `message`, when the schema asks for one)."""
    fmt = body["response_format"]
    props = (fmt.get("schema") or fmt["json_schema"]["schema"])["properties"]
    actions = props["action"]["enum"]
    reply: dict[str, Any] = {"action": "accept" if "accept" in actions else actions[0]}
    if "offer" in props:
        reply["offer"] = {k: v["enum"][0] for k, v in props["offer"]["properties"].items()}
    if "objections" in props:
        reply["objections"] = []
    if "message" in props:
        reply["message"] = message
    return json.dumps(reply)
