"""Where the web app keeps what must survive a restart: uploads, games, seat tokens and moves.

`Store(path)` opens (or creates) one SQLite file in WAL mode. One connection is shared by every
thread behind a lock; each write is one transaction. A game is its settings (JSON) and its
moves in order, nothing more: its state is recomputed by replaying them (`web.game`).

API (all methods are thread-safe):
- `Store(path)`, `default_path()` (`$XDG_DATA_HOME/entente/web.sqlite3`, else
  `~/.local/share/entente/web.sqlite3`), `close()`.
- `script(sql)`: run a script of statements (another module creates its tables at start-up).
- `execute(sql, params)` / `query(sql, params)`: one statement in its own transaction / the
  rows of a query (for modules with tables of their own).
- uploads: `add_upload(name, files: dict[str, bytes]) -> id`, `upload(id) -> (name, files)`.
- games: `add_game(settings_json) -> id`, `game(id) -> (settings_json, finished)`,
  `set_finished(id, summary_json)`, `finished_summary(id)`, `games(limit)`.
- seats: `add_seat(game_id, seat) -> token` (a new token; the store keeps its digest),
  `seat_of(game_id, token) -> seat | None`.
- moves: `add_move(game_id, n, seat, action_json)`: refuses (`MoveConflict`) a move whose
  number `n` is taken, so two requests racing for one turn cannot both land;
  `moves(game_id) -> [(seat, action_json), ...]` in order.
- watches: `add_watch(scenario_ref, trace_jsonl, title) -> id`, `watch(id)`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from entente.errors import EntenteError, quoted
from entente.web.security import digest, new_token, same

SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS upload_files (
    upload TEXT NOT NULL REFERENCES uploads(id), name TEXT NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (upload, name));
CREATE TABLE IF NOT EXISTS games (
    id TEXT PRIMARY KEY, settings TEXT NOT NULL, created REAL NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0, summary TEXT);
CREATE TABLE IF NOT EXISTS seats (
    game TEXT NOT NULL REFERENCES games(id), seat TEXT NOT NULL, token TEXT NOT NULL,
    PRIMARY KEY (game, token));
CREATE TABLE IF NOT EXISTS moves (
    game TEXT NOT NULL REFERENCES games(id), n INTEGER NOT NULL, seat TEXT NOT NULL,
    action TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (game, n));
CREATE TABLE IF NOT EXISTS watches (
    id TEXT PRIMARY KEY, scenario TEXT NOT NULL, title TEXT NOT NULL, trace TEXT NOT NULL,
    created REAL NOT NULL);
"""


class MoveConflict(EntenteError):
    """A move for a turn another move already took (HTTP 409)."""


class NotFound(EntenteError):
    """No game, upload or watch of that id (HTTP 404)."""


