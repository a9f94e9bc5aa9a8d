"""The pytest plugin (radrules.pytest_plugin): rule tests as pytest items.

The plugin is loaded explicitly with ``-p radrules.pytest_plugin``: its entry
point exists only once radrules is installed, and the entry point carries
the same name, so the two never clash.
"""

from __future__ import annotations

import linecache
import os
import subprocess
import sys
from pathlib import Path

import pytest

import radrules
# Imported here, not by pytester's runs alone: those drop the modules they import, and pytest keeps the
# category of a `-W error::radrules.pytest_plugin.RuleWarning` it parsed once (lru_cache): a later run's
# plugin would raise a RuleWarning class that filter does not name.
import radrules.pytest_plugin  # noqa: F401

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
START = Path.cwd()

RULES = """\
rule demo.units "at most 2 units of 71046"
  when line.code is 71046 and line.units > 2
  then deny line "71046: {line.units} units on one line"
  carc CO-151
  reference "test rule"
end
"""

TESTS = """\
test "three units are denied"
  claim
    2026-03-02 71046 x3
  expect demo.units on line 1 deny carc CO-151
end

test "two units are fine"
  claim
    2026-03-02 71046 x2
  expect no demo.units
end

test "a wrong expectation"
  claim
    2026-03-02 71046 x2
  expect demo.units on line 1
end
"""


def run(pytester, *args):
    """pytest in this process with the plugin loaded (other third-party plugins left out: they are slow)."""
    return pytester.runpytest("-p", "radrules.pytest_plugin", "-p", "no:hypothesispytest", "-p", "no:benchmark",
                              *args)


def make_repo(pytester):
    """A billing company's repository: payer rules and their tests, no Python at all."""
    pytester.makefile(".rr", **{"payers/demo": RULES})
    pytester.makefile(".rrt", **{"payers/demo": TESTS})


def test_collects_each_test_as_an_item(pytester):
    """Every `test` block of a .rrt file is one pytest item, named by the test."""
    make_repo(pytester)
    result = run(pytester, "--collect-only", "-q", "payers")
    result.stdout.fnmatch_lines([
        "payers/demo.rrt::three units are denied",
        "payers/demo.rrt::two units are fine",
        "payers/demo.rrt::a wrong expectation",
    ])
    assert result.ret == 0


def test_runs_tests_and_reports_failures_as_the_command_does(pytester, capsys):
    """Passing tests pass; a failing test's report is the text `radrules test` prints for it."""
    make_repo(pytester)
    result = run(pytester, "payers")
    result.assert_outcomes(passed=2, failed=1)
    report = radrules.testing.Runner().run([pytester.path / "payers" / "demo.rrt"])
    expected = report.render().split("\n\n")[0].replace(str(pytester.path / "payers"), "payers")
    assert expected.startswith('payers/demo.rrt:16: test "a wrong expectation": expected demo.units on line 1, ')
    text = result.stdout.str()
    assert expected in text
    result.stdout.fnmatch_lines(["FAILED payers/demo.rrt::a wrong expectation*"])


