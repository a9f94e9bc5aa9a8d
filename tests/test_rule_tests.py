"""Rule tests (``.rrt`` files): the format, the runner, ``radrules test``, JUnit XML and coverage.

Most tests write a small rule folder and test file under ``tmp_path``; the
last ones run the tests shipped beside the bundled rules, so the suite fails
when a bundled rule loses its tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import radrules
from radrules import Claim, _resources
from radrules.cli import main as cli_main
from radrules.testing import Runner, looks_at, measure, parse_tests, read_test_file, trace_for

from builders import underlined

pytest_plugins = ["pytester"]  # the plugin runs a test file with authorization records

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"
START = Path.cwd()  # where pytest started: relative PYTHONPATH entries start here

DEMO_RULES = """\
rule demo.units "at most 2 units of 71046"
  for payer acme
  when line.code is 71046 and line.units > 2
  then deny line "71046: {line.units} units on one line"
  carc CO-151
  rarc N362
  reference "test rule"
end

rule demo.note "a note on 76700"
  when line.code is 76700
  then info line "76700 seen"
  reference "test rule"
end
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    """A folder `demo/` holding demo.rr, with the current folder set to its parent."""
    write(tmp_path, "demo/demo.rr", DEMO_RULES)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "demo"


def environment() -> dict:
    """This process's environment, with PYTHONPATH made absolute (subprocesses run in other folders)."""
    env = os.environ.copy()
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(START / p) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    return env


def run_cli(capsys, *args) -> tuple[int, str]:
    code = cli_main(["test", *map(str, args)])
    return code, capsys.readouterr().out


def report_for(folder: Path, text: str, name: str = "demo.rrt"):
    write(folder, name, text)
    return Runner().run([folder / name])


def test_a_history_line_gives_the_type_of_its_claim(tmp_path):
    """`type professional` on a history line: the hospital's claim does not sum the radiologist's paid units
    into its MUE date limit, a professional claim does; a bad type is RR617 naming the line."""
    write(tmp_path, "t.rr", 'limits t.mue\n  reference "test"\n  limit 77065 max 1 mai 2\nend\n')
    text = """\
        rules "t.rr"
        test "hospital"
          claim type institutional
            2026-03-01 77065
          history
            2026-03-01 77065-26 type professional
          expect no t.mue
        end
        test "radiologist"
          claim type professional
            2026-03-01 77065-26
          history
            2026-03-01 77065-26 type Professional
          expect t.mue on line 1
        end
        test "bad"
          claim
            2026-03-01 77065
          history
            2026-03-01 77065 type dme
          expect pass
        end
        """
    report = report_for(tmp_path, text)
    assert [(o.name, o.status) for o in report.outcomes] == [("hospital", "passed"), ("radiologist", "passed"),
                                                             ("bad", "error")]
    (problem,) = report.outcomes[2].diagnostics
    assert (problem.code, problem.message) == ("RR617", "history line 1: expected `professional` or `institutional`")


def test_a_history_line_with_a_span(tmp_path):
    """`DATE through DATE CODE` on a history line gives the paid line a span, as on a claim line: 6 units over
    three days count 2 on the middle day; one ending before it starts is RR617 naming the line."""
    write(tmp_path, "t.rr", 'limits t.mue\n  reference "test"\n  limit Q9967 max 2 mai 3\nend\n')
    text = """\
        rules "t.rr"
        test "a day of the span"
          claim
            2026-07-02 Q9967 x1
          history
            2026-07-01 through 2026-07-03 Q9967 x6
          expect t.mue on line 1 message "3 units on 2026-07-02 (2 paid on earlier claims)"
        end
        test "after the span"
          claim
            2026-07-04 Q9967 x2
          history
            2026-07-01 through 2026-07-03 Q9967 x6
          expect pass
        end
        test "backwards"
          claim
            2026-07-02 Q9967
          history
            2026-07-03 through 2026-07-01 Q9967
          expect pass
        end
        """
    report = report_for(tmp_path, text)
    assert [(o.name, o.status) for o in report.outcomes] == [("a day of the span", "passed"),
                                                             ("after the span", "passed"), ("backwards", "error")]
    (problem,) = report.outcomes[2].diagnostics
    assert problem.code == "RR617" and problem.message.startswith("history line 1: before the line's `date`")


def test_billing_npis_of_a_claim_and_its_history(tmp_path):
    """`billing NPI` in a claim's header and on a history line: a hospital's claim does not sum another hospital's
    paid units into its MUE date limit, its own it does."""
    write(tmp_path, "t.rr", 'limits t.mue\n  reference "test"\n  limit 77065 max 1 mai 2\nend\n')
    text = """\
        rules "t.rr"
        test "another hospital"
          claim type institutional, billing 1234567893
            2026-03-01 77065
          history
            2026-03-01 77065 type institutional billing 1245319599
          expect no t.mue
        end
        test "the same hospital"
          claim type institutional billing 1234567893
            2026-03-01 77065
          history
            2026-03-01 77065 billing 1234567893
          expect t.mue on line 1
        end
        """
    report = report_for(tmp_path, text)
    assert [(o.name, o.status) for o in report.outcomes] == [("another hospital", "passed"),
                                                             ("the same hospital", "passed")]


def test_payers_of_history_lines(tmp_path):
    """`payer NAME` on a history line: a line of another payer's member is not the patient's, one of the claim's
    payer (compared as rules compare payers) is; a name with a space is quoted."""
    write(tmp_path, "t.rr", 'rule t.lifetime "once"\n  reference "test"\n'
                            '  when line.code is 76377 and history has 76377\n  then deny line "once"\nend\n')
    text = """\
        rules "t.rr"
        test "another payer's member"
          claim payer medicare
            2026-03-01 76377
          history
            2020-05-01 76377 payer acme
          expect no t.lifetime
        end
        test "the claim's payer"
          claim payer "Blue Cross"
            2026-03-01 76377
          history
            2020-05-01 76377 payer "blue  cross" x1 paid
          expect t.lifetime on line 1
        end
        """
    report = report_for(tmp_path, text)
    assert [(o.name, o.status) for o in report.outcomes] == [("another payer's member", "passed"),
                                                             ("the claim's payer", "passed")]
    twice = parse_tests('test "t"\n  claim\n    2026-03-01 76377\n  history\n    2020-05-01 76377 payer a payer b\n'
                        '  expect pass\nend\n', "t.rrt")
    assert [(d.code, d.message) for d in twice.diagnostics] == [
        ("RR605", "history field `payer` is given twice on one line")]


def test_a_claims_type_of_bill(tmp_path):
    """`bill TYPE` in a claim's header sets bill_type (0111 or 111), so a rule on `claim.bill_type` can be made to
    fire and shown silent (the header had no word for it: RR602 at `bill`)."""
    write(tmp_path, "t.rr", 'rule t.inpatient "Inpatient"\n  reference "test"\n  when claim.bill_type is 111\n'
                            '  then warn claim "an inpatient bill"\nend\n')
    text = """\
        rules "t.rr"
        test "inpatient"
          claim type institutional, bill 0111
            2026-03-01 77065
          expect t.inpatient
        end
        test "outpatient"
          claim type institutional bill 131
            2026-03-01 77065
          expect no t.inpatient
        end
        """
    report = report_for(tmp_path, text)
    assert [(o.name, o.status) for o in report.outcomes] == [("inpatient", "passed"), ("outpatient", "passed")]



def test_a_claims_frequency_replaces_and_a_history_lines_claim(tmp_path):
    """`frequency`, `replaces` in a claim's header and `claim ID` on a history line, so a replacement's test can be
    written in the compact form (a history line had no claim id); an id may be quoted, and given twice is RR605."""
    write(tmp_path, "t.rr", 'rule t.again "Again"\n  reference "test"\n  when history has the same code\n'
                            '  then deny line "again"\nend\n')
    text = """\
        rules "t.rr"
        test "the replaced claim's line is left out"
          claim frequency 7, replaces "A 1"
            2026-03-01 77065
          history
            2026-03-01 77065 claim "A 1"
          expect pass
        end
        test "another claim's line is not"
          claim frequency 7, replaces "A 1"
            2026-03-01 77065
          history
            2026-03-01 77065 claim A2
          expect t.again on line 1
        end
        test "an original is judged against the whole history"
          claim replaces "A 1"
            2026-03-01 77065
          history
            2026-03-01 77065 claim "A 1"
          expect t.again on line 1
        end
        """
    report = report_for(tmp_path, text)
    assert [o.status for o in report.outcomes] == ["passed"] * 3
    twice = parse_tests('test "t"\n  claim\n    2026-03-01 76377\n  history\n    2020-05-01 76377 claim a claim b\n'
                        '  expect pass\nend\n', "t.rrt")
    assert [(d.code, d.message) for d in twice.diagnostics] == [
        ("RR605", "history field `claim` is given twice on one line")]

def test_a_claims_statement_period_in_the_compact_form():
    """`statement FROM through THROUGH` (or `statement through THROUGH`) fills statement_from and _through, so
    a rule on the Through date is tested without `claim json`; a field given twice is RR605."""
    spanned = parse_tests('test "t"\n  claim type institutional, statement 2025-03-01 through 2025-03-31\n'
                          '    2025-03-02 74177 rev 0350\n  expect pass\nend\n', "t.rrt")
    assert spanned.diagnostics == ()
    data = spanned.cases[0].claim.data
    assert (data["statement_from"], data["statement_through"]) == ("2025-03-01", "2025-03-31")
    through = parse_tests('test "t"\n  claim type institutional, statement through 2025-03-31\n'
                          '    2025-03-02 74177\n  expect pass\nend\n', "t.rrt")
    assert "statement_from" not in through.cases[0].claim.data
    assert through.cases[0].claim.data["statement_through"] == "2025-03-31"
    twice = parse_tests('test "t"\n  claim statement 2025-03-01 through 2025-03-31, statement through 2025-04-01\n'
                        '    2025-03-02 74177\n  expect pass\nend\n', "t.rrt")
    assert [(d.code, d.message) for d in twice.diagnostics] == [
        ("RR605", "claim field `statement_through` is given twice")]


# ---------------------------------------------------------------- the format


class TestFormat:
    def test_compact_claim_reads_as_its_json_shape(self):
        """A compact claim becomes the claim dict of docs/claim-format.md, field by field."""
        test_file = parse_tests(textwrap.dedent("""\
            test "t"
              claim id "C-1", payer acme, type professional, patient F born 1971-11-02, pos 11,
                    received 2026-04-10, auth PA1, auth PA2
                dx R10.84, M54.50
                2026-04-06 72148 x1 dx 2
                2026-04-06 through 2026-04-08 74176-26-XS x1.5 dx 1,2 pos 22 npi 1234567893 charge 380.5
              expect pass
            end
            """), "t.rrt")
        assert test_file.diagnostics == ()
        assert test_file.cases[0].claim.data == {
            "id": "C-1", "payer": "acme", "type": "professional", "place_of_service": "11",
            "received": "2026-04-10", "prior_auth": ["PA1", "PA2"], "diagnoses": ["R10.84", "M54.50"],
            "patient": {"sex": "F", "birth_date": "1971-11-02"},
            "lines": [
                {"code": "72148", "date": "2026-04-06", "units": 1, "diagnosis_pointers": [2]},
                {"code": "74176", "modifiers": ["26", "XS"], "date": "2026-04-06", "end_date": "2026-04-08",
                 "units": 1.5, "diagnosis_pointers": [1, 2], "place_of_service": "22",
                 "rendering_npi": "1234567893", "charge": 380.5},
            ],
        }

    def test_each_value_keeps_its_place(self):
        """Every field path maps to the line and columns where the test wrote it, modifiers included."""
        test_file = parse_tests('test "t"\n  claim\n    2026-04-06 74176-26-XS x2\n  expect pass\nend\n', "t.rrt")
        spans = test_file.cases[0].claim.spans
        assert (spans["lines[0].code"].line, spans["lines[0].code"].column) == (3, 16)
        assert (spans["lines[0].modifiers[1]"].column, spans["lines[0].modifiers[1]"].end_column) == (25, 27)
        assert (spans["lines[0].units"].column, spans["lines[0].units"].end_column) == (28, 30)

    def test_expectations_read_back_in_words(self):
        """Each kind of `expect` line is parsed with its details and described as failure reports show it."""
        test_file = parse_tests(textwrap.dedent("""\
            test "t"
              claim
                2026-04-06 74176
              expect pass
              expect fail
              expect acme.ptp on lines 1, 2 deny carc CO-97 rarc M80, N20 message "bundled" source "a.rr:4"
              expect no acme.ptp on line 2
              expect only acme.ptp, format.code
            end
            """), "t.rrt")
        described = [e.describe() for e in test_file.cases[0].expectations]
        assert described == [
            "the claim to pass",
            "the claim to fail",
            'acme.ptp on lines 1, 2 (deny, carc CO-97, rarc M80, N20, message "bundled", source "a.rr:4")',
            "no acme.ptp on line 2",
            "only acme.ptp, format.code to deny or review",
        ]

    def test_inline_rules_keep_their_line_numbers(self):
        """The text of `rules ... with \"\"\"` is padded so that its lines are the test file's lines."""
        test_file = parse_tests('rules ".." with """\n  property pctc = 2 for 93010\n"""\n', "t.rrt")
        assert [token.text for token in test_file.rules.paths] == [".."] and test_file.rules.bundled is None
        assert test_file.rules.text.text.splitlines()[1] == "  property pctc = 2 for 93010"

    def test_comments_and_blank_lines_are_ignored(self):
        """`#` comments, blank lines and a missing final line break change nothing."""
        text = '# head\n\ntest "t"   # name\n  # inside\n  claim   # here\n\n    2026-04-06 74176\n  expect pass\nend'
        test_file = parse_tests(text, "t.rrt")
        assert test_file.diagnostics == ()
        assert [c.name.text for c in test_file.cases] == ["t"]


# ---------------------------------------------------------------- syntax errors


WORDS = ['test "t"', "\n", "  ", "claim", " payer acme", ",", " pos 11", " patient F born 1971-11-02", "dx R10.9",
         "2026-03-02", " 74176-26", " x2", " dx 1,2", " through 2026-03-03", "expect", " pass", " no", " only",
         " acme.ptp", " on line 1", " deny", " carc CO-97", ' message "m"', ' source "s:1"', "end", 'rules ".."',
         ' with """', '"""', " json", ' file "c.json"', " id", "#", '"', "&", " x0", "history", "authorizations", " none",
         "PA1", " 74176,", " 2026-04-01"]


def rendered(test_file) -> str:
    return "\n\n".join(d.render() for d in test_file.diagnostics)


