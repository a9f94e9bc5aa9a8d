"""Lark tree to :mod:`radrules.testing.model` nodes: the builder of a parsed test file.

:class:`RuleTestBuilder` is the test format's walk of a Lark tree (a
:class:`radrules.tree_builder.TreeWalk`, as the rule files' builder is): one
method per alias of ``grammars/radrules-test.lark``, building the `rules` line,
the tests, their claims (a compact claim as the dict ``Claim.from_dict`` reads,
with where each value was written), history, authorizations and expectations.
:func:`radrules.testing.parse.parse_tests` calls it on every tree that parsed;
the errors it finds in a tree that parsed (a field given twice, units glued to a
code, a malformed remittance code) are in its ``diagnostics``.
"""

from __future__ import annotations

import re

import attrs
from lark.lexer import Token as LarkToken

from .. import codes
from ..errors import Diagnostic, text_lines
from ..syntax import Span, Token
from ..tree_builder import TreeWalk
from .model import ClaimSpec, Expectation, RulesRef, TestCase

#: A code (with its modifiers) followed by units with no space between: `70450x2`, `73721-RTx1`.
_GLUED_UNITS = re.compile(r"^([A-Za-z0-9]{5}(?:-[A-Za-z0-9]{2})*)([xX][0-9][0-9.]*)$")


def _number(text: str):
    """A number written in a compact claim, or the text itself (the claim check then names it)."""
    if text.isascii() and text.isdigit():
        try:
            return int(text)  # exact, however long (a float would change a huge pointer)
        except ValueError:  # longer than int() reads: the text, which the claim check names
            return text
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and "." not in text else value


#: Claim header words and the claim fields they fill (docs/testing.md).
_HEADER_FIELDS = {
    "field_payer": "payer", "field_type": "type", "field_pos": "place_of_service",
    "field_received": "received", "field_id": "id", "field_billing": "billing_npi", "field_bill_type": "bill_type",
    "field_frequency": "frequency", "field_replaces": "replaces",
}


