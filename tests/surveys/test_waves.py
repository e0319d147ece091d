"""Waves (collection rounds) as the people who run them and answer in them meet them:
add_wave, set_denominator, create_link --wave and close_round --wave; the page and
the API taking answers through the grace period and answering 410 after it; the wave
a response belongs to; and batches, pools and about-you slices that never mix waves.

No clock is moved: every date is counted from `timezone.localdate()`, and each test
sets the waves' dates around it.
"""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from surveys.imports import responses_import
from surveys.models import CollectionLink, Denominator, Option, Period, Release, Response, Tally, Wave
from surveys.releases import releases_queue_missing_slices
from surveys.selectors import loaded_questionnaire
from surveys.services import link_create, response_submit, service_upsert, wave_upsert
from surveys.tallies import EVERYONE, tallies_differences, tallies_rebuild
from surveys.validation import Submission, clean_answers

GRACE = 14


@pytest.fixture(autouse=True)
def fourteen_days_grace(settings):
    """The default grace, fixed here so an environment setting cannot move the boundaries."""
    settings.PEERSURVEY_WAVE_GRACE_DAYS = GRACE


def day(offset: int):
    """Today plus `offset` days (negative: in the past)."""
    return timezone.localdate() + timedelta(days=offset)


def make_wave(code, opens, closes, name=None):
    """A wave from `opens` to `closes`, both days counted from today."""
    wave, _ = wave_upsert(code=code, name=name or f"Round {code}", opens=day(opens), closes=day(closes))
    return wave


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args, match):
    with pytest.raises(CommandError, match=match) as caught:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


def submit(link, answers, on=None):
    """One response through `link`, as a form or tablet sends it, on day `on` (default today)."""
    definition = loaded_questionnaire(link.questionnaire_id).definition
    return response_submit(
        service=link.service,
        questionnaire=link.questionnaire,
        submission=Submission(client_id=uuid.uuid4(), answers=clean_answers(definition, answers)),
        channel=link.channel,
        link=link,
        submitted_on=on,
    ).response


def api_body(answers=None):
    return {"client_id": str(uuid.uuid4()), "answers": answers or {"useful": "yes"}}


def released(**filters):
    return Release.objects.filter(released_on__isnull=False, **filters).count()


def tallied(wave, *, period=Period.MONTH, among=EVERYONE):
    """How many respondents the tallies count in a wave (0: outside any wave)."""
    rows = Tally.objects.filter(kind="r", among=among, period=period, wave=getattr(wave, "pk", wave))
    return sum(rows.values_list("n", flat=True))


# --- add_wave ----------------------------------------------------------------------------


def test_add_wave_creates_then_updates_the_same_code(db):
    out = run("add_wave", "2027-spring", "--name", "Spring 2027", "--opens", "2027-03-01", "--closes", "2027-04-30")
    assert out.startswith("Created wave 2027-spring: Spring 2027, 2027-03-01 to 2027-04-30")
    assert "answers until 2027-05-14 (14 days' grace" in out
    wave = Wave.objects.get()
    assert (wave.code, wave.name, str(wave.opens), str(wave.closes)) == ("2027-spring", "Spring 2027", "2027-03-01", "2027-04-30")

    out = run("add_wave", "2027-spring", "--name", "Spring round 2027", "--opens", "2027-03-08", "--closes", "2027-05-31")
    assert out.startswith("Updated wave 2027-spring: Spring round 2027, 2027-03-08 to 2027-05-31")
    wave.refresh_from_db()
    assert (wave.name, str(wave.opens), str(wave.closes)) == ("Spring round 2027", "2027-03-08", "2027-05-31")
    assert str(wave.accepts_until) == "2027-06-14"
    assert Wave.objects.count() == 1


def test_add_wave_takes_a_one_day_wave(db):
    run("add_wave", "2027-day", "--name", "One day", "--opens", "2027-03-01", "--closes", "2027-03-01")
    assert Wave.objects.get().opens == Wave.objects.get().closes


