"""Character offsets in each annotation tool's own units, as pure functions.

Our spans count Python ``str`` indices: Unicode code points. The tools do not all count
that way (sources in ``docs/annotation.md``, "Offsets in each tool"):

- Prodigy and current Label Studio count code points, as we do: nothing to convert.
- doccano's sequence labelling (grapheme mode off) counts UTF-16 code units, the length of
  a JavaScript string: a character outside the Basic Multilingual Plane (an emoji, a
  mathematical letter such as U+1D45D) counts 2. Label Studio before its 2022 fix did too.
- brat reads the ``.txt`` with universal newlines, so a Windows line end ``\\r\\n`` counts
  as one character.

An ``OffsetMap`` converts one text's offsets both ways. Converting back gives ``None`` for
an offset that names no place in our count (inside a surrogate pair, between ``\\r`` and
``\\n``, past the end) so the caller can say what is wrong; offsets past the end are
returned as they are by ``to_ours_or_raw`` so the range check can report them.
"""

from __future__ import annotations

from bisect import bisect_right

UNITS = ("codepoints", "utf16", "crlf_as_one")


def _is_astral(ch: str) -> bool:
    return ord(ch) > 0xFFFF


class OffsetMap:
    """Code-point offsets of ``text`` <-> a tool's offsets (``unit`` in ``UNITS``).

    Only the characters that count differently are stored (astral characters for UTF-16,
    ``\\r\\n`` pairs for brat), so a text without them costs nothing."""

    def __init__(self, text: str, unit: str) -> None:
        if unit not in UNITS:
            raise ValueError(f"unknown offset unit {unit!r}; expected one of {UNITS}")
        self.text, self.unit = text, unit
        if unit == "utf16":
            # code-point positions of the characters that count 2
            self._marks = [i for i, ch in enumerate(text) if _is_astral(ch)] \
                if not text.isascii() else []
            self.length = len(text) + len(self._marks)
        elif unit == "crlf_as_one":
            # code-point positions of each "\r" followed by "\n" (the pair counts 1)
            self._marks = [i for i in range(len(text) - 1) if text[i] == "\r"
                           and text[i + 1] == "\n"] if "\r\n" in text else []
            self.length = len(text) - len(self._marks)
        else:
            self._marks = []
            self.length = len(text)
        # the tool's offset of each mark, to go back
        sign = 1 if unit == "utf16" else -1
        self._tool_marks = [m + sign * k for k, m in enumerate(self._marks)]

    @property
    def identity(self) -> bool:
        """True when the tool counts this text exactly as we do."""
        return not self._marks

    def to_tool(self, offset: int) -> int:
        """Our (code-point) offset in the tool's units."""
        if self.unit == "utf16":
            return offset + bisect_right(self._marks, offset - 1)  # astral chars before
        if self.unit == "crlf_as_one":
            # the "\n" of a pair is not counted: an offset after "\r" of a pair moves back
            return offset - bisect_right(self._marks, offset - 2)
        return offset

    def to_ours(self, offset: int) -> int | None:
        """The tool's offset as a code-point offset, or None when it names no place in our
        text (inside a surrogate pair; outside the text)."""
        if not 0 <= offset <= self.length:
            return None
        if self.unit == "utf16":
            k = bisect_right(self._tool_marks, offset - 1)  # astral chars starting before
            if k and offset == self._tool_marks[k - 1] + 1:
                return None  # between the two halves of a surrogate pair
            return offset - k
        if self.unit == "crlf_as_one":
            # a pair at tool offset t occupies t (the line end); offsets after it add one
            k = bisect_right(self._tool_marks, offset - 1)
            return offset + k
        return offset

    def to_ours_or_raw(self, offset: object) -> object:
        """``to_ours`` for an int inside the text; anything else (not an int, past the end)
        unchanged, for the validation that reports it."""
        if not isinstance(offset, int) or isinstance(offset, bool) or \
                not 0 <= offset <= self.length:
            return offset
        return self.to_ours(offset)

    def describe_inside(self, offset: int) -> str:
        """Why ``offset`` names no place: the character it splits."""
        if self.unit == "utf16":
            k = bisect_right(self._tool_marks, offset - 1)
            ch = self.text[self._marks[k - 1]]
            return (f"offset {offset} falls inside the character {ch!r} "
                    f"(U+{ord(ch):04X}), which counts 2 in UTF-16")
        return f"offset {offset} is outside the text (length {self.length})"


def utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if _is_astral(ch))


def utf16_slice(text: str, start: int, end: int) -> str | None:
    """``text[start:end]`` reading ``start``/``end`` as UTF-16 code units (what a JavaScript
    tool would show at those offsets), or None when they split a character."""
    units = OffsetMap(text, "utf16")
    a, b = units.to_ours(start), units.to_ours(end)
    return None if a is None or b is None else text[a:b]
