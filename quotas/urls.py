"""Pages of the quotas app."""

from django.urls import path

from . import views

app_name = "quotas"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/<int:year>/", views.allocation, name="allocation"),
    path("<int:pk>/<int:year>/history/", views.allocation_history, name="history"),
    path("<int:pk>/<int:year>/import/", views.allocation_import, name="import"),
    path("<int:pk>/<int:year>/allocation.pdf", views.allocation_pdf, name="allocation_pdf"),
    path("<int:pk>/<int:year>/allocation.xlsx", views.allocation_xlsx, name="allocation_xlsx"),
    path("<int:pk>/plans/", views.plans, name="plans"),
    path("<int:pk>/plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:plan_pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:plan_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:plan_pk>/replace/", views.plan_replace, name="plan_replace"),
    path("plans/<int:plan_pk>/term/", views.term, name="term"),
    path("plans/<int:plan_pk>/term.xlsx", views.term_xlsx, name="term_xlsx"),
    path("plans/<int:plan_pk>/term.pdf", views.term_pdf, name="term_pdf"),
]
