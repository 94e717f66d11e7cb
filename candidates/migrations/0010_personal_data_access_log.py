"""The export log becomes the personal-data access log (every read, not only downloads): renamed, its
existing rows kept; the privacy rules (statistics threshold, daily refusals) as one row of data."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0009_alter_historicaladmission_options_and_more"),
        ("organizations", "0003_alter_historicalmembershipfigure_options_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameModel("PersonalDataExport", "PersonalDataAccess"),
        migrations.RenameField("personaldataaccess", "exported_at", "accessed_at"),
        migrations.RenameField("personaldataaccess", "row_count", "person_count"),
        migrations.CreateModel(
            name="HistoricalPrivacyRules",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "statistics_min_people",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="Ít người hơn thì người không được xem hồ sơ (lãnh đạo) chỉ thấy tổng số, không thấy dân tộc, tôn giáo, tuổi, trình độ.",
                        validators=[
                            django.core.validators.MinValueValidator(2),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="số người tối thiểu để chia nhỏ số liệu thống kê",
                    ),
                ),
                (
                    "record_elsewhere_per_day",
                    models.PositiveSmallIntegerField(
                        default=10,
                        help_text="Quá số lần này, đến hết ngày người dùng không thêm được quần chúng, kết nạp nữa.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1000),
                        ],
                        verbose_name="số lần mỗi ngày một người dùng được báo “đã có hồ sơ ở tổ chức khác”",
                    ),
                ),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "lịch sử quy định bảo vệ dữ liệu cá nhân",
                "verbose_name_plural": "lịch sử quy định bảo vệ dữ liệu cá nhân",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PrivacyRules",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "statistics_min_people",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="Ít người hơn thì người không được xem hồ sơ (lãnh đạo) chỉ thấy tổng số, không thấy dân tộc, tôn giáo, tuổi, trình độ.",
                        validators=[
                            django.core.validators.MinValueValidator(2),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="số người tối thiểu để chia nhỏ số liệu thống kê",
                    ),
                ),
                (
                    "record_elsewhere_per_day",
                    models.PositiveSmallIntegerField(
                        default=10,
                        help_text="Quá số lần này, đến hết ngày người dùng không thêm được quần chúng, kết nạp nữa.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(1000),
                        ],
                        verbose_name="số lần mỗi ngày một người dùng được báo “đã có hồ sơ ở tổ chức khác”",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "quy định bảo vệ dữ liệu cá nhân",
                "verbose_name_plural": "quy định bảo vệ dữ liệu cá nhân",
            },
        ),
        migrations.AlterModelOptions(
            name="personaldataaccess",
            options={
                "ordering": ["-accessed_at", "-pk"],
                "verbose_name": "lần truy cập dữ liệu cá nhân",
                "verbose_name_plural": "nhật ký truy cập dữ liệu cá nhân",
            },
        ),
        migrations.AddField(
            model_name="personaldataaccess",
            name="path",
            field=models.CharField(blank=True, max_length=300, verbose_name="địa chỉ"),
        ),
        migrations.AddField(
            model_name="personaldataaccess",
            name="person_ids",
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name="mã hồ sơ"),
        ),
        migrations.AddField(
            model_name="personaldataaccess",
            name="subject_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="kind",
            field=models.CharField(
                choices=[
                    ("admissions_xlsx", "Danh sách kết nạp (.xlsx)"),
                    ("alerts_xlsx", "Cảnh báo (.xlsx)"),
                    ("candidate_list_api", "API: danh sách quần chúng"),
                    ("candidate_api", "API: hồ sơ quần chúng"),
                    ("admission_list_api", "API: danh sách kết nạp"),
                    ("admission_api", "API: một kết nạp"),
                    ("candidate_page", "Trang hồ sơ quần chúng"),
                    ("admission_page", "Trang kết nạp"),
                    ("history_page", "Lịch sử thay đổi"),
                    ("admin_page", "Trang quản trị"),
                    ("statistics", "Biểu thống kê đảng viên mới kết nạp"),
                    ("record_elsewhere", "Từ chối: người đã có hồ sơ ở tổ chức khác"),
                ],
                max_length=30,
                verbose_name="loại",
            ),
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="person_count",
            field=models.PositiveIntegerField(verbose_name="số người"),
        ),
        migrations.AlterField(
            model_name="personaldataaccess",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người dùng",
            ),
        ),
        migrations.AddIndex(
            model_name="personaldataaccess",
            index=models.Index(fields=["user", "kind", "accessed_at"], name="personal_access_user_kind"),
        ),
        migrations.AddField(
            model_name="historicalprivacyrules",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddConstraint(
            model_name="privacyrules",
            constraint=models.CheckConstraint(condition=models.Q(("pk", 1)), name="privacy_rules_single_row"),
        ),
        migrations.AddConstraint(
            model_name="privacyrules",
            constraint=models.CheckConstraint(
                condition=models.Q(("statistics_min_people__gte", 2), ("statistics_min_people__lte", 100)),
                name="privacy_rules_min_people_2_to_100",
            ),
        ),
        migrations.AddConstraint(
            model_name="privacyrules",
            constraint=models.CheckConstraint(
                condition=models.Q(("record_elsewhere_per_day__gte", 1), ("record_elsewhere_per_day__lte", 1000)),
                name="privacy_rules_per_day_1_to_1000",
            ),
        ),
    ]
