"""Rooms for a class: join codes, pairing, the teacher-only dashboard, debrief and export, seats
that only their student can act for, a room that outlives a restart, and display names that
stay text."""

from __future__ import annotations

import csv
import io
import json
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("pyarrow")

with warnings.catch_warnings():  # starlette's notice about its httpx client, at import only
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import pyarrow.parquet as pq

from entente.errors import EntenteError
from entente.negotiation.session import trace_jsonl
from entente.web.app import create_app
from entente.web.export import export_rows, to_csv
from entente.web.rooms import (
    ALPHABET,
    CODE_LENGTH,
    Attempts,
    RoomSettings,
    display_name,
    new_code,
    normal_code,
)

HOSTILE = '<img src=x onerror="window.pwned=1">'
PAIRS = {"scenario": "portsmouth", "party": "russia", "opponent": "student", "deadline": 3}
AGENTS = {"scenario": "portsmouth", "party": "russia", "opponent": "agent", "deadline": 3}


def client(app: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture()
def app(tmp_path: Path) -> Iterator[Any]:
    a = create_app(tmp_path / "web.sqlite3")
    yield a
    a.state.store.close()


def open_room(app: Any, **settings: Any) -> tuple[TestClient, str]:
    teacher = client(app)
    r = teacher.post("/api/rooms", json=settings or PAIRS)
    assert r.status_code == 200, r.text
    return teacher, r.json()["code"]


def join(app: Any, code: str, name: str) -> tuple[TestClient, dict[str, Any]]:
    c = client(app)
    r = c.post(f"/api/rooms/{code}/join", json={"name": name})
    assert r.status_code == 200, r.text
    return c, r.json()


def gid(student: dict[str, Any]) -> str:
    return str(student["url"]).rsplit("/", 1)[-1]


def step(game: str, *players: TestClient, accept: bool = True) -> bool:
    """One move by whichever student's turn it is: accept what is on the table when allowed
    (from the second round, and if `accept`), else object to one issue or counter with the
    text on the table. False when the game is over."""
    for p in players:
        st = p.get(f"/api/games/{game}").json()
        if st["finished"]:
            return False
        if not st["your_turn"]:
            continue
        if accept and "accept" in st["legal"] and st["table"] and st["round"] > 1:
            action: dict[str, Any] = {"type": "accept"}
        elif "reject" in st["legal"]:
            action = {"type": "reject", "issues": [st["scenario"]["issues"][0]["id"]]}
        elif "offer" in st["legal"]:
            action = {"type": "offer", "outcome": st["table"] or first(st)}
        else:
            action = {"type": st["legal"][0]}
        r = p.post(f"/api/games/{game}/act", json=action)
        assert r.status_code == 200, r.text
        return True
    raise AssertionError("no student holds the seat to move")


def play_out(app: Any, game: str, *players: TestClient) -> None:
    """Play a game to its end (`step` after `step`)."""
    for _ in range(400):
        if not step(game, *players):
            return
    raise AssertionError("the game did not end")


def first(state: dict[str, Any]) -> dict[str, str]:
    return {i["id"]: i["options"][0]["id"] for i in state["scenario"]["issues"]}


# ------------------------------------------------------------------ codes and names


def test_codes_are_short_unambiguous_and_typed_loosely() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 2^30 codes: no repeat in a few thousand draws
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert not set("IO01") & set(ALPHABET) and len(ALPHABET) == 32
    assert normal_code("abc-def") == "ABCDEF" and normal_code(" k7m 2pq ") == "K7M2PQ"
    assert normal_code("ABCDE") is None and normal_code("ABCDE0") is None
    assert normal_code("ABCDEFG") is None


def test_display_names_are_cleaned_or_refused() -> None:
    assert display_name("  Ann   Lee ") == "Ann Lee"
    assert display_name(HOSTILE) == HOSTILE  # kept as typed: pages show it as text
    for bad, why in [
        ("", "at least one"),
        ("x" * 41, "at most 40"),
        ("a\u202eb", "invisible"),
        ("a\x00b", "control"),
        (7, "text"),
    ]:
        with pytest.raises(EntenteError, match=why):
            display_name(bad)


def test_csv_cells_a_spreadsheet_would_run_are_defused_but_ids_kept() -> None:
    rows = export_rows(
        [
            {
                "room": "ABCDEF",
                "table": 1,
                "game": "-x1",
                "finished": False,
                "rounds": 0,
                "players": {"russia": "@SUM(A1)", "japan": "+1"},
                "agreement": None,
                "utilities": None,
                "trace": "",
            }
        ]
    )
    back = next(csv.DictReader(io.StringIO(to_csv(rows).decode())))
    assert back["game"] == "-x1" and back["room"] == "ABCDEF"
    assert back["student_russia"] == "'@SUM(A1)" and back["student_japan"] == "'+1"


def test_attempts_are_bounded_per_client_and_forgotten_after_the_window() -> None:
    now = [0.0]
    a = Attempts(limit=3, window=60, clock=lambda: now[0])
    for _ in range(3):
        assert not a.blocked("x")
        a.failed("x")
    assert a.blocked("x") and not a.blocked("y")
    now[0] = 61.0
    assert not a.blocked("x")


def test_settings_are_checked_against_the_scenario(portsmouth: Any) -> None:
    s = RoomSettings("portsmouth", "russia").checked(portsmouth)
    assert s.partner == "japan"
    assert RoomSettings.from_json(s.to_json()) == s
    seats = s.game(portsmouth, 2).seats
    assert seats == {"japan": "human", "russia": "human"}
    assert s.game(portsmouth, 1).seats == {"russia": "human"}  # japan: the scenario's strategy
    spec = RoomSettings("portsmouth", "russia", opponent="conceder").checked(portsmouth)
    assert spec.game(portsmouth, 1).seats == {"russia": "human", "japan": "conceder"}
    for bad, why in [
        (RoomSettings("portsmouth", "prussia"), "no such party"),
        (RoomSettings("portsmouth", "russia", partner="russia"), "another party"),
        (RoomSettings("portsmouth", "russia", opponent="agent", partner="japan"), "only with"),
        (RoomSettings("portsmouth", "russia", opponent="no_such_agent"), "no_such_agent"),
        (RoomSettings("portsmouth", "russia", deadline=0), "deadline"),
    ]:
        with pytest.raises(EntenteError, match=why):
            bad.checked(portsmouth)


# ------------------------------------------------------------------ HTTP: opening and joining


def test_open_sets_an_httponly_strict_teacher_cookie(app: Any) -> None:
    r = client(app).post("/api/rooms", json=PAIRS)
    assert r.status_code == 200
    code = r.json()["code"]
    assert len(code) == CODE_LENGTH and r.json()["url"] == f"/teach/{code}"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"teacher_{code}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({**PAIRS, "party": "prussia"}, 400, "no such party"),
        ({**PAIRS, "scenario": "atlantis"}, 404, "atlantis"),
        ({**PAIRS, "colour": "red"}, 400, "unknown field"),
        ({**PAIRS, "deadline": "soon"}, 400, "deadline"),
        ({**PAIRS, "show_space": 1}, 400, "show_space"),
        ({**PAIRS, "seed": 2**40}, 400, "seed"),
        ({**PAIRS, "seed": -1}, 400, "seed"),
        ({**PAIRS, "deadline": 10**6}, 400, "deadline"),
        ({**PAIRS, "protocol": "auction"}, 400, "auction"),
        ({**PAIRS, "title": "x" * 500}, 400, "title"),
        ({"party": "russia"}, 400, "scenario"),
        ({**AGENTS, "opponent": "boulware(e=-"}, 400, "boulware"),
        ([1, 2], 400, "JSON object"),
    ],
)
def test_a_bad_room_is_refused_in_one_line(app: Any, body: Any, status: int, words: str) -> None:
    r = client(app).post("/api/rooms", json=body)
    assert r.status_code == status, r.text
    assert words in r.json()["error"] and "\n" not in r.json()["error"]


