"""Reading untrusted files: bounded sizes, safe XML, atomic writes.

XML goes through defusedxml: entity declarations and external references are refused, nothing
is fetched. Every failure is a ScenarioError naming the file and what was wrong.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from entente.errors import ScenarioError

MAX_BYTES = 32 * 1024 * 1024
"""Largest input file read (the largest ANAC profile is well under 1 MiB)."""


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, refusing a file larger than `limit`."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise ScenarioError(
                f"file is larger than {limit // 2**20} MiB ({size:,} bytes)", file=str(path)
            )
        return path.read_bytes()
    except OSError as e:
        raise ScenarioError(f"cannot read: {e.strerror or e}", file=str(path)) from None


def parse_xml(path: Path) -> Element:
    """The root element of an XML file, parsed without entities or external references."""
    data = read_bytes(path)
    try:
        return SafeET.fromstring(data.lstrip(), forbid_dtd=False)
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


def read_json(path: Path) -> Any:
    """The parsed JSON of a file (size bounded)."""
    data = read_bytes(path)
    try:
        return json.loads(data)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"is not valid JSON ({e.msg})", file=str(path), line=e.lineno) from None
    except UnicodeDecodeError:
        raise ScenarioError("is not UTF-8 text", file=str(path)) from None


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
