"""What the candidates app answers to other apps' signals (connected in CandidatesConfig.ready)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Candidate


def refuse_closing_with_active_candidates(*, organization, field: str | None = None, **_kwargs) -> None:
    """Receiver of organizations.signals.organization_closing: a cell (or a committee over cells) is
    not closed while candidates are still followed in its subtree."""
    count = Candidate.objects.active().within(organization).count()
    if count:
        message = _(
            "Còn %(count)d quần chúng đang theo dõi trong quy trình kết nạp ở “%(name)s” hoặc các tổ chức trực "
            "thuộc: hoàn tất quy trình của họ hoặc cho rút khỏi danh sách (trang Quần chúng, “Rút / không kết "
            "nạp”), hoặc chuyển chi bộ nơi họ sinh hoạt sang tổ chức khác trước (phần mềm chưa có chức năng "
            "chuyển từng quần chúng sang chi bộ khác)."
        ) % {"count": count, "name": organization.name}
        raise ValidationError({field: message} if field else message)
