from django.urls import path

from . import paper, quotes, views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("data.json", views.data_json, name="data"),
    path("charts.json", views.charts_json, name="charts"),
    path("report/", views.report, name="report"),
    path("export/aggregate.csv", views.export_aggregate, name="export-aggregate"),
    path("export/responses.csv", views.export_responses, name="export-responses"),
    path("quotes/", quotes.quote_list, name="quotes"),
    path("quotes/review/", quotes.review_queue, name="quote-review"),
    path("quotes/review/<int:answer_id>/", quotes.review_answer, name="quote-review-answer"),
    path("paper/", paper.choose, name="paper"),
    path("paper/<str:service_code>/<str:instrument>/", paper.entry, name="paper-entry"),
]
