"""Load on the web app: many concurrent games in one room, over loopback only.

    .venv/bin/python benchmarks/bench_web_load.py                      # 100 student pairs
    .venv/bin/python benchmarks/bench_web_load.py --mode agents        # 100 students vs agents
    .venv/bin/python benchmarks/bench_web_load.py --games 20 --moves 6 --think 0.2

The app (`create_app`, as `entente serve` builds it, under uvicorn) runs in a child process on
127.0.0.1 (a free port) over a fresh SQLite file; each answer carries the time spent in the app
(a `Server-Timing` header the benchmark adds), so the report splits each move's time into the
app's part and the rest (HTTP, scheduling, this client). A
teacher opens a room on Portsmouth; students join it (`pairs`: two per table, who play each
other under alternating offers; `agents`: one per table, against the scenario's agents under its
own protocol). Every table then plays at once: each student thinks for a random time (uniform
on 0 to 2 x `--think` seconds, seeded) before each move, makes `--moves` moves in all per table
(offers of outcomes drawn from the table's own generator, or objections, and an acceptance at
the end), and the time of each move's request, from sending to the answer, is recorded. In
`pairs`, the other student's page listens to the game's events (server-sent events, as the play
page does): the time from sending a move to the other side's event is recorded too. The
teacher's dashboard follows the room as its page does (on each of the room's events, every table
fetched again, at most every 400 ms), unless `--no-dashboard`.

Afterwards the run checks, table by table, that the moves the store holds are the moves sent,
in order (none lost, none crossed between tables), and that the room's export (the trace the
engine replays from the store) holds the same moves. Bounded: at most 200 tables, 60 moves a
table, and `--time-limit` seconds in all (default 300).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HOST = "127.0.0.1"
MAX_GAMES = 200
MAX_MOVES = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def timed(app: Any) -> Any:
    """The app, each answer carrying `Server-Timing: app;dur=MS`: the time from the request
    reaching the app to its answer starting (the HTTP parsing and the wait for the process to
    be scheduled are outside it)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        t0 = time.perf_counter()

        async def stamped(message: Any) -> None:
            if message["type"] == "http.response.start":
                ms = f"app;dur={(time.perf_counter() - t0) * 1000:.3f}".encode()
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"server-timing", ms)],
                }
            await send(message)

        await app(scope, receive, stamped)

    return wrapped


def serve(db: str, port: int) -> None:
    """The child process: the app over `db`, as `entente serve` runs it, timed."""
    import uvicorn

    from entente.web.app import create_app

    uvicorn.run(timed(create_app(db)), host=HOST, port=port, log_level="warning", access_log=False)


def start_server(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(db), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server did not start: " + (proc.stderr.read() or b"").decode())
        try:
            if httpx.get(base + "/api/catalog", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not answer within 60 s")


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process has used so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))] if s else float("nan")


class Table:
    """One game as the load sees it: its students' clients by seat, the moves sent."""

    def __init__(self, gid: str, clients: dict[str, httpx.AsyncClient], seed: int) -> None:
        self.gid = gid
        self.clients = clients
        self.rng = random.Random(seed)
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.sent_at: dict[int, float] = {}
        self.heard: dict[int, float] = {}
        self.finished = False


def action(table: Table, state: dict[str, Any], k: int, moves: int) -> dict[str, Any]:
    """The k-th move of a table: an offer (or objections) until the last, which accepts."""
    legal = state["legal"]
    issues = state["scenario"]["issues"]
    if k >= moves - 1 and "accept" in legal and state["table"]:
        return {"type": "accept"}
    if "offer" in legal:
        outcome = {i["id"]: table.rng.choice(i["options"])["id"] for i in issues}
        return {"type": "offer", "outcome": outcome}
    if "reject" in legal:
        return {"type": "reject", "issues": [table.rng.choice(issues)["id"]]}
    if "accept" in legal:
        return {"type": "accept"}
    return {"type": legal[0]}


async def dashboard(
    teacher: httpx.AsyncClient, code: str, every: float, fetches: list[float]
) -> None:
    """The teacher's dashboard page: on the room's events, fetch every table's state again, at
    most once in `every` seconds, as the page does."""
    stale = asyncio.Event()

    async def events() -> None:
        async with teacher.stream("GET", f"/api/events/room:{code}", timeout=None) as r:
            async for line in r.aiter_lines():
                if line.startswith("data: "):
                    stale.set()

    task = asyncio.create_task(events())
    try:
        while True:
            await stale.wait()
            stale.clear()
            t0 = time.perf_counter()
            r = await teacher.get(f"/api/rooms/{code}/dashboard")
            r.raise_for_status()
            fetches.append(time.perf_counter() - t0)
            await asyncio.sleep(every)
    except (httpx.HTTPError, RuntimeError):
        return
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError, RuntimeError):
            await task


