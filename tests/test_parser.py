"""Parser tests: every construct of the rule language parses into the syntax tree."""

from __future__ import annotations

import pytest

import radrules
from radrules import syntax as s
from radrules.parser import parse_rules

from builders import underlined


def parse(text: str) -> tuple:
    """The statements of a text that must parse without diagnostics."""
    source, diagnostics = parse_rules(text, "t.rr")
    assert [d.render() for d in diagnostics] == []
    return source.statements


def condition(text: str):
    """The syntax tree of one `when` condition."""
    (rule,) = parse(f'rule t.c\n  when {text}\n  then deny line "x"\nend\n')
    (when,) = [c for c in rule.clauses if isinstance(c, s.When)]
    return when.condition


def texts(items) -> list[str]:
    return [item.token.text for item in items]


class TestFileLevel:
    def test_header(self):
        """`ruleset NAME version V` gives a header with both texts unquoted."""
        (header,) = parse('ruleset "radrules.test" version "2026.01"\n')
        assert isinstance(header, s.Header)
        assert (header.name.text, header.version.text) == ("radrules.test", "2026.01")

    def test_include(self):
        """`include PATH` keeps the relative path as written."""
        (include,) = parse('include "sets/codes.rr"\n')
        assert isinstance(include, s.Include)
        assert include.path.text == "sets/codes.rr"

    @pytest.mark.parametrize("kind", ["codes", "diagnoses", "modifiers", "places"])
    def test_set_kinds(self, kind):
        """Each set kind introduces a named set definition."""
        (definition,) = parse(f"{kind} things = other_things\n")
        assert isinstance(definition, s.SetDef)
        assert (definition.kind.text, definition.name.text) == (kind, "things")

    def test_set_items_of_every_shape(self):
        """A set lists words, ranges, references and quoted texts, in order."""
        (definition,) = parse('codes mixed = 70450, 70460-70470, ct_head, "free text", G0279\n')
        items = definition.expr.items
        assert [type(item) for item in items] == [s.SetWord, s.SetRange, s.SetRef, s.SetText, s.SetWord]
        assert texts(items) == ["70450", "70460-70470", "ct_head", "free text", "G0279"]
        assert definition.expr.excluded == ()

    def test_set_except(self):
        """`except` separates the excluded items from the included ones."""
        (definition,) = parse("codes ct = 70450-70498, 70540-70559 except 70496, angio\n")
        assert texts(definition.expr.items) == ["70450-70498", "70540-70559"]
        assert texts(definition.expr.excluded) == ["70496", "angio"]

    def test_diagnosis_set_with_dots_and_prefix(self):
        """Diagnoses keep their dots, and a trailing `*` marks a prefix."""
        (definition,) = parse("diagnoses smoking = Z87.891, F17.210-F17.219, C34*\n")
        assert texts(definition.expr.items) == ["Z87.891", "F17.210-F17.219", "C34*"]

    def test_set_may_span_lines_with_comments(self):
        """Newlines and comments inside a set carry no meaning."""
        (definition,) = parse("codes ct = 70450,   # head\n           71250    # chest\n")
        assert texts(definition.expr.items) == ["70450", "71250"]

    def test_setting(self):
        """`setting NAME = VALUE` has no payers."""
        (setting,) = parse("setting modifier_placement = either\n")
        assert (setting.name.text, setting.value.text, setting.payers) == ("modifier_placement", "either", ())

    def test_setting_for_payers(self):
        """`setting ... for payers a, "b"` keeps every payer, names and quoted texts alike."""
        (setting,) = parse('setting modifier_placement = either for payers acme, "Blue Plan"\n')
        assert [p.text for p in setting.payers] == ["acme", "Blue Plan"]

    def test_property(self):
        """`property NAME = VALUE for SET` keeps the value and the code set."""
        (prop,) = parse("property pctc = 1 for 70450-70498, G0279 except 70496\n")
        assert isinstance(prop, s.PropertyDef)
        assert (prop.name.text, prop.value.text) == ("pctc", "1")
        assert texts(prop.codes.items) == ["70450-70498", "G0279"]
        assert texts(prop.codes.excluded) == ["70496"]

    def test_property_with_name_value(self):
        """A property value may be a lowercase name."""
        (prop,) = parse("property contrast_family = ct_head for 70450, 70460\n")
        assert prop.value.text == "ct_head"

    def test_table(self):
        """`table KIND PATH, ... [for TYPE claims] [effective DATE]` parses with every path."""
        (table,) = parse('table ptp "cms/f1.TXT", "cms/f2.TXT" for institutional claims effective 2026-07-01\n')
        assert isinstance(table, s.Table)
        assert (table.kind.text, [p.text for p in table.paths], table.claim_type.text) == (
            "ptp", ["cms/f1.TXT", "cms/f2.TXT"], "institutional")
        assert table.effective.start.text == "2026-07-01"

    @pytest.mark.parametrize("clauses", ["effective 2026-04-01 for institutional claims",
                                         "effective 2026-04-01 through 2026-06-30 for institutional",
                                         "for institutional claims effective 2026-04-01"])
    def test_table_clauses_in_either_order(self, clauses):
        """`effective` may come before `for ... claims` (it was RR103 at `for`, with statement keywords as help)."""
        (table,) = parse(f'table ptp "cms/ccipra-v321r0-f1.TXT" {clauses}\n')
        assert (table.claim_type.text, table.effective.start.text) == ("institutional", "2026-04-01")

    @pytest.mark.parametrize("clauses, word, clause, column, first", [
        ("for institutional for institutional", "for", "for ... claims", 41, 23),
        ("for institutional effective 2026-04-01 for professional", "for", "for ... claims", 62, 23),
        ("effective 2026-04-01 effective 2026-07-01", "effective", "effective", 44, 23),
        ("effective 2026-04-01 through 2026-06-30 for institutional effective 2026-05-01", "effective", "effective",
         81, 23),
        ("for payer acme effective 2026-04-01 for payer beta", "for", "for payer", 59, 23),
        ("for payer acme for institutional for payers beta", "for", "for payer", 56, 23),
        ("for payer acme for institutional effective 2026-04-01 for payer beta", "for", "for payer", 77, 23),
    ])
    def test_table_clauses_once_each(self, clauses, word, clause, column, first):
        """Each clause is written once: a second one is RR103, which says so (its help listed the statements
        that could start there: `addons`, `codes`, ... and the other clause)."""
        _, diagnostics = parse_rules(f'table ptp "cms/x.TXT" {clauses}\n', "t.rr")
        (error,) = diagnostics
        assert (error.code, error.span.column, underlined(error)) == ("RR103", column, word)
        assert error.message == f"unexpected `{word}`: a `table` statement takes one `{clause}` clause"
        why = {"for ... claims": "a statement loads one table, for one claim type; the other claim type's files take "
                                 "a statement of their own",
               "for payer": "one `for payer` names every payer the version serves: `for payers acme, beta`",
               "effective": "a statement loads one version of a table, in force from one date; each version takes "
                            "a statement of its own"}[clause]
        assert error.help == f"the first is at line 1, column {first}: keep one ({why})"

    @pytest.mark.parametrize("clauses", ["for payer acme for institutional claims effective 2026-10-02",
                                         "effective 2026-10-02 for institutional for payer acme",
                                         "for institutional claims for payer acme effective 2026-10-02",
                                         "effective 2026-10-02 for payer acme for institutional claims"])
    def test_table_payer_clause_in_any_order(self, clauses):
        """`for payer` names the payers a table version serves, as blocks do, with the other clauses in any
        order."""
        (table,) = parse(f'table mue "cms/x.csv" {clauses}\n')
        assert [token.text for token in table.payers] == ["acme"]
        assert (table.claim_type.text, table.effective.start.text) == ("institutional", "2026-10-02")

    @pytest.mark.parametrize("clauses, code, column, help", [
        ("for payer", "RR104", 32, "expected a name or a quoted text"),
        ("for payer Acme", "RR103", 33, "write a payer's name in lower case, `acme`, or quoted, `\"Acme\"` (payers "
         "are compared without regard to case)"),
        ("for payer acme,", "RR104", 38, "expected a name or a quoted text"),
    ])
    def test_a_malformed_table_payer_clause(self, clauses, code, column, help):
        """A `for payer` clause without a payer, or with a name in capitals, is refused as in a block."""
        _, diagnostics = parse_rules(f'table mue "cms/x.csv" {clauses}\n', "t.rr")
        (error,) = diagnostics
        assert (error.code, error.span.column, error.help) == (code, column, help)

    def test_a_second_table_clause_on_another_line_past_a_path_that_holds_the_word(self):
        """The first clause is found past quoted paths and comments that hold the word, on its own line."""
        text = ('table ptp "cms/for effective.TXT"  # for effective\n'
                '  effective 2026-07-01 for institutional\n  effective 2026-10-01\n')
        (error,) = parse_rules(text, "t.rr")[1]
        assert (error.span.line, error.span.column) == (3, 3)
        assert error.help.startswith("the first is at line 2, column 3: keep one (")

    @pytest.mark.parametrize("text, code, message, help", [
        ('disable rule a.b for institutional for institutional\n', "RR103", "unexpected `for`",
         "expected `addons`, `codes`, `diagnoses`, `modifiers` or `places`, `disable`, `include`, `limits`, `pairs`, "
         "`property`, `reference`, ..."),
        ('setting modifier_placement = either for payer acme for payer beta\n', "RR103", "unexpected `for`",
         "expected `addons`, `codes`, `diagnoses`, `modifiers` or `places`, `disable`, `include`, `limits`, `pairs`, "
         "`property`, `rule`, ..."),
        ('pairs a.b\n  reference "r"\n  pair 70470 with 70450 modifier 1 effective 2026-01-01 effective 2026-02-01\n'
         'end\n', "RR103", "unexpected `effective`", "expected `disable`, `end`, `pair` or a quoted text"),
        ('table ptp "x" for for institutional\n', "RR101", "unexpected word `for`",
         "expected `payer` or `professional` or `institutional`"),
        ('table ptp "x" effective for institutional\n', "RR101", "unexpected word `for`",
         "expected a date (YYYY-MM-DD)"),
        ('table ptp "x" for institutional claims claims\n', "RR101", "unexpected word `claims`",
         "expected `addons`, `codes`, `diagnoses`, `modifiers` or `places`, `disable`, `effective`, `for`, "
         "`include`, `limits`, `pairs`, ..."),
    ])
    def test_other_misplaced_clauses_keep_their_hints(self, text, code, message, help):
        """A doubled clause of another statement, or a `for` or `effective` a table statement can't end at, keeps
        the hint of the words that could stand there."""
        (error,) = parse_rules(text, "t.rr")[1]
        assert (error.code, error.message, error.help) == (code, message, help)

    @pytest.mark.parametrize("text, message, help", [
        ('rule a.b "x"\n  for payer Northwind Health\n  when line.units > 1\n  then deny line "x"\n  reference "r"\n'
         'end\n', "unexpected `Northwind`", "write a payer's name in quotes, `\"Northwind Health\"` (payers are "
         "compared without regard to case)"),
        ('rule a.b "x"\n  for payer Northwind Health for professional claims\n  when line.units > 1\n'
         '  then deny line "x"\n  reference "r"\nend\n', "unexpected `Northwind`", "write a payer's name in quotes, "
         "`\"Northwind Health\"` (payers are compared without regard to case)"),
        ('rule a.b "x"\n  for payer northwind health\n  when line.units > 1\n  then deny line "x"\n  reference "r"\n'
         'end\n', "unexpected `health`", "a payer's name of several words is quoted, `\"northwind health\"`; several "
         "payers are parted by commas, `northwind, health`"),
        ('rule a.b "x"\n  for payers acme, northwind health\n  when line.units > 1\n  then deny line "x"\n'
         '  reference "r"\nend\n', "unexpected `health`", "a payer's name of several words is quoted, "
         "`acme, \"northwind health\"`; several payers are parted by commas, `acme, northwind, health`"),
        ('rule a.b "x"\n  for payer health care\n  when line.units > 1\n  then deny line "x"\n  reference "r"\nend\n',
         "unexpected `care`", "a payer's name of several words is quoted, `\"health care\"`; several payers are "
         "parted by commas, `health, care`"),  # (not `did you mean carc?`: carc can't follow a payer)
        # a misspelt keyword after a payer of one word is still told the keyword, not to quote two words
        ('table mue "x.csv" for payer acme efective 2026-10-02\n', "unexpected word `efective`",
         "did you mean `effective`?"),
        ('disable rule modifier.pctc.facility for payer pinecrest referense "Pinecrest policy 12.3"\n',
         "unexpected word `referense`", "did you mean `reference`?"),
        ('rule a.b "x"\n  for payer northwind health unless table ptp\n  when line.units > 1\n  then deny line "x"\n'
         '  reference "r"\nend\n', "unexpected `health`", "a payer's name of several words is quoted, "
         "`\"northwind health\"`; several payers are parted by commas, `northwind, health`"),
        ('pairs a.p\n  reference "r"\n  disable pair 77067, 77065\nend\n', "unexpected `,`",
         "the two codes of a pair are joined by `with`: `pair 77067 with 77065`"),
        ('rule a.b "x"\n  when history has [77067] in the last 365 days\n  then deny line "x"\n  reference "r"\nend\n',
         "unexpected `in`", "a history test's window is written `within N days` (or months, years), `since DATE` "
         "or `on the same date`: `history has [77067] within 365 days`"),
        ('rule a.b "x"\n  when history count of [77067] during 2026 > 1\n  then deny line "x"\n  reference "r"\n'
         'end\n', "unexpected `during`", "a history test's window is written `within N days` (or months, years), "
         "`since DATE` or `on the same date`: `history has [77067] within 365 days`"),
    ])
    def test_a_migrating_analysts_guesses_are_told_the_form(self, text, message, help):
        """A payer's name of two words, a pair written with a comma, a window written `in the last ...`: each is
        told the form, rather than `did you mean on?` or brackets (a payer migration specialist's findings)."""
        (error,) = parse_rules(text, "t.rr")[1]
        assert (error.message, error.help) == (message, help)

    def test_empty_file_and_comments_only(self):
        """A file of comments and blank lines has no statements."""
        assert parse("# nothing here\n\n   # still nothing\n") == ()
        assert parse("") == ()