class TestSyntaxErrors:
    def test_misspelt_keyword(self):
        """A misspelt keyword is RR602 with the word underlined and the keyword suggested."""
        test_file = parse_tests('test "t"\n  claim payor acme\n    2026-04-06 74176\n  expect pass\nend\n', "t.rrt")
        assert rendered(test_file) == (
            "t.rrt:2:9: error[RR602]: unexpected `payor`\n"
            "    2 |   claim payor acme\n"
            "      |         ^^^^^\n"
            "      = help: did you mean `payer`?"
        )

    def test_unexpected_character(self):
        """A character no word starts with is RR601, with the words that could stand there."""
        test_file = parse_tests('test "t"\n  claim\n    2026-04-06 74176 & 2\n  expect pass\nend\n', "t.rrt")
        assert rendered(test_file) == (
            "t.rrt:3:22: error[RR601]: unexpected `&`\n"
            "    3 |     2026-04-06 74176 & 2\n"
            "      |                      ^\n"
            "      = help: expected `charge`, `dx`, `npi`, `pos`, `rev`, the end of the line or units such as `x2`"
        )

    def test_a_date_in_digits_of_another_script_is_not_a_date(self):
        """A service date in full-width digits is RR601 on the word (it was read as a date, then called no calendar
        date)."""
        test_file = parse_tests('test "t"\n  claim\n    \uff12\uff10\uff12\uff16-04-06 74176\n  expect pass\nend\n',
                                "t.rrt")
        (diagnostic,) = test_file.diagnostics
        assert (diagnostic.code, diagnostic.message) == ("RR601", "unexpected `\uff12\uff10\uff12\uff16-04-06`")

    def test_an_unknown_escape_is_an_error_at_its_backslash(self):
        """A `\\` before anything but `"` or `\\` is RR601 at the backslash, as RR101 in a rule file (it was dropped
        without a word: `claims\\c1.json` was looked for as `claimsc1.json`); a path's hint writes it with `/`.
        The test does not run; the test after it does."""
        text = ('test "a \\q b"\n  claim file "claims\\c1.json" id "A\\\\B"\n  expect pass\nend\n'
                'test "t"\n  claim payer "x\\" y"\n    2026-04-06 74176\n  expect pass\nend\n')
        test_file = parse_tests(text, "t.rrt")
        assert [(d.code, d.message, underlined(d), d.help) for d in test_file.diagnostics] == [
            ("RR601", "unknown escape `\\q` in a quoted text", "\\q",
             'in a quoted text, `\\` starts only `\\"` (a quote) and `\\\\` (a backslash): write `\\\\` for a backslash'),
            ("RR601", "unknown escape `\\c` in a quoted text", "\\c",
             'a path separates its folders with `/`, on Windows too: `"claims/c1.json"`'),
        ]
        assert [case.name.text for case in test_file.cases] == ["t"]
        assert test_file.cases[0].claim.data["payer"] == 'x" y'

    def test_unknown_escape_in_the_rules_path_stops_every_test(self):
        """A `rules` path with a `\\` is RR601 with `/` in its hint; no test knows what to load, so none runs."""
        test_file = parse_tests('rules "..\\rulesets"\n\ntest "t"\n  claim\n    2026-04-06 74176\n  expect pass\nend\n',
                                "t.rrt")
        (diagnostic,) = test_file.diagnostics
        assert (diagnostic.code, diagnostic.help) == (
            "RR601", 'a path separates its folders with `/`, on Windows too: `"../rulesets"`')
        assert test_file.cases == ()

    def test_unterminated_text(self):
        """A quoted name without its closing quote is RR603."""
        test_file = parse_tests('test "t\n  claim\n    2026-04-06 74176\n  expect pass\nend\n', "t.rrt")
        assert [d.code for d in test_file.diagnostics] == ["RR603"]
        assert "= help: a quoted text ends with `\"` on the same line" in rendered(test_file)

    def test_missing_end_names_where_it_goes(self):
        """A test without `end` is RR604 on its `test` keyword, saying before which line `end` goes."""
        text = 'test "a"\n  claim\n    2026-04-06 74176\n  expect pass\n\ntest "b"\n  claim\n' \
               '    2026-04-06 74176\n  expect pass\nend\n'
        test_file = parse_tests(text, "t.rrt")
        assert rendered(test_file) == (
            "t.rrt:1:1: error[RR604]: this `test` has no `end`\n"
            "    1 | test \"a\"\n"
            "      | ^^^^\n"
            "      = help: add `end` before line 6; every test ends with `end`"
        )
        assert [c.name.text for c in test_file.cases] == ["b"]

    def test_claim_without_service_lines(self):
        """A claim with no service line says what a service line looks like."""
        test_file = parse_tests('test "t"\n  claim payer acme\n  expect pass\nend\n', "t.rrt")
        assert test_file.diagnostics[0].help == "a claim lists at least one service line, such as " \
                                               "`2026-04-06 74176-26 x1`"

    def test_test_without_expectations(self):
        """A test must expect something: `end` right after the claim is an error with a hint."""
        test_file = parse_tests('test "t"\n  claim\n    2026-04-06 74176\nend\n', "t.rrt")
        assert test_file.diagnostics[0].help == "a test says what it expects: add a line such as `expect pass`"

    def test_one_broken_test_does_not_hide_the_others(self):
        """Every broken test is reported and every good one still parses."""
        text = ('test "a"\n  claim\n    2026-04-06 74176\n  exepct pass\nend\n'
                'test "b"\n  claim\n    2026-04-06 74176\n  expect pass\nend\n'
                'test "c"\n  claim\n    2026-04-06 74176 ?\n  expect pass\nend\n')
        test_file = parse_tests(text, "t.rrt")
        assert [(d.code, d.span.line) for d in test_file.diagnostics] == [("RR602", 4), ("RR601", 13)]
        assert [c.name.text for c in test_file.cases] == ["b"]

    def test_a_broken_rules_line_stops_every_test(self):
        """When the file's `rules` line does not parse, no test runs (none would know what to load)."""
        text = 'rules "..\ntest "t"\n  claim\n    2026-04-06 74176\n  expect pass\nend\n'
        test_file = parse_tests(text, "t.rrt")
        assert [d.code for d in test_file.diagnostics] == ["RR603"]
        assert test_file.cases == ()

    def test_rules_lists_paths_and_bundled(self):
        """`rules` lists quoted paths and the word `bundled`, in any order, with or without inline rule text."""
        test_file = parse_tests('rules "../tables", "..", bundled with """\n  codes x = 70450\n"""\n', "t.rrt")
        rules = test_file.rules
        assert [token.text for token in rules.paths] == ["../tables", ".."]
        assert rules.bundled.text == "bundled" and rules.bundled.span.column == 26
        assert (rules.items_span.column, rules.items_span.end_column) == (7, 33)
        assert rules.text.text.splitlines()[1] == "  codes x = 70450"
        rules = parse_tests("rules bundled\n", "t.rrt").rules
        assert rules.paths == () and rules.bundled is not None
        rules = parse_tests('rules "bundled"\n', "t.rrt").rules  # a folder named bundled
        assert [token.text for token in rules.paths] == ["bundled"] and rules.bundled is None

    def test_an_item_of_rules_given_twice(self):
        """`bundled` or a path written twice in one `rules` line is RR605 at the second; a file whose `rules`
        line has one runs no test, a test whose own `rules` line has one does not run."""
        text = 'rules bundled, ".", bundled\ntest "t"\n  claim\n    2026-04-06 74176\n  expect pass\nend\n'
        test_file = parse_tests(text, "t.rrt")
        assert rendered(test_file) == (
            "t.rrt:1:21: error[RR605]: `bundled` is given twice in `rules`\n"
            '    1 | rules bundled, ".", bundled\n'
            "      |                     ^^^^^^^\n"
            "      = help: the first is at column 7; `rules` names each of its items once")
        assert test_file.cases == ()
        text = ('test "a"\n  rules "..", bundled, ".."\n  claim\n    2026-04-06 74176\n  expect pass\nend\n'
                'test "b"\n  claim\n    2026-04-06 74176\n  expect pass\nend\n')
        test_file = parse_tests(text, "t.rrt")
        assert [(d.code, d.span.line, d.span.column, d.message) for d in test_file.diagnostics] == [
            ("RR605", 2, 24, "the path `..` is given twice in `rules`")]
        assert [c.name.text for c in test_file.cases] == ["b"]
        # in a file with a syntax error too, parsed test by test
        broken = 'rules bundled, bundled\n' + text.replace("expect pass\nend\ntest", "exepct\nend\ntest")
        test_file = parse_tests(broken, "t.rrt")
        assert [d.code for d in test_file.diagnostics] == ["RR605", "RR602"] and test_file.cases == ()

    def test_field_given_twice(self):
        """A claim field or an expectation detail given twice is RR605."""
        text = 'test "t"\n  claim payer a, payer b\n    2026-04-06 74176 x1 x2\n  expect x.y deny warn\nend\n'
        test_file = parse_tests(text, "t.rrt")
        assert [(d.code, d.span.line, d.message) for d in test_file.diagnostics] == [
            ("RR605", 2, "claim field `payer` is given twice"),
            ("RR605", 3, "claim field `units` is given twice on one line"),
            ("RR605", 4, "`severity` is given twice in one expectation"),
        ]

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.sampled_from(WORDS), max_size=40))
    def test_any_sequence_of_words_never_crashes(self, words):
        """Text made of the format's own words, in any order, parses or gives located diagnostics."""
        test_file = parse_tests("".join(words), "t.rrt")
        for diagnostic in test_file.diagnostics:
            assert diagnostic.code.startswith("RR60") and diagnostic.span is not None
            assert diagnostic.render().startswith(f"t.rrt:{diagnostic.span.line}:")

    def test_arbitrary_bytes_never_crash(self):
        """Text that is no test file at all gives diagnostics, not an exception."""
        for text in ("", "\x00\x01", "end end end", 'test "x"\n' * 3, '"""', "rules\n", "test \"t\"\n claim json \"\"\""):
            test_file = parse_tests(text, "t.rrt")
            assert test_file.cases == () and (text == "" or test_file.diagnostics), repr(text)


# ---------------------------------------------------------------- errors found when running


def problems(report) -> str:
    return report.render()


