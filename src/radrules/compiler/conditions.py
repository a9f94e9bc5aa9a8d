"""Type-check ``when`` conditions and build the runtime nodes of ``radrules.conditions``.

Each operand has a type; each test allows some types. The field catalogue
(fields.py) is the closed set of names a rule may read (docs/language.md#fields);
analysis.py reads the compiled conditions (index keys, RR264, the cost of a test).
"""

from __future__ import annotations

import re

import attrs

from .. import codes
from .. import conditions as c
from .. import syntax as s
from ..syntax import Span
from ..claim import AUTHORIZATION_STATUSES, CLAIM_TYPES, SEXES
from ..claim_values import bill_type_digits, frequency_code, payer_key
from ..errors import shortened, suggestion
from .analysis import cost
from .context import Context
from .fields import (CLAIM_FIELDS, COLLECTIONS, FIELD_ALIASES, LINE_FIELDS, MEMBER_OF, ORDERED, PATIENT_FIELDS, ROOTS,
                     TYPE_WORDS)
from .sets import SetTable

_UNITS = {"day": (0, 1), "days": (0, 1), "month": (1, 0), "months": (1, 0), "year": (12, 0), "years": (12, 0)}
#: The longest shift of each unit: the span of the calendar (years 1 to 9999).
_LONGEST = {"days": 3_652_058, "months": 119_987, "years": 9_998}


@attrs.frozen
class Operand:
    node: object
    type: str
    roots: frozenset
    span: s.Span
    field: str | None = None  # "line.code" for fields


#: Claim values written as a claim gives them: how to read one (as the claim's reader does), what it is, a hint.
_BILL_CODES = {
    "bill_type": (bill_type_digits, "a type of bill",
                  "write 2 digits and the frequency code, or 4 with a leading 0: `131`, `0131`, `13Q`"),
    "frequency": (frequency_code, "a claim frequency code",
                  "write a digit or one of NUBC's letters (A-K, M, P, Q, X-Z): `7`, `Q`"),
}

