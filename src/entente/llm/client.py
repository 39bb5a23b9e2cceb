"""One request to an OpenAI-compatible chat server, and its failures as one clear line.

The API key, when one is needed, is read from an environment variable at the moment of the
request and goes only into the `Authorization` header: error messages are built from the URL
and what happened, and any text a server sends back has the key blanked out before it is
quoted, so the key reaches no log, trace or message.

Requests to one server are bounded on this machine: at most `concurrency` at a time, across
threads and processes (tournament workers included), each holding one of that many slot files
locked while it waits for its answer.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entente.errors import EntenteError, quoted

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no bound across processes
    fcntl = None  # type: ignore[assignment]


class ServerError(EntenteError):
    """The server could not be reached, did not answer in time, or answered garbage."""


@dataclass(frozen=True)
class Reply:
    """What the server answered: the message text, the tokens it counted, how long it took."""

    text: str
    tokens_in: int
    tokens_out: int
    seconds: float


def api_key(key_env: str) -> str | None:
    """The key held in environment variable `key_env` ('' names none: no key is sent)."""
    if not key_env:
        return None
    key = os.environ.get(key_env)
    if not key:
        raise EntenteError(
            f"llm: environment variable {key_env} is not set; "
            "expected it to hold the server's API key (or key_env='' for a server without one)"
        )
    return key


def hidden(text: str, key: str | None) -> str:
    """`text` with the key blanked out wherever it appears."""
    return text.replace(key, "***") if key else text


@contextlib.contextmanager
def slot(base_url: str, concurrency: int) -> Iterator[None]:
    """Hold one of `concurrency` request slots for `base_url` on this machine."""
    if fcntl is None or concurrency <= 0:
        yield
        return
    tag = hashlib.sha256(base_url.encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"entente-llm-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    delay = 0.005
    while True:
        for i in range(concurrency):
            fd = os.open(folder / f"{tag}-{i}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # releases the lock
            return
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


_SESSIONS: dict[int, Any] = {}


def _session() -> Any:
    """This process's HTTP client (kept: making one costs tens of milliseconds, and it keeps
    connections open between requests)."""
    import httpx

    pid = os.getpid()
    if pid not in _SESSIONS:
        if not _SESSIONS:
            atexit.register(_close)
        _SESSIONS.clear()  # a forked worker never uses its parent's connections
        _SESSIONS[pid] = httpx.Client()
    return _SESSIONS[pid]


def _close() -> None:
    """Close this process's client at exit, so its open connections are shut, not leaked."""
    for client in _SESSIONS.values():
        client.close()
    _SESSIONS.clear()


def chat(
    base_url: str,
    body: dict[str, Any],
    *,
    key_env: str = "",
    timeout: float = 60.0,
    concurrency: int = 4,
) -> Reply:
    """POST `body` to `base_url`/chat/completions; the reply's text and token counts.

    Raises `ServerError` (one line: the URL and what happened) when the server is down, slower
    than `timeout` seconds, refuses the request, or answers something that is not a chat
    completion.
    """
    import httpx

    key = api_key(key_env)
    url = base_url.rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    with slot(base_url, concurrency):
        start = time.perf_counter()
        try:
            r = _session().post(url, json=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            raise ServerError(f"llm server {url}: no answer within {timeout:g} s") from None
        except httpx.HTTPError as e:
            what = hidden(str(e) or type(e).__name__, key)
            raise ServerError(f"llm server {url}: cannot reach it ({quoted(what, 120)})") from None
        seconds = time.perf_counter() - start
    if r.status_code != 200:
        said = hidden(r.text, key)
        raise ServerError(f"llm server {url}: answered HTTP {r.status_code}: {quoted(said, 160)}")
    try:
        data = json.loads(r.content)
        text = data["choices"][0]["message"]["content"]
        if not isinstance(text, str):
            raise TypeError
    except (ValueError, KeyError, IndexError, TypeError):
        said = hidden(r.content.decode("utf-8", "replace"), key)
        raise ServerError(
            f"llm server {url}: answered something that is not a chat completion: "
            f"{quoted(said, 160)}"
        ) from None
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    return Reply(text, _count(usage, "prompt_tokens"), _count(usage, "completion_tokens"), seconds)


def _count(usage: dict[str, Any], name: str) -> int:
    n = usage.get(name)
    return n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else 0
