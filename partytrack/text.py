"""One text identity for names, codes and search, and the clean form every user text is stored in.

Stored (`clean_text`): NFC, invisible characters removed, each run of spaces one space. Compared
(`fold`): the same, without case or diacritics, so "Nguyễn \\u200bThị" (zero-width space), an NFD
"Nguyễn" and "NGUYEN THI" are one name. Every duplicate check, search key and import match reads
text through these functions; the model fields of partytrack.fields store `clean_text`.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Default-ignorable code points that are not format characters (Unicode's DerivedCoreProperties):
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian variation selectors,
# variation selectors, halfwidth Hangul filler, reserved ranges. Each renders as nothing.
_IGNORABLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def _invisible(char: str) -> bool:
    """A character that shows nothing yet makes two equal-looking texts differ: a format character
    (category Cf: zero-width space and joiners, soft hyphen, bidi marks and controls, word joiner,
    byte order mark), another default-ignorable code point, or a control character other than a
    space or line break (NUL, BEL, DEL...)."""
    if char.isspace():
        return False
    category = unicodedata.category(char)
    if category in ("Cf", "Cc"):
        return True
    point = ord(char)
    return any(low <= point <= high for low, high in _IGNORABLE)


def _visible(text) -> str:
    text = "" if text is None else str(text)
    if text.isascii() and text.isprintable():
        return text  # the common case, without a look at each character
    return "".join(char for char in text if not _invisible(char))


def clean_text(text) -> str:
    """What a one-line text is stored as: invisible characters removed, NFC, each run of spaces
    (NBSP and the other Unicode spaces, tabs and line breaks included) one space, none at either
    end. "  Chi bộ Thôn\\u200b\\u00a01 " -> "Chi bộ Thôn 1"."""
    text = unicodedata.normalize("NFC", _visible(text))
    return _SPACES.sub(" ", text).strip()


def clean_lines(text) -> str:
    """What a text of several lines (notes, recipients) is stored as: each line as `clean_text`,
    lines kept (ending in "\\n"), no empty line at either end."""
    lines = [clean_text(line) for line in _visible(text).splitlines()]
    return "\n".join(lines).strip("\n")


def clean_compact(text) -> str:
    """A number written with spaces, stored without any: a citizen ID "001 090 123\\u200b456" ->
    "001090123456"."""
    return clean_text(text).replace(" ", "")


def fold(text) -> str:
    """The identity of a name, code or search word: the clean text without case or diacritics
    (compatibility forms folded too): "Lục Ngạn" -> "luc ngan", "Đồng" -> "dong", "Thôn\\u200b 1" ->
    "thon 1"."""
    decomposed = unicodedata.normalize("NFKD", clean_text(text).casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped.replace("đ", "d")).strip()


def spelling_key(text) -> str:
    """The identity where diacritics tell two names apart (introducers: Hùng and Hưng are two
    people): the clean text without case, diacritics kept."""
    return unicodedata.normalize("NFKC", clean_text(text).casefold())
