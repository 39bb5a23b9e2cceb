"""A durable results store: a folder of Parquet files, each written whole or not at all.

Every append writes a new part file under a temporary name, syncs it to disk and renames it
into place (a rename is atomic), so a run killed at any moment leaves only complete parts and
perhaps a temporary file, which is ignored and removed. Each row carries its cell key; a
resumed run skips the keys already stored, and the reader keeps one row per key, so every cell
counts once. `tournament.json` records the grid the rows belong to (with a fingerprint of each
scenario's content), so a resume cannot mix two grids. A run holds an advisory lock on
`tournament.lock` for its whole length, so two runs never write one folder at the same time.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from entente.errors import EntenteError, quoted

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: no advisory locks
    fcntl = None  # type: ignore[assignment]

MANIFEST = "tournament.json"
LOCK = "tournament.lock"
FORMAT = 5
"""Version of `tournament.json`: 2 adds the scenario fingerprints and order-free lists; 3 plays
a mediated grid with each scenario's own mediator unless --mediator names one (2 played the
default mediator everywhere), and records each scenario's mediator under "mediator"; 4 adds
the rows' `model_tau` and `model_pearson` (each party's opponent-model accuracy, or null); 5
adds what each party's strategy used (`tokens_in`, `tokens_out`, `latency`, `invalid_replies`,
`fallbacks`: a language model's, or null)."""


def _pa() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise EntenteError(
            "tournament results need pyarrow: pip install 'entente[tournament]'"
        ) from None
    return pa, pq


def require() -> None:
    """Refuse at once when pyarrow is missing (before any negotiation runs)."""
    _pa()


def schema() -> Any:
    """The columns of a result row."""
    pa, _ = _pa()
    return pa.schema(
        [
            ("key", pa.string()),
            ("scenario", pa.string()),
            ("strategies", pa.list_(pa.string())),
            ("roles", pa.list_(pa.string())),
            ("repetition", pa.int64()),
            ("seed", pa.int64()),
            ("agreement", pa.list_(pa.int64())),
            ("utilities", pa.list_(pa.float64())),
            ("rounds", pa.int64()),
            ("seconds", pa.float64()),
            ("frontier_distance", pa.float64()),
            ("nash_distance", pa.float64()),
            ("welfare", pa.float64()),
            ("model_tau", pa.list_(pa.float64())),
            ("model_pearson", pa.list_(pa.float64())),
            ("tokens_in", pa.list_(pa.int64())),
            ("tokens_out", pa.list_(pa.int64())),
            ("latency", pa.list_(pa.float64())),
            ("invalid_replies", pa.list_(pa.int64())),
            ("fallbacks", pa.list_(pa.int64())),
        ]
    )


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fill(f: BinaryIO, data: bytes) -> None:
    """Write `data` to the open file and sync it to disk."""
    f.write(data)
    f.flush()
    os.fsync(f.fileno())


def _write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file and a rename (mode 0666 less the umask); a failed write
    removes its temporary file."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as f:
            _fill(f, data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)


