from django.urls import path

from . import api, views

app_name = "surveys"

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("c/<str:token>/", views.collect, name="collect"),
    path("c/<str:token>/thanks/", views.thanks, name="thanks"),
    path("api/v1/links/<str:token>/responses", api.submit_response, name="api-responses"),
]
