"""radrules: a rules engine for radiology claim edits.

    import radrules
    rs = radrules.load()                       # the bundled rulesets
    result = rs.evaluate(claim_dict)           # or a radrules.Claim
    result.passed, result.findings, result.to_dict()
    radrules.format_rules(text)                # a rule file in the canonical layout

Pipeline: parse (``parser``) -> compile (``compiler``) -> evaluate
(``evaluator``). See docs/architecture.md.
"""

from .claim import Claim, Line, Patient
from .errors import ClaimError, Diagnostic, RadrulesError, RuleError
from .formatter import format_rules
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
    "Patient",
    "RadrulesError",
    "Result",
    "RuleError",
    "Ruleset",
    "load",
    "loads",
    "format_rules",
    "__version__",
]
