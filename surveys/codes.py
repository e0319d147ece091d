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

# A free-text answer that describes the person, not a view: used only inside a
# staff quote's attribution, never shown as a quote.
JOB_TITLE = "job_title"