class TestRule:
    RULE = '''rule acme.prior_auth.missing "PA-MISSING"
  kind policy
  for payers acme, "Other Plan"
  for institutional claims
  effective 2026-01-01 through 2026-12-31
  when line.code in [70450, 70460]
  then review line "needs a prior authorization"
  carc CO-197
  rarc N54, M62
  reference "payer policy"
end
'''

    def test_every_clause(self):
        """A rule keeps its id, title and every clause in order."""
        (rule,) = parse(self.RULE)
        assert isinstance(rule, s.Rule)
        assert rule.rule_id.text == "acme.prior_auth.missing"
        assert rule.title.text == "PA-MISSING"
        assert [type(c) for c in rule.clauses] == [
            s.KindClause, s.ForPayer, s.ForType, s.Effective, s.When, s.Then, s.Carc, s.Rarc, s.Reference,
        ]

    def test_clause_values(self):
        """Each clause keeps its words: payers, claim type, dates, severity, target, message, codes."""
        (rule,) = parse(self.RULE)
        kind, payers, claim_type, effective, _when, then, carc, rarc, reference = rule.clauses
        assert kind.kind.text == "policy"
        assert [p.text for p in payers.payers] == ["acme", "Other Plan"]
        assert claim_type.claim_type.text == "institutional"
        assert (effective.start.text, effective.end.text) == ("2026-01-01", "2026-12-31")
        assert (then.severity.text, then.target.text, then.message.text) == (
            "review", "line", "needs a prior authorization")
        assert carc.code.text == "CO-197"
        assert [c.text for c in rarc.codes] == ["N54", "M62"]
        assert reference.text.text == "payer policy"

    def test_claims_word_is_optional(self):
        """`for professional` and `for professional claims` mean the same."""
        (a,) = parse('rule a.b\n  for professional\nend\n')
        (b,) = parse('rule a.b\n  for professional claims\nend\n')
        assert a.clauses[0].claim_type.text == b.clauses[0].claim_type.text == "professional"

    def test_single_payer(self):
        """`for payer NAME` names one payer."""
        (rule,) = parse("rule a.b\n  for payer medicare\nend\n")
        assert [p.text for p in rule.clauses[0].payers] == ["medicare"]

    def test_one_line_rule(self):
        """Newlines carry no meaning: a whole rule fits on one line."""
        (rule,) = parse('rule a.b when line.units > 1 then warn line "x" end\n')
        assert [type(c) for c in rule.clauses] == [s.When, s.Then]

    def test_message_escapes(self):
        """A message may contain escaped quotes, which are unescaped."""
        (rule,) = parse('rule a.b\n  then info line "say \\"hi\\""\nend\n')
        assert rule.clauses[0].message.text == 'say "hi"'

    def test_a_backslash_escapes_itself(self):
        """`\\\\` is one backslash, in a message as in a path."""
        (rule,) = parse('rule a.b\n  then info line "a\\\\b"\nend\n')
        assert rule.clauses[0].message.text == "a\\b"

    @pytest.mark.parametrize("text, escapes, help", [
        ('rule a.b\n  then info line "C:\\temp"\nend\n', ["\\t"],
         'in a quoted text, `\\` starts only `\\"` (a quote) and `\\\\` (a backslash): write `\\\\` for a backslash'),
        ('table ptp "cms/q3/x.TXT", "cms\\q3\\ccipra-v322r0-f2.TXT" for institutional claims\n', ["\\q", "\\c"],
         'a path separates its folders with `/`, on Windows too: `"cms/q3/ccipra-v322r0-f2.TXT"`'),
        ('include "payers\\\\sub\\acme.rr"\n', ["\\a"],
         'a path separates its folders with `/`, on Windows too: `"payers/sub/acme.rr"`'),
        ('codes x = "7\\0450"\n', ["\\0"], None),
    ])
    def test_an_unknown_escape_is_an_error_at_its_backslash(self, text, escapes, help):
        """A `\\` before anything but `"` or `\\` is RR101 at the backslash (it was dropped without a word, so
        `"cms\\ccipra.TXT"` was looked for as `cmsccipra.TXT`); the statement is left out, the others stay."""
        source, diagnostics = parse_rules(text + "codes y = 70450\n", "t.rr")
        assert [(d.code, d.message, underlined(d)) for d in diagnostics] == [
            ("RR101", f"unknown escape `{escape}` in a quoted text", escape) for escape in escapes]
        if help is not None:
            assert {d.help for d in diagnostics} == {help}
        assert [type(st) for st in source.statements] == [s.SetDef]

    @pytest.mark.parametrize("severity", ["deny", "review", "warn", "info"])
    def test_severities(self, severity):
        """Every severity word is accepted after `then`."""
        (rule,) = parse(f'rule a.b\n  then {severity} both "x"\nend\n')
        assert rule.clauses[0].severity.text == severity


