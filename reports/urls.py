"""Pages of the reports app."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.dashboard, name="dashboard"),
    path("<int:pk>/progress.pdf", views.progress_pdf, name="progress-pdf"),
    path("<int:pk>/progress.xlsx", views.progress_xlsx, name="progress-xlsx"),
    path("jobs/<int:pk>/", views.job, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job-status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
