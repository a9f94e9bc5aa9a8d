"""radrules.load: names and the in-process cache of compiled rulesets."""

from __future__ import annotations

import radrules
from radrules._resources import bundled_rulesets


def test_cached_ruleset_keeps_the_name_it_was_loaded_under():
    """The bundled rulesets loaded by default and as a folder keep their own names, whichever came first."""
    folder = bundled_rulesets()
    assert radrules.load().name == "radrules"
    assert radrules.load(folder).name == folder.name
    assert radrules.load().name == "radrules"
