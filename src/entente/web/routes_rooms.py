"""The rooms' HTTP routes: a teacher opens a room, students join it with its code, the teacher
follows every table and exports them. `install(app)` (called once by `app.create_app`) creates
the rooms' tables in the app's store and adds the routes.

Tokens travel in cookies (HttpOnly, SameSite=Strict, Path=/): `teacher_{code}` opens the
dashboard, the debrief and the export of one room (403 for anyone else); `student_{code}`
names a student of the room, who is handed the cookie of their own seat (`seat_{game}`) and
can act for that seat only. A client that tries codes that name no room is stopped (429) after
`Attempts.limit` misses a minute.

Routes:
- POST /api/rooms {scenario, party, opponent, partner, protocol, deadline, seed, show_space,
  title} -> {code, url}; sets the teacher's cookie.
- GET /api/rooms/{code}: what a student sees before joining (title, scenario, party, open).
- POST /api/rooms/{code}/join {name} -> the student (status waiting or playing, table, url).
- GET /api/rooms/{code}/me: the student, with their seat's cookie once seated (status "new"
  for a browser that has not joined).
- GET /api/rooms/{code}/dashboard, GET /api/rooms/{code}/debrief,
  POST /api/rooms/{code}/fill (seat the students waiting for a partner against agents),
  POST /api/rooms/{code}/close, GET /api/rooms/{code}/export.csv | export.parquet: teacher only.
- Pages: /teach (open a room), /teach/{code} (the dashboard), /room or /join (join), /room/{code}.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from entente.errors import EntenteError, quoted
from entente.web.rooms import Rooms, RoomSettings, normal_code
from entente.web.security import PAGE_HEADERS, seat_cookie, set_seat_cookie
from entente.web.store import NotFound

STATIC = Path(str(resources.files("entente") / "web" / "static"))
MAX_JSON = 16 * 1024
SETTINGS = {f for f in RoomSettings.__dataclass_fields__}


def _cookie(response: Response, name: str, token: str) -> None:
    response.set_cookie(
        name, token, httponly=True, samesite="strict", path="/", max_age=7 * 24 * 3600
    )


def _rooms(request: Request) -> Rooms:
    rooms: Rooms = request.app.state.rooms
    return rooms


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _code(request: Request, code: str) -> str:
    """The room's code as stored, after the client's misses are counted: an unknown code is a
    404, and one miss; past the limit every lookup of this client is a 429 for a while."""
    rooms = _rooms(request)
    client = _client(request)
    if rooms.attempts.blocked(client):
        raise HTTPException(429, "too many room codes tried that name no room; wait a minute")
    key = normal_code(code)
    try:
        if key is None:
            raise NotFound(f"room {quoted(code)}: no such room; check the code")
        rooms.find(key)
    except NotFound:
        rooms.attempts.failed(client)
        raise
    return key


def _teacher(request: Request, code: str) -> tuple[Rooms, str]:
    rooms = _rooms(request)
    key = normal_code(code)
    if key is None:
        raise NotFound(f"room {quoted(code)}: no such room")
    rooms.teacher(key, request.cookies.get("teacher_" + key))
    return rooms, key


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_JSON:
        raise EntenteError(f"request body over {MAX_JSON // 1024} KiB")
    try:
        data = json.loads(raw or b"null")
    except ValueError:
        raise EntenteError("request body: not JSON") from None
    if not isinstance(data, dict):
        raise EntenteError("request body: expected a JSON object")
    return data


def _settings(data: dict[str, Any]) -> RoomSettings:
    unknown = sorted(set(data) - SETTINGS)
    if unknown:
        raise EntenteError(
            f"room: unknown field {quoted(unknown[0])}; expected {', '.join(sorted(SETTINGS))}"
        )
    for key in ("scenario", "party"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise EntenteError(f"room: {key}: expected a name")
    types: dict[str, tuple[type, ...]] = {
        "opponent": (str,),
        "partner": (str, type(None)),
        "protocol": (str, type(None)),
        "deadline": (int, type(None)),
        "seed": (int,),
        "show_space": (bool,),
        "title": (str,),
    }
    for key, allowed in types.items():
        v = data.get(key)
        if key in data and (
            not isinstance(v, allowed) or (isinstance(v, bool) and bool not in allowed)
        ):
            raise EntenteError(f"room: {key}: {quoted(v)} is not of the expected kind")
        if isinstance(v, str) and len(v) > 200:
            raise EntenteError(f"room: {key}: expected at most 200 characters")
    return RoomSettings(**{k: v for k, v in data.items() if not (k == "partner" and not v)})


def _page(name: str) -> Response:
    return FileResponse(STATIC / name, media_type="text/html", headers=PAGE_HEADERS)


router = APIRouter()


@router.post("/api/rooms")
async def open_room(request: Request) -> JSONResponse:
    settings = _settings(await _body(request))
    code, token = _rooms(request).open(settings)
    resp = JSONResponse({"code": code, "url": f"/teach/{code}", "join": f"/room/{code}"})
    _cookie(resp, "teacher_" + code, token)
    return resp


@router.get("/api/rooms/{code}")
def room(code: str, request: Request) -> dict[str, Any]:
    key = _code(request, code)
    rooms = _rooms(request)
    settings, closed = rooms.find(key)
    sc = rooms.scenarios.get(settings.scenario)
    names = {p.id: p.name or p.id for p in sc.parties}
    return {
        "code": key,
        "title": settings.title or sc.title or sc.id,
        "scenario": sc.title or sc.id,
        "party": names[settings.party],
        "partner": None if settings.partner is None else names[settings.partner],
        "opponent": "student" if settings.opponent == "student" else "agent",
        "open": not closed,
    }


@router.post("/api/rooms/{code}/join")
async def join(code: str, request: Request) -> JSONResponse:
    key = _code(request, code)
    data = await _body(request)
    token, student = _rooms(request).join(key, data.get("name"))
    resp = JSONResponse(student.json(key))
    _cookie(resp, "student_" + key, token)
    if student.game is not None:
        set_seat_cookie(resp, student.game, _rooms(request).seat_token(student))
    return resp


@router.get("/api/rooms/{code}/me")
def me(code: str, request: Request) -> JSONResponse:
    rooms = _rooms(request)
    key = normal_code(code) or ""
    student = rooms.student(key, request.cookies.get("student_" + key))
    if student is None:  # not an error: the join page asks before it shows its form
        return JSONResponse({"room": key, "status": "new"})
    resp = JSONResponse(student.json(key))
    if student.game is not None:
        held = rooms.store.seat_of(student.game, seat_cookie(request, student.game))
        if held != student.seat:
            set_seat_cookie(resp, student.game, rooms.seat_token(student))
    return resp


@router.get("/api/rooms/{code}/dashboard")
def dashboard(code: str, request: Request) -> Response:
    rooms, key = _teacher(request, code)
    # plain JSON already: written at once, not walked again by FastAPI's encoder (a page
    # that follows a busy room asks for it several times a second)
    return Response(json.dumps(rooms.dashboard(key)), media_type="application/json")


@router.get("/api/rooms/{code}/debrief")
def room_debrief(code: str, request: Request) -> dict[str, Any]:
    rooms, key = _teacher(request, code)
    return rooms.debrief(key)


@router.post("/api/rooms/{code}/fill")
def fill(code: str, request: Request) -> dict[str, Any]:
    rooms, key = _teacher(request, code)
    return {"seated": rooms.fill(key)}


@router.post("/api/rooms/{code}/close")
def close(code: str, request: Request) -> dict[str, Any]:
    rooms, key = _teacher(request, code)
    rooms.close(key)
    return {"closed": True}


@router.get("/api/rooms/{code}/export.{kind}")
def export(code: str, kind: str, request: Request) -> Response:
    from entente.web.export import to_csv, to_parquet

    rooms, key = _teacher(request, code)
    if kind not in ("csv", "parquet"):
        raise NotFound(f"export.{quoted(kind)}: expected export.csv or export.parquet")
    rows = rooms.export(key)
    body, media = (
        (to_csv(rows), "text/csv; charset=utf-8")
        if kind == "csv"
        else (to_parquet(rows), "application/vnd.apache.parquet")
    )
    name = f"entente-room-{key}.{kind}"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/teach")
def teach_page() -> Response:
    return _page("teach.html")


@router.get("/teach/{code}")
def dashboard_page(code: str) -> Response:
    # the page alone shows nothing: its data comes from the routes that ask for the teacher's
    # token (a link followed from another site arrives without the SameSite=Strict cookie;
    # the page's own requests carry it)
    return _page("teach_room.html")


@router.get("/room")
@router.get("/join")
def join_page() -> Response:
    return _page("room.html")


@router.get("/room/{code}")
def room_page(code: str) -> Response:
    return _page("room.html")


def install(app: FastAPI) -> None:
    """Create the rooms' tables in the app's store, follow its games, and add the routes."""
    state = app.state
    state.rooms = Rooms(state.store, state.games, state.scenarios, state.hub.publish)
    app.include_router(router)
