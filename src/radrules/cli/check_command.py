"""``radrules check``: compile rules and print every diagnostic."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import RuleError, strict_count, warning_count
from ..model import listed
from .common import add_bundled_option, print_warnings


#: How many payer names the summary lists (more are counted).
_PAYERS_SHOWN = 30


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "check", help="compile rule files and report every problem",
        description="Compile a rule file or folder; print every error and warning.",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--strict", action="store_true",
                        help="warnings fail the check too (exit 3), for a CI job that must catch them")
    parser.add_argument("--allowed", action="store_true",
                        help="also print the warnings that `# allow` comments allow (text: after the others, each "
                             "under `allowed:`; JSON lists them always)")
    parser.add_argument("paths", metavar="PATH", nargs="*",
                        help="rule files or folders, compiled as one ruleset (default: the bundled rulesets)")
    parser.add_argument("--rules", metavar="PATH", action="append", default=[],
                        help="a rule file or folder, as PATH (as `eval --rules` names them); may be repeated")
    add_bundled_option(parser, "also compile the bundled rulesets, beside PATH (the default without PATH)")


def run(args) -> int:
    from . import EXIT_OK, EXIT_RULE_ERRORS
    from .. import load

    try:
        ruleset = load(*args.paths, *args.rules, bundled=args.bundled or None)
    except RuleError as error:
        if args.format == "json":
            print(json.dumps({"ok": False, "diagnostics": [d.to_dict() for d in error.diagnostics]}))
        else:
            print(str(error), file=sys.stderr)
        return EXIT_RULE_ERRORS
    summary = ruleset.describe()
    warnings = warning_count(ruleset.warnings)
    counted = strict_count(ruleset.warnings)  # (not RR530, a cache folder that can't be used)
    failed = args.strict and counted > 0
    if args.format == "json":
        print(json.dumps({"ok": not failed, "summary": summary,
                          "diagnostics": [d.to_dict() for d in ruleset.warnings],
                          "allowed": [d.to_dict() for d in ruleset.allowed]}))
        return EXIT_RULE_ERRORS if failed else EXIT_OK
    print_warnings(ruleset.warnings)
    if args.allowed:  # each with the reason its comment gives
        print_warnings(ruleset.allowed)
    print(
        f"ok: {summary['name']}: {_count(summary['files'], 'file')}, {_count(summary['rules'], 'rule')}, "
        f"{_count(summary['pair_rows'], 'pair edit')}, {_count(summary['limit_rows'], 'unit limit')}, "
        f"{_count(summary['addon_rows'], 'add-on edit')}"
        + (f", {_count(warnings, 'warning')}" if warnings else "")
        + (f", {_count(len(ruleset.allowed), 'warning')} allowed" if ruleset.allowed else "")  # `# allow` comments
    )
    if summary["versions"]:  # the files' `ruleset` headers: the name the text above takes from the path
        print("ruleset headers: " + ", ".join(f"{name} {version}" if version else name
                                              for name, version in summary["versions"].items()))
    payers = summary["payers"]
    if payers:  # the names rules and blocks compare claims' payers with: a misspelt one stands out here
        print(f"payers named: {', '.join(payers[:_PAYERS_SHOWN])}"
              + (f" and {len(payers) - _PAYERS_SHOWN:,} more" if len(payers) > _PAYERS_SHOWN else ""))
    replaced = summary["replaced"]
    if replaced["rules"] or replaced["rows"]:
        print(f"left out, as the loaded tables replace them (`unless table`): {replaced['rules']} rules, "
              f"{replaced['rows']} edit rows")
    if summary["table_versions"]:
        print("tables, by the dates of service each version judges:")
        for version in summary["table_versions"]:
            print("  " + table_line(version))
    if failed:
        print(f"failed: {counted:,} warning{'s' if counted != 1 else ''}, which --strict counts as errors",
              file=sys.stderr)
        return EXIT_RULE_ERRORS
    return EXIT_OK


def table_line(version: dict) -> str:
    """``ptp, professional claims, 2026-07-01 on (and earlier dates): 2,600,000 rows in 4 files (...)``; a version
    `for payer` says its payers (``mue, professional claims, payer acme, ...``), and one without, beside such
    versions, the payers it does not judge (``every payer but acme and beta``)."""
    claims = f"{version['claim_type']} claims" if version["claim_type"] else "every claim"
    if version.get("payers"):  # a version `for payer`: its payers' claims only
        claims += f", payer{'s' if len(version['payers']) > 1 else ''} {listed(version['payers'])}"
    elif version.get("payers_but"):  # without `for payer`, beside versions that name theirs
        claims += f", every payer but {listed(version['payers_but'])}"
    dates = f"{version['from']} to {version['until']}" if version["until"] else f"{version['from']} on"
    if version["earlier_dates"]:
        dates += " (and earlier dates)"
    if version.get("dated_by") == "rows":  # no `effective`, no date in the names: a guess worth seeing
        dates += " (the date of its newest rows: no `effective`, no date in its names)"
    names = [Path(f).name for f in version["files"]]
    files = names[0] if len(names) == 1 else f"{len(names)} files: " + ", ".join(names[:4]) + (
        ", ..." if len(names) > 4 else "")
    counted = _count(version["size"], version["counts"][:-1])  # `rows`, `codes`
    return (f"{version['kind']}, {claims}, {dates}: {counted} from {files}, "
            f"read from the {version['read_from']} ({version['statement']})")


def _count(number: int, noun: str) -> str:
    """``1 file``, ``2 files``, ``2,600,000 rows``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
