"""The web app over HTTP: every endpoint of play, debrief and watch, and its errors (4xx with a
one-line message, never a 500), cookies, the pages' headers, restarts, server-sent events on a
live server, and `entente serve`'s refusals."""

from __future__ import annotations

import io
import json
import re
import socket
import threading
import time
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("altair")

import httpx

with warnings.catch_warnings():  # starlette's notice about its httpx client, at import only
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cli_run import assert_refused, cli
from entente.web.app import create_app
from entente.web.security import MAX_UPLOAD
from web_server import serving

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "src" / "entente" / "templates" / "minimal.toml"
STATIC = ROOT / "src" / "entente" / "web" / "static"
HOSTILE = "<script>alert(1)</script>"
MEDIATED = {"scenario": "portsmouth", "protocol": "mediated", "seats": {"russia": "human"}}


def client(db: Path) -> TestClient:
    return TestClient(create_app(db), raise_server_exceptions=False)


@pytest.fixture()
def web(tmp_path: Path) -> TestClient:
    return client(tmp_path / "web.sqlite3")


def refused(r: httpx.Response, status: int, *words: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    msg = r.json()["error"]
    assert "\n" not in msg and "Traceback" not in msg
    for w in words:
        assert w in msg, (w, msg)


def new_game(c: Any, **settings: Any) -> str:
    r = c.post("/api/games", json={"settings": {**MEDIATED, **settings}})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def finish(c: TestClient, gid: str) -> dict[str, Any]:
    state: dict[str, Any] = c.get(f"/api/games/{gid}").json()
    while not state["finished"]:
        state = c.post(f"/api/games/{gid}/act", json={"type": "accept"}).json()
    return state


def test_pages_carry_the_security_headers(web: TestClient) -> None:
    for path in ("/", "/play/abc", "/debrief/abc", "/watch", "/watch/abc"):
        r = web.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        csp = r.headers["content-security-policy"]
        assert "script-src 'self' 'unsafe-eval'" in csp and "default-src 'self'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "http" not in re.sub(r'(href|src)="/[^"]*"', "", r.text)  # no other origin
        assert "<script>" not in r.text  # no inline script: the policy would refuse it


def test_pages_never_put_text_into_html() -> None:
    """The play, debrief and watch pages build their DOM with textContent only."""
    for name in ("common.js", "setup.js", "play.js", "debrief.js", "watch.js"):
        text = (STATIC / name).read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in text, (name, sink)


def test_static_files_and_the_vega_bundle(web: TestClient) -> None:
    r = web.get("/static/vega.js")
    assert r.status_code == 200 and "vegaEmbed" in r.text
    assert r.headers["content-type"].startswith("text/javascript")
    assert web.get("/static/common.css").status_code == 200
    refused(web.get("/static/nosuch.js"), 404, "nosuch.js")
    refused(web.get("/static/..%2Fapp.py"), 404)
    refused(web.get("/static/app.py"), 404)
    refused(web.get("/no/such/page"), 404)


def test_catalog_and_scenarios(web: TestClient) -> None:
    cat = web.get("/api/catalog").json()
    assert "portsmouth" in [s["ref"] for s in cat["scenarios"]]
    protocols = {p["name"]: p["mediated"] for p in cat["protocols"]}
    assert protocols["alternating"] is False and protocols["mediated"] is True
    assert "boulware" in cat["strategies"] and "informed" in cat["mediators"]
    sc = web.get("/api/scenarios/portsmouth").json()
    assert [p["id"] for p in sc["parties"]] == ["japan", "russia"] and sc["history"] is True
    refused(web.get("/api/scenarios/nosuch"), 404, "'nosuch'")


def test_uploads_are_parsed_bounded_and_refused_in_one_line(web: TestClient) -> None:
    r = web.post("/api/uploads", files={"files": ("case.toml", MINIMAL.read_bytes())})
    assert r.status_code == 200 and r.json()["scenario"].startswith("upload:")
    ref = r.json()["scenario"]
    assert web.get(f"/api/scenarios/{ref}").json()["parties"][0]["id"] == "north"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("folder/case.toml", MINIMAL.read_text())
    r = web.post("/api/uploads", files={"files": ("case.zip", archive.getvalue())})
    assert r.status_code == 200 and r.json()["id"] == "my_case"
    bad = MINIMAL.read_text().replace("reservation = 0.3", "reservation = 'high'", 1)
    r = web.post("/api/uploads", files={"files": ("bad.toml", bad.encode())})
    refused(r, 400, "bad.toml", "reservation")
    assert "/tmp" not in r.json()["error"] and "entente-upload" not in r.json()["error"]
    refused(
        web.post("/api/uploads", files={"files": ("x.exe", b"MZ")}), 400, "x.exe", "unknown format"
    )
    big = b"#" * (MAX_UPLOAD + 1)
    refused(web.post("/api/uploads", files={"files": ("big.toml", big)}), 413, "big.toml")
    refused(web.post("/api/uploads", files={"files": ("a.zip", b"not a zip")}), 400, "zip")
    refused(web.post("/api/uploads"), 422, "files")
    refused(web.get("/api/scenarios/upload:nosuch"), 404, "upload")


def test_genius_and_geniusweb_uploads(web: TestClient, tmp_path: Path) -> None:
    laptop = ROOT / "tests" / "data" / "genius" / "other" / "laptopdomain"
    names = ["laptop_domain.xml", "laptop_buyer_utility.xml", "laptop_seller_utility.xml"]
    files = [("files", (n, (laptop / n).read_bytes())) for n in names]
    r = web.post("/api/uploads", files=files)
    assert r.status_code == 200, r.text
    assert len(r.json()["parties"]) == 2
    code, _, _ = cli(
        "export", str(MINIMAL), str(tmp_path / "gw"), "--to", "geniusweb", "--drop-red-lines"
    )
    assert code == 0
    files = [("files", (f.name, f.read_bytes())) for f in sorted((tmp_path / "gw").iterdir())]
    r = web.post("/api/uploads", files=files)
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["issues"]] == ["border", "payment", "troops"]
    gid = new_game(
        web,
        scenario=r.json()["scenario"],
        protocol=None,
        seats={r.json()["parties"][0]["id"]: "human"},
    )
    assert web.get(f"/api/games/{gid}").json()["legal"] == ["offer", "walk"]
    too_many = [("files", (f"p{i}.xml", b"<x/>")) for i in range(9)]
    refused(web.post("/api/uploads", files=too_many), 413, "9 files")


def test_a_game_from_start_to_debrief(web: TestClient) -> None:
    r = web.post("/api/games", json={"settings": MEDIATED})
    cookie = r.headers["set-cookie"]
    gid = r.json()["id"]
    assert cookie.startswith(f"seat_{gid}=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie and "Path=/" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert len(token) >= 43 and gid not in token
    state = web.get(f"/api/games/{gid}").json()
    assert state["your_turn"] and state["legal"] == ["accept", "reject", "walk"]
    assert state["scenario"]["title"].startswith("Portsmouth")
    u = web.post(f"/api/games/{gid}/utility", json={"outcome": state["table"]}).json()
    assert u["utility"] == state["table_utility"]
    bad_outcome = {"outcome": {**state["table"], "korea": "x"}}
    refused(web.post(f"/api/games/{gid}/utility", json=bad_outcome), 400, "korea")
    refused(web.post(f"/api/games/{gid}/utility", json=[1]), 400, "outcome")
    refused(web.get(f"/api/games/{gid}/debrief"), 409, "not over")
    offer = {"type": "offer", "outcome": state["table"]}
    refused(web.post(f"/api/games/{gid}/act", json=offer), 400, "'offer' is not allowed")
    refused(web.post(f"/api/games/{gid}/act", content=b"{not json"), 400, "not JSON")
    refused(web.post(f"/api/games/{gid}/act", content=b"[" * 70_000), 413)
    reject = {"type": "reject", "issues": ["indemnity"]}
    after = web.post(f"/api/games/{gid}/act", json=reject).json()
    assert after["moves"] == 1 and after["history"][2]["issues"] == ["indemnity"]
    live = web.get(f"/api/games/{gid}/figures").json()
    rows = [r for rows in live["offers"]["datasets"].values() for r in rows if "party" in r]
    assert rows and {r["party"] for r in rows} == {"Russian Empire"}, "never another's utility"
    domains = re.findall(r'"field": "party", "scale": \{"domain": (\[[^\]]*\])', json.dumps(live))
    assert domains and set(domains) == {'["Russian Empire"]'}, "the legend names this party only"
    assert live["space"] is not None  # the settings show the space
    end = finish(web, gid)
    assert end["finished"] and end["utility"] is not None
    refused(web.post(f"/api/games/{gid}/act", json={"type": "accept"}), 409, "over")
    d = web.get(f"/api/games/{gid}/debrief").json()
    assert {"space", "offers", "issues"} <= set(d["figures"]) and d["figures"]["space"]
    assert d["value_left"]["own"] >= 0 and d["history"]["issues"] == 14
    assert d["agreement"] == end["agreement"]
    other = web.get(f"/api/games/{gid}/debrief", params={"agent": "conceder"}).json()
    assert other["agent"]["agent"].startswith("conceder")
    refused(web.get(f"/api/games/{gid}/debrief", params={"agent": "nosuch"}), 400, "nosuch")


def test_seats_are_held_by_their_token_only(web: TestClient, tmp_path: Path) -> None:
    gid = new_game(web, show_space=False)
    stranger = client(tmp_path / "web.sqlite3")
    refused(stranger.get(f"/api/games/{gid}"), 403, "no seat")
    refused(stranger.post(f"/api/games/{gid}/act", json={"type": "walk"}), 403)
    stranger.cookies.set(f"seat_{gid}", "x" * 43)
    refused(stranger.get(f"/api/games/{gid}"), 403)
    refused(web.get("/api/games/nosuch"), 404, "no such game")
    assert web.get(f"/api/games/{gid}/figures").json()["space"] is None  # hidden by the settings


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, ("settings",)),
        ({"settings": {"scenario": "portsmouth"}}, ("0 human seats",)),
        (
            {"settings": {**MEDIATED, "seats": {"japan": "human", "russia": "human"}}},
            ("2 human seats",),
        ),
        ({"settings": {**MEDIATED, "seats": {"prussia": "human"}}}, ("prussia",)),
        (
            {"settings": {**MEDIATED, "seats": {"russia": "human", "japan": "bolware"}}},
            ("bolware",),
        ),
        ({"settings": {**MEDIATED, "deadline": 0}}, ("deadline",)),
        ({"settings": {**MEDIATED, "seed": -1}}, ("seed",)),
        ({"settings": {**MEDIATED, "protocol": "nosuch"}}, ("nosuch",)),
        ({"settings": {**MEDIATED, "scenario": "nosuch"}}, ("nosuch",)),
        (
            {"settings": {**MEDIATED, "protocol": "alternating", "mediator": "informed"}},
            ("mediator",),
        ),
        ({"settings": "portsmouth"}, ("settings",)),
    ],
)
def test_a_bad_game_is_refused_in_one_line(
    web: TestClient, body: Any, words: tuple[str, ...]
) -> None:
    r = web.post("/api/games", json=body)
    assert 400 <= r.status_code < 500
    refused(r, r.status_code, *words)


