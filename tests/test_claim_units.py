"""`claim units of CODES [with modifier M] [with the same PROPERTY] [on the same date]`: the units of this claim's
lines of a family of codes, added up (docs/language.md, "`claim units of`")."""

from __future__ import annotations

import pickle

import pytest

import radrules
from radrules import conditions as c
from radrules import fastpath
from radrules import syntax as s
from radrules.condition_reads import reads_one_line, reads_only_key
from radrules.evaluation import Evaluation
from radrules.parser import parse_rules

from builders import NPI, OTHER_NPI, claim, line, underlined

STENTS = """
property family = stent for 37236, 37237
property family = contrast for Q9965, Q9966, Q9967

rule t.stents "at most 3 vessels stented a day"
  when line.code in [37236, 37237]
   and claim units of [37236, 37237] on the same date > 3
  then deny line "{line.code}: over 3 vessels on {line.date}"
  carc CO-151
  reference "t"
end
"""


def rule(condition: str, then: str = 'warn line "x"', rule_id: str = "t.x", extra: str = "") -> str:
    return (f"property family = stent for 37236, 37237\nproperty family = contrast for Q9965, Q9966, Q9967\n"
            f"rule {rule_id}\n  when {condition}\n  then {then}\n{extra}  reference \"t\"\nend\n")


def hits(text: str, data: dict, history=None) -> list[int]:
    """The lines the rules' findings act on, in order (indexed and unindexed evaluation agree)."""
    rules = radrules.loads(text)
    result = rules.evaluate(data, history=history)
    assert result.to_dict() == rules.evaluate(data, history=history, indexed=False).to_dict()
    return [number for finding in result.findings for number in finding.lines]


def error_of(text: str):
    """The first error of a rule text, and the errors as `radrules check` renders them."""
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    return caught.value.errors[0], str(caught.value)


class TestParse:
    def test_the_parts_are_kept(self):
        """The codes, the modifier clause, the property and `on the same date` reach the syntax tree."""
        source, errors = parse_rules(rule("claim units of [Q9965-Q9967] without modifier 26 with the same family "
                                          "on the same date >= 2"))
        assert errors == []
        node = next(n for n in s.nodes(source.statements) if isinstance(n, s.ClaimUnits))
        assert (node.root.text, node.same_date, node.same_property.text, node.modifiers.without) == (
            "claim", True, "family", True)
        assert [item.token.text for item in node.values.expr.items] == ["Q9965-Q9967"]

    def test_each_part_is_optional(self):
        source, errors = parse_rules(rule("line.units < claim units of 37237"))
        assert errors == []
        node = next(n for n in s.nodes(source.statements) if isinstance(n, s.ClaimUnits))
        assert (node.same_date, node.same_property, node.modifiers) == (False, None, None)

    def test_units_stays_a_field_name_and_a_property_name(self):
        """`units` became a word of the language; `line.units` and `with the same units` still read as before."""
        rules = radrules.loads(rule("line.units > 1 and history has the same code with the same units"))
        assert rules.rules[0].condition is not None


