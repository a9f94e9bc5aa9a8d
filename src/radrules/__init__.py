"""radrules: a rules engine for radiology claim edits.

    import radrules
    rs = radrules.load()                       # the bundled rulesets
    result = rs.evaluate(claim_dict)           # or a radrules.Claim
    result.passed, result.findings, result.to_dict()
    for claim in radrules.read_x12("claims.837"): ...   # also read_fhir(bundle)
    radrules.format_rules(text)                # a rule file in the canonical layout
    radrules.diff_rulesets(old, new)           # what a rule change changes
    radrules.diff_outcomes(old, new, "claims.jsonl")  # ... and what it does to claims
    radrules.clear_memory_cache()              # free a dropped ruleset's tables (a reload)

Pipeline: parse (``parser``) -> compile (``compiler``) -> evaluate
(``evaluator``). See docs/architecture.md.
"""

from typing import TYPE_CHECKING

from .claim import Authorization, Claim, Line, Patient
from .errors import ClaimError, Diagnostic, InputError, RadrulesError, RuleError
from .history import History, HistoryLine, JsonlHistory, read_history
from .loader import clear_memory_cache, load, loads
from .result import Finding, LineStatus, Result
from .readers import read_fhir, read_x12, to_fhir_claim_response
from .ruleset import Ruleset
from ._version import __version__

if TYPE_CHECKING:  # for type checkers: the lazy names below with their real types
    from .diff import OutcomeDiff, RulesetDiff, diff_outcomes, diff_rulesets
    from .formatter import format_rules

#: Imported when first used, so that `import radrules` (and every worker of a
#: batch run) does not pay for the formatter and the diff tools.
_LAZY = {
    "OutcomeDiff": "diff", "RulesetDiff": "diff", "diff_outcomes": "diff", "diff_rulesets": "diff",
    "format_rules": "formatter",
}


if not TYPE_CHECKING:  # a type checker reads the imports above and reports any other name as unknown
    def __getattr__(name: str) -> object:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'radrules' has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "Authorization",
    "Claim",
    "ClaimError",
    "Diagnostic",
    "Finding",
    "History",
    "HistoryLine",
    "InputError",
    "JsonlHistory",
    "Line",
    "LineStatus",
    "OutcomeDiff",
    "Patient",
    "RadrulesError",
    "Result",
    "RuleError",
    "Ruleset",
    "RulesetDiff",
    "clear_memory_cache",
    "diff_outcomes",
    "diff_rulesets",
    "load",
    "loads",
    "read_fhir",
    "read_history",
    "read_x12",
    "to_fhir_claim_response",
    "format_rules",
    "__version__",
]
