"""Pair rules on a date of many lines: the evaluator's path for big dates (``_big_day_pair_rules``) gives what
the plain loop over every pair gives, in the same order, and pairs only the lines each side of a rule can be;
explain's steps of pair rules, which ask each side of a rule once a line, are the plain loop's too."""

from __future__ import annotations

import random

import pytest

import radrules
from radrules import conditions as c
from radrules import evaluator
from radrules.condition_reads import pair_sides
from radrules.explain.tracer import Tracer
from builders import NPI, OTHER_NPI, claim, line

CODES = ("70450", "70460", "71045", "71046", "74177")
MODIFIERS = ("26", "TC", "59", "76", "77", "LT")
PLACES = ("11", "21", "22", "23")
DIAGNOSES = ("R10.9", "Z12.31", "C34.90")


def _side(record: str, rng: random.Random) -> str:
    """A test that reads one line (``record``), the claim or the patient."""
    pick = rng.randrange(16)
    if pick == 0:
        return f"{record}.modifiers has [{rng.choice(MODIFIERS)}]"
    if pick == 1:
        return f"{record}.modifiers has none of [{', '.join(rng.sample(MODIFIERS, 2))}]"
    if pick == 2:
        return f"{record}.units {rng.choice(('>', '<=', '='))} {rng.randint(1, 2)}"
    if pick == 3:
        return f"{record}.place_of_service in [{', '.join(rng.sample(PLACES, 2))}]"
    if pick == 4:
        return f"{record}.diagnoses has [{rng.choice(DIAGNOSES)}]"
    if pick == 5:
        return f"{record}.code in [{', '.join(rng.sample(CODES, 2))}]"
    if pick == 6:
        return f"{record}.first_modifier is {rng.choice(MODIFIERS)}"
    if pick == 7:
        return f"{record}.rendering_npi is {rng.choice(('present', 'missing'))}"
    if pick == 8:
        return f"{record}.pctc is {rng.choice('012')}"  # unknown for a code without one
    if pick == 9:
        return f"{record}.date {rng.choice(('>=', '<'))} 2026-03-03"
    if pick == 10:
        return f"not {_side(record, rng)}"
    if pick == 11:
        return f"({_side(record, rng)} or {_side(record, rng)})"
    if pick == 12:
        return f"patient.age > {rng.choice((30, 60))}"  # unknown without a birth date
    if pick == 13:
        return f"claim.type is {rng.choice(('professional', 'institutional'))}"
    if pick == 14 and record == "line":
        return rng.choice((f"claim also has {rng.choice(CODES)} on the same date",
                           f"history has {rng.choice(CODES)} within 12 months", "history has the same code",
                           f"history count of [{', '.join(rng.sample(CODES, 2))}] > 0",
                           f"days since last {rng.choice(CODES)} < 400"))
    return f"{record}.code is {rng.choice(CODES)}"


def _both(rng: random.Random) -> str:
    """A test that reads both lines."""
    return rng.choice((
        "other.number < line.number", "other.code = line.code", "other.code != line.code",
        "other.units = line.units", "other.modifiers = line.modifiers", "ptp edit between line and other",
        "other.rendering_npi = line.rendering_npi", "line.rendering_npi != other.rendering_npi",
        f"history has {rng.choice(CODES)} since other.date - 30 days",
        f"(line.modifiers has [{rng.choice(MODIFIERS)}] or other.units > 1)",
        f"not (line.code is {rng.choice(CODES)} and other.code is {rng.choice(CODES)})",
    ))


def random_rules(rng: random.Random) -> str:
    """Pair rules made of tests of one line, of the other, of both, of the claim; a few PTP rows."""
    out = ["property pctc = 1 for 70450, 71046\nproperty pctc = 0 for 74177\n",
           "pairs gen.ptp\n  pair 70450 with 70460 modifier 1\n  pair 71046 with 71045 modifier 0\nend\n"]
    for number in range(rng.randint(1, 6)):
        parts = [_side("other", rng)] + [rng.choice((_side("line", rng), _side("other", rng), _both(rng)))
                                         for _ in range(rng.randint(0, 3))]
        rng.shuffle(parts)
        condition = "\n   and ".join(parts)
        if rng.random() < 0.15:  # an `or` at the top: nothing to split
            condition = f"({condition})\n   or ({_side('line', rng)} and {_side('other', rng)})"
        window = "\n  effective 2026-03-03" if rng.random() < 0.15 else ""
        once = "\n  once per line" if rng.random() < 0.4 else ""
        across = "\n  across providers" if rng.random() < 0.3 else ""
        out.append(f'rule gen.r{number}\n  when {condition}\n'
                   f'  then warn {rng.choice(("line", "other", "both"))} "{{line.code}} with {{other.code}}"'
                   f'{once}{across}{window}\n  reference "test"\nend\n')
    return "\n".join(out)


