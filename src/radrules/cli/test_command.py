"""``radrules test``: run rule tests (``.rrt`` files), optionally with coverage and JUnit XML."""

from __future__ import annotations

import sys

from ..errors import strict_count
from .common import add_bundled_option


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "test", help="run rule tests (.rrt files)",
        description="Run the rule tests (.rrt files) under each PATH; print each failure with a trace, "
                    "then `N passed, M failed`.",
    )
    parser.add_argument("--coverage", action="store_true",
                        help="also list every rule without a test that makes it fire and one that shows it "
                             "silent; exit 1 if any")
    parser.add_argument("--junit", metavar="FILE", help="write the results as JUnit XML to FILE")
    parser.add_argument("--strict", action="store_true",
                        help="warnings of the rules under test fail the run too (exit 3), as `check --strict`")
    parser.add_argument("paths", metavar="PATH", nargs="*",
                        help="test files or folders searched for .rrt files (default: the bundled rulesets)")
    add_bundled_option(parser, "also run the bundled rulesets' tests, beside PATH (the default without PATH)")
    # A test file names the rules it tests; `--rules` (as `eval` and `check` take it) is refused with how to write it.
    parser.add_argument("--rules", metavar="PATH", action="append", default=[],
                        help="not taken: a test file names its rules on its `rules` line (docs/testing.md)")


def run(args) -> int:
    from . import EXIT_FAILURE, EXIT_OK, EXIT_RULE_ERRORS
    from .. import _resources
    from ..errors import RuleError
    from ..loader import load
    from ..testing import Runner, measure, write_junit
    from .common import print_warnings

    if args.rules:
        print(f"radrules test: error: {_rules_refused(args.rules, args.paths)}", file=sys.stderr)
        return EXIT_FAILURE
    paths = args.paths or [_resources.bundled_rulesets()]
    if args.bundled and args.paths:  # (a test file under two paths runs once)
        paths = [*args.paths, _resources.bundled_rulesets()]
    runner = Runner()
    report = runner.run(paths)
    # The warnings of the rules under test (a hospital PTP file for professional claims, RR517), as eval prints them.
    warnings = list(dict.fromkeys(w for ruleset in report.rulesets for w in ruleset.warnings))
    print_warnings(warnings)
    print(report.render())
    code = EXIT_OK if report.ok else EXIT_FAILURE
    if report.rule_errors:
        code = EXIT_RULE_ERRORS
    if args.junit:
        try:
            write_junit(report, args.junit)
        except OSError as problem:
            print(f"error: can't write `{args.junit}`: {problem.strerror}", file=sys.stderr)
            code = max(code, EXIT_FAILURE)
    if args.coverage:
        # The bundled rules that tests load beside the rules under test (`rules bundled, "."`), the built-in
        # checks with them, are not theirs to cover, unless the bundled rulesets are what is tested; and the
        # rules under a PATH are loaded as those tests load them, beside the bundled ones.
        beside = runner.loaded_bundled() and not _tests_bundled(paths)
        rulesets = []
        loaded = runner.loaded_paths()
        for path in paths:  # the rules under each PATH count too, tested or not
            untested = _untested_files(path, loaded)
            if not untested:
                continue
            try:
                # Beside the bundled rules, the untested files alone: the PATH may hold a copy of them that its
                # own tests load alone (RR406 beside them).
                rulesets.append(load(*untested, bundled=True) if beside else load(path))
            except RuleError as error:
                # Files that can't load beside the bundled rules may be meant to replace them (another version of a
                # bundled payer's rules, examples/acme-2026.10.rr): they are then counted together without them, or
                # else those that load beside the bundled rules beside them and the others apart.
                if not beside:
                    print(str(error))
                    return EXIT_RULE_ERRORS
                try:
                    rulesets.extend(_replacing_bundled(untested))
                except (RuleError, ValueError) as problem:
                    print(str(problem))
                    return EXIT_RULE_ERRORS
        from ..testing.coverage import rule_sources

        coverage = measure(report, rulesets, frozenset(rule_sources(load())) if beside else frozenset())
        print()
        print(coverage.render())
        if not coverage.ok:
            code = max(code, EXIT_FAILURE)
    counted = strict_count(warnings)
    if args.strict and counted:
        print(f"failed: {counted:,} warning{'s' if counted != 1 else ''}, which --strict counts as errors",
              file=sys.stderr)
        code = max(code, EXIT_RULE_ERRORS)
    return code


