"""``radrules diff``: what a rule change changes, and what it does to historical claims."""

from __future__ import annotations

import json
import sys

from ..diff.report import late_changes_note
from ..errors import InputError
from .common import (SharedErrors, add_authorizations_option, add_bundled_option, add_history_option,
                     add_payers_option, load_history, load_rules, whole_number)


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "diff", help="compare two rulesets, and their outcomes on historical claims",
        description="Show what changed between two rulesets (rules, rows, tables), grouped by rule family; "
                    "with --claims, evaluate every claim with both and report the claims, lines, rules "
                    "and billed charges that move.",
    )
    parser.add_argument("old", metavar="OLD", help="the rules in force: a rule file or folder")
    parser.add_argument("new", metavar="NEW", help="the changed rules: a rule file or folder")
    add_bundled_option(parser, "load OLD and NEW each beside the bundled rulesets (for a payer's own folder)")
    parser.add_argument("--with", dest="shared", metavar="PATH", action="append", default=[],
                        help="a rule file or folder loaded on both sides, beside OLD and NEW, such as the CMS "
                             "tables (repeatable)")
    parser.add_argument("--claims", metavar="FILE",
                        help="historical claims: JSON Lines, a JSON array, X12 837 or FHIR; - for standard input")
    add_payers_option(parser)
    add_history_option(parser)
    add_authorizations_option(parser)
    parser.add_argument("--shift-days", metavar="N", type=int, default=0,
                        help="move every date of the claims (and of --history and --authorizations) N days, "
                             "later or (negative) earlier: to judge past claims by table rows and rules that "
                             "take effect after their dates")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="a report for people (default) or one JSON object")
    parser.add_argument("--limit-examples", metavar="N", type=whole_number(0), default=10,
                        help="show at most N example claims, table rows, rows by impact and unreadable lines "
                             "(default 10)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when the rulesets differ (errors still exit 1 or 3)")


def run(args) -> int:
    from . import EXIT_DIFFERENT, EXIT_FAILURE, EXIT_OK, EXIT_RULE_ERRORS
    from .. import diff_outcomes, diff_rulesets
    from .progress import ProgressBar

    for given, option in ((args.history, "--history"), (args.authorizations, "--authorizations"),
                          (args.payers, "--payers"), (args.shift_days or None, "--shift-days")):
        if given is not None and args.claims is None:  # said for claims, and there are none
            print(f"error: {option} is read with the claims of --claims, and none were given", file=sys.stderr)
            return EXIT_FAILURE
    # Both, so both print their errors (those of a shared path once).
    shown = SharedErrors(args.shared)
    old, new = [load_rules([*args.shared, path], args.bundled, shown) for path in (args.old, args.new)]
    if old is None or new is None:
        return EXIT_RULE_ERRORS
    changes = diff_rulesets(old, new, limit_examples=args.limit_examples)
    impact = None
    if args.claims is not None:
        bar = ProgressBar(sys.stderr)
        try:
            source = sys.stdin.buffer if args.claims == "-" else args.claims
            impact = diff_outcomes(old, new, source, progress=bar, limit_examples=args.limit_examples,
                                   payers=args.payers, history=load_history(args.history),
                                   authorizations=args.authorizations, shift_days=args.shift_days)
        except OSError as problem:
            print(f"error: can't read `{args.claims}`: {problem.strerror or problem}", file=sys.stderr)
            return EXIT_FAILURE
        except InputError as error:  # an X12 or FHIR file that can't be read on (its envelope, say)
            print(f"error: {error}", file=sys.stderr)
            return EXIT_FAILURE
        finally:
            bar.finish()
    if args.format == "json":
        print(json.dumps({"rulesets": changes.to_dict(), "impact": impact.to_dict() if impact is not None else None}))
    else:
        sys.stdout.write(changes.to_text())
        if impact is not None:
            sys.stdout.write("\n" + impact.to_text())
            note = late_changes_note(changes, impact)
            if note is not None:
                sys.stdout.write("\n" + note)
    if impact is not None and impact.unreadable:
        return EXIT_FAILURE
    if (changes or impact) and not args.exit_zero:
        return EXIT_DIFFERENT
    return EXIT_OK
