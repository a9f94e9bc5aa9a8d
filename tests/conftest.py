"""Shared fixtures and the Hypothesis profile of the suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

import radrules

settings.register_profile(
    "radrules",
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", parent=settings.get_profile("radrules"), max_examples=2000)
settings.load_profile(os.environ.get("RADRULES_HYPOTHESIS_PROFILE", "radrules"))


@pytest.fixture(scope="session")
def bundled():
    """The bundled rulesets, compiled once."""
    return radrules.load()


@pytest.fixture(scope="session", autouse=True)
def _table_cache_in_a_temporary_folder(tmp_path_factory):
    """Compiled CMS tables go to a temporary cache folder, never the user's cache directory."""
    previous = os.environ.get("RADRULES_CACHE_DIR")
    os.environ["RADRULES_CACHE_DIR"] = str(tmp_path_factory.mktemp("table-cache"))
    yield
    if previous is None:
        os.environ.pop("RADRULES_CACHE_DIR", None)
    else:
        os.environ["RADRULES_CACHE_DIR"] = previous
