"""Password validators used in settings.AUTH_PASSWORD_VALIDATORS, where Django's own need a fix."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's validator, with its refusal in Vietnamese: Django 5.2 changed the message's msgid and
    its Vietnamese catalogue still has the old one, so a Vietnamese page would show it in English."""

    def get_error_message(self):
        return ngettext(
            "Mật khẩu quá ngắn. Nó phải chứa ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn. Nó phải chứa ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}
