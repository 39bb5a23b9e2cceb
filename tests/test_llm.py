"""The LLM negotiator without a model: the prompt, the reply's schema and how a reply is read,
the cache, the API key kept out of every message, and the strategy against scripted servers
(valid, invalid, garbage, slow, down). tests/test_llm_server.py plays it against a real model."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cli_run import assert_refused, cli
from entente import api, check_strategy, registry
from entente.errors import EntenteError, StrategyError
from entente.llm import cache, client, prompt
from entente.negotiation.actions import Accept, Offer, Reject, Walk
from entente.negotiation.session import trace_jsonl
from entente.negotiation.view import Own, View
from entente.table import Table
from llm_server import completion, first_choice, scripted_server

SC = api.load("portsmouth")


def view(me: int = 0, mediated: bool = False, moves: int = 0) -> View:
    """Party `me`'s view of Portsmouth after `moves` offers of the historical outcome."""
    proto = registry.protocol("mediated" if mediated else "alternating")
    state = proto.start(2, 20)
    for _ in range(moves):
        action = Offer(SC.history.outcome) if not mediated or state.actor == 2 else Accept()
        state = proto.step(state, action)
    if mediated and state.actor == 2:
        state = proto.step(state, Offer(SC.history.outcome))
    me = state.actor if moves else me
    own = Own(me, SC.prefs[me], SC.space, api.table(SC))
    return View(me, state, 0.25, SC.space, own, mediated, legal=proto.legal(state))


# -- the schema and the reply ------------------------------------------------------------------


def test_schema_enums_are_the_legal_actions_and_every_issues_options() -> None:
    v = view()
    s = prompt.schema(v, messages=0)
    assert s["properties"]["action"]["enum"] == ["offer", "walk"]
    offer = s["properties"]["offer"]
    assert offer["required"] == [i.id for i in SC.space.issues]
    for i in SC.space.issues:
        assert offer["properties"][i.id] == {"type": "string", "enum": list(i.options)}
    assert "objections" not in s["properties"] and "message" not in s["properties"]
    answering = view(mediated=True, moves=1)
    s = prompt.schema(answering, messages=50)
    assert s["properties"]["action"]["enum"] == ["accept", "reject", "walk"]
    assert "offer" not in s["properties"]
    assert s["properties"]["objections"]["items"]["enum"] == [i.id for i in SC.space.issues]
    assert set(s["required"]) == {"action", "objections", "message"}


def test_a_reply_is_read_back_as_the_action_it_names() -> None:
    v = view(moves=1)
    labels = SC.space.labels(SC.history.outcome)
    got = prompt.read(json.dumps({"action": "offer", "offer": labels}), v, messages=0)
    assert got == (Offer(SC.history.outcome), None)
    assert prompt.read('{"action": "accept"}', v, 0) == (Accept(), None)
    assert prompt.read('{"action": "walk"}', v, 0) == (Walk(), None)
    text = '{"action": "accept", "message": "We\x01 agree.\n\x7f  Sign"}'
    assert prompt.read(text, v, 280) == (Accept(), "We agree. Sign")
    assert prompt.read(text, v, 5) == (Accept(), "We ag")
    assert prompt.read(text, v, 0) == (Accept(), None)
    answering = view(mediated=True, moves=1)
    reply = '{"action": "reject", "objections": ["korea", "sakhalin", "korea"]}'
    assert prompt.read(reply, answering, 0) == (Reject((0, 4)), None)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("not json", "not a JSON object"),
        ("[1, 2]", "not a JSON object"),
        ('{"action": "reject"}', "'reject' is not one of offer, accept, walk"),
        ('{"action": "offer"}', '"offer" is not an object'),
        ('{"action": "offer", "offer": {"korea": "consent"}}', "issue evacuation: None"),
        ('{"action": "offer", "offer": {"korea": "annexed"}}', "issue korea: 'annexed'"),
    ],
)
def test_an_invalid_reply_says_why(reply: str, reason: str) -> None:
    with pytest.raises(prompt.Invalid, match=re.escape(reason)):
        prompt.read(reply, view(moves=1), messages=0)


# -- the prompt ----------------------------------------------------------------------------------


