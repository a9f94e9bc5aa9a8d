"""Evaluate generated claims a number of times, for counting instructions with callgrind.

Timings on a shared machine move by 10-20% from run to run; instruction
counts do not, so small changes are compared by them:

    run() { valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
            python benchmarks/count_instructions.py --data /tmp/natc "$@" 2>&1 | grep Collected; }
    run --passes 0; run --passes 1; run --passes 2

(second - first) / 20000 is the count per claim on a first pass (caches
filling), (third - second) / 20000 on a second pass; the first run loads
the rules and makes the claims without evaluating them. ``python`` must be
the interpreter itself (``python -c "import sys; print(sys.executable)"``),
not a shell shim, or valgrind counts the shim. ``--data`` is a folder that
``bench_national.py`` prepared (its ``rules`` and table cache).

Without valgrind, ``--opcodes N`` evaluates the claims once to fill the
caches, then once more counting the Python bytecodes each function runs
(``sys.settrace``), and prints the count per claim and the N busiest
functions: where the interpreter's time goes, by function::

    python benchmarks/count_instructions.py --data /tmp/natc --claims 3000 --opcodes 25

``--time`` evaluates the claims once, then times three more passes and
prints the first pass and the best of the three, in µs per claim: a quick
wall-clock A/B of two commits (run them in turn, in the same minutes)::

    python benchmarks/count_instructions.py --data /tmp/natc --claims 30000 --time

``--opcodes`` does not see work done in C, so it is not a measure of speed: moving a
short loop into ``map``/``zip``/``compress`` calls cuts bytecodes and can
still cost more (docs/performance.md, "Tried and dropped"). Judge a change
by the instruction counts above or by the wall clock.
"""

from __future__ import annotations

import collections
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_national import load_prepared, make_claims, prepared_parser  # noqa: E402

import radrules  # noqa: E402


def main() -> int:
    parser = prepared_parser(__doc__, 20_000)
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--opcodes", type=int, metavar="N", help="count bytecodes instead; print the N busiest")
    parser.add_argument("--time", action="store_true", help="time a first pass and the best of three more")
    args = parser.parse_args()
    rules, universe = load_prepared(Path(args.data))
    claims = [radrules.Claim.from_dict(c) for c in make_claims(args.claims, universe, random.Random(args.seed))]
    if args.opcodes is not None:
        count_opcodes(rules, claims, args.opcodes)
        return 0
    if args.time:
        first, *later = (time_pass(rules, claims) for _ in range(4))
        print(f"first pass {first:.1f} µs/claim, best of three more {min(later):.1f} µs/claim")
        return 0
    for _ in range(args.passes):
        for claim in claims:
            rules.evaluate(claim)
    return 0


def time_pass(rules, claims) -> float:
    """µs per claim of one pass over ``claims``."""
    started = time.perf_counter()
    for claim in claims:
        rules.evaluate(claim)
    return (time.perf_counter() - started) / len(claims) * 1e6


def count_opcodes(rules, claims, top: int) -> None:
    """Print the bytecodes per claim of a second pass over ``claims``, in all and by function."""
    for claim in claims:
        rules.evaluate(claim)
    counts: collections.Counter = collections.Counter()

    def opcode(frame, event, arg):
        if event == "opcode":
            code = frame.f_code
            counts[(Path(code.co_filename).name, code.co_firstlineno, code.co_name)] += 1
        return opcode

    def call(frame, event, arg):
        frame.f_trace_opcodes = True
        frame.f_trace_lines = False
        return opcode

    sys.settrace(call)
    try:
        for claim in claims:
            rules.evaluate(claim)
    finally:
        sys.settrace(None)
    total = sum(counts.values())
    print(f"bytecodes per claim: {total / len(claims):,.0f} ({len(claims):,} claims, second pass)")
    for (file, line, name), count in counts.most_common(top):
        print(f"{count / len(claims):8.1f} {count / total:6.1%}  {file}:{line} {name}")


if __name__ == "__main__":
    sys.exit(main())
