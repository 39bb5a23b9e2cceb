"""A durable results store: a folder of Parquet files, each written whole or not at all.

Every append writes a new part file under a temporary name, syncs it to disk and renames it
into place (a rename is atomic), so a run killed at any moment leaves only complete parts and
perhaps a temporary file, which is ignored and removed. Each row carries its cell key; a
resumed run skips the keys already stored, so every cell ends up stored exactly once.
`tournament.json` records the grid the rows belong to, so a resume cannot mix two grids.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from entente.errors import EntenteError

MANIFEST = "tournament.json"


def _pa() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise EntenteError(
            "tournament results need pyarrow: pip install 'entente[tournament]'"
        ) from None
    return pa, pq


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
        ]
    )


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _sync_dir(path.parent)


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
        return json.loads(f.read_text()) if f.is_file() else None

    def create(self, manifest: dict[str, Any]) -> None:
        """Start a new store (refuses a folder that already holds results)."""
        if self.exists():
            raise EntenteError(
                f"{self.folder} already holds results: pass --resume to continue them, "
                "or choose another --out"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(self.folder / MANIFEST, json.dumps(manifest, indent=2).encode())

    def reopen(self, manifest: dict[str, Any]) -> None:
        """Continue a store of the same grid; a missing store is simply created."""
        old = self.manifest()
        if old is None and not self.parts():
            self.create(manifest)
            return
        if old != manifest:
            raise EntenteError(
                f"{self.folder} holds results of another tournament "
                "(strategies, scenarios, rounds, repetitions, seed or protocol differ)"
            )
        for tmp in self.folder.glob(".*.tmp"):
            tmp.unlink()  # an append that never completed

    def keys(self) -> set[str]:
        """Keys of the rows stored so far."""
        parts = self.parts()
        if not parts:
            return set()
        _, pq = _pa()
        out: set[str] = set()
        for p in parts:
            out.update(pq.read_table(p, columns=["key"]).column("key").to_pylist())
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
        _write_atomic(self.folder / name, sink.getvalue().to_pybytes())

    def read(self) -> Any:
        """Every stored row as one pyarrow Table, sorted by key."""
        pa, pq = _pa()
        parts = self.parts()
        if not parts:
            if not self.exists():
                raise EntenteError(f"{self.folder}: no tournament results here")
            return schema().empty_table()
        table = pa.concat_tables([pq.read_table(p, schema=schema()) for p in parts])
        return table.sort_by("key")
