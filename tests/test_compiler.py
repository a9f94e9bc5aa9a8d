"""Compiler tests: name resolution, type checks, scopes, overrides and the compiled ruleset."""

from __future__ import annotations

import pytest

import radrules
from radrules.errors import did_you_mean

from builders import underlined


class TestSuggestions:
    def test_did_you_mean_never_offers_the_word_itself(self):
        """A suggestion is a different candidate, never the word that was written."""
        assert did_you_mean("line", ["line", "other", "claim", "patient"]) is None
        assert did_you_mean("lin", ["line", "other", "claim", "patient"]) == "line"

    def test_also_has_on_a_line_names_the_claim(self):
        """`line also has` is refused with a message that points to `claim also has`, not a self-suggestion."""
        text = 'rule a.b\n  when line also has 70450\n  then deny line "x"\n  reference "t"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="also_has_line.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR221"
        assert underlined(diagnostic) == "line"
        assert "unknown record" not in diagnostic.message
        assert diagnostic.help == "write `claim also has ...`"