class TestRunErrors:
    @pytest.mark.parametrize("expect, code", [("demo.unit on line 1", "RR611"), ("demo.units on line 1 deni", "RR602")],
                             ids=["a test's", "the file's"])
    def test_a_test_files_problems_are_capped_as_a_rule_files(self, demo, expect, code):
        """A test file with more problems than MAX_PER_FILE, each test's (an unknown rule) or the file's own (a
        syntax error): the report shows the first MAX_PER_FILE, in the order of their lines, then counts the rest
        in one RR606, worded as a rule file's RR407; the summary counts them all (it printed every one)."""
        from radrules.errors import MAX_PER_FILE

        count = MAX_PER_FILE + 3
        tests = "".join(f'test "t{n}"\n  claim payer acme\n    2026-03-02 71046 x1\n  expect {expect}\nend\n'
                        for n in range(count))
        report = report_for(demo, tests)
        parts = problems(report).split("\n\n")
        assert [part.split(": ")[1] for part in parts[:-2]] == [f"error[{code}]"] * MAX_PER_FILE
        assert [part.split(":")[1] for part in parts[:-2]] == [str(4 + 5 * n) for n in range(MAX_PER_FILE)]
        assert parts[-2:] == [
            "error[RR606]: 3 more problems in `demo/demo.rrt` not shown\n"
            "      = help: fix the ones above and run the tests again: the rest are shown then",
            f"0 passed, 0 failed, {count} errors"]

    def test_bad_claim_value_points_at_the_value(self, demo):
        """A value Claim.from_dict refuses is RR613, underlined where the test wrote it."""
        report = report_for(demo, 'test "t"\n  claim\n    2026-03-02 71046 x0\n  expect pass\nend\n')
        assert problems(report) == (
            "demo/demo.rrt:3:22: error[RR613]: bad claim: lines[0].units: expected a positive number\n"
            "    3 |     2026-03-02 71046 x0\n"
            "      |                      ^^\n"
            "      = help: a line bills at least `x1` (units are written after `x`, such as `x2`)\n\n"
            "0 passed, 0 failed, 1 error"
        )

    def test_bad_dates_sex_and_pointers_are_claim_errors(self, demo):
        """Calendar dates, the patient's sex and diagnosis pointers are checked like a real claim's."""
        cases = {
            'claim\n    2026-02-30 71046': "lines[0].date: not a calendar date",
            'claim patient female\n    2026-03-02 71046': "patient.sex: expected `F`, `M` or `U`",
            'claim\n    2026-03-02 71046 dx 0': "lines[0].diagnosis_pointers[0]: expected a positive whole number",
            'claim received 2026-3-2\n    2026-03-02 71046': "received: expected a date as YYYY-MM-DD",
        }
        for claim, message in cases.items():
            report = report_for(demo, f'test "t"\n  {claim}\n  expect pass\nend\n')
            assert f"error[RR613]: bad claim: {message}" in problems(report), claim

    def test_unknown_rule_is_suggested(self, demo):
        """An expectation naming a rule the ruleset does not have is RR611, never a vacuous pass."""
        report = report_for(demo, 'test "t"\n  claim\n    2026-03-02 71046\n  expect no demo.unit\nend\n')
        assert problems(report) == (
            "demo/demo.rrt:4:13: error[RR611]: unknown rule `demo.unit`\n"
            "    4 |   expect no demo.unit\n"
            "      |             ^^^^^^^^^\n"
            "      = help: did you mean `demo.units`?\n\n"
            "0 passed, 0 failed, 1 error"
        )

    def test_line_the_claim_does_not_have(self, demo):
        """`on line N` past the claim's last line is RR612."""
        report = report_for(demo, 'test "t"\n  claim\n    2026-03-02 71046\n  expect no demo.units on line 2\nend\n')
        assert "error[RR612]: the claim has no line 2" in problems(report)
        assert "= help: the claim has 1 service line, numbered from 1" in problems(report)

    def test_duplicate_test_names(self, demo):
        """Two tests of one file with the same name: the second is RR610."""
        test = 'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'
        report = report_for(demo, test + test)
        assert report.passed == 1
        assert "demo/demo.rrt:6:6: error[RR610]: a test named `t` comes before, at line 1" in problems(report)

    def test_json_claim(self, demo):
        """A JSON claim is judged like a compact one; bad JSON is RR614 at its place in the test file."""
        good = 'test "t"\n  claim json """\n  {"payer": "acme", "lines": [{"code": "71046", "date": "2026-03-02",' \
               ' "units": 3}]}\n  """\n  expect demo.units on line 1\nend\n'
        assert report_for(demo, good).passed == 1
        bad = 'test "t"\n  claim json """\n  {"lines": [}\n  """\n  expect pass\nend\n'
        assert problems(report_for(demo, bad)).startswith(
            "demo/demo.rrt:3:14: error[RR614]: the claim is not JSON: Expecting value\n"
            '    3 |   {"lines": [}\n'
            "      |              ^"
        )
        # an error on the block's first line is placed after its `"""`, on a later test's too
        bad = ('test "a"\n  claim payer acme\n    2026-03-02 71046\n  expect pass\nend\n\n'
               'test "t"\n  claim json """{"lines": [}]}"""\n  expect pass\nend\n')
        assert problems(report_for(demo, bad)).startswith(
            "demo/demo.rrt:8:28: error[RR614]: the claim is not JSON: Expecting value\n"
            '    8 |   claim json """{"lines": [}]}"""\n'
            "      |                            ^"
        )

    def test_claim_files(self, demo):
        """`claim file` reads a claim, or picks one by id; outside, missing, unknown ids are errors."""
        write(demo, "claims/one.json", '{"payer": "acme", "lines": [{"code": "71046", "date": "2026-03-02", "units": 3}]}')
        write(demo, "claims/many.json", '[{"id": "A", "lines": [{"code": "76700", "date": "2026-03-02"}]},\n'
                                        ' {"id": "B", "lines": [{"code": "71046", "date": "2026-03-02"}]},\n'
                                        ' {"id": " C ", "lines": [{"code": "76700", "date": "2026-03-02"}]},\n'
                                        ' {"id": "D", "lines": [{"code": "76700", "date": "2026-03-02"}]},\n'
                                        ' {"id": "D ", "lines": [{"code": "71046", "date": "2026-03-02"}]}]')
        write(demo.parent, "outside.json", '{"lines": [{"code": "71046", "date": "2026-03-02"}]}')
        (demo / "claims" / "a.json").symlink_to("b.json")  # a loop of links: RR615, not a traceback
        (demo / "claims" / "b.json").symlink_to("a.json")
        cases = {
            'claim file "claims/one.json"\n  expect demo.units': None,
            'claim file "claims/many.json" id "A"\n  expect demo.note': None,
            'claim file "claims/many.json" id "C"\n  expect demo.note': None,  # ids are trimmed
            'claim file "claims/many.json" id "Z"\n  expect pass': "RR616]: no claim of this id in `claims/many.json`",
            'claim file "claims/many.json"\n  expect pass': "RR616]: `claims/many.json` holds 5 claims",
            'claim file "claims/many.json" id "D"\n  expect pass': "RR616]: 2 claims of this id in `claims/many.json`",
            'claim file "../outside.json"\n  expect pass': "RR615]: `../outside.json` is outside the test file's folder",
            'claim file "nope.json"\n  expect pass': "RR615]: no claim file `nope.json`",
            'claim file "claims/a.json"\n  expect pass': "RR615]: `claims/a.json` is not a path to a claim file",
        }
        for body, error in cases.items():
            report = report_for(demo, f'test "t"\n  {body}\nend\n')
            if error is None:
                assert report.passed == 1, body
            else:
                assert f"error[{error}" in problems(report), body
                message = next(line for line in problems(report).splitlines() if "error[" in line)
                assert "`Z`" not in message and "`D`" not in message  # a claim's id is underlined, not quoted

    def test_huge_claim_and_test_files_are_refused_before_they_are_read(self, demo):
        """A claim file or a test file larger than any written for tests (sparse files of gigabytes) is RR615 or
        RR630, not read whole into memory (a MemoryError's traceback, or the machine's memory gone)."""
        (demo / "claims").mkdir()
        for name in ("claims/big.json", "big.rrt"):
            with open(demo / name, "wb") as handle:
                handle.truncate(6 << 30)
        report = report_for(demo, 'test "t"\n  claim file "claims/big.json"\n  expect pass\nend\n')
        assert ("error[RR615]: `claims/big.json` is 6,442,450,944 bytes, more than a claim file of a test may be "
                "(radrules reads at most 4,194,304)") in problems(report)
        test_file = read_test_file(demo / "big.rrt", "big.rrt")
        assert [(d.code, d.message) for d in test_file.diagnostics] == [
            ("RR630", "`big.rrt` is 6,442,450,944 bytes, more than a test file may be (radrules reads at most "
                      "4,194,304)")]

    def test_claim_file_json_lines_and_deep_nesting(self, demo):
        """A JSON Lines claim file breaks only at line feeds (U+2028 may sit in a string); JSON nested too
        deeply for Python is RR614, not a crash."""
        write(demo, "claims/odd.jsonl", '{"id": "A", "payer": "x\u2028y", "lines": [{"code": "76700", "date": "2026-03-02"}]}'
                                        '\n{"id": "B", "lines": [{"code": "71046", "date": "2026-03-02"}]}\n')
        write(demo, "claims/deep.json", "[" * 100_000)
        report = report_for(demo, 'test "t"\n  claim file "claims/odd.jsonl" id "A"\n  expect demo.note\nend\n')
        assert report.passed == 1
        report = report_for(demo, 'test "t"\n  claim file "claims/deep.json"\n  expect pass\nend\n')
        assert "error[RR614]: `claims/deep.json` is not JSON: nested too deeply" in problems(report)

    def test_missing_rules(self, tmp_path, monkeypatch):
        """A `rules` path that does not exist, or a folder without rule files, is RR620."""
        monkeypatch.chdir(tmp_path)
        report = report_for(tmp_path, 'rules "nope"\ntest "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        assert problems(report).startswith("demo.rrt:1:7: error[RR620]: no rule file or folder at `nope`")
        report = report_for(tmp_path, 'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        assert "error[RR620]: no `.rr` rule files in `.`" in problems(report)

    def test_empty_rules_and_rules_too_long_a_name(self, tmp_path, monkeypatch):
        """`rules ""` is RR620 saying so; a name too long for the file system RR620 (the runner raised OSError)."""
        monkeypatch.chdir(tmp_path)
        report = report_for(tmp_path, 'rules ""\ntest "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        assert problems(report).startswith("demo.rrt:1:7: error[RR620]: the path is empty")
        report = report_for(tmp_path, f'rules "{"x" * 300}"\ntest "t"\n  claim\n    2026-03-02 71046\n'
                                      '  expect pass\nend\n')
        assert problems(report).startswith("demo.rrt:1:7: error[RR620]: can't read `xxxx")
        assert ": File name too long" in problems(report)

    def test_a_nul_or_a_link_loop_in_rules_is_rr620(self, tmp_path, monkeypatch):
        """A `rules` path with a NUL, or a link loop, is RR620 (resolving it raised, before the checks ran)."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "loop1").symlink_to("loop2")
        (tmp_path / "loop2").symlink_to("loop1")
        for path, shown in (("\x00..", "\\x00.."), ("loop1", "loop1")):
            report = report_for(tmp_path, f'rules bundled, "{path}"\ntest "t"\n  claim\n    2026-03-02 71046\n'
                                          '  expect pass\nend\n')
            assert problems(report).startswith(
                f"demo.rrt:1:16: error[RR620]: `{shown}` is not a path to a rule file or folder"), shown

    def test_rules_that_link_to_a_file_not_a_rule_file_is_rr620(self, tmp_path, monkeypatch):
        """`rules "evil.rr"` where evil.rr links to another kind of file: RR620, and the file is not read (it was,
        and its first line was shown in a syntax error)."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "secret.txt").write_text("PATIENT LINE\n")
        (tmp_path / "evil.rr").symlink_to(tmp_path / "secret.txt")
        report = report_for(tmp_path, 'rules "evil.rr"\ntest "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        assert problems(report).startswith(
            "demo.rrt:1:7: error[RR620]: `evil.rr` links to a file that is not a rule file (`.rr`)")
        assert "PATIENT" not in problems(report)

    @pytest.mark.parametrize("line", ["expect Demo.units on line 1", "expect no DEMO.Units", "expect demo.Units",
                                      "expect no demo.UNITS on line 1", "expect only demo.other, demo.Units"])
    def test_a_rule_id_with_capitals_is_told_to_be_lower_case(self, demo, line):
        report = report_for(demo, f'test "t"\n  claim payer acme\n    2026-03-02 71046 x3\n  {line}\nend\n')
        assert "help: rule ids are written in lower case: `demo.units`" in problems(report)

    def test_an_empty_name_a_bad_date_and_the_order_of_problems(self, demo):
        """A test without a name is RR610 (reports and pytest ids name tests); a date like 2026-4-6 gets a hint
        about dates; a file's problems are reported in the order of their lines, whatever found them."""
        report = report_for(demo, 'test ""\n  claim\n    2026-03-02 71046\n  expect pass\nend\n\n'
                                  'test "d"\n  claim\n    2026-4-6 71046\n  expect pass\nend\n')
        text = problems(report)
        assert "demo.rrt:1:6: error[RR610]: a test without a name" in text
        assert "help: dates are written YYYY-MM-DD, with two-digit months and days, as `2026-04-06`" in text
        assert text.index("demo.rrt:1:6") < text.index("demo.rrt:9:5")
        # a well-formed date in the wrong place gets the list of what may stand there, not the date hint
        report = report_for(demo, 'test "t"\n  claim payer acme, 2026-04-06\n    2026-03-02 71046\n'
                                  '  expect pass\nend\n')
        assert "dates are written" not in problems(report) and "help: expected `auth`" in problems(report)

    @pytest.mark.parametrize("details, code, hint", [
        ("carc CO197", "CO197", "write a group code in capitals, a dash and a reason: `CO-197`"),
        ("carc co-97", "co-97", "write a group code in capitals, a dash and a reason: `CO-97`"),
        ("carc 197", "197", "write a group code in capitals, a dash and a reason, e.g. `CO-97`, `PR-204`"),
        ("rarc N362, m-80", "m-80", "remark codes are written in capitals without a dash: `M80`"),
        ("rarc X1", "X1", "remark codes are written in capitals without a dash, as `M80`, `N362`, `MA130`"),
    ])
    def test_a_malformed_carc_or_rarc_of_an_expectation_is_an_error(self, details, code, hint):
        """`carc CO197` could never match a finding: RR602 at the code with the code well-formed (RR215 in a rule
        file), and the test does not run, rather than failing as if the rule had given another CARC."""
        text = f'test "t"\n  claim\n    2026-03-02 71046\n  expect demo.units on line 1 {details}\nend\n'
        test_file = parse_tests(text, "t.rrt")
        (error,) = test_file.diagnostics
        what = "claim adjustment reason code" if "carc" in details else "remittance advice remark code"
        assert (error.code, error.message, underlined(error), error.help) == (
            "RR602", f"`{code}` is not a {what}", code, hint)
        assert test_file.cases == ()

    @pytest.mark.parametrize("line, hint", [
        ("07/06/2026 70450", "a service line starts with its date, written YYYY-MM-DD, then the code: "
                             "`2026-07-06 70450`"),
        ("70450 2026-07-06 x2", "a service line starts with its date, written YYYY-MM-DD, then the code: "
                                "`2026-07-06 70450 x2`"),
        ("G0279 x1  # no date", "a service line starts with its date, written YYYY-MM-DD, then the code, as "
                                "`2026-04-06 74176-26 x1`"),
        ("payr acme", "did you mean `payer`?"),  # a misspelt field of the claim's line is told so
        ("  history\n    2/10/2026 70551", "a history line starts with its date, written YYYY-MM-DD, then the "
                                           "code: `2026-02-10 70551`"),
        # a modifier after a space (it got the list of line fields)
        ("2026-07-06 70450 26", "modifiers are joined to the code with `-`: `70450-26`"),
        ("2026-07-06 70450-LT rt x2", "modifiers are joined to the code with `-`: `70450-LT-RT`"),
        # a migrating analyst's guesses: a provider after `by`, a birth date after `dob`
        ("2026-07-06 70450 by 1245319599", "a line's rendering provider is written `npi NPI`, as "
                                           "`2026-04-06 74176-26 npi 1234567893`"),
        ("  history\n    2026-01-02 77067 by 1245319599", "a line's rendering provider is written `npi NPI`, as "
                                                         "`2026-04-06 74176-26 npi 1234567893`"),
    ])
    def test_a_service_line_that_does_not_start_with_its_date_is_told_its_shape(self, line, hint):
        """A service or history line with a US date or its date after the code: RR602 says the line starts with
        a YYYY-MM-DD date, then the code (rewriting the line when it can), not the claim's fields."""
        before = "    2026-03-02 71046\n" if "history" in line else ""
        text = f'test "t"\n  claim\n{before}    {line}\n  expect pass\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert (error.code, error.help) == ("RR602", hint)

    @pytest.mark.parametrize("header", ["dob 1970-01-01", "payer acme, born 1970-01-01", "sex F"])
    def test_a_patients_birth_date_or_sex_guessed_is_told_the_patient_field(self, header):
        text = f'test "t"\n  claim {header}\n    2026-03-02 71046\n  expect pass\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert (error.code, error.help) == (
            "RR602", "the patient's sex and birth date are written `patient SEX born DATE`: `patient F born 1970-01-01`")

    @pytest.mark.parametrize("part, word", [
        ("    2026-04-06 to 2026-04-08 74176 x1\n", "to"),
        ("    2026-04-06 74176 x1\n  authorizations\n    PA1 74176 2026-04-01 thru 2026-04-08 x1\n", "thru"),
    ])
    def test_to_between_the_dates_of_a_span_is_told_through(self, part, word):
        """`2026-04-06 to 2026-04-08` in a service line or an authorization record: RR602 at the word, whose help
        writes the span with `through` (a service line read `to` as its code and stopped at the date after it)."""
        text = f'test "t"\n  claim\n{part}  expect pass\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        first, last = re.findall(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", part)[-2:]
        assert (error.code, error.message, underlined(error), error.help) == (
            "RR602", f"unexpected `{word}`", word, f"write `through`, not `{word}`: `{first} through {last}`")

    def test_rules_a_test_file_may_not_name(self, tmp_path, monkeypatch):
        """A test file names rules by a path relative to it, and reads rule files only: an absolute path, a file
        that is not `.rr` (its first line would show in the error) and the root of the file system are RR620."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "secret.txt").write_text("root:x:0:0:secret\n")
        up = "../" * len(tmp_path.parts)
        for path, problem in ((str(tmp_path / "secret.txt"), "is an absolute path"),
                              ("secret.txt", "is not a rule file (`.rr`)"), (up, "is the root of the file system")):
            report = report_for(tmp_path, f'rules "{path}"\ntest "t"\n  claim\n    2026-03-02 71046\n'
                                          '  expect pass\nend\n')
            assert f"error[RR620]: `{path}` {problem}" in problems(report) and "root:x" not in problems(report)

    def test_a_rules_folder_is_walked_only_so_far(self, tmp_path, monkeypatch):
        """`rules "../.."` may name a home folder: a folder of more than FOLDER_ENTRIES files and folders is
        RR620 before anything walks all of it; a smaller one with rule files loads."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(_resources, "FOLDER_ENTRIES", 50)
        big = tmp_path / "big"
        for n in range(10):
            (big / f"d{n}").mkdir(parents=True)
            for m in range(5):
                (big / f"d{n}" / f"f{m}.txt").write_text("")
        (big / "d9" / "r.rr").write_text("")
        text = 'rules "big"\ntest "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'
        assert "error[RR620]: `big` holds more than 50 files and folders" in problems(report_for(tmp_path, text))
        assert _resources.rule_files_in(big, 61) is True and _resources.rule_files_in(big, 60) is None
        assert _resources.rule_files_in(big / "d0", 60) is False
        (big / "d0" / ".hidden").mkdir()
        (big / "d0" / ".hidden" / "x.rr").write_text("")
        assert _resources.rule_files_in(big / "d0", 60) is False  # the loader skips it too

    def test_broken_rules_are_reported_once(self, demo, capsys):
        """Rules that don't compile: RR621, then their own diagnostics, once for all tests (and counted once: RR621
        heads them and is not counted itself); exit code 3."""
        text = ('rules "." with """\n  rule x.y\n    when line.cod is 70450\n    then deny line "x"\n  end\n"""\n'
                'test "a"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'
                'test "b"\n  claim\n    2026-03-02 76700\n  expect pass\nend\n')
        write(demo, "demo.rrt", text)
        code, out = run_cli(capsys, "demo/demo.rrt")
        assert code == 3
        assert out == (
            "demo/demo.rrt:1:7: error[RR621]: the rules under test have 1 error\n"
            '    1 | rules "." with """\n'
            "      |       ^^^\n"
            "      = help: the errors follow; the tests that load these rules run once they are fixed\n\n"
            "demo/demo.rrt:3:15: error[RR204]: unknown field `cod` of `line`\n"
            "    3 |     when line.cod is 70450\n"
            "      |               ^^^\n"
            "      = help: did you mean `code`?\n\n"
            "0 passed, 0 failed, 1 error (2 tests did not run)\n"
        )

    def test_each_bad_path_of_rules_is_rr620_at_its_own_token(self, demo):
        """Every path of a `rules` list is checked as a lone one was, and each bad one is RR620 at its token."""
        text = (f'rules ".", "{demo / "demo.rr"}", bundled, "nope"\n'
                'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        report = report_for(demo, text)
        found = [(d.code, d.span.line, d.span.column, d.message) for o in report.outcomes for d in o.diagnostics]
        absolute = f'"{demo / "demo.rr"}"'
        assert found == [("RR620", 1, 12, f"`{demo / 'demo.rr'}` is an absolute path"),
                         ("RR620", 1, 12 + len(absolute) + 11, "no rule file or folder at `nope`")]
        assert "^" * len(absolute) + "\n" in problems(report)

    THREE_TESTS = ('test "a"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'
                   'test "b"\n  claim\n    2026-03-02 76700\n  expect pass\nend\n'
                   'test "c"\n  claim\n    2026-03-02 76700 x2\n  expect pass\nend\n')

    @pytest.mark.parametrize("rules_line, found, count", [
        ('rules "nope1", "nope2"', [("RR620", 7), ("RR620", 16)], "2 errors (3 tests did not run)"),
        ('rules ".", ".", "nope"', [("RR605", 12), ("RR620", 17)], "2 errors"),
        ('rules bundled, bundled', [("RR605", 16)], "1 error"),
    ])
    def test_the_rules_line_reports_and_counts_each_problem_once(self, demo, rules_line, found, count):
        """Every problem of the items of a file's `rules` line is reported (an item given twice does not hide a bad
        path), once, and counts one error however many tests it kept from running."""
        report = report_for(demo, rules_line + "\n" + self.THREE_TESTS)
        shown = [(d.code, d.span.column) for d in report.diagnostics] + \
            [(d.code, d.span.column) for o in report.outcomes for d in o.diagnostics]
        assert sorted(set(shown)) == found and all(line.startswith("demo/demo.rrt:1:")
                                                     for line in problems(report).split("\n\n")[:-1])
        assert report.summary() == f"0 passed, 0 failed, {count}" and report.passed == 0

    def test_a_tests_own_rules_line_reports_a_bad_path_beside_an_item_given_twice(self, demo):
        """RR605 on a test's `rules` line keeps the test from running; its bad path is RR620 all the same."""
        report = report_for(demo, 'test "a"\n  rules "nope", "nope"\n  claim\n    2026-03-02 71046\n'
                                  '  expect pass\nend\n')
        assert [(d.code, d.span.line, d.span.column) for d in report.diagnostics] == [("RR620", 2, 9),
                                                                                      ("RR605", 2, 17)]
        assert report.summary() == "0 passed, 0 failed, 2 errors"

    def test_a_crash_in_evaluation_is_an_error_not_a_pass(self, demo, monkeypatch):
        """If evaluation raises, the test is an error naming the exception type (never its text)."""
        def explode(self, claim, **options):
            raise ZeroDivisionError("claim C-1 of patient 12345")
        monkeypatch.setattr(radrules.Ruleset, "evaluate", explode)
        report = report_for(demo, 'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        assert report.errors == 1 and not report.ok
        assert problems(report) == ('demo/demo.rrt:1: test "t": evaluating the claim raised ZeroDivisionError '
                                    "(a bug in radrules: please report it)\n\n0 passed, 0 failed, 1 error")

    def test_a_broken_trace_never_hides_the_failure(self, demo, monkeypatch):
        """If the trace can't be built, the failure is still reported, with a note instead of the trace."""
        import radrules.testing.runner as runner_module

        def broken(*args):
            raise RuntimeError("no")
        monkeypatch.setattr(runner_module, "trace_for", broken)
        report = report_for(demo, 'test "t"\n  claim\n    2026-03-02 71046\n  expect demo.note\nend\n')
        assert report.render().splitlines()[:2] == [
            'demo/demo.rrt:4: test "t": expected demo.note, got no finding of demo.note', "    (no trace: RuntimeError)"]

    def test_paths_without_tests(self, tmp_path, monkeypatch):
        """A folder without test files, a non-test file, a missing path and an empty test file are RR630."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "empty").mkdir()
        write(tmp_path, "notes.txt", "hello")
        write(tmp_path, "blank.rrt", "# nothing yet\n")
        report = Runner().run(["empty", "notes.txt", "missing", "blank.rrt"])
        assert [d.render() for d in report.diagnostics] == [
            "error[RR630]: no `.rrt` test files in `empty`",
            "error[RR630]: `notes.txt` is not a test file (test files end in `.rrt`)",
            "error[RR630]: no test file or folder at `missing`",
            "error[RR630]: `blank.rrt` holds no tests",
        ]
        assert not report.ok and report.summary() == "0 passed, 0 failed, 4 errors"

    def test_test_files_behind_folder_links(self, tmp_path, monkeypatch):
        """rglob passed over a link to a folder of tests without a word, so its tests never ran: now the walk
        follows it, runs a test file reached twice once, and a link back up does not loop."""
        from radrules.testing.runner import find_test_files

        monkeypatch.chdir(tmp_path)
        write(tmp_path / "shared", "one.rrt", 'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        (tmp_path / "suite").mkdir()
        (tmp_path / "suite" / "shared").symlink_to(tmp_path / "shared")
        (tmp_path / "suite" / "again.rrt").symlink_to(tmp_path / "shared" / "one.rrt")
        (tmp_path / "shared" / "up").symlink_to(tmp_path / "suite")
        files, problems = find_test_files(["suite"])
        assert problems == [] and [p.as_posix() for p in files] == ["suite/again.rrt"]
        (tmp_path / "suite" / "again.rrt").unlink()
        files, problems = find_test_files(["suite"])
        assert [p.as_posix() for p in files] == ["suite/shared/one.rrt"]

    def test_an_empty_path_and_a_name_too_long(self, tmp_path, monkeypatch):
        """An empty path is RR630 (it ran the working directory's tests), a name too long RR630 (an OSError)."""
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "a.rrt", 'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        report = Runner().run(["", "x" * 300])
        assert [d.code for d in report.diagnostics] == ["RR630", "RR630"] and not report.outcomes
        assert report.diagnostics[0].message == "no test file or folder: the path is empty"
        assert report.diagnostics[1].message.endswith("`: File name too long")


class TestSeveralRules:
    """`rules` naming several folders, and `bundled` for the bundled rulesets beside them."""

    CONTRAST = ('test "CT head without contrast, then with"\n  claim\n    2026-03-02 70450\n    2026-03-02 70470\n'
                '  expect no radiology.contrast.combined\nend\n')

    def test_a_folder_beside_the_bundled_rules(self, tmp_path, monkeypatch):
        """`rules bundled, "."` loads a payer's folder with the bundled rulesets, so a `disable rule` of a
        bundled rule holds; `rules "."` alone loads the folder alone, where that `disable rule` is RR308."""
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "payer/off.rr", 'disable rule radiology.contrast.combined reference "x"\n')
        report = report_for(tmp_path / "payer", 'rules bundled, "."\n' + self.CONTRAST)
        assert (report.passed, report.errors) == (1, 0), problems(report)
        report = report_for(tmp_path / "payer", 'rules "."\n' + self.CONTRAST)
        found = [(d.code, d.span.line, d.span.column) for o in report.outcomes for d in o.diagnostics]
        assert found == [("RR621", 1, 7), ("RR308", 1, 14)] and report.rule_errors
        assert "`rules bundled, PATH` in a rule test" in problems(report)  # RR308 says how
        report = report_for(tmp_path / "payer", 'rules bundled\n' + self.CONTRAST.replace("no ", ""))
        assert report.passed == 1, problems(report)  # the bundled rulesets alone

    def test_two_folders_share_a_code_set(self, tmp_path, monkeypatch):
        """A code set of one folder serves a rule of another; without it the rule does not compile (RR621,
        underlining the whole list)."""
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "demo/sets/ct.rr", "codes ct_head = 70450, 70460, 70470\n")
        write(tmp_path, "demo/edits/units.rr", 'rule demo.ct_units\n  when line.code in ct_head and line.units > 1\n'
                                               '  then deny line "one unit"\n  reference "test rule"\nend\n')
        tests = 'test "t"\n  claim\n    2026-03-02 70460 x2\n  expect demo.ct_units on line 1 deny\nend\n'
        report = report_for(tmp_path / "demo", 'rules "sets", "edits"\n' + tests)
        assert (report.passed, report.errors) == (1, 0), problems(report)
        report = report_for(tmp_path / "demo", 'rules "edits", bundled\n' + tests)
        assert problems(report).startswith(
            "demo/demo.rrt:1:7: error[RR621]: the rules under test have 1 error\n"
            '    1 | rules "edits", bundled\n'
            "      |       ^^^^^^^^^^^^^^^^\n")

    def test_each_list_is_loaded_once(self, tmp_path, monkeypatch):
        """The rulesets are cached by every path and by `bundled`: the order of a list does not matter,
        `bundled` does."""
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "payer/off.rr", 'disable rule radiology.contrast.combined reference "x"\n')
        write(tmp_path, "payer/more/note.rr", 'rule payer.note\n  when line.code is 70450\n  then info line "n"\n'
                                              '  reference "test rule"\nend\n')
        tests = "".join(f'test "{n}"\n  rules {rules}\n  claim\n    2026-03-02 70450\n  expect pass\nend\n'
                        for n, rules in enumerate(['"more"', 'bundled, "."', '".", bundled', 'bundled, "./"']))
        runner = Runner()
        report = runner.run([write(tmp_path, "payer/t.rrt", tests)])
        assert report.passed == 4, problems(report)
        assert sorted(r.name for r in runner.rulesets()) == ["more", "radrules+payer"]

    def test_the_same_folder_twice_under_two_names(self, tmp_path, monkeypatch):
        """Two paths that overlap are the loader's RR406, under RR621."""
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "payer/more/note.rr", "codes x = 70450\n")
        tests = self.CONTRAST.replace("no radiology.contrast.combined", "pass")
        report = report_for(tmp_path / "payer", 'rules ".", "more"\n' + tests)
        assert [d.code for o in report.outcomes for d in o.diagnostics] == ["RR621", "RR406"]


ODD = ["acme", "medicare", "2026-02-30", "2026-03-02", "1950-01-01", "0", "1", "9", "11", "2", "F", "U", "female",
       "R10.9", "10.9", "74176", "7404", "g0279", "XS", "5", "x", "1,2", '""', '"a b"', "1.5", "-1"]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(ODD), min_size=12, max_size=12),
       st.sampled_from(["pass", "fail", "acme.ptp on line 1 deny", "no format.code on line 2", "only acme.ptp",
                        "acme.pt", "no acme.ptp on line 7"]))
