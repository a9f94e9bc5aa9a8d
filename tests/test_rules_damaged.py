"""Rule files and rule tests damaged at random: each compiles, or fails with diagnostics; nothing crashes.

The bundled rule files and tests, with random edits (characters deleted,
language words and punctuation inserted, lines repeated or dropped), are
compiled and formatted, and the tests are read and run. Each either works
or reports diagnostics that point into the text (a line of it, shown with a
caret), never another exception.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import radrules
from radrules.formatter import format_rules
from radrules.loader import without_mark
from radrules.testing import Runner, parse_tests

from mangling import damaged

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"
RULE_FILES = sorted(RULESETS.rglob("*.rr"))
TEST_FILES = sorted(RULESETS.rglob("*.rrt"))
# Words and marks of the language, and things it does not expect.
PIECES = st.sampled_from([
    "rule", "when", "then", "end", "and", "or", "not", "in", "has", "is", "missing", "present", "deny", "warn",
    "line", "other", "claim", "pair", "with", "limit", "max", "mai", "addon", "type", "set", "codes", "table",
    "include", "for", "payer", "effective", "from", "to", "reference", "[", "]", "(", ")", ",", ".", "=", "<",
    ">=", "-", '"', '\\"', "\\", "{", "}", "{line.code}", "#", "\n", "\r", "\t", " ", "  ", "7417", "74177",
    "2026-13-01", "2026-02-30", "99999999999999999999", "-1", "0.5", "1e9", "É", "\x00", "\ufeff", "…",
]) | st.text(max_size=6)


def underlines_text(diagnostic) -> bool:
    """Whether the caret of a one-line span underlines some of the line's text, not only blanks or the
    space past its end; except where the problem is that the line (or the file) ends."""
    span = diagnostic.span
    if span.end_line != span.line or "unexpected end of" in diagnostic.message:  # of the line or the file
        return True
    underlined = diagnostic.source_line[span.column - 1:max(span.end_column - 1, span.column)]
    return underlined.strip(" \t") != ""  # a control character is text the caret may mark


def assert_points_into(error: radrules.RuleError, text: str) -> None:
    """Every diagnostic renders, and one with a place names a line of ``text`` and shows it."""
    assert error.diagnostics, "a RuleError lists its problems"
    lines = text.split("\n")
    for diagnostic in error.diagnostics:
        rendered = diagnostic.render()
        assert diagnostic.code.startswith("RR"), rendered
        if diagnostic.span is not None and diagnostic.source_line is not None:
            # The line shown is the text's line at the number given, and the caret falls on it.
            assert diagnostic.source_line.rstrip("\r\n") == lines[diagnostic.span.line - 1].rstrip("\r"), rendered
            assert underlines_text(diagnostic), rendered
            assert "^" in rendered, rendered


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.name for p in RULE_FILES])
@settings(max_examples=settings().max_examples // 3)  # 15 files: a third of the profile's examples each
@given(data=st.data())
def test_damaged_rule_file_compiles_or_reports_problems(path, data):
    text = data.draw(damaged(path.read_text(encoding="utf-8"), PIECES), label="text")
    # loads and format_rules read a text as a file is read, without a leading byte order mark (a damage may
    # put one first): their lines are those of the text without it.
    read = without_mark(text)
    try:
        radrules.loads(text, name=path.name)
    except radrules.RuleError as error:
        assert_points_into(error, read)
    try:
        format_rules(text, path.name)
    except radrules.RuleError as error:
        assert_points_into(error, read)


def test_a_rule_text_that_starts_with_a_byte_order_mark_shows_its_lines_without_it():
    """The case hypothesis found: a damage that puts U+FEFF first. The line shown is the text's line as read."""
    text = "\ufeff Modifier rules (a comment's `#` deleted).\nrule x.y\n"
    with pytest.raises(radrules.RuleError) as raised:
        radrules.loads(text, name="modifiers.rr")
    first = raised.value.diagnostics[0]
    assert (first.span.line, first.span.column) == (1, 2)
    assert first.source_line.rstrip("\r\n") == " Modifier rules (a comment's `#` deleted)."
    assert_points_into(raised.value, without_mark(text))


RUNNER = Runner(cache_dir=None)


@pytest.mark.parametrize("path", TEST_FILES, ids=[p.name for p in TEST_FILES])
@settings(max_examples=settings().max_examples // 3)
@given(data=st.data())
def test_damaged_rule_test_file_reads_or_reports_problems(path, data):
    """A damaged test file lists its problems; the tests that still read run to an outcome."""
    text = data.draw(damaged(path.read_text(encoding="utf-8"), PIECES), label="text")
    test_file = parse_tests(text, path.name, path.parent)
    if test_file.diagnostics:
        assert_points_into(radrules.RuleError(list(test_file.diagnostics)), text)
    outcomes = RUNNER.run_file(test_file)
    assert len(outcomes) == len(test_file.cases)
    for outcome in outcomes:
        assert outcome.status in ("passed", "failed", "error") and outcome.crash is None, outcome.render()
        if outcome.status == "error":
            assert outcome.diagnostics
