"""Loading speed of large rule files: about 1 MB of generated payer files, parsed and compiled.

    python benchmarks/bench_rules_load.py [--out DIR] [--kilobytes 1000] [--runs 3] [--profile N] [--cache DIR]

1. Writes ``--kilobytes`` of rule files to ``--out`` (once; kept there): payer files in the form of
   ``rulesets/payers/acme.rr``, each with its code sets, line rules, pair rules, a ``pairs`` block of a few
   hundred rows and a ``limits`` block (seeded, so the same text every time).
2. Loads the folder in fresh processes (``radrules.load(DIR, cache_dir=None)``, so no cache of an earlier
   load helps; with ``--cache DIR``, with that disk cache, which a first load fills, so that the files' parses
   are read back from it) and prints the time of the import, of building the Lark parser (once per process),
   of the load, and of its two stages: parsing the files and compiling the ruleset.
3. With ``--profile N``, prints the N functions of the load with the most time of their own (cProfile).

Figures for this machine are in docs/performance.md ("Loading").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

RADIOLOGY = [f"{code:05d}" for code in range(70010, 79999, 7)]
OTHERS = [f"{code:05d}" for code in range(10021, 69990, 53)] + [f"G{code:04d}" for code in range(100, 999, 9)]
MODIFIERS = ["26", "TC", "59", "XS", "XU", "RT", "LT", "76", "77", "GG", "KX", "50"]
PLACES = ["11", "19", "20", "21", "22", "23", "24"]
RATIONALES = ["Misuse of column two code with column one code", "Mutually exclusive procedures",
              "Standards of medical / surgical services", "CPT Manual or CMS manual coding instructions"]
MUE_REASONS = ["Code Descriptor / CPT Instruction", "Anatomic Consideration", "Clinical", "Policy"]


def payer_file(index: int, rng: random.Random) -> str:
    """One payer's rules, about 60 kB."""
    payer = f"payer{index:03d}"
    out = [f"# {payer}: generated payer policy (bench_rules_load.py); not a real payer's rules.", "",
           f'ruleset "{payer}" version "2026.{index % 12 + 1:02d}"', "",
           f"setting modifier_placement = either for payer {payer}", ""]
    sets = []
    for k in range(8):
        name = f"{payer}_set{k}"
        sets.append(name)
        codes = sorted(rng.sample(RADIOLOGY, 12))
        low = rng.choice(RADIOLOGY[:-20])
        out.append(f"codes {name} =\n    {', '.join(codes[:6])},\n    {', '.join(codes[6:])},\n"
                   f"    {low}-{RADIOLOGY[RADIOLOGY.index(low) + 10]}  # imaging group {k}")
    out.append(f"places {payer}_exempt = {', '.join(rng.sample(PLACES, 3))}")
    out.append(f"diagnoses {payer}_dx = Z12.31, Z12.39, R92.8, N63.10, C50.911")
    out.append("")
    for k in range(30):  # line rules
        a, b = rng.sample(sets, 2)
        modifier = rng.choice(MODIFIERS)
        condition = rng.choice([
            f"line.code in {a}\n   and (line.place_of_service is missing or line.place_of_service not in {payer}_exempt)"
            f"\n   and claim.prior_auth is missing",
            f"line.code in {a}\n   and not line.modifiers has {modifier}\n   and patient.age < {rng.randint(18, 70)}",
            f"line.code in [{a}, {b}]\n   and line.diagnoses has none of {payer}_dx\n   and line.units > "
            f"{rng.randint(1, 4)}",
            f"line.code is {rng.choice(RADIOLOGY)}\n   and line.modifiers has any of [{modifier}, 59, XU]"
            f"\n   and claim.type is professional",
        ])
        out.append(f'rule {payer}.line{k:02d} "{payer.upper()}-L{k:02d}"\n  for payer {payer}\n'
                   f"  effective 20{rng.randint(20, 26)}-0{rng.randint(1, 9)}-01\n  when {condition}\n"
                   f'  then {rng.choice(["deny", "review", "warn"])} line "{{line.code}} on {{line.date}}: '
                   f'{payer} policy {k} (line rule)"\n  carc CO-{rng.choice([50, 197, 151, 96])}\n'
                   f'  reference "{payer} medical policy {rng.randint(100, 999)}, section {k} (generated)"\nend\n')
    for k in range(12):  # pair rules
        a, b = rng.sample(sets, 2)
        out.append(f'rule {payer}.pair{k:02d} "{payer.upper()}-P{k:02d}"\n  for payer {payer}\n  kind coding\n'
                   f"  when line.code in {a}\n   and other.code in {b}\n"
                   f"   and line.modifiers has none of [59, XE, XS, XP, XU, 76, 77]\n"
                   f"   and other.modifiers has none of [59, XE, XS, XP, XU, 76, 77]\n"
                   f"   and not ptp edit between line and other\n"
                   f'  then warn both "{{line.code}} and {{other.code}} on {{line.date}}: {payer} pair policy {k}"\n'
                   f'  reference "{payer} coding policy {rng.randint(100, 999)} (generated)"\nend\n')
    out.append(f'pairs {payer}.ptp "{payer} bundling edits"\n  for payer {payer}\n'
               f'  reference "{payer} payment policy (generated)"')
    seen = set()
    while len(seen) < 360:
        pair = tuple(rng.sample(RADIOLOGY + OTHERS[:40], 2))
        if pair in seen:
            continue
        seen.add(pair)
        indicator = rng.choice(["allowed", "not allowed", "0", "1", "9"])
        dates = rng.choice(["", f" effective 20{rng.randint(10, 25)}-01-01",
                            f" effective 20{rng.randint(10, 18)}-04-01 through 20{rng.randint(19, 25)}-12-31"])
        out.append(f'  pair {pair[0]} with {pair[1]} modifier {indicator}{dates} "{rng.choice(RATIONALES)}"')
    out.append("end\n")
    out.append(f'limits {payer}.mue "{payer} unit limits"\n  for payer {payer}\n'
               f'  reference "{payer} unit limits (generated)"')
    for code in sorted(rng.sample(RADIOLOGY, 120)):
        out.append(f'  limit {code} max {rng.randint(1, 4)} mai {rng.randint(1, 3)} "{rng.choice(MUE_REASONS)}"')
    out.append("end\n")
    return "\n".join(out)


