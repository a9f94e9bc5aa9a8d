"""What each bundled rule costs: the claims/s with every rule, with the tables alone, and with each rule left out.

    python benchmarks/ablate_rules.py --data /tmp/natc --claims 30000

``--data`` is a folder that ``bench_national.py`` prepared (its ``rules``
and table cache). For each ``rule`` of the bundled rule files (in its copy
under ``DATA/rules/bundled``), the rules are copied to a temporary folder
without that rule, loaded, and timed on the same generated claims (the best
of ``--passes`` passes after a warm-up). The full ruleset is timed first and
last, so that the drift of the machine over the run can be told from what a
rule costs.
"""

from __future__ import annotations

import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_national import load_prepared, make_claims, prepared_parser  # noqa: E402

RULE = re.compile(r"^rule (\S+).*?^end\n", re.S | re.M)


def _drop_disables(folder: Path, rule: str) -> None:
    """Drop the `disable rule` statements of ``rule`` from the rule files under ``folder`` (a rule left out can't
    be disabled: RR308)."""
    statement = re.compile(rf"^disable rule {re.escape(rule)}(?![\w.]).*\n", re.M)
    for path in folder.rglob("*.rr"):
        text = path.read_text(encoding="utf-8")
        if statement.search(text):
            path.write_text(statement.sub("", text), encoding="utf-8")


def rate(ruleset, claims, passes: int) -> float:
    for claim in claims[:2000]:
        ruleset.evaluate(claim)
    best = 0.0
    for _ in range(passes):
        started = time.perf_counter()
        for claim in claims:
            ruleset.evaluate(claim)
        best = max(best, len(claims) / (time.perf_counter() - started))
    return best


def main() -> int:
    parser = prepared_parser(__doc__, 30_000)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    import radrules

    data = Path(args.data)
    full, universe = load_prepared(data)
    claims = [radrules.Claim.from_dict(c) for c in make_claims(args.claims, universe, random.Random(args.seed))]
    source = data / "rules"
    first = rate(full, claims, args.passes)
    tables = rate(radrules.load(source / "tables.rr", cache_dir=data / "cache"), claims, args.passes)
    print(f"every rule {first:,.0f} claims/s; tables alone {tables:,.0f}")
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch) / "rules"
        for path in sorted((source / "bundled").rglob("*.rr")):
            text = path.read_text(encoding="utf-8")
            for match in RULE.finditer(text):
                if work.exists():
                    shutil.rmtree(work)
                shutil.copytree(source, work)
                (work / path.relative_to(source)).write_text(text[:match.start()] + text[match.end():],
                                                             encoding="utf-8")
                _drop_disables(work, match.group(1))
                without = rate(radrules.load(work, cache_dir=data / "cache"), claims, args.passes)
                rows.append((match.group(1), without))
                print(f"without {match.group(1):42} {without:8,.0f} claims/s", flush=True)
    last = rate(full, claims, args.passes)
    print(f"every rule again {last:,.0f} claims/s (drift over the run: {last / first - 1:+.1%})")
    middle = (first + last) / 2
    print("\nµs a claim saved by leaving each rule out, against the mean of the two full runs:")
    for name, without in sorted(rows, key=lambda row: -row[1]):
        print(f"{name:42} {1e6 / middle - 1e6 / without:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