def test_students_are_paired_as_they_join_and_the_odd_one_waits(app: Any) -> None:
    teacher, code = open_room(app)
    ann, a = join(app, code, "Ann")
    assert a["status"] == "waiting" and a["url"] is None
    assert ann.get(f"/api/rooms/{code}/me").json()["status"] == "waiting"
    bob, b = join(app, code, "Bob")
    assert b["status"] == "playing" and b["seat"] == "japan" and b["table"] == 1
    me = ann.get(f"/api/rooms/{code}/me")  # Ann is handed her seat's cookie now
    assert me.json()["seat"] == "russia" and me.json()["url"] == b["url"]
    assert f"seat_{gid(b)}=" in me.headers["set-cookie"]
    assert ann.get(f"/api/games/{gid(b)}").json()["seat"] == "russia"
    assert bob.get(f"/api/games/{gid(b)}").json()["seat"] == "japan"
    _, c = join(app, code, "Cleo")
    assert c["status"] == "waiting"
    d = teacher.get(f"/api/rooms/{code}/dashboard").json()
    assert d["waiting"] == ["Cleo"] and len(d["tables"]) == 1
    assert {p["name"]: p["party"] for p in d["tables"][0]["players"]} == {
        "Ann": "russia",
        "Bob": "japan",
    }
    # the odd one out gets an agent when the teacher says so
    assert teacher.post(f"/api/rooms/{code}/fill").json() == {"seated": 1}
    d = teacher.get(f"/api/rooms/{code}/dashboard").json()
    assert d["waiting"] == [] and [p["name"] for p in d["tables"][1]["players"]] == ["Cleo"]
    assert teacher.post(f"/api/rooms/{code}/fill").json() == {"seated": 0}


