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
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_national import load_prepared, make_claims, prepared_parser  # noqa: E402

import radrules  # noqa: E402


def main() -> int:
    parser = prepared_parser(__doc__, 20_000)
    parser.add_argument("--passes", type=int, default=1)
    args = parser.parse_args()
    rules, universe = load_prepared(Path(args.data))
    claims = [radrules.Claim.from_dict(c) for c in make_claims(args.claims, universe, random.Random(args.seed))]
    for _ in range(args.passes):
        for claim in claims:
            rules.evaluate(claim)
    return 0


if __name__ == "__main__":
    sys.exit(main())
