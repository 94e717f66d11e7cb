"""Candidates moving through the admission pipeline, the dated events of each step, the admissions
themselves, and the rule durations (data with defaults, editable in the admin)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import CANDIDATE_ROLES, MANAGE_ROLES, Organization, RestrictedQuerySet
from partytrack.fields import CleanCharField, CleanTextField, CompactCharField
from partytrack.models import AuditHistory, OneRowRules
from partytrack.text import fold

from .choices import (
    AdmissionSource,
    DeadlineKind,
    EducationLevel,
    Ethnicity,
    EventKind,
    Gender,
    Introduction,
    Occupation,
    PoliticalTheory,
    ProfessionalLevel,
    Religion,
    RuleException,
    Status,
    Step,
)

__all__ = [
    "Admission",
    "AdmissionQuerySet",
    "Candidate",
    "Gender",
    "PersonalDataAccess",
    "PipelineRules",
    "PrivacyRules",
    "StepEvent",
]

citizen_id_validator = RegexValidator(
    r"^(\d{9}|\d{12})$", _("Số căn cước công dân gồm 12 chữ số (chứng minh nhân dân cũ: 9 chữ số).")
)


def identity_key(full_name: str, birth_date: datetime.date) -> str:
    """The person as far as names go, the key the constraints below hold once: "Nguyễn Văn\u200b  An",
    01/02/2000 -> "nguyen van an|2000-02-01"."""
    return f"{fold(full_name)}|{birth_date.isoformat()}"


class PipelineRules(OneRowRules):
    """The rule durations of the pipeline, one row (pk=1). The defaults are those of Quy định
    232-QĐ/TW and Hướng dẫn 06-HD/TW; a change of regulation is an edit in the admin, not a release."""

    certificate_valid_months = models.PositiveSmallIntegerField(
        _("chứng nhận lớp bồi dưỡng có giá trị (tháng)"), default=60, validators=[MinValueValidator(1)]
    )
    file_valid_months = models.PositiveSmallIntegerField(
        _("từ khi làm hồ sơ đến khi chi bộ xét, tối đa (tháng)"),
        default=12,
        validators=[MinValueValidator(1)],
        help_text=_("Quá hạn này thì phải giới thiệu lại."),
    )
    decision_working_days = models.PositiveSmallIntegerField(
        _("ra quyết định kết nạp trong (ngày làm việc, kể từ nghị quyết chi bộ)"),
        default=60,
        validators=[MinValueValidator(1)],
    )
    decision_extension_working_days = models.PositiveSmallIntegerField(
        _("gia hạn ra quyết định tối đa (ngày làm việc, một lần)"), default=30
    )
    ceremony_working_days = models.PositiveSmallIntegerField(
        _("tổ chức lễ kết nạp trong (ngày làm việc, kể từ khi nhận quyết định)"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    probation_months = models.PositiveSmallIntegerField(
        _("thời gian dự bị (tháng, kể từ lễ kết nạp)"), default=12, validators=[MinValueValidator(1)]
    )
    recognition_working_days = models.PositiveSmallIntegerField(
        _("chi bộ xét công nhận chính thức trong (ngày làm việc, sau khi hết dự bị)"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    min_age = models.PositiveSmallIntegerField(_("tuổi tối thiểu khi chi bộ xét"), default=18)
    max_age = models.PositiveSmallIntegerField(
        _("tuổi tối đa khi chi bộ xét"), default=60, help_text=_("Cao hơn cần cấp ủy cấp tỉnh đồng ý.")
    )
    approval_numerator = models.PositiveSmallIntegerField(_("tỷ lệ tán thành: tử số"), default=2)
    approval_denominator = models.PositiveSmallIntegerField(
        _("tỷ lệ tán thành: mẫu số"), default=3, validators=[MinValueValidator(1)]
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("báo sắp đến hạn trước (ngày)"), default=14, validators=[MaxValueValidator(365)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        verbose_name = _("quy định thời hạn kết nạp")
        verbose_name_plural = _("quy định thời hạn kết nạp")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="pipeline_rules_single_row"),
            models.CheckConstraint(
                condition=Q(approval_numerator__lte=F("approval_denominator")),
                name="pipeline_rules_ratio_at_most_one",
                violation_error_message=_("Tỷ lệ tán thành không được lớn hơn 1."),
            ),
            models.CheckConstraint(
                condition=Q(min_age__lt=F("max_age")),
                name="pipeline_rules_age_range",
                violation_error_message=_("Tuổi tối thiểu phải nhỏ hơn tuổi tối đa."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Quy định thời hạn kết nạp"))


class PersonFields(models.Model):
    """Who the person is, and the attributes plans and statistics count; shared by Candidate and
    Admission (an admission keeps a copy as of the decision)."""

    full_name = CleanCharField(_("họ và tên"), max_length=150)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("ngày sinh"))
    citizen_id = CompactCharField(
        _("số căn cước công dân"), max_length=12, blank=True, validators=[citizen_id_validator]
    )
    ethnicity = models.CharField(_("dân tộc"), max_length=20, choices=Ethnicity.choices, default=Ethnicity.KINH)
    religion = models.CharField(_("tôn giáo"), max_length=20, choices=Religion.choices, default=Religion.NONE)
    occupation = models.CharField(_("nghề nghiệp"), max_length=24, choices=Occupation.choices, default=Occupation.OTHER)
    education_level = models.CharField(
        _("giáo dục phổ thông"),
        max_length=20,
        choices=EducationLevel.choices,
        default=EducationLevel.UPPER_SECONDARY,
    )
    professional_level = models.CharField(
        _("chuyên môn"), max_length=16, choices=ProfessionalLevel.choices, default=ProfessionalLevel.NONE
    )
    political_theory = models.CharField(
        _("lý luận chính trị"), max_length=16, choices=PoliticalTheory.choices, default=PoliticalTheory.NONE
    )
    youth_union_member = models.BooleanField(_("đoàn viên"), default=False)
    readmitted = models.BooleanField(_("kết nạp lại"), default=False)
    village_head = models.BooleanField(_("trưởng, phó thôn, tổ dân phố"), default=False)
    discharged_soldier = models.BooleanField(_("quân nhân xuất ngũ"), default=False)
    militia = models.BooleanField(_("dân quân tự vệ"), default=False)
    non_state_enterprise = models.BooleanField(_("làm việc trong doanh nghiệp ngoài nhà nước"), default=False)
    # fold(full_name)|birth date, set on every save: the identity used to refuse duplicates.
    identity_key = models.CharField(max_length=180, editable=False, default="", db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.full_name and isinstance(self.birth_date, datetime.date):
            self.identity_key = identity_key(self.full_name, self.birth_date)
        super().save(*args, **kwargs)

    @property
    def is_ethnic_minority(self) -> bool:
        return self.ethnicity != Ethnicity.KINH

    @property
    def has_religion(self) -> bool:
        return self.religion != Religion.NONE

    @property
    def age_today(self) -> int:
        return self.age_on(timezone.localdate())

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class CandidateQuerySet(RestrictedQuerySet):
    def active(self) -> CandidateQuerySet:
        return self.filter(status=Status.ACTIVE)

    def overdue(self, today: datetime.date) -> CandidateQuerySet:
        return self.active().filter(next_deadline__lt=today)

    def due_within(self, today: datetime.date, days: int) -> CandidateQuerySet:
        return self.active().filter(next_deadline__gte=today, next_deadline__lte=today + datetime.timedelta(days=days))


class Candidate(PersonFields):
    """A person followed by a cell from its sympathizer list to full membership. Its step, dates and
    next deadline are derived from its events by the services; nothing here is ever deleted."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("chi bộ")
    )
    helper_name = CleanCharField(_("đảng viên được phân công theo dõi, giúp đỡ"), max_length=150, blank=True)
    mentor_name = CleanCharField(_("đảng viên giúp đỡ khi dự bị"), max_length=150, blank=True)
    notes = CleanTextField(_("ghi chú"), blank=True)

    step = models.CharField(_("bước"), max_length=20, choices=Step.choices, default=Step.SYMPATHIZER)
    status = models.CharField(_("trạng thái"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    listed_on = models.DateField(_("ngày vào danh sách cảm tình Đảng"))
    certificate_on = models.DateField(_("ngày cấp chứng nhận lớp bồi dưỡng"), null=True, blank=True)
    file_opened_on = models.DateField(_("ngày làm hồ sơ"), null=True, blank=True)
    resolution_on = models.DateField(_("ngày chi bộ xét"), null=True, blank=True)
    decision_on = models.DateField(_("ngày quyết định kết nạp"), null=True, blank=True)
    ceremony_on = models.DateField(_("ngày lễ kết nạp"), null=True, blank=True)
    probation_ends_on = models.DateField(_("ngày hết thời gian dự bị"), null=True, blank=True)
    official_on = models.DateField(_("ngày công nhận chính thức"), null=True, blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    close_reason = CleanCharField(_("lý do"), max_length=300, blank=True)
    next_deadline = models.DateField(_("hạn tiếp theo"), null=True, blank=True, db_index=True)
    next_deadline_kind = models.CharField(_("loại hạn"), max_length=24, choices=DeadlineKind.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    organization_path = "organization"
    # Personal data: secretaries, staff and administrators; leaders see counts (restrict(user, "count")).
    scope_actions = {"view": CANDIDATE_ROLES}
    objects = CandidateQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        verbose_name = _("quần chúng")
        verbose_name_plural = _("quần chúng")
        ordering = ["organization", "full_name"]
        constraints = [
            # The same person as the services decide it: two citizen IDs decide; without one, the
            # folded name and birth date (namesakes born the same day with different IDs are two people).
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=Q(status="active") & ~Q(citizen_id=""),
                name="candidate_one_active_per_citizen_id",
                violation_error_message=_("Người có số căn cước này đang có trong danh sách quần chúng."),
            ),
            models.UniqueConstraint(
                fields=["identity_key"],
                condition=Q(status="active", citizen_id="") & ~Q(identity_key=""),
                name="candidate_one_active_per_person",
                violation_error_message=_("Người này đang có trong danh sách quần chúng."),
            ),
            models.CheckConstraint(
                condition=Q(status="active") | Q(closed_on__isnull=False),
                name="candidate_closed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "step"], name="candidate_org_status_step")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE


# No cell or committee has this many official members voting: a larger number is a typing error.
MAX_VOTERS = 10_000


class StepEvent(models.Model):
    """One dated step of a candidate's pipeline with its document (form, resolution or decision
    number), who acted, and the vote where there is one. Immutable: a mistake is voided, not edited."""

    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="events", verbose_name=_("quần chúng")
    )
    kind = models.CharField(_("bước"), max_length=24, choices=EventKind.choices)
    on = models.DateField(_("ngày"))
    document_number = CleanCharField(_("số văn bản"), max_length=100, blank=True)
    acting_body = CleanCharField(_("cơ quan, người thực hiện"), max_length=200, blank=True)
    votes_for = models.PositiveIntegerField(_("số tán thành"), null=True, blank=True)
    voters_total = models.PositiveIntegerField(_("tổng số đảng viên chính thức / ủy viên"), null=True, blank=True)
    introduction = models.CharField(_("hình thức giới thiệu"), max_length=16, choices=Introduction.choices, blank=True)
    people = CleanCharField(
        _("người giới thiệu / người giúp đỡ"), max_length=300, blank=True, help_text=_("Cách nhau bởi dấu chấm phẩy.")
    )
    working_days = models.PositiveSmallIntegerField(_("số ngày làm việc gia hạn"), null=True, blank=True)
    received_on = models.DateField(_("ngày chi bộ nhận quyết định"), null=True, blank=True)
    exception = models.CharField(_("ngoại lệ"), max_length=24, choices=RuleException.choices, blank=True)
    exception_note = CleanCharField(_("văn bản cho phép ngoại lệ"), max_length=300, blank=True)
    note = CleanTextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    void_reason = CleanCharField(_("lý do hủy"), max_length=300, blank=True)

    organization_path = "candidate__organization"
    scope_actions = {"view": CANDIDATE_ROLES}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bước kết nạp")
        verbose_name_plural = _("bước kết nạp")
        ordering = ["candidate", "on", "id"]
        constraints = [
            # One of each step per candidate (so one extension, one decision); a double submit is refused.
            # A certificate may be renewed more than once.
            models.UniqueConstraint(
                fields=["candidate", "kind"],
                condition=Q(voided_at__isnull=True) & ~Q(kind="certificate_renewed"),
                name="step_event_once_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(votes_for__isnull=True)
                | Q(voters_total__isnull=True)
                | Q(votes_for__lte=F("voters_total")),
                name="step_event_votes_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.get_kind_display()} ({self.on:%d/%m/%Y})"

    @property
    def people_list(self) -> list[str]:
        return [name.strip() for name in self.people.split(";") if name.strip()]


class AdmissionQuerySet(RestrictedQuerySet):
    def counted(self) -> AdmissionQuerySet:
        """Admissions that count toward quotas and statistics (not cancelled as recorded in error)."""
        return self.filter(cancelled_at__isnull=True)


class Admission(PersonFields):
    """An admission decision (quyết định kết nạp, form 9-KNĐ). Its date is the admission date and
    counts toward the quota of the quarter it falls in, for the cell and everything above it.

    The same person is admitted once: among counted admissions that are not re-admissions, a citizen
    ID appears once, and a person without one (folded name + birth date) appears once. The services
    check this under a lock with a readable message; the constraints below are the last line."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="admissions", verbose_name=_("chi bộ")
    )
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admissions",
        verbose_name=_("quần chúng"),
    )
    decision_number = CleanCharField(_("số quyết định"), max_length=50)
    admitted_on = models.DateField(_("ngày quyết định kết nạp"), db_index=True)
    deciding_body = CleanCharField(_("cấp ủy quyết định"), max_length=200, blank=True)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=AdmissionSource.choices, default=AdmissionSource.MANUAL
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("hủy lúc"), null=True, blank=True)
    cancel_reason = CleanCharField(_("lý do hủy"), max_length=300, blank=True)
    # Entered directly (no cell resolution that recorded the exception): a person over the maximum age
    # is admitted only with the provincial committee's written consent, which the user confirms here.
    age_consent = models.BooleanField(_("cấp ủy cấp tỉnh đồng ý kết nạp người quá tuổi"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    organization_path = "organization"
    scope_actions = {"view": CANDIDATE_ROLES}
    objects = AdmissionQuerySet.as_manager()
    history = AuditHistory()

    class Meta:
        verbose_name = _("kết nạp")
        verbose_name_plural = _("kết nạp")
        ordering = ["-admitted_on", "full_name"]
        indexes = [
            models.Index(fields=["organization", "admitted_on"], name="admission_org_date"),
            models.Index(fields=["birth_date"], name="admission_birth_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id"],
                condition=Q(cancelled_at__isnull=True, readmitted=False) & ~Q(citizen_id=""),
                name="admission_once_per_citizen_id",
                violation_error_message=_("Người có số căn cước này đã được kết nạp."),
            ),
            models.UniqueConstraint(
                fields=["identity_key"],
                condition=Q(cancelled_at__isnull=True, readmitted=False, citizen_id="") & ~Q(identity_key=""),
                name="admission_once_per_name_birth",
                violation_error_message=_("Người cùng họ tên và ngày sinh đã được kết nạp."),
            ),
            models.UniqueConstraint(
                fields=["identity_key", "citizen_id", "admitted_on"],
                condition=Q(cancelled_at__isnull=True) & ~Q(identity_key=""),
                name="admission_once_per_person_date",
            ),
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(cancelled_at__isnull=True, candidate__isnull=False),
                name="admission_once_per_candidate",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""),
                name="admission_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} — {self.decision_number} ({self.admitted_on:%d/%m/%Y})"

    @property
    def quarter(self) -> int:
        return (self.admitted_on.month - 1) // 3 + 1


class PrivacyRules(OneRowRules):
    """How personal data is protected where it is not shown: the smallest population whose statistics
    are broken down for readers who may not see the people (leaders), and how many times a day a user
    may be told that a person they enter has a record in another organization. One row (pk=1), data
    with defaults; a change is an edit in the admin, not a release."""

    statistics_min_people = models.PositiveSmallIntegerField(
        _("số người tối thiểu để chia nhỏ số liệu thống kê"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_(
            "Ít người hơn thì người không được xem hồ sơ (lãnh đạo) chỉ thấy tổng số, không thấy dân tộc, tôn "
            "giáo, tuổi, trình độ."
        ),
    )
    record_elsewhere_per_day = models.PositiveSmallIntegerField(
        _("số lần mỗi ngày một người dùng được báo “đã có hồ sơ ở tổ chức khác”"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Quá số lần này, đến hết ngày người dùng không thêm được quần chúng, kết nạp nữa."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = AuditHistory()

    class Meta:
        verbose_name = _("quy định bảo vệ dữ liệu cá nhân")
        verbose_name_plural = _("quy định bảo vệ dữ liệu cá nhân")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="privacy_rules_single_row"),
            models.CheckConstraint(
                condition=Q(statistics_min_people__gte=2, statistics_min_people__lte=100),
                name="privacy_rules_min_people_2_to_100",
            ),
            models.CheckConstraint(
                condition=Q(record_elsewhere_per_day__gte=1, record_elsewhere_per_day__lte=1000),
                name="privacy_rules_per_day_1_to_1000",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Quy định bảo vệ dữ liệu cá nhân"))


class PersonalDataAccess(models.Model):
    """The personal-data access log: every read of candidates' or admissions' personal data (API list or
    detail, page, file, statistics broken down by person attributes) as one row per request — who, when,
    what (kind, address, filters), how many people (and which records, up to MAX_LOGGED_IDS) and the
    organization whose subtree holds them. Also every refusal that told a user a person has a record in
    another organization (the identifier only as a keyed hash). Written by
    `services.personal_data_read_record`; never edited."""

    class Kind(models.TextChoices):
        ADMISSIONS_XLSX = "admissions_xlsx", _("Danh sách kết nạp (.xlsx)")
        ALERTS_XLSX = "alerts_xlsx", _("Cảnh báo (.xlsx)")
        CANDIDATE_LIST_API = "candidate_list_api", _("API: danh sách quần chúng")
        CANDIDATE_API = "candidate_api", _("API: hồ sơ quần chúng")
        ADMISSION_LIST_API = "admission_list_api", _("API: danh sách kết nạp")
        ADMISSION_API = "admission_api", _("API: một kết nạp")
        CANDIDATE_PAGE = "candidate_page", _("Trang hồ sơ quần chúng")
        ADMISSION_PAGE = "admission_page", _("Trang kết nạp")
        HISTORY_PAGE = "history_page", _("Lịch sử thay đổi")
        ADMIN_PAGE = "admin_page", _("Trang quản trị")
        STATISTICS = "statistics", _("Biểu thống kê đảng viên mới kết nạp")
        RECORD_ELSEWHERE = "record_elsewhere", _("Từ chối: người đã có hồ sơ ở tổ chức khác")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("người dùng")
    )
    accessed_at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    path = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # The lowest organization whose subtree holds every person read (a refusal: where the user was
    # entering the person); empty only for a superuser's read across trees.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tổ chức")
    )
    filters = models.CharField(_("bộ lọc"), max_length=500, blank=True)
    person_count = models.PositiveIntegerField(_("số người"))
    person_ids = models.JSONField(_("mã hồ sơ"), null=True, blank=True, editable=False)
    # A refusal's identifier (citizen ID, or folded name and birth date), never stored in clear.
    subject_hash = models.CharField(max_length=64, blank=True, editable=False)

    organization_path = "organization"
    # The log is read by staff and administrators of the subtree.
    scope_actions = {"view": MANAGE_ROLES}
    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index(fields=["user", "kind", "accessed_at"], name="personal_access_user_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.accessed_at:%d/%m/%Y %H:%M}"