async def listen(table: Table, client: httpx.AsyncClient, ready: asyncio.Event) -> None:
    """The other student's page: note when each move's event arrives."""
    try:
        async with client.stream("GET", f"/api/events/game:{table.gid}", timeout=None) as r:
            async for line in r.aiter_lines():
                if not line.startswith("data: "):
                    continue
                ev = json.loads(line[6:])
                if ev.get("type") == "hello":
                    ready.set()
                elif ev.get("type") == "move":
                    table.heard[int(ev["n"])] = time.perf_counter()
    except (httpx.HTTPError, RuntimeError):  # the table is done and its client closed
        return


async def play(
    table: Table,
    moves: int,
    think: float,
    latencies: list[float],
    inside: list[float],
    listening: bool,
) -> None:
    seats = list(table.clients)
    first = table.clients[seats[0]]
    state = (await first.get(f"/api/games/{table.gid}")).json()
    tasks = []
    if listening:
        ready = asyncio.Event()
        tasks.append(asyncio.create_task(listen(table, table.clients[seats[-1]], ready)))
        await asyncio.wait_for(ready.wait(), 30)
    try:
        for k in range(moves):
            if state["finished"]:
                break
            seat = state["turn"]
            client = table.clients[seat]
            if state["seat"] != seat:
                state = (await client.get(f"/api/games/{table.gid}")).json()
            await asyncio.sleep(table.rng.uniform(0, 2 * think))
            act = action(table, state, k, moves)
            t0 = time.perf_counter()
            r = await client.post(f"/api/games/{table.gid}/act", json=act)
            latencies.append(time.perf_counter() - t0)
            timing = r.headers.get("server-timing", "")
            if timing.startswith("app;dur="):
                inside.append(float(timing[8:]) / 1000)
            if r.status_code != 200:
                raise RuntimeError(f"table {table.gid}: {r.status_code} {r.text}")
            table.sent.append((seat, act))
            table.sent_at[len(table.sent)] = t0
            state = r.json()
        table.finished = bool(state["finished"])
        if listening:
            await asyncio.sleep(0.5)  # the last events in flight
    finally:
        for t in tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await t


async def run(args: argparse.Namespace, base: str, pid: int) -> dict[str, Any]:
    pairs = args.mode == "pairs"
    # idle connections are dropped before the server's keep-alive (5 s) can close them under a
    # request that is on its way
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=2.0)
    opened: list[httpx.AsyncClient] = []

    def new_client() -> httpx.AsyncClient:
        c = httpx.AsyncClient(base_url=base, limits=limits, timeout=60)
        opened.append(c)
        return c

    try:
        teacher = new_client()
        room = {
            "scenario": "portsmouth",
            "party": "russia",
            "opponent": "student" if pairs else "agent",
            "deadline": args.moves + 2,
            "seed": args.seed,
            "show_space": False,
        }
        if pairs:
            room["protocol"] = "alternating"
        r = await teacher.post("/api/rooms", json=room)
        r.raise_for_status()
        code = r.json()["code"]
        t0 = time.perf_counter()
        tables: list[Table] = []
        for n in range(args.games):
            clients = []
            for k in range(2 if pairs else 1):
                c = new_client()
                j = await c.post(f"/api/rooms/{code}/join", json={"name": f"student {n}.{k}"})
                j.raise_for_status()
                clients.append(c)
            seated = {}
            gid = ""
            for c in clients:
                me = (await c.get(f"/api/rooms/{code}/me")).json()
                seated[me["seat"]] = c
                gid = me["url"].rsplit("/", 1)[-1]
            tables.append(Table(gid, seated, args.seed * 100_003 + n))
        joined = time.perf_counter() - t0
        assert len({t.gid for t in tables}) == args.games, "two tables share a game"

        latencies: list[float] = []
        inside: list[float] = []
        cpu0 = server_cpu(pid)
        fetches: list[float] = []
        watching = (
            asyncio.create_task(dashboard(teacher, code, 0.4, fetches)) if args.dashboard else None
        )
        t0 = time.perf_counter()
        await asyncio.gather(
            *(play(t, args.moves, args.think, latencies, inside, pairs) for t in tables)
        )
        wall = time.perf_counter() - t0
        if watching is not None:
            watching.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watching
        export = await teacher.get(f"/api/rooms/{code}/export.csv")
        export.raise_for_status()
        names = {
            p["id"]: p["name"]
            for p in (await teacher.get("/api/scenarios/portsmouth")).json()["parties"]
        }
        return {
            "code": code,
            "tables": tables,
            "latencies": latencies,
            "inside": inside,
            "wall": wall,
            "joined": joined,
            "export": export.text,
            "names": names,
            "cpu0": cpu0,
            "fetches": fetches,
        }
    finally:
        for c in opened:
            await c.aclose()