@pytest.mark.parametrize(
    "code, name, opens, closes, message",
    [
        ("2027", "Spring 2027", "2027-04-30", "2027-03-01", r"closes \(2027-03-01\) before it opens \(2027-04-30\)"),
        ("2027", "Spring 2027", "01/03/2027", "2027-04-30", r"'01/03/2027' is not a date in the form YYYY-MM-DD"),
        ("2027", "Spring 2027", "2027-03-01", "2027-02-30", r"'2027-02-30' is not a date in the form YYYY-MM-DD"),
        ("2027", "Spring 2027", "2027-3-1", "2027-04-30", r"'2027-3-1' is not a date in the form YYYY-MM-DD"),
        # Python 3.11 reads these as dates too; the command promises YYYY-MM-DD only.
        ("2027", "Spring 2027", "20270301", "2027-04-30", r"'20270301' is not a date in the form YYYY-MM-DD"),
        ("2027", "Spring 2027", "2027-W09-1", "2027-04-30", r"'2027-W09-1' is not a date in the form YYYY-MM-DD"),
        ("2027", "Spring 2027", "2027-03-01", "9999-12-31", r"9999-12-31 is outside the years 2000 to 2999"),
        ("2027", "Spring 2027", "1999-12-31", "2027-04-30", r"1999-12-31 is outside the years 2000 to 2999"),
        ("spring 2027", "Spring 2027", "2027-03-01", "2027-04-30", r"code: Letters, digits, '-' and '_' only"),
        ("2027/spring", "Spring 2027", "2027-03-01", "2027-04-30", r"code: Letters, digits, '-' and '_' only"),
        ("-2027", "Spring 2027", "2027-03-01", "2027-04-30", r"code: Letters, digits, '-' and '_' only"),
        ("2027;DROP", "Spring 2027", "2027-03-01", "2027-04-30", r"code: Letters, digits, '-' and '_' only"),
        ("w" * 33, "Spring 2027", "2027-03-01", "2027-04-30", r"code: Ensure this value has at most 32 characters"),
        ("2027", "   ", "2027-03-01", "2027-04-30", r"name: This field cannot be blank"),
    ],
)
def test_add_wave_refuses_bad_arguments_clearly_and_stores_nothing(db, code, name, opens, closes, message):
    refused("add_wave", code, "--name", name, "--opens", opens, "--closes", closes, match=message)
    assert Wave.objects.count() == 0


def test_add_wave_refusing_an_update_leaves_the_wave_as_it_was(db):
    run("add_wave", "2027", "--name", "Spring 2027", "--opens", "2027-03-01", "--closes", "2027-04-30")
    before = list(Wave.objects.values_list("code", "name", "opens", "closes"))
    refused("add_wave", "2027", "--name", "Renamed", "--opens", "2027-05-01", "--closes", "2027-04-30", match="before it opens")
    refused("add_wave", "2027", "--name", "Renamed", "--opens", "2027-03-01", "--closes", "2027-4-30", match="YYYY-MM-DD")
    assert list(Wave.objects.values_list("code", "name", "opens", "closes")) == before


# --- set_denominator -----------------------------------------------------------------------


def test_set_denominator_sets_then_updates_one_number_keeping_the_other(chadwick):
    make_wave("2027", -10, 10)
    out = run("set_denominator", "2027", "cl", "--patients", "40", "--staff", "25")
    assert out.strip() == "CL in wave 2027: 40 patients, 25 staff."
    row = Denominator.objects.get()
    assert (row.wave.code, row.service.code, row.patients, row.staff) == ("2027", "CL", 40, 25)

    out = run("set_denominator", "2027", "CL", "--staff", "31")
    assert out.strip() == "CL in wave 2027: 40 patients, 31 staff."
    row.refresh_from_db()
    assert (row.patients, row.staff) == (40, 31)
    run("set_denominator", "2027", "CL", "--patients", "0")
    row.refresh_from_db()
    assert (row.patients, row.staff) == (0, 31)
    assert Denominator.objects.count() == 1


def test_set_denominator_starts_with_the_other_number_not_set(chadwick):
    make_wave("2027", -10, 10)
    assert run("set_denominator", "2027", "CL", "--patients", "12").startswith("CL in wave 2027: 12 patients,")
    assert Denominator.objects.get().staff is None