class TestConditions:
    def test_is(self):
        """`is` is equality."""
        node = condition("line.code is 70450")
        assert isinstance(node, s.Compare)
        assert node.op.text == "="
        assert (node.left.root.text, node.left.name.text) == ("line", "code")
        assert (node.right.kind, node.right.token.text) == ("word", "70450")

    def test_is_not(self):
        """`is not` is inequality."""
        node = condition("patient.sex is not F")
        assert isinstance(node, s.Compare) and node.op.text == "!="

    @pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
    def test_comparisons(self, op):
        """Every comparison operator parses between a field and a literal."""
        node = condition(f"line.units {op} 2")
        assert isinstance(node, s.Compare)
        assert node.op.text == op

    def test_compare_two_fields(self):
        """Two fields can be compared (the pair rules' `other.units = line.units`)."""
        node = condition("other.units = line.units")
        assert isinstance(node.right, s.Field)
        assert node.right.root.text == "line"

    def test_literal_kinds(self):
        """Literals are words, quoted texts, dates or names."""
        assert condition("claim.received > 2026-01-01").right.kind == "date"
        assert condition('claim.payer is "Blue Plan"').right.kind == "text"
        assert condition("claim.type is institutional").right.kind == "name"
        assert condition("line.units > 2.5").right.kind == "word"

    @pytest.mark.parametrize("text, negated", [("line.code in ct_head", False), ("line.code not in ct_head", True)])
    def test_in_named_set(self, text, negated):
        """`in` and `not in` take a set name."""
        node = condition(text)
        assert isinstance(node, s.InSet)
        assert node.negated is negated
        assert [type(i) for i in node.values.expr.items] == [s.SetRef]

    @pytest.mark.parametrize("operand, shape", [
        ("70450", s.SetWord), ("70450-70470", s.SetRange), ('"acme"', s.SetText), ("ct_head", s.SetRef),
    ])
    def test_in_single_item(self, operand, shape):
        """`in` takes one code, one range, one quoted text or one set name without brackets."""
        node = condition(f"line.code in {operand}")
        assert [type(i) for i in node.values.expr.items] == [shape]

    def test_in_bracketed_list_with_except(self):
        """`in [...]` takes a whole set expression, `except` included."""
        node = condition("line.code in [ct_head, 70450-70470 except 70460]")
        assert texts(node.values.expr.items) == ["ct_head", "70450-70470"]
        assert texts(node.values.expr.excluded) == ["70460"]

    def test_between(self):
        """`between LOW and HIGH` keeps both bounds."""
        node = condition("patient.age between 50 and 77")
        assert isinstance(node, s.Between)
        assert (node.low.token.text, node.high.token.text) == ("50", "77")

    def test_has_means_has_any(self):
        """A plain `has` is `has any of`."""
        node = condition("line.modifiers has 59")
        assert isinstance(node, s.Has) and node.quantifier == "any"

    @pytest.mark.parametrize("quantifier", ["any", "all", "none"])
    def test_has_quantified(self, quantifier):
        """`has any|all|none of` keeps its quantifier."""
        node = condition(f"line.modifiers has {quantifier} of [26, TC]")
        assert isinstance(node, s.Has) and node.quantifier == quantifier
        assert texts(node.values.expr.items) == ["26", "TC"]

    @pytest.mark.parametrize("text, present", [
        ("claim.prior_auth is missing", False),
        ("claim.prior_auth is present", True),
        ("claim.prior_auth is not missing", True),
    ])
    def test_presence(self, text, present):
        """`is missing`, `is present` and `is not missing` test presence."""
        node = condition(text)
        assert isinstance(node, s.Presence) and node.present is present

    @pytest.mark.parametrize("text, prop, same_date", [
        ("claim also has 77067", None, False),
        ("claim also has 77067 on the same date", None, True),
        ("claim also has [74150, 74160] with the same contrast_family", "contrast_family", False),
        ("claim also has contrast_combined with the same contrast_family on the same date", "contrast_family", True),
        ("claim also has 77067 with same us_region on same date", "us_region", True),
    ])
    def test_also_has(self, text, prop, same_date):
        """`claim also has X [with the same PROP] [on the same date]` keeps both options."""
        node = condition(text)
        assert isinstance(node, s.AlsoHas)
        assert node.root.text == "claim"
        assert (node.same_property.text if node.same_property else None) == prop
        assert node.same_date is same_date

    def test_ptp_edit(self):
        """`ptp edit between line and other` names its two lines."""
        node = condition("ptp edit between line and other")
        assert isinstance(node, s.PtpEdit)
        assert (node.first.text, node.second.text) == ("line", "other")

    @pytest.mark.parametrize("text, sign, amount, unit", [
        ("claim.received > line.date + 12 months", "+", "12", "months"),
        ("claim.received > line.date + 1 year", "+", "1", "year"),
        ("line.date < claim.received - 30 days", "-", "30", "days"),
    ])
    def test_date_offsets(self, text, sign, amount, unit):
        """A date field moves by days, months or years, forwards or back."""
        node = condition(text)
        offset = node.right
        assert isinstance(offset, s.DateOffset)
        assert (offset.sign.text, offset.amount.text, offset.unit.text) == (sign, amount, unit)

    def test_and_binds_tighter_than_or(self):
        """`a or b and c` is `a or (b and c)`."""
        node = condition("line.units > 1 or line.units > 2 and line.units > 3")
        assert isinstance(node, s.Or)
        assert isinstance(node.parts[0], s.Compare)
        assert isinstance(node.parts[1], s.And)

    def test_not_binds_tighter_than_and(self):
        """`not a and b` is `(not a) and b`."""
        node = condition("not line.units > 1 and line.units > 2")
        assert isinstance(node, s.And)
        assert isinstance(node.parts[0], s.Not)

    def test_parentheses(self):
        """Parentheses group an `or` inside an `and`."""
        node = condition("line.units > 1 and (line.units > 2 or line.units > 3)")
        assert isinstance(node, s.And)
        assert isinstance(node.parts[1], s.Or)

    def test_chains_are_flattened(self):
        """`a and b and c` is one `and` of three parts, likewise for `or`."""
        assert len(condition("line.units > 1 and line.units > 2 and line.units > 3").parts) == 3
        assert len(condition("line.units > 1 or line.units > 2 or line.units > 3").parts) == 3

    def test_double_not(self):
        """`not not a` nests two negations."""
        node = condition("not not line.units > 1")
        assert isinstance(node, s.Not) and isinstance(node.part, s.Not)


