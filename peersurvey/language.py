"""The page's language: English or Welsh, chosen by a link on every page.

Django's LocaleMiddleware picks the language from the language cookie, else
Accept-Language. The switch on every page is a plain link, `?lang=cy`: it works
without JavaScript, and the ward tablet's service worker can keep both languages
of a page by address (a form post to Django's set_language view could not be
replayed offline). This middleware, after LocaleMiddleware, lets `?lang=` win and
remembers the choice in the language cookie, which holds the code and nothing
else. A copy fetched in the background (the tablet caching the other language's
page, `Sec-Fetch-Dest: empty`) is answered in that language without changing the
cookie.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

HTML_LANG = {"en": "en-GB", "cy": "cy"}


def requested_language(request: HttpRequest) -> str:
    """The language named by `?lang=`, or "" when none (or not one of ours) is named.

    >>> from django.test import RequestFactory
    >>> requested_language(RequestFactory().get("/", {"lang": "cy"}))
    'cy'
    >>> requested_language(RequestFactory().get("/", {"lang": "fr"})), requested_language(RequestFactory().get("/"))
    ('', '')
    """
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else ""


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wanted = requested_language(request)
        if wanted:
            translation.activate(wanted)
            request.LANGUAGE_CODE = wanted
        response = self.get_response(request)
        if wanted and request.headers.get("Sec-Fetch-Dest", "document") == "document":
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                wanted,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path="/",
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def language(request: HttpRequest) -> dict:
    """Template context: the page's language, its `<html lang>`, and the switch's links.

    Each switch link keeps the page's other query parameters (a dashboard filter
    stays set when the lead changes language).
    """
    current = translation.get_language() or settings.LANGUAGE_CODE
    current = current if current in HTML_LANG else settings.LANGUAGE_CODE
    query = request.GET.copy()
    switch = []
    for code, name in settings.LANGUAGES:
        query["lang"] = code
        switch.append({"code": code, "name": name, "href": "?" + query.urlencode(), "current": code == current})
    return {"html_lang": HTML_LANG[current], "language_switch": switch}
