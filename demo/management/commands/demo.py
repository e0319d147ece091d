"""Load a believable demo: the 29 services of the report's Appendix IV, links for
each, synthetic responses shaped by the report's published figures, the report's
quotes in the responses of the people it credits them to, and what the demo's
leads wrote about the round open now (reviews, report text, "you said, we did")."""

import os
import random
import tomllib
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dashboard.models import Action, ReportText, Role
from dashboard.services import action_save, lead_upsert, report_text_save
from demo.generate import (
    DEMO_DIR,
    OUTLIER,
    DemoTexts,
    Respondent,
    demo_answers,
    demo_client_id,
    demo_count,
    demo_date,
    demo_waves,
    load_texts,
    quote_places,
    wave_figures,
    with_quotes,
)
from surveys.codes import GROUPS, JOB_TITLE, Channel, Group
from surveys.models import CollectionLink, Questionnaire, Service, TextAnswer, Wave
from surveys.quotes import attribution, quote_choose, quote_label, quote_review, quote_tag, theme_for
from surveys.releases import releases_close
from surveys.report_2014 import report_2014
from surveys.selectors import latest_questionnaire, loaded_questionnaire
from surveys.services import (
    SubmissionConflict,
    denominator_set,
    link_create,
    response_submit,
    service_upsert,
    wave_upsert,
)
from surveys.validation import Submission, clean_answers

DEMO_USERNAME = "lead"
DEMO_PASSWORD = "peer-support-demo"