def random_claim(rng: random.Random, lines: int) -> dict:
    """Lines on one or two dates, often alike, with some values missing (so that tests answer unknown)."""
    diagnoses = list(DIAGNOSES)
    out = []
    for _ in range(lines):
        entry = line(rng.choice(CODES), rng.choice(("2026-03-02", "2026-03-03")), units=rng.choice((1, 1, 2, 3)),
                     modifiers=rng.sample(MODIFIERS, rng.choice((0, 0, 1, 2))),
                     diagnosis_pointers=rng.sample((1, 2, 3), rng.randint(1, 2)))
        if rng.random() < 0.6:
            entry["place_of_service"] = rng.choice(PLACES)
        if rng.random() < 0.4:
            entry["rendering_npi"] = rng.choice((NPI, OTHER_NPI))
        out.append(entry)
    fields = {"diagnoses": diagnoses, "type": rng.choice(("professional", "institutional"))}
    if rng.random() < 0.7:
        fields["patient"] = {"birth_date": "1960-05-01"}
    return claim(*out, **fields)


def random_history(rng: random.Random) -> list:
    return [{"code": rng.choice(CODES), "date": rng.choice(("2025-06-01", "2026-02-20"))}
            for _ in range(rng.randint(0, 3))]


def raw_findings(monkeypatch, rules, data, big_date: int, indexed: bool = True, history=None) -> list:
    """The findings of a claim in the order the evaluator made them (before the result sorts them), with
    dates of more than ``big_date`` lines taking the big dates' path."""
    made = []

    def keep(claim_id, count, findings):
        made.append(list(findings))
        return build(claim_id, count, findings)

    build = evaluator.build_result
    with monkeypatch.context() as patch:
        patch.setattr(evaluator, "BIG_DATE", big_date)
        patch.setattr(evaluator, "build_result", keep)
        rules.evaluate(data, indexed=indexed, history=history)
    return made[0]


@pytest.mark.parametrize("seed", range(40))
def test_big_dates_find_what_the_plain_loop_finds(monkeypatch, seed):
    """On random pair rules and claims (some with a history), the big dates' path and the plain loop make the same
    findings in the same order (once per line, `both` reported once, rendering providers), indexed and by scan."""
    rng = random.Random(seed)
    rules = radrules.loads(random_rules(rng), f"gen{seed}.rr")
    for _ in range(4):
        data = random_claim(rng, rng.randint(2, 45))
        history = random_history(rng) if rng.random() < 0.5 else None
        for indexed in (True, False):
            plain = raw_findings(monkeypatch, rules, data, 10 ** 9, indexed, history)
            assert raw_findings(monkeypatch, rules, data, 0, indexed, history) == plain


def test_bundled_rules_on_a_big_date(monkeypatch, bundled):
    """The bundled pair rules (codes, the same code, `claim also has`) find on a date of 120 lines what the
    plain loop finds."""
    rng = random.Random(5)
    codes = ("71045", "71046", "74176", "74177", "74178", "70450", "70460", "76376", "76377", "72192")
    data = claim(*[line(rng.choice(codes), modifiers=rng.sample(("26", "50", "59", "76", "LT"), rng.randint(0, 1)),
                        units=rng.choice((1, 2))) for _ in range(120)])
    plain = raw_findings(monkeypatch, bundled, data, 10 ** 9)
    assert len(plain) > 100
    assert raw_findings(monkeypatch, bundled, data, evaluator.BIG_DATE) == plain


RULES = '''
rule big.repeat "REPEAT"
  when line.modifiers has [76]
   and other.modifiers has [77]
   and other.number < line.number
  then warn line "line {line.number} after line {other.number}"
  reference "test"
end

rule big.places "PLACES"
  when line.place_of_service in [23]
   and other.place_of_service in [21]
   and other.units = line.units
  then warn both "{line.code} and {other.code}"
  once per line
  reference "test"
end
'''


def test_a_big_claim_pairs_only_the_lines_of_each_side(monkeypatch):
    """On a date of 999 lines, a rule is tested only on the pairs of a line its `line` side accepts with one its
    `other` side accepts, and finds what the plain loop over all pairs finds."""
    rules = radrules.loads(RULES, "big.rr")
    lines = []
    for number in range(999):
        modifiers = ["76"] if number % 50 == 0 else ["77"] if number % 50 == 25 else []
        place = "23" if number % 40 == 1 else "21" if number % 40 == 3 else "11"
        lines.append(line("71046", modifiers=modifiers, place_of_service=place, units=1 + number % 2))
    data = claim(*lines)
    counted = []

    def counting(a, b):
        counted.append(1)
        return c.same_provider(a, b)

    monkeypatch.setattr(evaluator, "same_provider", counting)
    big = raw_findings(monkeypatch, rules, data, evaluator.BIG_DATE)
    # 20 lines with 76 and 20 with 77; 25 lines of place 23 and 25 of place 21 (all of 2 units)
    assert len(counted) <= 20 * 20 + 25 * 25
    assert len([f for f in big if f.rule == "big.repeat"]) == 20 * 19 // 2
    assert len([f for f in big if f.rule == "big.places"]) == 25
    assert raw_findings(monkeypatch, rules, data, 10 ** 9) == big