@pytest.mark.parametrize(
    "args, message",
    [
        (["NOPE", "CL", "--patients", "40"], r"No wave has code 'NOPE'; add it with add_wave first"),
        (["2027", "NOPE", "--patients", "40"], r"No service has code 'NOPE'; add it with add_service first"),
        (["2027", "CL"], r"Give --patients, --staff or both"),
        (["2027", "CL", "--patients", "-5"], r"'-5' is not a number of people \(0 to 100000\)"),
        (["2027", "CL", "--patients", "ten"], r"'ten' is not a number of people"),
        (["2027", "CL", "--patients", "4.5"], r"'4.5' is not a number of people"),
        (["2027", "CL", "--patients", "1e3"], r"'1e3' is not a number of people"),
        (["2027", "CL", "--patients", ""], r"'' is not a number of people"),
        (["2027", "CL", "--patients", "\u0664\u0660"], r"is not a number of people"),
        (["2027", "CL", "--patients", "40", "--staff", "99999999999999999999"], r"is not a number of people"),
        (["2027", "CL", "--patients", "40", "--staff", "100001"], r"The number of staff must be from 0 to 100000, not 100001"),
    ],
)
def test_set_denominator_refuses_bad_arguments_clearly_and_stores_nothing(chadwick, args, message):
    make_wave("2027", -10, 10)
    refused("set_denominator", *args, match=message)
    assert Denominator.objects.count() == 0


def test_set_denominator_refused_leaves_the_numbers_as_they_were(chadwick):
    make_wave("2027", -10, 10)
    run("set_denominator", "2027", "CL", "--patients", "40", "--staff", "25")
    refused("set_denominator", "2027", "CL", "--patients", "41", "--staff", "many", match="not a number")
    refused("set_denominator", "2027", "CL", "--patients", "100001", match="from 0 to 100000")
    assert list(Denominator.objects.values_list("patients", "staff")) == [(40, 25)]


# --- create_link ---------------------------------------------------------------------------


def test_create_link_with_wave_ties_the_link_to_that_wave(client, chadwick):
    make_wave("now", -10, 10)
    grace = make_wave("last", -60, -3, name="Last round")  # closed, but its links still take answers
    out = run("create_link", "CL", "patient", "--kiosk", "--wave", "last")
    assert f", wave last (until {day(-3 + GRACE):%Y-%m-%d}):" in out
    path = out.strip().splitlines()[-1]
    link = CollectionLink.objects.get()
    assert path == link.path
    assert link.wave == grace and link.kiosk
    assert client.get(path).status_code == 200


def test_create_link_defaults_to_the_wave_open_today(chadwick):
    make_wave("over", -90, -60)
    make_wave("grace", -40, -2)
    now = make_wave("now", -1, 30)
    make_wave("next", 31, 60)
    out = run("create_link", "CL", "staff")
    assert ", wave now (until" in out
    assert CollectionLink.objects.get().wave == now


def test_create_link_when_no_wave_is_open_today_has_no_wave(client, chadwick):
    make_wave("grace", -40, -2)  # closed two days ago: in its grace period, but not open
    make_wave("next", 1, 30)  # opens tomorrow
    out = run("create_link", "CL", "patient")
    assert ", no wave:" in out
    link = CollectionLink.objects.get()
    assert link.wave is None
    assert client.get(link.path).status_code == 200


@pytest.mark.parametrize(
    "wave, message",
    [
        ("nope", r"No wave has code 'nope'; add it with add_wave first"),
        ("over", r"Wave over closed on \d{4}-\d\d-\d\d: its links no longer take answers"),
    ],
)
def test_create_link_refuses_an_unknown_wave_or_one_already_over(chadwick, wave, message):
    make_wave("over", -60, -GRACE - 1)  # its last day of grace was yesterday
    make_wave("now", -10, 10)
    refused("create_link", "CL", "patient", "--wave", wave, match=message)
    assert CollectionLink.objects.count() == 0


# --- the page and the API at the end of a wave -----------------------------------------------


def test_page_and_api_still_take_answers_on_the_last_day_of_grace(client, api, chadwick):
    wave = make_wave("2026", -60, -GRACE)
    link = link_create(service=chadwick, group="patient", kiosk=True, wave=wave)
    page = client.get(link.path)
    assert page.status_code == 200
    assert "Tell us what you think about peer support" in page.content.decode()
    reply = api.submit(link, api_body())
    assert reply.status_code == 201
    assert Response.objects.get(pk=reply.json()["id"]).wave == wave


