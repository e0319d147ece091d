"""The code lists other programs depend on: each defined here once.

Groups, question kinds, channels, security levels and specialisms are public
codes (the API, data.json, the exports and the questionnaire files use them),
so every module names them through these classes, never as string literals.
Plain Django choices: no database is needed to import them. The codes never change
with the language; the labels are marked for translation and shown in the reader's
language (English in data.json and the exports, which are language-neutral).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Group(models.TextChoices):
    """Who answers: each group has its own questionnaire, and the dashboard compares the two."""

    PATIENT = "patient", _("Patient survey")
    STAFF = "staff", _("Staff survey")


GROUPS: tuple[str, ...] = tuple(Group.values)


class Kind(models.TextChoices):
    ONE = "one", _("Pick one")
    MANY = "many", _("Pick any")
    TEXT = "text", _("Free text")


CHOICE_KINDS: tuple[str, ...] = (Kind.ONE, Kind.MANY)


class Channel(models.TextChoices):
    TABLET = "tablet", _("Ward tablet")
    WEB = "web", _("Web link")
    PAPER = "paper", _("Paper")


class Security(models.TextChoices):
    HIGH = "high", _("High secure")
    MEDIUM = "medium", _("Medium secure")
    ENHANCED_MEDIUM = "enhanced_medium", _("Enhanced medium secure")
    LOW = "low", _("Low secure")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    COMMUNITY = "community", _("Community")


class Specialism(models.TextChoices):
    BRAIN_INJURY = "brain_injury", _("Brain injury")
    ADOLESCENT = "adolescent", _("Adolescent")
    DEAF = "deaf", _("Deaf")
    AUTISM = "autism", _("Autism")
    LEARNING_DISABILITY = "learning_disability", _("Learning disability")
    PERSONALITY_DISORDER = "personality_disorder", _("Personality disorder")
    WOMEN = "women", _("Women")
    OLDER_ADULTS = "older_adults", _("Older adults")


# The about-you questions the dashboard filters by (data.json's query
# parameters). The tallies keep a slice for each of their options, so the
# filters and the slices are this one list.
ABOUT_FILTERS: tuple[str, ...] = ("gender", "age_band", "ethnicity", "time_in_service", "time_in_secure")

# Grouped about-you answers a lead may filter by as one (the report's research
# questions: does ethnicity, or time in secure services, make a difference?),
# where single answers are often too few to show: name -> (label, codes, every_but).
# With `every_but`, the group is every answer of the question except those codes.
# Names never equal an option code.
ABOUT_GROUPS: dict[str, dict[str, tuple[str, tuple[str, ...], bool]]] = {
    "ethnicity": {
        "white_british": (
            gettext_noop("White British (English, Welsh, Scottish)"),
            ("white_english", "white_welsh", "white_scottish"),
            False,
        ),
        "not_white_british": (
            gettext_noop("Any other ethnicity"),
            ("white_english", "white_welsh", "white_scottish", "prefer_not"),
            True,
        ),
    },
    "time_in_secure": {
        "secure_under_5y": (gettext_noop("Under 5 years in secure services"), ("lt_1y", "1_4y"), False),
        "secure_5y_plus": (gettext_noop("5 years or more in secure services"), ("5_9y", "10y_plus"), False),
    },
    "time_in_service": {
        "service_under_5y": (gettext_noop("Under 5 years in this service"), ("lt_1y", "1_4y"), False),
        "service_5y_plus": (gettext_noop("5 years or more in this service"), ("5_9y", "10y_plus"), False),
    },
}


def slice_codes(question: str, value: str, options: tuple[str, ...]) -> tuple[str, ...]:
    """The option codes an about-you filter value stands for: itself, or a group's.

    >>> slice_codes("ethnicity", "white_british", ())
    ('white_english', 'white_welsh', 'white_scottish')
    >>> slice_codes("ethnicity", "not_white_british", ("white_english", "black_african", "prefer_not", "other"))
    ('black_african', 'other')
    >>> slice_codes("gender", "female", ("male", "female"))
    ('female',)
    """
    group = ABOUT_GROUPS.get(question, {}).get(value)
    if group is None:
        return (value,)
    _, codes, every_but = group
    return tuple(code for code in options if code not in codes) if every_but else codes


# A free-text answer that describes the person, not a view: used only inside a
# staff quote's attribution, never shown as a quote.
JOB_TITLE = "job_title"
