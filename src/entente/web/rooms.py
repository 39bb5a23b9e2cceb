"""Rooms: a teacher opens one for a class, students join it with a short code and a display
name, and each plays a table (a game of `web.game`) against an agent or against another
student. The teacher's dashboard reads every table; at the end, every agreement on the
report's utility-space figure, the spread of outcomes per issue, and an export of all games.

Pure of HTTP: `routes_rooms` answers requests with what this module returns. Rooms, students
and their seats are rows of the web app's `Store` (tables created here, at start-up); a game's
moves live with the game, so a restart loses nothing.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from entente import registry
from entente.errors import EntenteError, quoted
from entente.negotiation.session import Result, trace_jsonl
from entente.scenario import Scenario
from entente.web.export import export_rows
from entente.web.game import HUMAN, Game, Games, Settings
from entente.web.scenarios import Scenarios
from entente.web.security import Forbidden, digest, new_token, same
from entente.web.store import NotFound, Store

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Join codes use letters and digits no one confuses when read aloud or off a board (no I, O,
0, 1): 32 symbols, so six of them make 2^30 codes."""
CODE_LENGTH = 6
NAME_LENGTH = 40
DENSITY = 10_000
"""Above this many outcomes the class's figure draws them as a density (the dashboard fetches
it again as tables finish; every outcome as a point would make it megabytes)."""
MAX_STUDENTS = 500
"""Students one room seats (a lecture hall's worth)."""
STUDENT = "student"
"""The opponent that pairs students with one another."""
AGENT = "agent"
"""The opponent that is each other party's own strategy, as the scenario names it."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    code TEXT PRIMARY KEY,
    teacher TEXT NOT NULL,
    settings TEXT NOT NULL,
    created REAL NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS room_students (
    room TEXT NOT NULL REFERENCES rooms(code),
    id INTEGER NOT NULL,
    name TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    joined REAL NOT NULL,
    game TEXT,
    seat TEXT,
    tab INTEGER,
    PRIMARY KEY (room, id)
);
CREATE INDEX IF NOT EXISTS room_students_game ON room_students(game);
"""
"""The rooms' tables. `teacher` and `token` hold digests of the tokens, never the tokens. A
student's seat is named by game and party; the game's own store hands out seat tokens (a
student who waited for a partner gets one when the page asks, with the student's token)."""