class TestEditBlocks:
    @pytest.mark.parametrize("written, indicator", [
        ("0", "0"), ("1", "1"), ("9", "9"),
        ("not allowed", "0"), ("allowed", "1"), ("not applicable", "9"),
    ])
    def test_pair_indicator_words(self, written, indicator):
        """The modifier indicator is a digit or its words, normalised to the digit."""
        (block,) = parse(f"pairs p.p\n  pair 74176 with 74150 modifier {written}\nend\n")
        (row,) = block.rows
        assert isinstance(row, s.PairRow)
        assert row.indicator.text == indicator

    def test_pair_row_with_dates_and_rationale(self):
        """A pair row keeps its codes, its window and its rationale."""
        (block,) = parse(
            'pairs acme.ptp "Acme edits"\n  for payer acme\n  reference "policy"\n'
            '  pair 74176 with 74150 modifier 1 effective 2024-01-01 through 2026-06-30 "Mutually exclusive procedures"\n'
            "  disable pair 71046 with 71045\nend\n"
        )
        assert block.title.text == "Acme edits"
        assert [type(c) for c in block.clauses] == [s.ForPayer, s.Reference]
        row, disable = block.rows
        assert (row.column1.text, row.column2.text) == ("74176", "74150")
        assert (row.effective.start.text, row.effective.end.text) == ("2024-01-01", "2026-06-30")
        assert row.rationale.text == "Mutually exclusive procedures"
        assert isinstance(disable, s.DisablePair)
        assert (disable.column1.text, disable.column2.text) == ("71046", "71045")

    def test_pair_row_without_tail(self):
        """Dates and rationale of a pair row are optional."""
        (block,) = parse("pairs p.p\n  pair 74176 with 74150 modifier 0\nend\n")
        (row,) = block.rows
        assert row.effective is None and row.rationale is None

    @pytest.mark.parametrize("mai", ["1", "2", "3"])
    def test_limit_rows(self, mai):
        """A limit row keeps code, maximum, MAI, window and rationale; `disable limit` names a code."""
        (block,) = parse(
            f'limits l.l\n  severity review\n  limit 77067 max 1 mai {mai} effective 2026-01-01 "Clinical"\n'
            "  disable limit Q9967\nend\n"
        )
        row, disable = block.rows
        assert isinstance(row, s.LimitRow)
        assert (row.code.text, row.max_units.text, row.mai.text) == ("77067", "1", mai)
        assert row.effective.start.text == "2026-01-01" and row.effective.end is None
        assert row.rationale.text == "Clinical"
        assert isinstance(disable, s.DisableLimit) and disable.code.text == "Q9967"
        assert isinstance(block.clauses[0], s.SeverityClause)

    @pytest.mark.parametrize("aoc_type", ["1", "2", "3"])
    def test_addon_rows(self, aoc_type):
        """An add-on row keeps its type, its primaries and its window; primaries are optional."""
        (block,) = parse(
            f"addons a.a\n  addon G0279 type {aoc_type} primaries 77065, 77066 effective 2026-01-01\n"
            f"  addon 77063 type {aoc_type}\nend\n"
        )
        first, second = block.rows
        assert first.aoc_type.text == aoc_type
        assert texts(first.primaries.items) == ["77065", "77066"]
        assert first.effective.start.text == "2026-01-01"
        assert second.primaries is None and second.effective is None

    def test_disable_addon_rows(self):
        """`disable addon` names a code; a `with PRIMARY` is parsed, for the compiler to refuse (RR220)."""
        (block,) = parse("addons a.a\n  for payer acme\n  addon 77063 type 2\n  disable addon 76376\n"
                         "  disable addon G0279 with 77066\nend\n")
        _, whole, with_primary = block.rows
        assert isinstance(whole, s.DisableAddon) and (whole.code.text, whole.primary) == ("76376", None)
        assert (with_primary.code.text, with_primary.primary.text) == ("G0279", "77066")

    def test_a_hint_in_an_edit_block_offers_no_rule_clause(self):
        """Where an edit block's rows are expected, the hint does not list `kind` (RR252 there)."""
        _, diagnostics = parse_rules('addons a.a\n  reference "r"\n  123 addon 76376\nend\n', "x.rr")
        [error] = diagnostics
        assert "`disable`" in error.help and "`kind`" not in error.help
        _, diagnostics = parse_rules('rule a.a\n  123\nend\n', "x.rr")
        assert "`kind`" in diagnostics[0].help


