"""National-scale benchmark: full-size CMS tables plus the bundled rulesets.

    python benchmarks/bench_national.py [--data DIR] [--ptp-rows 2600000] [--hospital-rows 0]
                                        [--claims 100000] [--stages]

1. Writes synthetic CMS files in the published layouts with
   ``generate_cms_tables.py`` (once; kept in ``--data``), and a ruleset folder
   holding ``table`` statements for them and a copy of the bundled rulesets.
2. Cold load (no disk cache) and warm load (from radrules' table cache) are
   timed in fresh processes, which also report their peak RSS.
3. Generates ``--claims`` claims (1-12 lines, median 4) and times
   ``evaluate()`` claim by claim: with the full ruleset, and with the tables
   alone (PTP + MUE + add-on) against a hand-written plain-dict
   implementation of the same PTP and MUE checks on the same claims. The
   full ruleset then evaluates as many new claims (the next seed): the rate
   once the lookup caches hold what claims ask for (a long-running process). With
   ``--hospital-rows`` N > 0, hospital outpatient PTP and MUE tables are
   loaded ``for institutional claims`` too, and a third of the claims are
   institutional (both implementations judge those by the hospital tables).
4. Compares the two implementations' PTP and MUE findings on the first 5,000
   claims and on 2,000 claims on the edges of PTP rows (the day before a
   row's effective date, that date, its deletion date, the day after), rows
   of indicator 9, and codes billed twice on a date: the generated claims,
   dated after every deletion date, never reach those edges.

Prints one table; with ``--stages``, also the median and mean time of each stage of
``evaluate()`` on the 4-line claims. Figures for this machine are in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

MODIFIERS = ["26", "TC", "59", "XS", "XU", "RT", "LT", "76", "25", "91"]
RADIOLOGY = [
    "70450", "70460", "70470", "70551", "70552", "70553", "71045", "71046", "71047", "71048", "71250", "71260",
    "71270", "71271", "71275", "72192", "72193", "72194", "72148", "73721", "73722", "73723", "73562", "74150",
    "74160", "74170", "74176", "74177", "74178", "76376", "76377", "76700", "76705", "76770", "76775", "77063",
    "77065", "77066", "77067", "G0279", "Q9967", "99213", "36415",
]


# ---------------------------------------------------------------- data


def prepare(data: Path, args) -> Path:
    """Generate the CMS files (if missing or of another size) and the ruleset folder."""
    rules = data / "rules"
    cms = rules / "cms"
    stamp = cms / "generated.json"
    wanted = {"ptp_rows": args.ptp_rows, "hospital_rows": args.hospital_rows, "mue_codes": args.mue_codes,
              "pctc_rows": args.pctc_rows, "seed": args.seed}
    if args.addon_rows != 1_000:  # (a stamp of the files made before the option stays good)
        wanted["addon_rows"] = args.addon_rows
    if not stamp.is_file() or json.loads(stamp.read_text()) != wanted:
        if cms.exists():
            shutil.rmtree(cms)
        cms.mkdir(parents=True)
        command = [sys.executable, str(HERE / "generate_cms_tables.py"), str(cms), "--ptp-rows", str(args.ptp_rows),
                   "--hospital-rows", str(args.hospital_rows), "--mue-codes", str(args.mue_codes),
                   "--addon-rows", str(args.addon_rows), "--pctc-rows", str(args.pctc_rows), "--seed", str(args.seed)]
        if args.ptp_rows < 1000:
            command += ["--ptp-parts", "1"]
        started = time.perf_counter()
        subprocess.run(command, check=True)
        print(f"generated synthetic CMS files in {time.perf_counter() - started:.1f} s")
        stamp.write_text(json.dumps(wanted))
    practitioner = sorted(p.name for p in cms.glob("ccipra-*.TXT"))
    hospital = sorted(p.name for p in cms.glob("ccioph-*.TXT"))
    lines = ["# national tables for the benchmark (synthetic files in the CMS layouts)",
             "table ptp " + ", ".join(f'"cms/{name}"' for name in practitioner),
             'table mue "cms/MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"',
             'table addon "cms/aoc_v2026q3.csv"',
             'table pctc "cms/PPRRVU26_JUL.csv"']
    if hospital:
        lines.append("table ptp " + ", ".join(f'"cms/{name}"' for name in hospital) + " for institutional claims")
        lines.append('table mue "cms/MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv" for institutional claims')
    (rules / "tables.rr").write_text("\n".join(lines) + "\n")
    from radrules import _resources

    bundled = rules / "bundled"
    if bundled.exists():
        shutil.rmtree(bundled)
    shutil.copytree(_resources.bundled_rulesets(), bundled)
    return rules


_LOAD_PROBE = """
import json, resource, sys, time
start = time.perf_counter()
import radrules
rules = radrules.load(sys.argv[1])
elapsed = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "rss_mb": rss, "rows": sum(len(t.table) for t in rules.tables if t.kind == "ptp"),
                  "cache": sorted({t.from_cache for t in rules.tables})}))
