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


def restructuring_impact(*, organization_ids, on, **_kwargs) -> list[str]:
    """Receiver of organizations.signals.restructuring_impact: the candidates followed at the
    organizations a restructuring moves. They stay in their cells, and their deadlines with them."""
    followed = Candidate.objects.active().filter(organization_id__in=organization_ids)
    count = followed.count()
    if not count:
        return []
    with_deadline = followed.filter(next_deadline__isnull=False).count()
    return [
        _(
            "%(count)d quần chúng đang theo dõi ở các tổ chức được sắp xếp đi cùng chi bộ của họ "
            "(%(deadlines)d người có hạn bước tiếp theo, giữ nguyên)."
        )
        % {"count": count, "deadlines": with_deadline}
    ]
