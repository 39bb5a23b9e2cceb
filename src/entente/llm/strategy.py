"""`llm(...)`: a party whose moves a language model chooses, over any OpenAI-compatible server."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from entente import registry
from entente.errors import EntenteError, quoted
from entente.llm import cache as cache_
from entente.llm import client, prompt
from entente.negotiation.actions import Accept, Action, Offer, Walk
from entente.negotiation.strategies.base import Strategy
from entente.negotiation.view import View

ON_ERROR = ("fail", "fallback")
SCHEMA_AS = ("json_object", "json_schema")
"""How the reply's schema travels: inside llama.cpp's `json_object` response format, or as
the `json_schema` response format OpenAI documents."""


class LLM(Strategy):
    """A language model negotiates for the party, over any OpenAI-compatible chat server.

    Each move, the model reads a prompt built from what the party may see (`template`: a file
    with `$placeholders`, see `entente.llm.prompt.PLACEHOLDERS`; '' for the default) and replies
    with a JSON object constrained by a schema whose enums list the legal actions and every
    issue's option ids. A reply that is not a legal action (or, with `guard`, one that accepts or
    offers less than the reservation value or crosses a red line) is sent back with the reason,
    at most `retries` times; then the `fallback` strategy moves. A server that is down, slower
    than `timeout` seconds or answers garbage stops the run with one line (`on_error='fail'`) or
    hands the rest of the negotiation to the fallback (`on_error='fallback'`). Every retry and
    fallback is recorded in the trace, with the model's `messages` (at most `message_chars`
    characters each) when asked for.

    With `walk=False` the model is not offered walking away; `mode='ranking'` describes the
    party's preferences as a ranking in words instead of numbers; `history` moves are shown.
    Replies are cached on disk (`cache`: '' the user's cache folder, a folder, or 'off'), keyed
    by server, model, prompt, parameters and seed, so a run replays exactly without the server.
    The API key is read from the environment variable `key_env` names ('' sends none). The
    schema travels inside the `json_object` response format, as llama.cpp's server takes it, or
    (`schema_as='json_schema'`) in the `json_schema` form OpenAI documents.
    """

    name = "llm"
    remote = True
    """Asks a server: the offline test suites leave it out; its own tests start a server."""

    def __init__(
        self,
        model: str = "local",
        base_url: str = "http://127.0.0.1:8080/v1",
        temperature: float = 0.0,
        key_env: str = "",
        template: str = "",
        mode: str = "utilities",
        messages: bool = False,
        message_chars: int = prompt.MESSAGE_CHARS,
        history: int = 20,
        retries: int = 2,
        fallback: str = "boulware",
        on_error: str = "fail",
        timeout: float = 60.0,
        max_tokens: int = 512,
        cache: str = "",
        concurrency: int = 4,
        guard: bool = True,
        walk: bool = True,
        schema_as: str = "json_object",
    ) -> None:
        self.model = model
        self.base_url = base_url
        self.temperature = temperature
        self.key_env = key_env
        self.template = template
        self.mode = mode
        self.messages = messages
        self.message_chars = message_chars
        self.history = history
        self.retries = retries
        self.fallback = fallback
        self.on_error = on_error
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.cache = cache
        self.concurrency = concurrency
        self.guard = guard
        self.walk = walk
        self.schema_as = schema_as
        self._check()
        self.template_ = prompt.load_template(template)

    def _check(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"base_url {quoted(self.base_url)}: expected an http:// or https:// URL"
            )
        if not self.model:
            raise ValueError("model '': expected the name the server knows the model by")
        if self.mode not in prompt.MODES:
            raise ValueError(f"mode {quoted(self.mode)}: expected one of {', '.join(prompt.MODES)}")
        if self.schema_as not in SCHEMA_AS:
            raise ValueError(
                f"schema_as {quoted(self.schema_as)}: expected one of {', '.join(SCHEMA_AS)}"
            )
        if self.on_error not in ON_ERROR:
            raise ValueError(f"on_error {quoted(self.on_error)}: expected one of fail, fallback")
        if not 0 <= self.temperature <= 2:
            raise ValueError(f"temperature {self.temperature!r}: expected a number from 0 to 2")
        if not self.timeout > 0:
            raise ValueError(f"timeout {self.timeout!r}: expected seconds above 0")
        for field, low in (
            ("retries", 0), ("history", 0), ("max_tokens", 1), ("concurrency", 1),
            ("message_chars", 1),
        ):  # fmt: skip
            if getattr(self, field) < low:
                raise ValueError(f"{field} {getattr(self, field)!r}: expected at least {low}")
        if self.key_env and not self.key_env.replace("_", "a").isalnum():
            raise ValueError(
                f"key_env {quoted(self.key_env)}: expected an environment variable name"
            )
        try:
            made = registry.strategy(self.fallback)
        except EntenteError as e:
            raise ValueError(f"fallback {quoted(self.fallback)}: {e}") from None
        if made.mediator or getattr(made, "remote", False):
            raise ValueError(
                f"fallback {quoted(self.fallback)}: expected a party's strategy that needs no server"
            )

    def reset(self, view: View, rng: np.random.Generator) -> None:
        super().reset(view, rng)
        self.seed_ = int(rng.integers(2**31))
        self.fallback_ = registry.strategy(self.fallback)
        self.fallback_.reset(view, np.random.default_rng(int(rng.integers(2**62))))
        self.cache_ = cache_.Cache.at(self.cache)
        self.down_: str | None = None
        self.note_: dict[str, Any] | None = None
        self.usage_ = {
            "requests": 0, "cached": 0, "tokens_in": 0, "tokens_out": 0, "latency": 0.0,
            "invalid": 0, "fallbacks": 0,
        }  # fmt: skip

    def note(self) -> dict[str, Any] | None:
        """What the trace records beside the last move: the model's message, the reasons its
        invalid replies were refused, the fallback that moved instead and why."""
        return self.note_

    def usage(self) -> dict[str, Any]:
        """Requests (and how many came from the cache), tokens in and out, seconds waited for
        the server, invalid replies, moves made by the fallback."""
        return dict(self.usage_, latency=round(self.usage_["latency"], 6))

    def act(self, view: View) -> Action:
        self.note_ = None
        if self.down_ is not None:
            return self._fall(view, self.down_, [])
        real = view
        if not self.walk and Walk in view.legal and len(view.legal) > 1:
            view = replace(view, legal=view.legal - {Walk})  # the model is not offered walking
        text = prompt.render(self.template_, view, self.mode, self.history, self.messages)
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "user", "content": text}],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed_,
            "response_format": self._format(prompt.schema(view, self._chars)),
        }
        refused: list[str] = []
        for _ in range(self.retries + 1):
            try:
                reply = self._ask(body)
            except client.ServerError as e:
                if self.on_error == "fail":
                    raise
                self.down_ = str(e)
                return self._fall(real, self.down_, refused)
            try:
                action, message = prompt.read(reply.text, view, self._chars)
                if self.guard:
                    self._guard(view, action)
            except prompt.Invalid as e:
                self.usage_["invalid"] += 1
                refused.append(str(e))
                body = dict(body, messages=[
                    *body["messages"],
                    {"role": "assistant", "content": reply.text},
                    {"role": "user", "content": f"That reply is not valid: {e}. Reply again "
                     "with one JSON object, as asked."},
                ])  # fmt: skip
                continue
            note: dict[str, Any] = {}
            if refused:
                note["invalid"] = refused
            if message:
                note["message"] = message
            self.note_ = note or None
            return action
        return self._fall(real, f"{len(refused)} invalid replies", refused)

    def _format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.schema_as == "json_schema":
            named = {"name": "move", "schema": schema, "strict": True}
            return {"type": "json_schema", "json_schema": named}
        return {"type": "json_object", "schema": schema}

    @property
    def _chars(self) -> int:
        """The longest message the model may write (0: none)."""
        return self.message_chars if self.messages else 0

    def _ask(self, body: dict[str, Any]) -> client.Reply:
        k = cache_.key(self.base_url, body)
        self.usage_["requests"] += 1
        got = self.cache_.get(k)
        if got is not None:
            self.usage_["cached"] += 1
        else:
            got = client.chat(
                self.base_url,
                body,
                key_env=self.key_env,
                timeout=self.timeout,
                concurrency=self.concurrency,
            )
            self.usage_["latency"] += got.seconds
            self.cache_.put(k, self.base_url, body, got)
        self.usage_["tokens_in"] += got.tokens_in
        self.usage_["tokens_out"] += got.tokens_out
        return got

    def _guard(self, view: View, action: Action) -> None:
        """Refuse, as an invalid reply, a move that gives the party less than no agreement."""
        own = view.me_own
        outcome = action.outcome if isinstance(action, Offer) else None
        if isinstance(action, Accept):
            outcome = view.table
        if outcome is None:
            return
        what = "the offer" if isinstance(action, Offer) else "the outcome on the table"
        if not own.acceptable(outcome):
            raise prompt.Invalid(f"{what} crosses one of your red lines")
        u, r = own.utility(outcome), own.prefs.reservation
        if u < r:
            raise prompt.Invalid(
                f"{what} is worth {u:.3f} to you, less than no agreement ({r:.3f})"
            )

    def _fall(self, view: View, why: str, refused: list[str]) -> Action:
        self.usage_["fallbacks"] += 1
        note: dict[str, Any] = {"fallback": self.fallback_.spec(), "why": why}
        if refused:
            note["invalid"] = refused
        self.note_ = note
        return self.fallback_.act(view)