class ConditionCompiler:
    """Compiles the expressions of one ruleset (sets and properties already known)."""

    def __init__(self, ctx: Context, sets: SetTable, properties: dict):
        self.ctx = ctx
        self.sets = sets
        self.properties = properties
        self.roots: set[str] = set()

    # ------------------------------------------------------------ entry points

    def condition(self, expr) -> tuple[object | None, set[str]]:
        """A compiled condition and the roots it reads (line, other, claim, patient)."""
        self.roots = set()
        node = self._expr(expr)
        return node, self.roots

    def field(self, field: s.Field) -> Operand | None:
        """A field operand (used by message templates too)."""
        return self._field(field)

    # ------------------------------------------------------------ expressions

    def _text(self, node) -> str:
        span = node.span
        line = self.ctx.source_line(span)
        if line is None:
            return ""
        if span.end_line == span.line:
            return line[span.column - 1: span.end_column - 1]
        # A part written over several lines: its text on one line, comments dropped.
        pieces = [line[span.column - 1:]]
        for number in range(span.line + 1, span.end_line + 1):
            text = self.ctx.source_line(Span(span.file, number, 1, number, 1)) or ""
            pieces.append(text[: span.end_column - 1] if number == span.end_line else text)
        return " ".join(" ".join(piece.split("#", 1)[0].split()) for piece in pieces if piece.strip())

    def _expr(self, expr):
        method = getattr(self, "_" + type(expr).__name__.lower())
        return method(expr)

    def _and(self, expr: s.And):
        parts = [self._expr(p) for p in expr.parts]
        if any(p is None for p in parts):
            return None
        # Kleene `and` is commutative: test the cheap parts first.
        written = tuple(parts)
        parts.sort(key=cost)
        return c.And(tuple(parts), self._text(expr), written)

    def _or(self, expr: s.Or):
        parts = [self._expr(p) for p in expr.parts]
        if any(p is None for p in parts):
            return None
        return c.Or(tuple(parts), self._text(expr))

    def _not(self, expr: s.Not):
        part = self._expr(expr.part)
        return None if part is None else c.Not(part, self._text(expr))

    def _compare(self, expr: s.Compare):
        left = self._operand(expr.left, allow_identifier=True)  # an identifier's error follows, with its hint
        if left is None:
            return None
        op = expr.op.text
        if left.type == "identifier":
            return self._identifiers(expr, left, op)
        word = expr.right.token.text if isinstance(expr.right, s.Literal) and expr.right.kind != "text" else None
        if word in ("present", "missing") and op in ("=", "!="):
            # `is not present` reads as "is not the name `present`": a payer named so is never meant (quote it if so)
            meant = {("!=", "present"): "missing", ("!=", "missing"): "present"}.get((op, word), word)
            self.ctx.error("RR209", f"`{self._text(expr)}` compares `{left.field or self._text(expr.left)}` with the "
                           f"word `{word}`, not whether it is given", expr.span,
                           help=f"write `{left.field or self._text(expr.left)} is {meant}`; to compare with a name "
                                f"`{word}`, quote it")
            return None
        if op not in ("=", "!=") and left.type not in ORDERED:
            self.ctx.error("RR209", f"`{op}` needs numbers or dates, but `{left.field or self._text(expr.left)}` is "
                           f"{TYPE_WORDS[left.type]}", expr.op.span, help="use `is`, `is not`, `in` or `has`")
            return None
        if left.type in COLLECTIONS and not isinstance(expr.right, (s.Field, s.Among)):
            # `is not` / `!=` means "does not carry it": the hint must keep that sense.
            test = "has none of" if op == "!=" else "has"
            self.ctx.error("RR209", f"`{left.field}` is {TYPE_WORDS[left.type]}; test its members with `has`",
                           expr.span, help=f"write `{left.field} {test} {self._text(expr.right)}`")
            return None
        right = self._operand(expr.right, expected=left.type)
        if right is None:
            return None
        if not self._same_type(left, right, expr):
            return None
        if isinstance(expr.left, s.Among) is not isinstance(expr.right, s.Among):
            narrowed, whole = (left, right) if isinstance(expr.left, s.Among) else (right, left)
            self.ctx.error("RR209", f"`{self._text(expr)}` compares `{whole.field}`, all of its modifiers, with "
                           "some of the other side's", expr.span,
                           help=f"narrow both sides: `{whole.field} {narrowed.field.split(' ', 1)[1]}`")
            return None
        if isinstance(left.node, c.PropertyOf) and isinstance(right.node, c.Const):
            self._property_values(left.node.name, [(right.node.value, expr.right.span)])
        return c.Compare(left.node, op, right.node, self._text(expr))

    def _identifiers(self, expr: s.Compare, left: Operand, op: str):
        """A comparison of an identifier: only with the other line's same identifier, `=` or `!=` (whether two
        lines name one rendering provider, their values never read); else RR209."""
        if isinstance(expr.right, s.Field) and op in ("=", "!="):
            right = self._operand(expr.right, allow_identifier=True)
            if right is None:
                return None
            if right.type == "identifier" and _record_field(left) == _record_field(right) and \
                    {left.field.split(".")[0], right.field.split(".")[0]} == {"line", "other"}:
                return c.Compare(left.node, op, right.node, self._text(expr))
        written = isinstance(expr.right, s.Literal) and op == "!=" and expr.right.token.text == "present"
        self._identifier_error(left, f"write `{left.field} is missing`" if written else None)  # `is not present`
        return None

    def _property_values(self, name: str, written: list) -> None:
        """RR274 for each value (value, span) that no code has as its property ``name``: a misspelt value makes a
        test that is never true (`line.contrast_family is ct_haed`), or always true with `is not`. A property that
        tables fill (`pctc`, `bilateral`) is checked against the indicators the MPFS file defines."""
        domain = _INDICATORS.get(name)
        given = sorted(set(self.properties.get(name, {}).values())) if domain is None else sorted(domain)
        if domain is None and not given:
            return
        for value, span in written:
            if value in given:
                continue
            if domain is not None:
                self.ctx.warning("RR274", f"`{value}` is no {name} indicator: no code has it", span,
                                 help=f"the MPFS file's {name} indicators are {', '.join(given)}")
                continue
            near = suggestion(value, given)
            self.ctx.warning("RR274", f"no code has {name} `{value}`", span,
                             help=near or (f"the `property {name}` lines give " +
                                           ", ".join(f"`{v}`" for v in given[:8]) + (", ..." if len(given) > 8
                                                                                     else "")))

    def _presence(self, expr: s.Presence):
        operand = self._operand(expr.operand, allow_identifier=True)
        if operand is None:
            return None
        return c.Present(operand.node, expr.present, self._text(expr))

    def _inset(self, expr: s.InSet):
        operand = self._operand(expr.operand)
        if operand is None:
            return None
        if operand.type in COLLECTIONS:
            # `not in` is `has none of`, not `has any of`: a hint that dropped the `not` would turn the rule around.
            test, instead = ("has none of", "not in") if expr.negated else ("has any of", "in")
            self.ctx.error("RR209", f"`{operand.field}` is {TYPE_WORDS[operand.type]}; use `{test}` instead of "
                           f"`{instead}`", expr.span, help=f"write `{operand.field} {test} {self._text(expr.values)}`")
            return None
        kind = MEMBER_OF.get(operand.type)
        if kind is None:
            self.ctx.error("RR209", f"`in` does not apply to {TYPE_WORDS[operand.type]}", expr.span,
                           help="compare numbers and dates with `between` or `<`, `>`")
            return None
        resolved = self.sets.evaluate(expr.values.expr, kind)
        if resolved is None:
            return None
        values = self._coerce_values(resolved.values, operand.type, expr.values.span)
        if values is None:
            return None
        if operand.type == "bill_type":
            self._frequency_x_in(values, expr.values)
        if isinstance(operand.node, c.PropertyOf):
            tokens = {item.token.text: item.token.span for item in getattr(expr.values.expr, "items", ())
                      if hasattr(item, "token")}
            self._property_values(operand.node.name, [(value, tokens.get(value, expr.values.span))
                                                      for value in sorted(values)])
        return c.InSet(operand.node, values, resolved.prefixes, expr.negated, self._text(expr), resolved.carved)

    def _frequency_x_in(self, values: frozenset, written) -> None:
        """RR273 for the types of bill of frequency X in a set (`13X`), underlining the lowest of them."""
        frequency_x = sorted(value for value in values if value.endswith("X"))
        if frequency_x:
            tokens = {bill_type_digits(item.token.text): item.token for item in getattr(written.expr, "items", ())}
            shown = [(tokens[value].text if value in tokens else value, value[:2]) for value in frequency_x]
            first = tokens.get(frequency_x[0])
            self._warn_frequency_x(shown, first.span if first is not None else written.span)

    def _warn_frequency_x(self, written: list[tuple[str, str]], span: s.Span) -> None:
        """RR273 for types of bill of frequency X, (as written, its first two digits) each."""
        values = ", ".join(f"`{value}`" for value, _ in written)
        starts = ", ".join(f"`{start}*`" for _, start in written)
        if len(written) == 1:
            start = written[0][1]
            message = f"{values} is the type of bill {start}x of frequency code X alone, not every {start}x bill"
        else:
            message = f"{values} are types of bill of frequency code X alone, not every bill of their types"
        self.ctx.warning("RR273", message, span, help=f"write {starts} for every frequency; if frequency X is "
                                                      "meant, say so: `# allow RR273: frequency X`")

    def _between(self, expr: s.Between):
        operand = self._operand(expr.operand)
        if operand is None:
            return None
        if operand.type not in ORDERED:
            self.ctx.error("RR209", f"`between` needs a number or a date, not {TYPE_WORDS[operand.type]}",
                           expr.operand.span)
            return None
        low = self._operand(expr.low, expected=operand.type)
        high = self._operand(expr.high, expected=operand.type)
        if low is None or high is None:
            return None
        if not (self._same_type(operand, low, expr) and self._same_type(operand, high, expr)):
            return None
        return c.Between(operand.node, low.node, high.node, self._text(expr))

    def _has(self, expr: s.Has):
        operand = self._operand(expr.operand)
        if operand is None:
            return None
        kind = COLLECTIONS.get(operand.type)
        if kind is None:
            name = operand.field or self._text(expr.operand)
            self.ctx.error("RR209", "`has` needs a list (modifiers, diagnoses, condition codes or revenue codes), but "
                           f"`{name}` is {TYPE_WORDS[operand.type]}", expr.operand.span, help=f"write `{name} in ...`")
            return None
        resolved = self.sets.evaluate(expr.values.expr, kind)
        if resolved is None:
            return None
        # A diagnosis holds the codes under it, as the ICD-10-CM Tabular's categories do (language.md).
        lengths = tuple(sorted({len(v) for v in resolved.values})) if kind == "diagnoses" else ()
        return c.Has(operand.node, expr.quantifier, resolved.values, resolved.prefixes, self._text(expr),
                     resolved.carved, lengths)

    def _alsohas(self, expr: s.AlsoHas):
        if not self._claim_root(expr.root, "also has"):
            return None
        resolved = self.sets.evaluate(expr.values.expr, "codes")
        same_property = self._same_property(expr.same_property)
        filters = self._line_filters(expr)  # (every part's errors said, as for claim units of)
        if resolved is None or same_property is _BAD or filters is _BAD:
            return None
        self.roots.add("claim")
        if expr.same_date or expr.earlier:
            self.roots.add("line")
        return c.AlsoHas(resolved.values, expr.same_date, same_property, self._text(expr), expr.earlier, *filters)

    def _claim_root(self, root: s.Token, words: str) -> bool:
        """Whether the record before `also has` (`units of`) is `claim`; RR221 if not."""
        if root.text == "claim":
            return True
        if root.text in ROOTS:  # a known record, but the test reads the whole claim
            self.ctx.error("RR221", f"`{words}` reads the whole claim, not `{root.text}`", root.span,
                           help=f"write `claim {words} ...`")
        else:
            self._root_error(root, f"write `claim {words} ...`")
        return False

    def _same_property(self, token: s.Token | None):
        """The property of a `with the same PROPERTY` clause (the test then reads the line), None without one,
        _BAD after an error."""
        if token is None:
            return None
        if token.text not in self.properties:
            self.ctx.error("RR204", f"unknown code property `{token.text}`", token.span,
                           help=suggestion(token.text, self.properties) or
                           "declare it with `property NAME = VALUE for CODES`")
            return _BAD
        self.roots.add("line")
        return token.text

    def _claim_units(self, operand: s.ClaimUnits) -> Operand | None:
        """`claim units of CODES [with modifier M] [billing the ... component] [with the same PROPERTY] [on the same
        date]`: a number."""
        if not self._claim_root(operand.root, "units of"):
            return None
        resolved = self.sets.evaluate(operand.values.expr, "codes")
        by_provider = operand.same_property is not None and operand.same_property.text == "provider"
        same_property = None if by_provider else self._same_property(operand.same_property)
        filters = self._line_filters(operand)
        if resolved is None or same_property is _BAD or filters is _BAD:
            return None
        self.roots.add("claim")
        roots = {"claim"}
        if operand.same_date or same_property is not None or by_provider:
            self.roots.add("line")
            roots.add("line")
        node = c.ClaimUnits(resolved.values, operand.same_date, same_property, *filters, by_provider)
        return Operand(node, "number", frozenset(roots), operand.span, "claim units of")

    def _modifier_filter(self, clause):
        """(modifiers, without) of a ``with modifier`` / ``without modifier`` clause, (None, False) without one,
        _BAD after an error."""
        if clause is None:
            return None, False
        resolved = self.sets.evaluate(clause.values.expr, "modifiers")
        if resolved is None:
            return _BAD
        return resolved.values, clause.without

    def _line_filters(self, expr):
        """(modifiers, without, component) of a test's ``with modifier`` and ``billing the ... component`` clauses
        (the arguments the compiled tests take after their own), _BAD after an error."""
        modifiers = self._modifier_filter(expr.modifiers)
        component = self._component(expr.component)
        if modifiers is _BAD or component is _BAD:
            return _BAD
        return (*modifiers, component)

    def _component(self, clause):
        """``professional`` or ``technical`` of a ``billing the ... component`` clause, None without one, _BAD after an
        error."""
        if clause is None:
            return None
        return self._component_word(clause.component)

    def _component_word(self, token: s.Token, words: str = "billing the {} component"):
        """``professional`` or ``technical``, _BAD after an error (RR204; ``words``: how the test is written)."""
        word = token.text
        if word not in _COMPONENTS:
            near = suggestion(word, _COMPONENTS)
            self.ctx.error("RR204", f"unknown component `{word}`", token.span,
                           help=(f"{near} " if near else "") + f"write `{words.format('professional')}` (the "
                                "interpretation: a 26 line, or a global line of a practitioner's claim) or "
                                f"`{words.format('technical')}` (the study: a line without 26)")
            return _BAD
        return word

    def _historyhas(self, expr: s.HistoryHas):
        resolved = self.sets.evaluate(expr.values.expr, "codes")
        filters = self._line_filters(expr)
        window = self._window(expr.window)
        if resolved is None or window is _BAD or filters is _BAD:
            return None
        self.roots.add("line")
        return c.HistoryHas(resolved.values, window, self._text(expr), *filters)

    def _historysame(self, expr: s.HistorySame):
        among = None
        if expr.among is not None:
            name, values = expr.among
            if name.text != "modifiers":
                self.ctx.error("RR204", f"`among` narrows the modifiers compared, not the {name.text}", values.span,
                               help="write `with the same modifiers among SET`: a paid line with the same modifiers "
                                    "of SET")
                return None
            among = self._modifier_set(values)
            if among is None:
                return None
        compared = set()
        for token in expr.same_properties:
            if token.text not in ("modifiers", "units", "provider", "type"):
                self.ctx.error("RR204", f"`history has the same code` compares `modifiers`, `units`, `provider` or "
                               f"`type`, not `{token.text}`", token.span,
                               help="write `with the same modifiers`, `with the same units`, `with the same "
                                    "provider`, `with the same type`, or several")
                return None
            if token.text in compared:
                self.ctx.error("RR204", f"`with the same {token.text}` is written twice", token.span,
                               help="write it once")
                return None
            compared.add(token.text)
        modifiers = self._modifier_filter(expr.modifiers)
        if modifiers is _BAD:
            return None
        self.roots.add("line")
        return c.HistorySame(expr.same_date, "modifiers" in compared, self._text(expr), "units" in compared,
                             "provider" in compared, *modifiers, "type" in compared, among)

    def _window(self, window):
        """A compiled history window, None for no window, _BAD after an error."""
        if window is None:
            return None
        if isinstance(window, s.OnSameDate):  # earlier claims' services of the line's date
            return c.Window(same_date=True)
        if isinstance(window, s.Within):
            amount = self._amount(window.amount, window.unit.text)
            if amount is None:
                return _BAD
            if amount < 1:
                unit = window.unit.text
                self.ctx.error("RR210", f"`{window.amount.text}` is not a whole number of at least 1",
                               window.amount.span, help=f"a window reaches back at least 1 {unit.rstrip('s')} from "
                                                        f"the line's date: `within 1 {unit.rstrip('s')}`")
                return _BAD
            months, days = _UNITS[window.unit.text]
            return c.Window(months=months * amount, days=days * amount)
        start = self._operand(window.operand, expected="date")
        if start is None:
            return _BAD
        if start.type != "date":
            self.ctx.error("RR209", f"`since` needs a date, not {TYPE_WORDS[start.type]}", window.operand.span)
            return _BAD
        return c.Window(since=start.node)

    def _billscomponent(self, expr: s.BillsComponent):
        root = expr.root.text
        component = self._component_word(expr.component, f"{root} bills the {{}} component")
        if root not in ("line", "other"):
            if root in ROOTS:
                self.ctx.error("RR221", f"a {root} bills no component: the test asks it of `line` or `other`",
                               expr.root.span, help="write `line bills the professional component`")
            else:
                self._root_error(expr.root, "write `line bills the professional component`")
            return None
        if component is _BAD:
            return None
        self.roots.add(root)
        return c.BillsComponent(root, component, self._text(expr))

    def _ptpedit(self, expr: s.PtpEdit):
        if (expr.first.text, expr.second.text) != ("line", "other"):
            self.ctx.error("RR221", "write `ptp edit between line and other`", expr.span,
                           help="the test compares the two lines of a pair rule: `line`, then `other`")
            return None
        self.roots.update(("line", "other"))
        return c.PtpEdit(self._text(expr))

    # ------------------------------------------------------------ operands

    def _operand(self, operand, expected: str | None = None, allow_identifier: bool = False) -> Operand | None:
        if isinstance(operand, s.Field):
            result = self._field(operand)
            if result is not None and result.type == "identifier" and not allow_identifier:
                self._identifier_error(result)
                return None
            return result
        if isinstance(operand, s.DateOffset):
            return self._date_offset(operand)
        if isinstance(operand, s.Among):
            return self._among(operand)
        if isinstance(operand, s.HistoryCount):
            resolved = self.sets.evaluate(operand.values.expr, "codes")
            filters = self._line_filters(operand)
            window = self._window(operand.window)
            if resolved is None or window is _BAD or filters is _BAD:
                return None
            self.roots.add("line")
            return Operand(c.HistoryCount(resolved.values, window, *filters), "number", frozenset(["line"]),
                           operand.span, "history count")
        if isinstance(operand, s.ClaimUnits):
            return self._claim_units(operand)
        if isinstance(operand, s.SinceLast):
            resolved = self.sets.evaluate(operand.values.expr, "codes")
            filters = self._line_filters(operand)
            if resolved is None or filters is _BAD:
                return None
            self.roots.add("line")
            unit = {"day": "days", "month": "months", "year": "years"}.get(operand.unit.text, operand.unit.text)
            return Operand(c.SinceLast(unit, resolved.values, *filters), "number", frozenset(["line"]),
                           operand.span, f"{unit} since last")
        return self._literal(operand, expected)

    def _identifier_error(self, operand: Operand, help: str | None = None) -> None:
        record, name = operand.field.split(".")
        if record in ("line", "other"):
            pair = f"`line.{name} = other.{name}`"
            self.ctx.error("RR209", f"`{operand.field}` is an identifier: test it only with `is missing` or "
                                    f"`is present`, or compare it with the other line's ({pair})", operand.span,
                           help=help or "identifiers are protected data: rules never read their values, and may "
                                        "only ask whether two lines name the same one")
            return
        self.ctx.error("RR209", f"`{operand.field}` is an identifier: test it only with `is missing` or `is present`",
                       operand.span, help=help or "identifiers are protected data; rules never read their values")

    def _root_error(self, token: s.Token, help: str | None = None) -> None:
        self.ctx.error("RR221", f"unknown record `{token.text}`", token.span,
                       help=suggestion(token.text, ROOTS) or help or "fields belong to `line`, `other`, `claim` or "
                       "`patient`")

    def _field(self, field: s.Field) -> Operand | None:
        root = field.root.text
        name = field.name.text
        label = f"{root}.{name}"
        if root in ("line", "other"):
            role = 1 if root == "other" else 0
            if name in LINE_FIELDS:
                attr, type_ = LINE_FIELDS[name]
                node = (c.LinePlace(role) if name == "place_of_service" else
                        c.LineAuthorization(role) if name == "authorization" else c.LineAttr(attr, role))
            elif name in self.properties:
                node, type_ = c.PropertyOf(name, role), "text"
            else:
                self.ctx.error("RR204", f"unknown field `{name}` of `{root}`", field.name.span,
                               help=self._field_help(root, name))
                return None
        elif root == "claim":
            if name not in CLAIM_FIELDS:
                self.ctx.error("RR204", f"unknown field `{name}` of `claim`", field.name.span,
                               help=self._field_help(root, name))
                return None
            attr, type_ = CLAIM_FIELDS[name]
            node = c.ClaimAttr(attr)
        elif root == "patient":
            if name not in PATIENT_FIELDS:
                self.ctx.error("RR204", f"unknown field `{name}` of `patient`", field.name.span,
                               help=self._field_help(root, name))
                return None
            attr, type_ = PATIENT_FIELDS[name]
            node = c.PatientAge() if name == "age" else c.ClaimAttr(attr)
        else:
            self._root_error(field.root)
            return None
        self.roots.add(root)
        return Operand(node, type_, frozenset([root]), field.span, label)

    def _field_help(self, root: str, name: str) -> str:
        """RR204's help: the field another name stands for (`line.pos`), the field of another record of that name
        (`line.payer`), the nearest field, the field another record's other name stands for (`claim.npi`), else
        the record's fields."""
        record = "line" if root == "other" else root
        if record == "claim" and name == "units":
            return ("did you mean `line.units`? (the units of the claim's lines of some codes, added up: "
                    "`claim units of [...]`)")
        fields = {"line": list(LINE_FIELDS), "claim": list(CLAIM_FIELDS), "patient": list(PATIENT_FIELDS)}
        alias = FIELD_ALIASES[record].get(name)
        if alias is not None:
            note = " (`claim.prior_auth` is the claim's number)" if alias == "authorization" else ""
            return f"did you mean `{alias}`?{note}"
        elsewhere = [(other, name) for other in fields if other != record and name in fields[other]]
        elsewhere += [(other, FIELD_ALIASES[other][name]) for other in fields
                      if other != record and name in FIELD_ALIASES[other]]
        near = suggestion(name, fields[record] + (list(self.properties) if record == "line" else []))
        if elsewhere and (near is None or name in fields[elsewhere[0][0]]):  # `line.age`: `patient.age`, not `date`
            other, found = elsewhere[0]
            return f"did you mean `{other}.{found}`?"
        if near is not None:
            return near
        listed = ", ".join(f"`{field}`" for field in fields[record])
        if record == "line":
            listed += ", or a code property" + (f" ({', '.join(f'`{p}`' for p in sorted(self.properties)[:4])}"
                                                f"{', ...' if len(self.properties) > 4 else ''})"
                                                if self.properties else " the ruleset defines")
        return f"the fields of `{root}` are {listed}"

    def _date_offset(self, offset: s.DateOffset) -> Operand | None:
        base = self._field(offset.field)
        if base is None:
            return None
        if base.type != "date":
            self.ctx.error("RR209", f"only dates can be moved by days, months or years; `{base.field}` is "
                           f"{TYPE_WORDS[base.type]}", offset.field.span)
            return None
        amount = self._amount(offset.amount, offset.unit.text)
        if amount is None:
            return None
        amount *= -1 if offset.sign.text == "-" else 1
        months, days = _UNITS[offset.unit.text]
        node = c.DateShift(base.node, months * amount, days * amount, offset.workday)
        return Operand(node, "date", base.roots, offset.span, base.field)

    def _among(self, among: s.Among) -> Operand | None:
        """`line.modifiers among SET`: the line's modifiers that are members of the set (a list of modifiers)."""
        base = self._field(among.field)
        if base is None:
            return None
        if base.type != "modifiers":
            self.ctx.error("RR209", f"`among` narrows a list of modifiers; `{base.field}` is "
                           f"{TYPE_WORDS[base.type]}", among.field.span,
                           help="write `line.modifiers among SET` (or `other.modifiers`)")
            return None
        modifiers = self._modifier_set(among.values)
        if modifiers is None:
            return None
        return Operand(c.Among(base.node, modifiers), "modifiers", base.roots, among.span, self._text(among))

    def _modifier_set(self, values: s.SetOperand) -> frozenset | None:
        """The modifiers of a set operand (`among`, `with the same modifiers among`); None after an error."""
        resolved = self.sets.evaluate(values.expr, "modifiers")
        return None if resolved is None else resolved.values

    def _amount(self, token: s.Token, unit: str) -> int | None:
        """A number of days, months or years, at most the span of the calendar; None after an error."""
        text = token.text
        if not codes.is_digits(text):
            self.ctx.error("RR210", f"`{shortened(text, 20)}` is not a whole number", token.span,
                           help="write digits only, as `within 12 months`")
            return None
        unit = unit if unit.endswith("s") else unit + "s"
        longest = _LONGEST[unit]
        if len(text) > len(str(longest)) or int(text) > longest:
            self.ctx.error("RR210", f"{shortened(text, 20)} {unit} is longer than the calendar "
                           f"(at most {longest:,} {unit})", token.span, help="dates run from year 1 to year 9999")
            return None
        return int(text)

    def _literal(self, literal: s.Literal, expected: str | None) -> Operand | None:
        token = literal.token
        text = token.text
        kind = literal.kind
        if expected is None:
            help = ("to ask whether another line of the claim bills a code, write `claim also has [...]`"
                    if text == "claim" else None)
            self.ctx.error("RR209", "a comparison starts with a field, such as `line.units`", literal.span, help=help)
            return None
        value = self._coerce(text, kind, expected, token.span)
        if value is _BAD:
            return None
        if expected == "bill_type" and value.endswith("X"):
            self._warn_frequency_x([(text, value[:2])], token.span)
        return Operand(c.Const(value), expected, frozenset(), literal.span)

    def _coerce(self, text: str, kind: str, expected: str, span: s.Span):
        """A literal's runtime value for a field of type ``expected``, or _BAD after an error."""
        def bad(message: str, help: str | None = None):
            self.ctx.error("RR210", message, span, help)
            return _BAD

        if kind == "text" and expected in _UNQUOTED:  # `line.code is "70551"`: as a quoted member of a set is
            what, valid = _UNQUOTED[expected]
            self.ctx.error("RR209", f"quoted text can't be {what}", span,
                           help=f"write it without quotes: `{text}`" if text and valid(text) else None)
            return _BAD
        if expected == "date":
            if kind != "date":
                if re.fullmatch(r"(1[0-9]|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])", text):  # 20260101
                    help = f"write the date with dashes: `{text[:4]}-{text[4:6]}-{text[6:]}`"
                elif _NUMBER_TEXT.fullmatch(text):
                    help = ("write a date as `2026-03-02`; to move a date by days, months or years, write it after "
                            "the field: `line.date + 5 days`")
                else:
                    help = "write a date as `2026-03-02`"
                return bad(f"expected a date (YYYY-MM-DD), not `{text}`", help)
            ordinal = self.ctx.date(s.Token(text, span))
            return _BAD if ordinal is None else ordinal
        if expected == "number":
            if kind != "word" or not _NUMBER_TEXT.fullmatch(text):
                return bad(f"expected a number, not `{shortened(text, 20)}`")
            if len(text.partition(".")[0].lstrip("0")) > 15:
                return bad(f"`{shortened(text, 20)}` is larger than any claim value",
                           "units and charges are under 10^15")
            return float(text) if "." in text else int(text)
        if expected == "code":
            if kind != "word" or not codes.is_procedure_code(text):
                if text in self.sets.names():  # `line.code is ct_head`: a set after `is`
                    return bad(f"`{text}` is not a valid procedure code",
                               f"`{text}` is a set of codes: test it with `in` (`in {text}`, `not in {text}`)")
                return bad(f"`{text}` is not a valid procedure code",
                           f"codes are written in capitals: `{text.upper()}`" if codes.is_procedure_code(text.upper())
                           else "procedure codes have 5 characters: 5 digits, 4 digits and a letter, or a letter and "
                                "4 digits")
            return text
        if expected == "modifier":
            if kind != "word" or not codes.is_modifier(text):
                return bad(f"`{text}` is not a valid modifier", f"modifiers are written in capitals: `{text.upper()}`"
                           if codes.is_modifier(text.upper()) else None)
            return text
        if expected == "place":
            if kind != "word" or not codes.is_place_of_service(text):
                return bad(f"`{text}` is not a place of service (two digits)")
            return text
        if expected == "revenue_code":
            if kind != "word" or not codes.is_revenue_code(text):
                category = kind == "word" and codes.revenue_category(text) is not None  # NUBC's `096X`
                return bad(f"`{shortened(text, 20)}` is not a revenue code",
                           f"`{text}` stands for ten codes: test them with `in {text}`" if category else
                           "revenue codes have four digits, e.g. `0255`")
            return text
        if expected == "sex":
            if text.upper() not in SEXES:
                return bad(f"`{text}` is not a sex", "write `F`, `M` or `U`")
            return text.upper()
        if expected == "claim_type":
            if text not in CLAIM_TYPES:
                return bad(f"`{text}` is not a claim type", suggestion(text, CLAIM_TYPES) or
                           "write `professional` or `institutional`")
            return text
        if expected == "payer":
            return payer_key(text)
        if expected == "authorization":
            if text not in AUTHORIZATION_STATUSES:
                return bad(f"`{text}` is not an authorization status", suggestion(text, AUTHORIZATION_STATUSES) or
                           "write " + ", ".join(f"`{status}`" for status in AUTHORIZATION_STATUSES))
            return text
        if expected in _BILL_CODES:  # a type of bill or a frequency code, read as a claim's is
            read, what, hint = _BILL_CODES[expected]
            value = read(text) if kind in ("word", "name") else None  # `q`: a name to the parser
            if value is None:
                if expected == "bill_type" and text.endswith("*"):  # `is 13*`: every frequency is a set
                    hint = f"test every frequency of a type of bill with `in`: `claim.bill_type in [{text}]`"
                return bad(f"`{shortened(text, 20)}` is not {what}", hint)
            return value
        if expected == "text":
            return text
        return bad(f"{TYPE_WORDS.get(expected, expected)} can't be compared with `{text}`")

    def _coerce_values(self, values: frozenset, type_: str, span: s.Span):
        if type_ in ("code", "modifier", "place", "revenue_code", "bill_type"):
            return values
        out = set()
        for value in values:
            kind = "name" if type_ in ("claim_type", "payer", "authorization") else "word"
            coerced = self._coerce(value, kind, type_, span)
            if coerced is _BAD:
                return None
            out.add(coerced)
        return frozenset(out)

    def _same_type(self, left: Operand, right: Operand, expr) -> bool:
        if left.type == right.type:
            return True
        self.ctx.error("RR209", f"can't compare {TYPE_WORDS[left.type]} with {TYPE_WORDS[right.type]}", expr.span,
                       help=f"both sides of a comparison are of one type: compare {TYPE_WORDS[left.type]} with "
                            f"{TYPE_WORDS[left.type]} (another field of that type, or a value written as one)")
        return False