"""


def load_in_fresh_process(rules: Path, cache_dir: str) -> dict:
    env = dict(os.environ, RADRULES_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", _LOAD_PROBE, str(rules)], check=True, capture_output=True,
                         text=True, env=env)
    return json.loads(out.stdout)


# ---------------------------------------------------------------- claims


CONTRAST_AGENTS = {"Q9965", "Q9966", "Q9967"}


def make_claims(count: int, universe: list[str], rng: random.Random, institutional: float = 0.0) -> list[dict]:
    """1-12 lines, median 4; mostly radiology codes that meet each other in the tables.

    Units are 1 on nine lines in ten and 2 on the tenth (a bilateral or repeat
    study), except contrast agents, billed per mL (50-150). With
    ``institutional`` (when hospital tables are loaded), that share of the
    claims are institutional; without it the claims are those of earlier runs.
    """
    sizes = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9, 10, 11, 12]  # 12 of 23 at most 4: median 4
    claims = []
    for number in range(count):
        size = rng.choice(sizes)
        day = dt.date(2026, 7, 1) + dt.timedelta(days=rng.randrange(150))
        lines = []
        for _ in range(size):
            code = rng.choice(RADIOLOGY) if rng.random() < 0.7 else rng.choice(universe)
            lines.append({
                "code": code,
                "modifiers": rng.sample(MODIFIERS, rng.choice((0, 0, 0, 1, 1, 2))),
                "units": rng.randint(50, 150) if code in CONTRAST_AGENTS else rng.choice((1,) * 9 + (2,)),
                "date": (day if rng.random() < 0.85 else day + dt.timedelta(days=1)).isoformat(),
                "diagnosis_pointers": [1],
            })
        kind = "institutional" if institutional and rng.random() < institutional else "professional"
        claims.append({
            "id": f"N-{number}", "type": kind, "payer": rng.choice(("medicare", "acme", "bcbs")),
            "patient": {"birth_date": "1956-04-02", "sex": rng.choice("FM")}, "place_of_service": "11",
            "prior_auth": "PA1", "received": (day + dt.timedelta(days=14)).isoformat(),
            "diagnoses": ["R10.9", "Z12.31"], "lines": lines,
        })
    return claims


def prepared_parser(doc: str, claims: int) -> argparse.ArgumentParser:
    """Options of the scripts that run on a folder this script prepared (``--data``)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--data", required=True, help="a folder bench_national.py prepared")
    parser.add_argument("--claims", type=int, default=claims)
    parser.add_argument("--seed", type=int, default=1)
    return parser


def load_prepared(data: Path):
    """The ruleset of a prepared folder (from its table cache) and the PTP table's codes, for ``make_claims``."""
    import radrules

    rules = radrules.load(data / "rules", cache_dir=data / "cache")
    return rules, list(next(t.table for t in rules.tables if t.kind == "ptp").codes)


def time_each(function, claims) -> list[float]:
    times = []
    clock = time.perf_counter
    for claim in claims:
        start = clock()
        function(claim)
        times.append(clock() - start)
    return times


# ---------------------------------------------------------------- plain-dict implementation


