"""Paper for version 2: the CSV import (surveys/imports.py) and the dashboard's paper entry
(dashboard/views/paper.py) take the per-option boxes, the exclusive `none` / `no_one`
answers and `under_16`, store them as written (paper has no branching) and refuse an
exclusive answer ticked with another, storing nothing from the file."""

import csv
import io
import re

import pytest

from surveys.csv_format import IMPORT_COLUMNS, defuse
from surveys.definitions import QUESTIONNAIRE_DIR, load_file
from surveys.imports import ImportInvalid, responses_import
from surveys.models import Response
from tests.factories import chosen, texts

DEFINITIONS = {
    (d.code, d.version): d
    for d in (load_file(QUESTIONNAIRE_DIR / f"{n}.toml") for n in ("patient.v1", "patient.v2", "staff.v1", "staff.v2"))
}


def header(*keys):
    """The importer's layout for these questionnaire versions: the import columns, every
    option as `question.option`, then every free-text question; each once, in file order."""
    options, text = [], []
    for key in keys:
        for question in DEFINITIONS[key].questions:
            if question.is_choice:
                options += [f"{question.code}.{code}" for code in question.option_codes]
            else:
                text.append(question.code)
    return [*IMPORT_COLUMNS, *dict.fromkeys(options), *dict.fromkeys(text)]


