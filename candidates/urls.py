"""Pages of the candidates app."""

from django.urls import path

from . import views

app_name = "candidates"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/step/", views.advance, name="advance"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/certificate/", views.renew_certificate, name="renew_certificate"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("admissions/", views.admissions, name="admissions"),
    path("admissions.xlsx", views.admissions_xlsx, name="admissions_xlsx"),
    path("personal-data-log/", views.personal_data_log, name="personal_data_log"),
    path("admissions/new/", views.admission_create, name="admission_create"),
    path("admissions/import/", views.admission_import, name="admission_import"),
    path("admissions/import/template.xlsx", views.admission_import_template, name="admission_import_template"),
    path("admissions/<int:pk>/", views.admission_detail, name="admission_detail"),
    path("admissions/<int:pk>/cancel/", views.admission_cancel, name="admission_cancel"),
]
