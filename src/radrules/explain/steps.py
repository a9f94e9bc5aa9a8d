"""What an explanation holds: a :class:`Step` for each thing the evaluation looked at, a :class:`RuleNote`
for each rule, and the :class:`Explanation` of one claim that gathers them and renders them as text.

The tracer (:mod:`.tracer`) records the steps; :func:`radrules.explain.explain` puts them together with
each rule's note and the reasons the rules never looked at were left out (:mod:`.not_considered`).
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs


@attrs.frozen
class Step:
    """One thing the evaluation looked at, and what came of it."""

    rule: str
    kind: str
    outcome: str  # fired, silent, bypassed, out of dates, not applicable, within limit, corrected later, not checked
    lines: tuple[int, ...]
    detail: str
    related_lines: tuple[int, ...] = ()
    source: str | None = None
    where: str = ""  # "line 1 (71046) with line 2 (74176)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "kind": self.kind, "outcome": self.outcome, "lines": list(self.lines),
            "related_lines": list(self.related_lines), "detail": self.detail, "source": self.source,
        }

    def render(self, rule_source: str | None = None) -> str:
        at = f" (at {self.source})" if self.source and self.source != rule_source else ""
        return f"{self.where or lines_label(self.lines)}: {self.outcome}: {self.detail}{at}"


@attrs.frozen
class RuleNote:
    """What an explanation says about a rule as a whole: its kind, where it is written, its condition."""

    kind: str
    source: str | None
    condition: str | None


@attrs.frozen
class Explanation:
    """The steps of one claim's evaluation, in evaluation order.

    ``not_considered`` says, for every other rule of the ruleset, why the
    evaluation never looked at it (another payer, another claim type, no
    line billing a code it is filed under).
    """

    claim: str | None
    steps: tuple[Step, ...]
    not_considered: dict[str, str] = attrs.field(factory=dict)  # rule id -> reason
    notes: dict[str, RuleNote] = attrs.field(factory=dict)  # rule id -> RuleNote

    def for_rules(self, rule_ids: Iterable[str]) -> list[str]:
        """Text lines about ``rule_ids`` only: a heading per rule, its condition, then its steps."""
        out = []
        for rule_id in dict.fromkeys(rule_ids):
            note = self.notes.get(rule_id)
            steps = [step for step in self.steps if step.rule == rule_id]
            fired = any(step.outcome == "fired" for step in steps)
            state = "fired" if fired else ("did not fire" if steps else "not considered")
            heading = f"{rule_id} {state}"
            if note is not None and note.source:
                heading += f" (at {note.source})"
            out.append(heading)
            if note is not None and note.condition:
                out.append(f"  when {note.condition}")
            if not steps:
                out.append("  " + self.not_considered.get(rule_id, "not a rule of this ruleset"))
            out.extend("  " + step.render(note.source if note else None) for step in steps)
        return out

    def rules(self) -> tuple[str, ...]:
        """Every rule id considered, in order, once each."""
        return tuple(dict.fromkeys(step.rule for step in self.steps))

    def fired(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(step.rule for step in self.steps if step.outcome == "fired"))

    def render(self) -> str:
        return "\n".join(self.for_rules(self.rules()))

    __str__ = render

    def to_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "steps": [step.to_dict() for step in self.steps]}


def lines_label(numbers) -> str:
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(str(n) for n in numbers)
