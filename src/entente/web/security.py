"""Tokens, cookies, upload limits and the page headers of the web app.

- `new_token()`: an unguessable token (32 random bytes, URL-safe); `digest(token)` is what the
  store keeps (a SHA-256), so a copy of the database opens no seat.
- `set_seat_cookie(response, game_id, token)` / `seat_cookie(request, game_id)`: the cookie
  `seat_{game_id}` holding a seat's token: HttpOnly, SameSite=Strict, Path=/.
- `read_upload(file)`: an uploaded file's bytes, refused (`UploadError`, HTTP 413) past
  `MAX_UPLOAD` bytes, read in chunks so a large body is never held whole.
- `safe_name(name)`: a file name reduced to a plain base name, for writing uploads to a
  temporary folder.
- `PAGE_HEADERS`: the Content-Security-Policy and friends every page carries: scripts from this
  origin only ('unsafe-eval' for Vega's expression compiler), no other origin for anything.
Pages build their DOM with `textContent`, never `innerHTML` with user data, so a label or a
display name holding markup shows as text.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import Protocol

from starlette.responses import Response

from entente.errors import EntenteError, quoted

MAX_UPLOAD = 2 * 1024 * 1024
"""Largest file accepted, in bytes (each file of an upload)."""
MAX_FILES = 8
"""Most files in one upload (a GENIUS domain and its profiles)."""
COOKIE_PREFIX = "seat_"

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class UploadError(EntenteError):
    """An upload too large, or of too many files (HTTP 413)."""


class Forbidden(EntenteError):
    """A request without the token of the seat it acts for (HTTP 403)."""


def new_token() -> str:
    """An unguessable token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


def cookie_name(game_id: str) -> str:
    return COOKIE_PREFIX + game_id


class _Request(Protocol):
    @property
    def cookies(self) -> dict[str, str]: ...


def set_seat_cookie(response: Response, game_id: str, token: str) -> None:
    """Give the browser the token of a seat of game `game_id` (HttpOnly, SameSite=Strict)."""
    response.set_cookie(
        cookie_name(game_id),
        token,
        httponly=True,
        samesite="strict",
        path="/",
        max_age=30 * 24 * 3600,
    )


def seat_cookie(request: _Request, game_id: str) -> str | None:
    """The seat token the request carries for game `game_id`, if any."""
    return request.cookies.get(cookie_name(game_id))


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(name: str) -> str:
    """A plain base name: no folder, no leading dot, only letters, digits, '.', '_' and '-'."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = _UNSAFE.sub("_", base).lstrip(".")[:100]
    return base or "upload"


class _Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


async def read_upload(file: _Readable, name: str, limit: int = MAX_UPLOAD) -> bytes:
    """The bytes of an uploaded file, refused past `limit` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = await file.read(64 * 1024)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise UploadError(
                f"upload {quoted(name)}: larger than {limit // 1024} KiB; expected a smaller file"
            )
        chunks.append(chunk)
    return b"".join(chunks)
