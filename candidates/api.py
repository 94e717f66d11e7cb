"""REST API of the candidates app, mounted under /api/v1/."""

urlpatterns: list = []
