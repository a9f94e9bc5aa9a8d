"""Find, run and report rule tests: the one runner behind ``radrules test`` and the pytest plugin.

A :class:`Runner` loads each ruleset a test names once (through
:func:`radrules.load`, whose cache is keyed by content), builds each test's
claim with :meth:`radrules.Claim.from_dict`, evaluates it and compares the
result with the test's expectations. It never raises on bad input: a broken
test file, an unknown rule id or a bad claim becomes an RR6xx diagnostic.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import EllipsisType
from typing import Iterable

import attrs

from .. import _resources
from ..claim import Claim
from ..errors import ClaimError, Diagnostic, RuleError, cap_plan, capped, printable, shortened, suggestion
from ..loader import load
from ..model import window_text
from ..syntax import Span
from .claims import build_claim
from .coverage import (disable_only, disabled_rule, disables_shown, looks_at, rule_sources, statement_at, table_kind,
                       versions_looking)
from .model import TEST_SUFFIX, Expectation, RulesRef, TestCase, TestFile, is_test_file
from .parse import parse_tests
from .trace import trace_for

PASSED, FAILED, ERROR = "passed", "failed", "error"


@attrs.frozen
class Failure:
    """One expectation that did not hold: what was expected, what happened, and a trace."""

    expectation: Expectation
    got: str
    trace: tuple[str, ...] = ()


@attrs.frozen
class Outcome:
    """The result of one test.

    ``status`` is ``passed``, ``failed`` or ``error`` (the test could not
    run: its ``diagnostics`` say why). ``fires`` and ``silent`` are the rule
    ids the test shows firing and, on a claim those rules look at, silent
    (coverage counts them when the test passed); ``fired_versions`` and
    ``silent_versions`` the same of each version of a CMS table rule, as
    (rule id, table statement).
    """

    file: str
    name: str
    line: int
    status: str
    failures: tuple[Failure, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    duration: float = 0.0
    fires: frozenset = frozenset()
    silent: frozenset = frozenset()
    crash: str | None = None  # evaluation raised this exception type: a bug in radrules
    # (CMS table rule id, table statement): the versions of a table rule the test shows firing and silent
    fired_versions: frozenset = frozenset()
    silent_versions: frozenset = frozenset()
    # the blocks whose `disable` rows the test shows at work (an edit they disable, silent)
    disabled: frozenset = frozenset()

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    def render(self) -> str:
        """What a failed or broken test prints: one line per failure, then its trace."""
        return "\n\n".join(self.parts())

    def parts(self) -> list[str]:
        """:meth:`render` in blank-line separated parts: each failure with its trace, the crash, then each
        diagnostic (:func:`capped_tests`)."""
        return self.failure_parts() + [d.render() for d in capped_tests(self.diagnostics)]

    def failure_parts(self) -> list[str]:
        """:meth:`parts` but the diagnostics."""
        out = []
        for failure in self.failures:
            head = printable(f"{self.file}:{failure.expectation.span.line}: test \"{self.name}\": "
                             f"expected {failure.expectation.describe()}, got {failure.got}")
            out.append("\n".join([head, *(f"    {line}" for line in failure.trace)]))
        if self.crash:
            out.append(printable(f"{self.file}:{self.line}: test \"{self.name}\": evaluating the claim raised "
                                 f"{self.crash} (a bug in radrules: please report it)"))
        return out


@attrs.frozen
class Report:
    """The outcome of every test run, and the problems that kept tests from running."""

    outcomes: tuple[Outcome, ...]
    diagnostics: tuple[Diagnostic, ...] = ()  # files that can't be read or parsed, paths without tests
    rulesets: tuple = ()  # every ruleset the tests loaded, for coverage
    files: tuple[str, ...] = ()  # the test files, in the order they ran

    @property
    def passed(self) -> int:
        return sum(o.status == PASSED for o in self.outcomes)

    @property
    def failed(self) -> int:
        return sum(o.status == FAILED for o in self.outcomes)

    @property
    def errors(self) -> int:
        """One per error printed: each error diagnostic once (a problem several tests share, such as a bad path of
        the file's `rules` line or rules that don't compile, is printed and counted once), and each crash. RR621
        only heads the errors of the rules under test, which count themselves."""
        shared: dict = {}  # what was printed -> the errors it stands for (an RR407: the errors it did not show)
        for outcome in self.outcomes:
            if outcome.status == ERROR:
                found = {d.render(): d.counts[0] for d in outcome.diagnostics if d.is_error and d.code != "RR621"}
                shared.update(found if found and not outcome.crash else {(outcome.file, outcome.line): 1})
        return sum(shared.values()) + sum(d.counts[0] for d in self.diagnostics if d.is_error)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.errors == 0 and bool(self.outcomes)

    @property
    def rule_errors(self) -> bool:
        """Whether some ruleset under test does not compile (RR621)."""
        return any(d.code == "RR621" for o in self.outcomes for d in o.diagnostics)

    @property
    def not_run(self) -> int:
        """The tests that could not run, as JUnit XML counts its errors: each test that errored, and each problem
        of a file no test reports (a test whose text did not parse is left out of the file's tests: its RR60x
        stands for it; an RR606 for each problem it did not show)."""
        return sum(o.status == ERROR for o in self.outcomes) + sum([d.hidden or 1 for d in self.diagnostics])

    def summary(self) -> str:
        """``N passed, M failed``, then ``, K errors``; and how many tests did not run, when that is not one per
        error (a missing table file keeps every test of its rules from running: ``1 error (17 tests did not
        run)``)."""
        text = f"{self.passed} passed, {self.failed} failed"
        if self.errors:
            text += f", {self.errors} error{'s' if self.errors != 1 else ''}"
        if self.not_run and self.not_run != self.errors:
            text += f" ({_count(self.not_run, 'test')} did not run)"
        return text

    def render(self) -> str:
        """Every problem and failure, file by file, blank-line separated, then the summary line."""
        files = list(dict.fromkeys([*self.files, *(o.file for o in self.outcomes),
                                    *(d.span.file for d in self.diagnostics if d.span)]))
        parts = [d.render() for d in self.diagnostics if d.span is None]
        shown: set[str] = set()
        for name in files:
            # the file's own problems and its tests' failures, in the order of their lines
            found = [(d.span.line, d.render(), d) for d in self.diagnostics
                     if d.span is not None and d.span.file == name]
            for outcome in self.outcomes:
                if outcome.passed or outcome.file != name:
                    continue
                for text, diagnostic in [*((text, None) for text in outcome.failure_parts()),
                                         *((d.render(), d) for d in outcome.diagnostics)]:
                    if text not in shown:  # a broken ruleset or `rules` path is reported once, not once per test
                        shown.add(text)
                        found.append((outcome.line, text, diagnostic))
            parts.extend(_capped_texts(sorted(found, key=lambda item: item[0])))
        parts.append(self.summary())
        return "\n\n".join(parts)


#: How a test file's diagnostics beyond MAX_PER_FILE are counted: one RR606, as a rule file's in an RR407.
_TEST_CAP = {"code": "RR606", "again": "run the tests again"}


def capped_tests(diagnostics) -> list[Diagnostic]:
    """Diagnostics as a report shows them: at most MAX_PER_FILE of each file, the rest of a test file's counted in
    one RR606 after the last shown, as a rule file's are in an RR407."""
    return capped(diagnostics, **_TEST_CAP)