def test_page_and_api_answer_410_the_day_after_grace_and_store_nothing(client, api, chadwick):
    wave = make_wave("2026", -60, -10, name="Autumn 2026")
    kiosk = link_create(service=chadwick, group="patient", kiosk=True, wave=wave)
    web = link_create(service=chadwick, group="staff", wave=wave)
    # The round ends (close plus grace now before today), as time would end it.
    Wave.objects.filter(pk=wave.pk).update(closes=day(-GRACE - 1))
    closes = day(-GRACE - 1)

    for link in (kiosk, web):
        page = client.get(link.path)
        assert page.status_code == 410
        html = page.content.decode()
        assert "This survey has closed" in html
        assert f"Autumn 2026 finished on {closes.day} {closes:%B %Y}." in html
        assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
        assert client.get(link.path + "thanks/").status_code == 410

    payload = api_body({"useful": "yes", "useful_why": "someone who has been there"})
    reply = api.submit(kiosk, payload)
    assert reply.status_code == 410
    assert reply.json() == {
        "errors": {"token": [f"This survey round (Autumn 2026) closed on {closes:%Y-%m-%d}; it takes no more answers."]}
    }
    # The one-page form, posted as a browser would: refused the same way.
    form = client.post(web.path, {"client_id": payload["client_id"], "useful": "yes", "job_title": "Staff nurse"})
    assert form.status_code == 410
    assert Response.objects.count() == 0 and Release.objects.count() == 0
    # A replay of the same submission later is refused again, not stored.
    assert api.submit(kiosk, payload).status_code == 410
    assert Response.objects.count() == 0


def test_an_answer_stored_in_time_and_sent_again_after_the_close_is_still_a_replay(api, chadwick):
    """A tablet whose reply was lost retries after the grace period: the answer was
    stored, so it hears 200 (and keeps its count right), not 410 "deleted"."""
    wave = make_wave("2026", -60, -10)
    kiosk = link_create(service=chadwick, group="patient", kiosk=True, wave=wave)
    payload = api_body({"useful": "yes"})
    stored = api.submit(kiosk, payload)
    assert stored.status_code == 201
    Wave.objects.filter(pk=wave.pk).update(closes=day(-GRACE - 1))
    again = api.submit(kiosk, payload)
    assert (again.status_code, again.json()) == (200, {"id": stored.json()["id"], "duplicate": True})
    # The same id with other answers, or a new one, is refused as closed; nothing new is stored.
    assert api.submit(kiosk, {**payload, "answers": {"useful": "no"}}).status_code == 410
    assert api.submit(kiosk, api_body({"useful": "no"})).status_code == 410
    assert api.submit(kiosk, "not even json").status_code == 410
    assert Response.objects.count() == 1


def test_the_grace_period_is_the_setting(client, api, chadwick, settings):
    settings.PEERSURVEY_WAVE_GRACE_DAYS = 0
    wave = make_wave("2026", -30, 0)
    link = link_create(service=chadwick, group="patient", wave=wave)
    assert api.submit(link, api_body()).status_code == 201  # closes today: still open
    Wave.objects.filter(pk=wave.pk).update(closes=day(-1))
    assert client.get(link.path).status_code == 410
    assert api.submit(link, api_body()).status_code == 410
    assert Response.objects.count() == 1


def test_the_closed_tablet_page_lets_its_outbox_clear_and_a_web_page_does_not_need_it(client, chadwick):
    wave = make_wave("2026", -60, -10)
    kiosk = link_create(service=chadwick, group="patient", kiosk=True, wave=wave)
    web = link_create(service=chadwick, group="patient", wave=wave)
    Wave.objects.filter(pk=wave.pk).update(closes=day(-GRACE - 1))
    tablet = client.get(kiosk.path).content.decode()
    assert 'data-role="queue"' in tablet and "js/kiosk-queue.js" in tablet
    # No form and no service worker to answer into once the round is over.
    assert "<form" not in tablet and "data-sw" not in tablet
    assert "js/kiosk-queue.js" not in client.get(web.path).content.decode()


def test_a_link_outside_any_wave_never_closes(client, api, chadwick):
    link = link_create(service=chadwick, group="patient", wave=None)
    make_wave("over", -90, -60)
    assert client.get(link.path).status_code == 200
    reply = api.submit(link, api_body())
    assert reply.status_code == 201
    assert Response.objects.get().wave is None


# --- which wave a response belongs to -----------------------------------------------------


def test_a_response_belongs_to_its_links_wave_even_when_another_is_open_that_day(api, chadwick):
    last = make_wave("last", -60, -5)
    now = make_wave("now", -4, 30)
    old_tablet = link_create(service=chadwick, group="patient", kiosk=True, wave=last)
    new_tablet = link_create(service=chadwick, group="patient", kiosk=True)
    assert new_tablet.wave == now
    reply = api.submit(old_tablet, api_body())
    assert reply.status_code == 201
    assert Response.objects.get(pk=reply.json()["id"]).wave == last
    assert api.submit(new_tablet, api_body()).status_code == 201
    assert sorted(Response.objects.values_list("link__wave__code", "wave__code")) == [("last", "last"), ("now", "now")]


