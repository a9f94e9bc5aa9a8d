"""radrules.format_rules: the canonical layout, kept comments, idempotence and meaning."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import radrules
from radrules import format_rules
from radrules.formatter import WIDTH, _parse_concrete, meaning
from radrules.grammar import rule_parser
from radrules.parser import parse_rules
from radrules.syntax import without_spans

from strategies_rules import CLAIMS, rule_files
from test_docs import LANGUAGE, blocks, write_files

RULESETS = Path(__file__).parent.parent / "rulesets"
BUNDLED = sorted(RULESETS.rglob("*.rr"))

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fmt(text: str) -> str:
    """``text`` with its common indentation removed, formatted."""
    return format_rules(dedent(text))


def dedent(text: str) -> str:
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    margin = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[margin:] for line in lines) + "\n"


def comments(text: str) -> list[str]:
    """Every comment of a rule file, in order, as the formatter's lexer sees them."""
    return [str(token).rstrip() for token in _parse_concrete(text)[1]]


def findings(ruleset, claim) -> dict:
    """A result as a dict, without the `source` of findings (line numbers move)."""
    result = ruleset.evaluate(claim).to_dict()
    for finding in result["findings"]:
        finding.pop("source")
    return result


def assert_same_rules(before: str, after: str, claims=CLAIMS) -> None:
    """Both texts parse to the same statements and, compiled, judge the claims alike."""
    assert meaning(parse_rules(after)[0]) == meaning(parse_rules(before)[0])
    old, new = radrules.loads(before), radrules.loads(after)
    assert new.describe() == old.describe()
    assert sorted(new.rule_ids()) == sorted(old.rule_ids())
    for claim in claims:
        assert findings(new, claim) == findings(old, claim)
        assert new.evaluate(claim, indexed=False).passed == old.evaluate(claim).passed


# ---------------------------------------------------------------- layout


