"""Text fields that store user text clean (partytrack.text), whichever way it is written.

The cleaning sits in the model field because every write reaches the database through it: a
model form, the admin, a DRF serializer, a service, an importer, `bulk_create`, `QuerySet.update`,
fixtures. `pre_save` cleans the instance's value on save and `bulk_create`; `get_prep_value` cleans
every value sent to the database (updates and exact lookups included), so a text with a zero-width
space or a bidi control is never stored and a lookup finds what was stored; `to_python` cleans
before the model's validators run (length, citizen ID format). The form and serializer fields clean
the same way before their own length checks, so what the user typed is checked as it will be stored.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers

from .text import clean_compact, clean_lines, clean_text, foreign_letter


class _Cleaned:
    cleaner = staticmethod(clean_text)

    def _cleaned(self, value):
        return type(self).cleaner(value) if isinstance(value, str) else value

    def to_python(self, value):
        return self._cleaned(super().to_python(value))

    def get_prep_value(self, value):
        return self._cleaned(super().get_prep_value(value))

    def pre_save(self, model_instance, add):
        value = self._cleaned(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value


class CleanFormField(forms.CharField):
    cleaner = staticmethod(clean_text)

    def to_python(self, value):
        value = super().to_python(value)
        return type(self).cleaner(value) if isinstance(value, str) else value


class CompactFormField(CleanFormField):
    cleaner = staticmethod(clean_compact)


class LinesFormField(CleanFormField):
    cleaner = staticmethod(clean_lines)


class CleanCharField(_Cleaned, models.CharField):
    """A one-line text (name, code, number, reason), stored as `clean_text`."""

    form_class = CleanFormField

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", self.form_class)
        return super().formfield(**kwargs)


def validate_latin_name(value) -> None:
    """A name of a person or an organization is written in Latin script: a look-alike letter of another
    script (Cyrillic "е" in "Nguyеn") would pass every duplicate check as a different name."""
    char = foreign_letter(clean_text(value)) if isinstance(value, str) else None
    if char is not None:
        raise ValidationError(
            _(
                "Tên có chữ “%(char)s” (U+%(code)s, %(name)s) không phải chữ Latinh: hãy gõ lại bằng bàn phím "
                "tiếng Việt."
            )
            % {"char": char, "code": f"{ord(char):04X}", "name": unicodedata.name(char, "?")},
            code="script",
        )


class NameCharField(CleanCharField):
    """The name of a person or an organization: clean text in Latin script (`validate_latin_name`). Every
    write that validates (pages, the API, imports, services' full_clean) checks it here."""

    default_validators = [validate_latin_name]


class CompactCharField(CleanCharField):
    """A number written with spaces (citizen ID), stored without any (`clean_compact`)."""

    cleaner = staticmethod(clean_compact)
    form_class = CompactFormField


class CleanTextField(_Cleaned, models.TextField):
    """A text of several lines (notes), stored as `clean_lines`."""

    cleaner = staticmethod(clean_lines)

    def formfield(self, **kwargs):
        kwargs.setdefault("form_class", LinesFormField)
        return super().formfield(**kwargs)


class CleanSerializerField(serializers.CharField):
    cleaner = staticmethod(clean_text)

    def to_internal_value(self, data):
        return type(self).cleaner(super().to_internal_value(data))

    def run_validation(self, data=serializers.empty):
        # Blank is decided on the clean text: a name of zero-width spaces is an empty name.
        if isinstance(data, str):
            data = type(self).cleaner(data)
        return super().run_validation(data)


class CompactSerializerField(CleanSerializerField):
    cleaner = staticmethod(clean_compact)


class LinesSerializerField(CleanSerializerField):
    cleaner = staticmethod(clean_lines)


def register_serializer_fields() -> None:
    """ModelSerializer builds each field from the model field's class: these clean like the model."""
    serializers.ModelSerializer.serializer_field_mapping.update(
        {
            CleanCharField: CleanSerializerField,
            CompactCharField: CompactSerializerField,
            CleanTextField: LinesSerializerField,
        }
    )
