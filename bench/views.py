"""Baselines the bench times next to the real endpoints (bench configuration only).

- `fixed_json`: what a request costs with no work at all (Django + gunicorn).
- `raw_json`: data.json's core counts as ONE hand-written SQL statement over
  the answers and their releases (exact: data.json perturbs option counts by at most 2).
- `insert`: a submission's rows written with no validation, idempotency, release or tallies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from surveys.models import ChoiceAnswer, CollectionLink, Option, Question, Response, TextAnswer

FIXED = {"min_cell": 5, "groups": {"patient": {"n": 213, "suppressed": False}, "staff": {"n": 54, "suppressed": False}}}


@require_GET
def fixed_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(FIXED)


# Released responses per questionnaire, then responses choosing each option,
# over the raw tables: answers are counted per option id first, then named.
# Released means released for everyone, or with an about-you filter released
# in that slice (surveys/releases.py); a pooled remainder counts nationally only.
RAW_SQL = """
WITH selected AS (
    SELECT r.id, r.questionnaire_id
    FROM surveys_response r
    JOIN surveys_service s ON s.id = r.service_id
    JOIN surveys_release rel ON rel.response_id = r.id AND rel.released_on IS NOT NULL
    WHERE {where}
)
SELECT qn.code, NULL, NULL, count(*)
FROM selected x
JOIN surveys_questionnaire qn ON qn.id = x.questionnaire_id
GROUP BY qn.code
UNION ALL
SELECT qn.code, q.code, o.code, c.n
FROM (
    SELECT ca.option_id, count(*) AS n
    FROM selected x JOIN surveys_choiceanswer ca ON ca.response_id = x.id
    GROUP BY ca.option_id
) c
JOIN surveys_option o ON o.id = c.option_id
JOIN surveys_question q ON q.id = o.question_id
JOIN surveys_questionnaire qn ON qn.id = q.questionnaire_id
"""

RAW_FILTERS = {
    "service": "s.code = %(service)s AND NOT rel.pooled",
    # The response's own wave (the release's is a copy of it).
    "wave": "r.wave_id IN (SELECT w.id FROM surveys_wave w WHERE w.code = %(wave)s)",
    "gender": """rel.among IN (
        SELECT go.id FROM surveys_option go
        JOIN surveys_question gq ON gq.id = go.question_id
        WHERE gq.code = 'gender' AND go.code = %(gender)s)""",
}
EVERYONE = "rel.among = 0"


@login_required
@require_GET
def raw_json(request: HttpRequest) -> JsonResponse:
    unknown = sorted(set(request.GET) - set(RAW_FILTERS))
    if unknown:
        return JsonResponse({"errors": {key: ["Not a filter of raw.json."] for key in unknown}}, status=400)
    params = {key: request.GET[key] for key in RAW_FILTERS if key in request.GET}
    where = " AND ".join([RAW_FILTERS[key] for key in params] + ([] if "gender" in params else [EVERYONE]))
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL.format(where=where), params)
        rows = cursor.fetchall()
    return JsonResponse(
        {
            "groups": {group: n for group, question, _, n in rows if question is None},
            "options": [row for row in rows if row[1] is not None],
        }
    )


@dataclass(frozen=True)
class Target:
    link_id: int
    service_id: int
    questionnaire_id: int
    channel: str
    option_ids: dict[tuple[str, str], int]
    text_ids: dict[str, int]


_targets: dict[str, Target] = {}


def _target(token: str) -> Target:
    """The link and its answer ids, looked up once per process."""
    if token not in _targets:
        link = CollectionLink.objects.get(token=token)
        options = Option.objects.filter(question__questionnaire_id=link.questionnaire_id)
        texts = Question.objects.filter(questionnaire_id=link.questionnaire_id, kind="text")
        _targets[token] = Target(
            link_id=link.pk,
            service_id=link.service_id,
            questionnaire_id=link.questionnaire_id,
            channel=link.channel,
            option_ids={(q, o): pk for pk, q, o in options.values_list("id", "question__code", "code")},
            text_ids=dict(texts.values_list("code", "id")),
        )
    return _targets[token]


def _next_number(service_id: int) -> int:
    # The same running-number claim as response_submit: the unique constraint needs it.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE surveys_service SET last_number = last_number + 1 WHERE id = %s RETURNING last_number", [service_id]
        )
        return cursor.fetchone()[0]


def _answer_rows(response: Response, answers: dict, target: Target) -> tuple[list[ChoiceAnswer], list[TextAnswer]]:
    choices, texts = [], []
    for code, value in answers.items():
        if code in target.text_ids:
            texts.append(TextAnswer(response=response, question_id=target.text_ids[code], text=value))
            continue
        for option in value if isinstance(value, list) else [value]:
            choices.append(ChoiceAnswer(response=response, option_id=target.option_ids[(code, option)]))
    return choices, texts


@csrf_exempt
@require_POST
def insert(request: HttpRequest) -> JsonResponse:
    """The API's body in, the same rows out: no validation, no replay check, no release, no tallies."""
    target = _target(request.GET.get("link", ""))
    payload = json.loads(request.body)
    with transaction.atomic():
        response = Response.objects.create(
            service_id=target.service_id,
            questionnaire_id=target.questionnaire_id,
            link_id=target.link_id,
            channel=target.channel,
            client_id=payload["client_id"],
            submitted_on=timezone.localdate(),
            number=_next_number(target.service_id),
            digest=hashlib.sha256(request.body).hexdigest(),
        )
        choices, texts = _answer_rows(response, payload["answers"], target)
        ChoiceAnswer.objects.bulk_create(choices)
        if texts:
            TextAnswer.objects.bulk_create(texts)
    return JsonResponse({"id": str(response.id)}, status=201)
