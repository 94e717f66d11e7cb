"""Pages of the quotas app."""

app_name = "quotas"
urlpatterns: list = []