def new_code(rng: secrets.SystemRandom | None = None) -> str:
    """A fresh join code: `CODE_LENGTH` symbols of `ALPHABET`, drawn by the system's CSPRNG."""
    pick = rng.choice if rng is not None else secrets.choice
    return "".join(pick(ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str | None:
    """A code as typed (any case, spaces or dashes between groups) in its stored form, or None
    when it cannot be one."""
    code = "".join(ch for ch in text.upper() if ch not in " -")
    if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display_name(text: object) -> str:
    """A student's display name, cleaned: trimmed, inner runs of space made one, control
    characters refused. Kept as typed otherwise; every page shows it as text."""
    if not isinstance(text, str):
        raise EntenteError("name: expected a display name (text)")
    name = " ".join(text.split())
    if not name:
        raise EntenteError("name: expected a display name, at least one character")
    if len(name) > NAME_LENGTH:
        raise EntenteError(f"name {quoted(name)}: expected at most {NAME_LENGTH} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise EntenteError(f"name {quoted(name)}: expected no control or invisible characters")
    return name


class Attempts:
    """Failed guesses at join codes, per client: at most `limit` within `window` seconds.

    Only misses count, so students who type their code right are never held up, and a class
    behind one address (a school's network) can mistype 60 times a minute. A client trying codes
    gets 60 guesses a minute: with 100 rooms open, one hit in about 4 months on average.
    """

    def __init__(
        self, limit: int = 60, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failed: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str) -> deque[float]:
        now = self.clock()
        q = self._failed.setdefault(client, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, client: str) -> bool:
        """Whether the client has used its failed attempts for now."""
        with self._lock:
            return len(self._recent(client)) >= self.limit

    def failed(self, client: str) -> None:
        """Count one failed attempt (an unknown code)."""
        with self._lock:
            self._recent(client).append(self.clock())
            if len(self._failed) > 10_000:  # forget clients with nothing recent
                for key in [k for k, q in self._failed.items() if not q]:
                    del self._failed[key]


@dataclass(frozen=True)
class RoomSettings:
    """What a teacher chooses: the scenario, the party each student plays (`party`), who sits
    across (`opponent`: another student, `AGENT` for the scenario's own strategies, or a spec
    such as 'boulware(e=0.2)'), the party a paired student plays (`partner`, by default the
    first other party), the protocol and deadline (the scenario's by default), the seed every
    table plays with, and whether students see the full utility space."""

    scenario: str
    party: str
    opponent: str = STUDENT
    partner: str | None = None
    protocol: str | None = None
    deadline: int | None = None
    seed: int = 0
    show_space: bool = True
    title: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RoomSettings:
        return cls(**json.loads(text))

    def checked(self, scenario: Scenario) -> RoomSettings:
        """These settings with `partner` filled in, after every check a table would make:
        parties that exist, a spec the registry knows, a deadline of at least one round."""
        ids = [p.id for p in scenario.parties]
        if self.party not in ids:
            raise EntenteError(
                f"party {quoted(self.party)}: no such party; expected one of {', '.join(ids)}"
            )
        partner = self.partner
        if self.opponent == STUDENT:
            others = [i for i in ids if i != self.party]
            partner = partner or others[0]
            if partner not in others:
                raise EntenteError(
                    f"partner {quoted(partner)}: expected another party than {self.party}: "
                    + ", ".join(others)
                )
        elif partner is not None:
            raise EntenteError(
                f"partner {quoted(partner)}: only with opponent {STUDENT!r}, where students "
                "play one another"
            )
        elif self.opponent != AGENT:
            registry.strategy(self.opponent)  # a spec the registry refuses raises here
        if self.deadline is not None and not 1 <= self.deadline <= 1000:
            raise EntenteError(f"deadline {self.deadline}: expected 1 to 1000 rounds")
        if not 0 <= self.seed < 2**31:
            raise EntenteError(f"seed {self.seed}: expected a whole number from 0 to 2^31 - 1")
        if len(self.title) > 120:
            raise EntenteError("title: expected at most 120 characters")
        return RoomSettings(**{**asdict(self), "partner": partner})

    def game(self, scenario: Scenario, humans: int) -> Settings:
        """The settings of one table with `humans` students (1, or 2 for a pair): the students'
        seats human, the other parties the room's opponent (their scenario strategy for
        `AGENT`, and for parties a pair leaves free)."""
        seats: dict[str, str] = {}
        for p in scenario.parties:
            if p.id == self.party or (humans == 2 and p.id == self.partner):
                seats[p.id] = HUMAN
            elif self.opponent not in (STUDENT, AGENT):
                seats[p.id] = self.opponent
        return Settings(
            scenario=self.scenario,
            protocol=self.protocol,
            deadline=self.deadline,
            seed=self.seed,
            seats=seats,
            show_space=self.show_space,
        )


@dataclass(frozen=True)
class Student:
    """A student of a room: display name, and the table and seat once seated."""

    id: int
    name: str
    game: str | None
    seat: str | None
    table: int | None

    def json(self, code: str) -> dict[str, Any]:
        return {
            "room": code,
            "name": self.name,
            "status": "waiting" if self.game is None else "playing",
            "table": self.table,
            "seat": self.seat,
            "url": None if self.game is None else f"/play/{self.game}",
        }


def spread(
    scenario: Scenario, agreements: list[tuple[int, ...]], games: int
) -> list[dict[str, Any]]:
    """Per issue, how many tables agreed on each option (in the scenario's order of options),
    and how many tables reached no agreement."""
    out = []
    for k, issue in enumerate(scenario.space.issues):
        counts = [0] * len(issue.options)
        for o in agreements:
            counts[o[k]] += 1
        names = issue.labels or issue.options
        out.append(
            {
                "issue": issue.id,
                "name": getattr(issue, "name", None) or issue.id,
                "options": [
                    {"option": opt, "label": lab, "count": c}
                    for opt, lab, c in zip(issue.options, names, counts, strict=True)
                ],
                "no_agreement": games - len(agreements),
            }
        )
    return out


_STUDENT_COLUMNS = "id, name, game, seat, tab"


def _student(row: tuple[Any, ...]) -> Student:
    i, name, game, seat, tab = row
    return Student(int(i), str(name), game, seat, None if tab is None else int(tab))


def _tables(students: list[Student]) -> list[tuple[int, str, dict[str, str]]]:
    out: dict[int, tuple[str, dict[str, str]]] = {}
    for s in students:
        if s.game is not None and s.table is not None and s.seat is not None:
            out.setdefault(s.table, (s.game, {}))[1][s.seat] = s.name
    return [(t, g, names) for t, (g, names) in sorted(out.items())]


class Rooms:
    """The rooms of a store. Joining and pairing hold one lock, so two students who join at
    once never take one seat, and a waiting student is paired exactly once."""

    def __init__(
        self,
        store: Store,
        games: Games,
        scenarios: Scenarios,
        publish: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> None:
        self.store = store
        self.games = games
        self.scenarios = scenarios
        self.publish = publish
        self.attempts = Attempts()
        store.script(SCHEMA)
        self._lock = threading.Lock()
        self._room_of: dict[str, str | None] = {}
        self._debrief: tuple[Any, dict[str, Any]] = (None, {})
        """The last debrief made, by room and finished games: the figure takes a second."""
        games.listeners.append(self._moved)

    # ------------------------------------------------------------ rooms

    def open(self, settings: RoomSettings) -> tuple[str, str]:
        """A new room: (join code, the teacher's token). Checks the settings by building a
        table of them first."""
        sc = self.scenarios.get(settings.scenario)
        settings = settings.checked(sc)
        humans = 2 if settings.opponent == STUDENT else 1
        Game(settings.game(sc, humans), sc)  # refuses a protocol or spec that cannot play
        if humans == 2:
            Game(settings.game(sc, 1), sc)  # the odd one out's table, seated with an agent
        token = new_token()
        for _ in range(20):
            code = new_code()
            try:
                self.store.execute(
                    "INSERT INTO rooms (code, teacher, settings, created) VALUES (?, ?, ?, ?)",
                    (code, digest(token), settings.to_json(), time.time()),
                )
            except sqlite3.IntegrityError:  # taken: draw again
                continue
            return code, token
        raise EntenteError("no free join code after 20 draws")  # pragma: no cover

    def find(self, code: str) -> tuple[RoomSettings, bool]:
        """(settings, closed) of a room; `NotFound` for a code that names none."""
        key = normal_code(code)
        rows = (
            self.store.query("SELECT settings, closed FROM rooms WHERE code = ?", (key,))
            if key
            else []
        )
        if not rows:
            raise NotFound(f"room {quoted(code)}: no such room; check the code")
        return RoomSettings.from_json(rows[0][0]), bool(rows[0][1])

    def is_teacher(self, code: str, token: str | None) -> bool:
        if not token or len(token) > 100:
            return False
        rows = self.store.query("SELECT teacher FROM rooms WHERE code = ?", (code,))
        return bool(rows) and same(str(rows[0][0]), digest(token))

    def teacher(self, code: str, token: str | None) -> RoomSettings:
        """The room's settings, for its teacher only (`Forbidden` for anyone else)."""
        settings, _ = self.find(code)
        if not self.is_teacher(code, token):
            raise Forbidden(f"room {code}: only the teacher who opened it sees this")
        return settings

    def close(self, code: str) -> None:
        """No one joins any more (tables already seated play on)."""
        self.store.execute("UPDATE rooms SET closed = 1 WHERE code = ?", (code,))
        self._tell(code, {"type": "closed"})

    # ------------------------------------------------------------ students

    def join(self, code: str, name: object) -> tuple[str, Student]:
        """Seat a new student: (the student's token, the student). Against agents, a table at
        once; with students as opponents, the first one waiting is paired with this one, or
        this one waits."""
        settings, closed = self.find(code)
        if closed:
            raise EntenteError(f"room {code} is closed; ask the teacher")
        clean = display_name(name)
        token = new_token()
        with self._lock:
            rows = self.store.query(
                "SELECT COALESCE(MAX(id), 0), COUNT(*) FROM room_students WHERE room = ?", (code,)
            )
            last, count = int(rows[0][0]), int(rows[0][1])
            if count >= MAX_STUDENTS:
                raise EntenteError(f"room {code} is full ({MAX_STUDENTS} students)")
            sid = last + 1
            self.store.execute(
                "INSERT INTO room_students (room, id, name, token, joined) VALUES (?, ?, ?, ?, ?)",
                (code, sid, clean, digest(token), time.time()),
            )
            if settings.opponent != STUDENT:
                self._seat(code, settings, [sid])
            else:
                waiting = self.store.query(
                    "SELECT id FROM room_students WHERE room = ? AND game IS NULL AND id < ? "
                    "ORDER BY id LIMIT 1",
                    (code, sid),
                )
                if waiting:
                    self._seat(code, settings, [int(waiting[0][0]), sid])
        self._tell(code, {"type": "joined"})
        me = self.student(code, token)
        assert me is not None
        return token, me

    def _seat(self, code: str, settings: RoomSettings, ids: list[int]) -> int:
        """A new table for these students (one, or a pair: the first plays `party`, the second
        `partner`); its number."""
        sc = self.scenarios.get(settings.scenario)
        gid, _ = self.games.create(settings.game(sc, len(ids)))
        rows = self.store.query(
            "SELECT COALESCE(MAX(tab), 0) FROM room_students WHERE room = ?", (code,)
        )
        table = int(rows[0][0]) + 1
        seats = [settings.party, settings.partner]
        for sid, seat in zip(ids, seats, strict=False):
            self.store.execute(
                "UPDATE room_students SET game = ?, seat = ?, tab = ? WHERE room = ? AND id = ?",
                (gid, seat, table, code, sid),
            )
        self._room_of[gid] = code
        return table

    def fill(self, code: str) -> int:
        """Seat every student still waiting for a partner at a table of their own, against
        the scenario's agents; how many were seated."""
        settings, _ = self.find(code)
        with self._lock:
            waiting = self.store.query(
                "SELECT id FROM room_students WHERE room = ? AND game IS NULL ORDER BY id",
                (code,),
            )
            agent = RoomSettings(**{**asdict(settings), "opponent": AGENT, "partner": None})
            for (sid,) in waiting:
                self._seat(code, agent, [int(sid)])
        if waiting:
            self._tell(code, {"type": "seated"})
        return len(waiting)

    def student(self, code: str, token: str | None) -> Student | None:
        """The student whose token this is, in this room."""
        if not token or len(token) > 100:
            return None
        rows = self.store.query(
            f"SELECT {_STUDENT_COLUMNS}, token FROM room_students WHERE room = ? AND token = ?",
            (code, digest(token)),
        )
        if not rows or not same(str(rows[0][-1]), digest(token)):
            return None
        return _student(rows[0][:-1])

    def students(self, code: str) -> list[Student]:
        rows = self.store.query(
            f"SELECT {_STUDENT_COLUMNS} FROM room_students WHERE room = ? ORDER BY id", (code,)
        )
        return [_student(r) for r in rows]

    def seat_token(self, student: Student) -> str:
        """A new token for the student's seat (the game's store keeps its digest)."""
        assert student.game is not None and student.seat is not None
        return self.store.add_seat(student.game, student.seat)

    # ------------------------------------------------------------ live

    def room_of(self, gid: str) -> str | None:
        if gid not in self._room_of:
            rows = self.store.query("SELECT room FROM room_students WHERE game = ? LIMIT 1", (gid,))
            self._room_of[gid] = str(rows[0][0]) if rows else None
            if len(self._room_of) > 100_000:
                self._room_of.clear()
        return self._room_of[gid]

    def _moved(self, gid: str, game: Game) -> None:
        code = self.room_of(gid)
        if code is not None:
            self._tell(code, {"type": "move", "finished": game.result() is not None})

    def _tell(self, code: str, event: dict[str, Any]) -> None:
        if self.publish is not None:
            self.publish(f"room:{code}", event)

    # ------------------------------------------------------------ what the teacher sees

    def tables(self, code: str) -> list[tuple[int, str, dict[str, str]]]:
        """(table number, game id, {party: student name}) of every table, in order."""
        return _tables(self.students(code))

    def dashboard(self, code: str) -> dict[str, Any]:
        """Every table as it stands: the students, the round, whose move, the text on the
        table with every party's utility, and the end; and who waits for a partner."""
        settings, closed = self.find(code)
        sc = self.scenarios.get(settings.scenario)
        parties = [p.id for p in sc.parties]
        names = {p.id: p.name or p.id for p in sc.parties}
        students = self.students(code)
        tables = []
        on_table: list[tuple[int, ...]] = []
        for number, gid, players in _tables(students):
            g = self.games.get(gid)
            res = g.result()
            st = g.provisional().state
            turn = g.turn()
            row: dict[str, Any] = {
                "table": number,
                "players": [
                    {"party": p, "party_name": names[p], "name": players[p]}
                    for p in parties
                    if p in players
                ],
                "round": min(st.round + 1, st.deadline),
                "deadline": st.deadline,
                "moves": len(g.moves),
                "turn": None if turn is None else names[turn],
                "finished": res is not None,
                "table_utilities": None if st.table is None else len(on_table),
                "agreement": None,
                "utilities": None,
            }
            if st.table is not None:
                on_table.append(st.table)
            if res is not None:
                row["agreement"] = None if res.agreement is None else sc.space.labels(res.agreement)
                row["utilities"] = {
                    names[p]: round(float(u), 3)
                    for p, u in zip(parties, res.utilities, strict=True)
                }
            tables.append(row)
        if on_table:  # every table's text at once, one array per party
            o = np.asarray(on_table, dtype=np.int64)
            u = np.stack([p.utility(o) for p in sc.prefs], axis=1).round(3).tolist()
            for row in tables:
                if row["table_utilities"] is not None:
                    got = u[row["table_utilities"]]
                    row["table_utilities"] = {names[p]: got[i] for i, p in enumerate(parties)}
        waiting = [s.name for s in students if s.game is None]
        return {
            "code": code,
            "title": settings.title or sc.title or sc.id,
            "scenario": sc.title or sc.id,
            "party": names[settings.party],
            "opponent": settings.opponent,
            "partner": None if settings.partner is None else names[settings.partner],
            "closed": closed,
            "waiting": waiting,
            "tables": tables,
            "finished": sum(1 for t in tables if t["finished"]),
        }

    def debrief(self, code: str) -> dict[str, Any]:
        """Every agreement on the report's utility-space figure (the students' party against
        the party across), the spread of agreed options per issue, and the mean utility each
        party got, over finished tables."""
        settings, _ = self.find(code)
        sc = self.scenarios.get(settings.scenario)
        finished = []
        for _, gid, _ in self.tables(code):
            r = self.games.get(gid).result()
            if r is not None:
                finished.append((gid, r))
        key = (code, tuple(g for g, _ in finished))
        with self._lock:
            if self._debrief[0] == key:
                return self._debrief[1]
        out = self._debriefed(code, settings, sc, [r for _, r in finished])
        with self._lock:
            self._debrief = (key, out)
        return out

    def _debriefed(
        self, code: str, settings: RoomSettings, sc: Scenario, finished: list[Result]
    ) -> dict[str, Any]:
        from entente.report import utility_space
        from entente.report.export import spec

        parties = [p.id for p in sc.parties]
        agreements = [r.agreement for r in finished if r.agreement is not None]
        me = parties.index(settings.party)
        other = parties.index(settings.partner) if settings.partner else (1 if me == 0 else 0)
        figure = None
        if len(parties) >= 2:
            figure = spec(
                utility_space(sc, None, pair=(me, other), max_points=DENSITY, agreements=agreements)
            )
        mean = {}
        if finished:
            u = [[float(x) for x in r.utilities] for r in finished]
            mean = {
                sc.parties[i].name or p: round(sum(row[i] for row in u) / len(u), 3)
                for i, p in enumerate(parties)
            }
        return {
            "code": code,
            "finished": len(finished),
            "agreements": len(agreements),
            "space": figure,
            "spread": spread(sc, list(agreements), len(finished)),
            "mean_utility": mean,
        }

    def export(self, code: str) -> list[dict[str, Any]]:
        """Every table of the room with its trace (`export_rows`)."""
        settings, _ = self.find(code)
        sc = self.scenarios.get(settings.scenario)
        parties = [p.id for p in sc.parties]
        games: list[dict[str, Any]] = []
        for number, gid, players in self.tables(code):
            g = self.games.get(gid)
            r = g.provisional()
            done = g.result() is not None
            games.append(
                {
                    "room": code,
                    "table": number,
                    "game": gid,
                    "finished": done,
                    "rounds": r.rounds,
                    "players": {p: players[p] for p in parties if p in players},
                    "agreement": None if r.agreement is None else sc.space.labels(r.agreement),
                    "utilities": {
                        p: round(float(u), 9) for p, u in zip(parties, r.utilities, strict=True)
                    }
                    if done
                    else None,
                    "trace": trace_jsonl(r, sc.space, sc.prefs),
                }
            )
        return export_rows(games)
