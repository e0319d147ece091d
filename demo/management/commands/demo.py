"""Load a believable demo: the 29 services of the report's Appendix IV, links for
each, and synthetic responses shaped by the report's published figures."""

import os
import random
import tomllib
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dashboard.models import Role
from dashboard.services import lead_upsert
from demo.generate import (
    DEMO_DIR,
    OUTLIER,
    demo_answers,
    demo_client_id,
    demo_date,
    demo_waves,
    load_texts,
    wave_figures,
)
from surveys.codes import GROUPS, JOB_TITLE, Channel, Group
from surveys.models import CollectionLink, Questionnaire, TextAnswer, Wave
from surveys.quotes import attribution, quote_label, quote_review
from surveys.releases import releases_close
from surveys.report_2014 import report_2014
from surveys.selectors import latest_questionnaire, loaded_questionnaire
from surveys.services import denominator_set, link_create, response_submit, service_upsert, wave_upsert
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
                counts = {Group.PATIENT: row["patient_responses_2014"], Group.STAFF: row["staff_responses_demo"]}
                for wave in waves:
                    # 2014 on paper with the first questionnaires; later rounds on tablets and the web.
                    for group, count in counts.items():
                        questionnaire = round_2014[group] if wave.paper else questionnaires[group]
                        definition = loaded_questionnaire(questionnaire.pk).definition
                        shaped = wave_figures(figures, wave.shift, outlier=row["code"] == OUTLIER and not wave.paper)
                        channel = Channel.PAPER if wave.paper else (Channel.TABLET if group == Group.PATIENT else Channel.WEB)
                        for _ in range(round(count * wave.scale[group] * options["scale"])):
                            answers = clean_answers(definition, demo_answers(definition, shaped, texts, rng))
                            result = response_submit(
                                service=service,
                                questionnaire=questionnaire,
                                submission=Submission(client_id=demo_client_id(rng), answers=answers),
                                channel=channel,
                                submitted_on=demo_date(rng, min(wave.closes, today), days=wave.days(today)),
                            )
                            replayed += result.duplicate
                            stored += not result.duplicate
                self._denominators(service, counts, waves, stored_waves, options["scale"])
        self.stdout.write(
            f"Demo: {len(services)} services, {len(waves)} waves ({', '.join(w.code for w in waves)}), "
            f"{stored} responses stored, {replayed} already there."
        )
        # The rounds that are over: what is left in small services joins each round's national pool.
        with transaction.atomic():
            over = {stored.pk for stored in stored_waves.values() if stored.closes < today}
            closed = releases_close(wave_ids=over)
        self.stdout.write(
            f"Round closed: {closed['pooled']} answers from services with fewer than {settings.PEERSURVEY_MIN_CELL} "
            f"waiting count in the national figures only; {closed['waiting']} still wait."
        )
        if not options["no_user"]:
            self._demo_users(services[0]["code"])
        self._demo_reviews()
        if options["base_url"]:
            self._print_links(options["base_url"].rstrip("/"), services[0]["code"])

    def _denominators(self, service, counts: dict[str, int], waves, stored: dict[str, Wave], scale: float) -> None:
        """How many patients and staff each service had in the live rounds: about
        three in five patients answer and nearly one in two staff (2014 has none)."""
        for wave in waves:
            if wave.paper:
                continue
            patients, staff = (round(counts[group] * wave.scale[group] * scale) for group in (Group.PATIENT, Group.STAFF))
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

    def _demo_reviews(self) -> None:
        """Approve most demo free text (it is the report's own published quotes),
        leaving every fifth answer for a lead to review."""
        pending = (
            TextAnswer.objects.filter(review__isnull=True)
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
        for index, answer in enumerate(pending):
            if index % 5 == 4:
                continue
            response = answer.response
            service_title = titles.get(response.id)
            title = service_title[1].capitalize() if service_title and common[service_title] >= min_cell else None
            quote_review(
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

    def _demo_users(self, service_code: str) -> None:
        """A partnership lead who reviews quotes, a service lead and an administrator."""
        password = os.environ.get("PEERSURVEY_PASSWORD") or DEMO_PASSWORD
        User = get_user_model()
        for username, role, services in (
            (DEMO_USERNAME, Role.PARTNERSHIP_LEAD, []),
            (f"{service_code.lower()}-lead", Role.SERVICE_LEAD, [service_code]),
        ):
            if not User.objects.filter(username=username).exists():
                lead_upsert(username=username, role=role, service_codes=services, password=password, can_review_quotes=True)
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", password=password)
        self.stdout.write(
            f"Demo logins (demo only; password {password if password == DEMO_PASSWORD else 'from PEERSURVEY_PASSWORD'}): "
            f"{DEMO_USERNAME} (partnership lead), {service_code.lower()}-lead (service lead, {service_code}), admin (administrator)."
        )


def _link(service, questionnaire: Questionnaire, *, kiosk: bool, label: str) -> CollectionLink:
    existing = CollectionLink.objects.filter(
        service=service, questionnaire=questionnaire, kiosk=kiosk, label=label, revoked_on__isnull=True
    ).first()
    return existing or link_create(service=service, group=questionnaire.code, kiosk=kiosk, label=label)
