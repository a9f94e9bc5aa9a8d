"""pytest plugin: rule tests (``.rrt`` files) as ordinary pytest items.

With radrules installed, pytest loads this plugin by itself (entry point
``pytest11``), so ``pytest rulesets/`` runs every rule test under
``rulesets/``; without the entry point, load it with
``pytest -p radrules.pytest_plugin``. Each ``test "NAME"`` block is one item;
a failure reads exactly as ``radrules test`` prints it. A test file's own
problems (syntax errors, a bad ``rules`` line, no tests) fail one more item,
``errors in the file``, showing their diagnostics; its other tests still run.
The warnings of the rules under test (a table version judging the wrong
dates, RR524) are pytest warnings, :class:`RuleWarning`, each given once a
session, by the first test that loads them: pytest lists them in its
warnings summary, and ``-W error::radrules.pytest_plugin.RuleWarning``
makes them fail that test.

Only pytest imports this module: radrules itself never needs pytest.
PYTEST_DONT_REWRITE: it has no asserts, and ``-W
error::radrules.pytest_plugin.RuleWarning`` imports it before pytest could
rewrite it (pytest would warn that it cannot).
"""

from __future__ import annotations

import linecache
import re
import warnings

import pytest
from _pytest._code.code import ReprExceptionInfo, ReprFileLocation, ReprTracebackNative

from .errors import Diagnostic
from .testing import Runner, read_test_file
from .testing.model import is_test_file
from .testing.runner import capped_tests, shown_path

#: pytest 7 or later (StashKey, the `file_path` hook argument). The entry point loads this module in every pytest
#: session of an environment radrules is installed in: on an older pytest it loads and collects nothing (it
#: stopped every session there, of any project, at `pytest.StashKey`).
SUPPORTED = hasattr(pytest, "StashKey")
_RUNNER = pytest.StashKey[Runner]() if SUPPORTED else None
_WARNED = pytest.StashKey[set]() if SUPPORTED else None


class RuleWarning(UserWarning):
    """A warning of the rules a rule test loads, rendered as ``radrules check`` prints it."""


def pytest_collect_file(file_path, parent):
    # a file whose name starts with `.` is a draft, as for `radrules test`, unless named on the command line
    draft = file_path.name.startswith(".") and not parent.session.isinitpath(file_path)
    if is_test_file(file_path) and not draft:
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


if not SUPPORTED:  # an older pytest's hook has no `file_path`: pluggy refuses the hook, and stops the session
    del pytest_collect_file


def _runner(config) -> Runner:
    """One runner per pytest session, so each ruleset is loaded once."""
    if _RUNNER not in config.stash:
        config.stash[_RUNNER] = Runner()
    return config.stash[_RUNNER]


class RuleTestError(Exception):
    """A rule test failed or could not run; its text is the report ``radrules test`` prints."""


class _Reports:
    """A rule test's own failure report instead of a Python traceback."""

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (RuleTestError, RuleWarning)):  # a RuleWarning made an error by `-W error`
            return failure_report(str(excinfo.value), self)
        return super().repr_failure(excinfo)


#: A report's first line that starts with its place: `file:line: ...` or `file:line:column: ...`.
_PLACED = re.compile(r"(?P<file>[^\s:][^:]*):(?P<line>\d+)(?::\d+)?: (?P<message>.+)")


def failure_report(text: str, item) -> ReprExceptionInfo:
    """A failure's report for pytest: its whole text in the failure's section (none under ``--tb=line``, which
    shows the place and message alone); its first line for the short summary, ``--tb=line`` and JUnit's message,
    split in place (file and line) and message when the place is in the test file, which the item's id names;
    else placed at the test, the whole line its message (a warning of the rules under test). pytest's own kind
    of report, as a traceback's, because pytest-xdist carries no other whole from a worker: a plain text would
    be printed whole again in the summary on CI (where ``CI`` is set) and under ``-vv``."""
    first = text.split("\n", 1)[0]
    path, line, _ = item.reportinfo()
    own = shown_path(path)
    placed = _PLACED.fullmatch(first)
    if placed and placed["file"] in (own, item.nodeid.split("::", 1)[0]):
        crash = ReprFileLocation(placed["file"], int(placed["line"]), placed["message"])
    else:  # at the test, with the place of what it shows (a rule file's warning) in the message
        crash = ReprFileLocation(own, (line or 0) + 1, first)
    shown = [] if item.config.getoption("tbstyle", "auto") == "line" else [text + "\n"]
    return ReprExceptionInfo(reprtraceback=ReprTracebackNative(shown), reprcrash=crash)


