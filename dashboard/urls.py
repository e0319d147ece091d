from django.urls import path

from .views import figures, paper, quotes

app_name = "dashboard"

urlpatterns = [
    path("", figures.index, name="index"),
    path("data.json", figures.data_json, name="data"),
    path("charts.json", figures.charts_json, name="charts"),
    path("trends.json", figures.trends_json, name="trends-json"),
    path("trends/", figures.trends, name="trends"),
    path("services.json", figures.services_json, name="services-json"),
    path("services/", figures.across_services, name="services"),
    path("report/", figures.report, name="report"),
    path("export/aggregate.csv", figures.export_aggregate, name="export-aggregate"),
    path("export/responses.csv", figures.export_responses, name="export-responses"),
    path("quotes/", quotes.quote_list, name="quotes"),
    path("quotes/review/", quotes.review_queue, name="quote-review"),
    path("quotes/review/<int:answer_id>/", quotes.review_answer, name="quote-review-answer"),
    path("paper/", paper.choose, name="paper"),
    path("paper/<str:service_code>/<str:group>/", paper.entry, name="paper-entry"),
]
