"""Pair rules on a claim with many lines on one date: seconds per claim, the big dates' path and the plain loop.

    python benchmarks/bench_big_claims.py [--lines 999] [--rules 40] [--repeat 3] [--plain] [--explain]

Three rulesets judge one generated claim of ``--lines`` lines, all on one
date (random radiology codes, modifiers, units, places of service and
diagnosis pointers, seeded):

- ``--rules`` generated pair rules without a code test: each side tests two
  of the line's modifiers, place of service, units and diagnoses, some
  also compare the two lines (``other.number < line.number``,
  ``other.units = line.units``);
- the bundled rulesets (their pair rules test codes, or the same code);
- the bundled rulesets with four payer pair rules without a code test, of
  the kind a payer policy writes.

Each is timed ``--repeat`` times (the best is shown) with the evaluator's
path for dates of many lines (``evaluator.BIG_DATE``), and with
``--plain`` also with the plain loop over every pair of the date. With
``--explain`` also ``evaluate(claim, explain=True)`` (the evaluation and its
explanation), and the explanation's steps: one for each pair of lines a
rule's codes accept, so a rule without a code test has about ``--lines``
squared of them.
"""

from __future__ import annotations

import argparse
import random
import time

import radrules
from radrules import evaluator

CODES = ["70450", "70460", "70553", "71045", "71046", "72148", "73721", "74176", "74177", "76376", "76377",
         "76700", "76705", "77067", "78452", "93306"]
MODIFIERS = ["26", "TC", "59", "76", "77", "LT", "RT", "50", "XU", "XS", "91", "GA"]
PLACES = ["11", "19", "21", "22", "23", "24"]
DIAGNOSES = ["R10.9", "Z12.31", "R91.8", "C34.90", "M54.5", "N20.0"]

#: Payer pair rules of the kind a policy writes, none with a code test.
PAYER_RULES = """
rule payer.repeat_units "REPEAT-UNITS"
  kind policy
  when line.modifiers has [76, 77]
   and other.modifiers has none of [76, 77]
   and other.units = line.units
   and other.number < line.number
  then warn line "line {line.number} repeats a study of line {other.number}: check the units"
  once per line
  reference "benchmark"
end

rule payer.facility_mix "FACILITY-MIX"
  kind policy
  when line.place_of_service in [23]
   and other.place_of_service in [21, 22]
  then warn both "lines {line.number} and {other.number}: emergency and hospital places on one date"
  reference "benchmark"
end

rule payer.pctc_split "PCTC-SPLIT"
  kind policy
  when line.modifiers has [26]
   and other.modifiers has [TC]
   and other.units != line.units
  then warn line "professional and technical components billed with different units"
  reference "benchmark"
end

rule payer.screening_with_diagnostic "SCREEN-DX"
  kind policy
  when line.diagnoses has [Z1231]
   and other.diagnoses has [R928, N63]
  then warn other "a diagnostic study beside a screening one"
  once per line
  reference "benchmark"
end
"""


def generated_rules(count: int, rng: random.Random) -> str:
    """``count`` pair rules whose sides test only modifiers, place of service, units or diagnoses."""
    out = []
    for number in range(count):
        first, second = rng.sample(MODIFIERS, 2)
        place = rng.choice(PLACES)
        diagnosis = rng.choice(DIAGNOSES).replace(".", "")
        line_side = rng.sample([f"line.modifiers has [{first}]", f"line.place_of_service in [{place}]",
                                f"line.units > {rng.randint(1, 3)}", f"line.diagnoses has [{diagnosis}]"], 2)
        other_side = rng.sample([f"other.modifiers has [{second}]", f"other.place_of_service in [{place}]",
                                 f"other.units >= {rng.randint(2, 4)}", f"other.diagnoses has [{diagnosis}]",
                                 f"other.modifiers has none of [{first}, {second}, 26, TC]"], 2)
        both = rng.choice(["", "\n   and other.number < line.number", "\n   and other.units = line.units",
                           "\n   and line.modifiers has none of [91]"])
        once = "\n  once per line" if rng.random() < 0.3 else ""
        out.append(f'rule bench.pair{number} "P{number}"\n  kind coding\n'
                   f'  when {" and ".join(line_side)}\n   and {" and ".join(other_side)}{both}\n'
                   f'  then warn {rng.choice(["line", "other", "both"])} "{{line.code}} and {{other.code}}"{once}\n'
                   f'  reference "benchmark"\nend\n')
    return "\n".join(out)


def big_claim(count: int, rng: random.Random) -> radrules.Claim:
    lines = []
    for _ in range(count):
        line = {"code": rng.choice(CODES), "date": "2026-03-02", "units": rng.choice([1, 1, 1, 2, 3]),
                "modifiers": rng.sample(MODIFIERS, rng.choice([0, 0, 1, 1, 2])),
                "diagnosis_pointers": rng.sample([1, 2, 3, 4, 5, 6], rng.randint(1, 3))}
        place = rng.choice([None, None] + PLACES)
        if place is not None:
            line["place_of_service"] = place
        lines.append(line)
    return radrules.Claim.from_dict({"id": "BIG", "place_of_service": "22", "diagnoses": DIAGNOSES, "lines": lines})


def best_time(rules, claim, repeat: int, big_date: int, explain: bool = False) -> tuple[float, radrules.Result]:
    """The best of ``repeat`` evaluations (with ``explain``, explained) in seconds, and the result, with dates of
    more than ``big_date`` lines taking the big dates' path."""
    kept = evaluator.BIG_DATE
    evaluator.BIG_DATE = big_date
    try:
        times = []
        for _ in range(repeat):
            result = None  # (an explanation may hold millions of steps: one at a time)
            started = time.perf_counter()
            result = rules.evaluate(claim, explain=explain)
            times.append(time.perf_counter() - started)
    finally:
        evaluator.BIG_DATE = kept
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=999)
    parser.add_argument("--rules", type=int, default=40, help="generated pair rules (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="also time the plain loop over every pair")
    parser.add_argument("--explain", action="store_true", help="also time evaluate(claim, explain=True)")
    args = parser.parse_args()
    rng = random.Random(7)
    rulesets = [
        (f"{args.rules} pair rules without a code test", radrules.loads(generated_rules(args.rules, rng), "gen.rr")),
        ("the bundled rulesets", radrules.load(cache_dir=None)),
        ("the bundled rulesets and 4 payer pair rules without a code test",
         radrules.load(bundled=True, cache_dir=None, extra=[("payer.rr", PAYER_RULES)])),
    ]
    claim = big_claim(args.lines, rng)
    print(f"one claim of {args.lines} lines on one date; best of {args.repeat}, seconds")
    print("rules | big dates' path | plain loop | findings" + (" | explain | steps" if args.explain else ""))
    for name, rules in rulesets:
        seconds, result = best_time(rules, claim, args.repeat, evaluator.BIG_DATE)
        plain = f"{best_time(rules, claim, args.repeat, 10 ** 9)[0]:.3f}" if args.plain else "-"
        row = f"{name} | {seconds:.3f} | {plain} | {len(result.findings):,}"
        if args.explain:
            explained, result = best_time(rules, claim, args.repeat, evaluator.BIG_DATE, explain=True)
            row += f" | {explained:.3f} | {len(result.explanation.steps):,}"
        print(row, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