def generate(out: Path, kilobytes: int, seed: int) -> int:
    """Write the payer files (again if the folder holds another size or seed); the bytes written."""
    stamp = out / "generated.json"
    wanted = {"kilobytes": kilobytes, "seed": seed}
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted:
        return sum(path.stat().st_size for path in out.glob("*.rr"))
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.rr"):
        old.unlink()
    rng = random.Random(seed)
    total = index = 0
    while total < kilobytes * 1000:
        text = payer_file(index, rng)
        (out / f"payer{index:03d}.rr").write_text(text, encoding="utf-8")
        total += len(text.encode())
        index += 1
    stamp.write_text(json.dumps(wanted))
    return total


_PROBE = """
import json, sys, time
start = time.perf_counter()
import radrules
from radrules import grammar, loader
imported = time.perf_counter()
grammar.rule_parser()
built = time.perf_counter()
spent = {"parse": 0.0, "compile": 0.0}

def timed(stage, function):
    def run(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[stage] += time.perf_counter() - began
    return run

loader._parse = timed("parse", loader._parse)
loader.compile_ruleset = timed("compile", loader.compile_ruleset)
rules = radrules.load(sys.argv[1], cache_dir=sys.argv[2] or None)
loaded = time.perf_counter()
print(json.dumps({"import": imported - start, "parser": built - imported, "load": loaded - built, **spent,
                  "rules": len(rules.rules), "rows": len(rules.rows)}))
"""


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--out", type=Path, default=Path("/tmp/radrules-bench-rules"))
    arguments.add_argument("--kilobytes", type=int, default=1000)
    arguments.add_argument("--seed", type=int, default=1)
    arguments.add_argument("--runs", type=int, default=3)
    arguments.add_argument("--profile", type=int, default=0, metavar="N")
    arguments.add_argument("--cache", type=Path, metavar="DIR",
                           help="load with this disk cache (a first load, not timed, fills it): parses read back")
    args = arguments.parse_args()
    size = generate(args.out, args.kilobytes, args.seed)
    files = len(list(args.out.glob("*.rr")))
    env = dict(os.environ, RADRULES_CACHE_DIR="")
    command = [sys.executable, "-c", _PROBE, str(args.out), str(args.cache or "")]
    runs = [json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)
            for _ in range(args.runs + bool(args.cache))][bool(args.cache):]
    print(f"{files} rule files, {size:,} bytes; {runs[0]['rules']:,} rules, {runs[0]['rows']:,} edit rows")
    for name, what in (("import", "import radrules"), ("parser", "build the Lark parser"),
                       ("load", "load (parse + compile)"), ("parse", "  parse the files"),
                       ("compile", "  compile the ruleset")):
        values = [run[name] for run in runs]
        print(f"{what:28} median {statistics.median(values):6.3f} s   runs {', '.join(f'{v:.3f}' for v in values)}")
    if args.profile:
        import cProfile
        import pstats

        import radrules

        radrules.load(args.out, cache_dir=None)  # the parser built
        from radrules import loader

        loader.clear_memory_cache()
        profile = cProfile.Profile()
        profile.runcall(radrules.load, args.out, cache_dir=None)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)


if __name__ == "__main__":
    main()
