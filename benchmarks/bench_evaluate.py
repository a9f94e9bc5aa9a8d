"""Evaluation speed of the bundled rulesets: µs per claim by claim size, and compile time.

    python benchmarks/bench_evaluate.py [--claims 2000] [--repeat 5] [--rules PATH] [--code-sets]

Claims are generated with a fixed seed from the codes the bundled rules use,
so most lines meet some rule. Each claim is evaluated ``--repeat`` times; the
table shows the median and the 90th percentile of the per-claim time, for
claims given as ``radrules.Claim`` objects (evaluation only) and as dicts
(``Claim.from_dict`` included).

A second table shows what ``explain`` costs: the evaluator called directly
(``radrules.evaluator.evaluate``, which holds no explain code), the same
through ``Ruleset.evaluate`` with explain off (the default), and with
``explain=True``.

``--code-sets`` evaluates a copy of the rules that also loads synthetic
code sets of national size (8,000 HCPCS Level II codes and 400 modifiers,
98,000 ICD-10-CM codes, the benchmark's own codes and diagnoses among them:
random codes, REDACTED descriptions, not CMS data), to measure the cost of
the ``codes.*`` checks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import string
import tempfile
import time
from pathlib import Path

import radrules
from radrules import evaluator, loader

CODES = [
    "70450", "70460", "70470", "70551", "70553", "71045", "71046", "71250", "71260", "71271",
    "72148", "72192", "72193", "73562", "73721", "74150", "74160", "74176", "74177", "74178",
    "76376", "76377", "76700", "76705", "77063", "77065", "77066", "77067", "G0279", "Q9967",
]
MODIFIERS = ["26", "TC", "59", "XE", "XS", "RT", "LT", "50", "76", "GG", "KX"]
DIAGNOSES = ["R10.9", "Z12.31", "Z87.891", "R07.9", "M54.50", "R51.9", "N63.10", "K57.30"]
PAYERS = ["medicare", "acme", "bcbs"]


def make_claim(rng: random.Random, lines: int, number: int) -> dict:
    day = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(300))
    diagnoses = rng.sample(DIAGNOSES, 3)
    out = []
    for _ in range(lines):
        modifiers = rng.sample(MODIFIERS, rng.choice((0, 0, 1, 1, 2)))
        out.append({
            "code": rng.choice(CODES),
            "modifiers": modifiers,
            "units": rng.choice((1, 1, 1, 2)),
            "date": (day + dt.timedelta(days=rng.choice((0, 0, 0, 1)))).isoformat(),
            "diagnosis_pointers": [rng.randint(1, 3)],
            "charge": 100.0,
        })
    return {
        "id": f"B-{number}",
        "type": "professional",
        "payer": rng.choice(PAYERS),
        "patient": {"birth_date": f"{rng.randint(1930, 2000)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                    "sex": rng.choice("FM")},
        "place_of_service": rng.choice(("11", "22", "23")),
        "prior_auth": rng.choice((None, "PA1")),
        "received": (day + dt.timedelta(days=20)).isoformat(),
        "diagnoses": diagnoses,
        "lines": out,
    }


def with_code_sets(rules: str | None, folder: Path) -> Path:
    """A copy of ``rules`` (default: bundled) in ``folder`` that also loads synthetic code sets."""
    from radrules import _resources

    source = Path(rules) if rules else _resources.bundled_rulesets()
    root = folder / "rules"
    if source.is_dir():
        shutil.copytree(source, root, ignore=shutil.ignore_patterns("*.rrt"))
    else:
        root.mkdir()
        shutil.copy(source, root / source.name)
    rng = random.Random(11)
    codes = {code for code in CODES if not code[0].isdigit()}
    while len(codes) < 8000:
        codes.add(rng.choice("ABCEGHJKLPQRSTV") + f"{rng.randrange(10000):04d}")
    modifiers = {m for m in MODIFIERS if m[0].isalpha()}
    while len(modifiers) < 400:
        modifiers.add(rng.choice(string.ascii_uppercase) + rng.choice(string.ascii_uppercase + string.digits))

    def record(code: str, recid: str) -> str:
        head = (code if len(code) == 5 else "   " + code) + "00100" + recid
        return ((head + "REDACTED").ljust(268) + "20000101" * 2).ljust(292) + "N" + " " * 27

    lines = [record(m, "7") for m in sorted(modifiers)] + [record(c, "3") for c in sorted(codes)]
    (root / "HCPC2026_JAN_ANWEB.txt").write_text("\r\n".join(lines) + "\r\n", encoding="latin-1")
    diagnoses = {d.replace(".", "") for d in DIAGNOSES}
    while len(diagnoses) < 98000:
        diagnoses.add(rng.choice(string.ascii_uppercase) + f"{rng.randrange(100):02d}"
                      + "".join(rng.choice(string.digits) for _ in range(rng.randrange(5))))
    order = [f"{n:05d} {code:<7} {int(len(code) > 3)} {'REDACTED':<60} REDACTED"
             for n, code in enumerate(sorted(diagnoses), 1)]
    (root / "icd10cm_order_2026.txt").write_text("\n".join(order) + "\n", encoding="latin-1")
    (root / "icd10cm_order_2027.txt").write_bytes((root / "icd10cm_order_2026.txt").read_bytes())
    (root / "zz_codesets.rr").write_text('table hcpcs "HCPC2026_JAN_ANWEB.txt"\n'
                                          'table icd10cm "icd10cm_order_2026.txt"\n'
                                          'table icd10cm "icd10cm_order_2027.txt"\n', encoding="utf-8")
    return root


def measure(evaluate, claims, repeat: int) -> list[float]:
    """Per-claim times in µs of ``evaluate(claim)`` (the best of ``repeat`` runs of each claim)."""
    times = []
    for claim in claims:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            evaluate(claim)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1e6)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=2000, help="claims per size")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rules", default=None, help="rule file or folder (default: bundled)")
    parser.add_argument("--code-sets", action="store_true",
                        help="also load synthetic national-size HCPCS and ICD-10-CM code sets")
    args = parser.parse_args()
    if args.code_sets:
        temporary = tempfile.TemporaryDirectory()
        args.rules = str(with_code_sets(args.rules, Path(temporary.name)))

    rows = []
    compile_times = []
    for _ in range(5):
        loader._CACHE.clear()
        loader._PARSED.clear()
        start = time.perf_counter()
        ruleset = radrules.load(args.rules)
        compile_times.append((time.perf_counter() - start) * 1e3)
    rng = random.Random(7)
    explain_rows = []
    for size in (1, 5, 20):
        dicts = [make_claim(rng, size, i) for i in range(args.claims)]
        objects = [radrules.Claim.from_dict(d) for d in dicts]
        for claim in objects[:50]:
            ruleset.evaluate(claim)
        object_times = measure(ruleset.evaluate, objects, args.repeat)
        dict_times = measure(ruleset.evaluate, dicts, args.repeat)
        findings = sum(len(ruleset.evaluate(c).findings) for c in objects) / len(objects)
        rows.append((size, statistics.median(object_times), percentile(object_times, 0.9),
                     statistics.median(dict_times), findings))
        # explain: the evaluator alone (no explain code at all), evaluate() with explain off, and on
        engine = measure(lambda claim: evaluator.evaluate(ruleset, claim), objects, args.repeat)
        explained = measure(lambda claim: ruleset.evaluate(claim, explain=True), objects, args.repeat)
        explain_rows.append((size, statistics.median(engine), statistics.median(object_times),
                             statistics.median(explained)))

    print(f"ruleset: {ruleset.name} ({len(ruleset.rules)} rules, {len(ruleset.rows)} edit rows)")
    print(f"compile (parse + compile, no cache): median {statistics.median(compile_times):.1f} ms "
          f"of {len(compile_times)} runs")
    print()
    print(f"{'lines':>5} | {'median µs':>10} | {'p90 µs':>8} | {'median µs (dict)':>16} | {'findings/claim':>14}")
    print(f"{'-' * 5}-+-{'-' * 10}-+-{'-' * 8}-+-{'-' * 16}-+-{'-' * 14}")
    for size, median, p90, dict_median, findings in rows:
        print(f"{size:>5} | {median:>10.1f} | {p90:>8.1f} | {dict_median:>16.1f} | {findings:>14.2f}")
    print()
    print("explain (median µs): the evaluator alone, evaluate() with explain off, with explain on")
    print(f"{'lines':>5} | {'evaluator':>9} | {'explain off':>11} | {'off / alone':>11} | {'explain on':>10}")
    print(f"{'-' * 5}-+-{'-' * 9}-+-{'-' * 11}-+-{'-' * 11}-+-{'-' * 10}")
    for size, engine, off, on in explain_rows:
        print(f"{size:>5} | {engine:>9.1f} | {off:>11.1f} | {off / engine:>10.2f}x | {on:>10.1f}")


if __name__ == "__main__":
    main()
