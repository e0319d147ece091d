from django.contrib import admin
from django.urls import include, path

from . import views
from .auth import ThrottledAdminAuthenticationForm, login_view

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = "Peer Support Survey administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("surveys.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("accounts/login/", login_view, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