def test_a_broken_test_file_fails_one_item_and_its_other_tests_run(pytester):
    """A syntax error fails the file's `errors in the file` item with the diagnostic; the file's good tests and
    the other files still run (a collection error would stop the whole session)."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/broken": 'test "x"\n  claim\n    2026-03-02 71046\n  exepct pass\nend\n\n'
                                                  'test "y"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'})
    result = run(pytester, "payers", "-v")
    result.stdout.fnmatch_lines([
        "payers/broken.rrt::errors in the file FAILED*",
        "payers/broken.rrt::y PASSED*",
    ])
    result.stdout.fnmatch_lines([
        "payers/broken.rrt:4:3: error[RR602]: unexpected `exepct`",
        "    4 |   exepct pass",
        "      = help: did you mean `expect`?",
    ])
    result.assert_outcomes(passed=3, failed=2)  # demo.rrt: 2 pass, 1 fails; broken.rrt: y passes
    assert "x PASSED" not in result.stdout.str() and "x FAILED" not in result.stdout.str()


def test_a_test_files_syntax_errors_are_capped(pytester):
    """A test file with more syntax errors than MAX_PER_FILE: the file item shows the first MAX_PER_FILE, then
    counts the rest in one RR606, as `radrules test` does."""
    from radrules.errors import MAX_PER_FILE

    make_repo(pytester)
    broken = 'test "x{}"\n  claim\n    2026-03-02 71046\n  exepct pass\nend\n'
    pytester.makefile(".rrt", **{"payers/broken": "".join(broken.format(n) for n in range(MAX_PER_FILE + 2))})
    result = run(pytester, "payers/broken.rrt", "-v")
    shown = [line for line in result.stdout.lines if line.startswith("payers/broken.rrt:") and "error[RR602]" in line]
    assert len(shown) == MAX_PER_FILE
    result.stdout.fnmatch_lines(["error[RR606]: 2 more problems in `payers/broken.rrt` not shown",
                                 "      = help: fix the ones above and run the tests again: the rest are shown then"])
    result.assert_outcomes(failed=1)


#: A conftest that sends each report through pytest's serialisation, as pytest-xdist does from a worker.
ROUND_TRIP = """
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    return type(report)._from_json(report._to_json())
"""


@pytest.mark.parametrize("trip", [False, True], ids=["in process", "serialised as by xdist"])
def test_the_short_summary_gives_a_failures_first_line_also_on_ci(pytester, monkeypatch, trip):
    """On CI (the `CI` variable set) and under `-vv`, pytest puts a failure's whole message in its short
    summary: a rule test's gives its first line there, without the place the item's id gives, so that each
    diagnostic is printed once; also when the report comes from another process (pytest-xdist)."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/broken": 'test "x"\n  claim\n    2026-03-02 71046\n  exepct pass\nend\n'})
    if trip:
        pytester.makeconftest(ROUND_TRIP)
    for ci, args in (("true", ()), (None, ("-vv",))):
        if ci is None:
            monkeypatch.delenv("CI", raising=False)
            monkeypatch.delenv("BUILD_NUMBER", raising=False)
        else:
            monkeypatch.setenv("CI", ci)
        result = run(pytester, "payers", *args)
        # (pytest before 9 cuts the line to the terminal's width under -vv, as without it)
        result.stdout.fnmatch_lines([
            "*short test summary info*",
            "FAILED payers/broken.rrt::errors in the file - error?RR602?: unexpected*",
            "FAILED payers/demo.rrt::a wrong expectation - test \"a wrong*",
        ])
        if ci:
            result.stdout.fnmatch_lines([
                "FAILED payers/broken.rrt::errors in the file - error[[]RR602]: unexpected `exepct`",
                "FAILED payers/demo.rrt::a wrong expectation - test \"a wrong expectation\": expected demo.units *",
            ])
        assert result.stdout.lines.count("      = help: did you mean `expect`?") == 1
        result.assert_outcomes(passed=2, failed=2)


def test_tb_line_gives_each_failures_place_and_first_line(pytester):
    """`--tb=line`: one line a failure, its file and line, then its message."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/broken": 'test "x"\n  claim\n    2026-03-02 71046\n  exepct pass\nend\n'})
    result = run(pytester, "payers", "--tb=line")
    result.stdout.fnmatch_lines([
        "payers/broken.rrt:4: error[[]RR602]: unexpected `exepct`",
        "payers/demo.rrt:16: test \"a wrong expectation\": expected demo.units on line 1, got no finding*",
    ])
    text = result.stdout.str()
    assert " object at 0x" not in text
    assert "did you mean `expect`?" not in text and "demo.units did not fire" not in text  # the first line alone


def test_junit_xml_gets_a_failures_first_line_as_message_and_its_whole_text(pytester):
    """`--junitxml` (what CI servers read): the failure's message is its first line, its body the whole text."""
    import xml.etree.ElementTree as ET

    make_repo(pytester)
    run(pytester, "payers", "--junitxml=report.xml")
    cases = ET.parse(pytester.path / "report.xml").iter("testcase")
    failures = {case.get("name"): case.find("failure") for case in cases}
    failure = failures["a wrong expectation"]
    assert failure.get("message").startswith('test "a wrong expectation": expected demo.units on line 1')
    assert "\n" not in failure.get("message")
    assert failure.text.startswith("payers/demo.rrt:16: " + failure.get("message") + "\n    demo.units did not fire")
    assert failures["two units are fine"] is None


def test_a_tests_problems_are_capped(pytester):
    """A test with more problems than MAX_PER_FILE (an `expect only` of unknown rules) fails its item with the
    first MAX_PER_FILE, then one RR606 counting the rest."""
    from radrules.errors import MAX_PER_FILE

    make_repo(pytester)
    ids = ", ".join(f"demo.unit{n}" for n in range(MAX_PER_FILE + 1))
    pytester.makefile(".rrt", **{"payers/many": f'test "x"\n  claim\n    2026-03-02 71046\n  expect only {ids}\nend\n'})
    result = run(pytester, "payers/many.rrt", "-v")
    assert sum(line.startswith("payers/many.rrt:4:") for line in result.stdout.lines) == MAX_PER_FILE
    result.stdout.fnmatch_lines(["error[RR606]: 1 more problem in `payers/many.rrt` not shown"])
    result.assert_outcomes(failed=1)


