"""Pictures beside the options (the 2014 report's easy read): every one there, one picture
for one idea, no two alike, and large enough (64px) to carry meaning on a tablet."""

import hashlib
import itertools
import re
from xml.etree import ElementTree

import pytest

from surveys.definitions import ICON_DIR, load_all

from .svg_ink import ink, overlap

STATIC = ICON_DIR.parent
CSS = STATIC / "css" / "app.css"
ICON_FILES = sorted(ICON_DIR.glob("*.svg"))
MIN_PX = 64
# Share of ink at which two pictures count as the same picture. The old door-enter and
# door-exit pair shared 0.83 of their ink, a tick and a cross in one circle 0.85; a pair
# told apart only by a badge (a house with a heart or a padlock) shares 0.78.
NEAR_IDENTICAL = 0.8
# Option codes that are one idea: "none" ("Nothing worries me") is the question's "no".
SAME_IDEA = ({"no", "none"},)


def option_icons() -> dict[str, set[str]]:
    """Icon name -> the option codes that show it, over every questionnaire file."""
    used: dict[str, set[str]] = {}
    for definition in load_all():
        for question in definition.questions:
            for option in question.options:
                if option.icon:
                    used.setdefault(option.icon, set()).add(option.code)
    return used


def test_every_option_picture_exists():
    used = option_icons()
    assert used, "the questionnaires show pictures beside their options"
    missing = sorted(icon for icon in used if not (ICON_DIR / f"{icon}.svg").is_file())
    assert not missing


def test_one_picture_stands_for_one_idea():
    for icon, codes in option_icons().items():
        assert len(codes) == 1 or any(codes <= same for same in SAME_IDEA), (
            f"icons/{icon}.svg stands for {sorted(codes)}: give each idea its own picture"
        )


def test_every_picture_is_in_the_sets_style():
    for path in ICON_FILES:
        svg = ElementTree.parse(path).getroot()
        assert svg.get("viewBox") == "0 0 24 24", path.name
        assert (svg.get("stroke"), svg.get("stroke-width"), svg.get("fill")) == ("currentColor", "2", "none"), path.name
        assert (svg.get("stroke-linecap"), svg.get("stroke-linejoin")) == ("round", "round"), path.name
        assert {child.tag.rpartition("}")[2] for child in svg} == {"path"}, path.name


def test_no_two_picture_files_are_the_same():
    by_digest: dict[str, str] = {}
    by_paths: dict[frozenset, str] = {}
    for path in ICON_FILES:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest not in by_digest, f"{path.name} is byte for byte {by_digest[digest]}"
        by_digest[digest] = path.name
        paths = frozenset(element.get("d") for element in ElementTree.parse(path).getroot() if element.get("stroke") != "none")
        assert paths not in by_paths, f"{path.name} draws the same paths as {by_paths[paths]}"
        by_paths[paths] = path.name


def test_no_two_pictures_look_nearly_the_same():
    inks = {path.name: ink(path) for path in ICON_FILES}
    alike = [
        f"{a} and {b} share {shared:.0%} of their ink"
        for a, b in itertools.combinations(inks, 2)
        if (shared := overlap(inks[a], inks[b])) >= NEAR_IDENTICAL
    ]
    assert not alike


def test_old_look_alikes_would_be_caught(tmp_path):
    """The measure itself: Tabler's door-enter and door-exit, as the set had them."""
    head = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2">'
    (tmp_path / "enter.svg").write_text(
        head + '<path d="M13 12v.01"/><path d="M3 21h18"/><path d="M5 21v-16a2 2 0 0 1 2 -2h6m4 10.5v7.5"/>'
        '<path d="M21 7h-7m3 -3l-3 3l3 3"/></svg>'
    )
    (tmp_path / "exit.svg").write_text(
        head + '<path d="M13 12v.01"/><path d="M3 21h18"/><path d="M5 21v-16a2 2 0 0 1 2 -2h7.5m2.5 10.5v7.5"/>'
        '<path d="M14 7h7m-3 -3l3 3l-3 3"/></svg>'
    )
    assert overlap(ink(tmp_path / "enter.svg"), ink(tmp_path / "exit.svg")) >= NEAR_IDENTICAL
    assert overlap(ink(ICON_DIR / "admission.svg"), ink(ICON_DIR / "discharge.svg")) < 0.5


@pytest.mark.django_db
def test_patient_form_declares_pictures_at_64px(client, ward_tablet):
    html = client.get(ward_tablet.path).content.decode()
    pictures = [dict(re.findall(r'([a-z-]+)="([^"]*)"', tag)) for tag in re.findall(r'<img [^>]*class="choice-icon"[^>]*>', html)]
    assert len(pictures) > 50
    for picture in pictures:
        assert (STATIC / picture["src"].removeprefix("/static/")).is_file(), picture["src"]
        assert int(picture["width"]) >= MIN_PX and int(picture["height"]) >= MIN_PX, picture["src"]
        assert picture["alt"] == "", "decorative: the words beside it carry the meaning"


def test_stylesheet_never_draws_a_picture_below_64px():
    rules = re.findall(r"\.choice-icon[^{,]*\{([^}]*)\}", CSS.read_text())
    sizes = re.findall(r"(?:^|;)\s*(?:min-)?(width|height):\s*([\d.]+)(rem|px)", ";".join(rules))
    assert {name for name, _, _ in sizes} == {"width", "height"}
    for name, value, unit in sizes:
        px = float(value) * (16 if unit == "rem" else 1)
        assert px >= MIN_PX, f".choice-icon {name}: {value}{unit}"
