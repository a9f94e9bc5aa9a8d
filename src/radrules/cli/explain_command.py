"""``radrules explain``: every rule considered for a claim, and why it fired or not."""

from __future__ import annotations

import json
import sys

from ..errors import ClaimError, InputError, did_you_mean, printable
from .common import (add_authorizations_option, add_history_option, add_input_format_option, add_rules_option,
                     load_authorizations, load_history, load_rules, read_claims)
from .batch import claim_of, format_error, render_text


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "explain", help="explain why rules fired or not on claims",
        description="Evaluate claims and list, for each, every rule considered, on which lines, and why it "
                    "fired or did not (the condition part that was false, the modifier that bypassed a pair, "
                    "the dates that excluded a row, the table row that matched).",
    )
    add_rules_option(parser)
    add_input_format_option(parser)
    add_history_option(parser)
    add_authorizations_option(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text for people (default) or JSON Lines: each result with its `explanation` steps")
    parser.add_argument("--rule", action="append", default=[], metavar="ID",
                        help="explain only this rule id (repeatable)")
    parser.add_argument("claims", metavar="CLAIMS", help="claims file, or - for stdin")


def run(args) -> int:
    from . import EXIT_CLAIMS_FAIL, EXIT_FAILURE, EXIT_OK, EXIT_RULE_ERRORS

    ruleset = load_rules(args.rules, args.bundled, strict=args.strict)
    if ruleset is None:
        return EXIT_RULE_ERRORS
    if args.rule:
        from ..explain import rule_ids

        known = rule_ids(ruleset)
        unknown = [rule_id for rule_id in dict.fromkeys(args.rule) if rule_id not in known]
        for rule_id in unknown:
            near = did_you_mean(rule_id, known)
            print(f"error: --rule `{printable(rule_id)}` is not a rule of these rules"
                  + (f" (did you mean `{near}`?)" if near else ""), file=sys.stderr)
        if unknown:
            return EXIT_FAILURE
    out = sys.stdout
    failed = errors = 0
    try:
        history = load_history(args.history)
        records = load_authorizations(args.authorizations)
        for position, item, _resource in read_claims(args.claims, args.input_format, args.payers):
            if position is None:
                errors += 1
                print(f"error: {item}", file=sys.stderr)
                continue
            try:
                result = ruleset.evaluate(claim_of(item, records), explain=True, history=history)
            except (ClaimError, InputError) as error:
                errors += 1
                out.write(format_error(args.format, position, error))
                continue
            failed += not result.passed
            explanation = result.explanation
            if args.format == "json":
                data = result.to_dict()
                if args.rule:
                    data["explanation"] = [step for step in data["explanation"] if step["rule"] in args.rule]
                    considered = {step["rule"] for step in data["explanation"]}
                    data["not_considered"] = {rule_id: explanation.not_considered[rule_id]
                                              for rule_id in dict.fromkeys(args.rule) if rule_id not in considered}
                out.write(json.dumps(data) + "\n")
                continue
            lines = explanation.for_rules(args.rule) if args.rule else explanation.render().splitlines()
            out.write(render_text(result, position))
            out.write("  considered:\n" + "".join(f"    {line}\n" for line in lines or ["(no rule)"]) + "\n")
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILURE
    if errors:
        return EXIT_FAILURE
    return EXIT_CLAIMS_FAIL if failed else EXIT_OK