def test_a_bad_rules_line_fails_the_file_item_and_no_test_runs(pytester):
    """A `rules` line with an error leaves every test of the file without rules: only the file item, failed."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/twice": 'rules "demo.rr", "demo.rr"\ntest "x"\n  claim\n'
                                                 '    2026-03-02 71046\n  expect pass\nend\n'})
    result = run(pytester, "payers/twice.rrt", "-v")
    result.stdout.fnmatch_lines(["payers/twice.rrt::errors in the file FAILED*",
                                 "*RR605?: the path `demo.rr` is given twice*"])
    result.assert_outcomes(failed=1)


def test_a_test_file_without_tests_fails(pytester):
    """As `radrules test` (RR630): a file of tests to come does not pass in silence."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/empty": "# tests to come\n"})
    result = run(pytester, "payers")
    result.stdout.fnmatch_lines(["error[RR630]: `payers/empty.rrt` holds no tests",
                                 "FAILED payers/empty.rrt::errors in the file*"])
    result.assert_outcomes(passed=2, failed=2)


@pytest.mark.parametrize("name, item", [("a::b", "a: :b"), ("a:::b", "a: : :b"), ("a::", "a: :")])
def test_a_name_with_double_colons_can_be_selected(pytester, name, item):
    """`::` separates the parts of a pytest id: each `:` before another is written `: ` so that the id
    selects the item."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/named": f'test "{name}"\n  claim\n    2026-03-02 71046 x3\n'
                                                 '  expect demo.units\nend\n'})
    result = run(pytester, f"payers/named.rrt::{item}", "-v")
    result.stdout.fnmatch_lines([f"*named.rrt::{item} PASSED*"])
    assert result.ret == 0


def test_a_second_tests_item_name_is_never_another_tests(pytester):
    """A second test of a name gets its line; a test already named so keeps its name and the second gets a
    count too: every item has its own id."""
    make_repo(pytester)
    test = 'test "{}"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'
    pytester.makefile(".rrt", **{"payers/names": test.format("dup (line 11)") + test.format("dup")
                                 + test.format("dup")})
    result = run(pytester, "--collect-only", "-q", "payers/names.rrt")
    ids = [line for line in result.stdout.lines if line.startswith("payers/names.rrt::")]
    assert ids == ["payers/names.rrt::dup (line 11)", "payers/names.rrt::dup", "payers/names.rrt::dup (line 11, 2)"]


def test_errors_in_a_test_fail_its_item(pytester):
    """An unknown rule id fails the item with the RR611 diagnostic, and duplicate names stay apart."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/more": 'test "t"\n  claim\n    2026-03-02 71046\n  expect no demo.unit\nend\n'
                                                'test "t"\n  claim\n    2026-03-02 71046\n  expect pass\nend\n'})
    result = run(pytester, "payers/more.rrt")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "payers/more.rrt:4:13: error[RR611]: unknown rule `demo.unit`",
        "*= help: did you mean `demo.units`?",
        "payers/more.rrt:6:6: error[RR610]: a test named `t` comes before, at line 1",
    ])


def test_a_test_file_named_with_a_dot_is_a_draft_unless_named(pytester):
    """As `radrules test`: a test file whose name starts with `.` is left out of a folder, run when named."""
    make_repo(pytester)
    pytester.makefile(".rrt", **{"payers/.draft": 'test "x"\n  claim\n    2026-03-02 71046\n  expect no pass\nend\n'})
    result = run(pytester, "--collect-only", "-q", "payers")
    assert not any(".draft.rrt" in line for line in result.stdout.lines)
    result = run(pytester, "--collect-only", "-q", "payers/.draft.rrt")
    result.stdout.fnmatch_lines(["payers/.draft.rrt::*"])


def test_other_files_are_left_alone(pytester):
    """Only .rrt files are collected: rule files and JSON are not test items."""
    make_repo(pytester)
    pytester.makefile(".json", claims='{"lines": []}')
    result = run(pytester, "--collect-only", "-q", ".")
    assert "demo.rr::" not in result.stdout.str()
    result.stdout.fnmatch_lines(["3 tests collected*"])


def test_bundled_rulesets_with_pytest_alone():
    """`python -m pytest -p radrules.pytest_plugin rulesets/` runs every bundled rule test, and all pass."""
    env = os.environ.copy()
    if env.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.pathsep.join(str(START / p) for p in env["PYTHONPATH"].split(os.pathsep) if p)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "radrules.pytest_plugin", "-q", "-p", "no:cacheprovider",
         "-p", "no:hypothesispytest", "-p", "no:benchmark", "rulesets/"], cwd=ROOT, capture_output=True, text=True,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    count = radrules.testing.Runner().run([ROOT / "rulesets"]).passed
    assert f"{count} passed" in done.stdout.splitlines()[-1]