def test_running_odd_claims_never_crashes(values, expect):
    """Claims with odd values in every field run or give diagnostics; the runner never raises."""
    v = values
    text = (f'test "t"\n  claim payer {v[0]}, patient {v[1]} born {v[2]}, pos {v[3]}, received {v[4]}\n'
            f'    dx {v[5]}, {v[6]}\n    {v[7] if v[7][:1].isdigit() and len(v[7]) == 10 else "2026-03-02"} '
            f'{v[8]}-{v[9]} x{v[10]} dx {v[11]}\n  expect {expect}\nend\n')
    test_file = parse_tests(text, "t.rrt", RULESETS)
    for outcome in Runner().run_file(test_file):
        assert outcome.status in ("passed", "failed", "error")
        assert outcome.render() or outcome.passed


# ---------------------------------------------------------------- what expectations mean


CLAIM = """\
test "t"
  claim payer acme
    2026-03-02 71046 x3
    2026-03-02 76700
    2026-03-02 71046 x1
{expect}
end
"""

HOLDS = [
    "expect fail",
    "expect demo.units",
    "expect demo.units on line 1 deny carc CO-151 rarc N362",
    "expect demo.units rarc N362 message \"3 units\"",
    "expect demo.units source \"demo/demo.rr:1\"",  # the whole source
    "expect demo.units on line 1 source \"demo.rr:1\"",  # its file's name and line
    "expect demo.note on line 2 info",
    "expect no demo.units on line 3",
    "expect no demo.units on lines 2, 3",
    "expect only demo.units",
]
FAILS = {
    "expect pass": "got a failing claim: demo.units on line 1 (deny, carc CO-151, rarc N362)",
    "expect demo.units on line 3": "got demo.units on line 1 (deny, carc CO-151, rarc N362)",
    "expect demo.units on lines 1, 3": "got demo.units on line 1 (deny, carc CO-151, rarc N362)",
    "expect demo.units warn": "got demo.units on line 1 (deny, carc CO-151, rarc N362)",
    "expect demo.units carc CO-97": "got demo.units on line 1 (deny, carc CO-151, rarc N362)",
    "expect demo.units rarc N362, M80": "got demo.units on line 1 (deny, carc CO-151, rarc N362)",
    'expect demo.units message "4 units"': "got demo.units on line 1 (deny, carc CO-151, rarc N362)",
    'expect demo.units source "demo.rr:2"':
        'got demo.units on line 1 (deny, carc CO-151, rarc N362, source "demo/demo.rr:1")',
    'expect demo.units source "emo.rr:1"':
        'got demo.units on line 1 (deny, carc CO-151, rarc N362, source "demo/demo.rr:1")',
    "expect no demo.units": "got demo.units on line 1 (deny, carc CO-151, rarc N362)",
    "expect no demo.note on line 2": "got demo.note on line 2 (info)",
    "expect only demo.note": "got demo.units to deny or review",
}


class TestExpectations:
    @pytest.mark.parametrize("expect", HOLDS)
    def test_expectation_holds(self, demo, expect):
        """Each of these expectations holds for a claim with 3 units of 71046 on line 1 and 76700 on line 2."""
        report = report_for(demo, CLAIM.format(expect="  " + expect))
        assert (report.passed, report.failed, report.errors) == (1, 0, 0), report.render()

    @pytest.mark.parametrize("expect, got", FAILS.items(), ids=list(FAILS))
    def test_expectation_fails(self, demo, expect, got):
        """Each of these expectations fails for the same claim, saying what happened instead."""
        report = report_for(demo, CLAIM.format(expect="  " + expect))
        assert (report.passed, report.failed) == (0, 1)
        first = report.render().splitlines()[0]
        assert first.startswith('demo/demo.rrt:6: test "t": expected ') and first.endswith(got), first

    def test_a_rule_that_does_not_fire(self, demo):
        """`expect RULE` on a claim where it does not fire fails, with `no finding`."""
        report = report_for(demo, CLAIM.replace("payer acme", "payer medicare").format(expect="  expect demo.units"))
        assert report.render().splitlines()[0].endswith("got no finding of demo.units")

    def test_expect_fail_on_a_passing_claim(self, demo):
        """`expect fail` on a passing claim names the findings it did have."""
        text = 'test "t"\n  claim\n    2026-03-02 76700\n  expect fail\nend\n'
        assert report_for(demo, text).render().splitlines()[:2] == [
            'demo/demo.rrt:4: test "t": expected the claim to fail, got a passing claim '
            "(findings: demo.note on line 1 (info))",
            "    demo.note fired (at demo/demo.rr:10)",
        ]

    def test_every_failing_expectation_is_reported(self, demo):
        """A test with several failing expectations reports each, not only the first."""
        report = report_for(demo, CLAIM.format(expect="  expect pass\n  expect no demo.note"))
        lines = [line for line in report.render().splitlines() if line.startswith("demo/")]
        assert [line.split(":")[1] for line in lines] == ["6", "7"]

    def test_the_failures_of_one_test_are_separated_by_a_blank_line(self, demo):
        """Each failing expectation, with its trace, is a part of the report of its own, as the failures of two
        tests are: a blank line comes between them."""
        report = report_for(demo, CLAIM.format(expect="  expect pass\n  expect no demo.note"))
        parts = report.render().split("\n\n")
        assert [part.split(":")[1] for part in parts[:-1]] == ["6", "7"] and parts[-1] == "0 passed, 1 failed"
        assert all(len(part.splitlines()) > 1 for part in parts[:-1])  # each with its trace


# ---------------------------------------------------------------- the command


FAILING = """\
rules "."

test "three units of 71046 are denied"
  claim payer acme
    2026-03-02 71046 x3
  expect demo.units on line 1 deny
end

test "a medicare claim is not judged by demo.units"
  claim payer medicare
    2026-03-02 71046 x3
  expect demo.units on line 1
end
"""