def default_path() -> Path:
    """The database file in the user's data directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "entente" / "web.sqlite3"


def short_id() -> str:
    """A public id (12 URL-safe characters): names a game, not a seat; tokens guard seats."""
    return new_token()[:12]


class Store:
    """One SQLite database, shared by every request thread."""

    def __init__(self, path: str | Path) -> None:
        p = Path(path)
        if str(path) != ":memory:":
            if p.exists() and not p.is_file():
                raise EntenteError(
                    f"--db {quoted(str(path), 300)}: not a file; expected a file path"
                )
            for up in [p.parent, *p.parent.parents]:
                if up.exists() and not up.is_dir():
                    raise EntenteError(
                        f"--db {quoted(str(path), 300)}: {quoted(str(up), 300)} is a file, not a folder; "
                        "expected a path in a folder"
                    )
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise EntenteError(
                    f"--db {quoted(str(path), 300)}: cannot create its folder ({e.strerror})"
                ) from None
        try:
            self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as e:
            raise EntenteError(
                f"--db {quoted(str(path), 300)}: not a usable SQLite database ({e}); "
                "expected a new file or one this app wrote"
            ) from None
        self.path = str(path)
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self.db.close()

    # ----------------------------------------------------------------- general

    def script(self, sql: str) -> None:
        """Run several statements (CREATE TABLE IF NOT EXISTS ... for a module's own tables)."""
        with self.lock:
            self.db.executescript(sql)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """One statement in its own transaction; the number of rows it changed."""
        with self.lock:
            cur = self.db.execute(sql, tuple(params))
            return cur.rowcount

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self.lock:
            return list(self.db.execute(sql, tuple(params)).fetchall())

    def _transaction(self, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self.db.execute(sql, params)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    # ----------------------------------------------------------------- uploads

    def add_upload(self, name: str, files: dict[str, bytes]) -> str:
        uid = short_id()
        self._transaction(
            [("INSERT INTO uploads VALUES (?, ?, ?)", (uid, name, time.time()))]
            + [
                ("INSERT INTO upload_files VALUES (?, ?, ?)", (uid, fname, data))
                for fname, data in files.items()
            ]
        )
        return uid

    def upload(self, uid: str) -> tuple[str, dict[str, bytes]]:
        rows = self.query("SELECT name FROM uploads WHERE id = ?", (uid,))
        if not rows:
            raise NotFound(f"upload {quoted(uid)}: no such upload")
        files = self.query("SELECT name, data FROM upload_files WHERE upload = ?", (uid,))
        return str(rows[0][0]), {str(n): bytes(d) for n, d in files}

    # ----------------------------------------------------------------- games

    def add_game(self, settings: str) -> str:
        gid = short_id()
        self.execute(
            "INSERT INTO games (id, settings, created) VALUES (?, ?, ?)",
            (gid, settings, time.time()),
        )
        return gid

    def game(self, gid: str) -> tuple[str, bool]:
        """(settings JSON, finished) of a game."""
        rows = self.query("SELECT settings, finished FROM games WHERE id = ?", (gid,))
        if not rows:
            raise NotFound(f"game {quoted(gid)}: no such game")
        return str(rows[0][0]), bool(rows[0][1])

    def set_finished(self, gid: str, summary: dict[str, Any]) -> None:
        self.execute(
            "UPDATE games SET finished = 1, summary = ? WHERE id = ?",
            (json.dumps(summary, sort_keys=True), gid),
        )

    def finished_summary(self, gid: str) -> dict[str, Any] | None:
        rows = self.query("SELECT summary FROM games WHERE id = ? AND finished = 1", (gid,))
        return json.loads(rows[0][0]) if rows and rows[0][0] else None

    def games(self, limit: int = 100) -> list[tuple[str, str, bool]]:
        """(id, settings JSON, finished) of the latest games."""
        rows = self.query(
            "SELECT id, settings, finished FROM games ORDER BY created DESC LIMIT ?", (limit,)
        )
        return [(str(a), str(b), bool(c)) for a, b, c in rows]

    # ----------------------------------------------------------------- seats

    def add_seat(self, gid: str, seat: str) -> str:
        """A new token for `seat` of game `gid` (several tokens may hold one seat)."""
        token = new_token()
        self.execute("INSERT INTO seats VALUES (?, ?, ?)", (gid, seat, digest(token)))
        return token

    def seat_of(self, gid: str, token: str | None) -> str | None:
        """The seat `token` holds in game `gid`, or None."""
        if not token or len(token) > 100:
            return None
        d = digest(token)
        rows = self.query("SELECT seat, token FROM seats WHERE game = ? AND token = ?", (gid, d))
        return str(rows[0][0]) if rows and same(rows[0][1], d) else None

    # ----------------------------------------------------------------- moves

    def add_move(self, gid: str, n: int, seat: str, action: dict[str, Any]) -> None:
        try:
            self.execute(
                "INSERT INTO moves VALUES (?, ?, ?, ?, ?)",
                (gid, n, seat, json.dumps(action, sort_keys=True), time.time()),
            )
        except sqlite3.IntegrityError:
            raise MoveConflict(
                f"game {quoted(gid)}: move {n + 1} was already made; reload the game"
            ) from None

    def moves(self, gid: str) -> list[tuple[str, dict[str, Any]]]:
        rows = self.query("SELECT seat, action FROM moves WHERE game = ? ORDER BY n", (gid,))
        return [(str(s), json.loads(a)) for s, a in rows]

    # ----------------------------------------------------------------- watches

    def add_watch(self, scenario: str, trace: str, title: str) -> str:
        wid = short_id()
        self.execute(
            "INSERT INTO watches VALUES (?, ?, ?, ?, ?)", (wid, scenario, title, trace, time.time())
        )
        return wid

    def watch(self, wid: str) -> tuple[str, str, str]:
        """(scenario reference, title, trace JSON lines) of a stored replay."""
        rows = self.query("SELECT scenario, title, trace FROM watches WHERE id = ?", (wid,))
        if not rows:
            raise NotFound(f"replay {quoted(wid)}: no such replay")
        return str(rows[0][0]), str(rows[0][1]), str(rows[0][2])
