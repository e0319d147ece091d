from django.urls import path

from .views import actions, figures, paper, quotes, report, safeguarding

app_name = "dashboard"

urlpatterns = [
    path("", figures.index, name="index"),
    path("data.json", figures.data_json, name="data"),
    path("charts.json", figures.charts_json, name="charts"),
    path("trends.json", figures.trends_json, name="trends-json"),
    path("trends/", figures.trends, name="trends"),
    path("services.json", figures.services_json, name="services-json"),
    path("services/", figures.across_services, name="services"),
    path("report/", report.report, name="report"),
    path("report.pdf", report.report_pdf, name="report-pdf"),
    path("report.pptx", report.report_pptx, name="report-pptx"),
    path("report/text/", report.report_text, name="report-text"),
    path("export/aggregate.csv", figures.export_aggregate, name="export-aggregate"),
    path("export/responses.csv", figures.export_responses, name="export-responses"),
    path("quotes/", quotes.quote_list, name="quotes"),
    path("quotes/review/", quotes.review_queue, name="quote-review"),
    path("quotes/review/<int:answer_id>/", quotes.review_answer, name="quote-review-answer"),
    path("quotes/<int:answer_id>/themes/", quotes.quote_themes, name="quote-themes"),
    path("quotes/<int:answer_id>/choose/", quotes.quote_choice, name="quote-choose"),
    path("quotes/<int:answer_id>/concern/", quotes.quote_concern, name="quote-concern"),
    path("safeguarding/", safeguarding.concerns, name="safeguarding"),
    path("safeguarding/<int:concern_id>/", safeguarding.record, name="safeguarding-record"),
    path("actions/", actions.action_list, name="actions"),
    path("actions/<int:action_id>/", actions.action_edit, name="action-edit"),
    path("actions/<int:action_id>/delete/", actions.action_remove, name="action-delete"),
    path("paper/", paper.choose, name="paper"),
    path("paper/<str:service_code>/<str:group>/", paper.entry, name="paper-entry"),
]
