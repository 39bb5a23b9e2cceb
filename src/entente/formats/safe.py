"""Reading untrusted files, writing files whole.

Only regular files and folders are read: a device, a FIFO or a socket (or a link to one) is
refused before it is opened, and nothing ever blocks on a FIFO. Sizes are bounded. XML with a
document type declaration goes through defusedxml (entity declarations and external references
are refused, nothing is fetched); XML without one cannot declare entities, so the fast C parser
reads it. A UTF-8 byte-order mark is read, not refused. Every failure is a ScenarioError naming
the file and what was wrong.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError, XMLParser

import defusedxml
import defusedxml.ElementTree as SafeET
import numpy as np

from entente.errors import EntenteError, ScenarioError, quoted

MAX_BYTES = 32 * 1024 * 1024
"""Largest input file read (the largest ANAC profile is well under 1 MiB)."""

BOM = b"\xef\xbb\xbf"
_ASCII_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}
_DECLARED = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def kind(path: Path) -> Literal["file", "folder"]:
    """Whether `path` is a regular file or a folder (links followed); anything else is refused."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ScenarioError("no such file or folder", file=shown(path)) from None
    except OSError as e:
        raise ScenarioError(f"cannot read: {e.strerror or e}", file=shown(path)) from None
    except ValueError:  # a NUL character in the path
        raise ScenarioError("is not a valid path", file=shown(path)) from None
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    raise ScenarioError(
        f"is {_what(mode)}, not a regular file or folder (only those are read)", file=str(path)
    )


def shown(path: str | Path, limit: int = 300) -> str:
    """A path as a message shows it: whole, unless it is absurdly long."""
    text = str(path)
    return text if len(text) <= limit else quoted(text, limit)


# C0 controls but tab and newline, DEL and the C1 controls: they break XML output and terminals
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def check_text(texts: Iterable[str], file: str | Path, field: str) -> None:
    """Refuse a name or label holding a control character (tab and newline are allowed)."""
    texts = list(texts)
    if not _CONTROL.search("\n".join(texts)):  # one search for many labels
        return
    for text in texts:
        m = _CONTROL.search(text)
        if m:
            raise ScenarioError(
                f"{quoted(text)} contains control character U+{ord(m[0]):04X} "
                "(only tab and newline are allowed in names and labels)",
                file=shown(file),
                field=field,
            )


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refusing anything else and a file larger than `limit`
    (by default MAX_BYTES)."""
    if kind(path) != "file":
        raise ScenarioError("is a folder, not a file", file=str(path))
    limit = MAX_BYTES if limit is None else limit
    too_large = ScenarioError(f"file is larger than the limit of {_size(limit)}", file=str(path))
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, open never waits
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ScenarioError(
                    f"is {_what(st.st_mode)}, not a regular file (only those are read)",
                    file=str(path),
                )
            if st.st_size > limit:
                raise too_large
            data = f.read(limit + 1)  # a file may grow, or report no size (/proc)
    except OSError as e:
        raise ScenarioError(f"cannot read: {e.strerror or e}", file=str(path)) from None
    if len(data) > limit:
        raise too_large
    return data


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def parse_xml(path: Path) -> Element:
    """The root element of an XML file, parsed without entities or external references."""
    return parse_xml_bytes(read_bytes(path), path)


def parse_xml_bytes(data: bytes, path: Path) -> Element:
    """The root element of the XML document `data` read from `path`."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    data = data.lstrip()
    try:
        if _without_dtd(data):
            parser = XMLParser()  # the C parser: no DTD, hence no entity can be declared
            parser.feed(data)
            root: Element = parser.close()
            return root
        return SafeET.fromstring(data, forbid_dtd=False)
    except defusedxml.EntitiesForbidden:
        raise ScenarioError(
            "refused: the XML declares entities (entity expansion is not allowed)", file=str(path)
        ) from None
    except defusedxml.ExternalReferenceForbidden:
        raise ScenarioError(
            "refused: the XML refers to an external resource (nothing is fetched)", file=str(path)
        ) from None
    except defusedxml.DefusedXmlException as e:
        raise ScenarioError(f"refused: unsafe XML ({e})", file=str(path)) from None
    except ParseError as e:
        line = e.position[0] if getattr(e, "position", None) else None
        msg = str(e).split(":")[0]
        raise ScenarioError(f"is not well-formed XML ({msg})", file=str(path), line=line) from None


