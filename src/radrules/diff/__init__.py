"""What a rule change does before it goes live (``radrules diff``).

    import radrules
    old, new = radrules.load("rules-2026q2"), radrules.load("rules-2026q3")
    changes = radrules.diff_rulesets(old, new)          # rules, rows, tables added/removed/changed
    impact = radrules.diff_outcomes(old, new, "claims.jsonl")  # claims, lines, rules, charges that move
    print(changes.to_text(), impact.to_text())

``diff_rulesets`` compares compiled rulesets (``rulesets.py``, with the
canonical forms of ``describe.py`` and the CMS table merge of ``tables.py``);
``diff_outcomes`` streams claims through both (``outcomes.py``, reading
files with ``claims.py``); ``report.py`` writes the text report.
See docs/impact.md.
"""

from .outcomes import BadClaim, ClaimChange, LineChange, Move, OutcomeDiff, RuleImpact, diff_outcomes
from .rulesets import Change, RulesetDiff, diff_rulesets
from .tables import RowChange, TableDiff

__all__ = [
    "BadClaim",
    "Change",
    "ClaimChange",
    "LineChange",
    "Move",
    "OutcomeDiff",
    "RowChange",
    "RuleImpact",
    "RulesetDiff",
    "TableDiff",
    "diff_outcomes",
    "diff_rulesets",
]