def window_claims(plain: "PlainDict", rng: random.Random, count: int) -> list:
    """Claims that test the edges the generated claims never reach (they are dated after every deletion
    date): a PTP row's pair on the day before its effective date, on it, on its deletion date and the
    day after, rows of indicator 9, and a code billed twice on one date (MAI 1 lines judged alone)."""
    import radrules

    rows = [(pair, row) for pair, found in plain.ptp["professional"].items() for row in found]
    limited = sorted(plain.mue["professional"])
    out = []
    for number in range(count):
        (column1, column2), (start, end, _) = rng.choice(rows)
        edges = [start - 1, start] + ([end, end + 1] if end is not None else [start + 1])
        day = dt.date.fromordinal(rng.choice(edges)).isoformat()
        lines = [{"code": column1, "date": day}, {"code": column2, "date": day,
                                                  "modifiers": rng.choice(([], ["59"], ["LT"]))}]
        if limited and rng.random() < 0.3:
            code = rng.choice(limited)
            lines += [{"code": code, "date": day, "units": rng.randint(1, 3)} for _ in range(2)]
        out.append(radrules.Claim.from_dict({"id": f"W-{number}", "type": "professional", "payer": "bcbs",
                                             "diagnoses": ["R10.9"], "lines": lines}))
    return out