class TestErrors:
    @pytest.mark.parametrize("condition, code, underline, message, help", [
        ("claim units of [37236] on the same date with modifier 26 > 1", "RR101", "with", "unexpected word `with`",
         "the parts of `claim units of CODES` come in this order: `with modifier M`, `billing the ... component`, "
         "`with the same PROPERTY`, then `on the same date`"),
        ("claim units of [37236] on the same date with the same family > 1", "RR101", "with",
         "unexpected word `with`", "the parts of `claim units of CODES` come in this order: `with modifier M`, "
         "`billing the ... component`, `with the same PROPERTY`, then `on the same date`"),
        ("claim units of [37236] on the same date on an earlier line > 1", "RR101", "on", "unexpected word `on`",
         "`claim units of CODES` adds up the line judged with the others: it takes no `on an earlier line` (to ask "
         "for an earlier line of the codes, write `claim also has CODES on an earlier line`)"),
        ("claim units of [37236] on an earlier line > 1", "RR101", "an", "unexpected word `an`",
         "`claim units of CODES` adds up the line judged with the others: it takes no `on an earlier line` (to ask "
         "for an earlier line of the codes, write `claim also has CODES on an earlier line`)"),
        ("claim units of [37236] within 3 days > 1", "RR101", "within", "unexpected word `within`",
         "`claim units of CODES` adds up the units of this claim's lines: it takes no window (earlier claims' "
         "services are counted by `history count of CODES within ...`)"),
        ("line units of [37236] > 1", "RR221", "line", "`units of` reads the whole claim, not `line`",
         "write `claim units of ...`"),
        ("clam units of [37236] > 1", "RR221", "clam", "unknown record `clam`", "did you mean `claim`?"),
        ("claim units of [37236] with the same famly > 1", "RR204", "famly", "unknown code property `famly`",
         "did you mean `family`?"),
        ("claim units of [stents] > 1", "RR201", "stents", "unknown set `stents`", None),
        ("claim.units > 1", "RR204", "units", "unknown field `units` of `claim`",
         "did you mean `line.units`? (the units of the claim's lines of some codes, added up: `claim units of "
         "[...]`)"),
        ("claim units of [37236] > 2026-03-02", "RR210", "2026-03-02", "expected a number, not `2026-03-02`", None),
        ("line.date > claim units of [37236]", "RR209", "line.date > claim units of [37236]",
         "can't compare a date with a number", None),
    ])
    def test_a_mistake_is_told_where_it_is(self, condition, code, underline, message, help):
        """Each error names the file:line:col of the word at fault, underlines it, and says what to write."""
        error, rendered = error_of(rule(condition))
        assert (error.code, error.span.line, underlined(error), error.message) == (code, 4, underline, message)
        if help is not None:
            assert error.help == help
        caret = " " * (error.span.column - 1) + "^" * len(underline)
        assert f"<string>:4:{error.span.column}: error[{code}]: {message}" in rendered
        assert f"    4 | {error.source_line}\n      | {caret}\n" in rendered

    @pytest.mark.parametrize("condition, words", [
        ("claim units of [37236, 37237] on the same date > 3", "on the same date"),
        ("claim units of [37236, 37237] with the same family > 3", "with the same ..."),
    ])
    def test_a_rule_on_the_claim_is_told_it_needs_a_line(self, condition, words):
        """The judged line's date and code are what `on the same date` and `with the same` read: a rule that acts
        on the claim has none (RR214), unless `once per claim` judges each line."""
        error, _ = error_of(rule(condition, then='review claim "x"'))
        assert (error.code, underlined(error)) == ("RR214", condition.rsplit(" >", 1)[0])
        assert error.message == (f"a rule that acts on the claim can't use `claim units of ... {words}`, which is "
                                 "asked of each line (its date, its code)")
        assert radrules.loads(rule(condition, then='review claim "x"', extra="  once per claim\n")).rules

    def test_the_group_condition_of_a_claim_rule_is_told_too(self):
        error, _ = error_of(rule("claim units of [37236] > 3", then='deny claim "x"',
                              extra="  carc CO-151\n  group PR when claim units of [37236] on the same date > 1\n"))
        assert (error.code, underlined(error)) == ("RR214", "claim units of [37236] on the same date")

    def test_a_rule_on_the_claim_may_add_up_the_whole_claim(self):
        rules = radrules.loads(rule("claim units of [Q9965-Q9967] > 2", then='review claim "x"'))
        assert rules.rules[0].shape == "claim"

    def test_contradicting_bounds_can_never_fire(self):
        """RR264 reads the operand's two comparisons as bounds of one value."""
        rules = radrules.loads(rule("claim units of [37236] > 3 and claim units of [37236] < 2"))
        assert [d.message for d in rules.warnings if d.code == "RR264"] == [
            "rule `t.x` can never fire: no value of `claim` meets both its comparisons"]


