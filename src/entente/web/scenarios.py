"""Scenarios for the web app: the built-ins by name, and uploads (TOML, GENIUS, GeniusWeb),
parsed with entente's own readers from a private temporary folder and kept in the store.

API: `Scenarios(store)`: `get(ref) -> Scenario` ("portsmouth" or "upload:<id>", loaded once
and cached), `add(files: dict[name, bytes]) -> ref` (parses first: a file that does not read is
refused in one line and never stored), `builtins() -> [name, ...]`.
"""

from __future__ import annotations

import io
import tempfile
import threading
import zipfile
from pathlib import Path

from entente import api, registry
from entente.errors import EntenteError, quoted
from entente.scenario import Scenario
from entente.web.security import MAX_FILES, MAX_UPLOAD, UploadError, safe_name
from entente.web.store import NotFound, Store

SUFFIXES = (".toml", ".xml", ".json")
UPLOAD = "upload:"


def _unzip(name: str, data: bytes) -> dict[str, bytes]:
    """The scenario files in a zip archive, bounded in count and size; folders flattened."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise EntenteError(f"upload {quoted(name)}: not a zip archive") from None
    out: dict[str, bytes] = {}
    with z:
        members = [i for i in z.infolist() if not i.is_dir()]
        wanted = [
            i
            for i in members
            if Path(i.filename).suffix.lower() in SUFFIXES
            and not Path(i.filename).name.startswith(".")
        ]
        if len(wanted) > MAX_FILES:
            raise UploadError(
                f"upload {quoted(name)}: {len(wanted)} files; expected at most {MAX_FILES}"
            )
        for i in wanted:
            if i.file_size > MAX_UPLOAD:
                raise UploadError(f"upload {quoted(name)}: {quoted(i.filename)} is too large")
            with z.open(i) as f:
                body = f.read(MAX_UPLOAD + 1)
            if len(body) > MAX_UPLOAD:
                raise UploadError(f"upload {quoted(name)}: {quoted(i.filename)} is too large")
            out[safe_name(i.filename)] = body
    if not out:
        raise EntenteError(f"upload {quoted(name)}: no .toml, .xml or .json file in the archive")
    return out


def parse(files: dict[str, bytes]) -> Scenario:
    """A scenario from uploaded files: one TOML, GENIUS XML or GeniusWeb JSON file, several
    files of one GENIUS or GeniusWeb domain, or a zip archive of them."""
    if not files:
        raise EntenteError("upload: no file; expected a .toml, .xml, .json or .zip file")
    if len(files) > MAX_FILES:
        raise UploadError(f"upload: {len(files)} files; expected at most {MAX_FILES}")
    flat: dict[str, bytes] = {}
    for name, data in files.items():
        if name.lower().endswith(".zip"):
            flat.update(_unzip(name, data))
        else:
            flat[safe_name(name)] = data
    for name in flat:
        if Path(name).suffix.lower() not in SUFFIXES:
            raise EntenteError(
                f"upload {quoted(name)}: unknown format; expected .toml, GENIUS .xml, "
                "GeniusWeb .json or a .zip of them"
            )
    with tempfile.TemporaryDirectory(prefix="entente-upload-") as tmp:
        root = Path(tmp)
        for name, data in flat.items():
            (root / name).write_bytes(data)
        source = root / next(iter(flat)) if len(flat) == 1 else root
        try:
            return api.load(source)
        except EntenteError as e:
            raise EntenteError(
                str(e).replace(str(root) + "/", "").replace(str(root), "upload")
            ) from None


class Scenarios:
    """Built-in and uploaded scenarios, each loaded once."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, Scenario] = {}
        self._lock = threading.Lock()

    @staticmethod
    def builtins() -> list[str]:
        return registry.scenarios()

    def get(self, ref: str) -> Scenario:
        with self._lock:
            found = self._cache.get(ref)
        if found is not None:
            return found
        if ref.startswith(UPLOAD):
            try:
                _, files = self.store.upload(ref[len(UPLOAD) :])
            except NotFound:
                raise NotFound(f"scenario {quoted(ref)}: no such upload") from None
            sc = parse(files)
        elif ref in self.builtins():
            sc = api.load(ref)
        else:
            raise NotFound(
                f"scenario {quoted(ref)}: no such built-in scenario or upload; expected one of "
                + ", ".join(self.builtins())
            )
        with self._lock:
            self._cache[ref] = sc
        return sc

    def add(self, files: dict[str, bytes]) -> str:
        sc = parse(files)
        name = sc.title or sc.id
        ref = UPLOAD + self.store.add_upload(name, files)
        with self._lock:
            self._cache[ref] = sc
        return ref
