"""The JSON submission API (docs/contract.md, "JSON submission API"); thin, like the views."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .ratelimit import rate_limit_take
from .selectors import active_link, loaded_questionnaire, revoked_link
from .services import SubmissionConflict, link_submit
from .validation import SubmissionInvalid, clean_submission

logger = logging.getLogger(__name__)

# Seconds a client is asked to wait while the database is away (a restart takes a few).
BUSY_RETRY_AFTER = 5


def _error(status: int, errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status)


# Tablets post from pages that may have been cached offline for days, so the
# API cannot rely on a CSRF cookie; it takes no cookies and acts on none.
@csrf_exempt
@require_POST
def submit_response(request: HttpRequest, token: str) -> JsonResponse:
    try:
        return _submit(request, token)
    except (OperationalError, InterfaceError) as exc:
        # The database is away (restarting, failing over, out of connections).
        # The submission's transaction failed with it, so nothing is stored (or,
        # if the connection broke as it committed, all of it is). A 503 tells the
        # tablet to keep the answers queued and send them again with the same
        # client_id: stored once either way, the retry answering 201 or 200.
        logger.warning("Submission refused with 503: the database is unavailable (%s).", type(exc).__name__)
        reply = _error(503, {"service": ["The service is busy; please try again shortly."]})
        reply["Retry-After"] = str(BUSY_RETRY_AFTER)
        return reply


def _closed(request: HttpRequest, link) -> JsonResponse:
    """Past the wave's close and grace: 410, unless this is the replay of an answer
    stored in time whose reply was lost (the tablet must not report it deleted)."""
    try:
        payload = json.loads(request.body) if len(request.body) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE else None
        submission = clean_submission(loaded_questionnaire(link.questionnaire_id).definition, payload)
    except (RequestDataTooBig, UnicodeDecodeError, ValueError, RecursionError, SubmissionInvalid):
        submission = None
    stored = link.responses.filter(client_id=submission.client_id).first() if submission else None
    if stored is not None and stored.digest == submission.digest:
        return JsonResponse({"id": str(stored.id), "duplicate": True}, status=200)
    # Queued tablets had the grace period to send; answers now would join a round already reported.
    return _error(
        410, {"token": [f"This survey round ({link.wave.name}) closed on {link.wave.closes:%Y-%m-%d}; it takes no more answers."]}
    )


def _submit(request: HttpRequest, token: str) -> JsonResponse:
    link = active_link(token)
    if link is None:
        if revoked_link(token) is not None:
            # A tablet that queued answers for it deletes them on this key (static/js/kiosk-queue.js).
            return _error(404, {"link": ["This survey link has been withdrawn; it takes no more answers."]})
        return _error(404, {"token": ["This survey link is unknown or no longer in use."]})
    if link.is_closed(timezone.localdate()):
        return _closed(request, link)
    if request.content_type != "application/json":
        return _error(400, {"body": ["Send the answers as JSON (Content-Type: application/json)."]})
    too_big = _error(413, {"body": [f"The body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."]})
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_big
        payload = json.loads(request.body)
    except RequestDataTooBig:
        return too_big
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _error(400, {"body": ["The body is not valid JSON."]})
    definition = loaded_questionnaire(link.questionnaire_id).definition
    try:
        submission = clean_submission(definition, payload)
    except SubmissionInvalid as exc:
        return _error(400, exc.errors)
    # Only a valid submission takes from the link's allowance: one that stores nothing
    # costs nothing, so whoever holds a link cannot block it with rubbish.
    allowed, retry_after = rate_limit_take(link)
    if not allowed:
        reply = _error(429, {"link": ["Too many submissions from this link just now; try again shortly."]})
        reply["Retry-After"] = str(retry_after)
        return reply
    try:
        result = link_submit(link=link, submission=submission)
    except SubmissionConflict:
        return _error(409, {"client_id": ["This client_id was already sent with different answers; the first is kept."]})
    status = 200 if result.duplicate else 201
    return JsonResponse({"id": str(result.response.id), "duplicate": result.duplicate}, status=status)
