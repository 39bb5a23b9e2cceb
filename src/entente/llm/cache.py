"""Replies kept on disk, keyed by server, model, prompt, parameters and seed.

A request is a JSON body; its key is the SHA-256 of that body (with the server's URL) written
canonically, so the same negotiation asks the same questions and replays the same answers,
byte for byte, without a server. Each entry is a small JSON file written atomically (a
temporary file and a rename), so concurrent tournament workers never see half an entry. No
header is stored: the API key never reaches the cache.

`refreshing(True)` (the command line's `--no-cache`) makes strategies ask again instead of
replaying; the new replies replace the old ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from entente.errors import EntenteError
from entente.llm.client import Reply

OFF = "off"
"""The `cache` parameter that keeps nothing on disk."""

_REFRESH: ContextVar[bool] = ContextVar("entente_llm_refresh", default=False)


@contextlib.contextmanager
def refreshing(on: bool = True) -> Iterator[None]:
    """While inside, cached replies are not read (every request goes to the server); the new
    replies are still stored."""
    token = _REFRESH.set(on)
    try:
        yield
    finally:
        _REFRESH.reset(token)


def refresh() -> bool:
    """Whether cached replies are to be ignored now."""
    return _REFRESH.get()


def default_folder() -> Path:
    """The user's cache folder for replies: $XDG_CACHE_HOME/entente/llm (~/.cache by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "entente" / "llm"


def key(base_url: str, body: dict[str, Any]) -> str:
    """The key of a request: a hash of the server and the whole body (model, messages,
    parameters, seed), written canonically."""
    text = json.dumps(
        {"server": base_url.rstrip("/"), "body": body},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


class Cache:
    """A folder of replies (None: nothing kept)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    @classmethod
    def at(cls, where: str) -> Cache:
        """The cache a strategy's `cache` parameter names: '' the user's cache folder, 'off'
        none, anything else a folder."""
        if where == OFF:
            return cls(None)
        return cls(Path(where).expanduser() if where else default_folder())

    def _path(self, k: str) -> Path:
        assert self.folder is not None
        return self.folder / k[:2] / f"{k}.json"

    def get(self, k: str) -> Reply | None:
        """The reply stored under `k`, or None (none stored, unreadable, or refreshing)."""
        if self.folder is None or refresh():
            return None
        try:
            data = json.loads(self._path(k).read_bytes())
            r = data["reply"]
            return Reply(str(r["text"]), int(r["tokens_in"]), int(r["tokens_out"]), 0.0)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, k: str, base_url: str, body: dict[str, Any], reply: Reply) -> None:
        """Store `reply` under `k`, with the request it answers (for whoever reads the file)."""
        if self.folder is None:
            return
        path = self._path(k)
        data = {
            "server": base_url,
            "request": body,
            "reply": {
                "text": reply.text,
                "tokens_in": reply.tokens_in,
                "tokens_out": reply.tokens_out,
            },
        }
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1))
            os.replace(tmp, path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise EntenteError(
                f"llm cache {self.folder}: cannot store a reply ({e.strerror or e}); "
                "expected a writable folder (or cache='off')"
            ) from None