def test_nothing_answers_500(web: TestClient) -> None:
    gid = new_game(web)
    for method, url, body in [
        ("POST", f"/api/games/{gid}/act", {"type": "reject", "issues": "korea"}),
        ("POST", f"/api/games/{gid}/act", {"type": "offer", "outcome": [1, 2]}),
        ("POST", f"/api/games/{gid}/act", {"type": None}),
        ("POST", f"/api/games/{gid}/act", "accept"),
        ("POST", f"/api/games/{gid}/utility", {"outcome": None}),
        ("POST", "/api/watch", {"scenario": "portsmouth", "strategies": {"japan": "x(("}}),
        ("POST", "/api/watch", {"scenario": "portsmouth", "strategies": {"russia": "informed"}}),
        ("POST", "/api/watch", [1]),
        ("GET", "/api/watch/nosuch/figures?round=x", None),
        ("GET", "/api/events/nosuch", None),
        ("GET", f"/api/games/{gid}/debrief?agent=" + "x" * 300, None),
    ]:
        r = web.request(method, url, json=body)
        assert 400 <= r.status_code < 500, (url, body, r.status_code, r.text)
        assert "Traceback" not in r.text and r.json()["error"]


def test_hostile_labels_travel_as_data(web: TestClient) -> None:
    text = MINIMAL.read_text().replace('name = "Northland"', f'name = "{HOSTILE}"', 1)
    up = web.post("/api/uploads", files={"files": ("h.toml", text.encode())})
    ref = up.json()["scenario"]
    gid = new_game(web, scenario=ref, protocol=None, seats={"south": "human"})
    r = web.get(f"/api/games/{gid}")
    assert r.headers["content-type"] == "application/json"
    assert r.json()["scenario"]["parties"][0]["name"] == HOSTILE  # the page writes it as text
    r = web.get("/api/scenarios/" + HOSTILE)
    refused(r, 404)
    assert r.headers["content-type"] == "application/json"


