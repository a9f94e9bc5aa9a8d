"""Read claims for an impact run one at a time, whatever the file's size.

A claims file is JSON Lines (one claim per line), or, when its first
character is ``[``, one JSON array of claims, decoded element by element.
Items come out as ``(number, item)``: ``number`` is the line number in a
JSON Lines file and the position in an array; ``item`` is the decoded
claim, or an :class:`Unreadable` saying why it could not be decoded. A bad
line never stops the reading.
"""

from __future__ import annotations

import json
from typing import IO, Iterator

import attrs

from ..errors import LENIENT_DECODER, DuplicateKey, json_problem, json_value, strict_decoder

_CHUNK = 1 << 16
#: A claim longer than this (in characters) is reported as broken, not read further.
_LONGEST = 1 << 24


@attrs.frozen
class Unreadable:
    """An item that is not a claim: not JSON, or not a JSON object. Never holds the item's text."""

    problem: str


def is_array(handle: IO[bytes]) -> bool:
    """Whether a buffered binary file starts (after a byte order mark and blanks) with ``[``."""
    return handle.peek(256)[:256].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")


def read_claim_file(handle: IO[bytes]) -> Iterator[tuple[int, object]]:
    """``(number, claim dict or Unreadable)`` from a buffered binary file of JSON Lines or a JSON array
    (an element or line that is JSON but not an object, a text say, is Unreadable: never read again)."""
    if is_array(handle):
        for number, value in _array(handle):
            yield number, _object(value)
        return
    for number, line in enumerate(handle, 1):
        if line.strip():
            yield number, _object(decode_line(line))


def _object(value) -> object:
    return value if isinstance(value, (dict, Unreadable)) else Unreadable("claim: expected an object")


def decode_line(text) -> object:
    """One JSON Lines line (str or bytes) as a value, or :class:`Unreadable`."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")  # a file's first line may start with a byte order mark
        return json_value(text.rstrip())  # without its line end, a problem's column is on this line
    except UnicodeDecodeError:
        return Unreadable("not UTF-8 text")
    except json.JSONDecodeError as problem:
        return Unreadable(f"not JSON: {json_problem(problem, line=False)}")
    except RecursionError:
        return Unreadable("not JSON: nested too deeply")


def _array(handle: IO[bytes]) -> Iterator[tuple[int, object]]:
    """The elements of a JSON array, decoded one at a time from chunks of the file."""
    import codecs

    decoder = strict_decoder(numbers_too_long=True)
    text_of = codecs.getincrementaldecoder("utf-8-sig")("replace")
    buffer = ""
    position = 0
    done = False

    def more() -> bool:
        nonlocal buffer, position, done
        if done:
            return False
        chunk = handle.read(_CHUNK)
        if not chunk:
            done = True
            buffer = buffer[position:] + text_of.decode(b"", final=True)
        else:
            buffer = buffer[position:] + text_of.decode(chunk)
        position = 0
        return True

    def skip_space() -> str:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in " \t\r\n":
                position += 1
            if position < len(buffer):
                return buffer[position]
            if not more():
                return ""

    skip_space()
    position += 1  # the opening bracket
    number = 0
    while True:
        mark = skip_space()
        if mark == "]" or mark == "":
            if mark == "" and number == 0:
                yield 1, Unreadable("not JSON: the array is not closed")
            elif mark == "":
                yield number + 1, Unreadable("not JSON: the array is not closed")
            return
        number += 1
        while True:
            try:
                value, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as problem:
                if not done and len(buffer) - position < _LONGEST and more():
                    continue  # the element may go on in the next chunk
                yield number, Unreadable(f"not JSON: {problem.msg}")
                return  # the rest of an array can't be found after a broken element
            except DuplicateKey as duplicate:  # the element is whole (it was read to its end): read on after it
                _, end = LENIENT_DECODER.raw_decode(buffer, position)
                value = Unreadable(f"not JSON: {duplicate.problem}")
            except RecursionError:
                yield number, Unreadable("not JSON: nested too deeply")
                return
            break
        position = end
        yield number, value
        mark = skip_space()
        if mark == ",":
            position += 1
        elif mark != "]":
            yield number + 1, Unreadable("not JSON: expected `,` or `]` after a claim")
            return


