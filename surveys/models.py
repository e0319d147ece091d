"""The collection side's tables.

Rules live in database constraints: uniqueness of codes, of a
client's submission per link, of the running number per service. Nothing here
can hold an address, a user agent, an account or a time of day: a response
keeps its date only.
"""

import secrets
import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop

from .codes import Channel, Group, Kind, Security, Specialism


class Questionnaire(models.Model):
    code = models.CharField(max_length=16, choices=Group.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    easy_title = models.CharField(max_length=300, blank=True)
    intro = models.TextField()
    easy_intro = models.TextField(blank=True)
    thanks = models.TextField()
    sections = models.JSONField(default=list, help_text="[{code, title, easy_title}] in form order")

    class Meta:
        ordering = ["code", "version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="questionnaire_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    section = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    text = models.TextField()
    easy_text = models.TextField(blank=True)
    hint = models.TextField(blank=True)
    quote = models.TextField(blank=True)
    quote_source = models.CharField(max_length=200, blank=True)
    chart_title = models.CharField(max_length=300, blank=True)
    parent_code = models.CharField(max_length=64, blank=True)
    max_length = models.PositiveIntegerField(default=2000)
    # Branching (surveys/definitions.py, QuestionDef.applies): shown only when
    # this earlier question was answered with one of these options.
    show_if_question = models.CharField(max_length=64, blank=True)
    show_if_options = models.JSONField(default=list, blank=True)
    # Sign language (QuestionDef.bsl): a video's path under static/, and its
    # WebVTT captions' paths by language ({"en": ..., "cy": ...}).
    bsl = models.CharField("BSL video", max_length=200, blank=True)
    bsl_captions = models.JSONField("BSL captions", default=dict, blank=True)

    class Meta:
        ordering = ["questionnaire", "position"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_unique"),
            models.UniqueConstraint(fields=["questionnaire", "position"], name="question_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire}: {self.code}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    label = models.CharField(max_length=300)
    easy_label = models.CharField(max_length=300, blank=True)
    icon = models.CharField(max_length=64, blank=True)
    example = models.CharField(max_length=300, blank=True)
    exclusive = models.BooleanField(default=False, help_text="Chosen alone or not at all ('none').")

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="option_code_unique"),
            models.UniqueConstraint(fields=["question", "position"], name="option_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}={self.code}"


class Translation(models.Model):
    """One questionnaire text in another language, loaded from
    `questionnaires/<language>/<code>.v<version>.toml` (surveys/translations.py).

    The files are the record: a Welsh speaker signs a text off there, so rows
    change only when the files are loaded. `source` is the English the text
    translates; it is served only while that is still the questionnaire's English.
    """

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    key = models.CharField(max_length=200, help_text="The text's place, e.g. questions.useful.options.yes.easy_label.")
    source = models.TextField("English", help_text="The English it translates.")
    text = models.TextField()
    reviewed = models.BooleanField(default=False, help_text="Checked by a speaker of the language.")
    reviewed_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["questionnaire", "language", "key"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "language", "key"], name="translation_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} [{self.language}] {self.key}"


# Shown at the end when a service has not written its own: someone on the ward,
# an advocate, and a free line that answers day and night.
# Marked for translation, translated where shown (templates/surveys/_what_next.html).
GENERAL_SUPPORT = (
    gettext_noop("Talk to a member of staff you trust."),
    gettext_noop("Talk to your advocate."),
    gettext_noop("Call Samaritans free, day or night: 116 123."),
)


class Service(models.Model):
    code = models.CharField(
        max_length=12,
        unique=True,
        help_text="The report's attribution initials, e.g. CC, SAN, JH.",
    )
    name = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    security = models.CharField(max_length=20, choices=Security.choices)
    support = models.TextField(
        blank=True,
        help_text=(
            "Where a patient or member of staff can get support if the questions upset them, "
            "shown at the end of the survey (one line each). Empty: the general advice."
        ),
    )
    # Running count of responses, so each response gets the next number for
    # report-style attribution ("CL8") in one UPDATE ... RETURNING.
    last_number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(security__in=Security.values), name="service_security_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    @property
    def specialism_codes(self) -> list[str]:
        return [row.specialism for row in self.specialisms.all()]

    @property
    def support_lines(self) -> list[str]:
        r"""Where to get support if the questions upset someone, shown at the end of
        every form: the service's own lines, else the general advice.

        >>> Service(support="Ask for Sam, the peer worker.\n\n").support_lines
        ['Ask for Sam, the peer worker.']
        >>> Service().support_lines[-1]
        'Call Samaritans free, day or night: 116 123.'
        """
        own = [line.strip() for line in self.support.splitlines() if line.strip()]
        return own or list(GENERAL_SUPPORT)


class Wave(models.Model):
    """A collection round: links opened for it take answers from `opens` to
    `closes`, and for `PEERSURVEY_WAVE_GRACE_DAYS` more so that tablets queued
    offline can still send; a response belongs to the wave of the link it came
    through (paper and links without one: the wave open on its date)."""

    code = models.CharField(
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", "Letters, digits, '-' and '_' only, e.g. 2027 or 2027-spring.")
        ],
        help_text="A short code used in addresses and exports, e.g. 2027 or 2027-spring.",
    )
    name = models.CharField(max_length=200)
    opens = models.DateField()
    closes = models.DateField()

    class Meta:
        ordering = ["opens", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gte=models.F("opens")),
                name="wave_closes_after_opens",
                violation_error_message="A wave cannot close before it opens.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def accepts_until(self) -> date:
        """The last day a link of this wave takes answers: its close, plus the grace for queued tablets."""
        return self.closes + timedelta(days=settings.PEERSURVEY_WAVE_GRACE_DAYS)

    def is_over(self, today: date) -> bool:
        return today > self.accepts_until


class Denominator(models.Model):
    """How many patients and staff a service had in a wave: the base of its response rates."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="denominators")
    service = models.ForeignKey("Service", on_delete=models.CASCADE, related_name="denominators")
    patients = models.PositiveIntegerField(null=True, blank=True, help_text="Patients in the service during the wave.")
    staff = models.PositiveIntegerField(null=True, blank=True, help_text="Staff in the service during the wave.")

    class Meta:
        ordering = ["wave", "service"]
        constraints = [models.UniqueConstraint(fields=["wave", "service"], name="denominator_wave_service_unique")]

    def __str__(self) -> str:
        return f"{self.service.code} in {self.wave.code}: {self.patients} patients, {self.staff} staff"

    def of(self, group: str) -> int | None:
        return self.patients if group == "patient" else self.staff


class ServiceSpecialism(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="specialisms")
    specialism = models.CharField(max_length=32, choices=Specialism.choices)

    class Meta:
        ordering = ["service", "specialism"]
        constraints = [
            models.UniqueConstraint(fields=["service", "specialism"], name="service_specialism_unique"),
            models.CheckConstraint(condition=Q(specialism__in=Specialism.values), name="specialism_valid"),
        ]

    def __str__(self) -> str:
        return self.get_specialism_display()


def new_token() -> str:
    # 128 bits from the OS's CSPRNG: unguessable, URL-safe, 22 characters; never
    # starting with "-", which a command line would read as an option.
    while True:
        token = secrets.token_urlsafe(16)
        if not token.startswith("-"):
            return token


# Record keys are drawn from 0 .. RECORD_KEYS - 1 (dashboard/release.py reads them).
RECORD_KEYS = 1 << 16


def new_record_key() -> int:
    return secrets.randbelow(RECORD_KEYS)


class CollectionLink(models.Model):
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="links")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="links")
    kiosk = models.BooleanField(default=False, help_text="A shared ward tablet: resets after each person.")
    idle_seconds = models.PositiveIntegerField(default=120, help_text="Kiosk only: reset after this much inactivity.")
    thanks_seconds = models.PositiveIntegerField(
        default=45,
        validators=[MinValueValidator(20), MaxValueValidator(600)],
        help_text="Kiosk only: how long the thank-you screen stays (20 to 600 seconds); 'Finish now' ends it sooner.",
    )
    label = models.CharField(max_length=100, blank=True, help_text="Where it is used, e.g. 'Tablet, Hume ward'.")
    wave = models.ForeignKey(
        Wave,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="links",
        help_text="The collection round it collects for: after the round's close and grace period the link answers 410.",
    )
    created_on = models.DateField(auto_now_add=True)
    revoked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["service", "questionnaire", "id"]

    def __str__(self) -> str:
        kind = "kiosk" if self.kiosk else "link"
        return f"{self.service.code} {self.questionnaire.code} {kind} …{self.token[-4:]}"

    @property
    def path(self) -> str:
        return f"/c/{self.token}/"

    @property
    def is_active(self) -> bool:
        return self.revoked_on is None

    @property
    def channel(self) -> str:
        return Channel.TABLET if self.kiosk else Channel.WEB

    def is_closed(self, today: date) -> bool:
        """Past its wave's close and grace period: it takes no more answers (410)."""
        return self.wave is not None and self.wave.is_over(today)


class Response(models.Model):
    # Random, so ids do not reveal the order (and so the time) of submissions.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="responses")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    link = models.ForeignKey(CollectionLink, null=True, blank=True, on_delete=models.PROTECT, related_name="responses")
    # The round it was given in, fixed when it arrives (its link's, else the wave open on its date).
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    client_id = models.UUIDField()
    submitted_on = models.DateField()
    number = models.PositiveIntegerField(help_text="Running number within the service, for quotes: CL8.")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the answers, to tell a replay from a conflict.")
    # A random record key: the cell-key method perturbs a count by the sum of its
    # respondents' keys, so the same people always get the same noise.
    rkey = models.PositiveIntegerField(default=new_record_key, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "client_id"], name="response_client_per_link_unique"),
            # Paper has no link: a form saved twice (a double click) is one response.
            models.UniqueConstraint(
                fields=["service", "client_id"],
                condition=Q(link__isnull=True),
                name="response_client_per_service_unlinked_unique",
            ),
            models.UniqueConstraint(fields=["service", "number"], name="response_number_per_service_unique"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="response_channel_valid"),
        ]
        indexes = [models.Index(fields=["service", "submitted_on"])]

    def __str__(self) -> str:
        return f"{self.service.code}{self.number}"


class ChoiceAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="choices")
    option = models.ForeignKey(Option, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "option"], name="choice_answer_unique")]

    def __str__(self) -> str:
        return f"answer {self.pk}: option {self.option_id}"


class TextAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="texts")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="text_answer_unique")]

    def __str__(self) -> str:
        # Never the text itself: it is shown only once reviewed.
        return f"text answer {self.pk}"


class QuoteStatus(models.TextChoices):
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not shown"


class Theme(models.Model):
    """A theme a lead tags quotes with ("Trust", "Restrictions"), to count and group them."""

    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuoteReview(models.Model):
    """A lead's decision on one free-text answer. Without one, the text is hidden."""

    answer = models.OneToOneField(TextAnswer, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(max_length=10, choices=QuoteStatus.choices)
    # What leads see: the answer with names or other identifying details taken out.
    text = models.TextField()
    attribution = models.CharField(max_length=120)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_on = models.DateField()
    themes = models.ManyToManyField(Theme, blank=True, related_name="quotes")
    for_report = models.BooleanField(default=False, help_text="Chosen for the report, under the question it explains.")
    for_patients = models.BooleanField(default=False, help_text="Chosen for the ward's results page and poster.")

    class Meta:
        # The table was made by the dashboard app, where reviews began.
        db_table = "dashboard_quotereview"
        constraints = [models.CheckConstraint(condition=Q(status__in=QuoteStatus.values), name="quote_status_valid")]

    def __str__(self) -> str:
        return f"{self.attribution}: {self.get_status_display()}"


class SafeguardingConcern(models.Model):
    """A free-text answer that discloses harm. Flagged, it is hidden from every
    page but the named safeguarding reviewers', who record what was done. The
    survey stays anonymous: the concern knows the service, never the writer."""

    answer = models.OneToOneField(TextAnswer, on_delete=models.CASCADE, related_name="concern")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_on = models.DateField()
    note = models.TextField(blank=True, help_text="Why it was flagged.")
    action = models.TextField(blank=True, help_text="What was done about it.")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        # Never the text itself.
        return f"safeguarding concern {self.pk}"


class Release(models.Model):
    """When a response's answers joined the figures, for everyone or for one
    about-you slice (surveys/releases.py).

    Answers are released in batches of at least `PEERSURVEY_MIN_CELL` per
    service, questionnaire and slice, so no released figure ever changes by
    fewer people than that. `released_on` is empty while the answer waits.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="releases")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    # Batches never mix waves: a wave's figures are whole batches too.
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    among = models.PositiveIntegerField(default=0, help_text="0 for everyone, or the about-you Option id.")
    released_on = models.DateField(null=True, blank=True)
    pooled = models.BooleanField(default=False, help_text="A remainder counted in the national figures only.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "among"], name="release_response_among_unique")]
        indexes = [
            models.Index(fields=["service", "questionnaire", "among", "released_on"], name="release_unit"),
            # The dashboard's "released up to": the latest day, nationally or per service.
            models.Index(fields=["among", "released_on"], name="release_latest"),
            models.Index(fields=["service", "among", "released_on"], name="release_latest_service"),
            # The same within one wave (dashboard.queries.released_through).
            models.Index(fields=["service", "wave", "among", "released_on"], name="release_latest_service_wave"),
        ]

    def __str__(self) -> str:
        return f"release of {self.response_id} among {self.among}: {self.released_on or 'waiting'}"


class Period(models.TextChoices):
    MONTH = "m", "Released in a month, in a service"
    # Remainders of fewer than min_cell released when a collection closes: they
    # count in the national figures for all time only (surveys/releases.py).
    POOLED = "p", "Pooled remainder, national only"


class TallyKind(models.TextChoices):
    RESPONSES = "r", "Responses (ref: questionnaire)"
    ANSWERED = "q", "Answered a many-choice question (ref: question)"
    CHOSE = "o", "Chose an option (ref: option)"


class Tally(models.Model):
    """Counts the dashboard reads instead of the answers (surveys/tallies.py).

    One row counts the released respondents of a service in one month of release
    (and one wave) who
    did something: responded, answered a many-choice question, or chose an
    option. `among` narrows it to respondents who chose one about-you option
    (an Option id; 0 means everyone), so a demographic filter is a lookup too.
    Rows change in the same transaction as the answers they count, so they are
    never out of step; `manage.py rebuild_tallies --check` recounts to prove it.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField(help_text="The first day of the month of release.")
    among = models.PositiveIntegerField(default=0, help_text="0, or the about-you Option id respondents chose.")
    wave = models.PositiveIntegerField(default=0, db_default=0, help_text="The Wave id, or 0 for answers given outside any wave.")
    kind = models.CharField(max_length=1, choices=TallyKind.choices)
    ref = models.PositiveIntegerField(help_text="Questionnaire, Question or Option id, by kind.")
    n = models.PositiveIntegerField()
    k = models.BigIntegerField(default=0, help_text="The sum of the respondents' record keys (the cell key).")

    class Meta:
        constraints = [
            # Also the dashboard's read path: one period and slice, then
            # services and dates (column order matters; the upsert does not care).
            # On PostgreSQL migration 0005 adds the count to it (INCLUDE), so
            # the read never visits the table; SQLite has no INCLUDE.
            models.UniqueConstraint(
                fields=["period", "among", "service", "start", "wave", "kind", "ref"], name="tally_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.period}{self.start} among {self.among}: {self.kind}{self.ref} = {self.n}"