class TestLayout:
    def test_block_clauses_are_indented_one_per_line_in_canonical_order(self):
        """Clauses go two spaces in, in the order kind, for payer, for claims, effective, when, then, carc, rarc, reference."""
        got = fmt('''
            rule   a.b   "title"   reference "r" rarc N20,M80 carc CO-4 then deny line "m"
            when line.code is 70450 effective 2026-01-01 for professional for payers acme kind coding end
        ''')
        assert got == dedent('''
            rule a.b "title"
              kind coding
              for payer acme
              for professional claims
              effective 2026-01-01
              when line.code is 70450
              then deny line "m"
              carc CO-4
              rarc N20, M80
              reference "r"
            end
        ''')

    def test_once_per_line_goes_after_then_on_a_line_of_its_own(self):
        """`once per line`, written anywhere and over lines, comes right after `then`, its comment kept; a
        formatted file formats to itself and means the same."""
        source = '''
            rule duplicate.line
              once  # one finding a line
                per   line
              carc OA-18 when other.number < line.number and other.code = line.code
              then deny line "line {line.number} repeats line {other.number}"
              reference "r"
            end
        '''
        got = fmt(source)
        assert got == dedent('''
            rule duplicate.line
              when other.number < line.number
               and other.code = line.code
              then deny line "line {line.number} repeats line {other.number}"
              once per line  # one finding a line
              carc OA-18
              reference "r"
            end
        ''')
        assert format_rules(got) == got
        assert_same_rules(dedent(source), got, claims=[
            {"lines": [{"code": "71046", "date": "2026-03-02"} for _ in range(3)]}])
        assert len(radrules.loads(got).evaluate({"lines": [{"code": "71046", "date": "2026-03-02"}] * 3}).findings) == 2

    def test_edit_block_rows_follow_clauses_and_pair_indicators_are_words(self):
        """Rows come after the clauses, in their order; indicators 0, 1, 9 are written as words."""
        got = fmt('''
            pairs acme.ptp severity review for payer acme
              pair 74176 with 74150 modifier 1 effective 2024-01-01 "Misuse"
              pair 71046 with 71045 modifier 0
              pair 70450 with 70460 modifier 9 effective 2020-01-01 through 2021-12-31
              disable pair 74177 with 74160
            end
        ''')
        assert got == dedent('''
            pairs acme.ptp
              for payer acme
              severity review
              pair 74176 with 74150 modifier allowed effective 2024-01-01 "Misuse"
              pair 71046 with 71045 modifier not allowed
              pair 70450 with 70460 modifier not applicable effective 2020-01-01 through 2021-12-31
              disable pair 74177 with 74160
            end
        ''')

    def test_limits_and_addons_rows_are_one_line_each(self):
        """Limit and add-on rows are single lines with single spaces, whatever their original breaks."""
        got = fmt('''
            limits m
              limit 77067
                max 1 mai 2 "Code"
            end
            addons a
              addon 77063 type 1
                primaries 77067,77065
                effective 2024-01-01
              disable
                addon 76376
            end
        ''')
        assert got == dedent('''
            limits m
              limit 77067 max 1 mai 2 "Code"
            end

            addons a
              addon 77063 type 1 primaries 77067, 77065 effective 2024-01-01
              disable addon 76376
            end
        ''')

    def test_top_level_condition_parts_go_one_per_line(self):
        """Each part of the top-level `and` gets its own line, the operator right-aligned under `when`."""
        got = fmt('''
            rule r
              when line.code in ct and line.units > 1 and not line.modifiers has 59
              then warn line "m"
            end
        ''')
        assert got == dedent('''
            rule r
              when line.code in ct
               and line.units > 1
               and not line.modifiers has 59
              then warn line "m"
            end
        ''')

    def test_or_parts_line_up_and_an_and_inside_an_or_gets_parentheses(self):
        """`or` is right-aligned like `and`, and an `and` under an `or` is put in parentheses."""
        got = fmt('''
            rule r
              when line.modifiers has 50 and line.units > 1 or line.modifiers has all of [LT, RT]
              then warn line "m"
            end
        ''')
        assert "  when (line.modifiers has 50 and line.units > 1)\n    or line.modifiers has all of [LT, RT]\n" in got

    def test_a_group_that_fits_stays_on_one_line(self):
        """A parenthesised group stays on its line when it fits in WIDTH columns and holds no comment."""
        got = fmt('''
            rule r
              when line.code in ct
               and (line.place_of_service is missing
                 or line.place_of_service not in exempt)
              then warn line "m"
            end
        ''')
        assert "   and (line.place_of_service is missing or line.place_of_service not in exempt)\n" in got

    def test_a_group_too_long_for_one_line_breaks_inside_its_parentheses(self):
        """A group longer than WIDTH puts one part per line, aligned just inside the parenthesis."""
        long_names = " or ".join(f"line.code in some_rather_long_set_name_{n}" for n in range(3))
        got = fmt(f'''
            rule r
              when line.units > 1 and ({long_names})
              then warn line "m"
            end
        ''')
        assert got.splitlines()[1:5] == [
            "  when line.units > 1",
            "   and (line.code in some_rather_long_set_name_0",
            "     or line.code in some_rather_long_set_name_1",
            "     or line.code in some_rather_long_set_name_2)",
        ]

    def test_is_before_values_and_equals_between_fields(self):
        """`is`/`is not` compare with a value, `=`/`!=` compare two fields; `is not missing` is `is present`."""
        got = fmt('''
            rule r
              when line.code = 70450 and claim.type != institutional and other.code is line.code
               and other.units is not line.units and claim.received is not missing
               and claim.received > line.date + 12 months
              then warn line "m"
            end
        ''')
        assert got.splitlines()[1:7] == [
            "  when line.code is 70450",
            "   and claim.type is not institutional",
            "   and other.code = line.code",
            "   and other.units != line.units",
            "   and claim.received is present",
            "   and claim.received > line.date + 12 months",
        ]

    def test_optional_words_are_written_out(self):
        """`payer`/`payers` follow the count, `claims` and `the` are added; `has X` and `has any of X` stay."""
        got = fmt('''
            rule r
              for payers acme
              for institutional
              when line.code is 70450 and claim also has ct with same pctc on same date
               and line.modifiers has 26 and line.modifiers has any of [TC]
              then warn line "m"
            end
            setting modifier_placement = either for payer acme, "Blue Plan"
        ''')
        assert "  for payer acme\n  for institutional claims\n" in got
        assert "   and claim also has ct with the same pctc on the same date\n" in got
        assert "   and line.modifiers has 26\n   and line.modifiers has any of [TC]\n" in got
        assert 'setting modifier_placement = either for payers acme, "Blue Plan"\n' in got

    def test_spacing_inside_brackets_fields_and_rule_ids(self):
        """No space inside brackets and parentheses, before commas, or around the dots of fields and ids."""
        got = fmt('''
            rule a . b
              when ( line . code in [ 70450 , 70460 ] )
              then warn line "m"
            end
        ''')
        assert got.splitlines()[:2] == ["rule a.b", "  when (line.code in [70450, 70460])"]

    def test_quoted_text_is_requoted_with_its_escapes(self):
        """`\\\\` and `\\"` stay escaped."""
        got = fmt(r'''
            ruleset "a\"b\\c" version "1"
        ''')
        assert got == 'ruleset "a\\"b\\\\c" version "1"\n'

    @pytest.mark.parametrize("written", [
        'table ptp "cms/a.TXT" effective 2026-04-01 for institutional claims',
        'table ptp "cms/a.TXT"   for institutional   effective 2026-04-01',
    ])
    def test_a_table_says_for_before_effective(self, written):
        """A table's clauses, accepted in either order, are written `for ... claims` first."""
        assert fmt(written + "\n") == 'table ptp "cms/a.TXT" for institutional claims effective 2026-04-01\n'

    def test_an_unknown_escape_is_not_formatted(self):
        """`\\d` is RR101, not written as `d` (which changed a path such as `cms\\ccipra.TXT` without a word)."""
        with pytest.raises(radrules.RuleError) as caught:
            fmt(r'''
                table ptp "cms\ccipra-v321r0-f1.TXT"
            ''')
        assert [(d.code, d.message) for d in caught.value.errors] == [
            ("RR101", "unknown escape `\\c` in a quoted text")]

    def test_code_lists_keep_the_author_line_breaks(self):
        """A line break between two items stays (it groups codes), continuation lines start under the first item."""
        got = fmt('''
            codes pctc_codes = 70450-70498,70540-70559,
                71045-71048  ,  71250-71275
                except 71271
        ''')
        assert got == dedent('''
            codes pctc_codes = 70450-70498, 70540-70559,
                               71045-71048, 71250-71275
                               except 71271
        ''')

    def test_a_list_started_after_the_equals_sign_hangs_four_spaces_in(self):
        """A list the author began on the line after `=` (or `for`) is indented four spaces."""
        got = fmt('''
            codes advanced =
                      70450-70498, 71250-71275,
              70540-70559
            property pctc = 1 for
              70450
        ''')
        assert got == dedent('''
            codes advanced =
                70450-70498, 71250-71275,
                70540-70559
            property pctc = 1 for
                70450
        ''')

    def test_long_code_lists_wrap_at_the_width(self):
        """A list line longer than WIDTH wraps, its continuation aligned under the first item."""
        codes = ", ".join(str(70000 + n) for n in range(40))
        got = fmt(f"codes many = {codes}\n")
        lines = got.splitlines()
        assert len(lines) > 1
        assert all(len(line) <= WIDTH for line in lines)
        assert all(line.startswith(" " * len("codes many = ")) and line[len("codes many = ")] != " "
                   for line in lines[1:])
        assert re.sub(r"\s+", " ", got).strip() == f"codes many = {codes}"

    def test_consecutive_set_definitions_of_one_kind_align_their_equals(self):
        """Adjacent `codes` lines line up their `=`; another kind, a blank line or a comment starts over."""
        got = fmt('''
            codes ct_head = 70450
            codes cta_head_and_neck = 70496
            diagnoses lung = C34*
            codes a = 1

            codes bb = 2
            # about c
            codes ccc = 3
        ''')
        assert got == dedent('''
            codes ct_head           = 70450
            codes cta_head_and_neck = 70496
            diagnoses lung = C34*
            codes a = 1

            codes bb = 2
            # about c
            codes ccc = 3
        ''')

    def test_a_comment_inside_a_definition_starts_over_too(self):
        """The comment goes above the definition, where it parts the run: so it does at once (fmt twice
        changed the file)."""
        once = format_rules("codes a = 77067\ncodes bbbb\n# note\n= 77065\n")
        assert once == "codes a = 77067\n# note\ncodes bbbb = 77065\n"
        assert format_rules(once) == once

    def test_blocks_have_one_blank_line_around_them_and_one_liners_keep_their_grouping(self):
        """Blank lines: exactly one around blocks and the header, at most one elsewhere, as the author had."""
        got = fmt('''
            ruleset "x" version "1"
            include "a.rr"
            codes a = 1
            codes b = 2



            property p = 1 for 70450
            rule r
              when line.code is 70450
              then warn line "m"
            end
            pairs p
            end
        ''')
        assert got == dedent('''
            ruleset "x" version "1"

            include "a.rr"
            codes a = 1
            codes b = 2

            property p = 1 for 70450

            rule r
              when line.code is 70450
              then warn line "m"
            end

            pairs p
            end
        ''')

    def test_the_header_moves_first_below_the_opening_comments(self):
        """A lone header moves to the top, under the file's opening comments (those a blank line parts off)."""
        got = fmt('''
            # What this file is.

            # About ct.
            codes ct = 70450
            ruleset "x" version "1"
        ''')
        assert got == dedent('''
            # What this file is.

            ruleset "x" version "1"

            # About ct.
            codes ct = 70450
        ''')

    def test_empty_and_comment_only_files(self):
        """An empty file stays empty; a file of comments keeps them, blank lines collapsed."""
        assert format_rules("") == ""
        assert format_rules("\n\n  \n") == ""
        assert format_rules("  # one   \n\n\n# two\n") == "# one\n\n# two\n"

    def test_the_documented_example_formats_as_shown(self):
        """The "Canonical layout" example of language.md: its ```text file formats to the ```rr block after it."""
        doc = blocks("language.md")
        section = (Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
        start = section.splitlines().index("## Canonical layout") + 1
        before = next(k for k, b in enumerate(doc) if b.kind == "text" and b.line > start)
        assert doc[before + 1].kind == "rr"
        assert format_rules(doc[before].text) == doc[before + 1].text
        assert format_rules(doc[before].text) != doc[before].text

    def test_bundled_rulesets_are_in_canonical_layout(self):
        """Every bundled and example rule file is already formatted (`radrules fmt --check rulesets/ examples/`)."""
        examples = sorted((RULESETS.parent / "examples").rglob("*.rr"))
        assert BUNDLED and examples
        for path in BUNDLED + examples:
            text = path.read_text(encoding="utf-8")
            assert format_rules(text, str(path)) == text, f"{path} is not in canonical layout"


# ---------------------------------------------------------------- comments


class TestComments:
    def test_own_line_comments_stay_before_their_statement_clause_or_row(self):
        """A comment on its own line stays there, at the indent of what follows, blank lines at most one."""
        text = dedent('''
            # file


            # before rule
            rule r
            # before when
                when line.code is 70450
              then warn line "m"
            end
            pairs p

                # group one
              pair 1 with 2 modifier 1
            # before end
            end
            # at the end
        ''')
        assert format_rules(text) == dedent('''
            # file

            # before rule
            rule r
              # before when
              when line.code is 70450
              then warn line "m"
            end

            pairs p
              # group one
              pair 1 with 2 modifier allowed
              # before end
            end

            # at the end
        ''')

    def test_trailing_comments_stay_and_line_up_on_neighbouring_lines(self):
        """Comments at line ends stay there; adjacent ones line up two spaces after the longest line."""
        text = dedent('''
            codes a = 1 # one
            codes bbbbbb = 2      # two
            codes c = 3
            codes d = 4    # four
        ''')
        assert format_rules(text) == dedent('''
            codes a      = 1  # one
            codes bbbbbb = 2  # two
            codes c      = 3
            codes d      = 4  # four
        ''')

    def test_comments_inside_a_code_list_keep_their_lines(self):
        """A comment after an item of a list ends that item's line, so a grouped list keeps its notes."""
        text = dedent('''
            property pctc = 1 for 70450-70498,  # CT head
                                  71045-71048   # chest x-ray
        ''')
        assert format_rules(text) == dedent('''
            property pctc = 1 for 70450-70498,  # CT head
                                  71045-71048   # chest x-ray
        ''')

    def test_comments_inside_a_condition_go_to_the_end_of_their_part(self):
        """A comment within a part ends that part's line; one after an operator goes above the operator's line."""
        text = dedent('''
            rule r
              when line.code # the code
                in ct and  # why units
                line.units > 1 and
                # why not 59
                not line.modifiers has 59
              then warn line "m"
            end
        ''')
        assert format_rules(text) == dedent('''
            rule r
              when line.code in ct  # the code
               # why units
               and line.units > 1
               # why not 59
               and not line.modifiers has 59
              then warn line "m"
            end
        ''')

    def test_a_comment_inside_a_group_breaks_the_group(self):
        """A comment between the parts of a parenthesised group puts its parts on lines of their own."""
        text = dedent('''
            rule r
              when line.code in ct and (line.units > 1 # several
                or line.modifiers has 76)
              then warn line "m"
            end
        ''')
        assert format_rules(text).splitlines()[1:4] == [
            "  when line.code in ct",
            "   and (line.units > 1  # several",
            "     or line.modifiers has 76)",
        ]

    def test_comments_inside_a_one_line_unit_move_to_its_end_or_above_it(self):
        """In a clause laid on one line, the first inner comment ends the line and any others go above it."""
        text = dedent('''
            rule r # id
              "title"
              when line.code is 70450
              then  # first
                deny  # second
                line "m"  # last
            end
        ''')
        assert format_rules(text) == dedent('''
            rule r "title"  # id
              when line.code is 70450
              # first
              # second
              then deny line "m"  # last
            end
        ''')

    def test_comments_move_with_their_clause(self):
        """When clauses are put in order, each takes its comments along."""
        text = dedent('''
            rule r
              then warn line "m"  # the finding
              # the condition
              when line.code is 70450
            end
        ''')
        assert format_rules(text) == dedent('''
            rule r
              # the condition
              when line.code is 70450
              then warn line "m"  # the finding
            end
        ''')

    def test_comment_text_is_kept_exactly(self):
        """A comment's text is not touched (only trailing spaces go), even with `#` and quotes in it."""
        text = 'codes a = 1 #no space "q" # again   \n#\n##### section\n'
        assert format_rules(text) == 'codes a = 1  #no space "q" # again\n#\n##### section\n'


# ---------------------------------------------------------------- errors and the API


class TestErrors:
    def test_a_file_that_does_not_parse_raises_its_syntax_diagnostics(self):
        """format_rules raises the RuleError parsing gives, with its codes and file name, and formats nothing."""
        text = "rule a.b\n  when line.code is 70450\n  then warn line \"m\"\n"
        with pytest.raises(radrules.RuleError) as caught:
            format_rules(text, "broken.rr")
        assert [d.code for d in caught.value.errors] == [d.code for d in parse_rules(text, "broken.rr")[1]]
        assert [d.code for d in caught.value.errors] == ["RR105"]
        assert str(caught.value).startswith("broken.rr:1:1: error[RR105]")

    def test_a_file_that_parses_but_does_not_compile_is_formatted(self):
        """Formatting needs only the syntax: an unknown set or field does not stop it."""
        text = "rule r when line.nope in unknown_set then warn line \"m\" end"
        assert format_rules(text) == 'rule r\n  when line.nope in unknown_set\n  then warn line "m"\nend\n'

    def test_format_rules_is_public(self):
        """format_rules is exported by the package and listed in __all__."""
        assert radrules.format_rules is format_rules
        assert "format_rules" in radrules.__all__

    def test_the_main_parser_is_untouched(self):
        """The cached parser that loads rules keeps no extra tokens and no callbacks after formatting."""
        format_rules("codes a = 1  # note\n")
        parser = rule_parser()
        assert parser.options.keep_all_tokens is False
        assert not parser.options.lexer_callbacks
        tree = parser.parse("codes a = 1, 2  # note\n")
        assert "," not in [str(token) for token in tree.scan_values(lambda v: True)]

    def test_formatting_in_threads_gives_the_same_text(self):
        """Comments are collected per thread, so formatting files in parallel mixes nothing up."""
        texts = [f"codes set_{n} = {70000 + n}  # note {n}\n# after {n}\n" for n in range(8)]
        results: dict[int, str] = {}

        def work(n):
            for _ in range(20):
                results[n] = format_rules(texts[n])

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == {n: texts[n] for n in range(8)}


class TestMeaning:
    def test_without_spans_ignores_layout_only(self):
        """Two layouts of one rule give the same span-free tree; another code gives another."""
        one = parse_rules("rule r when line.code is 70450 then warn line \"m\" end")[0]
        two = parse_rules("\n\nrule r\n  when line.code = 70450\n  then warn line \"m\"\nend\n")[0]
        three = parse_rules("rule r when line.code is 70460 then warn line \"m\" end")[0]
        assert without_spans(one.statements) == without_spans(two.statements)
        assert without_spans(one.statements) != without_spans(three.statements)

    def test_meaning_takes_clauses_in_canonical_order_and_the_header_first(self):
        """meaning() does not depend on clause order or on where the header stands."""
        one = parse_rules('ruleset "x" version "1"\nrule r when line.code is 1 then warn line "m" kind coding end')[0]
        two = parse_rules('rule r kind coding then warn line "m" when line.code is 1 end\nruleset "x" version "1"')[0]
        assert meaning(one) == meaning(two)
        assert without_spans(one.statements) != without_spans(two.statements)


    @pytest.mark.parametrize("test", ["claim.payer = missing", "claim.payer != missing", "claim.payer = present",
                                      "claim.payer != present", "claim.payer = not"])
    def test_a_comparison_with_a_keyword_name_keeps_its_operator(self, test):
        """`= missing` compares with a name; spelled `is missing` it would be a presence test, so it stays."""
        text = f'rule a.b\n  when {test}\n  then deny line "m"\n  reference "r"\nend\n'
        assert format_rules(text) == text

    def test_deep_alternating_groups_are_laid_out_once_per_level(self, monkeypatch):
        """A chain tried on one line does not lay out its inner chains on several lines too: the work grows
        with the square of the nesting, not twice over at every level (a 22-deep condition took minutes)."""
        from radrules import formatter

        calls = 0
        chain = formatter._Formatter._chain

        def counted(self, *args, **kwargs):
            nonlocal calls
            calls += 1
            return chain(self, *args, **kwargs)
        monkeypatch.setattr(formatter._Formatter, "_chain", counted)
        condition = "line.code is 70450"
        for k in range(24):
            condition = f"line.units > {k} {'and' if k % 2 else 'or'} ({condition})"
        text = f'rule a.b\n  when {condition}\n  then deny line "m"\n  reference "r"\nend\n'
        once = format_rules(text)
        assert format_rules(once) == once and len(once.splitlines()) > 24
        assert calls < 2000  # 24 levels: 276 calls; laid out both ways at every level (before): 2,036 for 12

    def test_parentheses_nested_past_the_depth_limit_are_rr106_not_a_crash(self):
        """Loading folds parentheses away, the layout keeps them and recurses: 1,000 pairs one inside the next
        are RR106 with its place, not a RecursionError; 60 pairs format as written."""
        def text(depth):
            condition = "(" * depth + "line.units > 1" + ")" * depth
            return f'rule a.b\n  when {condition}\n  then deny line "x"\n  reference "r"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            format_rules(text(1000), "deep.rr")
        assert [(d.code, str(d.span)) for d in caught.value.errors] == [("RR106", "deep.rr:1:1")]
        assert format_rules(text(60)) == text(60)
        condition = "line.code is 70450"  # alternating groups as deep as loading allows: they format too
        for k in range(96):
            condition = f"line.units > {k} {'and' if k % 2 else 'or'} ({condition})"
        alternating = f'rule a.b\n  when {condition}\n  then deny line "x"\n  reference "r"\nend\n'
        radrules.loads(alternating)
        assert format_rules(format_rules(alternating)) == format_rules(alternating)

    @pytest.mark.parametrize("text", ["codes a = 70450\ncodes bbb # note\n = 70460\n",
                                      "codes a = 70450\ncodes bbb = 70460 except # why\n 70460\n",
                                      "codes a = 70450\ncodes bbb # one\n # two\n = 70460\n"],
                             ids=["comment before =", "comment after except", "two comments"])
    def test_aligned_definitions_with_a_comment_inside_format_once(self, text):
        """A comment inside a set definition that goes to the end of its line does not part the `=` run the
        first time, as it does not the second: formatting a formatted file changes nothing."""
        once = format_rules(text)
        assert format_rules(once) == once


# ---------------------------------------------------------------- properties


class TestProperties:
    @PROPERTY
    @given(rule_files())
    def test_formatting_is_idempotent(self, text):
        """Formatting a formatted file changes nothing."""
        once = format_rules(text)
        assert format_rules(once) == once

    @PROPERTY
    @given(rule_files())
    def test_formatting_keeps_the_rules(self, text):
        """The formatted file parses to the same statements and judges every test claim alike."""
        assert_same_rules(text, format_rules(text))

    @PROPERTY
    @given(rule_files())
    def test_formatting_keeps_every_comment(self, text):
        """Every comment of the input is in the output, with the same text."""
        assert sorted(comments(format_rules(text))) == sorted(comments(text))

    @PROPERTY
    @given(rule_files())
    def test_formatted_text_is_tidy(self, text):
        """No trailing spaces, no tabs outside comments, never two blank lines, one newline at the end."""
        once = format_rules(text)
        assert once == "" or once.endswith("\n") and not once.endswith("\n\n")
        assert "\n\n\n" not in once and not once.startswith("\n")
        for line in once.splitlines():
            assert line == line.rstrip()
            assert "\t" not in line.split("#")[0]


@pytest.mark.parametrize("path", BUNDLED, ids=[p.relative_to(RULESETS).as_posix() for p in BUNDLED])
def test_bundled_file_formats_idempotently_to_the_same_rules(path):
    """Each bundled rule file formats idempotently, keeps its comments and means the same."""
    text = path.read_text(encoding="utf-8")
    once = format_rules(text, str(path))
    assert format_rules(once) == once
    assert comments(once) == comments(text)
    assert meaning(parse_rules(once)[0]) == meaning(parse_rules(text)[0])


def test_bundled_rulesets_judge_alike_after_formatting(tmp_path):
    """The bundled rulesets, formatted into a copy, give the same results on the test claims and examples."""
    for path in BUNDLED:
        target = tmp_path / path.relative_to(RULESETS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(format_rules(path.read_text(encoding="utf-8")), encoding="utf-8")
    old, new = radrules.load(RULESETS), radrules.load(tmp_path)
    for claim in CLAIMS:
        assert findings(new, claim) == findings(old, claim)


DOC_RR = [(block, claims) for block, claims in LANGUAGE]


@pytest.mark.parametrize("block, claims", DOC_RR, ids=[b.where for b, _ in DOC_RR])
def test_language_example_formats_to_the_same_rules(block, claims, tmp_path):
    """Each rule example of language.md formats idempotently and judges its own claims (and ours) alike."""
    import json

    examples = [json.loads(claim.text) for claim, *_ in claims] + CLAIMS
    if block.kind == "rr":
        once = format_rules(block.text)
        assert format_rules(once) == once
        assert sorted(comments(once)) == sorted(comments(block.text))
        assert_same_rules(block.text, once, examples)
        return
    folder = write_files(block, tmp_path / "before")
    formatted = write_files(block, tmp_path / "after")
    for path in sorted((tmp_path / "after").rglob("*.rr")):
        text = path.read_text(encoding="utf-8")
        once = format_rules(text)
        assert format_rules(once) == once
        path.write_text(once, encoding="utf-8")
    old, new = radrules.load(folder, cache_dir=None), radrules.load(formatted, cache_dir=None)
    for claim in examples:
        assert findings(new, claim) == findings(old, claim)


def test_text_with_a_byte_order_mark_is_read_as_a_file_with_one_is():
    """`load()` and `radrules fmt` take a rule file that starts with a byte order mark; `loads()` and
    `format_rules()` take the same text (it was RR101, unexpected character)."""
    text = 'rule t.a "x"\n  when line.code is 71046\n  then info line "x"\n  reference "t"\nend\n'
    assert format_rules("\ufeff" + text) == format_rules(text) == text
    assert "t.a" in radrules.loads("\ufeff" + text, name="bom.rr").rule_ids()
