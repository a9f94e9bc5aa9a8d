"""``radrules eval``: evaluate claims and print the results."""

from __future__ import annotations

import json
import sys

from ..errors import ClaimError
from .common import InputError, add_rules_option, load_rules, read_claims


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "eval", help="evaluate claims",
        description="Evaluate claims (a JSON object, a JSON array, or JSON Lines; `-` for stdin).",
    )
    add_rules_option(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default) or JSON Lines, one result per claim")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when claims fail (errors still exit 1 or 3)")
    parser.add_argument("claims", metavar="CLAIMS", help="claims file, or - for stdin")


def run(args) -> int:
    from . import EXIT_CLAIMS_FAIL, EXIT_FAILURE, EXIT_OK, EXIT_RULE_ERRORS

    ruleset = load_rules(args.rules)
    if ruleset is None:
        return EXIT_RULE_ERRORS
    out = sys.stdout
    counts = {"claims": 0, "passed": 0, "failed": 0, "errors": 0}
    try:
        for position, data in read_claims(args.claims):
            counts["claims"] += 1
            try:
                result = ruleset.evaluate(data)
            except ClaimError as error:
                counts["errors"] += 1
                if args.format == "json":
                    out.write(json.dumps({"claim": None, "position": position, "error": str(error)}) + "\n")
                else:
                    out.write(f"claim #{position}: ERROR {error}\n\n")
                continue
            counts["passed" if result.passed else "failed"] += 1
            if args.format == "json":
                out.write(json.dumps(result.to_dict()) + "\n")
            else:
                out.write(render_text(result, position) + "\n")
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.format == "text":
        out.write(
            f"{counts['claims']} claims: {counts['passed']} passed, {counts['failed']} failed"
            + (f", {counts['errors']} not readable" if counts["errors"] else "") + "\n"
        )
    if counts["errors"]:
        return EXIT_FAILURE
    if counts["failed"] and not args.exit_zero:
        return EXIT_CLAIMS_FAIL
    return EXIT_OK


def render_text(result, position: int) -> str:
    """A result for people: the verdict, line statuses, then each finding."""
    name = result.claim if result.claim is not None else f"#{position}"
    verdict = "PASS" if result.passed else "FAIL"
    statuses = ", ".join(f"{s.line} {s.status}" for s in result.lines)
    out = [f"claim {name}: {verdict}  (lines: {statuses})"]
    for finding in result.findings:
        lines = ",".join(str(n) for n in finding.lines)
        remittance = " ".join(filter(None, [finding.carc, *finding.rarc]))
        head = f"  {finding.severity:<6} line {lines:<5} {finding.rule} ({finding.kind})"
        if remittance:
            head += f"  {remittance}"
        out.append(head)
        out.append(f"         {finding.message}")
        if finding.source:
            out.append(f"         at {finding.source}")
    return "\n".join(out) + "\n"
