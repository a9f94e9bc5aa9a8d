"""FHIR R4 ``Claim`` resources in (``fhir_response``: ``ClaimResponse`` resources out).

Plain JSON (dicts), no FHIR library: :func:`read_fhir` takes a ``Claim``, a
``Bundle`` of them, a list of resources, or a file holding any of these as
JSON or NDJSON (one resource per line, as FHIR bulk export writes it).
docs/readers.md has the mapping of every field.

Errors name the JSON path (``entry[2].resource.item[0].servicedDate``),
never a value.

This module reads the source and finds its ``Claim`` resources;
:mod:`radrules.readers.fhir_claims` maps each to a claim, with the code
systems, datatypes and references of :mod:`radrules.readers.fhir_common`.
"""

from __future__ import annotations

import io
import json
import os
from typing import Any, Iterator, Literal, Mapping, Union, overload

from ..claim import Claim
from ..errors import FileSource, InputError, json_problem, json_value, open_path
from .fhir_claims import claim_from_resource
from .fhir_common import IndexWithBase, Problem, bundle_index


#: What ``read_fhir`` reads: a resource (a ``Claim`` or a ``Bundle``) or a list of them, or a file as the X12 reader takes
#: one (a path, bytes, a file opened for reading) holding JSON or NDJSON.
FhirSource = Union[dict[str, Any], list[dict[str, Any]], FileSource]


@overload
def read_fhir(source: FhirSource, *, payers: Mapping[str, str] | None = None,
              with_resources: Literal[False] = False) -> Iterator[Claim | InputError]: ...


@overload
def read_fhir(source: FhirSource, *, payers: Mapping[str, str] | None = None,
              with_resources: Literal[True]) -> Iterator[tuple[dict[str, Any], Claim | InputError]]: ...


@overload
def read_fhir(source: FhirSource, *, payers: Mapping[str, str] | None = None,
              with_resources: bool) -> Iterator[Any]: ...


def read_fhir(source: FhirSource, *, payers: Mapping[str, str] | None = None,
              with_resources: bool = False) -> Iterator[Any]:
    """Yield a :class:`~radrules.Claim` for every FHIR R4 ``Claim`` in ``source``.

    ``source`` is a resource (a dict: a ``Claim`` or a ``Bundle``), a list of
    resources, a path, a file object or bytes holding JSON or NDJSON. A claim that
    can't be mapped yields an :class:`~radrules.errors.InputError` (path and
    problem; ``claim`` is its position) and the next claims are still read;
    a source that is not FHIR JSON raises InputError. ``payers`` maps insurer
    identifier values to radrules payer names. With ``with_resources=True``
    each item is a pair ``(claim resource, Claim or InputError)``, for
    :func:`to_fhir_claim_response`.
    """
    name, resources = _resources(source)
    payers = dict(payers or {})
    position = 0
    for prefix, resource, bundle in resources:
        position += 1
        try:
            item: Any = claim_from_resource(resource, bundle, payers)
        except Problem as problem:
            path = f"{prefix}{problem.path}" if problem.path else prefix.rstrip(".") or None
            item = InputError(name, problem.problem, path=path, claim=position)
        yield (resource, item) if with_resources else item


def _resources(source) -> tuple[str, Iterator[tuple[str, dict, dict]]]:
    """(name, iterator of (path prefix, Claim resource, resources it may reference))."""
    if isinstance(source, (dict, list)):
        return "<fhir>", _claims_of(source, "<fhir>", "")
    if isinstance(source, (bytes, bytearray, memoryview)):  # the content (a request's body), not a path
        source = io.BytesIO(source)
    if isinstance(source, (str, os.PathLike)):
        handle, name = open_path(source, "a FHIR file", "r", encoding="utf-8-sig")
        try:
            with handle:
                text = handle.read()
        except OSError as problem:
            raise InputError(name, f"can't read the file: {problem.strerror}") from None
        except UnicodeDecodeError:
            raise InputError(name, "not UTF-8 text") from None
    elif not hasattr(source, "read"):
        raise InputError(None, "expected a FHIR resource (a dict or a list), the path of a FHIR file, an open file "
                               f"or bytes, not {type(source).__name__}")
    else:
        name = getattr(source, "name", None)
        name = name if isinstance(name, str) else "<fhir>"
        text = source.read()
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InputError(name, "not UTF-8 text") from None
    return name, _parse(text, name)


def _parse(text: str, name: str) -> Iterator[tuple[str, dict, dict]]:
    if not text.strip():  # an empty file holds no claims, as in every other input format
        return
    try:
        data = json_value(text)
    except json.JSONDecodeError as first:
        lines = [(number, line) for number, line in enumerate(text.split("\n"), 1) if line.strip()]
        if len(lines) < 2:
            raise InputError(name, f"not JSON: {json_problem(first)}") from None
        for number, line in lines:  # NDJSON: one resource per line
            try:
                resource = json_value(line)
            except json.JSONDecodeError as problem:
                raise InputError(name, f"line {number}: not JSON: {json_problem(problem, line=False)}") from None
            yield from _claims_of(resource, name, f"line {number}: ")
        return
    yield from _claims_of(data, name, "")


def _claims_of(data, name: str, prefix: str, top: bool = True) -> Iterator[tuple[str, dict, dict]]:
    if isinstance(data, list) and top:  # a list of resources (a list in it is no resource)
        for index, resource in enumerate(data):
            yield from _claims_of(resource, name, f"{prefix}[{index}].", False)
        return
    if not isinstance(data, dict):
        raise InputError(name, "expected a FHIR resource (a JSON object with `resourceType`)",
                         path=prefix.rstrip(".") or None)
    kind = data.get("resourceType")
    if kind == "Claim":
        yield prefix, data, {}
    elif kind == "Bundle":
        entries = data.get("entry") or []
        if not isinstance(entries, list):
            raise InputError(name, "expected a list", path=f"{prefix}entry")
        index_ = bundle_index(entries)
        for number, entry in enumerate(entries):
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") == "Claim":
                full_url = entry.get("fullUrl")
                yield (f"{prefix}entry[{number}].resource.", resource,
                       IndexWithBase(index_, full_url) if isinstance(full_url, str) else index_)
    else:
        raise InputError(name, "expected a FHIR `Claim` or `Bundle` resource",
                         path=f"{prefix}resourceType")
