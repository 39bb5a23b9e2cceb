"""A figure as a file: its Vega-Lite specification (a dict, or JSON text safe inside a script
element), and SVG, PNG and PDF through vl-convert (no browser, no network), offline HTML with
Vega's scripts inlined, or the JSON specification, chosen by the file's suffix.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from entente.errors import EntenteError, quoted
from entente.report.style import Figure, load_altair


def spec(chart: Figure) -> dict[str, Any]:
    """The chart's Vega-Lite specification (a JSON-ready dict)."""
    load_altair()
    return dict(chart.to_dict(validate=False))


_SCRIPT_SAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def spec_json(chart: Figure) -> str:
    """The specification as JSON text, the same bytes for the same chart. `<`, `>` and `&` are
    written as JSON escapes, so the text is safe inside an HTML `<script>` element (scenario
    text cannot close it) and parses to the same specification."""
    text = json.dumps(spec(chart), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_SCRIPT_SAFE)


@lru_cache(maxsize=1)
def javascript() -> str:
    """Vega, Vega-Lite and Vega-Embed in one script (for HTML that opens with no network);
    it assigns `vegaEmbed`, `vegaLite` and `vega` on `window`."""
    load_altair()
    import vl_convert as vlc

    snippet = "window.vegaEmbed = vegaEmbed; window.vegaLite = vegaLite; window.vega = vega;"
    return vlc.javascript_bundle(snippet, vl_version=_vl_version())


def _vl_version() -> str:
    import altair as alt

    major, minor, *_ = str(alt.SCHEMA_VERSION).lstrip("v").split(".")
    return f"{major}.{minor}"


SUFFIXES = (".svg", ".png", ".pdf", ".html", ".json")


def render(chart: Figure, suffix: str) -> bytes:
    """The chart as the bytes of a file ending `suffix` (SVG, PNG and PDF by vl-convert, with
    no network; HTML with its scripts inlined; JSON: the specification)."""
    load_altair()
    import vl_convert as vlc

    if suffix not in SUFFIXES:
        raise EntenteError(f"figure format {quoted(suffix)}: expected one of {', '.join(SUFFIXES)}")
    s = spec(chart)
    v = _vl_version()
    if suffix == ".json":
        return (json.dumps(s, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()
    if suffix == ".html":
        return html_page(chart).encode()
    if suffix == ".svg":
        return vlc.vegalite_to_svg(s, vl_version=v, allowed_base_urls=[]).encode()
    if suffix == ".png":
        return bytes(vlc.vegalite_to_png(s, vl_version=v, scale=2, allowed_base_urls=[]))
    return bytes(vlc.vegalite_to_pdf(s, vl_version=v, allowed_base_urls=[]))


def html_page(chart: Figure) -> str:
    """One HTML file that draws `chart` with no network: Vega's scripts inlined, the
    specification embedded as script-safe JSON (`spec_json`), the title escaped."""
    import html

    title = spec(chart).get("title", "")
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(str(title) or 'entente figure')}</title>\n"
        f'<script>{javascript()}</script>\n</head>\n<body>\n<div id="figure"></div>\n'
        f"<script>\nconst spec = {spec_json(chart)};\n"
        'vegaEmbed("#figure", spec, {renderer: "svg", actions: {export: true, source: false, '
        "compiled: false, editor: false}}).catch(console.error);\n</script>\n</body>\n</html>\n"
    )


def save(chart: Figure, path: Path) -> None:
    """Write `chart` as .svg, .png, .pdf (vl-convert), .html (offline, scripts inlined) or
    .json (the specification), chosen by the file's suffix; written whole or not at all."""
    from entente.formats.safe import write_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise EntenteError(
            f"{path}: cannot tell the figure's format; expected a name ending "
            + ", ".join(SUFFIXES)
        )
    write_atomic(path, render(chart, suffix))
