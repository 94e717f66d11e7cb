"""Root URLs: the pages of each app, the admin, login and password change, language switch and the REST API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

api_patterns = [
    path("", include("organizations.api")),
    path("", include("quotas.api")),
    path("", include("candidates.api")),
    path("", include("reports.api")),
]

urlpatterns = [
    path("", include("organizations.urls_home")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's views (login required); not the admin's templates of the same default names.
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_changed.html"),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("organizations/", include("organizations.urls")),
    path("quotas/", include("quotas.urls")),
    path("candidates/", include("candidates.urls")),
    path("reports/", include("reports.urls")),
    path("reports/", include("monitoring.urls")),
    path("history/", include("partytrack.history")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