class RuleTestBuilder(TreeWalk):
    """Lark tree to :mod:`radrules.testing.model` nodes (for the whole file, the `rules` line and the tests)."""

    def __init__(self, name: str, text: str):
        super().__init__(name)
        self.lines = text_lines(text)
        self.diagnostics: list[Diagnostic] = []
        self.header_broken = False  # the file's `rules` line has an error
        self.broken_rules: list[RulesRef] = []  # the `rules` lines with an item given twice

    def _twice(self, message: str, span: Span, help: str) -> None:
        """RR605: a claim field, an expectation detail or an item of `rules` given twice."""
        line = self.lines[span.line - 1] if 0 < span.line <= len(self.lines) else None
        self.diagnostics.append(Diagnostic("RR605", message, span, line, help))

    # file level
    def start(self, meta, items):
        rules = next((x for x in items if isinstance(x, RulesRef)), None)
        if rules is not None and any(rules.span.line <= d.span.line <= rules.span.end_line for d in self.diagnostics):
            self.header_broken = True  # the file's `rules` line has an error: no test knows what to load
            return rules, ()
        return rules, tuple(x for x in items if isinstance(x, TestCase))

    def rules(self, meta, c):
        return self._rules_ref(meta, c, None)

    def rules_with(self, meta, c):
        return self._rules_ref(meta, c[:-1], self._block_text(c[-1]))

    def _rules_ref(self, meta, items, text) -> RulesRef:
        """The items of a `rules` line; RR605 for `bundled` or a path written twice."""
        paths: list[Token] = []
        bundled = None
        twice = False
        for kind, token in items:
            if kind == "bundled":
                first, what = bundled, "`bundled`"
                bundled = bundled or token
            else:
                first, what = next((p for p in paths if p.text == token.text), None), f"the path `{token.text}`"
                if first is None:
                    paths.append(token)
            if first is not None:
                twice = True
                self._twice(f"{what} is given twice in `rules`", token.span,
                            f"the first is at column {first.span.column}; `rules` names each of its items once")
        ref = RulesRef(tuple(paths), bundled, text, self._span(meta))
        if twice:  # its tests don't run: the runner still checks its paths (RR620)
            self.broken_rules.append(ref)
        return ref

    def rules_path(self, meta, c):
        return "path", self._tok(c[0])

    def rules_bundled(self, meta, c):
        return "bundled", self._tok(c[0])

    def _block_text(self, token: LarkToken, padded: bool = True) -> Token:
        """The inside of a ``\"\"\"`` text, its span the block's; ``padded``, behind as many line breaks and spaces
        as keep its line and column numbers (inline rule text, which the loader parses as a file). A claim's JSON
        is not padded (`claims._from_json` places its errors): padded, a file of many JSON claims took
        memory that grew with the square of its length."""
        inner = str(token)[3:-3]
        if padded:
            inner = "\n" * (token.line - 1) + " " * (token.column + 2) + inner
        return Token(inner, Span(self.file_name, token.line, token.column, token.end_line, token.end_column))

    def test(self, meta, c):
        claim = next(x for x in c[1:] if isinstance(x, ClaimSpec))
        records = next((x[1:] for x in c[1:] if isinstance(x, tuple) and x[0] == "authorizations"), None)
        if records is not None:
            claim = self._with_authorizations(claim, *records)
        if any(meta.line <= d.span.line <= meta.end_line for d in self.diagnostics):
            return None  # a test with an error in it does not run (its diagnostics say why)
        name = self._tok(c[0])
        rules = next((x for x in c[1:] if isinstance(x, RulesRef)), None)
        expectations = tuple(x for x in c[1:] if isinstance(x, Expectation))
        history = next((x[1] for x in c[1:] if isinstance(x, tuple) and x[0] == "history"), ())
        return TestCase(name, claim, expectations, self._span(meta), rules, history)

    def _with_authorizations(self, claim: ClaimSpec, keyword: Span, records: list) -> ClaimSpec:
        """The compact claim with the records of its `authorizations` part as its `authorizations` field (so that
        Claim.from_dict checks them as it checks JSON records); RR602 after a JSON claim, which has its own."""
        if claim.kind != "compact":
            line = self.lines[keyword.line - 1] if 0 < keyword.line <= len(self.lines) else None
            self.diagnostics.append(Diagnostic(
                "RR602", f"unexpected `authorizations` after `claim {claim.kind}`", keyword, line,
                help="a JSON claim gives its records in its own `authorizations` field (docs/claim-format.md); "
                     "the `authorizations` part goes with a compact claim"))
            return claim
        spans = dict(claim.spans)
        spans["authorizations"] = keyword
        for index, (record, record_spans, span) in enumerate(records):
            spans[f"authorizations[{index}]"] = span
            spans.update((f"authorizations[{index}].{key}", where) for key, where in record_spans.items())
        return attrs.evolve(claim, data={**claim.data, "authorizations": [r for r, _, _ in records]}, spans=spans)

    def authorizations(self, meta, c):
        return ("authorizations", self._keyword_span(meta, "authorizations"), c)

    def authorizations_none(self, meta, c):
        return ("authorizations", self._keyword_span(meta, "authorizations"), [])

    def _keyword_span(self, meta, keyword: str) -> Span:
        return Span(self.file_name, meta.line, meta.column, meta.line, meta.column + len(keyword))

    def authorization(self, meta, c):
        return self._authorization(meta, c, span=False)

    def authorization_span(self, meta, c):
        return self._authorization(meta, c, span=True)

    def _authorization(self, meta, c, span: bool):
        """One record line: its dict in the JSON shape of docs/claim-format.md, and where each value was written."""
        tokens = [self._tok(x) for x in c]
        number, *rest = tokens
        units = rest.pop() if c[-1].type == "UNITS" else None
        end = rest.pop() if span else None
        start = rest.pop()
        codes = rest
        for code in codes:
            self._glued_units(code)
        end = end or start  # a record of one day
        record: dict = {"number": number.text, "codes": [code.text for code in codes], "start": start.text,
                        "end": end.text}
        spans = {"number": number.span, "start": start.span, "end": end.span}
        if codes:
            spans["codes"] = codes[0].span.cover(codes[-1].span)
            spans.update((f"codes[{index}]", code.span) for index, code in enumerate(codes))
        if units is not None:
            record["units"] = _number(units.text[1:])
            spans["units"] = units.span
        return (record, spans, number.span.cover(tokens[-1].span))  # the line without its line break

    def history(self, meta, c):
        return ("history", tuple(c))

    # (the nodes that stand for their tokens, tagged, as a history line's `type` or a claim's `payer`: _TAGGED)
    def history_line(self, meta, c):
        return self._history_line(meta, self._tok(c[0]), None, self._tok(c[1]), c[2:])

    def history_line_span(self, meta, c):
        return self._history_line(meta, self._tok(c[0]), self._tok(c[1]), self._tok(c[2]), c[3:])

    def _history_line(self, meta, date: Token, end: Token | None, code: Token, fields):
        self._glued_units(code)
        parts = code.text.split("-")
        line: dict = {"code": parts[0], "date": date.text}
        if end is not None:
            line["end_date"] = end.text
        if len(parts) > 1:
            line["modifiers"] = parts[1:]
        columns: dict = {}
        for kind, tokens in fields:
            key = {"units": "units", "npi": "rendering_npi", "type": "type", "billing": "billing_npi",
                   "payer": "payer", "bill": "bill_type", "claim": "claim"}.get(kind, "status")
            if key in columns:  # as on a claim line: the second would silently win
                self._twice(f"history field `{key}` is given twice on one line", tokens[0].span,
                            f"the first is at column {columns[key]}")
                continue
            columns[key] = tokens[0].span.column
            if kind == "units":
                line["units"] = _number(tokens[0].text[1:])
            elif kind == "npi":
                line["rendering_npi"] = tokens[0].text
            elif kind == "type":  # checked with the line, as a JSON history line's `type` (RR617)
                line["type"] = tokens[0].text
            elif kind == "billing":
                line["billing_npi"] = tokens[0].text
            elif kind == "payer":
                line["payer"] = tokens[0].text
            elif kind == "bill":  # checked with the line, as a JSON history line's `bill_type` (RR617)
                line["bill_type"] = tokens[0].text
            elif kind == "claim":  # the id of the earlier claim: a replacement of it leaves its lines out
                line["claim"] = tokens[0].text
            else:
                line["status"] = tokens[0].text
        return (line, self._span(meta))

    def _glued_units(self, code: Token) -> None:
        """RR601 for a code with units glued to it (`70450x2`): read whole, it would be a code of its own."""
        glued = _GLUED_UNITS.match(code.text)
        if glued:
            line = self.lines[code.span.line - 1] if 0 < code.span.line <= len(self.lines) else None
            column = code.span.column + len(glued.group(1))
            self.diagnostics.append(Diagnostic(
                "RR601", f"unexpected `{code.text[len(glued.group(1)):]}` after the code", Span(
                    self.file_name, code.span.line, column, code.span.line, column + len(glued.group(2))),
                line, help=f"units are written after a space: `{glued.group(1)} {glued.group(2).lower()}`"))

    # claims
    def claim_json(self, meta, c):
        return ClaimSpec("json", self._span(meta), text=self._block_text(c[0], padded=False))

    def claim_file(self, meta, c):
        return ClaimSpec("file", self._span(meta), file=self._tok(c[0]))

    def claim_file_id(self, meta, c):
        return ClaimSpec("file", self._span(meta), file=self._tok(c[0]), claim_id=self._tok(c[1]))

    def claim_compact(self, meta, c):
        data: dict = {}
        spans: dict = {}
        auths: list[Token] = []
        conditions: list[Token] = []
        lines = []

        def put(path: str, token: Token, value=None):
            if path in data:
                first = spans[path]
                self._twice(f"claim field `{path}` is given twice", token.span,
                            f"the first is at line {first.line}, column {first.column}")
                return
            data[path] = token.text if value is None else value
            spans[path] = token.span

        patient: dict = {}
        for part in c:
            kind, tokens = part
            if kind == "field_auth":
                auths.append(tokens[0])
            elif kind == "field_condition":
                conditions.append(tokens[0])
            elif kind in _HEADER_FIELDS:
                put(_HEADER_FIELDS[kind], tokens[0])
            elif kind == "field_statement":  # the statement period, From through Through
                put("statement_from", tokens[0])
                put("statement_through", tokens[1])
            elif kind == "field_statement_through":
                put("statement_through", tokens[0])
            elif kind in ("field_sex", "field_sex_born", "field_born"):
                keys = ("birth_date",) if kind == "field_born" else ("sex", "birth_date")
                for key, token in zip(keys, tokens):
                    put(f"patient.{key}", token)
            elif kind == "diagnoses":
                data["diagnoses"] = [t.text for t in tokens]
                spans["diagnoses"] = tokens[0].span.cover(tokens[-1].span)
                for index, token in enumerate(tokens):
                    spans[f"diagnoses[{index}]"] = token.span
            elif kind == "service":
                line, line_spans, span = tokens
                index = len(lines)
                lines.append(line)
                spans[f"lines[{index}]"] = span
                spans.update((f"lines[{index}].{key}", where) for key, where in line_spans.items())
        for key in ("sex", "birth_date"):
            if f"patient.{key}" in data:
                patient[key] = data.pop(f"patient.{key}")
        if patient:
            data["patient"] = patient
            spans["patient"] = spans.get("patient.sex") or spans.get("patient.birth_date")
        if auths:
            data["prior_auth"] = auths[0].text if len(auths) == 1 else [t.text for t in auths]
            spans["prior_auth"] = auths[0].span
            for index, token in enumerate(auths):
                spans[f"prior_auth[{index}]"] = token.span
        if conditions:
            data["condition_codes"] = [t.text for t in conditions]
            spans["condition_codes"] = conditions[0].span
            for index, token in enumerate(conditions):
                spans[f"condition_codes[{index}]"] = token.span
        data["lines"] = lines
        spans["lines"] = spans.get("lines[0]", self._span(meta))
        return ClaimSpec("compact", self._span(meta), data=data, spans=spans)

    def diagnoses(self, meta, c):
        return ("diagnoses", [self._tok(x) for x in c])

    def service(self, meta, c):
        return self._service(meta, self._tok(c[0]), None, self._tok(c[1]), c[2:])

    def service_span(self, meta, c):
        return self._service(meta, self._tok(c[0]), self._tok(c[1]), self._tok(c[2]), c[3:])

    def service_revenue(self, meta, c):
        return self._service(meta, self._tok(c[0]), None, None, [("revenue", [self._tok(c[1])]), *c[2:]])

    def service_revenue_span(self, meta, c):
        return self._service(meta, self._tok(c[0]), self._tok(c[1]), None,
                             [("revenue", [self._tok(c[2])]), *c[3:]])

    def _service(self, meta, date: Token, end: Token | None, code: Token | None, fields):
        """A service line; ``code`` None: a line of a revenue code alone (its `rev` is the first of ``fields``)."""
        line: dict = {}
        spans: dict = {}
        if code is not None:
            self._glued_units(code)
            parts = code.text.split("-")
            column = code.span.column
            line["code"] = parts[0]
            spans["code"] = Span(self.file_name, code.span.line, column, code.span.line, column + len(parts[0]))
            column += len(parts[0]) + 1
            if len(parts) > 1:
                line["modifiers"] = parts[1:]
                spans["modifiers"] = code.span
                for index, modifier in enumerate(parts[1:]):
                    spans[f"modifiers[{index}]"] = Span(self.file_name, code.span.line, column, code.span.line,
                                                        column + max(len(modifier), 1))
                    column += len(modifier) + 1
        else:
            spans["code"] = fields[0][1][0].span  # (Claim.from_dict's problem with the code: the line's `rev`)
        line["date"] = date.text
        spans["date"] = date.span
        if end is not None:
            line["end_date"] = end.text
            spans["end_date"] = end.span
        for kind, tokens in fields:
            key = {"units": "units", "pointers": "diagnosis_pointers", "line_pos": "place_of_service",
                   "npi": "rendering_npi", "charge": "charge", "revenue": "revenue_code"}[kind]
            if key in line:
                self._twice(f"claim field `{key}` is given twice on one line", tokens[0].span,
                            f"the first is at column {spans[key].column}")
                continue
            if kind == "units":
                line[key] = _number(tokens[0].text[1:])
                spans[key] = tokens[0].span
            elif kind == "pointers":
                line[key] = [_number(t.text) for t in tokens]
                spans[key] = tokens[0].span.cover(tokens[-1].span)
                spans.update((f"{key}[{i}]", t.span) for i, t in enumerate(tokens))
            elif kind == "charge":
                line[key] = _number(tokens[0].text)
                spans[key] = tokens[0].span
            else:
                line[key] = tokens[0].text
                spans[key] = tokens[0].span
        return ("service", (line, spans, self._span(meta)))

    def pointers(self, meta, c):
        return ("pointers", [self._tok(x) for x in c])

    # expectations
    def expect_pass(self, meta, c):
        return Expectation("pass", self._span(meta))

    def expect_fail(self, meta, c):
        return Expectation("fail", self._span(meta))

    def expect_only(self, meta, c):
        return Expectation("only", self._span(meta), rules=tuple(self._tok(x) for x in c))

    def expect_silent(self, meta, c):
        lines = c[1] if len(c) > 1 else ()
        return Expectation("silent", self._span(meta), rules=(self._tok(c[0]),), lines=lines)

    def expect_fires(self, meta, c):
        found: dict = {}
        for kind, value, span in c[1:]:
            if kind in found:
                self._twice(f"`{_CRITERION_WORDS[kind]}` is given twice in one expectation", span,
                            "an expectation names each of its details once")
                continue
            found[kind] = value
        return Expectation(
            "fires", self._span(meta), rules=(self._tok(c[0]),), lines=found.get("lines", ()),
            severity=found.get("severity"), carc=found.get("carc"), rarc=found.get("rarc"),
            message=found.get("message"), source=found.get("source"),
        )

    def on(self, meta, c):
        return ("lines", c[0], self._span(meta))

    def on_lines(self, meta, c):
        return tuple(self._tok(x) for x in c[1:])

    def severity(self, meta, c):
        return ("severity", self._tok(c[0]), self._span(meta))

    def carc(self, meta, c):
        token = self._tok(c[0])
        if not codes.CARC.match(token.text):  # an expectation that could never hold: RR215 in a rule file
            parts = re.fullmatch(r"([A-Za-z]{2})-?([0-9A-Za-z]{1,3})", token.text)
            fixed = f"{parts.group(1)}-{parts.group(2)}".upper() if parts else None
            self._bad_code(token, "claim adjustment reason code", "write a group code in capitals, a dash and a reason"
                           + (f": `{fixed}`" if fixed and codes.CARC.match(fixed) else ", e.g. `CO-97`, `PR-204`"))
        return ("carc", token, self._span(meta))

    def rarc(self, meta, c):
        tokens = tuple(self._tok(x) for x in c)
        for token in tokens:
            if not codes.RARC.match(token.text):
                fixed = token.text.replace("-", "").upper()
                self._bad_code(token, "remittance advice remark code", "remark codes are written in capitals "
                               "without a dash" + (f": `{fixed}`" if codes.RARC.match(fixed) else
                                                   ", as `M80`, `N362`, `MA130`"))
        return ("rarc", tokens, self._span(meta))

    def _bad_code(self, token: Token, what: str, help: str) -> None:
        """RR602 for a malformed code after `carc` or `rarc` (no finding could have it): the test does not run."""
        line = self.lines[token.span.line - 1] if 0 < token.span.line <= len(self.lines) else None
        self.diagnostics.append(Diagnostic("RR602", f"`{token.text}` is not a {what}", token.span, line,
                                           help=help))

    def message(self, meta, c):
        return ("message", self._tok(c[0]), self._span(meta))

    def source(self, meta, c):
        return ("source", self._tok(c[0]), self._span(meta))

