"""Where the GENIUS test data and, when present, the shared domain collection live."""

from pathlib import Path

DATA = Path(__file__).parent / "data" / "genius"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "genius"


def shared_domains() -> list[Path]:
    """Every domain folder of ../shared/data/genius (empty when the collection is absent)."""
    if not SHARED.is_dir():
        return []
    return sorted(p for p in SHARED.glob("*/*") if p.is_dir())
