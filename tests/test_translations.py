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


VI_PO = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_vietnamese_catalogue_of_third_party_messages_is_complete():
    """locale/vi holds the Vietnamese of Django's, DRF's and django-simple-history's messages that their
    own vi catalogues lack or get wrong: every entry translated, none fuzzy, and compiled."""
    entries = VI_PO.read_text(encoding="utf-8").split("\n\n")[1:]
    assert len(entries) > 200
    untranslated = [e for e in entries if any(text == "" for text in translations(e))]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == [] and fuzzy == []
    assert VI_PO.with_suffix(".mo").stat().st_mtime >= VI_PO.stat().st_mtime - 1


def test_third_party_messages_are_vietnamese_on_the_vietnamese_interface():
    # Aliases, so that makemessages does not copy these msgids into the English catalogue.
    tr, ntr = translation.gettext, translation.ngettext
    with translation.override("vi"):
        assert tr("Show counts") == "Hiện số lượng"  # admin filters
        assert tr("Skip to main content") == "Chuyển đến nội dung chính"
        assert tr("Toggle theme (current theme: auto)") == "Đổi giao diện (hiện tại: tự động)"
        one = ntr("Please correct the error below.", "Please correct the errors below.", 1)
        assert one == "Vui lòng sửa lỗi dưới đây."
        assert tr("View history: %s") == "Xem lịch sử: %s"  # django-simple-history
        assert tr("Changed by") == "Người thay đổi"
        assert ntr("entry", "entries", 3) == "mục"
        assert tr('Invalid pk "{pk_value}" - object does not exist.').startswith("Khóa chính")
        assert tr("A valid integer is required.") == "Cần một số nguyên hợp lệ."  # DRF
        assert tr("This field is required.") == "Trường này là bắt buộc."
        # Django's own vi prints a space before the full stop
        at_least = tr("Ensure this value is greater than or equal to %(limit_value)s.")
        assert at_least == "Đảm bảo giá trị này lớn hơn hoặc bằng %(limit_value)s."
    with translation.override("en"):
        assert tr("Show counts") == "Show counts"
