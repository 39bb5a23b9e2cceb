"""The FastAPI application: `create_app(db_path) -> FastAPI`.

What it holds, on `app.state` (for routers of other modules, through `request.app.state`):
`store` (`web.store.Store`), `scenarios` (`web.scenarios.Scenarios`), `games`
(`web.game.Games`), `hub` (`web.events.Hub`). Helpers for routers: `seat_for(request, gid)`
(the seat the request's cookie holds in game `gid`, or `Forbidden`), `page(name)` (a static
HTML page with the security headers).

Errors: every `EntenteError` becomes a JSON answer {"error": message} with status 400 (404
`NotFound`, 403 `Forbidden`, 409 `Conflict`/`MoveConflict`, 413 `UploadError`); a request that
does not fit the schema, 422 with one line; anything unexpected, 500 {"error": "internal
error"} with no traceback.

Routes (JSON under /api):
- GET /api/catalog: built-in scenarios, protocols, party and mediator strategies.
- GET /api/scenarios/{ref}: a scenario's parties, mediators, issues and options, defaults.
- POST /api/uploads (multipart `files`): a TOML, GENIUS or GeniusWeb scenario -> {"scenario": ref}.
- POST /api/games {"settings": Settings}: exactly one human seat; sets that seat's cookie.
- GET /api/games/{id}: the state for the cookie's seat; POST /api/games/{id}/act (an action);
  POST /api/games/{id}/utility {"outcome": ...}; GET /api/games/{id}/figures;
  GET /api/games/{id}/debrief?agent=SPEC (after the end).
- GET /api/events/{channel}: server-sent events (`game:{id}`, `room:{code}`).
- POST /api/watch (JSON: scenario, protocol, strategies, deadline, seed; or multipart: scenario
  and a trace file) -> {"id"}; GET /api/watch/{id}; GET /api/watch/{id}/figures?round=N.
- Pages: / (set up a game), /play/{id}, /debrief/{id}, /watch, /watch/{id};
  /static/vega.js (Vega, Vega-Lite and Vega-Embed from entente.report, served from here).
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from entente import registry
from entente.errors import EntenteError, quoted
from entente.web import figures
from entente.web.debrief import debrief
from entente.web.events import Hub, valid_channel
from entente.web.game import Conflict, Games, Settings, scenario_json
from entente.web.scenarios import Scenarios
from entente.web.security import (
    MAX_FILES,
    MAX_UPLOAD,
    PAGE_HEADERS,
    Forbidden,
    UploadError,
    read_upload,
    seat_cookie,
    set_seat_cookie,
)
from entente.web.store import MoveConflict, NotFound, Store
from entente.web.watch import read_trace, run_trace, steps, upto

log = logging.getLogger("entente.web")

STATIC = Path(str(resources.files("entente") / "web" / "static"))
MAX_JSON = 64 * 1024
"""Largest JSON body accepted (settings, an action)."""

STATUS: list[tuple[type[EntenteError], int]] = [
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (MoveConflict, 409),
    (UploadError, 413),
]


def error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def seat_for(request: Request, gid: str) -> str:
    """The seat the request's cookie holds in game `gid` (`Forbidden` without one)."""
    store: Store = request.app.state.store
    store.game(gid)  # NotFound first: a missing game is 404, not 403
    seat = store.seat_of(gid, seat_cookie(request, gid))
    if seat is None:
        raise Forbidden(f"game {quoted(gid)}: this browser holds no seat in it")
    return seat


def page(name: str) -> Response:
    """A static page with the security headers."""
    return FileResponse(STATIC / name, media_type="text/html", headers=PAGE_HEADERS)


async def body_json(request: Request) -> Any:
    """The request's JSON body, bounded in size; a mistake is one line."""
    raw = await request.body()
    if len(raw) > MAX_JSON:
        raise UploadError(f"request body over {MAX_JSON // 1024} KiB")
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise EntenteError("request body: not JSON") from None