def _replacing_bundled(files) -> list:
    """The rulesets of ``files``, which do not load together beside the bundled rules: all together without them
    (files that replace bundled rules, and files that need each other); else each file beside them if it loads
    so, the others together without them. Raises the RuleError of a file that loads neither way (the one beside
    the bundled rules, which its tests would see) or of those loads, or a ValueError for a rule id written in
    files of both loads (RR302)."""
    from ..errors import RuleError
    from ..loader import load
    from ..testing.coverage import rule_sources

    try:
        return [load(*files)]
    except RuleError:
        pass
    beside, apart = [], []
    for file in files:
        try:
            load(file, bundled=True)
            beside.append(file)
        except RuleError as error:
            try:
                load(file)
            except RuleError:
                raise error from None
            apart.append(file)
    rulesets = [load(*beside, bundled=True)] if beside else []
    if apart:
        rulesets.append(load(*apart))
    if len(rulesets) == 2:
        bundled = rule_sources(load())
        ours = rule_sources(rulesets[0])
        for rule_id, source in rule_sources(rulesets[1]).items():
            if rule_id in ours and rule_id not in bundled and not rule_id.startswith(("ncci.", "codes.")):
                raise ValueError(f"{source}: error[RR302]: rule id `{rule_id}` is used twice\n"
                                 f"      = help: the other is at {ours[rule_id]}; rule ids must be unique and stable")
    return rulesets


def _rules_refused(rules: list[str], paths: list[str]) -> str:
    """Why `test --rules` is refused, and the `rules` line that names those rules (relative to the folder of the
    one test file or folder given)."""
    import os
    from pathlib import Path

    folder = None
    if len(paths) == 1:  # the test folder, or the test file's
        folder = Path(paths[0]) if Path(paths[0]).is_dir() else Path(paths[0]).parent
    if folder is not None:
        items = ", ".join(f'"{Path(os.path.relpath(rule, folder)).as_posix()}"' for rule in rules)
        where = f"`{paths[0]}`" if not Path(paths[0]).is_dir() else f"the test files in `{paths[0]}`"
    else:
        items = ", ".join('"..."' for _ in rules)
        where = "each test file, each path from the test file's folder"
    return (f"`test` takes no `--rules`: each test file names the rules it tests on its `rules` line (without one, "
            f"the rules in its folder); for these, write `rules {items}, \".\"` at the top of {where} "
            f"(`rules bundled, ...` adds the bundled rulesets; docs/testing.md)")


def _untested_files(path, loaded) -> list:
    """The rule files under ``path`` (a folder, or a rule file) in no file or folder the tests loaded. The others'
    rulesets count already, and a folder tested beside others (`rules bundled, "."`) may not compile alone."""
    from pathlib import Path

    from .._resources import is_rule_file
    from ..loader import rule_files

    path = Path(path).resolve()
    if path.is_file():
        files = [path] if is_rule_file(path) else []
    else:
        files = rule_files(path) if path.is_dir() else []
    return [file for file in files if not any(file == done or file.is_relative_to(done) for done in loaded)]


def _tests_bundled(paths) -> bool:
    """Whether one of ``paths`` is the bundled rulesets' folder, or a folder or file inside it or around it."""
    from pathlib import Path

    from .. import _resources

    bundled = _resources.bundled_rulesets().resolve()
    for path in paths:
        path = Path(path).resolve()
        if path.is_relative_to(bundled) or bundled.is_relative_to(path):
            return True
    return False
