"""Diagnostics of src/radrules/errors.py: long source lines cut around the caret, at most 50 shown per file."""

from __future__ import annotations

import json

import pytest

import radrules
from radrules.cli import main
from radrules.errors import MAX_PER_FILE, Diagnostic, RuleError, clipped
from radrules.syntax import Span


def _bad_codes_on_one_line(count: int) -> str:
    codes = " or ".join(f"line.code is {900000 + i}" for i in range(count))
    return f'rule acme.long\n  when {codes}\n  then deny line "x"\n  reference "Acme imaging policy"\nend\n'


class TestClipped:
    def test_a_line_of_up_to_160_characters_is_shown_whole(self):
        """A line a little past 120 characters is not cut: cutting a few characters helps nobody."""
        text = "x" * 160
        assert clipped(text, 150, 5) == (text, 150, 5)

    def test_a_long_line_is_cut_around_the_caret(self):
        """The text shown is 120 characters of the line and a `…` on each side cut; the caret stays under its word."""
        text = "a" * 1000 + "WORD" + "b" * 1000
        shown, start, width = clipped(text, 1000, 4)
        assert shown.startswith("…") and shown.endswith("…") and len(shown) == 122
        assert shown[start:start + width] == "WORD"

    def test_a_caret_near_either_end_keeps_that_end(self):
        """At the start of a long line nothing is cut before; at its end nothing after, and a caret past the
        end (a missing word) is after the last character shown."""
        text = "WORD" + "x" * 1000 + "END"
        shown, start, width = clipped(text, 0, 4)
        assert not shown.startswith("…") and shown.endswith("…") and shown[start:start + width] == "WORD"
        shown, start, width = clipped(text, len(text) - 3, 3)
        assert shown.startswith("…") and shown[start:start + width] == "END" and shown.endswith("END")
        shown, start, width = clipped(text, len(text), 1)
        assert (start, width) == (len(shown), 1)

    def test_a_caret_wider_than_what_is_shown_ends_where_it_ends(self):
        """A span of a megabyte is marked up to the cut, not a megabyte of `^`."""
        text = "y" * 1_000_000
        shown, start, width = clipped(text, 0, len(text))
        assert len(shown) == 121 and (start, width) == (0, 120)

    def test_render_cuts_the_line_and_the_caret_line(self):
        """A diagnostic on a line of a megabyte renders in a few hundred characters, the caret under its word."""
        line = "codes x = " + "70450, " * 150_000 + "bad"
        column = len(line) - 2
        diagnostic = Diagnostic("RR203", "`bad` is not a valid procedure code",
                                Span("a.rr", 1, column, 1, column + 3), line, "help")
        rendered = diagnostic.render()
        assert len(rendered) < 400
        snippet, carets = rendered.splitlines()[1:3]
        assert carets.index("^") == snippet.index("bad") and carets.count("^") == 3


class TestRender:
    @pytest.mark.parametrize("number", [1, 99_999, 100_000, 612_346, 12_345_678])
    def test_the_caret_stays_under_its_word_on_any_line_number(self, number):
        """The gutter widens for a line number of more than five digits (a national PTP part has 650,000 lines),
        so the caret, the help and the number's column line up whatever the number."""
        line = "30558\t60685\t\t7/1/2016\t20130101"
        column = line.index("7/1") + 1
        diagnostic = Diagnostic("RR508", "`7/1/2016` is not an effective date (YYYYMMDD)",
                                Span("f.TXT", number, column, number, column + 8), line, "help")
        snippet, carets, help_line = diagnostic.render().splitlines()[1:4]
        assert snippet.index("|") == carets.index("|") == help_line.index("=") == max(6, len(str(number)) + 1)
        assert carets.index("^") == snippet.index("7/1/2016") and carets.count("^") == 8


