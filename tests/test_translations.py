"""The English interface: every message of locale/en is translated, and the compiled catalogue is used."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


def translations(entry: str) -> list[str]:
    """The text of each msgstr (or msgstr[n]) of one .po entry, continuation lines joined."""
    texts, current = [], None
    for line in entry.splitlines():
        start = re.match(r'msgstr(?:\[\d+\])? "(.*)"$', line)
        if start:
            current = start.group(1)
            texts.append(current)
        elif current is not None and line.startswith('"'):
            texts[-1] += line[1:-1]
        else:
            current = None
    return texts


def test_every_message_has_an_english_translation():
    entries = PO.read_text(encoding="utf-8").split("\n\n")[1:]  # the first entry is the header
    assert len(entries) > 900
    untranslated = [e for e in entries if any(text == "" for text in translations(e))]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == [] and fuzzy == []
    assert translations('msgid "a"\nmsgstr ""') == [""]  # the parser sees an empty one


def test_english_catalogue_is_compiled_and_used():
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Log in"
        assert translation.gettext("Tổng cộng") == "Grand total"
        assert translation.gettext("Xuất Excel") == "Export to Excel"  # among the newest messages
    with translation.override("vi"):
        assert translation.gettext("Đăng nhập") == "Đăng nhập"
