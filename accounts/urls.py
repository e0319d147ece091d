from django.urls import path

from . import views

urlpatterns = [
    path("two-factor/", views.verify, name="two-factor"),
    path("two-factor/setup/", views.setup, name="two-factor-setup"),
]