def test_a_link_without_a_wave_gives_its_answers_the_wave_open_that_day(chadwick):
    link = link_create(service=chadwick, group="patient", wave=None)
    now = make_wave("now", -10, 10)
    assert submit(link, {"useful": "yes"}).wave == now
    assert submit(link, {"useful": "yes"}, on=day(-11)).wave is None


def test_paper_gets_the_wave_open_on_the_day_it_was_filled_in(chadwick):
    spring = make_wave("spring", -100, -61)
    autumn = make_wave("autumn", -60, -5)
    header = "service,questionnaire,version,channel,submitted_on,number,useful.yes"
    rows = [f"CL,patient,2,paper,{day(offset):%Y-%m-%d},,1" for offset in (-100, -61, -60, -5, -4, -200)]
    stored = responses_import("\r\n".join([header, *rows]) + "\r\n")
    assert [(r.channel, r.link, r.wave) for r in stored] == [
        ("paper", None, spring),
        ("paper", None, spring),
        ("paper", None, autumn),
        ("paper", None, autumn),
        ("paper", None, None),  # after autumn closed: its grace is for tablets, not for paper
        ("paper", None, None),
    ]


def test_overlapping_waves_give_paper_the_one_opened_last(chadwick):
    make_wave("long", -100, 10)
    short = make_wave("short", -20, -10)
    header = "service,questionnaire,version,channel,submitted_on,number,useful.yes"
    (response,) = responses_import(f"{header}\r\nCL,patient,2,paper,{day(-15):%Y-%m-%d},,1\r\n")
    assert response.wave == short


# --- batches, pools and slices per wave --------------------------------------------------------


def test_batches_never_mix_waves(chadwick):
    last = make_wave("last", -60, -5)
    now = make_wave("now", -4, 30)
    old_tablet = link_create(service=chadwick, group="patient", kiosk=True, wave=last)
    new_tablet = link_create(service=chadwick, group="patient", kiosk=True, wave=now)
    for _ in range(4):
        submit(old_tablet, {"useful": "yes"})
    submit(new_tablet, {"useful": "no"})
    # Five waiting at the service for the same questionnaire, but four and one by wave.
    assert Release.objects.filter(among=EVERYONE).count() == 5
    assert released() == 0 and Tally.objects.count() == 0
    submit(old_tablet, {"useful": "sometimes"})
    assert released(among=EVERYONE, wave=last) == 5
    assert released(among=EVERYONE, wave=now) == 0
    assert tallied(last) == 5 and tallied(now) == 0
    assert set(Tally.objects.values_list("wave", flat=True)) == {last.pk}
    assert tallies_differences() == []


def test_answers_outside_any_wave_are_batches_of_their_own(chadwick):
    now = make_wave("now", -10, 10)
    in_wave = link_create(service=chadwick, group="patient", wave=now)
    no_wave = link_create(service=chadwick, group="patient", wave=None)
    for _ in range(4):
        submit(no_wave, {"useful": "yes"}, on=day(-30))
    submit(in_wave, {"useful": "yes"})
    assert released() == 0
    submit(no_wave, {"useful": "yes"}, on=day(-20))
    assert released(among=EVERYONE, wave=None) == 5 and tallied(0) == 5 and tallied(now) == 0
    assert tallies_differences() == []


def test_close_round_with_a_wave_pools_only_that_wave(chadwick, morpeth):
    last = make_wave("last", -60, -5)
    now = make_wave("now", -4, 30)
    links = {
        (service.code, wave.code): link_create(service=service, group="patient", wave=wave)
        for service in (chadwick, morpeth)
        for wave in (last, now)
    }
    for (code, wave_code), count in {("CL", "last"): 3, ("M", "last"): 2, ("CL", "now"): 2, ("M", "now"): 2}.items():
        for _ in range(count):
            submit(links[code, wave_code], {"useful": "yes"})
    # Together the two waves hold nine leftovers, but neither holds five: nothing pools.
    out = run("close_round", "--wave", "now")
    assert out.startswith("Pooled 0 answers into the national figures; 4 still wait")
    assert released() == 0

    out = run("close_round", "--wave", "last")
    assert out.startswith("Pooled 5 answers into the national figures; 0 still wait")
    assert released(among=EVERYONE, wave=last, pooled=True) == 5
    assert Release.objects.filter(among=EVERYONE, wave=now, released_on__isnull=True, pooled=False).count() == 4
    assert tallied(last, period=Period.POOLED) == 5 and tallied(now, period=Period.POOLED) == 0
    assert tallies_differences() == []

    # The last wave is pooled once only; the open one keeps waiting.
    out = run("close_round")
    assert out.startswith("Pooled 0 answers into the national figures; 4 still wait")
    assert tallied(last, period=Period.POOLED) == 5
    assert tallies_differences() == []