class TestSpans:
    def test_spans_are_one_based(self):
        """Spans count lines and columns from 1 and end exclusively."""
        (rule,) = parse('rule a.b\n  when line.modifiers has 59\n  then deny line "x"\nend\n')
        when = rule.clauses[0]
        field = when.condition.operand
        assert (field.span.line, field.span.column, field.span.end_column) == (2, 8, 22)
        assert str(field.name.span) == "t.rr:2:13"
        assert rule.span.line == 1 and rule.span.end_line == 4


    @pytest.mark.parametrize("odd", ["\x0c", "\r", "\x1c", "\u2028"], ids=["form feed", "lone CR", "FS", "LS"])
    def test_a_control_character_in_a_comment_does_not_move_the_lines_shown(self, odd):
        """Lines are numbered at line feeds only, as the parser numbers them: an error shows its own line,
        and a control character shows as a space."""
        text = (f"# page{odd}break\ncodes a = 70450\n"
                'rule x.y "t"\n  when line.units > 1\n  then deny line "x"\n  reference "r"\n  bogus\nend\n')
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text)
        (error,) = caught.value.errors
        assert error.render().splitlines()[:3] == [
            "<string>:7:3: error[RR101]: unexpected word `bogus`",
            "    7 |   bogus",
            "      |   ^^^^^",
        ]
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(f"#{odd}x\n  nonsense\n")
        assert caught.value.errors[0].render().splitlines()[1] == "    2 |   nonsense"


