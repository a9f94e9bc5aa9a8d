"""JUnit XML for CI systems: one ``<testsuite>`` per test file, one ``<testcase>`` per test."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

from .model import TEST_SUFFIX, is_test_file


def junit_xml(report) -> str:
    """The report as JUnit XML text (the common Jenkins/GitLab/GitHub dialect)."""
    root = ET.Element("testsuites", name="radrules")
    suites: dict[str, ET.Element] = {}

    def suite(name: str) -> ET.Element:
        if name not in suites:
            suites[name] = ET.SubElement(root, "testsuite", name=name, tests="0", failures="0", errors="0",
                                         time="0.000")
        return suites[name]

    for outcome in report.outcomes:
        element = suite(outcome.file)
        element.set("tests", str(int(element.get("tests")) + 1))
        element.set("time", f"{float(element.get('time')) + outcome.duration:.3f}")
        case = ET.SubElement(element, "testcase", name=outcome.name, classname=_classname(outcome.file),
                             file=outcome.file, line=str(outcome.line), time=f"{outcome.duration:.3f}")
        if outcome.status == "failed":
            element.set("failures", str(int(element.get("failures")) + 1))
            first = outcome.failures[0]
            failure = ET.SubElement(case, "failure", message=f"expected {first.expectation.describe()}, "
                                    f"got {first.got}", type="RuleTestFailure")
            failure.text = outcome.render()
        elif outcome.status == "error":
            element.set("errors", str(int(element.get("errors")) + 1))
            if outcome.diagnostics:
                message = outcome.diagnostics[0].message
            else:  # evaluation raised: a bug in radrules, named by the exception type alone
                message = f"evaluating the claim raised {outcome.crash or 'an exception'}"
            error = ET.SubElement(case, "error", message=message, type="RuleTestError")
            error.text = outcome.render()
    for diagnostic in report.diagnostics:  # files that could not be read or parsed
        name = diagnostic.span.file if diagnostic.span else "radrules"
        element = suite(name)
        element.set("errors", str(int(element.get("errors")) + 1))
        element.set("tests", str(int(element.get("tests")) + 1))
        line = str(diagnostic.span.line) if diagnostic.span else "0"
        case = ET.SubElement(element, "testcase", name=f"{diagnostic.code} at line {line}",
                             classname=_classname(name), file=name, line=line, time="0.000")
        error = ET.SubElement(case, "error", message=diagnostic.message, type="RuleTestError")
        error.text = diagnostic.render()
    for count in ("tests", "failures", "errors"):  # the totals are the suites' sums, which CI tools check
        root.set(count, str(sum(int(element.get(count)) for element in suites.values())))
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    # XML 1.0 has no place for most control characters, even escaped: a test name or message holding one is
    # written with the character as an escape, so that the file stays well-formed.
    text = _NOT_XML.sub(lambda match: repr(match.group())[1:-1], text)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_junit(report, path: str | os.PathLike) -> None:
    """Write :func:`junit_xml` to ``path``."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(junit_xml(report))


def _classname(file: str) -> str:
    """``rulesets/payers/acme.rrt`` -> ``rulesets.payers.acme`` (how CI groups the cases)."""
    stem = file[: -len(TEST_SUFFIX)] if is_test_file(file) else file
    return stem.replace("\\", "/").strip("./").replace("/", ".")
