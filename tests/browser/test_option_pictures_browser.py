"""Pictures beside the options as a patient sees them: at least 64px on the ward tablet
and on a small phone, with the words still beside them and nothing off the screen."""

import pytest

from .test_collection_browser import SPEECH_STUB, TABLET, current
from .test_patient_flow_traps import go_to, start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 375, "height": 812}


@pytest.mark.parametrize("viewport", [TABLET, SMALL_PHONE], ids=["tablet", "phone"])
def test_pictures_are_64px_beside_their_words(open_page, live_server, ward_tablet, viewport):
    page = open_page(viewport=viewport)
    page.add_init_script(SPEECH_STUB)  # the speakers beside each option take their room too
    start(page, live_server.url + ward_tablet.path)
    go_to(page, "when_useful")
    for choice in current(page, ".choice").all():
        picture = choice.locator(".choice-icon").bounding_box()
        words = choice.locator(".choice-label").bounding_box()
        box = choice.bounding_box()
        assert picture["width"] >= 64 and picture["height"] >= 64
        assert words["x"] >= picture["x"] + picture["width"], "the words sit beside the picture"
        assert words["width"] >= 120, "room for a few words a line"
        assert box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
