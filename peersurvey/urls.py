from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from accounts.auth import ThrottledAdminAuthenticationForm, login_view
from dashboard.views import ward
from surveys import urls as survey_urls

from . import views

admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = _("Peer Support Survey administration")
admin.site.site_title = _("Peer Support Survey administration")

# The ward's results page is read-side (dashboard) but lives at the link's address,
# in the surveys namespace (surveys:results): joined here, so surveys never imports
# the dashboard.
survey_patterns = [*survey_urls.urlpatterns, path("c/<str:token>/results/", ward.results, name="results")]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((survey_patterns, survey_urls.app_name))),
    path("dashboard/", include("dashboard.urls")),
    path("accounts/login/", login_view, name="login"),
    # Django's auth views named one by one: no password reset pages, as the site sends no
    # e-mail (a forgotten password or a lost phone is for an administrator, docs/sign-in.md).
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    # The JavaScript's texts in the page's language (?lang=), cached by the ward tablet's
    # service worker with the page's other static files.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
