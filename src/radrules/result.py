"""What ``evaluate()`` returns: a :class:`Result` with :class:`Finding` objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import attrs

if TYPE_CHECKING:
    from .explain import Explanation

SEVERITIES = ("deny", "review", "warn", "info")
KINDS = ("format", "duplicate", "ptp", "mue", "modifier", "policy", "addon", "coding")
#: Findings are reported in this order of kind (domain.md §10.4), then by line.
KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}
#: What the output says of a line of a revenue code alone, whose status is not a judgement of its code.
NOT_JUDGED = "no procedure code: code edits not applied"


# Finding and Result are not slotted: attrs writes a frozen, unslotted instance's fields straight
# into its ``__dict__``, about 250 ns less per object than a slotted one's ``object.__setattr__`` calls.
@attrs.frozen(slots=False)
class Finding:
    """One rule that fired: which lines it hits, why, and how a payer reports it.

    ``lines`` are the 1-based lines the finding acts on (a ``deny`` finding
    denies them); ``related_lines`` are lines it was judged against (the
    column 1 line of a PTP edit, the primaries of an add-on code), or, for a
    ``once per claim`` rule, the lines that meet it.
    """

    rule: str
    kind: str
    severity: str
    lines: tuple[int, ...]
    message: str
    related_lines: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()
    carc: str | None = None
    rarc: tuple[str, ...] = ()
    reference: str | None = None
    source: str | None = None

    def sort_key(self):
        return (
            KIND_ORDER.get(self.kind, len(KINDS)),
            self.lines[:1] or (0,),
            self.rule,
            self.lines,
            self.related_lines,
            self.message,
            self.source or "",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "lines": list(self.lines),
            "related_lines": list(self.related_lines),
            "codes": list(self.codes),
            "carc": self.carc,
            "rarc": list(self.rarc),
            "message": self.message,
            "reference": self.reference,
            "source": self.source,
        }


@attrs.frozen
class LineStatus:
    line: int
    status: str  # pay, deny or review

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "status": self.status}


@attrs.frozen(slots=False)
class Result:
    """The outcome for one claim. ``passed`` is False iff a finding denies or asks for review.

    ``statuses`` holds each line's status (``pay``, ``deny``, ``review``) in
    line order; ``lines`` gives them as :class:`LineStatus` objects.
    ``uncoded`` numbers the lines of a revenue code alone, which nothing that
    reads a procedure code judged (docs/claim-format.md#lines-without-a-procedure-code).
    """

    #: Empty here; a claim with such lines gets a :class:`PartlyJudgedResult` (a field of every result would
    #: cost every claim's result a store).
    uncoded: ClassVar[tuple[int, ...]] = ()

    claim: str | None
    passed: bool
    findings: tuple[Finding, ...]
    statuses: tuple[str, ...]
    #: With ``evaluate(claim, explain=True)``: every rule considered and why it fired or not.
    explanation: "Explanation | None" = attrs.field(default=None, eq=False, repr=False)

    @property
    def lines(self) -> tuple[LineStatus, ...]:
        return tuple([LineStatus(number, status) for number, status in enumerate(self.statuses, 1)])

    def to_dict(self) -> dict[str, Any]:
        out = {
            "claim": self.claim,
            "passed": self.passed,
            "findings": [finding.to_dict() for finding in self.findings],
            "lines": [{"line": number, "status": status} for number, status in enumerate(self.statuses, 1)],
        }
        for number in self.uncoded:
            out["lines"][number - 1]["note"] = NOT_JUDGED
        if self.explanation is not None:
            out["explanation"] = self.explanation.to_dict()["steps"]
        return out

    def status_of(self, line: int) -> str:
        """``pay``, ``deny`` or ``review`` for a 1-based line number (IndexError for one the claim lacks:
        0 is no line, not the last)."""
        if isinstance(line, bool) or not isinstance(line, int) or not 1 <= line <= len(self.statuses):
            raise IndexError(f"the claim has lines 1 to {len(self.statuses)}; there is no line {line!r}")
        return self.statuses[line - 1]

    def fired(self) -> tuple[str, ...]:
        """The ids of the rules that produced findings, in finding order, once each."""
        return tuple(dict.fromkeys(f.rule for f in self.findings))


@attrs.frozen(slots=False)
class PartlyJudgedResult(Result):
    """The result of a claim with lines of a revenue code alone: ``uncoded`` numbers them (in order)."""

    uncoded: tuple[int, ...] = ()


_ALL_PAY = tuple(("pay",) * count for count in range(100))


def build_result(claim_id: str | None, line_count: int, findings: list[Finding]) -> Result:
    """Sort findings, de-duplicate identical ones, and derive line statuses."""
    if not findings and line_count < len(_ALL_PAY):
        return Result(claim_id, True, (), _ALL_PAY[line_count])
    if len(findings) < 2:
        ordered = tuple(findings)
    else:
        unique = {}
        for finding in sorted(findings, key=Finding.sort_key):
            key = (finding.rule, finding.lines, finding.related_lines, finding.message)
            unique.setdefault(key, finding)
        ordered = tuple(unique.values())
    status = ["pay"] * line_count
    passed = True
    for finding in ordered:
        severity = finding.severity
        if severity == "deny":
            passed = False
            for number in finding.lines:
                status[number - 1] = "deny"
        elif severity == "review":
            passed = False
            for number in finding.lines:
                if status[number - 1] == "pay":
                    status[number - 1] = "review"
    return Result(claim_id, passed, ordered, tuple(status))