class RuleTestFile(_Reports, pytest.File):
    """A ``.rrt`` file: one item per test, and one for the problems of the file itself."""

    def collect(self):
        try:
            name = self.path.relative_to(self.config.rootpath).as_posix()
        except ValueError:
            name = self.path.as_posix()
        test_file = read_test_file(self.path, name)
        problems = _runner(self.config).file_diagnostics(test_file)
        if not test_file.cases and not problems:  # as `radrules test` says it (RR630): a file of tests to come
            problems = [Diagnostic("RR630", f"`{name}` holds no tests")]
        seen: set[str] = set()
        if problems:
            # An item, not a collection error: that would stop the whole session, and as `radrules test`
            # does, the file's other tests still run.
            seen.add(FILE_ITEM)
            yield FileProblemsItem.from_parent(self, name=FILE_ITEM, problems=tuple(problems))
        for case in test_file.cases:
            item_name = _item_name(case.name.text, case.span.line, seen)
            seen.add(item_name)
            yield RuleTestItem.from_parent(self, name=item_name, test_file=test_file, case=case)


#: The name of the item that fails with a test file's own problems (syntax errors, a bad `rules` line).
FILE_ITEM = "errors in the file"


def _item_name(name: str, line: int, seen: set) -> str:
    """A test's item name: its name, each `:` before another written `: ` (`::` separates the parts of a pytest
    id: a name holding it could not be selected); a name given before gets the test's line, then a count."""
    shown = re.sub(":(?=:)", ": ", name)
    if shown not in seen:
        return shown
    candidate = f"{shown} (line {line})"
    count = 2
    while candidate in seen:
        candidate = f"{shown} (line {line}, {count})"
        count += 1
    return candidate


class FileProblemsItem(_Reports, pytest.Item):
    """The problems of a test file that no test of it reports: fails with their diagnostics."""

    def __init__(self, *, problems, **kwargs):
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self):
        raise RuleTestError("\n\n".join(d.render() for d in capped_tests(self.problems)))

    def reportinfo(self):
        span = self.problems[0].span
        return self.path, (span.line - 1 if span is not None else 0), f"rule test file: {FILE_ITEM}"


class RuleTestItem(_Reports, pytest.Item):
    """One ``test "NAME" ... end`` block."""

    def __init__(self, *, test_file, case, **kwargs):
        super().__init__(**kwargs)
        self.test_file = test_file
        self.case = case

    def runtest(self):
        runner = _runner(self.config)
        outcome = runner.run_case(self.test_file, self.case)
        raised = self._warn(runner.ruleset_for(self.test_file, self.case)[0])
        if not outcome.passed or raised:
            raise RuleTestError("\n\n".join([*([] if outcome.passed else [outcome.render()]), *raised]))

    def _warn(self, ruleset) -> list[str]:
        """Each warning of the rules under test that no test gave before, as a :class:`RuleWarning` of the
        `rules` line that loads them (or of the test, which loads its own folder). Every one is given, also when
        a filter makes them errors (``-W error``): the texts of those, for the test's report."""
        if ruleset is None or not ruleset.warnings:
            return []
        given = self.config.stash.setdefault(_WARNED, set())
        ref = self.case.rules or self.test_file.rules
        line = ref.items_span.line if ref is not None else self.case.span.line
        # named as from the current folder: pytest reads the line it shows from that file (by linecache, which
        # keeps the lines of the file of that name it read before: another folder's, or before an edit)
        file = shown_path(self.path)
        linecache.checkcache(file)
        raised = []
        for diagnostic in ruleset.warnings:
            text = diagnostic.render()
            if text not in given:
                given.add(text)
                try:
                    warnings.warn_explicit(RuleWarning(text), RuleWarning, file, line)
                except RuleWarning as error:
                    raised.append(str(error))
        return raised

    def reportinfo(self):
        return self.path, self.case.span.line - 1, f"rule test: {self.case.name.text}"