def paper_csv(columns, rows):
    """A file in the importer's layout, cells defused as a spreadsheet export would be."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        assert set(row) <= set(columns), set(row) - set(columns)
        writer.writerow([defuse(row.get(column, "")) for column in columns])
    return out.getvalue().encode()


def line(service, group, version, day, choices, text=None, **base):
    """One paper questionnaire: `choices` as {question: [options]}, marked 1."""
    row = {"service": service, "questionnaire": group, "version": str(version), "submitted_on": day, **base}
    for question, options in choices.items():
        for option in options:
            row[f"{question}.{option}"] = "1"
    row.update(text or {})
    return row


PATIENT_CHOICES = {
    "useful": ["yes"],
    "current_forms": ["emotional", "information"],
    "user_led": ["yes"],
    "user_led_forms": ["groups", "friendships"],
    "restrictions": ["not_sure"],
    "more_user_led": ["not_sure"],
    "benefits": ["none"],
    "when_useful": ["crisis", "bad_day"],
    "barriers": ["none"],
    "fears": ["none"],
    "age_band": ["under_16"],
    "helped_by": ["no_one"],
}
PATIENT_TEXT = {
    "current_forms_emotional_detail": "Sitting with me when I was upset",
    "current_forms_information_detail": "=Showing the new guy the ropes",  # defused in the file, stored as written
    # Written beside an option that is not ticked: kept as written.
    "current_forms_practical_detail": "Tea in the mornings",
    "user_led_forms_groups_detail": "Community meeting, patients chair it",
    "user_led_forms_friendships_detail": "Line one\nline two",
    "user_led_other": "We pick the film",
    "when_useful_crisis_detail": "They know what it is like",
    "when_useful_bad_day_detail": "café – ‘quoted’",
    "restrictions_detail": "Not sure what the rules are",
}
STAFF_CHOICES = {
    "useful": ["sometimes"],
    "user_led": ["not_sure"],
    "benefits": ["insight", "reduces_workload"],
    "when_useful": ["admission"],
    "fears": ["confidentiality"],
    "age_band": ["40_44"],
}
STAFF_TEXT = {
    "job_title": "Staff nurse",
    "when_useful_admission_detail": "Buddying on the first day",
    "when_useful_discharge_detail": "Peer mentors after leaving",  # discharge is not ticked
    "user_led_other": "Patients run the shop",
}


def test_version_2_paper_round_trips(chadwick, morpeth):
    columns = header(("patient", 2), ("staff", 2))
    data = paper_csv(
        columns,
        [
            line("CL", "patient", 2, "2026-10-01", PATIENT_CHOICES, PATIENT_TEXT),
            line("M", "staff", 2, "2026-10-02", STAFF_CHOICES, STAFF_TEXT, number="12", channel="paper"),
        ],
    )
    patient, staff = responses_import(data)

    assert (patient.service.code, patient.questionnaire.code, patient.questionnaire.version, patient.channel) == (
        "CL",
        "patient",
        2,
        "paper",
    )
    assert chosen(patient) == PATIENT_CHOICES
    assert texts(patient) == PATIENT_TEXT
    assert (staff.service.code, staff.questionnaire.version, staff.number) == ("M", 2, 12)
    assert chosen(staff) == STAFF_CHOICES
    assert texts(staff) == STAFF_TEXT


@pytest.mark.parametrize(
    "bad,field,message",
    [
        ({"benefits": ["none", "choice"]}, "benefits", "'none' is chosen alone: it cannot go with choice."),
        ({"helped_by": ["no_one", "staff"]}, "helped_by", "'no_one' is chosen alone: it cannot go with staff."),
        (
            {"fears": ["trust", "none", "boundaries"]},
            "fears",
            "'none' is chosen alone: it cannot go with trust, boundaries.",
        ),
    ],
)
def test_an_exclusive_answer_ticked_with_another_refuses_the_file(chadwick, bad, field, message):
    columns = header(("patient", 2))
    data = paper_csv(
        columns,
        [
            line("CL", "patient", 2, "2026-10-01", PATIENT_CHOICES, PATIENT_TEXT),
            line("CL", "patient", 2, "2026-10-01", {"useful": ["no"], **bad}),
            line("CL", "patient", 2, "2026-10-01", {"useful": ["sometimes"]}),
        ],
    )
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(data)
    assert [str(error) for error in invalid.value.errors] == [f"line 3: {field}: {message}"]
    assert Response.objects.count() == 0
    chadwick.refresh_from_db()
    assert chadwick.last_number == 0


def test_a_version_1_line_and_a_version_2_line_both_import(chadwick):
    columns = header(("patient", 1), ("staff", 1), ("patient", 2), ("staff", 2))
    v1_staff = {"useful": ["yes"], "current_forms": ["practical"], "user_led": ["yes"], "benefits": ["choice"]}
    v1_staff_text = {
        "current_forms_detail": "Making tea",
        "user_led_detail": "Ward meetings",
        "when_useful_detail": "On admission",
    }
    v1_patient = {"useful": ["no"], "benefits": ["insight"], "age_band": ["16_24"]}
    data = paper_csv(
        columns,
        [
            line("CL", "staff", 1, "2014-06-30", v1_staff, v1_staff_text),
            line("CL", "patient", 1, "2014-06-30", v1_patient, {"useful_why": "Old form"}),
            line("CL", "patient", 2, "2026-10-01", PATIENT_CHOICES, PATIENT_TEXT),
            line("CL", "staff", 2, "2026-10-01", STAFF_CHOICES, STAFF_TEXT),
        ],
    )
    stored = responses_import(data)
    assert [(r.questionnaire.code, r.questionnaire.version, r.number) for r in stored] == [
        ("staff", 1, 1),
        ("patient", 1, 2),
        ("patient", 2, 3),
        ("staff", 2, 4),
    ]
    assert chosen(stored[0]) == v1_staff and texts(stored[0]) == v1_staff_text
    assert chosen(stored[1]) == v1_patient and texts(stored[1]) == {"useful_why": "Old form"}
    assert chosen(stored[2]) == PATIENT_CHOICES and texts(stored[2]) == PATIENT_TEXT
    assert chosen(stored[3]) == STAFF_CHOICES and texts(stored[3]) == STAFF_TEXT


@pytest.mark.parametrize(
    "choices,text,field",
    [
        ({"benefits": ["none"]}, {}, "benefits"),
        ({"user_led": ["not_sure"]}, {}, "user_led"),
        ({"age_band": ["under_16"]}, {}, "age_band"),
        ({"helped_by": ["no_one"]}, {}, "helped_by"),
        ({"current_forms": ["emotional"]}, {"current_forms_emotional_detail": "Hugs"}, "current_forms_emotional_detail"),
    ],
)
def test_version_2_answers_on_a_version_1_line_are_refused_with_its_line(chadwick, choices, text, field):
    columns = header(("patient", 1), ("patient", 2))
    data = paper_csv(
        columns,
        [
            line("CL", "patient", 2, "2026-10-01", choices, text),  # fine on version 2
            line("CL", "patient", 1, "2014-06-30", {"useful": ["yes"], **choices}, text),
        ],
    )
    with pytest.raises(ImportInvalid) as invalid:
        responses_import(data)
    assert [(error.line, error.field) for error in invalid.value.errors] == [(3, field)]
    assert Response.objects.count() == 0


# --- the dashboard's paper entry -------------------------------------------------------------

PER_OPTION_BOXES = [
    *(f"current_forms_{o}_detail" for o in ("emotional", "practical", "speaking_out", "information", "wellbeing")),
    *(f"user_led_forms_{o}_detail" for o in ("groups", "influence", "friendships")),
    *(f"when_useful_{o}_detail" for o in ("admission", "moving_wards", "discharge", "crisis", "good_day", "bad_day")),
]


@pytest.mark.parametrize("group", ["patient", "staff"])
def test_paper_entry_shows_every_box_whatever_is_ticked(national_client, chadwick, group):
    page = national_client.get(f"/dashboard/paper/CL/{group}/")
    assert page.status_code == 200
    assert page.context["definition"].version == 2
    html = page.content.decode()
    for code in [*PER_OPTION_BOXES, "user_led_other", "restrictions_detail", "service_support_detail"]:
        box = re.search(rf"<(textarea|input)\b[^>]*\bname=\"{code}\"[^>]*>", html)
        assert box, code
        assert " hidden" not in box.group(0) and "disabled" not in box.group(0), code
    # Nothing is hidden on the server: the boxes beside options are all there to type into.
    for wrapper in re.findall(r"<div class=\"option-follow-up\"[^>]*>", html):
        assert "hidden" not in wrapper, wrapper
    assert len(re.findall(r"<div class=\"option-follow-up\"", html)) == len(PER_OPTION_BOXES)
    # The new options can be ticked.
    for question, option in [("benefits", "none"), ("user_led", "not_sure"), ("barriers", "none")]:
        assert re.search(rf"name=\"{question}\" value=\"{option}\"", html), (question, option)
    assert bool(re.search(r"name=\"helped_by\" value=\"no_one\"", html)) == (group == "patient")
    assert bool(re.search(r"name=\"age_band\" value=\"under_16\"", html)) == (group == "patient")


def test_paper_entry_stores_a_per_option_box_as_written(national_client, chadwick):
    page = national_client.get("/dashboard/paper/CL/patient/")
    reply = national_client.post(
        "/dashboard/paper/CL/patient/",
        {
            "paper_date": "2026-10-01",
            "client_id": page.context["form"]["client_id"].value(),
            "current_forms": ["emotional"],
            "current_forms_emotional_detail": "Listening",
            "current_forms_practical_detail": "Tea",  # written beside an option not ticked
            "user_led": "no",
            "user_led_forms_groups_detail": "Music group",
            "benefits": ["none"],
            "helped_by": ["no_one"],
            "age_band": "under_16",
        },
    )
    assert reply.status_code == 302
    response = Response.objects.get()
    assert (response.channel, response.questionnaire.version, response.link) == ("paper", 2, None)
    assert chosen(response) == {
        "current_forms": ["emotional"],
        "user_led": ["no"],
        "benefits": ["none"],
        "age_band": ["under_16"],
        "helped_by": ["no_one"],
    }
    assert texts(response) == {
        "current_forms_emotional_detail": "Listening",
        "current_forms_practical_detail": "Tea",
        "user_led_forms_groups_detail": "Music group",
    }


def test_paper_entry_refuses_an_exclusive_answer_with_another(national_client, chadwick):
    reply = national_client.post(
        "/dashboard/paper/CL/staff/",
        {"paper_date": "2026-10-01", "benefits": ["none", "insight"], "current_forms_emotional_detail": "Kept on the page"},
    )
    assert reply.status_code == 200
    html = reply.content.decode()
    assert 'id="benefits-error">&#x27;none&#x27; is chosen alone: it cannot go with insight.' in html  # beside the question
    assert "Kept on the page" in html  # what was typed is not lost
    assert Response.objects.count() == 0