class TestCapped:
    def test_a_rule_file_shows_50_problems_then_counts_the_rest(self):
        """A line of 3,000 codes of a wrong form gives 50 RR210s and one RR407 counting 2,950 (it gave 3,000
        RR210s, each printing the 69 KB line and a caret line as long: 311 MB); the last line counts all."""
        with pytest.raises(RuleError) as caught:
            radrules.loads(_bad_codes_on_one_line(3000), name="long.rr")
        error = caught.value
        assert [d.code for d in error.diagnostics] == ["RR210"] * MAX_PER_FILE + ["RR407"]
        last = error.diagnostics[-1]
        assert (last.message, last.severity, last.hidden, last.hidden_errors) == (
            "2,950 more problems in `long.rr` not shown", "error", 2950, 2950)
        text = str(error)
        assert text.endswith("\n\n3,000 errors") and len(text) < 30_000

    def test_errors_come_before_warnings_in_the_50(self):
        """With more than 50 problems, the errors are shown first: a warning is counted, not an error."""
        warnings = [Diagnostic("RR260", f"w{i}", Span("a.rr", i, 1, i, 2), severity="warning") for i in range(1, 41)]
        errors = [Diagnostic("RR203", f"e{i}", Span("a.rr", 100 + i, 1, 100 + i, 2)) for i in range(20)]
        shown = RuleError(warnings + errors).diagnostics
        assert [d.code for d in shown].count("RR203") == 20 and [d.code for d in shown].count("RR260") == 30
        last = shown[-1]
        assert (last.code, last.severity, last.hidden, last.hidden_errors) == ("RR407", "warning", 10, 0)
        assert str(RuleError(warnings + errors)).endswith("20 errors, 40 warnings")

    def test_each_file_has_its_own_50_and_places_without_a_file_are_all_kept(self):
        """The limit is per file; a diagnostic with no place, or one that counts others (RR519), is always kept."""
        def of(file):
            return [Diagnostic("RR203", "e", Span(file, i, 1, i, 2)) for i in range(1, 61)]
        spanless = Diagnostic("RR401", "no file")
        table = Diagnostic("RR519", "3 more", None, None, "h", "error", 3, 3)
        shown = RuleError(of("a.rr") + of("b.rr") + [spanless, table]).diagnostics
        assert [d.code for d in shown].count("RR407") == 2 and spanless in shown and table in shown
        assert str(RuleError(shown)).endswith("124 errors")

    def test_capping_twice_changes_nothing(self):
        """A RuleError made from another's diagnostics (a pickled one, one filtered by `diff`) is the same."""
        with pytest.raises(RuleError) as caught:
            radrules.loads(_bad_codes_on_one_line(60), name="long.rr")
        again = RuleError(caught.value.diagnostics)
        assert again.diagnostics == caught.value.diagnostics and str(again) == str(caught.value)

    def test_warnings_of_a_ruleset_are_capped_and_counted(self):
        """A ruleset that compiles with 120 warnings (60 rules without a reference or a reason code) keeps 50 and
        an RR407 warning counting 70."""
        text = "".join(f'rule acme.r{i}\n  when line.code is 70450\n  then deny line "x"\nend\n' for i in range(60))
        ruleset = radrules.loads(text, name="w.rr")
        assert len(ruleset.warnings) == MAX_PER_FILE + 1
        last = ruleset.warnings[-1]
        assert (last.code, last.severity, last.hidden) == ("RR407", "warning", 70)
        assert sorted({w.code for w in ruleset.warnings[:-1]}) == ["RR260", "RR261"]


class TestCheckCommand:
    def test_check_of_a_line_of_thousands_of_bad_codes_is_short_and_counts_them_all(self, tmp_path, capsys):
        """`radrules check` prints 50 clipped diagnostics, the RR407 and the count of all, and exits 3."""
        (tmp_path / "long.rr").write_text(_bad_codes_on_one_line(3000), encoding="utf-8")
        assert main(["check", str(tmp_path / "long.rr")]) == 3
        err = capsys.readouterr().err
        assert len(err) < 30_000 and err.rstrip().endswith("3,000 errors") and "error[RR407]: 2,950 more" in err

    def test_check_json_says_how_many_each_diagnostic_stands_for(self, tmp_path, capsys):
        """In JSON, `not_shown` is 0, or for RR407 the number of problems it counts."""
        (tmp_path / "long.rr").write_text(_bad_codes_on_one_line(3000), encoding="utf-8")
        assert main(["check", "--format", "json", str(tmp_path / "long.rr")]) == 3
        found = json.loads(capsys.readouterr().out)["diagnostics"]
        assert len(found) == 51 and sum(d["not_shown"] or 1 for d in found) == 3000
        (summary,) = [d for d in found if d["code"] == "RR407"]
        assert (summary["not_shown"], summary["not_shown_errors"]) == (2950, 2950)


def test_a_long_quoted_text_in_a_message_is_cut(tmp_path):
    """A path of 100,000 characters in an `include` or `table` statement, or a set's name as long, is shown in its
    message cut to 200 characters and `…`: the message was as long as the path (the source line below it is
    clipped already), up to 50 such lines a file."""
    long_path = "a/" * 50_000
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "main.rr").write_text(
        f'include "{long_path}x.rr"\ntable ptp "{long_path}x.TXT"\n'
        f'rule q.q\n  when line.code in {"z" * 100_000}\n  then review line "x"\n  reference "r"\nend\n')
    with pytest.raises(radrules.RuleError) as caught:
        radrules.load(tmp_path / "rules", cache_dir=None)
    assert [(e.code, e.message) for e in caught.value.errors] == [
        ("RR401", f"`{long_path[:200]}…` is not a path to a rule file"),
        ("RR502", f"`{long_path[:200]}…` is not a path to a table file"),
        ("RR201", f"unknown set `{'z' * 200}…`")]
    assert max(len(line) for line in str(caught.value).splitlines()) < 400


def test_only_quoted_texts_are_cut_not_the_words_between_them():
    """The words of a message between two quoted texts are the message's own, however long: only the texts
    between a backtick and its pair are cut (the words between the first quote's end and the next quote's start
    were cut as if quoted, in the RR532 hint that lists the versions left out)."""
    words = "x " * 150
    assert Diagnostic("RR532", f"`a` {words}`b` and `{'c' * 300}`", help=f"`a` {words}`b`").message == \
        f"`a` {words}`b` and `{'c' * 200}…`"
    assert Diagnostic("RR532", "m", help=f"`a` {words}`b`").help == f"`a` {words}`b`"
