"""The public API as a typed program sees it: the names of docs/api.md are annotated, with element types."""

from __future__ import annotations

import collections
import collections.abc
import inspect
import types
import typing

import pytest

import radrules
import radrules.testing
from radrules.explain import Explanation

from builders import NPI, claim, line

#: Containers a hint must give the element types of: a bare `tuple` or `dict` is `tuple[Any, ...]` to mypy.
_GENERIC = (tuple, list, dict, set, frozenset, collections.abc.Iterable, collections.abc.Iterator,
            collections.abc.Mapping, collections.abc.Sequence)


def hints(function) -> dict:
    """The type hints of a function or class, names imported for type checkers only given."""
    return typing.get_type_hints(function, localns={"Explanation": Explanation})


def bare(hint) -> list:
    """The containers in ``hint`` written without their element types."""
    if hint in _GENERIC or typing.get_origin(hint) in _GENERIC and not typing.get_args(hint):
        return [hint]
    return [found for argument in typing.get_args(hint) for found in bare(argument)]


def dicts(hint) -> list:
    """The ``dict[...]`` types in ``hint``."""
    own = [hint] if typing.get_origin(hint) is dict else []
    return own + [found for argument in typing.get_args(hint) for found in dicts(argument)]


def unannotated(function) -> list[str]:
    """The parameters of ``function`` (and its return, as ``return``) a type checker sees as `Any`."""
    found = hints(function)
    missing = [name for name in inspect.signature(function).parameters
               if name not in ("self", "cls") and name not in found]
    if function.__name__ != "__init__" and "return" not in found:
        missing.append("return")
    missing += [f"{name}: {hint}" for name, hint in found.items() if bare(hint)]
    return missing


#: The functions and methods docs/api.md documents (overloaded readers: their implementations).
DOCUMENTED = {
    "load": radrules.load,
    "loads": radrules.loads,
    "format_rules": radrules.format_rules,
    "clear_memory_cache": radrules.clear_memory_cache,
    "read_x12": radrules.read_x12,
    "read_fhir": radrules.read_fhir,
    "to_fhir_claim_response": radrules.to_fhir_claim_response,
    "diff_rulesets": radrules.diff_rulesets,
    "diff_outcomes": radrules.diff_outcomes,
    "Ruleset.evaluate": radrules.Ruleset.evaluate,
    "Ruleset.rule_ids": radrules.Ruleset.rule_ids,
    "Ruleset.describe": radrules.Ruleset.describe,
    "History.lookup": radrules.History.lookup,
    "JsonlHistory": radrules.JsonlHistory.__init__,
    "JsonlHistory.lookup": radrules.JsonlHistory.lookup,
    "read_history": radrules.read_history,
    "Claim.from_dict": radrules.Claim.from_dict,
    "Claim.to_dict": radrules.Claim.to_dict,
    "Result.to_dict": radrules.Result.to_dict,
    "Result.status_of": radrules.Result.status_of,
    "Result.fired": radrules.Result.fired,
    "Finding.to_dict": radrules.Finding.to_dict,
    "LineStatus.to_dict": radrules.LineStatus.to_dict,
    "Diagnostic.render": radrules.Diagnostic.render,
    "Diagnostic.to_dict": radrules.Diagnostic.to_dict,
    "Explanation.render": Explanation.render,
    "Explanation.to_dict": Explanation.to_dict,
    "RulesetDiff.to_text": radrules.RulesetDiff.to_text,
    "RulesetDiff.to_dict": radrules.RulesetDiff.to_dict,
    "OutcomeDiff.to_text": radrules.OutcomeDiff.to_text,
    "OutcomeDiff.to_dict": radrules.OutcomeDiff.to_dict,
}

#: radrules.testing.Runner, public in its own module (api.md; its use in docs/testing.md).
DOCUMENTED["testing.Runner"] = radrules.testing.Runner.__init__
DOCUMENTED["testing.Runner.run"] = radrules.testing.Runner.run

#: The attrs classes docs/api.md documents, whose fields a typed caller reads.
CLASSES = [radrules.Claim, radrules.Line, radrules.Patient, radrules.Authorization, radrules.HistoryLine,
           radrules.Result, radrules.Finding, radrules.LineStatus, radrules.Diagnostic, Explanation,
           radrules.explain.Step, radrules.RulesetDiff, radrules.OutcomeDiff]


class TestAnnotations:
    @pytest.mark.parametrize("name", sorted(DOCUMENTED))
    def test_documented_callables_are_annotated_with_element_types(self, name):
        """A typed caller (mypy --strict) gets no `Any` from a documented call: every parameter and return is
        annotated, and no container is bare (an API reviewer's finding: `JsonlHistory.lookup` was an untyped call,
        `history=` took anything)."""
        assert unannotated(DOCUMENTED[name]) == []

    @pytest.mark.parametrize("field", ["name", "versions", "files", "warnings", "allowed", "tables", "payers"])
    def test_documented_ruleset_fields_have_element_types(self, field):
        """`ruleset.warnings` holds Diagnostics to a type checker, so that api.md's
        `[w for w in ruleset.warnings if w.code != "RR530"]` is checked (it was `tuple[Any, ...]`)."""
        assert bare(hints(radrules.Ruleset)[field]) == []

    @pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
    def test_documented_classes_fields_have_element_types(self, cls):
        """Each field of the claim, result, diagnostic, explanation and diff classes gives its element types
        (`Authorization.codes` was a bare frozenset, `Explanation.notes` a bare dict)."""
        assert {name: hint for name, hint in hints(cls).items() if bare(hint)} == {}

    def test_a_ruleset_field_types_name_what_it_holds(self):
        """The element types are those the ruleset holds."""
        ruleset = radrules.load()
        found = hints(radrules.Ruleset)
        assert found["warnings"] == tuple[radrules.Diagnostic, ...]
        assert all(isinstance(name, str) for name in ruleset.files)
        assert all(isinstance(name, str) and isinstance(version, str) for name, version in ruleset.versions)
        assert all(isinstance(payer, str) for payer in ruleset.payers)