def create_app(db_path: str | Path) -> FastAPI:
    """The web app over the SQLite database at `db_path` (created when missing)."""
    app = FastAPI(title="entente", docs_url=None, redoc_url=None, openapi_url=None)
    store = Store(db_path)
    hub = Hub()
    scenarios = Scenarios(store)
    games = Games(store, scenarios, hub.publish)
    app.state.store = store
    app.state.hub = hub
    app.state.scenarios = scenarios
    app.state.games = games

    @app.exception_handler(EntenteError)
    async def entente_error(request: Request, exc: EntenteError) -> JSONResponse:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 400)
        return error(str(exc), status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = exc.errors()
        first = errs[0] if errs else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return error(f"{where}: {first.get('msg', 'invalid')}", 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error(str(exc.detail), exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s: %s: %s", request.url.path, type(exc).__name__, exc)
        return error("internal error", 500)

    # ------------------------------------------------------------ catalog and scenarios

    @app.get("/api/catalog")
    def catalog() -> dict[str, Any]:
        return {
            "scenarios": [
                {"ref": n, "title": scenarios.get(n).title or n} for n in scenarios.builtins()
            ],
            "protocols": [
                {
                    "name": n,
                    "description": registry.DESCRIPTIONS.get(n, ""),
                    "mediated": bool(registry.protocol(n).mediated),
                }
                for n in registry.PROTOCOLS
            ],
            "strategies": registry.strategy_names(mediator=False),
            "mediators": registry.strategy_names(mediator=True),
        }

    @app.get("/api/scenarios/{ref}")
    def scenario(ref: str) -> dict[str, Any]:
        return {"ref": ref, **scenario_json(scenarios.get(ref))}

    @app.post("/api/uploads")
    async def upload(files: list[UploadFile] = File(...)) -> dict[str, Any]:  # noqa: B008
        if len(files) > MAX_FILES:
            raise UploadError(f"upload: {len(files)} files; expected at most {MAX_FILES}")
        got = {}
        for f in files:
            name = f.filename or "upload"
            got[name] = await read_upload(f, name, MAX_UPLOAD)
        ref = scenarios.add(got)
        return {"scenario": ref, **scenario_json(scenarios.get(ref))}

    # ------------------------------------------------------------ games

    @app.post("/api/games")
    async def new_game(request: Request) -> JSONResponse:
        data = await body_json(request)
        if not isinstance(data, dict) or "settings" not in data:
            raise EntenteError('request body: expected {"settings": {...}}')
        settings = Settings.parse(data["settings"])
        humans = settings.humans
        if len(humans) != 1:
            raise EntenteError(
                f"settings: seats: {len(humans)} human seats; expected exactly one (yours)"
            )
        gid, tokens = games.create(settings, humans)
        resp = JSONResponse({"id": gid, "seat": humans[0], "url": f"/play/{gid}"})
        set_seat_cookie(resp, gid, tokens[humans[0]])
        return resp

    @app.get("/api/games/{gid}")
    def game_state(gid: str, request: Request) -> dict[str, Any]:
        seat = seat_for(request, gid)
        g = games.get(gid)
        return {"id": gid, "scenario": g.scenario_json(), **g.state(seat)}

    @app.post("/api/games/{gid}/act")
    async def act(gid: str, request: Request) -> dict[str, Any]:
        seat = seat_for(request, gid)
        data = await body_json(request)
        from starlette.concurrency import run_in_threadpool

        g = await run_in_threadpool(games.act, gid, seat, data)
        return {"id": gid, "scenario": g.scenario_json(), **g.state(seat)}

    @app.post("/api/games/{gid}/utility")
    async def utility(gid: str, request: Request) -> dict[str, Any]:
        seat = seat_for(request, gid)
        data = await body_json(request)
        if not isinstance(data, dict):
            raise EntenteError('request body: expected {"outcome": {issue id: option id}}')
        return games.get(gid).utility(seat, data.get("outcome"))

    @app.get("/api/games/{gid}/figures")
    def live_figures(gid: str, request: Request) -> dict[str, Any]:
        seat = seat_for(request, gid)
        return figures.live(games.get(gid), seat, gid)

    @app.get("/api/games/{gid}/debrief")
    def game_debrief(gid: str, request: Request, agent: str | None = None) -> dict[str, Any]:
        seat = seat_for(request, gid)
        g = games.get(gid)
        out = debrief(g, seat, agent)
        out["figures"] = figures.debrief(g, seat, gid)
        out["id"] = gid
        return out

    # ------------------------------------------------------------ events

    @app.get("/api/events/{channel}")
    async def events(channel: str) -> Response:
        if not valid_channel(channel):
            raise EntenteError(
                f"channel {quoted(channel)}: expected game:ID, room:CODE or watch:ID"
            )
        if hub.full():
            return error("too many open event streams; try again later", 503)
        return StreamingResponse(
            hub.stream(channel),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    # ------------------------------------------------------------ watch

    @app.post("/api/watch")
    async def new_watch(request: Request) -> dict[str, Any]:
        kind = request.headers.get("content-type", "")
        if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            return await _watch_trace(request)
        data = await body_json(request)
        if not isinstance(data, dict):
            raise EntenteError('request body: expected {"scenario": ..., "strategies": ...}')
        s = Settings.parse(
            {k: v for k, v in data.items() if k != "strategies"}
            | {"seats": data.get("strategies") or {}}
        )
        sc = scenarios.get(s.scenario)
        given = dict(s.seats)
        if s.mediator:
            given["mediator"] = s.mediator
        trace = run_trace(sc, s.protocol, given, s.deadline, s.seed)
        wid = store.add_watch(s.scenario, trace, sc.title or sc.id)
        return {"id": wid, "url": f"/watch/{wid}"}

    async def _watch_trace(request: Request) -> dict[str, Any]:
        async with request.form(max_files=2, max_fields=4) as form:
            ref = form.get("scenario")
            trace = form.get("trace")
            if not isinstance(ref, str) or not ref:
                raise EntenteError("scenario: expected a built-in name or an upload's reference")
            if trace is None or isinstance(trace, str):
                raise EntenteError("trace: expected a trace file (JSON lines, entente run --trace)")
            raw = await read_upload(trace, trace.filename or "trace", MAX_UPLOAD)
        sc = scenarios.get(ref)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise EntenteError("trace: not UTF-8 text") from None
        read_trace(sc, text)  # refuse a trace that does not fit the scenario now
        wid = store.add_watch(ref, text, sc.title or sc.id)
        return {"id": wid, "url": f"/watch/{wid}"}

    def _watched(wid: str) -> tuple[Any, Any]:
        ref, _, text = store.watch(wid)
        sc = scenarios.get(ref)
        return sc, read_trace(sc, text)

    @app.get("/api/watch/{wid}")
    def watch(wid: str) -> dict[str, Any]:
        sc, r = _watched(wid)
        return {
            "id": wid,
            "scenario": scenario_json(sc),
            "rounds": steps(r),
            "agreement": None if r.agreement is None else sc.space.labels(r.agreement),
            "moves": [
                {
                    "round": m.round + 1,
                    "actor": (sc.parties[m.actor].name or sc.parties[m.actor].id)
                    if m.actor < len(sc.parties)
                    else "mediator",
                    "type": type(m.action).__name__.lower(),
                }
                for m in r.moves
            ],
        }

    @app.get("/api/watch/{wid}/figures")
    def watch_figures(wid: str, round: int = 0) -> dict[str, Any]:
        sc, r = _watched(wid)
        n = max(0, min(round, steps(r)))
        part = upto(sc, r, n)
        return {
            "round": n,
            "rounds": steps(r),
            **figures.replay(sc, part, (0, 1), ("watch", wid, n)),
        }

    # ------------------------------------------------------------ pages and static files

    @app.get("/static/vega.js")
    def vega() -> Response:
        from entente.report.export import javascript

        return Response(
            javascript(),
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if not name.replace(".", "").replace("_", "").replace("-", "").isalnum():
            raise NotFound(f"static file {quoted(name)}: no such file")
        f = STATIC / name
        if not f.is_file() or f.suffix not in (".js", ".css", ".png", ".svg"):
            raise NotFound(f"static file {quoted(name)}: no such file")
        types = {
            ".js": "text/javascript",
            ".css": "text/css",
            ".png": "image/png",
            ".svg": "image/svg+xml",
        }
        return FileResponse(f, media_type=types[f.suffix])

    @app.get("/")
    def home() -> Response:
        return page("index.html")

    @app.get("/play/{gid}")
    def play_page(gid: str) -> Response:
        return page("play.html")

    @app.get("/debrief/{gid}")
    def debrief_page(gid: str) -> Response:
        return page("debrief.html")

    @app.get("/watch")
    def watch_home() -> Response:
        return page("watch.html")

    @app.get("/watch/{wid}")
    def watch_page(wid: str) -> Response:
        return page("watch.html")

    from entente.web import routes_rooms  # rooms: teach with a class

    routes_rooms.install(app)
    return app
