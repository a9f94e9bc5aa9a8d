"""``diff_outcomes``: evaluate historical claims with two rulesets and count what moves.

Claims are read and evaluated one at a time; only totals, a row per rule
and per edit row and the first few examples are kept, so memory does not
grow with the number of claims. Each claim is read once and evaluated by
both rulesets.

A finding is identified by (rule, severity, lines, related lines, CARC,
RARC): a new message or source position alone is not a change (a table
row's file:row differs from one version to the next). A line whose status
changes is put down to every rule that holds it (``deny`` or ``review``)
under one ruleset and not, at that severity, under the other. The findings
that differ are also told by their source (a table row's file:row, a rule
file's line), which is shown, not compared; those of PTP, MUE and add-on
edits are counted by it.
"""

from __future__ import annotations

import io
import os
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping, Union

import attrs

from .. import money
from ..authorizations import AuthorizationFile
from ..claim import Claim
from ..errors import ClaimError, open_path
from ..evaluation import last_service_date
from ..result import KIND_ORDER
from ..ruleset import HistoryInput, Ruleset
from .._resources import file_position, file_size
from .claims import Unreadable, decode_line, is_array, read_claim_file
from .shift import ShiftedHistory, shift_claim

#: What ``diff_outcomes`` reads claims from: a claims file's path, the file opened in binary mode, or claims (dicts
#: in the claim JSON shape, :class:`~radrules.Claim` objects, or JSON text lines).
ClaimsSource = Union[str, os.PathLike[str], io.BufferedIOBase, Iterable[Union[Claim, Mapping[str, Any], str]]]

STATUSES = ("pay", "review", "deny")
#: The kinds whose findings are counted by source: one rule id holds many rows (a table's, a block's).
ROW_KINDS = frozenset({"ptp", "mue", "addon"})
#: How often (in claims) ``progress`` is called.
PROGRESS_EVERY = 64


@attrs.frozen
class Move:
    """Lines whose status went from ``old`` to ``new``, with their billed charges."""

    old: str
    new: str
    lines: int
    charge: float  # the sum of their charges
    without_charge: int  # lines with no charge (counted as 0 in ``charge``)

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.old, "to": self.new, "lines": self.lines, "charge": self.charge,
                "without_charge": self.without_charge}


@attrs.frozen
class RuleImpact:
    """What one rule does differently across the claims."""

    rule: str
    kind: str
    claims: int  # claims whose findings of this rule differ
    appeared: int  # ... where it fires only with NEW
    disappeared: int  # ... where it fires only with OLD
    lines: int  # lines whose status changed because of it
    denied_lines: int  # lines it newly denies
    denied_charge: float
    released_lines: int  # lines it no longer denies
    released_charge: float

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class SourceImpact:
    """What the findings of one edit row (a table's ``file:row``, a block row's ``file:line``) do differently
    across the claims: a finding counts where no finding of the other ruleset has its rule, severity, lines,
    related lines, CARC and RARC."""

    source: str
    rule: str
    kind: str
    claims: int  # claims with a finding of this source that differs
    appeared: int  # ... found only with NEW
    disappeared: int  # ... found only with OLD

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class LineChange:
    """One line whose status changed: number, code, statuses, charge and the rules it is put down to."""

    line: int
    code: str | None  # None: a line of a revenue code alone
    old: str
    new: str
    charge: float | None
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "code": self.code, "from": self.old, "to": self.new, "charge": self.charge,
                "rules": list(self.rules)}


@attrs.frozen
class ClaimChange:
    """One claim whose result differs. Holds no patient data: ids, line numbers, codes, rules, charges."""

    number: int  # line in a JSON Lines file, position otherwise
    claim: str | None  # the claim's id
    old_passed: bool
    new_passed: bool
    lines: tuple[LineChange, ...]
    appeared: tuple[str, ...]  # rules that fire only with NEW
    disappeared: tuple[str, ...]  # rules that fire only with OLD
    changed: tuple[str, ...]  # rules that fire with both, on other lines or at another severity
    # (rule, sources of its findings only with OLD, ... only with NEW) for the rules above, in their order
    sources: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()

    def rule_sources(self, rule: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The sources of ``rule``'s findings found only with OLD and only with NEW."""
        return next(((old, new) for name, old, new in self.sources if name == rule), ((), ()))

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "claim": self.claim, "old_passed": self.old_passed,
                "new_passed": self.new_passed, "lines": [line.to_dict() for line in self.lines],
                "appeared": list(self.appeared), "disappeared": list(self.disappeared),
                "changed": list(self.changed),
                "sources": {rule: {"old": list(old), "new": list(new)} for rule, old, new in self.sources}}


