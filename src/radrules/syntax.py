"""Typed syntax tree of the rule language, with source spans.

The parser (``parser.py``, its ``tree_builder.py``) builds these from Lark's parse tree; the compiler
(``compiler/``) reads them. Every node knows where it was written, so every
diagnostic can point at the exact token.
"""

from __future__ import annotations

import re
from typing import Union

import attrs

#: A name a rule file may write without quotes (the grammar's NAME): a payer's, say.
PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@attrs.frozen
class Span:
    """Where a node was written: 1-based line and column, end exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def cover(self, other: "Span") -> "Span":
        """The span from the start of ``self`` to the end of ``other``."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)


@attrs.frozen
class Token:
    """A word of the source with its span (codes, names, numbers, strings)."""

    text: str
    span: Span


# ---------------------------------------------------------------- sets


@attrs.frozen
class SetWord:
    """One literal element: a code, modifier, diagnosis or place of service."""

    token: Token


@attrs.frozen
class SetRange:
    """An inclusive range such as ``70450-70498``."""

    token: Token


@attrs.frozen
class SetRef:
    """A reference to a named set."""

    token: Token


@attrs.frozen
class SetText:
    """A quoted element (payer names and other free text)."""

    token: Token


SetItem = Union[SetWord, SetRange, SetRef, SetText]


@attrs.frozen
class SetExpr:
    """Union of ``items``, minus the union of ``excluded``."""

    items: tuple[SetItem, ...]
    excluded: tuple[SetItem, ...]
    span: Span


# ---------------------------------------------------------------- file level


@attrs.frozen
class Header:
    name: Token
    version: Token
    span: Span


@attrs.frozen
class Include:
    path: Token
    span: Span


@attrs.frozen
class SetDef:
    """``codes NAME = ...`` (or ``diagnoses``, ``modifiers``, ``places``)."""

    kind: Token
    name: Token
    expr: SetExpr
    span: Span


@attrs.frozen
class Setting:
    name: Token
    value: Token
    payers: tuple[Token, ...]
    span: Span


@attrs.frozen
class PropertyDef:
    """``property NAME = VALUE for SET``: a value attached to codes."""

    name: Token
    value: Token
    codes: SetExpr
    span: Span
    unless: UnlessTable | None = None  # `unless table KIND`: a stand-in, left out when such a table is loaded


@attrs.frozen
class Table:
    """``table KIND "path", ... [for payer P, ...] [for TYPE claims] [effective DATE]``."""

    kind: Token
    paths: tuple[Token, ...]
    claim_type: Token | None
    effective: "Effective | None"
    span: Span
    payers: tuple[Token, ...] = ()  # `for payer`: the payers this version serves (none: every payer)


# ---------------------------------------------------------------- clauses


@attrs.frozen
class KindClause:
    kind: Token
    span: Span


@attrs.frozen
class DisableRule:
    """``disable rule ID [for payer P, ...] [for TYPE claims] [reference "TEXT"]``: a rule left out."""

    rule_id: "RuleId"
    payers: tuple[Token, ...]
    claim_type: Token | None
    reference: "Reference | None"
    span: Span


@attrs.frozen
class ForPayer:
    payers: tuple[Token, ...]
    span: Span


@attrs.frozen
class ForType:
    claim_type: Token
    span: Span


@attrs.frozen
class UnlessTable:
    """``unless table KIND``: what a statement or block gives stands in for a CMS table of that kind and is left
    out for the claims such a loaded table serves."""

    kind: Token
    span: Span


@attrs.frozen
class Effective:
    start: Token
    end: Token | None
    span: Span


@attrs.frozen
class When:
    condition: "Expr"
    span: Span


@attrs.frozen
class Then:
    severity: Token
    target: Token
    message: Token
    span: Span


@attrs.frozen
class Carc:
    code: Token
    span: Span


@attrs.frozen
class Rarc:
    codes: tuple[Token, ...]
    span: Span


@attrs.frozen
class Reference:
    text: Token
    span: Span


@attrs.frozen
class SeverityClause:
    severity: Token
    span: Span


@attrs.frozen
class OncePerLine:
    """``once per line``: a pair rule fires at most once for each ``line``, with the first ``other`` that meets it."""

    span: Span


@attrs.frozen
class AcrossProviders:
    """``across providers``: a pair rule pairs the lines of a date whatever their rendering providers."""

    span: Span


@attrs.frozen
class OncePerClaim:
    """``once per claim``: a rule on one line that acts on the claim fires once, for the first line that meets it."""

    span: Span


@attrs.frozen
class GroupWhen:
    """``group PR when CONDITION``: the finding's `carc` takes this group when the condition holds on the lines
    it judges (a patient liable under an ABN, modifier GA)."""

    group: Token
    condition: "Expr"
    span: Span


Clause = Union[KindClause, ForPayer, ForType, Effective, When, Then, OncePerLine, OncePerClaim, AcrossProviders, Carc,
               Rarc, GroupWhen, Reference, SeverityClause]