class Command(BaseCommand):
    help = "Load demo services, links and responses (safe to repeat: nothing is stored twice)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2014)
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply the 2014 response counts.")
        parser.add_argument("--no-user", action="store_true", help="Do not create the demo login.")
        parser.add_argument("--base-url", default="", help="Print the links to open, e.g. http://127.0.0.1:8000")

    def handle(self, *args, **options):
        if options["scale"] <= 0 or options["scale"] > 100:
            raise CommandError("--scale must be more than 0 and at most 100.")
        questionnaires = {code: latest_questionnaire(code) for code in GROUPS}
        # The 2014 round was on paper, with the first version of each questionnaire.
        round_2014 = {code: Questionnaire.objects.filter(code=code, version=1).first() for code in GROUPS}
        if None in questionnaires.values() or None in round_2014.values():
            raise CommandError("Questionnaires are not loaded; run `python manage.py migrate` first.")
        with open(DEMO_DIR / "services.toml", "rb") as handle:
            services = tomllib.load(handle)["services"]
        figures, texts = report_2014(), load_texts()
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        waves = demo_waves(today)
        with transaction.atomic():
            stored_waves = {
                wave.code: wave_upsert(code=wave.code, name=wave.name, opens=wave.opens, closes=wave.closes)[0] for wave in waves
            }
        # 2014 on paper with the first questionnaires; later rounds on tablets and the web.
        definitions = {
            (wave.code, group): loaded_questionnaire((round_2014 if wave.paper else questionnaires)[group].pk).definition
            for wave in waves
            for group in GROUPS
        }
        counts = {
            (wave.code, row["code"], group): demo_count(row, wave, group, options["scale"])
            for wave in waves
            for row in services
            for group in GROUPS
        }
        # Each person the report quotes answers once, in the round open now where there is room.
        places = quote_places(
            texts.respondents(),
            counts,
            {key: frozenset(question.code for question in definition.questions) for key, definition in definitions.items()},
            waves=[wave.code for wave in reversed(waves)],
            services=[row["code"] for row in services],
            min_cell=settings.PEERSURVEY_MIN_CELL,
        )
        quoted: dict[object, Respondent] = {}
        stored = replayed = 0
        for row in services:
            with transaction.atomic():
                service, _ = service_upsert(
                    code=row["code"],
                    name=row["name"],
                    security=row["security"],
                    specialisms=row.get("specialisms", []),
                    provider=row.get("provider", ""),
                )
                # Links for the next round, on the newest questionnaires.
                _link(service, questionnaires[Group.PATIENT], kiosk=True, label="Ward tablet")
                _link(service, questionnaires[Group.STAFF], kiosk=False, label="Staff link")
                for wave in waves:
                    for group in GROUPS:
                        questionnaire = round_2014[group] if wave.paper else questionnaires[group]
                        definition = definitions[(wave.code, group)]
                        shaped = wave_figures(figures, wave.shift, outlier=row["code"] == OUTLIER and not wave.paper)
                        channel = Channel.PAPER if wave.paper else (Channel.TABLET if group == Group.PATIENT else Channel.WEB)
                        for index in range(counts[(wave.code, row["code"], group)]):
                            answers = demo_answers(definition, shaped, texts.generic, rng)
                            person = places.get((wave.code, row["code"], group, index))
                            if person is not None:
                                answers = with_quotes(definition, answers, person)
                            try:
                                result = response_submit(
                                    service=service,
                                    questionnaire=questionnaire,
                                    submission=Submission(
                                        client_id=demo_client_id(rng), answers=clean_answers(definition, answers)
                                    ),
                                    channel=channel,
                                    submitted_on=demo_date(rng, min(wave.closes, today), days=wave.days(today)),
                                )
                            except SubmissionConflict as exc:
                                raise CommandError(
                                    "This database holds demo responses made by another version of the demo: "
                                    "load the demo into an empty database."
                                ) from exc
                            if person is not None:
                                quoted[result.response.pk] = person
                            replayed += result.duplicate
                            stored += not result.duplicate
                self._denominators(service, row, waves, stored_waves, options["scale"])
        self.stdout.write(
            f"Demo: {len(services)} services, {len(waves)} waves ({', '.join(w.code for w in waves)}), "
            f"{stored} responses stored, {replayed} already there."
        )
        unplaced = len(texts.quotes) - sum(len(person.quotes) for person in places.values())
        if unplaced:
            self.stdout.write(f"{unplaced} of the report's quotes found no response of their group: the demo is too small.")
        # The rounds that are over: what is left in small services joins each round's national pool.
        with transaction.atomic():
            over = {stored.pk for stored in stored_waves.values() if stored.closes < today}
            closed = releases_close(wave_ids=over)
        self.stdout.write(
            f"Round closed: {closed['pooled']} answers from services with fewer than {settings.PEERSURVEY_MIN_CELL} "
            f"waiting count in the national figures only; {closed['waiting']} still wait."
        )
        lead_service = services[0]["code"]
        if not options["no_user"]:
            self._demo_users(lead_service)
        current = stored_waves[waves[-1].code]
        with transaction.atomic():
            reviewed = self._demo_reviews(texts, quoted, lead_service)
            written = self._demo_report(current, lead_service)
        self.stdout.write(
            f"Quotes: {len(quoted)} people the report quotes answered; {reviewed} quotes reviewed now. "
            f"Report text and actions for {current.code}: {written} written now."
        )
        if options["base_url"]:
            self._print_links(options["base_url"].rstrip("/"), services[0]["code"])

    def _denominators(self, service, row: dict, waves, stored: dict[str, Wave], scale: float) -> None:
        """How many patients and staff each service had in the live rounds: about
        three in five patients answer and nearly one in two staff (2014 has none)."""
        for wave in waves:
            if wave.paper:
                continue
            patients, staff = (demo_count(row, wave, group, scale) for group in (Group.PATIENT, Group.STAFF))
            denominator_set(
                wave=stored[wave.code],
                service=service,
                patients=max(patients, round(patients / 0.6)) if patients else 4,
                staff=max(staff, round(staff / 0.45)) if staff else 25,
            )

    def _print_links(self, base: str, code: str) -> None:
        links = CollectionLink.objects.filter(service__code=code, revoked_on__isnull=True).select_related("service")
        patient = links.filter(questionnaire__code=Group.PATIENT).first()
        staff = links.filter(questionnaire__code=Group.STAFF).first()
        self.stdout.write("")
        self.stdout.write(f"Open these links ({patient.service.name}, {code}):")
        self.stdout.write(f"  Patient survey (ward tablet): {base}{patient.path}")
        self.stdout.write(f"  Staff survey:                 {base}{staff.path}")
        self.stdout.write(f"  Dashboard:                    {base}/dashboard/  (log in as {DEMO_USERNAME} / {DEMO_PASSWORD})")
        self.stdout.write(f"  Administration:               {base}/admin/")
        self.stdout.write("  Every service's links: python manage.py show_links")

    def _demo_reviews(self, texts: DemoTexts, quoted: dict[object, Respondent], lead_service: str) -> int:
        """Approve the demo's quotes (the report's own), leaving every fifth for a
        lead to review (`DemoTexts.waiting`: the same ones on every run). An approved
        quote gets the themes texts.toml gives it, and is chosen for the report, or
        for the patients' page of the demo lead's service, where texts.toml says so.
        Only texts nobody has reviewed: a second run changes nothing. Returns how
        many it reviewed."""
        waiting = texts.waiting()
        boxes = {(response_id, quote.question): quote for response_id, person in quoted.items() for quote in person.quotes}
        pending = (
            TextAnswer.objects.filter(review__isnull=True, response_id__in=list(quoted))
            .exclude(question__code=JOB_TITLE)
            .select_related("response__service", "response__questionnaire", "question")
            .order_by("response__service__code", "response_id", "question__position")
        )
        titles = {
            response_id: (code, text.strip().lower())
            for response_id, code, text in TextAnswer.objects.filter(question__code=JOB_TITLE).values_list(
                "response_id", "response__service__code", "text"
            )
        }
        common = Counter(titles.values())
        min_cell = settings.PEERSURVEY_MIN_CELL
        themes = {name: theme_for(name) for name in sorted({theme for quote in texts.quotes for theme in quote.themes})}
        reviewed = 0
        for answer in pending:
            quote = boxes.get((answer.response_id, answer.question.code))
            if quote is None or quote in waiting:
                continue
            response = answer.response
            service_title = titles.get(response.id)
            title = service_title[1].capitalize() if service_title and common[service_title] >= min_cell else None
            review = quote_review(
                answer=answer,
                approve=True,
                text=answer.text,
                attribution=attribution(
                    group=response.questionnaire.code,
                    service_code=response.service.code,
                    label=quote_label(response.id, answer.question.code),
                    # A job title only where enough staff of the service share it.
                    job_title=title,
                ),
            )
            for name in quote.themes:
                quote_tag(review, themes[name])
            if quote.report:
                quote_choose(review, choice="report", chosen=True)
            # For the patients' page of the service whose lead the demo makes.
            if quote.patients and quote.group == Group.PATIENT and response.service.code == lead_service:
                quote_choose(review, choice="patients", chosen=True)
            reviewed += 1
        return reviewed

    def _demo_report(self, wave: Wave, lead_service: str) -> int:
        """The national report's conclusions and recommendations for the round open
        now, the demo lead's service's, and its "you said, we did" (demo/report.toml).
        Each is written once: a second run, or a lead's edit, leaves it as it is.
        Returns how many it wrote."""
        with open(DEMO_DIR / "report.toml", "rb") as handle:
            report = tomllib.load(handle)
        User = get_user_model()
        national_lead = User.objects.filter(username=DEMO_USERNAME).first()
        service_lead = User.objects.filter(username=f"{lead_service.lower()}-lead").first()
        service = Service.objects.get(code=lead_service)
        written = 0
        for where, author, text in ((None, national_lead, report["national"]), (service, service_lead, report["service"])):
            if not ReportText.objects.filter(wave=wave, service=where).exists():
                report_text_save(
                    wave=wave,
                    service=where,
                    conclusions=text["conclusions"],
                    recommendations=text["recommendations"],
                    user=author,
                )
                written += 1
        for action in report["actions"]:
            if not Action.objects.filter(wave=wave, service=service, you_said=action["you_said"]).exists():
                action_save(
                    user=service_lead,
                    you_said=action["you_said"],
                    we_did=action["we_did"],
                    status=action["status"],
                    wave=wave,
                    service=service,
                )
                written += 1
        return written

    def _demo_users(self, service_code: str) -> None:
        """A partnership lead who reviews quotes and is the named safeguarding reviewer,
        a service lead and an administrator."""
        password = os.environ.get("PEERSURVEY_PASSWORD") or DEMO_PASSWORD
        User = get_user_model()
        for username, role, services in (
            (DEMO_USERNAME, Role.PARTNERSHIP_LEAD, []),
            (f"{service_code.lower()}-lead", Role.SERVICE_LEAD, [service_code]),
        ):
            if not User.objects.filter(username=username).exists():
                lead_upsert(
                    username=username,
                    role=role,
                    service_codes=services,
                    password=password,
                    can_review_quotes=True,
                    safeguarding_reviewer=role == Role.PARTNERSHIP_LEAD,
                )
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", password=password)
        self.stdout.write(
            f"Demo logins (demo only; password {password if password == DEMO_PASSWORD else 'from PEERSURVEY_PASSWORD'}): "
            f"{DEMO_USERNAME} (partnership lead, safeguarding reviewer), {service_code.lower()}-lead (service lead, {service_code}), admin (administrator)."
        )


def _link(service, questionnaire: Questionnaire, *, kiosk: bool, label: str) -> CollectionLink:
    existing = CollectionLink.objects.filter(
        service=service, questionnaire=questionnaire, kiosk=kiosk, label=label, revoked_on__isnull=True
    ).first()
    return existing or link_create(service=service, group=questionnaire.code, kiosk=kiosk, label=label)
