"""Memory of one process that keeps evaluating: RSS and the lookup caches' sizes, batch by batch.

    python benchmarks/memory_while_evaluating.py --data /tmp/natc --claims 500000 --batch 50000

Loads the rules and tables a ``bench_national.py`` run prepared in ``--data``
(from its table cache), then evaluates claims from the same generator in
batches, never holding more than one batch, and after each batch prints the
resident set size (``/proc/self/statm``) and how many entries the bounded
caches hold: line rules per (code, modifiers, place), PTP rows per code
pair (both summed over the payer views), partner sets per column-1 code.
Figures are in docs/performance.md.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_national import load_prepared, make_claims, prepared_parser  # noqa: E402



def rss_mb() -> float:
    with open("/proc/self/statm") as statm:  # Linux: pages resident is the second field
        return int(statm.read().split()[1]) * 4096 / 2**20


def main() -> int:
    parser = prepared_parser(__doc__, 500_000)
    parser.add_argument("--batch", type=int, default=50_000)
    args = parser.parse_args()
    rules, universe = load_prepared(Path(args.data))
    ptp = next(t.table for t in rules.tables if t.kind == "ptp")
    lookups = [view.lookup for view in rules.views.values()]
    rng = random.Random(args.seed)
    print(f"{'claims':>9} | {'RSS MB':>6} | {'line-rule keys':>14} | {'PTP row pairs':>13} | partner sets")
    print(f"{0:>9,} | {rss_mb():>6.0f} | {'':>14} | {'':>13} |")
    done = 0
    while done < args.claims:
        count = min(args.batch, args.claims - done)
        for claim in make_claims(count, universe, rng):
            rules.evaluate(claim)
        done += count
        print(f"{done:>9,} | {rss_mb():>6.0f} | {sum(len(x.line_rule_cache) for x in lookups):>14,} | "
              f"{sum(len(x.row_cache) for x in lookups):>13,} | {len(ptp.partner_cache):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
