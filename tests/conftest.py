from __future__ import annotations

from pathlib import Path

import pytest

from entente.formats.scenario_toml import load
from entente.scenario import Scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "src" / "entente" / "scenarios"


@pytest.fixture(scope="session")
def portsmouth() -> Scenario:
    return load(SCENARIOS / "portsmouth.toml")
