"""The home page at the site root, outside the organizations namespace (it is "home" everywhere)."""

from django.urls import path

from . import views

urlpatterns = [path("", views.home, name="home")]
