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

# Characters that are not spaces to Unicode yet show as one (Hangul fillers, the blank Braille
# pattern): read as a space, so "Nguyễn\u2800Thị" is "Nguyễn Thị".
_BLANKS = {0x115F: " ", 0x1160: " ", 0x2800: " ", 0x3164: " ", 0xFFA0: " "}

# Default-ignorable code points that are not format characters (Unicode's DerivedCoreProperties):
# combining grapheme joiner, Khmer inherent vowels, Mongolian variation selectors, variation
# selectors, reserved ranges. Each renders as nothing.
_IGNORABLE = (
    (0x034F, 0x034F),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2060, 0x206F),
    (0xFE00, 0xFE0F),
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
    return "".join(char for char in text.translate(_BLANKS) if not _invisible(char))


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


def ascii_digits(text: str) -> str:
    """Every decimal digit as its ASCII digit: full-width "００１" (a phone's full-width keyboard) and
    Arabic-Indic "٠٠١" are "001". Python's `str.isdigit` and `\\d` accept them all; a check that means
    0-9 reads the text through this function, or says [0-9]."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else char for char in text)


def clean_compact(text) -> str:
    """A number written with spaces, stored without any, its digits ASCII: a citizen ID
    "001 090 123\\u200b456" or "００１０９０１２３４５６" -> "001090123456"."""
    return ascii_digits(clean_text(text).replace(" ", ""))


def fold(text) -> str:
    """The identity of a name, code or search word: the clean text without case or diacritics
    (compatibility forms folded too): "Lục Ngạn" -> "luc ngan", "Đồng" -> "dong", "Thôn\\u200b 1" ->
    "thon 1"."""
    decomposed = unicodedata.normalize("NFKD", ascii_digits(clean_text(text)).casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", stripped.replace("đ", "d")).strip()


def spelling_key(text) -> str:
    """The identity where diacritics tell two names apart (introducers: Hùng and Hưng are two
    people): the clean text without case, diacritics kept."""
    return unicodedata.normalize("NFKC", ascii_digits(clean_text(text)).casefold())


def foreign_letter(text: str) -> str | None:
    """The first letter of `text` that is not Latin (Cyrillic "е", Greek "Τ", CJK…), or None. Names of
    people and organizations are written in Latin script in Vietnam: a look-alike letter of another
    script makes a second person or a second sibling that reads the same."""
    if text.isascii():
        return None
    for char in text:
        if unicodedata.category(char).startswith("L") and " LATIN " not in f" {unicodedata.name(char, '')} ":
            return char
    return None
