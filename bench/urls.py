"""The production URLs plus three baselines for the bench to compare against."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/fixed.json", views.fixed_json),
    path("bench/raw.json", views.raw_json),
    path("bench/insert", views.insert),
    path("", include("peersurvey.urls")),
]
