"""`# allow CODE: reason` comments: a rule file's warnings allowed where they are (compiler/allow.py; errors.md
RR270-RR272)."""

from __future__ import annotations

import gc
import json
import re
from pathlib import Path

import pytest

import radrules
from radrules import format_rules
from radrules.cli import main as cli_main

ACME = 'pairs acme.ptp "Acme"\n  for payer acme\n  reference "r"\n  pair 74177 with 74178 modifier 0\nend\n\n'
ACMEX = ('pairs acmex.ptp "Acme X"\n{above}  for payer acmex{after}\n  reference "r"\n'
         '  pair 74177 with 74178 modifier 0\nend\n')
REASON = "# allow RR269: acmex is Acme's exchange plan, a payer of its own"


def acmex(above: str = "", after: str = "") -> str:
    """Acme's block and Acme X's, whose `for payer acmex` is RR269 (one letter from `acme`), with a comment on the
    line above (``above``, a whole line) or at the end of that line (``after``)."""
    return ACME + ACMEX.format(above=above, after=after)


def codes(diagnostics) -> list:
    return [d.code for d in diagnostics]


class TestAllowing:
    """A comment at the end of the warning's line, or alone on the line above, naming its code."""

    def test_the_warning_is_there_without_a_comment(self):
        assert codes(radrules.loads(acmex()).warnings) == ["RR269"]

    @pytest.mark.parametrize("above, after", [(f"  {REASON}\n", ""), ("", f"  {REASON}"),
                                              ("#allow RR269:a payer of its own\n", "")])
    def test_a_comment_above_or_at_the_end_of_the_line(self, above, after):
        rules = radrules.loads(acmex(above, after), name="m.rr")
        assert rules.warnings == ()
        [allowed] = rules.allowed
        assert (allowed.code, allowed.span.line) == ("RR269", 9 if above else 8)

    def test_several_codes_in_one_comment(self):
        """Two warnings on one line, both named: both allowed."""
        rule = ('rule a.b "x"\n  reference "r"\n  when line.code is 70450 and line.code is 70460 then deny line "x"'
                '  # allow RR264, RR261: kept as an example of {what}\nend\n')
        rules = radrules.loads(rule)
        assert rules.warnings == ()
        assert sorted(codes(rules.allowed)) == ["RR261", "RR264"]

    def test_only_the_line_just_above_or_the_line_itself(self):
        """A blank line between, a comment at the end of the line above, the line below: not allowed, and the
        comment allows nothing (RR272)."""
        apart = radrules.loads(acmex(f"  {REASON}\n\n"))
        assert codes(apart.warnings) == ["RR272", "RR269"]
        behind = radrules.loads(ACME + ACMEX.format(above="", after="").replace(
            '"Acme X"\n', f'"Acme X"  {REASON}\n'))
        assert codes(behind.warnings) == ["RR272", "RR269"]
        assert behind.warnings[0].message == "`# allow RR269` allows nothing: no RR269 warning is at this line"
        below = radrules.loads(ACME + ACMEX.format(above="", after="").replace('  reference "r"\n',
                                                                               f'  reference "r"  {REASON}\n'))
        assert codes(below.warnings) == ["RR269", "RR272"]

    def test_another_code_does_not_allow_it(self):
        rules = radrules.loads(acmex("", "  # allow RR268: not this one"))
        assert codes(rules.warnings) == ["RR269", "RR272"]
        assert rules.allowed == ()

    def test_words_in_quotes_and_other_comments_are_no_allow(self):
        """`#` in a quoted text is a character; a comment that goes on `allow 2 views` is an ordinary one."""
        quoted = radrules.loads('rule a.b "a # allow RR260: no"\n  when line.code is 70450\n'
                                '  then warn line "x"  # allow 2 views\nend\n')
        assert codes(quoted.warnings) == ["RR260"]
        escaped = radrules.loads('rule a.b "a \\" # allow RR260: no"\n  when line.code is 70450\n'
                                 '  then warn line "x"\nend\n')
        assert codes(escaped.warnings) == ["RR260"]
        after = radrules.loads('rule a.b "a \\\\" # allow RR260: it is written elsewhere\n'
                               '  when line.code is 70450\n  then warn line "x"\nend\n')
        assert after.warnings == () and codes(after.allowed) == ["RR260"]

    def test_the_check_counts_allowed_warnings_and_strict_passes(self, tmp_path, capsys):
        """`radrules check` says how many warnings comments allow; `--strict` fails on the others only."""
        (tmp_path / "rules.rr").write_text(acmex(f"  {REASON}\n"), encoding="utf-8")
        assert cli_main(["check", "--strict", str(tmp_path / "rules.rr")]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[0].endswith(", 0 add-on edits, 1 warning allowed")
        assert "RR269" not in capsys.readouterr().err  # only counted...
        assert cli_main(["check", "--allowed", str(tmp_path / "rules.rr")]) == 0
        err = capsys.readouterr().err  # ...unless asked for, with the reason of the comment that allows it
        assert "warning[RR269]" in err and err.rstrip().endswith("= allowed: " + REASON.split(": ", 1)[1])
        assert cli_main(["check", "--format", "json", str(tmp_path / "rules.rr")]) == 0
        report = json.loads(capsys.readouterr().out)
        assert (report["diagnostics"], codes_of(report["allowed"])) == ([], ["RR269"])
        assert report["allowed"][0]["reason"] == REASON.split(": ", 1)[1]
        (tmp_path / "rules.rr").write_text(acmex(), encoding="utf-8")
        assert cli_main(["check", "--strict", str(tmp_path / "rules.rr")]) == 3
        assert "allowed" not in capsys.readouterr().out

    def test_loaded_again_from_the_cache(self):
        """The in-process cache gives the same ruleset: the warning still allowed."""
        text = acmex(f"  {REASON}\n") + "\n# loaded twice\n"
        first, again = radrules.loads(text), radrules.loads(text)
        assert again is first and again.warnings == () and codes(again.allowed) == ["RR269"]


def codes_of(dicts: list) -> list:
    return [d["code"] for d in dicts]


class TestWrongComments:
    """RR270 (a code that can't be allowed), RR271 (no reason), RR272 (nothing allowed)."""

    def test_an_error_code_is_refused_and_the_error_stays(self):
        text = 'rule a.b "x"\n  reference "r"\n  when line.modifer has 59  # allow RR204: typo on purpose\n' \
               '  then warn line "x"\nend\n'
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(text)
        assert codes(caught.value.diagnostics) == ["RR204", "RR270"]
        refused = caught.value.diagnostics[1]
        assert refused.message == "`RR204` is an error: only warnings can be allowed"
        assert (refused.span.line, refused.span.column) == (3, 37)

    @pytest.mark.parametrize("code, message, help", [
        # as near to two warnings (a swap, a digit): both named, not the first in order (it was `RR269` alone)
        ("RR629", "`RR629` is not a radrules code", "did you mean `RR269` or `RR529`?"),
        ("RR5288", "`RR5288` is not a radrules code", "did you mean `RR528`?"),
        # as near to ten warnings: no guess
        ("RR26", "`RR26` is not a radrules code", "write the code a warning shows, such as `RR269`: "
                                                  "docs/errors.md lists them"),
        ("RR9999", "`RR9999` is not a radrules code", "write the code a warning shows, such as `RR269`: "
                                                      "docs/errors.md lists them"),
        ("RR407", "`RR407` counts problems not shown and can't be allowed", None),
        ("RR272", "`RR272` is about `allow` comments themselves and can't be allowed", None),
    ])
    def test_a_code_that_cannot_be_allowed(self, code, message, help):
        """The other codes of the comment still allow their warnings."""
        rules = radrules.loads(acmex("", f"  # allow RR269, {code}: a payer of its own"))
        [refused] = rules.warnings
        assert (refused.code, refused.message) == ("RR270", message)
        assert help is None or refused.help == help
        assert codes(rules.allowed) == ["RR269"]

    @pytest.mark.parametrize("comment", ["# allow RR269", "# allow RR269:", "# allow RR269:   ",
                                         "# allow RR269 acmex is real"])
    def test_a_comment_without_a_reason_allows_nothing(self, comment):
        rules = radrules.loads(acmex("", f"  {comment}"), name="m.rr")
        assert codes(rules.warnings) == ["RR269", "RR271"]
        needs = rules.warnings[1]
        assert needs.message == "an `allow` comment needs a reason, after a colon"
        assert needs.help.startswith("say why the warning does not apply here: `# allow RR269: <reason>`")
        assert needs.span.column == needs.source_line.index("#") + 1

    def test_no_rr272_when_the_rules_have_errors(self):
        """A compilation with errors stops before some warnings are looked for: an allow is not called stale."""
        with pytest.raises(radrules.RuleError) as caught:
            radrules.loads(acmex(f"  {REASON}\n") + 'rule a.b "x"\n  reference "r"\n  when line.modifer has 59\n'
                           '  then warn line "x"  # allow RR260: nothing to allow\nend\n')
        assert codes(caught.value.diagnostics) == ["RR204"]  # RR269 allowed still, and no RR272


class TestTablesAndFormatting:
    """A table's warning at a rule file's `table` statement can be allowed, warm loads too; `radrules fmt` keeps
    the comments where they allow."""

    def test_a_table_warning_at_the_statement_is_allowed_from_the_disk_cache(self, tmp_path):
        """RR505 (a PTP file without its header) is told again when the table comes from the disk cache: the
        comment allows it both times."""
        root = tmp_path / "rules"
        (root / "cms").mkdir(parents=True)
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_text("71046\t71045\t\t20180101\t*\t1\tx\n", encoding="latin-1")
        (root / "main.rr").write_text('table ptp "cms/ccipra-v322r0-f1.TXT"  # allow RR505: our extract has no '
                                      'header\n', encoding="utf-8")
        origins = []
        rules = None
        for _ in range(2):
            del rules  # the memory cache keeps a table a ruleset holds
            gc.collect()
            radrules.clear_memory_cache()
            rules = radrules.load(root, cache_dir=tmp_path / "cache")
            assert rules.warnings == () and codes(rules.allowed) == ["RR505"]
            origins.append(rules.tables[0].from_cache)
        assert origins == ["", "disk"]

    def test_a_table_files_own_warning_stays(self, tmp_path):
        """A warning at a table file's row has no comment to take: it stays, and the `allow` is stale."""
        root = tmp_path / "rules"
        (root / "cms").mkdir(parents=True)
        header = "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
        (root / "cms" / "ccipra-v322r0-f1.TXT").write_bytes(
            (header + "71046\t71045\t\t20180101\t*\t1\tx").encode("latin-1"))  # no line end: RR521 at row 2
        (root / "main.rr").write_text('# allow RR521: the file is ours\ntable ptp "cms/ccipra-v322r0-f1.TXT"\n',
                                      encoding="utf-8")
        rules = radrules.load(root, cache_dir=None)
        assert codes(rules.warnings) == ["RR272", "RR521"]
        assert rules.warnings[1].span.file.endswith(".TXT")

    def test_formatting_keeps_what_the_comments_allow(self):
        """`radrules fmt` moves clauses into their order and the comments with them: the same warnings allowed."""
        text = ACME + ('rule a.b   "x"  # allow RR260: the policy is on the wiki\n'
                '  then deny line "x"    # allow RR261: the payer gives none\n'
                '  # allow RR264: kept to show a rule that never fires\n'
                '  when line.code is 70450 and line.code is 70460\nend\n'
                f'pairs acmex.ptp "Acme X"\n  reference "r"\n  {REASON}\n  for payer acmex\n'
                '  pair 74177 with 74178 modifier 0\nend\n')
        before = radrules.loads(text)
        formatted = format_rules(text)
        assert formatted != text and format_rules(formatted) == formatted
        after = radrules.loads(formatted)
        assert before.warnings == after.warnings == ()
        assert sorted(codes(after.allowed)) == sorted(codes(before.allowed)) == ["RR260", "RR261", "RR264", "RR269"]
        assert len(re.findall(r"# allow", formatted)) == 4


    def test_formatting_a_condition_over_lines_keeps_the_allow_at_its_end(self):
        """`fmt` writes `when A and B` over two lines and moves a comment at the end of the `when` line to the
        end of the last part; the allow matched only the warning's first line, so RR264 came back beside RR272
        and `check --strict` failed after `fmt`. An end-of-line allow now matches any line of the warning's span."""
        text = ('rule a.b "x"\n  reference "r"\n  carc CO-4\n  then deny line "x"\n'
                '  when line.code is 70460 and line.code is 70470  # allow RR264: kept for reference\nend\n')
        before = radrules.loads(text)
        formatted = format_rules(text)
        assert formatted.count("\n") > text.count("\n") and "70470  # allow RR264" in formatted
        after = radrules.loads(formatted)
        assert before.warnings == after.warnings == ()
        assert codes(before.allowed) == codes(after.allowed) == ["RR264"]
        # alone on its line, the comment allows a warning whose first line is the next: not one it is inside
        alone = text.replace("  when line.code is 70460 and line.code is 70470  # allow RR264: kept for reference",
                             "  when line.code is 70460\n  # allow RR264: kept\n   and line.code is 70470")
        assert codes(radrules.loads(alone).warnings) == ["RR264", "RR272"]

def test_the_codes_are_those_of_errors_md():
    """WARNING_CODES, ERROR_CODES and COUNT_CODES, which `allow` comments are checked against, are the codes
    errors.md documents, its warnings among WARNING_CODES."""
    from radrules.errors import COUNT_CODES, ERROR_CODES, WARNING_CODES

    text = (Path(__file__).parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    headed = set(re.findall(r"^### (RR\d{3})\b", text, re.MULTILINE))
    warnings = set(re.findall(r"^### (RR\d{3}) \(warning\)", text, re.MULTILINE))
    assert WARNING_CODES | ERROR_CODES | COUNT_CODES == headed
    assert WARNING_CODES - warnings == {"RR505"} and not COUNT_CODES & (WARNING_CODES | ERROR_CODES)
    assert WARNING_CODES & ERROR_CODES == {"RR505"}  # a warning for a PTP file without its header, else an error
