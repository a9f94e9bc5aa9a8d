"""pytest plugin: rule tests (``.rrt`` files) as ordinary pytest items.

With radrules installed, pytest loads this plugin by itself (entry point
``pytest11``), so ``pytest rulesets/`` runs every rule test under
``rulesets/``; without the entry point, load it with
``pytest -p radrules.pytest_plugin``. Each ``test "NAME"`` block is one item;
a failure reads exactly as ``radrules test`` prints it, and a test file with
syntax errors is a collection error showing its diagnostics.

Only pytest imports this module: radrules itself never needs pytest.
"""

from __future__ import annotations

import pytest

from .errors import Diagnostic
from .testing import TEST_SUFFIX, Runner, read_test_file

_RUNNER = pytest.StashKey[Runner]()


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
        if isinstance(excinfo.value, RuleTestError):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class RuleTestFile(_Reports, pytest.File):
    """A ``.rrt`` file: one item per test."""

    def collect(self):
        try:
            name = self.path.relative_to(self.config.rootpath).as_posix()
        except ValueError:
            name = self.path.as_posix()
        test_file = read_test_file(self.path, name)
        problems = _runner(self.config).file_diagnostics(test_file)
        if problems:
            raise RuleTestError("\n\n".join(d.render() for d in problems))
        if not test_file.cases:  # as `radrules test` says it (RR630): a file of tests to come fails
            raise RuleTestError(Diagnostic("RR630", f"`{name}` holds no tests").render())
        seen: set[str] = set()
        for case in test_file.cases:
            # `::` separates the parts of a pytest id: a test name holding it could not be selected
            shown = case.name.text.replace("::", ": :")
            item_name = shown if shown not in seen else f"{shown} (line {case.span.line})"
            seen.add(shown)
            yield RuleTestItem.from_parent(self, name=item_name, test_file=test_file, case=case)


class RuleTestItem(_Reports, pytest.Item):
    """One ``test "NAME" ... end`` block."""

    def __init__(self, *, test_file, case, **kwargs):
        super().__init__(**kwargs)
        self.test_file = test_file
        self.case = case

    def runtest(self):
        outcome = _runner(self.config).run_case(self.test_file, self.case)
        if not outcome.passed:
            raise RuleTestError(outcome.render())

    def reportinfo(self):
        return self.path, self.case.span.line - 1, f"rule test: {self.case.name.text}"