def test_the_prompt_shows_only_what_the_party_may_see() -> None:
    """Another party's preferences change nothing in the prompt; the party's own do."""
    v = view(me=0, moves=2)
    t = prompt.load_template("")
    text = prompt.render(t, v, "utilities", 20, False)
    other = dataclasses.replace(SC.prefs[1], reservation=0.05)
    table = Table.build(SC.space, (SC.prefs[0], other))
    assert v.own is not None
    v2 = dataclasses.replace(v, own=Own(0, SC.prefs[0], SC.space, table))
    assert prompt.render(t, v2, "utilities", 20, False) == text
    mine = dataclasses.replace(SC.prefs[0], reservation=0.123)
    v3 = dataclasses.replace(v, own=Own(0, mine, SC.space, None))
    assert "0.123" in prompt.render(t, v3, "utilities", 20, False)
    korea = SC.prefs[0].linear.issue_values(0)  # type: ignore[union-attr]
    assert (
        "- korea: "
        + ", ".join(f"{o} {x:.3f}" for o, x in zip(SC.space.issues[0].options, korea, strict=True))
        in text
    )
    assert "round 1: you offered korea=paramount" in text and "round 1: party 2 offered" in text
    assert "This is round 2 of 20; 75% of the time is left." in text
    ranking = prompt.render(t, v, "ranking", 20, False)
    best_first = [SC.space.issues[0].options[k] for k in np.argsort(-korea, kind="stable")]
    assert "- korea: " + " > ".join(best_first) in ranking
    assert f"{korea.max():.3f}" not in ranking
    assert "(1 earlier moves not shown)" in prompt.render(t, v, "utilities", 1, False)


def test_a_template_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("Speak for $party; costs $$5. ${actions}\n$reply")
    text = prompt.render(prompt.load_template(str(path)), view(), "utilities", 5, True)
    assert text.startswith("Speak for party 1 of 2; costs $5. You may now: offer")
    assert '"message"' in text
    assert set(prompt.TEMPLATE.split("$")[1:]) and all(
        f"${name}" in prompt.TEMPLATE for name in prompt.PLACEHOLDERS
    )
    path.write_text("Speak for $country")
    with pytest.raises(
        EntenteError, match=re.escape("t.txt: unknown placeholder 'country'; expected one")
    ):
        prompt.load_template(str(path))
    path.write_text("costs $5")
    with pytest.raises(EntenteError, match=re.escape("t.txt: a '$' that starts no placeholder")):
        prompt.load_template(str(path))
    with pytest.raises(EntenteError, match=re.escape("missing.txt: cannot read it")):
        prompt.load_template(str(tmp_path / "missing.txt"))


# -- the cache -------------------------------------------------------------------------------------


def test_the_cache_key_covers_server_model_prompt_parameters_and_seed(tmp_path: Path) -> None:
    body: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "hi"}],
                            "temperature": 0.0, "seed": 1}  # fmt: skip
    k = cache.key("http://a/v1", body)
    assert cache.key("http://a/v1/", dict(reversed(body.items()))) == k
    for change in ({"model": "n"}, {"temperature": 0.5}, {"seed": 2}, {"messages": []}):
        assert cache.key("http://a/v1", {**body, **change}) != k
    assert cache.key("http://b/v1", body) != k
    c = cache.Cache.at(str(tmp_path))
    assert c.get(k) is None
    c.put(k, "http://a/v1", body, client.Reply("{}", 7, 3, 0.5))
    assert c.get(k) == client.Reply("{}", 7, 3, 0.0)
    with cache.refreshing():
        assert c.get(k) is None
    assert c.get(k) is not None
    assert cache.Cache.at("off").folder is None
    cache.Cache.at("off").put(k, "http://a/v1", body, client.Reply("{}", 1, 1, 0.1))


def test_the_default_cache_folder_is_the_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert cache.Cache.at("").folder == Path("/somewhere/entente/llm")


# -- the strategy against scripted servers ---------------------------------------------------------