@attrs.frozen
class BadClaim:
    """An item that could not be evaluated: its number and the problem (never its content)."""

    number: int
    problem: str

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "problem": self.problem}


@attrs.frozen
class OutcomeDiff:
    """What changes when claims are judged by NEW instead of OLD (:func:`diff_outcomes`)."""

    numbering: str  # "line" (JSON Lines) or "position": what BadClaim and ClaimChange numbers count
    claims: int  # claims evaluated
    unreadable: int  # items that were not claims
    changed: int  # claims whose result differs in any way
    outcome_changed: int  # ... whose pass/fail or a line's status differs
    pass_to_fail: int
    fail_to_pass: int
    moves: tuple[Move, ...]  # line status changes, by (old, new)
    rules: tuple[RuleImpact, ...]  # most claims first
    examples: tuple[ClaimChange, ...]  # the first changed claims
    bad: tuple[BadClaim, ...]  # the first unreadable items
    first_date: str | None = None  # the earliest and latest date of service of the claims evaluated (ISO)
    last_date: str | None = None
    shift_days: int = 0  # every date of the claims (and history) moved by this many days
    sources: tuple[SourceImpact, ...] = ()  # PTP, MUE and add-on rows, the first by most claims
    source_count: int = 0  # rows with a finding that differs (``sources`` holds the first)

    def __bool__(self) -> bool:
        return self.changed > 0

    def move(self, old: str, new: str) -> Move:
        """The lines that went from ``old`` to ``new`` (zero lines if none did)."""
        return next((m for m in self.moves if (m.old, m.new) == (old, new)), Move(old, new, 0, 0.0, 0))

    @property
    def charge_denied(self) -> float:
        """Billed charges of lines paid with OLD and denied with NEW."""
        return self.move("pay", "deny").charge

    @property
    def charge_released(self) -> float:
        """Billed charges of lines denied with OLD and paid with NEW."""
        return self.move("deny", "pay").charge

    def to_dict(self) -> dict[str, Any]:
        return {
            "numbering": self.numbering, "claims": self.claims, "unreadable": self.unreadable,
            "changed": self.changed, "outcome_changed": self.outcome_changed,
            "pass_to_fail": self.pass_to_fail, "fail_to_pass": self.fail_to_pass,
            "charge_denied": self.charge_denied, "charge_released": self.charge_released,
            "moves": [move.to_dict() for move in self.moves],
            "rules": [rule.to_dict() for rule in self.rules],
            "examples": [example.to_dict() for example in self.examples],
            "bad": [bad.to_dict() for bad in self.bad],
            "first_date": self.first_date, "last_date": self.last_date, "shift_days": self.shift_days,
            "sources": [source.to_dict() for source in self.sources], "source_count": self.source_count,
        }

    def to_text(self) -> str:
        """The impact report for people."""
        from .report import outcome_text

        return outcome_text(self)


class _SourceTotals:
    __slots__ = ("kind", "claims", "appeared", "disappeared")

    def __init__(self, kind: str):
        self.kind = kind
        self.claims = self.appeared = self.disappeared = 0


class _RuleTotals:
    __slots__ = ("kind", "claims", "appeared", "disappeared", "lines", "denied_lines", "denied_cents",
                 "released_lines", "released_cents")

    def __init__(self, kind: str):
        self.kind = kind
        self.claims = self.appeared = self.disappeared = self.lines = 0
        self.denied_lines = self.denied_cents = self.released_lines = self.released_cents = 0