def test_the_sides_of_a_pair_condition():
    """A pair rule's condition splits into the parts that read `line` alone (with the claim's), `other` alone,
    and the rest."""
    rules = radrules.loads('''
rule split.me
  when line.modifiers has [26]
   and other.units > 1
   and other.units = line.units
   and claim.type is professional
   and claim also has 70450
   and not other.place_of_service in [21]
   and (line.units > 1 or other.units > 2)
  then warn line "x"
  reference "test"
end
''', "split.rr")
    (rule,) = rules.rules
    line_side, other_side, rest = (tuple(part.text for part in parts) for parts in pair_sides(rule.condition))
    assert sorted(line_side) == ["claim also has 70450", "claim.type is professional", "line.modifiers has [26]"]
    assert sorted(other_side) == ["not other.place_of_service in [21]", "other.units > 1"]
    assert sorted(rest) == ["line.units > 1 or other.units > 2", "other.units = line.units"]


def plain_pair_rules(tracer, group: list) -> None:
    """explain's steps of the pair rules of a date as a plain loop over every ordered pair of its lines, the
    whole condition asked of each (what explain did before it asked each side once a line)."""
    for a in group:
        for rule in tracer.lookup.pair_rules(a):
            fired_with = None
            for b in group:
                # (written out, not the evaluator's test: one provider's lines, or any two with the clause)
                if a is b or not (rule.across_providers or a.provider is None or b.provider is None
                                  or a.provider == b.provider):
                    continue
                if rule.same_code and b.code != a.code:
                    continue
                if rule.other_codes is not None and b.code not in rule.other_codes:
                    continue
                if fired_with is not None:
                    tracer._not_checked(rule, a, b, fired_with)
                elif tracer._rule(rule, a, b) == "fired" and rule.once_per_line:
                    fired_with = b


def explained(monkeypatch, rules, data, plain: bool, history=None) -> tuple:
    """The steps of explaining a claim, with the plain loop over every pair for the pair rules if ``plain``."""
    with monkeypatch.context() as patch:
        if plain:
            patch.setattr(Tracer, "_pair_rules", plain_pair_rules)
        return rules.evaluate(data, history=history, explain=True).explanation.steps


@pytest.mark.parametrize("seed", range(40))
def test_explain_steps_of_pair_rules_are_the_plain_loops(monkeypatch, seed):
    """On random pair rules and claims (some with a history), explain's steps (fired, silent with the first false
    or unknown part as written, out of dates, not checked after `once per line`, `both` once) are those of the
    plain loop over every pair, in the same order."""
    rng = random.Random(1000 + seed)
    rules = radrules.loads(random_rules(rng), f"gen{seed}.rr")
    for _ in range(3):
        data = random_claim(rng, rng.randint(2, 45))
        history = random_history(rng) if rng.random() < 0.5 else None
        plain = explained(monkeypatch, rules, data, True, history)
        assert any(step.rule.startswith("gen.r") for step in plain) or len(data["lines"]) < 3
        assert explained(monkeypatch, rules, data, False, history) == plain


def test_explain_asks_a_part_that_reads_one_line_once_a_line(monkeypatch):
    """On a date of 200 lines, explain asks a pair rule's `claim also has` (it reads `line`) once a line, not once
    a pair, and its steps are the plain loop's."""
    rules = radrules.loads('''
rule big.also "ALSO"
  when other.modifiers has [77]
   and claim also has 74177 on the same date
   and other.units = line.units
  then warn line "{line.code} beside {other.code}"
  reference "test"
end
''', "also.rr")
    data = claim(*[line("71046", modifiers=["77"] if number % 3 else [], units=1 + number % 2)
                   for number in range(200)])
    asked = []
    also_has = c.AlsoHas.test

    def counting(self, ev, line, other):
        asked.append(1)
        return also_has(self, ev, line, other)

    monkeypatch.setattr(c.AlsoHas, "test", counting)
    steps = explained(monkeypatch, rules, data, False)
    assert len(asked) <= 200
    assert sum(step.rule == "big.also" for step in steps) == 200 * 199
    assert explained(monkeypatch, rules, data, True) == steps