def best(body: dict[str, Any], message: str = "") -> bytes:
    """A valid completion: Japan's best outcome offered (with `message` when asked for one)."""
    fmt = body["response_format"]
    props = (fmt.get("schema") or fmt["json_schema"]["schema"])["properties"]
    reply: dict[str, Any] = {"action": "offer", "offer": SC.space.labels(IDEAL)}
    if "message" in props:
        reply["message"] = message
    return completion(json.dumps(reply))


IDEAL = api.table(SC).outcomes[api.table(SC).order(0)[0]]


def _play(spec: str, seed: int = 3, deadline: int = 6) -> Any:
    return api.negotiate(
        SC, "alternating", {"japan": spec, "russia": "boulware"}, seed=seed, deadline=deadline
    )


def test_moves_messages_usage_and_an_exact_replay(tmp_path: Path) -> None:
    with scripted_server(lambda b: (200, best(b, "A fair\x02 start."))) as s:
        spec = f"llm(base_url={s.url!r}, cache={str(tmp_path)!r}, messages=True)"
        first = _play(spec)
        asked = len(s.requests)
        again = _play(spec)
        assert len(s.requests) == asked, "the second run replays the cache: no request"
        with cache.refreshing():
            _play(spec)
        assert len(s.requests) == 2 * asked, "refreshing asks again"
    trace = trace_jsonl(first, SC.space, SC.prefs)
    assert trace == trace_jsonl(again, SC.space, SC.prefs)
    rows = [json.loads(line) for line in trace.splitlines()]
    japan = [r for r in rows if r["actor"] == "japan"]
    assert japan and all(r["note"] == {"message": "A fair start."} for r in japan)
    assert all("note" not in r for r in rows if r["actor"] == "russia")
    used = first.usage[0]
    assert first.usage[1] is None
    assert used["requests"] == asked == len(japan) and used["cached"] == 0
    assert (used["tokens_in"], used["tokens_out"]) == (10 * asked, 5 * asked)
    assert used["invalid"] == used["fallbacks"] == 0 and used["latency"] > 0
    assert again.usage[0] == {**used, "cached": asked, "latency": 0.0}
    body = s.requests[0]
    assert body["response_format"]["type"] == "json_object"
    assert body["temperature"] == 0.0 and body["model"] == "local"
    assert isinstance(body["seed"], int)


def test_invalid_replies_are_retried_then_the_fallback_moves(tmp_path: Path) -> None:
    replies = iter(['{"action": "surrender"}', "{}", '{"action": "walk"}'] * 100)
    with scripted_server(lambda b: (200, completion(next(replies)))) as s:
        r = _play(f"llm(base_url={s.url!r}, cache='off', retries=1)", deadline=3)
        # move 1: 'surrender', then '{}' → fallback; move 2: 'walk' (valid) ends the talks
        assert len(s.requests) == 3
        retry = s.requests[1]["messages"]
        assert retry[1] == {"role": "assistant", "content": '{"action": "surrender"}'}
        assert "That reply is not valid: action 'surrender' is not one of" in retry[2]["content"]
    rows = [json.loads(line) for line in trace_jsonl(r, SC.space, SC.prefs).splitlines()]
    assert rows[0]["note"] == {
        "fallback": "boulware(e=0.2)",
        "why": "2 invalid replies",
        "invalid": [
            "action 'surrender' is not one of offer, walk",
            "action None is not one of offer, walk",
        ],
    }
    assert rows[0]["action"] == "offer" and rows[-1]["action"] == "walk"
    assert r.usage[0]["invalid"] == 2 and r.usage[0]["fallbacks"] == 1
    assert r.agreement is None


def test_the_guard_refuses_a_move_worth_less_than_no_agreement(tmp_path: Path) -> None:
    t, floor = api.table(SC), SC.prefs[0].reservation
    low = tuple(int(x) for x in t.outcomes[np.flatnonzero(t.ok[:, 0] & (t.u[:, 0] < floor))[0]])
    crossing = tuple(int(x) for x in t.outcomes[np.flatnonzero(~t.ok[:, 0])[0]])
    for outcome, reason in [
        (low, f"is worth {SC.prefs[0](low):.3f} to you, less than no agreement ({floor:.3f})"),
        (crossing, "crosses one of your red lines"),
    ]:
        reply = json.dumps({"action": "offer", "offer": SC.space.labels(outcome)})
        with scripted_server(lambda b, reply=reply: (200, completion(reply))) as s:
            r = _play(f"llm(base_url={s.url!r}, cache='off', retries=0)", deadline=2)
            loose = _play(f"llm(base_url={s.url!r}, cache='off', guard=False)", deadline=2)
        note = json.loads(trace_jsonl(r, SC.space, SC.prefs).splitlines()[0])["note"]
        assert note["invalid"] == [f"the offer {reason}"]
        assert loose.moves[0].action == Offer(outcome)