class TestRecovery:
    def test_every_broken_statement_is_reported(self):
        """A syntax error in one statement does not hide the next one, nor the good ones."""
        text = (
            "codes good = 70450\n"
            "rule a.b\n  when line.units >\n  then deny line \"x\"\nend\n"
            "codes also_good = 70460\n"
            "rule a.c\n  when line.units > 1 ;\n  then deny line \"x\"\nend\n"
        )
        source, diagnostics = parse_rules(text, "t.rr")
        assert [d.span.line for d in diagnostics] == [4, 8]
        assert [st.name.text for st in source.statements if isinstance(st, s.SetDef)] == ["good", "also_good"]


    @pytest.mark.parametrize("ending", ["", "\n", "\n\n  \n"], ids=["no final newline", "newline", "blank lines"])
    def test_missing_end_hint_names_the_line_after_the_block(self, ending):
        """`add end after line 4`, never `before line 4`: that would put `end` before the block's last line."""
        text = 'rule a.b "t"\n  when line.code is 70450\n  then deny line "x"\n  reference "r"' + ending
        _, diagnostics = parse_rules(text, "t.rr")
        (diagnostic,) = diagnostics
        assert diagnostic.code == "RR105" and diagnostic.help.startswith("add `end` after line 4;")


    def test_a_file_read_piece_by_piece_gives_the_statements_of_a_whole_parse(self):
        """A file with an error is read a statement at a time, each parsed alone and moved to its lines: the good
        statements come out as a parse of the whole file gives them, spans and all (every bundled rule file,
        with a broken statement at its end)."""
        from radrules._resources import bundled_rulesets

        files = sorted(bundled_rulesets().rglob("*.rr"))
        assert files
        for path in files:
            text = path.read_text(encoding="utf-8")
            whole, diagnostics = parse_rules(text, "f.rr")
            assert diagnostics == []
            pieces, diagnostics = parse_rules(text + "\nrule broken.rule\n  when line.units >\nend\n", "f.rr")
            assert len(diagnostics) == 1 and diagnostics[0].span.line == text.count("\n") + 2
            assert pieces.statements == whole.statements, path.name

    def test_past_fifty_broken_statements_the_rest_are_counted(self):
        """A file of many broken statements has its first 50 explained (each explanation reads the file up to its
        statement: 64,000 took minutes); the rest are not, and are counted in the RR407 of those not shown."""
        text = "codes good = 70450\n" + "rule x\n" * 120 + "codes also_good = 70460\n"
        source, diagnostics = parse_rules(text, "t.rr")
        assert [d.code for d in diagnostics] == ["RR105"] * 50 + ["RR103"] * 70
        assert [d.span.line for d in diagnostics] == list(range(2, 122))
        assert {d.message for d in diagnostics[50:]} == {"this statement does not parse"}
        assert [st.name.text for st in source.statements if isinstance(st, s.SetDef)] == ["good", "also_good"]
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="t.rr")
        shown = caught.value.diagnostics
        assert [d.code for d in shown] == ["RR105"] * 50 + ["RR407"]
        assert shown[-1].message == "70 more problems in `t.rr` not shown"
        assert str(caught.value).endswith("\n\n120 errors")


class TestNameOperands:
    def test_name_literal_operand_parses(self):
        """A bare name on the right of `is` (a claim type, a payer) parses as a name literal."""
        node = condition("claim.type is institutional")
        assert isinstance(node, s.Compare)
        assert (node.right.kind, node.right.token.text) == ("name", "institutional")

    def test_rule_on_claim_type_compiles_and_fires(self):
        """A rule comparing `claim.type` with a bare name compiles and fires on that type only."""
        rules = radrules.loads(
            'rule inst.only\n  when claim.type is institutional\n  then deny line "inst"\n'
            '  reference "test"\nend\n',
            name="claim_type_name.rr",
        )
        line = {"code": "70450", "date": "2026-01-05"}
        assert rules.evaluate({"type": "institutional", "lines": [line]}).fired() == ("inst.only",)
        assert rules.evaluate({"type": "professional", "lines": [line]}).fired() == ()


class TestKeywordsAreWholeWords:
    def test_set_name_starting_with_a_quantifier_word(self):
        """A set whose name starts with `all`/`any`/`none` can follow `has`."""
        rules = radrules.loads(
            "modifiers allowed_mods = 59, XS\n"
            'rule a.b\n  when line.modifiers has allowed_mods\n  then deny line "x"\n  reference "t"\nend\n',
            name="allowed_mods.rr",
        )
        claim = {"lines": [{"code": "70450", "date": "2026-01-05", "modifiers": ["XS"]}]}
        assert rules.evaluate(claim).fired() == ("a.b",)

    def test_keyword_glued_to_a_word_is_not_split(self):
        """`modifier notallowed` is an error, not silently read as `not allowed`."""
        text = 'pairs p.p\n  reference "t"\n  pair 74176 with 74150 modifier notallowed\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="notallowed.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR101"
        assert underlined(diagnostic) == "notallowed"

    def test_a_date_in_digits_of_another_script_is_not_a_date(self):
        """A full-width date is an unexpected character, not a date token (whose check said "not a calendar date")."""
        text = 'rule a.b\n  when line.date >= \uff12\uff10\uff12\uff16-01-01\n  then deny line "x"\n  reference "t"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="date.rr")
        (diagnostic,) = caught.value.errors
        assert diagnostic.code == "RR101" and underlined(diagnostic) == "\uff12"

    def test_misspelled_keyword_is_named(self):
        """A keyword with an extra letter is reported as that word, with the keyword suggested."""
        text = 'rule a.b\n  whenn line.code is 70450\n  then deny line "x"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text, name="whenn.rr")
        (diagnostic,) = caught.value.errors
        assert underlined(diagnostic) == "whenn"
        assert diagnostic.help == "did you mean `when`?"

    @pytest.mark.parametrize("name", ["codes_extra", "payers_list", "deny_list", "days_left", "none_of_these"])
    def test_names_that_start_with_keywords_are_names(self, name):
        """Set names that begin with a keyword (`codes`, `payers`, `deny`, `days`, `none`) are plain names."""
        rules = radrules.loads(
            f"codes {name} = 70450\n"
            f'rule a.b\n  when line.code in {name}\n  then deny line "x"\n  reference "t"\nend\n',
            name="prefix_names.rr",
        )
        assert rules.evaluate({"lines": [{"code": "70450", "date": "2026-01-05"}]}).fired() == ("a.b",)


