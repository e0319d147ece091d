"""The code lists other programs depend on: each defined here once.

Groups, question kinds, channels, security levels and specialisms are public
codes (the API, data.json, the exports and the questionnaire files use them),
so every module names them through these classes, never as string literals.
Plain Django choices: no database is needed to import them.
"""

from django.db import models


class Group(models.TextChoices):
    """Who answers: each group has its own questionnaire, and the dashboard compares the two."""

    PATIENT = "patient", "Patient survey"
    STAFF = "staff", "Staff survey"


GROUPS: tuple[str, ...] = tuple(Group.values)


class Kind(models.TextChoices):
    ONE = "one", "Pick one"
    MANY = "many", "Pick any"
    TEXT = "text", "Free text"


CHOICE_KINDS: tuple[str, ...] = (Kind.ONE, Kind.MANY)


class Channel(models.TextChoices):
    TABLET = "tablet", "Ward tablet"
    WEB = "web", "Web link"
    PAPER = "paper", "Paper"


class Security(models.TextChoices):
    HIGH = "high", "High secure"
    MEDIUM = "medium", "Medium secure"
    ENHANCED_MEDIUM = "enhanced_medium", "Enhanced medium secure"
    LOW = "low", "Low secure"
    REHABILITATION = "rehabilitation", "Rehabilitation"
    COMMUNITY = "community", "Community"


class Specialism(models.TextChoices):
    BRAIN_INJURY = "brain_injury", "Brain injury"
    ADOLESCENT = "adolescent", "Adolescent"
    DEAF = "deaf", "Deaf"
    AUTISM = "autism", "Autism"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    PERSONALITY_DISORDER = "personality_disorder", "Personality disorder"
    WOMEN = "women", "Women"
    OLDER_ADULTS = "older_adults", "Older adults"


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
        "white_british": ("White British (English, Welsh, Scottish)", ("white_english", "white_welsh", "white_scottish"), False),
        "not_white_british": (
            "Any other ethnicity",
            ("white_english", "white_welsh", "white_scottish", "prefer_not"),
            True,
        ),
    },
    "time_in_secure": {
        "secure_under_5y": ("Under 5 years in secure services", ("lt_1y", "1_4y"), False),
        "secure_5y_plus": ("5 years or more in secure services", ("5_9y", "10y_plus"), False),
    },
    "time_in_service": {
        "service_under_5y": ("Under 5 years in this service", ("lt_1y", "1_4y"), False),
        "service_5y_plus": ("5 years or more in this service", ("5_9y", "10y_plus"), False),
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