def test_walk_false_keeps_walking_out_of_the_schema(tmp_path: Path) -> None:
    with scripted_server(lambda b: (200, completion(first_choice(b)))) as s:
        _play(f"llm(base_url={s.url!r}, cache='off', walk=False)", deadline=2)
        enums = {tuple(b["response_format"]["schema"]["properties"]["action"]["enum"])
                 for b in s.requests}  # fmt: skip
    assert enums == {("offer",), ("offer", "accept")}


def test_the_schema_travels_in_either_response_format() -> None:
    with scripted_server(lambda b: (200, best(b))) as s:
        _play(f"llm(base_url={s.url!r}, cache='off')", deadline=1)
        _play(f"llm(base_url={s.url!r}, cache='off', schema_as='json_schema')", deadline=1)
    llama, openai = s.requests[0]["response_format"], s.requests[-1]["response_format"]
    assert llama["type"] == "json_object" and llama["schema"]["type"] == "object"
    assert openai == {
        "type": "json_schema",
        "json_schema": {"name": "move", "schema": llama["schema"], "strict": True},
    }


def test_it_passes_the_conformance_suite_against_a_server(tmp_path: Path) -> None:
    with scripted_server(lambda b: (200, completion(first_choice(b, "ok")))) as s:
        assert check_strategy(f"llm(base_url={s.url!r}, cache={str(tmp_path)!r})") == []


# -- failures: one line naming the URL, or the fallback -----------------------------------------------


def _refusal(spec: str) -> str:
    with pytest.raises(EntenteError) as e:
        _play(spec, deadline=2)
    return str(e.value)


def test_a_server_that_is_down_slow_or_garbage_is_one_clear_line() -> None:
    down = "http://127.0.0.1:9/v1"
    said = _refusal(f"llm(base_url={down!r}, cache='off')")
    assert said.startswith(f"llm server {down}/chat/completions: cannot reach it")
    with scripted_server(lambda b: (200, b"<html>hello</html>")) as s:
        said = _refusal(f"llm(base_url={s.url!r}, cache='off')")
        assert said == (
            f"llm server {s.url}/chat/completions: answered something that is not a chat "
            "completion: '<html>hello</html>'"
        )
    with scripted_server(lambda b: (503, b'{"error": "loading model"}')) as s:
        said = _refusal(f"llm(base_url={s.url!r}, cache='off')")
        assert said.endswith('answered HTTP 503: \'{"error": "loading model"}\'')

    def slow(body: dict[str, Any]) -> tuple[int, bytes]:
        time.sleep(0.5)
        return 200, completion(first_choice(body))

    with scripted_server(slow) as s:
        said = _refusal(f"llm(base_url={s.url!r}, cache='off', timeout=0.1)")
        assert said == f"llm server {s.url}/chat/completions: no answer within 0.1 s"


def test_on_error_fallback_hands_the_rest_to_the_fallback() -> None:
    with scripted_server(lambda b: (200, b"garbage")) as s:
        r = _play(f"llm(base_url={s.url!r}, cache='off', on_error='fallback', fallback='linear')")
        assert len(s.requests) == 1, "a failed server is asked once per negotiation"
    rows = [json.loads(line) for line in trace_jsonl(r, SC.space, SC.prefs).splitlines()]
    japan = [row for row in rows if row["actor"] == "japan"]
    assert all(row["note"]["fallback"] == "linear()" for row in japan)
    assert "not a chat completion: 'garbage'" in japan[0]["note"]["why"]
    assert r.usage[0]["fallbacks"] == len(japan) and r.usage[0]["requests"] == 1


# -- the API key -------------------------------------------------------------------------------------

KEY = "sk-test-0123456789-secret"