def test_close_round_refuses_an_unknown_wave_and_pools_nothing(chadwick, morpeth):
    now = make_wave("now", -10, 10)
    for service in (chadwick, morpeth):
        link = link_create(service=service, group="patient", wave=now)
        for _ in range(3):
            submit(link, {"useful": "yes"})
    refused("close_round", "--wave", "nope", match=r"No wave has code 'nope'")
    assert released() == 0


def time_in_secure(code):
    return Option.objects.get(
        question__code="time_in_secure", question__questionnaire__code="patient", code=code, question__questionnaire__version=2
    )


def test_released_answers_join_time_in_secure_slices_added_later_once(chadwick, morpeth):
    """time_in_secure became an about-you filter after answers were released: the
    slices it now has are filled from what was released, by wave, and only once."""
    wave = make_wave("last", -60, -5)
    third, _ = service_upsert(code="T", name="Third", security="high")
    links = {s.code: link_create(service=s, group="patient", wave=wave) for s in (chadwick, morpeth, third)}
    for _ in range(6):
        submit(links["CL"], {"useful": "yes", "time_in_secure": "10y_plus"})
    for _ in range(4):
        submit(links["CL"], {"useful": "no", "time_in_secure": "lt_1y"})
    for code, count in (("M", 3), ("T", 2)):  # leftovers: pooled nationally when the round closes
        for _ in range(count):
            submit(links[code], {"useful": "yes", "time_in_secure": "10y_plus"})
    run("close_round", "--wave", "last")
    long_stay, short_stay = time_in_secure("10y_plus"), time_in_secure("lt_1y")
    slices = {long_stay.pk, short_stay.pk}
    # Live, the first five long stays were a slice batch; the sixth waited for four more.
    assert released(among=long_stay.pk, pooled=False) == 5 and released(among=long_stay.pk, pooled=True) == 5

    # As things stood before time_in_secure was a filter: no slice rows, no slice tallies.
    Release.objects.filter(among__in=slices).delete()
    tallies_rebuild()
    assert not Tally.objects.filter(among__in=slices).exists()
    assert tallies_differences() == []

    assert releases_queue_missing_slices() == 6 + 4 + 5
    # CL's ten released answers: six long stays released together, four short stays wait.
    assert released(among=long_stay.pk, pooled=False, service=chadwick) == 6
    assert Release.objects.filter(among=short_stay.pk, released_on__isnull=True, pooled=False).count() == 4
    assert tallied(wave, among=long_stay.pk) == 6 and tallied(wave, among=short_stay.pk) == 0
    # The pooled five are a slice of the pool, never of their services.
    assert released(among=long_stay.pk, pooled=True) == 5
    assert tallied(wave, period=Period.POOLED, among=long_stay.pk) == 5
    assert set(Release.objects.filter(among__in=slices).values_list("wave", flat=True)) == {wave.pk}
    assert tallies_differences() == []

    before = (
        sorted(Release.objects.values_list("response_id", "among", "released_on", "pooled")),
        sorted(Tally.objects.values_list("service_id", "period", "start", "among", "wave", "kind", "ref", "n", "k")),
    )
    assert releases_queue_missing_slices() == 0
    after = (
        sorted(Release.objects.values_list("response_id", "among", "released_on", "pooled")),
        sorted(Tally.objects.values_list("service_id", "period", "start", "among", "wave", "kind", "ref", "n", "k")),
    )
    assert after == before


def test_queue_missing_slices_leaves_unreleased_answers_to_their_batch(chadwick):
    link = link_create(service=chadwick, group="patient", wave=make_wave("now", -10, 10))
    for _ in range(4):
        submit(link, {"useful": "yes", "time_in_secure": "10y_plus"})
    assert releases_queue_missing_slices() == 0
    assert not Release.objects.exclude(among=EVERYONE).exists()
    submit(link, {"useful": "yes", "time_in_secure": "10y_plus"})
    assert released(among=time_in_secure("10y_plus").pk) == 5
    assert releases_queue_missing_slices() == 0
    assert tallies_differences() == []