def diff_outcomes(old: Ruleset, new: Ruleset, claims: ClaimsSource, *,
                  progress: Callable[[int, int | None, int | None], object] | None = None, limit_examples: int = 10,
                  payers: Mapping[str, str] | None = None, history: HistoryInput = None,
                  authorizations: str | os.PathLike[str] | None = None, shift_days: int = 0) -> OutcomeDiff:
    """Evaluate each claim with ``old`` and ``new``; count the claims, lines, rules and charges that move.

    ``claims`` is the path of a claims file (JSON Lines, a JSON array when
    it starts with ``[``, X12 837 or FHIR, told apart as ``radrules eval``
    tells them) or such a file opened in binary mode, or an iterable
    of claim dicts, :class:`~radrules.Claim` objects or JSON text lines (a
    file of JSON Lines opened as text). Items that are not
    claims are counted and the first ``limit_examples`` reported by number,
    never raised; so are the first changed claims, and the PTP, MUE and
    add-on rows whose findings differ (most claims first). ``progress(done, read, total)``, if given, is called every
    few claims and at the end: items done, and bytes read and the file's size
    when reading a file (else None). ``payers`` maps payer ids to payer names
    for an X12 or FHIR file, as ``read_x12`` and ``read_fhir`` take it.
    ``history`` (a :class:`~radrules.History`) gives both rulesets the
    patients' earlier lines, as ``evaluate(claim, history=...)`` does;
    ``authorizations``, the path of the payer's prior-authorization records
    (JSON Lines, as ``radrules eval --authorizations`` reads them), gives
    each claim the records of its authorization numbers (InputError for a
    bad file, before any claim is read). ``shift_days`` moves every date of each
    claim (its lines, received date, birth date, authorization records) and
    of the history by that many days, so that old claims can be judged by
    table rows and rules that take effect later (a claim whose dates would
    leave the calendar is unreadable).
    """
    for argument, value in (("old", old), ("new", new)):
        if not isinstance(value, Ruleset):  # (it was an AttributeError at the first claim)
            raise TypeError(f"diff_outcomes(): `{argument}` must be a Ruleset (radrules.load()), not "
                            f"{type(value).__name__}")
    if not isinstance(claims, (str, os.PathLike)) and not (hasattr(claims, "peek") and hasattr(claims, "read")) and (
            isinstance(claims, (bytes, bytearray, memoryview, Mapping)) or not isinstance(claims, Iterable)):
        # (a claim's dict was read as its keys, a file's bytes as numbers: every one an unreadable claim)
        raise TypeError("diff_outcomes(): `claims` must be a claims file's path, the file opened in binary mode, or "
                        f"an iterable of claims, not {type(claims).__name__}")
    if shift_days:
        history = ShiftedHistory(history, shift_days) if history is not None else None
    context = _Context(old, new, limit_examples, history,
                       AuthorizationFile(authorizations) if authorizations is not None else None, shift_days)
    if isinstance(claims, (str, os.PathLike)):
        handle, _ = open_path(claims, "a claims file")
        with handle:
            return _read_file(context, handle, progress, payers)
    if hasattr(claims, "peek") and hasattr(claims, "read"):
        return _read_file(context, claims, progress, payers)
    report = (lambda done: progress(done, None, None)) if progress else None
    return _run(context, enumerate(claims, 1), "position", report)


@attrs.frozen
class _Context:
    """What every claim of a :func:`diff_outcomes` run is evaluated with."""

    old: object
    new: object
    limit: int
    history: object
    records: object  # an AuthorizationFile, or None
    shift_days: int = 0


def _read_file(context: _Context, handle, progress, payers=None) -> OutcomeDiff:
    """Claims from a buffered binary file: JSON Lines, a JSON array, X12 837 or FHIR (as ``eval`` tells them
    apart); an X12 or FHIR claim that can't be mapped is unreadable, numbered by its position."""
    from ..readers import HEAD, detect_format, read_fhir, read_x12

    size = file_size(handle)
    report = (lambda done: progress(done, file_position(handle), size)) if progress else None
    if handle.seekable():  # the same 64 KiB eval looks at (peek gives at most the buffer, 8 KiB)
        head = handle.read(HEAD)
        handle.seek(-len(head), 1)
    else:  # a pipe: a buffer as large, so that one peek can see as far
        handle = io.BufferedReader(handle, buffer_size=HEAD)
        head = handle.peek(HEAD)
    kind = detect_format(head)
    if kind != "json":
        read = read_x12 if kind == "x12" else read_fhir
        return _run(context, _positions(read(handle, payers=payers)), "position", report)
    numbering = "position" if is_array(handle) else "line"
    return _run(context, read_claim_file(handle), numbering, report)