def test_a_restart_keeps_a_finished_game(tmp_path: Path) -> None:
    db = tmp_path / "web.sqlite3"
    first = client(db)
    gid = new_game(first, show_space=False)
    first.post(f"/api/games/{gid}/act", json={"type": "reject", "issues": ["korea"]})
    end = finish(first, gid)
    cookie = first.cookies.get(f"seat_{gid}")
    first.app.state.store.close()  # type: ignore[attr-defined]
    again = client(db)
    again.cookies.set(f"seat_{gid}", str(cookie))
    state = again.get(f"/api/games/{gid}").json()
    assert state["finished"] and state["history"] == end["history"]
    assert state["agreement"] == end["agreement"] and state["utility"] == end["utility"]
    assert again.get(f"/api/games/{gid}/debrief").status_code == 200


def test_watch_a_new_run_and_a_trace_file(web: TestClient, tmp_path: Path) -> None:
    body = {"scenario": "portsmouth", "protocol": "mediated", "strategies": {"japan": "linear"}}
    w = web.post("/api/watch", json={**body, "seed": 2}).json()
    info = web.get(f"/api/watch/{w['id']}").json()
    assert info["rounds"] >= 1 and info["moves"][0]["round"] == 1
    f0 = web.get(f"/api/watch/{w['id']}/figures", params={"round": 0}).json()
    assert f0["round"] == 0 and f0["offers"] is None and f0["space"]
    f2 = web.get(f"/api/watch/{w['id']}/figures", params={"round": 2}).json()
    assert f2["offers"] and f2["round"] == 2
    last = web.get(f"/api/watch/{w['id']}/figures", params={"round": 999}).json()
    assert last["round"] == info["rounds"]
    trace = tmp_path / "t.jsonl"
    assert cli("run", "portsmouth", "--protocol", "mediated", "--trace", str(trace))[0] == 0
    form = {"scenario": "portsmouth"}
    r = web.post("/api/watch", data=form, files={"trace": ("t.jsonl", trace.read_bytes())})
    assert r.status_code == 200
    assert web.get(r.json()["url"]).status_code == 200
    rounds = len({json.loads(x)["round"] for x in trace.read_text().splitlines()})
    assert web.get(f"/api/watch/{r.json()['id']}").json()["rounds"] == rounds
    bad = trace.read_text().replace('"actor":"japan"', '"actor":"prussia"', 1).encode()
    refused(web.post("/api/watch", data=form, files={"trace": ("t.jsonl", bad)}), 400, "prussia")
    refused(web.post("/api/watch", data=form), 400, "trace")
    not_utf8 = {"trace": ("t.jsonl", b"\xff\xfe")}
    refused(web.post("/api/watch", data=form, files=not_utf8), 400, "UTF-8")
    refused(web.get("/api/watch/nosuch"), 404, "nosuch")