class TestCommand:
    def test_failing_test_output(self, demo, capsys):
        """A failure prints file:line, the test, expected and got, a trace of the rule, then `N passed, M failed`."""
        write(demo, "demo.rrt", FAILING)
        code, out = run_cli(capsys, "demo")
        assert code == 1
        assert out == (
            'demo/demo.rrt:12: test "a medicare claim is not judged by demo.units": expected demo.units on line 1, '
            "got no finding of demo.units\n"
            "    demo.units not considered (at demo/demo.rr:1)\n"
            "      when line.code is 71046 and line.units > 2\n"
            "      it applies to payer acme and the claim has `medicare`\n"
            "\n"
            "1 passed, 1 failed\n"
        )

    def test_trace_shows_the_part_of_the_condition_that_failed(self, demo, capsys):
        """For a rule that applies but does not fire, the trace names the first part that is not true, per line."""
        write(demo, "demo.rrt", 'test "t"\n  claim payer acme\n    2026-03-02 71046 x2\n    2026-03-02 76700\n'
                                '  expect demo.units\nend\n')
        code, out = run_cli(capsys, "demo/demo.rrt")
        assert code == 1
        assert out.splitlines()[1:4] == [
            "    demo.units did not fire (at demo/demo.rr:1)",
            "      when line.code is 71046 and line.units > 2",
            "      line 1 (71046): silent: `line.units > 2` is false",
        ]

    def test_passing_tests_exit_zero(self, demo, capsys):
        """When every test passes, only the summary is printed and the exit code is 0."""
        write(demo, "demo.rrt", FAILING.split('test "a medicare')[0])
        assert run_cli(capsys, "demo") == (0, "1 passed, 0 failed\n")

    def test_strict_makes_the_warnings_of_the_rules_under_test_fail_the_run(self, demo, capsys):
        """The rules' warnings go to standard error and leave the exit code alone; with `--strict` they fail the
        run with exit 3, as `check --strict`, saying so last."""
        write(demo, "demo.rrt", FAILING.split('test "a medicare')[0])
        write(demo, "more.rr", 'pairs demo.ptp "p"\n  reference "t"\n  pair 71046 with 71045 modifier allowed\n'
                               '  disable pair 74176 with 74105\nend\n')
        code = cli_main(["test", "demo"])
        captured = capsys.readouterr()
        assert (code, captured.out) == (0, "1 passed, 0 failed\n")
        assert captured.err.startswith("demo/more.rr:4:3: warning[RR263]: ")
        code = cli_main(["test", "--strict", "demo"])
        captured = capsys.readouterr()
        assert (code, captured.out) == (3, "1 passed, 0 failed\n")
        assert captured.err.endswith("\nfailed: 1 warning, which --strict counts as errors\n")
        assert code == cli_main(["check", "--strict", "demo"])
        capsys.readouterr()
        write(demo, "more.rr", "")
        assert run_cli(capsys, "--strict", "demo") == (0, "1 passed, 0 failed\n")

    def test_syntax_errors_exit_one(self, demo, capsys):
        """A test file with a syntax error prints its diagnostic, runs the other tests and exits 1."""
        write(demo, "demo.rrt", FAILING.split('test "a medicare')[0] + 'test "x"\n  claim\nend\n')
        code, out = run_cli(capsys, "demo")
        assert code == 1
        assert out.startswith("demo/demo.rrt:11:1: error[RR602]: unexpected `end`\n")
        assert out.endswith("\n\n1 passed, 0 failed, 1 error\n")

    def test_report_goes_file_by_file(self, demo, capsys):
        """Problems and failures are reported file by file, in the order the files ran."""
        write(demo, "a.rrt", 'test "a"\n  claim\n    2026-03-02 71046\n  expect demo.note\nend\n')
        write(demo, "b.rrt", 'test "b"\n  claim\n  expect pass\nend\n')
        write(demo, "c.rrt", 'test "c"\n  claim\n    2026-03-02 71046\n  expect demo.note\nend\n')
        code, out = run_cli(capsys, "demo")
        assert code == 1
        heads = [line.split(":")[0] for line in out.split("\n\n") if line.startswith("demo/")]
        assert heads == ["demo/a.rrt", "demo/b.rrt", "demo/c.rrt"]

    def test_no_tests_exit_one(self, tmp_path, capsys, monkeypatch):
        """A path without test files is an error (exit 1), not a silent success."""
        monkeypatch.chdir(tmp_path)
        assert run_cli(capsys, tmp_path) == (1, f"error[RR630]: no `.rrt` test files in `{tmp_path.as_posix()}`"
                                                "\n\n0 passed, 0 failed, 1 error\n")

    def test_junit_xml(self, demo, tmp_path, capsys):
        """`--junit FILE` writes JUnit XML: a suite per file, a case per test, the failure with its text."""
        write(demo, "demo.rrt", FAILING)
        target = tmp_path / "out" / "junit.xml"
        target.parent.mkdir()
        code, out = run_cli(capsys, "--junit", target, "demo")
        assert code == 1
        root = ET.parse(target).getroot()
        assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "2", "1", "0")
        suite = root.find("testsuite")
        assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == ("demo/demo.rrt", "2", "1")
        cases = suite.findall("testcase")
        assert [(c.get("name"), c.get("classname"), c.get("line")) for c in cases] == [
            ("three units of 71046 are denied", "demo.demo", "3"),
            ("a medicare claim is not judged by demo.units", "demo.demo", "9"),
        ]
        assert cases[0].find("failure") is None
        failure = cases[1].find("failure")
        assert failure.get("message") == "expected demo.units on line 1, got no finding of demo.units"
        assert failure.text == out.split("\n\n")[0]

    def test_control_characters_in_a_test_name_are_escaped(self, demo, tmp_path, capsys):
        """A test name holding an escape sequence or another control character: the report shows it escaped,
        and the JUnit XML stays well-formed (XML 1.0 can't hold most control characters, even as &#...;)."""
        write(demo, "demo.rrt", FAILING.replace("a medicare claim is not judged by demo.units",
                                                "ctrl \x1b[31m red \x01 & <x>"))
        target = tmp_path / "j.xml"
        code, out = run_cli(capsys, "--junit", target, "demo")
        assert code == 1
        assert "\x1b" not in out and 'test "ctrl \\x1b[31m red \\x01 & <x>"' in out
        import xml.dom.minidom
        document = xml.dom.minidom.parse(str(target))
        names = [case.getAttribute("name") for case in document.getElementsByTagName("testcase")]
        assert "ctrl \\x1b[31m red \\x01 & <x>" in names

    def test_junit_xml_of_errors(self, demo, tmp_path, capsys):
        """Broken files and tests that can't run are JUnit errors, so CI shows them too."""
        write(demo, "demo.rrt", 'test "a"\n  claim\n    2026-03-02 71046 x0\n  expect pass\nend\n'
                                'test "b"\n  claim\n  expect pass\nend\n')
        run_cli(capsys, "--junit", tmp_path / "j.xml", "demo")
        root = ET.parse(tmp_path / "j.xml").getroot()
        assert (root.get("tests"), root.get("errors")) == ("2", "2")  # the file's error is a case too
        for count in ("tests", "failures", "errors"):  # CI tools check the totals against the suites
            assert int(root.get(count)) == sum(int(suite.get(count)) for suite in root.findall("testsuite"))
        errors = root.findall(".//error")
        assert [e.get("message") for e in errors] == [
            "bad claim: lines[0].units: expected a positive number", "unexpected `expect`"]

    def test_the_summary_counts_the_tests_one_error_kept_from_running(self, tmp_path, capsys, monkeypatch):
        """A missing table file is one error, printed once, that keeps every test of its rules from running: the
        summary says how many did not run, the number JUnit XML counts as its errors."""
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "r/tables.rr", 'table ptp "cms/ccipra-v322r0-f1.TXT"\n')
        write(tmp_path, "r/t.rrt", TestRunErrors.THREE_TESTS)
        code, out = run_cli(capsys, "--junit", tmp_path / "j.xml", "r")
        assert code == 3 and out.endswith("\n\n0 passed, 0 failed, 1 error (3 tests did not run)\n"), out
        assert ET.parse(tmp_path / "j.xml").getroot().get("errors") == "3"

    def test_the_summary_counts_the_tests_whose_text_did_not_parse(self, demo, tmp_path, capsys):
        """A test whose text did not parse (RR602) did not run either: three tests kept from running by three
        errors are `3 errors`, as many as JUnit XML counts, with no `(1 test did not run)` beside them."""
        write(demo, "demo.rrt", 'test "a"\n  claim\n    03/02/2026 71046\n  expect pass\nend\n'
                                'test "b"\n  claim\n    71046 2026-03-02\n  expect pass\nend\n'
                                'test "c"\n  claim\n    2026-03-02 71046\n  expect demo.unitz on line 1\nend\n')
        code, out = run_cli(capsys, "--junit", tmp_path / "j.xml", "demo")
        assert code == 1 and out.endswith("\n\n0 passed, 0 failed, 3 errors\n"), out
        assert ET.parse(tmp_path / "j.xml").getroot().get("errors") == "3"

    def test_junit_xml_of_a_crash(self, demo, tmp_path, capsys, monkeypatch):
        """A test whose evaluation raised is a JUnit error naming the exception type (never its text)."""
        def explode(self, claim, **options):
            raise ZeroDivisionError("claim C-1 of patient 12345")
        monkeypatch.setattr(radrules.Ruleset, "evaluate", explode)
        write(demo, "demo.rrt", 'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
        code, _ = run_cli(capsys, "--junit", tmp_path / "j.xml", "demo")
        assert code == 1
        root = ET.parse(tmp_path / "j.xml").getroot()
        assert (root.get("tests"), root.get("errors")) == ("1", "1")
        assert [e.get("message") for e in root.findall(".//error")] == [
            "evaluating the claim raised ZeroDivisionError"]
        assert "12345" not in (tmp_path / "j.xml").read_text()

    def test_command_in_a_fresh_process(self, demo):
        """`python -m radrules test` runs in its own process: exit 1 and the summary on a failing file."""
        write(demo, "demo.rrt", FAILING)
        done = subprocess.run([sys.executable, "-m", "radrules", "test", "demo"], cwd=demo.parent,
                              capture_output=True, text=True, env=environment())
        assert done.returncode == 1, done.stderr
        assert done.stdout.endswith("\n1 passed, 1 failed\n")
        assert done.stderr == ""


# ---------------------------------------------------------------- coverage


COVERED = """\
test "fires"
  claim payer acme
    2026-03-02 71046 x3
  expect demo.units on line 1
end

test "silent"
  claim payer acme
    2026-03-02 71046 x2
    2026-03-02 76700
  expect no demo.units
  expect demo.note
end
"""


class TestCoverage:
    def test_rules_lacking_tests_are_listed(self, demo, capsys):
        """`--coverage` lists each rule lacking a firing or a silent test, with its source, and exits 1."""
        write(demo, "demo.rrt", COVERED)
        code, out = run_cli(capsys, "--coverage", "demo")
        assert code == 1
        lines = out.splitlines()
        assert lines[:3] == ["2 passed, 0 failed", "", "demo.note: no test shows it silent (at demo/demo.rr:10)"]
        assert lines[3] == "format.code: no test makes it fire and no test shows it silent (at radrules:format)"
        assert [line.split(":")[0] for line in lines[3:-2]] == sorted(radrules.checks.FORMAT_RULES)
        builtin = len(radrules.checks.FORMAT_RULES)  # demo.note and every built-in check lack tests
        assert lines[-2] == f"coverage: {builtin + 1} of {builtin + 2} rules lack a firing or a silent test"
        assert lines[-1].startswith("(the built-in checks `format.*` judge every claim: copy radrules' "
                                    "`rulesets/format.rrt` beside your tests")

    def test_silence_counts_only_on_a_claim_the_rule_looks_at(self, demo):
        """`expect no RULE` on another payer's claim, or with another code, shows nothing."""
        text = ('test "other payer"\n  claim payer medicare\n    2026-03-02 71046 x3\n  expect no demo.units\nend\n'
                'test "other code"\n  claim payer acme\n    2026-03-02 76700\n  expect no demo.units\nend\n')
        report = report_for(demo, text)
        assert report.passed == 2
        assert [r.silent for r in measure(report).rules if r.rule == "demo.units"] == [False]

    def test_silence_on_a_named_line_counts_only_if_the_rule_could_judge_it(self, demo):
        """`expect no demo.units on line 2`, line 2 billing a code the rule never looks at: nothing shown,
        though line 1 fires; on line 1 of a near miss it counts."""
        text = ('test "other line"\n  claim payer acme\n    2026-03-02 71046 x3\n    2026-03-02 76700\n'
                '  expect demo.units on line 1\n  expect no demo.units on line 2\nend\n')
        report = report_for(demo, text)
        assert report.passed == 1
        assert [(r.fires, r.silent) for r in measure(report).rules if r.rule == "demo.units"] == [(True, False)]
        near = ('test "near miss"\n  claim payer acme\n    2026-03-02 71046 x2\n    2026-03-02 76700\n'
                '  expect no demo.units on line 1\nend\n')
        report = report_for(demo, near)
        assert [r.silent for r in measure(report).rules if r.rule == "demo.units"] == [True]

    @pytest.mark.parametrize("target, named, shows", [("line", 1, True), ("line", 2, False), ("other", 2, True),
                                                       ("other", 1, False), ("both", 1, True), ("both", 2, True)])
    def test_a_pair_rule_is_silent_on_a_named_line_only_where_its_finding_goes(self, demo, target, named, shows):
        """`expect no RULE on line N` of a rule comparing two lines counts only when its finding would be on
        line N: the judged line for `then ... line`, the other line for `other`, either for `both`."""
        write(demo, "pair.rr", f'rule demo.pair "a pair"\n  when line.code is 74150 and other.code is 74176\n'
                               f'  then warn {target} "x"\n  reference "t"\nend\n')
        text = ('test "t"\n  claim\n    2026-03-02 74150\n    2026-03-03 74176\n'
                f'  expect no demo.pair on line {named}\nend\n')
        report = report_for(demo, text)
        assert report.passed == 1
        assert [r.silent for r in measure(report).rules if r.rule == "demo.pair"] == [False]  # other dates
        report = report_for(demo, text.replace("2026-03-03", "2026-03-02").replace("expect no", "expect"))
        if (target, named) in (("line", 2), ("other", 1)):
            assert report.failed == 1  # the finding is not on that line, so the near miss below shows nothing
        same_day = text.replace("2026-03-03 74176", "2026-03-02 74177")  # a near miss: the rule is silent
        write(demo, "pair.rr", f'rule demo.pair "a pair"\n  when line.code is 74150 and other.code in [74176, 74177]'
                               f' and other.units > 1\n  then warn {target} "x"\n  reference "t"\nend\n')
        report = report_for(demo, same_day)
        assert report.passed == 1
        assert [r.silent for r in measure(report).rules if r.rule == "demo.pair"] == [shows]

    def test_a_rule_written_in_a_test_file_covers_no_rule_file_rule(self, demo, capsys):
        """A test that runs a stand-in rule of the test file's own rule text (`rules "other" with ...`) shows
        nothing about the rule file's rule of that id: it is still listed as lacking tests."""
        write(demo, "other/other.rr", 'codes empty = 70450\n')
        write(demo, "demo.rrt", 'rules "other" with """\nrule demo.note "stand-in"\n  when line.code is 71046\n'
                                '  then info line "x"\n  reference "t"\nend\n"""\n\n'
                                'test "stand-in fires"\n  claim\n    2026-03-02 71046\n  expect demo.note\nend\n\n'
                                'test "stand-in silent"\n  claim\n    2026-03-02 71045\n  expect no demo.note\nend\n')
        code, out = run_cli(capsys, "--coverage", "demo")
        assert out.startswith("2 passed, 0 failed\n")  # the stand-in's tests ran and passed
        assert "demo.note: no test makes it fire and no test shows it silent (at demo/demo.rr:10)" in out

    def test_pass_and_only_count_for_nothing(self, demo):
        """`expect pass` and `expect only` show no rule firing or silent."""
        text = 'test "t"\n  claim payer acme\n    2026-03-02 71046 x3\n  expect only demo.units\n  expect fail\nend\n'
        report = report_for(demo, text)
        assert report.passed == 1
        assert [(r.fires, r.silent) for r in measure(report).rules if r.rule == "demo.units"] == [(False, False)]

    def test_failing_tests_count_for_nothing(self, demo):
        """A failing test covers nothing, even its expectations that held."""
        text = 'test "t"\n  claim payer acme\n    2026-03-02 71046 x3\n  expect demo.units\n  expect pass\nend\n'
        report = report_for(demo, text)
        assert report.failed == 1
        assert not any(r.fires for r in measure(report).rules)

    def test_untested_rule_files_under_the_path_count(self, demo, capsys):
        """A rule file under PATH that no test loads still needs tests."""
        write(demo, "demo.rrt", 'rules "demo.rr"\n' + COVERED)
        write(demo, "more.rr", 'rule demo.more\n  when line.code is 70450\n  then warn line "x"\n'
                               '  reference "r"\nend\n')
        code, out = run_cli(capsys, "--coverage", "demo")
        assert code == 1
        assert "demo.more: no test makes it fire and no test shows it silent (at demo/more.rr:1)" in out

    def test_a_folder_tested_beside_the_bundled_rules(self, tmp_path, monkeypatch, capsys):
        """A PATH whose rules the tests loaded beside the bundled ones (`rules bundled, "."`) is not loaded
        again alone, where its `disable rule` of a bundled rule would be RR308 (exit 3)."""
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "payer/off.rr", 'disable rule radiology.contrast.combined reference "x"\n')
        write(tmp_path, "payer/t.rrt", 'rules bundled, "."\n' + TestSeveralRules.CONTRAST)
        code, out = run_cli(capsys, "--coverage", "payer")
        assert code == 0 and "RR308" not in out
        assert out.startswith("1 passed, 0 failed\n\n") and "radiology.contrast.combined" not in out
        assert "coverage: no rules but the 81 bundled rules and built-in checks the tests load" in out  # theirs to cover, not this run's
        # A folder no test loads, under the PATH: loaded as the tests load theirs, beside the bundled rules.
        write(tmp_path, "other/o.rr", 'rule other.x "x"\n  when line.code is 70460\n  then warn line "m"\n'
                                      '  reference "r"\nend\n')
        code, out = run_cli(capsys, "--coverage", ".")
        assert code == 1 and "RR308" not in out
        assert "other.x: no test makes it fire and no test shows it silent (at other/o.rr:1)" in out
        assert "coverage: the one rule lacks a firing or a silent test" in out

    def test_a_copy_of_the_bundled_rules_tested_alone_beside_a_folder_tested_with_them(self, tmp_path, monkeypatch,
                                                                                         capsys):
        """Only the untested rule files of a PATH are loaded beside the bundled rules for coverage: a vendored
        copy of them that its own tests load alone is no RR406."""
        import shutil

        monkeypatch.chdir(tmp_path)
        shutil.copytree(ROOT / "rulesets", tmp_path / "vendored", ignore=shutil.ignore_patterns("*.rrt"))
        write(tmp_path, "vendored/t.rrt", 'rules "."\ntest "a CT head"\n  claim\n    2026-03-02 70450\n'
                                          '  expect pass\nend\n')
        write(tmp_path, "mine/off.rr", 'disable rule radiology.contrast.combined reference "x"\n')
        write(tmp_path, "mine/t.rrt", 'rules bundled, "."\n' + TestSeveralRules.CONTRAST)
        write(tmp_path, "extra/c.rr", 'rule extra.c "c"\n  when line.code is 70470\n  then warn line "m"\n'
                                      '  reference "r"\nend\n')
        code, out = run_cli(capsys, "--coverage", ".")
        assert code == 1 and "RR406" not in out, out
        assert "extra.c: no test makes it fire and no test shows it silent (at extra/c.rr:1)" in out

    PTP = ROOT / "tests" / "data" / "cms" / "radiology-ptp-v322r0-f1.TXT"

    @staticmethod
    def table_coverage(folder, monkeypatch, tables: dict, rules: str, tests: str, rule: str):
        """Run ``tests`` on ``rules`` with ``tables`` (name -> file to copy, or text) in ``folder/ncci``: the
        coverage of ``rule``."""
        import shutil

        (folder / "ncci" / "cms").mkdir(parents=True, exist_ok=True)
        for name, content in tables.items():
            if isinstance(content, Path):
                shutil.copy(content, folder / "ncci" / "cms" / name)
            else:
                (folder / "ncci" / "cms" / name).write_text(content, encoding="latin-1")
        write(folder, "ncci/ncci.rr", rules)
        write(folder, "ncci/ncci.rrt", tests)
        monkeypatch.chdir(folder)
        report = Runner(cache_dir=None).run(["ncci"])
        assert report.ok, report.render()
        return next(r for r in measure(report).rules if r.rule == rule)

    def test_cms_table_rules(self, tmp_path, monkeypatch):
        """Tests run on rules that load CMS tables; the ncci.* rules count, at their table statement."""
        row = self.table_coverage(
            tmp_path, monkeypatch, {"ccipra-v322r0-f1.TXT": self.PTP}, 'table ptp "cms/ccipra-v322r0-f1.TXT"\n',
            'test "t"\n  claim\n    2026-08-03 74176\n    2026-08-03 74150\n  expect ncci.ptp on line 2 deny\nend\n'
            'test "bypassed"\n  claim\n    2026-08-03 71046\n    2026-08-03 71045-59\n  expect no ncci.ptp\nend\n',
            "ncci.ptp")
        assert (row.fires, row.silent, row.source) == (True, True, "ncci/ncci.rr:1")

    @pytest.mark.parametrize("silent, shows", [
        ('  claim\n    2026-08-03 74176\n    2026-08-03 74150\n  expect no ncci.ptp on line 1\n', False),
        ('  claim\n    2026-08-03 71046\n    2026-08-03 72148\n  expect no ncci.ptp\n', False),
        ('  claim\n    2017-12-31 71046\n    2017-12-31 71045\n  expect no ncci.ptp\n', False),
        ('  claim\n    2026-08-03 71046\n    2026-08-03 71045-59\n  expect no ncci.ptp\n', True),
        ('  claim\n    2026-08-03 71046\n    2026-08-04 71045\n  expect no ncci.ptp\n', False),
    ], ids=["column 1 line", "no pair", "before the row", "bypassed", "other dates"])
    def test_a_table_rule_is_shown_silent_only_where_a_row_could_judge(self, tmp_path, monkeypatch, silent, shows):
        """`expect no ncci.ptp` shows the edit silent only on a line a row in force could deny: the column 2
        line of a pair the table holds, on a date in the row's window."""
        row = self.table_coverage(tmp_path, monkeypatch, {"ccipra-v322r0-f1.TXT": self.PTP},
                                  'table ptp "cms/ccipra-v322r0-f1.TXT"\n', f'test "silent"\n{silent}end\n', "ncci.ptp")
        assert row.silent is shows

    @pytest.mark.parametrize("indicator, shows", [("9", False), ("1", True)])
    def test_an_indicator_9_row_never_judges(self, tmp_path, monkeypatch, indicator, shows):
        """A PTP row of indicator 9 is not an edit: a silent test on its pair shows nothing."""
        header = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\r\n"
        row = self.table_coverage(
            tmp_path, monkeypatch, {"ccipra-v322r0-f1.TXT": header + f"71046\t71045\t\t20180101\t*\t{indicator}\tx\r\n"},
            'table ptp "cms/ccipra-v322r0-f1.TXT"\n',
            'test "silent"\n  claim\n    2026-08-03 71046\n    2026-08-03 71045-59\n  expect no ncci.ptp\nend\n', "ncci.ptp")
        assert row.silent is shows

    @pytest.mark.parametrize("claim_type, shows", [("professional", True), ("institutional", False)])
    def test_the_unpublished_note_is_silent_where_an_mue_table_serves(self, tmp_path, monkeypatch, claim_type,
                                                                     shows):
        """`ncci.mue.unpublished` looks at any claim an MUE table serves, and only those."""
        name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        row = self.table_coverage(
            tmp_path, monkeypatch, {name: ROOT / "tests" / "data" / "cms" / name}, f'table mue "cms/{name}"\n',
            f'test "silent"\n  claim type {claim_type}\n    2026-08-03 74177\n  expect no ncci.mue.unpublished\nend\n',
            "ncci.mue.unpublished")
        assert row.silent is shows

    def test_cms_table_rule_is_not_silent_on_a_claim_type_no_table_serves(self, tmp_path, monkeypatch):
        """A practitioner PTP table never judges a hospital claim (domain.md §10.2): `expect no ncci.ptp` on
        one shows nothing; with a hospital table that holds the pair loaded it does."""
        tests = ('test "fires"\n  claim\n    2026-08-03 74176\n    2026-08-03 74150\n  expect ncci.ptp on line 2\nend\n'
                 'test "hospital"\n  claim type institutional\n    2026-08-03 71046\n    2026-08-03 71045-59\n'
                 '  expect no ncci.ptp\nend\n')
        row = self.table_coverage(tmp_path, monkeypatch, {"ccipra-v322r0-f1.TXT": self.PTP},
                                  'table ptp "cms/ccipra-v322r0-f1.TXT"\n', tests, "ncci.ptp")
        assert (row.fires, row.silent) == (True, False)
        # a hospital table with the same pairs: now a table of the claim's type holds 71046/71045
        self.table_coverage(tmp_path, monkeypatch, {"ccioph-v322r0-f1.TXT": self.PTP},
                            'table ptp "cms/ccipra-v322r0-f1.TXT"\n'
                            'table ptp "cms/ccioph-v322r0-f1.TXT" for institutional\n', tests, "ncci.ptp")
        report = Runner(cache_dir=None).run(["ncci"])  # each table statement has its own tests to have
        assert {(r.source, r.fires, r.silent) for r in measure(report).rules if r.rule == "ncci.ptp"} == {
            ("ncci/ncci.rr:1", True, False), ("ncci/ncci.rr:2", False, True)}

    def test_a_row_a_payers_block_replaces_or_disables_is_not_shown_silent_for_that_payer(self, tmp_path):
        """A general block's row that Acme's block replaces (`limit`) or disables (`disable pair`) never judges an
        Acme claim: `expect no` on one shows nothing about it; on a claim of another payer it does."""
        write(tmp_path, "r/rules.rr", """\
            limits plan.mue "every plan"
              reference "t"
              limit Q9967 max 250 mai 3
            end

            pairs plan.ptp "every plan"
              reference "t"
              pair 71046 with 71045 modifier allowed
            end

            limits acme.mue "Acme"
              for payer acme
              reference "t"
              limit Q9967 max 300 mai 3
            end

            pairs acme.ptp "Acme"
              for payer acme
              reference "t"
              disable pair 71046 with 71045
            end
            """)
        tests = ('test "mue"\n  claim payer PAYER\n    2026-07-15 Q9967 x200\n  expect no plan.mue\nend\n'
                 'test "ptp"\n  claim payer PAYER\n    2026-07-15 71046\n    2026-07-15 71045-59\n'
                 '  expect no plan.ptp\nend\n')
        for payer, shown in (("acme", False), ("medicare", True)):
            report = report_for(tmp_path / "r", tests.replace("PAYER", payer), "t.rrt")
            assert report.passed == 2, report.render()
            assert {r.rule: r.silent for r in measure(report).rules if r.rule.startswith("plan.")} == {
                "plan.mue": shown, "plan.ptp": shown}

    DATED_DISABLE = """\
        limits plan.mue "every plan"
          reference "t"
          limit Q9967 max 250 mai 3
        end

        limits acme.off "Acme stops the limit"
          for payer acme
          effective EFFECTIVE
          reference "t"
          disable limit Q9967
        end
        """

    @pytest.mark.parametrize("effective, shown", [("2027-01-01", False), ("2020-01-01", False),
                                                   ("2026-01-01 through 2026-06-30", True)])
    def test_a_row_a_dated_disable_takes_off_on_the_tests_date_is_not_shown_silent(self, tmp_path, effective,
                                                                                     shown):
        """`expect no plan.mue` on an Acme claim of a date Acme's dated `disable` takes the key off shows nothing
        about the general row (as with an undated disable); it counted as the row's silent test because the row
        judges Acme's claims of other dates. After the disable's dates it shows the row silent."""
        write(tmp_path, "r/rules.rr", self.DATED_DISABLE.replace("EFFECTIVE", effective))
        tests = 'test "mue"\n  claim payer acme\n    2027-01-04 Q9967 x200\n  expect no plan.mue\nend\n'
        report = report_for(tmp_path / "r", tests, "t.rrt")
        assert report.passed == 1, report.render()
        assert {r.rule: r.silent for r in measure(report).rules if r.rule == "plan.mue"} == {"plan.mue": shown}

    def test_a_dated_disable_is_shown_at_work_on_its_dates_only(self, tmp_path):
        """Two blocks of Acme's `disable limit Q9967`, for 2026 and from 2027: a silent test of the general limit on
        a claim of 2027 shows the second at work, not the first (it counted both: the disable applies to Acme)."""
        text = self.DATED_DISABLE.replace("EFFECTIVE", "2026-01-01 through 2026-12-31")
        text += text.split("\n\n", 1)[1].replace("acme.off", "acme.later").replace(
            "2026-01-01 through 2026-12-31", "2027-01-01")
        write(tmp_path, "r/rules.rr", text)
        tests = 'test "mue"\n  claim payer acme\n    2027-01-04 Q9967 x300\n  expect no plan.mue\nend\n'
        report = report_for(tmp_path / "r", tests, "t.rrt")
        assert report.passed == 1, report.render()
        assert {r.rule: r.covered for r in measure(report).rules if r.rule.startswith("acme.")} == {
            "acme.off": False, "acme.later": True}

    DISABLING = """\
        pairs plan.ptp "every plan"
          reference "t"
          pair 71046 with 71045 modifier allowed
        end

        pairs acme.ptp "Acme"
          for payer acme
          reference "t"
          disable pair 71046 with 71045
        end
        """

    def test_a_block_of_disable_rows_only_is_rr611_naming_the_edit_it_disables(self, tmp_path):
        """`expect no acme.ptp` of a block that only disables rows: RR611 says so and names the test to write
        (it said "unknown rule", did you mean another id)."""
        write(tmp_path, "r/rules.rr", self.DISABLING)
        report = report_for(tmp_path / "r", 'test "t"\n  claim payer acme\n    2026-07-15 71046\n    2026-07-15 71045\n'
                                            '  expect no acme.ptp\nend\n', "t.rrt")
        (problem,) = [d for o in report.outcomes for d in o.diagnostics]
        assert (problem.code, problem.message, problem.help) == (
            "RR611", "`acme.ptp` holds `disable` rows only: it never fires",
            "test the edit it disables: `expect no plan.ptp` on a claim of 71046 and 71045 on one date for payer acme")

    def test_rr611_of_a_dated_block_of_disable_rows_names_its_dates(self, tmp_path):
        """The test RR611 asks for of a block of `disable` rows dated from 2027 is of a claim of its dates: one of
        another date shows the edit firing, not silent (the help gave no date)."""
        write(tmp_path, "r/rules.rr", self.DISABLING.replace('          reference "t"\n          disable',
                                                             '          effective 2027-01-01\n'
                                                             '          reference "t"\n          disable'))
        report = report_for(tmp_path / "r", 'test "t"\n  claim payer acme\n    2027-01-04 71046\n    2027-01-04 71045\n'
                                            '  expect no acme.ptp\nend\n', "t.rrt")
        (problem,) = [d for o in report.outcomes for d in o.diagnostics]
        assert problem.help == ("test the edit it disables: `expect no plan.ptp` on a claim of 71046 and 71045 on one "
                                "date for payer acme, dated from 2027-01-01")

    @pytest.mark.parametrize("payer, lines, shows", [
        ("acme", ("2026-07-15 71046", "2026-07-15 71045"), True),
        ("medicare", ("2026-07-15 71046", "2026-07-15 71045-59"), False),  # the disable is Acme's
        ("acme", ("2026-07-15 71046", "2026-07-16 71045"), False),  # not a pair of one date
        ("acme", ("2026-07-15 71045", "2026-07-15 71046"), True),
    ])
    def test_a_block_of_disable_rows_only_needs_a_test_of_the_edit_it_disables(self, tmp_path, payer, lines, shows):
        """Coverage lists a block of `disable` rows only until a silent test shows the edit it disables silent for
        its payer, on the key it disables; it needs no firing test (it can't fire)."""
        write(tmp_path, "r/rules.rr", self.DISABLING)
        claim = "\n".join(f"    {line}" for line in lines)
        report = report_for(tmp_path / "r", f'test "t"\n  claim payer {payer}\n{claim}\n  expect no plan.ptp\nend\n',
                            "t.rrt")
        assert report.passed == 1, report.render()
        (row,) = [r for r in measure(report).rules if r.rule == "acme.ptp"]
        assert (row.covered, row.fires) == (shows, False)
        if not shows:
            assert row.render() == ("acme.ptp: no test shows an edit it disables silent for its payer "
                                    "(at r/rules.rr:6; it holds `disable` rows only)")

    def test_a_block_of_rows_and_disable_rows_needs_a_test_of_the_edit_it_disables(self, tmp_path):
        """A payer's block of its own pair and a `disable` of another's: a firing and a silent test of its pair
        left its `disable` untested and the block covered (a payer migration specialist's finding)."""
        write(tmp_path, "r/rules.rr", self.DISABLING.replace(
            "          disable pair 71046 with 71045\n", "          disable pair 71046 with 71045\n"
                                                       "          pair 76641 with 76642 modifier allowed\n"))
        own = ('test "fires"\n  claim payer acme\n    2026-07-15 76641\n    2026-07-15 76642\n'
               '  expect acme.ptp on line 2\nend\n'
               'test "silent"\n  claim payer acme\n    2026-07-15 76641-RT\n    2026-07-15 76642-LT\n'
               '  expect no acme.ptp\nend\n')
        disabled = 'test "disabled"\n  claim payer acme\n    2026-07-15 71046\n    2026-07-15 71045\n  expect no plan.ptp\nend\n'
        for tests, shown in ((own, False), (own + disabled, True)):
            report = report_for(tmp_path / "r", tests, "t.rrt")
            assert report.failed == 0 and not [d for o in report.outcomes for d in o.diagnostics], report.render()
            (row,) = [r for r in measure(report).rules if r.rule == "acme.ptp"]
            assert (row.fires, row.silent, row.disabled, row.covered) == (True, True, shown, shown)
            if not shown:
                assert row.render() == "acme.ptp: no test shows an edit its `disable` rows disable silent (at r/rules.rr:6)"

    def test_a_block_disabling_a_table_row_is_covered_by_a_silent_test_of_the_table(self, tmp_path, monkeypatch):
        """A payer's `disable pair` of a CMS table's row: `expect no ncci.ptp` on the payer's claim of the pair
        covers the block (and not the table's own silent test, the row never judging that claim)."""
        tests = ('test "fires"\n  claim\n    2026-08-03 74176\n    2026-08-03 74150\n  expect ncci.ptp on line 2\nend\n'
                 'test "acme"\n  claim payer acme\n    2026-08-03 74176\n    2026-08-03 74150\n'
                 '  expect no ncci.ptp\nend\n')
        rules = ('table ptp "cms/ccipra-v322r0-f1.TXT"\n'
                 'pairs acme.ptp "Acme"\n  for payer acme\n  reference "t"\n  disable pair 74176 with 74150\nend\n')
        block = self.table_coverage(tmp_path, monkeypatch, {"ccipra-v322r0-f1.TXT": self.PTP}, rules, tests, "acme.ptp")
        assert (block.disables, block.covered, block.source) == (True, True, "ncci/ncci.rr:2")
        table = self.table_coverage(tmp_path, monkeypatch, {"ccipra-v322r0-f1.TXT": self.PTP}, rules, tests, "ncci.ptp")
        assert (table.fires, table.silent) == (True, False)

    def test_each_version_of_a_table_needs_tests_of_the_dates_it_judges(self, tmp_path, monkeypatch, capsys):
        """Two quarters of the PTP and MUE tables: tests dated in July alone leave April's statements listed (they
        covered `ncci.ptp` whole, and named the first `table mue` statement only); April's tests cover them."""
        import shutil

        data = ROOT / "tests" / "data" / "cms"
        (tmp_path / "ncci" / "cms").mkdir(parents=True)
        for name in ("ccipra-v321r0-f1.TXT", "ccipra-v322r0-f1.TXT"):
            shutil.copy(data / f"radiology-ptp-{name[7:]}", tmp_path / "ncci" / "cms" / name)
        for month in ("04", "07"):
            name = f"MCR_MUE_PractitionerServices_Eff_{month}-01-2026.csv"
            shutil.copy(data / name, tmp_path / "ncci" / "cms" / name)
        write(tmp_path, "ncci/tables.rr", """\
            table ptp "cms/ccipra-v321r0-f1.TXT" effective 2026-04-01
            table ptp "cms/ccipra-v322r0-f1.TXT" effective 2026-07-01
            table mue "cms/MCR_MUE_PractitionerServices_Eff_04-01-2026.csv"
            table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
            """)
        july = """\
            test "ptp fires DAY"
              claim
                DAY 71046
                DAY 71045
              expect ncci.ptp on line 2
            end

            test "ptp bypassed DAY"
              claim
                DAY 71046
                DAY 71045-59
              expect no ncci.ptp
            end

            test "mue fires DAY"
              claim
                DAY 71046 x3
              expect ncci.mue on line 1
            end

            test "mue silent DAY"
              claim
                DAY 71046 x2
              expect no ncci.mue
            end
            """
        write(tmp_path, "ncci/july.rrt", july.replace("DAY", "2026-08-03"))
        monkeypatch.chdir(tmp_path)
        code, out = run_cli(capsys, "--coverage", "ncci")
        listed = [line for line in out.splitlines() if line.startswith(("ncci.ptp", "ncci.mue:"))]
        assert listed == [
            "ncci.mue: no test makes it fire and no test shows it silent (at ncci/tables.rr:3, the version for "
            "2026-04-01 to 2026-06-30 and earlier dates, professional claims)",
            "ncci.ptp: no test makes it fire and no test shows it silent (at ncci/tables.rr:1, the version for "
            "2026-04-01 to 2026-06-30 and earlier dates, professional claims)"]
        write(tmp_path, "ncci/april.rrt", july.replace("DAY", "2026-05-04"))
        code, out = run_cli(capsys, "--coverage", "ncci")
        assert not [line for line in out.splitlines() if line.startswith(("ncci.ptp", "ncci.mue:"))], out
        rows = [r for r in measure(Runner(cache_dir=None).run(["ncci"])).rules if r.rule == "ncci.mue"]
        assert [r.source for r in rows] == ["ncci/tables.rr:3", "ncci/tables.rr:4"]

    def test_a_version_beside_a_payers_own_versions_says_whose_claims_it_judges(self, tmp_path, monkeypatch):
        """An MUE version without `for payer` beside Acme's own versions judges every payer's claims but Acme's, as
        `radrules check` says: its coverage line says so too (it read as if it judged Acme's claims of its dates,
        which Acme's version beside it judges)."""
        import shutil

        (tmp_path / "ncci" / "cms").mkdir(parents=True)
        name = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
        shutil.copy(ROOT / "tests" / "data" / "cms" / name, tmp_path / "ncci" / "cms" / name)
        write(tmp_path, "ncci/tables.rr", f'table mue "cms/{name}"\ntable mue "cms/{name}" for payer acme\n')
        rows = [r for r in measure(Runner(cache_dir=None).run([str(tmp_path / "ncci")]), rulesets=(
            radrules.load(tmp_path / "ncci", cache_dir=None),)).rules if r.rule == "ncci.mue"]
        assert [r.render() for r in rows] == [
            "ncci.mue: no test makes it fire and no test shows it silent (at ncci/tables.rr:1, the version for "
            "2026-07-01 on and earlier dates, professional claims, every payer but acme)",
            "ncci.mue: no test makes it fire and no test shows it silent (at ncci/tables.rr:2, the version for "
            "2026-07-01 on and earlier dates, professional claims, payer acme)"]

    def test_looks_at(self):
        """looks_at reads a rule's payer, claim type, dates and codes, and an edit row's codes."""
        rules = radrules.load(RULESETS)
        claim = radrules.Claim.from_dict
        acme = {"payer": "acme", "lines": [{"code": "74176", "date": "2026-03-02"},
                                           {"code": "74150", "date": "2026-03-02"}]}
        assert looks_at(rules, "acme.prior_auth.missing", claim(acme))
        assert looks_at(rules, "acme.ptp", claim(acme))
        assert not looks_at(rules, "acme.mue", claim(acme))
        assert not looks_at(rules, "acme.prior_auth.missing", claim({**acme, "payer": "medicare"}))
        early = {**acme, "lines": [{**line, "date": "2025-12-31"} for line in acme["lines"]]}
        assert not looks_at(rules, "acme.prior_auth.missing", claim(early))
        assert looks_at(rules, "format.npi", claim(acme))
        assert looks_at(rules, "radiology.abdomen_pelvis.overlap", claim(acme))
        apart = {**acme, "lines": [acme["lines"][0], {**acme["lines"][1], "date": "2026-03-03"}]}
        assert not looks_at(rules, "radiology.abdomen_pelvis.overlap", claim(apart))