def _capped_texts(found: list) -> list[str]:
    """The texts of ``found`` ((line, text, diagnostic, or None for a failure)), every failure's and those of
    the diagnostics :func:`capped_tests` shows, with the RR606 of a file with too many after its last shown."""
    left_out, after = cap_plan([diagnostic for _, _, diagnostic in found if diagnostic is not None], **_TEST_CAP)
    out = []
    index = 0
    for _, text, diagnostic in found:
        if diagnostic is None:
            out.append(text)
            continue
        if index not in left_out:
            out.append(text)
        if index in after:
            out.append(after[index].render())
        index += 1
    return out


def shown_path(path: Path) -> str:
    """How a test file is named in reports: as found, or relative to the current folder if inside it."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _test_files(folder: Path) -> list[Path]:
    """The test files in ``folder`` and its sub-folders, sorted, names starting with `.` left out. Links to
    folders are followed (rglob passed over them without a word), each real folder and file once, so a link back
    up can't loop; a test file may load rules from anywhere, so a link out of the folder is no problem here."""
    found = []
    searched = set()
    for top, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(top)
        if real in searched:
            folders[:] = []
            continue
        searched.add(real)
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        found += [Path(top) / name for name in names
                  if is_test_file(name) and not name.startswith(".") and (Path(top) / name).is_file()]
    once = {}  # a file reached by two paths (a file link beside it) runs once, by the first path
    for path in sorted(found):
        once.setdefault(os.path.realpath(path), path)
    return sorted(once.values())