class TestEvaluate:
    def test_the_line_judged_counts_with_the_others_of_its_date(self):
        """1 + 2 units of the family on March 2 is 3, not over 3; a third line of 1 unit makes it 4 (every line of
        the date is then over, the line judged too); the line of March 3 is alone on its date."""
        within = claim(line("37236"), line("37237", units=2), line("37237", date="2026-03-03", units=3))
        assert hits(STENTS, within) == []
        over = claim(line("37236"), line("37237", units=2), line("37237"), line("37237", date="2026-03-03", units=3))
        assert hits(STENTS, over) == [1, 2, 3]

    def test_without_on_the_same_date_the_whole_claim_counts(self):
        data = claim(line("37236"), line("37237", units=2), line("37237", date="2026-03-03"))
        text = rule("line.code is 37236 and claim units of [37236, 37237] > 3")
        assert hits(text, data) == [1]
        assert hits(rule("line.code is 37236 and claim units of [37236, 37237] > 4"), data) == []

    def test_a_code_outside_the_set_adds_nothing(self):
        """The line judged counts only when it bills a code of the set."""
        data = claim(line("37236", units=3), line("76937", units=9))
        assert hits(rule("line.code is 76937 and claim units of [37236] = 3"), data) == [2]
        assert hits(rule("claim units of [76937, 37236] on the same date = 12"), data) == [1, 2]

    def test_a_span_counts_its_units_a_day_on_the_date_and_all_of_them_on_the_claim(self):
        """A span line of 6 units over 3 days is 2 a day (as MAI 2/3 count it) on each day it covers; the whole
        claim counts its 6. A line judged is read on its first day."""
        data = claim(line("Q9967", date="2026-03-01", end_date="2026-03-03", units=6),
                     line("Q9965", date="2026-03-02", units=1),
                     line("Q9966", date="2026-03-04", units=1))
        same_day = rule("line.code in [Q9965-Q9967] and claim units of [Q9965-Q9967] on the same date = {}")
        assert hits(same_day.format(3), data) == [2]  # March 2: 2 of the span and 1
        assert hits(same_day.format(2), data) == [1]  # the span on its first day: its 2 a day alone
        assert hits(same_day.format(1), data) == [3]  # March 4: after the span
        assert hits(rule("line.code is Q9966 and claim units of [Q9965-Q9967] = 8"), data) == [3]

    def test_a_span_s_units_a_day_are_rounded_as_the_unit_limits_round_them(self):
        """3 units over 2 days are 1.5 a day, counted 2 (a half up, docs/language.md `limits`)."""
        data = claim(line("Q9967", date="2026-03-01", end_date="2026-03-02", units=3), line("Q9965", units=1))
        assert hits(rule("line.code is Q9965 and claim units of [Q9965-Q9967] on the same date = 3"), data) == [2]

    def test_fractions_add_up_as_written(self):
        """0.3 + 249.4 + 0.3 is 250, not 250.00000000000003."""
        data = claim(line("Q9967", units=0.3), line("Q9967", units=249.4), line("Q9967", units=0.3))
        assert hits(rule("line.code is Q9967 and claim units of [Q9967] on the same date > 250"), data) == []
        assert hits(rule("line.code is Q9967 and claim units of [Q9967] on the same date = 250"), data) == [1, 2, 3]

    def test_with_and_without_a_modifier(self):
        """`with modifier 26` counts the reads only; `without modifier 26` the others."""
        data = claim(line("37236", modifiers=["26"]), line("37237", modifiers=["26"], units=2),
                     line("37237", units=5))
        reads = rule("line.modifiers has 26 and claim units of [37236, 37237] with modifier 26 on the same date > 2")
        assert hits(reads, data) == [1, 2]
        others = rule("line.code is 37236 and claim units of [37236, 37237] without modifier 26 = 5")
        assert hits(others, data) == [1]

    def test_with_the_same_property(self):
        """Only the lines whose code has the line's value of the property count; a line whose code has none is
        unknown, and no rule fires on it, even under `not`."""
        data = claim(line("37236", units=2), line("Q9965", units=2), line("Q9966", units=1), line("76937"))
        text = rule("claim units of [37236, Q9965-Q9967, 76937] with the same family on the same date = 3")
        assert hits(text, data) == [2, 3]
        negated = rule("not claim units of [37236, Q9965-Q9967, 76937] with the same family = 3")
        assert hits(negated, data) == [1]

    def test_lines_of_every_rendering_provider_count(self):
        """As `claim also has`, the operand reads the claim's lines whoever rendered them."""
        data = claim(line("37236", rendering_npi=NPI, units=2), line("37237", rendering_npi=OTHER_NPI, units=2))
        assert hits(STENTS, data) == [1, 2]

    def test_with_the_same_provider_each_radiologists_lines(self):
        """`with the same provider`: the judged line's provider's lines, compared as pair rules compare two lines
        (a line that names none compares with every line), on a professional claim by rendering provider, on a
        hospital's claim all of its lines."""
        text = STENTS.replace("[37236, 37237] on the same date", "[37236, 37237] with the same provider on the same date")
        data = claim(line("37236", rendering_npi=NPI), line("37237", rendering_npi=NPI, units=2),
                     line("37237", rendering_npi=OTHER_NPI, units=2), line("37237"))
        assert hits(text, data) == [1, 2, 4]  # NPI: 1 + 2 + 1 (no provider) = 4; OTHER_NPI: 2 + 1 = 3; none: 6
        assert hits(text, dict(data, type="institutional")) == [1, 2, 3, 4]  # (the hospital's: 6)
        assert hits(STENTS, data) == [1, 2, 3, 4]  # (without it: 6 a line)

    def test_paid_lines_of_earlier_claims_do_not_count(self):
        """The operand sums this claim; `history count of` counts earlier services."""
        data = claim(line("37236", units=2))
        paid = [{"code": "37237", "date": "2026-03-02", "units": 2}]
        assert hits(STENTS, data, history=paid) == []

    def test_a_rule_on_the_claim_adds_up_every_line(self):
        """Q9965 1 + Q9967 2 (a span: all its units) = 3 over the claim."""
        data = claim(line("Q9965"), line("Q9967", date="2026-03-03", end_date="2026-03-04", units=2),
                     line("37236", units=7))
        text = rule("claim units of [Q9965-Q9967] > 2", then='review claim "x"')
        assert hits(text, data) == [1, 2, 3]
        assert hits(text, claim(line("Q9965"), line("37236", units=7))) == []

    def test_a_pair_rule_reads_its_line_s_date(self):
        data = claim(line("37236", units=2), line("37237", units=2), line("37237", date="2026-03-03"))
        text = rule("line.code is 37236 and other.code is 37237 and claim units of [37236, 37237] on the same date "
                    "> 3")
        rules = radrules.loads(text)
        assert rules.rules[0].shape == "pair"
        result = rules.evaluate(data)
        assert [(f.lines, f.related_lines) for f in result.findings] == [((1,), (2,))]

    def test_only_rules_that_use_it_read_the_lines_of_a_date(self, bundled, monkeypatch):
        """The bundled rules (none uses the operand) never ask for the lines covering a date, even of a claim with
        a span; a rule that uses it does, once a line it judges."""
        asked = []
        original = Evaluation.lines_covering
        monkeypatch.setattr(Evaluation, "lines_covering", lambda ev, day: asked.append(day) or original(ev, day))
        data = claim(line("37236", date="2026-03-01", end_date="2026-03-02"), line("37237", units=3))
        bundled.evaluate(data)
        assert asked == []
        radrules.loads(STENTS).evaluate(data)
        assert sorted(asked) == [739676, 739677]


