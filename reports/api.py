"""REST API of the reports app, mounted under /api/v1/:

    GET /api/v1/organizations/<id>/progress/?year=YYYY&quarter=Q&structure=then|now

The progress of each organization directly below <id>, as on the dashboard: quotas, admissions,
percentages (null where there is no quota), status, group subtotals and the total, in the tree at the
end of the period (`then`, the default) or in today's tree (`now`).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.models import Organization
from partytrack.db_routers import replica_reads

from .selectors import MAX_YEAR, MIN_YEAR, ProgressReport, ProgressRow, Structure, current_period, progress_report


class PeriodSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        required=False,
        error_messages={"invalid": "Năm phải là một số, ví dụ 2026."},
    )
    quarter = serializers.ChoiceField(
        choices=[1, 2, 3, 4],
        required=False,
        error_messages={"invalid_choice": "Quý phải là 1, 2, 3 hoặc 4."},
    )
    structure = serializers.ChoiceField(
        choices=[Structure.THEN, Structure.NOW],
        required=False,
        error_messages={"invalid_choice": "Cơ cấu phải là “then” (tại thời điểm báo cáo) hoặc “now” (hiện nay)."},
    )


def _figures(row: ProgressRow) -> dict:
    q1, q2, q3, q4 = row.quota_quarters
    # Every quarter's admissions of the year, as numbers; the "to date" figures stop at the
    # reported quarter.
    a1, a2, a3, a4 = row.admitted_by_quarter
    return {
        "quota_total": row.quota_total,
        "quota_q1": q1,
        "quota_q2": q2,
        "quota_q3": q3,
        "quota_q4": q4,
        "quota_to_date": row.quota_to_date,
        "quota_to_date_estimated": row.quota_to_date_estimated,
        "admitted_q1": a1,
        "admitted_q2": a2,
        "admitted_q3": a3,
        "admitted_q4": a4,
        "admitted_in_quarter": row.admitted_in_quarter,
        "admitted_to_date": row.admitted_to_date,
        "percent_total": row.percent_total,
        "percent_to_date": row.percent_to_date,
        "status": row.status,
    }


def _organization(ref) -> dict:
    return {"id": ref.id, "code": ref.code, "name": ref.name}


def report_as_json(report: ProgressReport) -> dict:
    rows = [
        {"organization": _organization(row.organization), "number": row.number, "group": row.group, **_figures(row)}
        for row in report.rows
    ]
    return {
        "organization": {**_organization(report.organization), **_figures(report.subject)},
        "year": report.year,
        "quarter": report.quarter,
        "rows": rows,
        "groups": [{"group": g.group, "label": g.label, "subtotal": _figures(g.subtotal)} for g in report.groups],
        # Closed (dissolved, merged) children and anything recorded at the organization itself.
        "other": {"label": report.other.label, **_figures(report.other)} if report.other else None,
        "total": _figures(report.total),
        # The organization's draft for the year: its quotas are in none of the figures above.
        "draft": {"plan_number": report.draft, "note": report.draft_note} if report.draft else None,
        # The tree the figures follow, its day, and what changed in it (issue 14).
        "structure": {
            "kind": report.structure,
            "label": report.structure_label,
            "day": report.structure_day.isoformat() if report.structure_day else None,
            "changed_during": report.changed_during,
            "changed_after": report.changed_after,
            "note": report.structure_note,
        },
    }


FIGURE_FIELDS = {
    name: serializers.IntegerField(allow_null=True)
    for name in (
        "quota_total",
        "quota_q1",
        "quota_q2",
        "quota_q3",
        "quota_q4",
        "quota_to_date",
        "admitted_q1",
        "admitted_q2",
        "admitted_q3",
        "admitted_q4",
        "admitted_in_quarter",
        "admitted_to_date",
    )
} | {
    "quota_to_date_estimated": serializers.BooleanField(),
    "percent_total": serializers.FloatField(allow_null=True),
    "percent_to_date": serializers.FloatField(allow_null=True),
    "status": serializers.ChoiceField(choices=["ahead", "on_track", "behind", "no_quota"]),
}


class OrganizationProgressView(APIView):
    @extend_schema(
        summary="Tiến độ thực hiện chỉ tiêu kết nạp của các tổ chức trực thuộc",
        parameters=[
            OpenApiParameter("year", int, description="Năm (mặc định: năm nay)"),
            OpenApiParameter("quarter", int, description="Quý 1–4 (mặc định: quý hiện tại)"),
            OpenApiParameter(
                "structure",
                str,
                enum=[Structure.THEN, Structure.NOW],
                description="then: cơ cấu tại thời điểm báo cáo (mặc định); now: cơ cấu hiện nay",
            ),
        ],
        responses=inline_serializer(
            "OrganizationProgress",
            {
                "organization": inline_serializer(
                    "ProgressOrganization",
                    {"id": serializers.IntegerField(), "code": serializers.CharField(), "name": serializers.CharField()}
                    | FIGURE_FIELDS,
                ),
                "year": serializers.IntegerField(),
                "quarter": serializers.IntegerField(),
                "rows": inline_serializer(
                    "ProgressRow",
                    {
                        "organization": inline_serializer(
                            "ProgressRowOrganization",
                            {
                                "id": serializers.IntegerField(),
                                "code": serializers.CharField(),
                                "name": serializers.CharField(),
                            },
                        ),
                        "number": serializers.CharField(),
                        "group": serializers.IntegerField(),
                    }
                    | FIGURE_FIELDS,
                    many=True,
                ),
                "total": inline_serializer("ProgressTotal", FIGURE_FIELDS),
                "draft": inline_serializer(
                    "ProgressDraft",
                    {"plan_number": serializers.CharField(), "note": serializers.CharField()},
                    allow_null=True,
                ),
                "structure": inline_serializer(
                    "ProgressStructure",
                    {
                        "kind": serializers.ChoiceField(choices=[Structure.THEN, Structure.NOW]),
                        "label": serializers.CharField(),
                        "day": serializers.DateField(allow_null=True),
                        "changed_during": serializers.BooleanField(),
                        "changed_after": serializers.BooleanField(),
                        "note": serializers.CharField(),
                    },
                ),
            },
        ),
    )
    def get(self, request, pk: int):
        try:
            organization = Organization.objects.visible_to(request.user).get(pk=pk)
        except Organization.DoesNotExist as exc:
            raise Http404 from exc
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        year, quarter = current_period()
        year = period.validated_data.get("year", year)
        quarter = int(period.validated_data.get("quarter", quarter))
        structure = period.validated_data.get("structure", Structure.THEN)
        report = replica_reads(progress_report)(
            organization=organization, year=year, quarter=quarter, structure=structure
        )
        return Response(report_as_json(report))


urlpatterns = [
    path(
        "organizations/<int:pk>/progress/",
        OrganizationProgressView.as_view(),
        name="organization-progress",
    ),
]