def test_entry_point_is_named_like_the_module():
    """The pytest11 entry point is named `radrules.pytest_plugin`, so `-p radrules.pytest_plugin` never loads it twice."""
    import re

    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = re.search(r"^\[project\.entry-points\.pytest11\]\n((?:.+\n)+)", text, re.MULTILINE)
    assert section is not None
    assert section.group(1).strip() == '"radrules.pytest_plugin" = "radrules.pytest_plugin"'



def test_an_older_pytest_loads_the_plugin_and_collects_nothing():
    """On a pytest before 7 (no StashKey, no `file_path` hook argument) the module loads without a collect hook:
    the entry point loads it in every pytest session of the environment, which it stopped at import."""
    code = ("import pytest; del pytest.StashKey; import radrules.pytest_plugin as plugin; "
            "print(plugin.SUPPORTED, hasattr(plugin, 'pytest_collect_file'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"], done.stderr
    assert radrules.pytest_plugin.SUPPORTED and hasattr(radrules.pytest_plugin, "pytest_collect_file")


WARNED_RULES = RULES + """
pairs demo.ptp "pairs"
  reference "test rule"
  pair 71046 with 71045 modifier allowed
  disable pair 74176 with 74105
end
"""


def test_the_rules_warnings_are_pytest_warnings_given_once(pytester):
    """A warning of the rules under test (here RR263) shows in pytest's warnings summary, once however many
    tests load the rules, at the `rules` line that loads them; the tests still pass."""
    pytester.makefile(".rr", **{"payers/demo": WARNED_RULES})
    pytester.makefile(".rrt", **{"payers/demo": 'rules "."\n' + TESTS.rsplit('test "a wrong', 1)[0]})
    result = run(pytester, "payers")
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines([
        "*warnings summary*",
        "payers/demo.rrt::three units are denied",
        "  payers/demo.rrt:1: RuleWarning: payers/demo.rr:11:3: warning?RR263?: `disable pair 74176 with 74105` "
        "disables nothing*",
        "     11 |   disable pair 74176 with 74105",
    ])


def test_w_error_keeps_the_tests_own_failure_and_gives_every_warning_once(pytester):
    """Under `-W error`, the first test to load the rules fails with its own report and every warning of the
    rules; the tests after it are not blamed for them."""
    rules = WARNED_RULES.replace("  disable pair 74176 with 74105\n",
                                 "  disable pair 74176 with 74105\n  disable pair 74177 with 74105\n")
    pytester.makefile(".rr", **{"payers/demo": rules})
    wrong, others = TESTS.split('test "a wrong', 1)[1], TESTS.rsplit('test "a wrong', 1)[0]
    pytester.makefile(".rrt", **{"payers/demo": 'test "a wrong' + wrong + "\n" + others})
    result = run(pytester, "-W", "error::radrules.pytest_plugin.RuleWarning", "payers")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        'payers/demo.rrt:?: test "a wrong expectation": expected demo.units on line 1, got no finding*',
        "payers/demo.rr:11:3: warning?RR263?: `disable pair 74176 with 74105` disables nothing*",
        "payers/demo.rr:12:3: warning?RR263?: `disable pair 74177 with 74105` disables nothing*",
    ])


def test_a_warnings_line_shows_when_pytest_runs_from_another_folder(pytester, monkeypatch):
    """The warning's last line is the `rules` line, also when pytest runs from outside the rootdir."""
    pytester.makefile(".rr", **{"payers/demo": WARNED_RULES})
    pytester.makefile(".rrt", **{"payers/demo": 'rules "."\n' + TESTS.rsplit('test "a wrong', 1)[0]})
    (pytester.path / "elsewhere").mkdir()
    monkeypatch.chdir(pytester.path / "elsewhere")
    linecache.clearcache()  # another test's payers/demo.rrt, read before, would be shown
    result = run(pytester, f"--rootdir={pytester.path}", str(pytester.path / "payers"))
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(["*RuleWarning: payers/demo.rr:11:3: warning?RR263?*", "    rules \".\""])


def test_w_error_makes_a_rules_warning_fail_the_test_that_loads_them(pytester):
    """`-W error::radrules.pytest_plugin.RuleWarning` fails the first test loading the rules, with the warning
    as its report (not a traceback)."""
    pytester.makefile(".rr", **{"payers/demo": WARNED_RULES})
    pytester.makefile(".rrt", **{"payers/demo": TESTS.rsplit('test "a wrong', 1)[0]})
    result = run(pytester, "-W", "error::radrules.pytest_plugin.RuleWarning", "payers")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["payers/demo.rr:11:3: warning?RR263?: *", "*= help: check the codes*"])
    # the short summary keeps the warning's place, which the item's id (the test's) does not give
    result.stdout.fnmatch_lines(["FAILED payers/demo.rrt::three units are denied - payers/demo.rr:11:3: warning*"])
    assert "Traceback" not in result.stdout.str()
