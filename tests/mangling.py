"""Hypothesis strategies that damage input: any JSON at any place of a document, random edits of a file.

The "never a traceback" tests use them: whatever the damage, radrules gives a
result or its own error (ClaimError, InputError, RuleError), nothing else.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: Removes the value at a path (see :func:`apply_changes`).
REMOVE = object()


def any_json(keys, strings=(), max_leaves: int = 8):
    """Any JSON value: scalars (with ``strings``, the odd values a field may meet), lists, objects with ``keys``."""
    scalars = st.none() | st.booleans() | st.integers(-3, 3) | st.integers() | st.floats(allow_nan=True) | st.text(
        max_size=5)
    if strings:
        scalars = scalars | st.sampled_from(list(strings))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(list(keys)), inner, max_size=3), max_leaves=max_leaves)


def json_paths(value, path=()):
    """Every path (a tuple of keys and indexes) into a JSON value, the empty path first."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from json_paths(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from json_paths(child, path + (index,))


def apply_changes(data, changes) -> None:
    """Set each (path, value) of ``changes`` in ``data`` (REMOVE deletes); a path earlier changes broke is skipped."""
    for path, value in changes:
        target = data
        try:
            for key in path[:-1]:
                target = target[key]
            if value is REMOVE:
                del target[path[-1]]
            else:
                target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue


@st.composite
def damaged(draw, data, pieces):
    """``data`` (text or bytes) with one to four random edits: a span deleted, one of ``pieces``
    inserted or written over, a line repeated or dropped, or the end cut off."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["delete", "insert", "replace", "repeat line", "drop line", "cut"]))
        if edit == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)):]
        elif edit == "insert":
            data = data[:at] + draw(pieces) + data[at:]
        elif edit == "replace":
            piece = draw(pieces)
            data = data[:at] + piece + data[at + len(piece):]
        elif edit == "cut":
            data = data[:at]
        else:
            lines = data.split(newline)
            line = min(at * len(lines) // (len(data) + 1), len(lines) - 1)
            lines[line:line + 1] = [lines[line]] * 2 if edit == "repeat line" else []
            data = newline.join(lines)
    return data