def test_the_key_is_sent_and_never_shown(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ENTENTE_TEST_KEY", KEY)

    def echo(body: dict[str, Any]) -> tuple[int, bytes]:
        return 401, f'{{"error": "bad key Bearer {KEY}"}}'.encode()

    spec = "llm(base_url={!r}, key_env='ENTENTE_TEST_KEY', cache={!r}, on_error={!r})"
    with scripted_server(echo) as s:
        said = _refusal(spec.format(s.url, str(tmp_path), "fail"))
        assert s.headers[0]["Authorization"] == f"Bearer {KEY}"
        assert KEY not in said and "bad key Bearer ***" in said
        r = _play(spec.format(s.url, str(tmp_path), "fallback"))
        assert KEY not in trace_jsonl(r, SC.space, SC.prefs) and KEY not in repr(r)
    with scripted_server(lambda b: (200, best(b))) as s:
        r = _play(spec.format(s.url, str(tmp_path), "fail"))
        assert KEY not in trace_jsonl(r, SC.space, SC.prefs) + repr(r.usage)
    stored = "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    assert stored and KEY not in stored
    monkeypatch.delenv("ENTENTE_TEST_KEY")
    said = _refusal(spec.format(s.url, str(tmp_path), "fail"))
    assert said.startswith("llm: environment variable ENTENTE_TEST_KEY is not set")


def test_the_key_stays_out_of_the_command_line_output(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ENTENTE_TEST_KEY", KEY)
    with scripted_server(lambda b: (403, f"denied {KEY}".encode())) as s:
        spec = f"japan=llm(base_url={s.url!r}, key_env='ENTENTE_TEST_KEY', cache='off')"
        line = assert_refused(cli("run", "--strategy", spec), s.url, "HTTP 403")
    assert KEY not in line and "denied ***" in line


# -- the spec and the command line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("llm(on_error='maybe')", "on_error 'maybe': expected one of fail, fallback"),
        ("llm(mode='poetry')", "mode 'poetry': expected one of utilities, ranking"),
        ("llm(fallback='bolware')", "fallback 'bolware': unknown strategy 'bolware'"),
        ("llm(fallback='informed')", "fallback 'informed': expected a party's strategy"),
        ("llm(fallback='llm')", "fallback 'llm': expected a party's strategy that needs no"),
        ("llm(base_url='localhost:8080')", "base_url 'localhost:8080': expected an http"),
        ("llm(temperature=3.0)", "temperature 3.0: expected a number from 0 to 2"),
        ("llm(retries=-1)", "retries -1: expected at least 0"),
        ("llm(timeout=0.0)", "timeout 0.0: expected seconds above 0"),
        ("llm(key_env='MY KEY')", "key_env 'MY KEY': expected an environment variable name"),
        ("llm(model='')", "model '': expected the name"),
        ("llm(retries='2')", "retries' must be a whole number"),
        ("llm(schema_as='xml')", "schema_as 'xml': expected one of json_object, json_schema"),
    ],
)
def test_a_bad_spec_is_refused_in_one_line(spec: str, message: str) -> None:
    with pytest.raises(StrategyError, match=re.escape(message)):
        registry.strategy(spec)


def test_the_spec_works_by_name_and_makes_the_strategy_again() -> None:
    s = registry.strategy("llm(model='qwen', temperature=0.2)")
    assert s.spec().startswith("llm(model='qwen', base_url='http://127.0.0.1:8080/v1', ")
    assert registry.strategy(s.spec()).params() == s.params()
    assert "llm" in registry.strategy_names(mediator=False)


def test_run_json_carries_the_usage_and_the_trace_the_notes(tmp_path: Path) -> None:
    with scripted_server(lambda b: (200, best(b, "Peace."))) as s:
        spec = f"japan=llm(base_url={s.url!r}, cache={str(tmp_path / 'c')!r}, messages=True)"
        args = ("run", "--protocol", "alternating", "--deadline", "4", "--strategy", spec)
        r = cli(*args, "--json", "--trace", tmp_path / "t.jsonl")
        assert r.code == 0, r.err
        n = len(s.requests)
        again = cli(*args, "--json", "--no-cache")
        assert len(s.requests) == 2 * n
        text = cli(*args, columns=200)
    data = json.loads(r.out)
    assert set(data["usage"]) == {"japan"}
    assert data["usage"]["japan"]["requests"] == n and data["usage"]["japan"]["cached"] == 0
    assert json.loads(again.out)["usage"]["japan"]["cached"] == 0
    rows = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text().splitlines()]
    assert [row["note"]["message"] for row in rows if row["actor"] == "japan"] == ["Peace."] * n
    assert text.code == 0 and "Peace." in text.out


