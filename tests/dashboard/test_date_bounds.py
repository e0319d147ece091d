"""Dates enter the dashboard at one place, the filter form (dashboard/forms.py): a date outside
2000-01-01 to 2999-12-31, or one that is no date at all, is a 400 with the field named on every
view that takes dates, never a 500 (9999-12-31 has no next month to end at). The paper form's
date is a day from 2014, when the survey began, to today (docs/security.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Response

DATE_VIEWS = [
    "/dashboard/",
    "/dashboard/data.json",
    "/dashboard/charts.json",
    "/dashboard/trends.json?question=useful",
    "/dashboard/trends/?question=useful",
    "/dashboard/services.json?question=useful",
    "/dashboard/services/",
    "/dashboard/report/",
    "/dashboard/report.pdf",
    "/dashboard/report.pptx",
    "/dashboard/export/aggregate.csv",
    "/dashboard/export/responses.csv",
]
JSON_VIEWS = {"/dashboard/data.json", "/dashboard/charts.json", "/dashboard/trends.json", "/dashboard/services.json"}
BAD_DATES = [
    "9999-12-31",
    "9999-12-30",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "1999-12-31",
    "3000-01-01",
    "soon",
    "12/31/9999",
]


@pytest.mark.parametrize("path", DATE_VIEWS)
def test_a_date_outside_the_years_2000_to_2999_is_a_400_on_every_view_that_takes_dates(national_client, path):
    joiner = "&" if "?" in path else "?"
    for value in BAD_DATES:
        # The public names (from, to) and the form's own (date_from, date_to) reach the same field.
        for name in ("from", "date_to"):
            reply = national_client.get(f"{path}{joiner}{name}={value}")
            assert reply.status_code == 400, (path, name, value, reply.status_code)
            if path.split("?")[0] in JSON_VIEWS:
                public = name.removeprefix("date_")
                assert reply.json()["errors"][public], (path, name, value)


@pytest.mark.parametrize(
    "path", ["/dashboard/data.json", "/dashboard/export/aggregate.csv", "/dashboard/trends.json?question=useful"]
)
def test_the_first_and_last_days_of_the_range_are_answered(national_client, path):
    joiner = "&" if "?" in path else "?"
    assert national_client.get(f"{path}{joiner}from=2000-01-01&to=2999-12-31").status_code == 200
    assert national_client.get(f"{path}{joiner}from=2999-12-31").status_code == 200


def _paper(client, day):
    return client.post("/dashboard/paper/CL/staff/", {"paper_date": day, "useful": "yes"})


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2013-12-31"])
def test_a_paper_dated_before_the_survey_began_is_refused_with_the_reason(service_client, day):
    page = _paper(service_client, day)
    assert page.status_code == 200
    assert "before 2014, when this survey began" in page.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "10000-01-01", "2026-02-30", "soon"])
def test_a_paper_date_that_is_no_date_or_far_ahead_stores_nothing(service_client, day):
    page = _paper(service_client, day)
    assert page.status_code == 200 and page.context["form"].errors["paper_date"]
    assert not Response.objects.exists()


def test_a_paper_dated_tomorrow_is_refused_and_one_from_2014_or_today_is_kept(service_client):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert "cannot be in the future" in _paper(service_client, tomorrow.isoformat()).content.decode()
    assert not Response.objects.exists()
    assert _paper(service_client, "2014-01-01").status_code == 302
    assert _paper(service_client, timezone.localdate().isoformat()).status_code == 302
    assert sorted(Response.objects.values_list("submitted_on", flat=True))[0].isoformat() == "2014-01-01"
