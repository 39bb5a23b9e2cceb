"""`entente serve`: the web app (play, watch, teach) on this machine, over an SQLite file."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer

from entente.errors import EntenteError


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port), or one line saying why not."""
    if not 0 <= port <= 65535:
        raise EntenteError(f"--port {port}: expected a port number from 0 to 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as e:
        raise EntenteError(f"--host {host!r}: not an address of this machine ({e})") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as e:
        sock.close()
        what = "in use" if e.errno in (98, 48, 10048) else (e.strerror or str(e))
        raise EntenteError(
            f"--host {host} --port {port}: cannot listen there ({what}); "
            "expected a free port (try another --port)"
        ) from None
    sock.set_inheritable(True)
    return sock


def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8000,
    db: Annotated[
        Path | None,
        typer.Option(
            help="SQLite file for games, rooms and uploads "
            "(default: entente/web.sqlite3 in the user's data directory)."
        ),
    ] = None,
) -> None:
    """Serve the web app: play a side against agents, watch a negotiation, teach a room."""
    try:
        import uvicorn

        from entente.web.app import create_app
        from entente.web.store import default_path
    except ImportError:
        raise EntenteError("serve needs the web extra: pip install 'entente[web]'") from None
    path = db if db is not None else default_path()
    if path.exists() and path.is_dir():
        raise EntenteError(f"--db {str(path)!r}: a folder; expected a database file")
    sock = _bind(host, port)
    try:
        app = create_app(path)
    except BaseException:
        sock.close()
        raise
    shown = sock.getsockname()
    url_host = f"[{shown[0]}]" if ":" in shown[0] else shown[0]
    typer.echo(f"entente: serving on http://{url_host}:{shown[1]} (database {path}); Ctrl-C stops")
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


def register(app: typer.Typer) -> None:
    app.command()(serve)