def test_requests_to_one_server_are_bounded_across_threads() -> None:
    live, peak = 0, 0
    lock = threading.Lock()

    def slow(body: dict[str, Any]) -> tuple[int, bytes]:
        nonlocal live, peak
        with lock:
            live += 1
            peak = max(peak, live)
        time.sleep(0.2)
        with lock:
            live -= 1
        return 200, completion("{}")

    with scripted_server(slow) as s:
        threads = [
            threading.Thread(target=client.chat, args=(s.url, {"n": i}), kwargs={"concurrency": 2})
            for i in range(6)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(s.requests) == 6
    assert peak == 2


def test_tournament_rows_carry_the_usage_and_no_cache_reaches_them(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from entente.tournament import run_tournament
    from entente.tournament.executors import InProcess
    from entente.tournament.store import Store

    with scripted_server(lambda b: (200, best(b))) as s:
        spec = f"llm(base_url={s.url!r}, cache={str(tmp_path / 'c')!r})"

        def play(out: str) -> list[dict[str, Any]]:
            run_tournament(["portsmouth"], [spec, "boulware"], tmp_path / out, rounds=3,
                           protocol="alternating", self_play=False, executor=InProcess())  # fmt: skip
            return sorted(Store(tmp_path / out).read().to_pylist(), key=lambda r: r["key"])

        rows = play("a")
        asked = len(s.requests)
        replayed = play("b")
        assert len(s.requests) == asked, "replayed from the cache"
        timeless = [{k: v for k, v in r.items() if k not in ("seconds", "latency")} for r in rows]
        assert timeless == [
            {k: v for k, v in r.items() if k not in ("seconds", "latency")} for r in replayed
        ]
        with cache.refreshing():
            play("c")
        assert len(s.requests) == 2 * asked
    for row in rows:
        seat = [x.startswith("llm(") for x in row["strategies"]].index(True)
        requests = row["tokens_in"][seat] // 10  # the server counts 10 in, 5 out
        assert requests > 0 and row["tokens_out"][seat] == 5 * requests
        assert row["latency"][seat] > 0
        # Japan's best offer is valid for Japan, and below Russia's reservation value
        refused = row["invalid_replies"][seat]
        assert (refused == 0) == (row["roles"][seat] == "japan")
        assert row["fallbacks"][seat] == refused // 3  # retries=2: 3 refusals make a fallback
        assert row["tokens_out"][1 - seat] is None


def test_a_strategy_object_keeps_its_notes_and_usage(tmp_path: Path) -> None:
    with scripted_server(lambda b: (200, best(b, "Hi."))) as s:
        made = registry.strategy(f"llm(base_url={s.url!r}, cache='off', messages=True)")
        r = api.negotiate(SC, "alternating", {"japan": made}, deadline=2)
    assert r.usage[0] is not None and r.usage[0]["requests"] == 2 and r.usage[1] is None
    assert [n for _, n in r.notes] == [{"message": "Hi."}] * 2


def test_the_report_lists_the_moves_noted(tmp_path: Path) -> None:
    pytest.importorskip("vl_convert")
    with scripted_server(lambda b: (200, best(b, "<b>Peace</b> & honour"))) as s:
        spec = f"japan=llm(base_url={s.url!r}, cache='off', messages=True)"
        r = cli("report", "--protocol", "alternating", "--deadline", "2", "--strategy", spec,
                "-o", tmp_path / "r.html")  # fmt: skip
    assert r.code == 0, r.err
    page = (tmp_path / "r.html").read_text()
    assert "<h3>Moves noted</h3>" in page
    assert page.count("<td>&lt;b&gt;Peace&lt;/b&gt; &amp; honour</td>") == 2
