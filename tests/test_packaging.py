"""pyproject.toml: what the wheel and the sdist hold, and the metadata they carry (read, not built: no network)."""

from __future__ import annotations

import re

import pytest

from builders import ROOT

tomllib = pytest.importorskip("tomllib")  # (Python 3.11 on; 3.10 skips these)


@pytest.fixture(scope="module")
def hatch():
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["hatch"]["build"]["targets"]


class TestTheWheel:
    def test_every_folder_the_package_reads_is_mapped_into_it(self, hatch):
        """Each folder `_resources.resource_dir` is asked for (grammars, rulesets) sits in the wheel's package."""
        asked = set()
        for path in (ROOT / "src" / "radrules").rglob("*.py"):
            asked |= set(re.findall(r'resource_dir\("(\w+)"\)', path.read_text(encoding="utf-8")))
        assert asked == {"grammars", "rulesets"}
        assert hatch["wheel"]["force-include"] == {name: f"radrules/{name}" for name in sorted(asked)}
        assert all((ROOT / name).is_dir() for name in asked)


class TestTheMetadata:
    @pytest.mark.parametrize("target", ["wheel", "sdist"])
    def test_the_metadata_version_is_one_twine_uploads(self, hatch, target):
        """Metadata 2.4 in both archives: a hatchling's own default is 2.5 in some releases, which twine before
        7.0 refuses."""
        assert hatch[target]["core-metadata-version"] == "2.4"