def _without_dtd(data: bytes) -> bool:
    """Whether `data` is in an ASCII-compatible encoding and holds no document type declaration.

    Entities can only be declared in a DTD; where the bytes cannot be searched for one (UTF-16,
    or an encoding other than UTF-8 and Latin-1), the careful slower parser reads the file.
    """
    if b"\x00" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    declared = _DECLARED.match(data[:200])
    if declared and declared[1].decode().lower() not in _ASCII_ENCODINGS:
        return False
    return b"<!DOCTYPE" not in data and b"<!ENTITY" not in data


class _NotJson(Exception):
    def __init__(self, literal: str) -> None:
        self.literal = literal


def _no_constant(literal: str) -> Any:
    raise _NotJson(literal)


def read_json(path: Path) -> Any:
    """The parsed JSON of a file (size bounded; NaN and Infinity, which JSON lacks, refused)."""
    data = read_bytes(path)
    try:
        return json.loads(data, parse_constant=_no_constant)
    except _NotJson as e:
        line = _line_of(data, rb"-?Infinity|NaN")
        raise ScenarioError(
            f"expected a finite number, got {e.literal} (not a JSON number)",
            file=str(path),
            line=line,
        ) from None
    except json.JSONDecodeError as e:
        raise ScenarioError(f"is not valid JSON ({e.msg})", file=str(path), line=e.lineno) from None
    except UnicodeDecodeError:
        raise ScenarioError("is not UTF-8 text", file=str(path)) from None
    except RecursionError:
        raise ScenarioError(
            "nests arrays or objects too deeply to be read", file=str(path), line=_deep(data)
        ) from None
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        raise ScenarioError(f"is not valid JSON ({quoted(str(e))})", file=str(path)) from None


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def _line_of(data: bytes, pattern: bytes) -> int | None:
    """Line of the first match of `pattern` outside JSON strings (which hold no newline)."""
    text = _STRING.sub(b'""', data)
    m = re.search(pattern, text)
    return text[: m.start()].count(b"\n") + 1 if m else None


def _deep(data: bytes, depth: int = 200, chunk: int = 1 << 20) -> int | None:
    """Line where the nesting of JSON arrays and objects first exceeds `depth`."""
    text = _STRING.sub(b'""', data)
    level = 0
    for start in range(0, len(text), chunk):
        b = np.frombuffer(text, np.uint8, min(chunk, len(text) - start), start)
        step = np.isin(b, _OPEN).astype(np.int64) - np.isin(b, _CLOSE)
        levels = level + np.cumsum(step)
        over = np.flatnonzero(levels > depth)
        if len(over):
            return text[: start + int(over[0])].count(b"\n") + 1
        level = int(levels[-1]) if len(levels) else level
    return None


_OPEN = np.frombuffer(b"[{", np.uint8)
_CLOSE = np.frombuffer(b"]}", np.uint8)


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write `text` (UTF-8 when a string) to `path` through a temporary file and a rename:
    never half a file.

    The file gets the permissions a plain `open(path, "w")` would give: an existing file keeps
    its own; a new one is created with mode 0o666 and the kernel takes the umask (and any
    default ACL of the folder) away, exactly as for `open`. The umask is never read or changed,
    so nothing races with other threads.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        keep: int | None = None
        try:
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode):
                keep = stat.S_IMODE(st.st_mode)
            elif not stat.S_ISDIR(st.st_mode):  # a device, FIFO or socket: never replaced
                raise EntenteError(f"{path}: is not a regular file; expected a file to write")
        except FileNotFoundError:
            pass
        fd, tmp = _create(folder, path.name)
        try:
            with os.fdopen(fd, "wb") as f:
                if keep is not None:
                    os.fchmod(f.fileno(), keep)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise EntenteError(f"{path}: cannot write ({e.strerror or e})") from None


def _create(folder: Path, name: str) -> tuple[int, Path]:
    """A new, empty file beside `name`, created with mode 0o666 less the umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = folder / f".{name[:200]}.{secrets.token_hex(4)}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {name}")