class TestLongAndDeep:
    RULE = 'rule a.b "t"\n  when {}\n  then info line "x"\n  reference "r"\nend\n'

    @pytest.mark.parametrize("joiner", [" or ", " and "])
    def test_a_long_chain_is_flat(self, joiner):
        """5,000 tests joined by `or` (or `and`) parse, compile, evaluate and explain: a chain is one flat node."""
        rules = radrules.loads(self.RULE.format(joiner.join(["line.units > 1"] * 5000)), name="long.rr")
        claim = {"lines": [{"code": "70450", "date": "2026-01-01", "units": 2}]}
        assert rules.evaluate(claim).fired() == ("a.b",)
        assert rules.evaluate(claim, explain=True).fired() == ("a.b",)

    @pytest.mark.parametrize("condition", ["not " * 600 + "line.units > 1",
                                           "(line.units > 1 or " * 400 + "line.units > 2" + ")" * 400])
    def test_nesting_too_deep_is_a_diagnostic(self, condition):
        """Deep nesting is RR106 on the statement, not a RecursionError; the other statements still parse."""
        text = "codes a = 70450\n" + self.RULE.format(condition) + "codes b = 70460\n"
        source, diagnostics = parse_rules(text, "deep.rr")
        assert [(d.code, d.span.line) for d in diagnostics] == [("RR106", 2)]
        assert [st.name.text for st in source.statements if isinstance(st, s.SetDef)] == ["a", "b"]

    def test_nesting_under_the_limit_evaluates(self):
        rules = radrules.loads(self.RULE.format("not " * 80 + "line.units > 1"), name="deep.rr")
        assert rules.evaluate({"lines": [{"code": "70450", "date": "2026-01-01", "units": 2}]}).fired() == ("a.b",)


@pytest.mark.parametrize("text, word, column", [
    ('pairs acmeX.ptp\n  reference "x"\n  pair 74176 with 74150 modifier 0\nend\n', "acmeX.ptp", 7),
    ('rule Acme.x\n  when line.code is 70450\n  then deny line "x"\n  reference "x"\nend\n', "Acme.x", 6),
    ('disable rule Acme.ct for payer acme reference "x"\n', "Acme.ct", 14),
])
def test_an_id_with_capitals_says_ids_are_lower_case(text, word, column):
    """An id with a capital (`acmeX.ptp`) said `unexpected X` and listed keywords (or `expected a name`)."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="t.rr")
    (error,) = caught.value.errors
    assert (error.code, error.span.column, error.message) == (
        "RR103", column, f"unexpected `{word}`: ids are written in lower case")
    assert error.help == f"write `{word.lower()}`"


def test_a_code_with_a_letter_for_a_digit_is_not_a_code():
    """`7l046` lexes as 7 and a word: RR101 says the five characters are not a code, not `expected max`."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads('limits a.mue\n  reference "r"\n  limit 7l046 max 1 mai 2\nend\n')
    [error] = caught.value.errors
    assert (error.code, error.message, error.span.column, error.span.end_column) == (
        "RR101", "`7l046` is not a code", 9, 14)
    assert "`l` for `1`" in error.help
    with pytest.raises(radrules.RuleError) as caught:  # digits and a word of another length are no code
        radrules.loads('limits a.mue\n  reference "r"\n  limit 77067 max 12ab mai 2\nend\n')
    assert "is not a code" not in caught.value.errors[0].message


RULE_WITH = 'rule a.b\n{}  when {}\n  then {}\n  reference "r"\nend\n'


def test_digits_and_x_elsewhere_get_no_nubc_hint():
    """`12x` after a field that is neither a type of bill nor a revenue code is a plain unexpected word: the
    NUBC hint would send the analyst to a third error."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(RULE_WITH.format("", "line.units > 12x", 'deny line "x"'), name="t.rr")
    (error,) = caught.value.errors
    assert (error.code, error.message) == ("RR101", "unexpected word `x`") and "NUBC" not in (error.help or "")


@pytest.mark.parametrize("text, code, message, word, help", [
    (RULE_WITH.format("", "line.code is 70450", 'deny "x"'), "RR103", "unexpected quoted text", '"x"',
     "expected `line`, `other`, `both` or `claim`, the lines the finding acts on: `then deny line \"...\"`"),
    (RULE_WITH.format("  for payer Ridgeline\n", "line.code is 70450", 'info line "x"'), "RR103",
     "unexpected `Ridgeline`", "Ridgeline",
     "write a payer's name in lower case, `ridgeline`, or quoted, `\"Ridgeline\"` (payers are compared without "
     "regard to case)"),
    (RULE_WITH.format('  for payers "blue plan", 1199SEIU\n', "line.code is 70450", 'info line "x"'), "RR103",
     "unexpected `1199SEIU`", "1199SEIU",
     "write a payer's name in quotes, `\"1199SEIU\"` (payers are compared without regard to case)"),
    ('diagnoses d = R10.9, r51.9\n' + RULE_WITH.format("", "line.diagnoses has any of d", 'deny line "x"'),
     "RR103", "unexpected `r51.9`: codes are written in capitals", "r51.9", "write `R51.9`"),
    (RULE_WITH.format("", "line.diagnoses has any of [R10.9, r51.9]", 'deny line "x"'), "RR103",
     "unexpected `r51.9`: codes are written in capitals", "r51.9", "write `R51.9`"),
    (RULE_WITH.format("", "line.code in 70450-70498 except 70496", 'deny line "x"'), "RR101",
     "unexpected word `except`", "except",
     "a set written in a condition takes `except` inside its brackets: `in [70450-70498 except 70496]`"),
    (RULE_WITH.format("", "line.diagnoses has any of c34 except C34.9*", 'deny line "x"'), "RR101",
     "unexpected word `except`", "except",
     "a set written in a condition takes `except` inside its brackets: `of [c34 except C34.9*]`"),
    (RULE_WITH.format("  effective 2026-01-01 to 2026-03-31\n", "line.code is 70450", 'deny line "x"'), "RR101",
     "unexpected word `to`", "to", "write `through`, not `to`: `effective 2026-01-01 through 2026-03-31`"),
    ('pairs a.ptp\n  reference "r"\n  pair 74176 with 74150 modifier 1 effective 2024-01-01 until 2025-12-31\nend\n',
     "RR101", "unexpected word `until`", "until",
     "write `through`, not `until`: `effective 2024-01-01 through 2025-12-31`"),
    ('table ptp "cms/ptp.txt" effective 2026-01-01 to 2026-03-31\n', "RR101", "unexpected word `to`", "to",
     "a table version takes effect on one date and stays in force until a later version: write "
     "`effective 2026-01-01` alone"),
    (RULE_WITH.format("", "claim.bill_type in [12*, 13x]", 'deny line "x"'), "RR103", "unexpected `13x`", "13x",
     "every frequency of a type of bill is written with `*`: `13*`"),
    (RULE_WITH.format("", "line.revenue_code in [096x, 0972]", 'deny line "x"'), "RR103", "unexpected `096x`",
     "096x", "NUBC's category is written with a capital X: `096X`"),
    (RULE_WITH.format("", "line.revenue_code in [32x]", 'deny line "x"'), "RR103", "unexpected `32x`", "32x",
     "NUBC's category is written with a capital X: `032X`"),
    (RULE_WITH.format("", "claim.bill_type is 13x", 'deny line "x"'), "RR103", "unexpected `13x`", "13x",
     "every frequency of a type of bill is a set: `claim.bill_type in [13*]`"),
    (RULE_WITH.format("", "claim.bill_type in [131,\n                          13x]", 'deny line "x"'), "RR103",
     "unexpected `13x`", "13x", "every frequency of a type of bill is written with `*`: `13*`"),
    ("diagnoses d = O09.-, Z79.52\n", "RR103", "unexpected `-`", "-",
     "the codes under a category are a prefix here: `O09*` (`O09.-` is the Tabular's way to write it)"),
    (RULE_WITH.format("", "line.diagnoses has any of [M80.-]", 'deny line "x"'), "RR103", "unexpected `-`", "-",
     "the codes under a category are a prefix here: `M80*` (`M80.-` is the Tabular's way to write it)"),
    (RULE_WITH.format("", "line.code is 77080\n   unless line.diagnoses has any of [M80*]", 'deny line "x"'),
     "RR101", "unexpected word `unless`", "unless",
     "a condition is turned around with `not`: `and not line...` (or, for a list, `has none of`)"),
    (RULE_WITH.format("", "line.code is 77080\n   or except patient.age > 65", 'deny line "x"'),
     "RR101", "unexpected word `except`", "except",
     "a condition is turned around with `not`: `or not patient...` (or, for a list, `has none of`)"),
])
def test_a_common_mistake_is_told_its_fix(text, code, message, word, help):
    """A target left out, a payer name in capitals, a diagnosis code in lower case, `effective DATE to DATE` (a
    table takes one date), `except` outside the brackets of a set written in a condition: the help says how to
    write it (and a set whose definition did not parse is
    not an unknown set as well)."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="t.rr")
    (error,) = caught.value.errors
    assert (error.code, error.message, underlined(error), error.help) == (code, message, word, help)