def _positions(items: Iterable) -> Iterable:
    """(position, claim or Unreadable) of a reader's claims and errors, numbered as ``eval`` numbers them: by
    the claim's place in the file; an envelope error, which is no claim, has number 0."""
    position = 0
    for item in items:
        if isinstance(item, Claim):
            position += 1
            yield position, item
        elif getattr(item, "claim", None) is not None:
            position = item.claim
            yield position, Unreadable(str(item))
        else:
            yield 0, Unreadable(str(item))


def _run(context: _Context, items: Iterable, numbering: str, report) -> OutcomeDiff:
    old, new, limit, history, records = context.old, context.new, context.limit, context.history, context.records
    counts = {"claims": 0, "unreadable": 0, "changed": 0, "outcome": 0, "pass_to_fail": 0, "fail_to_pass": 0}
    moves: dict = defaultdict(lambda: [0, 0, 0])  # (old, new) -> [lines, cents, lines without charge]
    rules: dict[str, _RuleTotals] = {}
    sources: dict[tuple[str, str], _SourceTotals] = {}  # by (rule, source)
    examples: list[ClaimChange] = []
    bad: list[BadClaim] = []
    numbering_seen = numbering
    shift = context.shift_days
    first = last = None  # dates of service, as evaluated
    done = 0
    for number, item in items:
        done += 1
        if report is not None and done % PROGRESS_EVERY == 0:
            report(done)
        if isinstance(item, (str, bytes)):
            if not item.strip():
                continue
            numbering_seen = "line"
            item = decode_line(item)
        if isinstance(item, Unreadable):
            counts["unreadable"] += 1
            if len(bad) < limit:
                bad.append(BadClaim(number, item.problem))
            continue
        try:
            claim = item if isinstance(item, Claim) else Claim.from_dict(item)
            if records is not None:
                claim = records.attach(claim)
            if shift:
                claim = shift_claim(claim, shift)
        except ClaimError as error:
            counts["unreadable"] += 1
            if len(bad) < limit:
                bad.append(BadClaim(number, str(error)))
            continue
        if claim.lines:  # a span's line is on every day of it, to its end
            low, high = min(line.date for line in claim.lines), last_service_date(claim)
            first = low if first is None or low < first else first
            last = high if last is None or high > last else last
        counts["claims"] += 1
        before = old.evaluate(claim, history=history)
        after = new.evaluate(claim, history=history)
        if before.passed == after.passed and before.statuses == after.statuses:
            if _finding_keys(before) == _finding_keys(after):
                continue
        change = _compare(claim, number, before, after, moves, rules, sources)
        counts["changed"] += 1
        if change.lines or change.old_passed != change.new_passed:
            counts["outcome"] += 1
        if change.old_passed and not change.new_passed:
            counts["pass_to_fail"] += 1
        elif change.new_passed and not change.old_passed:
            counts["fail_to_pass"] += 1
        if len(examples) < limit:
            examples.append(change)
    if report is not None:
        report(done)
    return OutcomeDiff(
        numbering=numbering_seen,
        claims=counts["claims"], unreadable=counts["unreadable"], changed=counts["changed"],
        outcome_changed=counts["outcome"], pass_to_fail=counts["pass_to_fail"],
        fail_to_pass=counts["fail_to_pass"],
        moves=tuple(
            Move(a, b, lines, money.amount(cents), without)
            for (a, b), (lines, cents, without) in sorted(moves.items(), key=_move_order)
        ),
        rules=tuple(
            RuleImpact(rule, t.kind, t.claims, t.appeared, t.disappeared, t.lines, t.denied_lines,
                       money.amount(t.denied_cents), t.released_lines, money.amount(t.released_cents))
            for rule, t in sorted(rules.items(), key=lambda item: (-item[1].claims, KIND_ORDER.get(item[1].kind, 99),
                                                                   item[0]))
        ),
        examples=tuple(examples),
        bad=tuple(bad),
        first_date=first.isoformat() if first is not None else None,
        last_date=last.isoformat() if last is not None else None,
        shift_days=shift,
        sources=tuple(
            SourceImpact(source, rule, t.kind, t.claims, t.appeared, t.disappeared)
            for (rule, source), t in sorted(sources.items(), key=_source_order)[:limit]
        ),
        source_count=len(sources),
    )


