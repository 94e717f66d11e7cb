"""Pages of the reports app."""

app_name = "reports"
urlpatterns: list = []