def check(db: Path, out: dict[str, Any]) -> list[str]:
    """What went wrong: moves stored that were not sent, or in another order, or at another
    table; an export whose traces do not hold the moves."""
    from entente.web.store import Store

    problems = []
    store = Store(db)
    try:
        for t in out["tables"]:
            stored = store.moves(t.gid)
            if stored != t.sent:
                problems.append(f"game {t.gid}: stored {len(stored)} moves, sent {len(t.sent)}")
    finally:
        store.close()
    rows = {r["game"]: r for r in csv.DictReader(io.StringIO(out["export"]))}
    names = out["names"]
    for t in out["tables"]:
        row = rows.get(t.gid)
        if row is None:
            problems.append(f"game {t.gid}: not in the export")
            continue
        humans = set(t.clients) | {names[s] for s in t.clients}
        traced = [m for m in map(json.loads, row["trace"].splitlines()) if m["actor"] in humans]
        want = [a["type"] for _, a in t.sent]
        if [m["action"] for m in traced] != want:
            problems.append(f"game {t.gid}: the trace's moves are not those sent")
            continue
        for m, (_, a) in zip(traced, t.sent, strict=True):
            if a["type"] == "offer" and m["outcome"] != a["outcome"]:
                problems.append(f"game {t.gid}: an offer in the trace differs from the one sent")
                break
    return problems


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mode", choices=["pairs", "agents"], default="pairs")
    ap.add_argument("--games", type=int, default=100)
    ap.add_argument("--moves", type=int, default=10, help="moves per table (default 10)")
    ap.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean seconds a student thinks before a move (default 2)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--db-dir",
        default=None,
        help="folder for the SQLite file (default: the system's temporary folder; "
        "/dev/shm keeps the disk out of the figures)",
    )
    ap.add_argument(
        "--no-dashboard",
        dest="dashboard",
        action="store_false",
        help="no teacher's dashboard following the room (by default one does)",
    )
    ap.add_argument("--time-limit", type=float, default=300.0)
    args = ap.parse_args()
    if not 1 <= args.games <= MAX_GAMES or not 1 <= args.moves <= MAX_MOVES or args.think < 0:
        ap.error(f"expected 1 to {MAX_GAMES} games, 1 to {MAX_MOVES} moves, --think >= 0")
    with tempfile.TemporaryDirectory(dir=args.db_dir) as tmp:
        db = Path(tmp) / "load.sqlite3"
        proc, base = start_server(db)
        mine = time.process_time()
        try:
            out = asyncio.run(asyncio.wait_for(run(args, base, proc.pid), args.time_limit))
            cpu = server_cpu(proc.pid) - out["cpu0"]
            mine = time.process_time() - mine
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        problems = check(db, out)
    lat = [x * 1000 for x in out["latencies"]]
    heard = [
        (t.heard[n] - t.sent_at[n]) * 1000 for t in out["tables"] for n in t.sent_at if n in t.heard
    ]
    sent = sum(len(t.sent) for t in out["tables"])
    print(
        f"{args.games} tables ({args.mode}), {sent} moves in {out['wall']:.1f} s "
        f"({sent / out['wall']:.0f} moves/s), think time mean {args.think} s; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"server CPU: {cpu:.1f} s while the tables played, {cpu / max(sent, 1) * 1000:.1f} ms "
        "a move (the move, the other page's fetch and its event); "
        f"this load generator: {mine:.1f} s of CPU in all"
    )
    print(
        f"joining: {out['joined']:.1f} s for {sum(len(t.clients) for t in out['tables'])} "
        f"students; finished tables: {sum(t.finished for t in out['tables'])}"
    )
    print(
        f"move request: p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, "
        f"p99 {pct(lat, 99):.1f} ms, max {max(lat):.1f} ms, mean {statistics.fmean(lat):.1f} ms"
        f" (target p95 < 50 ms: {'met' if pct(lat, 95) < 50 else 'not met'})"
    )
    app = [x * 1000 for x in out["inside"]]
    if app:
        print(
            f"of which in the app: p50 {pct(app, 50):.1f} ms, p95 {pct(app, 95):.1f} ms, "
            f"max {max(app):.1f} ms (from the request reaching the app to its answer)"
        )
    dash = [x * 1000 for x in out["fetches"]]
    if dash:
        print(
            f"the teacher's dashboard: {len(dash)} fetches of every table, p50 "
            f"{pct(dash, 50):.1f} ms, p95 {pct(dash, 95):.1f} ms"
        )
    if heard:
        print(
            f"move to the other page's event: p50 {pct(heard, 50):.1f} ms, "
            f"p95 {pct(heard, 95):.1f} ms, max {max(heard):.1f} ms ({len(heard)} of {sent})"
        )
    if problems:
        print(f"{len(problems)} problem(s):", *problems[:20], sep="\n  ")
        raise SystemExit(1)
    print(
        f"stored moves and exported traces: all {len(out['tables'])} tables hold exactly "
        "the moves sent, in order"
    )


if __name__ == "__main__":
    main()
