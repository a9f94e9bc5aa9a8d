#!/usr/bin/env python3
"""Write synthetic CMS edit tables in the exact published layouts, at national size.

The quarterly CMS files that radrules loads (NCCI PTP edits, MUE tables, the add-on
code file, the MPFS relative value file) sit behind the CMS/AMA licence click-through or
carry AMA-copyrighted descriptors, so they cannot be bundled. This script writes files
with the same *layout* -- file names, encoding, line ends, preambles, wrapped or stacked
headers, field formats -- filled with *synthetic* rows, so the loaders and the benchmarks
can run on full-size input. **None of the rows is CMS data**: the code numbers are drawn
from the valid code shapes, every pair, date, unit limit, indicator and RVU is random
(seeded), and no CPT descriptor text is written (the RVU description column says
``REDACTED``, as in the published excerpt).

Usage::

    python benchmarks/generate_cms_tables.py OUTDIR [--ptp-rows 2600000] [--ptp-parts 4]
        [--hospital-rows 0] [--mue-codes 15000] [--addon-rows 1000] [--pctc-rows 10000]
        [--seed 1] [--check | --check-only]

``--check`` re-reads every file just written and asserts the layout invariants;
``--check-only`` checks the files already in OUTDIR without writing anything.

Files written into OUTDIR (layouts from docs ``domain.md`` section 8 and the real
specimens in ``reference/cms-specimens``):

``ccipra-v322r0-f1.TXT`` ... ``-f{N}.TXT`` -- practitioner PTP edits (domain.md 8.1)
    Latin-1, tab-delimited, CRLF line ends. Each part starts with the six tab-padded
    preamble lines of the real file (copyright year 2025, two spaces after
    "Association."). Data rows have 7 fields: column 1 code, column 2 code, ``*`` or
    empty ("in existence prior to 1996"), effective date ``YYYYMMDD`` (first day of a
    quarter), deletion date ``YYYYMMDD`` (last day of a quarter) or ``*`` (active),
    modifier indicator 0/1/9, rationale text. The whole table is sorted by column 1 then
    column 2 (byte order) and split into N parts of equal row count (+-1) in that order,
    so one column-1 code may straddle two parts. About 5% of (column 1, column 2) keys
    appear on two rows with different date windows (an older deleted row and a newer
    one, or an indicator-9 row deleted on its effective date plus an active row); the
    two rows are adjacent, the older first. Indicator-9 rows have deletion date ==
    effective date; rows marked ``*`` "prior to 1996" have effective date 19960101.
``ccioph-v321r0-f1.TXT`` ... -- hospital outpatient PTP edits, same layout
    (only with ``--hospital-rows N`` > 0).
``MCR_MUE_PractitionerServices_Eff_07-01-2026.csv`` -- practitioner MUE table (8.2)
    Latin-1, LF line ends (as the specimen). Record 1 is the quoted multi-line AMA
    notice (with the Latin-1 byte 0xAE for the registered sign) followed by ``,,,``;
    record 2 is the header whose first field ``"HCPCS/\\nCPT Code"`` holds a line break;
    then one row per code: code, MUE value (0-999), MAI as digit and label in one field
    (``2 Date of Service Edit: Policy``), rationale.
``MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv`` -- same layout with
    ``Outpatient Hospital Services MUE Values`` (only with ``--hospital-rows`` > 0).
``aoc_v2026q3.csv`` -- add-on code edits (8.3).
    **This layout is radrules' assumption** (domain.md 8.3 is [U]: the real file is
    fixed-width with undocumented positions, plus an Excel workbook whose raw header
    spelling and date format are unverified). We write a Latin-1 CSV, LF line ends,
    header ``Primary Code,Add-on Code,AOC Edit Type,Special Instruction Notes,AOC Del
    Dt,Primary Code Del Dt,AOC Edit Eff Dt,AOC Edit Del Dt``; dates ``YYYYMMDD`` or
    empty; type 2 rows carry primary code ``CCCCC``. Rows sorted by add-on code then
    primary code.
``PPRRVU26_JUL.csv`` -- MPFS relative value file (8.4)
    Latin-1, LF line ends, 32 columns: the five preamble lines and the five stacked
    caption rows copied verbatim from the 2026 July nonQPP specimen, then data rows
    (``PCTC IND`` at index 13, ``BILAT SURG`` at 19, ``DESCRIPTION`` = ``REDACTED``).
    Codes with PC/TC indicator 1 appear as three rows (MOD blank, ``26``, ``TC``) with
    the same indicator; the global row's RVUs are the sum of the 26 and TC rows.

Distributions (all synthetic): a universe of ``--mue-codes`` valid codes (CPT category
I spread over 00100-99607 with the radiology range 70010-79999 covered evenly, category
II ``ddddF``, category III ``ddddT``, PLA ``ddddU``, a few ``ddddM``/``ddddA``, HCPCS
level II ``Adddd``/``Gdddd``/``Jdddd``/``Qdddd``/...), always including the codes the
benchmark claims use (``BENCHMARK_CODES``). PTP column-1 degrees follow a Zipf-like law
(a few thousand codes with hundreds of column-2 partners, most with a few dozen or
fewer), partners are half "nearby" codes, half drawn from a skewed popularity law.
Among the benchmark codes only the curated pairs in ``BENCHMARK_PAIRS`` exist (all
active on 2026 dates), so claims built from them hit known edits; random pairs never
join two benchmark codes, and never reverse a curated pair.

Runs on the Python 3.11 standard library; rows are streamed to disk per column-1 code.
Output is deterministic for a given ``--seed`` (each file has its own random stream, so
adding hospital files does not change the practitioner files).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import io
import math
import os
import random
import re
import sys
import time
from collections import Counter

ENCODING = "latin-1"
CODE_RE = re.compile(r"^(\d{5}|\d{4}[A-Z]|[A-Z]\d{4})$")

# --------------------------------------------------------------------------- layouts

PTP_PRACTITIONER = "ccipra-v322r0-f{part}.TXT"
PTP_HOSPITAL = "ccioph-v321r0-f{part}.TXT"
MUE_PRACTITIONER = "MCR_MUE_PractitionerServices_Eff_07-01-2026.csv"
MUE_HOSPITAL = "MCR_MUE_OutpatientHospitalServices_Eff_07-01-2026.csv"
AOC_FILE = "aoc_v2026q3.csv"
RVU_FILE = "PPRRVU26_JUL.csv"

# Six preamble lines of the PTP TXT, byte for byte as in the specimen (without CRLF).
PTP_PREAMBLE = (
    "CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t",
    "Column1/Column2 Edits\t\t\t\t\t\t",
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale",
    "\t\tprior to 1996\tDate\tDate\t0=not allowed\t",
    "\t\t\t\t*=no data\t1=allowed\t",
    "\t\t\t\t\t9=not applicable\t",
)
PTP_EOL = "\r\n"

# Record 1 of the MUE CSV (one quoted field with line breaks, then three empty fields).
MUE_NOTICE = (
    "Current Procedural Terminology (CPT) codes, descriptions and other data only are "
    "copyright 2025 American Medical Association. All rights reserved. \n\n"
    "CPT\u00ae is a registered trademark of the American Medical Association.\n\n"
    "Applicable FARS/DFARS Restrictions Apply to Government Use. \n\n"
    "Fee schedules, relative value units, conversion factors and/or related components "
    "are not assigned by the AMA, are not part of CPT, and the AMA is not recommending "
    "their use.  The AMA does not directly or indirectly practice medicine or dispense "
    "medical services.  The AMA assumes no liability for the data contained or not "
    "contained herein."
)
MUE_CODE_HEADER = "HCPCS/\nCPT Code"
MUE_VALUE_HEADER_PRACTITIONER = "Practitioner Services MUE Values"
MUE_VALUE_HEADER_HOSPITAL = "Outpatient Hospital Services MUE Values"
MUE_TAIL_HEADERS = ("MUE Adjudication Indicator", "MUE Rationale")
MUE_EOL = "\n"


def mue_preamble(value_header: str) -> str:
    """Records 1 and 2 of an MUE CSV, exactly as the specimen writes them."""
    return (f'"{MUE_NOTICE}",,,{MUE_EOL}"{MUE_CODE_HEADER}",{value_header},'
            f"{','.join(MUE_TAIL_HEADERS)}{MUE_EOL}")


MAI_TEXT = {1: "1 Line Edit", 2: "2 Date of Service Edit: Policy", 3: "3 Date of Service Edit: Clinical"}
MUE_RATIONALES = (
    ("Code Descriptor / CPT Instruction", 30),
    ("Nature of Service/Procedure", 25),
    ("Clinical: CMS Workgroup", 20),
    ("Anatomic Consideration", 12),
    ("Nature of Analyte", 8),
    ("CMS Policy", 5),
)

AOC_HEADER = ("Primary Code", "Add-on Code", "AOC Edit Type", "Special Instruction Notes",
              "AOC Del Dt", "Primary Code Del Dt", "AOC Edit Eff Dt", "AOC Edit Del Dt")
AOC_EOL = "\n"
AOC_CONTRACTOR = "CCCCC"

# PPRRVU: five preamble lines and five stacked caption rows, verbatim (2026 July nonQPP).
RVU_PREAMBLE = (
    ",,2026 National Physician Fee Schedule Relative Value File July Release" + "," * 29,
    ",,CPT codes and descriptions only are copyright 2026 American Medical Association. "
    "All Rights Reserved. Applicable FARS/DFARS Apply." + "," * 29,
    ",,Dental codes (D codes) are copyright 2026 American Dental Association. "
    "All Rights Reserved." + "," * 29,
    "," * 31,
    ",,RELEASED 06/30/2026" + "," * 29,
)
RVU_CAPTIONS = (
    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,NON-FACILITY,FACILITY,",
    ",,,,NOT USED,,,,,,,,,,,,,,,,,,,,,,PHYSICIAN,,DIAGNOSTIC,PE USED,PE USED,MP USED",
    ",,,,FOR,,,NON-FAC,,FACILITY,,,,,,,,,,,,,,,,,SUPERVISION OF,,IMAGING,FOR OPPS,FOR OPPS,FOR OPPS",
    ",,,STATUS,MEDICARE,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,INTRA,"
    "POST,MULT,BILAT,ASST,CO-,TEAM,PRIC,ENDO,CONV,DIAGNOSTIC,CALCULATION,FAMILY,PAYMENT,PAYMENT,PAYMENT",
    "HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,"
    "DAYS,OP,OP,OP,PROC,SURG,SURG,SURG,SURG,IND,BASE,FACTOR,PROCEDURES,FLAG,INDICATOR,AMOUNT,AMOUNT,AMOUNT",
)
RVU_EOL = "\n"
RVU_COLUMNS = 32
RVU_PCTC, RVU_BILAT = 13, 19
RVU_CONV_FACTOR = "33.4009"

PTP_RATIONALES = (
    ("CPT Manual or CMS manual coding instruction", 38),
    ("Standards of medical/surgical practice", 22),
    ("Mutually exclusive procedures", 16),
    ("Misuse of Column Two code with Column One code", 14),
    ("HCPCS/CPT procedure code definition", 10),
)
R_MANUAL, R_STANDARD, R_MUTEX, R_MISUSE, R_DEFINITION = (r for r, _ in PTP_RATIONALES)

# --------------------------------------------------------------------------- calendar

FIRST_YEAR = 1996
N_QUARTERS = (2026 - FIRST_YEAR) * 4 + 3  # 1996Q1 .. 2026Q3 (file effective 2026-07-01)
LAST_Q = N_QUARTERS - 1
QSTART = [f"{FIRST_YEAR + q // 4}{(q % 4) * 3 + 1:02d}01" for q in range(N_QUARTERS)]
QEND = [f"{FIRST_YEAR + q // 4}{(q % 4) * 3 + 3:02d}{(31, 30, 30, 31)[q % 4]}" for q in range(N_QUARTERS)]


def quarter(year: int, q: int) -> int:
    return (year - FIRST_YEAR) * 4 + q - 1


# --------------------------------------------------------------------------- benchmark codes

#: Codes the benchmark claims use; always in the universe, in the MUE, RVU and PTP files.
BENCHMARK_CODES = (
    "70450 70460 70470 70551 70552 70553 71045 71046 71047 71048 71250 71260 71270 71271 "
    "71275 72192 72193 72194 72148 73721 73722 73723 73562 74150 74160 74170 74176 74177 "
    "74178 76376 76377 76700 76705 76770 76775 77063 77065 77066 77067 G0279 Q9965 Q9966 "
    "Q9967 A9575 A9585 99213 99214 36415"
).split()

#: Approximate first quarter of each benchmark code (others: random); bounds pair dates.
BENCHMARK_INTRO = {
    "71045": quarter(2018, 1), "71046": quarter(2018, 1), "71047": quarter(2018, 1),
    "71048": quarter(2018, 1), "74176": quarter(2011, 1), "74177": quarter(2011, 1),
    "74178": quarter(2011, 1), "77065": quarter(2017, 1), "77066": quarter(2017, 1),
    "77067": quarter(2017, 1), "77063": quarter(2015, 1), "G0279": quarter(2015, 1),
    "76376": quarter(2006, 1), "76377": quarter(2006, 1), "71275": quarter(1998, 1),
    "71271": quarter(2021, 1), "Q9965": quarter(2010, 1), "Q9966": quarter(2010, 1),
    "Q9967": quarter(2010, 1), "A9575": quarter(2014, 1), "A9585": quarter(2011, 1),
}

#: Curated PTP pairs among the benchmark codes: (column 1, column 2, modifier, rationale).
#: Every one is written active (deletion ``*``) so claims dated 2026 hit it.
BENCHMARK_PAIRS = (
    # CT head/brain: without+with contrast bundles the single studies
    ("70470", "70450", 1, R_DEFINITION), ("70470", "70460", 1, R_DEFINITION),
    ("70460", "70450", 1, R_DEFINITION),
    # MRI brain
    ("70553", "70551", 1, R_DEFINITION), ("70553", "70552", 1, R_DEFINITION),
    ("70552", "70551", 1, R_DEFINITION),
    # chest x-ray views: more views bundle fewer
    ("71048", "71047", 1, R_DEFINITION), ("71048", "71046", 1, R_DEFINITION),
    ("71048", "71045", 1, R_DEFINITION), ("71047", "71046", 1, R_DEFINITION),
    ("71047", "71045", 1, R_DEFINITION), ("71046", "71045", 1, R_DEFINITION),
    # CT chest, CTA chest, low-dose screening CT
    ("71270", "71250", 1, R_DEFINITION), ("71270", "71260", 1, R_DEFINITION),
    ("71260", "71250", 1, R_DEFINITION), ("71275", "71250", 1, R_MANUAL),
    ("71275", "71260", 1, R_MANUAL), ("71275", "71270", 1, R_MANUAL),
    ("71250", "71271", 0, R_MUTEX),
    # CT pelvis
    ("72194", "72192", 1, R_DEFINITION), ("72194", "72193", 1, R_DEFINITION),
    ("72193", "72192", 1, R_DEFINITION),
    # CT abdomen, and combined abdomen+pelvis bundling the separate studies
    ("74170", "74150", 1, R_DEFINITION), ("74170", "74160", 1, R_DEFINITION),
    ("74160", "74150", 1, R_DEFINITION),
    ("74176", "74150", 1, R_MANUAL), ("74176", "72192", 1, R_MANUAL),
    ("74177", "74160", 1, R_MANUAL), ("74177", "72193", 1, R_MANUAL),
    ("74177", "74150", 1, R_MANUAL), ("74177", "74176", 1, R_DEFINITION),
    ("74178", "74170", 1, R_MANUAL), ("74178", "72194", 1, R_MANUAL),
    ("74178", "74176", 1, R_DEFINITION), ("74178", "74177", 1, R_DEFINITION),
    # MRI knee
    ("73723", "73721", 1, R_DEFINITION), ("73723", "73722", 1, R_DEFINITION),
    ("73722", "73721", 1, R_DEFINITION),
    # 3D rendering with CTA; the two 3D codes exclude each other
    ("71275", "76376", 1, R_MANUAL), ("71275", "76377", 1, R_MANUAL),
    ("76377", "76376", 0, R_MUTEX),
    # ultrasound complete vs limited
    ("76700", "76705", 1, R_DEFINITION), ("76770", "76775", 1, R_DEFINITION),
    ("76700", "76775", 1, R_STANDARD),
    # mammography and tomosynthesis (77067/77063 as the brief asks; see README)
    ("77067", "77063", 1, R_MANUAL), ("77067", "77065", 0, R_MUTEX),
    ("77067", "77066", 0, R_MUTEX), ("77066", "77065", 1, R_DEFINITION),
    ("G0279", "77063", 0, R_MUTEX),
    # office visits
    ("99214", "99213", 0, R_MUTEX),
)

#: Curated add-on rows (primary, add-on, type).
BENCHMARK_ADDONS = (("77067", "77063", 1), ("77065", "G0279", 1), ("77066", "G0279", 1))

# --------------------------------------------------------------------------- code universe


class Universe:
    """The sorted code list with a first-seen quarter per code."""

    def __init__(self, codes: list[str], intro: dict[str, int]):
        self.codes = codes
        self.index = {c: i for i, c in enumerate(codes)}
        self.intro = [intro[c] for c in codes]


def _sample_range(rng, fmt, lo, hi, k, taken):
    """k distinct codes fmt.format(n) for lo <= n <= hi not in taken."""
    k = min(k, hi - lo + 1)
    out = []
    if k <= 0:
        return out
    for n in rng.sample(range(lo, hi + 1), min(hi - lo + 1, k + len(taken) + 16)):
        code = fmt.format(n)
        if code not in taken:
            out.append(code)
            taken.add(code)
            if len(out) == k:
                break
    return out


def build_universe(n: int, seed: int) -> Universe:
    """n valid procedure codes, benchmark codes included, sorted in byte order."""
    required = len(BENCHMARK_CODES)
    if n < 4 * required:
        raise SystemExit(f"--mue-codes must be at least {4 * required} (the universe size)")
    rng = random.Random(f"{seed}:universe")
    taken = set(BENCHMARK_CODES)
    free = n - required
    # radiology 70010-79999, covered evenly (every k-th number) - about 20% of the codes
    n_rad = round(free * 0.20)
    step = (79999 - 70010 + 1) / max(n_rad, 1)
    radiology = [f"{70010 + int(i * step):05d}" for i in range(min(n_rad, 79999 - 70010 + 1))]
    radiology = [c for c in radiology if c not in taken]  # collisions: the surgery share absorbs them
    taken.update(radiology)
    shares = [  # (format, low, high, share of the non-radiology rest)
        ("{:05d}", 100, 1999, 0.035),      # anesthesia
        ("{:05d}", 10004, 69990, 0.43),    # surgery
        ("{:05d}", 80047, 89398, 0.09),    # pathology and laboratory
        ("{:05d}", 90281, 99607, 0.10),    # medicine, E/M
        ("{:04d}F", 1, 9007, 0.012),       # category II
        ("{:04d}T", 1, 999, 0.07),         # category III
        ("{:04d}U", 1, 999, 0.045),        # PLA
        ("{:04d}M", 1, 20, 0.0015),        # MAAA
        ("{:04d}A", 1, 164, 0.0015),       # vaccine administration
    ]
    level2 = [("A", 0.13), ("B", 0.01), ("C", 0.09), ("E", 0.11), ("G", 0.22), ("J", 0.24),
              ("K", 0.03), ("L", 0.10), ("P", 0.01), ("Q", 0.04), ("R", 0.005), ("V", 0.015)]
    rest = free - len(radiology)
    n_level2 = round(rest * 0.19)
    codes = list(BENCHMARK_CODES) + radiology
    other = rest - n_level2
    counts = [round(other * s / sum(x[3] for x in shares)) for *_, s in shares]
    counts[1] += other - sum(counts)  # surgery absorbs rounding
    for (fmt, lo, hi, _), k in zip(shares, counts):
        codes += _sample_range(rng, fmt, lo, hi, k, taken)
    total_w = sum(w for _, w in level2)
    l2_counts = [round(n_level2 * w / total_w) for _, w in level2]
    l2_counts[5] += n - len(codes) - sum(l2_counts)  # J codes absorb rounding/shortfalls
    for (letter, _), k in zip(level2, l2_counts):
        codes += _sample_range(rng, letter + "{:04d}", 0, 9999, k, taken)
    assert len(codes) == n and len(set(codes)) == n, (len(codes), n)
    intro = {}
    for c in codes:
        if c in BENCHMARK_INTRO:
            intro[c] = BENCHMARK_INTRO[c]
        elif c in BENCHMARK_CODES:
            intro[c] = 0
        elif c[4] == "T":
            intro[c] = quarter(2002, 3) + rng.randrange(LAST_Q - quarter(2002, 3))
        elif c[4] == "U":
            intro[c] = quarter(2016, 2) + rng.randrange(LAST_Q - quarter(2016, 2))
        elif c[4] in "FMA":
            intro[c] = quarter(2006, 1) + rng.randrange(LAST_Q - quarter(2006, 1))
        elif rng.random() < 0.62:
            intro[c] = 0  # in existence before 1996
        else:
            intro[c] = rng.randrange(LAST_Q - 2)
    codes.sort()
    return Universe(codes, intro)


# --------------------------------------------------------------------------- PTP


def _cumulative(weights):
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


class PartWriter:
    """Splits a row stream into parts of equal size, each opened with the preamble."""

    def __init__(self, paths, total, preamble, eol):
        base, extra = divmod(total, len(paths))
        self.sizes = [base + (1 if i < extra else 0) for i in range(len(paths))]
        self.files = [open(p, "w", encoding=ENCODING, newline="", buffering=1 << 20) for p in paths]
        for f in self.files:
            f.write("".join(line + eol for line in preamble))
        self.part = 0
        self.count = 0

    def write(self, lines):
        start = 0
        while start < len(lines):
            room = self.sizes[self.part] - self.count
            if room <= 0:
                self.part += 1
                self.count = 0
                continue
            chunk = lines[start:start + room]
            self.files[self.part].write("".join(chunk))
            self.count += len(chunk)
            start += len(chunk)

    def close(self):
        for f in self.files:
            f.close()
        written = self.count + sum(self.sizes[:self.part])
        return written


def _degrees(rng, uni, keys, forced_by_c1, excluded_by_c1):
    """Number of distinct column-2 partners per code (Zipf-like over a random ranking)."""
    n = len(uni.codes)
    bench = {uni.index[c] for c in BENCHMARK_CODES}
    others = [i for i in range(n) if i not in bench]
    rng.shuffle(others)
    n_col1 = int(n * 0.9)
    order = others[: n_col1 - len(bench)]
    for i in sorted(bench):  # benchmark codes rank among the busiest column-1 codes
        order.insert(rng.randrange(max(1, len(order) // 6)), i)
    cap = max(8, n // 5)
    if keys > cap * len(order):
        raise SystemExit(f"too many PTP rows for a universe of {n} codes (raise --mue-codes)")
    r0 = 0.06 * len(order)
    # a power law over the ranking, spread by log-normal noise (not for benchmark codes),
    # so a few thousand codes have hundreds of partners and many have a handful
    base = [(1.0 if i in bench else math.exp(rng.gauss(0, 1.2))) / (r + r0) ** 2
            for r, i in enumerate(order)]
    lo, hi = 0.0, 1.0
    while sum(min(cap, hi * b) for b in base) < keys:
        hi *= 2
    for _ in range(80):
        mid = (lo + hi) / 2
        if sum(min(cap, mid * b) for b in base) < keys:
            lo = mid
        else:
            hi = mid
    real = [min(cap, hi * b) for b in base]
    deg = [0] * n
    fracs = []
    for r, i in enumerate(order):
        deg[i] = int(real[r])
        fracs.append((real[r] - deg[i], -r, i))
    short = keys - sum(deg)
    fracs.sort(reverse=True)
    for _, _, i in fracs:
        if short <= 0:
            break
        if deg[i] < cap:
            deg[i] += 1
            short -= 1
    # curated pairs are minimum degrees; take the excess from the busiest codes
    excess = 0
    for i, partners in forced_by_c1.items():
        if deg[i] < len(partners):
            excess += len(partners) - deg[i]
            deg[i] = len(partners)
    while excess > 0:
        progressed = False
        for i in sorted(range(n), key=lambda j: -deg[j]):
            if excess == 0:
                break
            if deg[i] > len(forced_by_c1.get(i, ())) and deg[i] > 1:
                deg[i] -= 1
                excess -= 1
                progressed = True
        if not progressed:
            raise SystemExit("--ptp-rows too small for the curated benchmark pairs")
    for i in range(n):
        room = n - 1 - len(excluded_by_c1.get(i, ()))
        if deg[i] > room:
            raise SystemExit("PTP degree exceeds available partners; raise --mue-codes")
    assert sum(deg) == keys
    return deg


def write_ptp(outdir, name_fmt, parts, total_rows, uni, seed, label):
    """Stream one PTP table (all parts); returns the paths written."""
    rng = random.Random(f"{seed}:{label}")
    rnd = rng.random
    n = len(uni.codes)
    codes = uni.codes
    intro = uni.intro
    idx = uni.index
    forced = {(idx[a], idx[b]): (m, r) for a, b, m, r in BENCHMARK_PAIRS}
    forced_by_c1: dict[int, list[int]] = {}
    for a, b in forced:
        forced_by_c1.setdefault(a, []).append(b)
    bench = frozenset(idx[c] for c in BENCHMARK_CODES)
    excluded_by_c1: dict[int, set[int]] = {}
    for i in bench:  # between benchmark codes only the curated pairs
        excluded_by_c1[i] = set(bench) - set(forced_by_c1.get(i, ()))
    for a, b in forced:  # and never the reverse of a curated pair
        excluded_by_c1.setdefault(b, set()).add(a)

    keys = round(total_rows / 1.05)
    dups = total_rows - keys
    if keys < 2 * len(forced):
        raise SystemExit(f"PTP rows must be at least {int(2.1 * len(forced)) + 1}")
    deg = _degrees(rng, uni, keys, forced_by_c1, excluded_by_c1)

    # column-2 popularity: a random ranking with a power law
    pop_order = list(range(n))
    rng.shuffle(pop_order)
    for c in ("36415", "99213", "99214"):  # popular column-2 codes in practice
        pop_order.remove(idx[c])
        pop_order.insert(rng.randrange(30), idx[c])
    pop_weight = [0.0] * n
    for r, i in enumerate(pop_order):
        pop_weight[i] = 1.0 / (r + 20) ** 0.9
    pop_cum = _cumulative(pop_weight)
    pop_total = pop_cum[-1]

    rat_names = [r for r, _ in PTP_RATIONALES]
    rat_cum = _cumulative(w for _, w in PTP_RATIONALES)
    rat_total = rat_cum[-1]

    def rationale():
        return rat_names[bisect.bisect(rat_cum, rnd() * rat_total)]

    star_p = 0.35  # of keys whose codes both predate 1996 -> about 10% of rows
    paths = [os.path.join(outdir, name_fmt.format(part=p + 1)) for p in range(parts)]
    writer = PartWriter(paths, total_rows, PTP_PREAMBLE, PTP_EOL)
    keys_left, dups_left = keys, dups
    bis = bisect.bisect

    for i in range(n):
        d = deg[i]
        if d == 0:
            continue
        c1 = codes[i]
        excl = excluded_by_c1.get(i, ())
        chosen = set(forced_by_c1.get(i, ()))
        # half the partners from nearby codes (same family), half by popularity
        n_local = (d - len(chosen)) // 2
        if n_local > 0:
            half = max(2 * n_local, 30)
            lo, hi = max(0, i - half), min(n, i + half + 1)
            target = len(chosen) + n_local
            for j in rng.sample(range(lo, hi), min(hi - lo, n_local + 8)):
                if j != i and j not in excl:
                    chosen.add(j)
                    if len(chosen) >= target:
                        break
        tries = 0
        while len(chosen) < d:
            tries += 1
            if tries > 12:
                j = rng.randrange(n)
                if j != i and j not in excl:
                    chosen.add(j)
                continue
            want = d - len(chosen)
            for _ in range(want + want // 4 + 4):
                j = bis(pop_cum, rnd() * pop_total)
                if j != i and j not in excl:
                    chosen.add(j)
                    if len(chosen) == d:
                        break
        p1 = c1 + "\t"
        own_rat = rationale()
        e1 = intro[i]
        lines = []
        add = lines.append
        for j in sorted(chosen):
            c2 = codes[j]
            head = p1 + c2 + "\t"
            e = e1 if e1 > intro[j] else intro[j]
            dup = rnd() * keys_left < dups_left
            keys_left -= 1
            rat = own_rat if rnd() < 0.6 else rationale()
            fixed = forced.get((i, j))
            if fixed is not None:
                mod, rat = fixed
                eff = e + int(rnd() * max(1, quarter(2024, 1) - e))
                newer = (eff, "*", mod)
                if dup:
                    dups_left -= 1
                    add(_older_row(rnd, head, rat, e, eff, newer))
                add(f"{head}\t{QSTART[eff]}\t*\t{mod}\t{rat}\r\n")
                continue
            if not dup:
                if e == 0 and rnd() < star_p:
                    star, q = "*", 0
                else:
                    star, q = "", e + int(rnd() * (N_QUARTERS - e))
                u = rnd()
                if u < 0.017:  # (the two-row keys below bring indicator 9 to about 3% of rows)
                    add(f"{head}{star}\t{QSTART[q]}\t{QSTART[q]}\t9\t{rat}\r\n")
                    continue
                mod = "0" if u < 0.13 else "1"
                if rnd() < 0.72 or q == LAST_Q:
                    dele = "*"
                else:
                    dele = QEND[q + int(rnd() * (LAST_Q - q))]
                add(f"{head}{star}\t{QSTART[q]}\t{dele}\t{mod}\t{rat}\r\n")
                continue
            # a key on two rows: an older row, then the current one
            dups_left -= 1
            if e < LAST_Q and rnd() < 0.7:
                q2 = e + 1 + int(rnd() * (LAST_Q - e))
                mod2 = "0" if rnd() < 0.15 else "1"
                dele2 = "*" if (rnd() < 0.8 or q2 == LAST_Q) else QEND[q2 + int(rnd() * (LAST_Q - q2))]
                q1 = e + int(rnd() * (q2 - e))
                star1 = "*" if (q1 == 0 and rnd() < star_p) else ""
                mod1 = ("1" if mod2 == "0" else "0") if rnd() < 0.4 else mod2
                dele1 = QEND[q2 - 1] if rnd() < 0.6 else QEND[q1 + int(rnd() * (q2 - q1))]
                rat1 = rat if rnd() < 0.8 else rationale()
                add(f"{head}{star1}\t{QSTART[q1]}\t{dele1}\t{mod1}\t{rat1}\r\n")
                add(f"{head}\t{QSTART[q2]}\t{dele2}\t{mod2}\t{rat}\r\n")
            else:
                q1 = e + int(rnd() * (N_QUARTERS - e))
                q2 = q1 + int(rnd() * (N_QUARTERS - q1))
                mod2 = "0" if rnd() < 0.15 else "1"
                add(f"{head}\t{QSTART[q1]}\t{QSTART[q1]}\t9\t{rat}\r\n")
                add(f"{head}\t{QSTART[q2]}\t*\t{mod2}\t{rat}\r\n")
        writer.write(lines)
    written = writer.close()
    assert keys_left == 0 and dups_left == 0 and written == total_rows, (keys_left, dups_left, written)
    return paths


def _older_row(rnd, head, rat, e, eff, newer):
    """The earlier row of a duplicated curated key (the current row is active from eff)."""
    if eff > e and rnd() < 0.7:
        q1 = e + int(rnd() * (eff - e))
        return f"{head}\t{QSTART[q1]}\t{QEND[eff - 1]}\t{'0' if newer[2] == 1 else '1'}\t{rat}\r\n"
    q1 = e + int(rnd() * (eff - e + 1))
    return f"{head}\t{QSTART[q1]}\t{QSTART[q1]}\t9\t{rat}\r\n"


# --------------------------------------------------------------------------- MUE

BENCHMARK_MUE = {  # code: (value, MAI, rationale) -- synthetic but shaped like real ones
    "70450": (3, 3, "Clinical: CMS Workgroup"), "70460": (2, 3, "Clinical: CMS Workgroup"),
    "70470": (2, 3, "Clinical: CMS Workgroup"), "70551": (2, 3, "Clinical: CMS Workgroup"),
    "70552": (2, 3, "Clinical: CMS Workgroup"), "70553": (2, 3, "Clinical: CMS Workgroup"),
    "71045": (4, 3, "Clinical: CMS Workgroup"), "71046": (2, 3, "Clinical: CMS Workgroup"),
    "71047": (2, 3, "Clinical: CMS Workgroup"), "71048": (2, 3, "Clinical: CMS Workgroup"),
    "71250": (1, 3, "Anatomic Consideration"), "71260": (1, 3, "Anatomic Consideration"),
    "71270": (1, 3, "Anatomic Consideration"), "71271": (1, 2, "Code Descriptor / CPT Instruction"),
    "71275": (1, 3, "Anatomic Consideration"), "72192": (1, 3, "Anatomic Consideration"),
    "72193": (1, 3, "Anatomic Consideration"), "72194": (1, 3, "Anatomic Consideration"),
    "72148": (1, 3, "Anatomic Consideration"), "73721": (3, 3, "Clinical: CMS Workgroup"),
    "73722": (2, 3, "Clinical: CMS Workgroup"), "73723": (2, 3, "Clinical: CMS Workgroup"),
    "73562": (3, 3, "Clinical: CMS Workgroup"), "74150": (1, 3, "Anatomic Consideration"),
    "74160": (1, 3, "Anatomic Consideration"), "74170": (1, 3, "Anatomic Consideration"),
    "74176": (1, 2, "Code Descriptor / CPT Instruction"),
    "74177": (1, 2, "Code Descriptor / CPT Instruction"),
    "74178": (1, 2, "Code Descriptor / CPT Instruction"),
    "76376": (2, 3, "Clinical: CMS Workgroup"), "76377": (2, 3, "Clinical: CMS Workgroup"),
    "76700": (1, 2, "Anatomic Consideration"), "76705": (2, 3, "Clinical: CMS Workgroup"),
    "76770": (1, 2, "Anatomic Consideration"), "76775": (2, 3, "Clinical: CMS Workgroup"),
    "77063": (1, 2, "Code Descriptor / CPT Instruction"),
    "77065": (1, 2, "Code Descriptor / CPT Instruction"),
    "77066": (1, 2, "Code Descriptor / CPT Instruction"),
    "77067": (1, 2, "Code Descriptor / CPT Instruction"),
    "G0279": (1, 2, "Code Descriptor / CPT Instruction"),
    "Q9965": (300, 3, "Nature of Service/Procedure"), "Q9966": (250, 3, "Nature of Service/Procedure"),
    "Q9967": (300, 3, "Nature of Service/Procedure"), "A9575": (200, 3, "Nature of Service/Procedure"),
    "A9585": (300, 3, "Nature of Service/Procedure"), "99213": (1, 2, "CMS Policy"),
    "99214": (1, 2, "CMS Policy"), "36415": (2, 3, "Nature of Service/Procedure"),
}

# MUE value law: (value or (lo, hi), weight)
MUE_VALUES = ((0, 1), (1, 46), (2, 19), (3, 10), (4, 7), ((5, 10), 8), ((11, 99), 7), ((100, 999), 2))


def _is_lab(code):
    return code[4] in "UM" or (code.isdigit() and 80047 <= int(code) <= 89398)


def _mue_row(rng, code, rat_cum, rat_names, val_cum):
    v = MUE_VALUES[bisect.bisect(val_cum, rng.random() * val_cum[-1])][0]
    if isinstance(v, tuple):
        v = int(math.exp(rng.uniform(math.log(v[0]), math.log(v[1] + 1))))
    u = rng.random()
    mai = 1 if u < 0.25 else (2 if u < 0.70 else 3)
    if _is_lab(code) and rng.random() < 0.5:
        rat = "Nature of Analyte"
    else:  # the analyte rationale belongs to laboratory codes
        rat = rat_names[bisect.bisect(rat_cum, rng.random() * rat_cum[-1])]
    return v, mai, rat


def write_mue(outdir, name, value_header, uni, seed, label):
    rng = random.Random(f"{seed}:{label}")
    rat_names = [r for r, _ in MUE_RATIONALES if r != "Nature of Analyte"]
    rat_cum = _cumulative(w for r, w in MUE_RATIONALES if r != "Nature of Analyte")
    val_cum = _cumulative(w for _, w in MUE_VALUES)
    path = os.path.join(outdir, name)
    hospital = label.startswith("hospital")
    with open(path, "w", encoding=ENCODING, newline="", buffering=1 << 20) as f:
        f.write(mue_preamble(value_header))
        out = []
        for code in uni.codes:
            row = _mue_row(rng, code, rat_cum, rat_names, val_cum)
            if code in BENCHMARK_MUE:
                row = BENCHMARK_MUE[code]
            v, mai, rat = row
            if hospital and v > 0 and rng.random() < 0.25:
                v = min(999, v + 1 + int(rng.random() * v))  # facility limits are often higher
            out.append(f"{code},{v},{MAI_TEXT[mai]},{rat}{MUE_EOL}")
        f.write("".join(out))
    return path


# --------------------------------------------------------------------------- AOC


def write_aoc(outdir, rows, uni, seed):
    """Add-on code edits; returns (path, set of add-on codes)."""
    if rows < len(BENCHMARK_ADDONS):
        raise SystemExit(f"--addon-rows must be at least {len(BENCHMARK_ADDONS)}")
    rng = random.Random(f"{seed}:aoc")
    codes, n = uni.codes, len(uni.codes)
    bench = set(BENCHMARK_CODES)
    pool = [c for c in codes if c not in bench]
    rng.shuffle(pool)
    # pass 1: which add-on codes, their type and how many primaries
    plan = []  # (addon, type, k)
    left = rows - len(BENCHMARK_ADDONS)
    for code in pool:
        if left <= 0:
            break
        u = rng.random()
        if u < 0.06:
            typ, k = 2, 1
        elif u < 0.18:
            typ, k = 3, 1 + int(rng.expovariate(1 / 3))
        else:
            typ, k = 1, 1 + min(60, int(rng.expovariate(1 / 6)))
        k = min(k, left)
        plan.append((code, typ, k))
        left -= k
    addons = {a for a, _, _ in plan} | {a for _, a, _ in BENCHMARK_ADDONS}
    records = []
    eff_lo = quarter(2013, 2)  # AOC edits began in April 2013

    def eff_q(code):  # not before the add-on code existed
        q = eff_lo if rng.random() < 0.45 else eff_lo + rng.randrange(N_QUARTERS - eff_lo)
        return max(q, uni.intro[uni.index[code]])

    for primary, addon, typ in BENCHMARK_ADDONS:
        records.append((primary, addon, str(typ), "", "", "", QSTART[quarter(2017, 1)], ""))
    for addon, typ, k in plan:
        a_del, q = "", eff_q(addon)
        if q < LAST_Q and rng.random() < 0.03:  # add-on code deleted: its edits end with it
            a_del = QEND[q + rng.randrange(LAST_Q - q)]
        if typ == 2:
            primaries = [AOC_CONTRACTOR]
        else:
            i = uni.index[addon]
            lo, hi = max(0, i - 150), min(n, i + 151)
            window = [codes[j] for j in range(lo, hi) if j != i and codes[j] not in addons]
            primaries = rng.sample(window, min(k, len(window)))
            while len(primaries) < k:  # tiny universes only
                c = codes[rng.randrange(n)]
                if c not in addons and c not in primaries:
                    primaries.append(c)
        for p in primaries:
            note = ""
            u = rng.random()
            if u < 0.02:
                note = f"{p} Practitioner Only"
            elif u < 0.04:
                note = f"{addon} may be reported by facilities only"
            p_del = ""
            if p != AOC_CONTRACTOR and q < LAST_Q and rng.random() < 0.04:
                p_del = QEND[q + rng.randrange(LAST_Q - q)]  # primary code deleted
            e_del = min(d for d in (a_del, p_del, "99999999") if d)
            if e_del == "99999999":
                e_del = QEND[q + rng.randrange(LAST_Q - q)] if q < LAST_Q and rng.random() < 0.05 else ""
            records.append((p, addon, str(typ), note, a_del, p_del, QSTART[q], e_del))
    records.sort(key=lambda r: (r[1], r[0]))
    assert len(records) == rows, (len(records), rows)
    path = os.path.join(outdir, AOC_FILE)
    with open(path, "w", encoding=ENCODING, newline="") as f:
        w = csv.writer(f, lineterminator=AOC_EOL)
        w.writerow(AOC_HEADER)
        w.writerows(records)
    return path, addons


# --------------------------------------------------------------------------- PPRRVU

#: Benchmark RVU attributes: code -> (status, PC/TC, bilateral, global days)
BENCHMARK_RVU_SINGLE = {
    "99213": ("A", "0", "0", "XXX"), "99214": ("A", "0", "0", "XXX"),
    "36415": ("X", "9", "9", "XXX"),
    "Q9965": ("X", "9", "9", "XXX"), "Q9966": ("X", "9", "9", "XXX"), "Q9967": ("X", "9", "9", "XXX"),
    "A9575": ("X", "9", "9", "XXX"), "A9585": ("X", "9", "9", "XXX"),
}
BENCHMARK_BILAT = {"73721": "1", "73722": "1", "73723": "1", "73562": "1",
                   "77065": "3", "77066": "2", "77067": "2", "77063": "2"}
DIAGNOSTIC_RANGES = ((70010, 79999), (93000, 93999), (95800, 95999), (92000, 92999), (88000, 88399))


def _is_diagnostic(code):
    if not code.isdigit():
        return False
    n = int(code)
    return any(lo <= n <= hi for lo, hi in DIAGNOSTIC_RANGES)


def _f2(x):
    return f"{x:.2f}"


def _pick(rng, table):
    u = rng.random() * sum(w for _, w in table)
    for value, w in table:
        u -= w
        if u < 0:
            return value
    return table[-1][0]


def _rvu_record(code, mod, status, work, nf_pe, f_pe, mp, pctc, glob, mult, bilat, asst, co, team,
                endo, sup, family, opps, nf_na="", f_na="", not_used=""):
    pre = intra = post = 0.0
    if glob in ("010", "090"):
        pre, intra, post = (0.09, 0.84, 0.07) if glob == "090" else (0.10, 0.80, 0.10)
    elif glob == "000":
        pre, intra, post = 0.10, 0.80, 0.10
    pric = "0" if status in ("A", "R", "T") else "9"
    fields = (
        code, mod, "REDACTED", status, not_used, _f2(work), _f2(nf_pe), nf_na, _f2(f_pe), f_na,
        _f2(mp), _f2(work + nf_pe + mp), _f2(work + f_pe + mp), pctc, glob,
        _f2(pre), _f2(intra), _f2(post), mult, bilat, asst, co, team, pric, endo,
        RVU_CONV_FACTOR, sup, "0", family, _f2(opps[0]), _f2(opps[1]), _f2(opps[2]),
    )
    assert len(fields) == RVU_COLUMNS
    return ",".join(fields) + RVU_EOL


def _round2(x):
    return round(x + 1e-9, 2)


def _triplet(rng, code, addons):
    """Global, 26 and TC rows of a diagnostic test (PC/TC indicator 1)."""
    n = int(code) if code.isdigit() else 0
    imaging = 70010 <= n <= 76999 or code in ("G0279",)
    work = _round2(math.exp(rng.uniform(math.log(0.15), math.log(2.6))))
    pe_pc = _round2(max(0.01, work * rng.uniform(0.2, 0.45)))
    mp_pc = _round2(max(0.01, work * rng.uniform(0.03, 0.07)))
    pe_tc = _round2(math.exp(rng.uniform(math.log(0.3), math.log(9.0))))
    mp_tc = _round2(rng.uniform(0.01, 0.10))
    glob = "ZZZ" if code in addons else "XXX"
    mult = "4" if imaging else "0"
    bilat = BENCHMARK_BILAT.get(code) or (_pick(rng, (("0", 55), ("3", 25), ("1", 10), ("2", 10)))
                                          if n and n < 77000 else "0")
    sup = _pick(rng, (("01", 60), ("02", 30), ("03", 10)))
    family = f"{rng.randrange(1, 12):02d}" if imaging and rng.random() < 0.7 else "99"
    opps_tc = (0.0, 0.0, 0.0)
    if rng.random() < 0.5:
        o = _round2(pe_tc * rng.uniform(0.5, 1.0))
        opps_tc = (o, o, _round2(mp_tc * rng.uniform(0.5, 1.0)))
    opps_glob = (_round2(opps_tc[0]), _round2(opps_tc[1]), _round2(opps_tc[2]))
    common = dict(pctc="1", glob=glob, mult=mult, bilat=bilat, asst="9", co="9", team="9", endo="")
    return [
        _rvu_record(code, "", "A", work, pe_pc + pe_tc, pe_pc + pe_tc, mp_pc + mp_tc, sup=sup,
                    family=family, opps=opps_glob, **common),
        _rvu_record(code, "26", "A", work, pe_pc, pe_pc, mp_pc, sup="09", family=family,
                    opps=(0.0, 0.0, 0.0), **common),
        _rvu_record(code, "TC", "A", 0.0, pe_tc, pe_tc, mp_tc, sup=sup, family=family,
                    opps=opps_tc, **common),
    ]


def _single(rng, code, addons, endo_base):
    n = int(code) if code.isdigit() else -1
    if code in BENCHMARK_RVU_SINGLE:
        status, pctc, bilat, glob = BENCHMARK_RVU_SINGLE[code]
    elif 100 <= n <= 1999:
        status, pctc, bilat, glob = "J", "9", "9", "XXX"  # anesthesia, as in the specimen
    elif code[4] == "F":
        status, pctc, bilat, glob = "I", "9", "9", "XXX"
    elif code[4] == "U":
        status, pctc, bilat, glob = "X", "9", "9", "XXX"
    else:
        pctc = _pick(rng, (("0", 55), ("9", 28), ("2", 5), ("3", 4), ("4", 4), ("5", 4)))
        if pctc == "9":
            status = _pick(rng, (("I", 35), ("B", 15), ("N", 10), ("X", 12), ("E", 5), ("M", 3),
                                 ("P", 4), ("C", 6), ("R", 5), ("A", 5)))
        else:
            status = _pick(rng, (("A", 88), ("R", 4), ("T", 3), ("C", 5)))
        surgical = 10004 <= n <= 69990
        if code in addons:
            glob = "ZZZ"
        elif surgical and status in ("A", "R", "T"):
            glob = _pick(rng, (("000", 30), ("010", 25), ("090", 45)))
            if 59000 <= n <= 59899 and rng.random() < 0.3:
                glob = "MMM"
        elif status == "C" and rng.random() < 0.5:
            glob = "YYY"
        else:
            glob = "XXX"
        payable = status in ("A", "R", "T", "C")
        if not payable:
            bilat = "9"
        elif surgical:
            bilat = _pick(rng, (("0", 60), ("1", 25), ("2", 10), ("3", 5)))
        else:
            bilat = "0"
    payable = status in ("A", "R", "T", "C")
    surgical = 10004 <= n <= 69990
    work = nf_pe = f_pe = mp = 0.0
    nf_na = f_na = not_used = ""
    if payable or (status == "B" and rng.random() < 0.5):
        if pctc in ("3", "5"):
            work = 0.0
        elif pctc == "2":
            work = _round2(rng.uniform(0.1, 1.5))
        else:
            work = _round2(math.exp(rng.uniform(math.log(0.2), math.log(30.0 if surgical else 4.0))))
        nf_pe = _round2(math.exp(rng.uniform(math.log(0.1), math.log(8.0))))
        f_pe = nf_pe if pctc in ("2", "3", "4") else _round2(nf_pe * rng.uniform(0.3, 0.8))
        mp = _round2(max(0.01, (work or nf_pe) * rng.uniform(0.02, 0.12)))
        if pctc == "5":
            f_na, f_pe = "NA", 0.0
        if surgical and glob == "090" and rng.random() < 0.3:
            nf_na, nf_pe = "NA", 0.0
    if status == "I" and rng.random() < 0.1:
        not_used = "1"
    if not payable:
        mult = asst = co = team = "9"
    elif surgical:
        mult = "3" if endo_base else "2"
        asst = _pick(rng, (("0", 30), ("1", 25), ("2", 45)))
        co = _pick(rng, (("0", 50), ("1", 30), ("2", 20)))
        team = _pick(rng, (("0", 70), ("1", 20), ("2", 10)))
    else:
        mult, asst, co, team = "0", "9", "9", "9"
    return [_rvu_record(code, "", status, work, nf_pe, f_pe, mp, pctc, glob, mult, bilat, asst, co,
                        team, endo_base, "09", "99", (0.0, 0.0, 0.0), nf_na, f_na, not_used)]


#: The fewest PPRRVU rows that hold the benchmark's codes (a global, 26 and TC row each, or one row).
RVU_ROWS_AT_LEAST = (3 * len([c for c in BENCHMARK_CODES if c not in BENCHMARK_RVU_SINGLE])
                     + len([c for c in BENCHMARK_CODES if c in BENCHMARK_RVU_SINGLE]))


def _rvu_split(rows):
    """(codes with a global, 26 and TC row each, codes with one row) of a PPRRVU file of ``rows`` rows."""
    n_trip = max(len([c for c in BENCHMARK_CODES if c not in BENCHMARK_RVU_SINGLE]), round(rows / 9))
    return n_trip, rows - 3 * n_trip


def rvu_codes_needed(rows):
    """How many distinct codes a PPRRVU file of ``rows`` rows takes from the universe."""
    return sum(_rvu_split(rows))


def write_rvu(outdir, rows, uni, addons, seed):
    rng = random.Random(f"{seed}:rvu")
    codes = uni.codes
    bench_triplets = [c for c in BENCHMARK_CODES if c not in BENCHMARK_RVU_SINGLE]
    bench_singles = [c for c in BENCHMARK_CODES if c in BENCHMARK_RVU_SINGLE]
    n_trip, n_single = _rvu_split(rows)
    if n_single < len(bench_singles):
        raise SystemExit(f"--pctc-rows must be at least {RVU_ROWS_AT_LEAST}")
    bench = set(BENCHMARK_CODES)
    diag = [c for c in codes if c not in bench and _is_diagnostic(c)]
    rest = [c for c in codes if c not in bench and not _is_diagnostic(c)]
    k = n_trip - len(bench_triplets)
    take_diag = min(k, len(diag), int(k * 0.9))
    triplets = bench_triplets + rng.sample(diag, take_diag)
    triplets += rng.sample(rest, k - take_diag)
    tset = set(triplets)
    pool_single = [c for c in diag + rest if c not in tset]
    if n_single - len(bench_singles) > len(pool_single):
        raise SystemExit("--pctc-rows too large for the code universe (raise --mue-codes)")
    singles = bench_singles + rng.sample(pool_single, n_single - len(bench_singles))
    selected = sorted(set(triplets) | set(singles))
    endo, first_of_hundred = {}, {}
    for c in selected:  # endoscopy families: the first code of the hundred is the base
        if c.isdigit() and (43200 <= int(c) <= 45399 or 31231 <= int(c) <= 31661):
            base = first_of_hundred.setdefault(c[:3], c)
            endo[c] = base if base != c else ""
    path = os.path.join(outdir, RVU_FILE)
    with open(path, "w", encoding=ENCODING, newline="", buffering=1 << 20) as f:
        f.write("".join(line + RVU_EOL for line in RVU_PREAMBLE + RVU_CAPTIONS))
        count = 0
        for c in selected:
            recs = _triplet(rng, c, addons) if c in tset else _single(rng, c, addons, endo.get(c, ""))
            f.write("".join(recs))
            count += len(recs)
    assert count == rows, (count, rows)
    return path


# --------------------------------------------------------------------------- check


class CheckError(AssertionError):
    pass


def _need(cond, msg):
    if not cond:
        raise CheckError(msg)


def rvu_column_names():
    """Column names of the RVU CSV: the five caption rows joined top-down (domain.md 8.4)."""
    rows = list(csv.reader(io.StringIO("\n".join(RVU_CAPTIONS))))
    return [" ".join(r[i] for r in rows if r[i]) for i in range(RVU_COLUMNS)]


def check_ptp(paths, universe_codes=None, expected_rows=None):
    """Preamble, CRLF, Latin-1, 7 fields, formats, sortedness across parts, duplicates."""
    preamble = "".join(line + PTP_EOL for line in PTP_PREAMBLE).encode(ENCODING)
    qstart, qend = set(QSTART), set(QEND)
    rats = {r for r, _ in PTP_RATIONALES}
    code_ok = CODE_RE.match
    prev = None
    prev_eff = None
    run = 0
    stats = Counter()
    c1_degree = Counter()
    forced = {(a, b): m for a, b, m, _ in BENCHMARK_PAIRS}
    forced_active = set()
    sizes = []
    for path in paths:
        raw = open(path, "rb").read()
        _need(raw.startswith(preamble), f"{path}: preamble differs from the published one")
        _need(raw.endswith(b"\r\n"), f"{path}: last line not CRLF-terminated")
        crlf = raw.count(b"\r\n")
        _need(raw.count(b"\n") == crlf and raw.count(b"\r") == crlf, f"{path}: bare CR or LF")
        _need(raw.isascii(), f"{path}: non-ASCII byte in PTP data")
        text = raw[len(preamble):-2].decode(ENCODING)
        lines = text.split("\r\n") if text else []
        sizes.append(len(lines))
        for ln, line in enumerate(lines, start=len(PTP_PREAMBLE) + 1):
            f = line.split("\t")
            if len(f) != 7:
                raise CheckError(f"{path}:{ln}: {len(f)} fields, expected 7")
            c1, c2, star, eff, dele, mod, rat = f
            if not (code_ok(c1) and code_ok(c2)) or c1 == c2:
                raise CheckError(f"{path}:{ln}: bad code pair {c1!r} {c2!r}")
            if eff not in qstart or (dele != "*" and dele not in qend and not (mod == "9" and dele == eff)):
                raise CheckError(f"{path}:{ln}: bad dates {eff!r} {dele!r}")
            if dele != "*" and dele < eff:
                raise CheckError(f"{path}:{ln}: deletion before effective date")
            if mod == "9":
                _need(dele == eff, f"{path}:{ln}: indicator 9 row not deleted on its effective date")
            elif mod not in ("0", "1"):
                raise CheckError(f"{path}:{ln}: modifier indicator {mod!r}")
            if star:
                _need(star == "*" and eff == "19960101", f"{path}:{ln}: bad prior-1996 marker")
            _need(rat in rats, f"{path}:{ln}: unknown rationale {rat!r}")
            key = (c1, c2)
            if key == prev:
                run += 1
                _need(run <= 2, f"{path}:{ln}: key {key} on more than two rows")
                _need((eff, dele) != prev_eff, f"{path}:{ln}: duplicate key with the same dates")
                _need(eff >= prev_eff[0], f"{path}:{ln}: duplicate-key rows not oldest first")
                stats["dup_keys"] += 1
            else:
                _need(prev is None or key > prev, f"{path}:{ln}: rows not sorted ({prev} then {key})")
                run = 1
                stats["keys"] += 1
                c1_degree[c1] += 1
            prev, prev_eff = key, (eff, dele)
            stats["rows"] += 1
            stats["mod" + mod] += 1
            stats["star"] += star == "*"
            stats["active"] += dele == "*"
            if key in forced and mod != "9" and dele == "*":
                forced_active.add(key)
            if universe_codes is not None:
                _need(c1 in universe_codes and c2 in universe_codes, f"{path}:{ln}: code outside the universe")
    _need(max(sizes) - min(sizes) <= 1 and sizes == sorted(sizes, reverse=True),
          f"parts not split evenly (earlier parts take the remainder): {sizes}")
    if expected_rows is not None:
        _need(stats["rows"] == expected_rows, f"{stats['rows']} PTP rows, expected {expected_rows}")
    missing = set(forced) - forced_active
    _need(not missing, f"curated benchmark pairs missing or inactive: {sorted(missing)[:5]}")
    degrees = sorted(c1_degree.values(), reverse=True)
    rows = stats["rows"]
    return {
        "rows": rows, "parts": sizes, "keys": stats["keys"],
        "keys_on_two_rows": f"{stats['dup_keys'] / stats['keys']:.1%}",
        "modifier": {m: f"{stats['mod' + m] / rows:.1%}" for m in "019"},
        "prior_1996": f"{stats['star'] / rows:.1%}", "deletion_*": f"{stats['active'] / rows:.1%}",
        "column1_codes": len(degrees), "column1_with_100+": sum(d >= 100 for d in degrees),
        "column1_with_<=10": sum(d <= 10 for d in degrees),
        "max_partners": degrees[0], "median_partners": degrees[len(degrees) // 2],
    }


def check_mue(path, value_header, universe_codes=None):
    raw = open(path, "rb").read()
    pre = mue_preamble(value_header).encode(ENCODING)
    _need(raw.startswith(pre), f"{path}: notice/header records differ from the published layout")
    _need(b"CPT\xae is" in raw[:400], f"{path}: registered sign not Latin-1 0xAE")
    _need(b"\r" not in raw and raw.endswith(b"\n"), f"{path}: expected LF line ends")
    with open(path, encoding=ENCODING, newline="") as f:
        rows = list(csv.reader(f))
    _need(len(rows[0]) == 4 and rows[0][0].startswith("Current Procedural Terminology")
          and "\n" in rows[0][0] and rows[0][1:] == ["", "", ""], f"{path}: record 1 is not the AMA notice")
    _need(rows[1] == [MUE_CODE_HEADER, value_header, *MUE_TAIL_HEADERS], f"{path}: header {rows[1]!r}")
    codes, maic, zeros = [], Counter(), 0
    rats = {r for r, _ in MUE_RATIONALES}
    for r in rows[2:]:
        _need(len(r) == 4, f"{path}: row {r!r} has {len(r)} fields")
        code, value, mai, rat = r
        _need(CODE_RE.match(code), f"{path}: bad code {code!r}")
        _need(value.isdigit() and 0 <= int(value) <= 999, f"{path}: bad MUE value {value!r}")
        _need(mai in MAI_TEXT.values(), f"{path}: bad MAI {mai!r}")
        _need(rat in rats, f"{path}: unknown rationale {rat!r}")
        codes.append(code)
        maic[mai[0]] += 1
        zeros += value == "0"
    _need(codes == sorted(set(codes)), f"{path}: codes not sorted and unique")
    _need(set(BENCHMARK_CODES) <= set(codes), f"{path}: benchmark codes missing")
    if universe_codes is not None:
        _need(set(codes) == universe_codes, f"{path}: codes differ from the universe")
    n = len(codes)
    return set(codes), {"rows": n, "zeros": f"{zeros / n:.1%}",
                        "mai": {k: f"{v / n:.0%}" for k, v in sorted(maic.items())}}


def check_aoc(path, universe_codes=None):
    raw = open(path, "rb").read()
    _need(b"\r" not in raw and raw.endswith(b"\n"), f"{path}: expected LF line ends")
    with open(path, encoding=ENCODING, newline="") as f:
        rows = list(csv.reader(f))
    _need(tuple(rows[0]) == AOC_HEADER, f"{path}: header {rows[0]!r}")
    date_ok = re.compile(r"^(\d{8})?$").match
    pairs = set()
    types = Counter()
    for r in rows[1:]:
        _need(len(r) == 8, f"{path}: row {r!r} has {len(r)} fields")
        primary, addon, typ = r[0], r[1], r[2]
        _need(typ in ("1", "2", "3"), f"{path}: bad type {typ!r}")
        _need((primary == AOC_CONTRACTOR) == (typ == "2"), f"{path}: CCCCC only (and always) on type 2: {r}")
        _need(CODE_RE.match(addon) and (primary == AOC_CONTRACTOR or CODE_RE.match(primary)),
              f"{path}: bad codes {r}")
        _need(all(date_ok(d) for d in r[4:]) and r[6], f"{path}: bad dates {r}")
        _need(not r[7] or r[7] >= r[6], f"{path}: edit deleted before it took effect {r}")
        if universe_codes is not None:
            _need(addon in universe_codes and primary in universe_codes | {AOC_CONTRACTOR},
                  f"{path}: code outside the universe {r}")
        pairs.add((primary, addon, typ))
        types[typ] += 1
    _need(rows[1:] == sorted(rows[1:], key=lambda r: (r[1], r[0])), f"{path}: not sorted by add-on, primary")
    for p, a, t in BENCHMARK_ADDONS:
        _need((p, a, str(t)) in pairs, f"{path}: benchmark add-on row {p}/{a} missing")
    return {"rows": len(rows) - 1, "addon_codes": len({r[1] for r in rows[1:]}), "types": dict(sorted(types.items()))}


def check_rvu(path, universe_codes=None):
    raw = open(path, "rb").read()
    pre = "".join(line + RVU_EOL for line in RVU_PREAMBLE + RVU_CAPTIONS).encode(ENCODING)
    _need(raw.startswith(pre), f"{path}: preamble/caption rows differ from the published layout")
    _need(b"\r" not in raw and raw.endswith(b"\n"), f"{path}: expected LF line ends")
    with open(path, encoding=ENCODING, newline="") as f:
        rows = list(csv.reader(f))
    _need(all(len(r) == RVU_COLUMNS for r in rows), f"{path}: a row without {RVU_COLUMNS} fields")
    names = [" ".join(r[i] for r in rows[5:10] if r[i]) for i in range(RVU_COLUMNS)]
    _need(names == rvu_column_names(), f"{path}: joined caption names {names}")
    _need(names[RVU_PCTC] == "PCTC IND" and names[RVU_BILAT] == "BILAT SURG" and names[0] == "HCPCS"
          and names[1] == "MOD" and names[2] == "DESCRIPTION" and names[3] == "STATUS CODE",
          f"{path}: joined caption names {names}")
    data = rows[10:]
    pctc = Counter()
    order = {"": 0, "26": 1, "TC": 2}
    keys = [(r[0], order.get(r[1], 9)) for r in data]
    _need(keys == sorted(set(keys)), f"{path}: rows not sorted by HCPCS, MOD")
    by_code: dict[str, list[list[str]]] = {}
    for r in data:
        _need(CODE_RE.match(r[0]) and r[1] in order, f"{path}: bad code/modifier {r[:2]}")
        _need(r[2] == "REDACTED", f"{path}: description column must be REDACTED")
        _need(r[RVU_PCTC] in "0123456789" and len(r[RVU_PCTC]) == 1, f"{path}: bad PC/TC {r[RVU_PCTC]!r}")
        _need(r[RVU_BILAT] in ("0", "1", "2", "3", "9"), f"{path}: bad BILAT SURG {r[RVU_BILAT]!r}")
        for i in (5, 6, 8, 10, 11, 12, 15, 16, 17, 29, 30, 31):
            _need(re.match(r"^\d+\.\d\d$", r[i]) is not None, f"{path}: column {names[i]} = {r[i]!r}")
        total = float(r[5]) + float(r[6]) + float(r[10])
        _need(abs(total - float(r[11])) < 0.015, f"{path}: {r[0]} {r[1]} non-facility total != sum")
        by_code.setdefault(r[0], []).append(r)
        if universe_codes is not None:
            _need(r[0] in universe_codes, f"{path}: code outside the universe {r[0]}")
    triplets = 0
    for code, rs in by_code.items():
        ind = {r[RVU_PCTC] for r in rs}
        _need(len(ind) == 1, f"{path}: {code} rows disagree on PC/TC")
        if ind == {"1"}:
            _need([r[1] for r in rs] == ["", "26", "TC"], f"{path}: PC/TC 1 code {code} is not three rows")
            g, pc, tc = rs
            for i in (5, 6, 10):
                _need(abs(float(g[i]) - float(pc[i]) - float(tc[i])) < 0.015, f"{path}: {code} global != 26 + TC")
            triplets += 1
        else:
            _need(len(rs) == 1, f"{path}: {code} has several rows but PC/TC {ind}")
        pctc[rs[0][RVU_PCTC]] += len(rs)
    for code in BENCHMARK_CODES:
        _need(code in by_code, f"{path}: benchmark code {code} missing")
    return {"rows": len(data), "pctc1_codes": triplets,
            "rows_by_pctc": dict(sorted(pctc.items()))}


def check_outdir(outdir, parts=None, ptp_rows=None, hospital_rows=None, aoc_rows=None, rvu_rows=None):
    """Re-read every generated file and assert the layout invariants; returns a report."""
    report = {}
    universe, report["mue_practitioner"] = check_mue(os.path.join(outdir, MUE_PRACTITIONER),
                                                     MUE_VALUE_HEADER_PRACTITIONER)

    def ptp_paths(fmt):
        found, p = [], 1
        while os.path.exists(os.path.join(outdir, fmt.format(part=p))):
            found.append(os.path.join(outdir, fmt.format(part=p)))
            p += 1
        return found

    prac = ptp_paths(PTP_PRACTITIONER)
    _need(prac, "no practitioner PTP parts")
    if parts is not None:
        _need(len(prac) == parts, f"{len(prac)} practitioner parts, expected {parts}")
    report["ptp_practitioner"] = check_ptp(prac, universe, ptp_rows)
    hosp = ptp_paths(PTP_HOSPITAL)
    if hospital_rows:
        _need(len(hosp) == len(prac), "hospital PTP parts missing")
    if hosp:
        report["ptp_hospital"] = check_ptp(hosp, universe, hospital_rows or None)
        report["mue_hospital"] = check_mue(os.path.join(outdir, MUE_HOSPITAL), MUE_VALUE_HEADER_HOSPITAL,
                                           universe)[1]
    report["aoc"] = check_aoc(os.path.join(outdir, AOC_FILE), universe)
    if aoc_rows is not None:
        _need(report["aoc"]["rows"] == aoc_rows, "AOC row count")
    report["rvu"] = check_rvu(os.path.join(outdir, RVU_FILE), universe)
    if rvu_rows is not None:
        _need(report["rvu"]["rows"] == rvu_rows, "RVU row count")
    return report


# --------------------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--ptp-rows", type=int, default=2_600_000, help="practitioner PTP rows (default 2600000)")
    ap.add_argument("--ptp-parts", type=int, default=4, help="files per PTP table (default 4)")
    ap.add_argument("--hospital-rows", type=int, default=0, help="hospital PTP rows; 0 = no hospital files")
    ap.add_argument("--mue-codes", type=int, default=15_000, help="code universe size = MUE rows (default 15000)")
    ap.add_argument("--addon-rows", type=int, default=1000, help="add-on code rows (default 1000)")
    ap.add_argument("--pctc-rows", type=int, default=10_000,
                    help="PPRRVU data rows (default 10000; about 7 in 9 are distinct codes of the --mue-codes universe)")
    ap.add_argument("--seed", type=int, default=1)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="after writing, re-read and verify every file")
    mode.add_argument("--check-only", action="store_true", help="verify the files in OUTDIR, write nothing")
    a = ap.parse_args(argv)
    if a.ptp_parts < 1 or a.ptp_rows < 1 or a.hospital_rows < 0:
        ap.error("--ptp-parts and --ptp-rows must be positive, --hospital-rows not negative")

    if a.check_only:
        t = time.perf_counter()
        report = check_outdir(a.outdir)
        _print_report(report, f"check {time.perf_counter() - t:.1f}s")
        return 0

    uni = build_universe(a.mue_codes, a.seed)
    needed = rvu_codes_needed(a.pctc_rows)
    # Said before any file is written, not after half of them.
    if a.pctc_rows < RVU_ROWS_AT_LEAST:
        ap.error(f"--pctc-rows must be at least {RVU_ROWS_AT_LEAST} (the benchmark's codes)")
    if needed > len(uni.codes):
        ap.error(f"--pctc-rows {a.pctc_rows} needs {needed:,} distinct codes, and --mue-codes {a.mue_codes} makes "
                 f"{len(uni.codes):,}: lower --pctc-rows or raise --mue-codes")
    os.makedirs(a.outdir, exist_ok=True)
    t0 = time.perf_counter()
    timings = {}
    t = time.perf_counter()
    written = write_ptp(a.outdir, PTP_PRACTITIONER, a.ptp_parts, a.ptp_rows, uni, a.seed, "practitioner-ptp")
    timings["ptp_practitioner"] = time.perf_counter() - t
    if a.hospital_rows:
        t = time.perf_counter()
        written += write_ptp(a.outdir, PTP_HOSPITAL, a.ptp_parts, a.hospital_rows, uni, a.seed, "hospital-ptp")
        timings["ptp_hospital"] = time.perf_counter() - t
    t = time.perf_counter()
    written.append(write_mue(a.outdir, MUE_PRACTITIONER, MUE_VALUE_HEADER_PRACTITIONER, uni, a.seed,
                             "practitioner-mue"))
    if a.hospital_rows:
        written.append(write_mue(a.outdir, MUE_HOSPITAL, MUE_VALUE_HEADER_HOSPITAL, uni, a.seed, "hospital-mue"))
    aoc_path, addons = write_aoc(a.outdir, a.addon_rows, uni, a.seed)
    written.append(aoc_path)
    written.append(write_rvu(a.outdir, a.pctc_rows, uni, addons, a.seed))
    timings["mue_aoc_rvu"] = time.perf_counter() - t
    total = time.perf_counter() - t0
    for p in written:
        print(f"{os.path.getsize(p):>12,d}  {p}")
    print("generated in " + f"{total:.1f}s (" + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items()) + ")")
    if a.check:
        t = time.perf_counter()
        report = check_outdir(a.outdir, a.ptp_parts, a.ptp_rows, a.hospital_rows or None, a.addon_rows,
                              a.pctc_rows)
        _print_report(report, f"check {time.perf_counter() - t:.1f}s")
    return 0


def _print_report(report, title):
    print(f"layout check passed ({title})")
    for name, values in report.items():
        print(f"  {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))


if __name__ == "__main__":
    sys.exit(main())
