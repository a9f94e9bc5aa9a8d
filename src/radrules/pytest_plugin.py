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
"""

from __future__ import annotations

import warnings

import pytest

from .errors import Diagnostic
from .testing import TEST_SUFFIX, Runner, read_test_file
from .testing.runner import capped_tests

_RUNNER = pytest.StashKey[Runner]()
_WARNED = pytest.StashKey[set]()


class RuleWarning(UserWarning):
    """A warning of the rules a rule test loads, rendered as ``radrules check`` prints it."""


def pytest_collect_file(file_path, parent):
    if file_path.suffix == TEST_SUFFIX:
        return RuleTestFile.from_parent(parent, path=file_path)
    return None


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
            return FailureText(str(excinfo.value))
        return super().repr_failure(excinfo)


class FailureText:
    """A failure's report for pytest: the whole text in the failure's section, its first line in the short
    test summary. (pytest puts a plain string whole in the summary under ``-vv`` and on CI, where the
    ``CI`` variable is set: each diagnostic would be printed twice.)"""

    def __init__(self, text: str):
        self.text = text
        self.reprcrash = _Headline(text.split("\n", 1)[0])

    def toterminal(self, tw) -> None:
        for line in self.text.split("\n"):
            tw.line(line)

    def __str__(self) -> str:  # junitxml, pytest-xdist and `report.longreprtext` read the text by str()
        return self.text


class _Headline:
    """What pytest's short summary and junitxml read of a failure: its message."""

    def __init__(self, message: str):
        self.message = message


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
            # `::` separates the parts of a pytest id: a test name holding it could not be selected
            shown = case.name.text.replace("::", ": :")
            item_name = shown if shown not in seen else f"{shown} (line {case.span.line})"
            seen.add(shown)
            yield RuleTestItem.from_parent(self, name=item_name, test_file=test_file, case=case)


#: The name of the item that fails with a test file's own problems (syntax errors, a bad `rules` line).
FILE_ITEM = "errors in the file"


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
        self._warn(runner.ruleset_for(self.test_file, self.case)[0])
        if not outcome.passed:
            raise RuleTestError(outcome.render())

    def _warn(self, ruleset) -> None:
        """Each warning of the rules under test that no test gave before, as a :class:`RuleWarning` of the
        `rules` line that loads them (or of the test, which loads its own folder)."""
        if ruleset is None or not ruleset.warnings:
            return
        given = self.config.stash.setdefault(_WARNED, set())
        ref = self.case.rules or self.test_file.rules
        line = ref.items_span.line if ref is not None else self.case.span.line
        for diagnostic in ruleset.warnings:
            text = diagnostic.render()
            if text not in given:
                given.add(text)
                warnings.warn_explicit(RuleWarning(text), RuleWarning, self.test_file.name, line)

    def reportinfo(self):
        return self.path, self.case.span.line - 1, f"rule test: {self.case.name.text}"