# ---------------------------------------------------------------- the trace


class TestTrace:
    def test_trace_comes_from_the_explain_facility(self):
        """The trace is the explanation of the chosen rules: what fired, what did not and why, what was not looked at."""
        rules = radrules.loads(DEMO_RULES, name="demo.rr")
        claim = radrules.Claim.from_dict({"payer": "acme", "lines": [{"code": "71046", "units": 3,
                                                                      "date": "2026-03-02"}]})
        assert trace_for(rules, claim, ["demo.units", "demo.note", "format.npi"]) == [
            "demo.units fired (at demo.rr:1)",
            "  when line.code is 71046 and line.units > 2",
            "  line 1 (71046): fired: 71046: 3 units on one line",
            "demo.note not considered (at demo.rr:10)",
            "  when line.code is 76700",
            "  no line bills a code it checks",
            "format.npi not considered",
            "  the built-in check found nothing wrong",
        ]
        explained = rules.evaluate(claim, explain=True).explanation
        assert trace_for(rules, claim, ["demo.units"]) == explained.for_rules(["demo.units"])


# ---------------------------------------------------------------- the library around it


class TestLibrary:
    def test_load_with_extra_rule_text(self, demo):
        """load(extra=...) compiles rule text with a folder's files; include in it is RR405."""
        rules = radrules.load(demo, extra=[("extra.rrt", "property pctc = 2 for 93010\n")])
        assert rules.properties["pctc"]["93010"] == "2"
        assert "93010" not in radrules.load(demo).properties["pctc"]
        with pytest.raises(radrules.RuleError) as caught:
            radrules.load(demo, extra=[("extra.rrt", 'include "demo.rr"\n')])
        assert [d.code for d in caught.value.errors] == ["RR405"]

    def test_rule_test_files_are_not_rule_files(self):
        """The bundled .rrt files (and their inline rules) never enter radrules.load()."""
        rules = radrules.load()
        assert all(name.endswith(".rr") for name in rules.files)
        assert "93010" not in rules.properties["pctc"]

    def test_radrules_never_imports_pytest(self):
        """Importing radrules, its runner and its command line leaves pytest unimported."""
        code = ("import sys, radrules, radrules.testing, radrules.cli, radrules.cli.test_command\n"
                "radrules.testing.Runner().run([sys.argv[1]])\n"
                "assert 'pytest' not in sys.modules and '_pytest' not in sys.modules\n")
        done = subprocess.run([sys.executable, "-c", code, str(RULESETS / "format.rrt")],
                              capture_output=True, text=True, env=environment())
        assert done.returncode == 0, done.stderr

    def test_read_test_file_never_raises(self, tmp_path):
        """An unreadable or non-UTF-8 test file becomes a diagnostic."""
        path = tmp_path / "bad.rrt"
        path.write_bytes(b'test "\xff"\n')
        assert [d.code for d in read_test_file(path).diagnostics] == ["RR630"]
        assert [d.code for d in read_test_file(tmp_path / "none.rrt").diagnostics] == ["RR630"]