class PlainDict:
    """The PTP and MUE checks of domain.md §1-§2 with plain dicts: the speed baseline."""

    BYPASS = {"59", "XE", "XS", "XP", "XU", "24", "25", "27", "57", "58", "78", "79", "91"}
    ANATOMIC = {"E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA", "T1",
                "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD", "LM", "RC", "RI"}

    def __init__(self, cms: Path):
        # claim type -> (code 1, code 2) -> rows; claim type -> code -> (limit, MAI)
        self.ptp = {"professional": self._ptp(cms.glob("ccipra-*.TXT")),
                    "institutional": self._ptp(cms.glob("ccioph-*.TXT"))}
        self.mue = {"professional": self._mue(cms / "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"),
                    "institutional": self._mue(cms / "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv")}

    @staticmethod
    def _ptp(paths) -> dict:
        ptp: dict = {}
        for path in sorted(paths):
            with open(path, encoding="latin-1") as handle:
                for line in handle:
                    fields = line.rstrip("\r\n").split("\t")
                    if len(fields) != 7 or not fields[3].isdigit():
                        continue
                    start = dt.date(int(fields[3][:4]), int(fields[3][4:6]), int(fields[3][6:])).toordinal()
                    end = None if fields[4] == "*" else dt.date(
                        int(fields[4][:4]), int(fields[4][4:6]), int(fields[4][6:])).toordinal()
                    ptp.setdefault((fields[0], fields[1]), []).append((start, end, int(fields[5])))
        return ptp

    @staticmethod
    def _mue(path: Path) -> dict:
        import csv

        mue: dict = {}
        if path.exists():
            with open(path, encoding="latin-1", newline="") as handle:
                for row in csv.reader(handle):
                    if len(row) >= 3 and row[1].isdigit() and row[2][:1] in "123":
                        mue[row[0]] = (int(row[1]), int(row[2][0]))
        return mue

    def check(self, claim) -> tuple:
        """(PTP denials as (column 2 line, column 1 line), MUE-denied lines), by the claim type's tables."""
        lines = claim.lines
        days = [line.date.toordinal() for line in lines]
        mods = [frozenset(line.modifiers) for line in lines]
        denied_ptp = []
        ptp = self.ptp[claim.type]
        mue = self.mue[claim.type]
        for i, a in enumerate(lines):
            for j, b in enumerate(lines):
                if i == j or days[i] != days[j]:
                    continue
                rows = ptp.get((a.code, b.code))
                if not rows:
                    continue
                day = days[i]
                for start, end, indicator in rows:
                    if indicator == 9 or day < start or (end is not None and day > end):
                        continue
                    if indicator == 1 and (mods[j] & self.BYPASS or (mods[j] & self.ANATOMIC) - mods[i]):
                        continue
                    denied_ptp.append((j + 1, i + 1))
                    break
        denied_mue = []
        groups: dict = {}
        for number, line in enumerate(lines, 1):
            limit = mue.get(line.code)
            if limit is None:
                continue
            if limit[1] == 1:
                if line.units > limit[0]:
                    denied_mue.append((number,))
            else:
                groups.setdefault((line.code, days[number - 1]), []).append(number)
        for (code, _), numbers in groups.items():
            if sum(lines[n - 1].units for n in numbers) > mue[code][0]:
                denied_mue.append(tuple(numbers))
        return denied_ptp, denied_mue


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(HERE / "data" / "national"),
                        help="where the generated files, their rule folder and their table cache live; made if "
                             "missing, the files generated again if made with other sizes, the cache (DATA/cache) "
                             "emptied at every run (default: %(default)s)")
    parser.add_argument("--ptp-rows", type=int, default=2_600_000, help="practitioner PTP rows (default: %(default)s)")
    parser.add_argument("--hospital-rows", type=int, default=0,
                        help="hospital PTP rows; then a third of the claims are institutional (default: 0, none)")
    parser.add_argument("--mue-codes", type=int, default=15_000,
                        help="MUE rows, the universe of codes (default: %(default)s)")
    parser.add_argument("--addon-rows", type=int, default=1_000, help="add-on code rows (default: %(default)s)")
    parser.add_argument("--pctc-rows", type=int, default=10_000, help="PPRRVU rows (default: %(default)s)")
    parser.add_argument("--claims", type=int, default=100_000, help="claims to evaluate (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="of the files and the claims (default: %(default)s)")
    parser.add_argument("--stages", action="store_true", help="also print where a 4-line claim's time goes")
    args = parser.parse_args()

    data = Path(args.data)
    rules_dir = prepare(data, args)
    cache_dir = data / "cache"
    if cache_dir.exists():
        shutil.rmtree(cache_dir)

    cold = load_in_fresh_process(rules_dir, "")
    load_in_fresh_process(rules_dir, str(cache_dir))  # fills the disk cache
    warm = load_in_fresh_process(rules_dir, str(cache_dir))

    import radrules

    full, universe = load_prepared(data)
    tables_only = radrules.load(rules_dir / "tables.rr", cache_dir=cache_dir)  # the tables alone
    # With hospital tables, a third of the claims are institutional, so that those tables are evaluated too.
    share = 1 / 3 if args.hospital_rows else 0.0
    claims = [radrules.Claim.from_dict(c)
              for c in make_claims(args.claims, universe, random.Random(args.seed), institutional=share)]
    four = [c for c in claims if len(c.lines) == 4]

    for claim in claims[:2000]:  # warm up
        full.evaluate(claim)
        tables_only.evaluate(claim)

    started = time.perf_counter()
    for claim in claims:
        full.evaluate(claim)
    rate = len(claims) / (time.perf_counter() - started)
    # As many new claims (the next seed), now that the lookup caches hold what claims ask for: the rate
    # of a process that has run for a while. (The same claims again would be quicker still, and not real:
    # what the first pass made for them would be read back in the order it was made.)
    later = [radrules.Claim.from_dict(c) for c in make_claims(args.claims, universe, random.Random(args.seed + 1),
                                                              institutional=share)]
    started = time.perf_counter()
    for claim in later:
        full.evaluate(claim)
    later_rate = len(later) / (time.perf_counter() - started)
    del later
    started = time.perf_counter()
    for claim in claims:
        tables_only.evaluate(claim)
    tables_rate = len(claims) / (time.perf_counter() - started)
    full_four = statistics.median(time_each(full.evaluate, four)) * 1e6
    tables_four = statistics.median(time_each(tables_only.evaluate, four)) * 1e6

    started = time.perf_counter()
    plain = PlainDict(rules_dir / "cms")
    plain_build = time.perf_counter() - started
    plain_four = statistics.median(time_each(plain.check, four)) * 1e6
    started = time.perf_counter()
    for claim in claims:
        plain.check(claim)
    plain_rate = len(claims) / (time.perf_counter() - started)

    mismatches = 0
    checked = claims[:5000] + window_claims(plain, random.Random(args.seed + 2), 2000)
    institutional = sum(claim.type == "institutional" for claim in checked)
    for claim in checked:
        result = tables_only.evaluate(claim)
        engine = (sorted((f.lines[0], f.related_lines[0]) for f in result.findings if f.rule == "ncci.ptp"),
                  sorted(f.lines for f in result.findings if f.rule == "ncci.mue"))
        expected = plain.check(claim)
        mismatches += engine != (sorted(expected[0]), sorted(expected[1]))

    rows = [
        ("PTP rows loaded (practitioner" + (" + hospital)" if args.hospital_rows else ")"), f"{cold['rows']:,}", ""),
        ("cold load, no cache (fresh process)", f"{cold['seconds']:.2f} s", "<= 15 s"),
        ("warm load from table cache (fresh process)", f"{warm['seconds']:.2f} s", "<= 2 s"),
        ("peak RSS, tables + bundled rules loaded", f"{max(cold['rss_mb'], warm['rss_mb']):.0f} MB", "<= 600 MB"),
        (f"evaluate(), 4-line claims, median ({len(four):,} claims)", f"{full_four:.1f} µs", "<= 25 µs"),
        ("claims/s, one core, all claims (1-12 lines)", f"{rate:,.0f}", ">= 40,000"),
        ("claims/s, as many new claims after those", f"{later_rate:,.0f}", ""),
        ("claims/s, one core, tables only (PTP + MUE + add-on)", f"{tables_rate:,.0f}", ""),
        ("evaluate(), tables only, 4-line median", f"{tables_four:.1f} µs", ""),
        ("plain-dict PTP+MUE, 4-line median", f"{plain_four:.1f} µs", ""),
        ("claims/s, one core, plain-dict PTP+MUE", f"{plain_rate:,.0f}", ""),
        ("engine / plain dict (same checks)", f"{tables_four / plain_four:.2f}x", "<= 3x"),
        (f"PTP/MUE disagreements with plain dict ({len(checked):,} claims, {len(checked) - min(len(claims), 5000):,} "
         "on window edges)", f"{mismatches}", "0"),
        *([("of those claims, institutional (hospital tables)", f"{institutional:,}", "")]
          if args.hospital_rows else []),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\nradrules national benchmark: {args.claims:,} claims, Python {sys.version.split()[0]}")
    print(f"{'measure':<{width}} | {'value':>12} | floor")
    print(f"{'-' * width}-+-{'-' * 12}-+-{'-' * 10}")
    for name, value, floor in rows:
        print(f"{name:<{width}} | {value:>12} | {floor}")
    print(f"plain-dict comparison: engine (tables only) {tables_four:.1f} µs vs plain dict {plain_four:.1f} µs "
          f"per 4-line claim = {tables_four / plain_four:.2f}x (plain-dict build {plain_build:.1f} s)")
    if args.stages:
        print_stages(full, four)
    return 1 if mismatches else 0


def print_stages(ruleset, claims) -> None:
    """Median and mean µs of each evaluation stage over ``claims`` (the stages of ``evaluator.evaluate``)."""
    from radrules import addons, checks, evaluator
    from radrules.result import build_result

    stages = {
        "claim setup (line views, date groups)": None,
        "format checks": lambda ev, found: checks.check_format(ev, found),
        "line rules": lambda ev, found: evaluator._line_rules(ev, ev.lookup, found),
        "pairs: PTP index and pair rules": lambda ev, found: evaluator._pairs(ev, ev.lookup, found),
        "unit limits (MUE)": lambda ev, found: evaluator._unit_limits(ev, ev.lookup, found),
        "claim rules": lambda ev, found: evaluator._claim_rules(ev, ev.lookup, found),
        "add-on codes": lambda ev, found: addons.judge_addons(ev, ev.lookup, found),
        "result (sort, statuses)": None,
    }
    times = {name: [] for name in stages}
    clock = time.perf_counter
    for claim in claims:
        view = ruleset.view_for(claim.payer, claim.type)
        start = clock()
        ev = evaluator.Evaluation(claim, view)
        ev.lookup = view.lookup
        times["claim setup (line views, date groups)"].append(clock() - start)
        found: list = []
        for name, stage in stages.items():
            if stage is not None:
                start = clock()
                stage(ev, found)
                times[name].append(clock() - start)
        start = clock()
        build_result(claim.id, len(ev.lines), found)
        times["result (sort, statuses)"].append(clock() - start)
    width = max(map(len, times))
    print(f"\nwhere a 4-line claim's time goes (µs per stage, median | mean, {len(claims):,} claims;"
          " the means add up to the mean claim):")
    for name, values in times.items():
        print(f"{name:<{width}} | {statistics.median(values) * 1e6:5.1f} | {statistics.mean(values) * 1e6:5.1f}")


if __name__ == "__main__":
    sys.exit(main())
