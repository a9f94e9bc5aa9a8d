"""radrules: a rules engine for radiology claim edits.

    import radrules
    rs = radrules.load()                       # the bundled rulesets
    result = rs.evaluate(claim_dict)           # or a radrules.Claim
    result.passed, result.findings, result.to_dict()
    radrules.diff_rulesets(old, new)           # what a rule change changes
    radrules.diff_outcomes(old, new, "claims.jsonl")  # ... and what it does to claims

Pipeline: parse (``parser``) -> compile (``compiler``) -> evaluate
(``evaluator``). See docs/architecture.md.
"""

from .claim import Claim, Line, Patient
from .diff import OutcomeDiff, RulesetDiff, diff_outcomes, diff_rulesets
from .errors import ClaimError, Diagnostic, RadrulesError, RuleError
from .loader import load, loads
from .result import Finding, LineStatus, Result
from .ruleset import Ruleset

__version__ = "0.1.0"

__all__ = [
    "Claim",
    "ClaimError",
    "Diagnostic",
    "Finding",
    "Line",
    "LineStatus",
    "OutcomeDiff",
    "Patient",
    "RadrulesError",
    "Result",
    "RuleError",
    "Ruleset",
    "RulesetDiff",
    "diff_outcomes",
    "diff_rulesets",
    "load",
    "loads",
    "__version__",
]