def _cause(e: OSError) -> str:
    return e.strerror or str(e) or type(e).__name__


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two manifests, in words (empty when they describe one grid)."""
    out: list[str] = []
    was, now = old.get("scenarios", {}), new.get("scenarios", {})
    if set(was) != set(now):
        out.append(f"scenarios: stored {sorted(was)}, given {sorted(now)}")
    else:
        changed = sorted(name for name in now if was[name] != now[name])
        if changed:
            out.append(
                f"scenario {', '.join(changed)} changed since its rows were stored "
                "(its issues, options or preferences differ)"
            )
    for field in ("strategies", "rounds", "repetitions", "seed", "protocol", "mediator"):
        if old.get(field) != new.get(field):
            out.append(f"{field}: stored {old.get(field)!r}, given {new.get(field)!r}")
    if old.get("self_play") != new.get("self_play"):
        out.append("self-play differs")
    return out


class Store:
    """The results folder of one tournament."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def parts(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet"))

    def exists(self) -> bool:
        return (self.folder / MANIFEST).is_file() or bool(self.parts())

    def manifest(self) -> dict[str, Any] | None:
        f = self.folder / MANIFEST
        if not f.is_file():
            return None
        try:
            data = json.loads(f.read_bytes())
        except (OSError, ValueError) as e:
            raise EntenteError(f"{f}: cannot read the tournament description ({e})") from None
        if not isinstance(data, dict):
            raise EntenteError(f"{f}: expected a JSON object describing the tournament")
        return data

    @contextmanager
    def opened(self, manifest: dict[str, Any], *, resume: bool) -> Iterator[Store]:
        """Hold the folder for a run: create it, lock it, and start or continue its results.

        A second run on a locked folder is refused. Without `resume` the folder must hold no
        results; with it, they must belong to the same grid (`manifest`). Temporary files of
        writes that never completed are removed. Failures of the file system (a read-only or
        full disk, a path that is a file) become one-line errors naming the folder.
        """
        folder = self.folder
        if folder.exists() and not folder.is_dir():
            raise EntenteError(f"{folder}: is a file, not a folder: choose another --out")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as e:
            raise EntenteError(f"{folder}: cannot write results there: {_cause(e)}") from None
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise EntenteError(
                        f"{folder}: another tournament run is writing this folder "
                        "(it holds tournament.lock): wait for it to end, or choose another --out"
                    ) from None
            self._start(manifest, resume)
            yield self
        finally:
            os.close(fd)  # releases the lock

    def _start(self, manifest: dict[str, Any], resume: bool) -> None:
        old = self.manifest()
        if old is not None or self.parts():
            if not resume:
                raise EntenteError(
                    f"{self.folder} already holds results: pass --resume to continue them, "
                    "or choose another --out"
                )
            if old is None:
                raise EntenteError(
                    f"{self.folder} holds result parts but no {MANIFEST}: "
                    "it cannot be resumed; choose another --out"
                )
            if old.get("format") != FORMAT:
                raise EntenteError(
                    f"{self.folder} was written by another version of entente (results format "
                    f"{quoted(old.get('format'))}, this one writes {FORMAT}): resume it with "
                    "that version, or choose another --out"
                )
            diff = differences(old, manifest)
            if diff:
                raise EntenteError(
                    f"{self.folder} holds results of another tournament: {'; '.join(diff)}"
                )
        try:
            for tmp in self.folder.glob(".*.tmp"):
                tmp.unlink()  # a write that never completed (the lock says it is not running)
            if old is None:
                text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
                _write_atomic(self.folder / MANIFEST, text.encode())
        except OSError as e:
            raise EntenteError(f"{self.folder}: cannot write results there: {_cause(e)}") from None

    def keys(self) -> set[str]:
        """Keys of the rows stored so far."""
        parts = self.parts()
        if not parts:
            return set()
        _, pq = _pa()
        out: set[str] = set()
        for p in parts:
            out.update(self._read(p, pq, columns=["key"]).column("key").to_pylist())
        return out

    def append(self, rows: Sequence[dict[str, Any]]) -> None:
        """Write rows as one new part, durably and atomically."""
        if not rows:
            return
        pa, pq = _pa()
        table = pa.Table.from_pylist(list(rows), schema=schema())
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        name = f"part-{uuid.uuid4().hex}.parquet"
        try:
            _write_atomic(self.folder / name, sink.getvalue().to_pybytes())
        except OSError as e:
            raise EntenteError(
                f"{self.folder}: cannot write results there: {_cause(e)}; the rows stored "
                "before are kept: run again with --resume once it is fixed"
            ) from None

    def read(self) -> Any:
        """Every stored row once, as one pyarrow Table sorted by key.

        A cell stored twice (by runs of older versions, which took no lock) counts once: of its
        rows, the reader keeps the one in the part whose name sorts first.
        """
        pa, pq = _pa()
        parts = self.parts()
        if not parts:
            if not self.exists():
                raise EntenteError(f"{self.folder}: no tournament results here")
            return schema().empty_table()
        tables = []
        for i, p in enumerate(parts):
            t = self._read(p, pq, schema=schema())
            tables.append(t.append_column("_part", pa.repeat(pa.scalar(i, pa.int64()), t.num_rows)))
        table = pa.concat_tables(tables).sort_by([("key", "ascending"), ("_part", "ascending")])
        if table.num_rows > 1:
            import pyarrow.compute as pc

            keys = table.column("key").combine_chunks()
            fresh = pc.not_equal(keys[1:], keys[:-1])
            table = table.filter(pa.concat_arrays([pa.array([True]), fresh]))
        return table.drop_columns(["_part"])

    def _read(self, part: Path, pq: Any, **kw: Any) -> Any:
        try:
            return pq.read_table(part, **kw)
        except OSError as e:
            raise EntenteError(f"{part}: cannot read: {_cause(e)}") from None
        except Exception as e:  # pyarrow's errors for a damaged file (ArrowInvalid, ...)
            if type(e).__module__.startswith("pyarrow"):
                first = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise EntenteError(f"{part}: not a readable result part ({first[:200]})") from None
            raise
