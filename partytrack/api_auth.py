"""API tokens that expire: a token older than settings.API_TOKEN_MAX_AGE_DAYS is refused.

DRF's tokens live forever; a token copied into a script on an office computer would outlive the
job of the person it belongs to. An expired token answers 401 with a message saying how to get a new
one (`python manage.py drf_create_token -r USERNAME`, which replaces it).
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        max_age = datetime.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
        if timezone.now() - token.created > max_age:
            raise exceptions.AuthenticationFailed(
                _("Mã truy cập API đã hết hạn (quá %(days)d ngày). Đề nghị quản trị viên cấp mã mới.")
                % {"days": settings.API_TOKEN_MAX_AGE_DAYS}
            )
        return user, token