def _move_order(item):
    (old, new), _ = item
    # Toward deny first (the money an analyst asks about), then away from it.
    return (STATUSES.index(old) - STATUSES.index(new), STATUSES.index(old), STATUSES.index(new))


def _source_order(item) -> tuple:
    """Most claims first, then by kind, rule and source (``aoc.csv:2`` before ``aoc.csv:10``)."""
    (rule, source), t = item
    name, _, row = source.rpartition(":")
    return (-t.claims, KIND_ORDER.get(t.kind, 99), rule, name, int(row) if row.isdigit() else 0, source)


def _finding_keys(result) -> set:
    return {(f.rule, f.severity, f.lines, f.related_lines, f.carc, f.rarc) for f in result.findings}


def _holds(result) -> dict:
    """{line number: {(rule, severity)}} of the deny and review findings."""
    out: dict = defaultdict(set)
    for finding in result.findings:
        if finding.severity in ("deny", "review"):
            for number in finding.lines:
                out[number].add((finding.rule, finding.severity))
    return out


def _keyed(findings) -> dict:
    """{rule: {finding key: [sources]}}: a finding's key leaves its source out (see the module)."""
    out: dict = defaultdict(dict)
    for f in findings:
        out[f.rule].setdefault((f.severity, f.lines, f.related_lines, f.carc, f.rarc), []).append(f.source)
    return out


def _only(found: dict, other: dict) -> tuple[str, ...]:
    """The sources of the findings of ``found`` whose key ``other`` does not have, once each, in order."""
    return tuple(dict.fromkeys(source for key, listed in found.items() if key not in other
                               for source in listed if source is not None))


def _compare(claim, number, before, after, moves, rules, sources) -> ClaimChange:
    """Record one changed claim in the totals; return its example."""
    kinds = {f.rule: f.kind for f in (*before.findings, *after.findings)}
    old_keys, new_keys = _keyed(before.findings), _keyed(after.findings)
    appeared, disappeared, changed, moved = [], [], [], []
    for rule in sorted(old_keys.keys() | new_keys.keys()):
        old_found, new_found = old_keys.get(rule, {}), new_keys.get(rule, {})
        if old_found.keys() == new_found.keys():
            continue
        gone, now = _only(old_found, new_found), _only(new_found, old_found)
        moved.append((rule, gone, now))
        for source in dict.fromkeys((*gone, *now)) if kinds[rule] in ROW_KINDS else ():
            counts = sources.get((rule, source))
            if counts is None:
                counts = sources[rule, source] = _SourceTotals(kinds[rule])
            counts.claims += 1
            counts.appeared += source in now
            counts.disappeared += source in gone
        totals = rules.get(rule)
        if totals is None:
            totals = rules[rule] = _RuleTotals(kinds[rule])
        totals.claims += 1
        if rule not in old_keys:
            totals.appeared += 1
            appeared.append(rule)
        elif rule not in new_keys:
            totals.disappeared += 1
            disappeared.append(rule)
        else:
            changed.append(rule)
    line_changes = []
    held_before, held_after = _holds(before), _holds(after)
    for status_before, status_after in zip(before.lines, after.lines):
        if status_before.status == status_after.status:
            continue
        index = status_before.line
        line = claim.lines[index - 1]
        cents = money.cents(line.charge) or 0
        move = moves[(status_before.status, status_after.status)]
        move[0] += 1
        move[1] += cents
        if line.charge is None:
            move[2] += 1
        responsible = sorted({rule for rule, _ in held_before[index] ^ held_after[index]})
        for rule in responsible:
            totals = rules.get(rule)
            if totals is None:
                totals = rules[rule] = _RuleTotals(kinds[rule])
            totals.lines += 1
            # denied: the rule denies the line now; released: it denied the line before (a rule that
            # only reviewed the line is in neither)
            if status_after.status == "deny" and (rule, "deny") in held_after[index]:
                totals.denied_lines += 1
                totals.denied_cents += cents
            elif status_before.status == "deny" and (rule, "deny") in held_before[index]:
                totals.released_lines += 1
                totals.released_cents += cents
        line_changes.append(LineChange(index, line.code, status_before.status, status_after.status, line.charge,
                                       tuple(responsible)))
    return ClaimChange(number, claim.id, before.passed, after.passed, tuple(line_changes), tuple(appeared),
                       tuple(disappeared), tuple(changed), tuple(moved))
