"""Password hashing and validation: the hasher of settings.PASSWORD_HASHERS and the validators of
settings.AUTH_PASSWORD_VALIDATORS where Django's own need a change."""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import Argon2PasswordHasher
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


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with OWASP's recommended configuration (Password Storage Cheat Sheet: 19 MiB of memory,
    2 iterations, 1 lane). Memory-hard, so stronger against GPU cracking than PBKDF2, at about 25 ms of
    one core per login instead of PBKDF2-SHA256's 200+ ms at Django's 1,000,000 iterations: fifty
    officials logging in at the start of a meeting no longer hold both web workers for ten seconds.
    Django's older hashes still verify and are rehashed with this one at the next login."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
