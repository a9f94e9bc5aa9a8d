"""Lark tree to syntax tree: the nodes of :mod:`radrules.syntax` built from what the parser read.

:class:`TreeWalk` walks a Lark tree from its leaves up, one method per alias of
the grammar; :class:`RuleFileBuilder` is the walk that builds a rule file's statements
(:func:`radrules.parser.parse_rules` calls it on every tree that parsed), and
the rule test format's builder (:mod:`radrules.testing.tree_builder`) is another.
"""

from __future__ import annotations

import re

from lark import Tree
from lark.lexer import Token as LarkToken

from . import syntax as s

def unquote(text: str) -> str:
    """The text of a quoted string token, its escapes resolved."""
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _modifier_filter(children) -> s.ModifierFilter | None:
    """The ``with modifier`` / ``without modifier`` clause among a test's parts, if it has one."""
    return next((child for child in children if isinstance(child, s.ModifierFilter)), None)


def _component_filter(children) -> s.ComponentFilter | None:
    """The ``billing the ... component`` clause among a test's parts, if it has one."""
    return next((child for child in children if isinstance(child, s.ComponentFilter)), None)


def _history_window(children):
    """The window (``within``, ``since``, ``on the same date``) among a history test's parts, if it has one."""
    return next((child for child in children[1:] if isinstance(child, (s.Within, s.Since, s.OnSameDate))), None)


class TreeWalk:
    """A plain walk of a Lark tree: one method per alias of the grammar, given the node's meta and its children
    built. Not a lark ``Transformer``: its ``v_args`` wrapper is made anew at each method call, which cost a
    quarter of the time of parsing a large rule file (docs/performance.md, "Loading"). Rule files and rule test
    files are built by one each."""

    def __init__(self, name: str):
        self.file_name = name  # not `self.name`: that would hide the `name` tree method

    def transform(self, tree: Tree):
        """The node built of ``tree``, from its leaves up. Rule files' trees are at most MAX_DEPTH deep when they
        get here, and the test format nests a few levels, so the recursion is bounded."""
        children = [self.transform(child) if type(child) is Tree else child for child in tree.children]
        return getattr(self, tree.data)(tree.meta, children)

    def _span(self, meta) -> s.Span:
        return s.Span(self.file_name, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, token: LarkToken) -> s.Token:
        text = unquote(token) if token.type == "STRING" else str(token)
        return s.Token(text, s.Span(self.file_name, token.line, token.column, token.end_line, token.end_column))