class TestMappings:
    @pytest.mark.parametrize("function, parameter", [
        (radrules.Ruleset.evaluate, "claim"), (radrules.Ruleset.evaluate, "history"),
        (radrules.diff_outcomes, "claims"), (radrules.diff_outcomes, "history"), (radrules.History.lookup, "return"),
    ])
    def test_claims_and_history_lines_are_typed_as_mappings(self, function, parameter):
        """A claim or a history line is a `Mapping[str, Any]` to a type checker, not a `dict[str, Any]`: the
        TypedDict a typed caller describes the JSON shape with is no dict to mypy, and was refused."""
        assert dicts(hints(function)[parameter]) == []

    def test_read_only_mappings_are_read_as_dicts(self):
        """A claim, its patient and lines, and history lines that are mappings but not dicts (a MappingProxyType)
        are read as the dicts they hold, as their type promises; before, each was "expected an object"."""
        frozen = types.MappingProxyType
        rules = radrules.load()
        data = claim(line("74176", "2026-03-02", rendering_npi=NPI), line("74150", "2026-03-02"), payer="acme",
                     prior_auth="PA1", patient={"id": "M1"})
        earlier = {"code": "74176", "date": "2026-03-02", "status": "paid", "rendering_npi": NPI}
        expected = rules.evaluate(data, history=[earlier])
        assert expected.fired() == ("duplicate.history", "acme.ptp")
        mapped = frozen({**data, "patient": frozen(data["patient"]), "lines": [frozen(each) for each in data["lines"]]})
        assert rules.evaluate(mapped, history=[frozen(earlier)]) == expected
        assert radrules.Claim.from_dict(mapped) == radrules.Claim.from_dict(data)

    def test_a_mapping_of_a_bad_shape_is_a_claim_error(self):
        """A mapping is checked as a dict is: the ClaimError names the field."""
        with pytest.raises(radrules.ClaimError, match=r"^lines: expected a list$"):
            radrules.load().evaluate(types.MappingProxyType({"lines": types.MappingProxyType({})}))


class TestHistorySequences:
    def test_any_sequence_of_lines_is_a_history(self):
        """`history=` is typed as a sequence of lines: one that is neither list nor tuple (a deque) is read as a
        list is, not refused."""
        rules = radrules.load()
        earlier = [{"code": "74176", "date": "2026-03-02", "status": "paid", "rendering_npi": NPI}]
        current = claim(line("74176", "2026-03-02", rendering_npi=NPI))
        result = rules.evaluate(current, history=collections.deque(earlier))
        assert "duplicate.history" in result.fired()
        assert result == rules.evaluate(current, history=earlier)

    @pytest.mark.parametrize("history", ["74176", b"74176"], ids=["text", "bytes"])
    def test_a_text_is_no_sequence_of_lines(self, history):
        """A text is a sequence of characters, not of lines: still a ClaimError."""
        with pytest.raises(radrules.ClaimError, match="^history: expected a list of service lines"):
            radrules.load().evaluate(claim(line("74176")), history=history)


class TestArgumentsOfAWrongType:
    """api.md: "An argument of a type a function does not take at all is a TypeError"."""

    def test_diff_outcomes_takes_rulesets(self):
        """`diff_outcomes(5, rules, claims)` was an AttributeError at the first claim, and no error without one."""
        rules = radrules.load()
        with pytest.raises(TypeError, match=r"^diff_outcomes\(\): `old` must be a Ruleset .*, not int$"):
            radrules.diff_outcomes(5, rules, [claim(line("74176"))])
        with pytest.raises(TypeError, match=r"^diff_outcomes\(\): `new` must be a Ruleset .*, not str$"):
            radrules.diff_outcomes(rules, "rulesets", [])

    @pytest.mark.parametrize("claims", [claim(line("74176")), b'{"lines": []}\n', 5])
    def test_diff_outcomes_takes_claims_in_an_iterable(self, claims):
        """One claim's dict was read as its keys, and a claims file's bytes as numbers: as many unreadable claims,
        and no error."""
        rules = radrules.load()
        with pytest.raises(TypeError, match=r"^diff_outcomes\(\): `claims` must be a claims file's path, .*, not "
                                            f"{type(claims).__name__}$"):
            radrules.diff_outcomes(rules, rules, claims)
        assert radrules.diff_outcomes(rules, rules, [claims] if type(claims) is dict else []).unreadable == 0

    def test_to_fhir_claim_response_takes_a_resource_or_a_claim(self):
        """A `claim` of another type was left out without a word: the response lost the request's references."""
        result = radrules.load().evaluate(claim(line("74176")))
        with pytest.raises(TypeError, match=r"^to_fhir_claim_response\(\): `claim` must be .*, not str$"):
            radrules.to_fhir_claim_response(result, '{"resourceType": "Claim"}')
        response = radrules.to_fhir_claim_response(result, {"resourceType": "Claim", "id": "c1"})
        assert response["request"] == {"reference": "Claim/c1"}


def test_bare_finds_containers_without_element_types():
    """The check above can fail: `tuple` and `dict[str, tuple]` are bare, `tuple[str, ...]` is not."""
    assert bare(tuple) == [tuple]
    assert bare(dict[str, tuple]) == [tuple]
    assert bare(typing.Optional[typing.Iterable]) == [typing.Iterable]
    assert bare(tuple[str, ...]) == [] and bare(types.NoneType) == []