def test_moves_reach_the_other_page_over_server_sent_events(tmp_path: Path) -> None:
    """On a live server: a subscriber to a game's channel hears each move. The time from
    sending a move to hearing it is measured; the issue asks for under 100 ms on loopback,
    and the bound here is loose because the test machine is shared."""
    with serving(tmp_path / "web.sqlite3") as base, httpx.Client(base_url=base, timeout=10) as c:
        gid = new_game(c, show_space=False)
        heard: list[tuple[float, dict[str, Any]]] = []
        ready = threading.Event()

        def subscribe() -> None:
            with httpx.stream("GET", f"{base}/api/events/game:{gid}", timeout=10) as s:
                assert s.headers["content-type"].startswith("text/event-stream")
                for line in s.iter_lines():
                    if line.startswith("data: "):
                        ev = json.loads(line[6:])
                        if ev["type"] == "hello":
                            ready.set()
                        else:
                            heard.append((time.perf_counter(), ev))
                            if len(heard) == 3:
                                return

        t = threading.Thread(target=subscribe, daemon=True)
        t.start()
        assert ready.wait(10)
        sent = []
        for issue in ("korea", "sakhalin", "indemnity"):
            sent.append(time.perf_counter())
            move = {"type": "reject", "issues": [issue]}
            assert c.post(f"/api/games/{gid}/act", json=move).status_code == 200
        t.join(10)
        assert [ev["n"] for _, ev in heard] == [1, 2, 3]
        latency = [h - s for (h, _), s in zip(heard, sent, strict=True)]
        assert max(latency) < 2.0, latency


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        r = cli("serve", "--port", str(port), "--db", str(tmp_path / "w.sqlite3"))
        assert_refused(r, "--port", str(port), "in use")
    assert not (tmp_path / "w.sqlite3").exists()


def test_event_streams_are_bounded(web: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web.app.state.hub, "full", lambda: True)  # type: ignore[attr-defined]
    refused(web.get("/api/events/game:abc"), 503, "too many")


def test_serve_listens_on_this_machine_only_by_default() -> None:
    import inspect

    from entente.cli.serve import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"


def test_an_unexpected_error_is_a_500_without_a_traceback(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gid = new_game(web)

    def broken(*args: Any) -> None:
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(web.app.state.games, "get", broken)  # type: ignore[attr-defined]
    r = web.get(f"/api/games/{gid}")
    assert r.status_code == 500 and r.json() == {"error": "internal error"}
    assert "secret" not in r.text