# ---------------------------------------------------------------- the bundled rules and their tests


class TestBundled:
    def test_bundled_rule_tests_pass_and_cover_every_rule(self):
        """Every test beside the bundled rules passes, and every bundled rule has a firing and a silent test."""
        report = Runner().run([RULESETS])
        assert report.ok, report.render()
        assert report.passed >= 2 * len(radrules.load().rule_ids())
        coverage = measure(report, [radrules.load(RULESETS)])
        assert {r.rule for r in coverage.rules} == set(radrules.load().rule_ids())
        assert coverage.ok, coverage.render()

    def test_bundled_tests_give_records_in_the_compact_form(self):
        """A bundled test with authorization records writes them as an `authorizations` part of a compact claim,
        never in `claim json` (which the format keeps for what the compact form can't say)."""
        import json

        for path in sorted(RULESETS.rglob("*.rrt")):
            for case in read_test_file(path).cases:
                if case.claim.kind == "json":
                    assert "authorizations" not in json.loads(case.claim.text.text), f"{path.name}: {case.name.text}"

    def test_example_claims_have_tests(self):
        """examples/claims.rrt says what the bundled rules do with every claim of examples/claims.json."""
        import json

        report = Runner().run([ROOT / "examples" / "claims.rrt"])
        assert report.ok, report.render()
        claims = json.loads((ROOT / "examples" / "claims.json").read_text(encoding="utf-8"))
        assert report.passed == len(claims)

    def test_bundled_tests_from_a_fresh_process(self):
        """`python -m radrules test --coverage rulesets/` exits 0 from the top of the checkout."""
        done = subprocess.run([sys.executable, "-m", "radrules", "test", "--coverage", "rulesets/"], cwd=ROOT,
                              capture_output=True, text=True, env=environment())
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.splitlines()[-1] == f"coverage: all {len(radrules.load().rule_ids())} rules have a " \
                                               "firing and a silent test"

    def test_a_changed_rule_fails_its_tests(self, tmp_path):
        """The bundled tests have teeth: turning a bundled rule's denial into a warning fails its tests."""
        import shutil

        copy = tmp_path / "rulesets"
        shutil.copytree(RULESETS, copy)
        path = copy / "payers" / "medicare.rr"
        path.write_text(path.read_text(encoding="utf-8").replace(
            "then deny line \"77067: Medicare", "then warn line \"77067: Medicare").replace(
            "then deny line \"{line.code}: Medicare pays one", "then warn line \"{line.code}: Medicare pays one"),
            encoding="utf-8")
        report = Runner().run([copy / "payers" / "medicare.rrt", copy / "radiology" / "addons.rrt"])
        failed = sorted({o.name for o in report.outcomes if o.status == "failed"})
        assert failed == ["a denied primary takes its add-on with it",
                          "a screening mammogram under 35 marked GY is the patient's",
                          "a second baseline screening between 35 and 39 is refused",
                          "screening mammography at 34 is denied"]


def test_line_numbers_with_leading_zeros(demo):
    """`on line 0000000001` is line 1, however many zeros lead it."""
    report = report_for(demo, 'test "t"\n  claim payer acme\n    2026-03-02 71046 x3\n'
                              '  expect demo.units on line 0000000001\nend\n')
    assert report.passed == 1, problems(report)


class TestTyposThatParsed:
    """Typos the test format read as something else, so that a test could pass for the wrong reason."""

    @pytest.mark.parametrize("line, column, message, help", [
        ("  expects pass", 3, "unexpected `expects`", "did you mean `expect`?"),
        ("  expectt.units on line 1", 3, "unexpected `expectt.units`",
         "did you mean `expect t.units`? a keyword stands apart from the next word"),
    ])
    def test_a_keyword_run_on_into_the_next_word(self, line, column, message, help):
        """`expectt.units` read as `expect t.units`; `expects pass` showed the caret on `pass`."""
        text = f'test "a"\n  claim\n    2026-03-02 71046 x2\n{line}\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert (error.code, error.span.line, error.span.column, error.message, error.help) == (
            "RR601", 4, column, message, help)

    def test_the_keywords_are_written_once(self):
        """The keyword list of parse.py is the one the glued-keyword check uses, and the grammar's AUTH_NUMBER
        (which can't import it) names the same words, and `none`."""
        from radrules.testing import parse

        auth_number = next(t for t in parse.test_parser().terminals if t.name == "AUTH_NUMBER").pattern.value
        looked_ahead = re.match(r"\(\?!\(\?:([a-z|]+)\)", auth_number).group(1).split("|")
        assert sorted(looked_ahead) == sorted([*parse._KEYWORDS, "none"])
        assert set(parse._STATEMENT_KEYWORDS.values()) <= set(parse._KEYWORDS)
        for keyword in parse._KEYWORDS:
            error = parse._glued_keyword(f"  {keyword}x.y", "t.rrt", 1)
            assert (error.code, error.message) == ("RR601", f"unexpected `{keyword}x.y`")
            assert error.help.startswith(f"did you mean `{keyword} x.y`?")

    @pytest.mark.parametrize("claim_lines, line, column, word, help", [
        ("  claim type institutional, condition45", 2, 29, "condition45", "condition 45"),
        ("  claim type institutional, conditional", 2, 29, "conditional", "condition al"),
        ("  claim payermedicare", 2, 9, "payermedicare", "payer medicare"),
        ("  claim pos11", 2, 9, "pos11", "pos 11"),
        ("  claim\n    dxR10.9", 3, 5, "dxR10.9", "dx R10.9"),
        ("  claim\n    dx R10.9\n    2026-03-02 71046 dx1", 4, 22, "dx1", "dx 1"),
        ("  claim\n    2026-03-02 71046 npi1234567893", 3, 22, "npi1234567893", "npi 1234567893"),
    ])
    def test_a_field_keyword_run_on_into_its_value(self, claim_lines, line, column, word, help):
        """`condition45` read as `condition 45`, `conditional` as condition code `AL`: a field keyword glued to
        its value is RR601, as a statement keyword is."""
        text = f'test "a"\n{claim_lines}\n    2026-03-02 77067\n  expect pass\nend\n'
        errors = [d for d in parse_tests(text, "t.rrt").diagnostics if d.code == "RR601"]
        assert [(e.span.line, e.span.column, e.message) for e in errors] == [(line, column, f"unexpected `{word}`")]
        assert errors[0].help == f"did you mean `{help}`? a keyword stands apart from its value"

    @pytest.mark.parametrize("comment", ["", '# rule text goes between """ marks\n'])
    def test_keywords_inside_a_text_block_are_not_ours(self, comment):
        """`ruleset` and `rules` lines of a rule text are not test keywords, whatever the comments say."""
        text = (comment + 'rules "." with """\nruleset "extra" version "1"\nrule t.endless\n  when line.code is 71046\n'
                '  then deny line "x"\nend\n"""\ntest "a"\n  claim\n    2026-03-02 71046\n  expect t.endless\nend\n')
        assert parse_tests(text, "t.rrt").diagnostics == ()

    def test_an_unterminated_text_block_is_still_rr603(self):
        text = 'rules "." with """\nruleset "extra" version "1"\ntest "a"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'
        assert [d.code for d in parse_tests(text, "t.rrt").diagnostics] == ["RR603"]

    @pytest.mark.parametrize("line", ["    2026-03-02 71046x2", "    2026-03-02 73721-RTX1"])
    def test_units_glued_to_the_code(self, line):
        """`71046x2` was read as the code `71046X2` with one unit."""
        text = f'test "a"\n  claim\n{line}\n  expect pass\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert error.code == "RR601" and error.span.line == 3 and "units are written after a space" in error.help

    def test_a_history_field_given_twice(self):
        """`denied paid` counted as paid, `x2 x3` as x3: a field given twice is RR605, as on a claim line."""
        text = ('test "a"\n  claim\n    2026-03-02 71046\n  history\n    2026-03-01 71046 x2 denied paid x3\n'
                '  expect pass\nend\n')
        errors = parse_tests(text, "t.rrt").diagnostics
        assert [(e.code, e.span.column) for e in errors] == [("RR605", 32), ("RR605", 37)]  # `paid`, `x3`
        assert errors[0].message == "history field `status` is given twice on one line"


def test_a_huge_pointer_is_read_exactly():
    """A whole number is read as an int, not through a float (which made 10^26 - 1 into 100000000000000004764729344)."""
    text = 'test "a"\n  claim\n    dx R10.9\n    2026-03-02 71046 dx 99999999999999999999999999\n  expect fail\nend\n'
    (case,) = parse_tests(text, "t.rrt").cases
    assert case.claim.data["lines"][0]["diagnosis_pointers"] == [99999999999999999999999999]


def test_an_empty_history_gets_its_own_hint():
    text = 'test "a"\n  claim\n    2026-03-02 70450 x2\n  history\n  expect pass\nend\n'
    (error,) = parse_tests(text, "t.rrt").diagnostics
    assert (error.code, error.span.line) == ("RR602", 5)
    assert error.help == "`history` lists at least one earlier service line, such as `2025-06-20 77067`"


# ---------------------------------------------------------------- authorization records


STATUS_RULES = """\
rule st.status "what the authorization records say of a line"
  when line.authorization is present
  then info line "{line.code}: {line.authorization}"
  reference "test rule"
end
"""

PA_MISMATCH = """\
rules bundled

test "a CT under an authorization for another code is PA-MISMATCH"
  claim payer acme, pos 11, auth PA20260406A
    2026-04-06 74176
  authorizations
    PA20260406A 74150, 74177 2026-04-01 through 2026-06-30 x2
  expect acme.prior_auth.mismatch on line 1 deny carc CO-284
end
"""


@pytest.fixture
def statuses(tmp_path, monkeypatch) -> Path:
    """A folder `st/` whose one rule says, as a note on each line, what `line.authorization` is."""
    write(tmp_path, "st/st.rr", STATUS_RULES)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "st"