class TestNodes:
    def test_the_compiled_node_reads_line_only_when_asked(self):
        """Without `on the same date` or `with the same`, the operand reads the claim alone (either side of a
        pair); with them, the line judged."""
        whole = c.ClaimUnits(frozenset({"37236"}))
        dated = c.ClaimUnits(frozenset({"37236"}), same_date=True)
        assert reads_one_line(whole, 0) and reads_one_line(whole, 1)
        assert reads_one_line(dated, 0) and not reads_one_line(dated, 1)
        assert not reads_only_key(c.Compare(dated, ">", c.Const(3)))


    def test_the_closure_and_a_pickled_copy_answer_as_the_node(self):
        """The evaluator's closure (radrules.fastpath) and a ruleset sent to another process judge as the tree."""
        rules = radrules.loads(rule("line.code in [37236, 37237, 76937] and claim units of [37236, 37237] with the "
                                    "same family on the same date >= 3"))
        node = rules.rules[0].condition
        check = fastpath.fast_test(node)
        data = claim(line("37236"), line("37237", units=2), line("76937", units=5),
                     line("37237", date="2026-03-01", end_date="2026-03-02", units=2))
        ev = Evaluation(radrules.Claim.from_dict(data), rules.view_for(None, "professional"))
        answers = [node.test(ev, judged, None) for judged in ev.lines]
        assert answers == [True, True, None, False]
        assert [check(ev, judged, None) for judged in ev.lines] == answers
        copy = pickle.loads(pickle.dumps(rules))
        assert copy.evaluate(data).to_dict() == rules.evaluate(data).to_dict()


class TestFormat:
    def test_fmt_writes_the_canonical_words_and_round_trips(self):
        text = ('rule t.x "x"\n  when line.code is 37236 and claim  units of [37236,37237] with modifiers [26] '
                'with same family on same date>3\n  then warn line "x"\n  reference "t"\nend\n')
        got = radrules.format_rules(text)
        assert ("   and claim units of [37236, 37237] with modifiers [26] with the same family on the same date > 3\n"
                in got)
        assert radrules.format_rules(got) == got
        before, after = parse_rules(text)[0], parse_rules(got)[0]
        assert s.without_spans(before.statements) == s.without_spans(after.statements)


