"""Small helpers shared by the tests: claim and line builders, diagnostic snippets."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples" / "claims.json"
RULESETS = ROOT / "rulesets"

#: A rendering NPI whose check digit holds (the CMS example NPI).
NPI = "1234567893"
OTHER_NPI = "1245319599"


def line(code: str, date: str = "2026-03-02", **fields) -> dict:
    """One claim line in the JSON shape."""
    out = {"code": code, "date": date, "units": 1}
    out.update(fields)
    return out


def claim(*lines: dict, **fields) -> dict:
    """A claim in the JSON shape; professional, no payer, unless told otherwise."""
    out = {"type": "professional", "lines": list(lines)}
    out.update(fields)
    return out


def fired(result) -> set[str]:
    """The ids of the rules that produced findings."""
    return {finding.rule for finding in result.findings}


def only(result, rule: str):
    """The single finding of ``rule`` in a result."""
    found = [finding for finding in result.findings if finding.rule == rule]
    assert len(found) == 1, [f.to_dict() for f in result.findings]
    return found[0]


def underlined(diagnostic) -> str:
    """The source text a diagnostic's carets underline (one-line spans)."""
    span = diagnostic.span
    return diagnostic.source_line[span.column - 1: span.end_column - 1]


def example_claims() -> list[dict]:
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))
