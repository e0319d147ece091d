"""English and Welsh: the switch, the cookie, and a catalogue with nothing left untranslated.

Questionnaire texts are checked in tests/surveys/test_translations.py; this file
covers the interface's own words (templates, Python and JavaScript).
"""

import fcntl
import hashlib
import re
import shutil
import tempfile
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
DOMAINS = ("django", "djangojs")
# The same as `make messages`: what is not shipped is not translated.
IGNORE = [".venv*", "staticfiles", "build", "tests", "bench", "scripts", "static/vendor", "test-artifacts", "generated"]
# One extraction at a time per checkout (see the test).
EXTRACTION_LOCK = (
    Path(tempfile.gettempdir()) / f"makemessages-{hashlib.sha256(str(settings.BASE_DIR).encode()).hexdigest()[:12]}.lock"
)


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [("", "", "en-GB"), ("?lang=cy", "", "cy"), ("", "cy", "cy"), ("", "cy-GB,cy;q=0.9", "cy"), ("?lang=en", "cy", "en-GB")],
)
def test_the_page_language_follows_the_switch_then_the_browser(client, query, accept, expected):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}
    assert html_lang(client.get("/" + query, **headers)) == expected


@pytest.mark.django_db
def test_the_switch_is_remembered_in_a_cookie_that_holds_only_the_language(client):
    response = client.get("/?lang=cy")
    assert response.cookies["language"].value == "cy"
    assert response.cookies["language"]["samesite"] == "Lax"
    assert html_lang(client.get("/")) == "cy"  # remembered
    assert html_lang(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "cy"  # the choice beats the browser
    client.get("/?lang=en")
    assert html_lang(client.get("/")) == "en-GB"


@pytest.mark.django_db
def test_a_copy_fetched_in_the_background_does_not_change_the_cookie(client):
    """The ward tablet caches the other language's page without switching the tablet."""
    response = client.get("/?lang=cy", HTTP_SEC_FETCH_DEST="empty")
    assert html_lang(response) == "cy"
    assert "language" not in response.cookies


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["fr", "CY", "cy\x00", "../../etc", "x" * 500])
def test_an_unknown_language_is_ignored(client, value):
    response = client.get("/", {"lang": value})
    assert response.status_code == 200
    assert html_lang(response) == "en-GB"
    assert "language" not in response.cookies


@pytest.mark.django_db
def test_every_page_offers_the_other_language_keeping_its_filters(client):
    page = client.get("/?lang=cy&wave=2026").content.decode()
    assert 'hreflang="en" href="?lang=en&amp;wave=2026"' in page
    assert 'aria-current="true">Cymraeg<' in page


@pytest.mark.django_db
def test_the_javascript_catalogue_answers_in_the_language_asked(client):
    welsh = client.get("/jsi18n/?lang=cy", HTTP_SEC_FETCH_DEST="script")
    english = client.get("/jsi18n/?lang=en", HTTP_SEC_FETCH_DEST="script")
    assert welsh.status_code == english.status_code == 200
    assert welsh.content != english.content
    assert "language" not in welsh.cookies


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_welsh_entry_is_translated_and_compiled(domain):
    po = polib.pofile(LOCALE / "cy" / "LC_MESSAGES" / f"{domain}.po")
    untranslated = [entry.msgid for entry in po if not entry.translated() or entry.obsolete]
    assert not untranslated, f"{domain}.po: no Welsh for {untranslated}"
    compiled = polib.mofile(LOCALE / "cy" / "LC_MESSAGES" / f"{domain}.mo")
    assert {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in compiled if e.msgid} == {
        (e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in po if e.msgid
    }, f"{domain}.mo is older than {domain}.po: run `make messages`"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="no xgettext: apt-get install gettext (.ci/run does)")
def test_no_text_in_the_code_lacks_a_welsh_translation(tmp_path, monkeypatch):
    """Extract every marked text afresh: a new or changed text without Welsh fails here."""
    shutil.copytree(LOCALE, tmp_path / "locale")
    monkeypatch.chdir(settings.BASE_DIR)
    # makemessages writes a scratch copy of each template beside it: one run at a time per
    # checkout (CI runs the suite on PostgreSQL and on Python 3.13 side by side).
    with open(EXTRACTION_LOCK, "w") as lock_file, override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        for domain in DOMAINS:
            extensions = ["html", "txt", "py"] if domain == "django" else ["js"]
            call_command(
                "makemessages",
                locale=["cy"],
                domain=domain,
                extensions=extensions,
                ignore_patterns=IGNORE,
                no_location=True,
                no_obsolete=True,
                verbosity=0,
            )
    missing = {
        domain: [
            entry.msgid
            for entry in polib.pofile(tmp_path / "locale" / "cy" / "LC_MESSAGES" / f"{domain}.po")
            if not entry.translated()
        ]
        for domain in DOMAINS
    }
    assert missing == {"django": [], "djangojs": []}, (
        "texts without Welsh (add them to locale/cy/LC_MESSAGES/*.po, `make messages`)"
    )