class TestExplain:
    def test_a_false_or_true_comparison_says_what_the_units_came_to(self):
        """An analyst asking why a third stent was (not) denied sees the sum compared."""
        rules = radrules.loads(STENTS)
        data = claim(line("37236"), line("37237", units=2), line("37236", date="2026-03-03"))
        steps = [step for step in rules.evaluate(data, explain=True).explanation.steps if step.rule == "t.stents"]
        assert [step.detail for step in steps] == [
            "`claim units of [37236, 37237] on the same date > 3` is false; the units add up to 3",
            "`claim units of [37236, 37237] on the same date > 3` is false; the units add up to 3",
            "`claim units of [37236, 37237] on the same date > 3` is false; the units add up to 1",
        ]

    def test_a_sum_inside_not_or_or_is_said_too(self):
        """`not claim units of ...` and an `or` of a sum and a count say what each came to (a review found them
        silent)."""
        rules = radrules.loads(rule("line.code is 37236 and not claim units of [37236, 37237] on the same date > 1")
                               + rule("line.code is 37236 and (claim units of [37236] > 10 or history count of [37236] "
                                      ">= 3)").replace("t.x", "t.y"))
        steps = rules.evaluate(claim(line("37236"), line("37237", units=2)), explain=True).explanation.steps
        details = {step.rule: step.detail for step in steps if step.rule in ("t.x", "t.y")}
        assert details["t.x"].endswith("is false; the units add up to 3")
        assert details["t.y"].endswith("is false; the units add up to 1; the count is 0")

    def test_an_unknown_sum_says_nothing_of_a_sum(self):
        rules = radrules.loads(rule("line.code in [37236, 76937] and claim units of [37236] with the same family "
                                    "> 0"))
        steps = rules.evaluate(claim(line("76937")), explain=True).explanation.steps
        detail = next(step.detail for step in steps if step.rule == "t.x")
        assert detail.endswith("is unknown (a value it needs is missing)")


class TestDiff:
    def test_codes_added_to_the_family_are_named(self, tmp_path):
        for folder, codes in (("old", "37236"), ("new", "37236, 37237")):
            (tmp_path / folder).mkdir()
            (tmp_path / folder / "t.rr").write_text(rule(f"claim units of [{codes}] with modifier 26 on the same date "
                                                         "> 3"))
        old, new = (radrules.load(tmp_path / folder) for folder in ("old", "new"))
        change = next(change for change in radrules.diff_rulesets(old, new).changes if change.rule == "t.x")
        assert change.details == ("condition: `claim units of [37236, 37237] with modifier 26 on the same date > 3`: "
                                  "added 37237",)

    def test_a_new_limit_is_said_as_written(self, tmp_path):
        for folder, limit in (("old", "3"), ("new", "2")):
            (tmp_path / folder).mkdir()
            (tmp_path / folder / "t.rr").write_text(rule(f"claim units of [37236] on the same date > {limit}"))
        old, new = (radrules.load(tmp_path / folder) for folder in ("old", "new"))
        change = next(change for change in radrules.diff_rulesets(old, new).changes if change.rule == "t.x")
        assert change.details == ("condition: `claim units of [37236] on the same date > 3` -> "
                                  "`claim units of [37236] on the same date > 2`",)


def test_the_sum_is_made_once_a_day_and_property_value(monkeypatch):
    """A claim of many lines adds them up once for each date (and value of the property), not once a line."""
    from radrules import conditions

    made = []
    real = conditions.ClaimUnits._sum
    monkeypatch.setattr(conditions.ClaimUnits, "_sum", lambda self, *args: made.append(args[1:]) or real(self, *args))
    rules = radrules.loads('rule t.q "q"\n  when line.code in [Q9965-Q9967]\n   and claim units of [Q9965-Q9967] on the '
                           'same date > 2\n  then deny line "x"\n  carc CO-151\n  reference "r"\nend\n', name="q.rr")
    lines = [{"code": "Q9965", "date": "2026-03-02"}] * 40 + [{"code": "Q9966", "date": "2026-03-03"}] * 2
    result = rules.evaluate({"lines": lines})
    assert [f.lines[0] for f in result.findings] == list(range(1, 41))  # the 40 lines of the 2nd; the 3rd has 2
    assert len(made) == 2


@pytest.mark.parametrize("condition", ["claim also has [71046] billing the professional component with modifier 77",
                                       "claim units of [71046] billing the technical component without modifier 77 > 1"])
def test_a_modifier_filter_after_the_component_is_said_to_come_first(condition):
    text = f'rule t.x "x"\n  when line.code is 71046 and {condition}\n  then warn line "x"\n  reference "t"\nend\n'
    with pytest.raises(radrules.RuleError, match="RR103") as caught:
        radrules.loads(text)
    assert "modifier` comes before `billing the ... component`" in str(caught.value)


def test_claim_also_has_reports_every_parts_error():
    """An unknown set, modifier set and component in one `claim also has` are three errors, not the first only."""
    text = ('rule t.x "x"\n  when claim also has no_such_codes with modifier no_such_modifiers billing the '
            'radiology component\n  then warn line "x"\n  reference "t"\nend\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.loads(text)
    assert str(caught.value).rstrip().endswith("3 errors")
