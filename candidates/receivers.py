"""What the candidates app answers to other apps' signals (connected in CandidatesConfig.ready)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Admission, Candidate


def refuse_closing_with_active_candidates(
    *, organization, on=None, field: str | None = None, own: bool = False, **_kwargs
) -> None:
    """Receiver of organizations.signals.organization_closing: a cell (or a committee over cells) is
    not dissolved while candidates are still followed in its subtree, nor closed from a day before
    admissions already recorded there (they would fall after its last day). With `own` (a merge: its
    children, and its candidates, go on under the target), only its own admissions count."""
    where = {"organization": organization} if own else {}
    # A merged organization's candidates stay with it, under the target: only a dissolution waits.
    count = 0 if own else Candidate.objects.active().within(organization).count()
    if count:
        message = _(
            "Còn %(count)d quần chúng đang theo dõi trong quy trình kết nạp ở “%(name)s” hoặc các tổ chức trực "
            "thuộc: hoàn tất quy trình của họ hoặc cho rút khỏi danh sách (trang Quần chúng, “Rút / không kết "
            "nạp”), hoặc chuyển chi bộ nơi họ sinh hoạt sang tổ chức khác trước (phần mềm chưa có chức năng "
            "chuyển từng quần chúng sang chi bộ khác)."
        ) % {"count": count, "name": organization.name}
        raise ValidationError({field: message} if field else message)
    if on is None:
        return
    admissions = Admission.objects.counted().filter(admitted_on__gte=on)
    admissions = admissions.filter(**where) if own else admissions.within(organization)
    last = admissions.order_by("-admitted_on").values_list("admitted_on", flat=True).first()
    if last is not None:
        message = _(
            "Đã ghi nhận %(count)d kết nạp tại “%(name)s” từ ngày %(day)s trở đi (gần nhất ngày %(last)s): tổ chức "
            "không thể thôi hoạt động trước các kết nạp đó. Kiểm tra lại ngày có hiệu lực."
        ) % {
            "count": admissions.count(),
            "name": organization.name,
            "day": on.strftime("%d/%m/%Y"),
            "last": last.strftime("%d/%m/%Y"),
        }
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
