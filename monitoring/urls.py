"""Pages of the monitoring app (statistics, alerts, periodic reporting and its deadlines), under
/reports/<organization>/ beside the progress report they extend."""

from django.urls import path

from . import views, views_deadlines

app_name = "monitoring"
urlpatterns = [
    path("<int:pk>/statistics/", views.statistics_page, name="statistics"),
    path("<int:pk>/statistics.pdf", views.statistics_pdf, name="statistics-pdf"),
    path("<int:pk>/statistics.xlsx", views.statistics_xlsx, name="statistics-xlsx"),
    path("<int:pk>/alerts/", views.alerts_page, name="alerts"),
    path("<int:pk>/alerts.xlsx", views.alerts_xlsx, name="alerts-xlsx"),
    path("<int:pk>/alerts/section/", views.alerts_section, name="alerts-section"),
    path("<int:pk>/submissions/", views.completeness_page, name="completeness"),
    path("<int:pk>/submissions/submit/", views.submit, name="submit"),
    path("<int:pk>/submissions/deadlines/", views_deadlines.deadlines, name="deadlines"),
    path("plans/<int:plan_pk>/deadline/", views_deadlines.deadline_set, name="deadline-set"),
]
