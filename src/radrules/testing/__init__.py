"""Rule tests: test files (``.rrt``) beside the rules they test, and the one runner for them.

A test file holds claims written compactly and what the rules must do with
them (docs/testing.md)::

    rules ".."

    test "advanced imaging without prior authorization is denied"
      claim payer acme, pos 11
        2026-04-06 74176 x1
      expect acme.prior_auth.missing on line 1 deny carc CO-197
    end

In Python::

    from radrules.testing import Runner, measure
    report = Runner().run(["rulesets/"])      # every .rrt file under rulesets/
    report.ok, report.summary()               # True, 'N passed, 0 failed'
    print(report.render())                    # each failure with a trace, then the summary
    measure(report).missing                   # rules without a firing and a silent test

``radrules test`` (:mod:`radrules.cli.test_command`) and the pytest plugin
(:mod:`radrules.pytest_plugin`) both run tests through :class:`Runner`.
"""

from .coverage import Coverage, RuleCoverage, looks_at, measure
from .junit import junit_xml, write_junit
from .model import TEST_SUFFIX, ClaimSpec, Expectation, RulesRef, TestCase, TestFile
from .parse import parse_tests
from .runner import Failure, Outcome, Report, Runner, find_test_files, read_test_file
from .trace import trace_for

__all__ = [
    "TEST_SUFFIX",
    "ClaimSpec",
    "Coverage",
    "Expectation",
    "Failure",
    "Outcome",
    "Report",
    "RuleCoverage",
    "Runner",
    "RulesRef",
    "TestCase",
    "TestFile",
    "find_test_files",
    "junit_xml",
    "looks_at",
    "measure",
    "parse_tests",
    "read_test_file",
    "trace_for",
    "write_junit",
]