#: The keyword that introduces each clause, for messages.
CLAUSE_WORDS = {
    KindClause: "kind",
    ForPayer: "for payer",
    ForType: "for ... claims",
    UnlessTable: "unless table",
    Effective: "effective",
    When: "when",
    Then: "then",
    OncePerLine: "once per line",
    OncePerClaim: "once per claim",
    AcrossProviders: "across providers",
    Carc: "carc",
    Rarc: "rarc",
    GroupWhen: "group",
    Reference: "reference",
    SeverityClause: "severity",
}

# ---------------------------------------------------------------- blocks


@attrs.frozen
class RuleId:
    text: str
    span: Span


@attrs.frozen
class Rule:
    rule_id: RuleId
    title: Token | None
    clauses: tuple[Clause, ...]
    span: Span


@attrs.frozen
class PairRow:
    """One edit pair: column 1, column 2, modifier indicator, dates, rationale."""

    column1: Token
    column2: Token
    indicator: Token  # text normalised to "0", "1" or "9" when spelled in words
    effective: Effective | None
    rationale: Token | None
    span: Span


@attrs.frozen
class DisablePair:
    column1: Token
    column2: Token
    span: Span


@attrs.frozen
class PairsBlock:
    rule_id: RuleId
    title: Token | None
    clauses: tuple[Clause, ...]
    rows: tuple[PairRow | DisablePair, ...]
    span: Span


@attrs.frozen
class LimitRow:
    code: Token
    max_units: Token
    mai: Token
    effective: Effective | None
    rationale: Token | None
    span: Span


@attrs.frozen
class DisableLimit:
    code: Token
    span: Span


@attrs.frozen
class LimitsBlock:
    rule_id: RuleId
    title: Token | None
    clauses: tuple[Clause, ...]
    rows: tuple[LimitRow | DisableLimit, ...]
    span: Span


@attrs.frozen
class AddonRow:
    code: Token
    aoc_type: Token
    primaries: SetExpr | None
    effective: Effective | None
    span: Span


@attrs.frozen
class DisableAddon:
    """``disable addon CODE``; ``primary`` is the ``with PRIMARY`` the compiler refuses (RR220)."""

    code: Token
    primary: Token | None
    span: Span


@attrs.frozen
class AddonsBlock:
    rule_id: RuleId
    title: Token | None
    clauses: tuple[Clause, ...]
    rows: tuple[AddonRow | DisableAddon, ...]
    span: Span


Block = Union[Rule, PairsBlock, LimitsBlock, AddonsBlock]
Statement = Union[Header, Include, SetDef, Setting, PropertyDef, Table, Rule, PairsBlock, LimitsBlock, AddonsBlock]

# ---------------------------------------------------------------- conditions


@attrs.frozen
class Field:
    """``root.name``: ``line.code``, ``claim.payer``, ``patient.age`` ..."""

    root: Token
    name: Token
    span: Span


@attrs.frozen
class Literal:
    """A literal operand. ``kind`` is ``word``, ``text``, ``date`` or ``name``."""

    kind: str
    token: Token
    span: Span


@attrs.frozen
class DateOffset:
    """``line.date + 12 months``; ``workday``: ``... to a workday``."""

    field: Field
    sign: Token
    amount: Token
    unit: Token
    span: Span
    workday: bool = False


@attrs.frozen
class Among:
    """``line.modifiers among SET``: the list's members that are members of the set (a list operand)."""

    field: Field
    values: "SetOperand"
    span: Span


Operand = Union[Field, Literal, DateOffset, Among, "HistoryCount", "SinceLast", "ClaimUnits"]


@attrs.frozen
class SetOperand:
    """The right side of ``in`` and ``has``: a set name, one element, or ``[...]``."""

    expr: SetExpr
    span: Span


@attrs.frozen
class And:
    parts: tuple["Expr", ...]
    span: Span


@attrs.frozen
class Or:
    parts: tuple["Expr", ...]
    span: Span


@attrs.frozen
class Not:
    part: "Expr"
    span: Span


@attrs.frozen
class Compare:
    """``a OP b`` where OP is one of = != < <= > >= (``is`` means =)."""

    left: Operand
    op: Token
    right: Operand
    span: Span


@attrs.frozen
class Presence:
    """``a is missing`` (``present`` False) or ``a is present``."""

    operand: Operand
    present: bool
    span: Span


@attrs.frozen
class InSet:
    operand: Operand
    values: SetOperand
    negated: bool
    span: Span


@attrs.frozen
class Between:
    operand: Operand
    low: Operand
    high: Operand
    span: Span


@attrs.frozen
class Has:
    """``a has X`` / ``a has any|all|none of X``; plain ``has`` means ``any``."""

    operand: Operand
    quantifier: str
    values: SetOperand
    span: Span


