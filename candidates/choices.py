"""Choice lists of the candidates app: the pipeline's steps and the statistical attributes that plans
and the "Đảng viên mới kết nạp" biểu count (ethnicity, religion, occupation, education...)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class Step(models.TextChoices):
    """The admission pipeline (Quy định 232-QĐ/TW, Hướng dẫn 06-HD/TW), in order. A candidate's step
    is the last one recorded."""

    SYMPATHIZER = "sympathizer", _("Cảm tình Đảng")
    AWARENESS_CLASS = "awareness_class", _("Học lớp nhận thức về Đảng")
    APPLICATION = "application", _("Làm hồ sơ")
    VERIFICATION = "verification", _("Thẩm tra lý lịch")
    REFERENCES = "references", _("Lấy ý kiến nhận xét")
    CELL_RESOLUTION = "cell_resolution", _("Chi bộ xét, đề nghị")
    REVIEW = "review", _("Cấp ủy thẩm định")
    DECISION = "decision", _("Quyết định kết nạp")
    CEREMONY = "ceremony", _("Lễ kết nạp")
    PROBATION = "probation", _("Đảng viên dự bị")
    FULL_MEMBERSHIP = "full_membership", _("Công nhận chính thức")


STEP_ORDER: list[str] = list(Step.values)


def step_index(step: str) -> int:
    return STEP_ORDER.index(step)


class Status(models.TextChoices):
    ACTIVE = "active", _("Đang theo dõi")
    OFFICIAL = "official", _("Đảng viên chính thức")
    WITHDRAWN = "withdrawn", _("Đã rút khỏi danh sách")
    REJECTED = "rejected", _("Không kết nạp")
    REMOVED = "removed", _("Xóa tên (không công nhận chính thức)")


# Outcomes that end a candidate's pipeline other than full membership.
CLOSING_STATUSES = (Status.WITHDRAWN, Status.REJECTED, Status.REMOVED)


class EventKind(models.TextChoices):
    """What a pipeline event records: a step, the one extension of the decision deadline, or an end."""

    SYMPATHIZER = Step.SYMPATHIZER.value, Step.SYMPATHIZER.label
    AWARENESS_CLASS = Step.AWARENESS_CLASS.value, Step.AWARENESS_CLASS.label
    APPLICATION = Step.APPLICATION.value, Step.APPLICATION.label
    VERIFICATION = Step.VERIFICATION.value, Step.VERIFICATION.label
    REFERENCES = Step.REFERENCES.value, Step.REFERENCES.label
    CELL_RESOLUTION = Step.CELL_RESOLUTION.value, Step.CELL_RESOLUTION.label
    REVIEW = Step.REVIEW.value, Step.REVIEW.label
    DECISION = Step.DECISION.value, Step.DECISION.label
    CEREMONY = Step.CEREMONY.value, Step.CEREMONY.label
    PROBATION = Step.PROBATION.value, Step.PROBATION.label
    FULL_MEMBERSHIP = Step.FULL_MEMBERSHIP.value, Step.FULL_MEMBERSHIP.label
    EXTENSION = "extension", _("Gia hạn thời gian ra quyết định kết nạp")
    # A new awareness-class certificate after the first expired; may be recorded more than once.
    CERTIFICATE_RENEWED = "certificate_renewed", _("Học lại lớp nhận thức về Đảng (chứng nhận mới)")
    WITHDRAWN = Status.WITHDRAWN.value, Status.WITHDRAWN.label
    REJECTED = Status.REJECTED.value, Status.REJECTED.label
    REMOVED = Status.REMOVED.value, Status.REMOVED.label


class RuleException(models.TextChoices):
    """Documented exceptions that let a step through a rule it would otherwise break. The labels here
    name no duration (the durations are data, PipelineRules): pages show `labels.exception_label`."""

    AGE_CONSENT = "age_consent", _("Cấp ủy cấp tỉnh đồng ý kết nạp người quá tuổi tối đa")
    INTRODUCTIONS_REDONE = "introductions_redone", _("Đã giới thiệu lại (hồ sơ quá thời hạn)")
    LATE_DECISION_ACCEPTED = (
        "late_decision_accepted",
        _("Cấp ủy cấp trên (cấp ủy có thẩm quyền) chấp thuận bằng văn bản việc ra quyết định kết nạp muộn"),
    )
    LATE_CEREMONY_CONSENT = "late_ceremony_consent", _("Cấp ủy cấp trên đồng ý tổ chức lễ kết nạp muộn")
    LATE_RECOGNITION = "late_recognition", _("Xét công nhận chính thức muộn, có lý do được cấp trên chấp thuận")


class Introduction(models.TextChoices):
    TWO_MEMBERS = "two_members", _("Hai đảng viên chính thức giới thiệu")
    YOUTH_UNION = "youth_union", _("Nghị quyết của Đoàn (mẫu 4-KNĐ) và một đảng viên chính thức")
    TRADE_UNION = "trade_union", _("Nghị quyết của Công đoàn (mẫu 4A-KNĐ) và một đảng viên chính thức")


class DeadlineKind(models.TextChoices):
    """What a candidate must reach next. As for RuleException, pages show `labels.deadline_label`."""

    CERTIFICATE_EXPIRES = "certificate_expires", _("Chứng nhận lớp bồi dưỡng hết hạn")
    FILE_EXPIRES = "file_expires", _("Hồ sơ quá thời hạn")
    DECISION_DUE = "decision_due", _("Hạn ra quyết định kết nạp")
    CEREMONY_DUE = "ceremony_due", _("Hạn tổ chức lễ kết nạp")
    RECOGNITION_DUE = "recognition_due", _("Hạn xét công nhận chính thức")


class AdmissionSource(models.TextChoices):
    PIPELINE = "pipeline", _("Từ quy trình kết nạp")
    MANUAL = "manual", _("Nhập trực tiếp")
    IMPORT = "import", _("Nhập từ tệp .xlsx")


class Ethnicity(models.TextChoices):
    """The 54 ethnic groups of Viet Nam (Danh mục các dân tộc Việt Nam). Every group but Kinh is an
    ethnic minority (dân tộc thiểu số) in the statistics."""

    KINH = "kinh", _("Kinh")
    TAY = "tay", _("Tày")
    THAI = "thai", _("Thái")
    MUONG = "muong", _("Mường")
    KHMER = "khmer", _("Khơ-me")
    HOA = "hoa", _("Hoa")
    NUNG = "nung", _("Nùng")
    HMONG = "hmong", _("Mông")
    DAO = "dao", _("Dao")
    GIA_RAI = "gia_rai", _("Gia-rai")
    E_DE = "e_de", _("Ê-đê")
    BA_NA = "ba_na", _("Ba-na")
    SAN_CHAY = "san_chay", _("Sán Chay")
    CHAM = "cham", _("Chăm")
    CO_HO = "co_ho", _("Cơ-ho")
    XO_DANG = "xo_dang", _("Xơ-đăng")
    SAN_DIU = "san_diu", _("Sán Dìu")
    HRE = "hre", _("Hrê")
    RA_GLAI = "ra_glai", _("Ra-glai")
    MNONG = "mnong", _("Mnông")
    THO = "tho", _("Thổ")
    XTIENG = "xtieng", _("Xtiêng")
    KHO_MU = "kho_mu", _("Khơ-mú")
    BRU_VAN_KIEU = "bru_van_kieu", _("Bru-Vân Kiều")
    CO_TU = "co_tu", _("Cơ-tu")
    GIAY = "giay", _("Giáy")
    TA_OI = "ta_oi", _("Tà-ôi")
    MA = "ma", _("Mạ")
    GIE_TRIENG = "gie_trieng", _("Giẻ-Triêng")
    CO = "co", _("Co")
    CHO_RO = "cho_ro", _("Chơ-ro")
    XINH_MUN = "xinh_mun", _("Xinh-mun")
    HA_NHI = "ha_nhi", _("Hà Nhì")
    CHU_RU = "chu_ru", _("Chu-ru")
    LAO = "lao", _("Lào")
    LA_CHI = "la_chi", _("La Chí")
    KHANG = "khang", _("Kháng")
    PHU_LA = "phu_la", _("Phù Lá")
    LA_HU = "la_hu", _("La Hủ")
    LA_HA = "la_ha", _("La Ha")
    PA_THEN = "pa_then", _("Pà Thẻn")
    LU = "lu", _("Lự")
    NGAI = "ngai", _("Ngái")
    CHUT = "chut", _("Chứt")
    LO_LO = "lo_lo", _("Lô Lô")
    MANG = "mang", _("Mảng")
    CO_LAO = "co_lao", _("Cờ Lao")
    BO_Y = "bo_y", _("Bố Y")
    CONG = "cong", _("Cống")
    SI_LA = "si_la", _("Si La")
    PU_PEO = "pu_peo", _("Pu Péo")
    RO_MAM = "ro_mam", _("Rơ-măm")
    BRAU = "brau", _("Brâu")
    O_DU = "o_du", _("Ơ-đu")


class Religion(models.TextChoices):
    NONE = "none", _("Không")
    BUDDHISM = "buddhism", _("Phật giáo")
    CATHOLICISM = "catholicism", _("Công giáo")
    PROTESTANTISM = "protestantism", _("Tin Lành")
    CAO_DAI = "cao_dai", _("Cao Đài")
    HOA_HAO = "hoa_hao", _("Phật giáo Hòa Hảo")
    ISLAM = "islam", _("Hồi giáo")
    OTHER = "other", _("Tôn giáo khác")


class Occupation(models.TextChoices):
    """Occupation groups of the biểu "Đảng viên mới kết nạp"."""

    CIVIL_SERVANT = "civil_servant", _("Cán bộ, công chức")
    PUBLIC_EMPLOYEE = "public_employee", _("Viên chức")
    ENTERPRISE_EMPLOYEE = "enterprise_employee", _("Người lao động trong doanh nghiệp")
    WORKER = "worker", _("Công nhân")
    FARMER = "farmer", _("Nông dân")
    ARMED_FORCES = "armed_forces", _("Lực lượng vũ trang")
    STUDENT = "student", _("Học sinh, sinh viên")
    BUSINESS_OWNER = "business_owner", _("Chủ doanh nghiệp tư nhân")
    OTHER = "other", _("Khác")


class EducationLevel(models.TextChoices):
    """General education (trình độ giáo dục phổ thông)."""

    PRIMARY = "primary", _("Tiểu học")
    LOWER_SECONDARY = "lower_secondary", _("Trung học cơ sở")
    UPPER_SECONDARY = "upper_secondary", _("Trung học phổ thông")


class ProfessionalLevel(models.TextChoices):
    """Professional qualification (trình độ chuyên môn)."""

    NONE = "none", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp")
    VOCATIONAL = "vocational", _("Trung cấp")
    COLLEGE = "college", _("Cao đẳng")
    UNIVERSITY = "university", _("Đại học")
    MASTER = "master", _("Thạc sĩ")
    DOCTOR = "doctor", _("Tiến sĩ")


class PoliticalTheory(models.TextChoices):
    NONE = "none", _("Chưa qua đào tạo")
    ELEMENTARY = "elementary", _("Sơ cấp")
    INTERMEDIATE = "intermediate", _("Trung cấp")
    ADVANCED = "advanced", _("Cao cấp, cử nhân")
