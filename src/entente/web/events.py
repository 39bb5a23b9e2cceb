"""Server-sent events: an in-process hub that pushes small JSON events to open pages.

`hub.publish(channel, event)` may be called from any thread (a request handler runs in a
thread pool); every page subscribed to `channel` receives `event` as one SSE message. The
route `GET /api/events/{channel}` (in `app`) streams `hub.stream(channel)`. Channels are
`game:{id}` and `room:{code}`; an event carries no secret (a page re-fetches its own state,
with its own token, when told something moved). A comment line every `KEEPALIVE` seconds keeps
proxies and the browser's EventSource from timing out.

API: `Hub()`, `Hub.publish(channel, event)`, `Hub.full()`, `Hub.stream(channel) -> async iterator of SSE
text`, `Hub.subscribers(channel) -> int`, `valid_channel(channel) -> bool`.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import AsyncIterator
from typing import Any

KEEPALIVE = 15.0
MAX_SUBSCRIBERS = 2000
"""Open event streams the hub serves at once (each holds a connection); past it, 503."""
QUEUE = 256
"""Events held for a slow subscriber before it is dropped (it reconnects and re-fetches)."""

_CHANNEL = re.compile(r"^(game|room|watch):[A-Za-z0-9_-]{1,64}$")


def valid_channel(channel: str) -> bool:
    return bool(_CHANNEL.match(channel))


def sse(event: dict[str, Any]) -> str:
    """One SSE message holding `event` as JSON (one line: JSON escapes newlines)."""
    return "data: " + json.dumps(event, sort_keys=True, separators=(",", ":")) + "\n\n"


class _Sub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE)

    def put(self, event: dict[str, Any] | None) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:  # a page that does not read: close it; it reconnects
            self.queue.get_nowait()
            self.queue.put_nowait(None)


class Hub:
    """Subscribers by channel; publish from any thread, stream on the event loop."""

    def __init__(self) -> None:
        self._subs: dict[str, set[_Sub]] = {}
        self._lock = threading.Lock()

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            subs = list(self._subs.get(channel, ()))
        for s in subs:
            try:
                s.loop.call_soon_threadsafe(s.put, event)
            except RuntimeError:  # its loop has closed
                self._drop(channel, s)

    def full(self) -> bool:
        """Whether the hub already serves `MAX_SUBSCRIBERS` streams."""
        with self._lock:
            return sum(len(s) for s in self._subs.values()) >= MAX_SUBSCRIBERS

    def subscribers(self, channel: str) -> int:
        with self._lock:
            return len(self._subs.get(channel, ()))

    def _drop(self, channel: str, sub: _Sub) -> None:
        with self._lock:
            subs = self._subs.get(channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[channel]

    async def stream(self, channel: str, keepalive: float = KEEPALIVE) -> AsyncIterator[str]:
        """SSE text for one subscriber: a `hello` event at once, then every event published."""
        sub = _Sub(asyncio.get_running_loop())
        with self._lock:
            self._subs.setdefault(channel, set()).add(sub)
        try:
            yield "retry: 1000\n" + sse({"type": "hello", "channel": channel})
            while True:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), keepalive)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if event is None:
                    return
                yield sse(event)
        finally:
            self._drop(channel, sub)