@attrs.frozen
class ModifierFilter:
    """``with modifier SET`` / ``without modifier SET`` after the codes of ``claim also has`` and the history
    tests: only lines that have one of the modifiers (``without``: none of them) count."""

    without: bool
    values: SetOperand
    span: Span


@attrs.frozen
class ComponentFilter:
    """``billing the professional component`` / ``billing the technical component`` after the codes (and the
    modifier filter) of ``claim also has`` and the history tests: only lines that bill that part count."""

    component: Token  # `professional` or `technical` (the compiler says so of another word)
    span: Span


@attrs.frozen
class AlsoHas:
    """``claim also has CODES [with the same PROPERTY] [on the same date] [on an earlier line]``.

    True when another line bills one of CODES (whose PROPERTY, if named,
    equals this line's, whose date, if asked, is this line's, and whose
    number, if asked, is lower than this line's).
    """

    root: Token
    values: SetOperand
    same_date: bool
    span: Span
    same_property: Token | None = None
    earlier: bool = False
    modifiers: ModifierFilter | None = None
    component: ComponentFilter | None = None


@attrs.frozen
class BillsComponent:
    """``line bills the professional component`` (or ``other``, or ``technical``): the line bills that part of
    its service."""

    root: Token
    component: Token
    span: Span


@attrs.frozen
class PtpEdit:
    """``ptp edit between line and other``: an active PTP row links the two codes."""

    first: Token
    second: Token
    span: Span


@attrs.frozen
class Within:
    """``within 12 months``: from that long before the line's date."""

    amount: Token
    unit: Token
    span: Span


@attrs.frozen
class OnSameDate:
    """``on the same date`` after ``history has CODES``: earlier claims' services of the line's own date."""

    span: Span


@attrs.frozen
class Since:
    """``since patient.birth_date + 35 years``: from a date on."""

    operand: "Operand"
    span: Span


@attrs.frozen
class HistoryHas:
    """``history has CODES [with modifier M] [within N months | since DATE]``: a paid earlier service bills one of
    CODES."""

    values: SetOperand
    window: Within | Since | None
    span: Span
    modifiers: ModifierFilter | None = None
    component: ComponentFilter | None = None


@attrs.frozen
class HistorySame:
    """``history has the same code [with(out) modifier M] [on the same date] [with the same modifiers] [with the
    same units] [with the same provider] [with the same type]``."""

    same_date: bool
    same_properties: tuple  # Token: `modifiers`, `units`, `provider`, `type`
    span: Span
    modifiers: ModifierFilter | None = None
    among: tuple | None = None  # `with the same NAME among SET`: (the NAME's Token, the SetOperand)


@attrs.frozen
class HistoryCount:
    """``history count of CODES [with modifier M] [within ... | since ...]``: how many paid earlier services (an
    operand)."""

    values: SetOperand
    window: Within | Since | None
    span: Span
    modifiers: ModifierFilter | None = None
    component: ComponentFilter | None = None


@attrs.frozen
class ClaimUnits:
    """``claim units of CODES [with modifier M] [billing the ... component] [with the same PROPERTY] [on the same
    date]``: the units of this
    claim's lines that bill one of CODES, the line judged among them (an operand)."""

    root: Token
    values: SetOperand
    same_date: bool
    span: Span
    same_property: Token | None = None
    modifiers: ModifierFilter | None = None
    component: ComponentFilter | None = None


@attrs.frozen
class SinceLast:
    """``months since last CODES``: time from the last paid earlier service to the line (an operand)."""

    unit: Token
    values: SetOperand
    span: Span
    modifiers: ModifierFilter | None = None
    component: ComponentFilter | None = None


Expr = Union[And, Or, Not, Compare, Presence, InSet, Between, Has, AlsoHas, BillsComponent, PtpEdit, HistoryHas,
             HistorySame]


def nodes(node):
    """``node`` and every syntax node under it, parents first (attrs classes, in tuples and lists)."""
    if isinstance(node, (tuple, list)):
        for item in node:
            yield from nodes(item)
    elif attrs.has(type(node)) and not isinstance(node, (Token, Span)):
        yield node
        for field in attrs.fields(type(node)):
            yield from nodes(getattr(node, field.name))


def without_spans(node) -> object:
    """``node`` as nested tuples without positions: equal for trees that differ only in layout.

    A node becomes ``(class name, field, ...)``, a :class:`Token` its text,
    and spans are left out. For a file, compare ``without_spans(source.statements)``
    (a :class:`SourceFile` also holds its name and text).
    """
    if isinstance(node, Token):
        return node.text
    if isinstance(node, tuple):
        return tuple(without_spans(item) for item in node)
    if attrs.has(type(node)):
        return (type(node).__name__,) + tuple(
            without_spans(getattr(node, f.name)) for f in attrs.fields(type(node))
            if not isinstance(getattr(node, f.name), Span)
        )
    return node


@attrs.frozen
class SourceFile:
    """One parsed rule file: its display name, text and statements."""

    name: str
    text: str
    statements: tuple[Statement, ...]