class RuleFileBuilder(TreeWalk):
    """Lark tree to :mod:`radrules.syntax` nodes (for the whole file, its statements)."""

    # helpers
    def _title_and_rest(self, children):
        rest = list(children)
        title = None
        if rest and isinstance(rest[0], LarkToken) and rest[0].type == "STRING":
            title = self._tok(rest.pop(0))
        return title, rest

    # file level
    def start(self, meta, items):
        return tuple(items)

    def header(self, meta, c):
        return s.Header(self._tok(c[0]), self._tok(c[1]), self._span(meta))

    def include(self, meta, c):
        return s.Include(self._tok(c[0]), self._span(meta))

    def set_def(self, meta, c):
        return s.SetDef(self._tok(c[0]), self._tok(c[1]), c[2], self._span(meta))

    def set_expr(self, meta, c):
        return s.SetExpr(tuple(c[0]), (), self._span(meta))

    def set_expr_except(self, meta, c):
        return s.SetExpr(tuple(c[0]), tuple(c[1]), self._span(meta))

    def set_union(self, meta, c):
        return tuple(c)

    def set_word(self, meta, c):
        return s.SetWord(self._tok(c[0]))

    def set_range(self, meta, c):
        return s.SetRange(self._tok(c[0]))

    def set_ref(self, meta, c):
        return s.SetRef(self._tok(c[0]))

    def set_text(self, meta, c):
        return s.SetText(self._tok(c[0]))

    def setting(self, meta, c):
        return s.Setting(self._tok(c[0]), self._tok(c[1]), (), self._span(meta))

    def setting_for_payer(self, meta, c):
        return s.Setting(self._tok(c[0]), self._tok(c[1]), c[2].payers, self._span(meta))

    def property_def(self, meta, c):
        return s.PropertyDef(self._tok(c[0]), self._tok(c[1]), c[2], self._span(meta), c[3] if len(c) > 3 else None)

    def table(self, meta, c):
        paths = tuple(self._tok(x) for x in c[1:] if isinstance(x, LarkToken) and x.type == "STRING")
        claim_type = next((x.claim_type for x in c[1:] if isinstance(x, s.ForType)), None)
        effective = next((x for x in c[1:] if isinstance(x, s.Effective)), None)
        payers = next((x.payers for x in c[1:] if isinstance(x, s.ForPayer)), ())
        return s.Table(self._tok(c[0]), paths, claim_type, effective, self._span(meta), payers)

    def disable_rule(self, meta, c):
        payers = next((x.payers for x in c[1:] if isinstance(x, s.ForPayer)), ())
        claim_type = next((x.claim_type for x in c[1:] if isinstance(x, s.ForType)), None)
        reference = next((x for x in c[1:] if isinstance(x, s.Reference)), None)
        return s.DisableRule(c[0], payers, claim_type, reference, self._span(meta))

    # blocks
    def rule_id(self, meta, c):
        return s.RuleId(".".join(str(x) for x in c), self._span(meta))

    def rule(self, meta, c):
        title, clauses = self._title_and_rest(c[1:])
        return s.Rule(c[0], title, tuple(clauses), self._span(meta))

    def _block(self, cls, row_types, meta, c):
        title, rest = self._title_and_rest(c[1:])
        clauses = tuple(x for x in rest if not isinstance(x, row_types))
        rows = tuple(x for x in rest if isinstance(x, row_types))
        return cls(c[0], title, clauses, rows, self._span(meta))

    def pairs_block(self, meta, c):
        return self._block(s.PairsBlock, (s.PairRow, s.DisablePair), meta, c)

    def limits_block(self, meta, c):
        return self._block(s.LimitsBlock, (s.LimitRow, s.DisableLimit), meta, c)

    def addons_block(self, meta, c):
        return self._block(s.AddonsBlock, (s.AddonRow, s.DisableAddon), meta, c)

    def _optional_tail(self, rest):
        effective = next((x for x in rest if isinstance(x, s.Effective)), None)
        text = next((self._tok(x) for x in rest if isinstance(x, LarkToken) and x.type == "STRING"), None)
        return effective, text

    def pair_row(self, meta, c):
        effective, rationale = self._optional_tail(c[3:])
        return s.PairRow(self._tok(c[0]), self._tok(c[1]), c[2], effective, rationale, self._span(meta))

    def disable_pair(self, meta, c):
        return s.DisablePair(self._tok(c[0]), self._tok(c[1]), self._span(meta))

    def indicator_word(self, meta, c):
        return self._tok(c[0])

    def indicator_allowed(self, meta, c):
        return s.Token("1", self._span(meta))

    def indicator_not_allowed(self, meta, c):
        return s.Token("0", self._span(meta))

    def indicator_not_applicable(self, meta, c):
        return s.Token("9", self._span(meta))

    def limit_row(self, meta, c):
        effective, rationale = self._optional_tail(c[3:])
        return s.LimitRow(self._tok(c[0]), self._tok(c[1]), self._tok(c[2]), effective, rationale, self._span(meta))

    def disable_limit(self, meta, c):
        return s.DisableLimit(self._tok(c[0]), self._span(meta))

    def addon_row(self, meta, c):
        effective = c[2] if len(c) > 2 else None
        return s.AddonRow(self._tok(c[0]), self._tok(c[1]), None, effective, self._span(meta))

    def addon_row_primaries(self, meta, c):
        effective = c[3] if len(c) > 3 else None
        return s.AddonRow(self._tok(c[0]), self._tok(c[1]), c[2], effective, self._span(meta))

    def disable_addon(self, meta, c):
        return s.DisableAddon(self._tok(c[0]), self._tok(c[1]) if len(c) > 1 else None, self._span(meta))

    # clauses
    def kind_clause(self, meta, c):
        return s.KindClause(self._tok(c[0]), self._span(meta))

    def for_payer(self, meta, c):
        return s.ForPayer(tuple(c[1:]), self._span(meta))

    def payer_name(self, meta, c):
        return self._tok(c[0])

    payer_string = payer_name

    def for_type(self, meta, c):
        return s.ForType(self._tok(c[0]), self._span(meta))

    def unless_table(self, meta, c):
        return s.UnlessTable(self._tok(c[0]), self._span(meta))

    def effective(self, meta, c):
        return s.Effective(self._tok(c[0]), None, self._span(meta))

    def effective_through(self, meta, c):
        return s.Effective(self._tok(c[0]), self._tok(c[1]), self._span(meta))

    def when(self, meta, c):
        return s.When(c[0], self._span(meta))

    def then(self, meta, c):
        return s.Then(self._tok(c[0]), self._tok(c[1]), self._tok(c[2]), self._span(meta))

    def carc(self, meta, c):
        return s.Carc(self._tok(c[0]), self._span(meta))

    def rarc(self, meta, c):
        return s.Rarc(tuple(self._tok(x) for x in c), self._span(meta))

    def reference(self, meta, c):
        return s.Reference(self._tok(c[0]), self._span(meta))

    def severity(self, meta, c):
        return s.SeverityClause(self._tok(c[0]), self._span(meta))

    def once_per_line(self, meta, c):
        return s.OncePerLine(self._span(meta))

    def once_per_claim(self, meta, c):
        return s.OncePerClaim(self._span(meta))

    def across_providers(self, meta, c):
        return s.AcrossProviders(self._span(meta))

    def group_when(self, meta, c):
        return s.GroupWhen(self._tok(c[0]), c[1], self._span(meta))

    # conditions
    def or_(self, meta, c):
        parts = []
        for part in c:
            parts.extend(part.parts if isinstance(part, s.Or) else (part,))
        return s.Or(tuple(parts), self._span(meta))

    def and_(self, meta, c):
        parts = []
        for part in c:
            parts.extend(part.parts if isinstance(part, s.And) else (part,))
        return s.And(tuple(parts), self._span(meta))

    def not_(self, meta, c):
        return s.Not(c[0], self._span(meta))

    def is_(self, meta, c):
        return s.Compare(c[0], s.Token("=", c[1].span), c[1], self._span(meta))

    def is_not(self, meta, c):
        return s.Compare(c[0], s.Token("!=", c[1].span), c[1], self._span(meta))

    def is_missing(self, meta, c):
        return s.Presence(c[0], False, self._span(meta))

    def is_present(self, meta, c):
        return s.Presence(c[0], True, self._span(meta))

    def compare(self, meta, c):
        return s.Compare(c[0], self._tok(c[1]), c[2], self._span(meta))

    def in_(self, meta, c):
        return s.InSet(c[0], c[1], False, self._span(meta))

    def not_in(self, meta, c):
        return s.InSet(c[0], c[1], True, self._span(meta))

    def between(self, meta, c):
        return s.Between(c[0], c[1], c[2], self._span(meta))

    def has(self, meta, c):
        return s.Has(c[0], "any", c[1], self._span(meta))

    def has_quantified(self, meta, c):
        return s.Has(c[0], str(c[1]), c[2], self._span(meta))

    def also_has(self, meta, c):
        clauses = [x for x in c[2:] if isinstance(x, tuple)]
        same_property = next((x[1] for x in clauses if x[0] == "property"), None)  # `among`: history's only
        same_date = any(x[0] == "date" for x in clauses)
        earlier = any(x[0] == "earlier" for x in clauses)
        return s.AlsoHas(self._tok(c[0]), c[1], same_date, self._span(meta), same_property, earlier,
                         _modifier_filter(c), _component_filter(c))

    def with_modifier(self, meta, c):
        return s.ModifierFilter(False, c[-1], self._span(meta))

    def without_modifier(self, meta, c):
        return s.ModifierFilter(True, c[-1], self._span(meta))

    def billing_component(self, meta, c):
        return s.ComponentFilter(self._tok(c[0]), self._span(meta))

    def same_property(self, meta, c):
        among = c[-1] if isinstance(c[-1], s.SetOperand) else None  # `with the same modifiers among SET`
        return ("property", self._tok(c[-2] if among is not None else c[-1]), among)

    def same_date(self, meta, c):
        return ("date", None)

    def earlier_line(self, meta, c):
        return ("earlier", None)

    def bills_component_test(self, meta, c):
        return s.BillsComponent(self._tok(c[0]), self._tok(c[1]), self._span(meta))

    def ptp_edit(self, meta, c):
        return s.PtpEdit(self._tok(c[0]), self._tok(c[1]), self._span(meta))

    def history_has(self, meta, c):
        return s.HistoryHas(c[0], _history_window(c), self._span(meta), _modifier_filter(c), _component_filter(c))

    def history_same(self, meta, c):
        same_date = any(isinstance(x, tuple) and x[0] == "date" for x in c)
        properties = [x for x in c if isinstance(x, tuple) and x[0] == "property"]
        among = next(((x[1], x[2]) for x in properties if x[2] is not None), None)
        return s.HistorySame(same_date, tuple(x[1] for x in properties), self._span(meta), _modifier_filter(c), among)

    def history_count(self, meta, c):
        return s.HistoryCount(c[0], _history_window(c), self._span(meta), _modifier_filter(c), _component_filter(c))

    def claim_units(self, meta, c):
        clauses = [x for x in c[2:] if isinstance(x, tuple)]
        same_property = next((x[1] for x in clauses if x[0] == "property"), None)
        same_date = any(x[0] == "date" for x in clauses)
        return s.ClaimUnits(self._tok(c[0]), c[1], same_date, self._span(meta), same_property, _modifier_filter(c),
                            _component_filter(c))

    def since_last(self, meta, c):
        return s.SinceLast(self._tok(c[0]), c[1], self._span(meta), _modifier_filter(c), _component_filter(c))

    def within(self, meta, c):
        return s.Within(self._tok(c[0]), self._tok(c[1]), self._span(meta))

    def since(self, meta, c):
        return s.Since(c[0], self._span(meta))

    def on_same_date(self, meta, c):
        return s.OnSameDate(self._span(meta))

    def field(self, meta, c):
        return s.Field(self._tok(c[0]), self._tok(c[1]), self._span(meta))

    def date_offset(self, meta, c):
        return s.DateOffset(c[0], self._tok(c[1]), self._tok(c[2]), self._tok(c[3]), self._span(meta),
                            workday=len(c) > 4)

    def among(self, meta, c):
        return s.Among(c[0], c[1], self._span(meta))

    def word(self, meta, c):
        return s.Literal("word", self._tok(c[0]), self._span(meta))

    def text(self, meta, c):
        return s.Literal("text", self._tok(c[0]), self._span(meta))

    def date(self, meta, c):
        return s.Literal("date", self._tok(c[0]), self._span(meta))

    def name(self, meta, c):
        return s.Literal("name", self._tok(c[0]), self._span(meta))

    def _set_operand(self, item, meta):
        span = self._span(meta)
        return s.SetOperand(s.SetExpr((item,), (), span), span)

    def set_ref_name(self, meta, c):
        return self._set_operand(s.SetRef(self._tok(c[0])), meta)

    def set_ref_word(self, meta, c):
        return self._set_operand(s.SetWord(self._tok(c[0])), meta)

    def set_ref_range(self, meta, c):
        return self._set_operand(s.SetRange(self._tok(c[0])), meta)

    def set_ref_text(self, meta, c):
        return self._set_operand(s.SetText(self._tok(c[0])), meta)

    def set_ref_inline(self, meta, c):
        return s.SetOperand(c[0], self._span(meta))