_CRITERION_WORDS = {"lines": "on line", "severity": "severity", "carc": "carc", "rarc": "rarc",
                    "message": "message", "source": "source"}


def _tagged(tag: str, count: int):
    """A builder method for a node that stands for its first ``count`` tokens, tagged ``tag``."""
    def build(self, meta, c):
        return (tag, [self._tok(token) for token in c[:count]])
    return build


#: The nodes of a history line, a compact claim's header and its service lines that stand for their tokens:
#: builder method -> (tag, how many tokens); the methods that build those lines read the tags.
_TAGGED = {
    "status": ("status", 1),
    "history_type": ("type", 1),
    "history_billing": ("billing", 1),
    "history_payer": ("payer", 1),
    "history_bill_type": ("bill", 1),
    "history_claim": ("claim", 1),
    "field_payer": ("field_payer", 1),
    "field_type": ("field_type", 1),
    "field_sex": ("field_sex", 1),
    "field_sex_born": ("field_sex_born", 2),
    "field_born": ("field_born", 1),
    "field_pos": ("field_pos", 1),
    "field_received": ("field_received", 1),
    "field_auth": ("field_auth", 1),
    "field_condition": ("field_condition", 1),
    "field_id": ("field_id", 1),
    "field_billing": ("field_billing", 1),
    "field_bill_type": ("field_bill_type", 1),
    "field_frequency": ("field_frequency", 1),
    "field_replaces": ("field_replaces", 1),
    "field_statement": ("field_statement", 2),
    "field_statement_through": ("field_statement_through", 1),
    "units": ("units", 1),
    "line_pos": ("line_pos", 1),
    "npi": ("npi", 1),
    "charge": ("charge", 1),
    "revenue": ("revenue", 1),
}
for _method, (_tag, _count) in _TAGGED.items():
    setattr(RuleTestBuilder, _method, _tagged(_tag, _count))