class TestAuthorizations:
    """The `authorizations` part of a test: the payer's prior-authorization records of a compact claim."""

    def test_a_record_for_another_code_is_pa_mismatch(self, tmp_path):
        """The Acme CT under an authorization of 74150 and 74177 is denied as PA-MISMATCH; the same record with
        74176 among its codes covers it (the records are read, not merely present)."""
        report = report_for(tmp_path, PA_MISMATCH)
        assert (report.passed, report.failed, report.errors) == (1, 0, 0), problems(report)
        covering = PA_MISMATCH.replace("74150, 74177 2026", "74150, 74176 2026").replace(
            "expect acme.prior_auth.mismatch on line 1 deny carc CO-284", "expect no acme.prior_auth.mismatch")
        report = report_for(tmp_path / "covering", covering)
        assert (report.passed, report.failed, report.errors) == (1, 0, 0), problems(report)

    def test_records_read_as_their_json_shape(self):
        """Each line is one record dict of docs/claim-format.md, in order; `DATE` alone is one day."""
        test_file = parse_tests(textwrap.dedent("""\
            test "t"
              claim auth PA1
                2026-04-06 74176
              authorizations
                PA1 74150, 74177 2026-04-01 through 2026-06-30 x2
                "PA 2" 70551 2026-03-02
              expect pass
            end
            """), "t.rrt")
        assert test_file.diagnostics == ()
        claim = test_file.cases[0].claim
        assert claim.data["authorizations"] == [
            {"number": "PA1", "codes": ["74150", "74177"], "start": "2026-04-01", "end": "2026-06-30", "units": 2},
            {"number": "PA 2", "codes": ["70551"], "start": "2026-03-02", "end": "2026-03-02"},
        ]
        assert (claim.spans["authorizations[0].codes[1]"].line, claim.spans["authorizations[0].codes[1]"].column) \
            == (5, 16)
        assert len(Claim.from_dict(claim.data).authorizations) == 2

    @pytest.mark.parametrize("parts", [
        "  history\n    2025-06-20 77067\n  authorizations\n    PA1 74176 2026-04-01\n",
        "  authorizations\n    PA1 74176 2026-04-01\n  history\n    2025-06-20 77067\n",
    ])
    def test_history_and_authorizations_in_either_order(self, parts):
        """The two parts after the claim may come in either order."""
        text = f'test "t"\n  claim auth PA1\n    2026-04-06 74176\n{parts}  expect pass\nend\n'
        (case,) = parse_tests(text, "t.rrt").cases
        assert len(case.history) == 1 and len(case.claim.data["authorizations"]) == 1

    def test_none_says_the_records_hold_nothing(self, statuses):
        """`authorizations none` is an empty list: the claim's number is `unknown_number`. Without the part the
        claim has no records, and the status is unknown."""
        report = report_for(statuses, """\
            test "looked and found none"
              claim auth PA1
                2026-04-06 74176
              authorizations none
              expect st.status on line 1 message "74176: unknown_number"
            end

            test "not looked up"
              claim auth PA1
                2026-04-06 74176
              expect no st.status
            end
            """)
        assert (report.passed, report.failed, report.errors) == (2, 0, 0), problems(report)
        case = parse_tests("test \"t\"\n  claim\n    2026-04-06 74176\n  authorizations none\n  expect pass\nend\n",
                           "t.rrt").cases[0]
        assert case.claim.data["authorizations"] == []

    def test_records_with_units(self, statuses):
        """`x1` authorizes one unit of each code: the second line of the code is over the units."""
        report = report_for(statuses, """\
            test "one unit authorized, two billed"
              claim auth PA1
                2026-04-06 74176
                2026-05-11 74176
                2026-05-11 74177
              authorizations
                PA1 74176 2026-04-01 through 2026-06-30 x1
              expect st.status on line 1 message "74176: valid"
              expect st.status on line 2 message "74176: over_units"
              expect st.status on line 3 message "74177: other_code"
            end
            """)
        assert (report.passed, report.failed, report.errors) == (1, 0, 0), problems(report)

    def test_a_bad_record_is_rr613_at_its_value(self, demo):
        """A record Claim.from_dict refuses is a bad claim, underlined where the test file wrote the value."""
        report = report_for(demo, textwrap.dedent("""\
            test "t"
              claim payer acme, auth PA1
                2026-03-02 71046
              authorizations
                PA1 71046 2026-03-01 through 2026-03-31
                PA1 71046, 71047 2026-02-30 x2
              expect pass
            end
            """))
        assert problems(report) == (
            "demo/demo.rrt:6:22: error[RR613]: bad claim: authorizations[1].start: not a calendar date\n"
            "    6 |     PA1 71046, 71047 2026-02-30 x2\n"
            "      |                      ^^^^^^^^^^\n"
            "      = help: authorization records are `NUMBER CODE[, CODE...] DATE [through DATE] [xUNITS]`\n\n"
            "0 passed, 0 failed, 1 error"
        )

    @pytest.mark.parametrize("record, column, width, message", [
        ("PA1 71046 2026-03-01 x0", 26, 2, "authorizations[0].units: expected a positive number"),
        ("PA1 71046 2026-03-01 x1.5", 26, 4, "authorizations[0].units: expected a whole number"),
        ("PA1 71046, 7104 2026-03-01", 16, 4, "authorizations[0].codes[1]: expected a procedure code (5 characters)"),
        ("PA1 71046 2026-03-01 through 2026-02-28", 34, 10,
         "authorizations[0].end: expected a date on or after `start`"),
        ("PA1 71046 2026-03-01 through 2026-3-31", 34, 9, "authorizations[0].end: expected a date as YYYY-MM-DD"),
        ('"" 71046 2026-03-01', 5, 2, "authorizations[0].number: must not be empty"),
        ("PA1 2026-03-01", 5, 14, "authorizations[0].codes: expected the procedure codes authorized (at least one)"),
    ])
    def test_each_record_check_points_at_its_place(self, demo, record, column, width, message):
        """Every check of a JSON record applies, each underlining its value (a record without codes: its line)."""
        text = f'test "t"\n  claim auth PA1\n    2026-03-02 71046\n  authorizations\n    {record}\n  expect pass\nend\n'
        report = report_for(demo, text)
        ((diagnostic,),) = [o.diagnostics for o in report.outcomes]
        assert (diagnostic.code, diagnostic.message, diagnostic.span.line, diagnostic.span.column,
                diagnostic.span.end_column - diagnostic.span.column) == ("RR613", f"bad claim: {message}", 5, column,
                                                                         width)

    @pytest.mark.parametrize("record, help", [
        ("PA1 71046 2026-03-01 x0", "a record authorizes at least `x1` of each code; leave the units out for any "
                                    "number"),
        ("PA1 71046 2026-03-01 through 2026-02-28", "the last date is on or after the first: "
                                                    "`2026-04-01 through 2026-06-30`"),
    ])
    def test_zero_units_and_an_end_before_the_start_get_their_own_help(self, demo, record, help):
        """`x0` is not told how units are written, nor a backward span the whole record form: each hears what
        its value misses."""
        text = f'test "t"\n  claim auth PA1\n    2026-03-02 71046\n  authorizations\n    {record}\n  expect pass\nend\n'
        ((diagnostic,),) = [o.diagnostics for o in report_for(demo, text).outcomes]
        assert (diagnostic.code, diagnostic.help) == ("RR613", help)

    @pytest.mark.parametrize("line", ["    PA1 74176 2026-04-01 through", "    PA1 74176 2026-04-01 through  # to come",
                                      "    2026-04-06 through"])
    def test_through_without_a_last_date_asks_for_a_date(self, line):
        """`through` at the end of a record (or service) line: a date is expected, not a quoted text or a value."""
        record, service = (line, "") if "PA1" in line else ("    PA1 74176 2026-04-01", line + "\n")
        text = (f'test "t"\n  claim auth PA1\n    2026-04-06 74176\n{service}  authorizations\n{record}\n'
                '  expect pass\nend\n')
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert (error.code, error.message, error.span.column) == (
            "RR602", "unexpected end of line", len(line.split("#")[0].rstrip()) + 1)
        assert error.help == ("expected a date (YYYY-MM-DD) after `through`: the last day, "
                              "as `2026-04-01 through 2026-06-30`")

    def test_a_hash_inside_a_record_number_is_pointed_at(self):
        """`PA#1` starts a comment at `#`: the caret is on the `#` and the help says to quote the number (which
        then reads whole)."""
        text = 'test "t"\n  claim auth PA1\n    2026-04-06 74176\n  authorizations\n    {}\n  expect pass\nend\n'
        (error,) = parse_tests(text.format("PA#1 74176 2026-04-01"), "t.rrt").diagnostics
        assert (error.code, error.message, error.span.line, error.span.column, error.span.end_column) == (
            "RR602", "a `#` inside `PA#1`", 5, 7, 8)
        assert error.help == ('quote a value with `#` in it, as `"PA#1"`; a comment starts with a `#` after a '
                              'space or at the start of a line')
        (case,) = parse_tests(text.format('"PA#1" 74176 2026-04-01  # a comment'), "t.rrt").cases
        assert case.claim.data["authorizations"][0]["number"] == "PA#1"

    @pytest.mark.parametrize("line, word, column", [
        ("  claim payer acme, auth PA#1", "PA#1", 28),  # the number would read `PA`, without an error
        ("    2026-04-06 74176 x1 npi 1234567893#2", "1234567893#2", 39),
        ("    2026-04-06 74176#x", "74176#x", 21),
        ('  claim payer acme, auth "PA1"#, a comment', None, None),  # after a quote or a comma: a comment
        ("  claim payer acme,#a comment", None, None),
    ])
    def test_a_hash_right_after_a_word_is_an_error_and_the_other_tests_run(self, line, word, column):
        """A `#` glued to a word is RR602 at the `#` even when the line would parse cut short (`auth PA#1` at the
        end of a claim line read the number as `PA`); the file's other tests still run."""
        claim = line if "claim" in line else "  claim payer acme\n" + line
        service = "" if "2026" in line else "    2026-04-06 74176\n"
        text = (f'test "glued"\n{claim}\n{service}  expect pass\nend\n\n'
                'test "fine"  # a comment\n  claim payer acme # a comment\n#\n    2026-04-06 74176\n  expect pass\nend\n')
        test_file = parse_tests(text, "t.rrt")
        if word is None:
            assert test_file.diagnostics == ()
            assert [case.name.text for case in test_file.cases] == ["glued", "fine"]
            return
        (error,) = test_file.diagnostics
        assert (error.code, error.message, error.span.line, error.span.column) == (
            "RR602", f"a `#` inside `{word}`", 2 if "claim" in line else 3, column)
        assert [case.name.text for case in test_file.cases] == ["fine"]

    def test_a_hash_in_a_text_block_is_not_looked_at(self):
        """The rule text of `rules ... with` is the rule language's (where `end#note` is a comment), and a claim's
        JSON is JSON: neither is read for a `#` glued to a word."""
        text = ('rules "." with """\nrule r.x#note\n  when line.code = "71046"#note\n"""\n'
                'test "t"\n  claim json """{"lines": [{"code": "71046", "date": "2026-03-02"}]}\n  #x"""\n'
                '  expect pass\nend\n')
        test_file = parse_tests(text, "t.rrt")
        assert test_file.diagnostics == ()
        assert "#x" in test_file.cases[0].claim.text.text

    @pytest.mark.parametrize("claim, kind", [
        ('claim json """{"lines": [{"code": "71046", "date": "2026-03-02"}]}"""', "json"),
        ('claim file "c.json"', "file"),
    ])
    def test_authorizations_after_a_json_claim_is_an_error(self, claim, kind):
        """A JSON claim carries its own records: an `authorizations` part after it is RR602, and the test does
        not run."""
        text = f'test "t"\n  {claim}\n  authorizations none\n  expect pass\nend\n'
        test_file = parse_tests(text, "t.rrt")
        (error,) = test_file.diagnostics
        assert (error.code, error.message, error.span.line, error.span.column, error.span.end_column) == (
            "RR602", f"unexpected `authorizations` after `claim {kind}`", 3, 3, 17)
        assert error.help == ("a JSON claim gives its records in its own `authorizations` field "
                              "(docs/claim-format.md); the `authorizations` part goes with a compact claim")
        assert test_file.cases == ()

    @pytest.mark.parametrize("after, word", [("  expect pass\n", "expect"), ("  end\n", "end"),
                                             ("  history\n    2025-06-20 77067\n  expect pass\n", "history")])
    def test_authorizations_without_a_record_gets_its_own_hint(self, after, word):
        """`authorizations` followed by no record is RR602 on the next word, which is not read as a number."""
        text = f'test "t"\n  claim auth PA1\n    2026-04-06 74176\n  authorizations\n{after}end\n'
        error = parse_tests(text, "t.rrt").diagnostics[0]
        assert (error.code, error.message, error.span.line) == ("RR602", f"unexpected `{word}`", 5)
        assert error.help.startswith("`authorizations` lists at least one record, such as `PA20260406A 74176")

    def test_none_on_a_line_of_its_own(self):
        """`none` under `authorizations` is not read as a record number."""
        text = 'test "t"\n  claim auth PA1\n    2026-04-06 74176\n  authorizations\n    none\n  expect pass\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert (error.code, error.span.line, error.help) == (
            "RR602", 5, "`none` goes on the line of `authorizations`: `authorizations none`")

    def test_the_keyword_run_on_into_none(self):
        """`authorizationsnone` read as `authorizations none`: RR601, as for the other keywords."""
        text = 'test "t"\n  claim auth PA1\n    2026-04-06 74176\n  authorizationsnone\n  expect pass\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert (error.code, error.message) == ("RR601", "unexpected `authorizationsnone`")
        assert error.help.startswith("did you mean `authorizations none`?")

    def test_glued_units_on_a_record_code(self):
        """`74176x2` is RR601 on a record line, as on a service line."""
        text = 'test "t"\n  claim auth PA1\n    2026-04-06 74176\n  authorizations\n' \
               '    PA1 74176x2 2026-04-01\n  expect pass\nend\n'
        (error,) = parse_tests(text, "t.rrt").diagnostics
        assert (error.code, error.span.line, error.span.column) == ("RR601", 5, 14)

    def test_the_pytest_plugin_runs_a_file_with_records(self, pytester):
        """pytest collects and runs a test with an `authorizations` part as `radrules test` does."""
        pytester.makefile(".rrt", **{"payers/records": PA_MISMATCH})
        result = pytester.runpytest("-p", "radrules.pytest_plugin", "-p", "no:hypothesispytest",
                                    "-p", "no:benchmark", "payers")
        result.assert_outcomes(passed=1)


@pytest.mark.parametrize("part, where, hint", [
    ("  authorizations\n    PA1 74176 2026-04-01\n  authorizations\n    PA1 74150 2026-04-01\n", (6, 3),
     "a test gives `authorizations` once: list every record under the first"),
    ("  authorizations none\n    PA1 74176 2026-04-01\n", (5, 5),
     "`authorizations none` says the payer has no records: drop `none` to list them"),
])
def test_an_authorizations_part_given_twice_or_after_none_says_so(tmp_path, part, where, hint):
    text = 'test "t"\n  claim payer acme, pos 11, auth PA1\n    2026-04-06 74176\n' + part + "  expect pass\nend\n"
    report = report_for(tmp_path, text)
    (diagnostic,) = report.diagnostics
    assert (diagnostic.code, (diagnostic.span.line, diagnostic.span.column), diagnostic.help) == ("RR602", where, hint)


def test_bundled_run_into_more_letters_is_underlined_whole(tmp_path):
    report = report_for(tmp_path, 'rules bundledd, "."\ntest "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n')
    (diagnostic,) = report.diagnostics
    assert (diagnostic.code, diagnostic.message) == ("RR602", "unexpected `bundledd`")
    assert (diagnostic.span.column, diagnostic.span.end_column) == (7, 15)
    assert diagnostic.help.startswith("did you mean `bundled`?")


def test_the_errors_of_rules_under_test_are_all_counted_when_some_are_not_shown(tmp_path):
    """Rules with 70 errors: 50 are shown and an RR407 counts the rest; RR621 and the report say 70 (they
    counted the RR407 as one: 51)."""
    from radrules.testing import Runner

    (tmp_path / "rules").mkdir()
    codes = ",\n".join(f"  {900000 + i}" for i in range(70))
    (tmp_path / "rules" / "main.rr").write_text(f"codes ct =\n{codes}\n", encoding="utf-8")
    (tmp_path / "t.rrt").write_text('rules "rules"\n\ntest "a"\n  claim\n    2026-04-06 70450\n  expect pass\nend\n',
                                    encoding="utf-8")
    report = Runner().run([tmp_path / "t.rrt"])
    (outcome,) = report.outcomes
    assert outcome.diagnostics[0].message == "the rules under test have 70 errors"
    assert "RR407" in [d.code for d in outcome.diagnostics]
    assert report.errors == 70


def test_source_tells_the_rows_of_a_table_apart(tmp_path, monkeypatch):
    """Two PTP rows deny two lines under the one id `ncci.ptp`: `source` holds for the row that denies the line
    listed, by the file's name and row, and fails for the other row, naming the sources it got (without it, a
    test meant for one row passed whichever row denied the line)."""
    folder = tmp_path / "rules"
    (folder / "cms").mkdir(parents=True)
    table = ROOT / "tests" / "data" / "cms" / "radiology-ptp-v321r0-f1.TXT"
    (folder / "cms" / "ccipra-v321r0-f1.TXT").write_bytes(table.read_bytes())
    write(folder, "ncci.rr", 'table ptp "cms/ccipra-v321r0-f1.TXT"\n')
    claim = '  claim\n    2026-04-06 71046\n    2026-04-06 71045\n    2026-04-06 77067\n    2026-04-06 77065\n'
    expectations = ['expect ncci.ptp on line 4 source "ccipra-v321r0-f1.TXT:12"',
                    'expect ncci.ptp on line 2 source "ccipra-v321r0-f1.TXT:7"',
                    'expect ncci.ptp on line 2 source "ccipra-v321r0-f1.TXT:12"']
    text = 'rules "."\n' + "".join(f'test "t{n}"\n{claim}  {e}\nend\n' for n, e in enumerate(expectations))
    report = report_for(folder, text, "ncci.rrt")
    assert (report.passed, report.failed, report.errors) == (2, 1, 0), report.render()
    assert report.render().splitlines()[0].endswith(
        'expected ncci.ptp on line 2 (source "ccipra-v321r0-f1.TXT:12"), got ncci.ptp on line 2 (deny, carc CO-97, '
        'rarc M80, source "ccipra-v321r0-f1.TXT:7"); ncci.ptp on line 4 (deny, carc CO-97, rarc M80, source '
        '"ccipra-v321r0-f1.TXT:12")')