def _record_field(operand: Operand) -> str:
    """The field's name without its record: `rendering_npi` of `line.rendering_npi`."""
    return operand.field.split(".", 1)[1]


_BAD = object()
_COMPONENTS = ("professional", "technical")  # of `billing the ... component`
#: The values of the code properties the MPFS file fills (its PC/TC and bilateral surgery indicators).
_INDICATORS = {"pctc": frozenset("0123456789"), "bilateral": frozenset("01239")}


#: The types of field whose values are written without quotes: what such a value is called in RR209, and whether
#: a text written without its quotes would be one (only then does the help say to drop them).
_UNQUOTED = {
    "code": ("a procedure code", codes.is_procedure_code),
    "modifier": ("a modifier", codes.is_modifier),
    "place": ("a place of service", codes.is_place_of_service),
    "revenue_code": ("a revenue code", codes.is_revenue_code),
    "bill_type": ("a type of bill", lambda text: _BILL_CODES["bill_type"][0](text) is not None),
    "frequency": ("a claim frequency code", lambda text: _BILL_CODES["frequency"][0](text) is not None),
    "date": ("a date", lambda text: re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) is not None),
    "number": ("a number", lambda text: _NUMBER_TEXT.fullmatch(text) is not None),
}
#: A number as a condition writes it.
_NUMBER_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")
