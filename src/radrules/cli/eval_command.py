"""``radrules eval``: evaluate claims and print the results."""

from __future__ import annotations

import json
import sys

from ..claim import Claim
from ..errors import ClaimError, InputError
from ..readers import to_fhir_claim_response
from .common import add_history_option, add_input_format_option, add_rules_option, load_history, load_rules, read_claims


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "eval", help="evaluate claims",
        description="Evaluate claims: claim JSON (an object, an array, or JSON Lines), an X12 837P/837I "
                    "file, or FHIR R4 Claim/Bundle JSON, told apart by content; `-` for stdin.",
    )
    add_rules_option(parser)
    add_input_format_option(parser)
    add_history_option(parser)
    parser.add_argument("--format", choices=("text", "json", "fhir"), default="text",
                        help="text for people (default), JSON Lines with one result per claim, or JSON Lines "
                             "with one FHIR ClaimResponse per claim")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit 0 even when claims fail (errors still exit 1 or 3)")
    parser.add_argument("claims", metavar="CLAIMS", help="claims file, or - for stdin")


def run(args) -> int:
    from . import EXIT_CLAIMS_FAIL, EXIT_FAILURE, EXIT_OK, EXIT_RULE_ERRORS

    ruleset = load_rules(args.rules)
    if ruleset is None:
        return EXIT_RULE_ERRORS
    out = sys.stdout
    counts = {"claims": 0, "passed": 0, "failed": 0, "errors": 0, "file_errors": 0}
    try:
        history = load_history(args.history)
        for position, item, resource in read_claims(args.claims, args.input_format):
            if position is None:  # an X12 envelope error: it belongs to no claim
                counts["file_errors"] += 1
                print(f"error: {item}", file=sys.stderr)
                continue
            counts["claims"] += 1
            try:
                if isinstance(item, InputError):
                    raise item
                claim = item if isinstance(item, Claim) else Claim.from_dict(item)
                result = ruleset.evaluate(claim, history=history)
            except (ClaimError, InputError) as error:
                counts["errors"] += 1
                write_error(out, args.format, position, error)
                continue
            counts["passed" if result.passed else "failed"] += 1
            if args.format == "json":
                out.write(json.dumps(result.to_dict()) + "\n")
            elif args.format == "fhir":
                response = to_fhir_claim_response(result, resource if resource is not None else claim)
                out.write(json.dumps(response) + "\n")
            else:
                out.write(render_text(result, position) + "\n")
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if args.format == "text":
        out.write(
            f"{counts['claims']} claims: {counts['passed']} passed, {counts['failed']} failed"
            + (f", {counts['errors']} not readable" if counts["errors"] else "")
            + (f", {counts['file_errors']} envelope errors" if counts["file_errors"] else "") + "\n"
        )
    if counts["errors"] or counts["file_errors"]:
        return EXIT_FAILURE
    if counts["failed"] and not args.exit_zero:
        return EXIT_CLAIMS_FAIL
    return EXIT_OK


def write_error(out, output_format: str, position: int, error: Exception) -> None:
    """A claim that can't be read or has the wrong shape, in the output format."""
    if output_format == "json":
        out.write(json.dumps({"claim": None, "position": position, "error": str(error)}) + "\n")
    elif output_format == "fhir":
        out.write(json.dumps({
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "structure", "diagnostics": f"claim #{position}: {error}"}],
        }) + "\n")
    else:
        out.write(f"claim #{position}: ERROR {error}\n\n")


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