def find_test_files(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[Diagnostic]]:
    """Every ``.rrt`` file under ``paths`` (files, or folders searched recursively), in name order."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for given in paths:
        if not os.fspath(given):  # Path("") is the working directory; an empty path names nothing
            problems.append(Diagnostic("RR630", "no test file or folder: the path is empty"))
            continue
        path = Path(given)
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
        except OSError as problem:  # a name too long, a folder on the way that can't be entered
            problems.append(Diagnostic("RR630", f"can't read `{shortened(path.as_posix(), 200)}`: "
                                                f"{problem.strerror}"))
            continue
        if is_dir:
            files = _test_files(path)
            if not files:
                problems.append(Diagnostic("RR630", f"no `{TEST_SUFFIX}` test files in `{path.as_posix()}`"))
            found.extend(files)
        elif is_file:
            if not is_test_file(path):
                problems.append(Diagnostic(
                    "RR630", f"`{path.as_posix()}` is not a test file (test files end in `{TEST_SUFFIX}`)"))
            else:
                found.append(path)
        else:
            problems.append(Diagnostic("RR630", f"no test file or folder at `{path.as_posix()}`"))
    once: dict = {}  # a file under two paths (`rulesets` and its absolute path, a folder and a file in it) runs once
    for path in found:
        once.setdefault(os.path.realpath(path), path)
    return list(once.values()), problems


def read_test_file(path: str | os.PathLike, name: str | None = None) -> TestFile:
    """Read and parse one test file (``name``: how it is shown; default: the path as given)."""
    path = Path(path)
    name = name or path.as_posix()
    try:
        stream = _resources.open_regular(path)  # a named pipe is not waited on
        if stream is None:
            return TestFile(name, path.parent, "", (), diagnostics=(
                Diagnostic("RR630", f"`{name}` is not a test file (a folder, a pipe or a device)"),))
        with stream:
            text = _resources.read_at_most(stream).decode("utf-8-sig")
    except _resources.TooLarge as problem:
        return TestFile(name, path.parent, "", (), diagnostics=(Diagnostic(
            "RR630", f"`{name}` {_resources.too_large_words('a test file', problem.size, problem.limit)}"),))
    except UnicodeDecodeError as problem:
        return TestFile(name, path.parent, "", (), diagnostics=(
            Diagnostic("RR630", f"`{name}` is not UTF-8 text (byte {problem.start})"),))
    except OSError as problem:
        return TestFile(name, path.parent, "", (), diagnostics=(
            Diagnostic("RR630", f"can't read `{name}`: {problem.strerror}"),))
    return parse_tests(text, name, path.parent)


class Runner:
    """Runs rule tests. Keep one for a session: each ruleset is loaded once.

    ``cache_dir``, when given, is passed to :func:`radrules.load` (where CMS
    tables are cached on disk; default: ``RADRULES_CACHE_DIR`` or the user
    cache directory).
    """

    def __init__(self, *, cache_dir: str | os.PathLike[str] | None | EllipsisType = ...) -> None:
        self._load_options = {} if cache_dir is ... else {"cache_dir": cache_dir}
        self._rulesets: dict = {}
        self._shown: dict = {}  # id(ruleset) -> (ruleset, the rule ids its tests can show: test-only rules left out)
        self._firsts: dict = {}  # id(test file) -> (test file, {name: its first test})

    # ------------------------------------------------------------ whole runs

    def run(self, paths: Iterable[str | os.PathLike] | None = None) -> Report:
        """Run every test under ``paths`` (default: the bundled rulesets' tests)."""
        paths = list(paths) if paths else [_resources.bundled_rulesets()]
        files, problems = find_test_files(paths)
        outcomes: list[Outcome] = []
        diagnostics = list(problems)
        names = []
        for path in files:
            test_file = read_test_file(path, shown_path(path))
            names.append(test_file.name)
            diagnostics.extend(self.file_diagnostics(test_file))
            if not test_file.cases and not test_file.diagnostics:
                diagnostics.append(Diagnostic("RR630", f"`{test_file.name}` holds no tests"))
            outcomes.extend(self.run_file(test_file))
        return Report(tuple(outcomes), tuple(diagnostics), self.rulesets(), tuple(names))

    def file_diagnostics(self, test_file: TestFile) -> list[Diagnostic]:
        """The problems of a test file no test of it reports: its syntax errors and, for a `rules` line with one
        (an item given twice: its tests don't run), the bad paths of that line too (RR620), so that it shows
        every problem of its items."""
        found = list(test_file.diagnostics)
        for ref in test_file.broken_rules:
            folder = Path(test_file.folder)
            found += [problem for token in ref.paths
                      if (problem := _path_problem(folder / token.text, token, token.span, test_file)) is not None]
        return sorted(found, key=_position)

    def run_file(self, test_file: TestFile) -> list[Outcome]:
        """Run every test of a parsed file (its syntax errors are the caller's to report)."""
        return [self.run_case(test_file, case) for case in test_file.cases]

    def rulesets(self) -> tuple:
        """Every ruleset loaded so far."""
        return tuple(r for r in self._rulesets.values() if not isinstance(r, list))

    def loaded_bundled(self) -> bool:
        """Whether a test loaded the bundled rulesets by name (``rules bundled, ...``)."""
        return any(bundled and not isinstance(found, list) for (_, bundled, _), found in self._rulesets.items())

    def loaded_paths(self) -> frozenset:
        """The rule files and folders (resolved) loaded so far without inline rule text: each of their rule
        files is in a ruleset of :meth:`rulesets`."""
        return frozenset(Path(path) for (paths, _, extra), found in self._rulesets.items()
                         if not extra and not isinstance(found, list) for path in paths)

    # ------------------------------------------------------------ one test

    def run_case(self, test_file: TestFile, case: TestCase) -> Outcome:
        """Run one test and compare the result with its expectations."""
        started = time.perf_counter()

        def outcome(status, failures=(), diagnostics=(), fires=frozenset(), silent=frozenset(), crash=None,
                    versions=(frozenset(), frozenset()), disabled=frozenset()):
            return Outcome(test_file.name, case.name.text, case.span.line, status, tuple(failures),
                           tuple(diagnostics), time.perf_counter() - started, fires, silent, crash, *versions,
                           disabled=disabled)

        if not case.name.text.strip():  # reports, JUnit XML and pytest ids name a test by its name
            return outcome(ERROR, diagnostics=[Diagnostic(
                "RR610", "a test without a name", case.name.span, test_file.source_line(case.name.span.line),
                help="name the test after what it shows, as `test \"CT head in the emergency room\"`",
            )])
        first = self._first_of_names(test_file)[case.name.text]
        if first is not case:
            return outcome(ERROR, diagnostics=[Diagnostic(
                "RR610", f"a test named `{case.name.text}` comes before, at line {first.span.line}", case.name.span,
                test_file.source_line(case.name.span.line), help="give every test of a file its own name",
            )])
        ruleset, problems = self.ruleset_for(test_file, case)
        claim, problem = build_claim(case.claim, test_file)
        if problem is not None:
            problems = [problem] + problems
        problems += _check_expectations(case, ruleset, claim, test_file)
        if problems:
            return outcome(ERROR, diagnostics=sorted(problems, key=_position))
        history, problem = _history(case, test_file)
        if problem is not None:
            return outcome(ERROR, diagnostics=[problem])
        try:
            result = ruleset.evaluate(claim, history=history)
        except Exception as error:  # a bug in radrules must never look like a pass
            return outcome(ERROR, crash=type(error).__name__)  # the message might quote the claim: not shown
        failures = []
        for expectation in case.expectations:
            got, trace_ids = _compare(expectation, result)
            if got is not None:
                trace = _trace(ruleset, claim, trace_ids, history)
                if not trace and expectation.kind == "fail":
                    trace = ("no rule fired on this claim",) if not result.findings else ()
                failures.append(Failure(expectation, got, trace))
        if failures:
            return outcome(FAILED, failures)
        # A rule written in the test file's own rule text shows nothing about a rule file's rule of that id.
        shown = self._rules_shown(ruleset)
        fires = frozenset(e.rules[0].text for e in case.expectations
                          if e.kind == "fires" and e.rules[0].text in shown)
        silent = frozenset(e.rules[0].text for e in case.expectations
                           if e.kind == "silent" and e.rules[0].text in shown
                           and looks_at(ruleset, e.rules[0].text, claim, e.line_numbers))
        disabled = frozenset()
        if ruleset.disables:  # the blocks with `disable` rows that these silent tests show at work
            disabled = frozenset(block for e in case.expectations if e.kind == "silent"
                                 for block in disables_shown(ruleset, e.rules[0].text, claim, e.line_numbers)
                                 if block in shown)
            silent |= disabled & frozenset(disable_only(ruleset))  # (a block of them only: all it can show)
        if ruleset.tables:
            versions = _versions_shown(case, ruleset, claim, result, fires, silent)
            return outcome(PASSED, fires=fires, silent=silent, versions=versions, disabled=disabled)
        return outcome(PASSED, fires=fires, silent=silent, disabled=disabled)

    def _first_of_names(self, test_file) -> dict:
        """{test name: the first test of the file with it}, made once per file (not a scan per test)."""
        found = self._firsts.get(id(test_file))
        if found is None or found[0] is not test_file:
            firsts: dict = {}
            for case in test_file.cases:
                firsts.setdefault(case.name.text, case)
            found = self._firsts[id(test_file)] = (test_file, firsts)
        return found[1]

    def _rules_shown(self, ruleset) -> frozenset:
        found = self._shown.get(id(ruleset))
        if found is None or found[0] is not ruleset:
            found = self._shown[id(ruleset)] = (ruleset, frozenset(rule_sources(ruleset)))
        return found[1]

    def ruleset_for(self, test_file: TestFile, case: TestCase):
        """(the ruleset the test names, []) or (None, diagnostics saying why it can't be loaded)."""
        ref: RulesRef | None = case.rules or test_file.rules
        folder = Path(test_file.folder)
        paths = tuple(folder / token.text for token in ref.paths) if ref is not None else (folder,)
        bundled = ref is not None and ref.bundled is not None
        extra = ((test_file.name, ref.text.text),) if ref is not None and ref.text is not None else ()
        key = (tuple(_resolved(path) for path in paths), bundled, extra)
        if key not in self._rulesets:
            self._rulesets[key] = self._load(paths, bundled, extra, ref, case, test_file)
        found = self._rulesets[key]
        return (None, found) if isinstance(found, list) else (found, [])

    def _load(self, paths: tuple[Path, ...], bundled: bool, extra, ref: RulesRef | None, case: TestCase,
              test_file: TestFile):
        if ref is not None:
            span = ref.items_span
        else:  # the default: the test file's folder; point at the test
            span = Span(test_file.name, case.span.line, case.span.column, case.span.line, case.span.column + 4)
        tokens = ref.paths if ref is not None else (None,)
        problems = [_path_problem(path, token, span if token is None else token.span, test_file)
                    for path, token in zip(paths, tokens)]
        if any(problems):
            return [problem for problem in problems if problem is not None]
        try:
            return load(*paths, bundled=bundled, extra=extra, **self._load_options)
        except RuleError as error:
            count = sum(d.counts[0] for d in error.errors)  # an RR407 stands for the errors it did not show
            head = Diagnostic("RR621", f"the rules under test have {_count(count, 'error')}", span,
                              test_file.source_line(span.line),
                              help="the errors follow; the tests that load these rules run once they are fixed")
            return [head, *error.errors]


def _resolved(path: Path) -> str:
    """The path as the cache key of its ruleset: resolved, or as given if it can't be (_path_problem says why)."""
    try:
        return str(_resources.resolved(path))
    except (OSError, ValueError, RuntimeError):  # a NUL, a loop of links
        return str(path)


def _path_problem(path: Path, token, span: Span, test_file: TestFile) -> Diagnostic | None:
    """RR620 if ``path`` (``token`` of a `rules` line, or None for the test file's folder) names no rules a
    test may load."""
    shown = token.text if token is not None else "."
    where = test_file.source_line(span.line)
    # A test file is data too: it names rules by a path relative to it, and reads rule files only (a
    # shared test file must not read /etc/passwd into an error message, or walk the whole disk).
    if token is not None and Path(token.text).is_absolute():
        return Diagnostic("RR620", f"`{shown}` is an absolute path", span, where,
                          help="`rules` names a rule file or folder relative to the test file")
    if token is not None and not token.text:
        return Diagnostic("RR620", "the path is empty", span, where,
                          help="`rules` names a rule file or folder relative to the test file")
    try:
        path.is_file()
        target = _resources.resolved(path)
    except OSError as problem:  # a name too long, a folder on the way that can't be entered
        return Diagnostic("RR620", f"can't read `{shortened(shown, 200)}`: {problem.strerror}", span, where,
                          help="`rules` names a rule file or folder relative to the test file")
    except (ValueError, RuntimeError):  # a NUL, a loop of links
        return Diagnostic("RR620", f"`{shortened(shown, 200)}` is not a path to a rule file or folder", span, where,
                          help="`rules` names a rule file or folder relative to the test file, without control "
                               "characters or link loops")
    if path.is_file() and not (_resources.is_rule_file(path) and _resources.is_rule_file(target)):
        # (a link named .rr to another file)
        what = "is not" if not _resources.is_rule_file(path) else "links to a file that is not"
        return Diagnostic("RR620", f"`{shown}` {what} a rule file (`.rr`)", span, where,
                          help="`rules` names a rule file (`.rr`) or a folder of them")
    if target == Path(target.anchor):
        return Diagnostic("RR620", f"`{shown}` is the root of the file system", span, where,
                          help="`rules` names a rule file or the folder of a ruleset")
    if not path.exists():
        return Diagnostic("RR620", f"no rule file or folder at `{shown}`", span, where,
                          help="`rules` names a rule file or folder, relative to the test file")
    if path.is_dir():
        holds = _resources.rule_files_in(path, _resources.FOLDER_ENTRIES)
        if holds is None:
            return Diagnostic("RR620", f"`{shown}` holds more than {_resources.FOLDER_ENTRIES:,} files and folders",
                              span, where, help="`rules` names a rule file or the folder of a ruleset")
        if not holds:
            hint = "name the rules under test with `rules \"PATH\"` at the top of the file"
            return Diagnostic("RR620", f"no `.rr` rule files in `{shown}`", span, where, help=hint)
    return None


def _history(case: TestCase, test_file: TestFile):
    """(the test's history lines, None) or (None, a diagnostic for the first bad history line)."""
    from ..history import read_line

    if not case.history:
        return None, None
    lines = []
    for index, (data, span) in enumerate(case.history):
        try:
            lines.append(read_line(data, f"history[{index}]"))
        except ClaimError as error:
            return None, Diagnostic("RR617", f"history line {index + 1}: {error.problem}", span,
                                    test_file.source_line(span.line), help="history lines are `DATE CODE[-MOD...] "
                                    "[xUNITS] [npi NPI] [type professional|institutional] [billing NPI] [payer NAME] "
                                    "[bill TYPE] [claim ID] [paid|denied]`")
    return lines, None


def _trace(ruleset, claim: Claim, rule_ids, history=None) -> tuple[str, ...]:
    """The trace of a failure; a trace that can't be built never hides the failure itself."""
    if not rule_ids:
        return ()
    try:
        return tuple(trace_for(ruleset, claim, rule_ids, history))
    except Exception as error:  # a bug in the trace, not in the rules
        return (f"(no trace: {type(error).__name__})",)


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


# ---------------------------------------------------------------- checking a test against its ruleset


def _position(diagnostic: Diagnostic):
    span = diagnostic.span
    return (0, span.line, span.column) if span is not None else (1, 0, 0)


def _check_expectations(case: TestCase, ruleset, claim: Claim | None, test_file: TestFile) -> list[Diagnostic]:
    """Rule ids the ruleset does not know and line numbers the claim does not have (RR611, RR612)."""
    known = set(ruleset.rule_ids()) if ruleset is not None else None
    problems = []
    for expectation in case.expectations:
        for token in expectation.rules:
            if known is not None and token.text not in known and token.text in disable_only(ruleset):
                problems.append(_disable_only(ruleset, token, test_file))
            elif known is not None and token.text not in known:
                problems.append(Diagnostic(
                    "RR611", f"unknown rule `{token.text}`", token.span, test_file.source_line(token.span.line),
                    help=suggestion(token.text, known) or "`radrules check` lists what the rules hold; "
                    "docs/rules.md lists the bundled rule ids",
                ))
        for token, number in zip(expectation.lines, expectation.line_numbers):
            if claim is not None and not 1 <= number <= len(claim.lines):
                shown = shortened(token.text, 12)
                problems.append(Diagnostic(
                    "RR612", f"the claim has no line {shown}", token.span, test_file.source_line(token.span.line),
                    help=f"the claim has {_count(len(claim.lines), 'service line')}, numbered from 1",
                ))
    return problems


def _versions_shown(case: TestCase, ruleset, claim: Claim, result, fires, silent) -> tuple[frozenset, frozenset]:
    """(rule id, table statement) of the CMS table rules' versions the test shows firing (a finding the
    expectation holds on, on a date that version judges) and silent (a version that looks at the claim)."""
    fired, quiet = set(), set()
    for expectation in case.expectations:
        rule = expectation.rules[0].text if expectation.rules else None
        kind = table_kind(rule) if rule is not None else None
        if kind is None:
            continue
        if expectation.kind == "fires" and rule in fires:
            lines = set(expectation.line_numbers)
            for finding in result.findings:
                if finding.rule != rule or not _matches(expectation, finding):
                    continue
                for number in finding.lines:
                    if not lines or number in lines:
                        statement = statement_at(ruleset, kind, claim.type, claim.lines[number - 1].date.toordinal(),
                                                 claim.payer)
                        fired.add((rule, statement))
        elif expectation.kind == "silent" and rule in silent:
            quiet.update((rule, statement)
                         for statement in versions_looking(ruleset, rule, claim, expectation.line_numbers))
    return frozenset(fired), frozenset(quiet)


def _disable_only(ruleset, token, test_file: TestFile) -> Diagnostic:
    """RR611 for a block of `disable` rows only: no finding names it; the rows it disables are another rule's."""
    disable = disable_only(ruleset)[token.text][0]
    target = disabled_rule(ruleset, disable)
    codes = " and ".join(disable.key)
    claim = {"pair": f"a claim of {codes} on one date", "limit": f"a claim of {codes} over the limit",
             "addon": f"a claim of {codes} without its primary"}[disable.kind]
    scope = disable.scope
    if scope.payers:
        claim += f" for payer {min(scope.payers)}"
    if scope.claim_types and len(scope.claim_types) == 1:
        claim += f", type {min(scope.claim_types)}"
    if scope.start is not None or scope.end is not None:  # a dated block: its `disable` holds on its dates only
        claim += f", dated {window_text(scope.start, scope.end)}"
    return Diagnostic(
        "RR611", f"`{token.text}` holds `disable` rows only: it never fires", token.span,
        test_file.source_line(token.span.line),
        help=(f"test the edit it disables: `expect no {target}` on {claim}" if target is not None else
              "test the edit it disables, with `expect no` and the id of the rule or table whose row it disables"),
    )


def _describe(finding, source: bool = False) -> str:
    details = [finding.severity]
    if finding.carc:
        details.append(f"carc {finding.carc}")
    if finding.rarc:
        details.append("rarc " + ", ".join(finding.rarc))
    if source and finding.source:
        details.append(f'source "{finding.source}"')
    where = ("line " if len(finding.lines) == 1 else "lines ") + ", ".join(map(str, finding.lines))
    return f"{finding.rule} on {where} ({', '.join(details)})"


def _listed(findings, source: bool = False) -> str:
    """The first findings in words; with ``source``, each with its source (for an expected one)."""
    shown = [_describe(f, source) for f in findings[:4]]
    if len(findings) > 4:
        shown.append(f"and {len(findings) - 4} more")
    return "; ".join(shown)


def _matches(expectation: Expectation, finding) -> bool:
    if expectation.severity is not None and finding.severity != expectation.severity.text:
        return False
    if expectation.carc is not None and finding.carc != expectation.carc.text:
        return False
    if expectation.rarc is not None and sorted(finding.rarc) != sorted(t.text for t in expectation.rarc):
        return False
    if expectation.message is not None and expectation.message.text not in finding.message:
        return False
    if expectation.source is not None and not _same_source(expectation.source.text, finding.source):
        return False
    return True


def _same_source(expected: str, source: str | None) -> bool:
    """``source "acme.rr:51"`` names ``rulesets/payers/acme.rr:51``: the whole source, or its file's name and
    row (or line)."""
    if source is None:
        return False
    if expected == source:
        return True
    file, _, row = source.rpartition(":")
    return expected == f"{file.replace(chr(92), '/').rpartition('/')[2]}:{row}"


def _compare(expectation: Expectation, result) -> tuple[str | None, list[str]]:
    """(None, []) if the expectation holds; else (what happened, rule ids to trace)."""
    failing = [f for f in result.findings if f.severity in ("deny", "review")]
    kind = expectation.kind
    if kind == "pass":
        if result.passed:
            return None, []
        return f"a failing claim: {_listed(failing)}", [f.rule for f in failing]
    if kind == "fail":
        if not result.passed:
            return None, []
        shown = f" (findings: {_listed(result.findings)})" if result.findings else ""
        return f"a passing claim{shown}", [f.rule for f in result.findings]
    if kind == "only":
        wanted = [t.text for t in expectation.rules]
        got = list(dict.fromkeys(f.rule for f in failing))
        if set(got) == set(wanted):
            return None, []
        return (", ".join(got) or "no rule") + " to deny or review", sorted(set(got) ^ set(wanted))
    rule = expectation.rules[0].text
    mine = [f for f in result.findings if f.rule == rule]
    lines = expectation.line_numbers
    if kind == "silent":
        hits = [f for f in mine if not lines or set(f.lines) & set(lines)]
        if not hits:
            return None, []
        return _listed(hits), [rule]
    matching = [f for f in mine if _matches(expectation, f)]
    if lines:
        missing = [n for n in lines if not any(n in f.lines for f in matching)]
        held = not missing
    else:
        held = bool(matching)
    if held:
        return None, []
    return (_listed(mine, expectation.source is not None) if mine else f"no finding of {rule}"), [rule]