def test_a_set_whose_definition_did_not_parse_is_still_an_unknown_set_elsewhere():
    """Only a set named by a statement with a syntax error is spared RR201: a set no statement defines is not."""
    text = 'codes c = 70450 70460\n' + RULE_WITH.format("", "line.code in c or line.code in d", 'deny line "x"')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text, name="t.rr")
    assert [(e.code, underlined(e)) for e in caught.value.errors] == [("RR103", "70460"), ("RR201", "d")]


@pytest.mark.parametrize("condition, word, column, help", [
    ("claim.payer is Bluebonnet", "Bluebonnet", 23,
     'write `bluebonnet`, or quote the name to keep its case: `"Bluebonnet"` (payers are compared without regard '
     'to case)'),
    ("claim.payer in [acme, Aetna]", "Aetna", 30,
     'write `aetna`, or quote the name to keep its case: `"Aetna"` (payers are compared without regard to case)'),
    ("patient.sex is Female", "Female", 23, "sexes are written `F`, `M` or `U`"),
    ("line.modifiers has Tc", "Tc", 27, "codes and modifiers are written in capitals: `TC`"),
    ("claim.payer is Uh", "Uh", 23,
     'write `uh`, or quote the name to keep its case: `"Uh"` (payers are compared without regard to case)'),
    ("claim.type is Professional", "Professional", 22,
     "write `professional`: fields, keywords and claim types are lower case, codes capitals"),
    ("Line.code is 70551", "Line", 8, "write `line`: fields, keywords and claim types are lower case, codes capitals"),
])
def test_a_word_of_capitals_and_small_letters_is_told_whole(condition, word, column, help):
    """The lexer reads `Bluebonnet` as `B` and `luebonnet`: the error named the second half, with a list of
    keywords; it names the word, and its fix by the field it is compared with."""
    _, diagnostics = parse_rules(f'rule t.r "r"\n  when {condition}\n  then info line "x"\n  reference "t"\nend\n',
                                 "t.rr")
    (diagnostic,) = diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.span.column, diagnostic.span.end_column,
            diagnostic.help) == ("RR101", f"unexpected word `{word}`: a word of capitals and small letters", column,
                                 column + len(word), help)


@pytest.mark.parametrize("text, code, message, help", [
    ('rule t.r "r"\n  when line.code == 70551\n  then info line "x"\nend\n', "RR103",
     "unexpected `=`: `==` is not a comparison", "write `line.code = ...` or `line.code is ...`"),
    ('rule t.r "r"\n  when line.units !== 2\n  then info line "x"\nend\n', "RR103",
     "unexpected `=`: `!==` is not a comparison", "write `line.units != ...` or `line.units is not ...`"),
    ('rule t.r "r"\n  when line.units >== 2\n  then info line "x"\nend\n', "RR103",
     "unexpected `=`: `>==` is not a comparison", "write `line.units >= ...`"),
    ("rule t.r \"r\"\n  when line.units > 1\n  then info line 'x'\nend\n", "RR101",
     "unexpected character `'`", 'texts are quoted with double quotes: `"..."`'),
    ('rule t.r "r"\n  kind Policy\n  when line.units > 1\n  then info line "x"\nend\n', "RR103",
     "unexpected `Policy`", "a kind is written in lower case: `format`, `duplicate`, `ptp`, `mue`, `modifier`, "
     "`policy`, `addon` or `coding`"),
])
def test_habits_of_other_languages_are_told_their_form(text, code, message, help):
    """`==`, single quotes and a kind in capitals: a newcomer's habits, told what the language writes."""
    _, diagnostics = parse_rules(text, "t.rr")
    (diagnostic,) = diagnostics
    assert (diagnostic.code, diagnostic.message, diagnostic.help) == (code, message, help)


def test_an_expected_to_a_workday_is_named_by_its_words():
    """Where `to a workday` may come, a syntax error's help names it as written, not as `workday`."""
    from radrules.syntax_errors import _expected_help

    assert _expected_help({"WORKDAY", "COMPARE"}, "x") == "expected `to a workday` or a comparison (`=`, `!=`, `<`, " \
                                                           "`<=`, `>`, `>=`)"