def test_against_agents_every_student_sits_at_once(app: Any) -> None:
    _, code = open_room(app, **AGENTS)
    seen = set()
    for name in ["Ann", "Bob", "Cleo"]:
        c, s = join(app, code, name)
        assert s["status"] == "playing" and s["seat"] == "russia"
        seen.add(gid(s))
        assert c.get(s["url"].replace("/play/", "/api/games/")).json()["seat"] == "russia"
    assert len(seen) == 3


def test_joins_at_once_take_each_seat_once(app: Any) -> None:
    rooms = app.state.rooms
    code, _ = rooms.open(RoomSettings("portsmouth", "russia", deadline=2))
    out: list[Any] = []
    threads = [
        threading.Thread(target=lambda n=n: out.append(rooms.join(code, f"s{n}")))
        for n in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    students = rooms.students(code)
    assert len(students) == 12 and all(s.game is not None for s in students)
    tables = rooms.tables(code)
    assert len(tables) == 6 and len({g for _, g, _ in tables}) == 6
    assert all(set(players) == {"russia", "japan"} for _, _, players in tables)


def test_the_room_hears_its_tables_and_no_other_game(app: Any) -> None:
    heard: list[tuple[str, dict[str, Any]]] = []
    app.state.rooms.publish = lambda channel, event: heard.append((channel, event))
    _, code = open_room(app)
    ann, _ = join(app, code, "Ann")
    bob, b = join(app, code, "Bob")
    ann.get(f"/api/rooms/{code}/me")
    assert [e["type"] for _, e in heard] == ["joined", "joined"]
    assert step(gid(b), ann, bob, accept=False)
    assert heard[-1] == (f"room:{code}", {"type": "move", "finished": False})
    solo = client(app)  # a game outside any room
    r = solo.post(
        "/api/games", json={"settings": {"scenario": "portsmouth", "seats": {"russia": "human"}}}
    )
    assert r.status_code == 200, r.text
    before = len(heard)
    assert step(r.json()["id"], solo, accept=False)
    assert len(heard) == before
    assert all(ch == f"room:{code}" for ch, _ in heard)
    assert all(set(e) <= {"type", "finished"} for _, e in heard)  # no names, no tokens


def test_codes_are_case_blind_and_misses_are_limited(app: Any) -> None:
    _, code = open_room(app)
    c = client(app)
    assert c.get(f"/api/rooms/{code.lower()}").json()["code"] == code
    assert c.get("/api/rooms/" + code[:3] + "-" + code[3:]).status_code == 200
    assert c.get("/api/rooms/ZZZZZZ").status_code in (404, 200)  # one miss (unless it exists)
    misses = 1
    while misses < app.state.rooms.attempts.limit:
        r = c.post("/api/rooms/abc/join", json={"name": "x"})
        assert r.status_code == 404 and "no such room" in r.json()["error"]
        misses += 1
    r = c.get(f"/api/rooms/{code}")  # even a good code, for a while
    assert r.status_code == 429 and "too many" in r.json()["error"]


def test_a_closed_room_takes_no_one_and_a_bad_name_is_refused(app: Any) -> None:
    teacher, code = open_room(app)
    r = client(app).post(f"/api/rooms/{code}/join", json={"name": "  "})
    assert r.status_code == 400 and "name" in r.json()["error"]
    r = client(app).post(f"/api/rooms/{code}/join", content=b"{not json")
    assert r.status_code == 400 and "not JSON" in r.json()["error"]
    assert teacher.post(f"/api/rooms/{code}/close").json() == {"closed": True}
    r = client(app).post(f"/api/rooms/{code}/join", json={"name": "Late"})
    assert r.status_code == 400 and "closed" in r.json()["error"]
    assert client(app).get(f"/api/rooms/{code}/me").json() == {"room": code, "status": "new"}


# ------------------------------------------------------------------ who may do what


def test_only_the_teacher_opens_the_dashboard_debrief_export_and_controls(app: Any) -> None:
    teacher, code = open_room(app)
    other, other_code = open_room(app)
    student, _ = join(app, code, "Ann")
    for method, path in [
        ("GET", "dashboard"),
        ("GET", "debrief"),
        ("GET", "export.csv"),
        ("GET", "export.parquet"),
        ("POST", "fill"),
        ("POST", "close"),
    ]:
        assert teacher.request(method, f"/api/rooms/{code}/{path}").status_code == 200, path
        for c in (student, other, client(app)):
            r = c.request(method, f"/api/rooms/{code}/{path}")
            assert r.status_code == 403, (path, r.text)
            assert "only the teacher" in r.json()["error"]
    page = student.get(f"/teach/{code}")  # the page shell holds no data of the room
    assert page.status_code == 200 and code not in page.text
    assert teacher.get(f"/api/rooms/{other_code}/dashboard").status_code == 403
    # a forged cookie is no better than none
    forged = client(app)
    forged.cookies.set(f"teacher_{code}", "x" * 43)
    assert forged.get(f"/api/rooms/{code}/dashboard").status_code == 403
    assert teacher.get(f"/api/rooms/{code}/export.xlsx").status_code == 404


def test_a_student_acts_only_for_their_own_seat(app: Any) -> None:
    _, code = open_room(app)
    ann, _ = join(app, code, "Ann")
    bob, b = join(app, code, "Bob")
    join(app, code, "Cleo")
    dan, d = join(app, code, "Dan")
    g1, g2 = gid(b), gid(d)
    ann.get(f"/api/rooms/{code}/me")
    assert g1 != g2
    # Dan holds a seat at table 2 only
    r = dan.post(f"/api/games/{g1}/act", json={"type": "accept"})
    assert r.status_code == 403
    assert dan.get(f"/api/games/{g1}").status_code == 403
    # at table 1 the student whose turn it is not cannot move for the other
    for _ in range(2):
        states = {c: c.get(f"/api/games/{g1}").json() for c in (ann, bob)}
        idle = next(c for c, st in states.items() if not st["your_turn"])
        moved = states[idle]["moves"]
        assert states[idle]["turn"] in ("russia", "japan")
        assert states[idle]["turn"] != states[idle]["seat"]
        r = idle.post(f"/api/games/{g1}/act", json={"type": "walk"})
        assert r.status_code == 409 and "not your turn" in r.json()["error"]
        assert bob.get(f"/api/games/{g1}").json()["moves"] == moved
        assert step(g1, ann, bob, accept=False)
    # a student's cookie of another room names no one here
    _, code2 = open_room(app)
    ann.cookies.set(f"student_{code2}", ann.cookies.get(f"student_{code}") or "")
    assert ann.get(f"/api/rooms/{code2}/me").json()["status"] == "new"


# ------------------------------------------------------------------ the end of the class


def test_dashboard_debrief_and_export_round_trip(app: Any) -> None:
    teacher, code = open_room(app)
    ann, _ = join(app, code, "=HYPERLINK(1)")
    bob, b = join(app, code, HOSTILE)
    ann.get(f"/api/rooms/{code}/me")
    play_out(app, gid(b), ann, bob)
    join(app, code, "Cleo")
    teacher.post(f"/api/rooms/{code}/fill")
    d = teacher.get(f"/api/rooms/{code}/dashboard").json()
    assert [t["finished"] for t in d["tables"]] == [True, False]
    assert d["tables"][0]["players"][0]["name"] == HOSTILE  # JSON carries it as it was typed
    deb = teacher.get(f"/api/rooms/{code}/debrief").json()
    assert deb["finished"] == 1
    names = [layer.get("name") for layer in deb["space"]["layer"]]
    assert ("agreements" in names) == (deb["agreements"] == 1)
    issues = app.state.scenarios.get("portsmouth").space.issues
    assert [s["issue"] for s in deb["spread"]] == [i.id for i in issues] and all(
        sum(o["count"] for o in s["options"]) + s["no_agreement"] == 1 for s in deb["spread"]
    )
    rows = list(csv.DictReader(io.StringIO(teacher.get(f"/api/rooms/{code}/export.csv").text)))
    table = pq.read_table(io.BytesIO(teacher.get(f"/api/rooms/{code}/export.parquet").content))
    prq = table.to_pylist()
    assert len(rows) == len(prq) == 2
    assert rows[0]["student_russia"] == "'=HYPERLINK(1)"  # no formula for a spreadsheet
    assert prq[0]["student_russia"] == "=HYPERLINK(1)" and prq[0]["student_japan"] == HOSTILE
    games = app.state.games
    for r, p in zip(rows, prq, strict=True):
        g = games.get(r["game"])
        want = trace_jsonl(g.provisional(), g.scenario.space, g.scenario.prefs)
        assert r["trace"] == p["trace"] == want
        assert int(r["table"]) == p["table"] and r["finished"] == str(p["finished"])
        moves = [json.loads(line) for line in want.splitlines()]
        assert len(moves) >= len(g.moves)
    assert prq[0]["finished"] is True and prq[1]["finished"] is False
    assert prq[1]["student_russia"] == "Cleo" and prq[1]["utility_russia"] is None


def test_a_restart_keeps_the_room_its_students_and_their_games(tmp_path: Path) -> None:
    db = tmp_path / "web.sqlite3"
    app = create_app(db)
    teacher, code = open_room(app)
    ann, _ = join(app, code, "Ann")
    bob, b = join(app, code, "Bob")
    ann.get(f"/api/rooms/{code}/me")
    g = gid(b)
    assert step(g, ann, bob, accept=False)
    join(app, code, "Cleo")
    before = teacher.get(f"/api/rooms/{code}/dashboard").json()
    app.state.store.close()

    again = create_app(db)
    try:
        t2, a2, b2 = client(again), client(again), client(again)
        for old, new in ((teacher, t2), (ann, a2), (bob, b2)):
            for k, v in old.cookies.items():
                new.cookies.set(k, v)
        assert t2.get(f"/api/rooms/{code}/dashboard").json() == before
        assert a2.get(f"/api/rooms/{code}/me").json()["url"] == f"/play/{g}"
        st = b2.get(f"/api/games/{g}").json()
        assert st["seat"] == "japan" and st["moves"] == 1 and len(st["history"]) >= 1
        play_out(again, g, a2, b2)
        assert t2.get(f"/api/rooms/{code}/dashboard").json()["tables"][0]["finished"]
        join(again, code, "Dan")  # Cleo, who waited across the restart, is paired now
        assert t2.get(f"/api/rooms/{code}/dashboard").json()["waiting"] == []
    finally:
        again.state.store.close()


def test_pages_are_served_with_the_security_headers(app: Any) -> None:
    c = client(app)
    for path in ["/teach", "/room", "/join", "/room/ABCDEF"]:
        r = c.get(path)
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
    for name in ["teach.js", "teach_room.js", "room.js", "teach.css"]:
        text = c.get(f"/static/{name}").text
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text
